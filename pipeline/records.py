"""Records that flow between stages, and the single definition of the warehouse schema.

Every record is a frozen dataclass (picklable, hashable where it matters). Every warehouse table
is described once, in ``TABLES``; the DuckDB DDL and the BigQuery schema are both generated from
it (``pipeline/warehouse``), so the two backends cannot drift apart.

Warehouse rows are plain ``dict``s of JSON-friendly Python values (str, int, float, bool, None,
``datetime.date``, timezone-aware ``datetime.datetime``, lists and dicts); each backend converts
them to its own types.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

EXTRACTOR_VERSION = "0.1.0"

# --------------------------------------------------------------------------------------------
# Records flowing through the pipeline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSpec:
    """One feed of the feeds file (``feeds: [{url, outlet, country}]``)."""

    url: str
    outlet: str
    country: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One entry of a polled feed, before its page is fetched."""

    feed_url: str
    outlet: str
    guid: str
    link: str
    title: str | None
    summary: str | None
    published: dt.datetime | None


@dataclass(frozen=True)
class Article:
    """A fetched (or summary-only) article, the unit the extractor works on."""

    article_id: str
    url: str
    outlet: str | None
    feed_url: str | None
    title: str | None
    text: str
    published_at: dt.datetime | None
    fetched_at: dt.datetime | None
    text_source: str = "page"  # "page" | "summary" | "input"
    fetch_error: str | None = None
    fingerprint: str | None = None  # content fingerprint (transforms.articles.fingerprint)
    duplicate_of: str | None = None  # article_id of the first copy of a syndicated story

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Sentence:
    """A sentence of the original text (``start``/``end`` offsets) and its folded form."""

    start: int
    end: int
    folded: str


@dataclass(frozen=True)
class NormalizedArticle:
    article: Article
    text: str  # the original text (entities mended), which sentence offsets point into
    title_folded: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    """What the extractor says about one article (the ``hotline extract`` line)."""

    is_call_report: bool
    confidence: float
    us_leader: str | None = None
    russian_leader: str | None = None
    call_status: str | None = None
    call_date: dt.date | None = None
    date_method: str | None = None
    date_reason: str | None = None
    medium: str | None = None
    requested_by: str | None = None
    source_side: str | None = None
    source_text: str | None = None
    topics: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    duration_minutes: int | None = None
    reason: str | None = None  # why it is or is not a call report (for humans and eval)

    def to_json(self, article_id: str) -> dict[str, Any]:
        """The ``hotline extract`` output line; every field present, null when unknown."""
        positive = self.is_call_report

        def keep(value: Any) -> Any:
            return value if positive else None

        return {
            "id": article_id,
            "is_call_report": positive,
            "confidence": round(self.confidence, 4),
            "us_leader": keep(self.us_leader),
            "russian_leader": keep(self.russian_leader),
            "call_status": keep(self.call_status),
            "call_date": keep(self.call_date.isoformat() if self.call_date else None),
            "date_method": keep(self.date_method),
            "date_reason": keep(self.date_reason),
            "medium": keep(self.medium),
            "requested_by": keep(self.requested_by),
            "source_side": keep(self.source_side),
            "source_text": keep(self.source_text),
            "topics": keep(list(self.topics)),
            "actors": keep(list(self.actors)),
            "evidence": keep([e.__dict__.copy() for e in self.evidence]),
            "duration_minutes": keep(self.duration_minutes),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DeadLetter:
    """A failure at any stage: it is recorded in ``ingest_errors`` and the run goes on."""

    stage: str
    url: str | None
    error: str  # error class, e.g. "HTTPError", "NotAFeed"
    detail: str  # human-readable reason
    payload: str | None = None
    feed_url: str | None = None

    PAYLOAD_LIMIT = 2000

    @property
    def error_id(self) -> str:
        return stable_id("error", self.stage, self.url or "", self.error)


@dataclass(frozen=True)
class RunContext:
    """Run-wide values that transforms must not compute themselves (no wall clock inside)."""

    run_id: str
    started_at: dt.datetime
    extractor_version: str = EXTRACTOR_VERSION


# --------------------------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------------------------


def stable_id(*parts: str) -> str:
    """A short, stable hex id of the parts (sha256, 16 hex digits)."""
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def article_id_for(canonical_url: str) -> str:
    return stable_id("article", canonical_url)


def report_id_for(article_id: str) -> str:
    return stable_id("report", article_id)


# --------------------------------------------------------------------------------------------
# The warehouse schema: one definition, two backends
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # STRING | INT64 | FLOAT64 | BOOL | DATE | TIMESTAMP | RECORD
    mode: str = "NULLABLE"  # NULLABLE | REQUIRED | REPEATED
    fields: tuple[Column, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition_by: str | None = None  # a TIMESTAMP/DATE column, partitioned by day
    cluster_by: tuple[str, ...] = ()
    # Columns whose stored value survives an upsert of the same key (e.g. first_seen).
    keep_existing: tuple[str, ...] = ()
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))


