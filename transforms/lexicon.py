"""Load the lexicons (package data under ``transforms/lexicons``) into compiled matchers.

Loaded once by the driver (or ``hotline extract``) and passed into the DoFns that need them:
transforms never read files themselves. A ``Lexicon`` pickles (compiled regexes pickle by
pattern), so it ships to distributed workers with the DoFn.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from transforms.normalize import fold_chars

# Proclitics that glue onto a word: conjunction (و ف) then preposition (ب ل ك).
_PROCLITIC = "(?:[وف]?[بلك]?)"
# Before a word starting with the article ال: "وال", "بال", "فبال", and "لل"/"ولل" where the
# alef of the article drops after ل.
_PROCLITIC_AL = "(?:[وف]?(?:[بك]?ال|لل))"
_B = r"(?<![\w])"
_E = r"(?![\w])"


def _phrase_pattern(phrase: str) -> str:
    """Regex for a literal phrase (already folded), proclitics allowed, spaces flexible."""
    words = phrase.split()
    first = words[0]
    if first.startswith("ال") and len(first) > 3:
        head = _PROCLITIC_AL + re.escape(first[2:])
    else:
        head = _PROCLITIC + re.escape(first)
    rest = "".join(r"[\s/]+" + re.escape(w) for w in words[1:])
    return head + rest


def compile_phrases(phrases: list[str]) -> re.Pattern[str]:
    """One alternation over literal phrases, longest first, with word boundaries."""
    folded = sorted({" ".join(fold_chars(p).split()) for p in phrases}, key=len, reverse=True)
    body = "|".join(f"(?:{_phrase_pattern(p)})" for p in folded)
    return re.compile(f"{_B}(?:{body}){_E}")


def fold_pattern(pattern: str) -> str:
    """Fold the Arabic letters of a regex; ASCII (``\\S``, ``\\W``, classes) stays as written."""
    return "".join(c if c.isascii() else fold_chars(c) for c in pattern)


def _article_after_lam(pattern: str) -> str:
    """Let an optional article ``(?:ال)?`` also match its "لل" form ("للكرملين" = ل + الكرملين)."""
    return pattern.replace("(?:ال)?", "(?:ال|(?<=ل)ل)?")


def compile_patterns(patterns: list[str], proclitic: str = _PROCLITIC) -> re.Pattern[str]:
    """One alternation over regex patterns written for folded text."""
    folded = [_article_after_lam(fold_pattern(p)).replace(" ", r"\s+") for p in patterns]
    head = proclitic
    body = "|".join(f"(?:{p})" for p in folded)
    return re.compile(f"{_B}{head}(?:{body}){_E}")


_TOKEN_RE = re.compile(r"\w+")
_CLITIC_LETTERS = "وفبلك"


def _word_forms(word: str) -> list[str]:
    """A token and what it may be without its proclitics.

    "وبوتين" -> بوتين; "للرئيس" -> الرئيس (ل + the article whose alef drops after ل);
    "وللرئيس", "بالرئيس" -> الرئيس.
    """
    forms = [word]
    if len(word) < 3 or word[0] not in _CLITIC_LETTERS:
        return forms
    rest = word[1:]
    forms.append(rest)
    if word[0] == "ل" and rest[0] == "ل":
        forms.append("ا" + rest)
    if word[0] in "وف" and rest[0] in "بلك" and len(rest) >= 3:
        rest2 = rest[1:]
        forms.append(rest2)
        if rest[0] == "ل" and rest2[0] == "ل":
            forms.append("ا" + rest2)
    return forms


def _clitic_variants(word: str) -> set[str]:
    """Every surface form whose ``_word_forms`` may yield ``word`` (a superset: proclitics
    and "لل" for the article after ل)."""
    out = {word}
    out.update(c + word for c in _CLITIC_LETTERS)
    out.update(c1 + c2 + word for c1 in "وف" for c2 in "بلك")
    if word.startswith("ال"):
        out.add("ل" + word[1:])
        out.update(c + "ل" + word[1:] for c in "وف")
    return out


_Entry = tuple[tuple[str, ...], str, str]  # (words, label, phrase)


class PhraseMatcher:
    """Literal phrases (folded, space-separated words) found by token lookups, not regexes.

    ``find(text)`` returns ``(start, end, label, phrase)`` for the longest phrase at each
    position, proclitics allowed on the first word, non-overlapping, in order. Much faster than
    one big regex alternation, which Python tries at every character: every surface form a
    first word can take (its proclitic variants) is worked out once, so a token costs one
    dictionary lookup, and a text none of whose words can start a phrase is rejected by one
    set operation.
    """

    def __init__(self, phrases: dict[str, str]) -> None:
        by_first: dict[str, list[_Entry]] = {}
        # one-word phrases written "stem*": any word starting with the stem ("اوكراني*")
        stems: dict[str, list[tuple[str, str, str]]] = {}  # first 2 letters -> stems
        for phrase, label in phrases.items():
            words = tuple(phrase.split())
            if len(words) == 1 and words[0].endswith("*"):
                stem = words[0][:-1]
                stems.setdefault(stem[:2], []).append((stem, label, phrase))
            elif words:
                by_first.setdefault(words[0], []).append((words, label, phrase))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._state = (by_first, stems)
        self._setup()

    def _setup(self) -> None:
        by_first, stems = self._state
        # surface token -> the candidate phrases, in the order the proclitic forms are tried
        # (number of words, the words after the first, label, phrase)
        self._candidates: dict[str, tuple[tuple[int, list[str], str, str], ...]] = {}
        for surface in {v for first in by_first for v in _clitic_variants(first)}:
            found = [
                (len(words), list(words[1:]), label, phrase)
                for form in _word_forms(surface)
                for words, label, phrase in by_first.get(form, ())
            ]
            if found:
                self._candidates[surface] = tuple(found)
        self._stems = stems
        # what a word that starts with a stem may start with, proclitics included (the
        # exact check is _stem_at's)
        prefixes: dict[str, set[str]] = {}
        for entries in stems.values():
            for e in entries:
                for v in _clitic_variants(e[0]):
                    prefixes.setdefault(v[:2], set()).add(v)
        # by their first two letters, so that most words are ruled out by one dict lookup
        self._stem_prefixes = {k: tuple(sorted(v)) for k, v in prefixes.items()}
        self._memo: dict[str, list[tuple[int, int, str, str]]] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"state": self._state}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._state = state["state"]  # type: ignore[assignment]
        self._setup()

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Matches in ``text``; the last few texts' results are remembered (one article's
        sentences are looked at several times). Pure: same text, same result."""
        hit = self._memo.get(text)
        if hit is None:
            if len(self._memo) > 256:
                self._memo.clear()
            hit = self._memo[text] = self._find(text)
        return hit

    def _stem_at(self, word: str) -> tuple[str, str, str] | None:
        for form in _word_forms(word):
            candidates = self._stems.get(form[:2], ())
            stem = next((e for e in candidates if form.startswith(e[0])), None)
            if stem:
                return stem
        return None

    def labels(self, text: str) -> set[str]:
        """The labels of what ``find`` would return, without locating the matches."""
        return {label for _, n, label, _ in self._scan(_TOKEN_RE.findall(text)) if n}

    def _scan(self, words: list[str]) -> Iterator[tuple[int, int, str, str]]:
        """The tokens of ``words`` that may start a phrase, in order, as ``(index, number of
        words matched, label, phrase)``; 0 words (and empty strings) when none starts there."""
        candidates = self._candidates
        unique = set(words)
        prefixes = self._stem_prefixes
        stem_words = (
            {w for w in unique if w.startswith(prefixes.get(w[:2], ()))} if prefixes else set()
        )
        starters = {w for w in unique if w in candidates}
        if not starters and not stem_words:
            return
        starters |= stem_words
        resume = 0  # the first token not inside the last match
        for i in [i for i, w in enumerate(words) if w in starters]:
            if i < resume:
                continue
            word = words[i]
            hit = None
            for n, rest, label, phrase in candidates.get(word, ()):
                if words[i + 1 : i + n] == rest:
                    hit = (i, n, label, phrase)
                    break
            if hit is None and word in stem_words:
                stem = self._stem_at(word)
                if stem:
                    hit = (i, 1, stem[1], stem[2])
            if hit:
                resume = i + hit[1]
                yield hit
            else:
                yield (i, 0, "", "")

    def _find(self, text: str) -> list[tuple[int, int, str, str]]:
        words = _TOKEN_RE.findall(text)
        out: list[tuple[int, int, str, str]] = []
        cursor = 0  # every token before it has been located or skipped
        for i, n, label, phrase in self._scan(words):
            # locate this token: the first whole-word occurrence after the cursor (a token
            # equal to it before this one would have been located already)
            start = _find_token(text, words[i], cursor)
            cursor = start + len(words[i])
            if n:
                for k in range(1, n):
                    cursor = _find_token(text, words[i + k], cursor) + len(words[i + k])
                out.append((start, cursor, label, phrase))
        return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_token(text: str, word: str, pos: int) -> int:
    """Start of the first occurrence of ``word`` at or after ``pos`` that is a whole token."""
    n = len(word)
    while True:
        at = text.index(word, pos)
        if (not at or not _is_word_char(text[at - 1])) and (
            at + n == len(text) or not _is_word_char(text[at + n])
        ):
            return at
        pos = at + 1


