"""The embedded DuckDB backend: a single file, keyed upserts in one transaction per batch.

DuckDB allows one writing process per file. The pipeline therefore funnels every row of a run
into one writer (see ``transforms/deadletter.py`` and ``pipeline/graph.py``); a second process
that opens the file while a run writes gets a clear ``WarehouseError``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.records import TABLES, Column, Table
from pipeline.warehouse.base import (
    Row,
    Warehouse,
    WarehouseError,
    as_utc,
    complete_row,
    dedupe_by_key,
)

_LOGGER = logging.getLogger(__name__)

# One write: (upserts, deletes, updates), as ``Warehouse.write`` takes them.
WriteBatch = tuple[
    Mapping[str, Sequence[Row]],
    Mapping[str, Sequence[tuple[Any, ...]]] | None,
    Mapping[str, Sequence[Row]] | None,
]

_DUCK_TYPES = {
    "STRING": "VARCHAR",
    "INT64": "BIGINT",
    "FLOAT64": "DOUBLE",
    "BOOL": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMPTZ",
}
_ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duck_type(col: Column) -> str:
    if col.type == "RECORD":
        inner = ", ".join(f"{_q(f.name)} {duck_type(f)}" for f in col.fields)
        base = f"STRUCT({inner})"
    else:
        base = _DUCK_TYPES[col.type]
    return base + "[]" if col.mode == "REPEATED" else base


def arrow_type(col: Column) -> pa.DataType:
    if col.type == "RECORD":
        base = pa.struct([pa.field(f.name, arrow_type(f)) for f in col.fields])
    else:
        base = _ARROW_TYPES[col.type]
    return pa.list_(base) if col.mode == "REPEATED" else base


def ddl(table: Table) -> str:
    """``CREATE TABLE`` for ``table``, generated from the one schema definition."""
    cols = [
        f"{_q(c.name)} {duck_type(c)}{' NOT NULL' if c.mode == 'REQUIRED' else ''}"
        for c in table.columns
    ]
    cols.append(f"PRIMARY KEY ({', '.join(_q(k) for k in table.key)})")
    return f"CREATE TABLE IF NOT EXISTS {_q(table.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in table.columns])


def _to_arrow(table: Table, rows: Sequence[Row]) -> pa.Table:
    prepared = []
    for row in rows:
        full = complete_row(table, row)
        for col in table.columns:
            if col.type == "TIMESTAMP":
                full[col.name] = as_utc(full[col.name])
        prepared.append(full)
    return pa.Table.from_pylist(prepared, schema=arrow_schema(table))


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: str, *, read_only: bool = False) -> None:
        self.path = path
        self.url = f"duckdb:///{os.path.abspath(path).lstrip('/')}"
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise WarehouseError(f"--warehouse: folder {directory!r} does not exist")
        if read_only and not os.path.exists(path):
            raise WarehouseError(f"--warehouse: {path!r} does not exist (run `hotline run` first)")
        try:
            self._con = duckdb.connect(path, read_only=read_only)
        except (duckdb.IOException, duckdb.Error) as exc:
            raise WarehouseError(f"cannot open DuckDB warehouse {path!r}: {exc}") from exc
        self._con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self.ensure_schema()

    def ensure_schema(self) -> None:
        for table in TABLES.values():
            self._con.execute(ddl(table))
            have = {r[0] for r in self._con.execute(f"DESCRIBE {_q(table.name)}").fetchall()}
            for col in table.columns:
                if col.name not in have:  # a newer version added a column
                    self._con.execute(
                        f"ALTER TABLE {_q(table.name)} ADD COLUMN {_q(col.name)} {duck_type(col)}"
                    )

    def write(
        self,
        upserts: Mapping[str, Sequence[Row]],
        deletes: Mapping[str, Sequence[tuple[Any, ...]]] | None = None,
        updates: Mapping[str, Sequence[Row]] | None = None,
    ) -> dict[str, int]:
        return self.write_many([(upserts, deletes, updates)])

    def write_many(self, batches: Iterable[WriteBatch]) -> dict[str, int]:
        """Several ``write``s, one after another, in ONE transaction; ``batches`` may be a
        generator, so the batch sink loads its spilled shards one at a time (memory bounded by a
        shard, all or nothing on disk). Returns rows upserted per table, summed."""
        counts: dict[str, int] = {}
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            for upserts, deletes, updates in batches:
                for name, keys in (deletes or {}).items():
                    if keys:
                        self._delete(TABLES[name], keys)
                for name, rows in upserts.items():
                    table = TABLES[name]
                    unique = dedupe_by_key(table, rows)
                    if unique:
                        self._upsert(table, unique)
                    counts[name] = counts.get(name, 0) + len(unique)
                for name, rows in (updates or {}).items():
                    for row in rows:
                        self._update(TABLES[name], row)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return counts

    def _key_match(self, table: Table, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{_q(k)} = {right}.{_q(k)}" for k in table.key)

    def _upsert(self, table: Table, rows: Sequence[Row]) -> None:
        stage = _to_arrow(table, rows)
        con = self._con
        con.register("_hotline_stage", stage)
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _hotline_new AS SELECT * FROM _hotline_stage")
        finally:
            con.unregister("_hotline_stage")
        t = _q(table.name)
        match = self._key_match(table, "n", "o")
        for col in table.keep_existing:
            c = _q(col)
            con.execute(
                f"UPDATE _hotline_new AS n SET {c} = o.{c} FROM {t} AS o"
                f" WHERE {match} AND o.{c} IS NOT NULL"
            )
        con.execute(
            f"DELETE FROM {t} AS o WHERE EXISTS (SELECT 1 FROM _hotline_new AS n WHERE {match})"
        )
        cols = ", ".join(_q(c) for c in table.column_names)
        con.execute(f"INSERT INTO {t} ({cols}) SELECT {cols} FROM _hotline_new")
        con.execute("DROP TABLE _hotline_new")

    def _update(self, table: Table, row: Row) -> None:
        sets = [c for c in row if c not in table.key]
        if not sets:
            return
        assignments = ", ".join(f"{_q(c)} = ?" for c in sets)
        where = " AND ".join(f"{_q(k)} = ?" for k in table.key)
        values = [as_utc(row[c]) for c in sets] + [row[k] for k in table.key]
        self._con.execute(f"UPDATE {_q(table.name)} SET {assignments} WHERE {where}", values)

    def _delete(self, table: Table, keys: Sequence[tuple[Any, ...]]) -> None:
        where = " AND ".join(f"{_q(k)} = ?" for k in table.key)
        self._con.executemany(
            f"DELETE FROM {_q(table.name)} WHERE {where}", [list(k) for k in keys]
        )

    def query(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            cur = self._con.execute(sql, dict(params) if params else None)
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {exc}") from exc
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()

    def param(self, name: str) -> str:
        return f"${name}"

    def close(self) -> None:
        self._con.close()
