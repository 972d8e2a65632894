"""Generated Arabic news for the benchmarks: feeds, items and article pages, deterministic.

Items are templated sentences with varied leaders, places, dates, numbers and outlets: most are
ordinary news (economy, sport, weather, diplomacy - including calls between *other* leaders and
between ministers, which must not count), and ``report_share`` of them report a call between the
sitting US and Russian presidents (held, scheduled or requested, with a date and a source).

``Corpus(...).routes()`` is every path a server has to answer (``/feeds/<n>.xml``,
``/pages/<feed>-<item>.html``), ``host_of(feed)`` spreads the feeds over ``hosts`` servers.
No randomness outside ``random.Random(seed)``: the same arguments give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Sitting pairs and a day inside the term of both.
PAIRS = [
    ("الرئيس الأمريكي باراك أوباما", "الرئيس الروسي فلاديمير بوتين", dt.date(2014, 3, 1), 900),
    ("الرئيس الأمريكي دونالد ترامب", "الرئيس الروسي فلاديمير بوتين", dt.date(2017, 3, 1), 1200),
    ("الرئيس الأمريكي جو بايدن", "نظيره الروسي فلاديمير بوتين", dt.date(2021, 3, 1), 1300),
    ("الرئيس الأميركي دونالد ترمب", "نظيره الروسي فلاديمير بوتين", dt.date(2025, 3, 1), 250),
]
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
TOPICS = [
    "الأزمة الأوكرانية",
    "الاستقرار الاستراتيجي والحد من التسلح",
    "الوضع في سوريا",
    "الملف النووي الإيراني",
    "تبادل السجناء بين البلدين",
    "أمن الطاقة وأسعار النفط",
    "الأمن السيبراني",
]
SOURCES = [
    "وقال المتحدث باسم الكرملين دميتري بيسكوف إن",
    "وأفاد البيت الأبيض في بيان بأن",
    "وذكرت وكالة الأنباء الروسية أن",
    "وقال مستشار الرئيس الروسي يوري أوشاكوف إن",
]
REPORT_TEMPLATES = [
    "أجرى {us} اتصالا هاتفيا مع {ru} يوم {weekday}، بحثا خلاله {topic}. {source} المحادثة "
    "استمرت أكثر من ساعة وتناولت أيضا العلاقات الثنائية.",
    "{source} {us} سيتحدث هاتفيا مع {ru} يوم {weekday} المقبل لبحث {topic}، بناء على طلب "
    "من الجانب الروسي.",
    "بحث {us} و{ru} في اتصال هاتفي اليوم {weekday} {topic}، وأكد الجانبان أهمية مواصلة الحوار "
    "على أعلى مستوى. {source} الرئيسين اتفقا على البقاء على اتصال.",
    "طلب {us} إجراء محادثة هاتفية مع {ru} لبحث {topic}، {source} موسكو تدرس الطلب.",
]
OTHER_LEADERS = [
    "الرئيس التركي رجب طيب أردوغان",
    "الرئيس الفرنسي إيمانويل ماكرون",
    "المستشار الألماني أولاف شولتس",
    "الرئيس المصري عبد الفتاح السيسي",
    "ولي العهد السعودي الأمير محمد بن سلمان",
    "الرئيس الصيني شي جين بينغ",
]
CITIES = ["القاهرة", "الرياض", "دبي", "بيروت", "عمان", "الدوحة", "تونس", "الرباط", "بغداد"]
NEWS_TEMPLATES = [
    "ارتفعت أسعار الذهب في السوق المحلية في {city} خلال تعاملات يوم {weekday} بنسبة {n} في "
    "المئة، مع زيادة الطلب قبيل نهاية الأسبوع، بحسب شعبة الذهب في الغرفة التجارية.",
    "فاز المنتخب الوطني لكرة القدم على نظيره بنتيجة {n} أهداف مقابل هدف في المباراة الودية التي "
    "أقيمت مساء {weekday} على الملعب الدولي في {city}.",
    "بحث {leader} هاتفيا مع الرئيس الروسي فلاديمير بوتين يوم {weekday} {topic}، وفق ما أعلن "
    "المكتب الإعلامي للرئاسة.",
    "أجرى وزير الخارجية الأمريكي اتصالا هاتفيا مع نظيره الروسي سيرغي لافروف يوم {weekday} "
    "لبحث {topic}، وفق بيان للخارجية.",
    "استقبل {leader} في {city} يوم {weekday} وفدا رفيع المستوى، وبحث الجانبان سبل تعزيز التعاون "
    "الاقتصادي والاستثمارات المشتركة التي تبلغ {n} مليار دولار.",
    "أعلنت هيئة الأرصاد الجوية عن موجة حارة تضرب {city} خلال الأيام المقبلة، مع درجات حرارة "
    "تصل إلى {n} درجة مئوية ورياح نشطة يوم {weekday}.",
    "تلقى الرئيس الأمريكي جو بايدن اتصالا هاتفيا من {leader} يوم {weekday} تناول {topic}.",
    "قررت وزارة التربية والتعليم في {city} تأجيل موعد بدء الامتحانات النهائية {n} أيام، بعد "
    "مشاورات مع أولياء الأمور يوم {weekday}.",
]
FILLER = [
    "وتأتي هذه الخطوة في إطار جهود متواصلة منذ أشهر، وسط اهتمام واسع من وسائل الإعلام "
    "الإقليمية والدولية بمتابعة التطورات.",
    "وأشار مراقبون إلى أن التطورات الأخيرة قد تنعكس على الأسواق خلال الفترة المقبلة، في ظل "
    "حالة من الترقب لدى المستثمرين.",
    "وكانت الجهات المعنية قد أعلنت في وقت سابق عن خطة شاملة تمتد لعدة سنوات، تشمل مشروعات في "
    "مجالات البنية التحتية والتعليم والصحة.",
    "ومن المنتظر أن تصدر تفاصيل إضافية خلال الأيام المقبلة، بحسب ما نقلته مصادر مطلعة.",
]


@dataclass(frozen=True)
class Item:
    feed: int
    index: int
    title: str
    summary: str
    body: str
    published: dt.datetime
    is_report: bool


def _report(rng: random.Random) -> tuple[str, str, dt.datetime]:
    us, ru, start, span = rng.choice(PAIRS)
    day = start + dt.timedelta(days=rng.randrange(span))
    text = rng.choice(REPORT_TEMPLATES).format(
        us=us,
        ru=ru,
        weekday=WEEKDAYS[day.weekday()],
        topic=rng.choice(TOPICS),
        source=rng.choice(SOURCES),
    )
    title = f"{us.split()[-1]} و{ru.split()[-1]} يبحثان {rng.choice(TOPICS)} هاتفيا"
    published = dt.datetime.combine(day, dt.time(rng.randrange(6, 22), rng.randrange(60)), dt.UTC)
    return title, text, published


def _news(rng: random.Random) -> tuple[str, str, dt.datetime]:
    day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(4000))
    text = rng.choice(NEWS_TEMPLATES).format(
        city=rng.choice(CITIES),
        weekday=WEEKDAYS[day.weekday()],
        n=rng.randrange(2, 90),
        leader=rng.choice(OTHER_LEADERS),
        topic=rng.choice(TOPICS),
    )
    title = " ".join(text.split()[: rng.randrange(5, 9)])
    published = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), dt.UTC)
    return title, text, published


class Corpus:
    """``feeds`` feeds of ``items_per_feed`` items; ``report_share`` of them are call reports."""

    def __init__(
        self,
        feeds: int = 100,
        items_per_feed: int = 100,
        report_share: float = 0.02,
        hosts: int = 20,
        pages: bool = False,
        seed: int = 6,
    ) -> None:
        self.feeds, self.items_per_feed, self.hosts, self.pages = (
            feeds,
            items_per_feed,
            hosts,
            pages,
        )
        self.report_share, self.seed = report_share, seed

    def host_of(self, feed: int) -> int:
        return feed % self.hosts

    def items(self, feed: int) -> Iterator[Item]:
        rng = random.Random(self.seed * 1_000_003 + feed)
        for i in range(self.items_per_feed):
            # Exactly report_share of the items, spread over the feeds.
            serial = feed * self.items_per_feed + i
            is_report = int((serial + 1) * self.report_share) > int(serial * self.report_share)
            title, text, published = (_report if is_report else _news)(rng)
            body = " ".join([text, *rng.sample(FILLER, k=rng.randrange(2, 4))])
            yield Item(feed, i, title, text, body, published, is_report)

    def feed_xml(self, feed: int, base: str) -> bytes:
        entries = []
        for it in self.items(feed):
            link = f"<link>{base}/pages/{feed}-{it.index}.html</link>" if self.pages else ""
            entries.append(
                f"<item><title>{escape(it.title)}</title>{link}"
                f'<guid isPermaLink="false">bench-{feed}-{it.index}</guid>'
                f"<pubDate>{email.utils.format_datetime(it.published)}</pubDate>"
                f"<description>{escape(it.summary)}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>وكالة الاختبار {feed}</title><link>{base}/</link>"
            + "".join(entries)
            + "</channel></rss>\n"
        ).encode()

    def page_html(self, it: Item) -> bytes:
        paras = "".join(f"<p>{escape(s.strip())}.</p>" for s in it.body.split(".") if s.strip())
        return (
            "<!doctype html><html lang='ar' dir='rtl'><head><meta charset='utf-8'>"
            f"<title>{escape(it.title)}</title></head><body><header>الرئيسية | سياسة | اقتصاد"
            f"</header><article><h1>{escape(it.title)}</h1>{paras}</article>"
            "<footer>جميع الحقوق محفوظة</footer></body></html>"
        ).encode()

    def routes(self, ports: dict[int, str]) -> dict[str, bytes]:
        """Every path each host serves, keyed ``"<port>/path"``; ``ports``: host -> port."""
        out: dict[str, bytes] = {}
        for feed in range(self.feeds):
            port = ports[self.host_of(feed)]
            out[f"{port}/feeds/{feed}.xml"] = self.feed_xml(feed, f"http://127.0.0.1:{port}")
            if self.pages:
                for it in self.items(feed):
                    out[f"{port}/pages/{feed}-{it.index}.html"] = self.page_html(it)
        return out

    # -- the live feed of the streaming benchmark ------------------------------------------

    def live_reports(self, count: int) -> list[Item]:
        """``count`` call reports, published one after another (item k at time k)."""
        rng = random.Random(self.seed)
        out = []
        for k in range(count):
            title, text, published = _report(rng)
            body = " ".join([text, *rng.sample(FILLER, k=2)])
            out.append(Item(-1, k, title, text, body, published, True))
        return out

    def live_xml(self, news: list[Item], reports: list[Item], base: str) -> bytes:
        """The live feed: the reports published so far (newest first), then the news."""
        entries = []
        for it in [*reversed(reports), *news]:
            slug = f"live-{it.index}" if it.is_report else f"news-{it.index}"
            entries.append(
                f"<item><title>{escape(it.title)}</title><link>{base}/pages/{slug}.html</link>"
                f'<guid isPermaLink="false">{slug}</guid>'
                f"<pubDate>{email.utils.format_datetime(it.published)}</pubDate>"
                f"<description>{escape(it.summary)}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>البث المباشر</title><link>{base}/</link>"
            + "".join(entries)
            + "</channel></rss>\n"
        ).encode()

    def live_routes(self, port: str, live: dict[str, list[Item]]) -> dict[str, bytes]:
        out = {f"{port}/pages/news-{it.index}.html": self.page_html(it) for it in live["news"]}
        for it in live["reports"]:
            out[f"{port}/pages/live-{it.index}.html"] = self.page_html(it)
        return out

    @property
    def total(self) -> int:
        return self.feeds * self.items_per_feed

    @property
    def reports(self) -> int:
        return sum(it.is_report for f in range(self.feeds) for it in self.items(f))
