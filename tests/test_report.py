"""``hotline report`` (pipeline/report.py): the page's pure parts, the command, and the page
itself in a real headless Chromium (tests/browser.py) over the fixture warehouse
(tests/report_fixture.py: the seed run plus calls of other pairs and statuses)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import cli
from pipeline.report import (
    STATUS_WORDS,
    default_out,
    month_range,
    render,
    safe_href,
    slug,
    write_report,
)
from pipeline.warehouse import open_warehouse
from tests import report_fixture
from tests.browser import Browser, Page, find_chromium

# --------------------------------------------------------------------------- fixtures ----


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    return report_fixture.build(tmp_path_factory.mktemp("report"), hostile=True)


@pytest.fixture(scope="module")
def report_file(fixture_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _ = write_report(fixture_warehouse, tmp_path_factory.mktemp("out") / "report.html")
    return path


@pytest.fixture(scope="module")
def expected(fixture_warehouse: str) -> dict[str, dict[str, Any]]:
    """Every call in the warehouse, with its status and its first evidence sentence."""
    with open_warehouse(fixture_warehouse, read_only=True) as wh:
        calls = wh.rows("SELECT call_id, call_status, call_date, us_leader FROM calls")
        reports = wh.rows(
            "SELECT call_id, evidence FROM call_reports ORDER BY published_at, report_id"
        )
    out = {c["call_id"]: {**c, "evidence": None} for c in calls}
    for r in reports:
        call = out[r["call_id"]]
        if call["evidence"] is None and r["evidence"]:
            call["evidence"] = r["evidence"][0]["text"].strip()
    return out


# ------------------------------------------------------------------------ pure parts ----


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://nile.example/a?b=1&c=2", "https://nile.example/a?b=1&amp;c=2"),
        ('http://x.example/"><script>', "http://x.example/&quot;&gt;&lt;script&gt;"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("file:///etc/passwd", None),
        ("//no-scheme.example/x", None),
        (None, None),
    ],
    ids=[
        "query",
        "quote-breakout",
        "javascript",
        "javascript-case",
        "data",
        "file",
        "relative",
        "none",
    ],
)
def test_only_http_links_become_hrefs(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href


@pytest.mark.parametrize(
    ("parts", "expected_slug"),
    [
        (("Joe Biden", "Vladimir Putin"), "joe-biden_vladimir-putin"),
        (('"><img src=x>', None), "img-src-x_unknown"),
        (("بايدن", "بوتين"), "unknown_unknown"),
    ],
    ids=["names", "markup", "arabic"],
)
def test_pair_slugs_have_a_closed_alphabet(parts: tuple[Any, ...], expected_slug: str) -> None:
    assert slug(*parts) == expected_slug


def test_month_range_spans_years() -> None:
    import datetime as dt

    months = month_range(dt.date(2021, 11, 1), dt.date(2022, 2, 1))
    assert months == [(2021, 11), (2021, 12), (2022, 1), (2022, 2)]


def test_default_out_is_beside_the_duckdb_file(tmp_path: Path) -> None:
    assert default_out(f"duckdb:///{tmp_path}/w.duckdb") == tmp_path / "report.html"
    assert default_out("bigquery://proj/ds") == Path("report.html").resolve()


def test_untrusted_text_is_escaped(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    assert report_fixture.HOSTILE_OUTLET not in html
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html
    assert "<script>window.__pwned" not in html and html.count("<script>") == 1
    assert "javascript:" not in html
    assert "<b onmouseover" not in html


def test_the_csp_allows_exactly_the_inline_css_and_js(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    css = re.search(r"<style>(.*?)</style>", html, re.S)
    js = re.search(r"<script>(.*?)</script>", html, re.S)
    assert css and js
    for name, body in (("style-src", css[1]), ("script-src", js[1])):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"{name} 'sha256-{digest}'" in csp[1].replace("&#x27;", "'")
    assert "default-src 'none'" in csp[1].replace("&#x27;", "'")
    assert not re.search(
        r"""(src|href)=["']?(https?:)?//(?!\w+\.example)""", html
    )  # nothing fetched


def test_render_is_deterministic(fixture_warehouse: str) -> None:
    import datetime as dt

    from pipeline.report import load_report_data

    when = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    with open_warehouse(fixture_warehouse, read_only=True) as wh:
        first, second = load_report_data(wh, when), load_report_data(wh, when)
    assert render(first) == render(second)


