"""Call dates: folded Arabic text + publication datetime -> the ISO date of the call.

Input is always *folded* text (``transforms.normalize.fold``): no diacritics or tatweel, أ/إ/آ/ٱ
-> ا, ى -> ي, ة -> ه, ASCII digits, lower-cased Latin. Two steps, both pure:

* ``find_date_mentions`` lists every date expression in a string, in order, each resolved on
  its own: a calendar date in the text (``exact``: "12 فبراير 2022", "17.12.2017", a Hijri date),
  a day relative to the publication date (``relative``: "اليوم الخميس", "امس (الاحد)", "غدا",
  "مساء الثلاثاء"), or an expression that does not pin a day (``vague``: "الاسبوع الماضي",
  "مؤخرا", "في فبراير"). Datelines, mastheads, "آخر تحديث" stamps, outlet names ("روسيا اليوم")
  and reference points ("منذ 16 يونيو") are listed too, flagged ``ignored``.
* ``resolve_call_date`` picks, among the sentences that establish a call, the mention that
  dates the call: in the evidence sentence the one nearest the call word (same clause first),
  else the first dated sentence after it. It never guesses: a vague expression, or a relative
  one without a publication date, gives ``unresolved`` with the reason.

No I/O, no wall clock, no Beam; regexes are compiled once at import.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hijridate import Gregorian, Hijri

_LOGGER = logging.getLogger(__name__)

EXACT = "exact"
RELATIVE = "relative"
VAGUE = "vague"
UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class DateMention:
    """One date expression in a folded string."""

    start: int  # offsets into the folded string passed in
    end: int
    value: dt.date | None  # None when the expression does not pin a day
    method: str  # "exact" | "relative" | "vague"
    reason: str  # English, human readable
    ignored: bool = False  # datelines, mastheads, update stamps, outlet names, reference points
    interval: bool = False  # "بعد يومين", "قبل أسبوع": measured from another event


@dataclass(frozen=True)
class DateResolution:
    """The date of a call, or why there is none."""

    value: dt.date | None
    method: str  # "exact" | "relative" | "unresolved"
    reason: str


# --------------------------------------------------------------------------------------------
# Lexicon (folded spellings)
# --------------------------------------------------------------------------------------------

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Weekday stems after the article; values are ``date.weekday()`` numbers.
_WEEKDAY_STEMS = {
    "احد": 6,
    "اثنين": 0,
    "اتنين": 0,
    "ثلاثاء": 1,
    "ثلاثا": 1,
    "ثلثاء": 1,
    "اربعاء": 2,
    "اربعا": 2,
    "خميس": 3,
    "جمعه": 4,
    "سبت": 5,
}

# Gregorian months: standard/Egyptian, Levantine/Iraqi, Algerian/Tunisian, Moroccan.
_GREGORIAN_MONTHS = {
    "يناير": 1,
    "كانون الثاني": 1,
    "كانون ثاني": 1,
    "جانفي": 1,
    "فبراير": 2,
    "شباط": 2,
    "فيفري": 2,
    "مارس": 3,
    "اذار": 3,
    "ابريل": 4,
    "افريل": 4,
    "نيسان": 4,
    "مايو": 5,
    "ايار": 5,
    "ماي": 5,
    "يونيو": 6,
    "يونيه": 6,
    "حزيران": 6,
    "جوان": 6,
    "يوليو": 7,
    "يوليه": 7,
    "يوليوز": 7,
    "تموز": 7,
    "جويليه": 7,
    "جويلي": 7,
    "اغسطس": 8,
    "اب": 8,
    "اوت": 8,
    "غشت": 8,
    "سبتمبر": 9,
    "ايلول": 9,
    "شتنبر": 9,
    "اكتوبر": 10,
    "تشرين الاول": 10,
    "تشرين اول": 10,
    "نوفمبر": 11,
    "تشرين الثاني": 11,
    "تشرين ثاني": 11,
    "نونبر": 11,
    "ديسمبر": 12,
    "كانون الاول": 12,
    "كانون اول": 12,
    "دجنبر": 12,
}
# Days of the month written as ordinals: "الثالث من يوليو", "الحادي والعشرين من مارس".
_UNITS = ("الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
_ORDINAL_DAYS = (
    {w: n for n, w in enumerate(_UNITS, start=1)}
    | {"الحادي عشر": 11, "العاشر": 10, "العشرين": 20, "الثلاثين": 30}
    | {f"{w} عشر": n + 10 for n, w in enumerate(_UNITS[1:], start=2)}
    | {f"{w} والعشرين": n + 20 for n, w in enumerate(("الحادي", *_UNITS[1:]), start=1)}
    | {"الحادي والثلاثين": 31}
)
# Month names that are also common words ("اب" father, "ماي" my/water): never a month alone.
_SHORT_MONTHS = {"اب", "ماي"}

_HIJRI_MONTHS = {
    "محرم": 1,
    "المحرم": 1,
    "صفر": 2,
    "ربيع الاول": 3,
    "ربيع اول": 3,
    "ربيع الثاني": 4,
    "ربيع ثاني": 4,
    "ربيع الاخر": 4,
    "ربيع اخر": 4,
    "جمادي الاولي": 5,
    "جمادي الاول": 5,
    "جمادي اولي": 5,
    "جمادي اول": 5,
    "جمادي الثانيه": 6,
    "جمادي الثاني": 6,
    "جمادي الاخره": 6,
    "جمادي الاخر": 6,
    "جمادي ثاني": 6,
    "رجب": 7,
    "شعبان": 8,
    "رمضان": 9,
    "شوال": 10,
    "ذو القعده": 11,
    "ذي القعده": 11,
    "ذو الحجه": 12,
    "ذي الحجه": 12,
}

# News agencies that follow a dateline in brackets or slashes: "(رويترز)", "/ا ش ا/".
_AGENCIES = (
    "رويترز",
    "ا ف ب",
    "اف ب",
    "فرانس برس",
    "د ب ا",
    "ا ش ا",
    "ا ب",
    "اسوشيتد برس",
    "يو بي اي",
    "سانا",
    "واس",
    "وام",
    "قنا",
    "كونا",
    "بنا",
    "بترا",
    "وفا",
    "سبا",
    "واج",
    "ومع",
    "ماب",
    "العمانيه",
    "الاناضول",
    "سبوتنيك",
    "تاس",
    "نوفوستي",
    "ريا",
    "انترفاكس",
    "شينخوا",
    "سي ان ان",
    "خاص",
    "reuters",
    "afp",
    "ap",
    "dpa",
    "cnn",
)

# --------------------------------------------------------------------------------------------
# Regex building blocks
# --------------------------------------------------------------------------------------------


def _alternation(words: Sequence[str]) -> str:
    """Longest-first alternation of folded words; a space matches any run of whitespace."""
    ordered = sorted(set(words), key=len, reverse=True)
    escaped = (re.escape(w).replace(r"\ ", " ").replace(" ", r"\s+") for w in ordered)
    return "(?:" + "|".join(escaped) + ")"


# The article, or just its lam after the preposition lam ("لليوم" = ل + ليوم).
_AL = r"(?:ال|(?<=ل)ل)"
# Conjunction and preposition clitics glued to the first word ("وامس", "بالامس", "ويوم").
_CLITIC = r"[وف]?[بلك]?"
# "ان الاثنين سيلتقيان", "بين الاثنين": "the two", not Monday.
_WD = (
    rf"(?<!\bان\s)(?<!\bبين\s)(?<!\bكلا\s){_AL}{_alternation(list(_WEEKDAY_STEMS))}(?!\w)(?!\s+عشر)"
)
_WD_NAME_RE = re.compile(_alternation(list(_WEEKDAY_STEMS)) + r"$")
# A weekday in apposition after اليوم/امس/غدا: "اليوم الخميس", "اليوم/الخميس/", "امس (الاحد)".
_WD_TAIL = rf"(?:\s*[/(\[\-–—،,]?\s*(?P<wd>{_WD})(?:\s*[)\]/])?)"
_PARTS = (
    r"(?:(?:بعد|بعيد)\s+(?:ال)?ظهر|قبيل\s+منتصف\s+ليل(?:ه)?|منتصف\s+ليل(?:ه)?|صباح|مساء|ليله|ليل"
    r"|فجر|ظهر|عصر|ظهيره|نهار|اواخر\s+ليل(?:ه)?)"
)
# What may precede a day word: "في وقت سابق من", a part of the day, "يوم".
_PRE = (
    r"(?:[وف]?في\s+وقت\s+(?:سابق|لاحق|مبكر|متاخر)\s+(?:من\s+)?)?"
    rf"(?:{_CLITIC}{_PARTS}\s+)?(?:{_CLITIC}يوم\s+)?"
)
_DIRECTION = (
    r"(?P<dir>الماضي|الماضيه|الفائت|الفائته|المنصرم|المنصرمه|السابق|المقبل|المقبله|القادم|القادمه"
    r"|الجاري)"
)
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)(?:\s*(?:م|ميلادي|ميلاديه)(?!\w))?"
# A weekday (and "الموافق") right before a calendar date: "الخميس 30 ديسمبر",
# "يوم الخميس الموافق 30 ديسمبر".
_LEAD = rf"(?:{_PRE}(?:(?P<lwd>{_WD})\s*[،,(\-–—/]?\s*(?:الموافق\s*)?)?)"

_MONTHS = _alternation(list(_GREGORIAN_MONTHS))
# An ordinal day, not "the second week" or "the third quarter" of a month.
_ORDINAL = (
    r"(?<!الاسبوع\s)(?<!الاسابيع\s)(?<!النصف\s)(?<!الربع\s)(?<!الثلث\s)(?<!العقد\s)"
    r"(?<!الجزء\s)(?<!المرحله\s)(?<!الجوله\s)(?<!الشهر\s)" + _alternation(list(_ORDINAL_DAYS))
)
# Public for detect.py: the weekday stems (after the article), the months, and a month name
# (not preceded by a day number), optionally with a year.
WEEKDAY_STEMS = tuple(_WEEKDAY_STEMS)
GREGORIAN_MONTHS = _GREGORIAN_MONTHS
MONTH_RE = re.compile(
    rf"(?<![\d\w])(?<!\d\s)(?:[وف]?في\s+)?(?:شهر\s+)?(?P<mon>{_MONTHS})(?!\w)"
    r"(?:\s*(?:[/(]\s*\S+\s*\)?\s*)?(?P<year>(?:19|20)\d{2}))?"
)
_HIJRI = _alternation(list(_HIJRI_MONTHS))

_TODAY_RE = re.compile(
    rf"(?<!\w)(?P<pre>{_PRE})(?P<core>{_CLITIC}{_AL}يوم|[وف]?{_AL}ليله(?!\s+(?:الماضيه|امس|الامس))"
    r"|[وف]?هذا\s+(?:ال)?(?:صباح|مساء)|[وف]?هذه\s+الليله)(?!\w)"
    rf"{_WD_TAIL}?"
)
_YESTERDAY_RE = re.compile(
    rf"(?<!\w)(?P<pre>{_PRE})(?P<core>[وف]?اول\s+(?:من\s+)?امس|[وف]?(?:ب?ال)?امس(?:\s+الاول)?"
    r"|[وف]?(?:خلال\s+)?الليله\s+الماضيه)(?!\w)"
    rf"{_WD_TAIL}?"
)
_TOMORROW_RE = re.compile(
    rf"(?<!\w)(?P<pre>{_PRE})(?P<core>[وف]?بعد\s+(?:ال)?غد|[وف]?غدا|(?:ال)?غد)(?!\w){_WD_TAIL}?"
)
_WEEKDAY_RE = re.compile(
    rf"(?<!\w)(?P<pre>{_PRE})(?P<wd>[وف]?[بل]?{_WD})(?:\s+{_DIRECTION}(?!\w))?"
    r"(?P<week>\s+من\s+(?:هذا\s+)?الاسبوع(?:\s+(?:الماضي|المقبل|القادم|الجاري|الحالي|المنصرم"
    r"|الفائت))?)?"
)
_DAY_MONTH_RE = re.compile(
    rf"(?<!\w){_LEAD}(?<![\w.:/])(?:و?ال(?=\d)|و)?(?P<day>\d{{1,2}}|فاتح|{_ORDINAL})\s*(?:-\s*)?(?:من\s+)?"
    rf"(?:شهر\s+)?(?P<mon>{_MONTHS})(?!\w)"
    rf"(?:\s*[/(\-–—]\s*(?P<mon2>{_MONTHS})(?!\w)(?:\s*\))?)?"
    rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنه\s+)?{_YEAR}"
    rf"|\s+{_DIRECTION}(?!\w))?"
)
# The first day of a range ("5-6 ديسمبر", "12 و13 فبراير", "من 5 الي 7 مارس") before a match.
_RANGE_BEFORE_RE = re.compile(r"(?<![\d.:/])\d{1,2}\s*(?:[-–—]|و|الي|حتي)?\s*$")
_NUMERIC_RE = re.compile(
    rf"(?<!\w){_LEAD}(?<![\w.:/\-])(?P<a>\d{{1,4}})(?P<sep>[./\-])(?P<b>\d{{1,2}})(?P=sep)"
    r"(?P<c>\d{1,4})(?!\d|[./\-]\d)"
)
_HIJRI_RE = re.compile(
    rf"(?<!\w){_LEAD}(?<![\w.:/])(?P<day>\d{{1,2}}|{_ORDINAL})\s*(?:من\s+)?(?:شهر\s+)?"
    rf"(?P<mon>{_HIJRI})(?!\w)"
    r"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|سنه\s+)?(?P<year>1[34]\d{2})(?!\d)"
    r"(?:\s*(?:ه|هجري|هجريه|للهجره)(?!\w))?)?"
)
# A month without a day: vague. Needs a preposition/"شهر" before it, or a direction or a year
# after it, since "مارس" is also a verb and "نيسان" a car maker.
_MONTH_ONLY_RE = re.compile(
    r"(?<!\w)(?P<prep>(?:[وف]?(?:في|من|خلال|مطلع|منتصف|اواخر|اوائل|نهايه|بدايه|اواسط|حتي|منذ)\s+)?"
    r"(?:[وف]?[بل]?شهر\s+)?)"
    rf"(?P<mon>{_MONTHS})(?!\w)(?:\s*[/(\-–—]\s*{_MONTHS}(?!\w)(?:\s*\))?)?"
    rf"(?P<suffix>\s+{_DIRECTION}(?!\w)|\s*[،,]?\s*(?:من\s+)?(?:عام\s+)?{_YEAR})?"
)
_YEAR_ONLY_RE = re.compile(
    r"(?<!\w)(?:[وف]?(?:في|خلال|منذ)\s+)?(?:[وف]?[بل]?(?:ال)?عام|[وف]?[بل]?سنه)\s+(?:19|20)\d{2}"
    r"(?!\d)(?:\s*م(?!\w))?"
)
_PERIOD = r"(?:الاسبوع|الشهر|العام|السنه|الاسابيع|الاشهر|الشهور|الايام|الساعات|الفتره)"
_PERIOD_QUALIFIER = (
    r"(?:القليله\s+)?(?:الماضي|الماضيه|الفائت|الفائته|المنصرم|المنصرمه|المقبل|المقبله|القادم"
    r"|القادمه|الجاري|الجاريه|الحالي|الحاليه|الاخير|الاخيره|السابق|السابقه)"
)
_SPAN = (
    r"(?:بضعه\s+|عده\s+|\d+\s+)?(?:ايام|اسابيع|اشهر|شهور|يومين|اسبوع|اسبوعين|شهر|شهرين|ساعات"
    r"|ساعه|ساعتين|سنه|سنوات|عام|اعوام|عامين)"
)
_VAGUE_RE = re.compile(
    r"(?<!\w)(?:"
    r"(?:[وف]?(?:خلال|في|مطلع|نهايه|اواخر|اوائل|منتصف|بدايه|اواسط|طيله|طوال)\s+)?"
    rf"{_PERIOD}\s+{_PERIOD_QUALIFIER}"
    r"|(?:[وف]?(?:خلال|في|طيله|طوال)\s+)?(?:هذا|هذه)\s+(?:الاسبوع|الشهر|العام|السنه|الايام|الفتره)"
    r"|[وف]?(?:خلال|طيله|طوال)\s+(?:الاسبوع|الشهر)"
    r"|[وف]?(?:نهايه|عطله|مطلع|بدايه|منتصف|اواخر)\s+(?:الاسبوع|الشهر)"
    r"|[وف]?(?:مؤخرا|قريبا|قريبا\s+جدا)"
    r"|[وف]?في\s+الاونه\s+الاخيره|[وف]?(?:ب?ال)?امس\s+القريب"
    r"|[وف]?في\s+وقت\s+(?:سابق|لاحق|قريب|مبكر|متاخر)"
    r"|[وف]?في\s+اقرب\s+وقت(?:\s+ممكن)?"
    r"|[وف]?عشيه(?:\s+[^\s\d،,.:;؛()«»\"]+)?"
    r"|(?:[وف]?في\s+)?(?:ال)?يوم\s+(?:التالي|السابق)"
    r"|(?:[وف]?في\s+)?اليوم\s+(?:نفسه|ذاته|الاول|الثاني|الثالث|الاخير)"
    r"|(?:[وف]?في\s+)?(?:نفس|ذات)\s+اليوم|(?:[وف]?في\s+)?ذلك\s+اليوم"
    r")(?!\w)"
)
# "بعد يومين", "قبل أسبوع", "منذ أيام": an interval from another event, which pins no day
_INTERVAL_RE = re.compile(rf"(?<!\w)[وف]?(?:قبل|بعد|منذ)\s+{_SPAN}(?!\w)")
_OUTLETS = (
    r"(?:روسيا|مصر|العرب|الخليج|الوطن|الجزائر|تونس|المغرب|لبنان|العراق|سوريا|فلسطين|الاردن|اليمن"
    r"|السودان|ليبيا|عمان|البحرين|الكويت|قطر|الامارات|السعوديه|فرنسا|امريكا|العالم|الشرق|البلد"
    r"|اوروبا)"
)
# Outlet names and named days that contain اليوم but are not today.
_NOT_A_DATE_RE = re.compile(
    r"(?<!\w)(?:"
    r"[وف]?[بل]?اليوم\s+السابع|[وف]?[بل]?(?:ال)?مصري\s+اليوم"
    rf"|(?:[وف]?[بل]?(?:قناه|موقع|صحيفه|جريده|شبكه|وكاله|تلفزيون)\s+|[وف]?[بل]){_OUTLETS}\s+اليوم"
    rf"|(?<=[«\"“']){_OUTLETS}\s+اليوم(?=\s*[»\"”'])"
    r"|[وف]?[بل]?اليوم\s+(?:الوطني|العالمي|الدولي)"
    r")(?!\w)"
)

# Context checks, run on the text around a mention.
# "الي" is left out: "تاجيل الاتصال الي الخميس" dates the call.
_REFERENCE_RE = re.compile(r"(?<!\w)[وف]?(?:منذ|حتي|لغايه|لحين|قبل|قبيل|بعد|بعيد|عقب|اثر)\s*$")
# A call noun with its own relative clause: "المكالمة الهاتفية التي", "الاتصال الذي"
_OWN_RELATIVE_CLAUSE_RE = re.compile(r"\s+(?:\S+\s+)?(?:ال)?(?:تي|ذي)\s")
# "اليوم نفسه", "اليوم ذاته": the day the sentence named before
_SAME_DAY_RE = re.compile(r"\s+(?:نفسه|ذاته)(?!\w)")
# "في مقابلة نشرت أمس السبت", "في مقابلة تلفزيونية بثت اليوم": the day of the interview's
# publication, not of what it tells
_PUBLISHED_VERB_RE = re.compile(r"(?<!\w)(?:نشرت|نشر|بثت|بث|اذيعت|اذيع|نشرتها|بثها)\s*$")
_STAMP_RE = re.compile(
    r"(?<!\w)(?:اخر\s+تحديث|تم\s+التحديث|تحديث|تاريخ\s+(?:ال)?نشر|تاريخ\s+الاضافه|تم\s+النشر"
    r"|نشرت?(?=\s*(?::|في(?!\w)|بتاريخ|يوم(?!\w)))|محدث|محدثه|last\s+updated|updated|published"
    r"|posted)"
    r"[\s:|/\-–—،,()]*(?:(?:في|بتاريخ|يوم|on|at)[\s:|/\-–—،,]*)?$"
)
# Up to three words (a city, "عاجل |") and separators before a dateline's date.
_DATELINE_PREFIX_RE = re.compile(r"[\s|:\-–—،,/]*(?:[^\s\d()/:|\-–—،,]+[\s|:\-–—،,/]*){0,3}")
_DATELINE_SEPARATOR_RE = re.compile(r"[-–—:،,/|]|(?<!\w)في\s*$")
_DATELINE_AGENCY_RE = re.compile(
    r"\s*(?:\d{4}\s*م?\s*)?(?:[(/]\s*" + _alternation(_AGENCIES) + r"[^()/\n]{0,20}[)/])"
)
_DATELINE_DASH_RE = re.compile(r"\s*[-–—]")
_MASTHEAD_PREFIX_RE = re.compile(r"[\s|:\-–—•]*")
_MASTHEAD_SUFFIX_RE = re.compile(r"\s*(?:[-–—|،,]\s*)?(?:الساعه\s+)?\d{1,2}:\d{2}|\s*\||[\s\W]*$")
# Clause boundaries for resolve_call_date: strong punctuation (not between digits), quotes,
# and the connectives that open a new clause ("ان", "فيما", "وكان").
_CLAUSE_RE = re.compile(
    r"(?<!\d)[.:]|[.:](?!\d)|[;؛!?\n«»\"“”]"
    r"|(?<!\w)(?:[وف]?(?:فيما|بينما|حيث|كما|بعدما|عقب|اثر|منذ|لكن|الا\s+ان|في\s+حين|بعد\s+ان"
    r"|قبل\s+ان|ان|انه|انها|انهما|بان|بانه|بانها)|وكان|وكانت|كان\s+قد|كانت\s+قد)(?!\w)"
)
_SPACES_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w*")
_PAST_WORDS = {"الماضي", "الماضيه", "الفائت", "الفائته", "المنصرم", "المنصرمه", "السابق"}
_FUTURE_WORDS = {"المقبل", "المقبله", "القادم", "القادمه"}
_STRIP_CHARS = " /()[]-–—،,"
_NO_YEAR_WINDOW_DAYS = 200
_TENSES = (None, "past", "future")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _day_number(text: str) -> int:
    """Day of the month: digits, an ordinal ("الثالث"), or "فاتح" (the first, Maghrebi)."""
    if text == "فاتح":
        return 1
    if text.isdigit():
        return int(text)
    return _ORDINAL_DAYS[_SPACES_RE.sub(" ", text)]


def _publication_date(published: dt.datetime | dt.date | None) -> dt.date | None:
    """The publication's local date: ``published.date()`` in its own offset."""
    if published is None:
        return None
    if isinstance(published, dt.datetime):
        return published.date()
    return published


