"""Progress and the run summary (pipeline/progress.py): the pure parts, the displays, and
``hotline run`` end to end on the bundled seed feed (plain lines off a terminal, ``--quiet``,
``--log-format json``)."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.runner import PipelineState

from pipeline import cli, progress
from pipeline.progress import (
    JsonDisplay,
    JsonLogFormatter,
    LineDisplay,
    ProgressRunner,
    RunCounts,
    RunMonitor,
    RunSummary,
    Snapshot,
    TerminalDisplay,
    choose_display,
    counts_from,
    phase_of,
)
from pipeline.warehouse import WarehouseError
from tests.conftest import SEEDS

PLAIN_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z hotline: \[ *\d+\.\ds\] "
    r"(?P<phase>[a-z ]+) · feeds (?P<polled>\d+)/(?P<total>\d+) polled · "
    r"(?P<articles>\d+) articles? fetched · (?P<reports>\d+) call reports? found$"
)
SUMMARY_LABELS = (
    "feeds polled",
    "feeds ok",
    "feeds failed",
    "feeds not modified",
    "new articles",
    "new call reports",
    "calls new or updated",
    "dead letters",
    "elapsed",
)


# --------------------------------------------------------------------------- pure parts ----


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ({}, RunCounts(feeds_total=3)),
        (
            {
                ("feeds", "polled"): 3,
                ("feeds", "failed"): 1,
                ("feeds", "not_modified"): 1,
                ("feeds", "items"): 12,
                ("articles", "new"): 9,
                ("extract", "call_reports"): 2,
                ("merge", "calls"): 1,
                ("deadletter", "poll_feed"): 1,
                ("deadletter", "fetch_article"): 4,
                ("deadletter", "extract"): 0,
                ("warehouse", "calls"): 1,
            },
            RunCounts(3, 3, 1, 1, 0, 0, 12, 9, 0, 2, 1, (("fetch_article", 4), ("poll_feed", 1))),
        ),
    ],
    ids=["nothing-yet", "a-run"],
)
def test_counts_from_beam_counters(
    counters: dict[tuple[str, str], int], expected: RunCounts
) -> None:
    counts = counts_from(counters, feeds_total=3)
    assert counts == expected
    assert counts.feeds_ok == (1 if counters else 0)
    assert counts.dead_letter_total == (5 if counters else 0)


PHASES = {
    "poll": (["Feeds/Impulse", "PollFeeds/KeyByHost"], "polling feeds"),
    "poll-fused-with-keying": (
        ["PollFeeds/GroupByHost/Read", "FetchArticles/KeyByCanonicalUrl", "AllWrites"],
        "polling feeds",
    ),
    "fetch": (
        ["FetchArticles/GroupByHost/Read", "FetchArticles/FetchPolitely", "AllDeadLetters"],
        "fetching articles",
    ),
    "extract-fused": (
        [
            "FetchArticles/MarkSyndicatedCopies",
            "NormalizeArabic/Fold",
            "DetectCalls/Detect",
            "ExtractCallReport/ExtractFields",
            "MergeCalls/KeyByLeaderPair",
        ],
        "extracting call reports",
    ),
    "merge": (["MergeCalls/GroupByPair/Read", "MergeCalls/ClusterIntoCalls"], "merging calls"),
    "write": (["WriteToWarehouse/WriteOneTransaction"], "writing to the warehouse"),
    "side-input": (["KnownArticleIds/Impulse"], None),
}


@pytest.mark.parametrize(("names", "phase"), PHASES.values(), ids=PHASES.keys())
def test_phase_names_the_stage(names: list[str], phase: str | None) -> None:
    assert phase_of(names) == phase


def test_summary_text_and_json() -> None:
    counts = RunCounts(2, 2, 1, 0, 0, 0, 7, 5, 1, 1, 1, (("poll_feed", 1),))
    summary = RunSummary("run-1", "duckdb:///w.duckdb", counts, 3.25)
    text = summary.to_text()
    assert text.splitlines()[0] == "hotline run run-1 -> duckdb:///w.duckdb"
    assert "  feeds polled           2 of 2" in text
    assert "  feeds failed           1" in text
    assert "  new call reports       1" in text
    assert "    at poll_feed          1" in text
    assert text.splitlines()[-1] == "  elapsed                3.2 s"
    assert "status" not in text
    line = summary.to_json()
    assert line["status"] == "ok" and line["feeds"]["ok"] == 1 and line["feeds"]["failed"] == 1
    assert line["dead_letters"] == {"total": 1, "by_stage": {"poll_feed": 1}}
    failed = RunSummary("run-1", "w", counts, 1.0, error="cannot open the warehouse").to_json()
    assert (failed["status"], failed["error"]) == ("failed", "cannot open the warehouse")


# ------------------------------------------------------------------------------ displays ----


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def snap(phase: str, at: float, polled: int = 0, articles: int = 0) -> Snapshot:
    return Snapshot(phase, RunCounts(feeds_total=4, feeds_polled=polled, new_articles=articles), at)


def test_display_is_chosen_by_flags_and_terminal() -> None:
    assert isinstance(choose_display(False, "text", False, FakeTerminal()), TerminalDisplay)
    assert isinstance(choose_display(False, "text", True, FakeTerminal()), LineDisplay)  # -v
    assert type(choose_display(False, "text", False, io.StringIO())) is LineDisplay
    assert isinstance(choose_display(False, "json", False, FakeTerminal()), JsonDisplay)
    assert type(choose_display(True, "json", False, FakeTerminal())) is progress.Display
    with pytest.raises(ValueError, match="--log-format"):
        choose_display(False, "xml", False, io.StringIO())


def test_line_display_prints_changes_and_heartbeats_only() -> None:
    out = io.StringIO()
    shown = LineDisplay(out, heartbeat_s=30)
    shown.show(snap("polling feeds", 0.1), changed=True)
    shown.show(snap("polling feeds", 5.0), changed=False)  # a tick, nothing new: silent
    shown.show(snap("polling feeds", 6.0, polled=4), changed=True)
    shown.show(snap("polling feeds", 40.0, polled=4), changed=False)  # heartbeat
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    parsed = [PLAIN_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [m["polled"] for m in parsed if m] == ["0", "4", "4"]


def test_terminal_display_rewrites_one_line_and_erases_it() -> None:
    out = FakeTerminal()
    shown = TerminalDisplay(out)
    shown.show(snap("fetching articles", 1.0, polled=4, articles=3), changed=True)
    shown.show(snap("fetching articles", 1.1, polled=4, articles=3), changed=False)
    shown.close(snap("fetching articles", 1.2))
    text = out.getvalue()
    assert "\n" not in text
    assert text.count("\r\x1b[2K") == 3 and text.endswith("\r\x1b[2K")
    assert "fetching articles · feeds 4/4 polled · 3 articles fetched" in text


def test_json_display_and_log_records_are_json_lines() -> None:
    out = io.StringIO()
    JsonDisplay(out).show(snap("polling feeds", 0.5, polled=2), changed=True)
    event = json.loads(out.getvalue())
    assert event["event"] == "progress" and event["feeds_polled"] == 2 and event["feeds_total"] == 4
    record = logging.LogRecord(
        "transforms.feeds", logging.WARNING, __file__, 1, "feed %s: «%s»", ("x", "خبر"), None
    )
    line = json.loads(JsonLogFormatter().format(record))
    assert line == {**line, "level": "WARNING", "event": "log", "logger": "transforms.feeds",
                    "message": "feed x: «خبر»"}  # fmt: skip


def test_json_logs_are_put_back_after_the_run() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    before = logging.Formatter("%(message)s")
    handler.setFormatter(before)
    root.addHandler(handler)
    try:
        restore = progress.use_json_logs()
        assert isinstance(handler.formatter, JsonLogFormatter)
        restore()
        assert handler.formatter is before
    finally:
        root.removeHandler(handler)


# ------------------------------------------------------------------------------- monitor ----


def test_direct_batch_runs_get_the_progress_runner() -> None:
    monitor = RunMonitor("r", "w", 1, progress.Display(), io.StringIO())
    assert isinstance(monitor.runner(PipelineOptions([])), ProgressRunner)
    assert isinstance(monitor.runner(PipelineOptions(["--runner=DirectRunner"])), ProgressRunner)
    assert monitor.runner(PipelineOptions(["--runner=DataflowRunner"])) is None
    assert monitor.runner(PipelineOptions(["--streaming"])) is None


class FakeMetrics:
    def __init__(self, polled: int) -> None:
        self.polled = polled

    def query(self, _filter: Any = None) -> dict[str, list[Any]]:
        class Key:
            class metric:  # as Beam's MetricKey.metric
                namespace, name = "feeds", "polled"

        class Result:
            key, committed, attempted = Key, self.polled, self.polled

        return {"counters": [Result], "distributions": [], "gauges": []}


class RemoteResult:
    """A job on a remote runner: RUNNING for two polls, then DONE."""

    def __init__(self) -> None:
        self.polls = 0

    @property
    def state(self) -> str:
        return PipelineState.DONE if self.polls >= 2 else PipelineState.RUNNING

    def metrics(self) -> FakeMetrics:
        self.polls += 1
        return FakeMetrics(self.polls)

    def wait_until_finish(self) -> str:
        return PipelineState.DONE


def test_a_remote_job_is_polled_for_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "POLL_SECONDS", 0.01)
    lines, out = io.StringIO(), io.StringIO()
    monitor = RunMonitor("r", "dataflow", 4, LineDisplay(lines), out)

    class Pipeline:
        def run(self) -> RemoteResult:
            return RemoteResult()

    monitor.run(Pipeline())
    assert [m["polled"] for m in map(PLAIN_LINE.match, lines.getvalue().splitlines()) if m] == [
        "0",
        "1",
        "2",
        "3",
    ]
    assert monitor.finish().counts.feeds_polled == 3


def test_a_failed_run_still_ends_with_a_summary() -> None:
    out = io.StringIO()
    monitor = RunMonitor("r", "duckdb:///w.duckdb", 2, progress.Display(), out)

    class Pipeline:
        def run(self) -> None:
            raise WarehouseError("cannot open DuckDB warehouse: locked")

    with pytest.raises(WarehouseError):
        monitor.run(Pipeline())
    monitor.finish(error="cannot open DuckDB warehouse: locked")
    text = out.getvalue()
    assert "  status                 FAILED: cannot open DuckDB warehouse: locked" in text
    assert "  feeds polled           0 of 2" in text


# ------------------------------------------------------------------- hotline run, end to end ----


def run_seed(tmp_path: Path, *flags: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    out = io.StringIO()
    url = f"duckdb:///{tmp_path}/w.duckdb"
    argv = ["run", "--feeds", str(SEEDS / "feeds.yaml"), "--warehouse", url, *flags]
    assert cli.main(argv, out=out) == 0
    return out.getvalue(), capsys.readouterr().err


@pytest.mark.slow
def test_run_off_a_terminal_prints_plain_progress_lines_then_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run_seed(tmp_path, capsys=capsys)
    lines = [m for m in map(PLAIN_LINE.match, err.splitlines()) if m]
    assert lines, err
    assert len(lines) == len(err.splitlines()), err  # nothing else on stderr
    assert {"polling feeds", "extracting call reports", "writing to the warehouse"} <= {
        m["phase"] for m in lines
    }
    last = lines[-1]
    assert (last["polled"], last["total"], last["articles"], last["reports"]) == (
        "1",
        "1",
        "4",
        "1",
    )
    polled = [int(m["polled"]) for m in lines]
    assert polled == sorted(polled)  # counts only go up
    assert "\x1b" not in err
    summary = out.splitlines()
    assert summary[0].startswith("hotline run run-") and summary[-1].startswith("  elapsed")
    for label in SUMMARY_LABELS:
        assert any(line.startswith(f"  {label} ") for line in summary), label
    assert "  new call reports       1" in out and "  new articles           4" in out


@pytest.mark.slow
def test_quiet_prints_only_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run_seed(tmp_path, "--quiet", capsys=capsys)
    assert err == ""
    assert "  new call reports       1" in out and out.splitlines()[-1].startswith("  elapsed")


@pytest.mark.slow
def test_log_format_json_lines_parse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run_seed(tmp_path, "--log-format", "json", capsys=capsys)
    events = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert events and all(e["event"] in ("progress", "log") for e in events)
    progress_events = [e for e in events if e["event"] == "progress"]
    assert progress_events[-1]["call_reports_found"] == 1
    assert progress_events[-1]["feeds_polled"] == progress_events[-1]["feeds_total"] == 1
    (summary,) = [json.loads(line) for line in out.splitlines()]
    assert summary["event"] == "summary" and summary["status"] == "ok"
    assert summary["feeds"] == {
        "total": 1, "polled": 1, "ok": 1, "failed": 0, "not_modified": 0, "not_due": 0,
        "deferred": 0,
    }  # fmt: skip
    assert (
        summary["new_articles"],
        summary["new_call_reports"],
        summary["calls_new_or_updated"],
    ) == (
        4,
        1,
        1,
    )
    assert summary["dead_letters"] == {"total": 0, "by_stage": {}}
    assert summary["elapsed_s"] > 0