def _c(name: str, type_: str, mode: str = "NULLABLE", desc: str = "", *fields: Column) -> Column:
    return Column(name, type_, mode, tuple(fields), desc)


EVIDENCE_FIELDS = (
    _c("text", "STRING", desc="the sentence, verbatim from the original text"),
    _c("start", "INT64", desc="character offset of the sentence in articles.text"),
    _c("end", "INT64", desc="end offset (exclusive)"),
)

ARTICLES = Table(
    name="articles",
    key=("article_id",),
    partition_by="published_at",
    keep_existing=("first_seen_at",),
    description="Every ingested article, so any of them can be re-processed by a newer extractor.",
    columns=(
        _c("article_id", "STRING", "REQUIRED", "stable hash of the canonical URL"),
        _c("url", "STRING", desc="the article URL as linked from the feed"),
        _c("canonical_url", "STRING"),
        _c("outlet", "STRING"),
        _c("feed_url", "STRING"),
        _c("title", "STRING"),
        _c("text", "STRING"),
        _c("text_source", "STRING", desc="page | summary | input"),
        _c(
            "fetch_error", "STRING", desc="why the page could not be used, when text is the summary"
        ),
        _c("published_at", "TIMESTAMP"),
        _c("fetched_at", "TIMESTAMP"),
        _c("first_seen_at", "TIMESTAMP"),
        _c("content_hash", "STRING"),
        _c("fingerprint", "STRING", desc="content fingerprint: equal for syndicated copies"),
        _c(
            "duplicate_of",
            "STRING",
            desc="article_id of the first-seen copy of the same story (null: this is the first)",
        ),
        _c("is_call_report", "BOOL"),
        _c("run_id", "STRING"),
    ),
)

CALL_REPORTS = Table(
    name="call_reports",
    key=("report_id",),
    partition_by="published_at",
    cluster_by=("us_leader", "russian_leader"),
    description="One row per article that reports a US-Russia presidential call.",
    columns=(
        _c("report_id", "STRING", "REQUIRED"),
        _c("article_id", "STRING", "REQUIRED"),
        _c("call_id", "STRING"),
        _c("url", "STRING"),
        _c("outlet", "STRING"),
        _c("title", "STRING"),
        _c("confidence", "FLOAT64"),
        _c("us_leader", "STRING"),
        _c("russian_leader", "STRING"),
        _c("call_status", "STRING", desc="scheduled | held | requested | unknown"),
        _c("call_date", "DATE"),
        _c("date_method", "STRING", desc="exact | relative | unresolved"),
        _c("date_reason", "STRING"),
        _c("medium", "STRING", desc="phone | video"),
        _c("requested_by", "STRING", desc="us | russia | null"),
        _c("source_side", "STRING", desc="us | russia | other | null"),
        _c("source_text", "STRING"),
        _c("topics", "STRING", "REPEATED"),
        _c("actors", "STRING", "REPEATED"),
        _c("evidence", "RECORD", "REPEATED", "", *EVIDENCE_FIELDS),
        _c("duration_minutes", "INT64"),
        _c("published_at", "TIMESTAMP"),
        _c("ingested_at", "TIMESTAMP"),
        _c("extractor_version", "STRING"),
    ),
)

CALLS = Table(
    name="calls",
    key=("call_id",),
    cluster_by=("us_leader", "russian_leader"),
    description="One row per real call, merged from all the reports of it.",
    columns=(
        _c("call_id", "STRING", "REQUIRED"),
        _c("us_leader", "STRING"),
        _c("russian_leader", "STRING"),
        _c("call_date", "DATE"),
        _c("call_status", "STRING"),
        _c("medium", "STRING"),
        _c("requested_by", "STRING"),
        _c("first_reported_at", "TIMESTAMP"),
        _c("last_reported_at", "TIMESTAMP"),
        _c("report_count", "INT64"),
        _c("outlet_count", "INT64"),
        _c("outlets", "STRING", "REPEATED"),
        _c("report_ids", "STRING", "REPEATED"),
        _c("topics", "STRING", "REPEATED"),
        _c("updated_at", "TIMESTAMP"),
    ),
)