def _wd_index(text: str | None) -> int | None:
    if not text:
        return None
    match = _WD_NAME_RE.search(text.strip(_STRIP_CHARS))
    return _WEEKDAY_STEMS[match.group(0)] if match else None


def _day(value: dt.date) -> str:
    return f"{value.isoformat()} ({_WEEKDAY_NAMES[value.weekday()]})"


def _quote(folded: str, start: int, end: int) -> str:
    return "'" + _SPACES_RE.sub(" ", folded[start:end]).strip() + "'"


def _month_number(text: str, table: dict[str, int]) -> int:
    return table[_SPACES_RE.sub(" ", text.strip())]


def _apply_weekday(
    text: str, expected: dt.date, wd: int | None, label: str
) -> tuple[dt.date | None, str]:
    """Date and reason for a relative day, checked against a weekday named beside it.

    Within one day the weekday wins (Arab-time publication after a Washington evening call,
    timestamps in UTC); further apart, neither is trusted.
    """
    if wd is None or expected.weekday() == wd:
        return expected, f"{text} = {label} {_day(expected)}"
    for delta in (-1, 1):
        candidate = expected + dt.timedelta(days=delta)
        if candidate.weekday() == wd:
            return candidate, (
                f"{text} = {_day(candidate)}: {label} is {_day(expected)} but the text names "
                f"{_WEEKDAY_NAMES[wd]}, so the weekday wins (one day "
                f"{'earlier' if delta < 0 else 'later'})"
            )
    return None, (
        f"{text} is unreliable: {label} is {_day(expected)} but the text names "
        f"{_WEEKDAY_NAMES[wd]}, more than a day apart, so neither can be trusted"
    )


