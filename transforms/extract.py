"""ExtractCallReport: (NormalizedArticle, Detection) -> call_reports rows, articles rows.

The fields of a call report (DESIGN §3), read from the sentences that establish the call:

* ``us_leader``/``russian_leader`` - the parties of the call, resolved by term of office;
* ``call_status`` - the status cue nearest the call expression (``سيتحدث`` scheduled, ``أجرى``
  held, ``طلب``/``مستعد`` requested); "بناءً على طلب" names who asked and is no status cue;
* ``call_date`` - ``transforms.dates.resolve_call_date`` on the call sentences, against the
  publication date; null when the text does not pin it down;
* ``medium``, ``requested_by`` (explicit cues, then the grammar of the call: "تلقى اتصالا من X",
  "اتصل X ب"), ``source_side``/``source_text`` (who the news is attributed to), ``topics``,
  ``actors``, ``duration_minutes``, ``evidence`` (sentences verbatim, with offsets);
* ``confidence`` - a logistic score of the detection features, calibrated on the dev corpus.

``analyze_article`` is the one function behind both the pipeline and ``hotline extract``.

Metrics: ``extract/call_reports``, ``extract/failed``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from pipeline.records import (
    Article,
    Evidence,
    Extraction,
    NormalizedArticle,
    RunContext,
    article_row,
    call_report_row,
)
from transforms.charset import repair_mojibake
from transforms.dates import DateResolution, resolve_call_date
from transforms.deadletter import DEAD_LETTER, dead_letter
from transforms.detect import (
    DURING_RE,
    EXPLAINER_RE,
    CallMention,
    Detection,
    clause_bounds,
    detect,
)
from transforms.lexicon import Lexicon
from transforms.normalize import fold_with_offsets, normalize_article

_LOGGER = logging.getLogger(__name__)

# Reach (folded characters) of status cues around the call expression.
_STATUS_BEFORE = 160
_STATUS_AFTER = 90
_WEAK_CUE_PENALTY = 40
_LEAD_VERB_DISTANCE = 40  # a cue that opens the sentence counts as this near, at most
_AFTER_CUE_PENALTY = 20
_SOURCE_GAP = 40
_TITLE_PRESENT_RE = re.compile(
    r"\b[يت]\w{2,}(?:ان|ون)?\b"
)  # characters between an attribution verb and the source it names
_DURATION_RE = re.compile(
    r"(?:استمر|استغرق|دام|امتد)\w{0,3}\s+(?:\w+\s+){0,3}?(?:(?P<n>\d+)\s*)?"
    r"(?P<unit>ساع(?:ه|تين|ات)|دقيق(?:ه|تين|ه)|دقائق|نصف ساعه|ربع ساعه)"
)
_WORD_NUMBERS = {
    "ساعه": 60,
    "ساعتين": 120,
    "نصف ساعه": 30,
    "ربع ساعه": 15,
    "دقيقه": 1,
    "دقيقتين": 2,
}


def confidence(lex: Lexicon, det: Detection) -> float:
    """P(call report), a logistic model of the detection features (``lexicons/confidence.yaml``,
    fit on held-out decisions by ``scripts/calibrate.py``)."""
    model = lex.confidence
    z = float(model["bias"])
    if det.is_call_report:
        z += float(model["weights"].get("decided", 0.0))
    for name, value in det.features.items():
        z += float(model["weights"].get(name, 0.0)) * value
    return 1.0 / (1.0 + math.exp(-z))


# A verb of proposing or inviting with its complement: "دعا ... إلى", "يقترح على", "اقترح أن"
_PROPOSAL_HEAD_RE = re.compile(
    r"(?<!\S)[وف]?(?:دع(?:ا|ت|وا)|[يت]دعو|اقترح\w{0,2}|[يت]قترح\w{0,2})\s+"
    r"(?:[^\s.]+\s+){0,10}?(?:الي|علي|ان)\s"
)

_TALK_WORD_RE = re.compile(r"(?:نقاش|حوار|حديث|مناقش|مباحث|تواصل)")


def call_status(lex: Lexicon, text: str, mention: CallMention) -> str:
    """Status from the cue nearest to the call expression."""
    c_lo, c_hi = clause_bounds(text, mention.start, mention.end)
    lo = max(c_lo, mention.start - _STATUS_BEFORE)
    hi = min(c_hi, mention.end + _STATUS_AFTER)
    anchor = mention.start
    requester_spans = [m.span() for m in lex.requester_cue_re.finditer(text)]
    best: tuple[int, int, str] | None = None  # (distance, -length, status)
    # "اقترح خلال اتصال هاتفي أجراه اليوم مع بوتين عقد قمة": a request made during the call is
    # what was said in it, not a request for it
    framed = bool(DURING_RE.search(text, max(0, mention.start - 12), mention.start))
    # "دعا ... إلى", "اقترح أن" before the call: what the status cues below may be the object of
    proposals = list(_PROPOSAL_HEAD_RE.finditer(text, lo, mention.start))
    for status in ("requested", "scheduled", "held", "held_weak"):
        for m in lex.status_re[status].finditer(text, max(0, lo), min(len(text), hi)):
            if any(s <= m.start() < e for s, e in requester_spans):
                continue  # "بناء على طلب": who asked, not what happened
            if framed and status == "requested" and m.end() <= mention.start:
                continue
            if mention.start <= m.start() < mention.end:
                d = 0  # the call expression itself is a verb: "تهاتف", "تلقى اتصالا"
            elif m.end() <= anchor:
                d = anchor - m.end()
                if not text[: m.start()].strip(" -–—:،,"):
                    d = min(d, _LEAD_VERB_DISTANCE)  # the sentence's own verb: "اقترح X ..."
            else:
                # after the call a cue often belongs to the next noun phrase ("لقمة ... المقررة")
                d = max(0, m.start() - mention.end) + _AFTER_CUE_PENALTY
                if "،" in text[mention.end : m.start()] or "," in text[mention.end : m.start()]:
                    d += _WEAK_CUE_PENALTY  # past a comma: likely another predicate
            if status == "held_weak":
                d += _WEAK_CUE_PENALTY
            if (
                status == "held"
                and m.start() < mention.start < m.end()
                and any(
                    h.end() <= m.start() and _TALK_WORD_RE.search(text, h.end(), m.start())
                    for h in proposals
                )
            ):
                # "دعا بوتين بايدن إلى مواصلة النقاش في محادثة مباشرة": the talk "in a call" is
                # what was proposed, its verb the status ("دعاه إلى زيارة موسكو في اتصال
                # هاتفي" is an invitation made during a call, and stays held)
                d += _WEAK_CUE_PENALTY
            elif status == "scheduled" and any(h.end() == m.start() for h in proposals):
                # "اقترح أمس أن يجري الرجلان محادثة": the verb proposed, not a call to come
                d += _WEAK_CUE_PENALTY
            key = (d, -(m.end() - m.start()), status.removesuffix("_weak"))
            if best is None or key[:2] < best[:2]:  # nearest, then the longest cue
                best = key
    return best[2] if best else "unknown"


_BARE_SIDE_ADJ_RE = re.compile(r"^[وفبلك]*(?:ال)?(?:امريكي|اميركي|روسي)(?:ه)?$")


def side_mentions(lex: Lexicon, text: str, adjectives: bool = False) -> list[tuple[int, int, str]]:
    """Every place ``text`` names a side: a president (name or title) or a side word
    ("واشنطن", "الكرملين", "الجانب الروسي"), as ``(start, end, side)`` in order. Adjacent
    mentions of one side merge ("نظيره الروسي فلاديمير بوتين"). A bare adjective ("الروسي",
    "أمريكي") counts only with ``adjectives`` (right after "بطلب", "بمبادرة")."""
    found: list[tuple[int, int, str]] = []
    for start, end, label, phrase in lex.people.find(text):
        kind, _, side = label.partition(":")
        if kind not in ("name", "title", "side") or side not in ("us", "russia"):
            continue
        if not adjectives and _BARE_SIDE_ADJ_RE.match(phrase):
            continue
        found.append((start, end, side))
    found.sort(key=lambda t: (t[0], -t[1]))
    out: list[tuple[int, int, str]] = []
    for f in found:
        if out and f[0] < out[-1][1]:
            continue
        if out and out[-1][2] == f[2] and not text[out[-1][1] : f[0]].strip():
            out[-1] = (out[-1][0], f[1], f[2])
            continue
        out.append(f)
    return out


def _first_side(mentions: Sequence[tuple[int, int, str]], lo: int, hi: int) -> str | None:
    return next((side for s, _, side in mentions if lo <= s < hi), None)


def _last_side(mentions: Sequence[tuple[int, int, str]], lo: int, hi: int) -> str | None:
    return next((side for s, e, side in reversed(mentions) if lo <= s and e <= hi), None)


# "تلقى بوتين اتصالا هاتفيا من ترامب": the caller follows "من".
_RECEIVED_RE = re.compile(
    r"\bتلق(?:ي|ى|يا|ت|تا)\b(?P<gap>.{0,120}?)\b(?:ال)?اتصال\w{0,2}(?:\s+هاتفي\w{0,2})?\s+من\s"
)
# "أجرى X اتصالا هاتفيا بـ Y", "X أجرى ... اتصالا بـ Y", "اتصل X بـ Y", "يهاتف X Y": X called.
_CALLED_RE = re.compile(
    r"\b[وف]?(?:(?:س)?[يت]?(?:جري|اجر(?:ي|ى))\b(?P<gap>.{0,120}?)\bاتصال\w{0,2}(?:\s+هاتفي\w{0,2})?\s+ب(?!ين)"
    r"|(?P<purpose>ل)?(?:س)?[يت]?(?:اتصل|تصل)\b(?P<gap2>.{0,100}?)\s+ب(?!ين|حث|شان|خصوص|عد)(?=\w)"
    r"|(?:س)?ي?هاتف\b(?P<gap3>.{0,100}?)(?=\S))"
)
# "أنه" right before the call verb: "he", who said so
_HE_BEFORE_RE = re.compile(r"(?:^|\s)(?:ان|بان)(?:ه|ها)\s+$")
# "اتصال هاتفي أجراه أوباما بميدفيديف": the call, then who made it, then whom he called
_MADE_BY_RE = re.compile(
    r"\b(?:ال)?اتصال\w{0,2}(?:\s+(?:ال)?هاتفي\w{0,2})?\s+(?:(?:ال)?(?:ذي|تي)\s+)?اجرا(?:ه|ها)\s+"
    r"(?P<subj>(?:(?!\bمع\b)[^،,.]){1,45}?)\s+ب(?!ين)(?=\w)"
)
# A call verb in a when-clause: "عندما اتصل بنظيره": the sentence's subject called
_WHEN_BEFORE_RE = re.compile(r"(?:عندما|حين|حينما|لما|بعدما|بعد\s+ان|قبل\s+ان)\s+$")
# "بوتين هو من طلب المكالمة", "بادر بايدن إلى الاتصال": who asked, whatever the status.
_INITIATED_RE = re.compile(
    r"\b(?:هو|هي)\s+(?:من|الذي|التي)\s+(?:طلب|بادر|اقترح|اتصل)\w{0,2}"
    # the verb only: "بادرة حسن نية" (a goodwill gesture) initiates nothing
    r"|\bبادر(?:ت|ا|وا|تا)?\b"
)
_REQUESTED_IT_RE = re.compile(
    r"\b(?:طلب|طلبت|طلبا)(?:ها|ه)\b"
    # "بعدما طلب الجانب الأمريكي تقديم موعدها": who asked to move it asked for it
    r"|\b(?:طلب|طلبت)(?=\s+(?:\S+\s+){1,3}(?:تقديم|تاجيل|تغيير|تعديل)\s+موعد)"
)
# "أن الجانب الأمريكي طلب إجراء المحادثة": who asked for the talk stands before the verb
_ASKED_FOR_IT_RE = re.compile(
    r"(?<!\S)[وف]?(?:طلب|طلبت|طلبا)\s+(?:اجراء|ترتيب|عقد|تنظيم)\s+(?:هذه\s+|هذا\s+)?"
    r"(?:ال)(?:محادث|اتصال|مكالم)"
)
# A request and who made it: "اقترح X", "دعت موسكو", "X مستعد", "أبدى الجانب الأمريكي رغبته".
_REQUEST_VERB_RE = re.compile(
    r"\b[وف]?(?:اقترح|طلب|دع(?:ا|ت)|طالب|ابد(?:ي|ى|ت)|اعرب|عرض|ناشد|حث)\w{0,2}\b"
    # present tense, the headline's subject-verb order: "بوتين يدعو بايدن إلى محادثة"
    r"|\b(?P<present>[يت](?:قترح|طلب|دعو|طالب|عرض|ناشد))\w{0,2}\b"
)
_REQUEST_STATE_RE = re.compile(
    r"\b(?:مستعد|منفتح|يرغب|ترغب|يريد|تريد|يامل|تامل|يسعي|تسعي)\w{0,2}\b"
)
_REQUEST_RECEIVED_RE = re.compile(
    r"\bتلق(?:ي|ى|ت)\w{0,2}\b.{0,40}?\b(?:ال)?(?:طلب|اقتراح|دعو)\w{0,2}\s+من\s"
)


# "بطلب من هذا الأخير": the one named last before the cue
_LATTER_RE = re.compile(r"\s*(?:هذا\s+|هذه\s+)?(?:ال)?اخير(?:ه)?(?!\w)")


def _cued_side(lex: Lexicon, text: str) -> str | None:
    """The side named right after a requester cue ("بناء على طلب الجانب الروسي")."""
    cues = list(lex.requester_cue_re.finditer(text))
    sides = side_mentions(lex, text, adjectives=True) if cues else []
    for m in cues:
        if _LATTER_RE.match(text, m.end()):
            # "سيتحدث مع نظيره الروسي بوتين، بطلب من هذا الأخير": the last one named
            side = _last_side(sides, 0, m.start())
        else:
            side = _first_side(sides, m.end(), m.end() + 40)
        if side:
            return side
    return None


def requested_by(
    lex: Lexicon,
    sentences: Sequence[str],
    mention: CallMention,
    status: str | None = None,
    titles: Sequence[str] = (),
) -> str | None:
    """Who asked for or initiated the call - only when the text says so, else None.

    The evidence sentence is read first, cue and wording ("اتصل بوتين بنظيره"); a cue in a
    sentence further on comes after it, since that sentence may recall another call ("إذ
    تحادثا يوم الخميس الماضي بمبادرة من ترامب")."""
    side = _cued_side(lex, sentences[0])
    if side:
        return side
    side = _worded_side(lex, sentences, mention, status)
    if side:
        return side
    for text in sentences[1:]:
        side = _cued_side(lex, text)
        if side:
            return side
    return _other_sentences_side(lex, sentences, titles)


def _worded_side(
    lex: Lexicon, sentences: Sequence[str], mention: CallMention, status: str | None
) -> str | None:
    """The requester as the evidence sentence words it: a request, a call received or made."""
    text = sentences[0]
    sides = side_mentions(lex, text)
    if status == "requested":
        got = _REQUEST_RECEIVED_RE.search(text)
        if got:
            side = _first_side(sides, got.end(), got.end() + 40)
            if side:
                return side
        for m in _REQUEST_VERB_RE.finditer(text, 0, mention.start):
            # verb-subject order ("اقترح الرئيس الروسي"), else subject-verb ("موسكو دعت");
            # "اقترح على الرئيس بايدن" names who is asked, not who asks
            after = [t for t in sides if m.end() <= t[0] < min(mention.start, m.end() + 80)]
            after = [
                t
                for t in after
                if not re.search(r"(?:علي|الي|ل)\s*$", text[max(0, t[0] - 5) : t[0]])
            ]
            subject = _last_side(sides, max(0, m.start() - 60), m.start())
            if m.group("present"):
                side = subject or (after[0][2] if after else None)
            else:
                side = (after[0][2] if after else None) or subject
            if side:
                return side
        for m in _REQUEST_STATE_RE.finditer(text, 0, mention.start):
            side = _last_side(sides, max(0, m.start() - 60), m.start())
            if side:
                return side
    received = _RECEIVED_RE.search(text)
    if received:
        side = _first_side(sides, received.end(), received.end() + 45)
        if side:
            return side
    made = _MADE_BY_RE.search(text)
    if made:
        side = _first_side(sides, made.start("subj"), made.end("subj"))
        callee = _first_side(sides, made.end() - 1, made.end() + 40)
        if side and callee and side != callee:
            return side
    return _called_side(lex, sentences[0])


def _other_sentences_side(
    lex: Lexicon, sentences: Sequence[str], titles: Sequence[str]
) -> str | None:
    """Who asked for it or initiated it, in any sentence about the call; who called, in the
    headline."""
    for other in sentences:
        if not (
            _REQUESTED_IT_RE.search(other)
            or _INITIATED_RE.search(other)
            or _ASKED_FOR_IT_RE.search(other)
        ):
            continue
        other_sides = side_mentions(lex, other)
        for m in _REQUESTED_IT_RE.finditer(other):
            # "بعد أن طلبتها واشنطن": verb, the call as its object, then who asked
            side = _first_side(other_sides, m.end(), m.end() + 40)
            if side:
                return side
        for m in _ASKED_FOR_IT_RE.finditer(other):
            before = other[max(0, m.start() - 30) : m.start()]
            if "،" in before or "," in before:
                continue
            side = _last_side(other_sides, max(0, m.start() - 30), m.start())
            if side:
                return side
        for m in _INITIATED_RE.finditer(other):
            side = _last_side(other_sides, max(0, m.start() - 50), m.start())
            side = side or _first_side(other_sides, m.end(), m.end() + 60)
            if side:
                return side
    for candidate in titles:
        side = _called_side(lex, candidate)
        if side:
            return side
    return None


def _called_side(lex: Lexicon, candidate: str) -> str | None:
    """The caller of "اتصل X بـ Y", "أجرى X اتصالا بـ Y", "يهاتف X Y" in one sentence."""
    called = list(_CALLED_RE.finditer(candidate))
    sides_c = side_mentions(lex, candidate) if called else []
    for m in called:
        gap = next(g for g in ("gap", "gap2", "gap3") if m.group(g) is not None)
        in_gap = {side for s, _, side in sides_c if m.start(gap) <= s < m.end(gap)}
        if len(in_gap) > 1:
            continue  # "أجرى بوتين ونظيره الأمريكي اتصالا": both, no initiator
        # subject-verb order ("ترامب يهاتف بوتين", "بوتين أجرى ... اتصالا بـ"): a president
        # named just before the verb, nothing but a few words between
        people = [t for t in side_mentions(lex, candidate) if t[1] <= m.start()]
        before = people[-1] if people else None
        if (
            before
            and m.start() - before[1] <= 30
            and not re.search(r"[،,.:]", candidate[before[1] : m.start()])
        ):
            side = (
                before[2]
                if lex.requester_side_re[before[2]].fullmatch(candidate[before[0] : before[1]])
                is None
                else None
            )
        else:
            side = None
        if side is None and people and _HE_BEFORE_RE.search(candidate, 0, m.start()):
            # "أعلن ترامب، أمس، أنه أجرى اتصالا بنظيره": "he" is who said so
            said = lex.telling_verb_re.finditer(candidate, max(0, people[-1][0] - 20))
            if any(not candidate[v.end() : people[-1][0]].strip() for v in said):
                side = people[-1][2]  # the verb of telling right before the president
        if side is None and gap == "gap3":  # "يهاتف ترامب بوتين": first of the two sides
            side = _first_side(sides_c, m.start(gap), m.start(gap) + 60)
        elif (
            side is None
            and people
            and (
                m.group("purpose")
                or m.group(0)[0] in "وف"
                or _WHEN_BEFORE_RE.search(candidate, max(0, m.start() - 12), m.start())
            )
        ):
            # "قطع ترامب اجتماعه ... ليتصل ببوتين", "ترامب يقطع اجتماعه ... ويتصل ببوتن": a
            # purpose verb, or one coordinated with the sentence's verb, has the
            # sentence's subject, its first president
            side = people[0][2]
        elif side is None:
            side = _first_side(sides_c, m.start(gap), m.end(gap))
        if side:
            return side
    return None


# "أن بوتين اتصل به": the subject called; "اتصلت بالرئيس بوتين" in a president's own words: the
# speaker called
_CALLED_HIM_RE = re.compile(r"\bاتصل(?:ت)?\s+(?:به|بها)\b")
_I_CALLED_RE = re.compile(r"(?:^|[\s«\"“])(?:اتصلت|هاتفت)\s")


def _story_end(art: NormalizedArticle, primary_sentence: int) -> int:
    """Where the story about the call ends: at a timeline or record of older calls below it
    ("محطات", "سجل الاتصالات"), since nothing from there on tells of this call."""
    return next(
        (
            i
            for i in range(max(primary_sentence + 1, 0), len(art.sentences))
            if EXPLAINER_RE.search(art.sentences[i].folded)
        ),
        len(art.sentences),
    )


def _later_requester(
    lex: Lexicon, art: NormalizedArticle, det: Detection, story_end: int
) -> str | None:
    """Who called, told further down than ``requested_by`` reads, in a sentence that goes on
    about the call: "قال الكرملين إن المحادثة جرت بمبادرة من الجانب الأمريكي", "وكتب ترامب أن
    بوتين اتصل به", a president's post "اتصلت بالرئيس بوتين"."""
    assert det.primary is not None
    for idx in range(max(det.primary.sentence, 0), story_end):
        mentions = det.by_sentence.get(idx, ())
        if not any(not m.negated and not m.parties & {"aide", "other"} for m in mentions):
            continue
        text = art.sentences[idx].folded
        side = _cued_side(lex, text)
        if side:
            return side
        plain = side_mentions(lex, text)
        others = [(c.start, c.end) for c in mentions if c.parties & {"aide", "other"}]
        for m in _CALLED_HIM_RE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in others):
                continue  # "ترامب اتصل به" where "him" is Zelensky: another call
            before = [t for t in plain if t[1] <= m.start() and m.start() - t[1] <= 12]
            if before:
                return before[-1][2]
        for m in _I_CALLED_RE.finditer(text):
            speaker = _last_side(plain, 0, m.start())
            callee = _first_side(plain, m.end(), m.end() + 40)
            if speaker and callee and speaker != callee:
                return speaker
    return None


