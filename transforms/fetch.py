"""The only code in hotline that touches the network (and ``file://`` URLs).

``fetch(url, policy, limits, headers)`` -> ``Response``, or raises ``FetchError`` whose
``error_class`` and message say plainly what went wrong (``HTTPError``: HTTP 503 Service
Unavailable, ``Timeout``, ``TooLarge``, ``RefusedURL``...). ``polite_map`` runs many fetches
under the per-host politeness rules. Together they:

* allow ``http``/``https`` always and ``file`` only under a folder the operator configured;
* send a real User-Agent, ``Accept-Encoding: gzip, deflate`` and the conditional headers given;
* follow at most ``max_redirects`` redirects, detect loops and re-check every hop;
* enforce a connect timeout, a read timeout and a total deadline per request (redirects and a
  slowly trickling body included);
* cap the body size twice: bytes on the wire and bytes after gzip/deflate decoding, which
  hotline does itself, in bounded steps, so a gzip bomb never expands past the cap in memory;
* refuse, for links found inside feeds, any host but the feed's own origin that resolves to a
  non-public address (127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, ::1, fc00::/7, ...),
  unless the operator allowed private networks. The check runs **when the connection is
  made**, on the addresses the connection then uses (``_CheckedBackend``): DNS is resolved once
  per hop, checked, and the socket connects to a checked address, so there is no window for DNS
  rebinding between the check and the connection (TLS still verifies the host name);
* keep at most ``per_host`` requests in flight per host, ``host_delay`` seconds apart, and
  back off a whole host that answered 429 (``polite_map`` with ``HostGate``).

Politeness scope: ``polite_map`` enforces its limits among the tasks it is given. The transforms
group every URL of one host into one task list (``GroupByKey`` on the host), so the limit holds
across threads, DoFn instances, processes and workers of one pipeline run. It does not hold
across two runs at the same time (two cron jobs overlapping): schedule runs so they don't.
"""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import http
import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlparse

import httpcore
import httpx

_LOGGER = logging.getLogger(__name__)

USER_AGENT = (
    "hotline/0.1 (Arabic news monitor; polite RSS reader; +https://github.com/hotline-news/hotline)"
)
REDIRECTS = (301, 302, 303, 307, 308)
FILE_HOST = "file"  # host key of file:// URLs (no politeness delay)

T = TypeVar("T")
R = TypeVar("R")


