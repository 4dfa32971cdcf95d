"""Vietnamese text normalisation and repair for one paragraph or title at a time.

Real portal text mixes named entities, UTF-8 and decomposed (NFD) marks in one paragraph,
pastes legacy TCVN3/VNI text, writes "Ðà" with the Icelandic eth, and glues words
("Ngày16", "củathị"). `clean_text` fixes all of that and says what it changed;
`normalize_text` only decodes entities, composes to NFC and collapses whitespace.
`canonical_tones` gives one tone-placement style for keys and search (the displayed text
keeps the original). Everything here runs on every paragraph, so the patterns are compiled
once and each repair starts with a cheap check that usually says "nothing to do".
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from itertools import filterfalse

from scraper.encoding import looks_mojibake, repair_mojibake
from scraper.legacy import convert_legacy, looks_legacy
from scraper.syllables import TONE_MARKS, is_syllable, split_tone, tone_index, toneless_bases
from scraper.syllables import syllables as all_syllables


def _words(text: str) -> list[str]:
    return text.split()


# Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_INVISIBLE_NO_SHY = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# C0/C1 control characters other than whitespace.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Both deleted by normalize_text, in one pass.
_INVISIBLE_OR_CONTROL = re.compile(f"[{_INVISIBLE.pattern[1:-1]}{_CONTROL.pattern[1:-1]}]")
_INVISIBLE_OR_CONTROL_NO_SHY = re.compile(
    f"[{_INVISIBLE_NO_SHY.pattern[1:-1]}{_CONTROL.pattern[1:-1]}]"
)
_WORD = re.compile(r"[^\W\d_]+")
_GLUE_CANDIDATE = re.compile(r"[^\W\d_]{4,}")
_DIGITS = re.compile(r"\d+")
_DIGIT_BY_LETTER = re.compile(r"\d(?:(?<=[^\W\d_]\d)|(?=[^\W\d_]))")
# Punctuation that sticks to words ("Nội,", "(UBND)"); none of it is a letter.
_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»…-–—/%*"
_MIXED_HINT = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]+")
_RUNS = re.compile(r"\d+|[^\W\d_]+")
_URLISH = re.compile(
    r"(?i)://|www\.|@|\.(?:vn|com|net|org|gov|edu|info|html?|php|aspx?|jsp|pdf|docx?|xlsx?|"
    r"jpe?g|png|gif|zip|rar)\b"
)
_ETH = re.compile("[ðÐ][^\\W\\d_]*")

# Words written glued to digits that must stay glued: units and symbols after a number.
_UNITS = frozenset(
    _words("ha km kg cm mm ml mg kw kwh mw mwh tr ty trd vnd usd ct gb mb tb ghz mhz px")
)
# Words that look like two Vietnamese syllables but are not Vietnamese: never split.
LOANWORDS = frozenset(
    _words("""online offline internet website web facebook youtube google zalo email gmail
    smartphone laptop video camera tivi radio marketing startup logo banner fanpage
    download upload livestream hotline wifi bluetooth covid vaccine""")
)
_MAX_SYLLABLE = 8


def normalize_text(s: str) -> str:
    """Entities decoded, NFC, invisible characters dropped, whitespace collapsed.

    Soft hyphens are kept when the text looks like TCVN3 (where 0xAD is the letter ư).
    """
    if not s:
        return ""
    if "&" in s:
        s = html.unescape(s)
    was_ascii = s.isascii()  # (before NFC: that can make text ASCII, the Kelvin sign "K")
    if not was_ascii and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    # Most texts come here squeezed already. Printable text has no invisible or control
    # character to delete and no space but " " (every other Unicode space is unprintable):
    # it needs squeezing only where a space is doubled or at an end.
    if s.isprintable():
        if "  " in s or s.startswith(" ") or s.endswith(" "):
            return " ".join(s.split())
        return s
    if not was_ascii:
        # invisible and control characters are both deleted: one pass for both
        s = (_INVISIBLE_OR_CONTROL_NO_SHY if looks_legacy(s) else _INVISIBLE_OR_CONTROL).sub("", s)
    return " ".join(s.split())  # str.split() splits on every Unicode space, NBSP included


def clean_text(s: str) -> tuple[str, list[str]]:
    """One paragraph or title, repaired: (text, warnings describing every repair).

    Entities, mojibake, TCVN3/VNI legacy text, NFC, whitespace, ð/Ð used for đ/Đ, letters
    glued to digits and dictionary-sure glued syllables.
    """
    text, warnings, _ = clean_and_normalize(s)
    return text, warnings


# Texts up to this long are remembered: captions, bylines, credits, titles and chrome lines
# repeat from page to page of a portal; body paragraphs (longer, rarely repeated) are not.
_REMEMBER_CHARS = 200


def clean_and_normalize(s: str) -> tuple[str, list[str], str | None]:
    """`clean_text(s)`, plus `normalize_text(s)` when cleaning computed it on the way (the
    text needed no entity, mojibake or legacy repair first), else None: a caller that
    wants both (the page's text and its cleaned form) normalises once."""
    if s and len(s) <= _REMEMBER_CHARS:
        text, warnings, same = _clean_short(s)
        return text, list(warnings), same
    return _clean_and_normalize(s)


@lru_cache(maxsize=8192)
def _clean_short(s: str) -> tuple[str, tuple[str, ...], str | None]:
    text, warnings, same = _clean_and_normalize(s)
    return text, tuple(warnings), same


def _clean_and_normalize(s: str) -> tuple[str, list[str], str | None]:
    warnings: list[str] = []
    if not s:
        return "", warnings, ""
    original = s
    if "&" in s:
        s = html.unescape(s)
    if not s.isascii():
        if looks_mojibake(s):
            s, n = repair_mojibake(s)
            if n:
                warnings.append(f"mojibake:repaired {n} sequences")
        if looks_legacy(s):
            s, legacy = convert_legacy(s)
            if legacy:
                warnings.append(f"legacy:{legacy} converted to Unicode")
    normalized = normalize_text(s)
    # the same string object as given: its normalisation is normalize_text(original)
    same = normalized if s is original else None
    s = normalized
    if "ð" in s or "Ð" in s:
        s = _fix_eth(s, warnings)
    s, glue_warnings = repair_glued(s)
    warnings.extend(glue_warnings)
    return s, warnings, same


def _fix_eth(s: str, warnings: list[str]) -> str:
    """ð/Ð (cp1252 misreadings of windows-1258 đ/Đ) → đ/Đ where that makes a syllable."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        fixed = word.replace("ð", "đ").replace("Ð", "Đ")
        if is_syllable(fixed):
            warnings.append(f"eth:{word}→{fixed}")
            return fixed
        return word

    return _ETH.sub(fix, s)


def repair_glued(s: str) -> tuple[str, list[str]]:
    """Split letters glued to digits ("Ngày16") and glued syllables ("củathị").

    Codes stay as written ("COVID-19", "H5N1", "15/KH-UBND", "m2", "F0", "4.0"): a letter
    run is split from digits only when it is a Vietnamese syllable of two or more letters
    and not an upper-case ASCII code. Syllables are split only when the glued word is not a
    syllable, has a Vietnamese letter, and has exactly one shortest split into syllables.
    """
    warnings: list[str] = []
    if not s:
        return s, warnings
    if _has_glued_digits(s):
        s = _ALNUM.sub(lambda m: _split_digits(m, warnings), s)
    if not s.isascii() and _has_glue_suspect(s):
        s = _GLUE_CANDIDATE.sub(lambda m: _split_syllables(m.group(0), warnings), s)
    return s, warnings


def _has_glued_digits(s: str) -> bool:
    """Cheap check: is any digit run touching a letter?"""
    # Nearly every text has digits (dates, numbers), few have one next to a letter: one
    # regex scan finds a digit beside a letter (or a number-letter such as "²", which
    # `isalpha` refuses); only then are the digit runs looked at one by one.
    if _DIGIT_BY_LETTER.search(s) is None:
        return False
    n = len(s)
    for m in _DIGITS.finditer(s):
        start, end = m.span()
        if (start and s[start - 1].isalpha()) or (end < n and s[end].isalpha()):
            return True
    return False


def _has_glue_suspect(s: str) -> bool:
    """Cheap check: a non-ASCII word of 4+ letters that is not a syllable.

    Whitespace tokens are looked up in the syllable set (no set of the paragraph's tokens
    is built); only the few not found (punctuation attached, abbreviations, glued words)
    are looked at letter by letter.
    """
    known = all_syllables()
    # tokens that are syllables (most) or ASCII are passed over in C, not in this loop
    for token in filterfalse(str.isascii, filterfalse(known.__contains__, s.lower().split())):
        if token.strip(_PUNCTUATION) in known:
            continue  # a syllable with punctuation attached: its one word is that syllable
        for word in _GLUE_CANDIDATE.findall(token):
            if not word.isascii() and not is_syllable(word) and word not in LOANWORDS:
                return True
    return False


def _is_word_for_digits(run: str) -> bool:
    if len(run) < 2 or run.lower() in _UNITS or run.lower() in LOANWORDS:
        return False
    if run.isascii() and run.isupper():
        return False  # codes: CO2, QĐ, H5N1 parts
    if not (run.islower() or run.istitle() or run.isupper()):
        return False  # iPhone15, mixed-case brand names
    return is_syllable(run)


def _split_digits(m: re.Match[str], warnings: list[str]) -> str:
    token = m.group(0)
    if token.isalpha() or token.isdigit() or not _MIXED_HINT.search(token):
        return token
    s = m.string
    start, end = m.start(), m.end()
    while start > 0 and not s[start - 1].isspace():
        start -= 1
    while end < len(s) and not s[end].isspace():
        end += 1
    if _URLISH.search(s, start, end):
        return token
    runs = _RUNS.findall(token)
    out = [runs[0]]
    for prev, cur in zip(runs, runs[1:], strict=False):
        letters = cur if prev[0].isdigit() else prev
        out.append(" " if _is_word_for_digits(letters) else "")
        out.append(cur)
    fixed = "".join(out)
    if fixed != token:
        warnings.append(f"glued:{token}→{fixed}")
    return fixed


def _split_syllables(word: str, warnings: list[str]) -> str:
    if word.isascii():
        return word
    lower = word.lower()
    if is_syllable(lower) or lower in LOANWORDS:
        return word
    parts = _camel_split(word) or _unique_segmentation(lower)
    if parts is None:
        return word
    pieces, i = [], 0
    for part in parts:
        pieces.append(word[i : i + len(part)])
        i += len(part)
    fixed = " ".join(pieces)
    warnings.append(f"glued:{word}→{fixed}")
    return fixed


def _camel_split(word: str) -> list[str] | None:
    """Cut at each lower→upper change ("ThànhphốHồChíMinh"), when every piece is a syllable
    or splits into syllables in exactly one shortest way: the writer's capitals decide."""
    cuts = [i for i in range(1, len(word)) if word[i].isupper() and word[i - 1].islower()]
    if not cuts:
        return None
    chunks = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
    if len(chunks) < 2:
        return None
    parts: list[str] = []
    for chunk in chunks:
        lower = chunk.lower()
        if is_syllable(lower):
            parts.append(lower)
            continue
        pieces = _unique_segmentation(lower)
        if pieces is None:
            return None
        parts.extend(pieces)
    return parts


def _unique_segmentation(word: str) -> list[str] | None:
    """The split of `word` into the fewest syllables, if there is exactly one such split."""
    n = len(word)
    # best[i] = (fewest parts for word[i:], number of such splits, next cut)
    best: list[tuple[int, int, int]] = [(10**6, 0, 0)] * n + [(0, 1, n)]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, min(n, i + _MAX_SYLLABLE) + 1):
            if best[j][1] == 0 or not is_syllable(word[i:j]):
                continue
            parts, count, _ = best[j]
            cand = parts + 1
            if cand < best[i][0]:
                best[i] = (cand, count, j)
            elif cand == best[i][0]:
                best[i] = (cand, best[i][1] + count, best[i][2])
    parts_count, count, _ = best[0]
    if count != 1 or parts_count < 2:
        return None
    out, i = [], 0
    while i < n:
        j = best[i][2]
        out.append(word[i:j])
        i = j
    return out


