"""The BigQuery warehouse, with the real google-cloud-bigquery client against the local emulator
(tests/bq_emulator.py): schema from TABLES, idempotent staged MERGE writes, the whole pipeline
run twice on the seeds, and a two-day announce-then-held story that becomes one call, the same
on BigQuery and DuckDB."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import google.auth
import pytest
from google.auth import exceptions as auth_exc

from pipeline.cli import main
from pipeline.records import TABLES
from pipeline.warehouse import WarehouseError, open_warehouse
from pipeline.warehouse.bigquery import (
    STAGE_PREFIX,
    BigQueryWarehouse,
    column_type,
    ndjson,
    resolve_endpoint,
    schema_fields,
    table_ddl,
)
from tests import warehouse_data as data

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
_names = (f"ds{i}" for i in itertools.count())


def _fresh(emulator: Any) -> BigQueryWarehouse:
    wh = open_warehouse(f"bigquery://{emulator.project}/{next(_names)}", endpoint=emulator.endpoint)
    assert isinstance(wh, BigQueryWarehouse)
    return wh


@pytest.fixture()
def bq(bigquery_emulator: Any):  # type: ignore[no-untyped-def]
    with _fresh(bigquery_emulator) as wh:
        yield wh


def keys_once(wh: Any) -> None:
    """Every table holds each key at most once."""
    for table in TABLES.values():
        key = ", ".join(table.key)
        dupes = wh.query(
            f"SELECT {key}, COUNT(*) AS n FROM {table.name} GROUP BY {key} HAVING n > 1"
        )
        assert dupes[1] == [], f"{table.name}: duplicate keys {dupes[1]}"


# -- schema generated from TABLES (no emulator needed) ------------------------------------------


def test_ddl_partitions_and_clusters_call_reports() -> None:
    ddl = table_ddl(TABLES["call_reports"], "p.d.call_reports")
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS `p.d.call_reports` (")
    assert "PARTITION BY DATE(`published_at`)" in ddl
    assert "CLUSTER BY `us_leader`, `russian_leader`" in ddl
    assert "`report_id` STRING NOT NULL" in ddl
    assert "`topics` ARRAY<STRING>" in ddl
    assert "`evidence` ARRAY<STRUCT<`text` STRING, `start` INT64, `end` INT64>>" in ddl
    assert "PARTITION BY DATE(`published_at`)" in table_ddl(TABLES["articles"], "p.d.articles")
    assert "PARTITION BY" not in table_ddl(TABLES["calls"], "p.d.calls")


def test_ndjson_rows_in_load_format() -> None:
    table = TABLES["call_reports"]
    row = {
        "report_id": "r",
        "published_at": dt.datetime(2022, 2, 12, 21, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        "call_date": dt.date(2022, 2, 12),
        "topics": None,
        "evidence": [{"text": "نص", "start": 0, "end": 2}],
    }
    line = ndjson(table.columns, [row]).decode()
    assert '"published_at": "2022-02-12T18:00:00.000000Z"' in line
    assert '"call_date": "2022-02-12"' in line
    assert '"topics": []' in line and '"text": "نص"' in line


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, None, None),
        ("http://127.0.0.1:9050/", None, "http://127.0.0.1:9050"),
        (None, "localhost:9050", "http://localhost:9050"),
        ("http://a:1", "b:2", "http://a:1"),
    ],
    ids=["google", "flag", "env-host-port", "flag-wins"],
)
def test_endpoint_resolution(
    monkeypatch: pytest.MonkeyPatch, flag: str | None, env: str | None, expected: str | None
) -> None:
    if env is None:
        monkeypatch.delenv("BIGQUERY_EMULATOR_HOST", raising=False)
    else:
        monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", env)
    assert resolve_endpoint(flag) == expected


def test_missing_credentials_is_a_clear_warehouse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_adc(*args: Any, **kwargs: Any) -> Any:
        raise auth_exc.DefaultCredentialsError("no ADC here")

    monkeypatch.delenv("BIGQUERY_EMULATOR_HOST", raising=False)
    monkeypatch.setattr(google.auth, "default", no_adc)
    with pytest.raises(WarehouseError, match="Application Default Credentials"):
        open_warehouse("bigquery://some-project/hotline")


# -- against the emulator ---------------------------------------------------------------------


@pytest.mark.bigquery
def test_tables_are_created_from_the_one_schema(bq: BigQueryWarehouse) -> None:
    client = bq._client
    for table in TABLES.values():
        stored = client.get_table(f"{bq.project}.{bq.dataset}.{table.name}")

        def shape(fields: Any) -> list[Any]:
            norm = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "STRUCT": "RECORD"}
            return [
                (f.name, norm.get(f.field_type, f.field_type), f.mode, shape(f.fields))
                for f in fields
            ]

        assert shape(stored.schema) == shape(schema_fields(table.columns)), table.name
    assert column_type(next(c for c in TABLES["calls"].columns if c.name == "report_ids")) == (
        "ARRAY<STRING>"
    )


@pytest.mark.bigquery
def test_writes_are_idempotent_and_leave_no_staging_tables(bq: BigQueryWarehouse) -> None:
    data.load(bq)
    data.load(bq)
    assert bq.count("call_reports") == len(data.REPORTS)
    assert bq.count("calls") == 6
    assert bq.count("articles") == len(data.ARTICLES)
    keys_once(bq)
    tables = [t.table_id for t in bq._client.list_tables(f"{bq.project}.{bq.dataset}")]
    assert not [t for t in tables if t.startswith(STAGE_PREFIX)]


@pytest.mark.bigquery
def test_repeated_and_record_columns_round_trip(bq: BigQueryWarehouse) -> None:
    data.load(bq)
    row = bq.rows("SELECT topics, evidence, call_date FROM call_reports WHERE report_id = 'r02'")[0]
    assert row == {
        "topics": ["ukraine", "nato"],
        "evidence": [{"text": "جملة r02", "start": 0, "end": 8}],
        "call_date": dt.date(2021, 12, 30),
    }


@pytest.mark.bigquery
def test_keep_existing_deletes_and_updates(bq: BigQueryWarehouse) -> None:
    def err(eid: str, at: dt.datetime, detail: str = "x") -> dict[str, Any]:
        return {"error_id": eid, "stage": "fetch", "detail": detail, "at": at, "first_at": at}

    bq.upsert("ingest_errors", [err("e1", T0, "first"), err("e2", T0)])
    later = T0 + dt.timedelta(days=1)
    counts = bq.write(
        {"ingest_errors": [err("e1", later, "second"), err("e3", later)]},
        deletes={"ingest_errors": [("e2",)]},
        updates={
            "ingest_errors": [
                {"error_id": "e3", "detail": "updated"},
                {"error_id": "nope", "detail": "-"},
            ]
        },
    )
    assert counts == {"ingest_errors": 2}
    rows = bq.rows("SELECT error_id, detail, first_at, `at` FROM ingest_errors ORDER BY error_id")
    assert rows == [
        {"error_id": "e1", "detail": "second", "first_at": T0, "at": later},
        {"error_id": "e3", "detail": "updated", "first_at": later, "at": later},
    ]


@pytest.mark.bigquery
def test_a_failed_write_leaves_nothing(bq: BigQueryWarehouse) -> None:
    bq.upsert("ingest_errors", [{"error_id": "e1", "at": T0}])
    with pytest.raises(WarehouseError):
        bq.write(
            {
                "ingest_errors": [{"error_id": "e2", "at": T0}],
                "calls": [{"call_id": "c", "report_count": "many"}],
            },
            deletes={"ingest_errors": [("e1",)]},
        )
    assert bq.rows("SELECT error_id FROM ingest_errors") == [{"error_id": "e1"}]


@pytest.mark.bigquery
def test_a_statement_failing_inside_the_transaction_rolls_back_the_batch(
    bq: BigQueryWarehouse,
) -> None:
    bq.upsert("ingest_errors", [{"error_id": "e1", "at": T0}])
    with pytest.raises(WarehouseError):  # call_reports.article_id is REQUIRED: the MERGE fails
        bq.write(
            {"call_reports": [{"report_id": "r1", "article_id": None}]},
            deletes={"ingest_errors": [("e1",)]},  # ran before it, in the same transaction
        )
    assert bq.rows("SELECT error_id FROM ingest_errors") == [{"error_id": "e1"}]
    assert bq.count("call_reports") == 0


@pytest.mark.bigquery
def test_schema_evolution_adds_new_columns(bigquery_emulator: Any) -> None:
    wh = _fresh(bigquery_emulator)
    ref = f"`{wh.project}.{wh.dataset}.calls`"
    wh.query(f"DROP TABLE {ref}")
    wh.query(f"CREATE TABLE {ref} (call_id STRING NOT NULL, us_leader STRING)")
    wh.query(f"INSERT INTO {ref} (call_id, us_leader) VALUES ('c1', 'Joe Biden')")
    wh.close()
    with open_warehouse(wh.url) as again:
        again.upsert("calls", [{"call_id": "c2", "report_ids": ["r9"], "report_count": 1}])
        rows = again.rows("SELECT call_id, report_ids, report_count FROM calls ORDER BY call_id")
    assert rows == [
        {"call_id": "c1", "report_ids": [], "report_count": None},
        {"call_id": "c2", "report_ids": ["r9"], "report_count": 1},
    ]


@pytest.mark.bigquery
def test_emulator_host_variable_and_url_round_trip(
    bigquery_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", bigquery_emulator.endpoint.removeprefix("http://"))
    with open_warehouse(f"bigquery://{bigquery_emulator.project}/by_env") as wh:
        assert wh.url == f"bigquery://{bigquery_emulator.project}/by_env"
        assert wh.query("SELECT COUNT(*) AS n FROM calls") == (["n"], [(0,)])
    monkeypatch.delenv("BIGQUERY_EMULATOR_HOST")
    explicit = _fresh(bigquery_emulator)
    assert "?endpoint=http://127.0.0.1:" in explicit.url
    with open_warehouse(explicit.url) as again:  # what the Beam sink does on a worker
        assert again.endpoint == bigquery_emulator.endpoint
    explicit.close()


# -- the pipeline into BigQuery ------------------------------------------------------------------


def _run(feeds: Path | str, warehouse: str, endpoint: str | None = None, *beam: str) -> str:
    argv = ["run", "--feeds", str(feeds), "--warehouse", warehouse, *beam]
    if endpoint:
        argv += ["--bigquery-endpoint", endpoint]
    out = io.StringIO()
    assert main(argv, out=out) == 0, out.getvalue()
    return out.getvalue()


@pytest.mark.bigquery
@pytest.mark.slow
def test_seeds_into_bigquery_twice_each_row_once(bigquery_emulator: Any) -> None:
    url = f"bigquery://{bigquery_emulator.project}/hotline"
    seeds = ROOT / "seeds" / "feeds.yaml"
    _run(seeds, url, bigquery_emulator.endpoint)
    with open_warehouse(url, endpoint=bigquery_emulator.endpoint) as wh:
        first = {t: wh.count(t) for t in TABLES}
        calls = wh.rows("SELECT call_id, call_status, report_count FROM calls")
    assert first["articles"] == 4 and first["call_reports"] == 1 and first["feed_state"] == 1
    assert calls == [
        {"call_id": "biden-putin-2021-12-30", "call_status": "scheduled", "report_count": 1}
    ]
    # again, on two worker processes: the sink reopens the warehouse from its URL there
    two = ("--direct_num_workers=2", "--direct_running_mode=multi_processing", "--force")
    _run(seeds, url, bigquery_emulator.endpoint, *two)
    with open_warehouse(url, endpoint=bigquery_emulator.endpoint) as wh:
        assert {t: wh.count(t) for t in TABLES} == first
        keys_once(wh)


PAGE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p></article></body></html>"""
FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>{outlet}</title><link>pages/</link><description>test</description><language>ar</language>
{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>pages/{slug}.html</link>
<guid isPermaLink="false">{slug}</guid><pubDate>{pub}</pubDate>
<description>{text}</description></item>"""

STORY = [  # (day, outlet, slug, published, title, text)
    (
        1,
        "وكالة الشرق",
        "announced",
        dt.datetime(2022, 2, 12, 10, tzinfo=dt.UTC),
        "البيت الأبيض: بايدن سيتحدث هاتفيا مع بوتين اليوم",
        "أعلن البيت الأبيض أن الرئيس الأمريكي جو بايدن سيجري اليوم السبت اتصالا هاتفيا مع نظيره"
        " الروسي فلاديمير بوتين لبحث الأزمة الأوكرانية.",
    ),
    (
        2,
        "صحيفة الغرب",
        "held",
        dt.datetime(2022, 2, 13, 7, tzinfo=dt.UTC),
        "بايدن يحذر بوتين في اتصال هاتفي",
        "أجرى الرئيس الأمريكي جو بايدن مساء أمس السبت اتصالا هاتفيا مع نظيره الروسي فلاديمير"
        " بوتين استمر ساعة، وحذره من عواقب غزو أوكرانيا، بحسب البيت الأبيض.",
    ),
]


def write_story_feeds(folder: Path) -> list[Path]:
    """Day 1: one outlet announces the call. Day 2: another reports it held."""
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    feeds_files = []
    for day in (1, 2):
        entries = []
        for d, outlet, slug, pub, title, text in STORY:
            if d > day:
                continue
            (folder / "pages" / f"{slug}.html").write_text(
                PAGE.format(title=title, text=text), encoding="utf-8"
            )
            item = ITEM.format(title=title, slug=slug, pub=format_datetime(pub), text=text)
            (folder / f"{slug}.xml").write_text(
                FEED.format(outlet=outlet, items=item), encoding="utf-8"
            )
            entries.append(f"  - url: file://{folder}/{slug}.xml\n    outlet: {outlet}\n")
        path = folder / f"day{day}.yaml"
        path.write_text("feeds:\n" + "".join(entries), encoding="utf-8")
        feeds_files.append(path)
    return feeds_files


CALL_FIELDS = (
    "call_id, us_leader, russian_leader, call_date, call_status, medium, requested_by,"
    " first_reported_at, last_reported_at, report_count, outlet_count, outlets, report_ids, topics"
)


@pytest.mark.bigquery
@pytest.mark.slow
def test_announced_then_held_is_one_call_on_both_backends(
    bigquery_emulator: Any, tmp_path: Path
) -> None:
    day1, day2 = write_story_feeds(tmp_path / "feeds")
    bq_url = f"bigquery://{bigquery_emulator.project}/story"
    duck_url = f"duckdb:///{tmp_path}/story.duckdb"
    answers = {}
    for url in (bq_url, duck_url):
        endpoint = bigquery_emulator.endpoint if url.startswith("bigquery") else None
        _run(day1, url, endpoint)
        with open_warehouse(url, endpoint=endpoint) as wh:
            after_day1 = wh.rows("SELECT call_id, call_status, report_count FROM calls")
        _run(day2, url, endpoint)
        with open_warehouse(url, endpoint=endpoint) as wh:
            answers[url] = data.answer(wh, f"SELECT {CALL_FIELDS} FROM calls ORDER BY call_id")
            reports = wh.rows("SELECT call_id, call_status FROM call_reports ORDER BY published_at")
        assert after_day1 == [
            {"call_id": "biden-putin-2022-02-12", "call_status": "scheduled", "report_count": 1}
        ]
        assert reports == [
            {"call_id": "biden-putin-2022-02-12", "call_status": "scheduled"},
            {"call_id": "biden-putin-2022-02-12", "call_status": "held"},
        ]
    cols, rows = answers[bq_url]
    assert answers[bq_url] == answers[duck_url]
    call = dict(zip(cols, rows[0], strict=True))
    assert len(rows) == 1
    assert (call["call_status"], call["call_date"]) == ("held", "2022-02-12")
    assert (call["report_count"], call["outlet_count"]) == (2, 2)
    assert call["first_reported_at"] == "2022-02-12T10:00:00+00:00"
    assert call["last_reported_at"] == "2022-02-13T07:00:00+00:00"