class FetchError(Exception):
    """A fetch that failed; ``error_class`` names the kind of failure for ``ingest_errors``."""

    def __init__(
        self,
        error_class: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        body: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.retry_after = retry_after
        self.body = body


@dataclass(frozen=True)
class FetchLimits:
    """Per-request limits and per-host politeness (``hotline run --help`` lists the flags)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0  # total seconds for one request, redirects and body included
    max_bytes: int = 10 * 1024 * 1024  # on the wire and decoded, each
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    host_delay: float = 1.0  # seconds between two requests to one host
    per_host: int = 1  # requests in flight at once per host
    parallel_hosts: int = 8  # hosts served at once by one worker thread pool

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.max_bytes <= 0 or self.max_redirects < 0 or self.host_delay < 0:
            raise ValueError("max_bytes must be positive, max_redirects and host_delay >= 0")
        if self.per_host < 1 or self.parallel_hosts < 1:
            raise ValueError("per_host and parallel_hosts must be at least 1")


@dataclass(frozen=True)
class UrlPolicy:
    """Which URLs may be fetched.

    ``file_root``: a folder whose files may be read through ``file://`` (None: no files).
    ``origin``: ``(scheme, host, port)`` of the feed a link came from; that origin is always
    allowed, whatever its address. Any other host must resolve to public addresses only,
    unless ``allow_private``.
    """

    file_root: str | None = None
    origin: tuple[str, str, int] | None = None
    allow_private: bool = False

    def with_origin_of(self, url: str) -> UrlPolicy:
        return dataclasses.replace(self, origin=origin_of(url))


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # decoded (gzip/deflate undone)
    redirects: tuple[str, ...] = ()  # the URLs that redirected, in order


# ------------------------------------------------------------------------------------------
# URL policy (pure apart from DNS)
# ------------------------------------------------------------------------------------------


def origin_of(url: str) -> tuple[str, str, int]:
    p = urlparse(url)
    port = p.port or {"http": 80, "https": 443}.get(p.scheme, 0)
    return (p.scheme, (p.hostname or "").lower(), port)


def host_key(url: str) -> str:
    """The politeness key of a URL: ``host:port`` (``file`` for local files)."""
    scheme, host, port = origin_of(url)
    if scheme == "file":
        return FILE_HOST
    return f"{host}:{port}"


def is_public_address(addr: str) -> bool:
    """True for globally routable unicast addresses (not private, loopback, link-local...)."""
    ip = ipaddress.ip_address(addr.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError("DNSError", f"cannot resolve {host}: {exc}") from exc
    out: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in out:
            out.append(addr)
    return out


def checked_addresses(host: str, port: int, policy: UrlPolicy) -> list[str]:
    """Resolve ``host`` and return the addresses ``policy`` allows connecting to.

    The feed's own origin and ``allow_private`` accept every address; otherwise every
    address must be public (one private answer refuses the host: a split answer is a
    rebinding trick).
    """
    addrs = _resolve(host, port)
    if policy.allow_private or (
        policy.origin is not None and (host.lower(), port) == policy.origin[1:]
    ):
        return addrs
    for addr in addrs:
        if not is_public_address(addr):
            what = (
                f"{addr} is a non-public address"
                if addr == host
                else (f"{host} resolves to non-public address {addr}")
            )
            raise FetchError(
                "RefusedURL",
                f"{what}; links found in a feed may reach private networks only on the feed's "
                "own origin (pass --allow-private-networks to allow it)",
            )
    return addrs


def check_url(url: str, policy: UrlPolicy) -> None:
    """Raise ``FetchError('RefusedURL', ...)`` when ``policy`` forbids fetching ``url``.

    Scheme and file checks are static; for other hosts the DNS answer is checked here for an
    early, clear refusal, and checked again when connecting (see ``_CheckedBackend``).
    """
    p = urlparse(url)
    if p.scheme == "file":
        if policy.file_root is None:
            raise FetchError(
                "RefusedURL", f"file:// URLs are allowed only for configured feeds: {url}"
            )
        path = os.path.realpath(unquote(p.path))
        root = os.path.realpath(policy.file_root)
        if os.path.commonpath([path, root]) != root:
            raise FetchError("RefusedURL", f"{path} is outside the feed's folder {root}")
        return
    if p.scheme not in ("http", "https"):
        raise FetchError("RefusedURL", f"scheme {p.scheme or '(none)'!r} is not allowed: {url}")
    if not p.hostname:
        raise FetchError("RefusedURL", f"no host in {url}")
    try:
        port = origin_of(url)[2]
    except ValueError as exc:
        raise FetchError("RefusedURL", f"bad port in {url}: {exc}") from exc
    if policy.allow_private or (policy.origin is not None and origin_of(url) == policy.origin):
        return
    checked_addresses(p.hostname, port, policy)


# ------------------------------------------------------------------------------------------
# The HTTP client: connections only to checked addresses
# ------------------------------------------------------------------------------------------


class _CheckedBackend(httpcore.NetworkBackend):
    """httpcore network backend that resolves, checks and then connects to the checked IP."""

    def __init__(self, policy: UrlPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addrs = checked_addresses(host, port, self._policy)
        last: Exception | None = None
        for addr in addrs:
            try:
                return self._inner.connect_tcp(addr, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise FetchError("RefusedURL", "unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, policy: UrlPolicy, ssl_context: ssl.SSLContext) -> None:
        super().__init__(trust_env=False, verify=ssl_context)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=4,
            max_keepalive_connections=4,
            network_backend=_CheckedBackend(policy),
        )


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """One verifying context per process, shared by every client: building one loads the CA
    bundle (~20 ms, more than fetching a local page), and a context is safe to share."""
    return httpx.create_ssl_context()


def make_client(
    limits: FetchLimits, policy: UrlPolicy = UrlPolicy(), ssl_context: ssl.SSLContext | None = None
) -> httpx.Client:
    """An httpx client that connects only where ``policy`` allows and decodes nothing itself."""
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,
        transport=_CheckedTransport(policy, ssl_context or default_ssl_context()),
    )


# ------------------------------------------------------------------------------------------
# Bounded decoding of gzip / deflate bodies
# ------------------------------------------------------------------------------------------


class _Inflater:
    """Decode a ``Content-Encoding`` stream in bounded steps; raise past ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        enc = encoding.strip().lower()
        if "," in enc:
            raise FetchError("UnsupportedEncoding", f"stacked content encodings {encoding!r}")
        if enc not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(
                "UnsupportedEncoding", f"content encoding {encoding!r} (not requested)"
            )
        self._enc = "" if enc == "identity" else enc
        self._cap = cap
        self._size = 0
        self._obj: Any = None
        if self._enc in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if not self._enc:
            out = data
        else:
            if self._obj is None:  # deflate: zlib-wrapped per RFC, raw in practice too
                zlib_header = (
                    len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
                )
                self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
            try:
                out = self._obj.decompress(data, self._cap - self._size + 1)
            except zlib.error as exc:
                raise FetchError("DecodingError", f"bad {self._enc} body: {exc}") from exc
        self._size += len(out)
        if self._size > self._cap:
            how = f"after {self._enc} decoding" if self._enc else "decoded"
            raise FetchError("TooLarge", f"body over the {self._cap}-byte cap ({how})")
        return out


# ------------------------------------------------------------------------------------------
# fetch
# ------------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, date_header: str | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time()
    if date_header:
        try:
            now = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            pass
    return max(0.0, when.timestamp() - now)


def http_reason(status: int) -> str:
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _read_file(url: str, limits: FetchLimits) -> Response:
    path = unquote(urlparse(url).path)
    try:
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            raise FetchError("TooLarge", f"{size} bytes is over the {limits.max_bytes}-byte cap")
        with open(path, "rb") as fh:
            body = fh.read(limits.max_bytes + 1)
    except FetchError:
        raise
    except OSError as exc:
        raise FetchError("FileError", f"cannot read {path}: {exc.strerror or exc}") from exc
    return Response(url=url, status=200, headers={}, body=body)


def fetch(
    url: str,
    policy: UrlPolicy,
    limits: FetchLimits = FetchLimits(),
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> Response:
    """GET ``url`` under ``policy`` and ``limits``; 2xx and 304 return, anything else raises."""
    check_url(url, policy)
    if urlparse(url).scheme == "file":
        return _read_file(url, limits)
    own = client is None
    if client is None:
        client = make_client(limits, policy)
    start = time.monotonic()
    chain: list[str] = []
    try:
        current = url
        for _ in range(limits.max_redirects + 1):
            remaining = limits.deadline - (time.monotonic() - start)
            if remaining <= 0:
                raise FetchError(
                    "Timeout", f"no complete answer within the {limits.deadline:g} s deadline"
                )
            resp = _get_once(client, current, headers or {}, limits, start)
            if resp.status in REDIRECTS:
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(
                        "HTTPError",
                        f"{http_reason(resp.status)} without a Location",
                        status=resp.status,
                    )
                chain.append(current)
                nxt = urljoin(current, location.strip())
                if nxt in chain:
                    loop = " -> ".join([*chain[chain.index(nxt) :], nxt])
                    raise FetchError("RedirectLoop", f"redirect loop: {loop}", status=resp.status)
                if urlparse(nxt).scheme == "file":
                    raise FetchError("RefusedURL", f"redirect to a file:// URL ({nxt})")
                check_url(nxt, policy)
                current = nxt
                continue
            resp = dataclasses.replace(resp, redirects=tuple(chain))
            if resp.status == 304 or 200 <= resp.status < 300:
                return resp
            retry = parse_retry_after(resp.headers.get("retry-after"), resp.headers.get("date"))
            reason = http_reason(resp.status)
            if retry is not None:
                reason += f" (Retry-After {retry:.0f} s)"
            raise FetchError(
                "HTTPError", reason, status=resp.status, retry_after=retry, body=resp.body
            )
        raise FetchError(
            "TooManyRedirects",
            f"more than {limits.max_redirects} redirects: " + " -> ".join([*chain, current]),
        )
    finally:
        if own:
            client.close()


def _get_once(
    client: httpx.Client, url: str, headers: dict[str, str], limits: FetchLimits, start: float
) -> Response:
    remaining = max(0.01, limits.deadline - (time.monotonic() - start))
    timeout = httpx.Timeout(
        min(limits.read_timeout, remaining), connect=min(limits.connect_timeout, remaining)
    )
    try:
        with client.stream("GET", url, headers=headers, timeout=timeout) as resp:
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(
                    "TooLarge", f"declared {declared} bytes, over the {limits.max_bytes}-byte cap"
                )
            inflater = _Inflater(resp.headers.get("content-encoding", ""), limits.max_bytes)
            chunks: list[bytes] = []
            wire = 0
            for raw in resp.iter_raw():
                wire += len(raw)
                if wire > limits.max_bytes:
                    raise FetchError(
                        "TooLarge", f"body over the {limits.max_bytes}-byte cap (on the wire)"
                    )
                chunks.append(inflater.feed(raw))
                if time.monotonic() - start > limits.deadline:
                    raise FetchError(
                        "Timeout", f"body not complete within the {limits.deadline:g} s deadline"
                    )
            return Response(
                url=str(resp.url),
                status=resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=b"".join(chunks),
            )
    except FetchError:
        raise
    except httpx.TimeoutException as exc:
        kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
        raise FetchError("Timeout", f"timed out {kind} ({exc.__class__.__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError("ConnectionError", f"{exc.__class__.__name__}: {exc}") from exc


# ------------------------------------------------------------------------------------------
# Politeness: at most N requests at a time per host, spaced out, and 429 backs off the host
# ------------------------------------------------------------------------------------------


class HostGate:
    """Shared by the lanes of one host: once the host asks us to back off, stop asking it."""

    def __init__(self, host: str) -> None:
        self.host = host
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._retry_after: float | None = None

    def close(self, reason: str, retry_after: float | None) -> None:
        with self._lock:
            if self._reason is None:
                self._reason, self._retry_after = reason, retry_after

    @property
    def closed(self) -> tuple[str, float | None] | None:
        with self._lock:
            return None if self._reason is None else (self._reason, self._retry_after)


def polite_map(
    fn: Callable[[T, HostGate], R],
    groups: Sequence[tuple[str, Sequence[T]]],
    limits: FetchLimits,
    sleep: Callable[[float], None] = time.sleep,
) -> list[R]:
    """Apply ``fn(task, gate)`` to every task of every ``(host, tasks)`` group, politely.

    Each host gets at most ``limits.per_host`` lanes; a lane runs its tasks one after another,
    ``limits.host_delay`` seconds apart (none for ``file``). Lanes of different hosts run in
    parallel threads. Results come back in a fixed order (group, lane, task); ``fn`` must not
    raise (it returns its failures).
    """
    lanes: list[tuple[HostGate, Sequence[T], float]] = []
    for host, tasks in groups:
        gate = HostGate(host)
        n = min(limits.per_host, len(tasks))
        delay = 0.0 if host == FILE_HOST else limits.host_delay
        lanes += [(gate, tasks[i::n], delay) for i in range(n)]

    def run_lane(lane: tuple[HostGate, Sequence[T], float]) -> list[R]:
        gate, tasks, delay = lane
        out: list[R] = []
        for i, task in enumerate(tasks):
            if i and delay and gate.closed is None:
                sleep(delay)
            out.append(fn(task, gate))
        return out

    if not lanes:
        return []
    if len(lanes) == 1:
        return run_lane(lanes[0])
    workers = min(len(lanes), limits.parallel_hosts * limits.per_host)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hotline-fetch") as pool:
        results = list(pool.map(run_lane, lanes))
    return [r for lane in results for r in lane]
