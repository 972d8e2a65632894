"""Pure helpers of ingestion: transforms.charset (decoding, mojibake) and transforms.pubdate."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.charset import declared_charset, decode_document, repair_mojibake
from transforms.pubdate import englishify, feedparser_handler, parse_pubdate

AR = "الرئيس الروسي فلاديمير بوتين يتحدث هاتفيا مع نظيره الأمريكي، «بحسب الكرملين»."


def _cp1252_sloppy(text: str) -> str:
    """What a server does that reads UTF-8 as windows-1252 (undefined bytes kept as C1)."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


@pytest.mark.parametrize(
    ("broken", "codec"),
    [
        (AR.encode().decode("cp1256"), "cp1256"),  # ط§ظ„ط±ط¦ظٹط³
        (_cp1252_sloppy(AR), "cp1252"),  # Ø§Ù„Ø±Ø¦ÙŠØ³
        ("عاجل | " + "بوتين وبايدن".encode().decode("cp1256"), "cp1256"),  # mixed text
    ],
    ids=["cp1256", "cp1252", "mixed"],
)
def test_repair_mojibake(broken: str, codec: str) -> None:
    fixed, misread = repair_mojibake(broken)
    assert misread == codec
    assert fixed in (AR, "عاجل | بوتين وبايدن")


def _cp1256_read_as_utf8(text: str, word: str) -> str:
    """``word`` and the comma after it in windows-1256, its last two bytes read as UTF-8."""
    raw = (word[-1] + "،").encode("cp1256")
    return text.replace(word + "،", word[:-1] + raw.decode("utf-8"))


@pytest.mark.parametrize(
    ("clean", "word"),
    [
        ("جرى الاتصال مساء الخميس، على ما أعلن البيت الأبيض.", "الخميس"),
        ("بحث الرئيسان الأزمة السورية، واتفقا على التنسيق.", "السورية"),
        ("قال دونالد ترامب، إنه تحدث مع بوتين.", "ترامب"),
    ],
    ids=["seen-final-letter", "teh-marbuta", "beh"],
)
def test_a_windows_1256_pair_read_as_utf8_is_repaired(clean: str, word: str) -> None:
    broken = _cp1256_read_as_utf8(clean, word)
    assert broken != clean and "،" not in broken.split(word[:-1], 1)[1][:2]
    assert repair_mojibake(broken) == (clean, "utf-8")
    # alongside the other slip in the same text (a link line in UTF-8 read as windows-1256)
    link = "اقرأ أيضا".encode().decode("cp1256")
    assert repair_mojibake(broken + "\n" + link) == (clean + "\nاقرأ أيضا", "cp1256")


def test_arabic_beside_mojibake_is_left_as_it_is() -> None:
    """ "خطط»" reads as a windows-1256 pair too ("ط»" -> "ػ"), but it is Arabic and a quote."""
    link = "اقرأ أيضا".encode().decode("cp1256")
    clean = "وقال إنه «لا توجد خطط» لعقد لقاء."
    assert repair_mojibake(clean + "\n" + link) == (clean + "\nاقرأ أيضا", "cp1256")


@pytest.mark.parametrize(
    "clean",
    [
        AR,
        "قال إن سوريا» ستبقى، ك؛ وانتهى",
        "Café au lait, naïve",
        "",
        "ASCII only",
        "«لا توجد خطط» لعقد لقاء، وقال Ünal إن",
    ],
    ids=["arabic", "arabic-with-lone-pair", "latin", "empty", "ascii", "quotes-and-latin-names"],
)
def test_clean_text_is_left_alone(clean: str) -> None:
    assert repair_mojibake(clean) == (clean, None)


