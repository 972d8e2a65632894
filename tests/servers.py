"""Real HTTP servers on 127.0.0.1 (port 0) for the tests: no mocks, no internet.

``StaticServer`` serves a folder, with optional per-path overrides (status, headers, body),
and records every request it receives so tests can assert what was (not) fetched.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        srv = self.server
        path = self.path.split("?", 1)[0]
        srv.requests.append((path, dict(self.headers)))
        if path in srv.handlers:
            srv.handlers[path](self)
            return
        route = srv.routes.get(path)
        if route is None:
            local = os.path.normpath(os.path.join(srv.root, path.lstrip("/")))
            if not local.startswith(os.path.abspath(srv.root)) or not os.path.isfile(local):
                route = Route(404, b"not found", {"Content-Type": "text/plain"})
            else:
                with open(local, "rb") as fh:
                    body = fh.read()
                ctype = (
                    "application/rss+xml" if local.endswith(".xml") else "text/html; charset=utf-8"
                )
                route = Route(200, body, {"Content-Type": ctype})
        self.send_response(route.status)
        for k, v in route.headers.items():
            self.send_header(k, v)
        if "Content-Length" not in route.headers:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    root: str
    routes: dict[str, Route]
    handlers: dict[str, Callable[[_Handler], None]]
    requests: list[tuple[str, dict[str, str]]]


class StaticServer:
    """``with StaticServer(folder) as srv: srv.url('/feed.xml')``."""

    def __init__(self, root: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.root = os.path.abspath(root)
        self._server.routes = {}
        self._server.handlers = {}
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, status: int = 200, body: bytes | str = b"", **headers: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._server.routes[path] = Route(
            status, data, {k.replace("_", "-"): v for k, v in headers.items()}
        )

    def handle(self, path: str, fn: Callable[[_Handler], None]) -> None:
        """Serve ``path`` with a custom handler (slow bodies, truncation, redirects...)."""
        self._server.handlers[path] = fn

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self._server.requests

    def requested(self, path: str) -> int:
        return sum(1 for p, _ in self._server.requests if p == path)

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
