"""From the bytes of a page to text: which encoding, and what had to be repaired.

Order of evidence: a byte-order mark, then the HTTP charset, then `<meta charset>` /
`http-equiv` (or an XML declaration) in the first bytes, then detection. Vietnamese pages
add their own failure modes, each handled here and reported in `warnings`:

- windows-1258 stores tone marks as separate combining bytes: decode, then compose (NFC);
- pages declared UTF-8 whose bytes are not UTF-8 (fall back, say so);
- pages declared Latin-1/windows-1252 whose bytes are valid UTF-8 or windows-1258;
- whole pages double-encoded (UTF-8 read as Latin-1/cp1252 and saved again as UTF-8:
  "Viá»‡t" for "Việt"), repaired sequence by sequence where the bytes round-trip.

`decode_page` never raises: empty, binary or truncated input gives text and warnings.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from scraper.syllables import is_syllable

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
PRESCAN_BYTES = 16384  # the HTML spec says 1024; portals put long scripts first
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""")
_SINGLE_BYTE_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
_WORD = re.compile(r"[^\W\d_]+")
VIETNAMESE_SAMPLE_CHARS = 200_000


@dataclass(slots=True)
class DecodedPage:
    """Text of a page, the encoding it was decoded with, and what was guessed or repaired."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a charset label ("UTF8", "windows-1258", "x-user-defined")."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        # WHATWG: these labels mean windows-1252, which is what browsers decode.
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, len(bom)
    return None


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset declared in the first bytes (meta charset, http-equiv, XML declaration)."""
    head = data[:PRESCAN_BYTES]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def vietnamese_score(text: str) -> int:
    """Syllables with a Vietnamese letter minus non-ASCII words that are not syllables."""
    score = 0
    for word in _WORD.findall(text[:VIETNAMESE_SAMPLE_CHARS]):
        if word.isascii():
            continue
        score += 1 if is_syllable(word) else -1
    return score


def _decode_1258(data: bytes) -> str:
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def _best_single_byte(data: bytes) -> tuple[str, str]:
    """windows-1258 or windows-1252, whichever reads as more Vietnamese."""
    t1258 = _decode_1258(data)
    t1252 = data.decode("cp1252", errors="replace")
    if vietnamese_score(t1258) > max(vietnamese_score(t1252), 0):
        return t1258, "cp1258"
    return t1252, "cp1252"


_NOT_LEAD = bytes(b for b in range(256) if not 0xC2 <= b <= 0xF4)


def _utf8_lead_bytes(data: bytes) -> int:
    """How many bytes could start a multi-byte UTF-8 sequence (fast, in C)."""
    return len(data.translate(None, _NOT_LEAD))


def _utf8_with_errors(data: bytes) -> tuple[str, int]:
    text = data.decode("utf-8", errors="replace")
    return text, text.count("\ufffd") - data.count(b"\xef\xbf\xbd")


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
# Combining marks (NFD Vietnamese) and the few precomposed-looking singletons NFC rewrites.
_NOT_NFC_HINT = re.compile("[\u0300-\u036f\u0340-\u0345\u2126\u212a\u212b\uf900-\ufaff]")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls * 20 > len(sample)


def to_nfc(text: str) -> str:
    """NFC, skipping the full check when no character could change (fast on big pages)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text  # (C quick check: about twice as fast as the hint's regex scan)
    if not _NOT_NFC_HINT.search(text):
        return text
    return unicodedata.normalize("NFC", text)


def decode_page(data: bytes, http_charset: str | None = None) -> DecodedPage:
    """Decode page bytes to NFC text; never raises (bad input gives text and warnings)."""
    try:
        return _decode_page(bytes(data or b""), http_charset)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise on any bytes"
        text = bytes(data or b"").decode("utf-8", errors="replace")
        return DecodedPage(text, "utf-8", [f"encoding:decoding failed ({exc!r}); utf-8 forced"])


def _decode_page(data: bytes, http_charset: str | None) -> DecodedPage:
    warnings: list[str] = []
    if not data:
        return DecodedPage("", "utf-8", ["encoding:empty document"])
    if _looks_binary(data) and not _bom(data):
        warnings.append("encoding:content looks binary, not text")

    bom = _bom(data)
    if bom:
        enc, skip = bom
        text = data[skip:].decode(enc, errors="replace")
        if "\ufffd" in text:
            warnings.append(f"encoding:invalid {enc} bytes replaced")
        return _finish(text, enc, warnings)

    declared, origin = None, None
    if http_charset:
        declared, origin = normalize_charset(http_charset), "HTTP"
        if declared is None:
            warnings.append(f"encoding:unknown HTTP charset {http_charset!r} ignored")
    if declared is None:
        meta = sniff_meta_charset(data)
        if meta:
            declared, origin = normalize_charset(meta), "meta"
            if declared is None:
                warnings.append(f"encoding:unknown meta charset {meta!r} ignored")
    if declared in ("utf-16", "utf-32") and origin == "meta":
        declared = None  # a page that could declare it in ASCII is not UTF-16 (HTML spec)

    if declared == "utf-8":
        try:
            return _finish(data.decode("utf-8"), "utf-8", warnings)
        except UnicodeDecodeError as exc:
            return _fallback_from_utf8(data, exc, origin, warnings)
    if declared in _SINGLE_BYTE_WESTERN:
        return _western_declared(data, declared, origin, warnings)
    if declared and _is_single_byte(declared) and not data.isascii():
        page = _utf8_despite(data, declared, origin, warnings)
        if page is not None:
            return page
    if declared:
        text = data.decode(declared, errors="replace")
        if declared == "cp1258":
            text = unicodedata.normalize("NFC", text)
        if "\ufffd" in text:
            warnings.append(f"encoding:invalid {declared} bytes replaced")
        return _finish(text, declared, warnings)
    return _detect(data, warnings)


_MULTI_BYTE_PREFIXES = ("utf", "gb", "big5", "shift", "euc", "iso2022", "cp93", "cp94", "cp95")


def _is_single_byte(codec: str) -> bool:
    return not codec.replace("-", "_").startswith(_MULTI_BYTE_PREFIXES)


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, or None."""
    if not value:
        return None
    m = _CT_CHARSET.search(value)
    return m.group(1) if m else None


