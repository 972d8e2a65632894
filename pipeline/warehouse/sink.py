"""WriteToWarehouse: write operations -> the warehouse, through one writer per run.

Every stage emits write operations ``(op, table, payload)``:

* ``("upsert", table, row)`` - insert or replace the row with the same key;
* ``("update", table, row)`` - set some columns of the stored row with that key;
* ``("delete", table, key_tuple)``.

In batch mode they are applied by a single writer in one transaction (DuckDB allows one writing
process per file, and this keeps the warehouse consistent if the run fails half-way: nothing of
it lands). The warehouse is opened from its URL on the worker, so the DoFns pickle and run on
any worker. How the operations reach that one writer depends on the backend:

* DuckDB (``SpillOpsFn`` + ``LoadSpilledFn``): every worker spills its operations, in chunks of
  ``SPILL_CHUNK``, to files beside the DuckDB file; only the list of file names is gathered
  (``ToList``), and one writer loads the chunks one by one in a single transaction
  (``DuckDBWarehouse.write_many``). Memory stays bounded by a chunk instead of the whole run
  (gathering 100,000 article rows into one list peaked at ~2 GB), and it holds with
  ``--direct_running_mode=multi_processing``: workers only write their own spill files.
* other backends: the operations themselves are gathered into one list (``ToList``) and written
  by ``WriteBatchFn``.

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
import os
import pickle
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.records import TABLES
from pipeline.warehouse import WarehouseError, open_warehouse, parse_warehouse_url
from pipeline.warehouse.base import Warehouse

_LOGGER = logging.getLogger(__name__)

Op = tuple[str, str, Any]


def group_ops(ops: Iterable[Op]) -> tuple[dict[str, list[Any]], ...]:
    """``(upserts, deletes, updates)`` by table, as ``Warehouse.write`` takes them."""
    upserts: dict[str, list[Any]] = {}
    updates: dict[str, list[Any]] = {}
    deletes: dict[str, list[Any]] = {}
    for op, table, payload in ops:
        target = {"upsert": upserts, "update": updates, "delete": deletes}.get(op)
        if target is None:
            raise ValueError(f"unknown write operation {op!r}")
        target.setdefault(table, []).append(payload)
    return upserts, deletes, updates


def apply_ops(warehouse: Any, ops: Iterable[Op]) -> dict[str, int]:
    """Group operations by kind and table and apply them in one ``write``."""
    upserts, deletes, updates = group_ops(ops)
    return warehouse.write(upserts, deletes, updates)  # type: ignore[no-any-return]


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


SPILL_CHUNK = 5000  # operations per spill file


class SpillOpsFn(beam.DoFn):
    """Write operations -> names of spill files holding them, ``chunk`` operations a file."""

    def __init__(self, spill_dir: str, chunk: int = SPILL_CHUNK) -> None:
        self._dir = spill_dir
        self._chunk = chunk
        self._buffer: list[Op] = []
        self._written: list[str] = []
        self._last: tuple[Any, Any] | None = None

    def setup(self) -> None:
        os.makedirs(self._dir, exist_ok=True)

    def start_bundle(self) -> None:
        self._buffer, self._written, self._last = [], [], None

    def _flush(self) -> None:
        if not self._buffer:
            return
        path = os.path.join(self._dir, f"{uuid.uuid4().hex}.ops")  # unique across workers
        with open(path, "wb") as fh:
            pickle.dump(self._buffer, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._written.append(path)
        self._buffer = []

    def process(
        self, op: Op, ts: Any = beam.DoFn.TimestampParam, window: Any = beam.DoFn.WindowParam
    ) -> None:
        self._buffer.append(op)
        self._last = (ts, window)
        if len(self._buffer) >= self._chunk:
            self._flush()

    def finish_bundle(self) -> Iterator[WindowedValue]:
        self._flush()
        if self._last is not None:
            ts, window = self._last
            for path in self._written:
                yield WindowedValue(path, ts, (window,))
        self._written = []


def read_spilled(paths: Iterable[str]) -> Iterator[tuple[dict[str, list[Any]], ...]]:
    for path in paths:
        with open(path, "rb") as fh:
            yield group_ops(pickle.load(fh))


class LoadSpilledFn(beam.DoFn):
    """All spill files of a run -> one transaction of one writer; yields the counts."""

    def __init__(self, warehouse_url: str, spill_dir: str) -> None:
        self._url = warehouse_url
        self._dir = spill_dir

    def process(self, paths: Sequence[str]) -> Iterator[dict[str, int]]:
        with open_warehouse(self._url) as wh:
            counts = wh.write_many(read_spilled(sorted(paths)))  # type: ignore[attr-defined]
        shutil.rmtree(self._dir, ignore_errors=True)
        for table, n in counts.items():
            beam.metrics.Metrics.counter("warehouse", table).inc(n)
        yield counts


def spill_dir_for(warehouse_url: str) -> str:
    """A fresh folder beside the DuckDB file for one run's spill files."""
    path = parse_warehouse_url(warehouse_url)[1]
    return f"{os.path.abspath(path)}.spill-{uuid.uuid4().hex[:12]}"


class WriteToWarehouse(beam.PTransform):
    """Apply all write operations of a batch run in one transaction of one writer."""

    def __init__(self, warehouse_url: str, options: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._url = warehouse_url
        self._options = options

    def expand(self, ops: Any) -> beam.PCollection:
        """``ops``: a PCollection of write operations, or a dict of them (not flattened)."""
        streams = ops if isinstance(ops, dict) else {"": ops}
        if holds_file_lock(self._url):
            spill_dir = spill_dir_for(self._url)
            spilled = [
                pcoll | f"SpillWrites{name}" >> beam.ParDo(SpillOpsFn(spill_dir))
                for name, pcoll in streams.items()
            ]
            return (
                spilled
                | "SpillFiles" >> beam.Flatten()
                | "GatherSpillFiles" >> beam.combiners.ToList()
                | "WriteOneTransaction" >> beam.ParDo(LoadSpilledFn(self._url, spill_dir))
            )
        return (
            list(streams.values())
            | "AllWrites" >> beam.Flatten()
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
