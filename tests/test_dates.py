"""transforms.dates: date expressions in folded Arabic, and the date of a call.

Every phrase is written as it appears in the press and folded here, the way the pipeline hands
it over. Publication is Thursday 30 December 2021 in Moscow time unless a case says otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.dates import DateMention, DateResolution, find_date_mentions, resolve_call_date
from transforms.normalize import fold

MSK = dt.timezone(dt.timedelta(hours=3))
THU = dt.datetime(2021, 12, 30, 14, 5, tzinfo=MSK)  # Thursday
FRI_AFTER_MIDNIGHT = dt.datetime(2021, 12, 31, 0, 20, tzinfo=MSK)  # Friday, 00:20
SAT = dt.datetime(2022, 1, 1, 9, 0, tzinfo=MSK)  # Saturday
SUN_JAN_2 = dt.datetime(2022, 1, 2, 11, 0, tzinfo=MSK)  # Sunday, a new year
LEAP = dt.datetime(2024, 3, 1, 8, 0, tzinfo=MSK)  # Friday after 29 February 2024

D = dt.date


def _live(text: str, published=THU, tense: str | None = None) -> list[DateMention]:
    """Mentions that are candidates for an event date (ignored ones left out)."""
    return [m for m in find_date_mentions(fold(text), published, tense) if not m.ignored]


def _one(text: str, published=THU, tense: str | None = None) -> DateMention:
    mentions = _live(text, published, tense)
    assert len(mentions) == 1, [(m.start, m.end, m.reason) for m in mentions]
    return mentions[0]


# ------------------------------------------------------------------------------------------
# Relative to the publication day
# ------------------------------------------------------------------------------------------

RELATIVE = [
    # (text, published, tense, expected date)
    (
        "أجرى الرئيس الأمريكي جو بايدن، اليوم الخميس، اتصالاً هاتفياً مع نظيره الروسي",
        THU,
        None,
        D(2021, 12, 30),
    ),
    ("بحث الرئيس الروسي اليوم/الخميس/ مع نظيره الأمريكي الأزمة", THU, None, D(2021, 12, 30)),
    ("تلقى بوتين اليوم (الخميس) اتصالاً هاتفياً من بايدن", THU, None, D(2021, 12, 30)),
    ("أعلن الكرملين اليوم - الخميس - أن الرئيسين تحدثا", THU, None, D(2021, 12, 30)),
    ("وقال البيت الأبيض في وقت سابق من اليوم إن الرئيسين تحدثا", THU, None, D(2021, 12, 30)),
    ("ذكر الكرملين في وقت سابق اليوم أن المكالمة استمرت ساعة", THU, None, D(2021, 12, 30)),
    ("يجري بايدن وبوتين اتصالاً هاتفياً الليلة", THU, "future", D(2021, 12, 30)),
    ("تحدث الرئيسان هاتفياً هذا الصباح", THU, None, D(2021, 12, 30)),
    ("أجرى بوتين صباح اليوم مكالمة هاتفية مع بايدن", THU, None, D(2021, 12, 30)),
    ("يتحادث الرئيسان هاتفياً مساء اليوم", THU, "future", D(2021, 12, 30)),
    ("تحدث بايدن بعد ظهر اليوم مع بوتين", THU, None, D(2021, 12, 30)),
    ("واليوم، أجرى بوتين اتصالاً هاتفياً ببايدن", THU, None, D(2021, 12, 30)),
    ("ناقش بوتين وبايدن اليوم في اتصال هاتفي الملف الأوكراني", THU, None, D(2021, 12, 30)),
    ("تحدث بوتين أمس الأربعاء هاتفياً مع بايدن", THU, None, D(2021, 12, 29)),
    ("أجرى الرئيسان أمس (الأربعاء) محادثة هاتفية", THU, None, D(2021, 12, 29)),
    ("وأمس، تلقى بوتين اتصالاً من بايدن", THU, None, D(2021, 12, 29)),
    ("بالأمس أجرى الرئيسان مكالمة هاتفية", THU, None, D(2021, 12, 29)),
    ("تحدث بايدن مساء أمس مع نظيره الروسي", THU, None, D(2021, 12, 29)),
    ("جرت المكالمة ليلة أمس", THU, None, D(2021, 12, 29)),
    ("في وقت متأخر من مساء أمس تحدث الرئيسان", THU, None, D(2021, 12, 29)),
    ("أعلن الكرملين يوم أمس أن المكالمة جرت", THU, None, D(2021, 12, 29)),
    ("تحدث الرئيسان هاتفياً الليلة الماضية", THU, None, D(2021, 12, 29)),
    ("أجرى بوتين أول أمس اتصالاً ببايدن", THU, None, D(2021, 12, 28)),
    ("أجرى بوتين أول من أمس اتصالاً ببايدن", THU, None, D(2021, 12, 28)),
    ("تحدث الرئيسان أمس الأول هاتفياً", THU, None, D(2021, 12, 28)),
    ("أول أمس الثلاثاء تحدث الرئيسان", THU, None, D(2021, 12, 28)),
    ("يجري بايدن غداً اتصالاً هاتفياً مع بوتين", THU, "future", D(2021, 12, 31)),
    ("يتحدث الرئيسان غداً الجمعة عبر الهاتف", THU, "future", D(2021, 12, 31)),
    ("من المقرر أن يتحدث الرئيسان صباح الغد", THU, "future", D(2021, 12, 31)),
    ("يتحادث الرئيسان مساء غد", THU, "future", D(2021, 12, 31)),
    ("تجرى المكالمة يوم غد", THU, "future", D(2021, 12, 31)),
    ("يتحدث بايدن وبوتين بعد غد", THU, "future", D(2022, 1, 1)),
    ("سيجري بوتين صباح بعد غد الإثنين اتصالاً ببايدن", SAT, "future", D(2022, 1, 3)),
    # Arab-time publication just after midnight: the weekday wins within a day.
    ("تحدث بايدن وبوتين هاتفياً اليوم الخميس", FRI_AFTER_MIDNIGHT, None, D(2021, 12, 30)),
    ("أجرى بوتين أمس الأربعاء اتصالاً", FRI_AFTER_MIDNIGHT, None, D(2021, 12, 29)),
    ("تلقى بوتين مساء أمس (الخميس) اتصالاً", FRI_AFTER_MIDNIGHT, None, D(2021, 12, 30)),
    # A timestamp in UTC when the newsroom is already on Friday.
    (
        "يتحدث الرئيسان اليوم الجمعة",
        dt.datetime(2021, 12, 30, 22, 30, tzinfo=dt.UTC),
        "future",
        D(2021, 12, 31),
    ),
    # Year rollover and leap day.
    ("تحدث الرئيسان أمس", dt.datetime(2022, 1, 1, 10, 0, tzinfo=MSK), None, D(2021, 12, 31)),
    ("يتحدث الرئيسان غداً", dt.datetime(2021, 12, 31, 10, 0, tzinfo=MSK), "future", D(2022, 1, 1)),
    ("تحدث الرئيسان أمس", LEAP, None, D(2024, 2, 29)),
    # The local date of the publication, not its UTC date.
    (
        "تحدث الرئيسان اليوم",
        dt.datetime(2021, 12, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        None,
        D(2021, 12, 30),
    ),
    ("تحدث الرئيسان اليوم", dt.datetime(2021, 12, 30, 23, 30), None, D(2021, 12, 30)),
    ("تحدث الرئيسان اليوم", D(2021, 12, 30), None, D(2021, 12, 30)),
]
RELATIVE_IDS = [
    "today-weekday-commas",
    "today-weekday-egyptian-slashes",
    "today-weekday-brackets",
    "today-weekday-dashes",
    "earlier-today",
    "earlier-today-without-min",
    "tonight",
    "this-morning",
    "this-morning-sabah-alyawm",
    "this-evening",
    "this-afternoon",
    "wa-clitic-today",
    "today-bare",
    "yesterday-weekday",
    "yesterday-weekday-brackets",
    "wa-clitic-yesterday",
    "bil-ams",
    "yesterday-evening",
    "last-night-laylat-ams",
    "late-yesterday-evening",
    "yawm-ams",
    "al-layla-al-madiya",
    "day-before-yesterday",
    "day-before-yesterday-min",
    "ams-al-awwal",
    "day-before-yesterday-weekday",
    "tomorrow",
    "tomorrow-weekday",
    "tomorrow-morning",
    "tomorrow-evening",
    "yawm-ghad",
    "day-after-tomorrow",
    "day-after-tomorrow-morning-weekday",
    "after-midnight-today-thursday",
    "after-midnight-yesterday-wednesday",
    "after-midnight-yesterday-thursday",
    "utc-stamp-weekday-next-day",
    "rollover-yesterday",
    "rollover-tomorrow",
    "leap-day-yesterday",
    "local-date-of-aware-datetime",
    "naive-datetime",
    "plain-date",
]


@pytest.mark.parametrize(("text", "published", "tense", "expected"), RELATIVE, ids=RELATIVE_IDS)
def test_relative_day(text, published, tense, expected):
    mention = _one(text, published, tense)
    assert mention.value == expected
    assert mention.method == "relative"


@pytest.mark.parametrize(
    ("text", "published", "expected_reason"),
    [
        ("تحدث بايدن وبوتين هاتفياً اليوم الخميس", FRI_AFTER_MIDNIGHT, "weekday wins"),
        ("أجرى بوتين أمس الأربعاء اتصالاً", FRI_AFTER_MIDNIGHT, "weekday wins"),
        ("أجرى الرئيس الأمريكي اليوم الخميس اتصالاً", THU, "publication day 2021-12-30"),
    ],
    ids=["mismatch-today", "mismatch-yesterday", "consistent"],
)
def test_relative_reason_says_what_was_trusted(text, published, expected_reason):
    mention = _one(text, published)
    assert expected_reason in mention.reason
    assert fold(text)[mention.start : mention.end].split()[0] in mention.reason


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("تحدث بايدن وبوتين هاتفياً اليوم الإثنين", THU),
        ("أجرى بوتين أمس السبت اتصالاً ببايدن", THU),
    ],
    ids=["today-weekday-far-off", "yesterday-weekday-far-off"],
)
def test_weekday_too_far_from_publication_is_not_trusted(text, published):
    mention = _one(text, published)
    assert mention.value is None
    assert "neither can be trusted" in mention.reason


# ------------------------------------------------------------------------------------------
# Bare weekdays
# ------------------------------------------------------------------------------------------

WEEKDAYS = [
    # (text, tense, expected) — published Thursday 2021-12-30
    ("أجرى بايدن مساء الثلاثاء اتصالاً هاتفياً ببوتين", "past", D(2021, 12, 28)),
    ("تحدث الرئيسان يوم السبت", None, D(2021, 12, 25)),
    ("يتحدث الرئيسان يوم السبت", "future", D(2022, 1, 1)),
    ("تحدث الرئيسان الخميس", "past", D(2021, 12, 30)),
    ("يتحدث الرئيسان الخميس", "future", D(2021, 12, 30)),
    ("تحدث الرئيسان الخميس الماضي", None, D(2021, 12, 23)),
    ("يتحدث الرئيسان الخميس المقبل", "future", D(2022, 1, 6)),
    ("يتحدث الرئيسان الجمعة القادمة", "future", D(2021, 12, 31)),
    ("تحدث الرئيسان الأربعاء الماضي", None, D(2021, 12, 29)),
    ("تحدث الرئيسان الأحد الفائت", None, D(2021, 12, 26)),
    ("بحث الرئيسان يوم الثلثاء في اتصال هاتفي", None, D(2021, 12, 28)),
    ("تحدث الرئيسان الإثنين", "past", D(2021, 12, 27)),
    ("تحدث الرئيسان الأثنين", "past", D(2021, 12, 27)),
    ("تحدث الرئيسان الاتنين", "past", D(2021, 12, 27)),
    ("تلقى بوتين صباح السبت اتصالاً", "past", D(2021, 12, 25)),
    ("جرى الاتصال ليل الأحد", "past", D(2021, 12, 26)),
    ("جرى الاتصال فجر الإثنين", "past", D(2021, 12, 27)),
    ("ويوم الأربعاء تحدث الرئيسان", None, D(2021, 12, 29)),
    ("جرت المكالمة في وقت سابق من يوم الثلاثاء", None, D(2021, 12, 28)),
    ("تقرر تأجيل الاتصال إلى الخميس المقبل", "future", D(2022, 1, 6)),
    ("يجري الاتصال قرابة منتصف ليل السبت", "future", D(2022, 1, 1)),
]


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    WEEKDAYS,
    ids=[
        "evening-tuesday-past",
        "saturday-no-tense",
        "saturday-future",
        "same-weekday-past",
        "same-weekday-future",
        "last-thursday",
        "next-thursday",
        "next-friday-feminine",
        "last-wednesday",
        "last-sunday-fa2it",
        "lebanese-thulatha",
        "ithnayn-hamza-below",
        "ithnayn-hamza-above",
        "itnayn-colloquial",
        "saturday-morning",
        "sunday-night",
        "monday-dawn",
        "wa-yawm-clitic",
        "earlier-on-tuesday",
        "postponed-to-next-thursday",
        "around-midnight-saturday",
    ],
)
def test_bare_weekday(text, tense, expected):
    mention = _one(text, THU, tense)
    assert mention.value == expected
    assert mention.method == "relative"


# ------------------------------------------------------------------------------------------
# Calendar dates
# ------------------------------------------------------------------------------------------

EXACT = [
    # (text, published, expected)
    ("تحدث بوتين وبايدن هاتفياً في 12 فبراير 2022", THU, D(2022, 2, 12)),
    ("تحدث بوتين وبايدن في 12 فبراير/شباط 2022", THU, D(2022, 2, 12)),
    ("تحدث بوتين وبايدن في 12 شباط/فبراير 2022", THU, D(2022, 2, 12)),
    ("تحدث بوتين وبايدن في 12 فبراير (شباط) 2022", THU, D(2022, 2, 12)),
    ("يتحدث الرئيسان في 12 من فبراير", THU, D(2022, 2, 12)),
    ("جرت المكالمة في 30 ديسمبر في الساعة 23:30 بتوقيت موسكو", THU, D(2021, 12, 30)),
    ("جرى الاتصال في 12 فبراير 2022م", THU, D(2022, 2, 12)),
    ("جرى الاتصال في 16 يونيو من عام 2021", THU, D(2021, 6, 16)),
    ("جرى الاتصال بتاريخ 17.12.2017 بمبادرة روسية", THU, D(2017, 12, 17)),
    ("جرى الاتصال بتاريخ 17/12/2017 بمبادرة روسية", THU, D(2017, 12, 17)),
    ("جرى الاتصال بتاريخ 2017-12-17 بمبادرة روسية", THU, D(2017, 12, 17)),
    ("جرى الاتصال في ٢٥ مايو ٢٠٢١ بين الرئيسين", THU, D(2021, 5, 25)),
    ("جرى الاتصال في 3 يونيه 2021", THU, D(2021, 6, 3)),
    ("جرى الاتصال في 9 يوليه 2021", THU, D(2021, 7, 9)),
    ("جرى الاتصال في 2 كانون الثاني 2022", THU, D(2022, 1, 2)),
    ("جرى الاتصال في 15 تشرين الأول 2021", THU, D(2021, 10, 15)),
    ("جرى الاتصال في 7 أيار 2021", THU, D(2021, 5, 7)),
    ("جرى الاتصال في 3 آب 2021", THU, D(2021, 8, 3)),
    ("جرى الاتصال في 3 آب", THU, D(2021, 8, 3)),
    ("جرى الاتصال في 9 جانفي 2022", THU, D(2022, 1, 9)),
    ("جرى الاتصال في 14 جويلية 2021", THU, D(2021, 7, 14)),
    ("جرى الاتصال في 3 ماي 2021", THU, D(2021, 5, 3)),
    ("جرى الاتصال في 20 أوت 2021", THU, D(2021, 8, 20)),
    ("جرى الاتصال في 7 دجنبر 2021", THU, D(2021, 12, 7)),
    ("أجرى بوتين يوم الخميس 30 ديسمبر 2021 اتصالاً", THU, D(2021, 12, 30)),
    ("أجرى بوتين يوم الخميس الموافق 30 ديسمبر اتصالاً", THU, D(2021, 12, 30)),
    ("جرى الاتصال في 12 فبراير الماضي", dt.datetime(2022, 1, 10, tzinfo=MSK), D(2021, 2, 12)),
    ("جرى الاتصال في 30 ديسمبر", SUN_JAN_2, D(2021, 12, 30)),
    ("يجري الاتصال في 2 يناير", THU, D(2022, 1, 2)),
    ("جرى الاتصال في 29 فبراير", LEAP, D(2024, 2, 29)),
    ("جرى الاتصال في 29.02.2024", THU, D(2024, 2, 29)),
    ("جرى الاتصال في 12 فبراير 2022", None, D(2022, 2, 12)),
    ("وفي 31 كانون الأول/ديسمبر 2021، تحدث الرئيسان", THU, D(2021, 12, 31)),
    ("و30 ديسمبر تحدث الرئيسان", THU, D(2021, 12, 30)),
    ("تحدث بوتين في 12 فبراير (بتوقيت موسكو) مع بايدن", THU, D(2022, 2, 12)),
    ("يتحدث الرئيسان هاتفياً في الثاني عشر من فبراير", THU, D(2022, 2, 12)),
    ("أجرى الرئيسان يوم الخميس الثالث من يوليو 2025م اتصالاً", THU, D(2025, 7, 3)),
    ("جرى الاتصال في الحادي والعشرين من مارس 2021", THU, D(2021, 3, 21)),
    ("جرى الاتصال في الأول من تشرين الثاني 2021", THU, D(2021, 11, 1)),
]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    EXACT,
    ids=[
        "day-month-year",
        "month-pair-slash",
        "month-pair-levantine-first",
        "month-pair-brackets",
        "day-min-month",
        "with-time-and-zone",
        "mim-suffix",
        "min-aam-year",
        "dotted",
        "slashed",
        "iso",
        "eastern-arabic-digits",
        "egyptian-yunyah",
        "egyptian-yulyah",
        "levantine-kanun-thani",
        "levantine-tishrin-awwal",
        "levantine-ayyar",
        "levantine-ab-with-year",
        "levantine-ab-after-day",
        "maghrebi-janvier",
        "maghrebi-juillet",
        "maghrebi-mai",
        "maghrebi-aout",
        "moroccan-dujanbar",
        "weekday-then-date-one-mention",
        "weekday-muwafiq",
        "last-february-12",
        "rollover-previous-year",
        "rollover-next-year",
        "leap-day-no-year",
        "leap-day-dotted",
        "no-publication-date-full-date",
        "levantine-month-pair-comma",
        "wa-clitic-on-day-number",
        "bracket-after-date-not-a-dateline",
        "ordinal-day-in-words",
        "weekday-ordinal-mim",
        "ordinal-compound",
        "ordinal-first-levantine-month",
    ],
)
def test_calendar_date(text, published, expected):
    mention = _one(text, published)
    assert mention.value == expected
    assert mention.method == "exact"


def test_calendar_date_offsets_point_into_the_folded_text():
    folded = fold("أجرى بوتين يوم الخميس 30 ديسمبر 2021 اتصالاً هاتفياً")
    (mention,) = find_date_mentions(folded, THU)
    assert folded[mention.start : mention.end] == "يوم الخميس 30 ديسمبر 2021"
    assert "'يوم الخميس 30 ديسمبر 2021'" in mention.reason


def test_weekday_that_contradicts_a_calendar_date_is_noted_not_trusted():
    mention = _one("أجرى بوتين يوم الجمعة 30 ديسمبر 2021 اتصالاً")
    assert mention.value == D(2021, 12, 30)
    assert "does not match" in mention.reason


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("اتصل بوتين ببايدن في 15 جمادى الأولى 1443 هـ", THU, D(2021, 12, 19)),
        ("اتصل بوتين ببايدن في 15 جمادى الأولى 1443هـ", THU, D(2021, 12, 19)),
        ("جرى الاتصال في 2 جمادى الآخرة 1443 هجرية", THU, D(2022, 1, 5)),
        ("جرى الاتصال في 1 رمضان 1442 هـ", THU, D(2021, 4, 13)),
        ("جرى الاتصال في 15 رمضان", dt.datetime(2022, 3, 1, tzinfo=MSK), D(2022, 4, 16)),
        ("جرى الاتصال في ١٥ جمادى الأولى ١٤٤٣ هـ", None, D(2021, 12, 19)),
    ],
    ids=[
        "hijri-with-year",
        "hijri-he-glued",
        "hijri-jumada-akhira",
        "hijri-ramadan",
        "hijri-no-year-nearest",
        "hijri-eastern-digits-no-publication",
    ],
)
def test_hijri_date(text, published, expected):
    mention = _one(text, published)
    assert mention.value == expected
    assert mention.method == "exact"
    assert "Hijri" in mention.reason


def test_hijri_and_gregorian_side_by_side_agree():
    text = "الخميس 26 جمادى الأولى 1443 هـ الموافق 30 ديسمبر 2021م جرى الاتصال"
    mentions = _live(text)
    assert [m.value for m in mentions] == [D(2021, 12, 30), D(2021, 12, 30)]


@pytest.mark.parametrize(
    "text",
    [
        "جرى الاتصال في 29 فبراير 2022",
        "جرى الاتصال في 31 نيسان 2021",
        "جرى الاتصال في 31.04.2021",
    ],
    ids=["feb-29-non-leap", "april-31", "april-31-dotted"],
)
def test_impossible_calendar_dates_pin_no_day(text):
    mention = _one(text)
    assert (mention.value, mention.method) == (None, "vague")
    assert "not a valid calendar date" in mention.reason


def test_no_year_far_from_any_leap_day_is_not_pinned():
    mention = _one("جرى الاتصال في 29 فبراير", dt.datetime(2023, 3, 5, tzinfo=MSK))
    assert mention.value is None


# ------------------------------------------------------------------------------------------
# Vague expressions
# ------------------------------------------------------------------------------------------

VAGUE = [
    "تحدث الرئيسان هاتفياً الأسبوع الماضي",
    "تحدث الرئيسان هاتفياً الشهر الماضي",
    "تحدث الرئيسان هاتفياً في وقت سابق",
    "تحدث الرئيسان هاتفياً مؤخراً",
    "يتحدث الرئيسان هاتفياً قريباً",
    "يتحدث الرئيسان هاتفياً في الأيام المقبلة",
    "تحدث الرئيسان هاتفياً عشية القمة",
    "يتحدث الرئيسان هاتفياً خلال الأسبوع",
    "تحدث الرئيسان هاتفياً في فبراير",
    "تحدث الرئيسان هاتفياً في فبراير/شباط الماضي",
    "تحدث الرئيسان هاتفياً في شهر آذار",
    "تحدث الرئيسان هاتفياً في مايو 2021",
    "تحدث الرئيسان هاتفياً في آب 2021",
    "تحدث الرئيسان هاتفياً العام الماضي",
    "تحدث الرئيسان هاتفياً في عام 2014",
    "تحدث الرئيسان هاتفياً قبل أيام",
    "تحدث الرئيسان هاتفياً قبل 3 أيام",
    "يتحدث الرئيسان هاتفياً في وقت لاحق",
    "يتحدث الرئيسان هاتفياً في أقرب وقت ممكن",
    "تحدث الرئيسان هاتفياً الخميس من الأسبوع الماضي",
    "تحدث الرئيسان هاتفياً في اليوم التالي",
    "تحدث الرئيسان هاتفياً في نفس اليوم",
    "تحدث الرئيسان هاتفياً في الآونة الأخيرة",
    "تحدث الرئيسان هاتفياً بالأمس القريب",
    "يتحدث الرئيسان هاتفياً في 5-6 ديسمبر",
    "يتحدث الرئيسان هاتفياً في 12 و13 فبراير 2022",
    "تحدث الرئيسان هاتفياً في 12 فبراير/مارس",
    "تحدث الرئيسان هاتفياً في الأسبوع الثاني من فبراير",
    "تحدث الرئيسان هاتفياً بعد يومين",
]


@pytest.mark.parametrize(
    "text",
    VAGUE,
    ids=[
        "last-week",
        "last-month",
        "earlier",
        "recently",
        "soon",
        "coming-days",
        "eve-of",
        "during-the-week",
        "month-alone",
        "month-pair-last",
        "month-shahr-levantine",
        "month-year",
        "ab-with-year-no-day",
        "last-year",
        "year-with-aam",
        "days-ago",
        "three-days-ago",
        "later",
        "asap",
        "weekday-of-last-week",
        "next-day",
        "same-day",
        "lately",
        "bil-ams-al-qarib-idiom",
        "day-range-dash",
        "day-range-wa",
        "two-different-months",
        "ordinal-week-of-month",
        "interval",
    ],
)
def test_vague_expression_pins_no_day(text):
    mention = _one(text)
    assert mention.value is None
    assert mention.method == "vague"


# ------------------------------------------------------------------------------------------
# Ignored: datelines, mastheads, stamps, outlet names, reference points
# ------------------------------------------------------------------------------------------

IGNORED = [
    "موسكو - 30 ديسمبر (رويترز) - أجرى الرئيس الروسي فلاديمير بوتين اتصالاً هاتفياً",
    "القاهرة في 12 فبراير /أ ش أ/ بحث الرئيس الأمريكي مع نظيره الروسي",
    "واشنطن، 15 يناير (د ب أ) - تحدث الرئيس الأمريكي",
    "موسكو - 30 ديسمبر - أجرى بوتين اتصالاً",
    "آخر تحديث: الخميس 30 ديسمبر 2021 - 11:30",
    "تاريخ النشر: 30/12/2021",
    "نشر في 30 ديسمبر 2021 الساعة 10:00",
    "نشر بتاريخ 2021-12-30",
    "نشر: 30.12.2021",
    "محدث 30.12.2021 12:00",
    "Updated 30/12/2021",
    "الخميس 30 ديسمبر 2021 | 11:30",
    "٣٠ ديسمبر ٢٠٢١",
    "وقال بوتين لقناة روسيا اليوم",
    "نقلت صحيفة المصري اليوم عن مصدر",
    "ذكر موقع اليوم السابع",
    "هو أول اتصال منذ 16 يونيو",
    "لم يجر أي اتصال حتى اليوم",
    "تحدث الرئيسان قبل يوم الخميس",
    "بمناسبة اليوم الوطني",
    "عاجل | موسكو - 30 ديسمبر (رويترز) - أجرى بوتين اتصالاً",
    "بيروت - الثلثاء 28 كانون الأول 2021 - تحدث الرئيسان",
    "موسكو 30 ديسمبر (سبوتنيك) - أجرى بوتين",
]


@pytest.mark.parametrize(
    "text",
    IGNORED,
    ids=[
        "dateline-reuters",
        "dateline-mena-slashes",
        "dateline-dpa-comma",
        "dateline-dashes",
        "last-updated",
        "publication-date",
        "nushira-fi",
        "nushira-bitarikh",
        "nushira-colon",
        "muhaddath",
        "updated-english",
        "masthead-date-time",
        "masthead-eastern-digits",
        "outlet-rt",
        "outlet-masry-alyoum",
        "outlet-youm7",
        "since-reference",
        "until-today",
        "before-thursday",
        "national-day",
        "dateline-after-breaking-prefix",
        "dateline-levantine-with-weekday",
        "dateline-sputnik-no-dash",
    ],
)
def test_ignored_mentions(text):
    mentions = find_date_mentions(fold(text), THU)
    assert mentions, "the expression should still be listed"
    assert all(m.ignored for m in mentions), [m.reason for m in mentions]


def test_update_stamp_in_a_longer_text_leaves_the_real_date():
    text = "آخر تحديث: الخميس 30 ديسمبر 2021 - 11:30 أجرى بوتين أمس اتصالاً هاتفياً"
    mentions = find_date_mentions(fold(text), THU)
    assert [(m.ignored, m.value) for m in mentions] == [
        (True, D(2021, 12, 30)),
        (False, D(2021, 12, 29)),
    ]


# ------------------------------------------------------------------------------------------
# Not dates at all
# ------------------------------------------------------------------------------------------

NOT_DATES = [
    "قال الأب إن ابنه سافر",
    "هو أب لثلاثة أطفال",
    "التقى 3 آباء",
    "بلغ النمو 3.5 في المئة",
    "ضمت روسيا القرم 2014",
    "مارس بوتين ضغوطاً على كييف",
    "نشر التقرير اليومي للكرملين",
    "اجتمعت الدول الأحد عشر",
    "قالت رئيسة الوزراء تيريزا ماي",
    "باع سيارة نيسان",
    "في الساعة 23:30",
    "بلغت النسبة 12/5",
    "إلى الغد المشرق",
    "المرسوم رقم 1443",
    "لامس سعر النفط 80 دولاراً",
    "فاز الفريق 3 صفر",
]


@pytest.mark.parametrize(
    "text",
    NOT_DATES,
    ids=[
        "ab-father",
        "ab-father-of-three",
        "abaa-plural",
        "decimal",
        "year-alone",
        "maaris-verb",
        "yawmi-daily",
        "ahad-ashar-eleven",
        "theresa-may",
        "nissan-car",
        "clock-time",
        "fraction",
        "al-ghad-the-future",
        "number-like-hijri-year",
        "lamasa-verb-not-yesterday",
        "score-three-nil-not-safar",
    ],
)
def test_not_a_date(text):
    assert find_date_mentions(fold(text), THU) == []


# ------------------------------------------------------------------------------------------
# No publication date
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["تحدث الرئيسان اليوم الخميس", "تحدث الرئيسان أمس", "يتحدث الرئيسان الخميس", "في 30 ديسمبر"],
    ids=["today", "yesterday", "weekday", "day-month-without-year"],
)
def test_without_publication_date_relative_is_unpinned(text):
    mention = _one(text, None)
    assert mention.value is None
    assert "publication date is unknown" in mention.reason


def test_mentions_come_in_text_order():
    text = (
        "وكان بايدن قد هدد الخميس الماضي بعقوبات، فيما تحدث الرئيسان اليوم، وسيلتقيان في 12 فبراير"
    )
    values = [m.value for m in _live(text)]
    assert values == [D(2021, 12, 23), D(2021, 12, 30), D(2022, 2, 12)]


# ------------------------------------------------------------------------------------------
# resolve_call_date
# ------------------------------------------------------------------------------------------

RESOLVE = [
    # (sentences, call word in sentences[0] or None, tense, published, value, method, in reason)
    (
        ["أجرى الرئيس الأمريكي جو بايدن، اليوم الخميس، اتصالاً هاتفياً مع نظيره الروسي"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 30),
        "relative",
        "'اليوم الخميس'",
    ),
    (
        ["قال الكرملين اليوم إن بوتين وبايدن تحدثا هاتفياً الأسبوع الماضي"],
        "هاتفياً",
        "past",
        THU,
        None,
        "unresolved",
        "'الاسبوع الماضي'",
    ),
    (
        ["أعلن البيت الأبيض، اليوم الخميس، أن بايدن سيتحدث هاتفياً مع بوتين"],
        "هاتفياً",
        "future",
        THU,
        None,
        "unresolved",
        "announcement",
    ),
    (
        ["أعلن البيت الأبيض، اليوم الخميس، أن بايدن سيتحدث هاتفياً مع بوتين يوم السبت"],
        "هاتفياً",
        "future",
        THU,
        D(2022, 1, 1),
        "relative",
        "'يوم السبت'",
    ),
    (
        ["أعلن الكرملين، اليوم الخميس، أن بوتين أجرى اتصالاً هاتفياً مع بايدن"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 30),
        "relative",
        "clause introducing the report",
    ),
    (
        ["أجرى بايدن اليوم اتصالاً هاتفياً مع بوتين، هو الأول منذ قمة جنيف في 16 يونيو"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 30),
        "relative",
        "'اليوم'",
    ),
    (
        ["أجرى بايدن اتصالاً هاتفياً مع بوتين، وذلك بعد أسبوع من قمة جنيف"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "does not pin a day",
    ),
    (
        [
            "موسكو - 30 ديسمبر (رويترز) - أجرى بوتين اتصالاً هاتفياً مع بايدن",
            "وجرت المكالمة مساء أمس بتوقيت موسكو",
        ],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 29),
        "relative",
        "sentence 2",
    ),
    (
        ["أجرى بوتين اتصالاً هاتفياً مع بايدن", "وقال بيسكوف إن المكالمة استمرت ساعة"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "no date expression in the 2 sentences",
    ),
    (
        ["أجرى بوتين اتصالاً هاتفياً مع بايدن في فبراير", "وجرت المكالمة يوم 12 فبراير"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "'في فبراير'",
    ),
    (
        ["وكان بايدن قد هدد الخميس الماضي بعقوبات، فيما أجرى الرئيسان اتصالاً هاتفياً اليوم"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 30),
        "relative",
        "same clause",
    ),
    (
        ["وكان بايدن قد هدد الخميس الماضي بعقوبات، فيما أجرى الرئيسان اتصالاً هاتفياً مؤخراً"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "'مؤخرا'",
    ),
    (
        ["أجرى بوتين اتصالاً هاتفياً مع بايدن اليوم، فيما تحدث لافروف مع بلينكن الأسبوع الماضي"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 30),
        "relative",
        "'اليوم'",
    ),
    (
        ["تحدث بوتين مع بايدن هاتفياً أمس، بعد اتصال مماثل الثلاثاء"],
        "هاتفياً",
        "past",
        THU,
        D(2021, 12, 29),
        "relative",
        "'امس'",
    ),
    (
        ["تحدث بايدن وبوتين هاتفياً مساء الخميس"],
        "هاتفياً",
        "past",
        FRI_AFTER_MIDNIGHT,
        D(2021, 12, 30),
        "relative",
        "'مساء الخميس'",
    ),
    (
        ["تحدث بايدن وبوتين هاتفياً اليوم"],
        "هاتفياً",
        "past",
        None,
        None,
        "unresolved",
        "publication date is unknown",
    ),
    (
        ["تحدث بايدن وبوتين هاتفياً في 12 فبراير 2022"],
        "هاتفياً",
        "past",
        None,
        D(2022, 2, 12),
        "exact",
        "'12 فبراير 2022'",
    ),
    (
        ["اتصل بوتين ببايدن في 15 جمادى الأولى 1443 هـ"],
        "اتصل",
        "past",
        THU,
        D(2021, 12, 19),
        "exact",
        "Hijri",
    ),
    (
        ["أجرى بوتين أمس الأربعاء اتصالاً هاتفياً بالرئيس الأمريكي"],
        None,
        None,
        THU,
        D(2021, 12, 29),
        "relative",
        "'امس الاربعاء'",
    ),
    (
        ["آخر تحديث: 30/12/2021 أجرى بوتين اتصالاً هاتفياً مع بايدن", "وجرى الاتصال الثلاثاء"],
        "اتصالاً",
        "past",
        THU,
        D(2021, 12, 28),
        "relative",
        "sentence 2",
    ),
    (
        ["أجرى بوتين اتصالاً هاتفياً مع بايدن", "وجاءت المكالمة عشية القمة", "في 12 فبراير"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "'عشيه القمه'",
    ),
    (
        ["بعد يومين من المكالمة الهاتفية التي جرت يوم الثلاثاء 18 مارس 2025 بين الرئيسين"],
        "المكالمة",
        "past",
        dt.datetime(2025, 3, 20, 10, 0, tzinfo=MSK),
        D(2025, 3, 18),
        "exact",
        "18 مارس 2025",
    ),
    (
        ["أجرى بوتين قبل يومين اتصالاً هاتفياً مع بايدن"],
        "اتصالاً",
        "past",
        THU,
        None,
        "unresolved",
        "'قبل يومين'",
    ),
    (
        [
            "خصص البرنامج مساء أمس الثلاثاء حلقته للاتصال الهاتفي الذي أجراه ترامب ببوتين في "
            "اليوم نفسه"
        ],
        "للاتصال",
        "past",
        dt.datetime(2018, 3, 21, 10, 0, tzinfo=MSK),
        D(2018, 3, 20),
        "relative",
        "the day named before it",
    ),
]
RESOLVE_IDS = [
    "lead-today-weekday-between-commas",
    "announced-today-call-last-week",
    "scheduled-announced-today-no-call-date",
    "scheduled-with-weekday",
    "held-announced-today",
    "since-date-not-used",
    "vague-in-call-clause",
    "dateline-ignored-second-sentence",
    "no-date-anywhere",
    "vague-evidence-not-borrowed",
    "nearest-in-clause-wins",
    "vague-in-call-clause-other-date-elsewhere",
    "dated-beats-vague-in-other-clause",
    "two-calls-nearest",
    "after-midnight-bare-weekday",
    "no-publication-relative",
    "no-publication-absolute",
    "hijri",
    "no-anchor-first-dated",
    "stamp-ignored-then-later-sentence",
    "later-sentence-vague-stops",
    "interval-from-the-call-yields-to-its-date",
    "interval-alone-pins-nothing",
    "the-same-day-is-the-day-named-before",
]


@pytest.mark.parametrize(
    ("sentences", "call_word", "tense", "published", "value", "method", "in_reason"),
    RESOLVE,
    ids=RESOLVE_IDS,
)
def test_resolve_call_date(sentences, call_word, tense, published, value, method, in_reason):
    folded = [fold(s) for s in sentences]
    anchor = folded[0].index(fold(call_word)) if call_word else None
    result = resolve_call_date(folded, published, anchor, tense)
    assert isinstance(result, DateResolution)
    assert (result.value, result.method) == (value, method), result.reason
    assert in_reason in result.reason


def test_unknown_tense_is_rejected():
    with pytest.raises(ValueError, match="tense"):
        find_date_mentions(fold("تحدث الرئيسان الخميس"), THU, "present")


def test_resolve_with_no_sentences():
    result = resolve_call_date([], THU)
    assert result == DateResolution(None, "unresolved", "no sentence about the call")


def test_every_date_family_needs_its_trigger() -> None:
    """find_date_mentions skips a family whose trigger words are absent: on every title and
    sentence of the dev corpus, no family matches where its trigger does not."""
    from tests.eval_gate import load_corpus
    from transforms.dates import _FAMILIES, _TRIGGERS

    matched = 0
    for item in load_corpus():
        for text in [item.get("title") or "", *item["text"].split("\n")]:
            folded = fold(text)
            for name, pattern, _ in _FAMILIES:
                hits = [m for m in pattern.finditer(folded) if m.end() > m.start()]
                if hits:
                    matched += 1
                    assert _TRIGGERS[name].search(folded), (name, hits[0].group(0))
    assert matched > 500


def test_the_same_day_is_the_day_named_before() -> None:
    text = fold("قال ترامب مساء الخميس إنه تحدث مع بوتين في وقت سابق من اليوم نفسه.")
    published = dt.datetime(2025, 7, 4, 8, 0, tzinfo=dt.UTC)
    values = [m.value for m in find_date_mentions(text, published, "past")]
    assert values == [dt.date(2025, 7, 3), dt.date(2025, 7, 3)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("في ال12 من فبراير (شباط) 2022، تحدث الرئيسان عبر الهاتف", D(2022, 2, 12)),
        ("وفي ال3 من مارس، أجرى الرئيسان اتصالا", D(2022, 3, 3)),
    ],
    ids=["the-article-before-the-day-and-a-gloss", "the-article-before-the-day-no-year"],
)
def test_a_day_with_the_article_is_a_calendar_date(text: str, value: dt.date) -> None:
    got = [m for m in find_date_mentions(fold(text), THU) if not m.ignored]
    assert [(m.value, m.method) for m in got] == [(value, "exact")]
