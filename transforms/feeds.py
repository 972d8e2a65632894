"""PollFeeds: FeedSpec -> FeedItem, plus ``feed_state`` write operations and dead letters.

Per run and feed:

1. **Due?** A feed whose stored ``next_poll_after`` lies in the future is skipped (counter
   ``feeds/not_due``), unless it is a ``file://`` feed or the run has ``--force``.
2. **Politely, per host.** Due feeds are grouped by host (``GroupByKey``) and each host's feeds
   are polled one after another, ``host_delay`` apart, at most ``per_host`` at a time
   (``transforms.fetch.polite_map``); a 429 defers the host's remaining feeds to the time the
   host asked for (``feeds/deferred``).
3. **Conditional GET** with the stored ``ETag``/``Last-Modified``; every
   ``FULL_FETCH_EVERY``-th poll, or when the last unconditional fetch is older than
   ``FULL_FETCH_MAX_AGE``, the validators are left out (servers that answer 304 forever).
   A 304 costs no parsing and keeps the stored validators.
4. **Parse** (``parse_feed``): decode the bytes (``transforms.charset``: wrong declared
   charsets, windows-1256, mojibake), refuse DTDs with entity declarations (``UnsafeXML``:
   no billion laughs, no external entities), refuse HTML pages (``NotAFeed``), then
   ``feedparser.parse`` on UTF-8 bytes with the response headers (never a URL: feedparser
   never fetches anything itself). ``bozo`` with entries is a warning; without entries an
   error; a well-formed empty feed is fine. Dates go through ``transforms.pubdate``.
5. **State**: validators, status, failures in a row, and ``next_poll_after``: the default
   interval, stretched to the server's advice (RSS ``<ttl>``, ``sy:updatePeriod``,
   ``Cache-Control: max-age``, capped); after failures exponential backoff, capped, never
   giving up; at least ``Retry-After`` on 429/503.

Tagged outputs: ``feed_state`` (write operations), ``dead_letter`` (DeadLetter; warnings too:
``MalformedFeed``, ``TruncatedFeed``, ``CharsetMismatch``, ``Mojibake`` with items kept).
Metrics: ``feeds/polled``, ``feeds/failed``, ``feeds/not_modified``, ``feeds/not_due``,
``feeds/deferred``, ``feeds/items``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import apache_beam as beam
import feedparser

from pipeline.records import DeadLetter, FeedItem, FeedSpec, RunContext
from transforms import pubdate
from transforms.charset import declared_charset, decode_document, repair_mojibake
from transforms.deadletter import DEAD_LETTER, dead_letter
from transforms.fetch import (
    FetchError,
    FetchLimits,
    HostGate,
    UrlPolicy,
    fetch,
    host_key,
    origin_of,
    polite_map,
)

_LOGGER = logging.getLogger(__name__)

FEED_STATE = "feed_state"
DEFAULT_INTERVAL = dt.timedelta(minutes=15)
MAX_INTERVAL = dt.timedelta(hours=6)  # server advice (ttl, max-age) is honoured up to this
MAX_BACKOFF = dt.timedelta(hours=6)  # failing feeds: 15 min, 30 min, 1 h ... 6 h, forever
MAX_RETRY_AFTER = dt.timedelta(hours=24)
DUE_SLACK = dt.timedelta(minutes=2)  # a cron run a few seconds early still polls
FULL_FETCH_EVERY = 12  # polls; then one unconditional GET
FULL_FETCH_MAX_AGE = dt.timedelta(hours=24)

_ROOT_TAG = re.compile(r"<([A-Za-z_][\w:.-]*)")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_XML_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])[\w.:-]+([\"'])", re.I)
_FEED_END = re.compile(r"</\s*(?:[\w-]+:)?(?:rss|feed|RDF)\s*>\s*$", re.I)
_ALT_FEED = re.compile(
    r"<link[^>]+type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*href=[\"']([^\"']+)", re.I
)
_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d+)", re.I)
_SY_PERIOD = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}


class NotAFeed(Exception):
    error_class = "NotAFeed"


class MalformedFeed(NotAFeed):
    error_class = "MalformedFeed"


class TruncatedFeed(NotAFeed):
    error_class = "TruncatedFeed"


class UnsafeXML(NotAFeed):
    error_class = "UnsafeXML"


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    advised: dt.timedelta | None = None  # the feed's own <ttl> / sy:updatePeriod
    warnings: tuple[str, ...] = ()  # "ErrorClass: reason"


@dataclass(frozen=True)
class PollResult:
    items: tuple[FeedItem, ...] = ()
    state: dict[str, Any] | None = None
    letters: tuple[DeadLetter, ...] = ()
    outcome: str = "ok"  # ok | not_modified | error | deferred


# ------------------------------------------------------------------------------------------
# Scheduling (pure)
# ------------------------------------------------------------------------------------------


def feed_policy(feed_url: str, allow_private: bool) -> UrlPolicy:
    """Operator-configured feeds: their own origin (or folder) is trusted, redirects are not."""
    p = urlparse(feed_url)
    if p.scheme == "file":
        return UrlPolicy(file_root=os.path.dirname(unquote(p.path)), allow_private=allow_private)
    return UrlPolicy(origin=origin_of(feed_url), allow_private=allow_private)


def _as_dt(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        try:
            return _as_dt(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def is_due(
    url: str, state: Mapping[str, Any] | None, now: dt.datetime, force: bool = False
) -> bool:
    """Poll now? New feeds, ``file://`` feeds and ``--force`` always; others when due."""
    if force or not state or urlparse(url).scheme == "file":
        return True
    due = _as_dt(state.get("next_poll_after"))
    return due is None or due <= now + DUE_SLACK


