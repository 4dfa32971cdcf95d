"""parse_date reads every date form seen on Vietnamese portals, day first, at +07:00."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from scraper.dates import VN_TZ, PageDate, parse_date


def _iso(text: str) -> str | None:
    found = parse_date(text)
    return None if found is None else found.iso()


# --- forms seen on portals ----------------------------------------------------------------


def test_liferay_date_element_with_am_time():
    assert _iso("26/07/2022 | 9:50 AM") == "2022-07-26T09:50:00+07:00"


def test_date_element_surrounded_by_tabs_and_newlines_as_served():
    assert _iso("\n\t\n\t\t\n\t\t\t26/07/2022 | 9:50 AM\n\t\t \n") == "2022-07-26T09:50:00+07:00"


def test_weekday_prefix_and_dash_before_time():
    assert _iso("Thứ hai, 15/09/2025 - 12:40") == "2025-09-15T12:40:00+07:00"


def test_parenthesised_day_without_time_is_a_plain_date():
    found = parse_date("(06/11/2019)")
    assert found == PageDate(date(2019, 11, 6), "06/11/2019", False)
    assert type(found.value) is date
    assert found.iso() == "2019-11-06"


def test_vietnamese_words_date():
    assert _iso("Ngày 16 tháng 01 năm 2023") == "2023-01-16"


def test_words_date_glued_to_ngay():
    assert _iso("Ngày16 tháng 01 năm 2023") == "2023-01-16"


def test_words_date_with_single_digit_month():
    assert _iso("ngày 16 tháng 1 năm 2023") == "2023-01-16"


def test_words_date_in_capitals():
    assert _iso("NGÀY 16 THÁNG 01 NĂM 2023") == "2023-01-16"


def test_words_date_written_without_diacritics():
    assert _iso("ngay 16 thang 01 nam 2023") == "2023-01-16"


def test_words_date_with_commas():
    assert _iso("ngày 16, tháng 01, năm 2023") == "2023-01-16"


def test_vietnamese_month_word():
    assert _iso("16 tháng Một năm 2023") == "2023-01-16"


def test_vietnamese_two_word_month():
    assert _iso("ngày 16 tháng Mười Hai năm 2023") == "2023-12-16"


def test_wordpress_vietnamese_month_first():
    assert _iso("Tháng Một 16, 2023") == "2023-01-16"


def test_abbreviated_thg_month():
    assert _iso("16 thg 1, 2023") == "2023-01-16"


def test_hour_h_minute_time_before_ngay_date():
    assert _iso("08h30 ngày 16/01/2023") == "2023-01-16T08:30:00+07:00"


def test_gio_phut_time_before_ngay_date():
    assert _iso("08 giờ 30 phút ngày 16/01/2023") == "2023-01-16T08:30:00+07:00"


def test_gio_chieu_is_afternoon():
    assert _iso("lúc 3 giờ chiều ngày 16/01/2023") == "2023-01-16T15:00:00+07:00"


def test_time_after_words_date_with_luc():
    assert _iso("Ngày 16 tháng 01 năm 2023 lúc 14h05") == "2023-01-16T14:05:00+07:00"


def test_cap_nhat_label_with_dashes_and_time():
    assert _iso("Cập nhật: 16-01-2023 14:05") == "2023-01-16T14:05:00+07:00"


def test_dang_ngay_label_with_single_digit_month():
    assert _iso("Đăng ngày: 16/1/2023") == "2023-01-16"


def test_dotted_date():
    assert _iso("16.01.2023") == "2023-01-16"


def test_ch_after_date_means_afternoon():
    assert _iso("16/01/2023 2:05 CH") == "2023-01-16T14:05:00+07:00"


def test_sa_before_date_means_morning():
    assert _iso("9:50 SA 16/01/2023") == "2023-01-16T09:50:00+07:00"


def test_time_before_a_weekday_and_date():
    assert _iso("1:30 CH, Thứ hai, 16/01/2023") == "2023-01-16T13:30:00+07:00"


def test_english_time_before_weekday_and_date():
    assert _iso("2:05 PM, Monday, January 16, 2023") == "2023-01-16T14:05:00+07:00"


def test_24_hour_time_before_date():
    assert _iso("14:05 16/01/2023") == "2023-01-16T14:05:00+07:00"


def test_seconds_are_kept():
    assert _iso("16/01/2023 14:05:33") == "2023-01-16T14:05:33+07:00"


def test_numeric_dates_are_read_day_first():
    assert _iso("03/04/2023") == "2023-04-03"


def test_month_above_twelve_is_not_swapped_into_month_first():
    assert parse_date("01/16/2023") is None


def test_two_digit_year_is_this_century():
    assert _iso("16/01/23") == "2023-01-16"


def test_two_digit_year_from_69_is_last_century():
    assert _iso("16/01/98") == "1998-01-16"


def test_english_month_first():
    assert _iso("January 16, 2023") == "2023-01-16"


def test_english_abbreviated_month_with_period():
    assert _iso("Jan. 16, 2023") == "2023-01-16"


def test_english_day_first():
    assert _iso("16 Jan 2023") == "2023-01-16"


def test_english_date_with_pm_time():
    assert _iso("January 16, 2023 at 2:05 PM") == "2023-01-16T14:05:00+07:00"


# --- machine forms ------------------------------------------------------------------------


def test_iso_with_vietnam_offset():
    assert _iso("2023-01-16T14:05:00+07:00") == "2023-01-16T14:05:00+07:00"


def test_iso_utc_z_is_converted_to_vietnam_time():
    assert _iso("2023-01-16T07:05:00Z") == "2023-01-16T14:05:00+07:00"


def test_iso_foreign_offset_conversion_can_change_the_day():
    assert _iso("2023-01-16T20:00:00-05:00") == "2023-01-17T08:00:00+07:00"


def test_iso_without_zone_is_vietnam_local_time():
    assert _iso("2023-01-16 14:05:00") == "2023-01-16T14:05:00+07:00"


def test_iso_fractional_seconds_and_compact_offset():
    assert _iso("2023-01-16T14:05:00.123456+0700") == "2023-01-16T14:05:00+07:00"


def test_iso_day_only_stays_a_plain_date():
    found = parse_date("2023-01-16")
    assert found is not None and type(found.value) is date and not found.has_time
    assert found.iso() == "2023-01-16"


def test_rfc_2822_last_modified_gmt_is_converted():
    assert _iso("Mon, 16 Jan 2023 07:05:00 GMT") == "2023-01-16T14:05:00+07:00"


def test_rfc_2822_numeric_offset():
    assert _iso("Mon, 16 Jan 2023 14:05:00 +0700") == "2023-01-16T14:05:00+07:00"


def test_rfc_850_two_digit_year():
    assert _iso("Monday, 16-Jan-23 07:05:00 GMT") == "2023-01-16T14:05:00+07:00"


def test_gmt_plus_seven_in_parentheses():
    assert _iso("16/01/2023 14:05 (GMT+7)") == "2023-01-16T14:05:00+07:00"


# --- 12-hour clock ------------------------------------------------------------------------


def test_twelve_am_is_just_after_midnight():
    assert _iso("16/01/2023 12:30 AM") == "2023-01-16T00:30:00+07:00"


def test_twelve_pm_is_noon():
    assert _iso("16/01/2023 12:30 PM") == "2023-01-16T12:30:00+07:00"


def test_twelve_sa_is_just_after_midnight():
    assert _iso("12:05 SA 16/01/2023") == "2023-01-16T00:05:00+07:00"


def test_twelve_ch_is_noon():
    assert _iso("12:05 CH 16/01/2023") == "2023-01-16T12:05:00+07:00"


def test_pm_after_a_24_hour_time_is_ignored():
    assert _iso("16/01/2023 14:05 PM") == "2023-01-16T14:05:00+07:00"


def test_lowercase_dotted_meridiem():
    assert _iso("16/01/2023 9:50 p.m.") == "2023-01-16T21:50:00+07:00"


# --- the value ----------------------------------------------------------------------------


def test_offset_is_seven_hours_in_winter_and_summer():
    winter = parse_date("16/01/2023 14:05").value
    summer = parse_date("16/07/2023 14:05").value
    assert winter.utcoffset() == summer.utcoffset() == timedelta(hours=7)


def test_value_is_an_aware_datetime_in_vietnam_when_a_time_is_given():
    found = parse_date("16/01/2023 14:05")
    assert found.value == datetime(2023, 1, 16, 14, 5, tzinfo=VN_TZ)
    assert found.has_time


def test_invalid_time_leaves_a_plain_date():
    found = parse_date("16/01/2023 25:61")
    assert found is not None and found.iso() == "2023-01-16" and not found.has_time


def test_raw_is_the_matched_text_only():
    assert parse_date("Cập nhật: 16-01-2023 14:05 | Lượt xem: 12").raw == "16-01-2023 14:05"


def test_raw_includes_a_time_written_before_the_date():
    assert parse_date("Đăng lúc 08h30 ngày 16/01/2023").raw == "08h30 ngày 16/01/2023"


# --- where the date sits in the text ------------------------------------------------------


def test_first_sentence_of_a_body_with_glued_ngay():
    text = "Ngày16 tháng 01 năm 2023 UBND thị trấn Phố Lu phát động thi đua năm 2023 vượt mức"
    assert _iso(text) == "2023-01-16"


def test_document_number_before_the_date_is_skipped():
    assert _iso("Kế hoạch số 15/KH-UBND ngày 16/01/2023 của UBND") == "2023-01-16"


def test_first_of_two_dates_is_taken():
    assert _iso("(27/7/1947-27/7/2022)") == "1947-07-27"


def test_invalid_date_is_skipped_for_a_later_real_one():
    assert _iso("31/02/2023, sửa ngày 01/03/2023") == "2023-03-01"


def test_decomposed_nfd_vietnamese_still_parses():
    text = unicodedata.normalize("NFD", "Ngày 16 tháng 01 năm 2023 lúc 8 giờ sáng")
    assert text != unicodedata.normalize("NFC", text)
    assert _iso(text) == "2023-01-16T08:00:00+07:00"


def test_html_entities_are_decoded():
    assert _iso("ng&agrave;y 16 th&aacute;ng 01 n&#259;m 2023") == "2023-01-16"


def test_no_break_space_between_date_and_time():
    assert _iso("16/01/2023\u00a014:05") == "2023-01-16T14:05:00+07:00"


def test_spaces_around_slashes():
    assert _iso("16 / 01 / 2023") == "2023-01-16"
