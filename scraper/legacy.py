"""TCVN3 (.VnTime) and VNI legacy Vietnamese text: detection and conversion to Unicode.

Before Unicode, Vietnamese documents were typed in 8-bit font encodings. Pasted into a
web page they survive as Latin-1 letters: TCVN3 "Céng hoµ x· héi" is "Cộng hoà xã hội",
VNI "Coäng hoøa xaõ hoäi" is the same text (VNI writes a base letter followed by mark
bytes). Both tables below are the published layouts (TCVN 5712:1993 "VN3" for TCVN3;
VNI-Windows), written out in full, lower and upper case.

Detection is per fragment (a paragraph or title): a cheap character-class search for
letters that Unicode Vietnamese never uses (µ, ¸, ¶, ø, ä, ö …), then trial conversion,
kept only when it turns words that are not Vietnamese syllables into words that are. Very
short fragments (fewer than three converted syllables) are left alone. In TCVN3 the letter
"ư" is byte 0xAD, the soft hyphen: callers must convert before stripping soft hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scraper.syllables import is_syllable

# --- TCVN3 (VN3): one byte per letter; upper-case toned letters do not exist in VN3 (the
# .VnTimeH fonts draw the lower-case bytes as capitals).
_TCVN3 = {
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư",
    "\u00a7": "Đ",
    "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô", "\u00ac": "ơ", "\u00ad": "ư",
    "\u00ae": "đ",
    "\u00b5": "à", "\u00b6": "ả", "\u00b7": "ã", "\u00b8": "á", "\u00b9": "ạ",
    "\u00bb": "ằ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00be": "ắ", "\u00c6": "ặ",
    "\u00c7": "ầ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00ca": "ấ", "\u00cb": "ậ",
    "\u00cc": "è", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d0": "é", "\u00d1": "ẹ",
    "\u00d2": "ề", "\u00d3": "ể", "\u00d4": "ễ", "\u00d5": "ế", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00dd": "í", "\u00de": "ị",
    "\u00df": "ò", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e3": "ó", "\u00e4": "ọ",
    "\u00e5": "ồ", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e8": "ố", "\u00e9": "ộ",
    "\u00ea": "ờ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ed": "ớ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f3": "ú", "\u00f4": "ụ",
    "\u00f5": "ừ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f8": "ứ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fd": "ý", "\u00fe": "ỵ",
}  # fmt: skip
TCVN3_TABLE: dict[str, str] = dict(_TCVN3)
_TCVN3_TRANS = str.maketrans(_TCVN3)

# --- VNI-Windows: base letter + mark byte(s); i-family letters and đ are single bytes.
_VNI_MARKS = {  # mark byte (lower-case form) -> combining sequence applied to the base
    "ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
}  # fmt: skip
_VNI_A = {  # after a/A: circumflex and breve families
    "â": "â", "á": "ấ", "à": "ầ", "å": "ẩ", "ã": "ẫ", "ä": "ậ",
    "ê": "ă", "é": "ắ", "è": "ằ", "ú": "ẳ", "ü": "ẵ", "ë": "ặ",
}  # fmt: skip
_VNI_EO = {  # after e/o: circumflex family (ê, ô)
    "â": "^", "á": "^\u0301", "à": "^\u0300", "å": "^\u0309", "ã": "^\u0303", "ä": "^\u0323",
}  # fmt: skip
_VNI_SINGLE = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}  # fmt: skip


def _build_vni() -> dict[str, str]:
    import unicodedata

    table: dict[str, str] = {}

    def add(seq: str, result: str) -> None:
        result = unicodedata.normalize("NFC", result)
        table[seq] = result
        table[seq.upper()] = result.upper()

    for base in ("a", "e", "o", "u", "y", "ô", "ö"):
        plain = _VNI_SINGLE.get(base, base)
        for mark, combining in _VNI_MARKS.items():
            add(base + mark, plain + combining)
    for mark, letter in _VNI_A.items():
        add("a" + mark, letter)
    for base, hat in (("e", "ê"), ("o", "ô")):
        for mark, seq in _VNI_EO.items():
            add(base + mark, seq.replace("^", hat))
    for seq, letter in _VNI_SINGLE.items():
        table[seq] = letter
    return table


VNI_TABLE: dict[str, str] = _build_vni()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_TABLE, key=len, reverse=True)))

# Letters that Unicode Vietnamese text never contains but TCVN3 or VNI text always does.
_VIET_LETTERS = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_TCVN3_MARKERS = "".join(sorted(set(_TCVN3) - _VIET_LETTERS - {"\u00ad"}))
_VNI_MARKERS = "".join(sorted({c for k in VNI_TABLE for c in k if not c.isascii()} - _VIET_LETTERS))
_CANDIDATE = re.compile("[" + re.escape(_TCVN3_MARKERS + _VNI_MARKERS) + "]")
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[^\s\d\"'()\[\],.;:!?/\-\u2013\u2014\u201c\u201d]+")
MIN_CONVERTED_WORDS = 3


def looks_legacy(text: str) -> bool:
    """Cheap pre-check: does the fragment contain a TCVN3/VNI marker letter at all?"""
    return _CANDIDATE.search(text) is not None


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text; words typed in capitals (.VnTimeH) come back in capitals."""
    out = text.translate(_TCVN3_TRANS)
    if out == text:
        return out
    ascii_letters = [c for c in text if c.isascii() and c.isalpha()]
    if len(ascii_letters) >= 4 and not any(c.islower() for c in ascii_letters):
        return out.upper()  # a whole heading set in a .VnTimeH font
    return _WORD.sub(_restore_caps, out)


def _restore_caps(m: re.Match[str]) -> str:
    word = m.group(0)
    ascii_letters = [c for c in word if c.isascii()]
    if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
        return word.upper()
    return word


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text to Unicode (NFC)."""
    return _VNI_RE.sub(lambda m: VNI_TABLE[m.group(0)], text)


def _evidence(text: str, convert: Callable[[str], str]) -> tuple[int, int, int, int]:
    """Per token with a non-ASCII character: (fixed, broken, good after, bad after).

    fixed = not a syllable before conversion and one after ("héi" → "hội"); broken = the
    reverse. Tokens keep the symbols TCVN3 uses as letters (§ is Đ, ¹ is ạ, µ is à).
    """
    fixed = broken = good = bad = 0
    for token in _TOKEN.findall(text):
        if token.isascii():
            continue
        before = is_syllable(token)
        after = is_syllable(convert(token))
        fixed += after and not before
        broken += before and not after
        good += after
        bad += not after
    return fixed, broken, good, bad


def detect_legacy(text: str) -> str | None:
    """Return "tcvn3", "vni" or None for one fragment of text."""
    if not looks_legacy(text):
        return None
    best: tuple[int, str] | None = None
    for name, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        fixed, broken, good, bad = _evidence(text, convert)
        if fixed < MIN_CONVERTED_WORDS or fixed <= broken * 2 or bad * 4 > good:
            continue
        if best is None or fixed - broken > best[0]:
            best = (fixed - broken, name)
    return best[1] if best else None


def convert_legacy(text: str) -> tuple[str, str | None]:
    """Convert a TCVN3 or VNI fragment to Unicode; (text, encoding name or None)."""
    name = detect_legacy(text)
    if name == "tcvn3":
        return tcvn3_to_unicode(text), name
    if name == "vni":
        return vni_to_unicode(text), name
    return text, None
