"""The cheap pre-checks extraction runs on every page answer exactly as the scans they
stand in for."""

from __future__ import annotations

from scraper.encoding import _MOJIBAKE_LEADS, looks_mojibake
from scraper.extract import _NOT_XML, _has_not_xml

TEXTS = ["", "abc", "Hội nghị tổng kết", "Trang chủ » Tin tức", "ºC", "a\tb\nc\r",
         "x\x00y", "x\x08y", "x\x0by", "x\x1fy", "x\x7fy", "x\ud800y", "x\udcffy", "x\ufffey",
         "x\uffffy", "x\ufffdy", "𝒳 emoji 😀", "Ä‘iá»u", "Tá»•ng", "Ã¡", "Æ°", "Å©", "á»"]


def test_has_not_xml_is_whether_the_regex_would_remove_anything() -> None:
    for text in TEXTS:
        assert _has_not_xml(text) == bool(_NOT_XML.search(text)), repr(text)


def test_looks_mojibake_is_whether_any_lead_occurs() -> None:
    for text in TEXTS:
        assert looks_mojibake(text) == any(lead in text for lead in _MOJIBAKE_LEADS), repr(text)


def test_count_words_is_the_number_of_letter_runs() -> None:
    from scraper.text import _WORD, _count_words

    words = ["Hội nghị tổng kết năm 2024.", "UBND-HĐND huyện", "ngày16/3 m² x²y ½a",
             "snake_case a_b __x__", "e\u0301 combining", "東京 タワー 서울", "  \t\n ", "a1b2c3",
             "\u00a0nbsp\u2003em space", "COVID-19, H5N1; F0 (4.0)", "'quoted' «guillemets»"]
    for text in [*words, " ".join(words), *TEXTS]:
        assert _count_words(text) == len(_WORD.findall(text)), repr(text)
