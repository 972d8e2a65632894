"""Pipeline benchmarks (``make bench``): throughput, memory and streaming latency.

(a) batch, summaries only: ``--items`` generated feed items (100 per feed, 2 % call reports,
    items without links) served over HTTP by 20 local hosts, through the whole graph into a
    fresh DuckDB file. Items/s, peak RSS, and the time of each stage (Beam's own per-transform
    execution-time metrics, msec).
(b) the same with article pages: every item links to its page, which is fetched and extracted.
(c) streaming: ``hotline run --streaming`` on a local feed that publishes a new call report every
    few seconds for a minute; publish -> warehouse-row latency p50/p95/max, as a reader of the
    DuckDB file sees it.

Each run is a separate process (clean peak RSS), and so is the HTTP server (it does not share
the pipeline's GIL). Politeness is off (``host_delay=0``): with the default 1 s between two
requests to a host, (b) would measure the delay, not the pipeline.

    python -m bench.pipeline_bench                 # (a), (b), (c) at the default sizes
    python -m bench.pipeline_bench --only a --items 100000  # (a) at 100k (peak RSS <= 1 GB)
    python -m bench.pipeline_bench --only c --poll-interval 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import logging
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from arabic_corpus import Corpus  # noqa: E402  (bench/ is a folder of scripts, not a package)

TARGETS = {"a": 500.0, "b": 100.0}  # items/s, pages/s
RSS_TARGET_MB = 1024
HOSTS = 20

# ------------------------------------------------------------------------------------------
# The HTTP server (its own process)
# ------------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    live: ClassVar[dict[str, Any]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        host = str(self.server.server_address[1])  # type: ignore[index]
        path = self.path.split("?", 1)[0]
        if path == "/live.xml" and self.live:
            body, ctype = _live_feed(self.live, host), "application/rss+xml; charset=utf-8"
        else:
            body = self.routes.get(f"{host}{path}", b"")
            ctype = "application/rss+xml" if path.endswith(".xml") else "text/html; charset=utf-8"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _live_feed(live: dict[str, Any], port: str) -> bytes:
    """The streaming feed: ``news`` ordinary items, plus report k from ``t0 + k * every``."""
    corpus: Corpus = live["corpus"]
    due = int((time.time() - live["t0"]) // live["every"]) + 1 if time.time() >= live["t0"] else 0
    reports = live["reports"][: max(0, min(due, len(live["reports"])))]
    base = f"http://127.0.0.1:{port}"
    return corpus.live_xml(live["news"], reports, base)


class _ThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve(args: argparse.Namespace) -> None:
    """Start ``HOSTS`` servers, print their ports as one JSON line, serve until killed."""
    servers = [_ThreadingServer(("127.0.0.1", 0), _Handler) for _ in range(args.hosts)]
    ports = [s.server_address[1] for s in servers]
    if args.live:
        corpus = Corpus(feeds=1, items_per_feed=20, pages=True)
        _Handler.live = {
            "corpus": corpus,
            "t0": args.t0,
            "every": args.every,
            "news": [it for it in corpus.items(0) if not it.is_report],
            "reports": corpus.live_reports(args.count),
        }
        _Handler.routes = corpus.live_routes(str(ports[0]), _Handler.live)
    else:
        corpus = Corpus(args.feeds, 100, hosts=args.hosts, pages=args.pages)
        _Handler.routes = corpus.routes({h: str(port) for h, port in enumerate(ports)})
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(json.dumps({"ports": ports}), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def start_server(*extra: str) -> tuple[subprocess.Popen[str], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", *extra], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    ports = json.loads(proc.stdout.readline())["ports"]
    return proc, ports


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# ------------------------------------------------------------------------------------------
# (a) and (b): one batch run (its own process)
# ------------------------------------------------------------------------------------------


def stage_msecs(result: Any) -> dict[str, int]:
    """Execution time per top-level stage, from the runner's per-transform msec counters."""
    out: dict[str, int] = {}
    for c in result.monitoring_metrics().query()["counters"]:
        if "ptransform_execution_time:total_msecs" not in c.key.metric.name:
            continue
        stage = (c.key.step or "").split("/", 1)[0]
        if stage.startswith("ref_") or not stage:
            continue
        out[stage] = out.get(stage, 0) + int(c.committed or 0)
    return out


