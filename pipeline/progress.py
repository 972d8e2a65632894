"""Progress while ``hotline run`` goes, and the summary that ends every run.

Every count comes from Beam metrics, the counters the transforms keep (``feeds/polled``,
``feeds/failed``, ``feeds/not_modified``, ``feeds/items``, ``articles/new``,
``extract/call_reports``, ``merge/calls``, ``deadletter/<stage>``); nothing is estimated.

* On the DirectRunner, :class:`ProgressRunner` (Beam's in-process batch engine, the one the
  DirectRunner picks for a batch graph) tells the monitor which step each bundle runs and hands
  over the metrics of every finished bundle. Counts therefore move when a bundle finishes (the
  engine reports metrics per bundle); in between, the display shows which step is running and
  for how long.
* On runners whose ``run()`` returns at once (Dataflow, Prism, Flink), the monitor polls
  ``result.metrics()`` every few seconds until the job ends.

Displays (``--quiet`` and ``--log-format`` pick one; progress goes to stderr):

* a terminal: one status line, rewritten in place ten times a second;
* not a terminal (cron, CI, a pipe) or ``--verbose``: a plain timestamped line whenever the step
  or a count changes, and a heartbeat every 30 s while nothing does;
* ``--log-format json``: the same events as JSON lines, and every log record as a JSON line;
* ``--quiet``: no progress at all.

The run summary goes to stdout in every mode, ``--quiet`` included: a text block, or one JSON
object with ``--log-format json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from apache_beam.metrics import monitoring_infos
from apache_beam.metrics.metric import MetricResults
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.runners.runner import PipelineResult, PipelineState

_LOGGER = logging.getLogger(__name__)

LOG_FORMATS = ("text", "json")
TICK_SECONDS = 0.1  # how often the terminal line is redrawn (spinner and elapsed time)
HEARTBEAT_SECONDS = 30.0  # a plain or JSON line at least this often while a step runs
POLL_SECONDS = 5.0  # how often the metrics of a remote job are polled
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

# Top-level labels of pipeline/graph.py and what a bundle running them is doing. A fused stage
# holds several steps; the first of this list that it holds names it (the work of a stage is
# in its most expensive step, e.g. extraction rather than the key-by that follows it).
STEP_PHASES: tuple[tuple[str, str], ...] = (
    ("PollFeeds", "polling feeds"),
    ("ExtractCallReport", "extracting call reports"),
    ("DetectCalls", "detecting calls"),
    ("NormalizeArabic", "normalising Arabic text"),
    ("FetchArticles", "fetching articles"),
    ("MergeCalls", "merging calls"),
    ("RecordDeadLetters", "recording dead letters"),
    ("WriteToWarehouse", "writing to the warehouse"),
)
STARTING = "starting"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` and ``--log-format``, the flags of the run's own output."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False,
        help="no progress output (the run summary is still printed)",
    )
    parser.add_argument(
        "--log-format",
        dest="log_format",
        choices=LOG_FORMATS,
        default="text",
        help="text (default), or json: progress and log records as JSON lines on stderr and "
        "the summary as one JSON object on stdout, for schedulers",
    )


# ------------------------------------------------------------------------------- counts ----


@dataclass(frozen=True)
class RunCounts:
    """What a run has done so far, from Beam's counters."""

    feeds_total: int = 0
    feeds_polled: int = 0
    feeds_failed: int = 0
    feeds_not_modified: int = 0
    feeds_not_due: int = 0  # skipped: their next poll is later (feed_state.next_poll_after)
    feeds_deferred: int = 0  # left for the next run by the per-host politeness limit
    items_seen: int = 0
    new_articles: int = 0
    syndicated: int = 0  # new articles that are copies of another outlet's text
    call_reports: int = 0
    calls: int = 0
    dead_letters: tuple[tuple[str, int], ...] = ()  # (stage, count), sorted by stage

    @property
    def feeds_ok(self) -> int:
        return max(0, self.feeds_polled - self.feeds_failed - self.feeds_not_modified)

    @property
    def dead_letter_total(self) -> int:
        return sum(n for _, n in self.dead_letters)


def counters_of(metrics: MetricResults) -> dict[tuple[str, str], int]:
    """``{(namespace, name): value}`` summed over steps (committed, else attempted)."""
    out: dict[tuple[str, str], int] = {}
    for c in metrics.query()["counters"]:
        value = c.committed if c.committed is not None else c.attempted
        key = (c.key.metric.namespace, c.key.metric.name)
        out[key] = out.get(key, 0) + int(value or 0)
    return out