# The report itself says it is not known whether the call took place: "ولم يتضح ما إذا كانت
# المكالمة قد جرت بالفعل", "من دون أن توضح ما إذا كان الاتصال قد جرى" (a spokesman's "I can
# neither confirm nor deny" alone is not enough: the claim may still be reported as a call)
_UNCONFIRMED_RE = re.compile(
    r"(?<!\S)[وف]?(?:لم\s+يتضح|غير\s+واضح|دون\s+ان\s+[يت]وضح\w{0,2})\s+(?:[^\s.]+\s+){0,16}?ما\s+اذا\s+(?:\S+\s+){0,6}?"
    r"(?:قد\s+)?(?:جر|تم|حصل|تحادث|تحدث|تهاتف|اتصل)"
    # "الكرملين لا يؤكد ولا ينفي", "لا يستطيع تأكيد أو نفي ما ذكره ترامب"
    r"|(?<!\w)(?:لا|لم)\s+(?:[يت]ستطيع\s+|[يت]مكن\w{0,2}\s+)?(?:ال)?(?:تاكيد|[يت]ؤكد)\w{0,2}\s+"
    r"(?:او|ولا)\s+(?:ال)?(?:نفي|[يت]نفي)"
    # "ما يترك مسألة حدوث المكالمة غامضة"
    r"|(?<!\S)(?:حدوث|اجراء|وقوع)\s+(?:ال)?(?:مكالمه|اتصال|محادثه)\s+(?:\S+\s+)?"
    r"(?:غامض\w{0,2}|غير\s+مؤكد\w{0,2}|موضع\s+شك)"
)
# A photo caption published as an item: "صورة وزعها البيت الأبيض لأوباما يتحدث هاتفيا مع بوتين"
_CAPTION = r"^\W*(?:ال)?صوره"
_CAPTION_RE = re.compile(_CAPTION + r"\b")
# ... and who gave the photo out
_PHOTO_BY_RE = re.compile(
    _CAPTION + r"\s+(?:\S+\s+)?(?:وزعها|نشرها|بثها|اصدرها|التقطها)\s+(?P<subj>[^،,.]{2,40}?)\s+ل"
)


