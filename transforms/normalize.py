"""NormalizeArabic: Article -> NormalizedArticle.

Matching in hotline is done on a *folded* form of the text, never on the original: diacritics,
tatweel, hamza-carrying alefs, alef maksura, teh marbuta, presentation forms, Eastern-Arabic
digits, zero-width marks and scraper obfuscation (``بايـ.ـدن``) all disappear, so that one
lexicon entry matches every spelling. The original text is kept untouched, and the article is
split into sentences *of the original* with their offsets, each carrying its folded form, so
every piece of evidence points back into the original Arabic verbatim.

The per-character folding table is derived once, at import, from camel-tools' own functions
(``normalize_unicode``, ``dediac_ar``, ``normalize_alef_ar``, ``normalize_alef_maksura_ar``,
``normalize_teh_marbuta_ar``) and then applied one ``str.replace`` per distinct character that
changes (``str.translate`` when there are many). Characters whose
folded form is longer than one character (ligatures such as U+FEFB) are expanded; the offset map
is built only when asked for (it is needed only for call reports, a small share of articles).

Metrics: ``normalize/articles``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterator

import apache_beam as beam
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from pipeline.records import Article, NormalizedArticle, Sentence

_LOGGER = logging.getLogger(__name__)

# Characters removed outright: tatweel, zero-width and bidi marks, soft hyphen, BOM.
_DROP = (
    "\u0640\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u00ad\ufeff"
)
# Eastern-Arabic and Persian digits -> ASCII.
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
# Arabic punctuation that folds to its ASCII twin (the Arabic comma stays: it is a clause marker
# the extractor reads, and it is one character either way).
_PUNCT = {"\u066b": ".", "\u066c": ",", "\u061f": "?", "\u066a": "%", "\u00a0": " ", "\u2009": " "}


def _fold_char(ch: str) -> str:
    """Folded form of one character, computed with camel-tools' normalisers."""
    if ch in _DROP:
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _PUNCT:
        return _PUNCT[ch]
    out = normalize_unicode(ch)  # NFKC: presentation forms, ligatures
    out = dediac_ar(out)
    out = normalize_alef_ar(out)
    out = normalize_alef_maksura_ar(out)
    out = normalize_teh_marbuta_ar(out)
    out = "".join(_DIGITS.get(c, c) for c in out if c not in _DROP)
    return out.lower()


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [
        (0x0041, 0x005A),  # Latin capitals (lower-cased so English quotes match too)
        (0x00A0, 0x00AD),
        (0x0600, 0x06FF),  # Arabic
        (0x0750, 0x077F),  # Arabic supplement
        (0x08A0, 0x08FF),  # Arabic extended-A
        (0x2000, 0x206F),  # general punctuation (zero-width, bidi)
        (0xFB50, 0xFDFF),  # presentation forms A
        (0xFE70, 0xFEFF),  # presentation forms B, BOM
    ]
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = _fold_char(ch)
            if folded != ch:
                table[cp] = folded
    # Dagger alef (superscript alef) is a diacritic for matching purposes.
    table[0x0670] = ""
    # Persian yeh and kaf, common in text typed on Persian keyboards.
    table[0x06CC] = "ي"
    table[0x06A9] = "ك"
    # Closed under itself: a presentation form of Persian kaf or yeh folds all the way to ك/ي,
    # so that folding twice changes nothing and the table can be applied in any order.
    return {cp: "".join(table.get(ord(c), c) for c in out) for cp, out in table.items()}


_TABLE = _build_table()
_FOLDS = {chr(cp): out for cp, out in _TABLE.items()}
_FOLDED_RE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_FOLDS)) + "]")
# With more distinct characters to fold than this, one ``translate`` is cheaper than a
# ``replace`` per character.
_FEW_FOLDS = 12
# Characters that fold to nothing (diacritics, tatweel, marks) and to more than one character.