@pytest.mark.parametrize(
    ("body", "declared", "text", "encoding", "note"),
    [
        (AR.encode("cp1256"), "windows-1256", AR, "cp1256", None),
        (AR.encode("utf-8"), "windows-1256", AR, "utf-8", "CharsetMismatch: declared windows-1256"),
        (AR.encode("cp1256"), "utf-8", AR, "cp1256", "CharsetMismatch: declared utf-8"),
        (AR.encode("cp1256"), None, AR, "cp1256", "CharsetMismatch: no charset declared"),
        (AR.encode("cp1256"), "iso-8859-1", AR, "cp1256", "CharsetMismatch: declared iso-8859-1"),
        ("Café".encode("latin-1"), "iso-8859-1", "Café", "iso8859-1", None),
        (b"\xef\xbb\xbf" + AR.encode(), None, AR, "utf-8", None),
        (AR.encode().decode("cp1256").encode(), "utf-8", AR, "utf-8", "Mojibake"),
    ],
    ids=[
        "cp1256",
        "utf8-declared-1256",
        "1256-declared-utf8",
        "1256-undeclared",
        "1256-declared-latin1",
        "latin1",
        "bom",
        "double-encoded",
    ],
)
def test_decode_document(
    body: bytes, declared: str | None, text: str, encoding: str, note: str | None
) -> None:
    got = decode_document(body, declared)
    assert (got.text, got.encoding) == (text, encoding)
    if note is None:
        assert got.notes == ()
    else:
        assert got.notes and got.notes[0].startswith(note)


@pytest.mark.parametrize(
    ("body", "ctype", "charset"),
    [
        (b"<rss/>", "application/rss+xml; charset=windows-1256", "windows-1256"),
        (b'<?xml version="1.0" encoding="windows-1256"?><rss/>', "text/xml", "windows-1256"),
        (b"<html><head><meta charset='utf-8'>", None, "utf-8"),
        (b"<rss/>", None, None),
    ],
)
def test_declared_charset(body: bytes, ctype: str | None, charset: str | None) -> None:
    assert declared_charset(body, ctype) == charset


UTC = dt.UTC
AST = dt.timezone(dt.timedelta(hours=3))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Thu, 30 Dec 2021 14:20:00 +0200",
            dt.datetime(2021, 12, 30, 14, 20, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("Thu, 30 Dec 2021 14:20:00 AST", dt.datetime(2021, 12, 30, 14, 20, tzinfo=AST)),
        ("Thu, 30 Dec 2021 14:20:00 GMT+3", dt.datetime(2021, 12, 30, 14, 20, tzinfo=AST)),
        ("2021-12-30T14:20:00Z", dt.datetime(2021, 12, 30, 14, 20, tzinfo=UTC)),
        ("2021-12-30 14:20:00", dt.datetime(2021, 12, 30, 14, 20, tzinfo=UTC)),
        ("الخميس، 30 ديسمبر 2021 - 02:20 م", dt.datetime(2021, 12, 30, 14, 20, tzinfo=UTC)),
        ("٣٠ ديسمبر ٢٠٢١ ١٤:٢٠", dt.datetime(2021, 12, 30, 14, 20, tzinfo=UTC)),
        (
            "الخميس 30 كانون الأول 2021 14:20 بتوقيت مكة المكرمة",
            dt.datetime(2021, 12, 30, 14, 20, tzinfo=AST),
        ),
        ("30 دجنبر 2021", dt.datetime(2021, 12, 30, tzinfo=UTC)),
        ("الأحد 5 ماي 2024م 10:00 ص", dt.datetime(2024, 5, 5, 10, 0, tzinfo=UTC)),
        ("12 جانفي 2022", dt.datetime(2022, 1, 12, tzinfo=UTC)),
        ("30/12/2021 14:20", dt.datetime(2021, 12, 30, 14, 20, tzinfo=UTC)),
        ("2021/12/30", dt.datetime(2021, 12, 30, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
        ("Mon, 01 Jan 1900 00:00:00 GMT", None),
    ],
    ids=[
        "rfc822",
        "ast-is-arabia",
        "gmt+3",
        "iso-z",
        "iso-naive",
        "egyptian-pm",
        "eastern-digits",
        "levantine-mecca",
        "maghrebi",
        "year-suffix-am",
        "algerian",
        "d/m/y",
        "y/m/d",
        "garbage",
        "empty",
        "too-old",
    ],
)
def test_parse_pubdate(raw: str, expected: dt.datetime | None) -> None:
    assert parse_pubdate(raw) == expected


def test_englishify_and_feedparser_handler() -> None:
    assert englishify("الخميس، 30 ديسمبر 2021 - 02:20 م") == "30 Dec 2021 02:20 PM"
    assert tuple(feedparser_handler("Thu, 30 Dec 2021 14:20:00 AST"))[:5] == (2021, 12, 30, 11, 20)
    assert feedparser_handler("nonsense") is None
