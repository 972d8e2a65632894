"""Streaming forms of PollFeeds and FetchArticles: the same pure functions, state in Beam.

Batch mode reads ``feed_state`` from the warehouse once per run and groups by host with a
GroupByKey. Streaming mode polls every tick, and on the local FnApiRunner nothing after a
GroupByKey emits before the source ends, so:

* ``PollFeedsContinuously``: tick -> every feed, keyed by feed URL, into ``PollFeedFn``, a
  stateful DoFn whose state is the feed's ``feed_state`` row (validators, failures, next poll;
  seeded from the warehouse at start-up) plus the item keys of its last successful parse. Each
  tick it polls the feeds that are due with ``transforms.feeds.poll_feed`` and emits only the
  items that were not in the previous parse (a changed feed returns all its items; the old ones
  stop here, before any per-article state). Schedule: a healthy feed every tick, or at the
  pace it asks for (RSS ``ttl``, ``Cache-Control: max-age``, capped as in batch); a failing
  feed backs off from the poll interval (``interval * 2**(failures-1)``, capped at
  ``MAX_BACKOFF``), never sooner than its ``Retry-After``. Outputs ``feed_state`` write
  operations and dead letters like ``PollFeeds``.
* ``FetchEachBundle``: FeedItems -> Articles with ``transforms.articles.fetch_article``, the
  items of one bundle (on the FnApiRunner: one tick) fetched together with ``polite_map``,
  so the per-host politeness of batch holds within a tick.
* ``StampEventTime``: warehouse rows of a tick carry the tick's time, not the run's start
  (``first_seen_at``, ``ingested_at``, ``at``...).

Time comes from the element (the tick's event time), never from the wall clock.

Tagged outputs: ``feed_state``, ``dead_letter``. Metrics: as ``PollFeeds`` and
``FetchArticles`` (``feeds/*``, ``articles/from_page``, ``articles/from_summary``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import userstate
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.records import FeedItem, FeedSpec, RunContext
from transforms import pubdate
from transforms.articles import NO_LINK_HOST, article_key, fetch_article
from transforms.deadletter import DEAD_LETTER
from transforms.feeds import FEED_STATE, MAX_BACKOFF, MAX_INTERVAL, failed, next_poll, poll_feed
from transforms.fetch import FetchLimits, HostGate, host_key, polite_map

_LOGGER = logging.getLogger(__name__)

UNHEALTHY = ("error", "deferred")

# --------------------------------------------------------------------------------------------
# Scheduling (pure)
# --------------------------------------------------------------------------------------------


def tick_time(ts: Timestamp) -> dt.datetime:
    """A tick's event time as an aware UTC datetime (whole seconds, like a batch run's)."""
    return ts.to_utc_datetime(has_tz=True).replace(microsecond=0)


def tick_context(ctx: RunContext, ts: Timestamp) -> RunContext:
    """The run's context with ``started_at`` moved to the tick."""
    return dataclasses.replace(ctx, started_at=tick_time(ts))


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def due_now(
    row: Mapping[str, Any] | None, scheduled_here: bool, now: dt.datetime, interval: float
) -> bool:
    """Poll this tick? A new feed, or one seeded healthy from the warehouse: yes. Otherwise
    when its ``next_poll_after`` falls within half an interval of now."""
    if row is None or (not scheduled_here and row.get("last_status") not in UNHEALTHY):
        return True
    nxt = _aware(row.get("next_poll_after"))
    return nxt is None or nxt <= now + dt.timedelta(seconds=interval / 2)


def stream_next_poll(row: Mapping[str, Any], now: dt.datetime, interval: float) -> dt.datetime:
    """``next_poll_after`` on the streaming schedule, from the row ``poll_feed`` returned."""
    gap = dt.timedelta(seconds=interval)
    if row.get("last_status") not in UNHEALTHY:
        advised = row.get("advised_interval_s")
        if advised:
            gap = max(gap, min(dt.timedelta(seconds=int(advised)), MAX_INTERVAL))
        return now + gap
    failures = max(1, int(row.get("consecutive_failures") or 1))
    nxt = now + min(gap * (2 ** min(failures - 1, 16)), MAX_BACKOFF)
    asked = _aware(row.get("next_poll_after"))
    if asked is not None and asked > next_poll(now, failures):  # the server's Retry-After
        nxt = max(nxt, asked)
    return nxt


