"""Warehouse backends behind one interface; ``open_warehouse(url)`` picks one by URL scheme.

* ``duckdb:///path/to/file.duckdb`` (relative: ``duckdb://file.duckdb``) - the embedded default.
* ``bigquery://PROJECT/DATASET`` - Google BigQuery (see ``pipeline/warehouse/bigquery.py``);
  ``?endpoint=URL`` (what ``--bigquery-endpoint`` sets) and ``?location=LOC`` may follow.

``Warehouse.url`` opens the same warehouse again (the Beam sink reopens it on the workers from
that string), so a BigQuery warehouse's URL carries its endpoint; credentials never travel in it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlparse

from pipeline.warehouse.base import Warehouse, WarehouseError

__all__ = [
    "Warehouse",
    "WarehouseError",
    "open_warehouse",
    "parse_warehouse_url",
    "warehouse_options",
]

DEFAULT_WAREHOUSE = "duckdb://warehouse.duckdb"
BIGQUERY_URL_OPTIONS = ("endpoint", "location")


def parse_warehouse_url(url: str) -> tuple[str, str]:
    """``(scheme, location)``; raises ``ValueError`` naming ``--warehouse`` when malformed."""
    parsed = urlparse(url)
    if parsed.scheme == "duckdb":
        path = (parsed.netloc + parsed.path) if parsed.netloc else parsed.path
        if not path or path == "/":
            raise ValueError(f"--warehouse {url!r}: a DuckDB URL needs a file path")
        return "duckdb", path
    if parsed.scheme == "bigquery":
        project, _, dataset = (parsed.netloc + parsed.path).partition("/")
        if not project or not dataset or "/" in dataset:
            raise ValueError(f"--warehouse {url!r}: expected bigquery://PROJECT/DATASET")
        return "bigquery", f"{project}/{dataset}"
    raise ValueError(
        f"--warehouse {url!r}: unknown scheme; use duckdb:///path.duckdb or bigquery://PROJECT/DATASET"
    )


def warehouse_options(url: str) -> dict[str, str]:
    """The options in a warehouse URL's query string (``bigquery://P/D?endpoint=...``)."""
    parsed = urlparse(url)
    options = dict(parse_qsl(parsed.query))
    allowed = BIGQUERY_URL_OPTIONS if parsed.scheme == "bigquery" else ()
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"--warehouse {url!r}: unknown option(s) {', '.join(unknown)}")
    return options


def open_warehouse(url: str, *, read_only: bool = False, **options: Any) -> Warehouse:
    """Open the warehouse at ``url``. ``options`` (None values ignored) go to the backend:
    ``endpoint=`` and ``location=`` for BigQuery; they override the URL's own."""
    scheme, location = parse_warehouse_url(url)
    given = {k: v for k, v in options.items() if v is not None}
    if scheme == "duckdb":
        if given:
            flags = ", ".join("--bigquery-" + k for k in sorted(given))
            raise ValueError(f"{flags}: only for bigquery:// warehouses, not {url!r}")
        from pipeline.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(location, read_only=read_only)
    from pipeline.warehouse.bigquery import BigQueryWarehouse

    project, dataset = location.split("/")
    merged: dict[str, Any] = {**warehouse_options(url), **given}
    return BigQueryWarehouse(project, dataset, read_only=read_only, **merged)