# The day of the call left untold, after the call word: "من دون أن يحدد متى جرى ذلك", "دون
# تحديد موعدها"
_WHEN_UNTOLD_RE = re.compile(
    r"(?<!\S)(?:من\s+)?دون\s+(?:ان\s+[يت](?:حدد|ذكر|وضح|كشف)\w{0,2}\s+(?:\S+\s+)?(?:متي|متى|موعد|تاريخ|يوم)"
    r"|تحديد\s+(?:موعد|تاريخ|يوم))"
)


# A postponed call: "قد تأجلت", "أرجئت المكالمة", "تأجيل المحادثة"
_POSTPONED_RE = re.compile(r"\b(?:تاجل|تاجلت|ارجئ|ارجئت|اجلت|تاجيل|ارجاء)\w{0,2}\b")


# A live-blog entry: "23:41 ترامب على «تروث سوشال»: ...", "12:20 ص — الكرملين: ...",
# "1:10 بعد الظهر - الكرملين: ..."
_ENTRY_TIME_RE = re.compile(
    r"^\W*(?P<h>\d{1,2}):(?P<m>\d{2})\s*"
    r"(?P<half>[صم](?!\w)|am\b|pm\b|صباحا|فجرا|ظهرا|بعد\s+الظهر|عصرا|مساء|ليلا)?\s*[—–\-|]?\s*"
)
# its speaker, before the first colon: "12:20 ص — الرئيس الأمريكي ترامب يكتب على منصته:"
_ENTRY_SOURCE_RE = re.compile(_ENTRY_TIME_RE.pattern + r"(?P<subj>[^:|]{2,70}):")
_MORNING = ("ص", "am", "صباحا", "فجرا")
_LAST_UPDATE_GAP = 60  # minutes between a live blog's last entry and its page time


