"""The named-query library: every query runs on DuckDB and on BigQuery (the emulator) over the
same fixture history (tests/warehouse_data.py) and gives the same answer; a few answers are
also checked by hand."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from pipeline import queries
from pipeline.cli import main
from pipeline.warehouse import open_warehouse
from tests import warehouse_data as data

NAMES = [q.name for q in queries.all_queries()]
REQUIRED = {
    "calls",
    "reports",
    "errors",
    "calls_per_month",
    "latest_calls",
    "initiators",
    "scheduled_not_held",
    "outlet_speed",
    "topics_over_time",
    "ingest_health",
}


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("queries") / "w.duckdb"
    with open_warehouse(f"duckdb:///{path}") as wh:
        data.load(wh)
    with open_warehouse(f"duckdb:///{path}", read_only=True) as wh:
        yield wh


@pytest.fixture(scope="module")
def bq(bigquery_emulator):  # type: ignore[no-untyped-def]
    url = f"bigquery://{bigquery_emulator.project}/queries"
    with open_warehouse(url, endpoint=bigquery_emulator.endpoint) as wh:
        data.load(wh)
        yield wh


def rows_of(wh: Any, name: str) -> list[dict[str, Any]]:
    named = queries.get(name)
    assert named is not None
    cols, rows = data.answer(wh, named.sql_for(wh.dialect))
    return [dict(zip(cols, r, strict=True)) for r in rows]


def test_the_library_answers_every_question() -> None:
    assert REQUIRED <= set(NAMES)
    for q in queries.all_queries():
        assert q.question.endswith("?"), q.name


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_on_duckdb(duck: Any, name: str) -> None:
    assert rows_of(duck, name), f"{name}: no rows over the fixture history"


@pytest.mark.bigquery
@pytest.mark.parametrize("name", NAMES)
def test_same_answer_on_bigquery_and_duckdb(duck: Any, bq: Any, name: str) -> None:
    named = queries.get(name)
    assert named is not None
    assert data.answer(bq, named.sql) == data.answer(duck, named.sql_for("duckdb"))


def test_calls_per_month(duck: Any) -> None:
    rows = rows_of(duck, "calls_per_month")
    assert [(r["month"], r["us_leader"], r["calls"], r["held"], r["reports"]) for r in rows] == [
        ("2025-05", "Donald Trump", 1, 0, 1),
        ("2025-03", "Donald Trump", 1, 1, 2),
        ("2025-02", "Donald Trump", 1, 1, 2),
        ("2022-02", "Joe Biden", 2, 1, 3),
        ("2021-12", "Joe Biden", 1, 1, 4),
    ]


def test_latest_calls_have_sources_and_outlets(duck: Any) -> None:
    first_biden = next(r for r in rows_of(duck, "latest_calls") if r["call_date"] == "2021-12-30")
    assert first_biden["call_status"] == "held"
    assert first_biden["source_sides"] == "other, russia, us"
    assert (first_biden["outlet_count"], first_biden["outlets"]) == (3, "Alpha, Beta, Gamma")


def test_initiators(duck: Any) -> None:
    rows = {(r["us_leader"], r["initiated_by"]): r for r in rows_of(duck, "initiators")}
    assert rows["Donald Trump", "us"]["calls"] == 2
    assert rows["Donald Trump", "us"]["share_pct"] == pytest.approx(66.7)
    assert rows["Joe Biden", "russia"]["calls"] == 1


def test_scheduled_not_held(duck: Any) -> None:
    rows = rows_of(duck, "scheduled_not_held")
    assert [(r["call_id"], r["next_held_call"]) for r in rows] == [("biden-putin-2022-02-20", None)]


def test_outlet_speed(duck: Any) -> None:
    rows = {r["outlet"]: r for r in rows_of(duck, "outlet_speed")}
    assert rows["Alpha"]["first_to_report"] == 2  # Biden 30 Dec (announced), Trump 12 Feb 2025
    assert rows["Beta"]["avg_days_after_call"] == 0.67  # (1 + 0 + 1) / 3, 2 places


def test_ingest_health(duck: Any) -> None:
    top = rows_of(duck, "ingest_health")[0]
    assert (top["stage"], top["error"], top["errors"], top["urls"]) == ("fetch", "Timeout", 2, 2)


def test_cli_lists_and_runs_named_queries(duck: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["query", "--list"], out=out) == 0
    listed = out.getvalue()
    assert all(name in listed for name in REQUIRED)
    out = io.StringIO()
    assert main(["query", "--warehouse", duck.url, "--format", "json", "errors"], out=out) == 0
    assert out.getvalue().count("\n") == len(data.ERRORS)


@pytest.mark.bigquery
def test_cli_runs_a_named_query_on_bigquery(bq: Any, bigquery_emulator: Any) -> None:
    out = io.StringIO()
    argv = ["query", "--warehouse", "bigquery://test-project/queries"]
    argv += ["--bigquery-endpoint", bigquery_emulator.endpoint, "calls_per_month"]
    assert main(argv, out=out) == 0
    assert "2021-12" in out.getvalue() and "(5 rows)" in out.getvalue()
