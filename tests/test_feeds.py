"""PollFeeds: scheduling, parsing, conditional GET and the transform, on real servers."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.records import FeedSpec, RunContext
from tests.fault_server import BILLION_LAUGHS, ConcurrencyProbe, QuickServer, conditional, rss
from transforms import feeds as F
from transforms.fetch import FetchLimits

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
CTX = RunContext(run_id="t", started_at=NOW)
LIMITS = FetchLimits(read_timeout=0.5, connect_timeout=0.5, deadline=1.5, host_delay=0)
SPEC = FeedSpec(url="http://127.0.0.1:1/feed.xml", outlet="Test")
MIN = dt.timedelta(minutes=1)


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[QuickServer]:
    with QuickServer(str(tmp_path)) as s:
        yield s


def _items(n: int, base: str = "http://127.0.0.1:1") -> list[dict[str, str]]:
    return [
        {
            "title": f"خبر {i}",
            "link": f"{base}/p/{i}.html",
            "guid": f"g{i}",
            "pubDate": f"Thu, 0{i + 1} Jan 2026 10:00:00 +0300",
        }
        for i in range(n)
    ]


# ------------------------------------------------------------------------- scheduling ----


@pytest.mark.parametrize(
    ("url", "state", "force", "due"),
    [
        ("http://x/f", None, False, True),
        ("http://x/f", {"next_poll_after": NOW + 10 * MIN}, False, False),
        ("http://x/f", {"next_poll_after": NOW + 10 * MIN}, True, True),
        ("http://x/f", {"next_poll_after": NOW + MIN}, False, True),  # within the slack
        ("http://x/f", {"next_poll_after": NOW - MIN}, False, True),
        ("file:///srv/f.xml", {"next_poll_after": NOW + 10 * MIN}, False, True),
        ("http://x/f", {"next_poll_after": None}, False, True),
    ],
    ids=["new", "not-due", "forced", "slack", "overdue", "file", "no-date"],
)
def test_is_due(url: str, state: dict[str, Any] | None, force: bool, due: bool) -> None:
    assert F.is_due(url, state, NOW, force) is due


@pytest.mark.parametrize(
    ("state", "full"),
    [
        (None, True),
        ({"etag": None, "last_modified": None}, True),
        ({"etag": '"a"', "conditional_polls": 3, "last_full_fetch_at": NOW - MIN}, False),
        ({"etag": '"a"', "conditional_polls": 11, "last_full_fetch_at": NOW - MIN}, True),
        (
            {
                "last_modified": "x",
                "conditional_polls": 1,
                "last_full_fetch_at": NOW - dt.timedelta(days=2),
            },
            True,
        ),
    ],
    ids=["new", "no-validators", "conditional", "every-12th", "older-than-a-day"],
)
def test_wants_full_fetch(state: dict[str, Any] | None, full: bool) -> None:
    assert F.wants_full_fetch(state, NOW) is full


@pytest.mark.parametrize(
    ("failures", "retry_after", "advised", "minutes"),
    [
        (0, None, None, 15),
        (0, None, dt.timedelta(minutes=60), 60),  # <ttl>60</ttl> honoured
        (0, None, dt.timedelta(seconds=30), 15),  # never more often than the default
        (0, None, dt.timedelta(days=7), 360),  # advice capped at 6 h
        (1, None, None, 15),
        (2, None, None, 30),
        (3, None, None, 60),
        (6, None, None, 360),
        (50, None, None, 360),  # capped, never given up
        (1, 3600.0, None, 60),  # Retry-After is a floor
        (3, 120.0, None, 60),
        (1, 10 * 86400.0, None, 24 * 60),  # a silly Retry-After is capped at a day
    ],
)
def test_next_poll(
    failures: int, retry_after: float | None, advised: dt.timedelta | None, minutes: int
) -> None:
    assert F.next_poll(NOW, failures, retry_after, advised) == NOW + minutes * MIN


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"cache-control": "public, max-age=1800"}, 1800),
        ({"cache-control": "s-maxage=10, max-age=600"}, 600),
        ({"cache-control": "no-cache, max-age=600"}, None),
        ({}, None),
    ],
)
def test_cache_max_age(headers: dict[str, str], seconds: int | None) -> None:
    got = F.cache_max_age(headers)
    assert (got.total_seconds() if got else None) == seconds


@pytest.mark.parametrize(
    ("feed", "minutes"),
    [
        ({"ttl": "30"}, 30),
        ({"sy_updateperiod": "hourly", "sy_updatefrequency": "2"}, 30),
        ({"sy_updateperiod": "daily"}, 1440),
        ({"ttl": "soon"}, None),
        ({}, None),
    ],
)
def test_feed_advice(feed: dict[str, str], minutes: int | None) -> None:
    got = F.feed_advice(feed)
    assert (got.total_seconds() / 60 if got else None) == minutes


# ---------------------------------------------------------------------------- parsing ----


def test_parse_windows_1256_and_arabic_dates() -> None:
    items = [
        {
            "title": "بوتين يهاتف بايدن",
            "link": "/p/1.html",
            "guid": "g1",
            "pubDate": "الخميس، 30 ديسمبر 2021 - 02:20 م",
        },
        {"title": "ترامب", "link": "/p/2.html", "pubDate": "Thu, 30 Dec 2021 14:20:00 AST"},
    ]
    body = rss("عربي", items, encoding="windows-1256").encode("cp1256")
    parsed = F.parse_feed(body, {"content-type": "application/rss+xml"}, SPEC, SPEC.url)
    a, b = parsed.items
    assert a.title == "بوتين يهاتف بايدن" and a.link == "http://127.0.0.1:1/p/1.html"
    assert a.published == dt.datetime(2021, 12, 30, 14, 20, tzinfo=dt.UTC)
    assert b.published == dt.datetime(
        2021, 12, 30, 14, 20, tzinfo=dt.timezone(dt.timedelta(hours=3))
    )
    assert b.guid == "http://127.0.0.1:1/p/2.html"  # no GUID: the link
    assert parsed.warnings == ()


def test_parse_wrong_charset_and_mojibake_are_repaired_with_a_warning() -> None:
    doc = rss("عنوان", [{"title": "الرئيس الروسي", "link": "/1", "description": "ملخص الخبر"}])
    wrong = F.parse_feed(
        doc.encode(), {"content-type": "text/xml; charset=windows-1256"}, SPEC, SPEC.url
    )
    assert wrong.items[0].title == "الرئيس الروسي"
    assert wrong.warnings[0].startswith("CharsetMismatch: declared windows-1256")
    moji = doc.encode().decode("cp1256").encode()
    fixed = F.parse_feed(moji, {}, SPEC, SPEC.url)
    assert (fixed.items[0].title, fixed.items[0].summary) == ("الرئيس الروسي", "ملخص الخبر")
    assert fixed.warnings[0].startswith("Mojibake")


def test_entries_without_guid_or_link_get_a_stable_hash() -> None:
    doc = rss(
        "x",
        [{"title": "بلا رابط", "pubDate": "Thu, 01 Jan 2026 10:00:00 GMT", "description": "ملخص"}],
    )
    one = F.parse_feed(doc.encode(), {}, SPEC, SPEC.url).items[0]
    two = F.parse_feed(doc.encode(), {}, SPEC, SPEC.url).items[0]
    assert one.guid == two.guid and one.guid.startswith("sha256:") and one.link == ""


def test_items_out_of_date_order_all_come_through() -> None:
    items = _items(4)
    body = rss("x", [items[2], items[0], items[3], items[1]]).encode()
    got = F.parse_feed(body, {}, SPEC, SPEC.url).items
    assert sorted(i.guid.rsplit("/", 1)[-1] for i in got) == ["g0", "g1", "g2", "g3"]


@pytest.mark.parametrize(
    ("body", "error", "reason"),
    [
        (b"", "NotAFeed", "empty"),
        (b"<!doctype html><html><body>hi</body></html>", "NotAFeed", "HTML page"),
        (b'{"items": []}', "NotAFeed", "no RSS or Atom"),
        (rss("x", _items(2)).encode()[:60], "TruncatedFeed", "no entries could be read"),
        (BILLION_LAUGHS.encode(), "UnsafeXML", "<!ENTITY"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<rss version="2.0"><channel><title>&x;</title></channel></rss>',
            "UnsafeXML",
            "external",
        ),
    ],
    ids=["empty", "html", "json", "truncated", "billion-laughs", "external-entity"],
)
def test_unusable_documents(body: bytes, error: str, reason: str) -> None:
    with pytest.raises(F.NotAFeed) as err:
        F.parse_feed(body, {"content-type": "application/xml"}, SPEC, SPEC.url)
    assert err.value.error_class == error and reason in str(err.value)


def test_entity_bomb_neither_hangs_nor_explodes_memory() -> None:
    tracemalloc.start()
    t0 = time.monotonic()
    with pytest.raises(F.UnsafeXML):
        F.parse_feed(BILLION_LAUGHS.encode(), {}, SPEC, SPEC.url)
    elapsed = time.monotonic() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5_000_000


def test_empty_feed_is_fine_and_bozo_with_entries_is_a_warning() -> None:
    assert F.parse_feed(rss("x", []).encode(), {}, SPEC, SPEC.url).items == ()
    broken = rss("x", _items(2)).replace("</channel>", "<oops></channel>").encode()
    parsed = F.parse_feed(broken, {}, SPEC, SPEC.url)
    assert len(parsed.items) == 2 and parsed.warnings[0].startswith("MalformedFeed")


def test_rss_ttl_is_read() -> None:
    parsed = F.parse_feed(rss("x", [], extra="<ttl>45</ttl>").encode(), {}, SPEC, SPEC.url)
    assert parsed.advised == dt.timedelta(minutes=45)


# ------------------------------------------------------------------ polling, real HTTP ----


def test_conditional_get_304_costs_no_parsing_and_keeps_validators(
    srv: QuickServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = rss("x", _items(2)).encode()
    srv.handle("/feed.xml", conditional(body, '"v1"', "Thu, 01 Jan 2026 10:00:00 GMT"))
    spec = FeedSpec(url=srv.url("/feed.xml"), outlet="T")
    first = F.poll_feed(spec, None, CTX, LIMITS, False)
    assert first.outcome == "ok" and len(first.items) == 2
    assert first.state["etag"] == '"v1"' and first.state["last_full_fetch_at"] == NOW

    def tripwire(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a 304 must not be parsed")

    monkeypatch.setattr(F, "parse_feed", tripwire)
    later = RunContext(run_id="t2", started_at=NOW + dt.timedelta(hours=1))
    second = F.poll_feed(spec, first.state, later, LIMITS, False)
    _, headers = srv.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Thu, 01 Jan 2026 10:00:00 GMT"
    assert second.outcome == "not_modified" and second.items == () and second.letters == ()
    assert second.state["etag"] == '"v1"'
    assert second.state["last_modified"] == "Thu, 01 Jan 2026 10:00:00 GMT"
    assert second.state["http_status"] == 304 and second.state["conditional_polls"] == 1
    assert second.state["items_seen"] == 2 and second.state["last_success_at"] == later.started_at


def test_every_twelfth_poll_is_unconditional(srv: QuickServer) -> None:
    srv.handle("/feed.xml", conditional(rss("x", []).encode(), '"v1"', "x"))
    spec = FeedSpec(url=srv.url("/feed.xml"), outlet="T")
    state = {"etag": '"v1"', "conditional_polls": 11, "last_full_fetch_at": NOW - MIN}
    result = F.poll_feed(spec, state, CTX, LIMITS, False)
    _, headers = srv.requests[-1]
    assert "If-None-Match" not in headers and result.outcome == "ok"
    assert result.state["conditional_polls"] == 0 and result.state["last_full_fetch_at"] == NOW


def test_failures_back_off_and_keep_validators(srv: QuickServer) -> None:
    srv.route("/feed.xml", 503, "down", Retry_After="7200")
    spec = FeedSpec(url=srv.url("/feed.xml"), outlet="T")
    prev = {"etag": '"v1"', "consecutive_failures": 2, "last_full_fetch_at": NOW}
    result = F.poll_feed(spec, prev, CTX, LIMITS, False)
    assert result.outcome == "error" and result.state["consecutive_failures"] == 3
    assert result.state["next_poll_after"] == NOW + dt.timedelta(hours=2)  # Retry-After > 1 h
    assert result.state["etag"] == '"v1"'
    (letter,) = result.letters
    assert (letter.stage, letter.error, letter.payload) == ("poll_feed", "HTTPError", "down")
    assert "503 Service Unavailable" in letter.detail


def test_cache_control_and_ttl_set_the_next_poll(srv: QuickServer) -> None:
    srv.route("/feed.xml", 200, rss("x", [], extra="<ttl>20</ttl>"), Cache_Control="max-age=3600")
    result = F.poll_feed(FeedSpec(url=srv.url("/feed.xml"), outlet="T"), None, CTX, LIMITS, False)
    assert result.state["next_poll_after"] == NOW + dt.timedelta(hours=1)
    assert result.state["advised_interval_s"] == 3600


def test_feed_redirects_are_recorded(srv: QuickServer) -> None:
    srv.route("/old.xml", 301, "", Location="/new.xml")
    srv.route("/new.xml", 200, rss("x", []))
    result = F.poll_feed(FeedSpec(url=srv.url("/old.xml"), outlet="T"), None, CTX, LIMITS, False)
    assert result.state["final_url"] == srv.url("/new.xml")


# ---------------------------------------------------------------------------- Beam ----


def test_poll_hosts_fn_directly(srv: QuickServer) -> None:
    srv.route("/a.xml", 200, rss("x", _items(2)))
    srv.route("/b.xml", 404, "no")
    fn = F.PollHostsFn(CTX, {}, LIMITS, False)
    fn.setup()
    specs = [FeedSpec(url=srv.url(p), outlet="T") for p in ("/a.xml", "/b.xml")]
    out = list(fn.process([("127.0.0.1", specs)]))
    items = [o for o in out if not isinstance(o, beam.pvalue.TaggedOutput)]
    tagged = [o for o in out if isinstance(o, beam.pvalue.TaggedOutput)]
    assert len(items) == 2
    assert sorted(o.tag for o in tagged) == ["dead_letter", "feed_state", "feed_state"]


def test_poll_feeds_transform_skips_not_due_polls_politely(srv: QuickServer) -> None:
    probe = ConcurrencyProbe(hold=0.05)
    for i in range(5):
        srv.handle(f"/f{i}.xml", probe.wrap(rss(f"f{i}", _items(1, srv.url(""))).encode()))
    srv.route("/broken.xml", 500, "boom")
    specs = [FeedSpec(url=srv.url(f"/f{i}.xml"), outlet="T") for i in range(5)]
    specs.append(FeedSpec(url=srv.url("/broken.xml"), outlet="T"))
    states = {specs[0].url: {"next_poll_after": NOW + dt.timedelta(hours=1)}}  # not due
    options = PipelineOptions(["--direct_num_workers=2", "--direct_running_mode=multi_threading"])
    p = test_pipeline.TestPipeline(options=options)
    out = p | beam.Create(specs) | F.PollFeeds(CTX, states, LIMITS)
    assert_that(
        out.items | "Guids" >> beam.Map(lambda i: i.feed_url.rsplit("/", 1)[-1]),
        equal_to([f"f{i}.xml" for i in range(1, 5)]),
        label="items of due feeds",
    )
    assert_that(
        out.dead_letter | "Errors" >> beam.Map(lambda d: (d.stage, d.error)),
        equal_to([("poll_feed", "HTTPError")]),
        label="dead letters",
    )
    assert_that(
        out.feed_state | "States" >> beam.Map(lambda op: op[2]["last_status"]),
        equal_to(["ok"] * 4 + ["error"]),
        label="feed_state",
    )
    result = p.run()
    result.wait_until_finish()
    assert srv.requested("/f0.xml") == 0
    assert probe.max_active == 1  # one request at a time to this host, across DoFn instances

    def counter(name: str) -> int:
        res = result.metrics().query(MetricsFilter().with_namespace("feeds").with_name(name))
        return sum(c.committed for c in res["counters"])

    assert (counter("polled"), counter("failed"), counter("not_due"), counter("items")) == (
        5,
        1,
        1,
        4,
    )


def test_force_polls_feeds_that_are_not_due(srv: QuickServer) -> None:
    srv.route("/f.xml", 200, rss("x", _items(1)))
    spec = FeedSpec(url=srv.url("/f.xml"), outlet="T")
    states = {spec.url: {"next_poll_after": NOW + dt.timedelta(hours=1)}}
    with test_pipeline.TestPipeline() as p:
        out = p | beam.Create([spec]) | F.PollFeeds(CTX, states, LIMITS, force=True)
        assert_that(out.items | beam.Map(lambda i: i.guid.rsplit("/", 1)[-1]), equal_to(["g0"]))


def test_dofns_pickle_without_process_local_state() -> None:
    from apache_beam.internal import pickler

    from transforms.articles import FetchHostsFn, LinkCopiesFn

    for fn in (
        F.PollHostsFn(CTX, {"u": {"etag": "x"}}, LIMITS, False),
        F.SkipNotDueFn(CTX, {}, True),
        FetchHostsFn(CTX, LIMITS, False),
        LinkCopiesFn(),
    ):
        clone = pickler.loads(pickler.dumps(fn))
        assert type(clone) is type(fn)