def _char_class(keep: Callable[[str], bool]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c, v in _TABLE.items() if keep(v)) + "]")


_DROPPED_RE = _char_class(lambda folded: folded == "")
_EXPANDS_RE = _char_class(lambda folded: len(folded) > 1)
# Letters joined by tatweel with punctuation in between, the scraper-defeating style of
# ``بايـ.ـدن`` or ``الجـ.ـمـ.ـعة``: in folded text tatweel is gone, so what is left is a letter,
# one or more of . * - _ | and a letter, with no space. Only between two Arabic letters, so that
# decimals ("3.5") and dates ("17.12.2017") are untouched.
_OBFUSCATION_MARKS = ".*_|-"
_FIRST_LETTER, _LAST_LETTER = "\u0621", "\u064a"  # hamza .. yeh: the Arabic letters
_MARKS = "[" + re.escape(_OBFUSCATION_MARKS) + "]+"
_LETTER = f"[{_FIRST_LETTER}-{_LAST_LETTER}]"
_OBFUSCATION_RE = re.compile(f"(?<={_LETTER}){_MARKS}(?={_LETTER})")
_OBFUSCATION_ORIG_RE = re.compile(
    f"(?<=[{_FIRST_LETTER}-{_LAST_LETTER}\u0640])\u0640*{_MARKS}\u0640*"
    f"(?=[{_FIRST_LETTER}-{_LAST_LETTER}\u0640])"
)
# Leftover HTML entities, with or without their ampersand ("quot;" is common in scraped text).
_ENTITY_RE = re.compile(r"&?(quot|amp|apos|nbsp|laquo|raquo|hellip|ndash|mdash);|&(lt|gt);")
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1) or match.group(2)
    text = html.unescape(f"&{name};")
    return " " if name == "nbsp" else text


def clean_original(text: str) -> str:
    """Mend the original text only where it is plainly broken (left-over HTML entities).

    Everything else stays byte-for-byte as published, so evidence spans quote the outlet.
    """
    if "&" in text or ";" in text:
        text = _ENTITY_RE.sub(_entity, text)
    return text


def _obfuscated(text: str) -> bool:
    """Does ``_OBFUSCATION_RE`` match in ``text``? A few ``find`` calls (full stops and hyphens
    are in almost every text, between two letters in few) instead of the regex's scan, which
    tries its look-behind at every character."""
    for mark in _OBFUSCATION_MARKS:
        at = text.find(mark, 1)
        while at > 0:
            if _FIRST_LETTER <= text[at - 1] <= _LAST_LETTER:
                end = at + 1
                while end < len(text) and text[end] in _OBFUSCATION_MARKS:
                    end += 1
                if end < len(text) and _FIRST_LETTER <= text[end] <= _LAST_LETTER:
                    return True
            at = text.find(mark, at + 1)
    return False


def fold_chars(text: str) -> str:
    """Character folding only (no obfuscation or space handling): safe on regex patterns.

    ``str.translate`` with a dict looks every character up (most Arabic letters fold to
    themselves); a sentence holds only a few distinct characters that change (ة, أ, ى ...), and
    one ``replace`` each is three times faster. The table is closed, so the order is free.
    """
    found = set(_FOLDED_RE.findall(text))
    if len(found) > _FEW_FOLDS:
        return text.translate(_TABLE)
    for ch in found:
        text = text.replace(ch, _FOLDS[ch])
    return text


