"""DetectCalls: NormalizedArticle -> (NormalizedArticle, Detection).

A call report is an article in which a call between the *sitting* US and Russian presidents is
a reported event. Detection reasons sentence by sentence, at the level of the call expression:

1. find every call expression (``اتصال هاتفي``, ``هاتفيا``, ``يهاتف``, ``تلقى اتصالا من``, a video
   form...), dropping look-alikes (``مداخلة هاتفية``, ``رقم هاتف``, ``الخط الساخن``);
2. find its *parties*: the nearest group of people before it (the subject, possibly coordinated:
   "بايدن ونظيره الروسي بوتين") and the nearest after it (the object: "مع نظيره الروسي", "من
   ترامب", "بين الرئيسين"). A call counts only when its parties are the two presidents — a named
   aide (Rubio, Lavrov, Witkoff), another head of state (Erdogan, Zelensky) or a counterpart of an
   aide takes the call away from them;
3. resolve each president by date: a name must be in office on the reference date (the call date
   if stated, else the publication date), a title means whoever was; "المنتخب" near the US side
   marks a president-elect, which is no president;
4. drop negated calls (``لا توجد خطط``, ``نفى``, ``لم يجر أي اتصال``) and calls mentioned only as
   background late in an article about something else (``منذ المكالمة الأخيرة``);
5. bare nouns and plain speech verbs (``المكالمة``, ``تحدث مع``) support a call already
   established in the article but never establish one.

The result carries the call sentences (for evidence, dates and fields) and the features that the
confidence score is computed from.

Metrics: ``detect/articles``, ``detect/call_reports``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import apache_beam as beam

from pipeline.records import NormalizedArticle
from transforms.dates import GREGORIAN_MONTHS, MONTH_RE, WEEKDAY_STEMS, resolve_call_date
from transforms.lexicon import Lexicon, President
from transforms.normalize import is_initial

_LOGGER = logging.getLogger(__name__)

# How far (in characters of folded text) a party may stand from the call expression.
_RIGHT_REACH = 90
_QUOTE_OPENS_RE = re.compile(r':\s*["«“]')
# ("، وإن بوتين شكر ترامب" is a second thing the source said of the call: not this)
_THAT_RE = re.compile(r"[،,]\s*(?:ب?ان|انه|انها|انهما|انهم)(?:\s|$)")
# Clause breaks that end the search for a party: a full stop (not in a number), a semicolon,
# and connectives that open a new clause. The regex starts with a literal or a character class,
# so it skips quickly through text; the word boundary before a connective is checked in _breaks.
_BREAK_RE = re.compile(
    r"[.؛;]|(?:فيما|بينما|في حين|من جهته|من جهتها|من جانبه|من جانبها|في سياق|وفي سياق|من ناحيه"
    r"|وكان|وكانت"
    # a new verb of the same subject: "... مع بوتين، ثم أجرى اتصالا مع بايدن"
    r"|ثم|قبل ان|بعد ان)(?!\w)"
)
_TITLE_COUNTERPART_RE = re.compile(r"نظير")
_NEGATION_REACH = 130  # characters before the call expression
# "يحذر بوتين من رد حاسم في حال غزو أوكرانيا خلال اتصال هاتفي": a call that frames the sentence
# ("during a call") took place, whatever hypothesis or denial stands between
DURING_RE = re.compile(r"(?:^|\s)(?:خلال|اثناء|في\s+اثناء)\s*$")
# A new clause between a negation and the call: the negation is about something else.
_NEGATION_BREAK_RE = re.compile(
    r"\b(?:لكن|ولكن|غير ان|الا ان|واكد|واعلن|وقال|واضاف|بل|بعد ان|فيما|بينما|وذلك)\b|[.؛;]"
)


@dataclass(frozen=True)
class Person:
    start: int
    end: int
    role: str  # "us" | "russia" | "both" | "aide" | "other"
    president: President | None = None  # for named presidents
    counterpart: bool = False  # "نظيره الروسي": takes the rank of the other party
    elect: bool = False


@dataclass(frozen=True)
class CallMention:
    """One call expression in one sentence, with what was found around it."""

    sentence: int  # index into NormalizedArticle.sentences; -1 for the title
    start: int
    end: int
    strength: str  # "strong" | "video" | "weak"
    parties: frozenset[
        str
    ]  # roles of the parties found: subset of {"us", "russia", "aide", "other"}
    presidents: tuple[President, ...] = ()
    negated: bool = False
    elect: bool = False
    recall: str = ""  # "" reported | "soft" maybe recalled | "hard" recalled ("منذ آخر اتصال")
    # the sentence is about another event that the call caused or dates ("وجاء الهجوم بعد ساعات
    # من الاتصال الهاتفي"): the call is its context
    context: bool = False

    @property
    def presidential(self) -> bool:
        return self.parties == frozenset({"us", "russia"})


@dataclass(frozen=True)
class Detection:
    is_call_report: bool
    reason: str
    mentions: tuple[CallMention, ...] = ()  # the presidential call mentions, in text order
    primary: CallMention | None = None
    features: dict[str, float] = field(default_factory=dict)
    # every call expression per sentence index (-1 = title); weak ones (bare nouns) only in
    # the sentences after the primary mention, where they support it
    by_sentence: dict[int, list[CallMention]] = field(default_factory=dict, compare=False)


# "3 ماي", "ماي 2019": a month ("ماي", the Maghrebi May), not a person of that name
_DAY_BEFORE_RE = re.compile(r"\d\s*$")
_YEAR_AFTER_RE = re.compile(r"\s*\d{4}")


# "نظيره الإيراني", "نظيرها الفرنسي": the counterpart of another country, a leader who is neither
# president (the lexicon's titles hold the American and Russian counterparts)
_OTHER_COUNTERPART_RE = re.compile(
    r"(?<!\w)[وفبلك]*نظير(?:ه|ها|هما)\s+(?!(?:ال)?(?:امريكي|اميركي|روسي)(?!\w))(?:ال)?\w{3,}ي(?!\w)"
)


# "الأخير" (the latter) as a subject, after a complementizer or a verb of saying (not the adjective
# of "الاتصال الأخير")
_LATTER_RE = re.compile(
    r"(?:^|\s)(?:[وف]?(?:ب?ان|قال|اكد|اعلن|اوضح|اضاف|رد|اعرب)|فيما|بينما|كما)\s+(?P<who>(?:ال)?اخير(?:ه)?)(?!\w)"
)


def _people(lex: Lexicon, text: str) -> list[Person]:
    """Every mention of a person in ``text`` (folded), overlaps resolved, in order."""
    found: list[Person] = []
    if "نظير" in text:
        found += [Person(m.start(), m.end(), "other") for m in _OTHER_COUNTERPART_RE.finditer(text)]
    for start, end, label, phrase in lex.people.find(text):
        kind, _, side = label.partition(":")
        if phrase in GREGORIAN_MONTHS and (
            _DAY_BEFORE_RE.search(text, max(0, start - 4), start) or _YEAR_AFTER_RE.match(text, end)
        ):
            continue
        if kind == "name":
            found.append(Person(start, end, side, lex.president(phrase)))
        elif kind == "title" and side == "both":
            found.append(Person(start, end, "both"))
        elif kind == "title":
            counterpart = bool(_TITLE_COUNTERPART_RE.search(phrase))
            elect = bool(lex.elect_re.search(phrase))
            found.append(Person(start, end, side, None, counterpart, elect))
        elif kind in ("aide", "other"):
            found.append(Person(start, end, kind))
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    # Merge a title and the name right after it ("الرئيس الروسي فلاديمير بوتين") into one person;
    # a longer match swallows a shorter one inside it.
    merged: list[Person] = []
    for p in found:
        if merged:
            last = merged[-1]
            if p.start < last.end:  # overlap: keep the longer, prefer a named president
                if p.end - p.start > last.end - last.start:
                    merged[-1] = p
                continue
            gap = text[last.end : p.start]
            if not gap.strip() and last.role == p.role and last.role in ("us", "russia"):
                merged[-1] = Person(
                    last.start,
                    p.end,
                    p.role,
                    p.president or last.president,
                    last.counterpart and p.president is None,
                    last.elect or p.elect,
                )
                continue
            if not gap.strip() and last.role == p.role and last.role in ("aide", "other"):
                # "المتحدث باسم الكرملين ديمتري بيسكوف", "الرئيس الفرنسي ماكرون": one person
                merged[-1] = Person(last.start, p.end, p.role)
                continue
            if (
                not gap.strip()
                and {last.role, p.role} & {"aide", "other"}
                and last.role
                in (
                    "us",
                    "russia",
                )
            ):
                # "نظيره الروسي سيرغي لافروف": the title belongs to the aide/leader after it
                merged[-1] = Person(last.start, p.end, p.role)
                continue
        merged.append(p)
    out = []
    for p in merged:
        if p.role in ("us", "russia") and p.president is None:
            if _AIDE_HEAD_RE.search(text[max(0, p.start - 30) : p.start]):
                out.append(Person(p.start, p.end, "aide"))
                continue
        if (
            p.role in ("us", "russia")
            and text[p.start] == "و"
            and _MISSING_NAME_RE.search(text[max(0, p.start - 8) : p.start])
        ):
            out.append(Person(p.start, p.end, "both", p.president))
            continue
        if p.role in ("us", "russia"):
            tail = text[p.end : p.end + 40]
            if lex.elect_re.match(tail.lstrip()) or lex.elect_re.search(tail[:25]):
                p = Person(p.start, p.end, p.role, p.president, p.counterpart, True)
        out.append(p)
    if "اخير" in text:
        # "وأن الأخير تحدث بدوره مع بوتين": the latter is the person named last before it
        for m in _LATTER_RE.finditer(text):
            before = [p for p in out if p.end <= m.start("who") and p.role != "both"]
            if before:
                last = before[-1]
                out.append(Person(m.start("who"), m.end("who"), last.role, last.president))
        out.sort(key=lambda p: p.start)
    return out


# A negator right before the call expression: "لم يجر أي اتصال", "وليس عبر اتصال هاتفي",
# "دون اتصال هاتفي", "بدلا من مكالمة".
# "لم يكن اتصالا هاتفيا بين الرئيسين" (was not a call) denies, with the call as the predicate; with
# the call as the subject, "لم تكن المكالمة ... المنعطف" only says what it was not
_NOT_A_CALL_BEFORE_RE = re.compile(r"(?:^|\s)[وف]?(?:لم|لن)\s+(?:يكن|تكن|يكون|تكون)\s*$")
_NEGATED_RIGHT_BEFORE_RE = re.compile(
    r"(?:^|[\s«\"“(])[وف]?(?:لا|لم|لن|اي|ايه|ليس|ليست|دون|بدون|من\s+دون|بدلا\s+من|بدل|عوضا\s+عن)"
    r"(?:\s+(?:عبر|من\s+خلال|في|ب))?\s*$"
)
# "ويأتي ذلك بعد", "وجاء اللقاء تنفيذا لما": a sentence about another event, measured by the call
_COMES = r"^\W*[وف]?(?P<verb>ياتي|تاتي|جاء|جاءت|اتي|اتت)\s+(?:\S+\s+){0,12}?"
_COMES_AFTER_RE = re.compile(
    _COMES + r"(?:بعد|غداه|عقب|اثر|اعقاب|قبل|تنفيذا|ترجمه|تتويجا|استكمالا|متابعه)\b"
)
# "... هاتفيا أيضا", "... كذلك": a second event told alongside the story's own
_ALSO_AFTER_RE = re.compile(r"(?:\s+[^\s،,.]+){0,8}?\s+(?:ايضا|كذلك)(?!\w)")
# The subject of "جاء" is itself a call named by a bare noun: "وجاءت المكالمة بعد", "وتأتي
# المحادثات بعد أسبوع تقريبا من"
_COMES_SUBJECT_CALL_RE = re.compile(
    r"\s+(?:هذه\s+|هذا\s+)?(?:ال)(?:مكالم|اتصال|محادث|مباحث)\w{0,2}\s+(?:\S+\s+){0,2}?"
    r"(?:بعد|عقب|اثر|قبل|غداه)(?!\w)"
)
# The call as the context of what a sentence tells: a cause or time right before the call
# expression ("على خلفية الاتصال", "في أعقاب المكالمة", "بعد أن فشلت المكالمة", "قبل ساعات من
# مكالمة", "عشية المحادثات"), or a sentence opened by "يأتي/جاء ... بعد/وسط/عشية" before it
_CONTEXT_BEFORE_RE = re.compile(
    r"(?:^|\s)(?:(?:علي|في)\s+(?:خلفيه|اعقاب|ضوء)|اثر|عقب|غداه|عشيه|قبيل|بسبب|نتيجه\s+ل|"
    # "ولم تفلح المكالمة الهاتفية ... في تهدئة مخاوف المستثمرين": what the call did not do
    r"[وف]?لم\s+(?:تفلح|تنجح|يفلح|ينجح|تكف|يكف)|[وف]?فشل(?:ت)?|"
    r"تزامنا\s+مع|(?:بعد|قبل)\s+(?:ان\s+\S+|(?:ساعات|ساعه|ساعتين|ايام|يوم|يومين|اسبوع|اسبوعين)"
    r"\s+(?:\S+\s+)?من))\s*$"
)
_CONTEXT_SENTENCE_RE = re.compile(
    _COMES + r"(?:بعد|غداه|عقب|اثر|اعقاب|قبل|قبيل|عشيه|وسط|تزامنا|في\s+ظل|علي\s+خلفيه)(?!\w)"
)
# A context sentence that dates its telling back ("حينها", "آنذاك") recalls the call
_BACK_THEN_RE = re.compile(r"(?:^|\s)(?:حينها|حينذاك|انذاك|وقتها|في\s+حينه)(?!\w)")
_CALL_NOUN_START_RE = re.compile(r"\s*[وفبلك]*(?:ال)?(?:اتصال|مكالم|محادث|مباحث|حديث)")
# A fact-check's verdict line: "مضلل: ...", "الحكم: زائف", "ادعاء كاذب"
_FACT_CHECK_RE = re.compile(
    r"^\W*(?:(?:ال)?حكم\s*:\s*)?(?:مضلل|زائف|كاذب|ملفق|مفبرك|غير\s+صحيح|خطا|صحيح\s+جزئيا|"
    r"(?:ال)?حكم|تحقق|تقصي\s+(?:ال)?حقائق|(?:ال)?ادعاء)\s*[:|]"
    # "مقطع صوتي لمكالمة بين بايدن وبوتين مولد بالذكاء الاصطناعي"
    r"|.*(?:مولد|مصنوع|منتج|مصنع)\w{0,2}\s+(?:ب|عبر\s+|باستخدام\s+)?(?:ال)?ذكاء\s+(?:ال)?اصطناعي"
)
# A headline about fiction: "فيلم يتخيل ليلة واحدة على هاتف بايدن وبوتين"
_FICTION_RE = re.compile(r"(?<!\w)[وفبلك]*(?:ال)?(?:فيلم|مسلسل|روايه|مسرحيه|[يت]تخيل)(?!\w)")
# A joint call of three or more: "اتصال هاتفي مشترك", "الاتصال الثلاثي"
_MULTILATERAL_AFTER_RE = re.compile(r"\s+(?:ال)?(?:مشترك|ثلاثي|رباعي|جماعي|متعدد)\w{0,2}(?!\w)")
_QUESTION_TITLE_RE = re.compile(r"^\W*(?:[^:|،]{0,40}[:|،]\s*)?[وف]?هل\s")
# A meeting noun of its own between a call and a person: "عن اجتماعه الأخير مع"
_OWN_MEETING_RE = re.compile(
    r"(?<!\w)(?:ال)?(?:اجتماع|لقاء|قم[هت])(?:ه|ها|هما)?\s+(?:\S+\s+)?مع(?!\w)"
)
# The participants of a meeting of many: "بمشاركة قادة الدول الأعضاء، ومن بينهم ..."
_PARTICIPANTS_RE = re.compile(r"(?<!\w)(?:بمشارك\w{0,2}|بحضور|(?:و)?من\s+بينهم)(?!\w)")
# "«أنت تتحدث مع بوتين أكثر مني»": the one addressed speaks, not who is quoted
_YOU_BEFORE_RE = re.compile(r"(?:^|[\s«\"“])(?:انت|انتم|انتما)\s+$")
# Between two coordinated people: "أردوغان وبوتين" (the و is the second person's first letter)
_COORDINATION_GAP_RE = re.compile(r"\s+و")
# "مكالمات هاتفية", "الاتصالات الهاتفية": several calls, a habit or a series, never one event
_PLURAL_CALL_RE = re.compile(
    r"[وفبلك]*(?:ال)?(?:مكالمات|اتصالات|اتصالين|اتصالان|مكالمتين|مكالمتان|محادثتين|محادثتان)"
    r"(?:ه|ها|هما|هم)?(?!\w)"
)
# "، واتصال مع بايدن": a call noun coordinated with the call expression before it
_COORDINATED_RE = re.compile(r"[،,]\s*$")
# "اتصال هاتفي أجراه مع X", "المكالمة التي تلقاها من X": one doer ("he"), the subject.
_SINGLE_DOER_RE = re.compile(
    r"\s*[،,]?\s*(?:(?:ال)?(?:ذي|تي)\s+)?(?:اجرا|اجرت|تلقا|تلقت|جمعت)(?:ه|ها)\s+"
    r"(?:\S+\s+){0,2}?(?:مع|من)(?=\s)"
)
_PHRASE_BREAK_RE = re.compile(r"[،,.:;؛]")
_COMMA_RE = re.compile(r"[،,]")
# Someone's proposal right before the call verb: "اقترح ويتكوف أن يتصل", "نصح بأن يهاتف".
_PROPOSED_BEFORE_RE = re.compile(
    r"(?:^|\s)[وف]?(?:اقترح|نصح|اوصي|اوصى)\w{0,2}\s+(?:\S+\s+){0,3}(?:ان|بان)\s+$"
)
# A relative clause on a person whose verb takes him as its object: "بوتين، الذي تحدثت معه".
_RELATIVE_WITH_HIM_RE = re.compile(
    r"\s*[،,]?\s*(?:الذي|التي)\s+\S+\s+(?:معه|معها|به|بها|اليه|اليها|له|لها)\s+"
)
# A comma and a conjunction that starts another clause ("، وإنه", "، وأضاف", "، فيما").
_NEW_CLAUSE_RE = re.compile(
    r"[،,]\s*(?:و(?:ان|انه|انها|اضاف|قال|اكد|اشار)|فيما|بينما|في حين)(?!\w)"
)
# a future verb right before the call expression: "سيجريان اتصالا"; not a name or a noun
# that starts the same way ("ستيف ويتكوف", "سيرغي لافروف", "سنوات", "اثنتين وستين دقيقة")
_NOT_FUTURE_WORD = (
    r"(?:سير[غج]ي\w*|ستيف\w*|ستار\w*|ستالين|ستريت|ستريم|ستوكهولم|ستولتنبرغ|ستوب|ستون|ستين|سته"
    r"|سنو(?:ات|دن|ي\w*)|سنت(?:ين|ان|ا)|سندات|سنغافور\w*|سيا(?:س|د|ق|ر)\w*|سيطر\w*|سيما"
    r"|سيناريو\w*|سيناتور\w*|سيناء|سينما\w*|سيبيري\w*|سيد(?:ي|ه)?|سيئ\w*|سيول|سيئول)(?!\w)"
)
_FUTURE_BEFORE_RE = re.compile(
    rf"(?:^|\s)[وف]?(?!{_NOT_FUTURE_WORD})س[يتن]\w{{2,}}\s+(?:\S+\s+){{0,2}}$"
)
_SOURCE_GAP_RE = re.compile(
    r"(?:^|\s)(?:ان|انه|انها|بان|:)(?:\s|$)|:"
    # "أوشاكوف يكشف تفاصيل جديدة عن مكالمة بوتين وبايدن": who tells of the call
    r"|(?:^|\s)[يت]?(?:كشف|روي|تحدث|تكلم|علق|كتب)\w{0,2}(?:\s+[^\s،,.]+){0,3}\s+"
    r"(?:عن|حول|بشان|ما\s+(?:دار|جري|حدث)\s+في)\s*$"
)
# An imperfect verb after "قد" is a modal ("قد يتصل", "قد تتحدث"); a perfect one that starts with
# ت is no imperfect ("كان ترامب قد تحدث مع بوتين": he had spoken)
_IMPERFECT_RE = re.compile(
    r"[ين]|تت|ت(?!(?:حدث|لق|باحث|هاتف|حادث|واصل|شاور|بادل)(?:ا|ت|وا)?(?!\w))"
)
# "قد", "ربما" right before the call verb ("ربما يتحدث"، "«ربما» أتحدث")
_MODAL_BEFORE_RE = re.compile(r"(?:^|[\s«\"“])[وف]?(?:قد|ربما)\W*$")
# "إنه أجرى", "إنها تحدثت": the one who says so made the call ("قال زيلينسكي إنه أجرى محادثة")
_SELF_CALL_RE = re.compile(
    r"(?:^|\s)[اب]?ن(?:ه|ها)\s+(?:قد\s+)?(?P<verb>س?(?:اجري|اجرت|تحدث|تحدثت|اتصل|اتصلت|بحث|بحثت|"
    r"تلقي|تلقت|هاتف|هاتفت|تحادث|[يت](?:جري|تحدث|تصل)))(?!\w)"
)
# A speech verb or attribution right before a person: that person is the source of the news.
_SPEECH_BEFORE_RE = re.compile(
    r"(?:\b(?:و|ف)?(?:قال|قالت|اعلن|اعلنت|اكد|اكدت|ذكر|ذكرت|كشف|كشفت|اوضح|اوضحت|اشار|اشارت|صرح|"
    r"نفي|نفت|ينفي|تنفي|"
    r"افاد|افادت|نقل|نقلت|وصف|وصفت|اضاف|اضافت|رحب|رحبت|علق|علقت|بحسب|حسب|وفق|وفقا\s+ل|نقلا\s+عن|"
    r"لسان|عن)\s+(?:\S+\s+){0,1})$"
)
# Words that make a following presidential title part of an aide's description.
_AIDE_HEAD_RE = re.compile(
    r"(?:مساعد|مستشار|المتحدث\w{0,2}\s+باسم|الناطق\w{0,2}\s+باسم|نائب|سكرتير|مبعوث|ممثل|سفير|"
    r"مدير\s+مكتب|كبير\s+موظفي|مكتب|ديوان|ادار\w{0,2}|حكوم\w{0,2}|وزير\s+خارجي\w{0,2}|"
    r"مسؤول\w{0,2}\s+في\s+اداره|ترشيح|حمل\w{0,2}|حمله)\s*$"
)
_ANNOUNCED_BY_RE = re.compile(
    r"\s*(?:ال)?(?:ذي|تي)\s+(?:اعلن|اعلنت|كشف|كشفت|تحدث|تحدثت)\s+عن(?:ه|ها)(?!\w)"
)
# "اتصل", "يتصل", "ليتصل": the call verb that is a call only with its object ("اتصل به")
_CALL_VERB_RE = re.compile(r"\W*[وف]?[بلك]?(?:س)?[يتنا]?تصل\w*|\W*[وف]?اتصل\w*")
_PRONOUN_OBJECT_RE = re.compile(r"\s*ب(?:ه|ها|هما|هم|ي|نا|ك)(?!\w)")
# "بين وترامب": the other president's name was dropped by the outlet.
_MISSING_NAME_RE = re.compile(r"\bبين\s+$")
_CLAUSE_REACH = 220
_BETWEEN_RE = re.compile(r"\s*(?:(?:ال)?(?:ذي|تي)\s+(?:\S+\s+){0,3}?)?(?:\S+\s+)?بين\s")
# "... لا يوجد موعد حتى الآن", "لم يحدد موعدها بعد": nothing is arranged.
_NO_DATE_AFTER_RE = re.compile(
    r"\b(?:لا|لم)\s+(?:يوجد|يحدد|يتحدد|تحدد|يتم\s+تحديد|يجر\s+تحديد)\s+(?:اي\s+)?موعد"
    r"|\bلم\s+(?:ي|ت)ؤكد\w{0,3}|\bدون\s+تاكيد|\bغير\s+مؤكد\w{0,2}"
    # "سأتحدث مع بوتين في الوقت المناسب": when the time comes, no plan ("دون أن يحدد موعده"
    # leaves a call announced)
    r"|\b(?:في\s+الوقت\s+(?:ال)?(?:مناسب|ملائم)|(?:عندما|حين|حينما)\s+يحين\s+(?:ال)?وقت)\b"
    # "اتصال جديد بين الرئيسين «ممكن»": possible, not arranged ("في أقرب وقت ممكن": soon)
    r"|\b(?<!وقت\s)(?:ممكن|ممكنا)\b"
    # "اتصالا بين الرئيسين «يمكن تنظيمه بسرعة»": could be arranged, is not
    r"|\bيمكن\s+(?:ان\s+\S+|تنظيم|ترتيب|اجراء|عقد|تحديد)"
)
# A call noun with a possessive pronoun: "محادثتها", "اتصاله", "مكالمته".
_POSSESSIVE_NOUN_RE = re.compile(r"[وفبلك]*(?:ال)?(?:اتصال|مكالمت|محادثت|مباحثات)(?:ه|ها|هم)(?!\w)")
_SPEECH_OBJECT_REACH = 12
_SPEECH_WITH_REACH = 70
_OBJECT_REACH = 70  # "اتصل الرئيس الأميركي دونالد ترمب أمس (الثلاثاء) بنظيره"
_MEETING_BEFORE, _MEETING_AFTER = 100, 60
_WITH_RE = re.compile(r"(?:^|\s)(?:مع|الي|بين|with)(?=\s)")
# A purpose clause "ليتصل بـ", "ليهاتف": its subject is the sentence's.
_PURPOSE_VERB_RE = re.compile(r"ل(?:ي|ت)(?:تصل|هاتف|تحدث)\w{0,2}(?!\w)")
_MARGIN_RE = re.compile(r"\bهامش\b|\bوجها\s+لوجه\b|\bشخصيا\b|\bخلال\s+زيار|\bفي\s+(?:ال)?قم")
_VIDEO_REACH = 70
# A meeting of some other body ("اجتماع تحالف أوبك+", "قمة مجموعة العشرين") right before a video
# form: the video form is that body's.
_BODIES = (
    r"(?:تحالف|مجموع|وزراء|مجلس|منظم|اوبك|قاده|زعماء|دول|حلف|بريكس|العشرين|السبع|الاتحاد|الامم|"
    r"رؤساء|ممثل|اعضاء|طلاب|مواطن|صحفي|صحافي|عمال|مسؤول|حكوم)\w{0,3}"
)
_OTHER_BODY_MEETING_RE = re.compile(
    r"\b(?:ال)?(?:اجتماع|قم[هت]|مؤتمر|لقاء)\w{0,3}\s+(?:\S+\s+)?(?:ال)?" + _BODIES
)
# ... and after it: "قمة افتراضية لمجموعة العشرين بمشاركة ترامب وبوتين" is many leaders' meeting
_OTHER_BODY_AFTER_RE = re.compile(r"\s+(?:\S+\s+)?(?:ل|لل|ب)?(?:ال)?(?:" + _BODIES + r"|مشارك\w*)")
# A video form's own relative clause, up to its time words: "الذي عقده أمس (الثلاثاء)"
_HELD_BY_RELATIVE_RE = re.compile(
    r"\s+(?:الذي|التي|اللذي)\s+(?:عقد|اجر|جمع)\w{0,3}(?:\s+(?:اليوم|امس|مساء|صباح|يوم|"
    r"\(?(?:ال)?(?:" + "|".join(WEEKDAY_STEMS) + r")\w{0,2}\)?))*"
)
# "، وواشنطن طلبت" right before the call: a new subject and its verb
_NEW_SUBJECT_RE = re.compile(r"،\s*و[^\s،,.]+\s+[^\s،,.]+\s*$")
# "الذي جمعهما": the relative clause's object is the two named before it
_DUAL_OBJECT_RE = re.compile(r"(?:جمعهما|جمعتهما|عقداه|اجرياه|اجرياها|عقدتاه)(?!\w)")
# A video form whose head is a call noun ("محادثة مباشرة عبر الفيديو"): a call itself, whose
# parties may stand further off than those of a bare "عبر الفيديو".
_VIDEO_CALL_NOUN_RE = re.compile(r"[وفبلك]*(?:ال)?(?:مكالم|محادث|اتصال|حوار)")
# Page furniture that links to other stories: never this article's news.
_RELATED_LINK_RE = re.compile(
    r"^\W*(?:اقرا|اقراي|شاهد|طالع|تابع|يهمك|قد\s+يهمك|المزيد|للمزيد|ذات\s+صله|"
    r"(?:مواضيع|موضوعات|اخبار|مواد|مقالات)\s+(?:ذات|متعلقه|مرتبطه|مشابهه|مقترحه)|"
    r"الاكثر\s+(?:قراءه|مشاهده|تداولا|تعليقا)|قد\s+يعجبك|روابط|تابعونا|اضغط|انقر|"
    # a tag list: "الوسوم: بوتين، بايدن، اتصال بايدن وبوتين"
    r"(?:ال)?(?:وسوم|كلمات\s+(?:ال)?(?:مفتاحيه|دلاليه))\s*:|tags\s*:|هاشتاغ|هاشتاج)"
)
# The readers' comments under a story ("3 تعليقات", "التعليقات"): nothing after is its news.
_COMMENTS_RE = re.compile(
    r"^\W*(?:\d+\s+)?(?:ال)?(?:تعليق|تعليقات)(?:\s+(?:ال)?(?:قراء|زوار))?\s*[:)]?\s*$"
    r"|^\W*(?:اضف|اترك|اكتب)\s+(?:تعليق|تعليقك|تعليقا)"
)
# A bullet opening a line in a list of links: "• ...", "■ ...", "- ..."
_BULLET_RE = re.compile(r"^\s*[•■▪◄►▸\-*–—]")
# A sentence that refers back to the one before: "جاء ذلك في مكالمة هاتفية..."
_ANAPHORA_RE = re.compile(
    r"^\W*(?:و)?(?:جاء|جاءت|وجاء|وجاءت)\s+(?:ذلك|هذا|هذه|تصريحات\w*|تحذير\w*|كلام\w*)|"
    r"^\W*(?:و)?ذلك\s+(?:خلال|في|اثناء)\b"
)
# Titles and leads of explainers and timelines: every call in them is history.
EXPLAINER_RE = re.compile(
    # ("محطات الطاقة" are power stations, not milestones)
    r"\b(?:محطات(?!\s+(?:ال)?(?:طاق|كهرب|نوو|توليد|وقود|تحلي|ضخ|قطار|مترو|بنزين|اذاع|تلفز|فضائ))|سجل|سجلات|تسلسل\s+زمني|جدول\s+زمني|كرونولوجيا|نستعرض|استعراض|تاريخ\s+(?:ال)?(?:اتصالات|مكالمات|لقاءات)|"
    r"ابرز\s+(?:ال)?(?:محطات|الاتصالات|المكالمات|اللقاءات)|"
    # "مكالمات كثيرة وقمة واحدة": many calls, a review of them
    r"(?:ال)?(?:مكالمات|اتصالات|محادثات)\s+(?:ال)?(?:كثيره|عديده|متعدده|متكرره|متتاليه))\b"
    # an anniversary headline: "عامان على جنيف", "عام على آخر مكالمة", "في الذكرى الأولى لـ"
    r"|^\W*(?:عام|عامان|عامين|سنه|سنتان|ثلاثه\s+اعوام|اعوام|سنوات)\s+(?:علي|على)\s"
    r"|^\W*(?:في\s+)?(?:ال)?ذكري\s"
    # a review of the calls: "ماذا نعرف عن اتصالات ترامب وبوتين؟" (of one call, "ماذا نعرف عن
    # المكالمة؟", it heads that call's news)
    r"|(?:ماذا|ما\s+الذي)\s+نعرف(?:ه)?\s+عن\s+(?:ال)?(?:اتصالات|مكالمات|محادثات)"
)
# Between a call and a person after it: the person is the source ("وفق ما أكده بيسكوف").
_ATTRIBUTION_RE = re.compile(
    r"\b(?:وفق|وفقا|حسب|حسبما|بحسب|كما|نقلا|قال|قالت|اكد|اكده|اكدت|اعلن|اعلنه|اعلنته|ذكر|ذكره|"
    r"ذكرت|افاد|افادت|اوضح|اشار|صرح|مصدر|مصادر|بيان|وصف|وصفت|اعتبر|اعتبرت)\w{0,2}\b"
)
# "وكان الرئيسان قد ناقشا...": the pluperfect of Arabic news, always about an earlier event.
_PLUPERFECT_RE = re.compile(
    r"(?:^|\s)و?(?:كان|كانت|كانا)\s+(?:\S+\s+){0,4}?قد\s|(?:^|\s)و?سبق\s+(?:و|ان|وان)\s"
)
# "وكان الرئيس باراك أوباما تحدث مع الرئيس بوتين": كان, its subject, then a call verb in the
# perfect, the same "had done" without قد (read up to the end of the call expression)
_PLUPERFECT_VERB_RE = re.compile(
    r"(?:^|\s)و?(?:كان|كانت|كانا)\s+(?:[^\s،,.:]+\s+){1,5}?"
    r"(?:تحدث|تحادث|اتصل|اجري|تباحث|بحث|هاتف|تهاتف|تلقي|تلقت)(?:ا|ت|تا)?(?:\s|$)"
)
# "وكانت القمة الافتراضية بين بايدن وبوتين قد استمرت ساعتين": the call is the subject of
# كان, and قد follows it (a few words on)
_KANA_BEFORE_RE = re.compile(r"(?:^|\s)و?(?:كان|كانت|كانا)\s+$")
_QAD_AFTER_RE = re.compile(r"(?:\s+[^\s،,.:]+){0,6}?\s+قد\s")
# A call expression after "هامش" is the venue of something else: "على هامش القمة الافتراضية".
_VENUE_BEFORE_RE = re.compile(r"\bهامش\s+$")
# A bare video form that belongs to an address or a session: "كلمة لبوتين عبر الفيديو",
# "شارك ترمب في الجلسة الافتتاحية عبر الفيديو".
_ADDRESS_BEFORE_RE = re.compile(
    r"\b[وف]?(?:ال)?(?:كلم[هت]|خطاب|رسال[هت]|مشارك[هت]|شارك|[يت]شارك|جلس[هت]|ندو[هت]|مؤتمر)\w{0,3}"
    r"(?:\s+[^\s،,.]+){0,3}\s+$"
)
_BARE_VIDEO_RE = re.compile(r"[وفبلك]?(?:عبر|بواسطه|باستخدام|بالفيديو)")
# The bare verb "هاتف" (phoned) is told from the noun (a phone, "هاتف بوتين القديم") by its
# verb-subject-object frame: the caller right after it, then the callee with at most a time
# adverbial between ("هاتف الرئيس الروسي بوتين، اليوم /الثلاثاء/، نظيره الأمريكي").
_BARE_PHONED_RE = re.compile(r"[وف]?هاتف")
_TIME_GAP_RE = re.compile(
    r"[\s،,()/\-]*(?:(?:اليوم|امس|مساء|صباح|ليله|ليل|فجر|ظهر|يوم|(?:ال)?(?:"
    + "|".join(WEEKDAY_STEMS)
    + r"))[\s،,()/\-]*){0,4}"
)


@functools.lru_cache(maxsize=512)
def _breaks(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Starts and ends of the clause breaks of a folded sentence (a pure function, cached:
    every call expression of a sentence asks for them, often several times)."""
    starts: list[int] = []
    ends: list[int] = []
    for m in _BREAK_RE.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s else " "
        if text[s] == ".":
            if before.isdigit() or text[e : e + 1].isdigit():
                continue  # "17.12.2017", "3.5"
            if is_initial(text, s):
                continue  # "جوزيف ار. بايدن"
        elif before.isalnum() or before == "_":
            continue  # inside a word
        starts.append(s)
        ends.append(e)
    return tuple(starts), tuple(ends)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around a call expression (strong breaks only; commas do not)."""
    lo = max(0, start - _CLAUSE_REACH)
    hi = min(len(text), end + _CLAUSE_REACH)
    starts, ends = _breaks(text)
    first = bisect.bisect_left(starts, lo)
    last = bisect.bisect_right(ends, start)  # breaks are disjoint: ends rise with starts
    if last > first:
        lo = ends[last - 1]
    nxt = bisect.bisect_left(starts, end)
    if nxt < len(starts) and ends[nxt] <= hi:
        hi = starts[nxt]
    return lo, hi


def _is_source(person: Person, text: str, anchor: int) -> bool:
    """An aide or another leader left of the call who is only who says it, not a party.

    "قال بيسكوف إن...", "وصف أوشاكوف الاتصال...", "بحسب روبيو فإن المكالمة...". Presidents
    are never set aside this way: "قال ترامب إنه سيتحدث هاتفيا مع بوتين" makes Trump a party.
    """
    if person.role in ("us", "russia", "both"):
        return False
    said = _SPEECH_BEFORE_RE.search(text[max(0, person.start - 30) : person.start])
    own = _SELF_CALL_RE.search(text, person.end, min(len(text), anchor + 12)) if said else None
    if (
        own
        and own.start() - person.end <= 40
        and own.start("verb") <= anchor <= own.end("verb") + 3
    ):
        return False  # "قال زيلينسكي إنه أجرى محادثة مع ترامب": who says so held it
    if _SOURCE_GAP_RE.search(text[person.end : anchor]):
        return True
    return said is not None


def _attached(text: str, p: Person, start: int, end: int) -> bool:
    """Is ``p`` the call's own subject or object: next to it, no comma or stop between?"""
    gap = text[p.end : start] if p.end <= start else text[end : p.start]
    return len(gap) <= 40 and not _PHRASE_BREAK_RE.search(gap)


