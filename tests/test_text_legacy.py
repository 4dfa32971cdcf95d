"""TCVN3 (.VnTime) and VNI legacy text: detection, conversion, and no false positives."""

from __future__ import annotations

import unicodedata

import pytest

from scraper.encoding import decode_page
from scraper.legacy import (
    TCVN3_TABLE,
    VNI_TABLE,
    convert_legacy,
    detect_legacy,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from scraper.text import clean_text

SENTENCES = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Căn cứ Nghị định số 15/2023 của Chính phủ về công tác thi đua, khen thưởng",
    "Ủy ban nhân dân thị trấn Phố Lu tổ chức hội nghị tổng kết năm 2022",
    "Trường học, bệnh viện, đường giao thông được đầu tư xây dựng mới",
    "Những khó khăn vướng mắc của người dân được giải quyết kịp thời",
    "Quyết định khuyến khích sáng kiến, cải tiến lề lối làm việc ở các ngành",
    "Ở đây người ta nói rằng ỷ lại thì khó thành công, gìn giữ là trách nhiệm",
]


def _tcvn3_encode(text: str) -> str:
    """Unicode → TCVN3 with the inverse table; VN3 has no upper-case toned letters, so
    those are typed as their lower-case bytes (the .VnTimeH font draws them as capitals)."""
    inverse = {v: k for k, v in TCVN3_TABLE.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ch.lower() in inverse and not ch.isascii():
            out.append(inverse[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def _vni_encode(text: str) -> str:
    inverse: dict[str, str] = {}
    for seq, letter in sorted(VNI_TABLE.items(), key=lambda kv: len(kv[0])):
        inverse.setdefault(letter, seq)
    return "".join(inverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


@pytest.mark.parametrize(
    ("byte", "letter"),
    [
        (0xA7, "Đ"), (0xAE, "đ"), (0xAD, "ư"), (0xAC, "ơ"), (0xA8, "ă"), (0xA9, "â"),
        (0xB5, "à"), (0xB8, "á"), (0xB6, "ả"), (0xB7, "ã"), (0xB9, "ạ"), (0xC6, "ặ"),
        (0xCB, "ậ"), (0xD0, "é"), (0xD6, "ệ"), (0xDC, "ĩ"), (0xDE, "ị"), (0xE3, "ó"),
        (0xE9, "ộ"), (0xEE, "ợ"), (0xF1, "ủ"), (0xF9, "ự"), (0xFD, "ý"), (0xFE, "ỵ"),
    ],
)  # fmt: skip
def test_tcvn3_table_matches_the_published_layout(byte: int, letter: str) -> None:
    assert tcvn3_to_unicode(bytes([byte]).decode("latin-1")) == letter


def test_tcvn3_table_covers_all_134_lower_case_toned_vowels_and_shape_letters() -> None:
    lower_targets = {v for v in TCVN3_TABLE.values() if v.islower()}
    assert len(lower_targets) == 67 and len(set(TCVN3_TABLE.values())) == 74


def test_known_tcvn3_text_is_converted() -> None:
    text, name = convert_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
    assert (text, name) == ("Cộng hoà xã hội chủ nghĩa Việt Nam", "tcvn3")


def test_tcvn3_u_horn_is_the_soft_hyphen_byte() -> None:
    assert convert_legacy("Tr\u00adêng häc vµ bÖnh viÖn") == ("Trường học và bệnh viện", "tcvn3")


def test_tcvn3_heading_typed_in_capitals_comes_back_in_capitals() -> None:
    # Typed with caps lock in a .VnTimeH font: ASCII capitals, toned letters as VN3 bytes.
    text, name = convert_legacy("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM")
    assert (text, name) == ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "tcvn3")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_tcvn3_encoded_sentences_convert_back(sentence: str) -> None:
    encoded = _tcvn3_encode(sentence)
    assert encoded != sentence
    text, name = convert_legacy(encoded)
    assert name == "tcvn3"
    assert text.lower() == sentence.lower()


@pytest.mark.parametrize(
    ("vni", "unicode"),
    [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Ñaø Naüng, thaúng vaø ngaén", "Đà Nẵng, thẳng và ngắn"),
    ],
)
def test_known_vni_text_is_converted(vni: str, unicode: str) -> None:
    assert convert_legacy(vni) == (unicode, "vni")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_vni_encoded_sentences_convert_back(sentence: str) -> None:
    encoded = _vni_encode(sentence)
    assert encoded != sentence
    assert convert_legacy(encoded) == (sentence, "vni")


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES,
        "The committee approved the plan on Monday.",
        "Müller über die Straße in Köln, schöne Grüße",
        "El niño está aquí, señor; mañana también",
        "Ærø og Åbenrå ligger i Danmark, søndag",
        "Ðà Nẵng là thành phố biển",
        "Crème brûlée à la française, très bien",
        "µ",
    ],
)
def test_unicode_and_foreign_text_is_not_taken_for_legacy(text: str) -> None:
    assert detect_legacy(text) is None
    assert convert_legacy(text) == (text, None)


def test_vni_conversion_composes_to_nfc() -> None:
    assert unicodedata.is_normalized("NFC", vni_to_unicode("Tröôøng hoïc"))
    assert vni_to_unicode("Tröôøng hoïc") == "Trường học"


def test_very_short_fragment_is_left_alone() -> None:
    # Two words are too little evidence: "x· héi" is TCVN3 for "xã hội", but fragments this
    # short are where detection misfires, so they are not converted.
    assert convert_legacy("x· héi") == ("x· héi", None)


def test_unicode_paragraph_with_symbols_that_are_tcvn3_letters_is_not_converted() -> None:
    # ©, «, », ®, §, ×, µ, · are letters in TCVN3 but ordinary symbols in Unicode text.
    text = "© 2023 Bản quyền thuộc «Cổng thông tin» ® § 5, kích thước 3×4 m, 5 µm · các xã"
    assert convert_legacy(text) == (text, None)


def test_whole_tcvn3_page_served_as_windows_1252_reads_as_unicode() -> None:
    body = _tcvn3_encode(SENTENCES[3])
    html = f"<html><head><meta charset='windows-1252'></head><body><p>{body}</p></body></html>"
    page = decode_page(html.encode("latin-1"))
    paragraph = page.text.split("<p>")[1].split("</p>")[0]
    assert clean_text(paragraph)[0].lower() == SENTENCES[3].lower()
