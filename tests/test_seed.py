"""The seed report that started hotline must always come out exactly right."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

from pipeline import cli
from pipeline.records import Article
from tests.conftest import ROOT, SEEDS
from transforms.extract import analyze_article

SEED = SEEDS / "000_b0d76b5013ea65a7.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
FIRST_SENTENCE = SEED_TEXT.split("\n", 1)[0]
PUBLISHED = dt.datetime(2021, 12, 30, 14, 20, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_seed_copy_is_byte_identical_to_shared() -> None:
    shared = ROOT.parent / "shared" / "seeds" / SEED.name
    if shared.exists():  # the shared folder sits beside the clone in CI and here
        assert SEED.read_bytes() == shared.read_bytes()
    assert FIRST_SENTENCE.endswith("بناءً على طلب الجانب الروسى.")


def test_seed_fields(lexicon) -> None:  # type: ignore[no-untyped-def]
    article = Article(
        "seed", "https://example.test/seed", "seed", None, None, SEED_TEXT, PUBLISHED, None
    )
    _, ex = analyze_article(lexicon, article)
    line = ex.to_json("seed")
    assert line["is_call_report"] is True
    assert line["us_leader"] == "Joe Biden"
    assert line["russian_leader"] == "Vladimir Putin"
    assert line["call_status"] == "scheduled"
    assert line["call_date"] == "2021-12-30"
    assert line["date_method"] == "relative"
    assert line["medium"] == "phone"
    assert line["requested_by"] == "russia"
    assert line["source_side"] == "us"
    assert line["source_text"] == "مسؤول بارز فى البيت الأبيض"
    assert line["evidence"] == [{"text": FIRST_SENTENCE, "start": 0, "end": len(FIRST_SENTENCE)}]
    assert SEED_TEXT[0 : len(FIRST_SENTENCE)] == FIRST_SENTENCE
    assert {"ukraine", "nato", "strategic_stability", "sanctions"} <= set(line["topics"])
    assert 0.9 <= line["confidence"] <= 1.0


def test_hotline_extract_on_the_seed() -> None:
    lines = [
        {
            "id": "seed",
            "url": "https://example.test/seed",
            "title": None,
            "text": SEED_TEXT,
            "published": "2021-12-30",
            "outlet": "Example",
        },
        {
            "id": "gold",
            "url": "https://example.test/gold",
            "title": "الذهب",
            "text": "ارتفعت أسعار الذهب اليوم الخميس.",
            "published": None,
            "outlet": None,
        },
        "not json at all",
    ]
    stdin = io.StringIO(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
        + "\n"
    )
    out = io.StringIO()
    assert cli.main(["extract"], out=out, stdin=stdin) == 0
    got = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [g["id"] for g in got] == ["seed", "gold", None]
    seed = got[0]
    assert (
        seed["us_leader"],
        seed["russian_leader"],
        seed["call_status"],
        seed["call_date"],
        seed["medium"],
        seed["requested_by"],
        seed["source_side"],
    ) == ("Joe Biden", "Vladimir Putin", "scheduled", "2021-12-30", "phone", "russia", "us")
    assert seed["evidence"][0]["text"] == FIRST_SENTENCE
    # a negative: every field present and null
    gold = got[1]
    assert gold["is_call_report"] is False
    for key in (
        "us_leader",
        "russian_leader",
        "call_status",
        "call_date",
        "medium",
        "requested_by",
        "source_side",
        "source_text",
        "topics",
        "evidence",
    ):
        assert key in gold and gold[key] is None
    assert got[2]["is_call_report"] is False and "error" in got[2]


def test_seed_folder_is_self_contained(tmp_path: Path) -> None:
    """`make run` reads seeds/feeds.yaml: its file:// paths resolve against its own folder."""
    from pipeline.config import load_feeds

    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    feeds = load_feeds(str(copy / "feeds.yaml"))
    assert [f.url for f in feeds] == [f"file://{copy}/seed-feed.xml"]
