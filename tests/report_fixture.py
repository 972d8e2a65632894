"""The fixture warehouse of the report tests and of ``make screenshot``.

The bundled seed feed run through the real pipeline (``hotline run``: one scheduled Biden-Putin
call, 30 Dec 2021), plus rows upserted directly: calls of other leader pairs and statuses
(Trump-Putin held, held again, scheduled; Biden-Putin held by video; an undated Obama-Putin
request) with their reports, and the polling state of a failing and an unchanged feed. The
sentences, outlets and links are invented for the fixture (``.example`` hosts).

``hostile=True`` adds a report whose outlet, title and link try to inject markup and script,
to prove the page escapes what articles say.

    python -m tests.report_fixture --screenshot docs/report.png   # what `make screenshot` runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline import cli
from pipeline.records import EXTRACTOR_VERSION
from pipeline.warehouse import open_warehouse

ROOT = Path(__file__).resolve().parent.parent
SEED_FEEDS = ROOT / "seeds" / "feeds.yaml"
INGESTED = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)

TRUMP, BIDEN, OBAMA, PUTIN = "Donald Trump", "Joe Biden", "Barack Obama", "Vladimir Putin"
HOSTILE_OUTLET = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TITLE = "</script><script>window.__pwned=2</script>"


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _report(
    rid: str,
    call_id: str,
    outlet: str,
    published: str,
    status: str,
    evidence: str,
    *,
    us: str = TRUMP,
    date: str | None = None,
    medium: str = "phone",
    requested_by: str | None = None,
    side: str | None = None,
    source_text: str | None = None,
    topics: tuple[str, ...] = (),
    url: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    return {
        "report_id": rid,
        "article_id": "fixture-" + rid,
        "call_id": call_id,
        "url": url or f"https://{outlet.split()[0].lower()}.example/{rid}",
        "outlet": outlet,
        "title": title or evidence.split("،")[0],
        "confidence": 0.93,
        "us_leader": us,
        "russian_leader": PUTIN,
        "call_status": status,
        "call_date": dt.date.fromisoformat(date) if date else None,
        "date_method": "exact" if date else "unresolved",
        "medium": medium,
        "requested_by": requested_by,
        "source_side": side,
        "source_text": source_text,
        "topics": list(topics),
        "actors": [],
        "evidence": [{"text": evidence, "start": 0, "end": len(evidence)}],
        "published_at": _ts(published),
        "ingested_at": INGESTED,
        "extractor_version": EXTRACTOR_VERSION,
    }


REPORTS = [
    _report("tp-0212-a", "trump-putin-2025-02-12", "alsharq today", "2025-02-12T19:05+00:00",
            "held",
            "أجرى الرئيس الأمريكي دونالد ترامب اتصالا هاتفيا مطولا مع نظيره الروسي فلاديمير بوتين، "
            "بحثا خلاله الحرب في أوكرانيا والأوضاع في الشرق الأوسط.",
            date="2025-02-12", requested_by="us", side="us", source_text="البيت الأبيض",
            topics=("ukraine", "middle_east")),
    _report("tp-0212-b", "trump-putin-2025-02-12", "capital voice", "2025-02-12T21:40+00:00",
            "held",
            "قال الكرملين إن المكالمة بين بوتين وترامب استمرت قرابة ساعة ونصف.",
            date="2025-02-12", side="russia", source_text="الكرملين", topics=("ukraine",)),
    _report("tp-0318", "trump-putin-2025-03-18", "capital voice", "2025-03-18T18:45+00:00", "held",
            "بحث الرئيسان ترامب وبوتين في اتصال هاتفي جرى بمبادرة من الجانب الأمريكي وقف الضربات "
            "على منشآت الطاقة.",
            date="2025-03-18", requested_by="us", side="other", topics=("ukraine", "energy")),
    _report("tp-0519", "trump-putin-2025-05-19", "nile wire", "2025-05-17T10:15+00:00", "scheduled",
            "أعلن الكرملين أن الرئيس بوتين سيجري اتصالا هاتفيا مع الرئيس ترامب يوم الاثنين المقبل.",
            date="2025-05-19", side="russia", source_text="الكرملين", topics=("ukraine",)),
    _report("bp-1207", "biden-putin-2021-12-07", "alsharq today", "2021-12-07T18:30+00:00", "held",
            "عقد الرئيس الأمريكي جو بايدن ونظيره الروسي فلاديمير بوتين محادثات عبر تقنية الفيديو "
            "استمرت ساعتين، ركزت على التوتر حول أوكرانيا.",
            us=BIDEN, date="2021-12-07", medium="video", side="us", source_text="البيت الأبيض",
            topics=("ukraine", "nato")),
    _report("op-req", "obama-putin-2016-10-05", "nile wire", "2016-10-05T08:00+00:00", "requested",
            "طلب الكرملين إجراء اتصال هاتفي بين الرئيسين بوتين وأوباما لبحث الأزمة السورية، "
            "دون أن يصدر رد من واشنطن.",
            us=OBAMA, requested_by="russia", side="russia", source_text="الكرملين",
            topics=("syria",)),
]  # fmt: skip

HOSTILE = _report(
    "hostile", "trump-putin-2025-03-18", HOSTILE_OUTLET, "2025-03-19T07:00+00:00", "held",
    'وقال المتحدث <b onmouseover="window.__pwned=3">إن</b> المكالمة كانت "مثمرة".',
    date="2025-03-18", url="javascript:window.__pwned=4", title=HOSTILE_TITLE,
)  # fmt: skip


def _calls(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One ``calls`` row per call id, as MergeCalls would have written it."""
    rank = {"held": 3, "scheduled": 2, "requested": 1}
    out = []
    for call_id in dict.fromkeys(r["call_id"] for r in reports):
        mine = [r for r in reports if r["call_id"] == call_id]
        best = max(mine, key=lambda r: rank.get(r["call_status"], 0))
        outlets = sorted({r["outlet"] for r in mine})
        out.append(
            {
                "call_id": call_id,
                "us_leader": best["us_leader"],
                "russian_leader": best["russian_leader"],
                "call_date": best["call_date"],
                "call_status": best["call_status"],
                "medium": best["medium"],
                "requested_by": next((r["requested_by"] for r in mine if r["requested_by"]), None),
                "first_reported_at": min(r["published_at"] for r in mine),
                "last_reported_at": max(r["published_at"] for r in mine),
                "report_count": len(mine),
                "outlet_count": len(outlets),
                "outlets": outlets,
                "report_ids": [r["report_id"] for r in mine],
                "topics": sorted({t for r in mine for t in r["topics"]}),
                "updated_at": INGESTED,
            }
        )
    return out