def fold(text: str) -> str:
    """The folded matching form of ``text`` (lengths differ from the original)."""
    out = fold_chars(text)
    if _obfuscated(out):
        out = _OBFUSCATION_RE.sub("", out)
    if "  " in out or "\t" in out or "\r" in out or "\f" in out or "\v" in out:
        out = _SPACE_RE.sub(" ", out)  # single spaces, the common case, need no rewrite
    return out


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return, for every character of the result, its index in ``text``.

    The returned list has one extra trailing entry, ``len(text)``, so that an end offset maps
    too. ``fold_with_offsets(t)[0] == fold(t)`` always holds.
    """
    folded = fold(text)
    if not _EXPANDS_RE.search(text):
        # the common case: every character folds to itself, another one or nothing, so the
        # result is the text without the dropped characters unless spaces were collapsed or
        # an obfuscated word was mended (then the lengths differ and the slow walk runs)
        dropped = [m.start() for m in _DROPPED_RE.finditer(text)]
        if len(folded) == len(text) - len(dropped):
            offsets: list[int] = []
            prev = 0
            for i in dropped:
                offsets.extend(range(prev, i))
                prev = i + 1
            offsets.extend(range(prev, len(text) + 1))
            return folded, offsets
    return _fold_walk(text)


def _fold_walk(text: str) -> tuple[str, list[int]]:
    """``fold_with_offsets`` character by character: any text, slowly."""
    chars: list[str] = []
    offsets: list[int] = []
    skip: set[int] = set()
    for m in _OBFUSCATION_ORIG_RE.finditer(text):
        skip.update(range(m.start(), m.end()))
    prev_space = False
    for i, ch in enumerate(text):
        if i in skip:
            continue
        for c in _TABLE.get(ord(ch), ch):
            is_space = c in " \t\r\f\v"
            if is_space and prev_space:
                continue
            prev_space = is_space
            chars.append(" " if is_space else c)
            offsets.append(i)
    offsets.append(len(text))
    return "".join(chars), offsets


# Sentence boundaries in the original text: a line break, or ., !, ?, ؟ followed by space.
# A full stop between digits (dates, decimals) or inside an obfuscated word is not followed
# by a space and so never splits.
_SENTENCE_END_RE = re.compile(r"[.!?\u061f]+[\"'»”)]*(?=\s)|\n+")


# The names of Latin letters as Arabic writes a middle initial ("جوزيف آر. بايدن", "جورج
# دبليو. بوش", "دونالد جيه. ترامب"), folded: a full stop after one ends no sentence
_INITIALS = frozenset(
    "اي بي سي دي اف جي اتش جيه كيه ال ام ان كيو ار اس تي يو دبليو اكس واي زد".split()
)
_LAST_WORD_RE = re.compile(r"(?:^|\s)(\w{1,5})$")


def is_initial(text: str, dot: int) -> bool:
    """Is the full stop at ``text[dot]`` a middle initial's: after a Latin capital ("J.") or
    the name of a Latin letter ("آر.", "دبليو.")?"""
    m = _LAST_WORD_RE.search(text, max(0, dot - 7), dot)
    if not m:
        return False
    word = m.group(1)
    return (len(word) == 1 and "A" <= word <= "Z") or fold(word) in _INITIALS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, leading/trailing whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.group(0) == "." and is_initial(text, m.start()):
            continue  # "جوزيف آر. بايدن": an initial, not the end of a sentence
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def normalize_article(article: Article) -> NormalizedArticle:
    """Split the article text into sentences of the original, each with its folded form."""
    text = clean_original(article.text or "")
    sentences = tuple(
        Sentence(start=s, end=e, folded=fold(text[s:e])) for s, e in split_sentences(text)
    )
    return NormalizedArticle(
        article=article,
        text=text,
        title_folded=fold(clean_original(article.title or "")),
        sentences=sentences,
    )


class NormalizeArticleFn(beam.DoFn):
    """Article -> NormalizedArticle. Pure and cheap; never fails on text."""

    def __init__(self) -> None:
        self._count = beam.metrics.Metrics.counter("normalize", "articles")

    def process(self, article: Article) -> Iterator[NormalizedArticle]:
        self._count.inc()
        yield normalize_article(article)


class NormalizeArabic(beam.PTransform):
    """Fold every article's text for matching, keeping the original and sentence offsets."""

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return articles | "FoldSentences" >> beam.ParDo(NormalizeArticleFn())
