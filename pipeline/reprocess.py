"""``hotline reprocess``: run the current extractor again over the stored articles.

stored ``articles`` (optionally ``--since DATE``) -> ``transforms.extract.analyze_article`` (the
one code path of the pipeline and ``hotline extract``) -> ``call_reports`` rows stamped with the
current ``extractor_version`` -> ``transforms.merge.merge_pair`` per leader pair, against the
stored reports -> one ``Warehouse.write``:

* a report that still qualifies is replaced (its ``ingested_at`` kept), and its call follows it;
* an article that now qualifies gets its report and joins (or makes) a call;
* a report that no longer qualifies is deleted, and its call recomputed or deleted;
* a report whose leader pair changed leaves the old pair's call and joins the new pair's;
* ``articles.is_call_report`` is set to the new verdict.

An article the extractor fails on is logged and left as it was. Plain Python, no Beam: the work
is one pass over stored rows, and every write lands in one transaction.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from pipeline.records import Article, RunContext, call_report_row, report_id_for
from pipeline.warehouse import DEFAULT_WAREHOUSE, Warehouse, open_warehouse
from pipeline.warehouse.sink import Op, apply_ops
from transforms.extract import analyze_article
from transforms.lexicon import Lexicon
from transforms.merge import merge_pair, pair_key

_LOGGER = logging.getLogger(__name__)

_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))

Row = dict[str, Any]


@dataclass
class ReprocessStats:
    articles: int = 0
    failed: int = 0
    reports: int = 0  # articles that are call reports now
    added: int = 0  # ... and were not before
    removed: int = 0  # were call reports, are not any more
    calls_written: int = 0
    calls_deleted: int = 0

    def lines(self) -> list[str]:
        return [
            f"  {'articles re-read':<22} {self.articles}",
            f"  {'extraction failed':<22} {self.failed}",
            f"  {'call reports':<22} {self.reports}",
            f"  {'  new':<22} {self.added}",
            f"  {'  removed':<22} {self.removed}",
            f"  {'calls written':<22} {self.calls_written}",
            f"  {'calls deleted':<22} {self.calls_deleted}",
        ]


def article_from_row(row: Mapping[str, Any]) -> Article:
    """The ``Article`` an ``articles`` row was made from (what the extractor needs of it)."""
    values: dict[str, Any] = {name: row.get(name) for name in _ARTICLE_FIELDS if name in row}
    values["text"] = values.get("text") or ""
    values["text_source"] = values.get("text_source") or "page"
    return Article(**values)


def reprocess_ops(
    articles: Iterable[Mapping[str, Any]],
    stored_reports: Sequence[Row],
    lexicon: Lexicon,
    ctx: RunContext,
    ingested_at: Mapping[str, Any] | None = None,
) -> tuple[list[Op], ReprocessStats]:
    """Write operations that bring ``articles``' reports and their calls up to date.

    ``stored_reports``: every stored report (``Warehouse.call_reports_for_merge``), so each pair
    is merged against all of its reports; ``ingested_at``: report_id -> stored ``ingested_at``.
    """
    stats = ReprocessStats()
    ingested_at = ingested_at or {}
    stored_ids = {r["report_id"] for r in stored_reports}
    in_scope: set[str] = set()
    new_by_pair: dict[str, list[Row]] = {}
    verdicts: list[Row] = []
    for row in articles:
        article = article_from_row(row)
        stats.articles += 1
        try:
            _, ex = analyze_article(lexicon, article)
        except Exception as exc:  # one bad article must not stop the others; it is left as it was
            stats.failed += 1
            _LOGGER.warning("reprocess: extraction failed for %s: %s", article.article_id, exc)
            continue
        report_id = report_id_for(article.article_id)
        in_scope.add(report_id)
        verdicts.append({"article_id": article.article_id, "is_call_report": ex.is_call_report})
        if not ex.is_call_report:
            continue
        report = call_report_row(article, ex, ctx)
        report["ingested_at"] = ingested_at.get(report_id) or report["ingested_at"]
        new_by_pair.setdefault(pair_key(report), []).append(report)
        stats.reports += 1
        stats.added += report_id not in stored_ids
    qualifying = {r["report_id"] for rows in new_by_pair.values() for r in rows}
    stored_by_pair: dict[str, list[Row]] = {}
    for r in stored_reports:
        stored_by_pair.setdefault(pair_key(r), []).append(r)
    affected = set(new_by_pair) | {
        pair_key(r) for r in stored_reports if r["report_id"] in in_scope
    }
    ops: list[Op] = []
    for pair in sorted(affected):
        mine = {r["report_id"] for r in new_by_pair.get(pair, [])}
        leaving = {  # re-read here, but no longer a report of this pair
            r["report_id"]
            for r in stored_by_pair.get(pair, [])
            if r["report_id"] in in_scope and r["report_id"] not in mine
        }
        ops += merge_pair(new_by_pair.get(pair, []), stored_by_pair.get(pair, []), ctx, leaving)
    for report_id in sorted((in_scope & stored_ids) - qualifying):
        ops.append(("delete", "call_reports", (report_id,)))
        stats.removed += 1
    ops += [("update", "articles", v) for v in verdicts]
    stats.calls_written = sum(1 for op, table, _ in ops if table == "calls" and op == "upsert")
    stats.calls_deleted = sum(1 for op, table, _ in ops if table == "calls" and op == "delete")
    return ops, stats


def stored_articles(wh: Warehouse, since: dt.date | None) -> list[Row]:
    """The stored articles published (or, undated, fetched) on or after ``since``."""
    sql = "SELECT * FROM articles"
    params: dict[str, Any] | None = None
    if since is not None:
        sql += f" WHERE COALESCE(published_at, fetched_at) >= {wh.param('since')}"
        params = {"since": dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)}
    return wh.rows(sql + " ORDER BY article_id", params)


def reprocess(
    wh: Warehouse, lexicon: Lexicon, ctx: RunContext, since: dt.date | None = None
) -> ReprocessStats:
    """Re-extract the stored articles (since ``since``) and write the result in one batch."""
    articles = stored_articles(wh, since)
    stored = wh.call_reports_for_merge()
    ingested = {
        r["report_id"]: r["ingested_at"]
        for r in wh.rows("SELECT report_id, ingested_at FROM call_reports")
    }
    ops, stats = reprocess_ops(articles, stored, lexicon, ctx, ingested)
    apply_ops(wh, ops)
    return stats


# ---------------------------------------------------------------------------------- CLI ----


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since {value!r}: expected YYYY-MM-DD") from None


def add_reprocess_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "reprocess",
        help="re-run detection and extraction over stored articles with the current extractor",
        description="Re-extract stored articles, upsert call_reports and calls, delete reports "
        "that no longer qualify. One transaction.",
    )
    parser.add_argument(
        "--since",
        type=_date,
        default=None,
        help="only articles published on or after this date (YYYY-MM-DD)",
    )
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    parser.add_argument("--bigquery-endpoint", default=None, help="BigQuery emulator URL")
    parser.add_argument("--run-id", default=None, help="identifier of this run")


def cmd_reprocess(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.cli import EXIT_OK
    from transforms.lexicon import load_lexicon

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ctx = RunContext(
        run_id=args.run_id or started.strftime("reprocess-%Y%m%dT%H%M%SZ"), started_at=started
    )
    lexicon = load_lexicon()
    with open_warehouse(args.warehouse, endpoint=args.bigquery_endpoint) as wh:
        stats = reprocess(wh, lexicon, ctx, args.since)
        url = wh.url
    print(f"hotline reprocess {ctx.run_id} -> {url} (extractor {ctx.extractor_version})", file=out)
    for line in stats.lines():
        print(line, file=out)
    return EXIT_OK
