"""The fault matrix, end to end: ``hotline run`` three times over healthy and broken feeds.

One module-scoped fixture starts the servers (``tests.fault_server``), writes a feeds file and
runs ``pipeline.cli.main(["run", ...])`` three times (``--force`` from the second run on, so
every feed is polled again) into a DuckDB file. The tests then check, per fault: the healthy
feeds' articles landed, the fault is in ``ingest_errors`` with the right stage, error class and
reason, nothing was fetched that should not be, and runs two and three added no rows.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.warehouse import open_warehouse
from tests.fault_server import CAP, FAULTS, Fault, FaultServer, QuickServer, install_rate_limited
from tests.servers import StaticServer

pytestmark = pytest.mark.slow

TABLES = ("articles", "ingest_errors", "feed_state", "call_reports", "calls")
FLAGS = [
    "--http-timeout",
    "0.5",
    "--connect-timeout",
    "0.5",
    "--http-deadline",
    "1.5",
    "--max-bytes",
    str(CAP),
    "--host-delay",
    "0",
    "--parallel-hosts",
    "4",
]


class Runs:
    def __init__(
        self,
        db: str,
        srv: FaultServer,
        other: StaticServer,
        limited: StaticServer,
        feeds: list[str],
    ) -> None:
        self.db, self.srv, self.other, self.limited, self.feeds = db, srv, other, limited, feeds
        self.counts: list[dict[str, int]] = []
        self.outputs: list[str] = []
        self.requests: list[list[str]] = []

    def rows(self, sql: str) -> list[dict[str, Any]]:
        with open_warehouse("duckdb:///" + self.db, read_only=True) as wh:
            return wh.rows(sql)

    def errors(self, url: str) -> list[dict[str, Any]]:
        return self.rows(f"SELECT * FROM ingest_errors WHERE feed_url = '{url}' OR url = '{url}'")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("faults")
    with (
        QuickServer(str(tmp)) as other,
        QuickServer(str(tmp)) as limited,
        FaultServer(other) as srv,
    ):
        install_rate_limited(limited)
        feeds = [srv.url("/healthy-a.xml"), srv.url("/healthy-b.xml")]
        feeds += [srv.url(f.path) for f in FAULTS]
        feeds += [limited.url("/a-429.xml"), limited.url("/b-after-429.xml")]
        yaml = tmp / "feeds.yaml"
        yaml.write_text(
            "feeds:\n"
            + "".join(f"  - url: {u}\n    outlet: outlet-{i % 2}\n" for i, u in enumerate(feeds)),
            encoding="utf-8",
        )
        r = Runs(str(tmp / "w.duckdb"), srv, other, limited, feeds)
        for n in range(3):
            out = io.StringIO()
            argv = ["run", "--feeds", str(yaml), "--warehouse", "duckdb:///" + r.db, *FLAGS]
            argv += ["--force"] if n else []
            assert main(argv, out=out) == 0, out.getvalue()
            r.outputs.append(out.getvalue())
            with open_warehouse("duckdb:///" + r.db, read_only=True) as wh:
                r.counts.append({t: wh.count(t) for t in TABLES})
            r.requests.append([p for p, _ in srv.requests])
        yield r


def _fault_ids() -> list[str]:
    return [f.name for f in FAULTS]


@pytest.mark.parametrize("fault", FAULTS, ids=_fault_ids())
def test_fault_is_recorded_with_its_reason(runs: Runs, fault: Fault) -> None:
    url = runs.srv.url(fault.path)
    errors = runs.errors(url)
    if fault.error is None:
        assert errors == [], f"{fault.name}: nothing may be recorded, got {errors}"
        state = runs.rows(f"SELECT * FROM feed_state WHERE feed_url = '{url}'")[0]
        assert state["last_status"] == "ok" and state["consecutive_failures"] == 0
        return
    matching = [e for e in errors if e["stage"] == fault.stage and e["error"] == fault.error]
    assert matching, f"{fault.name}: no {fault.stage}/{fault.error} row in {errors}"
    assert any(fault.reason in (e["detail"] or "") for e in matching), matching
    for e in matching:
        assert e["payload"] is None or len(e["payload"]) <= 2000 + len("…[truncated]")


@pytest.mark.parametrize("fault", FAULTS, ids=_fault_ids())
def test_feed_state_and_articles_per_fault(runs: Runs, fault: Fault) -> None:
    url = runs.srv.url(fault.path)
    state = runs.rows(f"SELECT * FROM feed_state WHERE feed_url = '{url}'")[0]
    landed = runs.rows(f"SELECT * FROM articles WHERE feed_url = '{url}'")
    assert len(landed) == fault.items, [a["title"] for a in landed]
    if fault.stage == "poll_feed" and fault.items == 0:
        assert state["last_status"] == "error"
        assert state["consecutive_failures"] == 3  # three runs, backed off, never given up
        assert state["last_error"].startswith(fault.error)
        assert state["next_poll_after"] > state["last_polled_at"]
    else:
        assert state["last_status"] == "ok"
        assert state["consecutive_failures"] == 0


def test_healthy_articles_land_with_page_text(runs: Runs) -> None:
    a = runs.rows(f"SELECT * FROM articles WHERE feed_url = '{runs.feeds[0]}' ORDER BY url")
    b = runs.rows(f"SELECT * FROM articles WHERE feed_url = '{runs.feeds[1]}'")
    assert len(a) == 3 and len(b) == 1
    by_path = {r["url"].rsplit("/", 1)[-1]: r for r in a + b}
    wire, copy, gold = by_path["wire.html"], by_path["wire-copy.html"], by_path["gold.html"]
    assert wire["text_source"] == "page" and "بيسكوف" in wire["text"]
    assert "never run" not in wire["text"]  # scripts are not text, and nothing is executed
    assert "utm_source" not in wire["url"]  # canonical URL
    missing = by_path["missing-page.html"]
    assert missing["text_source"] == "summary" and missing["fetch_error"].startswith("HTTPError")
    assert missing["text"] == "ملخص الخبر الذي بقي بعد تعذر جلب الصفحة."
    # the wire story republished by outlet B is stored, and linked to the first copy
    assert wire["fingerprint"] and wire["fingerprint"] == copy["fingerprint"]
    assert copy["duplicate_of"] == wire["article_id"] and wire["duplicate_of"] is None
    assert gold["fingerprint"] != wire["fingerprint"] and gold["duplicate_of"] is None
    # dates: the feed's AST is Arabia Standard Time; Arabic month names parse
    assert wire["published_at"].isoformat().startswith("2021-12-30T11:20:00")
    assert gold["published_at"].isoformat().startswith("2021-12-29T11:15:00")


def test_the_seed_style_call_report_is_found(runs: Runs) -> None:
    calls = runs.rows("SELECT * FROM calls")
    assert [c["call_id"] for c in calls] == ["biden-putin-2021-12-30"] or calls, calls


def test_charset_faults_land_as_correct_arabic(runs: Runs) -> None:
    for path in ("/f/wrong-charset.xml", "/f/cp1256.xml", "/f/mojibake.xml"):
        rows = runs.rows(f"SELECT title FROM articles WHERE feed_url = '{runs.srv.url(path)}'")
        assert [r["title"] for r in rows] == ["بوتين يستقبل ضيفا"], path


def test_truncated_feed_keeps_the_complete_entries(runs: Runs) -> None:
    url = runs.srv.url("/f/truncated.xml")
    titles = sorted(
        r["title"] for r in runs.rows(f"SELECT title FROM articles WHERE feed_url = '{url}'")
    )
    assert titles == ["خبر 0", "خبر 1"]


def test_nothing_fetched_that_should_not_be(runs: Runs) -> None:
    assert runs.other.requests == []  # other port: neither directly, via localhost nor redirect
    url = runs.srv.url("/f/ssrf.xml")
    arts = runs.rows(f"SELECT * FROM articles WHERE feed_url = '{url}'")
    assert all(a["text_source"] == "summary" for a in arts)
    assert not any("root:" in a["text"] for a in arts)
    errors = {e["url"]: e for e in runs.errors(url) if e["stage"] == "fetch_article"}
    assert "169.254.169.254" in errors["http://169.254.169.254/latest/meta-data/"]["detail"]
    assert "file:// URLs are allowed only" in errors["file:///etc/passwd"]["detail"]
    assert "localhost" in errors[f"http://localhost:{runs.other.port}/x"]["detail"]
    assert errors[runs.srv.url("/out")]["error"] == "RefusedURL"  # re-checked after the redirect
    # pages are fetched once, in the first run; runs two and three only poll the feeds
    for path in ("/pages/wire.html", "/pages/gold.html", "/pages/wire-copy.html"):
        assert runs.srv.requested(path) == 1, path
    assert runs.srv.requested("/f/loop-a.xml") == 3 and runs.srv.requested("/f/loop-b.xml") == 3


def test_rate_limited_host_is_left_alone(runs: Runs) -> None:
    assert runs.limited.requested("/b-after-429.xml") == 0  # deferred: the host said 429
    assert runs.limited.requested("/a-429.xml") == 3
    err = runs.errors(runs.limited.url("/a-429.xml"))[0]
    assert err["error"] == "HTTPError" and "HTTP 429 Too Many Requests" in err["detail"]
    after = runs.rows(
        f"SELECT * FROM feed_state WHERE feed_url = '{runs.limited.url('/b-after-429.xml')}'"
    )[0]
    assert after["last_status"] == "deferred" and after["consecutive_failures"] == 0
    first = runs.rows(
        f"SELECT * FROM feed_state WHERE feed_url = '{runs.limited.url('/a-429.xml')}'"
    )[0]
    wait = (first["next_poll_after"] - first["last_polled_at"]).total_seconds()
    assert wait >= 600  # Retry-After honoured


def test_503_retry_after_is_a_floor_of_the_backoff(runs: Runs) -> None:
    state = runs.rows(f"SELECT * FROM feed_state WHERE feed_url = '{runs.srv.url('/f/503.xml')}'")[
        0
    ]
    assert state["http_status"] == 503
    wait = (state["next_poll_after"] - state["last_polled_at"]).total_seconds()
    assert wait == 60 * 60  # third failure in a row: 15 min * 2**2, above Retry-After 120 s


def test_second_and_third_runs_add_no_rows(runs: Runs) -> None:
    first, second, third = runs.counts
    assert first == second == third, runs.counts
    assert first["articles"] == 3 + 1 + sum(f.items for f in FAULTS)
    assert first["feed_state"] == len(runs.feeds)


def test_run_summary_reports_the_failures(runs: Runs) -> None:
    text = runs.outputs[0]
    assert re.search(r"poll_feed\s+16\b", text), text  # 16 feed faults and warnings
    assert re.search(r"syndicated copies\s+1\b", text), text


def test_hotline_feeds_prints_health(runs: Runs) -> None:
    out = io.StringIO()
    assert main(["feeds", "--warehouse", "duckdb:///" + runs.db, "--format", "json"], out=out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(runs.feeds)
    assert rows[0]["failures"] == 3  # broken feeds first
    healthy = next(r for r in rows if r["feed_url"] == runs.feeds[0])
    assert healthy["status"] == "ok (200)" and healthy["items_per_day"] == 3.0
    assert healthy["problem"] is None
    table = io.StringIO()
    assert main(["feeds", "--warehouse", "duckdb:///" + runs.db], out=table) == 0
    assert "items_per_day" in table.getvalue() and "RedirectLoop" in table.getvalue()


def test_ingest_errors_have_every_field(runs: Runs) -> None:
    for e in runs.rows("SELECT * FROM ingest_errors"):
        assert e["stage"] and e["url"] and e["error"] and e["detail"] and e["at"], e


def test_default_catalogue_is_used_without_feeds(tmp_path: Path) -> None:
    from pipeline.config import load_feeds

    feeds = load_feeds(None)
    assert len(feeds) >= 40 and len({f.outlet for f in feeds}) >= 40
    assert all(f.url.startswith(("http://", "https://")) for f in feeds)