def _entry_clock(text: str) -> tuple[int, int] | None:
    """The clock time a live-blog entry is stamped with, on 24 hours (None: not an entry)."""
    stamp = _ENTRY_TIME_RE.match(text)
    if not stamp:
        return None
    h, m = int(stamp.group("h")), int(stamp.group("m"))
    half = " ".join((stamp.group("half") or "").split())
    if half in _MORNING and h == 12:
        h = 0  # "12:20 ص" is twenty past midnight
    elif half and half not in _MORNING and h < 12 and not (half == "ظهرا" and h >= 11):
        h += 12  # "1:10 بعد الظهر", "8:15 مساء" (but "11:50 ظهرا" is before noon)
    return (h, m) if h <= 23 and m <= 59 else None


def _minutes(clock: tuple[int, int]) -> int:
    return clock[0] * 60 + clock[1]


def _live_entry_day(texts: Sequence[str], published: dt.datetime | None) -> DateResolution | None:
    """A held call told in a live-blog entry (the first of ``texts``; the page's later
    entries follow it) on the day the page gives: stamped later than the page was opened, or,
    on a page whose stamps run forward to its last entry within the hour before the page's
    time (which is then its last update, not its opening), earlier. Otherwise an earlier clock
    time may be the next day's, so it pins nothing."""
    if published is None:
        return None
    page = (published.hour, published.minute)
    stamps = [c for c in map(_entry_clock, texts[1:]) if c is not None]
    for text in texts[:1]:
        clock = _entry_clock(text)
        if clock is None:
            return None
        h, m = clock
        if stamps != sorted(stamps) or (stamps and stamps[0] < clock):
            return None  # the stamps go back: the page passes midnight
        if clock >= page:
            why = f"after the page opened on {published.date()}"
        elif 0 <= _minutes(page) - _minutes((stamps or [clock])[-1]) <= _LAST_UPDATE_GAP:
            why = f"before the page's last update at {page[0]:02d}:{page[1]:02d}"
        else:
            return None
        return DateResolution(
            published.date(), "relative", f"a live-blog entry stamped {h:02d}:{m:02d}, {why}"
        )
    return None