def run_batch(args: argparse.Namespace) -> None:
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    from pipeline.graph import StartState, build
    from pipeline.records import FeedSpec, RunContext
    from pipeline.warehouse import open_warehouse
    from transforms.fetch import FetchLimits
    from transforms.lexicon import load_lexicon

    for noisy in ("apache_beam", "trafilatura", "htmldate", "httpx", "transforms"):
        logging.getLogger(noisy).setLevel(logging.ERROR)  # as `hotline run` does
    ports = json.loads(args.ports)
    corpus = Corpus(args.feeds, 100, hosts=len(ports))
    feeds = [
        FeedSpec(f"http://127.0.0.1:{ports[corpus.host_of(f)]}/feeds/{f}.xml", f"Outlet {f}")
        for f in range(args.feeds)
    ]
    workdir = tempfile.mkdtemp(prefix="hotline-bench-")
    url = f"duckdb:///{workdir}/bench.duckdb"
    open_warehouse(url).close()
    ctx = RunContext("bench", dt.datetime.now(dt.UTC).replace(microsecond=0))
    limits = FetchLimits(host_delay=0, read_timeout=30, deadline=60)
    options = PipelineOptions(args.beam_args.split() if args.beam_args else [])
    lexicon = load_lexicon()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    p = beam.Pipeline(runner=FnApiRunner(), options=options)
    build(p, feeds, lexicon, ctx, url, StartState(), limits, allow_private=True)
    result = p.run()
    result.wait_until_finish()
    elapsed = time.monotonic() - t0

    def counter(ns: str, name: str) -> int:
        flt = MetricsFilter().with_namespace(ns).with_name(name)
        return sum(int(c.committed or 0) for c in result.metrics().query(flt)["counters"])

    with open_warehouse(url) as wh:
        rows = {t: wh.count(t) for t in ("articles", "call_reports", "calls", "ingest_errors")}
    shutil.rmtree(workdir, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "elapsed_s": elapsed,
                "items": counter("feeds", "items"),
                "from_page": counter("articles", "from_page"),
                "call_reports": counter("extract", "call_reports"),
                "rows": rows,
                "stages_ms": stage_msecs(result),
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "rss_at_start_mb": rss_before / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    )


