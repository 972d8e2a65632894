"""``hotline run --streaming``, end to end: a live feed over real HTTP into a DuckDB file.

The issue's bar: with ``--poll-interval 5 --max-runtime 40``, a call report that appears in
the feed at second 10 is in the warehouse by second 20; SIGINT/SIGTERM and ``--max-runtime``
stop the run gracefully, with the summary printed.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.warehouse import WarehouseError, open_warehouse
from tests.conftest import ROOT, SEEDS, write_feeds_yaml
from tests.servers import StaticServer

pytestmark = pytest.mark.slow

SEED_FEED = (SEEDS / "seed-feed.xml").read_bytes()
# The feed before the call report is published: the seed feed without its first item.
BEFORE = re.sub(rb"<item>.*?</item>", b"", SEED_FEED, count=1, flags=re.S)
REPORT_GUID = "nile-portal-000_b0d76b5013ea65a7"


def live_feed(srv: StaticServer, publish_at: float) -> None:
    """``/live.xml``: three articles, and the call report from ``publish_at`` (monotonic) on."""

    def handler(h) -> None:  # type: ignore[no-untyped-def]
        body = SEED_FEED if time.monotonic() >= publish_at else BEFORE
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    srv.handle("/live.xml", handler)


def reports_in(url: str) -> list[dict]:
    """The stored call reports, or None while the writer holds the file."""
    try:
        with open_warehouse(url, read_only=True) as wh:
            return wh.rows("SELECT report_id, call_id, ingested_at FROM call_reports")
    except WarehouseError:
        return None  # type: ignore[return-value]


def test_report_published_at_second_10_is_stored_by_second_20_then_sigint_stops(
    seed_server: StaticServer, tmp_path: Path
) -> None:
    feeds = write_feeds_yaml(tmp_path / "feeds.yaml", [(seed_server.url("/live.xml"), "Nile")])
    url = f"duckdb:///{tmp_path}/w.duckdb"
    cmd = [sys.executable, "-m", "pipeline", "run", "--streaming", "--poll-interval", "5",
           "--max-runtime", "40", "--feeds", str(feeds), "--warehouse", url]  # fmt: skip
    t0 = time.monotonic()
    live_feed(seed_server, publish_at=t0 + 10)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        found_at = None
        while time.monotonic() - t0 < 25 and proc.poll() is None:
            if os.path.exists(f"{tmp_path}/w.duckdb") and reports_in(url):
                found_at = time.monotonic() - t0
                break
            time.sleep(0.25)
        if found_at is None:
            proc.kill()
            out, err = proc.communicate()
            reqs = [(p) for p, _ in seed_server.requests]
            pytest.fail(f"the report never reached the warehouse:\n{out}\n{err[-3000:]}\n{reqs}")
        assert 10 <= found_at <= 20, f"stored at second {found_at:.1f}"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert time.monotonic() - t0 < 40  # stopped by the signal, not by --max-runtime
    assert "stopped by             signal" in stdout
    assert "call reports           1" in stdout
    assert "new articles           4" in stdout
    assert "errors                 0" in stdout
    (row,) = reports_in(url)
    assert row["call_id"] == "biden-putin-2021-12-30"
    polls = [p for p, _ in seed_server.requests if p == "/live.xml"]
    assert len(polls) >= 3  # every 5 s
    assert seed_server.requested("/pages/001_putin_erdogan.html") == 1  # fetched once only


def test_max_runtime_stops_the_run_with_a_summary(
    seed_server: StaticServer, tmp_path: Path
) -> None:
    feeds = write_feeds_yaml(tmp_path / "feeds.yaml", [(seed_server.url("/seed-feed.xml"), "N")])
    url = f"duckdb:///{tmp_path}/w.duckdb"
    out = io.StringIO()
    t0 = time.monotonic()
    argv = ["run", "--streaming", "--poll-interval", "1", "--max-runtime", "4", "--host-delay", "0",
            "--feeds", str(feeds), "--warehouse", url]  # fmt: skip
    assert cli.main(argv, out=out) == 0
    assert time.monotonic() - t0 < 15
    text = out.getvalue()
    assert "stopped by             max-runtime" in text
    assert "call reports           1" in text
    assert "new articles           4" in text
    polled = int(re.search(r"feeds polled\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    assert 2 <= polled <= 4
    with open_warehouse(url) as wh:
        assert wh.count("articles") == 4
        assert wh.count("calls") == 1
        (state,) = wh.rows("SELECT last_status, items_seen FROM feed_state")
    assert state["last_status"] == "ok"
    assert state["items_seen"] == 4 * polled


def test_bad_streaming_flags_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = write_feeds_yaml(tmp_path / "feeds.yaml", [("file:///nonexistent.xml", "x")])
    url = f"duckdb:///{tmp_path}/w.duckdb"
    base = ["run", "--streaming", "--feeds", str(feeds), "--warehouse", url]
    assert cli.main([*base, "--poll-interval", "0"]) == 2
    assert "--poll-interval" in capsys.readouterr().err
    assert cli.main([*base, "--max-runtime", "-1"]) == 2
    assert "--max-runtime" in capsys.readouterr().err
