"""WriteToWarehouse: write operations -> the warehouse, through one writer per run.

Every stage emits write operations ``(op, table, payload)``:

* ``("upsert", table, row)`` - insert or replace the row with the same key;
* ``("update", table, row)`` - set some columns of the stored row with that key;
* ``("delete", table, key_tuple)``.

In batch mode they are gathered into one list and applied by a single writer in one transaction
(DuckDB allows one writing process per file, and this keeps the warehouse consistent if the run
fails half-way: nothing of it lands). The warehouse is opened in ``setup()`` from its URL, so the
DoFn pickles and runs on any worker.

In streaming mode (``WriteEachBundle``) there is no end of the run to wait for, and no
GroupByKey may stand on the live path: each bundle's operations are applied in one transaction
when the bundle finishes (on the local runner a bundle is one tick). Operations of one bundle
can depend on each other (a report creates an undated call, the next one folds it into a dated
call and deletes it), so they are applied as if one after another (``coalesce_ops``). A DuckDB
file is opened for each bundle and closed after it, so readers (``hotline query``) get in
between ticks; a reader holding the file makes the writer wait and retry (``lock_wait``).

Metrics: ``warehouse/<table>`` rows upserted; streaming also ``warehouse/bundles_written``
and the distribution ``warehouse/bundle_write_msecs``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.records import TABLES
from pipeline.warehouse import WarehouseError, open_warehouse, parse_warehouse_url
from pipeline.warehouse.base import Warehouse

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


# ------------------------------------------------------------------------------------------
# Streaming: one transaction per bundle, operations applied in order
# ------------------------------------------------------------------------------------------


def _key(table: str, op: str, payload: Any) -> tuple[Any, ...]:
    if op == "delete":
        return tuple(payload)
    return tuple(payload.get(k) for k in TABLES[table].key)


def coalesce_ops(
    ops: Iterable[Op],
) -> tuple[dict[str, list[Any]], dict[str, list[Any]], dict[str, list[Any]]]:
    """``(upserts, deletes, updates)`` whose ``Warehouse.write`` (deletes, then upserts, then
    updates) leaves the warehouse as applying ``ops`` one after another would.

    Per key, the last word wins: a delete drops an earlier upsert or update; an upsert after a
    delete keeps both (the delete clears columns an upsert would otherwise keep); an update
    folds into an earlier upsert or update of the same key and is void after a delete.
    """
    final: dict[tuple[str, tuple[Any, ...]], list[Any]] = {}  # (table, key) -> [kind, row, del]
    for op, table, payload in ops:
        if op not in ("upsert", "update", "delete"):
            raise ValueError(f"unknown write operation {op!r}")
        k = (table, _key(table, op, payload))
        prev = final.get(k)
        if op == "delete":
            final[k] = ["delete", payload, True]
        elif op == "upsert":
            final[k] = ["upsert", dict(payload), prev is not None and prev[2]]
        elif prev is None:
            final[k] = ["update", dict(payload), False]
        elif prev[0] in ("upsert", "update"):
            prev[1].update(payload)
        # an update after a delete touches no row
    upserts: dict[str, list[Any]] = {}
    deletes: dict[str, list[Any]] = {}
    updates: dict[str, list[Any]] = {}
    for (table, key), (kind, row, deleted) in final.items():
        if deleted:
            deletes.setdefault(table, []).append(key)
        if kind == "upsert":
            upserts.setdefault(table, []).append(row)
        elif kind == "update":
            updates.setdefault(table, []).append(row)
    return upserts, deletes, updates


def holds_file_lock(warehouse_url: str) -> bool:
    """Backends whose writer locks out every other process while it is open (DuckDB)."""
    return parse_warehouse_url(warehouse_url)[0] == "duckdb"


class WriteBundleFn(beam.DoFn):
    """Write operations -> one transaction per bundle, in arrival order; yields the counts."""

    def __init__(
        self,
        warehouse_url: str,
        options: dict[str, Any] | None = None,
        lock_wait: float = 60.0,
    ) -> None:
        self._url = warehouse_url
        self._options = options or {}
        self._lock_wait = lock_wait
        self._wh: Warehouse | None = None
        self._ops: list[Op] = []
        self._last: tuple[Any, Any] | None = None
        self._bundles = beam.metrics.Metrics.counter("warehouse", "bundles_written")
        self._msecs = beam.metrics.Metrics.distribution("warehouse", "bundle_write_msecs")

    def setup(self) -> None:
        if not holds_file_lock(self._url):  # a service: one client for the worker's life
            self._wh = open_warehouse(self._url, **self._options)

    def _open(self) -> Warehouse:
        """Open the file, waiting out readers that hold it (they only read for a moment)."""
        deadline = time.monotonic() + self._lock_wait
        pause = 0.05
        while True:
            try:
                return open_warehouse(self._url, **self._options)
            except WarehouseError as exc:
                if time.monotonic() + pause > deadline:
                    raise
                _LOGGER.info("warehouse busy, retrying in %.2f s: %s", pause, exc)
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    def start_bundle(self) -> None:
        self._ops = []
        self._last = None

    def process(
        self, op: Op, ts: Any = beam.DoFn.TimestampParam, window: Any = beam.DoFn.WindowParam
    ) -> None:
        self._ops.append(op)
        self._last = (ts, window)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        ops, self._ops = self._ops, []
        if not ops or self._last is None:
            return
        t0 = time.monotonic()
        upserts, deletes, updates = coalesce_ops(ops)
        if self._wh is not None:
            counts = self._wh.write(upserts, deletes, updates)
        else:
            with self._open() as wh:
                counts = wh.write(upserts, deletes, updates)
        self._msecs.update(int((time.monotonic() - t0) * 1000))
        self._bundles.inc()
        _LOGGER.info("wrote a bundle: %s", counts)
        for table, n in counts.items():
            beam.metrics.Metrics.counter("warehouse", table).inc(n)
        ts, window = self._last
        yield WindowedValue(counts, ts, (window,))

    def teardown(self) -> None:
        if self._wh is not None:
            self._wh.close()
            self._wh = None


class WriteEachBundle(beam.PTransform):
    """Streaming: apply write operations as they come, one transaction per bundle, in order.

    Input: a PCollection of operations, or a dict of them - each gets its own writer and no
    Flatten joins them (on the local FnApiRunner a multi-input Flatten is executed outside the
    fused stage, so it only emits when the source ends). Output: the counts of each write,
    shaped like the input.
    """

    def __init__(
        self, warehouse_url: str, options: dict[str, Any] | None = None, lock_wait: float = 60.0
    ) -> None:
        super().__init__()
        self._url = warehouse_url
        self._options = options
        self._lock_wait = lock_wait

    def _writer(self) -> WriteBundleFn:
        return WriteBundleFn(self._url, self._options, self._lock_wait)

    def expand(self, ops: Any) -> Any:
        if isinstance(ops, dict):
            return {
                name: pcoll | f"Write{name}" >> beam.ParDo(self._writer())
                for name, pcoll in ops.items()
            }
        return ops | "WriteBundle" >> beam.ParDo(self._writer())
