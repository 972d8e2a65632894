"""The warehouse interface: one schema (``pipeline.records.TABLES``), several backends.

A backend creates the tables, upserts rows by key in one transaction per batch, deletes rows by
key, answers SQL, and reads back the little state a run needs at start-up (known article ids,
feed polling state, the stored call reports of the leader pairs being merged).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.records import TABLES, Table


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or written (bad URL, locked file, permission...)."""


Row = dict[str, Any]


def dedupe_by_key(table: Table, rows: Iterable[Row]) -> list[Row]:
    """Keep the last row of every key (a retried bundle or a twice-listed item is one row)."""
    seen: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        key = tuple(row.get(k) for k in table.key)
        if any(v is None for v in key):
            raise ValueError(f"{table.name}: row without key {table.key}: {row!r:.200}")
        seen[key] = row
    return list(seen.values())


def complete_row(table: Table, row: Mapping[str, Any]) -> Row:
    """The row with every column of ``table`` present (missing ones None), nothing else."""
    unknown = set(row) - set(table.column_names)
    if unknown:
        raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
    out = {name: row.get(name) for name in table.column_names}
    for col in table.columns:
        if col.mode == "REPEATED" and out[col.name] is None:
            out[col.name] = []
    return out


def as_utc(value: Any) -> Any:
    """Timestamps are stored in UTC; a naive datetime is taken to be UTC already."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return value


class Warehouse(abc.ABC):
    """A warehouse backend. Use :func:`pipeline.warehouse.open_warehouse` to get one."""

    url: str
    # The SQL dialect ``query`` speaks, as sqlglot names it ("duckdb", "bigquery"): the named
    # queries (written in GoogleSQL) are translated to it.
    dialect: str

    @abc.abstractmethod
    def ensure_schema(self) -> None:
        """Create missing tables (and add missing columns) from ``TABLES``."""

    @abc.abstractmethod
    def write(
        self,
        upserts: Mapping[str, Sequence[Row]],
        deletes: Mapping[str, Sequence[tuple[Any, ...]]] | None = None,
        updates: Mapping[str, Sequence[Row]] | None = None,
    ) -> dict[str, int]:
        """Apply keyed deletes, upserts and column updates (in that order) to several tables,
        atomically where the backend can.

        ``updates`` rows hold a table's key columns and the columns to set on the stored row
        with that key (rows that do not exist are left alone). Returns rows upserted per table.
        """

    @abc.abstractmethod
    def query(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run SQL; returns column names and rows."""

    @abc.abstractmethod
    def param(self, name: str) -> str:
        """How ``query`` SQL refers to the parameter ``name`` (``$name``, ``@name``)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    # -- conveniences shared by every backend -------------------------------------------------

    def upsert(self, table: str, rows: Sequence[Row]) -> int:
        return self.write({table: rows}).get(table, 0)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cols, rows = self.query(sql, params)
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[1][0][0])

    def known_article_ids(self) -> frozenset[str]:
        return frozenset(r[0] for r in self.query("SELECT article_id FROM articles")[1])

    def feed_states(self) -> dict[str, Row]:
        return {r["feed_url"]: r for r in self.rows("SELECT * FROM feed_state")}

    def call_reports_for_merge(self) -> list[Row]:
        """The stored reports, with just what MergeCalls needs to re-cluster them."""
        return self.rows(
            "SELECT report_id, article_id, call_id, outlet, us_leader, russian_leader,"
            " call_status, call_date, medium, requested_by, topics, published_at"
            " FROM call_reports"
        )

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
