"""MergeCalls: call_reports rows -> calls rows (and each report's call_id).

Dozens of outlets report one real call. Reports of the same two leaders are clustered into calls:

* a report with a resolved ``call_date`` belongs to the call ``<us>-<ru>-<date>``
  (e.g. ``biden-putin-2021-12-30``) - deterministic, so reruns and other backends agree;
* a report without a date joins the call of the same pair whose date is nearest to its
  publication date within ``WINDOW_DAYS``; failing that, undated reports published within
  ``WINDOW_DAYS`` of each other form one call ``<us>-<ru>-undated-<first publication date>``.

A call's status is the best of its reports (held > scheduled > requested > unknown), so a call
announced on Monday and reported held on Tuesday is one call whose status moves to held. Merging
is incremental: the stored reports of the affected pairs (read at start-up) are clustered again
with the new ones, calls that disappear (an undated call absorbed by a dated one) are deleted and
stored reports whose call changed are re-pointed.

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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import userstate
from apache_beam.utils.timestamp import Timestamp

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


def _pub_day(report: Row) -> dt.date | None:
    return _as_date(report.get("published_at"))


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
        near = None
        if pub is not None and dated_days:
            best = min(dated_days, key=lambda d: (abs((d - pub).days), d))
            if abs((best - pub).days) <= WINDOW_DAYS:
                near = best
        if near is not None:
            assignment[r["report_id"]] = f"{pair}-{near.isoformat()}"
        else:
            loose.append(r)
    group_first: dt.date | None = None
    group_last: dt.date | None = None
    for r in loose:
        pub = _pub_day(r)
        if pub is None:
            assignment[r["report_id"]] = f"{pair}-undated"
            continue
        if group_last is None or (pub - group_last).days > WINDOW_DAYS:
            group_first = pub
        group_last = pub
        assert group_first is not None
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
    best = max(reports, key=lambda r: (STATUS_RANK.get(r.get("call_status"), 0), str(r.get("published_at"))))
    dates = [_as_date(r.get("call_date")) for r in reports]
    published = [r["published_at"] for r in reports if r.get("published_at") is not None]
    outlets = sorted({r["outlet"] for r in reports if r.get("outlet")})
    topics = sorted({t for r in reports for t in (r.get("topics") or [])})
    held = [r for r in reports if r.get("call_status") == best.get("call_status")]
    return {
        "call_id": call_id,
        "us_leader": best.get("us_leader"),
        "russian_leader": best.get("russian_leader"),
        "call_date": next((d for d in dates if d is not None), None),
        "call_status": best.get("call_status") or "unknown",
        "medium": _most_common(r.get("medium") for r in held) or _most_common(r.get("medium") for r in reports),
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


def merge_pair(new: Sequence[Row], stored: Sequence[Row], ctx: RunContext) -> Iterator[tuple[str, str, Any]]:
    """Write operations for one leader pair: upsert calls, re-point reports, delete dead calls."""
    by_id: dict[str, Row] = {r["report_id"]: r for r in stored}
    new_ids = set()
    for r in new:
        by_id[r["report_id"]] = r
        new_ids.add(r["report_id"])
    reports = list(by_id.values())
    assignment = assign_calls(reports)
    groups: dict[str, list[Row]] = {}
    for r in reports:
        groups.setdefault(assignment[r["report_id"]], []).append(r)
    for call_id, members in sorted(groups.items()):
        yield ("upsert", "calls", call_row(call_id, members, ctx))
    for r in new:
        yield ("upsert", "call_reports", {**r, "call_id": assignment[r["report_id"]]})
    for r in stored:
        if r["report_id"] in new_ids:
            continue
        if r.get("call_id") != assignment[r["report_id"]]:
            yield ("update", "call_reports", {"report_id": r["report_id"], "call_id": assignment[r["report_id"]]})
    old_calls = {r.get("call_id") for r in stored if r.get("call_id")}
    for dead in sorted(old_calls - set(groups)):
        yield ("delete", "calls", (dead,))


class MergePairFn(beam.DoFn):
    """(pair, [new report rows]) + stored reports side input -> write operations."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._calls = beam.metrics.Metrics.counter("merge", "calls")

    def process(self, element: tuple[str, Iterable[Row]], stored: Sequence[Row]) -> Iterator[tuple[str, str, Any]]:
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
            | "ClusterIntoCalls" >> beam.ParDo(MergePairFn(self._ctx), beam.pvalue.AsList(self._stored))
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


class MergeEachReportFn(beam.DoFn):
    """(pair, report row) -> write operations; keyed state: the pair's reports so far."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._calls = beam.metrics.Metrics.counter("merge", "calls")

    def process(
        self,
        element: tuple[str, Row],
        stored: Sequence[Row] = (),
        ts: Timestamp = beam.DoFn.TimestampParam,
        reports: Any = _REPORTS_PARAM,
    ) -> Iterator[tuple[str, str, Any]]:
        pair, report = element
        known = reports.read()
        if known is None:
            known = {r["report_id"]: dict(r) for r in stored if pair_key(r) == pair}
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
            | "KeyByLeaderPair" >> beam.Map(lambda r: (pair_key(r), r))
            | "ClusterAsTheyCome"
            >> beam.ParDo(MergeEachReportFn(self._ctx), beam.pvalue.AsList(self._stored))
        )
