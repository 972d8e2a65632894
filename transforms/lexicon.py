"""Load the lexicons (package data under ``transforms/lexicons``) into compiled matchers.

Loaded once by the driver (or ``hotline extract``) and passed into the DoFns that need them:
transforms never read files themselves. A ``Lexicon`` pickles (compiled regexes pickle by
pattern), so it ships to distributed workers with the DoFn.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
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


def _article_after_lam(pattern: str) -> str:
    """Let an optional article ``(?:ال)?`` also match its "لل" form ("للكرملين" = ل + الكرملين)."""
    return pattern.replace("(?:ال)?", "(?:ال|(?<=ل)ل)?")


def compile_patterns(patterns: list[str], proclitic: str = _PROCLITIC) -> re.Pattern[str]:
    """One alternation over regex patterns written for folded text."""
    folded = [_article_after_lam(fold_chars(p)).replace(" ", r"\s+") for p in patterns]
    head = proclitic
    body = "|".join(f"(?:{p})" for p in folded)
    return re.compile(f"{_B}{head}(?:{body}){_E}")


@dataclass(frozen=True)
class President:
    name: str
    slug: str
    side: str  # "us" | "russia"
    terms: tuple[tuple[dt.date, dt.date | None], ...]

    def sitting_on(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.terms)


@dataclass(frozen=True)
class Lexicon:
    presidents: tuple[President, ...]
    spelling_to_president: dict[str, President]
    name_re: dict[str, re.Pattern[str]]  # side -> names of that side's presidents
    title_re: dict[str, re.Pattern[str]]  # "us" | "russia" | "both"
    elect_re: re.Pattern[str]
    aide_re: dict[str, re.Pattern[str]]  # "us" | "russia"
    other_leader_re: re.Pattern[str]
    call_strong_re: re.Pattern[str]
    call_video_re: re.Pattern[str]
    call_speech_re: re.Pattern[str]
    call_weak_re: re.Pattern[str]
    not_a_call_re: re.Pattern[str]
    meeting_re: re.Pattern[str]
    negation_re: re.Pattern[str]
    status_re: dict[str, re.Pattern[str]]
    requester_cue_re: re.Pattern[str]
    requester_side_re: dict[str, re.Pattern[str]]
    source_verb_re: re.Pattern[str]
    source_re: dict[str, re.Pattern[str]]
    background_re: dict[str, re.Pattern[str]]  # hard_before, hard_after, soft_before, soft_after
    topic_re: dict[str, re.Pattern[str]]
    actor_re: dict[str, re.Pattern[str]]
    confidence: dict[str, Any]  # {"bias": float, "weights": {feature: float}}

    def president(self, spelling: str) -> President | None:
        return self.spelling_to_president.get(
            _strip_proclitic(spelling, self.spelling_to_president)
        )

    def sitting(self, side: str, day: dt.date) -> President | None:
        for p in self.presidents:
            if p.side == side and p.sitting_on(day):
                return p
        return None


def _strip_proclitic(token: str, known: dict[str, Any]) -> str:
    token = " ".join(token.split())
    if token in known:
        return token
    for n in (1, 2):
        if token[n:] in known:
            return token[n:]
    return token


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


def load_lexicon() -> Lexicon:
    """Read and compile the bundled lexicons."""
    leaders = _read_yaml("leaders.yaml")
    calls = _read_yaml("calls.yaml")
    topics = _read_yaml("topics.yaml")

    presidents: list[President] = []
    spelling_to_president: dict[str, President] = {}
    name_re: dict[str, re.Pattern[str]] = {}
    for side in ("us", "russia"):
        spellings: list[str] = []
        for entry in leaders["presidents"][side]:
            terms = tuple((_date(s), _date(e)) for s, e in entry["terms"])
            pres = President(entry["name"], entry["slug"], side, terms)  # type: ignore[arg-type]
            presidents.append(pres)
            for sp in entry["spellings"]:
                folded = " ".join(fold_chars(sp).split())
                spelling_to_president[folded] = pres
                spellings.append(folded)
        name_re[side] = compile_phrases(spellings)

    status = calls["status"]
    req = calls["requester"]
    src = calls["source"]
    return Lexicon(
        presidents=tuple(presidents),
        spelling_to_president=spelling_to_president,
        name_re=name_re,
        title_re={k: compile_phrases(v) for k, v in leaders["titles"].items()},
        elect_re=compile_phrases(leaders["elect_cues"]),
        aide_re={k: compile_phrases(v) for k, v in leaders["aides"].items()},
        other_leader_re=compile_phrases(leaders["other_leaders"]),
        call_strong_re=compile_patterns(calls["call_strong"]),
        call_video_re=compile_patterns(calls["call_video"]),
        call_speech_re=compile_patterns(calls["call_speech"]),
        call_weak_re=compile_patterns(calls["call_weak"]),
        not_a_call_re=compile_patterns(calls["not_a_call"]),
        meeting_re=compile_patterns(calls["meeting"]),
        negation_re=compile_patterns(calls["negation"], proclitic="(?:[وف]?)"),
        status_re={k: compile_patterns(v, proclitic="(?:[وف]?)") for k, v in status.items()},
        requester_cue_re=compile_patterns(req["cues"]),
        requester_side_re={
            "us": compile_phrases(req["us"]),
            "russia": compile_phrases(req["russia"]),
        },
        source_verb_re=compile_phrases(src["verbs"] + src["preps"]),
        source_re={k: compile_patterns(src[k]) for k in ("us", "russia", "other")},
        background_re={
            k: re.compile(
                ("(?:" + "|".join(fold_chars(p) for p in v) + ")$")
                if k.endswith("before")
                else ("^(?:" + "|".join(fold_chars(p) for p in v) + ")")
            )
            for k, v in calls["background"].items()
        },
        topic_re={k: compile_patterns(v) for k, v in topics["topics"].items()},
        actor_re={k: compile_patterns(v) for k, v in topics["actors"].items()},
        confidence=_read_yaml("confidence.yaml"),
    )