def _resolve(lex: Lexicon, p: Person, day: dt.date | None) -> tuple[str, President | None]:
    """The role a mention plays on ``day``: its side, or "other" when not a sitting president."""
    if p.role not in ("us", "russia"):
        return p.role, None
    if p.elect:
        return "elect", None
    pres = p.president
    if pres is not None and day is not None and not pres.sitting_on(day):
        return "other", None  # named, but not in office then (president-elect, ex-president)
    if pres is None and day is not None:
        pres = lex.sitting(p.role, day)
    return p.role, pres


def _ref_day(published: dt.datetime | None) -> dt.date | None:
    return published.date() if published else None


def analyse_mention(
    lex: Lexicon,
    text: str,
    people: Sequence[Person],
    start: int,
    end: int,
    strength: str,
    sentence: int,
    day: dt.date | None,
    coordinated_with: int | None = None,
) -> CallMention:
    """Who the parties of one call expression are.

    The presidents may stand anywhere in the clause ("أكد بوتين لنظيره الأمريكي أوباما خلال
    اتصال هاتفي"), but the person right next to the call expression on either side - its
    subject or object - must not be an aide or another leader ("اتصالا هاتفيا مع نظيره
    التركي", "أجرى روبيو اتصالا مع لافروف"). A person followed by "إن"/"أن" before the call is
    the source of the news, not a party.
    """
    lo, hi = clause_bounds(text, start, end)
    if strength == "video":
        # "اجتماع أوبك+ عبر تقنية الفيديو" in a sentence about a phone call: a video form
        # belongs to the people right around it, and not to another body's meeting
        if not _VIDEO_CALL_NOUN_RE.match(text, start, end):
            # "اللقاء المرئي الذي عقده أمس (الثلاثاء) الرئيس ... ونظيره": its own relative
            # clause leads to its parties, further than the reach
            own = _HELD_BY_RELATIVE_RE.match(text, end)
            reach = _VIDEO_REACH + (own.end() - end if own else 0)
            # "... خلال اللقاء المرئي الذي جمعهما": "them both" are the sentence's two before it
            both = own is not None and _DUAL_OBJECT_RE.search(own.group(0)) is not None
            lo, hi = (lo if both else max(lo, start - _VIDEO_REACH)), min(hi, end + reach)
        governor = _OTHER_BODY_MEETING_RE.search(text, lo, start)
        if governor:
            lo = governor.end()
    inside = [p for p in people if p.start >= lo and p.end <= hi]
    left = [p for p in inside if p.end <= start and not _is_source(p, text, start)]
    addressed = bool(_YOU_BEFORE_RE.search(text, max(0, start - 10), start))
    if addressed:
        left = []  # "قال له: «أنت تتحدث مع بوتين»": the one spoken to, someone else
    if coordinated_with is not None:
        # "اتصالين أجراهما ماكرون مع بوتين، واتصال مع بايدن": the coordinated call has the
        # subject of the call before it, not that call's object
        left = [p for p in left if p.end <= coordinated_with]
    if left and (
        _POSSESSIVE_NOUN_RE.match(text, start, end) or _PURPOSE_VERB_RE.match(text, start, end)
    ):
        # "ميركل أبلغت أوباما بعد محادثتها الهاتفية مع بوتين": "her" call is the subject's
        left = left[:1] + [p for p in left[1:] if p.role == "both"]
    if len(left) >= 2 and _RELATIVE_WITH_HIM_RE.fullmatch(text, left[-1].end, start):
        # "ميركل أبلغت أوباما بأن بوتين، الذي تحدثت معه هاتفيا الأحد": the one "with him" and
        # the sentence's subject (who tells it, too) are the parties, not whoever is between
        left = [next(p for p in inside if p.end <= start), left[-1]]
    # "المكالمة التي أعلن عنها ترامب أمس مع نظيره": who announced it is a party, not a source
    told = _ANNOUNCED_BY_RE.match(text, end)
    told_end = told.end() if told and _WITH_RE.search(text, told.end(), hi) else end
    # "الاتصال الهاتفي الذي قال الكرملين إن بوتين أجراه مع ترمب": past who tells of it, the
    # relative clause names the parties
    told_that = lex.relative_telling_re.match(text, end)
    if told_that:
        told_end = told_that.end()
    right = [
        p
        for p in inside
        if p.start >= end
        and p.start - end <= _RIGHT_REACH
        and not _ATTRIBUTION_RE.search(text[told_end : p.start])
        # "بايدن يجمع حلفاءه عبر الفيديو: «مقتنع بأن بوتين اتخذ قراره»": past a colon that
        # opens a quote are the speaker's words, not the call's other party
        and not _QUOTE_OPENS_RE.search(text, end, p.start)
        # "قالت لأوباما، خلال اتصال هاتفي أمس، إنها ليست متأكدة من أن بوتين ...": past "، إن"
        # is what was said in the call, not who was on it
        and not _THAT_RE.search(text, told_end, p.start)
        # "على اتصاله الهاتفي وعلى ... انطباعاته عن اجتماعه الأخير مع الرئيس ترامب": the
        # meeting's party
        and not _OWN_MEETING_RE.search(text, end, p.start)
    ]
    callee: list[Person] = []
    if left and _PRONOUN_OBJECT_RE.match(text, end) and _CALL_VERB_RE.fullmatch(text, start, end):
        # "قال زيلينسكي إن ترامب اتصل به بعد محادثته مع بوتين": "him" is the callee, the
        # speaker if one stands before the caller; people after the pronoun are another event's
        right = []
        callee = [p for p in inside if p.end <= left[-1].start and p not in left][-1:]
    if {"us", "russia"} <= {p.role for p in left} or any(p.role == "both" for p in left[-1:]):
        # "أجرى الرئيسان بوتين وترامب محادثة هاتفية، قبل يوم من استقبال ترامب للرئيس الأوكراني":
        # the parties stand before the call; past a comma is another event's
        right = [p for p in right if not _COMMA_RE.search(text, end, p.start)]
    doer = _SINGLE_DOER_RE.match(text, end)
    if doer and left and right and right[0].start - doer.end() <= 3:
        # "ماكرون ... بعد يوم من اتصال هاتفي أجراه مع بايدن": "he" who held it is the
        # sentence's subject, not the person standing just before the call
        left = left[:1]
    # "الاتصال الذي جرى بين الرئيس بوتين ونظيره الأمريكي": the parties follow "بين"
    between = _BETWEEN_RE.match(text, end)
    cut = _NEW_CLAUSE_RE.search(text, right[0].end, right[-1].start) if right else None
    if cut and not between:
        # "بحث الأمر في اتصال هاتفي مع ترامب الأسبوع الماضي، وإنه سيطرحه أيضا على بوتين": the
        # call's object is the one after "مع"; past "، وإنه" is another clause's
        right = [p for p in right if p.start < cut.start()]
    if between and {p.role for p in right[:2]} >= {"us", "russia"}:
        left = []
    elif between and any(p.role == "both" for p in right[:1]):
        left = []
    # "بوتين بعث برسائل إلى ترمب عبر ويتكوف، وواشنطن طلبت اتصالا": past "، و" a new subject and
    # its verb stand before the call; who ends the clause before is no neighbour of it
    near_left = left[-1:] if left and not _NEW_SUBJECT_RE.search(text, left[-1].end, start) else []
    adjacent = near_left + ([right[0]] if right else []) + callee
    # "أردوغان وبوتين يبحثان هاتفيا ... موقف ترامب": a subject coordinated with "و" is a party too
    k = len(left) - 1
    while k > 0 and _COORDINATION_GAP_RE.fullmatch(text, left[k - 1].end, left[k].start + 1):
        adjacent.append(left[k - 1])
        k -= 1
    roles: set[str] = {"other"} if addressed else set()
    presidents: list[President] = []
    elect = False
    president_sides = {p.role for p in left + right if p.role in ("us", "russia", "both")}
    for p in adjacent:
        role, _ = _resolve(lex, p, day)
        if role in ("aide", "other", "elect"):
            roles.add("other" if role == "elect" else role)
            elect = elect or role == "elect"
        elif p.counterpart and president_sides <= {p.role}:
            roles.add("aide")  # "نظيره الروسي" with no president beside it: a minister's peer
    named_sides = {p.role for p in left + right if p.role in ("us", "russia")}
    for p in left + right:
        role, pres = _resolve(lex, p, day)
        if role == "both" and len(named_sides) == 1 and not _attached(text, p, start, end):
            # "الرئيس الروسي يتلقى اتصالا من نظيره.. والزعيمان يبحثان": "the two leaders" are
            # that call's parties, and only one side of them is known
            continue
        if role == "both":
            roles.update(("us", "russia"))
        elif role in ("us", "russia"):
            roles.add(role)
            if pres is not None:
                presidents.append(pres)
        elif role == "elect":
            elect = True
            roles.add("other")
        elif role == "other" and p.role in ("us", "russia"):
            roles.add("other")
    before = text[max(lo, start - _NEGATION_REACH) : start]
    negated = (
        (
            bool(_NEGATED_RIGHT_BEFORE_RE.search(before))
            or bool(_NOT_A_CALL_BEFORE_RE.search(before) and not text.startswith("ال", start))
            or bool(_NO_DATE_AFTER_RE.search(text, end, min(hi, end + 90)))
            # "قد يتصل", "ربما يتحدث" (he may call); "قد تحدث" (he has spoken) is no modal
            or bool(_MODAL_BEFORE_RE.search(before) and _IMPERFECT_RE.match(text, start))
        )
        or (
            not DURING_RE.search(before)
            and (
                any(
                    not _NEGATION_BREAK_RE.search(before[m.end() :])
                    for m in lex.negation_re.finditer(before)
                )
                or any(
                    not _PHRASE_BREAK_RE.search(before[m.end() :])
                    for m in lex.claim_re.finditer(before)
                )
            )
        )
    )
    near_before = text[max(lo, start - 30) : start]
    plural = bool(_PLURAL_CALL_RE.match(text, start, end))
    near_after = text[end : end + 45]
    bg = lex.background_re
    comes = _COMES_AFTER_RE.match(text)
    # "وجاء اللقاء ... تنفيذا لما اتفق عليه الرئيسان في اتصالهما", "وتأتي هذه الاتصالات بعد
    # يومين من المحادثة": the sentence dates another event by the call (news only if recent)
    # "وجاءت المكالمة بعد ساعات من إعلان ترامب عن محادثة مع بوتين": past the marker, a second
    # call is what the first (the sentence's subject) is measured by
    measured_by = bool(
        comes
        and comes.end() <= start
        and (
            not _CALL_NOUN_START_RE.match(text, comes.end("verb"))
            or (start >= comes.end() and _COMES_SUBJECT_CALL_RE.match(text, comes.end("verb")))
        )
    )
    opener = _CONTEXT_SENTENCE_RE.match(text)
    context = bool(opener and opener.end() <= start) or bool(
        _CONTEXT_BEFORE_RE.search(text, max(0, start - 40), start)
    )
    if plural or bg["hard_before"].search(near_before) or bg["hard_after"].search(near_after):
        recall = "hard"
    elif (
        bg["soft_before"].search(near_before)
        or bg["soft_after"].search(near_after)
        or _PLUPERFECT_RE.search(text[max(0, start - 120) : start])
        or _PLUPERFECT_VERB_RE.search(text[max(0, start - 80) : end])
        or (
            _KANA_BEFORE_RE.search(text, max(0, start - 12), start)
            and _QAD_AFTER_RE.match(text, end)
        )
        or measured_by
    ):
        recall = "soft"
    else:
        recall = ""
    return CallMention(
        sentence=sentence,
        start=start,
        end=end,
        strength=strength,
        parties=frozenset(roles),
        presidents=tuple(dict.fromkeys(presidents)),
        negated=negated,
        elect=elect,
        recall=recall,
        context=context,
    )


