"""Folding for matching, offsets back into the original, sentence splitting."""

from __future__ import annotations

import random

import pytest

from pipeline.records import Article
from tests.eval_gate import load_corpus
from transforms.normalize import (
    _FOLDS,
    _OBFUSCATION_RE,
    _TABLE,
    _fold_walk,
    _obfuscated,
    fold,
    fold_chars,
    fold_with_offsets,
    normalize_article,
    split_sentences,
)


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("اتصالًا هاتفيًا", "اتصالا هاتفيا"),
        ("الرئيس الأمريكى", "الرئيس الامريكي"),
        ("إلى آخر أيام", "الي اخر ايام"),
        ("المكالمة الهاتفية", "المكالمه الهاتفيه"),
        ("بايـ.ـدن", "بايدن"),
        ("الجـ.ـمـ.ـعة", "الجمعه"),
        ("بوتيـــن", "بوتين"),
        ("٢٥ مايو ٢٠٢١", "25 مايو 2021"),
        ("۱۷ دی", "17 دي"),
        ("17.12.2017", "17.12.2017"),
        ("3.5 مليار", "3.5 مليار"),
        ("\ufefbتصال", "لاتصال"),  # presentation-form lam-alef ligature
        ("ﺑﻮﺗﻴﻦ", "بوتين"),  # presentation forms B
        ("بوتين\u200c وترامب", "بوتين وترامب"),  # zero-width non-joiner
        ("بايدن  و  بوتين", "بايدن و بوتين"),
        ("Trump SAID", "trump said"),
        ("\ufb8eرملين", "كرملين"),  # presentation form of Persian keheh: folded all the way
    ],
    ids=[
        "tanwin",
        "egyptian-ya",
        "hamza-alefs",
        "teh-marbuta",
        "obfuscated-dot",
        "obfuscated-twice",
        "tatweel",
        "eastern-digits",
        "persian-digits",
        "dotted-date",
        "decimal",
        "lam-alef-ligature",
        "presentation-forms",
        "zwnj",
        "double-spaces",
        "latin-case",
        "keheh-form",
    ],
)
def test_fold(original: str, folded: str) -> None:
    assert fold(original) == folded


def test_fold_chars_is_the_table_whatever_the_mix() -> None:
    """The replace-per-character shortcut and the translate it stands for agree, with few
    distinct characters to fold and with many (past the shortcut's limit)."""
    rng = random.Random(3)
    alphabet = [*sorted(_FOLDS), *"بتثجحخدذرزسشصضطظعغفقكلمنهوي .-*_|19aZ"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        assert fold_chars(text) == text.translate(_TABLE), text
        assert fold_chars(fold_chars(text)) == fold_chars(text)


def test_obfuscation_check_is_the_regex() -> None:
    rng = random.Random(5)
    texts = ["بايـ.ـدن", "ب-.-ج", "ب-.- ج", "3.5", ".ب", "ب.", "", "-", "x.y"]
    texts += [
        "".join(rng.choice("بج .-*_|xا") for _ in range(rng.randrange(8))) for _ in range(5000)
    ]
    texts += [fold_chars(item["text"]) for item in load_corpus()]
    for text in texts:
        assert _obfuscated(text) == bool(_OBFUSCATION_RE.search(text)), text


@pytest.mark.parametrize(
    "text",
    ["بايـ.ـدن يتحدث  مع ﻻعب", "اتصالًا هاتفيًا مع بوتين", "الجـ.ـمـ.ـعة ٢٥ مايو", "abc"],
    ids=["mixed", "diacritics", "obfuscation+digits", "ascii"],
)
def test_fold_with_offsets_maps_back(text: str) -> None:
    folded, offsets = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(offsets) == len(folded) + 1
    assert offsets == sorted(offsets)
    # every folded letter comes from an original character that folds to it
    for i, ch in enumerate(folded):
        if ch.isalpha() and ch.isascii() is False:
            assert fold(text[offsets[i]]) in (ch, "لا", "")


def test_fold_with_offsets_fast_path_is_the_walk() -> None:
    """The shortcut for text without expansions or collapsed spaces maps every offset as the
    character-by-character walk does (every text of the dev corpus, and hard cases)."""
    texts = ["بايـ.ـدن  يتحدث", "مَرْحَبًا بكم", "\u200fبوتين\u200f", "ﻻ ﻷ", "a\u064b b", " \u064b "]
    for item in load_corpus():
        texts += [item.get("title") or "", *item["text"].split("\n")]
    for text in texts:
        assert fold_with_offsets(text) == _fold_walk(text), text


def test_split_sentences_keeps_dates_and_obfuscation_whole() -> None:
    text = "قال بايـ.ـدن إن المكالمة جرت في 17.12.2017 بنجاح. وأضاف: نعم!\nسطر جديد"
    spans = split_sentences(text)
    parts = [text[s:e] for s, e in spans]
    assert parts == ["قال بايـ.ـدن إن المكالمة جرت في 17.12.2017 بنجاح.", "وأضاف: نعم!", "سطر جديد"]


def test_normalize_article_keeps_original_and_offsets() -> None:
    text = "أعلن الكرملين أن بوتين تحدث هاتفيًا مع بايدن.\nوقال بيسكوف quot;المكالمة بناءةquot;."
    art = normalize_article(Article("a", "u", None, None, "عاجل | بوتين", text, None, None))
    assert art.sentences[0].folded.startswith("اعلن الكرملين ان بوتين تحدث هاتفيا")
    first = art.sentences[0]
    assert art.text[first.start : first.end] == "أعلن الكرملين أن بوتين تحدث هاتفيًا مع بايدن."
    assert '"المكالمة بناءة"' in art.text  # leftover entities mended in the original
    assert art.title_folded == "عاجل | بوتين"
