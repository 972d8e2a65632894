"""The DuckDB warehouse (a real file in tmp_path): keyed upserts, keep_existing, deletes,
updates, one transaction per write, schema evolution, URL options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipeline.records import TABLES
from pipeline.warehouse import open_warehouse, parse_warehouse_url, warehouse_options
from pipeline.warehouse.duckdb import DuckDBWarehouse
from tests import warehouse_data as data

T0 = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture()
def wh(tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        yield warehouse


def error_row(error_id: str, at: dt.datetime, detail: str = "x") -> dict[str, object]:
    return {"error_id": error_id, "stage": "fetch", "detail": detail, "at": at, "first_at": at}


def test_upsert_by_key_writes_each_row_once(wh: DuckDBWarehouse) -> None:
    data.load(wh)
    data.load(wh)
    assert wh.count("call_reports") == len(data.REPORTS)
    assert wh.count("articles") == len(data.ARTICLES)
    assert wh.count("calls") == 6
    assert wh.count("ingest_errors") == len(data.ERRORS)


def test_repeated_and_record_columns_round_trip(wh: DuckDBWarehouse) -> None:
    data.load(wh)
    row = wh.rows("SELECT topics, evidence, call_date FROM call_reports WHERE report_id = 'r02'")[0]
    assert row == {
        "topics": ["ukraine", "nato"],
        "evidence": [{"text": "جملة r02", "start": 0, "end": 8}],
        "call_date": dt.date(2021, 12, 30),
    }


def test_keep_existing_keeps_the_stored_value(wh: DuckDBWarehouse) -> None:
    wh.upsert("ingest_errors", [error_row("e1", T0, "first")])
    wh.upsert("ingest_errors", [error_row("e1", T0 + dt.timedelta(days=1), "second")])
    row = wh.rows('SELECT detail, first_at, "at" FROM ingest_errors')[0]
    assert row["detail"] == "second"
    assert row["at"] == T0 + dt.timedelta(days=1)
    assert row["first_at"] == T0  # keep_existing


def test_keep_existing_fills_a_stored_null(wh: DuckDBWarehouse) -> None:
    wh.upsert("ingest_errors", [{"error_id": "e1", "first_at": None}])
    wh.upsert("ingest_errors", [error_row("e1", T0)])
    assert wh.rows("SELECT first_at FROM ingest_errors")[0]["first_at"] == T0


def test_duplicate_keys_in_one_batch_keep_the_last(wh: DuckDBWarehouse) -> None:
    assert wh.upsert("ingest_errors", [error_row("e1", T0, "a"), error_row("e1", T0, "b")]) == 1
    assert wh.rows("SELECT detail FROM ingest_errors") == [{"detail": "b"}]


def test_deletes_then_upserts_then_updates(wh: DuckDBWarehouse) -> None:
    wh.upsert("ingest_errors", [error_row("e1", T0), error_row("e2", T0)])
    wh.write(
        {"ingest_errors": [error_row("e3", T0)]},
        deletes={"ingest_errors": [("e1",)]},
        updates={
            "ingest_errors": [
                {"error_id": "e3", "detail": "updated"},
                {"error_id": "zz", "detail": "-"},
            ]
        },
    )
    rows = wh.rows("SELECT error_id, detail FROM ingest_errors ORDER BY error_id")
    assert rows == [{"error_id": "e2", "detail": "x"}, {"error_id": "e3", "detail": "updated"}]


def test_a_failed_write_leaves_nothing(wh: DuckDBWarehouse) -> None:
    wh.upsert("ingest_errors", [error_row("e1", T0)])
    with pytest.raises(ValueError, match="without key"):
        wh.write(
            {"ingest_errors": [error_row("e2", T0)], "calls": [{"call_id": None}]},
            deletes={"ingest_errors": [("e1",)]},
        )
    assert wh.rows("SELECT error_id FROM ingest_errors") == [{"error_id": "e1"}]


def test_schema_evolution_adds_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE calls (call_id VARCHAR PRIMARY KEY, us_leader VARCHAR)")
    con.execute("INSERT INTO calls VALUES ('c1', 'Joe Biden')")
    con.close()
    with open_warehouse(f"duckdb:///{path}") as wh:
        cols = [r[0] for r in wh.query("DESCRIBE calls")[1]]
        assert cols[:2] == ["call_id", "us_leader"]
        assert set(TABLES["calls"].column_names) <= set(cols)
        assert wh.rows("SELECT call_id, report_ids FROM calls") == [
            {"call_id": "c1", "report_ids": None}
        ]
        wh.upsert("calls", [{"call_id": "c1", "us_leader": "Joe Biden", "report_ids": ["r1"]}])
        assert wh.rows("SELECT report_ids FROM calls") == [{"report_ids": ["r1"]}]


def test_reopening_by_url_and_params(wh: DuckDBWarehouse) -> None:
    data.load(wh)
    wh.close()
    with open_warehouse(wh.url, read_only=True) as again:
        sql = f"SELECT COUNT(*) FROM calls WHERE call_date >= {again.param('since')}"
        assert again.query(sql, {"since": dt.date(2025, 1, 1)})[1] == [(2,)]


def test_bigquery_flags_are_refused_for_duckdb(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--bigquery-endpoint"):
        open_warehouse(f"duckdb:///{tmp_path}/w.duckdb", endpoint="http://127.0.0.1:1")


@pytest.mark.parametrize(
    ("url", "parsed", "options"),
    [
        ("bigquery://p/d", ("bigquery", "p/d"), {}),
        (
            "bigquery://p/d?endpoint=http://127.0.0.1:9050&location=EU",
            ("bigquery", "p/d"),
            {"endpoint": "http://127.0.0.1:9050", "location": "EU"},
        ),
    ],
    ids=["plain", "endpoint-and-location"],
)
def test_bigquery_urls(url: str, parsed: tuple[str, str], options: dict[str, str]) -> None:
    assert parse_warehouse_url(url) == parsed
    assert warehouse_options(url) == options


def test_unknown_url_option_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown option"):
        warehouse_options("bigquery://p/d?password=x")
