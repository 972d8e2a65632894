"""Fixture rows for the warehouse tests: one small, realistic history loaded the same way into
DuckDB and BigQuery, and a normaliser that makes two engines' answers comparable.

The history: Biden-Putin, 30 Dec 2021 (announced by the White House, then reported held by three
outlets, Moscow asked for it); Biden-Putin, 12 Feb 2022 (held, Washington asked); a call
announced for 20 Feb 2022 that never showed up as held; Trump-Putin, 12 Feb 2025 and 18 Mar 2025
(announced the day before, then held); an undated request in May 2025; a few ingest errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pipeline.records import RunContext
from pipeline.warehouse.sink import Op, apply_ops
from transforms.merge import merge_pair, pair_key

CTX = RunContext(run_id="fixture", started_at=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))
BIDEN, TRUMP, PUTIN = "Joe Biden", "Donald Trump", "Vladimir Putin"


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def report(
    rid: str,
    outlet: str,
    published: str,
    status: str,
    date: str | None,
    us: str = BIDEN,
    *,
    side: str | None = None,
    requested_by: str | None = None,
    topics: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "report_id": rid,
        "article_id": "art-" + rid,
        "call_id": None,
        "url": f"https://{outlet.lower()}.example/{rid}",
        "outlet": outlet,
        "title": f"عنوان {rid}",
        "confidence": 0.9,
        "us_leader": us,
        "russian_leader": PUTIN,
        "call_status": status,
        "call_date": dt.date.fromisoformat(date) if date else None,
        "date_method": "exact" if date else "unresolved",
        "medium": "phone",
        "requested_by": requested_by,
        "source_side": side,
        "source_text": {"us": "البيت الأبيض", "russia": "الكرملين"}.get(side or ""),
        "topics": list(topics),
        "actors": [],
        "evidence": [{"text": f"جملة {rid}", "start": 0, "end": 8}],
        "published_at": _ts(published),
        "ingested_at": CTX.started_at,
        "extractor_version": CTX.extractor_version,
    }


REPORTS = [
    report("r01", "Alpha", "2021-12-30T09:00+00:00", "scheduled", "2021-12-30", side="us"),
    report("r02", "Alpha", "2021-12-30T22:10+00:00", "held", "2021-12-30", side="russia",
           requested_by="russia", topics=["ukraine", "nato"]),
    report("r03", "Beta", "2021-12-31T01:40+00:00", "held", "2021-12-30", side="russia",
           requested_by="russia", topics=["ukraine"]),
    report("r04", "Gamma", "2021-12-31T07:05+00:00", "held", None, side="other"),
    report("r05", "Beta", "2022-02-12T19:30+00:00", "held", "2022-02-12", side="us",
           requested_by="us", topics=["ukraine"]),
    report("r06", "Gamma", "2022-02-13T06:00+00:00", "held", "2022-02-12", side="other",
           topics=["ukraine", "sanctions"]),
    report("r07", "Alpha", "2022-02-20T23:00+00:00", "scheduled", "2022-02-20", side="other",
           topics=["ukraine"]),
    report("r08", "Alpha", "2025-02-12T20:00+00:00", "held", "2025-02-12", TRUMP, side="us",
           requested_by="us", topics=["ukraine", "middle_east"]),
    report("r09", "Beta", "2025-02-13T08:30+00:00", "held", "2025-02-12", TRUMP, side="russia",
           topics=["ukraine"]),
    report("r10", "Gamma", "2025-03-17T12:00+00:00", "scheduled", "2025-03-18", TRUMP, side="us"),
    report("r11", "Alpha", "2025-03-18T18:45+00:00", "held", "2025-03-18", TRUMP, side="russia",
           requested_by="us", topics=["ukraine", "energy"]),
    report("r12", "Beta", "2025-05-02T10:00+00:00", "requested", None, TRUMP, side="russia",
           requested_by="russia"),
]  # fmt: skip

ARTICLES = [
    {
        "article_id": r["article_id"],
        "url": r["url"],
        "canonical_url": r["url"],
        "outlet": r["outlet"],
        "feed_url": f"https://{r['outlet'].lower()}.example/rss",
        "title": r["title"],
        "text": "نص المقال",
        "text_source": "page",
        "published_at": r["published_at"],
        "fetched_at": r["published_at"] + dt.timedelta(minutes=5),
        "first_seen_at": CTX.started_at,
        "content_hash": "h-" + r["report_id"],
        "is_call_report": True,
        "run_id": CTX.run_id,
    }
    for r in REPORTS
]


def _error(stage: str, url: str, error: str, feed: str | None, at: str) -> dict[str, Any]:
    return {
        "error_id": f"{stage}-{url}-{error}",
        "stage": stage,
        "url": url,
        "feed_url": feed,
        "error": error,
        "detail": f"{error} at {stage}",
        "payload": None,
        "at": _ts(at),
        "first_at": _ts(at) - dt.timedelta(days=2),
        "run_id": CTX.run_id,
    }


ERRORS = [
    _error("poll", "https://alpha.example/rss", "HTTPError", "https://alpha.example/rss",
           "2025-05-01T10:00+00:00"),
    _error("fetch", "https://alpha.example/x1", "Timeout", "https://alpha.example/rss",
           "2025-05-01T10:01+00:00"),
    _error("fetch", "https://alpha.example/x2", "Timeout", "https://alpha.example/rss",
           "2025-05-02T10:01+00:00"),
    _error("fetch", "https://beta.example/y", "TooLarge", "https://beta.example/rss",
           "2025-05-02T11:00+00:00"),
    _error("extract", "https://gamma.example/z", "ValueError", None, "2025-05-03T09:00+00:00"),
]  # fmt: skip


def merge_ops(reports: Sequence[dict[str, Any]], stored: Sequence[dict[str, Any]] = ()) -> list[Op]:
    """MergeCalls' write operations for ``reports`` against ``stored`` (as the pipeline does)."""
    pairs: dict[str, list[dict[str, Any]]] = {}
    for r in reports:
        pairs.setdefault(pair_key(r), []).append(r)
    ops: list[Op] = []
    for pair, new in sorted(pairs.items()):
        ops += merge_pair(new, [s for s in stored if pair_key(s) == pair], CTX)
    return ops


def load(wh: Any) -> None:
    """Write the fixture history into a warehouse, the way a run writes it."""
    wh.write({"articles": ARTICLES, "ingest_errors": ERRORS})
    apply_ops(wh, merge_ops(REPORTS))


def normalize(value: Any) -> Any:
    """One engine-neutral form: UTC ISO timestamps, ISO dates, floats to 6 places, tuples."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return round(float(value), 6)
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in sorted(value.items())}
    return value


def answer(wh: Any, sql: str) -> tuple[list[str], list[list[Any]]]:
    cols, rows = wh.query(sql)
    return list(cols), [normalize(list(r)) for r in rows]
