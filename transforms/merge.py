"""MergeCalls: call_reports rows -> calls rows (and each report's call_id).

Dozens of outlets report one real call. Reports of the same two leaders are clustered into calls:

* a report with a resolved ``call_date`` belongs to the call ``<us>-<ru>-<date>``
  (e.g. ``biden-putin-2021-12-30``) - deterministic, so reruns and other backends agree;
* a report without a date joins the call of the same pair whose date is nearest to its
  publication date within ``WINDOW_DAYS`` - but a report of a held call never joins a call
  dated after its publication (+1 day for time zones), and a report of a scheduled or
  requested call never one dated before it (-1 day); failing that, undated reports published
  within ``WINDOW_DAYS`` of the first of them form one call
  ``<us>-<ru>-undated-<first publication date>``. Publication days are UTC days, so a report
  clusters the same whether it comes fresh from a feed or back from either warehouse.

A call's status is the best of its reports (held > scheduled > requested > unknown), so a call
announced on Monday and reported held on Tuesday is one call whose status moves to held. Merging
is incremental: the stored reports of the affected pairs (read at start-up) are clustered again
with the new ones; only the calls whose reports changed are written, calls that disappear (an
undated call absorbed by a dated one) are deleted and stored reports whose call changed are
re-pointed. ``merge_pair(..., removed=...)`` also takes reports out of a pair (``hotline
reprocess``: no longer a call report, or now about another pair). The result depends only on
the set of reports, never on their order, so DuckDB and BigQuery (which return stored rows in
different orders and time zones) give the same calls.

Streaming (``MergeCallsContinuously``): no GroupByKey; a stateful DoFn keyed by leader pair
holds the pair's reports (the ``MERGE_FIELDS`` of each, seeded from the stored reports at
start-up) and runs the same ``merge_pair`` for every new report as it comes. Since
``assign_calls`` and ``call_row`` depend only on the set of reports, the calls after any
sequence of reports are the calls batch computes from all of them at once; the write
operations must then be applied in order (``pipeline.warehouse.sink.coalesce_ops``).

Metrics: ``merge/calls``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import userstate

from pipeline.records import RunContext

_LOGGER = logging.getLogger(__name__)

WINDOW_DAYS = 3
# What merging needs of a report (= Warehouse.call_reports_for_merge): kept in streaming state.
MERGE_FIELDS = (
    "report_id",
    "article_id",
    "call_id",
    "outlet",
    "us_leader",
    "russian_leader",
    "call_status",
    "call_date",
    "medium",
    "requested_by",
    "topics",
    "published_at",
)
STATUS_RANK = {"held": 3, "scheduled": 2, "requested": 1, "unknown": 0, None: 0}
_SLUGS = {
    "Barack Obama": "obama",
    "Donald Trump": "trump",
    "Joe Biden": "biden",
    "Dmitry Medvedev": "medvedev",
    "Vladimir Putin": "putin",
}

Row = dict[str, Any]


def slug(name: str | None) -> str:
    if not name:
        return "unknown"
    return _SLUGS.get(name) or name.lower().split()[-1]


def pair_key(report: Row) -> str:
    return f"{slug(report.get('us_leader'))}-{slug(report.get('russian_leader'))}"


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_utc(value: Any) -> dt.datetime | None:
    """A timestamp as an aware UTC datetime (naive ones are UTC already; ISO strings parsed)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _pub_day(report: Row) -> dt.date | None:
    """The UTC day of publication."""
    published = _as_utc(report.get("published_at"))
    return published.date() if published else None


def _may_join(status: str | None, pub: dt.date, day: dt.date) -> bool:
    """May an undated report of ``status``, published on ``pub``, be about a call on ``day``?"""
    gap = (day - pub).days
    if abs(gap) > WINDOW_DAYS:
        return False
    if status == "held":  # reported as done: not a call still to come
        return gap <= 1
    if status in ("scheduled", "requested"):  # still to come: not a call already past
        return gap >= -1
    return True


