"""parse_date says None for numbers that are not dates: durations, ratios, document numbers,
versions, phone numbers, partial dates and days that do not exist."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scraper.dates import parse_date


def test_empty_text_is_no_date():
    assert parse_date("") is None


def test_text_without_digits_is_no_date():
    assert parse_date("Tin khác") is None


def test_duration_in_hours_is_no_date():
    assert parse_date("Hội nghị kéo dài 2 giờ") is None


@pytest.mark.parametrize("text", ["2 giờ trước", "hôm qua", "3 ngày trước", "1 năm"])
def test_relative_expression_is_no_date(text):
    assert parse_date(text) is None


def test_bare_day_and_month_word_is_no_date():
    assert parse_date("16 tháng") is None


def test_month_and_year_without_day_is_no_date():
    assert parse_date("Tháng 01/2023") is None


def test_day_and_month_without_year_is_no_date():
    assert parse_date("Sáng 16/1, UBND thị trấn họp") is None


def test_ratio_is_no_date():
    assert parse_date("đạt 5/7 chỉ tiêu") is None


def test_fraction_of_households_is_no_date():
    assert parse_date("3/4 số hộ") is None


def test_score_is_no_date():
    assert parse_date("tỷ số 2-1") is None


def test_plan_number_is_no_date():
    assert parse_date("15/KH-UBND") is None


def test_decision_number_is_no_date():
    assert parse_date("123/QĐ-UBND") is None


def test_decision_number_with_year_is_no_date():
    assert parse_date("Quyết định số 123/2023/QĐ-UBND") is None


def test_decree_number_with_year_is_no_date():
    assert parse_date("Nghị định 15/2020/NĐ-CP") is None


def test_version_number_is_no_date():
    assert parse_date("phiên bản 2.10.15") is None


def test_version_number_with_v_prefix_is_no_date():
    assert parse_date("v1.2.2023") is None


@pytest.mark.parametrize(
    "text", ["0912.345.678", "024.3825.1234", "(024) 3825 1234", "0214.3.840.123", "0912-345-678"]
)
def test_phone_number_is_no_date(text):
    assert parse_date(f"Điện thoại: {text}") is None


def test_ip_address_is_no_date():
    assert parse_date("192.168.1.10") is None


def test_thirty_first_of_february_is_no_date():
    assert parse_date("31/02/2023") is None


def test_twenty_ninth_of_february_outside_a_leap_year_is_no_date():
    assert parse_date("29/02/2023") is None


def test_twenty_ninth_of_february_in_a_leap_year_is_a_date():
    assert parse_date("29/02/2024").iso() == "2024-02-29"


def test_day_zero_is_no_date():
    assert parse_date("00/01/2023") is None


def test_invalid_words_date_is_no_date():
    assert parse_date("ngày 30 tháng 02 năm 2023") is None


def test_parsing_never_loads_dateparser_so_no_relative_dates_can_leak_in():
    code = (
        "import sys; from scraper.dates import parse_date; "
        "parse_date('16 tháng'); parse_date('Ngày 16 tháng Một năm 2023'); "
        "print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