def _fallback_from_utf8(
    data: bytes, exc: UnicodeDecodeError, origin: str | None, warnings: list[str]
) -> DecodedPage:
    text, bad = _utf8_with_errors(data)
    multibyte = _utf8_lead_bytes(data)
    if bad * 20 <= multibyte or exc.start >= len(data) - 4:
        warnings.append(
            f"encoding:declared utf-8 ({origin}) has {bad} invalid sequence(s) from byte "
            f"{exc.start}; replaced"
        )
        return _finish(text, "utf-8", warnings)
    text, enc = _best_single_byte(data)
    warnings.append(
        f"encoding:declared utf-8 ({origin}) but bytes are not utf-8 (byte {exc.start}); "
        f"decoded as {enc}"
    )
    return _finish(text, enc, warnings)


def _utf8_despite(
    data: bytes, declared: str, origin: str | None, warnings: list[str]
) -> DecodedPage | None:
    """Bytes labelled with a single-byte charset that are valid UTF-8 are UTF-8 (the label is
    a template default); None when they are not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    warnings.append(f"encoding:declared {declared} ({origin}) but bytes are utf-8")
    return _finish(text, "utf-8", warnings)


def _western_declared(
    data: bytes, declared: str, origin: str | None, warnings: list[str]
) -> DecodedPage:
    if data.isascii():
        return _finish(data.decode("ascii"), declared, warnings)
    page = _utf8_despite(data, declared, origin, warnings)
    if page is not None:
        return page
    text, enc = _best_single_byte(data)
    if enc != "cp1252":
        warnings.append(f"encoding:declared {declared} ({origin}) but text is {enc}")
    elif "\ufffd" in text:
        warnings.append(f"encoding:invalid {declared} bytes replaced")
    return _finish(text, enc, warnings)


def _detect(data: bytes, warnings: list[str]) -> DecodedPage:
    try:
        return _finish(data.decode("utf-8"), "utf-8", warnings)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    text, bad = _utf8_with_errors(data)
    multibyte = _utf8_lead_bytes(data)
    if bad * 20 <= multibyte or utf8_error.start >= len(data) - 4:
        warnings.append(f"encoding:no charset declared; utf-8 with {bad} invalid sequence(s)")
        return _finish(text, "utf-8", warnings)
    single, enc = _best_single_byte(data)
    if enc == "cp1258":
        warnings.append("encoding:no charset declared; detected cp1258")
        return _finish(single, enc, warnings)
    guess = _charset_normalizer_guess(data)
    if guess and guess not in ("cp1252", "latin_1", "ascii", "utf_8"):
        warnings.append(f"encoding:no charset declared; detected {guess}")
        return _finish(data.decode(guess, errors="replace"), guess, warnings)
    warnings.append("encoding:no charset declared; not utf-8, decoded as cp1252")
    return _finish(single, "cp1252", warnings)


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:  # noqa: BLE001 - detection is a best effort
        return None
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name.replace("-", "_")
    except LookupError:
        return None


def _finish(text: str, encoding: str, warnings: list[str]) -> DecodedPage:
    text = to_nfc(text)
    if looks_mojibake(text):
        repaired, n = repair_mojibake(text)
        if n:
            text = repaired
            warnings.append(f"mojibake:repaired {n} double-encoded UTF-8 sequences")
            text = to_nfc(text)
    return DecodedPage(text, encoding, warnings)


# --- double-encoded UTF-8 ------------------------------------------------------------
# A UTF-8 byte read as windows-1252 (or Latin-1) becomes one character; map it back.
_CP1252_EXTRA = {
    "€": 0x80, "‚": 0x82, "ƒ": 0x83, "„": 0x84, "…": 0x85, "†": 0x86, "‡": 0x87, "ˆ": 0x88,
    "‰": 0x89, "Š": 0x8A, "‹": 0x8B, "Œ": 0x8C, "Ž": 0x8E, "‘": 0x91, "’": 0x92, "“": 0x93,
    "”": 0x94, "•": 0x95, "–": 0x96, "—": 0x97, "˜": 0x98, "™": 0x99, "š": 0x9A, "›": 0x9B,
    "œ": 0x9C, "ž": 0x9E, "Ÿ": 0x9F,
}  # fmt: skip
_CONT = "\x80-\xbf" + "".join(_CP1252_EXTRA)
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00f0-\u00f4][{_CONT}]{{3}}"
)
MIN_MOJIBAKE_SEQUENCES = 2


def looks_mojibake(text: str) -> bool:
    """Cheap check: does the text contain double-encoded Vietnamese UTF-8 sequences?"""
    # a two-character lead is searched only when its second character (rare: "»", "º") is
    # there; a single-character search is a small fraction of the cost of "á»" in Vietnamese
    return (
        ("»" in text and "á»" in text)
        or ("º" in text and "áº" in text)
        or any(lead in text for lead in _MOJIBAKE_SINGLE_LEADS)
    )


_GENUINE_VIETNAMESE = re.compile("[\u1ea0-\u1ef9ăđơưĂĐƠƯ]")
# Characters a byte 0x00–0xFF becomes when read as windows-1252 or Latin-1.
_NOT_BYTE_CHAR = re.compile("[^\x00-\xff" + "".join(_CP1252_EXTRA) + "]")
_CP1252_CHAR = re.compile("[" + "".join(_CP1252_EXTRA) + "]")
_SURROGATE = re.compile("[\udc80-\udcff]")
# First characters of the mojibake of Vietnamese letters (á» → ạ…ỹ, Ã → à/á/â…, Ä → ă/đ/ĩ,
# Æ → ơ/ư): counted with str.count, which is far cheaper than a regex over a whole page.
_MOJIBAKE_LEADS = ("á»", "áº", "Ã", "Ä", "Æ", "Å")
_MOJIBAKE_SINGLE_LEADS = tuple(lead for lead in _MOJIBAKE_LEADS if len(lead) == 1)
# Bytes that were not part of a valid UTF-8 sequence come back as the Latin-1 letter.
_FROM_SURROGATE = {0xDC00 + b: chr(b) for b in range(0x80, 0x100)}
_FROM_SURROGATE.update({0xDC00 + b: c for c, b in _CP1252_EXTRA.items()})
_sequence_cache: dict[str, str] = {}


def _mojibake_bytes(seq: str) -> bytes:
    return bytes(_CP1252_EXTRA.get(c, ord(c)) for c in seq)


def _fix_sequence(m: re.Match[str]) -> str:
    seq = m.group(0)
    fixed = _sequence_cache.get(seq)
    if fixed is None:
        try:
            fixed = _mojibake_bytes(seq).decode("utf-8")
        except UnicodeDecodeError:
            fixed = seq
        if len(_sequence_cache) < 10_000:
            _sequence_cache[seq] = fixed
    return fixed


def repair_mojibake(text: str) -> tuple[str, int]:
    """Reverse double-encoded UTF-8 where it round-trips; (text, sequences repaired).

    Only repairs when the text holds more mojibake lead characters than genuine Vietnamese
    letters (so a real "Ã" in good text is left alone), and only byte sequences that are
    valid UTF-8; anything else stays as it was. A text made only of byte-like characters
    (the usual whole-page case) is transcoded in one pass, in C.
    """
    leads = sum(text.count(lead) for lead in _MOJIBAKE_LEADS)
    if leads < MIN_MOJIBAKE_SEQUENCES:
        return text, 0
    if len(_GENUINE_VIETNAMESE.findall(text)) >= leads:
        return text, 0
    if not _NOT_BYTE_CHAR.search(text):
        original = text
        if _CP1252_CHAR.search(text):
            text = _CP1252_CHAR.sub(lambda m: chr(_CP1252_EXTRA[m.group(0)]), text)
        repaired = text.encode("latin-1").decode("utf-8", errors="surrogateescape")
        # Every non-ASCII character now is either a repaired sequence or, as a surrogate, a
        # byte that was no part of one (a genuine Latin-1 letter such as the Ä of "Ärger").
        non_ascii = len(repaired) - len(repaired.encode("ascii", "ignore"))
        kept = _SURROGATE.findall(repaired)
        count = non_ascii - len(kept)
        if count == 0:
            return original, 0
        if kept:
            repaired = _SURROGATE.sub(lambda m: _FROM_SURROGATE[ord(m.group(0))], repaired)
        return repaired, count
    count = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal count
        fixed = _fix_sequence(m)
        count += fixed != m.group(0)
        return fixed

    return _MOJIBAKE.sub(fix, text), count