def assign_calls(reports: Sequence[Row]) -> dict[str, str]:
    """report_id -> call_id, for the reports of ONE leader pair."""
    if not reports:
        return {}
    pair = pair_key(reports[0])
    assignment: dict[str, str] = {}
    dated_days: set[dt.date] = set()
    for r in reports:
        day = _as_date(r.get("call_date"))
        if day is not None:
            assignment[r["report_id"]] = f"{pair}-{day.isoformat()}"
            dated_days.add(day)
    undated = sorted(
        (r for r in reports if r["report_id"] not in assignment),
        key=lambda r: (_pub_day(r) or dt.date.min, r["report_id"]),
    )
    loose: list[Row] = []
    for r in undated:
        pub = _pub_day(r)
        status = r.get("call_status")
        near = None
        if pub is not None:
            candidates = [d for d in dated_days if _may_join(status, pub, d)]
            if candidates:  # nearest; a tie goes to the earlier day
                near = min((abs((d - pub).days), d) for d in candidates)[1]
        if near is not None:
            assignment[r["report_id"]] = f"{pair}-{near.isoformat()}"
        else:
            loose.append(r)
    group_first: dt.date | None = None
    for r in loose:  # in publication order: a call spans WINDOW_DAYS from its first report
        pub = _pub_day(r)
        if pub is None:
            assignment[r["report_id"]] = f"{pair}-undated"
            continue
        if group_first is None or (pub - group_first).days > WINDOW_DAYS:
            group_first = pub
        assignment[r["report_id"]] = f"{pair}-undated-{group_first.isoformat()}"
    return assignment


def _most_common(values: Iterable[Any]) -> Any:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return sorted(k for k, c in counts.items() if c == top)[0]


def call_row(call_id: str, reports: Sequence[Row], ctx: RunContext) -> Row:
    """The ``calls`` row of one call from all its reports."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    best = max(
        reports,
        key=lambda r: (
            STATUS_RANK.get(r.get("call_status"), 0),
            _as_utc(r.get("published_at")) or oldest,
            r["report_id"],
        ),
    )
    dates = sorted(d for d in (_as_date(r.get("call_date")) for r in reports) if d is not None)
    published = [p for p in (_as_utc(r.get("published_at")) for r in reports) if p is not None]
    outlets = sorted({r["outlet"] for r in reports if r.get("outlet")})
    topics = sorted({t for r in reports for t in (r.get("topics") or [])})
    held = [r for r in reports if r.get("call_status") == best.get("call_status")]
    return {
        "call_id": call_id,
        "us_leader": best.get("us_leader"),
        "russian_leader": best.get("russian_leader"),
        "call_date": dates[0] if dates else None,
        "call_status": best.get("call_status") or "unknown",
        "medium": (
            _most_common(r.get("medium") for r in held)
            or _most_common(r.get("medium") for r in reports)
        ),
        "requested_by": _most_common(r.get("requested_by") for r in reports),
        "first_reported_at": min(published) if published else None,
        "last_reported_at": max(published) if published else None,
        "report_count": len(reports),
        "outlet_count": len(outlets),
        "outlets": outlets,
        "report_ids": sorted(r["report_id"] for r in reports),
        "topics": topics,
        "updated_at": ctx.started_at,
    }


def merge_pair(
    new: Sequence[Row],
    stored: Sequence[Row],
    ctx: RunContext,
    removed: Collection[str] = (),
) -> Iterator[tuple[str, str, Any]]:
    """Write operations for one leader pair: upsert the calls whose reports changed, the new
    reports, re-point stored reports whose call changed, delete calls left without reports.

    ``stored``: the pair's stored reports; ``new``: reports to add or replace; ``removed``: ids
    of stored reports to take out of the pair (the caller deletes or moves their rows).
    """
    gone = set(removed)
    by_id: dict[str, Row] = {r["report_id"]: r for r in stored if r["report_id"] not in gone}
    new_ids = set()
    for r in new:
        by_id[r["report_id"]] = r
        new_ids.add(r["report_id"])
    reports = list(by_id.values())
    assignment = assign_calls(reports)
    groups: dict[str, list[Row]] = {}
    for r in reports:
        groups.setdefault(assignment[r["report_id"]], []).append(r)
    touched: set[str | None] = {assignment[i] for i in new_ids}
    repoint: list[Row] = []
    for r in stored:
        rid, was = r["report_id"], r.get("call_id")
        if rid in gone or rid in new_ids:
            touched.add(was)  # the call it was in lost (or may have changed) a member
        elif was != assignment[rid]:
            repoint.append({"report_id": rid, "call_id": assignment[rid]})
            touched.update((was, assignment[rid]))
    for call_id in sorted(c for c in groups if c in touched):
        yield ("upsert", "calls", call_row(call_id, groups[call_id], ctx))
    for r in sorted(new, key=lambda r: r["report_id"]):
        yield ("upsert", "call_reports", {**r, "call_id": assignment[r["report_id"]]})
    for row in sorted(repoint, key=lambda r: r["report_id"]):
        yield ("update", "call_reports", row)
    old_calls = {r["call_id"] for r in stored if r.get("call_id")}
    for dead in sorted(old_calls - set(groups)):
        yield ("delete", "calls", (dead,))


class MergePairFn(beam.DoFn):
    """(pair, [new report rows]) + stored reports side input -> write operations."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._calls = beam.metrics.Metrics.counter("merge", "calls")

    def process(
        self, element: tuple[str, Iterable[Row]], stored: Sequence[Row]
    ) -> Iterator[tuple[str, str, Any]]:
        pair, new = element
        mine = [r for r in stored if pair_key(r) == pair]
        for op in merge_pair(list(new), mine, self._ctx):
            if op[1] == "calls" and op[0] == "upsert":
                self._calls.inc()
            yield op


