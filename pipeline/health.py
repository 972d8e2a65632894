"""Feed health and ingestion state, read from the warehouse: ``hotline feeds``.

``feed_health(warehouse, now)`` -> one row per polled feed: last status (and HTTP status),
last success, consecutive failures, next poll, items per day (new articles first seen from
that feed over the last 7 days, or since its first poll when that is more recent) and the last
error or warning. Broken feeds come first, so feeds that silently stopped refreshing show.

``known_fingerprints(warehouse)`` -> ``{fingerprint: article_id}`` of stored original
articles, the start-up side input that links syndicated copies across runs.

The SQL is plain enough for DuckDB and BigQuery alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any, TextIO

from pipeline.warehouse import DEFAULT_WAREHOUSE, Warehouse, WarehouseError, open_warehouse

_LOGGER = logging.getLogger(__name__)

WINDOW = dt.timedelta(days=7)
COLUMNS = (
    "feed_url",
    "outlet",
    "status",
    "last_success",
    "failures",
    "next_poll",
    "items_per_day",
    "problem",
)


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("TIMESTAMP '%Y-%m-%d %H:%M:%S+00'")


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def health_row(state: Mapping[str, Any], new_articles: int, now: dt.datetime) -> dict[str, Any]:
    """One feed's health from its ``feed_state`` row and its new articles in ``WINDOW``."""
    first = _aware(state.get("first_polled_at")) or _aware(state.get("last_polled_at")) or now
    days = max(1.0, min(WINDOW, now - first).total_seconds() / 86400)
    status = state.get("last_status") or "never"
    if state.get("http_status"):
        status = f"{status} ({state['http_status']})"
    return {
        "feed_url": state.get("feed_url"),
        "outlet": state.get("outlet"),
        "status": status,
        "last_success": _aware(state.get("last_success_at")),
        "failures": int(state.get("consecutive_failures") or 0),
        "next_poll": _aware(state.get("next_poll_after")),
        "items_per_day": round(new_articles / days, 1),
        "problem": state.get("last_error") or state.get("last_warning"),
    }


def feed_health(wh: Warehouse, now: dt.datetime) -> list[dict[str, Any]]:
    """Health rows of every feed in ``feed_state``, failing feeds first."""
    states = wh.rows("SELECT * FROM feed_state")
    counts = {
        r["feed_url"]: int(r["n"])
        for r in wh.rows(
            "SELECT feed_url, COUNT(*) AS n FROM articles"
            f" WHERE first_seen_at >= {_ts(now - WINDOW)} GROUP BY feed_url"
        )
    }
    rows = [health_row(s, counts.get(s["feed_url"], 0), now) for s in states]
    return sorted(rows, key=lambda r: (-r["failures"], not r["problem"], str(r["feed_url"])))


def known_fingerprints(wh: Warehouse) -> dict[str, str]:
    """``{fingerprint: article_id}`` of the stored originals (not the copies)."""
    try:
        rows = wh.query(
            "SELECT fingerprint, article_id FROM articles"
            " WHERE fingerprint IS NOT NULL AND duplicate_of IS NULL"
        )[1]
    except WarehouseError as exc:  # an older warehouse without the column: no links yet
        _LOGGER.warning("cannot read article fingerprints: %s", exc)
        return {}
    out: dict[str, str] = {}
    for fp, article_id in rows:
        out[fp] = min(out.get(fp, article_id), article_id)
    return out


# ------------------------------------------------------------------------------ command ----


def add_feeds_parser(sub: Any) -> None:
    """The ``hotline feeds`` subcommand (hooked into ``pipeline.cli``)."""
    feeds = sub.add_parser(
        "feeds",
        help="print feed health: status, last success, failures, next poll, items per day",
    )
    feeds.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    feeds.add_argument("--format", choices=("table", "json"), default="table")


def cmd_feeds(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.cli import EXIT_OK, format_table

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with open_warehouse(args.warehouse, read_only=True) as wh:
        rows = feed_health(wh, now)
    if args.format == "json":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    else:
        table = [[r[c] for c in COLUMNS] for r in rows]
        out.write(format_table(COLUMNS, table) + "\n")
    return EXIT_OK
