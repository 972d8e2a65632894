"""The warehouse writers: operations applied in order, one transaction per streaming bundle."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.warehouse import open_warehouse
from pipeline.warehouse.sink import WriteBundleFn, coalesce_ops, holds_file_lock

T = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def call(cid: str, **cols: Any) -> dict[str, Any]:
    return {"call_id": cid, "report_count": 1, **cols}


COALESCE_CASES = {
    "upsert-then-update-folds": (
        [("upsert", "calls", call("c1")), ("update", "calls", call("c1", report_count=2))],
        ({"calls": [call("c1", report_count=2)]}, {}, {}),
    ),
    "upsert-then-delete-deletes": (
        [("upsert", "calls", call("c1")), ("delete", "calls", ("c1",))],
        ({}, {"calls": [("c1",)]}, {}),
    ),
    "delete-then-upsert-keeps-both": (
        [("delete", "calls", ("c1",)), ("upsert", "calls", call("c1"))],
        ({"calls": [call("c1")]}, {"calls": [("c1",)]}, {}),
    ),
    "delete-then-update-is-void": (
        [("delete", "calls", ("c1",)), ("update", "calls", call("c1", report_count=3))],
        ({}, {"calls": [("c1",)]}, {}),
    ),
    "updates-merge": (
        [
            ("update", "call_reports", {"report_id": "r", "call_id": "a"}),
            ("update", "call_reports", {"report_id": "r", "call_id": "b"}),
        ],
        ({}, {}, {"call_reports": [{"report_id": "r", "call_id": "b"}]}),
    ),
    "last-upsert-wins": (
        [("upsert", "calls", call("c1", report_count=1)), ("upsert", "calls", call("c1", x=2))],
        ({"calls": [call("c1", x=2)]}, {}, {}),
    ),
}


@pytest.mark.parametrize(("ops", "expected"), COALESCE_CASES.values(), ids=COALESCE_CASES.keys())
def test_coalesce_ops_is_applying_in_order(ops: list, expected: tuple) -> None:
    assert coalesce_ops(ops) == expected


def test_coalesce_ops_refuses_unknown_operations() -> None:
    with pytest.raises(ValueError, match="unknown write operation 'merge'"):
        coalesce_ops([("merge", "calls", call("c1"))])


def test_holds_file_lock() -> None:
    assert holds_file_lock("duckdb:///tmp/w.duckdb")
    assert not holds_file_lock("bigquery://project/dataset")


def _bundle(fn: WriteBundleFn, ops: list) -> list[WindowedValue]:
    fn.start_bundle()
    for op in ops:
        fn.process(op, Timestamp(1), None)
    return list(fn.finish_bundle() or [])


def test_each_bundle_is_one_transaction_applied_in_order(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/w.duckdb"
    fn = WriteBundleFn(url)
    fn.setup()
    undated = call("biden-putin-undated-2022-01-01", call_status="scheduled")
    first = _bundle(fn, [("upsert", "calls", undated)])
    assert [w.value for w in first] == [{"calls": 1}]
    _bundle(
        fn,
        [
            ("upsert", "calls", call("biden-putin-2022-01-02", updated_at=T)),
            ("delete", "calls", ("biden-putin-undated-2022-01-01",)),
            ("update", "calls", call("biden-putin-2022-01-02", report_count=2)),
        ],
    )
    assert _bundle(fn, []) == []  # an empty bundle does not open the file
    fn.teardown()
    with open_warehouse(url) as wh:
        rows = wh.rows("SELECT call_id, report_count, updated_at FROM calls")
    assert rows == [{"call_id": "biden-putin-2022-01-02", "report_count": 2, "updated_at": T}]


def test_writer_waits_for_a_reader_holding_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(f"duckdb:///{path}").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
            " print('open', flush=True); time.sleep(1.5)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        fn = WriteBundleFn(f"duckdb:///{path}", lock_wait=20)
        t0 = time.monotonic()
        out = _bundle(fn, [("upsert", "calls", call("c1"))])
        waited = time.monotonic() - t0
    finally:
        holder.wait(timeout=20)
    assert [w.value for w in out] == [{"calls": 1}]
    assert 0.5 < waited < 10


def test_writer_gives_up_after_lock_wait(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(f"duckdb:///{path}").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
            " print('open', flush=True); time.sleep(3)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        fn = WriteBundleFn(f"duckdb:///{path}", lock_wait=0.3)
        with pytest.raises(Exception, match="lock"):
            _bundle(fn, [("upsert", "calls", call("c1"))])
    finally:
        holder.kill()
        holder.wait(timeout=20)