class MergeCalls(beam.PTransform):
    """Cluster new call reports with the stored ones into one ``calls`` row per real call.

    Input: ``call_reports`` rows. Output: write operations ``(op, table, row_or_key)``.
    """

    def __init__(self, stored: beam.PCollection, ctx: RunContext) -> None:
        super().__init__()
        self._stored = stored
        self._ctx = ctx

    def expand(self, reports: beam.PCollection) -> beam.PCollection:
        return (
            reports
            | "KeyByLeaderPair" >> beam.Map(lambda r: (pair_key(r), r))
            | "GroupByPair" >> beam.GroupByKey()
            | "ClusterIntoCalls"
            >> beam.ParDo(MergePairFn(self._ctx), beam.pvalue.AsList(self._stored))
        )


def remember(known: dict[str, Row], ops: Iterable[tuple[str, str, Any]]) -> None:
    """Fold ``merge_pair``'s ``call_reports`` operations into the pair's known reports."""
    for op, table, payload in ops:
        if table != "call_reports":
            continue
        if op == "upsert":
            known[payload["report_id"]] = {f: payload.get(f) for f in MERGE_FIELDS}
        elif op == "update" and payload["report_id"] in known:
            known[payload["report_id"]]["call_id"] = payload["call_id"]


_REPORTS = userstate.ReadModifyWriteStateSpec("reports", PickleCoder())
_REPORTS_PARAM = beam.DoFn.StateParam(_REPORTS)  # module level: Beam matches it by identity


class AttachStoredFn(beam.DoFn):
    """report row -> (pair, (report row, the stored reports of that pair))."""

    def __init__(self) -> None:
        self._cache: tuple[int, dict[str, list[Row]]] | None = None

    def _by_pair(self, stored: Sequence[Row]) -> dict[str, list[Row]]:
        if self._cache is None or self._cache[0] != id(stored):
            groups: dict[str, list[Row]] = {}
            for r in stored:
                groups.setdefault(pair_key(r), []).append(r)
            self._cache = (id(stored), groups)
        return self._cache[1]

    def process(
        self, report: Row, stored: Sequence[Row] = ()
    ) -> Iterator[tuple[str, tuple[Row, list[Row]]]]:
        pair = pair_key(report)
        yield pair, (report, self._by_pair(stored).get(pair, []))


class MergeEachReportFn(beam.DoFn):
    """(pair, (report row, stored reports of the pair)) -> write operations; keyed state: the
    pair's reports so far (seeded with the stored ones). No side input on this stateful DoFn:
    Beam 2.77 may take it for the main input when it looks up the key coder."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._calls = beam.metrics.Metrics.counter("merge", "calls")

    def process(
        self,
        element: tuple[str, tuple[Row, Sequence[Row]]],
        ts: Any = beam.DoFn.TimestampParam,
        reports: Any = _REPORTS_PARAM,
    ) -> Iterator[tuple[str, str, Any]]:
        _, (report, stored) = element
        known = reports.read()
        if known is None:
            known = {r["report_id"]: {f: r.get(f) for f in MERGE_FIELDS} for r in stored}
        ctx = dataclasses.replace(
            self._ctx, started_at=ts.to_utc_datetime(has_tz=True).replace(microsecond=0)
        )
        ops = list(merge_pair([report], list(known.values()), ctx))
        remember(known, ops)
        reports.write(known)
        for op in ops:
            if op[1] == "calls" and op[0] == "upsert":
                self._calls.inc()
            yield op


class MergeCallsContinuously(beam.PTransform):
    """Streaming MergeCalls: each new report re-clusters its pair at once (no GroupByKey).

    Input: ``call_reports`` rows. Output: write operations, to be applied in order.
    """

    def __init__(self, stored: beam.PCollection, ctx: RunContext) -> None:
        super().__init__()
        self._stored = stored
        self._ctx = ctx

    def expand(self, reports: beam.PCollection) -> beam.PCollection:
        return (
            reports
            | "KeyByLeaderPair" >> beam.ParDo(AttachStoredFn(), beam.pvalue.AsList(self._stored))
            | "ClusterAsTheyCome" >> beam.ParDo(MergeEachReportFn(self._ctx))
        )
