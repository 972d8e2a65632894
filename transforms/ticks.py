"""Ticks: the clock of streaming mode - a PeriodicImpulse that can be asked to stop.

``p | Ticks(start, stop, interval, stop_file)`` emits one element per poll interval: the tick's
scheduled time (a Beam ``Timestamp``, also the element's event time and the watermark), from
``start`` until ``stop`` (``--max-runtime``; ``None`` runs forever) or until ``stop_file``
exists (the CLI creates it on SIGINT/SIGTERM). Either way the source ends, so the pipeline
drains and finishes normally: every tick already emitted is processed and written, and the
run's metrics are there for the summary.

It is ``apache_beam.transforms.periodicsequence.PeriodicImpulse``'s splittable DoFn with three
changes, measured on the local FnApiRunner of Beam 2.77:

* **one tick per bundle** - the runner finishes the bundle (and so the per-bundle warehouse
  write downstream) right after the tick, instead of holding it open until the next one;
* **overdue ticks are skipped** - when a tick's work took longer than the interval, the next
  bundle emits only the latest due tick (one poll, not a burst of catch-up polls);
* **a bounded nap before deferring** - the FnApiRunner resumes a deferred restriction at once
  (it does not honour the resume time), so without the nap it spins a CPU core between ticks;
  the nap (at most ``NAP`` seconds) also bounds how long a stop request waits to be seen.

On Dataflow/Flink the runner honours the resume time and drains the source on ``drain``
(``truncate`` returns nothing), so the nap only ever shortens a wait.

Reading the wall clock and the stop file here is deliberate: this transform *is* the clock and
the off switch; no other transform reads either.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

_LOGGER = logging.getLogger(__name__)

NAP = 1.0  # seconds; longest sleep inside one bundle while waiting for the next tick
FOREVER = 10**12  # ticks; "no --max-runtime"


def tick_count(start: float, stop: float | None, interval: float) -> int:
    """Ticks at ``start + k * interval`` strictly before ``stop`` (at least one)."""
    if stop is None:
        return FOREVER
    return max(1, math.ceil((stop - start) / interval))


def due_index(start: float, interval: float, now: float) -> int:
    """The index of the latest tick whose time has come (-1 before the first)."""
    if now < start:
        return -1
    return math.floor((now - start) / interval + 1e-9)


class _TickRestrictions(beam.transforms.core.RestrictionProvider):
    """Offsets ``[0, ticks]``: one per tick, plus a last one that is the stop itself."""

    def initial_restriction(self, element: tuple[float, float | None, float]) -> OffsetRange:
        start, stop, interval = element
        return OffsetRange(0, tick_count(start, stop, interval) + 1)

    def create_tracker(self, restriction: OffsetRange) -> OffsetRestrictionTracker:
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element: Any, restriction: OffsetRange) -> int:
        return 8 * max(0, min(restriction.stop, 1000) - restriction.start)

    def truncate(self, element: Any, restriction: OffsetRange) -> None:
        return None  # on drain, stop at once


_RESTRICTION_PARAM = beam.DoFn.RestrictionParam(_TickRestrictions())
_WATERMARK_PARAM = beam.DoFn.WatermarkEstimatorParam(ManualWatermarkEstimator.default_provider())


class TickFn(beam.DoFn):
    """(start, stop, interval) -> one Timestamp per tick, in real time (splittable)."""

    def __init__(self, stop_file: str | None = None, nap: float = NAP) -> None:
        self._stop_file = stop_file
        self._nap = nap

    def stop_requested(self) -> bool:
        return bool(self._stop_file) and os.path.exists(self._stop_file)  # type: ignore[arg-type]

    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        element: tuple[float, float | None, float],
        tracker: Any = _RESTRICTION_PARAM,
        watermark: Any = _WATERMARK_PARAM,
    ) -> Iterator[TimestampedValue]:
        start, stop, interval = element
        restriction = tracker.current_restriction()
        last = restriction.stop - 1  # the stop offset: claimed at ``stop``, emits nothing
        index = restriction.start
        now = time.time()
        at = start + index * interval if index < last else (stop or now)
        if at > now and not self.stop_requested():
            time.sleep(min(at - now, self._nap))
            now = time.time()
        if self.stop_requested() or (stop is not None and now >= stop):
            why = "stop requested" if self.stop_requested() else "stop time"
            _LOGGER.info("ticks end: %s", why)
            tracker.try_claim(restriction.stop)  # claims nothing: the restriction is done
            return
        if at > now:
            _advance(watermark, Timestamp.of(at))
            tracker.defer_remainder(Timestamp.of(min(at, now + self._nap)))
            return
        index = max(index, min(due_index(start, interval, now), last - 1))
        if not tracker.try_claim(index):
            return
        tick = Timestamp.of(start + index * interval)
        _advance(watermark, tick)
        yield TimestampedValue(tick, tick)
        nxt = start + (index + 1) * interval if index + 1 < last else (stop or now)
        tracker.defer_remainder(Timestamp.of(max(nxt, now)))


def _advance(watermark: Any, to: Timestamp) -> None:
    current = watermark.current_watermark()
    if current is None or to > current:
        watermark.set_watermark(to)


class Ticks(beam.PTransform):
    """PBegin -> one ``Timestamp`` per ``interval`` seconds, from ``start`` until ``stop`` or
    until ``stop_file`` exists (unbounded PCollection, global window)."""

    def __init__(
        self,
        start: float,
        stop: float | None,
        interval: float,
        stop_file: str | None = None,
        nap: float = NAP,
    ) -> None:
        super().__init__()
        if interval <= 0:
            raise ValueError(f"--poll-interval {interval}: must be positive")
        if stop is not None and stop <= start:
            raise ValueError(f"--max-runtime: the stop time {stop} is not after the start {start}")
        self._element = (float(start), None if stop is None else float(stop), float(interval))
        self._stop_file = stop_file
        self._nap = nap

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pbegin
            | "Schedule" >> beam.Create([self._element])
            | "Tick" >> beam.ParDo(TickFn(self._stop_file, self._nap))
        )
