"""Page decoding: BOM, HTTP charset, meta charset, detection, windows-1258, mojibake."""

from __future__ import annotations

import codecs
import random
import re
import unicodedata
from pathlib import Path

import pytest

from scraper.encoding import charset_from_content_type, decode_page, repair_mojibake

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SENTENCE = (
    "Ngày 16 tháng 01 năm 2023, Ủy ban nhân dân thị trấn Phố Lu phát động thi đua; "
    "đồng chí Dương Thị Tâm, Bí thư Đảng ủy, phát biểu chỉ đạo về công tác năm mới."
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_bytes(text: str) -> bytes:
    """Encode as windows-1258 does: a precomposed byte when the code page has the letter,
    otherwise the base letter (â, ơ, ư … are single bytes) followed by a combining tone byte."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Tin tức</title></head><body><p>{body}</p></body></html>"


def test_cp1258_stores_tones_as_separate_combining_bytes() -> None:
    data = cp1258_bytes("Việt")
    # ê is one byte (0xEA); the dot below is the combining byte 0xF2 after it.
    assert data == b"Vi\xea\xf2t"


def test_utf8_page_decodes_without_warnings() -> None:
    result = decode_page(page(SENTENCE, '<meta charset="utf-8">').encode("utf-8"))
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert result.warnings == []


def test_windows_1258_page_is_decoded_and_composed_to_nfc() -> None:
    html = page(
        SENTENCE, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    )
    result = decode_page(cp1258_bytes(html))
    assert result.encoding == "cp1258"
    assert SENTENCE in result.text
    assert unicodedata.is_normalized("NFC", result.text)


def test_windows_1258_is_detected_without_any_declaration() -> None:
    result = decode_page(cp1258_bytes(page(SENTENCE)))
    assert result.encoding == "cp1258"
    assert SENTENCE in result.text
    assert any("cp1258" in w for w in result.warnings)


def test_windows_1258_declared_as_latin1_is_read_as_1258_not_with_eth() -> None:
    # Read as Latin-1/cp1252 these bytes would show "ð" for "đ" and stray combining marks.
    result = decode_page(cp1258_bytes(page(SENTENCE)), http_charset="ISO-8859-1")
    assert result.encoding == "cp1258"
    assert "đồng chí" in result.text and "ð" not in result.text
    assert any("declared cp1252" in w and "cp1258" in w for w in result.warnings)


def test_byte_order_mark_wins_over_meta_charset() -> None:
    html = page(SENTENCE, '<meta charset="windows-1252">')
    result = decode_page(codecs.BOM_UTF8 + html.encode("utf-8"))
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert not result.text.startswith("\ufeff")


def test_utf16_byte_order_mark_is_honoured() -> None:
    result = decode_page(codecs.BOM_UTF16_LE + page(SENTENCE).encode("utf-16-le"))
    assert result.encoding == "utf-16-le"
    assert SENTENCE in result.text


def test_http_charset_wins_over_meta_charset() -> None:
    html = page(SENTENCE, '<meta charset="iso-8859-1">')
    result = decode_page(cp1258_bytes(html), http_charset="windows-1258")
    assert result.encoding == "cp1258"
    assert SENTENCE in result.text


def test_meta_charset_is_used_when_http_gives_none() -> None:
    html = '<html><head><meta charset="koi8-r"><title>Новости</title></head></html>'
    result = decode_page(html.encode("koi8-r"))
    assert result.encoding == "koi8-r"
    assert "<title>Новости</title>" in result.text


def test_http_equiv_content_type_declares_the_charset() -> None:
    html = page("Ủy ban", '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">')
    result = decode_page(html.encode("utf-8"))
    assert result.encoding == "utf-8" and "Ủy ban" in result.text


def test_unknown_charset_label_is_ignored_with_a_warning() -> None:
    result = decode_page(page(SENTENCE).encode("utf-8"), http_charset="x-no-such-charset")
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert any("x-no-such-charset" in w for w in result.warnings)


def test_declared_utf8_but_legacy_bytes_falls_back_with_a_warning() -> None:
    html = page(SENTENCE, '<meta charset="utf-8">')
    result = decode_page(cp1258_bytes(html))
    assert result.encoding == "cp1258"
    assert SENTENCE in result.text
    assert any("declared utf-8" in w for w in result.warnings)


def test_declared_utf8_with_one_stray_byte_stays_utf8_and_says_so() -> None:
    data = page(SENTENCE, '<meta charset="utf-8">').encode("utf-8").replace(b"Tin", b"T\xffn", 1)
    result = decode_page(data)
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert any("invalid sequence" in w for w in result.warnings)


def test_latin1_declared_but_utf8_bytes_are_read_as_utf8() -> None:
    result = decode_page(page(SENTENCE).encode("utf-8"), http_charset="iso-8859-1")
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert any("bytes are utf-8" in w for w in result.warnings)


MOJIBAKE_PAGES = {
    "laodong_home_mojibake.html": ("Lao Động Online", ["Việt Nam", "Đắk Lắk"]),
    "giaoduc_home_mojibake.html": ("Giáo dục Việt Nam", ["Xã hội", "Pháp luật"]),
    "tintaynguyen_home_mojibake.html": (
        "Tin Tây Nguyên, tin tức mới nhất về Tây Nguyên",
        ["Lâm Đồng", "Gia Lai"],
    ),
}


@pytest.mark.parametrize("name", sorted(MOJIBAKE_PAGES))
def test_double_encoded_page_is_repaired(name: str) -> None:
    title, words = MOJIBAKE_PAGES[name]
    result = decode_page((FIXTURES / name).read_bytes())
    assert re.search(r"<title>\s*(.*?)\s*</title>", result.text, re.S).group(1).startswith(title)
    for word in words:
        assert word in result.text
    assert "á»" not in result.text and "Æ°" not in result.text
    assert any(w.startswith("mojibake:") for w in result.warnings)


@pytest.mark.parametrize("name", sorted(MOJIBAKE_PAGES))
def test_mojibake_repair_matches_the_exact_reverse_transformation(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    expected = unicodedata.normalize("NFC", data.decode("utf-8").encode("latin-1").decode("utf-8"))
    assert decode_page(data).text == expected


def test_mojibake_read_through_cp1252_is_repaired_too() -> None:
    garbled = SENTENCE.encode("utf-8").decode("cp1252", errors="ignore")
    assert "‡" in garbled or "»" in garbled
    repaired, count = repair_mojibake("Việt".encode().decode("cp1252") + " " + garbled)
    assert repaired.startswith("Việt ")
    assert count > 10


def test_good_vietnamese_with_a_real_latin1_letter_is_not_touched() -> None:
    text = "Hà Nội: quán Café Ã Paris mở cửa; Ủy ban nhân dân phường kiểm tra."
    assert repair_mojibake(text) == (text, 0)
    result = decode_page(page(text).encode("utf-8"))
    assert text in result.text and result.warnings == []


NASTY_INPUTS = {
    "empty": b"",
    "nul bytes": b"\x00" * 100,
    "png header": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "truncated utf-8": "Việt Nam".encode()[:-5],
    "truncated html": page(SENTENCE).encode("utf-8")[:57],
    "lone bom": codecs.BOM_UTF8,
    "odd utf-16": codecs.BOM_UTF16_LE + b"a\x00b",
    "random": random.Random(1258).randbytes(20000),
    "meta garbage": b'<meta charset="\xff\xfe"><p>\xc3</p>',
}


@pytest.mark.parametrize("name", sorted(NASTY_INPUTS))
def test_any_bytes_decode_without_raising(name: str) -> None:
    result = decode_page(NASTY_INPUTS[name], http_charset="utf-8" if "html" in name else None)
    assert isinstance(result.text, str)
    assert result.encoding


def test_empty_document_is_reported() -> None:
    result = decode_page(b"")
    assert result.text == ""
    assert result.warnings == ["encoding:empty document"]


def test_binary_content_is_reported() -> None:
    result = decode_page(NASTY_INPUTS["png header"])
    assert any("binary" in w for w in result.warnings)


def test_random_bytes_in_many_seeds_never_raise() -> None:
    rng = random.Random(7)
    for _ in range(200):
        data = rng.randbytes(rng.randrange(0, 600))
        charset = rng.choice([None, "utf-8", "windows-1258", "latin1", "utf-16", "bogus"])
        assert isinstance(decode_page(data, http_charset=charset).text, str)


def test_utf8_bytes_declared_as_windows_1258_are_read_as_utf8() -> None:
    result = decode_page(page(SENTENCE).encode("utf-8"), http_charset="windows-1258")
    assert result.encoding == "utf-8"
    assert SENTENCE in result.text
    assert any("bytes are utf-8" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/html; charset=UTF-8", "UTF-8"),
        ('text/html;charset="windows-1258"', "windows-1258"),
        ("text/html", None),
        (None, None),
    ],
)
def test_charset_is_read_from_a_content_type_header(header: str | None, charset: str | None):
    assert charset_from_content_type(header) == charset


def test_five_megabyte_page_with_a_bad_tail_decodes() -> None:
    data = page(SENTENCE * 25_000).encode("utf-8") + b"\xe1\xbb"
    result = decode_page(data)
    assert result.encoding == "utf-8"
    assert len(result.text) > 3_500_000 and result.text.endswith("\ufffd")


def test_undeclared_non_vietnamese_legacy_charset_is_detected() -> None:
    text = (
        "中华人民共和国国务院办公厅关于进一步加强政务公开工作的通知，各省、自治区、直辖市人民政府。"
    )
    result = decode_page(page(text * 5).encode("gb18030"))
    assert text in result.text
    assert any("detected" in w for w in result.warnings)


def test_utf16_declared_in_http_without_bom_is_honoured_but_not_from_meta() -> None:
    data = page(SENTENCE).encode("utf-16-le")
    assert SENTENCE in decode_page(data, http_charset="utf-16le").text
    ascii_page = page("Tin", '<meta charset="utf-16">').encode("utf-8")
    assert decode_page(ascii_page).encoding == "utf-8"


def test_latin1_text_that_only_looks_like_mojibake_is_not_reported() -> None:
    # German capitals Ä/Ã are mojibake lead characters, but "Är" is not a UTF-8 sequence.
    assert repair_mojibake("Änderung der Ärger, Ärmel") == ("Änderung der Ärger, Ärmel", 0)
