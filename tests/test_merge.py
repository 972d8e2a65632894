"""transforms.merge: clustering call reports into calls (pure functions, then the PTransform)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.records import RunContext
from transforms.merge import MergeCalls, assign_calls, call_row, merge_pair, pair_key

CTX = RunContext(run_id="t", started_at=dt.datetime(2022, 2, 20, tzinfo=dt.UTC))
BIDEN, PUTIN, TRUMP = "Joe Biden", "Vladimir Putin", "Donald Trump"


def report(
    rid: str,
    published: str,
    status: str | None = "held",
    date: str | None = None,
    outlet: str = "A",
    us: str = BIDEN,
    ru: str = PUTIN,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "report_id": rid,
        "article_id": "a-" + rid,
        "call_id": None,
        "outlet": outlet,
        "us_leader": us,
        "russian_leader": ru,
        "call_status": status,
        "call_date": dt.date.fromisoformat(date) if date else None,
        "medium": "phone",
        "requested_by": None,
        "topics": [],
        "published_at": dt.datetime.fromisoformat(published),
        **extra,
    }


def stored(rows: list[dict[str, Any]], ops: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
    """The reports as the warehouse holds them after ``ops``."""
    by_id = {r["report_id"]: dict(r) for r in rows}
    for op, table, payload in ops:
        if table == "call_reports" and op == "upsert":
            by_id[payload["report_id"]] = dict(payload)
        elif table == "call_reports" and op == "update":
            by_id[payload["report_id"]]["call_id"] = payload["call_id"]
    return list(by_id.values())


def calls_of(ops: list[tuple[str, str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["call_id"]: p for op, t, p in ops if t == "calls" and op == "upsert"}


# -- assign_calls -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (
            [
                report("mon", "2022-02-14T09:00+00:00", "scheduled", "2022-02-14"),
                report("tue", "2022-02-15T08:00+00:00", "held", "2022-02-14"),
            ],
            {"mon": "biden-putin-2022-02-14", "tue": "biden-putin-2022-02-14"},
        ),
        (
            [
                report("d1", "2022-02-14T20:00+00:00", "held", "2022-02-14"),
                report("d2", "2022-02-15T20:00+00:00", "held", "2022-02-15"),
            ],
            {"d1": "biden-putin-2022-02-14", "d2": "biden-putin-2022-02-15"},
        ),
        (
            [
                report("dated", "2022-02-12T20:00+00:00", "held", "2022-02-12"),
                report("later", "2022-02-20T20:00+00:00", "held", "2022-02-20"),
                report("undated", "2022-02-13T07:00+00:00", "held"),
            ],
            {
                "dated": "biden-putin-2022-02-12",
                "later": "biden-putin-2022-02-20",
                "undated": "biden-putin-2022-02-12",
            },
        ),
        (
            [
                report("past", "2022-02-11T20:00+00:00", "held", "2022-02-11"),
                report("soon", "2022-02-13T20:00+00:00", "scheduled", "2022-02-16"),
                report("held?", "2022-02-14T07:00+00:00", "held"),
                report("will", "2022-02-13T07:00+00:00", "scheduled"),
            ],
            {
                "past": "biden-putin-2022-02-11",
                "soon": "biden-putin-2022-02-16",
                "held?": "biden-putin-2022-02-11",  # nearer 02-16 is still to come: not it
                "will": "biden-putin-2022-02-16",  # 02-11 is past: not it
            },
        ),
        (
            [
                report("u1", "2022-03-01T10:00+00:00", None),
                report("u2", "2022-03-03T10:00+00:00", None),
                report("u3", "2022-03-05T10:00+00:00", None),
            ],
            {
                "u1": "biden-putin-undated-2022-03-01",
                "u2": "biden-putin-undated-2022-03-01",
                "u3": "biden-putin-undated-2022-03-05",  # 4 days after the first: another call
            },
        ),
        (
            [report("late", "2022-02-14T23:30-05:00", None)],  # 04:30 UTC on the 15th
            {"late": "biden-putin-undated-2022-02-15"},
        ),
    ],
    ids=[
        "announced-monday-held-tuesday-one-call",
        "consecutive-days-stay-separate",
        "undated-joins-nearest-dated",
        "undated-held-not-a-future-call-scheduled-not-a-past-one",
        "undated-group-spans-window-from-first",
        "publication-day-is-utc",
    ],
)
def test_assign_calls(reports: list[dict[str, Any]], expected: dict[str, str]) -> None:
    assert assign_calls(reports) == expected


def test_assignment_ignores_order() -> None:
    reports = [
        report("a", "2022-02-14T09:00+00:00", "scheduled", "2022-02-14"),
        report("b", "2022-02-15T08:00+00:00", "held"),
        report("c", "2022-02-20T08:00+00:00", None),
        report("d", "2022-02-21T08:00+00:00", None),
    ]
    first = assign_calls(reports)
    for perm in itertools.permutations(reports):
        assert assign_calls(list(perm)) == first


def test_call_row_takes_the_best_status_and_counts_outlets() -> None:
    reports = [
        report("r1", "2022-02-14T09:00+02:00", "scheduled", "2022-02-14", outlet="A"),
        report("r2", "2022-02-15T08:00+00:00", "held", "2022-02-14", outlet="B"),
        report("r3", "2022-02-15T09:00+00:00", "held", "2022-02-14", outlet="B", topics=["iran"]),
    ]
    row = call_row("biden-putin-2022-02-14", reports, CTX)
    assert row["call_status"] == "held"
    assert row["call_date"] == dt.date(2022, 2, 14)
    assert row["first_reported_at"] == dt.datetime(2022, 2, 14, 7, tzinfo=dt.UTC)
    assert row["last_reported_at"] == dt.datetime(2022, 2, 15, 9, tzinfo=dt.UTC)
    assert (row["report_count"], row["outlet_count"], row["outlets"]) == (3, 2, ["A", "B"])
    assert row["report_ids"] == ["r1", "r2", "r3"]
    assert row["topics"] == ["iran"]


# -- merge_pair: incremental -------------------------------------------------------------------


def test_announced_monday_held_tuesday_is_one_call_across_runs() -> None:
    monday = [report("mon", "2022-02-14T09:00+00:00", "scheduled", "2022-02-14")]
    run1 = list(merge_pair(monday, [], CTX))
    assert calls_of(run1)["biden-putin-2022-02-14"]["call_status"] == "scheduled"

    tuesday = [report("tue", "2022-02-15T08:00+00:00", "held", "2022-02-14", outlet="B")]
    run2 = list(merge_pair(tuesday, stored([], run1), CTX))
    calls = calls_of(run2)
    assert list(calls) == ["biden-putin-2022-02-14"]
    call = calls["biden-putin-2022-02-14"]
    assert (call["call_status"], call["report_count"], call["outlet_count"]) == ("held", 2, 2)
    assert not [op for op in run2 if op[0] == "delete"]


def test_undated_call_folds_into_a_dated_one_and_is_deleted() -> None:
    run1 = list(merge_pair([report("u", "2022-02-15T08:00+00:00", "held")], [], CTX))
    assert list(calls_of(run1)) == ["biden-putin-undated-2022-02-15"]
    dated = [report("d", "2022-02-15T10:00+00:00", "held", "2022-02-14")]
    run2 = list(merge_pair(dated, stored([], run1), CTX))
    assert (
        "update",
        "call_reports",
        {"report_id": "u", "call_id": "biden-putin-2022-02-14"},
    ) in run2
    assert ("delete", "calls", ("biden-putin-undated-2022-02-15",)) in run2
    assert calls_of(run2)["biden-putin-2022-02-14"]["report_count"] == 2


def test_only_the_calls_that_changed_are_written() -> None:
    old = [
        report("jan", "2022-01-10T08:00+00:00", "held", "2022-01-10"),
        report("feb", "2022-02-10T08:00+00:00", "held", "2022-02-10"),
    ]
    run1 = list(merge_pair(old, [], CTX))
    run2 = list(
        merge_pair([report("feb2", "2022-02-11T08:00+00:00", "held")], stored([], run1), CTX)
    )
    assert list(calls_of(run2)) == ["biden-putin-2022-02-10"]


def test_removed_report_leaves_its_call() -> None:
    rows = [
        report("r1", "2022-02-14T09:00+00:00", "held", "2022-02-14"),
        report("r2", "2022-02-14T10:00+00:00", "held", "2022-02-14"),
        report("solo", "2022-03-01T10:00+00:00", "held", "2022-03-01"),
    ]
    now = stored([], list(merge_pair(rows, [], CTX)))
    ops = list(merge_pair([], now, CTX, removed={"r2", "solo"}))
    assert calls_of(ops)["biden-putin-2022-02-14"]["report_ids"] == ["r1"]
    assert ("delete", "calls", ("biden-putin-2022-03-01",)) in ops
    assert not [op for op in ops if op[1] == "call_reports"]  # the caller deletes them


def test_merging_twice_changes_nothing() -> None:
    rows = [
        report("a", "2022-02-14T09:00+00:00", "scheduled", "2022-02-14"),
        report("b", "2022-02-16T08:00+00:00", None),
    ]
    now = stored([], list(merge_pair(rows, [], CTX)))
    assert list(merge_pair([], now, CTX)) == []


def test_pair_key() -> None:
    assert pair_key(report("x", "2022-01-01T00:00+00:00", us=TRUMP)) == "trump-putin"
    assert pair_key({"us_leader": None, "russian_leader": PUTIN}) == "unknown-putin"


# -- the PTransform ------------------------------------------------------------------------------


def test_merge_calls_transform_against_stored_reports() -> None:
    monday = report("mon", "2022-02-14T09:00+00:00", "scheduled", "2022-02-14")
    first = stored([], list(merge_pair([monday], [], CTX)))
    tuesday = report("tue", "2022-02-15T08:00+00:00", "held", "2022-02-14", outlet="B")
    trump = report("t", "2025-03-18T15:00+00:00", "held", "2025-03-18", us=TRUMP)
    with TestPipeline() as p:
        stored_pc = p | "Stored" >> beam.Create(first)
        ops = (
            p | "New" >> beam.Create([tuesday, trump]) | "MergeCalls" >> MergeCalls(stored_pc, CTX)
        )
        calls = (
            ops
            | "CallsOnly" >> beam.Filter(lambda op: op[1] == "calls")
            | "Summary"
            >> beam.Map(lambda op: (op[2]["call_id"], op[2]["call_status"], op[2]["report_count"]))
        )
        assert_that(
            calls,
            equal_to(
                [("biden-putin-2022-02-14", "held", 2), ("trump-putin-2025-03-18", "held", 1)]
            ),
            label="OneRowPerCall",
        )
