"""The ``hotline`` command: ``run``, ``query``, ``extract``.

Exit codes: 0 success (also when some feeds failed: they are recorded in ``ingest_errors``),
2 bad usage or configuration (bad flag, feeds file, warehouse URL), 3 the warehouse is unusable,
1 an unexpected failure of the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pipeline import progress, queries
from pipeline.config import ConfigError, load_feeds
from pipeline.options import HotlineOptions
from pipeline.records import RunContext
from pipeline.warehouse import DEFAULT_WAREHOUSE, WarehouseError, open_warehouse

_LOGGER = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WAREHOUSE = 0, 1, 2, 3


def _err(msg: str) -> None:
    print(f"hotline: {msg}", file=sys.stderr)


# ---------------------------------------------------------------------------------- run ----


def _counter(result: Any, namespace: str, name: str | None = None) -> int:
    from apache_beam.metrics.metric import MetricsFilter

    flt = MetricsFilter().with_namespace(namespace)
    if name:
        flt = flt.with_name(name)
    total = 0
    for c in result.metrics().query(flt)["counters"]:
        total += int(c.committed if c.committed is not None else c.attempted or 0)
    return total


def _dead_letters_by_stage(result: Any) -> dict[str, int]:
    from apache_beam.metrics.metric import MetricsFilter

    out: dict[str, int] = {}
    for c in result.metrics().query(MetricsFilter().with_namespace("deadletter"))["counters"]:
        name = c.key.metric.name
        out[name] = out.get(name, 0) + int(
            c.committed if c.committed is not None else c.attempted or 0
        )
    return out


def print_summary(
    result: Any,
    ctx: RunContext,
    warehouse_url: str,
    elapsed: float,
    out: TextIO,
    extra: dict[str, Any] | None = None,
) -> None:
    """The run summary (batch and streaming): counters of the finished pipeline."""
    dead = _dead_letters_by_stage(result)
    summary = {
        "feeds polled": _counter(result, "feeds", "polled"),
        "feeds failed": _counter(result, "feeds", "failed"),
        "feeds not modified": _counter(result, "feeds", "not_modified"),
        "items seen": _counter(result, "feeds", "items"),
        "feeds not due": _counter(result, "feeds", "not_due"),
        "new articles": _counter(result, "articles", "new"),
        "syndicated copies": _counter(result, "articles", "syndicated"),
        "call reports": _counter(result, "extract", "call_reports"),
        "calls new or updated": _counter(result, "merge", "calls"),
        "errors": sum(dead.values()),
        **(extra or {}),
    }
    print(f"hotline run {ctx.run_id} -> {warehouse_url}", file=out)
    for k, v in summary.items():
        print(f"  {k:<22} {v}", file=out)
    for stage, n in sorted(dead.items()):
        print(f"    dead letters at {stage:<14} {n}", file=out)
    print(f"  {'elapsed':<22} {elapsed:.1f} s", file=out)


def cmd_run(args: argparse.Namespace, beam_args: list[str], out: TextIO) -> int:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

    from pipeline.graph import StartState, build
    from pipeline.health import known_fingerprints
    from pipeline.options import fetch_limits
    from transforms.lexicon import load_lexicon

    try:
        feeds = load_feeds(args.feeds)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE
    with open_warehouse(args.warehouse, endpoint=args.bigquery_endpoint) as wh:
        start = StartState(
            known_article_ids=wh.known_article_ids(),
            known_fingerprints=known_fingerprints(wh),
            feed_states=wh.feed_states(),
            stored_reports=wh.call_reports_for_merge(),
        )
        warehouse_url = wh.url
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ctx = RunContext(
        run_id=args.run_id or started.strftime("run-%Y%m%dT%H%M%SZ"), started_at=started
    )
    limits = fetch_limits(args)
    lexicon = load_lexicon()
    options = PipelineOptions(beam_args)
    options.view_as(StandardOptions).streaming = False
    if args.streaming:
        from pipeline.streaming import run_streaming

        def summarize(result: Any, elapsed: float, extra: dict[str, Any]) -> None:
            print_summary(result, ctx, warehouse_url, elapsed, out, extra)

        return run_streaming(
            args, options, feeds, lexicon, ctx, warehouse_url, start, limits, out, summarize
        )
    monitor = progress.RunMonitor.for_args(
        args,
        run_id=ctx.run_id,
        warehouse=warehouse_url,
        feeds_total=len(feeds),
        out=out,
        err=sys.stderr,
    )
    p = beam.Pipeline(runner=monitor.runner(options), options=options)
    build(
        p,
        feeds,
        lexicon,
        ctx,
        warehouse_url,
        start,
        limits,
        args.allow_private_networks,
        force=args.force,
    )
    try:
        monitor.run(p)
    except WarehouseError as exc:
        monitor.finish(error=str(exc))
        _err(str(exc))
        return EXIT_WAREHOUSE
    monitor.finish()
    return EXIT_OK


# -------------------------------------------------------------------------------- query ----


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """A plain text table, cells cut at ``max_width`` characters."""

    def cell(v: Any) -> str:
        if v is None:
            s = ""
        elif isinstance(v, dt.datetime):
            s = v.strftime("%Y-%m-%d %H:%M")
        elif isinstance(v, list | tuple):
            s = ", ".join(cell(x) for x in v)
        elif isinstance(v, float):
            s = f"{v:.3g}"
        else:
            s = str(v)
        s = " ".join(s.split())
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cell(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    if args.list:
        for q in queries.all_queries():
            print(f"{q.name:<24} {q.question}", file=out)
        return EXIT_OK
    if not args.sql:
        _err("query: give SQL or a query name (hotline query --list)")
        return EXIT_USAGE
    named = queries.get(args.sql)
    with open_warehouse(args.warehouse, read_only=True, endpoint=args.bigquery_endpoint) as wh:
        cols, rows = wh.query(named.sql_for(wh.dialect) if named else args.sql)
    if args.format == "json":
        for r in rows:
            print(
                json.dumps(dict(zip(cols, r, strict=True)), ensure_ascii=False, default=str),
                file=out,
            )
    else:
        print(format_table(cols, rows), file=out)
    return EXIT_OK


# ------------------------------------------------------------------------------ extract ----


def _null_line(article_id: Any, error: str) -> dict[str, Any]:
    from pipeline.records import Extraction

    line = Extraction(False, 0.0, reason=None).to_json(article_id)
    line["error"] = error
    return line


def cmd_extract(stdin: TextIO, out: TextIO) -> int:
    from transforms.extract import analyze_article, article_from_json
    from transforms.lexicon import load_lexicon

    lexicon = load_lexicon()
    failures = 0
    for lineno, raw in enumerate(stdin, start=1):
        if not raw.strip():
            continue
        article_id: Any = None
        try:
            obj = json.loads(raw)
            article_id = obj.get("id") if isinstance(obj, dict) else None
            article = article_from_json(obj)
            _, ex = analyze_article(lexicon, article)
            line = ex.to_json(article_id)
        except (ValueError, TypeError) as exc:
            failures += 1
            _err(f"extract: line {lineno}: {exc}")
            line = _null_line(article_id, f"{exc.__class__.__name__}: {exc}")
        print(json.dumps(line, ensure_ascii=False), file=out, flush=False)
    out.flush()
    return EXIT_OK


# --------------------------------------------------------------------------------- main ----


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Arabic news reports of White House-Kremlin calls, as warehouse rows.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="poll the feeds once and write what is new to the warehouse",
        description="One incremental poll cycle. Unknown flags go to Beam "
        "(e.g. --runner, --direct_num_workers).",
    )
    HotlineOptions._add_argparse_args(run)  # one definition of the flags, shared with Beam
    progress.add_arguments(run)  # --quiet, --log-format
    run.add_argument(
        "--streaming",
        action="store_true",  # Beam's own flag: not in HotlineOptions
        help="poll forever, every --poll-interval seconds (Beam streaming)",
    )

    query = sub.add_parser("query", help="run SQL or a named query against the warehouse")
    query.add_argument("sql", nargs="?", help="SQL text or the name of a query (see --list)")
    query.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.add_argument("--format", choices=("table", "json"), default="table")
    query.add_argument("--bigquery-endpoint", default=None, help="BigQuery emulator URL")

    sub.add_parser(
        "extract", help="JSON lines of articles on stdin -> one JSON line each on stdout"
    )

    from pipeline.health import add_feeds_parser

    add_feeds_parser(sub)

    from pipeline.reprocess import add_reprocess_parser

    add_reprocess_parser(sub)

    from pipeline.report import add_report_parser

    add_report_parser(sub)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None
) -> int:
    out = out or sys.stdout
    parser = make_parser()
    args, rest = parser.parse_known_args(list(argv) if argv is not None else None)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for noisy in ("apache_beam", "trafilatura", "htmldate", "httpx", "transforms", "absl"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    if args.command != "run" and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "run":
            return cmd_run(args, rest, out)
        if args.command == "query":
            return cmd_query(args, out)
        if args.command == "reprocess":
            from pipeline.reprocess import cmd_reprocess

            return cmd_reprocess(args, out)
        if args.command == "feeds":
            from pipeline.health import cmd_feeds

            return cmd_feeds(args, out)
        if args.command == "report":
            from pipeline.report import cmd_report

            return cmd_report(args, out)
        return cmd_extract(stdin or sys.stdin, out)
    except (ConfigError, ValueError) as exc:  # a bad flag, feeds file or warehouse URL
        _err(str(exc))
        return EXIT_USAGE
    except WarehouseError as exc:  # the warehouse cannot be opened, written or queried
        _err(str(exc))
        return EXIT_WAREHOUSE
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