# A call going on, or just over, as the story is written: "يجري حاليا مكالمة", "لا تزال جارية",
# "أنهى للتو محادثة هاتفية", a live blog's "نتابع لحظة بلحظة القمة المنعقدة عبر الفيديو"
_GOING_ON_RE = re.compile(
    r"(?<!\w)(?:حاليا|الان|للتو|لحظه\s+بلحظه|اولا\s+باول|في\s+هذه\s+الاثناء|(?:لا\s+)?(?:تزال|يزال|مازالت|مازال)\s+جاري\w{0,2})(?!\w)"
)
_GOING_ON_REACH = 40


def _under_way(
    text: str, primary: CallMention, published: dt.datetime | None
) -> DateResolution | None:
    """A held call told as going on or just over, next to its call word: the publication day."""
    if published is None:
        return None
    lo = max(0, primary.start - _GOING_ON_REACH)
    now = _GOING_ON_RE.search(text, lo, min(len(text), primary.end + _GOING_ON_REACH))
    if now is None:
        return None
    return DateResolution(
        published.date(),
        "relative",
        f"'{now.group(0)}': the call is under way or just over at publication, {published.date()}",
    )


# "البيت الأبيض: ...", "عاجل | الكرملين: ..." (a live-blog entry "16:12 الكرملين: ..." is
# _ENTRY_SOURCE_RE's)
_TITLE_SOURCE_RE = re.compile(r"^\W*(?:عاجل\s*[|:]\s*)?(?P<subj>[^:|]{2,40}):")


_TOPIC_HEAD_RE = re.compile(
    r"\W*(?:(?:اول|ثاني|ثالث|اخر|اطول|احدث)\s+)?[وفبلك]*(?:ال)?(?:مكالم|اتصال|محادث|دردش|قم[هت]|لقاء|هاتف)"
)


