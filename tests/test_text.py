"""Paragraph text: entities, NFC, whitespace, tone placement, glue repair, language."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from scraper.text import canonical_tones, clean_text, detect_language, normalize_text, repair_glued

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SEED = Path(__file__).parent / "fixtures" / "seed"
PHOLU = SEED / "pholu-notice.txt"


def test_real_paragraph_mixing_entities_utf8_and_nfd_becomes_clean_nfc() -> None:
    raw = (FIXTURES / "liferay_article_4417996.html").read_bytes()
    html = raw.decode("utf-8")
    paragraph = re.search(r"<div>(Cũng tại buổi gặp mặt.*?)</div>", html, re.S).group(1)
    assert "&ocirc;" in paragraph and "\u0301" in paragraph  # entities and a combining acute
    text = normalize_text(paragraph)
    assert unicodedata.is_normalized("NFC", text)
    assert "cảm ơn các lãnh đạo Sở Thông tin và Truyền thông" in text
    assert "&" not in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C&ocirc;ng t&aacute;c", "Công tác"),
        ("Ph&#7889; Lu", "Phố Lu"),
        ("Ph&#x1ED1; Lu", "Phố Lu"),
        ("&ldquo;Đền ơn đ&aacute;p nghĩa&rdquo;", "“Đền ơn đáp nghĩa”"),
        ("TT&amp;DL", "TT&DL"),
    ],
)
def test_named_decimal_and_hex_entities_are_decoded(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_nbsp_zero_width_and_soft_hyphen_are_cleaned_and_spaces_collapsed() -> None:
    raw = "  Ủy\u00a0ban \u200bnhân\u00addân\n\n\tthị\u2009trấn\ufeff  "
    assert normalize_text(raw) == "Ủy ban nhândân thị trấn"


def test_printable_text_has_nothing_to_delete_and_no_space_but_the_space() -> None:
    # normalize_text returns printable text as it is (squeezing doubled or end spaces only)
    from scraper.text import _INVISIBLE_OR_CONTROL

    for c in map(chr, range(0x110000)):
        if (c.isspace() and c != " ") or _INVISIBLE_OR_CONTROL.match(c):
            assert not c.isprintable(), hex(ord(c))
    assert normalize_text(" Ủy  ban ") == "Ủy ban"
    assert normalize_text("a\x01b") == "a\x01b"  # ASCII text keeps its controls
    assert normalize_text("\u212a\x01") == "K"  # not ASCII until NFC: they go


def test_normalize_text_keeps_soft_hyphen_when_it_is_tcvn3_u_horn() -> None:
    # In TCVN3 the byte 0xAD (soft hyphen) is the letter "ư": "Tr­êng" is "Trường".
    assert "\u00ad" in normalize_text("Tr\u00adêng häc")


def test_normalize_text_does_not_repair_glue() -> None:
    assert normalize_text("Ngày16 củathị") == "Ngày16 củathị"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("Uỷ ban", "Ủy ban"),
        ("khoẻ", "khỏe"),
        ("Hoá học", "Hóa học"),
        ("tuỳ", "tùy"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
    ],
)
def test_canonical_tones_uses_one_placement(raw: str, expected: str) -> None:
    assert canonical_tones(raw) == expected


@pytest.mark.parametrize("word", ["hoàn", "quý", "thuở", "ngoài", "khuỷu", "hòa", "café", "Việt"])
def test_canonical_tones_leaves_settled_and_foreign_words(word: str) -> None:
    assert canonical_tones(word) == word


def test_canonical_tones_joins_both_spellings() -> None:
    assert canonical_tones("Hoà bình thuỷ lợi") == canonical_tones("Hòa bình thủy lợi")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ngày16 tháng 01 năm 2023", "Ngày 16 tháng 01 năm 2023"),
        ("năm2023", "năm 2023"),
        ("tháng01", "tháng 01"),
        ("Ngày16/01/2023", "Ngày 16/01/2023"),
        ("16tháng", "16 tháng"),
        ("NGÀY16", "NGÀY 16"),
    ],
)
def test_letters_glued_to_digits_are_split(raw: str, expected: str) -> None:
    text, warnings = clean_text(raw)
    assert text == expected
    assert warnings and warnings[0].startswith("glued:")


@pytest.mark.parametrize(
    "code",
    [
        "COVID-19", "H5N1", "15/KH-UBND", "QĐ-UBND", "4.0", "m2", "km2", "F0", "CO2", "10h30",
        "iPhone15", "U23", "5G", "100ha", "tin24h.vn", "mp3", "A1", "số 15/2023/NĐ-CP",
    ],
)  # fmt: skip
def test_codes_and_units_stay_glued(code: str) -> None:
    assert repair_glued(code) == (code, [])


def test_glued_syllables_are_split_and_reported() -> None:
    text, warnings = clean_text("những khó khăn vướng mắc củathị trấn; dân chủ trong côngtác")
    assert text == "những khó khăn vướng mắc của thị trấn; dân chủ trong công tác"
    assert warnings == ["glued:củathị→của thị", "glued:côngtác→công tác"]


def test_glue_split_keeps_the_original_case() -> None:
    assert clean_text("CÔNGTÁC")[0] == "CÔNG TÁC"


@pytest.mark.parametrize("word", ["online", "internet", "website", "Facebook", "login", "tango"])
def test_loanwords_and_plain_ascii_are_never_split(word: str) -> None:
    assert repair_glued(word) == (word, [])


def test_capitals_inside_a_glued_word_decide_an_ambiguous_split() -> None:
    # "thịtrấn" alone is ambiguous (see below); "ThịTrấn" says where the second word starts.
    assert repair_glued("ThànhphốHồChíMinh và ThịTrấn")[0] == "Thành phố Hồ Chí Minh và Thị Trấn"


def test_glue_with_two_equally_short_splits_is_left_alone() -> None:
    # "thịtrấn" could be "thị trấn" or "thịt rấn": the dictionary is not sure, so no repair.
    assert repair_glued("thịtrấn") == ("thịtrấn", [])


def test_misspelling_that_is_not_two_syllables_is_left_alone() -> None:
    assert repair_glued("các ban ngànhm, đoàn thể") == ("các ban ngànhm, đoàn thể", [])


def test_eth_used_for_d_stroke_is_repaired() -> None:
    text, warnings = clean_text("Ðà Nẵng và Ðồng Nai")
    assert text == "Đà Nẵng và Đồng Nai"
    assert warnings == ["eth:Ðà→Đà", "eth:Ðồng→Đồng"]


def test_eth_in_foreign_words_is_kept() -> None:
    assert clean_text("Guðrún")[0] == "Guðrún"


def test_clean_text_converts_a_tcvn3_paragraph() -> None:
    text, warnings = clean_text("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
    assert text == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert warnings == ["legacy:tcvn3 converted to Unicode"]


def test_clean_text_repairs_a_mojibake_paragraph() -> None:
    garbled = "Ủy ban nhân dân tỉnh Đắk Lắk".encode().decode("latin-1")
    text, warnings = clean_text(garbled)
    assert text == "Ủy ban nhân dân tỉnh Đắk Lắk"
    assert warnings[0].startswith("mojibake:")


def test_clean_text_on_the_pho_lu_notice_repairs_exactly_its_glued_words() -> None:
    repairs = []
    for line in PHOLU.read_text(encoding="utf-8").splitlines():
        _, warnings = clean_text(line)
        repairs.extend(warnings)
    assert repairs == ["glued:Ngày16→Ngày 16", "glued:củathị→của thị", "glued:côngtác→công tác"]


def test_clean_text_leaves_good_text_unchanged() -> None:
    good = "Ủy ban nhân dân thị trấn Phố Lu phát động thi đua năm 2023."
    assert clean_text(good) == (good, [])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ủy ban nhân dân thị trấn Phố Lu phát động thi đua", "vi"),
        ("Uy ban nhan dan thi tran cua huyen va cac xa", "vi"),
        ("The department met the families of war invalids on Monday", "en"),
        ("中华人民共和国国务院", "zh"),
        ("2023", "und"),
        ("The Việt Nam government said on Monday that the plan was approved", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_text_functions_never_raise_on_arbitrary_unicode() -> None:
    rng = random.Random(2023)
    alphabet = (
        "aăâđeêioôơuưy ÀÁẢÃẠàáảãạ\u0300\u0301\u0309\u0303\u0323\u00ad\u00a0\ufeff&;#x0123456789"
    )
    alphabet += "µ¸¶·¹ÃÄÆ»«ø€‡\udc80\x00\x1f\u200bCOVIDH5N1/-.@"
    for _ in range(500):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        text, warnings = clean_text(s)
        assert isinstance(text, str) and isinstance(warnings, list)
        assert isinstance(normalize_text(s), str)
        assert isinstance(canonical_tones(s), str)
        assert detect_language(s) in {"vi", "en", "zh", "ja", "ko", "und"}
