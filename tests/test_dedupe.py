"""Streaming de-duplication: keyed state and expiry timers, driven by TestStream."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipeline.records import Article, FeedItem, article_id_for
from transforms.articles import article_key
from transforms.dedupe import DropSeenItems, LinkCopiesAsTheyCome, is_fingerprint

TTL = 100  # seconds of event time


def streaming_pipeline() -> TestPipeline:
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return TestPipeline(options=options)


def item(path: str, feed: str = "http://news.example/feed") -> FeedItem:
    link = f"http://news.example{path}"
    return FeedItem(feed, "Outlet", link, link, "عنوان", None, None)


def article(article_id: str, fp: str | None) -> Article:
    return Article(
        article_id, f"http://x/{article_id}", "o", "f", None, "نص", None, None, fingerprint=fp
    )


def at(value: Any, seconds: float) -> TimestampedValue:
    return TimestampedValue(value, seconds)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("mh1:0a1b", True), ("none:1234", False), ("", False)],
    ids=["fingerprint", "no-fingerprint", "empty"],
)
def test_is_fingerprint(key: str, expected: bool) -> None:
    assert is_fingerprint(key) is expected


def test_items_pass_once_per_ttl_and_known_ones_never() -> None:
    known_item = item("/known")
    stream = (
        TestStream()
        .advance_watermark_to(0)
        .add_elements([at(item("/a"), 10), at(item("/b"), 10), at(item("/a"), 11)])
        .add_elements([at(known_item, 11), at(item("/a", feed="http://other.example/rss"), 12)])
        .advance_watermark_to(50)
        .add_elements([at(item("/a"), 55)])  # seen again: its expiry moves to 155
        .advance_watermark_to(130)  # b (last seen at 10) expires at 110, a not yet
        .add_elements([at(item("/a"), 131), at(item("/b"), 131)])
        .advance_watermark_to(400)  # both expire
        .add_elements([at(item("/a"), 401), at(known_item, 401)])
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        known = p | "Known" >> beam.Create([article_id_for(article_key(known_item))])
        out = p | stream | DropSeenItems(known, ttl=TTL) | beam.Map(lambda i: i.link)
        a, b = "http://news.example/a", "http://news.example/b"
        assert_that(out, equal_to([a, b, b, a]), label="FirstSightingsOnly")
    # (Counters are checked on the FnApiRunner, tests/test_streaming.py: the DirectRunner that
    # runs TestStream drops the counts of all but the first batch of elements in Beam 2.77.)


def test_without_ttl_state_is_kept_for_the_run() -> None:
    stream = (
        TestStream()
        .add_elements([at(item("/a"), 10)])
        .advance_watermark_to(10**6)
        .add_elements([at(item("/a"), 10**6 + 1)])
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        out = p | stream | DropSeenItems(None, ttl=None) | beam.Map(lambda i: i.link)
        assert_that(out, equal_to(["http://news.example/a"]))


def test_first_copy_is_the_original_and_stored_ones_win() -> None:
    stream = (
        TestStream()
        .add_elements([at(article("a1", "mh1:story"), 10), at(article("a2", "mh1:story"), 10)])
        .add_elements([at(article("a1", "mh1:story"), 12)])  # re-fetched original stays original
        .add_elements([at(article("b1", "mh1:wire"), 12), at(article("n1", None), 12)])
        .add_elements([at(article("n2", None), 12)])
        .advance_watermark_to(200)  # the story expires: a later copy starts a new original
        .add_elements([at(article("a3", "mh1:story"), 201)])
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        stored = p | "Stored" >> beam.Create([("mh1:wire", "b0")])
        out = (
            p
            | stream
            | LinkCopiesAsTheyCome(stored, ttl=TTL)
            | beam.Map(lambda a: (a.article_id, a.duplicate_of))
        )
        expected = [("a1", None), ("a2", "a1"), ("a1", None), ("b1", "b0"), ("n1", None),
                    ("n2", None), ("a3", None)]  # fmt: skip
        assert_that(out, equal_to(expected), label="CopiesLinkedToTheFirst")
