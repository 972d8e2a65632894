"""FetchArticles: FeedItem -> Article (and dead letters).

Feeds carry a title and a summary; the article is on its page. For each item:

1. canonicalise the link (tracking parameters, AMP variants, ``m.`` hosts, fragments,
   percent-encoding) and derive the stable ``article_id``; one item per article (an item in
   two feeds is one article); items already in the warehouse (known ids, a side input read at
   start-up) are skipped before any request (``articles/known``);
2. fetch the pages politely: grouped by host, one request at a time per host, ``host_delay``
   apart (``transforms.fetch.polite_map``), under the feed's URL policy (a link may only point
   to the feed's own origin or to a public address; a ``file://`` feed's links only into its
   own folder); a 429 stops further requests to that host in this run;
3. decode the page (``transforms.charset``) and extract the main text, title and date with
   trafilatura (no comments, tables or boilerplate); HTML is parsed, never executed;
4. when the page fails or has no usable text, fall back to the feed summary and record why
   (``fetch_error`` on the article and a dead letter), so nothing is lost;
5. dates: the feed's date wins over the page's (pages carry "last updated" stamps); a page date
   of a lone ``YYYY-01-01`` is a year-only guess and counts as unknown;
6. ``MarkSyndicatedCopies``: a content ``fingerprint`` (bottom-k MinHash of word 5-shingles of
   the folded text) links syndicated copies of one wire story across outlets: the first copy
   (stored earlier, else the earliest published) is the original, the others get
   ``duplicate_of`` = its ``article_id``. Copies are stored and linked, and counted as
   ``articles/syndicated`` rather than new information.

Tagged output: ``dead_letter``. Metrics: ``articles/new``, ``articles/known``,
``articles/from_page``, ``articles/from_summary``, ``articles/syndicated``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse, urlunparse

import apache_beam as beam
import lxml.html
import trafilatura

from pipeline.records import Article, DeadLetter, FeedItem, RunContext, article_id_for
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

_TRACKING_RE = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|yclid|msclkid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid"
    r"|at_\w+|__twitter_impression|s_cid|share|from|xtor)$",
    re.I,
)
_AMP_PATH_RE = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html?$|$))")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
MIN_PAGE_TEXT = 80  # characters; less than this is a teaser, not an article
NO_LINK_HOST = "-"  # group of items without a link (nothing to fetch)
_HTML_TYPES = ("html", "xml", "text/plain")

# Fingerprints
SHINGLE = 5  # words per shingle
BOTTOM_K = 3  # smallest shingle hashes kept
MIN_FINGERPRINT_WORDS = 30  # shorter texts (teasers) are not fingerprinted
_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3A-Za-z0-9]+")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        **{chr(0x660 + i): str(i) for i in range(10)},
    }
)


# ------------------------------------------------------------------------------------------
# Identity (pure)
# ------------------------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The URL an article is known by, whatever feed or device variant linked to it."""
    p = urlparse(url.strip())
    if p.scheme == "file":
        return urlunparse(p._replace(fragment=""))
    host = (p.hostname or "").lower().rstrip(".")
    for prefix in ("m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = "www." + host[len(prefix) :]
    netloc = host
    if p.port and p.port not in (80, 443):
        netloc = f"{host}:{p.port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(p.query, keep_blank_values=True)
            if not _TRACKING_RE.match(k) and k.lower() not in ("amp", "outputtype")
        ]
    )
    path = _AMP_PATH_RE.sub("", p.path) or "/"
    path = quote(unquote(path), safe=_PATH_SAFE)  # Arabic IRI == its percent-encoded form
    scheme = "https" if p.scheme in ("http", "https") else p.scheme
    return urlunparse((scheme, netloc, path, "", query, ""))


def article_key(item: FeedItem) -> str:
    return canonical_url(item.link) if item.link else f"guid:{item.guid}"


def fold_words(text: str) -> list[str]:
    """Words of ``text`` with diacritics, tatweel, hamza/alef and digit variants folded."""
    return _WORD.findall(_DIACRITICS.sub("", text).translate(_FOLD).lower())


def fingerprint(text: str | None) -> str | None:
    """A fingerprint equal for copies of one story: the ``BOTTOM_K`` smallest hashes of the
    word ``SHINGLE``-grams. Verbatim copies (also with a different title, dateline prefix or
    footer, most of the time) share it; a rewritten story does not. None for short texts."""
    words = fold_words(text or "")
    if len(words) < MIN_FINGERPRINT_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = sorted(
        int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")
        for s in shingles
    )[:BOTTOM_K]
    return "mh1:" + hashlib.sha256(",".join(map(str, hashes)).encode()).hexdigest()[:24]


def original_of(articles: Sequence[Article], stored: str | None) -> str:
    """The article_id of the original among copies: a stored one, else the earliest."""
    if stored:
        return stored
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return min(articles, key=lambda a: (a.published_at or far, a.article_id)).article_id


