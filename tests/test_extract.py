"""Field extraction: status, date, requester, source, medium, duration, evidence offsets."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.records import Article
from transforms.extract import analyze_article, article_from_json

CAIRO = dt.timezone(dt.timedelta(hours=2))
THURSDAY = dt.date(2021, 12, 30)


def run(lexicon, text: str, day: dt.date = THURSDAY, title: str | None = None):  # type: ignore[no-untyped-def]
    published = dt.datetime(day.year, day.month, day.day, 15, 0, tzinfo=CAIRO)
    return analyze_article(lexicon, Article("t", "u", "o", None, title, text, published, None))[1]


CASES = [
    # text, status, call_date, requested_by, source_side, medium
    (
        "أعلن الكرملين أن الرئيس بوتين سيجري اتصالا هاتفيا مع نظيره الأمريكي بايدن مساء اليوم.",
        "scheduled",
        "2021-12-30",
        None,
        "russia",
        "phone",
    ),
    (
        "تحدث الرئيس الأمريكي بايدن هاتفيا أمس الأربعاء مع بوتين بناءً على طلب الجانب الروسي، بحسب البيت الأبيض.",
        "held",
        "2021-12-29",
        "russia",
        "us",
        "phone",
    ),
    (
        "تلقى الرئيس بوتين اتصالا هاتفيا من نظيره الأمريكي بايدن، وفق ما ذكرت الرئاسة الروسية.",
        "held",
        None,
        "us",
        "russia",
        "phone",
    ),
    (
        "اقترح الرئيس الروسي بوتين إجراء مكالمة هاتفية مع نظيره الأمريكي بايدن يوم الجمعة.",
        "requested",
        None,
        "russia",
        None,
        "phone",
    ),
    (
        "أجرى الرئيس الأمريكي بايدن اتصالا هاتفيا بنظيره الروسي بوتين في 12 فبراير 2022.",
        "held",
        "2022-02-12",
        "us",
        None,
        "phone",
    ),
    (
        "عقد الرئيسان بايدن وبوتين قمة افتراضية عبر تقنية الفيديو يوم 7 ديسمبر.",
        "held",
        "2021-12-07",
        None,
        None,
        "video",
    ),
    (
        "ذكرت وكالة رويترز أن الرئيسين بايدن وبوتين تحدثا هاتفيا الثلثاء.",
        "held",
        "2021-12-28",
        None,
        "other",
        "phone",
    ),
    (
        "بعد يومين من المكالمة الهاتفية التي جرت يوم الثلاثاء 28 ديسمبر بين الرئيس الأمريكي بايدن ونظيره الروسي بوتين، تبادلت موسكو وكييف الاتهامات.",
        "held",
        "2021-12-28",
        None,
        None,
        "phone",
    ),
    (
        "أعلن الكرملين انتهاء القمة الافتراضية التي جمعت الرئيس الروسي بوتين ونظيره الأمريكي بايدن عبر تقنية الفيديو، اليوم الخميس.",
        "held",
        "2021-12-30",
        None,
        "russia",
        "video",
    ),
    (
        "بوتين يقترح على بايدن محادثة هاتفية مباشرة الجمعة.",
        "requested",
        None,
        "russia",
        None,
        "phone",
    ),
    (
        "قال بايدن صباح الخميس إنه سيتحدث مع الرئيس بوتين. وبعد ساعات أعلن الكرملين أن المحادثة "
        "الهاتفية بين الرئيسين جرت بالفعل.",
        "held",
        "2021-12-30",
        None,
        "us",
        "phone",
    ),
    (
        "اقترح الرئيس الروسي بوتين، اليوم الخميس، على نظيره الأمريكي بايدن إجراء محادثة مباشرة بينهما عبر الفيديو تبث على الهواء، وذلك ردا على وصف بايدن له بالقاتل.",
        "requested",
        None,
        "russia",
        None,
        "video",
    ),
]


@pytest.mark.parametrize(
    ("text", "status", "date", "requester", "source", "medium"),
    CASES,
    ids=[
        "scheduled-today",
        "held-yesterday-at-request",
        "received-from",
        "requested-no-date",
        "called-absolute-date",
        "video-summit",
        "agency-lebanese-tuesday",
        "interval-then-the-date",
        "kremlin-announced-the-end",
        "present-tense-proposal",
        "announced-then-held",
        "the-lead-verb-governs",
    ],
)
def test_fields(lexicon, text, status, date, requester, source, medium) -> None:  # type: ignore[no-untyped-def]
    day = {"2022": dt.date(2022, 2, 13), "7 ديسمبر": dt.date(2021, 12, 8)}
    ex = run(lexicon, text, day=next((d for k, d in day.items() if k in text), THURSDAY))
    assert ex.is_call_report, ex.reason
    got = ex.to_json("t")
    assert (
        got["call_status"],
        got["call_date"],
        got["requested_by"],
        got["source_side"],
        got["medium"],
    ) == (status, date, requester, source, medium)


def test_a_topic_before_the_colon_of_a_title_is_no_source(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "لم تحمل المكالمة الهاتفية بين الرئيس الأميركي بايدن ونظيره الروسي بوتين أمس أي اختراق."
    ex = run(lexicon, text, title="مكالمة بايدن – بوتين: ساعة من التحذيرات")
    assert ex.is_call_report and ex.source_side is None
    ex = run(lexicon, text, title="بايدن لبوتين: الغزو سيقابل برد حاسم")
    assert ex.source_side == "us"  # who speaks before the colon is the source


def test_status_and_date_from_a_follow_up_sentence(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قال البيت الأبيض إن الرئيس بايدن أثار مع نظيره الروسي بوتين، خلال أول اتصال هاتفي "
        "بينهما، عدة قضايا.\nوقالت ساكي إن بايدن أوضح خلال المكالمة التي جرت الأربعاء موقفه."
    )
    ex = run(lexicon, text)
    assert (ex.call_status, str(ex.call_date)) == ("held", "2021-12-29")


def test_the_subject_of_a_purpose_verb_made_the_call(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قطع الرئيس الأمريكي جو بايدن، مساء أمس الأربعاء، اجتماعه مع الرئيس الفرنسي، ليتصل "
        "هاتفيا بالرئيس الروسي بوتين."
    )
    ex = run(lexicon, text)
    assert ex.is_call_report and ex.requested_by == "us"


def test_status_from_the_next_sentence_about_the_call(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "بوتين وترامب يتحادثان هاتفيا في ذكرى الانتصار\nأجرى الرئيس الروسي بوتين ونظيره الأمريكي "
        "ترامب اليوم الخميس اتصالا هاتفيا."
    )
    ex = run(lexicon, text, day=dt.date(2020, 5, 7))
    assert (ex.call_status, str(ex.call_date)) == ("held", "2020-05-07")


def test_mojibake_in_extract_input_is_repaired(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "أجرى الرئيس بوتين اليوم اتصالا هاتفيا مع نظيره الأمريكي بايدن."
    broken = text.encode("utf-8").decode("cp1256", errors="replace")
    art = article_from_json({"id": "m", "text": broken, "published": "2021-12-30"})
    assert art.text == text
    ex = analyze_article(lexicon, art)[1]
    assert ex.is_call_report and ex.evidence[0].text == text


def test_duration_and_evidence_offsets(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قال الكرملين إن الرئيسين تحدثا هاتفيا اليوم.\n"
        "وأجرى بوتين اتصالاً هاتفياً مطولاً مع بايدن، واستمرت المكالمة ساعتين."
    )
    ex = run(lexicon, text)
    assert ex.evidence[0].text == text[ex.evidence[0].start : ex.evidence[0].end]
    assert ex.evidence[0].start == 0
    assert ex.duration_minutes == 120
    assert ex.source_text == "الكرملين"


def test_negative_line_is_all_null(lexicon) -> None:  # type: ignore[no-untyped-def]
    ex = run(lexicon, "ارتفعت أسعار الذهب اليوم الخميس.")
    line = ex.to_json("gold")
    assert line["is_call_report"] is False
    assert all(
        line[k] is None for k in ("us_leader", "call_status", "call_date", "evidence", "topics")
    )
    assert 0.0 <= line["confidence"] < 0.1


@pytest.mark.parametrize(
    ("obj", "error"),
    [
        ([], "JSON object"),
        ({"id": "x", "text": 5}, "'text'"),
        ({"id": "x", "text": "a", "published": "soon"}, "isoformat"),
    ],
    ids=["not-an-object", "text-not-string", "bad-date"],
)
def test_bad_input_lines_raise_value_error(obj, error: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=error):
        article_from_json(obj)


def test_a_headline_repeated_as_the_first_line_is_not_the_evidence(lexicon) -> None:  # type: ignore[no-untyped-def]
    title = "بوتين يتصل ببايدن ويبحثان اقتراحا لتهدئة الأزمة"
    text = (
        f"{title}\nواشنطن - وكالات\nأعلن البيت الأبيض أن الرئيس الروسي بوتين اتصل بالرئيس "
        "بايدن مساء أمس الأربعاء لمناقشة اقتراح أمريكي."
    )
    ex = run(lexicon, text, title=title)
    assert (ex.call_status, str(ex.call_date), ex.requested_by) == ("held", "2021-12-29", "russia")


def test_the_maghrebi_may_is_a_month_not_a_prime_minister(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "وصف ترامب المكالمة الهاتفية التي أجراها أمس الجمعة 3 ماي مع نظيره الروسي بوتين بالجيدة."
    ex = run(lexicon, text, day=dt.date(2019, 5, 4))
    assert ex.is_call_report, ex.reason
    assert str(ex.call_date) == "2019-05-03"


def test_the_day_an_interview_was_published_is_not_the_call_date(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قال ترامب في مقابلة مع صحيفة أمريكية نشرت أمس الأربعاء إنه تحدث مع نظيره الروسي "
        "بوتين عبر الهاتف، من دون أن يحدد موعد المكالمة."
    )
    ex = run(lexicon, text, day=dt.date(2025, 2, 13))
    assert ex.is_call_report and ex.call_date is None


def test_a_live_blog_entry_names_its_source_and_its_day(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "تغطية مستمرة\n16:40 الكرملين: المحادثة الهاتفية بين الرئيس بوتين ونظيره الأمريكي "
        "ترامب بدأت قبل قليل.\n17:55 ترامب على منصته: «اتصلت بالرئيس بوتين وكانت المكالمة "
        "جيدة جدا»."
    )
    ex = run(lexicon, text, day=dt.date(2025, 3, 18))
    assert (ex.source_side, str(ex.call_date), ex.requested_by) == ("russia", "2025-03-18", "us")
    # an entry stamped before the page opened may be the next day's: no day is read from it
    early = text.replace("16:40", "09:40").replace("17:55", "10:15")
    assert run(lexicon, early, day=dt.date(2025, 3, 18)).call_date is None
    # unless the page's time is its last update: its stamps run forward to the last one, at
    # most an hour before the page's time (writer54's live blogs)
    for stamps, page, want in [
        (("09:40", "10:15"), (10, 40), "2025-03-18"),
        (("9:40 صباحا", "1:15 بعد الظهر"), (13, 40), "2025-03-18"),
        (("09:40", "10:15"), (12, 40), None),  # the last entry long before: the page opened
        (("23:40", "00:15"), (0, 40), None),  # past midnight: the first entry's day is unsure
    ]:
        blog = text.replace("16:40", stamps[0]).replace("17:55", stamps[1])
        published = dt.datetime(2025, 3, 18, *page, tzinfo=CAIRO)
        art = Article("t", "u", "o", None, None, blog, published, None)
        got = analyze_article(lexicon, art)[1].call_date
        assert (str(got) if got else None) == want, (stamps, page)


def test_who_called_told_further_down(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "أجرى الرئيس الروسي بوتين اتصالا هاتفيا مع نظيره الأمريكي ترامب اليوم الخميس.\n"
        "وقال أوشاكوف إن المكالمة استمرت ساعة.\nوأضاف أن الرئيسين بحثا الملف الأوكراني.\n"
        "وكتب ترامب لاحقا على منصته أن بوتين اتصل به ليهنئه."
    )
    assert run(lexicon, text, day=dt.date(2025, 6, 12)).requested_by == "russia"


@pytest.mark.parametrize(
    ("subject", "side"),
    [
        ("المستشار الألماني ميرتس", "other"),
        ("الرئاسة التركية", "other"),
        ("دبلوماسي أوروبي", "other"),
        ("وكالة «تاس» نقلا عن الكرملين", "russia"),
    ],
    ids=["foreign-leader", "foreign-presidency", "diplomat", "agency-citing-the-kremlin"],
)
def test_third_parties_and_media_citing_a_side_as_sources(lexicon, subject: str, side: str) -> None:  # type: ignore[no-untyped-def]
    text = f"قال {subject} إن الرئيس ترامب اتصل بالرئيس بوتين مساء أمس الأربعاء."
    if subject.startswith("وكالة"):
        text = f"اتصل الرئيس ترامب بالرئيس بوتين مساء أمس الأربعاء، وفق ما ذكرته {subject}."
    ex = run(lexicon, text, day=dt.date(2025, 8, 21))
    assert ex.is_call_report and ex.source_side == side


def test_a_postponed_call_is_scheduled_only_with_a_new_day(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قال بيسكوف اليوم إن المحادثة الهاتفية التي كان ينتظر أن تجري بين بوتين وترامب "
        "أرجئت، وإنها ستجري يوم الأربعاء."
    )
    ex = run(lexicon, text, day=dt.date(2025, 6, 2))
    assert (ex.call_status, str(ex.call_date)) == ("scheduled", "2025-06-04")
    ex = run(lexicon, text.replace("، وإنها ستجري يوم الأربعاء", ""), day=dt.date(2025, 6, 2))
    assert (ex.call_status, ex.call_date) == ("unknown", None)


def test_the_calls_own_relative_clause_dates_it(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "كشف أوشاكوف اليوم الجمعة تفاصيل عن المكالمة الهاتفية التي أجراها الرئيس بوتين مع "
        "نظيره الأمريكي ترامب أول من أمس."
    )
    ex = run(lexicon, text, day=dt.date(2025, 6, 6))
    assert ex.is_call_report, ex.reason
    assert str(ex.call_date) == "2025-06-04"


def test_a_preposition_glued_to_its_source(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "أجرى الرئيس ترامب اليوم اتصالا هاتفيا مع نظيره الروسي بوتين، وفقا لبيان صادر عن "
        "البيت الأبيض.\nوقال الكرملين إن المكالمة استمرت ساعتين."
    )
    assert run(lexicon, text, day=dt.date(2025, 3, 18)).source_side == "us"


def test_a_goodwill_gesture_initiates_no_call(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "أعلن الكرملين اليوم أن الرئيس بوتين بحث خلال اتصال هاتفي مع نظيره الأمريكي ترامب "
        "وقف الضربات.\nوقال البيان إن المحادثة استمرت ساعتين.\nوأضاف أن روسيا ستسلم 23 "
        "جنديا كـ«بادرة حسن نية»."
    )
    assert run(lexicon, text, day=dt.date(2025, 3, 18)).requested_by is None


def test_a_live_blog_entry_with_a_half_day_marker(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "تغطية مباشرة\n12:20 ص — الرئيس الأمريكي دونالد ترامب يكتب على منصته: «في ختام "
        "الاجتماعات، اتصلت بالرئيس بوتين وبدأت الترتيبات للقاء»."
    )
    published = dt.datetime(2025, 8, 19, 2, 40, tzinfo=CAIRO)
    art = Article("t", "u", "o", None, None, text, published, None)
    ex = analyze_article(lexicon, art)[1]
    assert (ex.source_side, ex.requested_by) == ("us", "us")
    # "12:20 ص" is twenty past midnight, before the page opened at 02:40: it pins no day
    assert ex.call_date is None


def test_a_call_the_report_says_may_not_have_happened_is_unknown(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "قال الرئيس ترامب اليوم إنه تحدث هاتفيا مع نظيره الروسي بوتين.\nوقال بيسكوف: «لا "
        "يمكنني تأكيد ذلك أو نفيه»."
    )
    ex = run(lexicon, text, day=dt.date(2025, 2, 10))
    assert ex.call_status == "held"  # a spokesman's "neither confirm nor deny" is not enough
    more = "\nولم يتضح متى جرت المكالمة، ولا ما إذا كانت قد جرت بالفعل."
    ex = run(lexicon, text + more, day=dt.date(2025, 2, 10))
    assert (ex.call_status, ex.call_date) == ("unknown", None)


def test_the_subject_of_a_coordinated_verb_made_the_call(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "قال أوشاكوف إن الرئيسين بوتين وترامب أجريا محادثة هاتفية مساء أمس الاثنين."
    title = "ترامب يقطع اجتماعه مع القادة الأوروبيين ويتصل ببوتين"
    assert run(lexicon, text, day=dt.date(2025, 8, 19), title=title).requested_by == "us"


@pytest.mark.parametrize(
    ("text", "requester"),
    [
        ("أعلن أوباما أمس الجمعة اتفاقا تم خلال اتصال هاتفي أجراه أوباما بميدفيديف.", "us"),
        (
            "قال الرئيس أوباما إنه بحث، خلال اتصال هاتفي أجراه أمس الجمعة مع نظيره الروسي "
            "ميدفيديف، بنود المعاهدة.",
            None,
        ),
        (
            "كشفت صحيفة أن الرئيس أوباما تجاهل تعليمات مستشاريه عندما اتصل بنظيره الروسي "
            "ميدفيديف أمس الجمعة.",
            "us",
        ),
    ],
    ids=["made-by-then-whom", "made-with-names-no-caller", "when-he-called"],
)
def test_who_made_the_call_after_the_call_noun(lexicon, text: str, requester: str | None) -> None:  # type: ignore[no-untyped-def]
    ex = run(lexicon, text, day=dt.date(2010, 3, 27))
    assert ex.is_call_report, ex.reason
    assert ex.requested_by == requester


def test_an_announced_call_told_as_under_way_is_held(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "قال الكرملين إن الرئيس بوتين سيجري اتصالا هاتفيا مع نظيره الأمريكي ترامب اليوم"
    ex = run(lexicon, text + ".", day=dt.date(2025, 5, 19))
    assert ex.call_status == "scheduled"
    ex = run(lexicon, text + "، وقد بدأ الاتصال قبل قليل.", day=dt.date(2025, 5, 19))
    assert (ex.call_status, str(ex.call_date)) == ("held", "2025-05-19")


# One report, the fields it settles: (text, publication day, expected fields). Every case
# failed before the rule its id names, except three guards that check the rule goes no further
# (a medium citing no side stays "other"; the call's own relative clause still dates it; an
# invitation to visit made in a call leaves the call held).
_TRUMP_FEB_2025 = dt.date(2025, 2, 13)
_NAMED_SIDE = "إن الرئيس ترامب أجرى اتصالا هاتفيا مع نظيره الروسي بوتين أمس الأربعاء."
FIELD_CASES = [
    pytest.param(
        "تتواصل ردود الفعل على المكالمة الهاتفية التي أعلن عنها الرئيس الأمريكي دونالد ترامب "
        "أمس الأربعاء مع نظيره الروسي فلاديمير بوتين.",
        _TRUMP_FEB_2025,
        {"source_side": "us", "call_date": "2025-02-12"},
        id="announced-by-with-counterpart-is-source",
    ),
    pytest.param(
        "تحدث الرئيس الأمريكي ترامب مع نظيره الروسي بوتين هاتفيا أمس الأربعاء.\n"
        "وقال الرئيس الأوكراني زيلينسكي إن ترامب اتصل به بعد انتهاء محادثته مع بوتين.",
        _TRUMP_FEB_2025,
        {"requested_by": None},
        id="later-call-with-someone-else-names-no-requester",
    ),
    pytest.param(
        "نقلت صحيفة نيويورك بوست عن الرئيس الأميركي دونالد ترمب قوله " + _NAMED_SIDE,
        _TRUMP_FEB_2025,
        {"source_side": "us"},
        id="medium-cites-the-president",
    ),
    pytest.param(
        "نقلت وكالة إنترفاكس عن الكرملين " + _NAMED_SIDE,
        _TRUMP_FEB_2025,
        {"source_side": "russia"},
        id="medium-cites-the-kremlin",
    ),
    pytest.param(
        "نقلت وكالة إنترفاكس عن مصادر مطلعة " + _NAMED_SIDE,
        _TRUMP_FEB_2025,
        {"source_side": "other"},
        id="medium-cites-no-side",
    ),
    pytest.param(
        "أعلن الكرملين اليوم السبت أن الرئيس بوتين أجرى اتصالا هاتفيا مع نظيره الأمريكي ترامب، "
        "هو الأول بينهما منذ تولي ترامب مهامه رسميا يوم 20 يناير الجاري.",
        dt.date(2017, 1, 28),
        {"call_date": "2017-01-28"},
        id="date-after-since-is-not-the-calls",
    ),
    pytest.param(
        "أعلن الرئيس الأمريكي دونالد ترامب، أمس الثلاثاء، أنه أجرى اتصالا هاتفيا بنظيره "
        "الروسي فلاديمير بوتين لتهنئته بفوزه.",
        dt.date(2018, 3, 21),
        {"requested_by": "us", "call_date": "2018-03-20"},
        id="he-who-says-he-made-it-asked",
    ),
    pytest.param(
        "أعلن الكرملين أمس الثلاثاء أن الرئيس بوتين تلقى اتصالا هاتفيا من نظيره الأمريكي ترامب "
        "هنأه فيه بالفوز في الانتخابات التي جرت يوم 18 مارس.",
        dt.date(2018, 3, 21),
        {"call_date": "2018-03-20"},
        id="date-in-another-events-clause-is-not-the-calls",
    ),
    pytest.param(
        "أعلن الكرملين اليوم تفاصيل المكالمة الهاتفية التي جرت يوم 18 مارس بين بوتين وترامب.",
        dt.date(2018, 3, 21),
        {"call_date": "2018-03-18"},
        id="the-calls-own-clause-still-dates-it",
    ),
    pytest.param(
        "ذكرت صحيفة بيلد مساء اليوم الاثنين أن الرئيس ترامب قطع اجتماعه مع القادة الأوروبيين "
        "ليتصل بالرئيس الروسي بوتين، وأن الاتصال جار في هذه الأثناء.",
        dt.date(2025, 8, 18),
        {"call_status": "held", "call_date": "2025-08-18"},
        id="a-call-under-way-is-held",
    ),
    pytest.param(
        "قال الرئيس ترامب للصحافيين اليوم: «سأتحدث مع الرئيس بوتين هاتفيا الأسبوع المقبل».",
        dt.date(2025, 12, 4),
        {"call_status": "scheduled", "source_side": "us"},
        id="i-will-speak-is-scheduled",
    ),
    pytest.param(
        "قال البيت الأبيض، اليوم /الثلاثاء/، إن الرئيس بايدن أجرى اتصالا هاتفيا بنظيره الروسي "
        "بوتين، اقترح خلاله عقد قمة بينهما خلال الأشهر المقبلة.",
        dt.date(2021, 4, 13),
        {"call_date": "2021-04-13"},
        id="a-vague-future-in-a-held-calls-sentence-is-not-its-date",
    ),
    pytest.param(
        "ذكر الكرملين في بيان، مساء الاثنين، أن الرئيس الروسي تلقى اتصالا هاتفيا من نظيره "
        "الأمريكي، بحثا خلاله الفكرة التي طرحها سيد البيت الأبيض مطلع الأسبوع.",
        dt.date(2020, 6, 1),
        {"call_date": "2020-06-01"},
        id="another-events-clause-with-a-suffixed-verb",
    ),
    pytest.param(
        "أكدت المتحدثة باسم البيت الأبيض أن الرئيس ترامب يجري حاليا مكالمة هاتفية مع الرئيس "
        "الروسي بوتين.",
        dt.date(2025, 10, 16),
        {"call_status": "held", "call_date": "2025-10-16"},
        id="going-on-now-is-the-publication-day",
    ),
    pytest.param(
        "أعلن البيت الأبيض أن الرئيس بايدن سيتحدث هاتفيا غدا مع نظيره الروسي بوتين، بطلب من "
        "هذا الأخير.",
        dt.date(2021, 12, 29),
        {"requested_by": "russia", "call_status": "scheduled"},
        id="at-the-request-of-the-latter",
    ),
    pytest.param(
        "أعلن الكرملين أن الرئيس بوتين اتصل اليوم الأحد بنظيره الأمريكي ترامب وشكره.\n"
        "وهذا ثاني اتصال بين الرئيسين خلال أيام، إذ تحادثا هاتفيا يوم الخميس الماضي بمبادرة "
        "من ترامب.",
        dt.date(2017, 12, 17),
        {"requested_by": "russia"},
        id="the-evidence-wording-before-a-later-cue-about-another-call",
    ),
    pytest.param(
        "أعلن الكرملين أن الرئيس بوتين سيجري اليوم السبت مكالمة هاتفية مع نظيره الأمريكي "
        "بايدن، بعدما طلب الجانب الأمريكي تقديم موعدها.",
        dt.date(2022, 2, 12),
        {"requested_by": "us", "call_status": "scheduled"},
        id="who-asked-to-move-it-asked-for-it",
    ),
    pytest.param(
        "أعلن الرئيس ترامب مساء أمس أنه أجرى اتصالا هاتفيا مطولا مع نظيره الروسي بوتين.\n"
        "وقال بيسكوف إن المحادثة استمرت ساعة ونصف.\nمحطات في اتصالات البيت الأبيض والكرملين\n"
        "- 30 ديسمبر 2021: مكالمة هاتفية جرت بطلب من بوتين.",
        dt.date(2025, 2, 13),
        {"requested_by": None},
        id="a-timeline-below-names-no-requester",
    ),
    pytest.param(
        "قال الرئيس ترامب للصحفيين مساء الاثنين إنه تحدث هاتفيا مع نظيره الروسي بوتين، من دون "
        "أن يحدد متى جرى ذلك.",
        dt.date(2026, 9, 8),
        {"call_date": None},
        id="the-day-left-untold-is-no-date",
    ),
    pytest.param(
        "تحادث الرئيس الروسي بوتين ونظيره الأمريكي ترامب هاتفيا الأحد، في اتصال بادر إليه "
        "الرئيس الروسي، كما أعلن الكرملين.",
        dt.date(2017, 12, 18),
        {"source_side": "russia"},
        id="as-the-kremlin-announced-after-the-call",
    ),
    pytest.param(
        "رحبت الحكومة الألمانية اليوم بالتعاون بين موسكو وواشنطن.\nوكان الكرملين قد أعلن أن "
        "الرئيس بوتين اتصل أمس الأحد بنظيره الأمريكي ترامب ليشكره.",
        dt.date(2017, 12, 18),
        {"source_side": "russia"},
        id="the-kremlin-had-announced",
    ),
    pytest.param(
        "قال الرئيس ترامب إنه تحدث هاتفيا مع الرئيس بوتين.\nولم يتضح حتى الآن ما إذا كان الاتصال "
        "الذي تحدث عنه ترامب قد جرى فعلا.",
        dt.date(2025, 2, 10),
        {"call_status": "unknown"},
        id="not-known-whether-it-took-place",
    ),
    pytest.param(
        "صورة وزعها البيت الأبيض للرئيس أوباما يتحدث هاتفيا مع الرئيس بوتين، السبت 1 مارس 2014.",
        dt.date(2014, 3, 2),
        {"call_status": "held", "call_date": "2014-03-01"},
        id="a-photo-caption-shows-it-held",
    ),
    pytest.param(
        "قال الرئيس ترمب إنه تحدث مع الرئيس بوتين بشأن الحرب.\nوقال بيسكوف إنه لا يستطيع تأكيد "
        "ذلك، ما يترك مسألة حدوث المكالمة غامضة.",
        dt.date(2025, 2, 10),
        {"call_status": "unknown"},
        id="left-unclear-whether-it-happened",
    ),
    pytest.param(
        'كتب الرئيس ترامب مساء الاثنين: "just completed my two hour call with president putin".',
        dt.date(2025, 5, 20),
        {"call_status": "held"},
        id="just-completed-in-english",
    ),
    pytest.param(
        "قال بيسكوف اليوم إن الجانب الروسي طلب ترتيب اتصال هاتفي بين الرئيس بوتين والرئيس ترامب.",
        dt.date(2026, 3, 10),
        {"call_status": "requested", "requested_by": "russia"},
        id="asked-to-arrange-is-requested",
    ),
    pytest.param(
        "صورة نشرها البيت الأبيض للرئيس بايدن وهو يشارك في اجتماع عبر الفيديو مع نظيره الروسي "
        "بوتين، الثلاثاء 7 ديسمبر 2021.",
        dt.date(2021, 12, 8),
        {"source_side": "us", "medium": "video"},
        id="who-gave-out-the-photo-is-the-source",
    ),
    pytest.param(
        "قال البيت الأبيض إن الرئيس الأمريكي أوباما تحدث، الخميس، مع نظيره الروسي بوتين.",
        dt.date(2015, 6, 25),
        {"call_date": "2015-06-25", "source_side": "us"},
        id="spoke-comma-day-comma-with",
    ),
    pytest.param(
        "قال البيت الأبيض إن الرئيس بايدن اقترح خلال اتصال هاتفي أجراه اليوم /الثلاثاء/ مع نظيره "
        "الروسي بوتين عقد لقاء قمة بينهما في دولة ثالثة.",
        dt.date(2021, 4, 13),
        {"call_status": "held", "call_date": "2021-04-13", "requested_by": None},
        id="a-proposal-made-during-the-call",
    ),
    pytest.param(
        "قال الرئيس ترمب إنه تحدث مع نظيره الروسي بوتن عبر الهاتف.\nوبذلك يبقى غير واضح ما إذا "
        "كان الرئيسان قد تحادثا فعلا.",
        dt.date(2025, 2, 10),
        {"call_status": "unknown"},
        id="still-unclear-whether-they-spoke",
    ),
    pytest.param(
        "دعا الرئيس الروسي فلاديمير بوتين، الخميس، نظيره الأمريكي جو بايدن إلى مواصلة النقاش "
        "بينهما في محادثة مباشرة عبر الفيديو تبث على الهواء.",
        dt.date(2021, 3, 18),
        {"call_status": "requested", "requested_by": "russia", "call_date": None},
        id="invited-to-go-on-talking-in-a-call-is-requested",
    ),
    pytest.param(
        "قال الكرملين إن الرئيس ترامب دعا نظيره الروسي بوتين إلى زيارة واشنطن في اتصال هاتفي "
        "أجراه معه أمس الأربعاء.",
        _TRUMP_FEB_2025,
        {"call_status": "held", "call_date": "2025-02-12"},
        id="an-invitation-to-visit-made-in-a-call-is-held",
    ),
    pytest.param(
        "اقترح الرئيس الروسي بوتين أمس أن يجري الرجلان محادثة مباشرة عبر الفيديو مع نظيره "
        "الأمريكي بايدن.",
        dt.date(2021, 3, 19),
        {"call_status": "requested", "call_date": None},
        id="proposed-that-they-hold-a-call-is-requested",
    ),
    pytest.param(
        "أعلن أوشاكوف أن الرئيس بوتين ونظيره الأمريكي ترامب سيجريان محادثة عبر تقنية الفيديو "
        "بعد غد الجمعة، بناء على اقتراح من الجانب الأمريكي.",
        dt.date(2026, 3, 4),
        {"call_status": "scheduled", "requested_by": "us", "call_date": "2026-03-06"},
        id="on-a-proposal-of-the-us-side",
    ),
    pytest.param(
        "أعلن البيت الأبيض أن الرئيس الأميركي دونالد ترامب بدأ، السبت، اتصالا هاتفيا مع الرئيس "
        "الروسي فلاديمير بوتين من المكتب البيضاوي.",
        dt.date(2017, 1, 28),
        {"call_status": "held", "call_date": "2017-01-28"},
        id="began-a-call-is-held",
    ),
    pytest.param(
        "أعلن الكرملين أن الرئيس بوتين سيجري محادثة هاتفية مع نظيره الأمريكي بايدن اليوم السبت.\n"
        "وقال أوشاكوف إن الجانب الأمريكي طلب إجراء المحادثة يوم الاثنين، إلا أن موسكو اقترحت "
        "تقديم موعدها.",
        dt.date(2022, 2, 12),
        {"call_status": "scheduled", "requested_by": "us", "call_date": "2022-02-12"},
        id="the-side-that-asked-to-hold-the-talk",
    ),
    pytest.param(
        "قال الرئيس الأميركي دونالد ترمب إنه تحدث هاتفيا مع الرئيس الروسي فلاديمير بوتين، السبت.\n"
        "ولم يتضح متى جرت المحادثة منذ عودة ترمب إلى البيت الأبيض في 20 يناير (كانون الثاني)، "
        "ولا ما إذا كانت قد جرت فعلا.",
        dt.date(2025, 2, 10),
        {"call_status": "unknown", "call_date": None},
        id="unclear-when-and-whether-over-a-long-clause",
    ),
    pytest.param(
        "قال الرئيس ترمب إنه تحدث هاتفيا مع الرئيس الروسي بوتين.\nوقال بيسكوف إنه «لا يستطيع "
        "تأكيد أو نفي» ما ذكره ترمب.",
        dt.date(2025, 2, 10),
        {"call_status": "unknown"},
        id="the-other-side-can-neither-confirm-nor-deny",
    ),
    pytest.param(
        'قال الرئيس الأمريكي دونالد ترامب إنه سيتصل بالرئيس الروسي فلاديمير بوتين "خلال الأيام '
        'القليلة المقبلة" لمناقشة مستقبل معاهدة نيو ستارت، آخر معاهدة للحد من الأسلحة النووية '
        "بين البلدين، والتي ينتهي سريانها يوم الخميس.",
        dt.date(2026, 2, 2),
        {"call_status": "scheduled", "call_date": None},
        id="another-events-day-does-not-beat-a-vague-one",
    ),
]


@pytest.mark.parametrize(("text", "day", "want"), FIELD_CASES)
def test_fields_of_one_report(
    lexicon, text: str, day: dt.date, want: dict[str, str | None]
) -> None:  # type: ignore[no-untyped-def]
    got = run(lexicon, text, day=day).to_json("t")
    assert got["is_call_report"], got["reason"]
    assert {k: got[k] for k in want} == want


def test_headline_video_summit_dated_around_the_bodys_call_word(lexicon) -> None:  # type: ignore[no-untyped-def]
    """ "قمته المرئية" (his video summit) is a video call; under a headline the body sentence
    that names the call is read around its call word: Tuesday, not the day Biden spoke."""
    got = run(
        lexicon,
        "قال الرئيس الأميركي جو بايدن اليوم الأربعاء إنه حذر نظيره الروسي فلاديمير بوتين، خلال "
        "الاجتماع الذي عقداه عبر الفيديو أمس الثلاثاء، من عقوبات قاسية.",
        day=dt.date(2021, 12, 8),
        title="بايدن بعد قمته المرئية مع بوتين: العقوبات جاهزة",
    ).to_json("t")
    assert got["is_call_report"], got["reason"]
    assert (got["medium"], got["call_date"]) == ("video", "2021-12-07")