@dataclass(frozen=True)
class President:
    name: str
    slug: str
    side: str  # "us" | "russia"
    terms: tuple[tuple[dt.date, dt.date | None], ...]

    def sitting_on(self, day: dt.date) -> bool:
        for start, end in self.terms:
            if start <= day and (end is None or day < end):
                return True
        return False


@dataclass(frozen=True)
class Lexicon:
    presidents: tuple[President, ...]
    spelling_to_president: dict[str, President]
    elect_re: re.Pattern[str]
    # not_a_call, video, strong, speech and weak forms in one regex (named groups, that order)
    expression_re: re.Pattern[str]
    meeting_re: re.Pattern[str]
    negation_re: re.Pattern[str]
    claim_re: re.Pattern[str]
    status_re: dict[str, re.Pattern[str]]
    requester_cue_re: re.Pattern[str]
    requester_side_re: dict[str, re.Pattern[str]]
    source_re: dict[str, re.Pattern[str]]
    # "VERB SUBJECT (، ...) أن": the subject is group "subj"
    attribution_verb_re: re.Pattern[str]
    # "وفقا لـ SUBJECT", "بحسب (ما أعلن) SUBJECT": group "subj"
    attribution_prep_re: re.Pattern[str]
    # the same verbs of telling as a word, with nothing required after them ("كشف أوشاكوف تفاصيل")
    telling_verb_re: re.Pattern[str]
    # subject first, in the pluperfect: "وكان الكرملين قد أعلن أن": group "subj"
    pluperfect_attribution_re: re.Pattern[str]
    # a relative clause telling of its noun: "(الاتصال) الذي قال الكرملين إن ..."
    relative_telling_re: re.Pattern[str]
    background_re: dict[str, re.Pattern[str]]  # hard_before, hard_after, soft_before, soft_after
    # Every person and side word, one token matcher: labels "name:us", "title:russia",
    # "title:both", "aide:us", "other", "side:us"...
    people: PhraseMatcher
    confidence: dict[str, Any]  # {"bias": float, "weights": {feature: float}}
    tag_matcher: PhraseMatcher  # topic and actor keywords ("topic:<name>", "actor:<name>")
    topic_names: tuple[str, ...]
    actor_names: tuple[str, ...]
    # who sat on which side on which day, worked out once per (side, day): a pure memo
    _sitting: dict[tuple[str, dt.date], President | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def president(self, spelling: str) -> President | None:
        """The president a matched spelling names (the matcher has stripped the proclitics)."""
        return self.spelling_to_president.get(" ".join(spelling.split()))

    def sitting(self, side: str, day: dt.date) -> President | None:
        key = (side, day)
        if key not in self._sitting:
            self._sitting[key] = next(
                (p for p in self.presidents if p.side == side and p.sitting_on(day)), None
            )
        return self._sitting[key]


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("transforms").joinpath("lexicons", name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"lexicon {name}: expected a mapping at the top level")
    return data


def _tag_matcher(topics: dict[str, Any]) -> dict[str, Any]:
    """One token matcher for the topic and actor keywords ("stem*" for a word and its forms).

    Labels are "topic:<name>" and "actor:<name>", joined with "|" when one keyword serves
    both (الناتو is the topic nato and the actor NATO).
    """
    labelled: dict[str, str] = {}
    for kind in ("topics", "actors"):
        for name, phrases in topics[kind].items():
            for p in phrases:
                key = " ".join(fold_chars(p).split())
                label = f"{kind[:-1]}:{name}"
                labelled[key] = f"{labelled[key]}|{label}" if key in labelled else label
    return {
        "tag_matcher": PhraseMatcher(labelled),
        "topic_names": tuple(topics["topics"]),
        "actor_names": tuple(topics["actors"]),
    }


def load_lexicon() -> Lexicon:
    """Read and compile the bundled lexicons."""
    leaders = _read_yaml("leaders.yaml")
    calls = _read_yaml("calls.yaml")
    topics = _read_yaml("topics.yaml")

    presidents: list[President] = []
    spelling_to_president: dict[str, President] = {}
    for side in ("us", "russia"):
        for entry in leaders["presidents"][side]:
            terms = tuple((_date(s), _date(e)) for s, e in entry["terms"])
            pres = President(entry["name"], entry["slug"], side, terms)  # type: ignore[arg-type]
            presidents.append(pres)
            for sp in entry["spellings"]:
                folded = " ".join(fold_chars(sp).split())
                spelling_to_president[folded] = pres

    def fold_phrase(p: str) -> str:
        return " ".join(fold_chars(p).split())

    labelled: dict[str, str] = {}
    for side in ("us", "russia"):
        for p in calls["requester"][side]:
            labelled[fold_phrase(p)] = f"side:{side}"
    for k in ("us", "russia"):
        for p in leaders["aides"][k]:
            labelled[fold_phrase(p)] = "aide"
    for p in leaders["other_leaders"]:
        labelled[fold_phrase(p)] = "other"
    for k, v in leaders["titles"].items():
        for p in v:
            labelled[fold_phrase(p)] = f"title:{k}"
    for spelling, pres in spelling_to_president.items():
        labelled[spelling] = f"name:{pres.side}"

    status = calls["status"]
    req = calls["requester"]
    src = calls["source"]
    # a verb of telling, with its person and number endings: "أعلن", "أعلنت", "أعلنا"
    telling = "(?:" + "|".join(fold_chars(v) for v in src["verbs"]) + r")(?:ت|تا|ا|وا)?"
    return Lexicon(
        presidents=tuple(presidents),
        spelling_to_president=spelling_to_president,
        elect_re=compile_phrases(leaders["elect_cues"]),
        expression_re=re.compile(
            "|".join(
                f"(?P<{name}>{compile_patterns(calls[key]).pattern})"
                for name, key in (
                    ("block", "not_a_call"),
                    ("video", "call_video"),
                    ("strong", "call_strong"),
                    ("speech", "call_speech"),
                    ("weak", "call_weak"),
                )
            )
        ),
        meeting_re=compile_patterns(calls["meeting"]),
        negation_re=compile_patterns(calls["negation"], proclitic="(?:[وف]?)"),
        claim_re=compile_patterns(calls["claims"], proclitic="(?:[وف]?)"),
        status_re={k: compile_patterns(v, proclitic="(?:[وف]?)") for k, v in status.items()},
        requester_cue_re=compile_patterns(req["cues"]),
        requester_side_re={
            "us": compile_phrases(req["us"]),
            "russia": compile_phrases(req["russia"]),
        },
        source_re={k: compile_patterns(src[k]) for k in ("us", "russia", "other")},
        attribution_verb_re=re.compile(
            r"(?:^|[^\w.])[وف]?" + telling + r"\s+"
            # "المكالمة التي أعلن عنها ترامب أمس مع نظيره": the subject ends the clause
            r"(?P<rel>عن(?:ه|ها)\s+)?"
            r"(?P<subj>[^.:«\"]{1,90}?)"
            r"(?(rel)(?=\s*(?:[،,.]|\s+مع\b|$))|"
            r"(?:\s*[،,]\s*(?:\S+\s*){0,4}?)?\s*"
            # "أعلن الكرملين أن", "... عن", "أعلن الكرملين انتهاء القمة"
            r"(?:\b(?:ان|انه|انها|بان|بانه|عن|انتهاء|بدء|انطلاق)\b|:|«|\"))"
        ),
        telling_verb_re=re.compile(r"(?:^|[^\w.])[وف]?" + telling + r"(?!\w)"),
        pluperfect_attribution_re=re.compile(
            r"(?:^|[^\w.])[وف]?كان(?:ت)?\s+(?P<subj>[^.:«\"،,]{2,50}?)\s+قد\s+"
            + telling
            + r"\s+(?:ان|انه|انها|بان|عن)(?!\w)"
        ),
        relative_telling_re=re.compile(
            r"\s*(?:ال)?(?:ذي|تي)\s+" + telling + r"\s+(?:\S+\s+){1,4}?(?:ان|انه|انها)\s+"
        ),
        attribution_prep_re=re.compile(
            r"(?:^|\s)[وف]?(?:"
            + "|".join(r"\s*".join(fold_chars(p).split()) for p in src["preps"])
            # a prep ending in ل glues on: "وفقا لبيان صادر عن البيت الأبيض"
            + r")(?:(?<=ل)|(?!\w))\s*(?:ما\s+\w+\s+)?(?P<subj>.{1,60})"
        ),
        background_re={
            k: re.compile(
                ("(?:" + "|".join(fold_pattern(p) for p in v) + ")$")
                if k.endswith("before")
                else ("^(?:" + "|".join(fold_pattern(p) for p in v) + ")")
            )
            for k, v in calls["background"].items()
        },
        confidence=_read_yaml("confidence.yaml"),
        people=PhraseMatcher(labelled),
        **_tag_matcher(topics),
    )