# ------------------------------------------------------------------------------------------
# Pages (pure)
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    text: str | None
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD as trafilatura/htmldate found it


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment (a feed summary); never executes anything."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return fragment.strip()
    try:
        doc = lxml.html.fromstring(f"<div>{fragment}</div>")
    except (lxml.etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    return re.sub(r"[ \t]+", " ", doc.text_content()).strip()


def decode_html(body: bytes, headers: Mapping[str, str]) -> str:
    """Decode a page body (declared charset, windows-1256 fallback, mojibake repaired)."""
    return decode_document(body, declared_charset(body, headers.get("content-type"))).text


def extract_page(html: str, url: str) -> Page:
    """Main text, title and date of a page with trafilatura (no comments, tables, images)."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    if doc is None:
        return Page(None)
    text = (getattr(doc, "text", None) or "").strip()
    title = getattr(doc, "title", None) or None
    date = getattr(doc, "date", None) or None
    return Page(text if len(text) >= MIN_PAGE_TEXT else None, title, date)


def extract_text(html: str, url: str) -> str | None:
    """Main text of a page, or None when it has no article text."""
    return extract_page(html, url).text


def page_date(value: str | None) -> dt.datetime | None:
    """A page's date as a UTC midnight; a lone ``YYYY-01-01`` (a year-only guess) is unknown."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    if day.month == 1 and day.day == 1:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def choose_published(feed_date: dt.datetime | None, page: str | None) -> dt.datetime | None:
    """The feed's date wins; the page's date only fills a gap."""
    return feed_date if feed_date is not None else page_date(page)


def link_policy(item: FeedItem, allow_private: bool) -> UrlPolicy:
    """What a link found inside ``item``'s feed may point to."""
    feed = urlparse(item.feed_url)
    if feed.scheme == "file":
        return UrlPolicy(file_root=os.path.dirname(unquote(feed.path)), allow_private=allow_private)
    return UrlPolicy(origin=origin_of(item.feed_url), allow_private=allow_private)


# ------------------------------------------------------------------------------------------
# One article (the network is touched through transforms.fetch only)
# ------------------------------------------------------------------------------------------


def fetch_page(item: FeedItem, limits: FetchLimits, allow_private: bool) -> Page:
    """Fetch and extract ``item``'s page; raises FetchError (or a parsing error)."""
    resp = fetch(item.link, link_policy(item, allow_private), limits)
    ctype = resp.headers.get("content-type", "").lower()
    if ctype and not any(t in ctype for t in _HTML_TYPES):
        raise FetchError("NotHTML", f"the link serves {ctype.split(';')[0]}, not an HTML page")
    page = extract_page(decode_html(resp.body, resp.headers), resp.url)
    if page.text is None:
        raise FetchError("NoMainText", "the page has no extractable article text", body=resp.body)
    return page


def build_article(item: FeedItem, ctx: RunContext, page: Page | None, error: str | None) -> Article:
    """The Article of ``item``: the page's text, or the feed summary when the page failed."""
    url = article_key(item)
    if page is not None and page.text:
        text, source = repair_mojibake(page.text)[0] or "", "page"
    else:
        text, source = html_to_text(item.summary) or (item.title or ""), "summary"
    title = item.title or (page.title if page else None)
    return Article(
        article_id=article_id_for(url),
        url=url,
        outlet=item.outlet,
        feed_url=item.feed_url,
        title=repair_mojibake(title)[0] if title else None,
        text=text,
        published_at=choose_published(item.published, page.date if page else None),
        fetched_at=ctx.started_at,
        text_source=source,
        fetch_error=error,
        fingerprint=fingerprint(text),
    )


def fetch_article(
    item: FeedItem,
    ctx: RunContext,
    limits: FetchLimits,
    allow_private: bool,
    gate: HostGate | None = None,
) -> tuple[Article, DeadLetter | None]:
    """Fetch one item's page (or fall back to its summary) -> the Article and why it failed."""
    exc: BaseException | None = None
    page: Page | None = None
    if not item.link:
        exc = FetchError("NoLink", "the feed item has no link")
    elif gate is not None and gate.closed:
        reason, _ = gate.closed
        exc = FetchError("HostBackoff", f"not requested: {reason}")
    else:
        try:
            page = fetch_page(item, limits, allow_private)
        except FetchError as err:
            exc = err
            if err.status == 429 and gate is not None:
                gate.close(f"{gate.host} answered {err}", err.retry_after)
        except Exception as err:  # a malformed page must not stop the run
            exc = err
    if exc is None:
        return build_article(item, ctx, page, None), None
    cls = getattr(exc, "error_class", None) or type(exc).__name__
    error = f"{cls}: {exc}"
    letter = dead_letter(
        "fetch_article",
        item.link or item.guid,
        exc,
        detail=f"{exc} (kept the feed summary)",
        payload=getattr(exc, "body", None),
        feed_url=item.feed_url,
    )
    return build_article(item, ctx, None, error), letter


# ------------------------------------------------------------------------------------------
# Beam
# ------------------------------------------------------------------------------------------


def _first_item(items: Iterable[FeedItem]) -> FeedItem:
    return min(items, key=lambda i: (i.feed_url, i.guid))


class DropKnownFn(beam.DoFn):
    """FeedItem -> (host, FeedItem) for items not yet in the warehouse."""

    def __init__(self) -> None:
        self._cache: tuple[int, frozenset[str]] | None = None
        self._new = beam.metrics.Metrics.counter("articles", "new")
        self._known = beam.metrics.Metrics.counter("articles", "known")

    def _known_ids(self, known: Iterable[str]) -> frozenset[str]:
        if self._cache is None or self._cache[0] != id(known):
            self._cache = (id(known), frozenset(known))
        return self._cache[1]

    def process(self, item: FeedItem, known: Iterable[str] = ()) -> Iterator[tuple[str, FeedItem]]:
        if article_id_for(article_key(item)) in self._known_ids(known):
            self._known.inc()
            return
        self._new.inc()
        yield (host_key(item.link) if item.link else NO_LINK_HOST), item


class FetchHostsFn(beam.DoFn):
    """A batch of ``(host, items)`` -> Articles (and dead letters), politely per host."""

    def __init__(self, ctx: RunContext, limits: FetchLimits, allow_private: bool) -> None:
        self._ctx = ctx
        self._limits = limits
        self._allow_private = allow_private
        self._page = beam.metrics.Metrics.counter("articles", "from_page")
        self._summary = beam.metrics.Metrics.counter("articles", "from_summary")

    def _one(self, item: FeedItem, gate: HostGate) -> tuple[Article, DeadLetter | None]:
        return fetch_article(item, self._ctx, self._limits, self._allow_private, gate)

    def process(self, batch: Sequence[tuple[str, Iterable[FeedItem]]]) -> Iterator[Any]:
        groups = [(host, sorted(items, key=article_key)) for host, items in batch]
        for article, letter in polite_map(self._one, groups, self._limits):
            if letter is not None:
                self._summary.inc()
                yield beam.pvalue.TaggedOutput(DEAD_LETTER, letter)
            else:
                self._page.inc()
            yield article


class LinkCopiesFn(beam.DoFn):
    """(fingerprint, articles) -> the articles, copies linked to their original."""

    def __init__(self) -> None:
        self._syndicated = beam.metrics.Metrics.counter("articles", "syndicated")

    def process(
        self, group: tuple[str, Iterable[Article]], stored: Mapping[str, str] | None = None
    ) -> Iterator[Article]:
        fp, members = group
        articles = sorted(members, key=lambda a: a.article_id)
        if not fp.startswith("mh"):
            yield from articles
            return
        original = original_of(articles, (stored or {}).get(fp))
        for art in articles:
            if art.article_id == original:
                yield art
            else:
                self._syndicated.inc()
                yield dataclasses.replace(art, duplicate_of=original)


class MarkSyndicatedCopies(beam.PTransform):
    """Articles -> Articles with ``duplicate_of`` set on copies of an earlier story."""

    def __init__(self, known_fingerprints: beam.PCollection | None = None) -> None:
        super().__init__()
        self._known = known_fingerprints

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        side = [beam.pvalue.AsDict(self._known)] if self._known is not None else []
        return (
            articles
            | "KeyByFingerprint" >> beam.Map(lambda a: (a.fingerprint or f"none:{a.article_id}", a))
            | "GroupCopies" >> beam.GroupByKey()
            | "LinkCopies" >> beam.ParDo(LinkCopiesFn(), *side)
        )


class FetchedArticles(NamedTuple):
    """FetchArticles' outputs: ``.articles`` and ``[DEAD_LETTER]`` (like a DoOutputsTuple)."""

    articles: beam.PCollection
    dead_letter: beam.PCollection

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return getattr(self, key) if isinstance(key, str) else tuple.__getitem__(self, key)


class FetchArticles(beam.PTransform):
    """Fetch each new item's page once, politely per host; outputs ``articles``,
    ``dead_letter``."""

    def __init__(
        self,
        ctx: RunContext,
        known_ids: beam.PCollection | None = None,
        limits: FetchLimits | None = None,
        allow_private: bool = False,
        known_fingerprints: beam.PCollection | None = None,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self._known_ids = known_ids
        self._limits = limits or FetchLimits()
        self._allow_private = allow_private
        self._known_fps = known_fingerprints

    def expand(self, items: beam.PCollection) -> FetchedArticles:
        n = self._limits.parallel_hosts
        side = [beam.pvalue.AsList(self._known_ids)] if self._known_ids is not None else []
        fetched = (
            items
            | "KeyByCanonicalUrl" >> beam.Map(lambda i: (article_key(i), i))
            | "OneItemPerArticle" >> beam.CombinePerKey(_first_item)
            | "DropKey" >> beam.Values()
            | "SkipKnown" >> beam.ParDo(DropKnownFn(), *side)
            | "GroupByHost" >> beam.GroupByKey()
            | "BatchHosts" >> beam.BatchElements(min_batch_size=n, max_batch_size=n)
            | "FetchPolitely"
            >> beam.ParDo(FetchHostsFn(self._ctx, self._limits, self._allow_private)).with_outputs(
                DEAD_LETTER, main="articles"
            )
        )
        articles = fetched.articles | "MarkSyndicatedCopies" >> MarkSyndicatedCopies(
            self._known_fps
        )
        return FetchedArticles(articles, fetched[DEAD_LETTER])
