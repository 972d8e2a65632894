"""FetchArticles: FeedItem -> Article (and dead letters).

Feeds carry a title and a summary; the article is on its page. For each new item:

1. canonicalise the link (tracking parameters, AMP variants, ``m.`` hosts, fragments) and derive
   the stable ``article_id``; items already in the warehouse (known ids, a side input read at
   start-up) are skipped before any request;
2. fetch the page under the feed's URL policy (a link may only point to the feed's own origin or
   to a public address; a ``file://`` feed's links only into its own folder);
3. extract the main text with trafilatura (no comments, no boilerplate);
4. when the page fails or has no usable text, fall back to the feed summary and record why
   (``fetch_error`` on the article and a dead letter), so nothing is lost.

The feed's date is preferred over the page's (pages carry "last updated" stamps).

Tagged output: ``dead_letter``. Metrics: ``articles/new``, ``articles/known``,
``articles/from_page``, ``articles/from_summary``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlparse, urlunparse

import apache_beam as beam
import lxml.html
import trafilatura

from pipeline.records import Article, FeedItem, RunContext, article_id_for
from transforms.deadletter import DEAD_LETTER, dead_letter
from transforms.fetch import FetchError, FetchLimits, UrlPolicy, fetch, origin_of

_LOGGER = logging.getLogger(__name__)

_TRACKING_RE = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid|at_\w+)$", re.I)
_AMP_PATH_RE = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html?$|$))")
MIN_PAGE_TEXT = 80  # characters; less than this is a teaser, not an article


def canonical_url(url: str) -> str:
    """The URL an article is known by, whatever feed or device variant linked to it."""
    p = urlparse(url.strip())
    if p.scheme == "file":
        return urlunparse(p._replace(fragment=""))
    host = (p.hostname or "").lower()
    for prefix in ("m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = "www." + host[len(prefix) :]
    netloc = host
    if p.port and p.port not in (80, 443):
        netloc = f"{host}:{p.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if not _TRACKING_RE.match(k) and k.lower() != "amp"]
    )
    path = _AMP_PATH_RE.sub("", p.path) or "/"
    scheme = "https" if p.scheme in ("http", "https") else p.scheme
    return urlunparse((scheme, netloc, path, "", query, ""))


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


def extract_text(html: str, url: str) -> str | None:
    """Main text of a page with trafilatura, paragraphs separated by newlines."""
    text = trafilatura.extract(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    if text and len(text.strip()) >= MIN_PAGE_TEXT:
        return text.strip()
    return None


def decode_html(body: bytes, headers: dict[str, str]) -> str:
    """Decode a page body by its declared charset, falling back to UTF-8 then cp1256."""
    ctype = headers.get("content-type", "")
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    candidates = [m.group(1)] if m else []
    head = body[:2048].decode("ascii", errors="ignore")
    meta = re.search(r"<meta[^>]+charset=[\"']?([\w-]+)", head, re.I)
    if meta:
        candidates.append(meta.group(1))
    candidates += ["utf-8", "cp1256"]
    for enc in candidates:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def link_policy(item: FeedItem, allow_private: bool) -> UrlPolicy:
    """What a link found inside ``item``'s feed may point to."""
    feed = urlparse(item.feed_url)
    if feed.scheme == "file":
        return UrlPolicy(file_root=os.path.dirname(unquote(feed.path)), allow_private=allow_private)
    return UrlPolicy(origin=origin_of(item.feed_url), allow_private=allow_private)


class FetchArticleFn(beam.DoFn):
    def __init__(self, ctx: RunContext, limits: FetchLimits, allow_private: bool) -> None:
        self._ctx = ctx
        self._limits = limits
        self._allow_private = allow_private
        self._known_cache: tuple[int, frozenset[str]] | None = None
        self._new = beam.metrics.Metrics.counter("articles", "new")
        self._known = beam.metrics.Metrics.counter("articles", "known")
        self._page = beam.metrics.Metrics.counter("articles", "from_page")
        self._summary = beam.metrics.Metrics.counter("articles", "from_summary")

    def _known_ids(self, known: Iterable[str]) -> frozenset[str]:
        key = id(known)
        if self._known_cache is None or self._known_cache[0] != key:
            self._known_cache = (key, frozenset(known))
        return self._known_cache[1]

    def process(self, item: FeedItem, known: Iterable[str] = ()) -> Iterator[Any]:
        url = canonical_url(item.link) if item.link else f"guid:{item.guid}"
        article_id = article_id_for(url)
        if article_id in self._known_ids(known):
            self._known.inc()
            return
        self._new.inc()
        text, source, error = None, "page", None
        if item.link:
            try:
                resp = fetch(item.link, link_policy(item, self._allow_private), self._limits)
                text = extract_text(decode_html(resp.body, resp.headers), item.link)
                if text is None:
                    error = "NoMainText: the page has no extractable article text"
            except FetchError as exc:
                error = f"{exc.error_class}: {exc}"
            except Exception as exc:  # a malformed page must not stop the run
                error = f"{exc.__class__.__name__}: {exc}"
        else:
            error = "NoLink: the feed item has no link"
        if text is None:
            source = "summary"
            text = html_to_text(item.summary) or (item.title or "")
            self._summary.inc()
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTER,
                dead_letter("fetch_article", item.link or item.guid, error.split(":")[0],
                            detail=error + " (kept the feed summary)", feed_url=item.feed_url),
            )
        else:
            self._page.inc()
        yield Article(
            article_id=article_id,
            url=url,
            outlet=item.outlet,
            feed_url=item.feed_url,
            title=item.title,
            text=text,
            published_at=item.published,
            fetched_at=self._ctx.started_at,
            text_source=source,
            fetch_error=error,
        )


def _article_key(item: FeedItem) -> str:
    return canonical_url(item.link) if item.link else f"guid:{item.guid}"


def _first_item(items: Iterable[FeedItem]) -> FeedItem:
    return min(items, key=lambda i: (i.feed_url, i.guid))


class FetchArticles(beam.PTransform):
    """Fetch each new item's page once (an item in two feeds is one article)."""

    def __init__(self, ctx: RunContext, known_ids: beam.PCollection | None = None,
                 limits: FetchLimits = FetchLimits(), allow_private: bool = False) -> None:
        super().__init__()
        self._ctx = ctx
        self._known_ids = known_ids
        self._limits = limits
        self._allow_private = allow_private

    def expand(self, items: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        unique = (
            items
            | "KeyByCanonicalUrl" >> beam.Map(lambda i: (_article_key(i), i))
            | "OneItemPerArticle" >> beam.CombinePerKey(_first_item)
            | "DropKey" >> beam.Values()
        )
        side = [beam.pvalue.AsList(self._known_ids)] if self._known_ids is not None else []
        return unique | "FetchAndExtract" >> beam.ParDo(
            FetchArticleFn(self._ctx, self._limits, self._allow_private), *side
        ).with_outputs(DEAD_LETTER, main="articles")