# Every call expression in lexicons/calls.yaml (call_strong, call_video, call_speech, call_weak)
# contains one of these; tests/test_detect.py checks the lexicon against the list.
_CALL_STEMS = (
    "هاتف",
    "تصل",
    "مكالم",
    "محادث",
    "مباحث",
    "حديث",
    "فيديو",
    "افتراض",
    "مرئي",
    "تلفزيون",
    "تحدث",
    "تحادث",
    "تباحث",
    "اتصال",
    # English quotes
    "phone",
    "call",
    "conversation",
    "spoke",
    "speaking",
    "talk",
    "حوار",
)


# A call expression starts at most this many characters before the first stem inside it (the
# longest lead is "باستخدام تقنيه الفيديو": 20); tests/test_detect.py checks the windowed search
# against a plain scan of the dev corpus.
_STEM_LEAD = 40
_STEM_RE = re.compile("|".join(sorted(_CALL_STEMS, key=len, reverse=True)))
_WORD_START_RE = re.compile(r"(?<!\w)\w")


def expressions_in(lex: Lexicon, text: str) -> list[tuple[int, int, str]]:
    """Every call expression of one folded text as ``(start, end, kind)``, as the lexicon's
    expression regex finds them left to right, look-alikes (kind "block") included.

    The regex is tried only at the word starts shortly before each call stem: every call
    expression contains a stem, so elsewhere it cannot match, and trying it at every word of
    the text (what ``finditer`` does) costs four times as much. A look-alike without a stem
    ("الخط المباشر") is found only when it stands near a stem, which is the only place where
    it can hide a call expression.
    """
    regex = lex.expression_re
    out: list[tuple[int, int, str]] = []
    pos = 0
    for stem in _STEM_RE.finditer(text):
        hi = stem.end()
        if hi <= pos:
            continue
        for word in _WORD_START_RE.finditer(text, max(pos, stem.start() - _STEM_LEAD), hi):
            if word.start() < pos:
                continue
            m = regex.match(text, word.start())
            if m:
                out.append((m.start(), m.end(), str(m.lastgroup)))
                pos = m.end()
        pos = max(pos, hi)
    return out


