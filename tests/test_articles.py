"""FetchArticles: identity, pages, dates, fallbacks and syndicated copies, on real servers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.records import Article, FeedItem, RunContext, article_id_for
from tests.fault_server import GOLD_STORY, SHORT_PAGES, WIRE_STORY, QuickServer, page
from transforms import articles as A
from transforms.fetch import FetchLimits

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
CTX = RunContext(run_id="t", started_at=NOW)
LIMITS = FetchLimits(read_timeout=0.5, connect_timeout=0.5, deadline=1.5, host_delay=0)
FEED_DATE = dt.datetime(2021, 12, 30, 14, 20, tzinfo=dt.timezone(dt.timedelta(hours=3)))


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[QuickServer]:
    with QuickServer(str(tmp_path)) as s:
        s.route(
            "/wire.html",
            200,
            page("بوتين وبايدن", WIRE_STORY),
            Content_Type="text/html; charset=utf-8",
        )
        s.route(
            "/copy.html",
            200,
            page("اتصال مرتقب", "(د ب أ) " + WIRE_STORY),
            Content_Type="text/html; charset=utf-8",
        )
        s.route("/gold.html", 200, page("الذهب", GOLD_STORY), Content_Type="text/html")
        s.route(
            "/cp1256.html",
            200,
            page("ويندوز", GOLD_STORY).decode().encode("cp1256"),
            Content_Type="text/html; charset=windows-1256",
        )
        s.route("/pdf", 200, b"%PDF-1.4", Content_Type="application/pdf")
        s.route("/teaser.html", 200, page("قصير", "نص قصير."), Content_Type="text/html")
        yield s


def item(link: str, feed_url: str = "http://127.0.0.1:1/feed.xml", **kw: object) -> FeedItem:
    values: dict[str, object] = {
        "feed_url": feed_url,
        "outlet": "T",
        "guid": link or "g",
        "link": link,
        "title": "عنوان",
        "summary": "<p>ملخص <b>الخبر</b></p>",
        "published": FEED_DATE,
    }
    values.update(kw)
    return FeedItem(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- identity ----


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.x.com/a/b?utm_source=rss&utm_medium=feed&id=3", "https://www.x.com/a/b?id=3"),
        ("http://m.x.com/a/b#comments", "https://www.x.com/a/b"),
        ("https://amp.x.com/a/b/amp/", "https://www.x.com/a/b"),
        ("https://www.x.com/a/b.amp.html", "https://www.x.com/a/b.html"),
        ("https://WWW.X.COM:443/a?fbclid=1&amp=1", "https://www.x.com/a"),
        (
            "https://www.x.com/ar/الشرق-الأوسط/1",
            "https://www.x.com/ar/%D8%A7%D9%84%D8%B4%D8%B1%D9%82"
            "-%D8%A7%D9%84%D8%A3%D9%88%D8%B3%D8%B7/1",
        ),
        (
            "https://www.x.com/ar/%D8%A7%D9%84%D8%B4%D8%B1%D9%82-%D8%A7%D9%84%D8%A3%D9%88%D8%B3%D8%B7/1",
            "https://www.x.com/ar/%D8%A7%D9%84%D8%B4%D8%B1%D9%82-%D8%A7%D9%84%D8%A3%D9%88%D8%B3%D8%B7/1",
        ),
        ("http://127.0.0.1:8080/p?ref=home", "https://127.0.0.1:8080/p"),
        ("file:///srv/pages/a.html#x", "file:///srv/pages/a.html"),
    ],
    ids=[
        "tracking",
        "mobile-host",
        "amp-path",
        "amp-suffix",
        "case-port-fbclid",
        "iri",
        "percent-encoded",
        "port",
        "file",
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert A.canonical_url(url) == canonical


PREFIXES = ("موسكو - (د ب أ)", "القاهرة - أ ش أ:", "عاجل |", "دبي (CNN) --", "")
SUFFIXES = ("اقرأ أيضا", "المصدر: وكالات", "شارك الخبر", "")


def test_fingerprint_links_copies_not_other_stories() -> None:
    # a story of a realistic length (~180 words; real articles are longer, which only helps:
    # a copy matches unless one of the 3 smallest shingle hashes falls into the edited part)
    story = " ".join([WIRE_STORY, GOLD_STORY, *SHORT_PAGES.values()])
    base = A.fingerprint(story)
    assert base is not None
    for prefix in PREFIXES:  # agency datelines and footers around the same body
        for suffix in SUFFIXES:
            assert A.fingerprint(f"{prefix} {story} {suffix}") == base, (prefix, suffix)
    assert A.fingerprint(story.replace("أ", "ا").replace("ة", "ه")) == base  # spelling variants
    assert A.fingerprint(WIRE_STORY) != base and A.fingerprint(GOLD_STORY) != base
    assert A.fingerprint("خبر قصير جدا") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-12-29", dt.datetime(2021, 12, 29, tzinfo=dt.UTC)),
        ("2021-01-01", None),  # a lone January 1st is a year-only guess
        ("2021-01-02", dt.datetime(2021, 1, 2, tzinfo=dt.UTC)),
        ("nonsense", None),
        (None, None),
    ],
)
def test_page_date(value: str | None, expected: dt.datetime | None) -> None:
    assert A.page_date(value) == expected


def test_feed_date_wins_over_the_page_date() -> None:
    assert A.choose_published(FEED_DATE, "2022-03-04") == FEED_DATE
    assert A.choose_published(None, "2022-03-04") == dt.datetime(2022, 3, 4, tzinfo=dt.UTC)
    assert A.choose_published(None, "2022-01-01") is None


def test_original_of_prefers_stored_then_earliest() -> None:
    def art(aid: str, day: int | None) -> Article:
        when = dt.datetime(2026, 1, day, tzinfo=dt.UTC) if day else None
        return Article(aid, "u", "o", "f", "t", "x", when, NOW)

    arts = [art("b", 2), art("a", 3), art("c", None)]
    assert A.original_of(arts, None) == "b"
    assert A.original_of(arts, "zz") == "zz"


def test_html_to_text_never_runs_scripts() -> None:
    assert A.html_to_text("<p>مرحبا <script>alert(1)</script><b>بكم</b></p>") == "مرحبا بكم"


# ------------------------------------------------------------------------ real fetches ----


def test_fetch_article_from_the_page(srv: QuickServer) -> None:
    art, letter = A.fetch_article(
        item(srv.url("/wire.html?utm_campaign=x"), srv.url("/feed.xml")), CTX, LIMITS, False
    )
    assert letter is None and art.text_source == "page" and "بيسكوف" in art.text
    assert "never run" not in art.text and "جميع الحقوق" not in art.text  # boilerplate gone
    assert art.url == A.canonical_url(srv.url("/wire.html"))
    assert art.article_id == article_id_for(art.url) and art.published_at == FEED_DATE
    assert art.fingerprint == A.fingerprint(WIRE_STORY)


def test_windows_1256_page(srv: QuickServer) -> None:
    art, letter = A.fetch_article(item(srv.url("/cp1256.html"), srv.url("/f")), CTX, LIMITS, False)
    assert letter is None and "الذهب" in art.text


def test_page_date_fills_a_missing_feed_date(srv: QuickServer) -> None:
    html = page("خبر", GOLD_STORY).replace(
        b"<head>", b'<head><meta property="article:published_time" content="2022-02-12">'
    )
    srv.route("/dated.html", 200, html, Content_Type="text/html")
    art, _ = A.fetch_article(
        item(srv.url("/dated.html"), srv.url("/f"), published=None), CTX, LIMITS, False
    )
    assert art.published_at == dt.datetime(2022, 2, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/missing.html", "HTTPError", "HTTP 404 Not Found"),
        ("/pdf", "NotHTML", "application/pdf"),
        ("/teaser.html", "NoMainText", "no extractable article text"),
    ],
    ids=["404", "pdf", "teaser"],
)
def test_failed_pages_fall_back_to_the_summary(
    srv: QuickServer, path: str, error: str, reason: str
) -> None:
    art, letter = A.fetch_article(item(srv.url(path), srv.url("/f")), CTX, LIMITS, False)
    assert art.text == "ملخص الخبر" and art.text_source == "summary"
    assert art.fetch_error.startswith(error) and reason in art.fetch_error
    assert letter is not None and (letter.stage, letter.error) == ("fetch_article", error)
    assert "kept the feed summary" in letter.detail


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a non-public address"),
        ("file:///etc/passwd", "allowed only for configured feeds"),
        ("gopher://example.org/", "scheme 'gopher'"),
    ],
    ids=["metadata", "file", "gopher"],
)
def test_links_out_of_policy_are_refused(srv: QuickServer, link: str, reason: str) -> None:
    art, letter = A.fetch_article(item(link, srv.url("/f")), CTX, LIMITS, False)
    assert letter is not None and letter.error == "RefusedURL" and reason in letter.detail
    assert "root:" not in art.text


def test_file_feed_links_stay_in_the_feed_folder(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(page("خبر", GOLD_STORY))
    feed = f"file://{tmp_path}/feed.xml"
    ok, letter = A.fetch_article(item(f"file://{tmp_path}/a.html", feed), CTX, LIMITS, False)
    assert letter is None and "الذهب" in ok.text
    _, letter = A.fetch_article(item(f"file://{tmp_path}/../x.html", feed), CTX, LIMITS, False)
    assert letter is not None and "outside the feed's folder" in letter.detail


# ------------------------------------------------------------------------------- Beam ----


def test_fetch_hosts_fn_directly(srv: QuickServer) -> None:
    fn = A.FetchHostsFn(CTX, LIMITS, False)
    items = [item(srv.url("/gold.html"), srv.url("/f")), item(srv.url("/nope"), srv.url("/f"))]
    out = list(fn.process([("127.0.0.1", items)]))
    arts = [o for o in out if isinstance(o, Article)]
    assert sorted(a.text_source for a in arts) == ["page", "summary"]
    assert [o.tag for o in out if isinstance(o, beam.pvalue.TaggedOutput)] == ["dead_letter"]


def test_fetch_articles_transform(srv: QuickServer) -> None:
    feed_a, feed_b = srv.url("/a.xml"), srv.url("/b.xml")
    items = [
        item(srv.url("/wire.html"), feed_a, guid="1"),
        item(srv.url("/wire.html?utm_source=x"), feed_b, guid="1b"),  # same article, 2 feeds
        item(srv.url("/copy.html"), feed_b, guid="2", published=FEED_DATE + dt.timedelta(hours=1)),
        item(srv.url("/gold.html"), feed_a, guid="3"),
        item(srv.url("/known.html"), feed_a, guid="4"),
        item(srv.url("/stored-copy.html"), feed_a, guid="5"),
    ]
    srv.route("/stored-copy.html", 200, page("ذهب", GOLD_STORY), Content_Type="text/html")
    known = [article_id_for(A.canonical_url(srv.url("/known.html")))]
    stored = [(A.fingerprint(GOLD_STORY), "stored-gold-id")]
    wire_id = article_id_for(A.canonical_url(srv.url("/wire.html")))
    p = test_pipeline.TestPipeline()
    out = (
        p
        | beam.Create(items)
        | A.FetchArticles(
            CTX,
            p | "Known" >> beam.Create(known),
            LIMITS,
            known_fingerprints=p | "Fps" >> beam.Create(stored),
        )
    )
    assert_that(
        out.articles
        | beam.Map(lambda a: (a.url.rsplit("/", 1)[-1], a.text_source, a.duplicate_of)),
        equal_to(
            [
                ("wire.html", "page", None),
                ("copy.html", "page", wire_id),
                ("gold.html", "page", "stored-gold-id"),
                ("stored-copy.html", "page", "stored-gold-id"),
            ]
        ),
    )
    assert_that(out["dead_letter"], equal_to([]), label="no dead letters")
    result = p.run()
    result.wait_until_finish()
    assert srv.requested("/known.html") == 0 and srv.requested("/wire.html") == 1

    def counter(name: str) -> int:
        res = result.metrics().query(MetricsFilter().with_namespace("articles").with_name(name))
        return sum(c.committed for c in res["counters"])

    assert (counter("new"), counter("known"), counter("from_page"), counter("syndicated")) == (
        4,
        1,
        4,
        3,
    )
