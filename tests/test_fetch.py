"""transforms.fetch against real servers on 127.0.0.1: policy, limits, redirects, politeness."""

from __future__ import annotations

import gzip
import http.server
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fault_server import ConcurrencyProbe, QuickServer, deflate_raw, gzip_bomb
from tests.servers import StaticServer
from transforms.fetch import (
    USER_AGENT,
    FetchError,
    FetchLimits,
    HostGate,
    UrlPolicy,
    _Inflater,
    check_url,
    fetch,
    host_key,
    is_public_address,
    make_client,
    origin_of,
    parse_retry_after,
    polite_map,
)

FAST = FetchLimits(
    connect_timeout=0.5, read_timeout=0.5, deadline=1.5, max_bytes=100_000, host_delay=0
)


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[StaticServer]:
    with QuickServer(str(tmp_path)) as s:
        yield s


@pytest.fixture()
def other(tmp_path: Path) -> Iterator[StaticServer]:
    with QuickServer(str(tmp_path)) as s:
        yield s


def own(srv: StaticServer) -> UrlPolicy:
    """The policy of a link found in a feed served by ``srv``."""
    return UrlPolicy(origin=origin_of(srv.url("/feed.xml")))


# ------------------------------------------------------------------------- pure policy ----


@pytest.mark.parametrize(
    ("addr", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1%1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
    ],
    ids=lambda v: str(v),
)
def test_is_public_address(addr: str, public: bool) -> None:
    assert is_public_address(addr) is public


