"""Charsets and mojibake of Arabic feeds and pages: bytes or broken text -> correct Unicode text.

Two pure entry points:

* ``decode_document(body, declared)`` -> ``Decoded(text, encoding, notes)``: decodes a feed or
  page body. A body that is valid UTF-8 is UTF-8 whatever the server declared (genuine
  windows-1256 Arabic is practically never valid UTF-8); a body that is not is read with the
  declared single-byte charset, or as windows-1256 when the declaration is missing, says UTF-8,
  or names a Latin charset while the bytes are Arabic. Every such override is noted.
* ``repair_mojibake(text)`` -> ``(text, kind)``: undoes UTF-8 bytes that were decoded as
  windows-1256 (``ط§ظ„`` for ``ال``) or windows-1252/latin-1 (``Ø§Ù„``) and re-encoded.

Mojibake detection is conservative. A run of "lead, continuation" character pairs is a
candidate; the text is treated as mojibake only when at least one run of two or more pairs
decodes to Arabic letters (genuine Arabic sometimes shows one such pair, as in ``ا»``, but
never two in a row). Once confirmed, single pairs (one-letter words such as ``و``) are repaired
too. ftfy is not used: it does not know windows-1256, the commonest Arabic mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

_LOGGER = logging.getLogger(__name__)

MOJIBAKE_CODECS = ("cp1256", "cp1252")  # the charsets UTF-8 Arabic is wrongly read as
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_LATIN = {"iso8859-1", "iso8859-15", "cp1252", "ascii"}  # codecs.lookup() names


def _table(codec: str) -> tuple[dict[str, int], dict[int, str]]:
    """Sloppy tables of a single-byte codec: undefined bytes map to the same code point."""
    enc: dict[str, int] = {}
    dec: dict[int, str] = {}
    for b in range(256):
        try:
            ch = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            ch = chr(b)
        enc[ch] = b
        dec[b] = ch
    return enc, dec


def _class(dec: dict[int, str], lo: int, hi: int) -> str:
    return "".join(re.escape(dec[b]) for b in range(lo, hi + 1))


_TABLES = {c: _table(c) for c in MOJIBAKE_CODECS}
_RUNS: dict[str, re.Pattern[str]] = {}
for _codec, (_enc, _dec) in _TABLES.items():
    _lead2, _lead3, _cont = (
        _class(_dec, 0xC2, 0xDF),
        _class(_dec, 0xE0, 0xEF),
        _class(_dec, 0x80, 0xBF),
    )
    _RUNS[_codec] = re.compile(f"(?:[{_lead2}][{_cont}]|[{_lead3}][{_cont}]{{2}})+")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    notes: tuple[str, ...] = ()  # "CharsetMismatch: ...", "Mojibake: ..."


def normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset the server declared: HTTP header first, then the XML or HTML declaration."""
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        if m:
            return m.group(1)
    head = body[:2048]
    m2 = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m2.group(1).decode("ascii", "ignore") if m2 else None


def _fix_run(run: str, codec: str) -> str | None:
    enc = _TABLES[codec][0]
    try:
        raw = bytes(enc[ch] for ch in run)
        fixed = raw.decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None
    return None if _CONTROL.search(fixed) else fixed


def repair_mojibake(text: str | None) -> tuple[str | None, str | None]:
    """``(repaired text, codec it had been misread as)``, or ``(text, None)`` when clean."""
    if not text:
        return text, None
    for codec, pattern in _RUNS.items():
        confirmed = False
        for m in pattern.finditer(text):
            run = m.group(0)
            fixed = _fix_run(run, codec)
            # two or more decoded characters that include an Arabic letter
            if fixed and len(fixed) >= 2 and _ARABIC_LETTER.search(fixed):
                confirmed = True
                break
        if not confirmed:
            continue

        def fix(m: re.Match[str], codec: str = codec) -> str:
            fixed = _fix_run(m.group(0), codec)
            # in a text that is partly fine, "خطط»" is Arabic and a quote, not "ػ" (a letter
            # Arabic text never uses)
            if not fixed or _RARE_LETTER.search(fixed):
                return m.group(0)
            return fixed

        fixed, _ = _repair_cp1256_read_as_utf8(pattern.sub(fix, text))
        return fixed, codec
    return _repair_cp1256_read_as_utf8(text)


