"""The Google BigQuery backend: the same tables as DuckDB, keyed writes by staging + ``MERGE``.

* **Schema** - generated from ``pipeline.records.TABLES`` as GoogleSQL DDL (``CREATE TABLE IF NOT
  EXISTS``): REPEATED columns become ``ARRAY<...>``, RECORD columns ``STRUCT<...>``, a table's
  ``partition_by`` becomes ``PARTITION BY DATE(col)`` (daily partitions) and ``cluster_by``
  ``CLUSTER BY``. Columns added to ``TABLES`` later are added with ``ALTER TABLE ADD COLUMN``.
  DDL rather than ``Client.create_table``: it is one statement per table, idempotent, and the
  same text works on the local emulator (whose table API cannot create a RECORD with a field
  named ``end``, as ``call_reports.evidence`` has).
* **Writes** - ``write(upserts, deletes, updates)`` loads every batch of rows into its own
  staging table (NDJSON through ``load_table_from_file``: a load job, free of charge and not
  subject to the streaming buffer), then runs ONE script
  ``BEGIN TRANSACTION; DELETE ...; MERGE ...; MERGE ...; COMMIT TRANSACTION;`` so a batch lands
  whole or not at all. ``MERGE`` on the table key makes a rerun or a retried bundle rewrite the
  same rows instead of adding copies; ``keep_existing`` columns keep their stored value when it
  is not null. Streaming inserts and their best-effort ``insertId`` dedup are never used.
  Staging tables are dropped afterwards and expire after ``STAGE_TTL_HOURS`` if a crash leaves
  one behind.
* **Connection** - Application Default Credentials (``gcloud auth application-default login``,
  a service account key in ``GOOGLE_APPLICATION_CREDENTIALS``, or the metadata server on GCP),
  never logged. ``endpoint=`` (``--bigquery-endpoint``) or ``$BIGQUERY_EMULATOR_HOST`` point
  the client at an emulator instead, with anonymous credentials.
* **Queries** run with the dataset as default dataset, so the named queries use bare table
  names; ``dialect`` is ``"bigquery"`` (GoogleSQL), the dialect the query library is written in.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.auth import exceptions as auth_exc
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY

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

EMULATOR_ENV = "BIGQUERY_EMULATOR_HOST"
STAGE_PREFIX = "_hotline_stage_"
STAGE_TTL_HOURS = 6
# An emulator runs on this machine: an error from it is a bug, not a blip worth minutes of retries.
EMULATOR_RETRY_DEADLINE_S = 30.0

_DDL_TYPES = {
    "STRING": "STRING",
    "INT64": "INT64",
    "FLOAT64": "FLOAT64",
    "BOOL": "BOOL",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
}
_API_ERRORS = (gexc.GoogleAPIError, auth_exc.GoogleAuthError)


def _q(name: str) -> str:
    """A backquoted GoogleSQL identifier (``at`` and ``end`` are reserved words)."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _literal(text: str) -> str:
    """A GoogleSQL string literal (JSON escapes are GoogleSQL escapes)."""
    return json.dumps(text)


def column_type(col: Column) -> str:
    """The GoogleSQL type of a column: ``STRING``, ``ARRAY<STRUCT<`text` STRING, ...>>``..."""
    if col.type == "RECORD":
        base = "STRUCT<" + ", ".join(f"{_q(f.name)} {column_type(f)}" for f in col.fields) + ">"
    else:
        base = _DDL_TYPES[col.type]
    return f"ARRAY<{base}>" if col.mode == "REPEATED" else base


def _column_def(col: Column, *, required: bool = True) -> str:
    not_null = " NOT NULL" if required and col.mode == "REQUIRED" else ""
    return f"{_q(col.name)} {column_type(col)}{not_null}"