def _nearest_year(
    month: int, day: int, pub: dt.date, direction: str | None, tense: str | None
) -> dt.date | None:
    """The year that puts day/month nearest the publication date (or on the named side of it)."""
    candidates = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:  # 29 February outside leap years, 31 April...
            continue
    if direction in _PAST_WORDS:  # "12 فبراير الماضي": the last one before publication
        past = [c for c in candidates if c <= pub]
        return max(past) if past else None
    if direction in _FUTURE_WORDS:
        future = [c for c in candidates if c >= pub]
        return min(future) if future else None
    # A date without a year is about the months around publication; "29 فبراير" in 2023 is not.
    candidates = [c for c in candidates if abs((c - pub).days) <= _NO_YEAR_WINDOW_DAYS]
    if not candidates:
        return None
    later_first = tense == "future"  # on a tie, a scheduled call looks forward

    def distance(candidate: dt.date) -> tuple[int, bool]:
        after = candidate > pub
        return abs((candidate - pub).days), (not after) if later_first else after

    return min(candidates, key=distance)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    priority: int  # lower wins among equally long overlapping matches
    value: dt.date | None
    method: str
    reason: str
    ignored: bool = False
    interval: bool = False


# --------------------------------------------------------------------------------------------
# One builder per family of expressions
# --------------------------------------------------------------------------------------------


