"""A fault-injecting feed server for the ingestion tests: real HTTP on 127.0.0.1, port 0.

``FaultServer`` (a ``tests.servers.StaticServer``) serves two healthy feeds with their article
pages beside one feed per fault. ``FAULTS`` is the matrix the tests walk: each entry says what
the path serves and what hotline must record for it (stage, error class and a piece of the
human-readable reason in ``ingest_errors``), or that it must record nothing.

Faults that need a second host (429 with a host-wide back-off; links to another port) live on
their own ``StaticServer``s, passed in by the caller.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tests.servers import StaticServer

Handler = http.server.BaseHTTPRequestHandler

# A syndicated wire story: the same body published by two outlets (with their own titles).
WIRE_STORY = (
    "أعلن الكرملين اليوم أن الرئيس الروسي فلاديمير بوتين سيجري محادثة هاتفية مع نظيره الأمريكي "
    "جو بايدن مساء الخميس، بناء على طلب من الجانب الروسي، لبحث الضمانات الأمنية في أوروبا. "
    "وقال المتحدث باسم الكرملين دميتري بيسكوف للصحفيين إن المحادثة ستتناول المقترحات الروسية "
    "بشأن عدم توسع حلف شمال الأطلسي شرقا، وإن موسكو تنتظر ردا مكتوبا من واشنطن قبل محادثات "
    "جنيف المقررة في العاشر من يناير المقبل بين وفدي البلدين."
)
GOLD_STORY = (
    "ارتفعت أسعار الذهب في السوق المحلية خلال تعاملات اليوم، مع زيادة الطلب قبيل عطلة رأس السنة "
    "الميلادية، وسجل سعر الجرام عيار واحد وعشرين مستوى جديدا وفقا لشعبة الذهب في اتحاد الغرف "
    "التجارية، فيما توقع تجار استمرار الارتفاع خلال الأسبوع المقبل بسبب تراجع سعر صرف العملة."
)

SHORT_PAGES = {
    "c1": "استقبل الرئيس الروسي ضيفه في الكرملين صباح اليوم وبحث معه العلاقات الثنائية كلها.",
    "w1": "افتتح وزير الثقافة معرض الكتاب الدولي في دورته الجديدة بمشاركة مئات دور النشر العربية.",
    "m1": "أعلنت هيئة الأرصاد الجوية عن موجة حارة تضرب البلاد خلال الأيام المقبلة مع رياح نشطة.",
    "t0": "فاز المنتخب الوطني لكرة القدم على نظيره في المباراة الودية مساء أمس بالعاصمة.",
    "t1": "قررت وزارة التربية والتعليم تأجيل موعد بدء الامتحانات النهائية أسبوعا واحدا.",
}


def page(title: str, body: str) -> bytes:
    paras = "".join(f"<p>{body}</p>" for _ in range(2))
    return (
        "<!doctype html><html lang='ar' dir='rtl'><head><meta charset='utf-8'>"
        f"<title>{title}</title><script>document.write('never run')</script></head>"
        f"<body><header>القائمة الرئيسية</header><article><h1>{title}</h1>{paras}</article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    ).encode()


def rss(title: str, items: list[dict[str, str]], encoding: str = "utf-8", extra: str = "") -> str:
    """An RSS 2.0 document; item keys: title, link, guid, pubDate, description."""
    body = []
    for it in items:
        parts = "".join(f"<{k}>{v}</{k}>" for k, v in it.items())
        body.append(f"<item>{parts}</item>")
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>/</link>{extra}" + "".join(body) + "</channel></rss>\n"
    )


def healthy_a(base: str) -> str:
    return rss(
        "وكالة الاختبار - سياسة",
        [
            {
                "title": "الكرملين: بوتين وبايدن يتحادثان هاتفيا الخميس",
                "link": f"{base}/pages/wire.html?utm_source=rss",
                "guid": "a-1",
                "pubDate": "Thu, 30 Dec 2021 14:20:00 AST",
                "description": "أعلن الكرملين أن بوتين سيتحدث مع بايدن.",
            },
            {
                "title": "ارتفاع أسعار الذهب",
                "link": f"{base}/pages/gold.html",
                "guid": "a-2",
                "pubDate": "الأربعاء، 29 ديسمبر 2021 - 11:15 ص",
                "description": "ارتفعت أسعار الذهب.",
            },
            {  # no guid, relative link, out of date order
                "title": "خبر بلا معرف",
                "link": "/pages/missing-page.html",
                "pubDate": "Tue, 28 Dec 2021 09:00:00 +0200",
                "description": "ملخص الخبر الذي بقي بعد تعذر جلب الصفحة.",
            },
        ],
        extra="<ttl>30</ttl>",
    )


def healthy_b(base: str) -> str:
    """An Atom feed of another outlet that republishes the wire story."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>صحيفة الاختبار</title><id>urn:b</id><updated>2021-12-30T15:00:00+03:00</updated>"
        "<entry><title>موسكو: اتصال مرتقب بين بوتين وبايدن</title>"
        f'<link href="{base}/pages/wire-copy.html"/><id>urn:b:1</id>'
        "<updated>2021-12-30T15:00:00+03:00</updated><summary>اتصال مرتقب.</summary></entry>"
        "</feed>\n"
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">\n' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    "<link>/x</link></item></channel></rss>\n"
).replace("&lol0;", "&lol;")