def table_ddl(table: Table, ref: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` of ``table`` at ``ref`` (``project.dataset.table``)."""
    cols = ",\n  ".join(_column_def(c) for c in table.columns)
    parts = [f"CREATE TABLE IF NOT EXISTS {_q(ref)} (\n  {cols}\n)"]
    if table.partition_by:
        parts.append(f"PARTITION BY DATE({_q(table.partition_by)})")
    if table.cluster_by:
        parts.append("CLUSTER BY " + ", ".join(_q(c) for c in table.cluster_by))
    if table.description:
        parts.append(f"OPTIONS(description={_literal(table.description)})")
    return "\n".join(parts)


def schema_fields(columns: Sequence[Column]) -> list[bigquery.SchemaField]:
    """The client's SchemaFields for ``columns`` (the load jobs' schema)."""
    return [
        bigquery.SchemaField(
            c.name,
            "RECORD" if c.type == "RECORD" else c.type,
            mode=c.mode,
            fields=schema_fields(c.fields),
            description=c.description,
        )
        for c in columns
    ]


def _json_value(col: Column, value: Any) -> Any:
    if value is None:
        return [] if col.mode == "REPEATED" else None
    if col.mode == "REPEATED":
        item = Column(col.name, col.type, "NULLABLE", col.fields)
        return [_json_value(item, v) for v in value]
    if col.type == "RECORD":
        return {f.name: _json_value(f, value.get(f.name)) for f in col.fields}
    if col.type == "TIMESTAMP" and isinstance(value, dt.datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if col.type == "DATE" and isinstance(value, dt.datetime):
        return value.date().isoformat()
    if col.type == "DATE" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def ndjson(columns: Sequence[Column], rows: Sequence[Row]) -> bytes:
    """Rows as newline-delimited JSON in BigQuery's load format."""
    lines = (
        json.dumps({c.name: _json_value(c, row.get(c.name)) for c in columns}, ensure_ascii=False)
        for row in rows
    )
    return "\n".join(lines).encode("utf-8")


def merge_sql(table: Table, target: str, stage: str) -> str:
    """Upsert the staged rows into ``target`` by key; ``keep_existing`` columns survive."""
    match = " AND ".join(f"T.{_q(k)} = S.{_q(k)}" for k in table.key)
    sets = []
    for name in table.column_names:
        if name in table.key:
            continue
        if name in table.keep_existing:
            sets.append(f"{_q(name)} = COALESCE(T.{_q(name)}, S.{_q(name)})")
        else:
            sets.append(f"{_q(name)} = S.{_q(name)}")
    cols = ", ".join(_q(c) for c in table.column_names)
    values = ", ".join(f"S.{_q(c)}" for c in table.column_names)
    return (
        f"MERGE {_q(target)} AS T USING {_q(stage)} AS S ON {match}\n"
        f"WHEN MATCHED THEN UPDATE SET {', '.join(sets)}\n"
        f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({values})"
    )


def update_sql(table: Table, target: str, stage: str, columns: Sequence[str]) -> str:
    """Set ``columns`` of the stored rows whose key is staged; other keys are left alone."""
    match = " AND ".join(f"T.{_q(k)} = S.{_q(k)}" for k in table.key)
    sets = ", ".join(f"{_q(c)} = S.{_q(c)}" for c in columns)
    return (
        f"MERGE {_q(target)} AS T USING {_q(stage)} AS S ON {match}\n"
        f"WHEN MATCHED THEN UPDATE SET {sets}"
    )


def delete_sql(table: Table, target: str, stage: str) -> str:
    match = " AND ".join(f"T.{_q(k)} = S.{_q(k)}" for k in table.key)
    return (
        f"DELETE FROM {_q(target)} AS T WHERE EXISTS (SELECT 1 FROM {_q(stage)} AS S WHERE {match})"
    )


def transaction(statements: Sequence[str]) -> str:
    return "BEGIN TRANSACTION;\n" + ";\n".join(statements) + ";\nCOMMIT TRANSACTION;"


def resolve_endpoint(endpoint: str | None) -> str | None:
    """``--bigquery-endpoint``, else ``$BIGQUERY_EMULATOR_HOST`` (``host:port`` or a URL)."""
    chosen = endpoint or os.environ.get(EMULATOR_ENV) or None
    if chosen and "://" not in chosen:
        chosen = "http://" + chosen
    return chosen.rstrip("/") if chosen else None


def _param_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    return "STRING"


def query_parameters(params: Mapping[str, Any] | None) -> list[Any]:
    """``@name`` parameters from Python values (lists become ARRAY parameters)."""
    out: list[Any] = []
    for name, value in (params or {}).items():
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            kind = _param_type(items[0]) if items else "STRING"
            out.append(bigquery.ArrayQueryParameter(name, kind, items))
        else:
            out.append(bigquery.ScalarQueryParameter(name, _param_type(value), value))
    return out


class BigQueryWarehouse(Warehouse):
    dialect = "bigquery"

    def __init__(
        self,
        project: str,
        dataset: str,
        *,
        endpoint: str | None = None,
        location: str | None = None,
        read_only: bool = False,
        client: bigquery.Client | None = None,
    ) -> None:
        self.project = project
        self.dataset = dataset
        self.location = location
        self.endpoint = resolve_endpoint(endpoint)
        self.url = self._make_url(endpoint, location)
        self._retry = DEFAULT_RETRY
        self._job_retry: Any = DEFAULT_JOB_RETRY
        if self.endpoint:
            self._retry = DEFAULT_RETRY.with_deadline(EMULATOR_RETRY_DEADLINE_S)
            self._job_retry = None
        self._client = client or self._connect()
        if not read_only:
            self.ensure_schema()

    # -- connection ------------------------------------------------------------------------

    def _make_url(self, endpoint: str | None, location: str | None) -> str:
        """A URL that ``open_warehouse`` turns back into this warehouse (no credentials in it)."""
        opts = {}
        if endpoint:  # only an explicit one: the environment variable travels by itself
            opts["endpoint"] = endpoint
        if location:
            opts["location"] = location
        base = f"bigquery://{self.project}/{self.dataset}"
        return base + ("?" + urlencode(opts, safe=":/") if opts else "")

    def _connect(self) -> bigquery.Client:
        try:
            if self.endpoint:
                _LOGGER.info("BigQuery emulator at %s, project %s", self.endpoint, self.project)
                return bigquery.Client(
                    project=self.project,
                    credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                    client_options=ClientOptions(api_endpoint=self.endpoint),
                    location=self.location,
                )
            _LOGGER.info("BigQuery project %s with Application Default Credentials", self.project)
            return bigquery.Client(project=self.project, location=self.location)
        except auth_exc.DefaultCredentialsError as exc:
            raise WarehouseError(
                "--warehouse bigquery://: no Application Default Credentials; run "
                "`gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS"
            ) from exc

    def _ref(self, table: str) -> str:
        return f"{self.project}.{self.dataset}.{table}"

    def _run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one query job (a statement or a script) and wait for it; returns its rows."""
        config = bigquery.QueryJobConfig(
            default_dataset=f"{self.project}.{self.dataset}",
            query_parameters=query_parameters(params),
        )
        try:
            job = self._client.query(
                sql, job_config=config, retry=self._retry, job_retry=self._job_retry
            )
            return job.result(retry=self._retry)
        except _API_ERRORS as exc:
            raise WarehouseError(f"BigQuery: {_reason(exc)}") from exc

    # -- schema ----------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        ds_ref = f"{self.project}.{self.dataset}"
        try:
            try:
                self._client.get_dataset(ds_ref, retry=self._retry)
            except gexc.NotFound:
                ds = bigquery.Dataset(ds_ref)
                if self.location:
                    ds.location = self.location
                self._client.create_dataset(ds, exists_ok=True, retry=self._retry)
                _LOGGER.info("created dataset %s", ds_ref)
            have = {t.table_id for t in self._client.list_tables(ds_ref, retry=self._retry)}
        except _API_ERRORS as exc:
            raise WarehouseError(f"BigQuery dataset {ds_ref}: {_reason(exc)}") from exc
        statements = []
        for table in TABLES.values():
            ref = self._ref(table.name)
            if table.name not in have:
                statements.append(table_ddl(table, ref))
                continue
            try:
                stored = {f.name for f in self._client.get_table(ref, retry=self._retry).schema}
            except _API_ERRORS as exc:
                raise WarehouseError(f"BigQuery table {ref}: {_reason(exc)}") from exc
            for col in table.columns:
                if col.name not in stored:  # a newer version added a column
                    column = _column_def(col, required=False)
                    statements.append(f"ALTER TABLE {_q(ref)} ADD COLUMN IF NOT EXISTS {column}")
        if statements:
            self._run(";\n".join(statements))

    # -- writes ----------------------------------------------------------------------------

    def write(
        self,
        upserts: Mapping[str, Sequence[Row]],
        deletes: Mapping[str, Sequence[tuple[Any, ...]]] | None = None,
        updates: Mapping[str, Sequence[Row]] | None = None,
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        stages: list[tuple[str, list[Column], list[Row]]] = []
        statements: list[str] = []

        def stage(table: Table, columns: list[Column], rows: list[Row]) -> str:
            ref = self._ref(f"{STAGE_PREFIX}{table.name}_{uuid.uuid4().hex[:12]}")
            stages.append((ref, columns, rows))
            return ref

        for name, keys in (deletes or {}).items():
            table = TABLES[name]
            if keys:
                key_cols = [_by_name(table, k) for k in table.key]
                key_rows = [dict(zip(table.key, k, strict=True)) for k in keys]
                ref = stage(table, key_cols, key_rows)
                statements.append(delete_sql(table, self._ref(name), ref))
        for name, rows in upserts.items():
            table = TABLES[name]
            unique = [complete_row(table, r) for r in dedupe_by_key(table, rows)]
            counts[name] = len(unique)
            if unique:
                ref = stage(table, list(table.columns), unique)
                statements.append(merge_sql(table, self._ref(name), ref))
        for name, changes in (updates or {}).items():
            table = TABLES[name]
            by_columns: dict[tuple[str, ...], list[Row]] = {}
            for row in changes:
                cols = tuple(c for c in table.column_names if c in row and c not in table.key)
                if cols:
                    by_columns.setdefault(cols, []).append(row)
            for cols, group in by_columns.items():
                columns = [_by_name(table, c) for c in (*table.key, *cols)]
                unique = dedupe_by_key(table, group)
                statements.append(
                    update_sql(table, self._ref(name), stage(table, columns, unique), cols)
                )
        if not statements:
            return counts
        try:
            self._create_stages(stages)
            for ref, columns, rows in stages:
                self._load(ref, columns, rows)
            self._run(transaction(statements))
        finally:
            self._drop_stages([ref for ref, _, _ in stages])
        return counts

    def _create_stages(self, stages: Sequence[tuple[str, list[Column], list[Row]]]) -> None:
        ttl = f"TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL {STAGE_TTL_HOURS} HOUR)"
        self._run(
            ";\n".join(
                f"CREATE TABLE {_q(ref)} ("
                + ", ".join(_column_def(c, required=False) for c in columns)
                + f") OPTIONS(expiration_timestamp={ttl})"
                for ref, columns, _ in stages
            )
        )

    def _load(self, ref: str, columns: Sequence[Column], rows: Sequence[Row]) -> None:
        config = bigquery.LoadJobConfig(
            schema=schema_fields(columns),
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            create_disposition=bigquery.CreateDisposition.CREATE_NEVER,
        )
        try:
            job = self._client.load_table_from_file(
                io.BytesIO(ndjson(columns, rows)), ref, job_config=config, rewind=True
            )
            job.result(retry=self._retry)
        except _API_ERRORS as exc:
            raise WarehouseError(f"BigQuery load into {ref}: {_reason(exc)}") from exc

    def _drop_stages(self, refs: Sequence[str]) -> None:
        if not refs:
            return
        try:
            self._run(";\n".join(f"DROP TABLE IF EXISTS {_q(ref)}" for ref in refs))
        except WarehouseError as exc:  # they expire by themselves; the write is what matters
            _LOGGER.warning("could not drop staging tables (they expire anyway): %s", exc)

    # -- reads -----------------------------------------------------------------------------

    def query(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        result = self._run(sql, params)
        schema = result.schema or []
        if not schema:
            return [], []
        cols = [f.name for f in schema]
        return cols, [tuple(row.values()) for row in result]

    def param(self, name: str) -> str:
        return f"@{name}"

    def close(self) -> None:
        self._client.close()


def _by_name(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


def _reason(exc: BaseException) -> str:
    """The service's message, without request details (never credentials)."""
    message = getattr(exc, "message", None) or str(exc)
    errors = getattr(exc, "errors", None) or []
    details = "; ".join(e.get("message", "") for e in errors if isinstance(e, dict))
    text = message if not details or details in message else f"{message} ({details})"
    return " ".join(text.split())[:1000]