def _relative_day(
    match: re.Match[str], folded: str, pub: dt.date | None, offset: int, what: str
) -> _Candidate | None:
    core = match.group("core")
    if offset == 1 and not match.group("pre") and not core.lstrip("وف").startswith(("غدا", "بعد")):
        return None  # "غد"/"الغد" alone is "the future", not tomorrow
    if core.lstrip("وف").startswith("اول") or core.endswith("الاول"):
        offset = -2
        what = "two days before publication"
    elif offset == 1 and core.lstrip("وف").startswith("بعد"):
        offset = 2
        what = "two days after publication"
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    if pub is None:
        return _Candidate(
            start, end, 3, None, RELATIVE, f"{text} is relative and the publication date is unknown"
        )
    expected = pub + dt.timedelta(days=offset)
    value, reason = _apply_weekday(text, expected, _wd_index(match.group("wd")), what)
    return _Candidate(start, end, 3, value, RELATIVE, reason)


def _weekday(
    match: re.Match[str], folded: str, pub: dt.date | None, tense: str | None
) -> _Candidate:
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    wd = _wd_index(match.group("wd"))
    assert wd is not None  # the regex only matches weekday names
    name = _WEEKDAY_NAMES[wd]
    if match.group("week"):
        return _Candidate(
            start, end, 4, None, VAGUE, f"{text}: which week is meant depends on where it starts"
        )
    if pub is None:
        return _Candidate(
            start, end, 4, None, RELATIVE, f"{text} is relative and the publication date is unknown"
        )
    direction = match.group("dir")
    if direction in _PAST_WORDS:
        back = (pub.weekday() - wd) % 7 or 7
        value = pub - dt.timedelta(days=back)
        how = f"the last {name} strictly before publication {pub.isoformat()}"
    elif direction in _FUTURE_WORDS:
        ahead = (wd - pub.weekday()) % 7 or 7
        value = pub + dt.timedelta(days=ahead)
        how = f"the next {name} strictly after publication {pub.isoformat()}"
    elif tense == "future":
        value = pub + dt.timedelta(days=(wd - pub.weekday()) % 7)
        how = f"the next {name} on or after publication {pub.isoformat()} (future tense)"
    else:
        value = pub - dt.timedelta(days=(pub.weekday() - wd) % 7)
        how = f"the most recent {name} on or before publication {pub.isoformat()}"
    return _Candidate(start, end, 4, value, RELATIVE, f"{text} = {how}: {value.isoformat()}")


