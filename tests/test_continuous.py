"""Streaming polling and fetching: schedule, state across ticks, per-bundle fetches; the ticks."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import GlobalWindow, TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from pipeline.records import FeedItem, FeedSpec, RunContext
from tests.fault_server import WIRE_STORY, QuickServer, conditional, page, rss
from tests.test_merge_streaming import FakeState
from transforms import continuous as C
from transforms.deadletter import DEAD_LETTER
from transforms.feeds import FEED_STATE
from transforms.fetch import FetchLimits
from transforms.ticks import Ticks, due_index, tick_count

T0 = 1_800_000_000  # a tick, in seconds since the epoch
CTX = RunContext(run_id="stream", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
LIMITS = FetchLimits(read_timeout=1, connect_timeout=1, deadline=3, host_delay=0)
NOW = dt.datetime.fromtimestamp(T0, dt.UTC)
S = dt.timedelta(seconds=1)


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[QuickServer]:
    with QuickServer(str(tmp_path)) as s:
        yield s


def feed_items(base: str, ids: list[int]) -> list[dict[str, str]]:
    return [
        {
            "title": f"خبر {i}",
            "link": f"{base}/pages/{i}.html",
            "guid": f"g-{i}",
            "pubDate": "Thu, 30 Dec 2021 14:20:00 +0000",
            "description": f"ملخص الخبر رقم {i}",
        }
        for i in ids
    ]


def guid(item: FeedItem) -> str:
    return item.guid.rsplit("/", 1)[-1]  # feedparser resolves a guid against the feed URL


# -- schedule (pure) -----------------------------------------------------------------------

DUE = {
    "new-feed": (None, False, True),
    "seeded-healthy-from-a-batch-run": (
        {"last_status": "ok", "next_poll_after": NOW + 900 * S}, False, True),
    "seeded-failing-waits-its-backoff": (
        {"last_status": "error", "next_poll_after": NOW + 900 * S}, False, False),
    "own-schedule-due": ({"last_status": "ok", "next_poll_after": NOW + 2 * S}, True, True),
    "own-schedule-not-yet": ({"last_status": "ok", "next_poll_after": NOW + 9 * S}, True, False),
}  # fmt: skip


@pytest.mark.parametrize(("row", "own", "expected"), DUE.values(), ids=DUE.keys())
def test_due_now(row: Any, own: bool, expected: bool) -> None:
    assert C.due_now(row, own, NOW, interval=5) is expected


NEXT = {
    "healthy-every-interval": ({"last_status": "ok"}, NOW + 5 * S),
    "not-modified-too": ({"last_status": "not_modified"}, NOW + 5 * S),
    "feed-asks-for-longer": ({"last_status": "ok", "advised_interval_s": 60}, NOW + 60 * S),
    "feed-asks-for-shorter": ({"last_status": "ok", "advised_interval_s": 1}, NOW + 5 * S),
    "first-failure": ({"last_status": "error", "consecutive_failures": 1}, NOW + 5 * S),
    "third-failure-backs-off": ({"last_status": "error", "consecutive_failures": 3}, NOW + 20 * S),
    "retry-after-is-a-floor": (
        {"last_status": "error", "consecutive_failures": 1,
         "next_poll_after": NOW + dt.timedelta(hours=2)}, NOW + dt.timedelta(hours=2)),
}  # fmt: skip


@pytest.mark.parametrize(("row", "expected"), NEXT.values(), ids=NEXT.keys())
def test_stream_next_poll(row: dict[str, Any], expected: dt.datetime) -> None:
    assert C.stream_next_poll(row, NOW, interval=5) == expected


def test_stamp_moves_run_times_to_the_tick() -> None:
    when = NOW + 7 * S
    row = {"article_id": "a", "first_seen_at": NOW, "fetched_at": NOW}
    assert C.stamp(("upsert", "articles", row), when)[2] == {**row, "first_seen_at": when}
    update = ("update", "call_reports", {"report_id": "r", "call_id": "c"})
    assert C.stamp(update, when) == update
    assert C.stamp(("delete", "calls", ("c",)), when) == ("delete", "calls", ("c",))


@pytest.mark.parametrize(
    ("start", "stop", "interval", "count"),
    [(0, 40, 5, 8), (0, 41, 5, 9), (0, 1, 5, 1), (0, None, 5, 10**12)],
    ids=["exact", "partial-last", "shorter-than-interval", "forever"],
)
def test_tick_count(start: float, stop: float | None, interval: float, count: int) -> None:
    assert tick_count(start, stop, interval) == count


def test_due_index() -> None:
    assert [due_index(100, 5, t) for t in (99, 100, 104.9, 105, 131)] == [-1, 0, 0, 1, 6]


# -- polling with state across ticks -------------------------------------------------------


def _poll(fn: C.PollFeedFn, state: FakeState, spec: FeedSpec, tick: float) -> dict[str, list]:
    out: dict[str, list] = {"items": [], FEED_STATE: [], DEAD_LETTER: []}
    for x in fn.process((spec.url, spec), Timestamp.of(tick), state):
        if isinstance(x, beam.pvalue.TaggedOutput):
            out[x.tag].append(x.value)
        else:
            out["items"].append(x)
    return out


def test_feed_state_carries_across_ticks(srv: QuickServer) -> None:
    base = srv.url("")
    first = rss("وكالة", feed_items(base, [1, 2])).encode()
    srv.handle("/feed.xml", conditional(first, '"v1"', "Thu, 30 Dec 2021 14:00:00 GMT"))
    spec = FeedSpec(srv.url("/feed.xml"), "Outlet")
    fn = C.PollFeedFn(CTX, {}, LIMITS, allow_private=True, interval=5)
    fn.setup()
    state = FakeState()

    tick1 = _poll(fn, state, spec, T0)
    assert [guid(i) for i in tick1["items"]] == ["g-1", "g-2"]
    (row,) = [op[2] for op in tick1[FEED_STATE]]
    assert (row["etag"], row["last_status"]) == ('"v1"', "ok")
    assert row["next_poll_after"] == NOW + 5 * S

    tick2 = _poll(fn, state, spec, T0 + 5)  # validators sent: 304, nothing parsed
    assert tick2["items"] == []
    assert tick2[FEED_STATE][0][2]["last_status"] == "not_modified"
    assert srv.requests[-1][1].get("If-None-Match") == '"v1"'

    second = rss("وكالة", feed_items(base, [3, 1, 2])).encode()
    srv.handle("/feed.xml", conditional(second, '"v2"', "Thu, 30 Dec 2021 15:00:00 GMT"))
    tick3 = _poll(fn, state, spec, T0 + 10)  # changed: only the new item goes on
    assert [guid(i) for i in tick3["items"]] == ["g-3"]
    assert tick3[FEED_STATE][0][2]["etag"] == '"v2"'


def test_failing_feed_backs_off_then_recovers(srv: QuickServer) -> None:
    srv.route("/feed.xml", 503, "busy", Content_Type="text/plain")
    spec = FeedSpec(srv.url("/feed.xml"), "Outlet")
    fn = C.PollFeedFn(CTX, {}, LIMITS, allow_private=True, interval=5)
    fn.setup()
    state = FakeState()
    polled = []
    for k in range(8):  # ticks every 5 s: failures wait 5, 10, 20 s
        out = _poll(fn, state, spec, T0 + 5 * k)
        if out[FEED_STATE]:
            polled.append(k)
            assert out[DEAD_LETTER][0].error == "HTTPError"
    assert polled == [0, 1, 3, 7]
    assert state.value["row"]["consecutive_failures"] == 4


def test_poll_feeds_continuously_in_a_stream(srv: QuickServer) -> None:
    base = srv.url("")
    srv.route("/a.xml", 200, rss("أ", feed_items(base, [1])), Content_Type="application/rss+xml")
    srv.route("/b.xml", 200, rss("ب", feed_items(base, [2])), Content_Type="application/rss+xml")
    feeds = [FeedSpec(srv.url("/a.xml"), "A"), FeedSpec(srv.url("/b.xml"), "B")]
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    ticks = (
        TestStream()
        .add_elements([TimestampedValue(Timestamp.of(T0), T0)])
        .advance_watermark_to(T0 + 5)
        .add_elements([TimestampedValue(Timestamp.of(T0 + 5), T0 + 5)])
        .advance_watermark_to_infinity()
    )
    with TestPipeline(options=options) as p:
        polled = (
            p | ticks | C.PollFeedsContinuously(feeds, CTX, 5, limits=LIMITS, allow_private=True)
        )
        assert_that(polled.items | beam.Map(guid), equal_to(["g-1", "g-2"]))
        assert_that(
            polled[FEED_STATE] | beam.Map(lambda op: (op[2]["outlet"], op[2]["last_polled_at"])),
            equal_to([("A", NOW), ("B", NOW), ("A", NOW + 5 * S), ("B", NOW + 5 * S)]),
            label="EveryFeedEveryTick",
        )


# -- pages, one bundle at a time -----------------------------------------------------------


def test_fetch_each_bundle_fetches_the_bundle_and_keeps_event_time(srv: QuickServer) -> None:
    srv.route("/pages/1.html", 200, page("بوتين وبايدن", WIRE_STORY),
              Content_Type="text/html; charset=utf-8")  # fmt: skip
    item = FeedItem(srv.url("/feed.xml"), "O", "g-1", srv.url("/pages/1.html"), "t", "s", None)
    broken = FeedItem(
        srv.url("/feed.xml"), "O", "g-2", srv.url("/pages/404.html"), "t2", "ملخص", None
    )
    fn = C.FetchEachBundleFn(CTX, LIMITS, allow_private=True)
    fn.start_bundle()
    assert list(fn.process(item, Timestamp.of(T0), GlobalWindow()) or []) == []
    fn.process(broken, Timestamp.of(T0 + 5), GlobalWindow())
    assert srv.requests == []  # nothing is fetched before the bundle finishes
    out = list(fn.finish_bundle())
    articles = {o.value.title: o for o in out if not isinstance(o, beam.pvalue.TaggedOutput)}
    letters = [o.value.value for o in out if isinstance(o, beam.pvalue.TaggedOutput)]
    assert articles["t"].value.text_source == "page"
    assert articles["t"].value.fetched_at == NOW
    assert articles["t"].timestamp == Timestamp.of(T0)
    assert articles["t2"].value.text_source == "summary"
    assert articles["t2"].timestamp == Timestamp.of(T0 + 5)
    assert [letter.error for letter in letters] == ["HTTPError"]


# -- the clock -----------------------------------------------------------------------------


def test_ticks_run_in_real_time_and_stop_on_the_stop_file(tmp_path: Path) -> None:
    stop_file, log = tmp_path / "stop", tmp_path / "ticks.log"

    def note(ts: Any) -> None:  # runs in the SDK harness: it shares files, not memory
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{time.time()}\n")
        if len(log.read_text().split()) == 3:
            stop_file.touch()

    start = time.time() + 0.5
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    p = beam.Pipeline(runner=FnApiRunner(), options=options)
    _ = p | Ticks(start, start + 30, 0.5, str(stop_file), nap=0.2) | beam.Map(note)
    p.run().wait_until_finish()
    seen = [float(t) for t in log.read_text().split()]
    assert len(seen) == 3  # the stop file ended the source: no fourth tick
    assert seen[0] >= start
    assert seen[2] - seen[0] == pytest.approx(1.0, abs=0.3)
    assert time.time() - start < 5
