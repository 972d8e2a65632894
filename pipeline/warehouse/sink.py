"""WriteToWarehouse: write operations -> the warehouse, through one writer per run.

Every stage emits write operations ``(op, table, payload)``:

* ``("upsert", table, row)`` - insert or replace the row with the same key;
* ``("update", table, row)`` - set some columns of the stored row with that key;
* ``("delete", table, key_tuple)``.

In batch mode they are gathered into one list and applied by a single writer in one transaction
(DuckDB allows one writing process per file, and this keeps the warehouse consistent if the run
fails half-way: nothing of it lands). The warehouse is opened in ``setup()`` from its URL, so the
DoFn pickles and runs on any worker.

Metrics: ``warehouse/<table>`` rows upserted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from pipeline.warehouse import open_warehouse

_LOGGER = logging.getLogger(__name__)

Op = tuple[str, str, Any]


def apply_ops(warehouse: Any, ops: Iterable[Op]) -> dict[str, int]:
    """Group operations by kind and table and apply them in one ``write``."""
    upserts: dict[str, list[Any]] = {}
    updates: dict[str, list[Any]] = {}
    deletes: dict[str, list[Any]] = {}
    for op, table, payload in ops:
        target = {"upsert": upserts, "update": updates, "delete": deletes}.get(op)
        if target is None:
            raise ValueError(f"unknown write operation {op!r}")
        target.setdefault(table, []).append(payload)
    return warehouse.write(upserts, deletes, updates)


class WriteBatchFn(beam.DoFn):
    def __init__(self, warehouse_url: str, options: dict[str, Any] | None = None) -> None:
        self._url = warehouse_url
        self._options = options or {}

    def process(self, ops: Sequence[Op]) -> Iterator[dict[str, int]]:
        with open_warehouse(self._url, **self._options) as wh:
            counts = apply_ops(wh, ops)
        for table, n in counts.items():
            beam.metrics.Metrics.counter("warehouse", table).inc(n)
        yield counts


class WriteToWarehouse(beam.PTransform):
    """Apply all write operations of a batch run in one transaction of one writer."""

    def __init__(self, warehouse_url: str, options: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._url = warehouse_url
        self._options = options

    def expand(self, ops: beam.PCollection) -> beam.PCollection:
        return (
            ops
            | "GatherWrites" >> beam.combiners.ToList()
            | "WriteOneTransaction" >> beam.ParDo(WriteBatchFn(self._url, self._options))
        )
