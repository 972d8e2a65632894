"""Pipeline options: hotline's own flags beside Beam's (argparse, as Beam passes its flags on)."""

from __future__ import annotations

from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.warehouse import DEFAULT_WAREHOUSE
from transforms.fetch import FetchLimits


class HotlineOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--feeds",
            default=None,
            help="feeds YAML file (default: the bundled catalogue of Arabic outlets)",
        )
        parser.add_argument(
            "--warehouse",
            default=DEFAULT_WAREHOUSE,
            help="duckdb:///path.duckdb (default ./warehouse.duckdb) or bigquery://PROJECT/DATASET",
        )
        parser.add_argument(
            "--bigquery-endpoint",
            dest="bigquery_endpoint",
            default=None,
            help="BigQuery API URL of an emulator (default: $BIGQUERY_EMULATOR_HOST, else Google)",
        )
        parser.add_argument(
            "--allow-private-networks",
            dest="allow_private_networks",
            action="store_true",
            default=False,
            help="let links found inside feeds point to private, loopback and link-local addresses",
        )
        parser.add_argument(
            "--http-timeout",
            dest="http_timeout",
            type=float,
            default=20.0,
            help="read timeout of one HTTP request, seconds",
        )
        parser.add_argument(
            "--max-bytes",
            dest="max_bytes",
            type=int,
            default=10 * 1024 * 1024,
            help="size cap of one response body, bytes",
        )
        parser.add_argument(
            "--run-id",
            dest="run_id",
            default=None,
            help="identifier of this run (default: derived from the start time)",
        )
        parser.add_argument(
            "--poll-interval",
            dest="poll_interval",
            type=float,
            default=60.0,
            help="--streaming: seconds between two polls of a feed",
        )
        parser.add_argument(
            "--max-runtime",
            dest="max_runtime",
            type=float,
            default=None,
            help="--streaming: stop after this many seconds (default: run until SIGINT/SIGTERM)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            default=False,
            help="poll every feed now, even those whose next_poll_after is later",
        )
        parser.add_argument(
            "--connect-timeout",
            dest="connect_timeout",
            type=float,
            default=10.0,
            help="connect timeout of one HTTP request, seconds",
        )
        parser.add_argument(
            "--http-deadline",
            dest="http_deadline",
            type=float,
            default=45.0,
            help="total time allowed for one request, redirects included, seconds",
        )
        parser.add_argument(
            "--max-redirects",
            dest="max_redirects",
            type=int,
            default=5,
            help="redirects followed per request",
        )
        parser.add_argument(
            "--host-delay",
            dest="host_delay",
            type=float,
            default=1.0,
            help="seconds between two requests to the same host",
        )
        parser.add_argument(
            "--per-host",
            dest="per_host",
            type=int,
            default=1,
            help="requests in flight at once per host",
        )
        parser.add_argument(
            "--parallel-hosts",
            dest="parallel_hosts",
            type=int,
            default=8,
            help="hosts fetched from at once by one worker",
        )


def fetch_limits(args: Any) -> FetchLimits:
    """FetchLimits from parsed flags; a bad value raises ValueError naming the flag."""
    values = {
        "connect_timeout": ("--connect-timeout", getattr(args, "connect_timeout", 10.0)),
        "read_timeout": ("--http-timeout", args.http_timeout),
        "deadline": ("--http-deadline", getattr(args, "http_deadline", 45.0)),
        "max_bytes": ("--max-bytes", args.max_bytes),
        "max_redirects": ("--max-redirects", getattr(args, "max_redirects", 5)),
        "host_delay": ("--host-delay", getattr(args, "host_delay", 1.0)),
        "per_host": ("--per-host", getattr(args, "per_host", 1)),
        "parallel_hosts": ("--parallel-hosts", getattr(args, "parallel_hosts", 8)),
    }
    for flag, value in values.values():
        positive = flag not in ("--max-redirects", "--host-delay")
        if value is None or value < 0 or (positive and value == 0):
            raise ValueError(f"{flag} {value}: must be {'positive' if positive else '>= 0'}")
    return FetchLimits(**{name: value for name, (_, value) in values.items()})