def _is_topic(lex: Lexicon, lead: str) -> bool:
    """A title lead before ":" that names the story's subject ("مكالمة بايدن – بوتين", "بايدن
    وبوتين"), not who says it ("الكرملين", "ترامب بعد اتصال مع بوتين", "بايدن لبوتين")."""
    if _TOPIC_HEAD_RE.match(lead):
        return True
    sides = side_mentions(lex, lead)
    if len(sides) != 2 or sides[0][2] == sides[1][2]:
        return False
    (s1, e1, _), (s2, e2, _) = sides
    # joined by و or a dash, nothing else around them
    between = lead[e1:s2] + ("و" if lead[s2] == "و" else "")
    return (
        not lead[:s1].strip()
        and not lead[e2:].strip()
        and bool(re.fullmatch(r"\s*(?:و|[\-–—/])\s*", between))
    )


_CITING_RE = re.compile(r"\bنقلا\s+عن\b")
_CITED_REACH = 40


def _source_in(
    lex: Lexicon, text: str, start: int, end: int, leaders: bool = False
) -> tuple[str, int, int] | None:
    """The first source cue inside ``text[start:end]``: (side, start, end). With ``leaders``
    (the evidence sentence and the title) a third country's leader ("المستشار الألماني ميرتس")
    is "other" too; elsewhere such a leader's words are comment on the call, not its source.
    A medium citing one side ("وكالة «تاس» نقلا عن الكرملين") is that side's."""
    hits: list[tuple[str, int, int]] = []
    for side in ("us", "russia", "other"):
        m = lex.source_re[side].search(text, start, end)
        if m:
            hits.append((side, m.start(), m.end()))
    for p_start, p_end, label, _phrase in lex.people.find(text) if leaders else ():
        if label == "other" and start <= p_start and p_end <= end:
            hits.append(("other", p_start, p_end))
            break
    if not hits:
        return None
    # the earliest; at one place the longest ("مصادر في الكرملين" over "مصادر")
    best = min(hits, key=lambda h: (h[1], -h[2]))
    if best[0] == "other":
        citing = _CITING_RE.search(text, best[2], end)
        if citing:
            cited = [
                (side, m.start(), m.end())
                for side in ("us", "russia")
                if (m := lex.source_re[side].search(text, citing.end(), end))
            ]
            if cited:
                return min(cited, key=lambda h: (h[1], -h[2]))
    return best


def _attribution(lex: Lexicon, text: str, leaders: bool = False) -> tuple[str, int, int] | None:
    """The earliest attributed source of one folded sentence."""
    found: list[tuple[str, int, int]] = []
    # "عاجل | البيت الأبيض: ...", a live-blog entry "12:20 ص — ترامب يكتب على منصته: ...", a
    # caption "صورة نشرها البيت الأبيض للرئيس بايدن ..."
    leads = (_TITLE_SOURCE_RE.match(text), _ENTRY_SOURCE_RE.match(text), _PHOTO_BY_RE.match(text))
    for lead in leads:
        hit = _source_in(lex, text, lead.start("subj"), lead.end("subj"), leaders) if lead else None
        if hit:
            found.append(hit)
            break
    for regex in (
        lex.attribution_verb_re,
        lex.attribution_prep_re,
        lex.pluperfect_attribution_re,
    ):
        for m in regex.finditer(text):
            lo, hi = m.start("subj"), m.end("subj")
            hit = _source_in(lex, text, lo, hi, leaders)
            if hit and hit[0] == "other" and m.group(0).endswith("عن"):
                # "نقلت صحيفة نيويورك بوست عن الرئيس الأميركي": the medium cites one side
                cited = _source_in(lex, text, m.end(), min(len(text), m.end() + _CITED_REACH))
                if cited and cited[0] != "other" and cited[1] - m.end() <= 2:
                    hit = cited
            if hit:
                found.append(hit)
    return min(found, key=lambda t: t[1]) if found else None


def source(
    lex: Lexicon, art: NormalizedArticle, primary_sentence: int
) -> tuple[str | None, str | None]:
    """(side, Arabic phrase) the report attributes the call to: the evidence sentence first,
    then a "المصدر:" title, then the sentences that follow and the lead."""
    order: list[int] = [primary_sentence] if primary_sentence >= 0 else []
    order.append(-1)
    order += list(range(primary_sentence + 1, min(len(art.sentences), primary_sentence + 4)))
    order += list(range(min(3, len(art.sentences))))
    for idx in dict.fromkeys(order):
        if idx == -1:
            m = _TITLE_SOURCE_RE.match(art.title_folded)
            if m and _is_topic(lex, m.group("subj")):
                m = None  # "مكالمة بايدن – بوتين: ..." names the subject, not who says it
            hit = (
                _source_in(lex, art.title_folded, m.start("subj"), m.end("subj"), leaders=True)
                if m
                else None
            )
            if hit:
                original = art.article.title or ""
                folded, offsets = fold_with_offsets(original)
                if folded == art.title_folded:
                    return hit[0], original[offsets[hit[1]] : offsets[hit[2] - 1] + 1]
                return hit[0], art.title_folded[hit[1] : hit[2]]
            continue
        hit = _attribution(lex, art.sentences[idx].folded, leaders=idx == primary_sentence)
        if hit:
            return hit[0], _original_span(art, idx, hit[1], hit[2])
    return None, None


def _original_span(art: NormalizedArticle, idx: int, start: int, end: int) -> str:
    sent = art.sentences[idx]
    original = art.text[sent.start : sent.end]
    folded, offsets = fold_with_offsets(original)
    if folded != sent.folded:  # defensive: fall back to the folded phrase
        return sent.folded[start:end]
    s = offsets[min(start, len(offsets) - 1)]
    e = offsets[min(end, len(offsets) - 1)] if end < len(offsets) - 1 else len(original)
    if end < len(offsets) - 1:
        e = offsets[end - 1] + 1
    return original[s:e].strip()


def duration_minutes(texts: Sequence[str]) -> int | None:
    for text in texts:
        m = _DURATION_RE.search(text)
        if not m:
            continue
        unit = m.group("unit")
        n = int(m.group("n")) if m.group("n") else None
        if unit in _WORD_NUMBERS and n is None:
            return _WORD_NUMBERS[unit]
        if unit.startswith("ساع"):
            return (n or 1) * 60
        return n or None
    return None