def batch_scenario(name: str, items: int, pages: bool, beam_args: str = "") -> dict[str, Any]:
    feeds = max(1, items // 100)
    server, ports = start_server("--feeds", str(feeds), "--hosts", str(HOSTS),
                                 *(["--pages"] if pages else []))  # fmt: skip
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--run-batch", "--feeds", str(feeds),
             "--ports", json.dumps(ports), "--beam-args", beam_args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        stop(server)
    if out.returncode != 0:
        raise SystemExit(f"benchmark ({name}) failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_batch(label: str, r: dict[str, Any], unit: str, target: float | None) -> None:
    count = r["from_page"] if unit == "pages" else r["items"]
    rate = count / r["elapsed_s"]
    verdict = ""
    if target is not None:
        verdict = f"  (target >= {target:g}: {'met' if rate >= target else 'MISSED'})"
    print(f"\n{label}")
    print(f"  {count} {unit} in {r['elapsed_s']:.1f} s = {rate:.0f} {unit}/s{verdict}")
    print(f"  items {r['items']}, call reports {r['call_reports']}, rows {r['rows']}")
    print(f"  peak RSS {r['peak_rss_mb']:.0f} MB (after imports {r['rss_at_start_mb']:.0f} MB), "
          f"CPU {r['cpu_s']:.1f} s")  # fmt: skip
    if r.get("worker_peak_rss_mb"):
        print(f"  largest worker process: peak RSS {r['worker_peak_rss_mb']:.0f} MB")
    total = sum(r["stages_ms"].values()) or 1
    print("  time by stage (Beam execution-time metrics):")
    for stage, ms in sorted(r["stages_ms"].items(), key=lambda kv: -kv[1]):
        if ms >= total * 0.005:
            print(f"    {stage:<22} {ms / 1000:7.1f} s  {100 * ms / total:5.1f} %")


# ------------------------------------------------------------------------------------------
# (c) streaming latency
# ------------------------------------------------------------------------------------------


def streaming_scenario(interval: float, every: float, duration: float) -> dict[str, Any]:
    from pipeline.warehouse import WarehouseError, open_warehouse

    count = int(duration // every)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-stream-"))
    db = workdir / "stream.duckdb"
    t0 = time.time() + 8  # the first report goes out once the pipeline runs
    server, ports = start_server("--live", "--hosts", "1", "--t0", str(t0),
                                 "--every", str(every), "--count", str(count))  # fmt: skip
    feeds = workdir / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: http://127.0.0.1:{ports[0]}/live.xml\n    outlet: Live\n")
    runtime = (t0 - time.time()) + duration + interval + 10
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--streaming", "--poll-interval", str(interval),
         "--max-runtime", f"{runtime:.0f}", "--feeds", str(feeds), "--warehouse",
         f"duckdb:///{db}", "--host-delay", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: dict[str, float] = {}
    try:
        while proc.poll() is None:
            time.sleep(0.2)
            if not db.exists():
                continue
            try:
                with open_warehouse(f"duckdb:///{db}", read_only=True) as wh:
                    urls = [r[0] for r in wh.query("SELECT url FROM call_reports")[1]]
            except WarehouseError:
                continue  # the writer holds the file for a moment
            now = time.time()
            for u in urls:
                seen.setdefault(u, now)
        _, err = proc.communicate()
    finally:
        stop(server)
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark (c) failed:\n{err[-4000:]}")
    latencies = []
    for u, at in seen.items():
        k = int(u.rsplit("/live-", 1)[1].split(".", 1)[0])
        latencies.append(at - (t0 + k * every))
    return {"published": count, "stored": len(seen), "latencies": sorted(latencies)}


def report_streaming(r: dict[str, Any], interval: float, every: float) -> None:
    lat = r["latencies"]
    print(f"\n(c) streaming, --poll-interval {interval:g}: a call report published every "
          f"{every:g} s for a minute")  # fmt: skip
    print(f"  {r['stored']} of {r['published']} reports stored")
    if lat:
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        ok = "met" if p95 <= interval + 5 else "MISSED"
        print(f"  publish -> warehouse row: p50 {statistics.median(lat):.1f} s, p95 {p95:.1f} s, "
              f"max {lat[-1]:.1f} s  (target p95 <= {interval + 5:g} s: {ok})")  # fmt: skip


# ------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--items", type=int, default=10_000, help="feed items for (a) and (b)")
    ap.add_argument("--page-items", type=int, default=None, help="items for (b) (default --items)")
    ap.add_argument("--only", default="abc", help="which benchmarks: any of a, b, c")
    ap.add_argument("--poll-interval", type=float, default=5.0, help="(c) poll interval, s")
    ap.add_argument("--every", type=float, default=3.0, help="(c) seconds between two reports")
    ap.add_argument("--duration", type=float, default=60.0, help="(c) publishing time, s")
    ap.add_argument("--beam-args", default="", help="Beam flags for (a) and (b)")
    # internal: the server and the batch run, each in its own process
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--run-batch", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--live", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--feeds", type=int, default=100, help=argparse.SUPPRESS)
    ap.add_argument("--hosts", type=int, default=HOSTS, help=argparse.SUPPRESS)
    ap.add_argument("--ports", default="[]", help=argparse.SUPPRESS)
    ap.add_argument("--t0", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=20, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args)
    if args.run_batch:
        return run_batch(args)
    print(f"hotline pipeline benchmarks ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    if "a" in args.only:
        r = batch_scenario("a", args.items, pages=False, beam_args=args.beam_args)
        report_batch(f"(a) batch, {args.items} feed items, summaries only", r, "items",
                     TARGETS["a"])  # fmt: skip
        if args.items >= 100_000:
            ok = "met" if r["peak_rss_mb"] <= RSS_TARGET_MB else "MISSED"
            print(f"  peak RSS target <= {RSS_TARGET_MB} MB at 100k items: {ok}")
    if "b" in args.only:
        n = args.page_items or args.items
        r = batch_scenario("b", n, pages=True, beam_args=args.beam_args)
        report_batch(f"(b) batch, {n} feed items with article pages fetched and extracted", r,
                     "pages", TARGETS["b"])  # fmt: skip
    if "c" in args.only:
        r = streaming_scenario(args.poll_interval, args.every, args.duration)
        report_streaming(r, args.poll_interval, args.every)


if __name__ == "__main__":
    main()