def _lead_weekday_note(match: re.Match[str], value: dt.date) -> str:
    wd = _wd_index(match.group("lwd"))
    if wd is None or wd == value.weekday():
        return ""
    return f"; the text also names {_WEEKDAY_NAMES[wd]}, which does not match: the date wins"


def _calendar(
    match: re.Match[str],
    folded: str,
    pub: dt.date | None,
    tense: str | None,
    year: int | None,
    month: int,
    day: int,
    direction: str | None = None,
    priority: int = 1,
) -> _Candidate | None:
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    if year is not None:
        try:
            value = dt.date(year, month, day)
        except ValueError:  # "31 نيسان 2021", "29 فبراير 2022": a typo, do not repair it
            return _Candidate(
                start, end, priority, None, VAGUE, f"{text} is not a valid calendar date"
            )
        how = "calendar date in the text"
    else:
        if not 1 <= day <= 31:
            return None
        if pub is None:
            return _Candidate(
                start,
                end,
                priority,
                None,
                EXACT,
                f"{text} has no year and the publication date is unknown",
            )
        found = _nearest_year(month, day, pub, direction, tense)
        if found is None:
            return _Candidate(
                start,
                end,
                priority,
                None,
                EXACT,
                f"{text} has no year and no such day falls near publication {pub.isoformat()}",
            )
        value = found
        how = f"no year in the text: the one nearest publication {pub.isoformat()}"
    note = _lead_weekday_note(match, value)
    return _Candidate(start, end, priority, value, EXACT, f"{text} = {_day(value)} ({how}){note}")


def _day_month(
    match: re.Match[str], folded: str, pub: dt.date | None, tense: str | None
) -> _Candidate | None:
    month_word = _SPACES_RE.sub(" ", match.group("mon"))
    month = _month_number(month_word, _GREGORIAN_MONTHS)
    text = _quote(folded, match.start(), match.end())
    if match.group("mon2") and _month_number(match.group("mon2"), _GREGORIAN_MONTHS) != month:
        # "12 فبراير/مارس": a typo or a span, do not pick one
        return _Candidate(
            match.start(), match.end(), 1, None, VAGUE, f"{text} names two different months"
        )
    range_start = None if match.group("lwd") else _RANGE_BEFORE_RE.search(folded, 0, match.start())
    if range_start is not None:
        start = range_start.start()
        return _Candidate(
            start,
            match.end(),
            1,
            None,
            VAGUE,
            f"{_quote(folded, start, match.end())} is a range of days",
        )
    year = int(match.group("year")) if match.group("year") else None
    return _calendar(
        match, folded, pub, tense, year, month, _day_number(match.group("day")), match.group("dir")
    )