def tags(lex: Lexicon, texts: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(topics, actors) mentioned anywhere in ``texts``, in lexicon order."""
    found = {
        label for labels in lex.tag_matcher.labels("\n".join(texts)) for label in labels.split("|")
    }
    return (
        tuple(k for k in lex.topic_names if f"topic:{k}" in found),
        tuple(k for k in lex.actor_names if f"actor:{k}" in found),
    )


_FOLLOW_UP_REACH = 5  # sentences after the evidence that may continue about the call


def _follow_up_sentences(det: Detection, n_sentences: int) -> list[int]:
    """Sentences right after the evidence that go on about the same call ("وجرت المكالمة
    أمس..."): a bare call noun, no other party, not negated, not recalled."""
    assert det.primary is not None
    first = max(det.primary.sentence + 1, 0)
    return [
        idx
        for idx in range(first, min(n_sentences, first + _FOLLOW_UP_REACH))
        if any(
            # "خلال المكالمة التي جرت الثلاثاء" is soft-recalled wording, natural in a follow-up
            not m.negated and m.recall != "hard" and not (m.parties & {"aide", "other"})
            for m in det.by_sentence.get(idx, ())
        )
    ]


# A call announced and then told as under way or done, in the same sentence
_UNDER_WAY_RE = re.compile(
    r"(?<!\S)[وف]?(?:قد\s+)?(?:بدا|بدات|انطلق|انطلقت)\w{0,2}\s+(?:\S+\s+){0,3}?"
    r"(?:قبل\s+قليل|منذ\s+قليل|للتو)"
    r"|(?<!\S)[وف]?(?:جرت|جري|عقدت|انعقدت|تمت)\s+بالفعل"
)


def _status(
    lex: Lexicon, det: Detection, follow_ups: Sequence[int], folded: Callable[[int], str]
) -> str:
    """The status of the call: its evidence sentence's, unless that does not say, or says the
    call is coming and a later sentence reporting it says it took place.

    "بوتين وترامب يتحادثان هاتفيا" (a body headline) then "أجرى ..."; "سيتحدث ... صباح الخميس"
    then "المحادثة جرت بالفعل"; "خلال أول اتصال هاتفي بينهما" then the follow-up "خلال
    المكالمة التي جرت الثلاثاء". Follow-ups (bare nouns) only fill in an unknown status.
    """
    primary = det.primary
    assert primary is not None
    status = call_status(lex, folded(primary.sentence), primary)
    if status == "scheduled" and _UNDER_WAY_RE.search(folded(primary.sentence)):
        # "سيجري اتصالا ... اليوم، وقد بدأ الاتصال قبل قليل", "كان من المقرر أن تنطلق القمة
        # ... وجرت بالفعل في موعدها": announced, then under way or done
        status = "held"
    later = [
        (m, True)
        for m in det.mentions
        if m is not primary and m.sentence >= primary.sentence and not m.recall
    ]
    later += [(m, False) for idx in follow_ups for m in det.by_sentence.get(idx, ())]
    for m, reported in later:
        if status not in ("unknown", "scheduled") or (status == "scheduled" and not reported):
            break
        got = call_status(lex, folded(m.sentence), m)
        if status == "unknown" or got == "held":
            status = got
    return status


def _terms_differ(lex: Lexicon, a: dt.date, b: dt.date) -> bool:
    return any(lex.sitting(side, a) != lex.sitting(side, b) for side in ("us", "russia"))


def extract(lex: Lexicon, art: NormalizedArticle, det: Detection) -> Extraction:
    """All the fields of a call report (or a negative with its reason)."""
    if not det.is_call_report or det.primary is None:
        return Extraction(False, confidence=confidence(lex, det), reason=det.reason)
    primary = det.primary
    sentences = art.sentences
    call_ids = sorted({m.sentence for m in det.mentions if m.sentence >= 0})

    def folded(idx: int) -> str:
        return art.title_folded if idx < 0 else sentences[idx].folded

    main = folded(primary.sentence)
    story_end = _story_end(art, primary.sentence)
    follow_ups = _follow_up_sentences(det, story_end)
    status = _status(lex, det, follow_ups, folded)
    if status == "scheduled" and (_CAPTION_RE.match(main) or _CAPTION_RE.match(art.title_folded)):
        status = "held"  # a photo shows it happening: the present tense describes the picture
    if primary.sentence < 0 and status == "unknown" and _TITLE_PRESENT_RE.search(main):
        # headlines report what just happened in the present tense: "بوتين وترامب يتحادثان هاتفيا"
        status = "held"
    postponed = _POSTPONED_RE.search(
        main, max(0, primary.start - 40), min(len(main), primary.end + 160)
    )
    if postponed and status != "requested":
        # "مكالمة كان يرتقب أن يجريها ... قد تأجلت": not held; scheduled only if a new day is set
        status = "unknown"
    # a postponed call's only day is its new one, to come
    tense = "future" if postponed else {"held": "past", "scheduled": "future"}.get(status)
    later = [i for i in sorted(set(call_ids) | set(follow_ups)) if i != primary.sentence]
    date_sentences = [main] + [folded(i) for i in later]
    # where each later sentence names the call, so that its date is read around that word
    call_words = [
        min((m.start for m in det.by_sentence.get(i, ()) if not m.negated), default=None)
        for i in later
    ]
    if status == "requested":
        # asked for or proposed, not agreed: whatever day is named, the call has none yet
        resolution = DateResolution(None, "unresolved", "a requested call has no agreed date")
    else:
        resolution = resolve_call_date(
            date_sentences,
            art.article.published_at,
            anchor=primary.start,
            tense=tense,
            later_anchors=call_words,
        )

    if postponed and status == "unknown" and resolution.value:
        status = "scheduled"  # "أرجئت المكالمة ... وإنها ستجري يوم الأربعاء"
    if status == "held" and any(
        _UNCONFIRMED_RE.search(s.folded) for s in sentences[max(primary.sentence, 0) :]
    ):
        # one side says so, the other neither confirms nor denies: not known to have happened
        status = "unknown"
        resolution = DateResolution(None, "unresolved", "nobody confirms the call took place")
    untold = _WHEN_UNTOLD_RE.search(main, primary.end)
    if resolution.value is not None and status == "held" and untold:
        # "قال ترامب مساء الاثنين إنه تحدث مؤخرا مع بوتين، من دون أن يحدد متى جرى ذلك": the
        # day named is the telling's; the report itself says the call's is not known
        resolution = DateResolution(
            None, "unresolved", f"'{untold.group(0)}': the text says the day is not known"
        )
    if resolution.value is None and status == "held" and primary.sentence >= 0:
        resolution = (
            _live_entry_day(
                [main] + [s.folded for s in sentences[primary.sentence + 1 :]],
                art.article.published_at,
            )
            or _under_way(main, primary, art.article.published_at)
            or resolution
        )
    # Leaders: the primary mention's, else whoever sat on the call (or publication) date.
    day = resolution.value or (
        art.article.published_at.date() if art.article.published_at else None
    )
    if (
        resolution.value
        and art.article.published_at
        and _terms_differ(lex, resolution.value, art.article.published_at.date())
    ):
        # the call date falls in another term than the publication date: who was sitting then?
        det2 = detect(lex, art, call_day=resolution.value)
        if not det2.is_call_report:
            return Extraction(False, confidence(lex, det2), reason=det2.reason)
    us = next((p.name for p in primary.presidents if p.side == "us"), None)
    ru = next((p.name for p in primary.presidents if p.side == "russia"), None)
    if day is not None:
        us = us or getattr(lex.sitting("us", day), "name", None)
        ru = ru or getattr(lex.sitting("russia", day), "name", None)

    # video only when the call itself is a video call: a video form whose parties are the two
    # presidents, in the evidence sentence or the title
    medium = "phone"
    if any(m.strength == "video" and m.sentence in (primary.sentence, -1) for m in det.mentions):
        medium = "video"
    around = (
        [main]
        + [folded(i) for i in follow_ups]
        + [folded(i) for i in range(primary.sentence + 1, min(story_end, primary.sentence + 3))]
    )
    titles = [art.title_folded] if primary.sentence >= 0 else []
    requester = requested_by(lex, around, primary, status, titles)
    if requester is None:
        requester = _later_requester(lex, art, det, story_end)
    side, phrase = source(lex, art, primary.sentence)

    topics, actors = tags(lex, [art.title_folded] + [s.folded for s in sentences])
    evidence: list[Evidence] = []
    if primary.sentence >= 0:
        s = sentences[primary.sentence]
        evidence.append(Evidence(art.text[s.start : s.end], s.start, s.end))
    else:
        title = art.article.title or ""
        evidence.append(Evidence(title, -1, -1))
    return Extraction(
        is_call_report=True,
        confidence=confidence(lex, det),
        us_leader=us,
        russian_leader=ru,
        call_status=status,
        call_date=resolution.value,
        date_method=resolution.method,
        date_reason=resolution.reason,
        medium=medium,
        requested_by=requester,
        source_side=side,
        source_text=phrase,
        topics=topics,
        actors=actors,
        evidence=tuple(evidence),
        duration_minutes=duration_minutes([folded(i) for i in call_ids] + around),
        reason=det.reason,
    )


def analyze_article(lex: Lexicon, article: Article) -> tuple[NormalizedArticle, Extraction]:
    """Normalise, detect and extract: the whole of ``hotline extract`` for one article."""
    art = normalize_article(article)
    return art, extract(lex, art, detect(lex, art))


def article_from_json(obj: dict[str, Any]) -> Article:
    """An Article from a ``hotline extract`` input line (DESIGN §2)."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("field 'text' must be a string")
    published = obj.get("published")
    published_at = _parse_published(published) if published else None
    title = obj.get("title")
    # text scraped elsewhere may carry mojibake (UTF-8 read as cp1256: "ط§ظ„"); the pipeline
    # repairs it at ingestion, so the same repair is made here
    return Article(
        article_id=str(obj.get("id", "")),
        url=str(obj.get("url") or ""),
        outlet=obj.get("outlet"),
        feed_url=None,
        title=repair_mojibake(title)[0] if isinstance(title, str) else None,
        text=repair_mojibake(text)[0] or "",
        published_at=published_at,
        fetched_at=None,
        text_source="input",
    )


def _parse_published(value: Any) -> dt.datetime:
    s = str(value).strip()
    if len(s) == 10:
        return dt.datetime.fromisoformat(s).replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class ExtractCallReportFn(beam.DoFn):
    """(NormalizedArticle, Detection) -> ("articles", row) and ("call_reports", row)."""

    def __init__(self, lexicon: Lexicon, ctx: RunContext) -> None:
        self._lexicon = lexicon
        self._ctx = ctx
        self._reports = beam.metrics.Metrics.counter("extract", "call_reports")
        self._failed = beam.metrics.Metrics.counter("extract", "failed")

    def process(self, element: tuple[NormalizedArticle, Detection]) -> Iterator[Any]:
        art, det = element
        try:
            ex = extract(self._lexicon, art, det)
        except Exception as exc:  # one bad article must not stop the run; it is recorded
            self._failed.inc()
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTER,
                dead_letter("extract", art.article.url, exc, payload=art.article.text),
            )
            yield ("articles", article_row(art.article, False, self._ctx))
            return
        yield ("articles", article_row(art.article, ex.is_call_report, self._ctx))
        if ex.is_call_report:
            self._reports.inc()
            yield ("call_reports", call_report_row(art.article, ex, self._ctx))


class ExtractCallReport(beam.PTransform):
    """Turn detected call reports into ``call_reports`` rows (and every article into a row).

    Main output: ``(table, row)`` pairs; tagged output ``DEAD_LETTER``: ``DeadLetter``s.
    """

    def __init__(self, lexicon: Lexicon, ctx: RunContext) -> None:
        super().__init__()
        self._lexicon = lexicon
        self._ctx = ctx

    def expand(self, detected: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return detected | "ExtractFields" >> beam.ParDo(
            ExtractCallReportFn(self._lexicon, self._ctx)
        ).with_outputs(DEAD_LETTER, main="rows")


__all__ = ["ExtractCallReport", "analyze_article", "article_from_json", "extract"]
