"""De-duplication in streaming mode: keyed state in the global window instead of a GroupByKey.

In batch, ``FetchArticles`` de-duplicates with ``CombinePerKey`` and links syndicated copies
with a ``GroupByKey``: both see a whole run at once. A streaming pipeline cannot wait for "the
whole run", and on the local FnApiRunner nothing after a GroupByKey emits before the source
ends. So streaming mode keeps what it has seen in per-key state (global window) instead:

* ``DropSeenItems``: FeedItem -> the FeedItem, the first time its article is seen and if it is
  not already in the warehouse (the known-ids side input, looked up before the state). Later
  sightings are dropped (``articles/repeated``). State: the event time it was last seen; an
  event-time timer clears it ``ttl`` after that, so state stays bounded to the articles of the
  last ``ttl``.
* ``LinkCopiesAsTheyCome``: ``Article`` -> the Article, with ``duplicate_of`` set when a copy of
  the same story (same ``fingerprint``) was seen first - earlier in the stream or stored in the
  warehouse (the known-fingerprints side input). State: the original's ``article_id``, expired
  like the above.

Both are "a later batch run": the first copy seen is the original, as a copy arriving in the
next cron run would find the first one stored. (Within one batch run the earliest published
copy wins; within one streaming tick the first to arrive does.)

``ttl=None`` keeps state for the life of the pipeline and sets no timer. The CLI uses it on the
local FnApiRunner, where an event-time timer fires at the end of the very bundle that set it
(measured, Beam 2.77: the fused streaming stage's input watermark is already +inf) and would
forget every article after each poll; there the state lives as long as the process (one small
entry per article), elsewhere (Dataflow, Flink, Prism, TestStream) the timers expire it.

Metrics: ``articles/new``, ``articles/known``, ``articles/repeated``, ``articles/syndicated``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder, VarIntCoder
from apache_beam.transforms import userstate
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.utils.timestamp import Duration, Timestamp

from pipeline.records import Article, FeedItem, article_id_for
from transforms.articles import article_key

_LOGGER = logging.getLogger(__name__)

DEFAULT_TTL = 7 * 24 * 3600  # seconds an article (or a story) is remembered after last seen


def is_fingerprint(key: str) -> bool:
    """Fingerprint keys (``mh...``) link copies; ``none:<id>`` keys stand alone."""
    return key.startswith("mh")


class _KnownIds:
    """A frozenset view of a side input, rebuilt only when the side input object changes."""

    def __init__(self) -> None:
        self._cache: tuple[int, frozenset[str]] | None = None

    def __call__(self, known: Iterable[str]) -> frozenset[str]:
        if self._cache is None or self._cache[0] != id(known):
            self._cache = (id(known), frozenset(known))
        return self._cache[1]


# State, timers and their DoFn parameters (module level: Beam matches them by identity).
_LAST_SEEN = userstate.ReadModifyWriteStateSpec("last_seen_micros", VarIntCoder())
_ORIGINAL = userstate.ReadModifyWriteStateSpec("original", PickleCoder())
_SEEN_EXPIRY = userstate.TimerSpec("seen_expiry", TimeDomain.WATERMARK)
_COPY_EXPIRY = userstate.TimerSpec("copy_expiry", TimeDomain.WATERMARK)
_LAST_SEEN_PARAM = beam.DoFn.StateParam(_LAST_SEEN)
_ORIGINAL_PARAM = beam.DoFn.StateParam(_ORIGINAL)
_SEEN_EXPIRY_PARAM = beam.DoFn.TimerParam(_SEEN_EXPIRY)
_COPY_EXPIRY_PARAM = beam.DoFn.TimerParam(_COPY_EXPIRY)


class SkipKnownFn(beam.DoFn):
    """FeedItem -> (article key, FeedItem) unless the article is already in the warehouse."""

    def __init__(self) -> None:
        self._known_ids = _KnownIds()
        self._known = beam.metrics.Metrics.counter("articles", "known")

    def process(self, item: FeedItem, known: Iterable[str] = ()) -> Iterator[tuple[str, FeedItem]]:
        key = article_key(item)
        if article_id_for(key) in self._known_ids(known):
            self._known.inc()
            return
        yield key, item


class DropSeenItemsFn(beam.DoFn):
    """(article key, FeedItem) -> FeedItem when the article is new; keyed state per article.

    (No side input here: a stateful DoFn with one trips Beam 2.77's key-coder lookup, which may
    take the side input for the main input and refuse it as not key-value.)
    """

    def __init__(self, ttl: float | None = DEFAULT_TTL) -> None:
        self._ttl = ttl
        self._new = beam.metrics.Metrics.counter("articles", "new")
        self._repeated = beam.metrics.Metrics.counter("articles", "repeated")

    def process(
        self,
        element: tuple[str, FeedItem],
        ts: Any = beam.DoFn.TimestampParam,
        last_seen: Any = _LAST_SEEN_PARAM,
        expiry: Any = _SEEN_EXPIRY_PARAM,
    ) -> Iterator[FeedItem]:
        _, item = element
        seen = last_seen.read()
        if seen is not None and (self._ttl is None or ts.micros < seen + self._ttl * 1e6):
            self._repeated.inc()
        else:
            self._new.inc()
            yield item
        latest = max(ts.micros, seen or 0)
        last_seen.write(latest)
        if self._ttl is not None:
            expiry.set(Timestamp(micros=latest) + Duration(self._ttl))

    @userstate.on_timer(_SEEN_EXPIRY)
    def expire(
        self,
        fired: Any = beam.DoFn.TimestampParam,
        last_seen: Any = _LAST_SEEN_PARAM,
        expiry: Any = _SEEN_EXPIRY_PARAM,
    ) -> None:
        seen = last_seen.read()
        if seen is not None and self._ttl is not None and seen + self._ttl * 1e6 > fired.micros:
            expiry.set(Timestamp(micros=seen) + Duration(self._ttl))  # seen again meanwhile
            return
        last_seen.clear()


class DropSeenItems(beam.PTransform):
    """FeedItem -> FeedItem, each article once (per ``ttl``) and only if not already stored."""

    def __init__(self, known_ids: beam.PCollection | None = None, ttl: float | None = DEFAULT_TTL):
        super().__init__()
        self._known_ids = known_ids
        self._ttl = ttl

    def expand(self, items: beam.PCollection) -> beam.PCollection:
        side = [beam.pvalue.AsList(self._known_ids)] if self._known_ids is not None else []
        return (
            items
            | "SkipKnown" >> beam.ParDo(SkipKnownFn(), *side)
            | "FirstSighting" >> beam.ParDo(DropSeenItemsFn(self._ttl))
        )


class KeyByFingerprintFn(beam.DoFn):
    """Article -> (fingerprint, (Article, the stored original's id or None))."""

    def process(
        self, article: Article, stored: Mapping[str, str] | None = None
    ) -> Iterator[tuple[str, tuple[Article, str | None]]]:
        fp = article.fingerprint or f"none:{article.article_id}"
        yield fp, (article, (stored or {}).get(fp))


class LinkCopiesFn(beam.DoFn):
    """(fingerprint, Article) -> Article, ``duplicate_of`` the first copy seen or stored."""

    def __init__(self, ttl: float | None = DEFAULT_TTL) -> None:
        self._ttl = ttl
        self._syndicated = beam.metrics.Metrics.counter("articles", "syndicated")

    def process(
        self,
        element: tuple[str, tuple[Article, str | None]],
        ts: Any = beam.DoFn.TimestampParam,
        original: Any = _ORIGINAL_PARAM,
        expiry: Any = _COPY_EXPIRY_PARAM,
    ) -> Iterator[Article]:
        fp, (article, stored) = element
        if not is_fingerprint(fp):
            yield article
            return
        first = original.read() or stored or article.article_id
        original.write(first)
        if self._ttl is not None:
            expiry.set(ts + Duration(self._ttl))
        if first == article.article_id:
            yield article
        else:
            self._syndicated.inc()
            yield dataclasses.replace(article, duplicate_of=first)

    @userstate.on_timer(_COPY_EXPIRY)
    def expire(self, original: Any = _ORIGINAL_PARAM) -> None:
        original.clear()


class LinkCopiesAsTheyCome(beam.PTransform):
    """Article -> Article with ``duplicate_of`` set on copies of a story seen (or stored) first."""

    def __init__(
        self, known_fingerprints: beam.PCollection | None = None, ttl: float | None = DEFAULT_TTL
    ) -> None:
        super().__init__()
        self._known = known_fingerprints
        self._ttl = ttl

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        side = [beam.pvalue.AsDict(self._known)] if self._known is not None else []
        return (
            articles
            | "KeyByFingerprint" >> beam.ParDo(KeyByFingerprintFn(), *side)
            | "FirstCopyWins" >> beam.ParDo(LinkCopiesFn(self._ttl))
        )