def _numeric(
    match: re.Match[str], folded: str, pub: dt.date | None, tense: str | None
) -> _Candidate | None:
    a, b, c = match.group("a"), match.group("b"), match.group("c")
    if len(a) == 4 and len(c) <= 2:
        year, month, day = int(a), int(b), int(c)
    elif len(c) == 4 and len(a) <= 2:
        year, month, day = int(c), int(b), int(a)
        if month > 12 and day <= 12:  # US order "12/17/2017"
            month, day = day, month
    else:
        return None
    if not 1900 <= year <= 2099:
        return None
    return _calendar(match, folded, pub, tense, year, month, day)


def _hijri(
    match: re.Match[str], folded: str, pub: dt.date | None, tense: str | None
) -> _Candidate | None:
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    month = _month_number(match.group("mon"), _HIJRI_MONTHS)
    if month == 2 and not match.group("year"):
        return None  # "3 صفر" is a score (three-nil) far more often than 3 Safar
    day = _day_number(match.group("day"))
    try:
        if match.group("year"):
            hijri_years = [int(match.group("year"))]
            how = "Hijri date in the text, Umm al-Qura calendar"
        else:
            if pub is None:
                return _Candidate(
                    start,
                    end,
                    2,
                    None,
                    EXACT,
                    f"{text} has no year and the publication date is unknown",
                )
            this_year = Gregorian(pub.year, pub.month, pub.day).to_hijri().year
            hijri_years = [this_year - 1, this_year, this_year + 1]
            how = "Hijri date without a year: the one nearest publication, Umm al-Qura calendar"
        dates = []
        for year in hijri_years:
            try:
                dates.append(dt.date(*Hijri(year, month, day).to_gregorian().datetuple()))
            except ValueError:  # day 30 of a 29-day month
                continue
    except OverflowError:  # outside 1343-1500 AH
        return None
    if not dates:
        return None
    if pub is None or len(dates) == 1:
        value = dates[0]
    else:
        value = min(dates, key=lambda d: abs((d - pub).days))
    note = _lead_weekday_note(match, value)
    return _Candidate(start, end, 2, value, EXACT, f"{text} = {_day(value)} ({how}){note}")


def _month_only(match: re.Match[str], folded: str) -> _Candidate | None:
    month_word = _SPACES_RE.sub(" ", match.group("mon"))
    has_year = bool(match.group("suffix")) and bool(match.group("year"))
    if month_word in _SHORT_MONTHS and not has_year:
        return None  # "اب" father, "ماي" my: only a month with a year
    if not match.group("prep").strip() and not match.group("suffix"):
        return None  # "مارس" alone is as likely the verb "practised"
    start, end = match.start(), match.end()
    return _Candidate(
        start, end, 5, None, VAGUE, f"{_quote(folded, start, end)} names a month, not a day"
    )


def _vague(match: re.Match[str], folded: str) -> _Candidate:
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    return _Candidate(start, end, 5, None, VAGUE, f"{text} does not pin a day")


def _interval(match: re.Match[str], folded: str) -> _Candidate:
    start, end = match.start(), match.end()
    text = _quote(folded, start, end)
    return _Candidate(start, end, 5, None, VAGUE, f"{text} does not pin a day", interval=True)


def _not_a_date(match: re.Match[str], folded: str) -> _Candidate:
    start, end = match.start(), match.end()
    return _Candidate(
        start,
        end,
        0,
        None,
        VAGUE,
        f"{_quote(folded, start, end)} is an outlet or a named day, not a date",
        ignored=True,
    )


# --------------------------------------------------------------------------------------------
# Context: datelines, stamps, mastheads, reference points
# --------------------------------------------------------------------------------------------


def _ignore_reason(folded: str, cand: _Candidate) -> str | None:
    """Why a mention is not a candidate for an event date, or None."""
    start, end = cand.start, cand.end
    if _STAMP_RE.search(folded, max(0, start - 40), start):
        return "is a publication/update stamp"
    if cand.method == EXACT and start <= 60:
        prefix = _DATELINE_PREFIX_RE.fullmatch(folded, 0, start)
        if prefix is not None:
            if _DATELINE_AGENCY_RE.match(folded, end):
                return "is the article's dateline (the publication date), not an event date"
            separated = _DATELINE_SEPARATOR_RE.search(prefix.group(0)) is not None
            if (separated or not prefix.group(0).strip()) and _DATELINE_DASH_RE.match(folded, end):
                return "is the article's dateline (the publication date), not an event date"
        if _MASTHEAD_PREFIX_RE.fullmatch(folded, 0, start) and _MASTHEAD_SUFFIX_RE.match(
            folded, end
        ):
            return "is a masthead date, not an event date"
    if _PUBLISHED_VERB_RE.search(folded, max(0, start - 12), start):
        return "dates a publication or broadcast ('نشرت', 'بثت'), not the event"
    if _REFERENCE_RE.search(folded, max(0, start - 12), start):
        return "is a reference point ('since', 'until', 'before', 'after'), not the day of an event"
    return None


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_Builder = Callable[[re.Match[str], str, dt.date | None, str | None], _Candidate | None]


