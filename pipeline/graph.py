"""Wire the stages into one Beam graph. No argv and no I/O configuration here: the caller reads
the feeds file and the warehouse's start-up state and passes them in, so the same graph serves
``hotline run``, the tests and any runner.

    feeds ─► PollFeeds ─► FetchArticles ─► NormalizeArabic ─► DetectCalls ─► ExtractCallReport
               │              │                                                │        │
               ▼              ▼                                                ▼        ▼
          feed_state     dead letters ─────────────────────────────► articles   MergeCalls ─► calls
               └──────────────┴──────── write operations ──────────────┴────────┴─► WriteToWarehouse
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam

from pipeline.records import FeedSpec, RunContext
from pipeline.warehouse.sink import WriteToWarehouse
from transforms.articles import FetchArticles
from transforms.deadletter import DEAD_LETTER, RecordDeadLetters
from transforms.detect import DetectCalls
from transforms.extract import ExtractCallReport
from transforms.feeds import FEED_STATE, PollFeeds
from transforms.fetch import FetchLimits
from transforms.lexicon import Lexicon
from transforms.merge import MergeCalls
from transforms.normalize import NormalizeArabic


@dataclass(frozen=True)
class StartState:
    """What the warehouse knows at start-up (read once by the driver)."""

    known_article_ids: frozenset[str] = frozenset()
    known_fingerprints: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> article_id
    feed_states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stored_reports: Sequence[Mapping[str, Any]] = ()


def _is_table(table: str) -> Callable[[tuple[str, Any]], bool]:
    return lambda kv: kv[0] == table


def route_outputs(
    polled: beam.pvalue.DoOutputsTuple,
    fetched: beam.pvalue.DoOutputsTuple,
    extracted: beam.pvalue.DoOutputsTuple,
    merge_calls: beam.PTransform,
    ctx: RunContext,
) -> tuple[beam.PCollection, beam.PCollection, dict[str, beam.PCollection]]:
    """The write operations every mode shares, under the same step labels in both graphs:
    article upserts, the calls merged by ``merge_calls`` (batch or continuous) and the dead
    letters of the three stages that emit them."""
    article_ops = (
        extracted.rows
        | "ArticlesOnly" >> beam.Filter(_is_table("articles"))
        | "UpsertArticle" >> beam.Map(lambda kv: ("upsert", kv[0], kv[1]))
    )
    merged = (
        extracted.rows
        | "ReportsOnly" >> beam.Filter(_is_table("call_reports"))
        | "ReportRows" >> beam.Values()
        | "MergeCalls" >> merge_calls
    )
    letters = {
        "PollErrors": polled[DEAD_LETTER],
        "FetchErrors": fetched[DEAD_LETTER],
        "ExtractErrors": extracted[DEAD_LETTER],
    }
    dead = letters | "RecordDeadLetters" >> RecordDeadLetters(ctx)
    return article_ops, merged, dead


def build(
    p: beam.Pipeline,
    feeds: Iterable[FeedSpec],
    lexicon: Lexicon,
    ctx: RunContext,
    warehouse_url: str,
    start: StartState = StartState(),
    limits: FetchLimits = FetchLimits(),  # noqa: B008 - a frozen dataclass, immutable
    allow_private: bool = False,
    force: bool = False,
) -> beam.PCollection:
    """Add hotline's batch graph to ``p``; returns the PCollection of write results."""
    feed_specs = p | "Feeds" >> beam.Create(list(feeds))
    known = p | "KnownArticleIds" >> beam.Create(sorted(start.known_article_ids))
    known_fps = p | "KnownFingerprints" >> beam.Create(sorted(start.known_fingerprints.items()))
    stored = p | "StoredReports" >> beam.Create([dict(r) for r in start.stored_reports])

    polled = feed_specs | "PollFeeds" >> PollFeeds(
        ctx, start.feed_states, limits, allow_private, force=force
    )
    fetched = polled.items | "FetchArticles" >> FetchArticles(
        ctx, known, limits, allow_private, known_fingerprints=known_fps
    )
    extracted = (
        fetched.articles
        | "NormalizeArabic" >> NormalizeArabic()
        | "DetectCalls" >> DetectCalls(lexicon)
        | "ExtractCallReport" >> ExtractCallReport(lexicon, ctx)
    )
    article_ops, merged, dead = route_outputs(
        polled, fetched, extracted, MergeCalls(stored, ctx), ctx
    )
    # No Flatten of the write operations: each stream is spilled where it is produced and only
    # the spill files meet (a Flatten would hold every row of the run in memory at once).
    writes = {"FeedState": polled[FEED_STATE], "Articles": article_ops, "Calls": merged, **dead}
    return writes | "WriteToWarehouse" >> WriteToWarehouse(warehouse_url)
