"""The streaming graph (``hotline run --streaming``) and the driver that runs it until stopped.

Same stages as the batch graph (``pipeline.graph``), minus every GroupByKey on the live path:
on the local FnApiRunner nothing after a GroupByKey emits before the source ends, and a
streaming source does not end. Where batch groups, streaming keeps keyed state instead:

    Ticks ─► PollFeeds ─► DropSeenItems ─► FetchArticles ─► LinkCopies ─► NormalizeArabic
    (clock)   (state per     (state per       (per bundle,     (state per     ─► DetectCalls
               feed URL)      article key)     polite per host)  fingerprint)   ─► ExtractCallReport
                                                                                   │       │
               feed_state, dead letters, articles ◄────────────────────────────────┘  MergeCalls
                          │                                                        (state per pair)
                          └────────► StampTickTime ─► WriteToWarehouse (one writer per stream of
                                                      operations, one transaction per bundle)

Every tick polls the due feeds; a new item is fetched, normalised, detected, extracted, merged
and written within the same bundle, so a report reaches the warehouse within one poll interval
(plus the time to fetch it). The run stops at ``--max-runtime`` or on SIGINT/SIGTERM: the ticks
end, the pipeline drains, and the summary is printed as for a batch run.

Runner: without ``--runner`` (or with ``DirectRunner``) the pipeline runs on Beam's FnApiRunner
directly - the DirectRunner would first try to download the Prism runner, which fails offline
and behaves differently online. On that runner event-time timers fire at the end of the bundle
that set them, so state expiry is off (``state_ttl=None``: the dedupe state lives as long as
the process). Any other runner gets the expiry timers; ``PrismRunner`` runs on this machine too
(the driver waits and stops it on a signal), a cluster (``DataflowRunner``, ``FlinkRunner``,
``SparkRunner``) gets the job submitted without waiting: stop it by draining the job.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

import apache_beam as beam

from pipeline.graph import StartState, route_outputs
from pipeline.records import FeedSpec, RunContext
from pipeline.warehouse.sink import WriteEachBundle
from transforms.continuous import FetchEachBundle, PollFeedsContinuously, StampEventTimeFn
from transforms.dedupe import DEFAULT_TTL, DropSeenItems, LinkCopiesAsTheyCome
from transforms.detect import DetectCalls
from transforms.extract import ExtractCallReport
from transforms.feeds import FEED_STATE
from transforms.fetch import FetchLimits
from transforms.lexicon import Lexicon
from transforms.merge import MergeCallsContinuously
from transforms.normalize import NormalizeArabic
from transforms.ticks import Ticks

_LOGGER = logging.getLogger(__name__)

LOCAL_RUNNERS = ("", "directrunner", "direct", "fnapirunner", "switchingdirectrunner")
ON_THIS_MACHINE = (*LOCAL_RUNNERS, "prismrunner", "prism")  # runs here: wait, stop on signals


def build_streaming(
    p: beam.Pipeline,
    feeds: Iterable[FeedSpec],
    lexicon: Lexicon,
    ctx: RunContext,
    warehouse_url: str,
    start: StartState | None = None,
    limits: FetchLimits | None = None,
    allow_private: bool = False,
    *,
    interval: float,
    start_at: float,
    stop_at: float | None = None,
    stop_file: str | None = None,
    state_ttl: float | None = DEFAULT_TTL,
) -> dict[str, beam.PCollection]:
    """Add hotline's streaming graph to ``p``; returns the per-bundle write counts of each
    stream of write operations (``{"FeedState": ..., "Articles": ..., ...}``)."""
    start = start or StartState()
    limits = limits or FetchLimits()
    known = p | "KnownArticleIds" >> beam.Create(sorted(start.known_article_ids))
    known_fps = p | "KnownFingerprints" >> beam.Create(sorted(start.known_fingerprints.items()))
    stored = p | "StoredReports" >> beam.Create([dict(r) for r in start.stored_reports])

    ticks = p | "Ticks" >> Ticks(start_at, stop_at, interval, stop_file)
    polled = ticks | "PollFeeds" >> PollFeedsContinuously(
        list(feeds), ctx, interval, start.feed_states, limits, allow_private
    )
    items = polled.items | "DropSeenItems" >> DropSeenItems(known, state_ttl)
    fetched = items | "FetchArticles" >> FetchEachBundle(ctx, limits, allow_private)
    extracted = (
        fetched.articles
        | "LinkCopies" >> LinkCopiesAsTheyCome(known_fps, state_ttl)
        | "NormalizeArabic" >> NormalizeArabic()
        | "DetectCalls" >> DetectCalls(lexicon)
        | "ExtractCallReport" >> ExtractCallReport(lexicon, ctx)
    )
    # No Flatten on the live path: the FnApiRunner runs a multi-input Flatten in the runner,
    # outside the fused stage, so its output too would wait for the end of the source. Each
    # stream of write operations gets its own writer instead (one transaction per bundle each).
    article_ops, merged, dead = route_outputs(
        polled, fetched, extracted, MergeCallsContinuously(stored, ctx), ctx
    )
    writes = {"FeedState": polled[FEED_STATE], "Articles": article_ops, "Calls": merged, **dead}
    stamped = {
        name: ops | f"StampTickTime{name}" >> beam.ParDo(StampEventTimeFn())
        for name, ops in writes.items()
    }
    return stamped | "WriteToWarehouse" >> WriteEachBundle(warehouse_url)


# ------------------------------------------------------------------------------------------
# The driver (called by ``hotline run --streaming``)
# ------------------------------------------------------------------------------------------


def runner_name(options: beam.options.pipeline_options.PipelineOptions) -> str:
    from apache_beam.options.pipeline_options import StandardOptions

    name = options.view_as(StandardOptions).runner
    return (name if isinstance(name, str) else type(name).__name__ if name else "").lower()


def is_local(options: beam.options.pipeline_options.PipelineOptions) -> bool:
    """The FnApiRunner (what the DirectRunner falls back to offline)."""
    return runner_name(options) in LOCAL_RUNNERS


@contextlib.contextmanager
def stop_on_signals(stop_file: str) -> Iterator[None]:
    """SIGINT/SIGTERM create ``stop_file`` (the ticks end, the pipeline drains); a second
    signal interrupts at once."""
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        if os.path.exists(stop_file):
            raise KeyboardInterrupt
        _LOGGER.warning("%s: stopping after the current tick", signal.Signals(signum).name)
        with open(stop_file, "w", encoding="utf-8") as fh:
            fh.write(str(signum))

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread: no handlers, --max-runtime still stops
            break
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_streaming(
    args: argparse.Namespace,
    options: beam.options.pipeline_options.PipelineOptions,
    feeds: Sequence[FeedSpec],
    lexicon: Lexicon,
    ctx: RunContext,
    warehouse_url: str,
    start: StartState,
    limits: FetchLimits,
    out: TextIO,
    summarize: Callable[[Any, float, dict[str, int]], None],
) -> int:
    """Run the streaming graph until ``--max-runtime`` or a signal; print the summary."""
    from apache_beam.options.pipeline_options import StandardOptions

    interval = float(args.poll_interval)
    if interval <= 0:
        raise ValueError(f"--poll-interval {args.poll_interval}: must be positive")
    if args.max_runtime is not None and args.max_runtime <= 0:
        raise ValueError(f"--max-runtime {args.max_runtime}: must be positive")
    options.view_as(StandardOptions).streaming = True
    local = is_local(options)
    here = runner_name(options) in ON_THIS_MACHINE
    runner = None
    if local:
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        runner = FnApiRunner()
    workdir = tempfile.mkdtemp(prefix="hotline-stream-")
    stop_file = os.path.join(workdir, "stop")
    t0 = time.monotonic()
    start_at = time.time()
    stop_at = start_at + args.max_runtime if args.max_runtime else None
    try:
        p = beam.Pipeline(runner=runner, options=options)
        build_streaming(
            p,
            feeds,
            lexicon,
            ctx,
            warehouse_url,
            start,
            limits,
            args.allow_private_networks,
            interval=interval,
            start_at=start_at,
            stop_at=stop_at,
            stop_file=stop_file if here else None,
            state_ttl=None if local else DEFAULT_TTL,
        )
        if not here:
            result = p.run()
            print(
                f"hotline: streaming job submitted to {runner_name(options)} "
                f"(state {result.state}); stop it by draining the job",
                file=out,
            )
            return 0
        with stop_on_signals(stop_file):
            result = p.run()
            result.wait_until_finish()
        stopped = "signal" if os.path.exists(stop_file) else "max-runtime"
        summarize(result, time.monotonic() - t0, {"stopped by": stopped})  # type: ignore[dict-item]
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
