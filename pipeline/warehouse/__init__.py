"""Warehouse backends behind one interface; ``open_warehouse(url)`` picks one by URL scheme.

* ``duckdb:///path/to/file.duckdb`` (relative: ``duckdb://file.duckdb``) - the embedded default.
* ``bigquery://PROJECT/DATASET`` - Google BigQuery (see ``pipeline/warehouse/bigquery.py``).
"""

from __future__ import annotations

from urllib.parse import urlparse

from pipeline.warehouse.base import Warehouse, WarehouseError

__all__ = ["Warehouse", "WarehouseError", "open_warehouse", "parse_warehouse_url"]

DEFAULT_WAREHOUSE = "duckdb://warehouse.duckdb"


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


def open_warehouse(url: str, *, read_only: bool = False, **options: object) -> Warehouse:
    scheme, location = parse_warehouse_url(url)
    if scheme == "duckdb":
        from pipeline.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(location, read_only=read_only)
    from pipeline.warehouse.bigquery import BigQueryWarehouse  # type: ignore[import-not-found]

    project, dataset = location.split("/")
    return BigQueryWarehouse(project, dataset, **options)  # type: ignore[no-any-return]