@dataclass(frozen=True)
class Fault:
    name: str
    path: str
    stage: str | None  # None: nothing may be recorded for this feed
    error: str | None
    reason: str | None  # a piece of ingest_errors.detail
    items: int = 0  # articles that must land from this feed


FAULTS: tuple[Fault, ...] = (
    Fault("timeout", "/f/timeout.xml", "poll_feed", "Timeout", "timed out"),
    Fault("slow_body", "/f/slow-body.xml", "poll_feed", "Timeout", "deadline"),
    Fault("http_500", "/f/500.xml", "poll_feed", "HTTPError", "HTTP 500 Internal Server Error"),
    Fault("http_503", "/f/503.xml", "poll_feed", "HTTPError", "Retry-After 120 s"),
    Fault("http_404", "/f/404.xml", "poll_feed", "HTTPError", "HTTP 404 Not Found"),
    Fault("redirect_loop", "/f/loop-a.xml", "poll_feed", "RedirectLoop", "redirect loop"),
    Fault("truncated", "/f/truncated.xml", "poll_feed", "TruncatedFeed", "kept the 2 entries", 2),
    Fault(
        "truncated_empty",
        "/f/truncated-empty.xml",
        "poll_feed",
        "TruncatedFeed",
        "no entries could be read",
    ),
    Fault("html_page", "/f/html.xml", "poll_feed", "NotAFeed", "advertises a feed at"),
    Fault(
        "wrong_charset",
        "/f/wrong-charset.xml",
        "poll_feed",
        "CharsetMismatch",
        "declared windows-1256 but the body is UTF-8",
        1,
    ),
    Fault("windows_1256", "/f/cp1256.xml", None, None, None, 1),
    Fault("mojibake", "/f/mojibake.xml", "poll_feed", "Mojibake", "read as cp1256", 1),
    Fault("empty_feed", "/f/empty.xml", None, None, None, 0),
    Fault("oversized", "/f/oversized.xml", "poll_feed", "TooLarge", "declared"),
    Fault("oversized_stream", "/f/oversized-stream.xml", "poll_feed", "TooLarge", "byte cap"),
    Fault("entity_bomb", "/f/bomb.xml", "poll_feed", "UnsafeXML", "<!ENTITY"),
    Fault("gzip_bomb", "/f/gzip-bomb.xml", "poll_feed", "TooLarge", "after gzip decoding"),
    Fault("ssrf_links", "/f/ssrf.xml", "fetch_article", "RefusedURL", "non-public address", 5),
)

CAP = 200_000  # --max-bytes of the fault tests
SLOW_PAUSE = 1.5  # seconds the "timeout" handler waits before answering


def _send(
    h: Handler, status: int, body: bytes, headers: dict[str, str] | None = None, length: bool = True
) -> None:
    h.send_response(status)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    if length:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _timeout(h: Handler) -> None:
    time.sleep(SLOW_PAUSE)
    try:
        _send(h, 200, b"<rss/>", {"Content-Type": "application/rss+xml"})
    except OSError:
        pass


