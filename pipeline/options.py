"""Pipeline options: hotline's own flags beside Beam's (argparse, as Beam passes its flags on)."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.warehouse import DEFAULT_WAREHOUSE


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
            "--allow-private-networks",
            dest="allow_private_networks",
            action="store_true",
            default=False,
            help="let links found inside feeds point to private, loopback and link-local addresses",
        )
        parser.add_argument("--http-timeout", dest="http_timeout", type=float, default=20.0,
                            help="read timeout of one HTTP request, seconds")
        parser.add_argument("--max-bytes", dest="max_bytes", type=int, default=10 * 1024 * 1024,
                            help="size cap of one response body, bytes")
        parser.add_argument("--run-id", dest="run_id", default=None,
                            help="identifier of this run (default: derived from the start time)")