@pytest.mark.slow
def test_report_command_writes_the_page_and_prints_its_path(
    fixture_warehouse: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    target = tmp_path / "r.html"
    assert (
        cli.main(["report", "--warehouse", fixture_warehouse, "--out", str(target)], out=out) == 0
    )
    assert out.getvalue() == f"report: {target} (6 calls, 8 reports)\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = f"duckdb:///{tmp_path}/none.duckdb"
    assert cli.main(["report", "--warehouse", missing], out=io.StringIO()) == 3
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["report", "--warehouse", "postgres://x"], out=io.StringIO()) == 2


# --------------------------------------------------------------------------- browser ----


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if find_chromium() is None:
        reason = (
            "no Chromium at /usr/bin/chromium: `make test` installs Debian's chromium when it runs "
            "as root; elsewhere run `apt-get install chromium fonts-noto-core`"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the browser test)")
        pytest.skip(reason)
    with Browser.launch(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


@pytest.fixture()
def page(browser: Browser) -> Page:
    return browser.new_page(width=1280, height=900)


VISIBLE = (
    "[...document.querySelectorAll('[data-call]')]"
    ".filter(e => e.getClientRects().length > 0).map(e => e.id.slice(5)).sort()"
)
HIDDEN = (
    "[...document.querySelectorAll('[data-call]')]"
    ".filter(e => e.getClientRects().length === 0).map(e => e.id.slice(5)).sort()"
)


@pytest.mark.slow
def test_every_call_is_on_the_page_with_its_status_and_evidence(
    page: Page, report_file: Path, expected: dict[str, dict[str, Any]]
) -> None:
    page.goto(report_file.as_uri())
    cards = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('[data-call]')]"
        ".map(e => [e.id.slice(5), {"
        " status: e.dataset.status, badge: e.querySelector('.badge').textContent,"
        " evidence: (e.querySelector('blockquote.evidence') || {}).textContent,"
        " links: [...e.querySelectorAll('ul.sources a')].map(a => a.href),"
        " visible: e.getClientRects().length > 0 }]))"
    )
    assert sorted(cards) == sorted(expected)
    assert len(expected) == 6
    for call_id, call in expected.items():
        card = cards[call_id]
        assert card["visible"], call_id
        assert card["status"] == call["call_status"], call_id
        assert card["badge"] == STATUS_WORDS[call["call_status"]], call_id
        assert card["evidence"] == call["evidence"], call_id
        assert all(link.startswith("https://") for link in card["links"]), card["links"]
    statuses = {c["call_status"] for c in expected.values()}
    assert {"held", "scheduled", "requested"} <= statuses
    markers = page.evaluate(
        "[...document.querySelectorAll('[data-marker]')].map(m => [m.getAttribute('href'),"
        " m.dataset.status, m.querySelector('.mk').getAttribute('class')])"
    )
    assert sorted(m[0] for m in markers) == sorted(f"#call-{c}" for c in expected)
    assert all(cls == f"mk {status}" for _, status, cls in markers)
    # the three statuses are drawn differently, not only in words
    looks = page.evaluate(
        "['held', 'scheduled', 'requested'].map(s => { const c = document.querySelector("
        "'li.call.' + s); const m = document.querySelector('.mk.' + s); return ["
        "getComputedStyle(c).borderLeftStyle, getComputedStyle(m).fill]; })"
    )
    assert len({tuple(look) for look in looks}) == 3
    assert [look[0] for look in looks] == ["solid", "dashed", "dotted"]