def _slow_body(h: Handler) -> None:
    body = rss("بطيء", [{"title": "x", "link": "/x", "guid": "s"}]).encode() + b" " * 2000
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    try:
        for i in range(0, len(body), 100):  # 100 bytes every 0.2 s: 4+ s for the body
            h.wfile.write(body[i : i + 100])
            h.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


def _streamed(size: int) -> Callable[[Handler], None]:
    def handler(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<!-- padding -->" * 4096
        try:
            sent = 0
            while sent < size:
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        h.close_connection = True

    return handler


_GZIP_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """20 MB of zeros, gzip-compressed to ~20 kB (computed once)."""
    global _GZIP_BOMB
    if _GZIP_BOMB is None:
        _GZIP_BOMB = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    return _GZIP_BOMB


class ConcurrencyProbe:
    """Wraps handlers to record how many requests were in flight at once, and when."""

    def __init__(self, hold: float = 0.05) -> None:
        self.hold = hold
        self.active = 0
        self.max_active = 0
        self.starts: list[float] = []
        self._lock = threading.Lock()

    def wrap(self, body: bytes, ctype: str = "application/rss+xml") -> Callable[[Handler], None]:
        def handler(h: Handler) -> None:
            with self._lock:
                self.active += 1
                self.max_active = max(self.max_active, self.active)
                self.starts.append(time.monotonic())
            try:
                time.sleep(self.hold)
                _send(h, 200, body, {"Content-Type": ctype})
            finally:
                with self._lock:
                    self.active -= 1

        return handler


def conditional(body: bytes, etag: str, last_modified: str) -> Callable[[Handler], None]:
    """Serve ``body`` with validators; 304 (without validators) when the client has them."""

    def handler(h: Handler) -> None:
        if h.headers.get("If-None-Match") == etag:
            _send(h, 304, b"", length=False)
            return
        _send(
            h,
            200,
            body,
            {
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": etag,
                "Last-Modified": last_modified,
            },
        )

    return handler


class QuickServer(StaticServer):
    """A StaticServer that shuts down in 50 ms instead of 500 (keeps the suite fast)."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self._thread = threading.Thread(
            target=lambda: self._server.serve_forever(poll_interval=0.05), daemon=True
        )

    def __enter__(self) -> QuickServer:
        super().__enter__()
        return self


class FaultServer(QuickServer):
    """Healthy feeds, their pages and one path per fault of ``FAULTS``."""

    def __init__(self, other: StaticServer) -> None:
        super().__init__("/nonexistent-root")
        self.other = other

    def __enter__(self) -> FaultServer:
        super().__enter__()
        self.install()
        return self

    def install(self) -> None:
        base = self.url("").rstrip("/")
        xml = "application/rss+xml"
        self.route("/healthy-a.xml", 200, healthy_a(base), Content_Type=f"{xml}; charset=utf-8")
        self.route("/healthy-b.xml", 200, healthy_b(base), Content_Type="application/atom+xml")
        self.route(
            "/pages/wire.html",
            200,
            page("بوتين وبايدن", WIRE_STORY),
            Content_Type="text/html; charset=utf-8",
        )
        self.route(
            "/pages/wire-copy.html",
            200,
            page("اتصال مرتقب", WIRE_STORY),
            Content_Type="text/html; charset=utf-8",
        )
        self.route(
            "/pages/gold.html",
            200,
            page("الذهب", GOLD_STORY),
            Content_Type="text/html; charset=utf-8",
        )
        for name, text in SHORT_PAGES.items():  # distinct, short: no fingerprint links
            self.route(
                f"/pages/{name}.html",
                200,
                page(name, text),
                Content_Type="text/html; charset=utf-8",
            )
        # faults
        self.handle("/f/timeout.xml", _timeout)
        self.handle("/f/slow-body.xml", _slow_body)
        self.route("/f/500.xml", 500, "boom", Content_Type="text/plain")
        self.route("/f/503.xml", 503, "maintenance", Content_Type="text/plain", Retry_After="120")
        self.route("/f/404.xml", 404, "not here", Content_Type="text/plain")
        self.route("/f/loop-a.xml", 302, "", Location="/f/loop-b.xml")
        self.route("/f/loop-b.xml", 302, "", Location="/f/loop-a.xml")
        items = [
            {
                "title": f"خبر {i}",
                "link": f"{base}/pages/t{i}.html",
                "guid": f"t-{i}",
                "description": f"ملخص الخبر رقم {i} كاملا.",
            }
            for i in range(3)
        ]
        doc = rss("مقطوع", items)
        cut = doc.index("<item>", doc.index("t-1")) + 9  # inside the third item's first tag
        self.route("/f/truncated.xml", 200, doc[:cut], Content_Type=xml)
        self.route("/f/truncated-empty.xml", 200, doc[: doc.index("<item>")], Content_Type=xml)
        self.route(
            "/f/html.xml",
            200,
            "<!doctype html><html><head><title>الرئيسية</title><link rel='alternate' "
            "type='application/rss+xml' href='/rss/news.xml'></head><body><p>مرحبا</p>"
            "</body></html>",
            Content_Type="text/html; charset=utf-8",
        )
        one = [
            {
                "title": "بوتين يستقبل ضيفا",
                "link": f"{base}/pages/c1.html",
                "guid": "c-1",
                "description": "استقبل الرئيس الروسي ضيفه في الكرملين.",
            }
        ]
        self.route(
            "/f/wrong-charset.xml",
            200,
            rss("خطأ الترميز", one).replace("c-1", "w-1").replace("c1.html", "w1.html"),
            Content_Type=f"{xml}; charset=windows-1256",
        )
        self.route(
            "/f/cp1256.xml",
            200,
            rss("ويندوز", one, encoding="windows-1256").encode("cp1256"),
            Content_Type=xml,
        )
        moj = rss("موجيباكي", one).replace("c-1", "m-1").replace("c1.html", "m1.html")
        self.route(
            "/f/mojibake.xml",
            200,
            moj.encode("utf-8").decode("cp1256").encode("utf-8"),
            Content_Type=f"{xml}; charset=utf-8",
        )
        self.route("/f/empty.xml", 200, rss("فارغ", []), Content_Type=xml)
        self.route(
            "/f/oversized.xml", 200, b"<rss>" + b" " * (CAP * 2) + b"</rss>", Content_Type=xml
        )
        self.handle("/f/oversized-stream.xml", _streamed(CAP * 3))
        self.route("/f/bomb.xml", 200, BILLION_LAUGHS, Content_Type=xml)
        self.route("/f/gzip-bomb.xml", 200, gzip_bomb(), Content_Type=xml, Content_Encoding="gzip")
        other = self.other.url("").rstrip("/")
        ssrf = [
            {
                "title": "رابط إلى عنوان البيانات الوصفية",
                "link": "http://169.254.169.254/latest/meta-data/",
                "guid": "x-1",
                "description": "ملخص أول.",
            },
            {
                "title": "رابط إلى منفذ آخر",
                "link": f"{other}/secret",
                "guid": "x-2",
                "description": "ملخص ثان.",
            },
            {
                "title": "رابط إلى ملف",
                "link": "file:///etc/passwd",
                "guid": "x-3",
                "description": "ملخص ثالث.",
            },
            {
                "title": "رابط إلى localhost",
                "link": f"http://localhost:{self.other.port}/x",
                "guid": "x-4",
                "description": "ملخص رابع.",
            },
            {
                "title": "رابط يعيد التوجيه",
                "link": f"{base}/out",
                "guid": "x-5",
                "description": "ملخص خامس.",
            },
        ]
        self.route("/f/ssrf.xml", 200, rss("روابط خطرة", ssrf), Content_Type=xml)
        self.route("/out", 302, "", Location=f"{other}/secret-via-redirect")


def install_rate_limited(srv: StaticServer) -> None:
    """A host that answers 429 to its first feed; its second feed must not be requested."""
    srv.route("/a-429.xml", 429, "slow down", Content_Type="text/plain", Retry_After="600")
    srv.route("/b-after-429.xml", 200, rss("لاحق", []), Content_Type="application/rss+xml")


def deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()