def new_items(items: Sequence[FeedItem], previous: frozenset[str]) -> list[FeedItem]:
    """The items that were not in the feed's previous parse."""
    return [i for i in items if article_key(i) not in previous]


# --------------------------------------------------------------------------------------------
# Beam: polling
# --------------------------------------------------------------------------------------------


class FeedsOfTickFn(beam.DoFn):
    """A tick -> ``(feed URL, FeedSpec)`` for every feed, in URL order."""

    def __init__(self, feeds: Sequence[FeedSpec]) -> None:
        self._feeds = sorted(feeds, key=lambda f: f.url)

    def process(self, tick: Any) -> Iterator[tuple[str, FeedSpec]]:
        for spec in self._feeds:
            yield spec.url, spec


_FEED = userstate.ReadModifyWriteStateSpec("feed", PickleCoder())
_FEED_PARAM = beam.DoFn.StateParam(_FEED)  # module level: Beam matches it by identity


class PollFeedFn(beam.DoFn):
    """(feed URL, FeedSpec) at a tick -> items new since the last parse, ``feed_state``
    operations and dead letters; keyed state per feed."""

    def __init__(
        self,
        ctx: RunContext,
        states: Mapping[str, Mapping[str, Any]],
        limits: FetchLimits,
        allow_private: bool,
        interval: float,
    ) -> None:
        self._ctx = ctx
        self._states = {url: dict(row) for url, row in states.items()}
        self._limits = limits
        self._allow_private = allow_private
        self._interval = interval
        self._counters = {
            name: beam.metrics.Metrics.counter("feeds", name)
            for name in ("polled", "failed", "not_modified", "not_due", "items")
        }

    def setup(self) -> None:
        pubdate.register()

    def process(
        self,
        element: tuple[str, FeedSpec],
        ts: Any = beam.DoFn.TimestampParam,
        stored: Any = _FEED_PARAM,
    ) -> Iterator[Any]:
        url, spec = element
        ctx = tick_context(self._ctx, ts)
        held = stored.read() or {"row": self._states.get(url), "seen": frozenset(), "own": False}
        row = held["row"]
        if not due_now(row, held["own"], ctx.started_at, self._interval):
            self._counters["not_due"].inc()
            return
        try:
            result = poll_feed(spec, row, ctx, self._limits, self._allow_private)
        except Exception as exc:  # a bug or an odd document must not stop the stream
            _LOGGER.exception("polling %s failed unexpectedly", url)
            result = failed(spec, row or {}, ctx.started_at, exc)
        self._counters["polled"].inc()
        if result.outcome in ("error", "not_modified"):
            self._counters["failed" if result.outcome == "error" else "not_modified"].inc()
        self._counters["items"].inc(len(result.items))
        seen = held["seen"]
        fresh: list[FeedItem] = []
        if result.outcome == "ok":
            fresh = new_items(result.items, seen)
            seen = frozenset(article_key(i) for i in result.items)
        if result.state is not None:
            row = {**result.state}
            row["next_poll_after"] = stream_next_poll(row, ctx.started_at, self._interval)
            yield beam.pvalue.TaggedOutput(FEED_STATE, ("upsert", "feed_state", row))
        stored.write({"row": row, "seen": seen, "own": True})
        for letter in result.letters:
            yield beam.pvalue.TaggedOutput(DEAD_LETTER, letter)
        yield from fresh