def counts_from(counters: Mapping[tuple[str, str], int], feeds_total: int) -> RunCounts:
    def get(namespace: str, name: str) -> int:
        return int(counters.get((namespace, name), 0))

    dead = sorted((name, n) for (ns, name), n in counters.items() if ns == "deadletter" and n)
    return RunCounts(
        feeds_total=feeds_total,
        feeds_polled=get("feeds", "polled"),
        feeds_failed=get("feeds", "failed"),
        feeds_not_modified=get("feeds", "not_modified"),
        feeds_not_due=get("feeds", "not_due"),
        feeds_deferred=get("feeds", "deferred"),
        items_seen=get("feeds", "items"),
        new_articles=get("articles", "new"),
        syndicated=get("articles", "syndicated"),
        call_reports=get("extract", "call_reports"),
        calls=get("merge", "calls"),
        dead_letters=tuple(dead),
    )


def phase_of(transform_names: Iterable[str]) -> str | None:
    """What a stage made of these transforms (``PollFeeds/FetchAndParse``, ...) is doing."""
    labels = {name.split("/", 1)[0] for name in transform_names}
    return next((phase for label, phase in STEP_PHASES if label in labels), None)


# ------------------------------------------------------------------------------ summary ----


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    warehouse: str
    counts: RunCounts
    elapsed_s: float
    error: str | None = None  # why the run failed; None when it succeeded
    extra: tuple[tuple[str, object], ...] = ()  # more (label, value) rows, e.g. streaming's

    @classmethod
    def from_result(
        cls,
        result: PipelineResult,
        run_id: str,
        warehouse: str,
        feeds_total: int,
        elapsed_s: float,
        extra: Mapping[str, object] | None = None,
    ) -> RunSummary:
        """The summary of a finished pipeline, from its metrics."""
        counts = counts_from(counters_of(result.metrics()), feeds_total)
        return cls(run_id, warehouse, counts, elapsed_s, extra=tuple((extra or {}).items()))

    def to_json(self) -> dict[str, Any]:
        c = self.counts
        line: dict[str, Any] = {
            "event": "summary",
            "run_id": self.run_id,
            "warehouse": self.warehouse,
            "status": "failed" if self.error else "ok",
            "feeds": {
                "total": c.feeds_total,
                "polled": c.feeds_polled,
                "ok": c.feeds_ok,
                "failed": c.feeds_failed,
                "not_modified": c.feeds_not_modified,
                "not_due": c.feeds_not_due,
                "deferred": c.feeds_deferred,
            },
            "items_seen": c.items_seen,
            "new_articles": c.new_articles,
            "syndicated_copies": c.syndicated,
            "new_call_reports": c.call_reports,
            "calls_new_or_updated": c.calls,
            "dead_letters": {"total": c.dead_letter_total, "by_stage": dict(c.dead_letters)},
            "elapsed_s": round(self.elapsed_s, 3),
        }
        for label, value in self.extra:
            line[label.replace(" ", "_")] = value
        if self.error:
            line["error"] = self.error
        return line

    def to_text(self) -> str:
        c = self.counts
        rows: list[tuple[str, object]] = []
        if self.error:
            rows.append(("status", f"FAILED: {self.error}"))
        rows += [
            ("feeds polled", f"{c.feeds_polled} of {c.feeds_total}"),
            ("feeds ok", c.feeds_ok),
            ("feeds failed", c.feeds_failed),
            ("feeds not modified", c.feeds_not_modified),
            ("feeds not due", c.feeds_not_due),
        ]
        if c.feeds_deferred:
            rows.append(("feeds deferred", c.feeds_deferred))
        rows += [
            ("items seen", c.items_seen),
            ("new articles", c.new_articles),
            ("syndicated copies", c.syndicated),
            ("new call reports", c.call_reports),
            ("calls new or updated", c.calls),
            ("dead letters", c.dead_letter_total),
        ]
        lines = [f"hotline run {self.run_id} -> {self.warehouse}"]
        lines += [f"  {k:<22} {v}" for k, v in rows]
        lines += [f"    at {stage:<18} {n}" for stage, n in c.dead_letters]
        lines += [f"  {k:<22} {v}" for k, v in self.extra]
        lines.append(f"  {'elapsed':<22} {self.elapsed_s:.1f} s")
        return "\n".join(lines)


# ----------------------------------------------------------------------------- displays ----


@dataclass(frozen=True)
class Snapshot:
    phase: str
    counts: RunCounts
    elapsed_s: float


def progress_text(s: Snapshot) -> str:
    c = s.counts
    reports = "call report" if c.call_reports == 1 else "call reports"
    articles = "article" if c.new_articles == 1 else "articles"
    return (
        f"{s.phase} · feeds {c.feeds_polled}/{c.feeds_total} polled · "
        f"{c.new_articles} {articles} fetched · {c.call_reports} {reports} found"
    )


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Display:
    """No progress (``--quiet``). Subclasses print it."""

    def show(self, snap: Snapshot, changed: bool) -> None:
        """Called on every change (``changed``) and every tick."""

    def close(self, snap: Snapshot) -> None:
        """The run is over (the summary follows)."""