@lru_cache(maxsize=65536)
def _canonical_word(word: str) -> str:
    base, tone = split_tone(word)
    if tone == 0:
        return word
    lower = base.lower()
    if lower not in toneless_bases():
        return word
    i = tone_index(lower, traditional=True)
    if i < 0:
        return word
    return unicodedata.normalize("NFC", base[: i + 1] + TONE_MARKS[tone] + base[i + 1 :])


def canonical_tones(s: str) -> str:
    """One tone placement for keys and search: hoà→hòa, thuỷ→thủy, Uỷ→Ủy, khoẻ→khỏe.

    The traditional placement (tone on the first vowel of open oa/oe/uy) is the one most
    portals and the 2018 textbooks use. Words that are not Vietnamese syllables are kept.
    """
    if s.isascii():
        return s
    s = unicodedata.normalize("NFC", s)
    return _WORD.sub(
        lambda m: _canonical_word(m.group(0)) if not m.group(0).isascii() else m.group(0), s
    )


# --- language ------------------------------------------------------------------------
_VI_ONLY = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_VI_ASCII_WORDS = frozenset(
    _words(
        "cua va cac nhung trong nguoi duoc cho voi khong nay mot la tai da se ngay nam thang "
        "tinh huyen xa ubnd hdnd"
    )
)
_EN_WORDS = frozenset(
    _words("the and of to in is for on with that this by are from as at be was or an it")
)
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_HAN = re.compile("[\u3400-\u9fff]")


