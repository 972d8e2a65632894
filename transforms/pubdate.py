"""Publication dates as Arabic feeds write them: a ``pubDate`` string -> an aware ``datetime``.

``parse_pubdate(raw)`` understands RFC 822 and ISO 8601 dates and the forms Arabic outlets
use: Arabic month names (Egyptian/Gulf ``ديسمبر``, Levantine ``كانون الأول``, Maghrebi
``دجنبر``/``جانفي``), Arabic weekday names, Eastern-Arabic digits, ``ص``/``م`` for AM/PM, a
``م`` year suffix, ``d/m/Y`` numeric dates, and zone names where ``AST`` is Arabia Standard
Time (+03:00), not Atlantic as in RFC 822 parsers. The publisher's UTC offset is kept; a date
without a zone is taken as UTC. ``None`` when nothing sensible comes out.

``feedparser_handler`` wraps it for ``feedparser.registerDateHandler`` (``register()``), so
feedparser's own ``*_parsed`` fields agree.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from typing import Any

_LOGGER = logging.getLogger(__name__)

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u0640]")

# Arabic month names -> month number. Longest names are matched first.
MONTHS: dict[str, int] = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "ابريل": 4,
    "إبريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "أغسطس": 8,
    "اغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    "كانون الثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "اذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "اب": 8,
    "أيلول": 9,
    "ايلول": 9,
    "تشرين الأول": 10,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    "كانون الاول": 12,
    "جانفي": 1,
    "فيفري": 2,
    "أفريل": 4,
    "افريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويلية": 7,
    "جويلة": 7,
    "أوت": 8,
    "اوت": 8,
    "يوليوز": 7,
    "غشت": 8,
    "شتنبر": 9,
    "نونبر": 11,
    "دجنبر": 12,
}
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_RE = re.compile(
    r"(?<![\u0600-\u06FF])("
    + "|".join(sorted((re.escape(m.strip()) for m in MONTHS), key=len, reverse=True))
    + r")(?![\u0600-\u06FF])"
)
_WEEKDAYS = re.compile(
    r"(?<![\u0600-\u06FF])(?:يوم\s+)?(?:ال)?(?:أحد|احد|إثنين|اثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|سبت)"
    r"(?![\u0600-\u06FF])"
)
# Zone names -> offsets. AST is Arabia Standard Time for Arabic outlets (not Atlantic).
ZONES: dict[str, str] = {
    "AST": "+0300",
    "ARABIA STANDARD TIME": "+0300",
    "KSA": "+0300",
    "MSK": "+0300",
    "EET": "+0200",
    "EEST": "+0300",
    "CAT": "+0200",
    "GST": "+0400",
    "IRST": "+0330",
    "TRT": "+0300",
    "CET": "+0100",
    "CEST": "+0200",
    "UTC": "+0000",
    "GMT": "+0000",
    "UT": "+0000",
    "Z": "+0000",
    "BST": "+0100",
    "بتوقيت مكة المكرمة": "+0300",
    "بتوقيت مكة": "+0300",
    "توقيت مكة المكرمة": "+0300",
    "بتوقيت غرينتش": "+0000",
    "غرينتش": "+0000",
    "بتوقيت جرينتش": "+0000",
    "جرينتش": "+0000",
}
_ZONE_RE = re.compile(
    r"(?<![\w\u0600-\u06FF])("
    + "|".join(sorted(map(re.escape, ZONES), key=len, reverse=True))
    + r")(?:\s*([+-]\d{1,2})(?::?(\d{2}))?)?(?![\w\u0600-\u06FF])"
)
_YEAR_SUFFIX = re.compile(r"(\d{4})\s*م(?![\u0600-\u06FF])(?!\s*$)")
_AMPM = re.compile(r"(\d{1,2}:\d{2}(?::\d{2})?)\s*(ص|م|صباحا|صباحاً|مساء|مساءً)(?![\u0600-\u06FF])")
_TEXT_DATE = re.compile(
    r"(?P<d>\d{1,2})\s*(?P<mon>[A-Z][a-z]{2})[a-z]*\.?,?\s*(?P<y>\d{4})"
    r"(?:\D{0,6}?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>AM|PM)?)?"
    r"\s*(?P<tz>[+-]\d{2}:?\d{2})?"
)
_NUM_DATE = re.compile(
    r"(?:(?P<y1>\d{4})[/.-](?P<m1>\d{1,2})[/.-](?P<d1>\d{1,2})|(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4}))"
    r"(?:\D{0,6}?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>AM|PM)?)?"
    r"\s*(?P<tz>[+-]\d{2}:?\d{2})?"
)
MIN_YEAR, MAX_YEAR = 1990, 2100


def _zone_offset(m: re.Match[str]) -> str:
    base = ZONES[m.group(1)]
    if m.group(2) is None:  # "GMT+3", "UTC+03:00" carry their own offset
        return " " + base
    hours = int(m.group(2))
    return f" {'+' if hours >= 0 else '-'}{abs(hours):02d}{m.group(3) or '00'}"


def englishify(raw: str) -> str:
    """Digits, month and zone names of an Arabic date string, rewritten the RFC 822 way."""
    s = _BIDI.sub("", raw.translate(_DIGITS)).replace("،", ",").strip()
    s = _YEAR_SUFFIX.sub(r"\1", s)
    s = _AMPM.sub(lambda m: m.group(1) + (" AM" if m.group(2).startswith("ص") else " PM"), s)
    s = _ZONE_RE.sub(_zone_offset, s)
    s = _MONTH_RE.sub(lambda m: " " + _MONTH_ABBR[MONTHS[m.group(1)] - 1] + " ", s)
    s = _WEEKDAYS.sub(" ", s)
    s = re.sub(r"\s*[-|]\s*(?=\d{1,2}:\d{2})", " ", s)  # "30 Dec 2021 - 14:20"
    return re.sub(r"\s+", " ", s).strip(" ,")


def _tz(value: str | None) -> dt.tzinfo:
    if not value:
        return dt.UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _build(y: str, mo: int, d: str, m: re.Match[str]) -> dt.datetime | None:
    hour = int(m.group("H") or 0)
    if m.group("ampm") == "PM" and hour < 12:
        hour += 12
    elif m.group("ampm") == "AM" and hour == 12:
        hour = 0
    try:
        return dt.datetime(
            int(y),
            mo,
            int(d),
            hour,
            int(m.group("M") or 0),
            int(m.group("S") or 0),
            tzinfo=_tz(m.group("tz")),
        )
    except ValueError:
        return None


def _sane(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_pubdate(raw: str | None) -> dt.datetime | None:
    """An aware datetime from a feed's date string, keeping its offset; None if unusable."""
    if not raw or not raw.strip():
        return None
    s = englishify(raw)
    try:
        return _sane(dt.datetime.fromisoformat(s.replace("Z", "+00:00")))
    except ValueError:
        pass
    if re.search(r"[A-Za-z]{3}", s) and not re.search(r"\b[AP]M\b", s):  # RFC 822 has no AM/PM
        try:
            return _sane(email.utils.parsedate_to_datetime(s))
        except (TypeError, ValueError, IndexError):
            pass
    m = _TEXT_DATE.search(s)
    if m and m.group("mon") in _MONTH_ABBR:
        return _sane(_build(m.group("y"), _MONTH_ABBR.index(m.group("mon")) + 1, m.group("d"), m))
    m = _NUM_DATE.search(s)
    if m:
        if m.group("y1"):
            return _sane(_build(m.group("y1"), int(m.group("m1")), m.group("d1"), m))
        return _sane(_build(m.group("y2"), int(m.group("m2")), m.group("d2"), m))
    return None


def feedparser_handler(raw: str) -> Any:
    """For ``feedparser.registerDateHandler``: a UTC ``time.struct_time`` or None."""
    parsed = parse_pubdate(raw)
    return parsed.astimezone(dt.UTC).timetuple() if parsed else None


def register() -> None:
    """Put ``feedparser_handler`` first in feedparser's handlers (once per process)."""
    import feedparser
    import feedparser.datetimes

    if feedparser_handler not in feedparser.datetimes._date_handlers:
        feedparser.registerDateHandler(feedparser_handler)
