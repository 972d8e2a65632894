"""MergeCallsContinuously: streaming (one report at a time, keyed state) ends where batch does."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable, Sequence
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from pipeline.records import TABLES, RunContext
from pipeline.warehouse.sink import coalesce_ops
from transforms.merge import (
    MERGE_FIELDS,
    AttachStoredFn,
    MergeCallsContinuously,
    MergeEachReportFn,
    merge_pair,
    pair_key,
)

CTX = RunContext(run_id="t", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
BIDEN, TRUMP, PUTIN = "Joe Biden", "Donald Trump", "Vladimir Putin"
Op = tuple[str, str, Any]


def report(rid: str, pub: str, date: str | None = None, status: str = "held", **kw: Any) -> dict:
    return {
        "report_id": rid,
        "article_id": "a" + rid,
        "call_id": None,
        "outlet": kw.pop("outlet", "Outlet " + rid),
        "us_leader": kw.pop("us", BIDEN),
        "russian_leader": PUTIN,
        "call_status": status,
        "call_date": dt.date.fromisoformat(date) if date else None,
        "medium": kw.pop("medium", "phone"),
        "requested_by": kw.pop("requested_by", None),
        "topics": kw.pop("topics", ["ukraine"]),
        "published_at": dt.datetime.fromisoformat(pub).replace(tzinfo=dt.UTC),
    }


# Undated reports folded into a dated call, two separate undated calls, another pair.
REPORTS = [
    report("r1", "2022-01-01T08:00", status="scheduled", requested_by="russia"),
    report("r2", "2022-01-02T09:00"),
    report("r3", "2022-01-03T10:00", date="2022-01-02", medium="video"),
    report("r4", "2022-02-01T10:00", status="requested"),
    report("r5", "2022-02-20T10:00"),
    report("r6", "2025-03-18T10:00", date="2025-03-18", us=TRUMP, topics=["energy"]),
    report("r7", "2025-03-19T10:00", us=TRUMP, outlet="Outlet r6"),
]


class FakeState:
    """A ReadModifyWriteState in memory, for calling a stateful DoFn directly."""

    def __init__(self) -> None:
        self.value: Any = None

    def read(self) -> Any:
        return self.value

    def write(self, value: Any) -> None:
        self.value = value

    def clear(self) -> None:
        self.value = None


def key_of(table: str, row: dict) -> tuple:
    return tuple(row[k] for k in TABLES[table].key)


def apply_in_order(store: dict[str, dict], ops: Iterable[Op]) -> None:
    """The reference semantics: operations applied one after another."""
    for op, table, payload in ops:
        rows = store.setdefault(table, {})
        if op == "delete":
            rows.pop(tuple(payload), None)
        elif op == "upsert":
            rows[key_of(table, payload)] = dict(payload)
        elif key_of(table, payload) in rows:
            rows[key_of(table, payload)].update(payload)


def apply_coalesced(store: dict[str, dict], ops: Iterable[Op]) -> None:
    """What ``Warehouse.write`` does with ``coalesce_ops``: deletes, upserts, updates."""
    upserts, deletes, updates = coalesce_ops(ops)
    for table, keys in deletes.items():
        for k in keys:
            store.setdefault(table, {}).pop(tuple(k), None)
    for table, rows in upserts.items():
        for row in rows:
            store.setdefault(table, {})[key_of(table, row)] = dict(row)
    for table, rows in updates.items():
        for row in rows:
            if key_of(table, row) in store.get(table, {}):
                store[table][key_of(table, row)].update(row)


def batch(new: Sequence[dict], stored: Sequence[dict] = ()) -> list[Op]:
    ops: list[Op] = []
    for pair, group in itertools.groupby(sorted(new, key=pair_key), key=pair_key):
        ops += merge_pair(list(group), [r for r in stored if pair_key(r) == pair], CTX)
    return ops


def streaming(new: Sequence[dict], stored: Sequence[dict] = ()) -> list[Op]:
    """Call the stateful DoFn directly, one report at a time, one state per pair."""
    attach, fn = AttachStoredFn(), MergeEachReportFn(CTX)
    states: dict[str, FakeState] = {}
    ops: list[Op] = []
    for i, r in enumerate(new):
        for pair, value in attach.process(r, list(stored)):
            state = states.setdefault(pair, FakeState())
            ops += fn.process((pair, value), Timestamp(1_700_000_000 + i), state)
    return ops


def tables(store: dict[str, dict]) -> dict[str, Any]:
    """Calls and report->call links, without the time a run stamps on them."""
    calls = [
        {k: v for k, v in row.items() if k != "updated_at"}
        for _, row in sorted(store.get("calls", {}).items())
    ]
    links = sorted((r["report_id"], r["call_id"]) for r in store.get("call_reports", {}).values())
    return {"calls": calls, "links": links}


ORDERS = {
    "as-published": REPORTS,
    "reversed": REPORTS[::-1],
    "shuffled": random.Random(7).sample(REPORTS, len(REPORTS)),
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_streaming_merge_ends_where_batch_does(order: list[dict]) -> None:
    expected: dict[str, dict] = {}
    apply_in_order(expected, batch(REPORTS))
    one_by_one: dict[str, dict] = {}
    apply_in_order(one_by_one, streaming(order))
    in_one_bundle: dict[str, dict] = {}
    apply_coalesced(in_one_bundle, streaming(order))
    assert tables(one_by_one) == tables(expected)
    assert tables(in_one_bundle) == tables(expected)
    assert [c["call_id"] for c in tables(expected)["calls"]] == [
        "biden-putin-2022-01-02",
        "biden-putin-undated-2022-02-01",
        "biden-putin-undated-2022-02-20",
        "trump-putin-2025-03-18",
    ]


def test_streaming_merge_with_stored_reports_equals_a_second_batch_run() -> None:
    first, second = REPORTS[:3] + REPORTS[5:6], REPORTS[3:5] + REPORTS[6:]
    store: dict[str, dict] = {}
    apply_in_order(store, batch(first))
    stored = [{f: r.get(f) for f in MERGE_FIELDS} for r in store["call_reports"].values()]
    by_batch = {t: {k: dict(v) for k, v in rows.items()} for t, rows in store.items()}
    apply_in_order(by_batch, batch(second, stored))
    by_stream = {t: {k: dict(v) for k, v in rows.items()} for t, rows in store.items()}
    apply_coalesced(by_stream, streaming(second, stored))
    assert tables(by_stream) == tables(by_batch)


def test_merge_continuously_in_a_pipeline() -> None:
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    stream = (
        TestStream()
        .add_elements([TimestampedValue(REPORTS[0], 1_700_000_000)])
        .add_elements([TimestampedValue(REPORTS[2], 1_700_000_060)])
        .advance_watermark_to_infinity()
    )

    def summary(op: Op) -> tuple[str, str, str]:
        kind, table, payload = op
        return kind, table, payload[0] if kind == "delete" else payload["call_id"]

    with TestPipeline(options=options) as p:
        other_pair = report("s0", "2013-06-01T00:00", date="2013-06-01", us="Barack Obama")
        stored = p | "Stored" >> beam.Create([other_pair])
        ops = p | stream | MergeCallsContinuously(stored, CTX)
        assert_that(
            ops | beam.Map(summary),
            equal_to(
                [
                    ("upsert", "calls", "biden-putin-undated-2022-01-01"),
                    ("upsert", "call_reports", "biden-putin-undated-2022-01-01"),
                    ("upsert", "calls", "biden-putin-2022-01-02"),
                    ("upsert", "call_reports", "biden-putin-2022-01-02"),
                    ("update", "call_reports", "biden-putin-2022-01-02"),
                    ("delete", "calls", "biden-putin-undated-2022-01-01"),
                ]
            ),
        )
