"""clean_and_normalize remembers short texts (captions, bylines repeat across pages): a
remembered answer is the one computed afresh, and its warnings are the caller's own list."""

from __future__ import annotations

from scraper.text import clean_and_normalize


def test_a_repeated_short_text_is_cleaned_as_the_first_time() -> None:
    glued = "Ngày16 tháng 3, củathị xã"
    first = clean_and_normalize(glued)
    assert first[1], "the text needs repairs: a case with warnings"
    assert clean_and_normalize(glued) == first


def test_warnings_of_a_remembered_text_are_a_fresh_list() -> None:
    glued = "Quang cảnh hội nghị ngày16"
    clean_and_normalize(glued)[1].append("changed by a caller")
    assert "changed by a caller" not in clean_and_normalize(glued)[1]


def test_long_texts_are_cleaned_too() -> None:
    long = "Ngày16 " + "nội dung " * 50
    assert clean_and_normalize(long)[0].startswith("Ngày 16 ")
