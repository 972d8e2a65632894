"""PollFeeds: FeedSpec -> FeedItem, plus ``feed_state`` rows and dead letters.

One GET per feed (``transforms.fetch``), with ``If-None-Match``/``If-Modified-Since`` from the
stored ``feed_state``. The body goes to ``feedparser.parse(io.BytesIO(body),
response_headers=...)`` - never a URL, so feedparser never fetches anything itself.

* ``bozo`` with usable entries is a warning (logged, the items flow on);
* a broken document with no entries is an error (dead letter ``NotAFeed``);
* a well-formed empty feed is fine (zero items);
* 304 Not Modified costs no parsing and keeps the stored validators.

Every poll writes the feed's ``feed_state`` row: validators, last status, failures in a row and
when to poll next (exponential backoff for failing feeds, capped, never giving up).

Tagged outputs: ``feed_state`` (write operations), ``dead_letter`` (DeadLetter).
Metrics: ``feeds/polled``, ``feeds/failed``, ``feeds/not_modified``, ``feeds/items``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import hashlib
import io
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import apache_beam as beam
import feedparser

from pipeline.records import FeedItem, FeedSpec, RunContext
from transforms.deadletter import DEAD_LETTER, dead_letter
from transforms.fetch import FetchError, FetchLimits, UrlPolicy, fetch

_LOGGER = logging.getLogger(__name__)

FEED_STATE = "feed_state"
DEFAULT_INTERVAL = dt.timedelta(minutes=15)
MAX_BACKOFF = dt.timedelta(hours=6)


class NotAFeed(Exception):
    error_class = "NotAFeed"


def feed_policy(feed_url: str, allow_private: bool) -> UrlPolicy:
    """Operator-configured feeds may be ``file://``; their own host is never second-guessed."""
    root = None
    if urlparse(feed_url).scheme == "file":
        root = os.path.dirname(unquote(urlparse(feed_url).path))
    return UrlPolicy(file_root=root, allow_private=True if root is None else allow_private)


def _entry_datetime(entry: Mapping[str, Any]) -> dt.datetime | None:
    """The entry's date, keeping the publisher's UTC offset when it gave one."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.UTC)
                return parsed
            except (TypeError, ValueError):
                pass
            try:
                parsed = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
            except ValueError:
                pass
        parsed_struct = entry.get(f"{key}_parsed")
        if parsed_struct:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed_struct), dt.UTC)
    return None


def _absolute_link(link: str, base_url: str) -> str:
    """Resolve a relative link against the feed URL; mend feedparser's ``file://host/path``."""
    if not link:
        return ""
    link = urljoin(base_url, link.strip())
    p = urlparse(link)
    if p.scheme == "file" and p.netloc not in ("", "localhost"):
        link = "file:///" + p.netloc + p.path
    return link


def entries_to_items(parsed: Any, spec: FeedSpec, base_url: str) -> list[FeedItem]:
    items = []
    for entry in parsed.entries:
        link = _absolute_link(entry.get("link") or "", base_url)
        published = _entry_datetime(entry)
        title = entry.get("title")
        guid = entry.get("id") or link
        if not guid:
            basis = f"{title or ''}|{published.isoformat() if published else ''}"
            guid = "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
        summary = entry.get("summary") or None
        if not link and not summary and not title:
            continue
        items.append(
            FeedItem(
                feed_url=spec.url,
                outlet=spec.outlet,
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                published=published,
            )
        )
    return items


def parse_feed(body: bytes, headers: Mapping[str, str], spec: FeedSpec, url: str) -> list[FeedItem]:
    """Parse a feed body; raise ``NotAFeed`` when it is broken and has no entries."""
    response_headers = dict(headers)
    response_headers.setdefault("content-location", url)
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    if parsed.bozo and not parsed.entries:
        is_feed = bool(parsed.get("version")) or bool(parsed.feed.get("title"))
        if not is_feed or not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
            raise NotAFeed(f"not a usable feed: {parsed.bozo_exception}")
    if parsed.bozo:
        _LOGGER.warning("feed %s is not well-formed (%s) but has %d entries", url,
                        parsed.bozo_exception, len(parsed.entries))
    if not parsed.entries and not parsed.get("version"):
        raise NotAFeed("no feed found in the document")
    return entries_to_items(parsed, spec, url)