@pytest.mark.parametrize(
    ("url", "policy", "refused"),
    [
        ("ftp://example.org/x", UrlPolicy(allow_private=True), "scheme 'ftp'"),
        ("javascript:alert(1)", UrlPolicy(allow_private=True), "scheme 'javascript'"),
        ("data:text/html,hi", UrlPolicy(allow_private=True), "scheme 'data'"),
        ("gopher://127.0.0.1:70/", UrlPolicy(allow_private=True), "scheme 'gopher'"),
        ("file:///etc/passwd", UrlPolicy(), "allowed only for configured feeds"),
        ("file:///etc/passwd", UrlPolicy(file_root="/srv/feeds"), "outside the feed's folder"),
        ("file:///srv/feeds/../../etc/passwd", UrlPolicy(file_root="/srv/feeds"), "outside"),
        ("http://169.254.169.254/latest/meta-data/", UrlPolicy(), "non-public"),
        ("http://127.0.0.1:8080/", UrlPolicy(origin=("http", "127.0.0.1", 9090)), "non-public"),
        ("http://[::1]/", UrlPolicy(), "non-public"),
        ("http://10.0.0.1/", UrlPolicy(), "non-public"),
        ("http://192.168.0.10/", UrlPolicy(), "non-public"),
        ("http://172.20.1.1/", UrlPolicy(), "non-public"),
        ("http://localhost/", UrlPolicy(), "localhost resolves to non-public"),
        ("http:///nohost", UrlPolicy(), "no host"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_check_url_refuses(url: str, policy: UrlPolicy, refused: str) -> None:
    with pytest.raises(FetchError) as err:
        check_url(url, policy)
    assert err.value.error_class == "RefusedURL" and refused in str(err.value)


@pytest.mark.parametrize(
    ("url", "policy"),
    [
        ("http://93.184.216.34/", UrlPolicy()),  # a public address literal: no DNS needed
        ("http://127.0.0.1:9090/x", UrlPolicy(origin=("http", "127.0.0.1", 9090))),  # own origin
        ("http://10.0.0.1/", UrlPolicy(allow_private=True)),  # --allow-private-networks
        ("file:///srv/feeds/pages/a.html", UrlPolicy(file_root="/srv/feeds")),
    ],
    ids=["public-literal", "own-origin", "allow-private", "file-in-folder"],
)
def test_check_url_allows(url: str, policy: UrlPolicy) -> None:
    check_url(url, policy)


@pytest.mark.parametrize(
    ("value", "date", "seconds"),
    [
        ("120", None, 120.0),
        ("0", None, 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:27:00 GMT", 60.0),
        ("soon", None, None),
        (None, None, None),
    ],
    ids=["seconds", "zero", "http-date", "garbage", "absent"],
)
def test_parse_retry_after(value: str | None, date: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, date) == seconds


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://Arabic.RT.com/rss/", "arabic.rt.com:443"),
        ("http://127.0.0.1:8080/a", "127.0.0.1:8080"),
        ("file:///srv/x.xml", "file"),
    ],
)
def test_host_key(url: str, key: str) -> None:
    assert host_key(url) == key


def test_limits_validate() -> None:
    with pytest.raises(ValueError, match="deadline"):
        FetchLimits(deadline=0)
    with pytest.raises(ValueError, match="per_host"):
        FetchLimits(per_host=0)


# ----------------------------------------------------------------------- bounded decoding ----


def test_inflater_stops_a_gzip_bomb_within_the_cap() -> None:
    inflater = _Inflater("gzip", 1_000_000)
    bomb = gzip_bomb()
    with pytest.raises(FetchError, match="after gzip decoding") as err:
        for i in range(0, len(bomb), 16_384):
            inflater.feed(bomb[i : i + 16_384])
    assert err.value.error_class == "TooLarge"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", deflate_raw),  # raw deflate, as some servers send
        ("identity", lambda b: b),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "identity"],
)
def test_inflater_decodes(encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    data = "بوتين وبايدن".encode() * 1000
    assert _Inflater(encoding, 10**6).feed(encode(data)) == data


def test_inflater_refuses_unrequested_encodings() -> None:
    with pytest.raises(FetchError, match="br"):
        _Inflater("br", 10)


# --------------------------------------------------------------------- real HTTP fetches ----


def test_fetch_sends_a_real_user_agent_and_returns_the_body(srv: StaticServer) -> None:
    srv.route("/feed.xml", 200, "<rss/>", Content_Type="application/rss+xml", ETag='"v1"')
    resp = fetch(srv.url("/feed.xml"), own(srv), FAST, {"If-None-Match": '"v0"'})
    assert resp.status == 200 and resp.body == b"<rss/>" and resp.headers["etag"] == '"v1"'
    _, headers = srv.requests[0]
    assert headers["User-Agent"] == USER_AGENT and "hotline" in USER_AGENT
    assert headers["If-None-Match"] == '"v0"'
    assert "gzip" in headers["Accept-Encoding"]


def test_fetch_decodes_gzip_itself(srv: StaticServer) -> None:
    srv.route("/z.xml", 200, gzip.compress("خبر".encode()), Content_Encoding="gzip")
    assert fetch(srv.url("/z.xml"), own(srv), FAST).body.decode() == "خبر"


@pytest.mark.parametrize(
    ("status", "headers", "reason", "retry"),
    [
        (404, {}, "HTTP 404 Not Found", None),
        (500, {}, "HTTP 500 Internal Server Error", None),
        (503, {"Retry_After": "120"}, "HTTP 503 Service Unavailable (Retry-After 120 s)", 120.0),
        (429, {"Retry_After": "7"}, "HTTP 429 Too Many Requests (Retry-After 7 s)", 7.0),
    ],
    ids=["404", "500", "503", "429"],
)
def test_http_errors(
    srv: StaticServer, status: int, headers: dict[str, str], reason: str, retry: float | None
) -> None:
    srv.route("/x", status, "error page body", **headers)
    with pytest.raises(FetchError) as err:
        fetch(srv.url("/x"), own(srv), FAST)
    e = err.value
    assert (e.error_class, str(e), e.status, e.retry_after) == ("HTTPError", reason, status, retry)
    assert e.body == b"error page body"


def test_304_is_returned_not_raised(srv: StaticServer) -> None:
    srv.route("/x", 304, "")
    assert fetch(srv.url("/x"), own(srv), FAST).status == 304


def test_redirects_are_followed_and_recorded(srv: StaticServer) -> None:
    srv.route("/old", 301, "", Location="/mid")
    srv.route("/mid", 302, "", Location=srv.url("/new"))
    srv.route("/new", 200, "ok")
    resp = fetch(srv.url("/old"), own(srv), FAST)
    assert resp.url == srv.url("/new") and resp.redirects == (srv.url("/old"), srv.url("/mid"))


def test_redirect_loop_and_limit(srv: StaticServer) -> None:
    srv.route("/a", 302, "", Location="/b")
    srv.route("/b", 302, "", Location="/a")
    with pytest.raises(FetchError, match=r"redirect loop: .*/a -> .*/b -> .*/a") as err:
        fetch(srv.url("/a"), own(srv), FAST)
    assert err.value.error_class == "RedirectLoop"
    for i in range(10):
        srv.route(f"/r{i}", 302, "", Location=f"/r{i + 1}")
    with pytest.raises(FetchError, match="more than 3 redirects") as err:
        fetch(srv.url("/r0"), own(srv), FetchLimits(max_redirects=3, deadline=2))
    assert err.value.error_class == "TooManyRedirects"
    assert srv.requested("/r4") == 0


def test_redirect_to_another_private_port_is_refused(
    srv: StaticServer, other: StaticServer
) -> None:
    srv.route("/out", 302, "", Location=other.url("/secret"))
    srv.route("/file", 302, "", Location="file:///etc/passwd")
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a non-public address"):
        fetch(srv.url("/out"), own(srv), FAST)
    with pytest.raises(FetchError, match="redirect to a file"):
        fetch(srv.url("/file"), own(srv), FAST)
    assert other.requests == []
    # the operator may allow it
    other.route("/secret", 200, "s")
    policy = UrlPolicy(origin=origin_of(srv.url("/")), allow_private=True)
    assert fetch(srv.url("/out"), policy, FAST).body == b"s"


def test_connections_go_only_to_checked_addresses(srv: StaticServer) -> None:
    """The check runs when connecting (no DNS-rebinding window): even a client used directly,
    without check_url, cannot reach a private address that is not the feed's origin."""
    srv.route("/x", 200, "secret")
    policy = UrlPolicy(origin=("http", "feeds.example.org", 80))
    with make_client(FAST, policy) as client, pytest.raises(FetchError, match="non-public"):
        client.get(srv.url("/x"))
    with make_client(FAST, policy) as client, pytest.raises(FetchError, match="non-public"):
        client.get(f"http://localhost:{srv.port}/x")
    assert srv.requests == []
    with make_client(FAST, own(srv)) as client:
        assert client.get(srv.url("/x")).content == b"secret"


def test_timeouts_and_deadline(srv: StaticServer) -> None:
    def stall(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)

    def trickle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        try:
            for _ in range(100):
                h.wfile.write(b"x" * 10)
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    srv.handle("/stall", stall)
    srv.handle("/trickle", trickle)
    limits = FetchLimits(read_timeout=0.3, deadline=0.8, host_delay=0)
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="timed out waiting for data") as err:
        fetch(srv.url("/stall"), own(srv), limits)
    assert err.value.error_class == "Timeout"
    with pytest.raises(FetchError, match="deadline") as err:
        fetch(srv.url("/trickle"), own(srv), limits)
    assert err.value.error_class == "Timeout"
    assert time.monotonic() - t0 < 2.5