class PollFeedsContinuously(beam.PTransform):
    """Ticks -> on every tick, poll the due feeds; outputs ``items`` (new since the feed's last
    parse), ``feed_state`` and ``dead_letter``."""

    def __init__(
        self,
        feeds: Sequence[FeedSpec],
        ctx: RunContext,
        interval: float,
        states: Mapping[str, Mapping[str, Any]] | None = None,
        limits: FetchLimits | None = None,
        allow_private: bool = False,
    ) -> None:
        super().__init__()
        self._feeds = list(feeds)
        self._fn = PollFeedFn(ctx, states or {}, limits or FetchLimits(), allow_private, interval)

    def expand(self, ticks: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return (
            ticks
            | "EveryFeed" >> beam.ParDo(FeedsOfTickFn(self._feeds))
            | "PollIfDue"
            >> beam.ParDo(self._fn).with_outputs(FEED_STATE, DEAD_LETTER, main="items")
        )


# --------------------------------------------------------------------------------------------
# Beam: pages, one bundle at a time
# --------------------------------------------------------------------------------------------


class FetchEachBundleFn(beam.DoFn):
    """FeedItems -> Articles (and dead letters); a bundle's items are fetched together,
    politely per host, when the bundle finishes."""

    def __init__(self, ctx: RunContext, limits: FetchLimits, allow_private: bool) -> None:
        self._ctx = ctx
        self._limits = limits
        self._allow_private = allow_private
        self._pending: list[tuple[FeedItem, Timestamp, Any]] = []
        self._page = beam.metrics.Metrics.counter("articles", "from_page")
        self._summary = beam.metrics.Metrics.counter("articles", "from_summary")

    def start_bundle(self) -> None:
        self._pending = []

    def process(
        self,
        item: FeedItem,
        ts: Any = beam.DoFn.TimestampParam,
        window: Any = beam.DoFn.WindowParam,
    ) -> None:
        self._pending.append((item, ts, window))

    def _one(self, task: tuple[FeedItem, Timestamp, Any], gate: HostGate) -> tuple[Any, ...]:
        item, ts, window = task
        article, letter = fetch_article(
            item, tick_context(self._ctx, ts), self._limits, self._allow_private, gate
        )
        return article, letter, ts, window

    def finish_bundle(self) -> Iterator[Any]:
        pending, self._pending = self._pending, []
        if not pending:
            return
        hosts: dict[str, list[tuple[FeedItem, Timestamp, Any]]] = {}
        for task in pending:
            item = task[0]
            hosts.setdefault(host_key(item.link) if item.link else NO_LINK_HOST, []).append(task)
        groups = [
            (host, sorted(tasks, key=lambda t: article_key(t[0])))
            for host, tasks in sorted(hosts.items())
        ]
        for article, letter, ts, window in polite_map(self._one, groups, self._limits):
            if letter is not None:
                self._summary.inc()
                yield beam.pvalue.TaggedOutput(DEAD_LETTER, WindowedValue(letter, ts, (window,)))
            else:
                self._page.inc()
            yield WindowedValue(article, ts, (window,))


class FetchEachBundle(beam.PTransform):
    """FeedItem -> Article; outputs ``articles`` and ``dead_letter``."""

    def __init__(
        self, ctx: RunContext, limits: FetchLimits | None = None, allow_private: bool = False
    ) -> None:
        super().__init__()
        self._fn = FetchEachBundleFn(ctx, limits or FetchLimits(), allow_private)

    def expand(self, items: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return items | "FetchPolitely" >> beam.ParDo(self._fn).with_outputs(
            DEAD_LETTER, main="articles"
        )


# --------------------------------------------------------------------------------------------
# Beam: event time on the rows
# --------------------------------------------------------------------------------------------

# Columns that batch fills with the run's start time; streaming fills them with the tick's.
# (Fetching and merging already run with the tick's context.)
TICK_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "articles": ("first_seen_at",),
    "call_reports": ("ingested_at",),
    "ingest_errors": ("at", "first_at"),
}


def stamp(op: tuple[str, str, Any], when: dt.datetime) -> tuple[str, str, Any]:
    """A write operation with its table's tick columns (those present) set to ``when``."""
    kind, table, payload = op
    columns = TICK_COLUMNS.get(table, ())
    if kind == "delete" or not columns or not isinstance(payload, dict):
        return op
    return kind, table, {**payload, **{c: when for c in columns if c in payload}}


class StampEventTimeFn(beam.DoFn):
    """Write operations -> the same, with the run-start timestamps replaced by the tick's."""

    def process(
        self, op: tuple[str, str, Any], ts: Any = beam.DoFn.TimestampParam
    ) -> Iterator[tuple[str, str, Any]]:
        yield stamp(op, tick_time(ts))