def wants_full_fetch(state: Mapping[str, Any] | None, now: dt.datetime) -> bool:
    """Leave the validators out this time? (Servers that answer 304 forever exist.)"""
    if not state or not (state.get("etag") or state.get("last_modified")):
        return True
    if int(state.get("conditional_polls") or 0) >= FULL_FETCH_EVERY - 1:
        return True
    last_full = _as_dt(state.get("last_full_fetch_at"))
    return last_full is None or now - last_full >= FULL_FETCH_MAX_AGE


def conditional_headers(state: Mapping[str, Any] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if state and state.get("etag"):
        headers["If-None-Match"] = str(state["etag"])
    if state and state.get("last_modified"):
        headers["If-Modified-Since"] = str(state["last_modified"])
    return headers


def cache_max_age(headers: Mapping[str, str]) -> dt.timedelta | None:
    """``Cache-Control: max-age`` of a response (None for no-store/no-cache or absent)."""
    value = headers.get("cache-control", "")
    if re.search(r"no-store|no-cache", value, re.I):
        return None
    m = _MAX_AGE.search(value)
    return dt.timedelta(seconds=int(m.group(1))) if m else None


def feed_advice(feed: Mapping[str, Any]) -> dt.timedelta | None:
    """The interval a feed asks for: RSS ``<ttl>`` (minutes) or ``sy:updatePeriod/Frequency``."""
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return dt.timedelta(minutes=int(ttl))
    period = _SY_PERIOD.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period:
        freq = str(feed.get("sy_updatefrequency") or "1").strip()
        return dt.timedelta(seconds=period / max(1, int(freq) if freq.isdigit() else 1))
    return None


def next_poll(
    now: dt.datetime,
    failures: int,
    retry_after: float | None = None,
    advised: dt.timedelta | None = None,
) -> dt.datetime:
    """When to poll a feed next.

    Healthy: the default interval, or the server's advice when longer (capped at
    ``MAX_INTERVAL``). Failing: ``DEFAULT_INTERVAL * 2**(failures-1)`` capped at
    ``MAX_BACKOFF`` - a feed is never given up. ``Retry-After`` is a floor (capped at a day).
    """
    if failures <= 0:
        interval = max(DEFAULT_INTERVAL, min(advised or DEFAULT_INTERVAL, MAX_INTERVAL))
        return now + interval
    interval = min(DEFAULT_INTERVAL * (2 ** min(failures - 1, 16)), MAX_BACKOFF)
    if retry_after is not None:
        interval = max(interval, min(dt.timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return now + interval


# ------------------------------------------------------------------------------------------
# Parsing (pure)
# ------------------------------------------------------------------------------------------


def _absolute_link(link: str, base_url: str) -> str:
    """Resolve a relative link against the feed URL; mend feedparser's ``file://host/path``."""
    if not link or not link.strip():
        return ""
    link = urljoin(base_url, link.strip())
    p = urlparse(link)
    if p.scheme == "file" and p.netloc not in ("", "localhost"):
        link = "file:///" + p.netloc + p.path
    return link


def entry_datetime(entry: Mapping[str, Any]) -> dt.datetime | None:
    """The entry's date, keeping the publisher's UTC offset when it gave one."""
    for key in ("published", "updated", "created", "date"):
        parsed = pubdate.parse_pubdate(entry.get(key))
        if parsed is not None:
            return parsed
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        struct = entry.get(key)
        if struct:
            y, mo, d, h, mi, s = struct[:6]
            return dt.datetime(y, mo, d, h, mi, s, tzinfo=dt.UTC)
    return None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    fixed, _ = repair_mojibake(text.strip())
    return fixed or None


def entries_to_items(parsed: Any, spec: FeedSpec, base_url: str) -> list[FeedItem]:
    """Feed entries -> FeedItems; GUID falls back to the link, then to hash(title|date)."""
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _absolute_link(entry.get("link") or "", base_url)
        published = entry_datetime(entry)
        title = _clean(entry.get("title"))
        summary = _clean(entry.get("summary"))
        if not link and not summary and not title:
            continue
        guid = (entry.get("id") or "").strip() or link
        if not guid:
            basis = f"{title or ''}|{published.isoformat() if published else ''}"
            guid = "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
        if guid in seen:
            continue
        seen.add(guid)
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


def check_xml_safety(text: str) -> None:
    """Refuse entity declarations in the DTD: entity bombs and external entities never parse."""
    root = _ROOT_TAG.search(text)
    prolog = text[: root.start()] if root else text
    if _ENTITY_DECL.search(prolog):
        raise UnsafeXML(
            "the document declares XML entities in its DOCTYPE (<!ENTITY ...>); "
            "refused unparsed: entity expansion and external entities are not allowed"
        )


def _root_tag(text: str) -> str:
    m = _ROOT_TAG.search(re.sub(r"<!--.*?-->", "", text[:4096], flags=re.S))
    return m.group(1).lower() if m else ""


def _bozo_reason(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown problem"
    get_msg = getattr(exc, "getMessage", None)
    line = getattr(exc, "getLineNumber", None)
    msg = get_msg() if callable(get_msg) else str(exc)
    return f"{msg} at line {line()}" if callable(line) else msg


def parse_feed(body: bytes, headers: Mapping[str, str], spec: FeedSpec, url: str) -> ParsedFeed:
    """Parse a feed body; raise ``NotAFeed`` (or a subclass) when it gives no usable feed."""
    ctype = headers.get("content-type", "")
    decoded = decode_document(body, declared_charset(body, ctype))
    text = decoded.text
    if not text.strip():
        raise NotAFeed("the response is empty (0 bytes of content)")
    check_xml_safety(text)
    root = _root_tag(text)
    if not root:
        raise NotAFeed(f"no RSS or Atom feed in the document: it is not XML ({text[:40]!r}...)")
    if root == "html" or (not root.endswith(("rss", "feed", "rdf")) and "html" in ctype.lower()):
        alt = _ALT_FEED.search(text)
        hint = f"; the page advertises a feed at {urljoin(url, alt.group(1))}" if alt else ""
        raise NotAFeed(
            f"the URL serves an HTML page ({ctype or 'no content type'}), not RSS or Atom{hint}"
        )
    data = _XML_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8")
    response_headers = {
        k: v
        for k, v in headers.items()
        if k not in ("content-type", "content-encoding", "content-length")
    }
    response_headers["content-type"] = "application/xml; charset=utf-8"
    response_headers.setdefault("content-location", url)
    parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    warnings = list(decoded.notes)
    items = entries_to_items(parsed, spec, url)
    harmless = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    if parsed.bozo and not harmless:
        truncated = not _FEED_END.search(text)
        cls = TruncatedFeed if truncated else MalformedFeed
        what = (
            "the document is cut off before its closing tag (truncated)"
            if truncated
            else "the document is not well-formed XML"
        )
        reason = f"{what}: {_bozo_reason(parsed.get('bozo_exception'))}"
        if not items:
            raise cls(f"{reason}; no entries could be read")
        warnings.append(f"{cls.error_class}: {reason}; kept the {len(items)} entries read")
    if not parsed.entries and not parsed.get("version"):
        raise NotAFeed(f"no RSS or Atom feed in the document (root element <{root or '?'}>)")
    return ParsedFeed(tuple(items), feed_advice(parsed.feed), tuple(warnings))


# ------------------------------------------------------------------------------------------
# One poll (the network is touched through transforms.fetch only)
# ------------------------------------------------------------------------------------------


def _base_state(spec: FeedSpec, prev: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "feed_url": spec.url,
        "outlet": spec.outlet,
        "etag": prev.get("etag"),
        "last_modified": prev.get("last_modified"),
        "last_polled_at": now,
        "first_polled_at": prev.get("first_polled_at") or now,
        "last_success_at": prev.get("last_success_at"),
        "last_status": prev.get("last_status"),
        "http_status": prev.get("http_status"),
        "last_error": prev.get("last_error"),
        "last_warning": None,
        "consecutive_failures": int(prev.get("consecutive_failures") or 0),
        "next_poll_after": prev.get("next_poll_after"),
        "items_seen": int(prev.get("items_seen") or 0),
        "last_items": prev.get("last_items"),
        "conditional_polls": int(prev.get("conditional_polls") or 0),
        "last_full_fetch_at": prev.get("last_full_fetch_at"),
        "advised_interval_s": prev.get("advised_interval_s"),
        "final_url": prev.get("final_url"),
    }


def deferred(
    spec: FeedSpec,
    prev: Mapping[str, Any],
    now: dt.datetime,
    reason: str,
    retry_after: float | None,
) -> PollResult:
    """The host asked us to back off earlier in this run: don't ask it again now."""
    state = _base_state(spec, prev, now)
    state["last_polled_at"] = prev.get("last_polled_at")
    wait = min(dt.timedelta(seconds=retry_after or 0), MAX_RETRY_AFTER)
    state.update(
        last_status="deferred",
        last_error=f"Deferred: {reason}",
        next_poll_after=now + max(wait, DEFAULT_INTERVAL),
    )
    return PollResult(state=state, outcome="deferred")


def failed(
    spec: FeedSpec,
    prev: Mapping[str, Any],
    now: dt.datetime,
    exc: Exception,
    payload: bytes | None = None,
) -> PollResult:
    state = _base_state(spec, prev, now)
    failures = state["consecutive_failures"] + 1
    retry_after = getattr(exc, "retry_after", None)
    state.update(
        last_status="error",
        http_status=getattr(exc, "status", None),
        last_error=f"{getattr(exc, 'error_class', type(exc).__name__)}: {exc}",
        consecutive_failures=failures,
        next_poll_after=next_poll(now, failures, retry_after),
    )
    letter = dead_letter(
        "poll_feed", spec.url, exc, payload=payload or getattr(exc, "body", None), feed_url=spec.url
    )
    return PollResult(state=state, letters=(letter,), outcome="error")


def poll_feed(
    spec: FeedSpec,
    prev: Mapping[str, Any] | None,
    ctx: RunContext,
    limits: FetchLimits,
    allow_private: bool,
    gate: HostGate | None = None,
) -> PollResult:
    """Poll one feed: fetch (conditionally), parse, and say what to store and what failed."""
    prev = prev or {}
    now = ctx.started_at
    if gate is not None and gate.closed:
        reason, retry = gate.closed
        return deferred(spec, prev, now, reason, retry)
    full = wants_full_fetch(prev, now)
    headers = {} if full else conditional_headers(prev)
    try:
        resp = fetch(spec.url, feed_policy(spec.url, allow_private), limits, headers)
    except FetchError as exc:
        if exc.status == 429 and gate is not None:
            gate.close(f"{gate.host} answered {exc}", exc.retry_after)
        return failed(spec, prev, now, exc)
    state = _base_state(spec, prev, now)
    state.update(
        http_status=resp.status,
        last_error=None,
        consecutive_failures=0,
        last_success_at=now,
        final_url=resp.url if resp.redirects else None,
        conditional_polls=0 if full else state["conditional_polls"] + 1,
    )
    if full:
        state["last_full_fetch_at"] = now
    server_advice = cache_max_age(resp.headers)
    if resp.status == 304:
        advised = server_advice or _seconds(prev.get("advised_interval_s"))
        state.update(
            etag=resp.headers.get("etag") or prev.get("etag"),
            last_modified=resp.headers.get("last-modified") or prev.get("last_modified"),
            last_status="not_modified",
            next_poll_after=next_poll(now, 0, advised=advised),
        )
        return PollResult(state=state, outcome="not_modified")
    try:
        parsed = parse_feed(resp.body, resp.headers, spec, resp.url)
    except NotAFeed as exc:
        return failed(spec, prev, now, exc, payload=resp.body)
    advised = max((a for a in (server_advice, parsed.advised) if a), default=None)
    state.update(
        etag=resp.headers.get("etag") or None,
        last_modified=resp.headers.get("last-modified") or None,
        last_status="ok",
        last_warning="; ".join(parsed.warnings) or None,
        next_poll_after=next_poll(now, 0, advised=advised),
        items_seen=state["items_seen"] + len(parsed.items),
        last_items=len(parsed.items),
        advised_interval_s=int(advised.total_seconds()) if advised else None,
    )
    letters = tuple(
        dead_letter(
            "poll_feed",
            spec.url,
            w.split(":", 1)[0],
            detail="warning, items kept: " + w.split(":", 1)[1].strip(),
            feed_url=spec.url,
        )
        for w in parsed.warnings
    )
    return PollResult(items=parsed.items, state=state, letters=letters)


def _seconds(value: Any) -> dt.timedelta | None:
    return dt.timedelta(seconds=int(value)) if value else None


# ------------------------------------------------------------------------------------------
# Beam
# ------------------------------------------------------------------------------------------


class SkipNotDueFn(beam.DoFn):
    """FeedSpec -> (host, FeedSpec) for the feeds that are due."""

    def __init__(
        self, ctx: RunContext, states: Mapping[str, Mapping[str, Any]], force: bool
    ) -> None:
        self._ctx = ctx
        self._states = dict(states)
        self._force = force
        self._not_due = beam.metrics.Metrics.counter("feeds", "not_due")

    def process(self, spec: FeedSpec) -> Iterator[tuple[str, FeedSpec]]:
        if is_due(spec.url, self._states.get(spec.url), self._ctx.started_at, self._force):
            yield host_key(spec.url), spec
        else:
            self._not_due.inc()


class PollHostsFn(beam.DoFn):
    """A batch of ``(host, feeds)`` -> items, state writes and dead letters, politely."""

    def __init__(
        self,
        ctx: RunContext,
        states: Mapping[str, Mapping[str, Any]],
        limits: FetchLimits,
        allow_private: bool,
    ) -> None:
        self._ctx = ctx
        self._states = dict(states)
        self._limits = limits
        self._allow_private = allow_private
        self._counters = {
            name: beam.metrics.Metrics.counter("feeds", name)
            for name in ("polled", "failed", "not_modified", "deferred", "items")
        }

    def setup(self) -> None:
        pubdate.register()

    def _poll(self, spec: FeedSpec, gate: HostGate) -> PollResult:
        try:
            return poll_feed(
                spec, self._states.get(spec.url), self._ctx, self._limits, self._allow_private, gate
            )
        except Exception as exc:  # a bug or an odd document must not stop the other feeds
            _LOGGER.exception("polling %s failed unexpectedly", spec.url)
            return failed(spec, self._states.get(spec.url) or {}, self._ctx.started_at, exc)

    def process(self, batch: Sequence[tuple[str, Iterable[FeedSpec]]]) -> Iterator[Any]:
        groups = [(host, sorted(specs, key=lambda s: s.url)) for host, specs in batch]
        for result in polite_map(self._poll, groups, self._limits):
            if result.outcome != "deferred":
                self._counters["polled"].inc()
            if result.outcome in ("error", "deferred", "not_modified"):
                self._counters["failed" if result.outcome == "error" else result.outcome].inc()
            self._counters["items"].inc(len(result.items))
            if result.state is not None:
                yield beam.pvalue.TaggedOutput(FEED_STATE, ("upsert", "feed_state", result.state))
            for letter in result.letters:
                yield beam.pvalue.TaggedOutput(DEAD_LETTER, letter)
            yield from result.items


class PollFeeds(beam.PTransform):
    """Poll every due feed once, politely per host; outputs ``items``, ``feed_state``,
    ``dead_letter``."""

    def __init__(
        self,
        ctx: RunContext,
        states: Mapping[str, Mapping[str, Any]] | None = None,
        limits: FetchLimits | None = None,
        allow_private: bool = False,
        force: bool = False,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self._states = dict(states or {})
        self._limits = limits or FetchLimits()
        self._allow_private = allow_private
        self._force = force

    def expand(self, feeds: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        n = self._limits.parallel_hosts
        return (
            feeds
            | "SkipNotDue" >> beam.ParDo(SkipNotDueFn(self._ctx, self._states, self._force))
            | "GroupByHost" >> beam.GroupByKey()
            | "BatchHosts" >> beam.BatchElements(min_batch_size=n, max_batch_size=n)
            | "PollPolitely"
            >> beam.ParDo(
                PollHostsFn(self._ctx, self._states, self._limits, self._allow_private)
            ).with_outputs(FEED_STATE, DEAD_LETTER, main="items")
        )