def test_connection_refused_is_a_connection_error(srv: StaticServer) -> None:
    port = srv.port
    with QuickServer(".") as tmp:
        dead = tmp.url("/x")
    with pytest.raises(FetchError) as err:
        fetch(dead, UrlPolicy(origin=origin_of(dead)), FAST)
    assert err.value.error_class in ("ConnectionError", "Timeout") and port


def test_size_caps(srv: StaticServer) -> None:
    srv.route("/declared", 200, b"x" * 200_000)
    srv.route("/bomb", 200, gzip_bomb(), Content_Encoding="gzip")
    with pytest.raises(FetchError, match="declared 200000 bytes"):
        fetch(srv.url("/declared"), own(srv), FAST)
    with pytest.raises(FetchError, match="after gzip decoding") as err:
        fetch(srv.url("/bomb"), own(srv), FAST)
    assert err.value.error_class == "TooLarge"


def test_file_urls(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(b"<rss/>")
    (tmp_path / "big.xml").write_bytes(b"x" * 200_000)
    policy = UrlPolicy(file_root=str(tmp_path))
    assert fetch(f"file://{tmp_path}/feed.xml", policy, FAST).body == b"<rss/>"
    with pytest.raises(FetchError, match="cap"):
        fetch(f"file://{tmp_path}/big.xml", policy, FAST)
    with pytest.raises(FetchError) as err:
        fetch(f"file://{tmp_path}/missing.xml", policy, FAST)
    assert err.value.error_class == "FileError"


# ----------------------------------------------------------------------------- politeness ----


def test_polite_map_one_request_at_a_time_per_host_with_delay(
    srv: StaticServer, other: StaticServer
) -> None:
    probes = {}
    for name, s in (("a", srv), ("b", other)):
        probes[name] = ConcurrencyProbe(hold=0.05)
        for i in range(4):
            s.handle(f"/{i}", probes[name].wrap(b"ok"))
    limits = FetchLimits(host_delay=0.1, per_host=1, parallel_hosts=4)
    groups = [(host_key(s.url()), [s.url(f"/{i}") for i in range(4)]) for s in (srv, other)]

    def get(url: str, gate: HostGate) -> int:
        return fetch(url, UrlPolicy(allow_private=True), limits).status

    t0 = time.monotonic()
    assert polite_map(get, groups, limits) == [200] * 8
    elapsed = time.monotonic() - t0
    for probe in probes.values():
        assert probe.max_active == 1
        gaps = [b - a for a, b in zip(probe.starts, probe.starts[1:], strict=False)]
        assert min(gaps) >= 0.1 + 0.05 - 0.01  # hold + delay between two requests to one host
    assert elapsed < 2 * 4 * 0.15  # the two hosts ran side by side


def test_polite_map_allows_n_per_host(srv: StaticServer) -> None:
    probe = ConcurrencyProbe(hold=0.2)
    for i in range(6):
        srv.handle(f"/{i}", probe.wrap(b"ok"))
    limits = FetchLimits(host_delay=0, per_host=2, parallel_hosts=8)
    polite_map(
        lambda u, g: fetch(u, UrlPolicy(allow_private=True), limits).status,
        [(host_key(srv.url()), [srv.url(f"/{i}") for i in range(6)])],
        limits,
    )
    assert probe.max_active == 2


def test_host_gate_stops_the_remaining_tasks() -> None:
    seen: list[int] = []

    def task(n: int, gate: HostGate) -> str:
        if gate.closed:
            return f"deferred {n}: {gate.closed[0]}"
        seen.append(n)
        if n == 1:
            gate.close("429", 60.0)
        return f"done {n}"

    out = polite_map(task, [("h:1", [0, 1, 2, 3])], FetchLimits(host_delay=0))
    assert out == ["done 0", "done 1", "deferred 2: 429", "deferred 3: 429"] and seen == [0, 1]


def test_polite_map_does_not_delay_local_files() -> None:
    slept: list[float] = []
    polite_map(
        lambda n, g: n,
        [("file", [1, 2, 3]), ("h:1", [1, 2])],
        FetchLimits(host_delay=5),
        sleep=slept.append,
    )
    assert slept == [5]
