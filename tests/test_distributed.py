"""Ready for a distributed runner: no process-local state, every DoFn pickles, the package ships.

* The batch pipeline runs on two worker processes (``--direct_num_workers=2
  --direct_running_mode=multi_processing``) with the same result as in one process, and one
  DuckDB writer (a second writing process would fail on the file lock).
* The batch and streaming graphs, built with DataflowRunner options (not run), survive the
  runner API round trip, and every DoFn in them unpickles and pickles again (no lock, socket,
  client or connection captured at construction).
* The wheel that ``--setup_file`` builds for the workers holds both packages and their data.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.internal import pickler
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability import common_urns, python_urns
from apache_beam.portability.api import beam_runner_api_pb2

from pipeline.config import load_feeds
from pipeline.graph import StartState, build
from pipeline.records import FeedSpec, RunContext
from pipeline.streaming import ON_THIS_MACHINE, build_streaming, is_local, runner_name
from pipeline.warehouse import open_warehouse
from tests.conftest import ROOT, write_feeds_yaml
from tests.servers import StaticServer
from transforms.fetch import FetchLimits

CTX = RunContext(run_id="dist", started_at=dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC))
LIMITS = FetchLimits(host_delay=0)
DATAFLOW = [
    "--runner=DataflowRunner",
    "--project=hotline-test",
    "--region=europe-west1",
    "--temp_location=gs://hotline-test/tmp",
    f"--setup_file={ROOT / 'setup.py'}",
    "--dry_run=True",  # build only: Beam would otherwise look the temp bucket up on GCS
]
FEEDS = [FeedSpec("https://www.example.com/ar/rss.xml", "مثال"), FeedSpec("file:///f.xml", "F")]
START = StartState(
    known_article_ids=frozenset({"0123456789abcdef"}),
    known_fingerprints={"mh1:abc": "0123456789abcdef"},
    feed_states={"https://www.example.com/ar/rss.xml": {"etag": '"x"', "last_status": "ok"}},
    stored_reports=[
        {"report_id": "r", "us_leader": "Joe Biden", "russian_leader": "Vladimir Putin"}
    ],
)


class _PidFn(beam.DoFn):
    """Writes the pid of the process it runs in (to show the work left the test process)."""

    def __init__(self, folder: str) -> None:
        self._folder = folder

    def process(self, x: Any) -> None:
        Path(self._folder, str(os.getpid())).touch()


@pytest.mark.slow
def test_batch_pipeline_on_two_worker_processes(
    seed_server: StaticServer, tmp_path: Path, lexicon: Any
) -> None:
    feeds = load_feeds(
        str(write_feeds_yaml(tmp_path / "f.yaml", [(seed_server.url("/seed-feed.xml"), "Nile")]))
    )
    url = f"duckdb:///{tmp_path}/w.duckdb"
    open_warehouse(url).close()
    pids = tmp_path / "pids"
    pids.mkdir()
    options = PipelineOptions(["--direct_num_workers=2", "--direct_running_mode=multi_processing"])
    with beam.Pipeline(options=options) as p:
        build(p, feeds, lexicon, CTX, url, StartState(), LIMITS)
        _ = (
            p
            | "Probe" >> beam.Create(range(16))
            | "Spread" >> beam.Reshuffle()
            | "Pid" >> beam.ParDo(_PidFn(str(pids)))
        )
    assert {int(n) for n in os.listdir(pids)} - {os.getpid()}, "nothing ran in a worker process"
    with open_warehouse(url) as wh:
        counts = {t: wh.count(t) for t in ("articles", "call_reports", "calls", "feed_state")}
        (report,) = wh.rows("SELECT call_id, call_status, requested_by FROM call_reports")
        errors = wh.count("ingest_errors")
    assert counts == {"articles": 4, "call_reports": 1, "calls": 1, "feed_state": 1}
    assert report == {
        "call_id": "biden-putin-2021-12-30",
        "call_status": "scheduled",
        "requested_by": "russia",
    }
    assert errors == 0


def _dofns(proto: beam_runner_api_pb2.Pipeline) -> dict[str, Any]:
    """The pickled DoFn of every ParDo in a pipeline proto, unpickled."""
    out = {}
    for tid, t in proto.components.transforms.items():
        if t.spec.urn != common_urns.primitives.PAR_DO.urn:
            continue
        payload = beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload)
        if payload.do_fn.urn != python_urns.PICKLED_DOFN_INFO:
            continue
        out[t.unique_name or tid] = pickler.loads(payload.do_fn.payload)[0]
    return out


def _check_graph(p: beam.Pipeline) -> dict[str, Any]:
    proto = p.to_runner_api()
    again = beam.Pipeline.from_runner_api(proto, p.runner, p._options).to_runner_api()
    assert set(again.components.transforms) == set(proto.components.transforms)
    fns = _dofns(again)
    for name, fn in fns.items():
        clone = pickler.loads(pickler.dumps(fn))
        assert type(clone) is type(fn), name
    return fns


def test_batch_graph_for_dataflow_round_trips_and_pickles(lexicon: Any) -> None:
    p = beam.Pipeline(options=PipelineOptions(DATAFLOW))
    build(p, FEEDS, lexicon, CTX, "bigquery://hotline-test/hotline", START, LIMITS)
    fns = _check_graph(p)
    names = {type(fn).__name__ for fn in fns.values()}
    assert {"FetchHostsFn", "ExtractCallReportFn", "MergePairFn", "WriteBatchFn"} <= names


def test_streaming_graph_for_dataflow_round_trips_and_pickles(lexicon: Any) -> None:
    p = beam.Pipeline(options=PipelineOptions([*DATAFLOW, "--streaming"]))
    build_streaming(
        p, FEEDS, lexicon, CTX, "bigquery://hotline-test/hotline", START, LIMITS,
        interval=60, start_at=1.8e9, stop_at=None, stop_file=None,
    )  # fmt: skip
    fns = _check_graph(p)
    names = {type(fn).__name__ for fn in fns.values()}
    stateful = {"PollFeedFn", "DropSeenItemsFn", "LinkCopiesFn", "MergeEachReportFn"}
    assert stateful | {"TickFn", "FetchEachBundleFn", "WriteBundleFn"} <= names


@pytest.mark.slow
def test_the_worker_package_ships_both_packages_and_their_data(tmp_path: Path) -> None:
    src = tmp_path / "src"  # a copy: setuptools builds in the source tree (build/, *.egg-info)
    skip = shutil.ignore_patterns(".*", "__pycache__", "build", "*.egg-info", "*.duckdb*")
    for name in ("pipeline", "transforms"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    if not (src / "README.md").exists():
        (src / "README.md").write_text("hotline\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(src)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("hotline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "pipeline/streaming.py",
        "pipeline/warehouse/sink.py",
        "pipeline/feeds/catalogue.yaml",
        "pipeline/queries/calls.sql",
        "transforms/ticks.py",
        "transforms/lexicons/leaders.yaml",
        "transforms/lexicons/calls.yaml",
        "transforms/lexicons/topics.yaml",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.parametrize(
    ("flags", "local", "here"),
    [
        ([], True, True),
        (["--runner=DirectRunner"], True, True),
        (["--runner=PrismRunner"], False, True),
        (["--runner=DataflowRunner"], False, False),
        (["--runner=FlinkRunner"], False, False),
    ],
    ids=["default", "direct", "prism", "dataflow", "flink"],
)
def test_streaming_runner_choice(flags: list[str], local: bool, here: bool) -> None:
    """FnApiRunner (no expiry timers) for the DirectRunner; wait here also for Prism."""
    options = PipelineOptions(flags)
    assert is_local(options) is local
    assert (runner_name(options) in ON_THIS_MACHINE) is here