_RARE_LETTER = re.compile("[\u063b-\u063f]")
# The reverse slip, a few windows-1256 byte pairs read as UTF-8: "الخميس،" (…D3 A1 in 1256)
# shows as "الخميӡ". A character of the two-byte UTF-8 range, outside Arabic, glued to an Arabic
# letter, whose two bytes are Arabic in windows-1256.
# («, » and the no-break space, common beside Arabic, decode to no Arabic pair: left out of the
# class, so that the one-class search below rules out most clean texts at C speed)
_FOREIGN = "[\u0080-\u009f\u00a1-\u00aa\u00ac-\u00ba\u00bc-\u05ff\u0700-\u07ff]"
_ANY_FOREIGN = re.compile(_FOREIGN)
_GLUED_FOREIGN = re.compile(f"(?<=[\u0621-\u064a]){_FOREIGN}|{_FOREIGN}(?=[\u0621-\u064a])")
_ARABIC_OR_MARK = re.compile(r"^[\u0621-\u064a\u060c\u061b\u061f]{2}$")


def _repair_cp1256_read_as_utf8(text: str) -> tuple[str, str | None]:
    def fix(m: re.Match[str]) -> str:
        ch = m.group(0)
        try:
            pair = ch.encode("utf-8").decode("cp1256")
        except UnicodeDecodeError:
            return ch
        if not _ARABIC_OR_MARK.match(pair) or not _ARABIC_LETTER.search(pair):
            return ch
        return pair

    if not _ANY_FOREIGN.search(text):
        return text, None
    fixed = _GLUED_FOREIGN.sub(fix, text)
    return (fixed, "utf-8") if fixed != text else (text, None)


def _arabic_share(text: str) -> float:
    high = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    if not high:
        return 0.0
    return sum(1 for ch in high if _ARABIC_LETTER.match(ch)) / len(high)


def decode_document(body: bytes, declared: str | None) -> Decoded:
    """Decode ``body`` (a feed or a page), correcting a wrong declaration and mojibake."""
    notes: list[str] = []
    name = normalise_charset(declared)
    if body.startswith(codecs.BOM_UTF8):
        text, encoding = body[3:].decode("utf-8", errors="replace"), "utf-8"
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = body.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, encoding = body.decode("utf-8"), "utf-8"
            if name and name not in ("utf-8", "ascii") and any(b > 0x7F for b in body):
                notes.append(
                    f"CharsetMismatch: declared {declared} but the body is UTF-8; read as UTF-8"
                )
        except UnicodeDecodeError:
            text, encoding = _decode_single_byte(body, declared, name, notes)
    repaired, misread = repair_mojibake(text)
    if misread:
        notes.append(f"Mojibake: UTF-8 text had been read as {misread} and re-encoded; repaired")
        text = repaired or ""
    return Decoded(text, encoding, tuple(notes))


def _decode_single_byte(
    body: bytes, declared: str | None, name: str | None, notes: list[str]
) -> tuple[str, str]:
    as_arabic = body.decode("cp1256", errors="replace")
    if name and name not in ("utf-8",) and name not in _LATIN:
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            pass
    if name in _LATIN and _arabic_share(as_arabic) < 0.8:
        return body.decode(name or "cp1252", errors="replace"), name or "cp1252"
    what = f"declared {declared}" if declared else "no charset declared"
    notes.append(f"CharsetMismatch: {what} but the body is not UTF-8; read as windows-1256")
    return as_arabic, "cp1256"