def _expression_spans(
    lex: Lexicon, texts: Sequence[tuple[int, str]], with_weak: bool
) -> dict[int, list[tuple[int, int, str]]]:
    """Call expressions of every text, look-alikes ("مداخلة هاتفية", "رقم هاتف") dropped."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for idx, text in texts:
        found = [
            s
            for s in expressions_in(lex, text)
            if s[2] != "block" and (with_weak or s[2] != "weak")
        ]
        if found:
            spans[idx] = found
    return spans


def sentence_mentions(
    lex: Lexicon,
    text: str,
    sentence: int,
    day: dt.date | None,
    with_weak: bool,
    spans: list[tuple[int, int, str]] | None = None,
) -> list[CallMention]:
    """Every call expression of one folded sentence, analysed."""
    if spans is None:
        spans = _expression_spans(lex, [(sentence, text)], with_weak).get(sentence, [])
    if not spans:
        return []
    people = _people(lex, text)
    out = []
    previous: int | None = None  # start of the call expression before, in this sentence
    for start, end, strength in spans:
        if _VENUE_BEFORE_RE.search(text, max(0, start - 10), start):
            continue  # "على هامش القمة الافتراضية": where something else happened
        if strength == "video" and _OTHER_BODY_AFTER_RE.match(text, end):
            continue  # "قمة افتراضية لمجموعة العشرين": a meeting of many, not a call
        if strength == "video" and _PARTICIPANTS_RE.search(text, max(0, start - 150), start):
            continue  # "بمشاركة قادة الدول، ومن بينهم ترمب وبوتين، عبر تقنية الاتصال المرئي"
        if _MULTILATERAL_AFTER_RE.match(text, end):
            continue  # "في اتصال هاتفي مشترك" with a third leader: not a call of two
        if (
            strength == "video"
            and _BARE_VIDEO_RE.match(text, start, end)
            and _ADDRESS_BEFORE_RE.search(text, max(0, start - 50), start)
        ):
            continue  # "ألقى كلمة عبر الفيديو": an address, not a call
        if strength == "strong" and _BARE_PHONED_RE.fullmatch(text, start, end):
            after = [p for p in people if p.start >= end]
            if not (
                len(after) >= 2
                and after[0].start - end <= 2
                and _TIME_GAP_RE.fullmatch(text, after[0].end, after[1].start)
            ):
                continue
        if strength == "strong" and _CALL_VERB_RE.fullmatch(text, start, end):
            # "اتصل"/"يتصل" is a call only with its object:
            # "اتصل به", "يتصل بنظيره", "اتصل ترامب ببوتين"
            if not re.search(r"\bب\w", text[end : end + _OBJECT_REACH]):
                continue
        if strength == "speech":
            lo, hi = clause_bounds(text, start, end)
            # a meeting word near the verb makes it a talk in person; one further on, past a
            # comma ("تحدثت مع بوتين ... ، مضيفا أنهما سيلتقيان"), is another event
            comma = text.find("،", end, hi)
            near_hi = min(hi, end + _MEETING_AFTER, comma if comma >= 0 else hi)
            near_lo = max(lo, start - _MEETING_BEFORE)
            if lex.meeting_re.search(text, near_lo, near_hi) or _MARGIN_RE.search(text, lo, hi):
                continue  # "تحدث مع بوتين على هامش القمة": in person
            prep = _WITH_RE.search(text, end, min(len(text), end + 35))
            if prep is None:
                # "تحدث الرئيس جوزيف آر. بايدن الابن اليوم مع": a long subject before "مع"
                far = _WITH_RE.search(text, end, min(len(text), end + _SPEECH_WITH_REACH))
                if far and any(end <= p.start and p.end <= far.start() for p in people):
                    prep = far
            anchor = prep.end() if prep else end
            reciprocal = "تحادث" in text[start:end]  # "يتحادثان": the subjects are the parties
            if not reciprocal and not any(
                0 <= p.start - anchor <= _SPEECH_OBJECT_REACH for p in people
            ):
                continue  # "مع"/"ب" must introduce a person: "اتصال بالواقع" is no call
        coordinated = (
            previous
            if previous is not None
            and text[start] == "و"
            and _COORDINATED_RE.search(text, 0, start)
            else None
        )
        out.append(
            analyse_mention(lex, text, people, start, end, strength, sentence, day, coordinated)
        )
        previous = start
    return out


# A call dated this many days before publication or more is history, not news.
_STALE_DAYS = 10
_CALENDAR_HINT_RE = re.compile(r"\d|" + MONTH_RE.pattern)
_RECENT_DAYS = (3, 14)  # a "soft" recalled call within [-3, +14] days of publication is news


# A line of at most this many words before the story is its furniture: a byline ("كتب: محمد
# عبد الرحمن"), a dateline ("موسكو (أ ش أ)"), a stamp.
_FURNITURE_WORDS = 5


def _story_line(idx: int, text: str) -> bool:
    """Is sentence ``idx`` (the title is -1) part of the story, not a short line above it?"""
    return idx >= 0 and len(text.split()) > _FURNITURE_WORDS


def _past_the_lead(lex: Lexicon, texts: Sequence[tuple[int, str]], sentence: int) -> bool:
    """Is ``sentence`` past the story's lead: its third sentence or later, or its second under
    a lead about a meeting that names no call ("استقبل بوتين بومبيو ... في أول زيارة")?"""
    story = [t for i, t in texts if i < sentence and _story_line(i, t)]
    if len(story) > 1:
        return True
    return (
        len(story) == 1
        and lex.meeting_re.search(story[0]) is not None
        and _STEM_RE.search(story[0]) is None
    )


def _recalled(
    lex: Lexicon,
    m: CallMention,
    texts: Sequence[tuple[int, str]],
    published: dt.datetime | None,
    lead_other_call: bool,
    explainer: bool = False,
) -> bool:
    """Is this presidential call only recalled (background), not reported?"""
    if m.recall == "hard":
        return True
    if explainer:
        m = replace(m, recall="soft")  # a timeline recalls unless recent
    if m.recall == "soft" and lead_other_call:
        return True  # "جاء اتصال الوزيرين غداة المحادثة الهاتفية بين الرئيسين"
    if published is None:
        return m.recall == "soft"
    text = next(t for i, t in texts if i == m.sentence)
    if not m.recall and not _CALENDAR_HINT_RE.search(text):
        # only a calendar date can make a plainly reported call stale (a weekday word is at
        # most a week old), and calendar dates have digits or a month name: skip the parser
        return False
    # a call announced in the future tense ("سيجريان اتصالا") is not dated by a past day
    tense = "future" if _FUTURE_BEFORE_RE.search(text, max(0, m.start - 40), m.start) else None
    res = resolve_call_date([text], published, anchor=m.start, tense=tense)
    if res.value is None:
        if tense is None and _other_month_after(text, m.end, published):
            return True  # "خلال اتصال هاتفي في أبريل" in a June article: an old call
        # a review's call is history unless a date shows it recent
        return m.recall == "soft" and (explainer or _past_the_lead(lex, texts, m.sentence))
    delta = (res.value - published.date()).days
    if delta <= -_STALE_DAYS:
        return True
    if m.recall == "soft":
        return not (-_RECENT_DAYS[0] <= delta <= _RECENT_DAYS[1])
    return False


def _context_told(lex: Lexicon, text: str, start: int) -> bool:
    """Does a context sentence say who tells of the call ("بحسب ما أعلن الكرملين", "قال X إن
    ... بعد اتصال"), as news and not dated back ("حينها")?"""
    if _BACK_THEN_RE.search(text):
        return False
    return bool(lex.attribution_prep_re.search(text)) or any(
        m.end() <= start for m in lex.attribution_verb_re.finditer(text, 0, start)
    )


def _any_telling(lex: Lexicon, text: str) -> bool:
    """Does the sentence tell who says anything at all ("وكان الكرملين قد أعلن", "كشف
    أوشاكوف تفاصيل")? A recalled call in it may be news told by that source."""
    return bool(
        _ATTRIBUTION_RE.search(text)
        or lex.telling_verb_re.search(text)
        or lex.attribution_prep_re.search(text)
    )


def _other_month_after(text: str, end: int, published: dt.datetime) -> bool:
    """A month named right after the call ("في أبريل", "في ديسمبر 2021") that is before the
    publication's month: the call was in an earlier month, so it is not this article's news
    (a later month, "مطلع نيسان المقبل", is what comes next, not when the call was)."""
    found = MONTH_RE.search(text, end, min(len(text), end + 75))
    if not found:
        return False
    month = GREGORIAN_MONTHS[" ".join(found.group("mon").split())]
    year = int(found.group("year")) if found.group("year") else published.year
    # without a year a later month is read as the coming one ("مطلع نيسان المقبل")
    return (year, month) < (published.year, published.month)


def _inherit_parties(
    lex: Lexicon,
    m: CallMention,
    texts: Sequence[tuple[int, str]],
    idx: int,
    day: dt.date | None,
) -> CallMention:
    """ "جاء ذلك في مكالمة هاتفية": the parties are the people of the sentence before."""
    prev = [t for i, t in texts if i == idx - 1]
    if not prev:
        return m
    people = _people(lex, prev[0])
    roles: set[str] = set()
    presidents: list[President] = []
    for p in people:
        role, pres = _resolve(lex, p, day)
        if role == "both":
            roles.update(("us", "russia"))
        elif role in ("us", "russia"):
            roles.add(role)
            if pres is not None:
                presidents.append(pres)
        else:
            roles.add("other" if role == "elect" else role)
    if roles != {"us", "russia"}:
        return m
    return replace(m, parties=frozenset(roles), presidents=tuple(dict.fromkeys(presidents)))


_END_OF_SENTENCE = (".", "؟", "?", "!", "»", '"')


def _related_links(art: NormalizedArticle) -> set[int]:
    """Sentences that are page furniture, not the story: "اقرأ أيضا: ..." lines, the headlines
    listed on their own lines under a bare "اقرأ أيضا" header (they have no full stop, or a
    bullet), tag lists, and the readers' comments under the story."""
    links: set[int] = set()
    in_list = False
    for i, sentence in enumerate(art.sentences):
        text = sentence.folded
        if _COMMENTS_RE.match(text):
            return links | set(range(i, len(art.sentences)))  # the readers' comments follow
        if _RELATED_LINK_RE.match(text):
            links.add(i)
            in_list = len(text.split()) <= 6  # a bare header: the links follow, one a line
        elif (
            in_list
            and len(text) <= 160
            and (_BULLET_RE.match(text) or not text.rstrip().endswith(_END_OF_SENTENCE))
        ):
            links.add(i)
        else:
            in_list = False
    return links


def _repeats_title(art: NormalizedArticle, idx: int) -> bool:
    title = art.title_folded.strip(" .:")
    return bool(title) and art.sentences[idx].folded.strip(" .:") == title


def detect(lex: Lexicon, art: NormalizedArticle, call_day: dt.date | None = None) -> Detection:
    """Decide whether ``art`` is a call report, and where the call is stated."""
    day = call_day or _ref_day(art.article.published_at)
    # a title's ".." separates topic and news ("بايدن وبوتين.. اتصال هاتفي"), not sentences
    texts: list[tuple[int, str]] = [(-1, art.title_folded.replace("..", " ،"))] + [
        (i, s.folded) for i, s in enumerate(art.sentences)
    ]
    strong: list[CallMention] = []
    negated: list[CallMention] = []
    elect = False
    other_party = False
    lead_other_call = False  # the title or first sentence reports someone else's call
    # "اقرأ أيضا: بايدن وبوتين يبحثان هاتفيا..." is a link to another story, not this one's news
    links = _related_links(art)
    spans = _expression_spans(lex, [(i, t) for i, t in texts if i not in links], with_weak=True)
    # Bare nouns and plain speech verbs ("المكالمة", "تحدث مع") only support a call that an
    # explicit expression established: they are analysed later, and only after such a call.
    by_sentence = {
        idx: sentence_mentions(
            lex, text, idx, day, False, [s for s in spans.get(idx, []) if s[2] != "weak"]
        )
        for idx, text in texts
    }
    # the story's first sentence: past a byline or dateline ("كتب: ...", "موسكو (أ ش أ)")
    lead = next((i for i, t in texts if _story_line(i, t)), 0)
    for idx, text in texts:
        told_first = False  # this sentence told the presidents' call before any other
        for m in by_sentence[idx]:
            if m.strength == "weak":
                continue
            if not m.parties and idx >= 0 and _ANAPHORA_RE.search(text):
                m = _inherit_parties(lex, m, texts, idx, day)
            if (
                idx <= lead
                and m.parties & {"aide", "other"}
                and not m.negated
                and not (told_first and idx > 0)
            ):
                # "... وكان ترمب قد تحدث مع زيلينسكي" after the presidents' call in the lead
                # is that call's aftermath, not the lead's own news
                lead_other_call = True
            told_first = told_first or (m.presidential and not m.negated)
            if m.elect:
                elect = True
            if (
                m.parties
                and m.parties != frozenset({"us", "russia"})
                and {"us", "russia"} & m.parties
            ):
                other_party = True
            if m.presidential and lead_other_call and not m.presidents and idx > 0:
                # "الزعيمان", "الرئيسان" in a story whose lead is another leader's call (Xi and
                # Putin): the pair is that call's, not the US and Russian presidents
                continue
            if m.presidential:
                if m.negated and idx < 0 and _QUESTION_TITLE_RE.match(text):
                    # "هل تحدث ترامب مع بوتين؟ الكرملين لا يؤكد ولا ينفي": a headline's question
                    # denies nothing; the body tells what is known
                    continue
                (negated if m.negated else strong).append(m)
    n_sent = max(1, len(art.sentences))
    base = {
        "presidential": float(min(len(strong), 3)),
        "negated": float(bool(negated)),
        "elect": float(elect),
        "other_party": float(other_party),
        "lead_other_call": float(lead_other_call),
    }
    if not strong:
        reason = "no call between the two sitting presidents"
        if negated:
            reason = "the call is denied or not planned"
        elif elect:
            reason = "a call with a president-elect is not a presidential call"
        elif other_party:
            reason = "a call of one president with someone else"
        return Detection(False, reason, (), None, base, by_sentence)

    if _FICTION_RE.search(art.title_folded):
        return Detection(
            False,
            "a call in fiction (a film, a series, a novel)",
            tuple(strong),
            None,
            base,
            by_sentence,
        )
    if _FACT_CHECK_RE.match(art.title_folded) or any(
        _FACT_CHECK_RE.match(s.folded) for s in art.sentences[:3]
    ):
        return Detection(
            False, "a fact-check of a claimed call", tuple(strong), None, base, by_sentence
        )
    # A call that the article reports beats one that is merely recalled.
    explainer = any(EXPLAINER_RE.search(t) for i, t in texts if i <= 0)
    sentence_text = dict(texts)
    reported = [
        m
        for m in strong
        if not _recalled(lex, m, texts, art.article.published_at, lead_other_call, explainer)
    ]
    if reported and all(m.sentence < 0 for m in reported):
        # Only the title reports the call. That is not enough when the body recalls the call as
        # history ("من القمة المرئية إلى جنيف: ماذا حققت مكالمات بايدن وبوتين؟"), or when the
        # title's is a talk with no phone word ("بوتين وأوباما يتحادثان لدقائق في ليما"), which
        # may as well have been in person.
        history = explainer or any(m.sentence >= 0 and m.recall != "soft" for m in strong)
        if history or all(m.strength == "speech" for m in reported):
            reported = []
    if lead_other_call and all(m.strength == "speech" and m.sentence > 0 for m in reported):
        # "ويأتي الاتصال بعد يوم من محادثة ترامب مع بوتين" in a story led by another leader's
        # call: a plain "talk with" further down is that story's background
        reported = []
    if lead_other_call and all(
        m.sentence > lead and _ALSO_AFTER_RE.match(sentence_text[m.sentence], m.end)
        for m in reported
    ):
        # "وجاء اتصال الوزيرين في يوم مزدحم، إذ تحادث الرئيسان ... هاتفيا أيضا": the presidents'
        # call "too" is a side note of the story about the other call
        reported = []
    first_other = min(
        (
            m.sentence
            for found in by_sentence.values()
            for m in found
            if m.parties & {"aide", "other"} and not m.negated
        ),
        default=None,
    )
    if first_other is not None and all(
        m.sentence > first_other
        and _PROPOSED_BEFORE_RE.search(sentence_text[m.sentence], max(0, m.start - 40), m.start)
        for m in reported
    ):
        # "وبحسب النص، اقترح ويتكوف أن يتصل الرئيس بوتين بترامب" in a story whose first call is
        # an envoy's: the presidents' call is what someone proposed in it, not an event told
        reported = []
    base["recalled"] = float(min(len(strong) - len(reported), 3))
    base["explainer"] = float(explainer)
    if not reported:
        return Detection(
            False,
            "the presidents' call is only mentioned in passing, as background",
            tuple(strong),
            None,
            base,
            by_sentence,
        )
    # Negation of the very call in the lead (a denial story that quotes the claim) wins.
    first_neg = min((m.sentence for m in negated), default=10**6)
    if first_neg < reported[0].sentence and len(negated) >= len(reported):
        return Detection(
            False, "the call is denied or not planned", tuple(strong), None, base, by_sentence
        )

    body = [m for m in reported if m.sentence >= 0]
    # a scraped page often repeats the headline as its first line: the story starts after it
    told = [m for m in body if not _repeats_title(art, m.sentence)]
    primary = (told or body or reported)[0]
    for idx, text in texts[primary.sentence + 2 :]:
        weak = [s for s in spans.get(idx, []) if s[2] == "weak"]
        if weak:
            found = by_sentence[idx] + sentence_mentions(lex, text, idx, day, True, weak)
            by_sentence[idx] = sorted(found, key=lambda m: m.start)
    # Supporting follow-ups ("المكالمة", "تحدث مع") in the sentences after the call.
    support = 0
    for idx, _text in texts[primary.sentence + 2 :]:
        for m in by_sentence[idx]:
            if (
                m.strength == "weak"
                and not m.negated
                and m.recall != "hard"  # "مواصلة الاتصالات": contacts at large, no follow-up
                and m.parties <= {"us", "russia"}
            ):
                support += 1
    if (
        support == 0
        and primary.sentence >= 2
        and all(m.sentence >= 0 and (m.context or m.recall == "soft") for m in reported)
        and not _context_told(lex, art.sentences[primary.sentence].folded, primary.start)
        and (primary.context or not _any_telling(lex, art.sentences[primary.sentence].folded))
    ):
        # "وجاء الهجوم بعد ساعات من الاتصال الهاتفي بين ترامب وبوتين" past the lead, told by
        # no one and never taken up again: the story is about the attack, the call its context
        return Detection(
            False,
            "the presidents' call is named only as the context of another story",
            tuple(strong),
            None,
            base,
            by_sentence,
        )
    features = {
        **base,
        "reported": float(min(len(reported), 3)),
        "in_title": float(any(m.sentence == -1 for m in reported)),
        "lead": float(primary.sentence <= 2),
        "position": primary.sentence / n_sent if primary.sentence >= 0 else 0.0,
        "named_both": float(len(primary.presidents) >= 2),
        "support": float(min(support, 3)),
        "speech_only": float(all(m.strength == "speech" for m in reported)),
        "soft_recall": float(primary.recall == "soft"),
    }
    return Detection(
        True,
        "a call between the sitting presidents is reported",
        tuple(reported),
        primary,
        features,
        by_sentence,
    )


class DetectCallsFn(beam.DoFn):
    """NormalizedArticle -> (NormalizedArticle, Detection)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._articles = beam.metrics.Metrics.counter("detect", "articles")
        self._reports = beam.metrics.Metrics.counter("detect", "call_reports")

    def process(self, art: NormalizedArticle) -> Iterator[tuple[NormalizedArticle, Detection]]:
        self._articles.inc()
        det = detect(self._lexicon, art)
        if det.is_call_report:
            self._reports.inc()
        yield art, det


class DetectCalls(beam.PTransform):
    """Decide, for every article, whether it reports a White House-Kremlin call."""

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__()
        self._lexicon = lexicon

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return articles | "DetectPresidentialCall" >> beam.ParDo(DetectCallsFn(self._lexicon))
