"""The only code in hotline that touches the network (and ``file://`` URLs).

``fetch(url, policy, ...)`` returns a ``Response`` or raises a ``FetchError`` whose
``error_class`` and message say plainly what went wrong (HTTP 500, timeout, too large...). It:

* allows ``http``/``https`` always and ``file`` only where the caller allows it;
* sends a real User-Agent and the conditional headers it is given;
* follows at most ``max_redirects`` redirects, re-checking every hop against the policy;
* enforces connect/read timeouts and a total deadline, and a size cap on the body as it
  streams (compressed bytes on the wire and decompressed bytes both count);
* refuses private, loopback and link-local addresses for links found inside feeds unless the
  operator allowed private networks (see ``UrlPolicy``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
import socket
import time
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlparse

import httpx

_LOGGER = logging.getLogger(__name__)

USER_AGENT = "hotline/0.1 (+https://github.com/hotline-news/hotline; Arabic news monitor)"


class FetchError(Exception):
    """A fetch that failed; ``error_class`` names the kind of failure for ``ingest_errors``."""

    def __init__(self, error_class: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None, body: bytes | None = None) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.retry_after = retry_after
        self.body = body


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0  # total seconds for one request, redirects included
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class UrlPolicy:
    """Which URLs may be fetched.

    ``file_root``: a folder whose files may be read through ``file://`` (None: no files).
    ``origin``: ``(scheme, host, port)`` of the feed a link came from; that origin is always
    allowed. Any other host must resolve to public addresses unless ``allow_private``.
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
    headers: dict[str, str]
    body: bytes


def origin_of(url: str) -> tuple[str, str, int]:
    p = urlparse(url)
    port = p.port or {"http": 80, "https": 443}.get(p.scheme, 0)
    return (p.scheme, (p.hostname or "").lower(), port)


def _is_public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, policy: UrlPolicy) -> None:
    """Raise ``FetchError('RefusedURL', ...)`` when ``policy`` forbids fetching ``url``."""
    p = urlparse(url)
    if p.scheme == "file":
        if policy.file_root is None:
            raise FetchError("RefusedURL", f"file:// URLs are allowed only for configured feeds: {url}")
        path = os.path.realpath(unquote(p.path))
        root = os.path.realpath(policy.file_root)
        if os.path.commonpath([path, root]) != root:
            raise FetchError("RefusedURL", f"{path} is outside the feed's folder {root}")
        return
    if p.scheme not in ("http", "https"):
        raise FetchError("RefusedURL", f"scheme {p.scheme or '(none)'!r} is not allowed: {url}")
    if not p.hostname:
        raise FetchError("RefusedURL", f"no host in {url}")
    if policy.allow_private or (policy.origin is not None and origin_of(url) == policy.origin):
        return
    try:
        infos = socket.getaddrinfo(p.hostname, p.port or 80, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError("DNSError", f"cannot resolve {p.hostname}: {exc}") from exc
    for info in infos:
        addr = str(info[4][0])
        if not _is_public(addr):
            raise FetchError(
                "RefusedURL",
                f"{p.hostname} resolves to non-public address {addr}; "
                "pass --allow-private-networks to allow it",
            )


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


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def fetch(
    url: str,
    policy: UrlPolicy,
    limits: FetchLimits = FetchLimits(),
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> Response:
    """GET ``url`` under ``policy`` and ``limits``; 304 is returned, other non-2xx raise."""
    check_url(url, policy)
    if urlparse(url).scheme == "file":
        return _read_file(url, limits)
    own = client is None
    if client is None:
        client = make_client(limits)
    start = time.monotonic()
    try:
        current = url
        for _ in range(limits.max_redirects + 1):
            remaining = limits.deadline - (time.monotonic() - start)
            if remaining <= 0:
                raise FetchError("Timeout", f"no complete answer within {limits.deadline:.0f} s")
            resp = _get_once(client, current, headers or {}, limits, start)
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.headers.get("location")
                if not location:
                    raise FetchError("HTTPError", f"HTTP {resp.status} without Location", status=resp.status)
                current = urljoin(current, location)
                check_url(current, policy)
                if urlparse(current).scheme == "file":
                    raise FetchError("RefusedURL", "redirect to a file:// URL")
                continue
            if resp.status == 304:
                return resp
            if resp.status >= 400:
                raise FetchError(
                    "HTTPError",
                    f"HTTP {resp.status}",
                    status=resp.status,
                    retry_after=_retry_after(resp.headers.get("retry-after")),
                    body=resp.body,
                )
            return resp
        raise FetchError("TooManyRedirects", f"more than {limits.max_redirects} redirects")
    finally:
        if own:
            client.close()


def make_client(limits: FetchLimits) -> httpx.Client:
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,
    )


def _get_once(client: httpx.Client, url: str, headers: dict[str, str], limits: FetchLimits,
              start: float) -> Response:
    try:
        with client.stream("GET", url, headers=headers) as resp:
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError("TooLarge", f"declared {declared} bytes, over the {limits.max_bytes}-byte cap")
            chunks: list[bytes] = []
            total = 0
            for chunk in resp.iter_bytes():
                total += len(chunk)
                if total > limits.max_bytes:
                    raise FetchError("TooLarge", f"body over the {limits.max_bytes}-byte cap (decompressed)")
                if resp.num_bytes_downloaded > limits.max_bytes:
                    raise FetchError("TooLarge", f"body over the {limits.max_bytes}-byte cap (on the wire)")
                if time.monotonic() - start > limits.deadline:
                    raise FetchError("Timeout", f"body not complete within {limits.deadline:.0f} s")
                chunks.append(chunk)
            return Response(
                url=str(resp.url),
                status=resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=b"".join(chunks),
            )
    except FetchError:
        raise
    except httpx.TimeoutException as exc:
        raise FetchError("Timeout", f"timed out ({exc.__class__.__name__})") from exc
    except httpx.DecodingError as exc:
        raise FetchError("DecodingError", f"bad content encoding: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError("ConnectionError", f"{exc.__class__.__name__}: {exc}") from exc