def next_poll(ctx: RunContext, failures: int, retry_after: float | None) -> dt.datetime:
    if retry_after is not None:
        return ctx.started_at + dt.timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds()))
    if failures <= 0:
        return ctx.started_at + DEFAULT_INTERVAL
    backoff = DEFAULT_INTERVAL * (2 ** min(failures - 1, 10))
    return ctx.started_at + min(backoff, MAX_BACKOFF)


class PollFeedFn(beam.DoFn):
    def __init__(self, ctx: RunContext, states: Mapping[str, Mapping[str, Any]],
                 limits: FetchLimits, allow_private: bool) -> None:
        self._ctx = ctx
        self._states = dict(states)
        self._limits = limits
        self._allow_private = allow_private
        self._polled = beam.metrics.Metrics.counter("feeds", "polled")
        self._failed = beam.metrics.Metrics.counter("feeds", "failed")
        self._not_modified = beam.metrics.Metrics.counter("feeds", "not_modified")
        self._items = beam.metrics.Metrics.counter("feeds", "items")

    def process(self, spec: FeedSpec) -> Iterator[Any]:
        self._polled.inc()
        prev = self._states.get(spec.url) or {}
        headers = {}
        if prev.get("etag"):
            headers["If-None-Match"] = prev["etag"]
        if prev.get("last_modified"):
            headers["If-Modified-Since"] = prev["last_modified"]
        state: dict[str, Any] = {
            "feed_url": spec.url,
            "outlet": spec.outlet,
            "etag": prev.get("etag"),
            "last_modified": prev.get("last_modified"),
            "last_polled_at": self._ctx.started_at,
            "last_success_at": prev.get("last_success_at"),
            "items_seen": prev.get("items_seen") or 0,
        }
        try:
            resp = fetch(spec.url, feed_policy(spec.url, self._allow_private), self._limits, headers)
            if resp.status == 304:
                self._not_modified.inc()
                state.update(last_status="not_modified", http_status=304, last_error=None,
                             consecutive_failures=0, last_success_at=self._ctx.started_at,
                             next_poll_after=next_poll(self._ctx, 0, None))
                yield beam.pvalue.TaggedOutput(FEED_STATE, ("upsert", "feed_state", state))
                return
            items = parse_feed(resp.body, resp.headers, spec, resp.url)
        except (FetchError, NotAFeed) as exc:
            self._failed.inc()
            failures = int(prev.get("consecutive_failures") or 0) + 1
            status = getattr(exc, "status", None)
            state.update(last_status="error", http_status=status, last_error=f"{exc.error_class}: {exc}",
                         consecutive_failures=failures,
                         next_poll_after=next_poll(self._ctx, failures, getattr(exc, "retry_after", None)))
            yield beam.pvalue.TaggedOutput(FEED_STATE, ("upsert", "feed_state", state))
            body = getattr(exc, "body", None)
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTER, dead_letter("poll_feed", spec.url, exc, payload=body, feed_url=spec.url)
            )
            return
        self._items.inc(len(items))
        state.update(
            etag=resp.headers.get("etag") or None,
            last_modified=resp.headers.get("last-modified") or None,
            last_status="ok",
            http_status=resp.status,
            last_error=None,
            consecutive_failures=0,
            last_success_at=self._ctx.started_at,
            next_poll_after=next_poll(self._ctx, 0, None),
            items_seen=int(state["items_seen"]) + len(items),
        )
        yield beam.pvalue.TaggedOutput(FEED_STATE, ("upsert", "feed_state", state))
        yield from items


class PollFeeds(beam.PTransform):
    """Poll every feed once; outputs ``items``, ``feed_state`` and ``dead_letter``."""

    def __init__(self, ctx: RunContext, states: Mapping[str, Mapping[str, Any]] | None = None,
                 limits: FetchLimits = FetchLimits(), allow_private: bool = False) -> None:
        super().__init__()
        self._fn = PollFeedFn(ctx, states or {}, limits, allow_private)

    def expand(self, feeds: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return feeds | "FetchAndParse" >> beam.ParDo(self._fn).with_outputs(
            FEED_STATE, DEAD_LETTER, main="items"
        )