class TerminalDisplay(Display):
    """One status line, rewritten in place; erased when the run ends."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._spin = itertools.cycle(SPINNER)

    def show(self, snap: Snapshot, changed: bool) -> None:
        width = shutil.get_terminal_size(fallback=(100, 24)).columns
        text = f"{next(self._spin)} {snap.elapsed_s:5.1f}s  {progress_text(snap)}"
        if len(text) > width - 1:
            text = text[: max(0, width - 2)] + "…"
        self._stream.write("\r\x1b[2K" + text)
        self._stream.flush()

    def close(self, snap: Snapshot) -> None:
        self._stream.write("\r\x1b[2K")
        self._stream.flush()


class LineDisplay(Display):
    """A plain line per change, and a heartbeat while a long step runs."""

    def __init__(self, stream: TextIO, heartbeat_s: float = HEARTBEAT_SECONDS) -> None:
        self._stream = stream
        self._heartbeat_s = heartbeat_s
        self._last: str | None = None
        self._last_at = 0.0

    def show(self, snap: Snapshot, changed: bool) -> None:
        text = progress_text(snap)
        if text == self._last and snap.elapsed_s - self._last_at < self._heartbeat_s:
            return
        self._last, self._last_at = text, snap.elapsed_s
        self.emit(snap)

    def emit(self, snap: Snapshot) -> None:
        print(
            f"{_now_iso()} hotline: [{snap.elapsed_s:6.1f}s] {progress_text(snap)}",
            file=self._stream,
            flush=True,
        )


class JsonDisplay(LineDisplay):
    def emit(self, snap: Snapshot) -> None:
        c = snap.counts
        line = {
            "ts": _now_iso(),
            "level": "INFO",
            "event": "progress",
            "phase": snap.phase,
            "elapsed_s": round(snap.elapsed_s, 3),
            "feeds_polled": c.feeds_polled,
            "feeds_total": c.feeds_total,
            "articles_fetched": c.new_articles,
            "call_reports_found": c.call_reports,
        }
        print(json.dumps(line, ensure_ascii=False), file=self._stream, flush=True)


class JsonLogFormatter(logging.Formatter):
    """Log records as JSON lines, beside the progress events (``--log-format json``)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "event": "log",
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def use_json_logs() -> Callable[[], None]:
    """The root logger's stream handlers write JSON lines, and warnings go through logging.

    Returns a function that puts the previous formatters back.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    # exactly StreamHandler: not the subclasses that capture logs (pytest's, for one)
    swapped = [(h, h.formatter) for h in root.handlers if type(h) is logging.StreamHandler]
    for handler, _ in swapped:
        handler.setFormatter(JsonLogFormatter())
    logging.captureWarnings(True)

    def restore() -> None:
        for handler, formatter in swapped:
            handler.setFormatter(formatter)
        logging.captureWarnings(False)

    return restore


def choose_display(quiet: bool, log_format: str, verbose: bool, stream: TextIO) -> Display:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"--log-format {log_format!r}: expected one of {', '.join(LOG_FORMATS)}")
    if quiet:
        return Display()
    if log_format == "json":
        return JsonDisplay(stream)
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty() and not verbose:
        return TerminalDisplay(stream)
    return LineDisplay(stream)


# ------------------------------------------------------------------------------- runner ----


class ProgressRunner(fn_runner.FnApiRunner):
    """The DirectRunner's batch engine, reporting each bundle to ``on_step`` (the phase it is
    about to run) and ``on_metrics`` (the metrics of all bundles finished so far).

    It hooks ``FnApiRunner._execute_bundle`` (Beam is pinned in constraints.txt); if a Beam
    upgrade renames it, the run is unchanged and only the live counts stop moving. A failing
    callback is logged and never fails the run.
    """

    def __init__(
        self,
        on_step: Callable[[str | None], None],
        on_metrics: Callable[[MetricResults], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._on_step = on_step
        self._on_metrics = on_metrics
        self._infos: list[Any] = []

    def _execute_bundle(self, runner_execution_context, bundle_context_manager, bundle_input):  # type: ignore[no-untyped-def]
        try:
            names = [t.unique_name for t in bundle_context_manager.stage.transforms]
            self._on_step(phase_of(names))
        except Exception:  # progress must never break a run
            _LOGGER.debug("progress: cannot name the stage", exc_info=True)
        result = super()._execute_bundle(
            runner_execution_context, bundle_context_manager, bundle_input
        )
        try:
            self._infos = list(
                monitoring_infos.consolidate(
                    itertools.chain(result.process_bundle.monitoring_infos, self._infos)
                )
            )
            self._on_metrics(fn_runner.FnApiMetrics({"": self._infos}))
        except Exception:  # progress must never break a run
            _LOGGER.debug("progress: cannot read the bundle's metrics", exc_info=True)
        return result


def _is_direct(runner: object) -> bool:
    if runner is None:
        return True
    if not isinstance(runner, str):
        return False
    return runner.lower().removesuffix("runner") in ("", "direct")


# ------------------------------------------------------------------------------ monitor ----


@dataclass
class RunMonitor:
    """Watches one run: progress while it goes, the summary when it ends.

    ``runner(options)`` gives the runner to build the pipeline with (None: Beam picks it from the
    options), ``run(p)`` runs it to the end, ``finish()`` prints the summary to ``out``.
    """

    run_id: str
    warehouse: str
    feeds_total: int
    display: Display
    out: TextIO
    log_format: str = "text"
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _phase: str = STARTING
    _counts: RunCounts | None = None
    _t0: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _restore_logs: Callable[[], None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._t0 = self.clock()
        self._counts = RunCounts(feeds_total=self.feeds_total)

    @classmethod
    def for_args(
        cls,
        args: argparse.Namespace,
        *,
        run_id: str,
        warehouse: str,
        feeds_total: int,
        out: TextIO,
        err: TextIO,
    ) -> RunMonitor:
        """The monitor that ``--quiet``, ``--log-format`` and ``--verbose`` ask for (with
        ``--log-format json``, this also turns log records into JSON lines)."""
        log_format = getattr(args, "log_format", "text")
        display = choose_display(
            getattr(args, "quiet", False), log_format, getattr(args, "verbose", False), err
        )
        monitor = cls(run_id, warehouse, feeds_total, display, out, log_format)
        if log_format == "json":
            monitor._restore_logs = use_json_logs()
        return monitor

    # -- what the runner tells us ----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            assert self._counts is not None
            return Snapshot(self._phase, self._counts, self.clock() - self._t0)

    def _changed(self) -> None:
        snap = self.snapshot()
        with self._lock:
            self.display.show(snap, changed=True)

    def on_step(self, phase: str | None) -> None:
        if phase is None:
            return
        with self._lock:
            if phase == self._phase:
                return
            self._phase = phase
        self._changed()

    def on_metrics(self, metrics: MetricResults) -> None:
        counts = counts_from(counters_of(metrics), self.feeds_total)
        with self._lock:
            if counts == self._counts:
                return
            self._counts = counts
        self._changed()

    # -- running ---------------------------------------------------------------------------

    def runner(self, options: PipelineOptions) -> fn_runner.FnApiRunner | None:
        """A :class:`ProgressRunner` for a batch run on the DirectRunner, else None.

        For a batch graph the DirectRunner would try Prism (a binary it downloads) and then
        fall back to this same FnApiRunner; going straight to it keeps runs offline.
        """
        std = options.view_as(StandardOptions)
        if std.streaming or not _is_direct(std.runner):
            return None
        from apache_beam.portability.api import beam_provision_api_pb2
        from apache_beam.runners.portability.portable_runner import JobServiceHandle

        # As the DirectRunner does: the workers (also subprocess ones) get the options.
        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
        provision = fn_runner.ExtendedProvisionInfo(
            beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
        )
        return ProgressRunner(self.on_step, self.on_metrics, provision_info=provision)

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            snap = self.snapshot()
            with self._lock:
                self.display.show(snap, changed=False)

    def _poll(self, result: PipelineResult) -> None:
        try:
            self.on_metrics(result.metrics())
        except Exception:  # a job service that cannot answer yet: the next poll may
            _LOGGER.debug("progress: cannot read the job's metrics", exc_info=True)

    def run(self, pipeline: Any) -> PipelineResult:
        """Run ``pipeline`` to its end, showing progress; returns its result."""
        ticker = threading.Thread(target=self._tick, name="hotline-progress", daemon=True)
        self._changed()
        ticker.start()
        try:
            result = pipeline.run()
            while not PipelineState.is_terminal(result.state):  # a runner that runs remotely
                self._poll(result)
                time.sleep(POLL_SECONDS)
            result.wait_until_finish()
            self.on_metrics(result.metrics())
            return result
        finally:
            self._stop.set()
            ticker.join()
            self.display.close(self.snapshot())

    # -- the end ---------------------------------------------------------------------------

    def summary(self, error: str | None = None) -> RunSummary:
        snap = self.snapshot()
        return RunSummary(self.run_id, self.warehouse, snap.counts, snap.elapsed_s, error)

    def finish(self, error: str | None = None) -> RunSummary:
        """Print the run summary (``error``: why the run failed) to ``out``; returns it."""
        summary = self.summary(error)
        if self.log_format == "json":
            print(json.dumps(summary.to_json(), ensure_ascii=False), file=self.out)
        else:
            print(summary.to_text(), file=self.out)
        self.out.flush()
        if self._restore_logs is not None:
            self._restore_logs()
            self._restore_logs = None
        return summary