FEED_STATE = Table(
    name="feed_state",
    key=("feed_url",),
    keep_existing=("first_polled_at",),
    description="Polling state per feed: validators, health and when to poll next.",
    columns=(
        _c("feed_url", "STRING", "REQUIRED"),
        _c("outlet", "STRING"),
        _c("etag", "STRING"),
        _c("last_modified", "STRING"),
        _c("last_polled_at", "TIMESTAMP"),
        _c("first_polled_at", "TIMESTAMP"),
        _c("last_success_at", "TIMESTAMP"),
        _c("last_status", "STRING", desc="ok | not_modified | error | deferred"),
        _c("http_status", "INT64"),
        _c("last_error", "STRING", desc="ErrorClass: reason of the last failure"),
        _c("last_warning", "STRING", desc="problems of the last successful poll (items kept)"),
        _c("consecutive_failures", "INT64"),
        _c("next_poll_after", "TIMESTAMP"),
        _c("items_seen", "INT64", desc="entries parsed, summed over all polls"),
        _c("last_items", "INT64", desc="entries in the last parsed document"),
        _c("conditional_polls", "INT64", desc="polls since the last unconditional GET"),
        _c("last_full_fetch_at", "TIMESTAMP", desc="last GET without validators"),
        _c("advised_interval_s", "INT64", desc="server's advice: ttl, sy:updatePeriod, max-age"),
        _c("final_url", "STRING", desc="where the feed URL redirected to, if it did"),
    ),
)

INGEST_ERRORS = Table(
    name="ingest_errors",
    key=("error_id",),
    keep_existing=("first_at",),
    description="Dead letters: every failure, with the stage and a readable reason.",
    columns=(
        _c("error_id", "STRING", "REQUIRED", "hash of stage, url and error class"),
        _c("stage", "STRING"),
        _c("url", "STRING"),
        _c("feed_url", "STRING"),
        _c("error", "STRING"),
        _c("detail", "STRING"),
        _c("payload", "STRING"),
        _c("at", "TIMESTAMP", desc="when it last happened"),
        _c("first_at", "TIMESTAMP"),
        _c("run_id", "STRING"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (ARTICLES, CALL_REPORTS, CALLS, FEED_STATE, INGEST_ERRORS)
}


# --------------------------------------------------------------------------------------------
# Records -> warehouse rows
# --------------------------------------------------------------------------------------------


def article_row(article: Article, is_call_report: bool, ctx: RunContext) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "url": article.url,
        "canonical_url": article.url,
        "outlet": article.outlet,
        "feed_url": article.feed_url,
        "title": article.title,
        "text": article.text,
        "text_source": article.text_source,
        "fetch_error": article.fetch_error,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "first_seen_at": ctx.started_at,
        "content_hash": article.content_hash,
        "fingerprint": article.fingerprint,
        "duplicate_of": article.duplicate_of,
        "is_call_report": is_call_report,
        "run_id": ctx.run_id,
    }


def call_report_row(article: Article, ex: Extraction, ctx: RunContext) -> dict[str, Any]:
    return {
        "report_id": report_id_for(article.article_id),
        "article_id": article.article_id,
        "call_id": None,  # assigned by MergeCalls
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "confidence": round(ex.confidence, 4),
        "us_leader": ex.us_leader,
        "russian_leader": ex.russian_leader,
        "call_status": ex.call_status,
        "call_date": ex.call_date,
        "date_method": ex.date_method,
        "date_reason": ex.date_reason,
        "medium": ex.medium,
        "requested_by": ex.requested_by,
        "source_side": ex.source_side,
        "source_text": ex.source_text,
        "topics": list(ex.topics),
        "actors": list(ex.actors),
        "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in ex.evidence],
        "duration_minutes": ex.duration_minutes,
        "published_at": article.published_at,
        "ingested_at": ctx.started_at,
        "extractor_version": ctx.extractor_version,
    }


def dead_letter_row(dl: DeadLetter, ctx: RunContext) -> dict[str, Any]:
    payload = dl.payload
    if payload is not None and len(payload) > DeadLetter.PAYLOAD_LIMIT:
        payload = payload[: DeadLetter.PAYLOAD_LIMIT] + "…[truncated]"
    return {
        "error_id": dl.error_id,
        "stage": dl.stage,
        "url": dl.url,
        "feed_url": dl.feed_url,
        "error": dl.error,
        "detail": dl.detail,
        "payload": payload,
        "at": ctx.started_at,
        "first_at": ctx.started_at,
        "run_id": ctx.run_id,
    }