def _split_words(text: str) -> tuple[int, str]:
    """(whitespace tokens of letters only, the other tokens joined by spaces).

    A token of letters only (`isalpha`, most of them) is one word; only the others need the
    regex, and they are picked and joined in C. (Whitespace is never a letter, so no word
    spans two tokens.)"""
    tokens = text.split()
    others = list(filterfalse(str.isalpha, tokens))
    return len(tokens) - len(others), " ".join(others)


def _count_words(text: str) -> int:
    """`len(_WORD.findall(text))` at about half the cost (see `_split_words`)."""
    letter_tokens, others = _split_words(text)
    return letter_tokens + len(_WORD.findall(others))


def detect_language(text: str) -> str:
    """ "vi", "en", "zh", "ja", "ko" or "und" (unknown): a cheap word-level heuristic."""
    sample = text[:4000]
    letter_tokens, others = _split_words(sample)
    # Vietnamese prose has about one Vietnamese-only letter per word; a Vietnamese name in
    # English text adds only a few.
    vi_only = len(_VI_ONLY.findall(sample))
    # Words of n characters are at most (n + 1) // 2 (a word needs a non-letter after it):
    # that bound already decides Vietnamese pages (those letters are letters, so there are
    # words), and the regex counts the words of the other tokens only when it does not.
    if vi_only and vi_only * 3 >= letter_tokens + (len(others) + 1) // 2:
        return "vi"
    n_words = letter_tokens + len(_WORD.findall(others))
    if not n_words:
        return "und"
    if vi_only * 3 >= n_words:
        return "vi"
    words = _WORD.findall(sample)
    lowered = [w.lower() for w in words]
    en = sum(1 for w in lowered if w in _EN_WORDS)
    vi = sum(1 for w in lowered if w in _VI_ASCII_WORDS)
    if _KANA.search(sample):
        return "ja"
    if _HANGUL.search(sample):
        return "ko"
    if len(_HAN.findall(sample)) * 2 > len(words):
        return "zh"
    if en * 12 >= len(words) and en > vi:
        return "en"
    if vi * 10 >= len(words) and vi > en:
        return "vi"
    return "und"
