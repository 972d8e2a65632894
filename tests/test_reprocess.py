"""hotline reprocess: the current extractor over stored articles; reports and calls follow.

The stored state is stale on purpose: a report an older extractor got wrong (status unknown), a
"report" that is really a ministers' call, and a held report the older extractor missed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.records import EXTRACTOR_VERSION, RunContext, report_id_for
from pipeline.reprocess import article_from_row, reprocess, reprocess_ops
from pipeline.warehouse import open_warehouse
from pipeline.warehouse.sink import apply_ops
from tests.warehouse_data import merge_ops

OLD = RunContext(
    run_id="old", started_at=dt.datetime(2022, 2, 14, tzinfo=dt.UTC), extractor_version="0.0.1"
)
NOW = RunContext(run_id="now", started_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

TEXTS = {
    "announced": (
        "2022-02-12T10:00:00+00:00",
        "أعلن البيت الأبيض أن الرئيس الأمريكي جو بايدن سيجري اليوم السبت اتصالا هاتفيا مع نظيره"
        " الروسي فلاديمير بوتين لبحث الأزمة الأوكرانية.",
    ),
    "held": (
        "2022-02-13T07:00:00+00:00",
        "أجرى الرئيس الأمريكي جو بايدن مساء أمس السبت اتصالا هاتفيا مع نظيره الروسي فلاديمير"
        " بوتين استمر ساعة، وحذره من عواقب غزو أوكرانيا، بحسب البيت الأبيض.",
    ),
    "ministers": (
        "2022-01-05T16:00:00+00:00",
        "أجرى وزير الخارجية الأمريكي أنتوني بلينكن، اليوم الأربعاء، اتصالاً هاتفياً مع نظيره الروسي"
        " سيرغي لافروف، تناول التحضيرات للمحادثات الأمنية المقررة في جنيف.",
    ),
    "gold": (
        "2022-02-10T09:00:00+00:00",
        "ارتفعت أسعار الذهب في السوق المحلية خلال تعاملات اليوم الخميس مع زيادة الطلب.",
    ),
}


def article(slug: str) -> dict[str, Any]:
    published, text = TEXTS[slug]
    return {
        "article_id": "art-" + slug,
        "url": f"https://news.example/{slug}",
        "canonical_url": f"https://news.example/{slug}",
        "outlet": "Outlet " + slug,
        "feed_url": "https://news.example/rss",
        "title": None,
        "text": text,
        "text_source": "page",
        "published_at": dt.datetime.fromisoformat(published),
        "fetched_at": dt.datetime.fromisoformat(published),
        "first_seen_at": OLD.started_at,
        "content_hash": slug,
        "is_call_report": slug in ("announced", "ministers"),
        "run_id": "old",
    }


def stale_report(slug: str, status: str, date: str) -> dict[str, Any]:
    row = article(slug)
    return {
        "report_id": report_id_for(row["article_id"]),
        "article_id": row["article_id"],
        "call_id": None,
        "url": row["url"],
        "outlet": row["outlet"],
        "us_leader": "Joe Biden",
        "russian_leader": "Vladimir Putin",
        "call_status": status,
        "call_date": dt.date.fromisoformat(date),
        "topics": [],
        "published_at": row["published_at"],
        "ingested_at": OLD.started_at,
        "extractor_version": OLD.extractor_version,
    }


ARTICLES = [article(s) for s in TEXTS]
STALE = [
    stale_report("announced", "unknown", "2022-02-12"),
    stale_report("ministers", "held", "2022-01-05"),
]


def load_stale(wh: Any) -> None:
    wh.write({"articles": ARTICLES})
    apply_ops(wh, merge_ops(STALE))


def check_reprocessed(wh: Any) -> None:
    reports = wh.rows(
        "SELECT article_id, call_id, call_status, extractor_version, ingested_at"
        " FROM call_reports ORDER BY article_id"
    )
    assert reports == [
        {
            "article_id": "art-announced",
            "call_id": "biden-putin-2022-02-12",
            "call_status": "scheduled",
            "extractor_version": EXTRACTOR_VERSION,
            "ingested_at": OLD.started_at,  # kept
        },
        {
            "article_id": "art-held",
            "call_id": "biden-putin-2022-02-12",
            "call_status": "held",
            "extractor_version": EXTRACTOR_VERSION,
            "ingested_at": NOW.started_at,
        },
    ]
    calls = wh.rows("SELECT call_id, call_status, report_count, outlet_count FROM calls")
    assert calls == [
        {
            "call_id": "biden-putin-2022-02-12",
            "call_status": "held",
            "report_count": 2,
            "outlet_count": 2,
        }
    ]
    flags = wh.rows("SELECT article_id, is_call_report FROM articles ORDER BY article_id")
    assert {r["article_id"]: r["is_call_report"] for r in flags} == {
        "art-announced": True,
        "art-gold": False,
        "art-held": True,
        "art-ministers": False,
    }


def test_article_from_row_round_trips(lexicon: Any) -> None:
    art = article_from_row(ARTICLES[0])
    assert art.article_id == "art-announced" and art.text == TEXTS["announced"][1]
    assert article_from_row({"article_id": "x", "url": "u", "text": None, "outlet": None,
                             "feed_url": None, "title": None, "published_at": None,
                             "fetched_at": None}).text == ""  # fmt: skip


def test_reprocess_ops(lexicon: Any) -> None:
    stored = [dict(op[2]) for op in merge_ops(STALE) if op[:2] == ("upsert", "call_reports")]
    ops, stats = reprocess_ops(ARTICLES, stored, lexicon, NOW)
    assert dataclasses.astuple(stats) == (4, 0, 2, 1, 1, 1, 1)
    assert ("delete", "call_reports", (report_id_for("art-ministers"),)) in ops
    assert ("delete", "calls", ("biden-putin-2022-01-05",)) in ops


def test_reprocess_on_duckdb(lexicon: Any, tmp_path: Path) -> None:
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as wh:
        load_stale(wh)
        reprocess(wh, lexicon, NOW)
        check_reprocessed(wh)
        reprocess(wh, lexicon, NOW)  # again: nothing changes
        check_reprocessed(wh)


def test_since_limits_the_articles(lexicon: Any, tmp_path: Path) -> None:
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as wh:
        load_stale(wh)
        stats = reprocess(wh, lexicon, NOW, since=dt.date(2022, 2, 11))
        assert (stats.articles, stats.removed) == (2, 0)  # the ministers' call is older
        assert wh.count("call_reports") == 3


def test_cli(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/w.duckdb"
    with open_warehouse(url) as wh:
        load_stale(wh)
    out = io.StringIO()
    assert main(["reprocess", "--warehouse", url, "--since", "2022-01-01"], out=out) == 0
    assert "articles re-read       4" in out.getvalue()
    with pytest.raises(SystemExit):
        main(["reprocess", "--since", "yesterday"])


@pytest.mark.bigquery
def test_reprocess_on_bigquery(lexicon: Any, bigquery_emulator: Any) -> None:
    url = f"bigquery://{bigquery_emulator.project}/reprocess"
    with open_warehouse(url, endpoint=bigquery_emulator.endpoint) as wh:
        load_stale(wh)
    out = io.StringIO()
    argv = ["reprocess", "--warehouse", url, "--bigquery-endpoint", bigquery_emulator.endpoint]
    assert main(argv, out=out) == 0, out.getvalue()
    with open_warehouse(url, endpoint=bigquery_emulator.endpoint) as wh:
        rows = wh.rows("SELECT report_id FROM call_reports")
        assert len(rows) == 2
        calls = wh.rows("SELECT call_id, call_status, report_count FROM calls")
        assert calls == [
            {"call_id": "biden-putin-2022-02-12", "call_status": "held", "report_count": 2}
        ]