def _literals(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


_ANY_DIGIT = re.compile(r"\d")
# Words without which a family's regex cannot match (its prefilter: a plain search for a few
# literals is far cheaper than the family's regex, whose optional lead-ins are tried at every
# word). tests/test_dates.py checks every family against its prefilter on the dev corpus.
_PERIOD_WORDS = ("الاسبوع", "الشهر", "العام", "السنه", "الاسابيع", "الاشهر", "الشهور", "الايام")
# the day of a calendar date: digits, "فاتح" (Maghrebi "the first") or an ordinal word
# (factored after ال: twice as fast as a plain alternation of the words)
_DAY_WORDS = re.compile(
    r"\d|فاتح|ال(?:"
    + "|".join(sorted({w.split()[0].removeprefix("ال") for w in _ORDINAL_DAYS}))
    + ")"
)
_TRIGGERS = {
    "not_a_date": _literals("اليوم"),
    "day_month": _DAY_WORDS,
    "numeric": _ANY_DIGIT,
    "hijri": _DAY_WORDS,
    "today": _literals("يوم", "ليله", "هذا", "هذه"),
    "yesterday": _literals("امس", "ليله"),
    "tomorrow": _literals("غد"),
    "weekday": _literals(*_WEEKDAY_STEMS),
    "month_only": re.compile(_MONTHS),
    "year_only": _ANY_DIGIT,
    "vague": _literals(
        *_PERIOD_WORDS,
        *("الساعات", "الفتره", "هذا", "هذه", "مؤخرا", "قريبا", "الاونه", "امس", "وقت", "عشيه"),
        "يوم",
    ),
    "interval": _literals("قبل", "بعد", "منذ"),
}


def _families() -> list[tuple[str, re.Pattern[str], _Builder]]:
    return [
        ("not_a_date", _NOT_A_DATE_RE, lambda m, f, p, t: _not_a_date(m, f)),
        ("day_month", _DAY_MONTH_RE, _day_month),
        ("numeric", _NUMERIC_RE, _numeric),
        ("hijri", _HIJRI_RE, _hijri),
        ("today", _TODAY_RE, lambda m, f, p, t: _relative_day(m, f, p, 0, "publication day")),
        (
            "yesterday",
            _YESTERDAY_RE,
            lambda m, f, p, t: _relative_day(m, f, p, -1, "the day before publication"),
        ),
        (
            "tomorrow",
            _TOMORROW_RE,
            lambda m, f, p, t: _relative_day(m, f, p, 1, "the day after publication"),
        ),
        ("weekday", _WEEKDAY_RE, _weekday),
        ("month_only", _MONTH_ONLY_RE, lambda m, f, p, t: _month_only(m, f)),
        ("year_only", _YEAR_ONLY_RE, lambda m, f, p, t: _vague(m, f)),
        ("vague", _VAGUE_RE, lambda m, f, p, t: _vague(m, f)),
        ("interval", _INTERVAL_RE, lambda m, f, p, t: _interval(m, f)),
    ]


_FAMILIES = _families()


def find_date_mentions(
    folded: str, published: dt.datetime | dt.date | None, tense: str | None = None
) -> list[DateMention]:
    """Every date expression in ``folded``, in order, each resolved on its own.

    ``tense`` ("past" | "future" | None) is the caller's hint about the verb of the call; it
    decides which way a bare weekday ("الخميس") points from the publication date.
    """
    if tense not in _TENSES:
        raise ValueError(f"tense must be 'past', 'future' or None, got {tense!r}")
    pub = _publication_date(published)
    candidates: list[_Candidate] = []
    for name, pattern, build in _FAMILIES:
        if not _TRIGGERS[name].search(folded):
            continue
        for match in pattern.finditer(folded):
            if match.end() == match.start():
                continue
            cand = build(match, folded, pub, tense)
            if cand is not None:
                candidates.append(cand)
    # Overlaps: the longest expression wins, then the more specific family.
    candidates.sort(key=lambda c: (-(c.end - c.start), c.priority, c.start))
    taken: list[_Candidate] = []
    for cand in candidates:
        if all(cand.end <= t.start or cand.start >= t.end for t in taken):
            taken.append(cand)
    taken.sort(key=lambda c: c.start)
    mentions = []
    for n, cand in enumerate(taken):
        if (cand.method == RELATIVE and _SAME_DAY_RE.match(folded, cand.end)) or (
            # "مساء أمس الثلاثاء، ... الاتصال الذي أجراه ... في اليوم نفسه"
            cand.value is None and _SAME_DAY_RE.search(folded, cand.start, cand.end)
        ):
            # "مساء الخميس ... في وقت سابق من اليوم نفسه": the day named before, not today
            before = next((t for t in reversed(taken[:n]) if t.value is not None), None)
            if before is not None:
                cand = _Candidate(
                    cand.start,
                    cand.end,
                    cand.priority,
                    before.value,
                    before.method,
                    f"{_quote(folded, cand.start, cand.end)} 'نفسه' = the day named before it, "
                    f"{before.value}",
                )
        reason, ignored = cand.reason, cand.ignored
        if not ignored:
            why = _ignore_reason(folded, cand)
            if why is not None:
                reason, ignored = f"{_quote(folded, cand.start, cand.end)} {why}", True
        mentions.append(
            DateMention(
                cand.start, cand.end, cand.value, cand.method, reason, ignored, cand.interval
            )
        )
    return mentions


_SINCE_RE = re.compile(r"(?:^|\s)[وف]?منذ\s")
# Which way a vague expression points: "الأشهر المقبلة" ahead, "الأسبوع الماضي" back.
_VAGUE_WAY_RE = re.compile(
    r"(?<!\w)(?:(?P<future>(?:ال)?(?:مقبل|قادم)(?:ه|ين|تين)?)|(?P<past>(?:ال)?(?:ماضي|فائت|منصرم)(?:ه|ين|تين)?))(?!\w)"
)
# "لتهنئته بالفوز في الانتخابات التي جرت يوم 18 مارس": a relative clause on another event's noun
_OTHER_EVENT_RE = re.compile(
    r"(?:^|\s)(?![وفبلك]*(?:ال)?(?:اتصال|مكالم|محادث|مباحث|هاتفي|مرئي|متلفز|عبر))\S+\s+و?(?:ال)?(?:تي|ذي)\s+"
    r"(?:جرت|جري|عقدت|عقد|اجريت|نظمت|شهدت|شهد|وقعت|وقع|[يت]نتهي|[يت]نقضي|انتهت|انتهي|(?:طرح|اقترح|اعلن)(?:ه|ها)?)(?!\w)"
)


def _clause(folded: str, anchor: int) -> tuple[int, int]:
    start, end = 0, len(folded)
    for match in _CLAUSE_RE.finditer(folded):
        if match.end() <= anchor:
            start = match.end()
        elif match.start() >= anchor:
            end = match.start()
            break
    return start, end


def _resolution(mention: DateMention, where: str) -> DateResolution:
    if mention.value is None:
        return DateResolution(None, UNRESOLVED, f"{where}: {mention.reason}")
    return DateResolution(mention.value, mention.method, f"{where}: {mention.reason}")


def _pick_in_evidence(
    folded: str, mentions: list[DateMention], anchor: int | None, tense: str | None
) -> DateResolution:
    """Pick the mention that dates the call in the evidence sentence (see resolve_call_date)."""
    if anchor is None:
        dated = [m for m in mentions if m.value is not None]
        if dated:
            return _resolution(dated[0], "evidence sentence")
        return _resolution(mentions[0], "evidence sentence, only a vague date")
    anchor = max(0, min(anchor, len(folded)))
    word = _WORD_RE.match(folded, anchor)
    anchor_end = word.end() if word else anchor
    clause_start, clause_end = _clause(folded, anchor)
    # "عن المكالمة التي أجراها ... أول من أمس": the call's own relative clause dates it, not a
    # date before the call noun (which dates the telling: "كشف اليوم الجمعة ... عن المكالمة")
    relative = _OWN_RELATIVE_CLAUSE_RE.match(folded, anchor_end) is not None
    ranked = []
    for mention in mentions:
        after = mention.start >= anchor
        distance = max(0, mention.start - anchor_end) if after else max(0, anchor - mention.end)
        if after and (
            _SINCE_RE.search(folded, anchor_end, mention.start)
            or _OTHER_EVENT_RE.search(folded, anchor_end, mention.start)
        ):
            # "هو الأول بينهما منذ تولي ترامب مهامه يوم 20 يناير", "بفوزه في الانتخابات التي
            # جرت يوم 18 مارس": the date of another event after the call, the weakest reading
            tier, where = 3, "evidence sentence, another event's date after the call word"
        elif mention.start >= clause_start and mention.end <= clause_end and relative and not after:
            tier, where = 1, "evidence sentence, before the call's own relative clause"
        elif mention.start >= clause_start and mention.end <= clause_end:
            tier, where = 0, "evidence sentence, same clause as the call"
        elif after:
            tier, where = 1, "evidence sentence, a clause after the call word"
        else:
            if tense == "future":
                continue  # the day a scheduled call was announced is not its date
            tier, where = 2, "evidence sentence, the clause introducing the report"
        ranked.append((tier, distance, mention, where))
    if not ranked:
        return DateResolution(
            None,
            UNRESOLVED,
            "the only date in the evidence sentence dates the announcement of a scheduled call: "
            + "; ".join(m.reason for m in mentions),
        )
    ranked.sort(key=lambda r: (r[0], r[1]))
    tier, _, best, where = ranked[0]
    if best.interval:
        # "بعد يومين من المكالمة التي جرت يوم الثلاثاء 18 مارس": the interval dates another
        # event; a date in the same clause is the call's
        for same_tier, _dist, mention, mention_where in ranked:
            if same_tier == tier and mention.value is not None:
                return _resolution(mention, mention_where)
    if best.value is None and tier > 0:
        # Outside the call's own clause, a dated expression beats a vague one, but not another
        # event's date ("... خلال الأيام المقبلة ..., والتي ينتهي سريانها يوم الخميس")
        for _tier, _dist, mention, mention_where in ranked:
            if mention.value is not None and _tier < 3:
                return _resolution(mention, mention_where)
    return _resolution(best, where)


def resolve_call_date(
    sentences: Sequence[str],
    published: dt.datetime | dt.date | None,
    anchor: int | None = None,
    tense: str | None = None,
    later_anchors: Sequence[int | None] = (),
) -> DateResolution:
    """The date of the call established by ``sentences`` (folded; the first is the evidence).

    ``anchor`` is the offset of the call word in ``sentences[0]``. Later sentences are read only
    when the evidence sentence has no date expression at all (ignored ones aside); one whose
    call word is known (``later_anchors[i - 1]``, None when it has none) is read around it as
    the evidence is ("قال بايدن اليوم الأربعاء إنه أبلغ بوتين خلال الاجتماع الذي عقداه عبر
    الفيديو أمس الثلاثاء" under a headline: Tuesday, not the day he said so), else its first
    dated expression stands.
    """
    if not sentences:
        return DateResolution(None, UNRESOLVED, "no sentence about the call")
    pub = _publication_date(published)
    dropped: list[DateMention] = []
    for index, sentence in enumerate(sentences):
        mentions = [m for m in find_date_mentions(sentence, published, tense) if not m.ignored]
        consistent = [m for m in mentions if _fits_tense(m, pub, tense, sentence)]
        dropped += [m for m in mentions if m not in consistent]
        mentions = consistent
        if not mentions:
            continue
        if index == 0:
            return _pick_in_evidence(sentence, mentions, anchor, tense)
        where = f"sentence {index + 1} about the call"
        call_word = later_anchors[index - 1] if index <= len(later_anchors) else None
        if call_word is not None:
            got = _pick_in_evidence(sentence, mentions, call_word, tense)
            if got.value is not None:
                reason = got.reason.removeprefix("evidence sentence, ")
                return DateResolution(got.value, got.method, f"{where}, {reason}")
        dated = [m for m in mentions if m.value is not None]
        if dated:
            return _resolution(dated[0], where)
        return _resolution(mentions[0], f"{where}, only a vague date")
    count = len(sentences)
    if dropped:
        return DateResolution(
            None,
            UNRESOLVED,
            f"the only dates near the call do not fit a {tense} call: "
            + "; ".join(m.reason for m in dropped),
        )
    return DateResolution(
        None,
        UNRESOLVED,
        f"no date expression in the {count} sentence{'s' if count > 1 else ''} about the call",
    )


def _fits_tense(
    mention: DateMention, pub: dt.date | None, tense: str | None, folded: str = ""
) -> bool:
    """A held call cannot be dated after publication, nor a scheduled one before it.

    One day of slack either way covers time zones (an evening call in Washington is reported
    the next day in Arab time). A vague expression that points the other way ("خلال الأشهر
    المقبلة" in a held call's sentence, "الأسبوع الماضي" in a scheduled one's) dates something
    else too.
    """
    if tense is None:
        return True
    if mention.value is None:
        points = _VAGUE_WAY_RE.search(folded, mention.start, mention.end) if folded else None
        return points is None or points.lastgroup == ("past" if tense == "past" else "future")
    if pub is None:
        return True
    delta = (mention.value - pub).days
    if tense == "past":
        return delta <= 1
    return delta >= -1