@pytest.mark.slow
def test_arabic_evidence_renders_right_to_left(page: Page, report_file: Path) -> None:
    page.goto(report_file.as_uri())
    assert page.evaluate("document.documentElement.lang") == "en"
    layout = page.evaluate(
        "[...document.querySelectorAll('blockquote.evidence')].map(el => {"
        " const text = el.firstChild; const r = document.createRange();"
        " r.setStart(text, 0); r.setEnd(text, 1); const first = r.getBoundingClientRect();"
        " const box = el.getBoundingClientRect(); const cs = getComputedStyle(el);"
        " return {lang: el.lang, dir: cs.direction, align: cs.textAlign,"
        " firstLeft: first.left, firstRight: first.right, boxLeft: box.left, boxRight: box.right,"
        " glyphs: first.width}; })"
    )
    assert len(layout) == 6
    for ev in layout:
        assert (ev["lang"], ev["dir"]) == ("ar", "rtl")
        # the first letter of the sentence is drawn at the right edge of the block
        middle = (ev["boxLeft"] + ev["boxRight"]) / 2
        assert ev["firstLeft"] > middle, ev
        assert ev["boxRight"] - ev["firstRight"] < 40, ev
        assert ev["glyphs"] > 0, ev
    # an English block next to it starts at the left
    meta = page.evaluate(
        "(() => { const el = document.querySelector('li.call .meta');"
        " return [getComputedStyle(el).direction, el.getBoundingClientRect().left]; })()"
    )
    assert meta[0] == "ltr"


@pytest.mark.slow
def test_clicking_a_status_hides_the_other_calls(
    page: Page, report_file: Path, expected: dict[str, dict[str, Any]]
) -> None:
    page.goto(report_file.as_uri())
    held = sorted(c for c, v in expected.items() if v["call_status"] == "held")
    page.click('button[data-set-status="held"]')
    assert page.evaluate(VISIBLE) == held
    assert page.evaluate(HIDDEN) == sorted(set(expected) - set(held))
    assert page.evaluate("location.hash") == "#status=held"
    assert (
        page.evaluate("document.getElementById('shown').textContent") == f"{len(held)} of 6 calls"
    )
    segments = page.evaluate(
        "[...document.querySelectorAll('rect[data-seg]')]"
        ".filter(r => r.getClientRects().length > 0).map(r => r.dataset.status)"
    )
    assert segments and set(segments) == {"held"}
    markers = page.evaluate(
        "[...document.querySelectorAll('[data-marker]')]"
        ".filter(m => m.getClientRects().length > 0).map(m => m.dataset.status)"
    )
    assert set(markers) == {"held"}
    page.click('button[data-set-status=""]')
    assert page.evaluate(VISIBLE) == sorted(expected)


@pytest.mark.slow
def test_filters_in_the_url_fragment(
    page: Page, report_file: Path, expected: dict[str, dict[str, Any]]
) -> None:
    page.goto(report_file.as_uri() + "#pair=joe-biden_vladimir-putin&year=2021")
    biden = sorted(c for c, v in expected.items() if v["us_leader"] == "Joe Biden")
    assert len(biden) == 2
    assert page.evaluate(VISIBLE) == biden
    assert page.evaluate("document.getElementById('f-pair').value") == "joe-biden_vladimir-putin"
    assert page.evaluate("document.getElementById('f-year').value") == "2021"
    sections = page.evaluate(
        "[...document.querySelectorAll('section.pair')]"
        ".filter(s => s.getClientRects().length > 0).map(s => s.dataset.pair)"
    )
    assert sections == ["joe-biden_vladimir-putin"]
    page.goto(report_file.as_uri() + "#status=requested")
    requested = [c for c, v in expected.items() if v["call_status"] == "requested"]
    assert page.evaluate(VISIBLE) == requested
    page.goto(report_file.as_uri() + "#year=2016&status=held")
    assert page.evaluate(VISIBLE) == []
    assert page.evaluate("document.getElementById('none-shown').getClientRects().length") == 1


@pytest.mark.slow
def test_the_page_is_offline_clean_and_escapes_article_text(page: Page, report_file: Path) -> None:
    page.goto(report_file.as_uri())
    page.click('button[data-set-status="held"]')  # run the scripts once more
    assert all(url.startswith("file://") for url in page.requests()), page.requests()
    assert page.problems() == []
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    outlets = page.evaluate("[...document.querySelectorAll('bdi.outlet')].map(e => e.textContent)")
    assert report_fixture.HOSTILE_OUTLET in outlets  # shown as text, not as markup


@pytest.mark.slow
def test_screenshot(page: Page, report_file: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    page.goto(report_file.as_uri())
    png = page.screenshot(tmp_path / "report.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1280 and height > 1500  # the whole page, not just the viewport
    assert len(png) > 100_000  # a drawn page, not a blank one
    assert time.monotonic() - started < 30