FEEDS = [
    {
        "feed_url": "https://capital.example/rss/world.xml",
        "outlet": "capital voice",
        "last_polled_at": _ts("2025-06-01T08:00+00:00"),
        "last_success_at": _ts("2025-05-29T08:00+00:00"),
        "last_status": "error",
        "http_status": 503,
        "last_error": "HTTPError: HTTP 503 Service Unavailable (3 tries)",
        "consecutive_failures": 3,
        "next_poll_after": _ts("2025-06-01T10:00+00:00"),
        "items_seen": 240,
    },
    {
        "feed_url": "https://nile.example/feed",
        "outlet": "nile wire",
        "last_polled_at": _ts("2025-06-01T08:00+00:00"),
        "last_success_at": _ts("2025-06-01T08:00+00:00"),
        "last_status": "not_modified",
        "http_status": 304,
        "consecutive_failures": 0,
        "next_poll_after": _ts("2025-06-01T08:15+00:00"),
        "items_seen": 512,
    },
]
ERRORS = [
    {
        "error_id": f"fixture-poll-{i}",
        "stage": "poll_feed",
        "url": "https://capital.example/rss/world.xml",
        "feed_url": "https://capital.example/rss/world.xml",
        "error": "HTTPError",
        "detail": "HTTP 503",
        "at": _ts(f"2025-0{i}-01T08:00+00:00"),
        "first_at": _ts(f"2025-0{i}-01T08:00+00:00"),
        "run_id": "fixture",
    }
    for i in (4, 5, 6)
]


def build(folder: Path, *, hostile: bool = False) -> str:
    """Make the fixture warehouse in ``folder``; returns its URL."""
    url = f"duckdb:///{folder / 'fixture.duckdb'}"
    out = io.StringIO()
    code = cli.main(["run", "--feeds", str(SEED_FEEDS), "--warehouse", url, "--quiet"], out=out)
    if code != 0:
        raise RuntimeError(f"the seed run failed ({code}): {out.getvalue()}")
    reports = REPORTS + ([HOSTILE] if hostile else [])
    with open_warehouse(url) as wh:
        wh.write(
            {
                "call_reports": reports,
                "calls": _calls(reports),
                "feed_state": FEEDS,
                "ingest_errors": ERRORS,
            }
        )
    return url


def main(argv: list[str] | None = None) -> int:
    """Regenerate the README's screenshot of the report from the fixture warehouse."""
    from pipeline.report import write_report
    from tests.browser import Browser, find_chromium

    parser = argparse.ArgumentParser(prog="python -m tests.report_fixture")
    parser.add_argument("--screenshot", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1100)
    args = parser.parse_args(argv)
    if find_chromium() is None:
        print("report_fixture: no Chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    # a fixed folder, so the warehouse URL in the page's header is the same every time
    folder = Path(tempfile.gettempdir()) / "hotline-report-fixture"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        url = build(folder)
        html, _ = write_report(url, folder / "report.html")
        with Browser.launch(folder / "profile") as browser:
            page = browser.new_page(width=args.width, height=900)
            page.goto(html.as_uri())
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(args.screenshot)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshot: {args.screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
