"""choose_date takes the first plausible candidate in preference order and explains every
implausible one it passes over; it never invents today's date."""

from __future__ import annotations

from datetime import date, datetime

from scraper.dates import VN_TZ, choose_date

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=VN_TZ)


def test_structured_metadata_is_preferred_over_the_date_element():
    found, warnings = choose_date(
        [("meta", "2023-01-16T14:05:00+07:00"), ("element", "20/01/2023")], now=NOW
    )
    assert found.iso() == "2023-01-16T14:05:00+07:00"
    assert warnings == []


def test_candidates_without_a_date_are_skipped_silently():
    found, warnings = choose_date(
        [("meta", ""), ("element", "Tin tức"), ("body", "Ngày16 tháng 01 năm 2023 UBND")],
        now=NOW,
    )
    assert found.iso() == "2023-01-16"
    assert warnings == []


def test_future_date_is_rejected_with_a_warning_and_the_next_candidate_taken():
    found, warnings = choose_date([("meta", "2031-01-01"), ("element", "16/01/2023")], now=NOW)
    assert found.iso() == "2023-01-16"
    assert warnings == ["date rejected (future): 2031-01-01 from meta"]


def test_date_before_1990_is_rejected_with_a_warning():
    found, warnings = choose_date([("byline", "(06/11/1985)"), ("body", "16/01/2023")], now=NOW)
    assert found.iso() == "2023-01-16"
    assert warnings == ["date rejected (before 1990): 1985-11-06 from byline"]


def test_first_of_january_1990_is_plausible():
    found, _ = choose_date([("element", "01/01/1990")], now=NOW)
    assert found.value == date(1990, 1, 1)


def test_tomorrow_is_tolerated_for_clock_and_zone_skew():
    found, warnings = choose_date([("element", "27/11/2026")], now=NOW)
    assert found.iso() == "2026-11-27"
    assert warnings == []


def test_day_after_tomorrow_is_future():
    found, warnings = choose_date([("element", "28/11/2026")], now=NOW)
    assert found is None
    assert warnings == ["date rejected (future): 2026-11-28 from element"]


def test_time_more_than_a_day_ahead_is_future():
    found, warnings = choose_date([("meta", "27/11/2026 13:00")], now=NOW)
    assert found is None
    assert warnings == ["date rejected (future): 2026-11-27T13:00:00+07:00 from meta"]


def test_no_candidate_gives_none_not_today():
    assert choose_date([], now=NOW) == (None, [])


def test_only_implausible_candidates_give_none_and_all_warnings():
    found, warnings = choose_date([("meta", "2031-01-01"), ("body", "01/01/1980")], now=NOW)
    assert found is None
    assert warnings == [
        "date rejected (future): 2031-01-01 from meta",
        "date rejected (before 1990): 1980-01-01 from body",
    ]


def test_naive_now_is_read_as_vietnam_time():
    found, _ = choose_date([("element", "27/11/2026 11:00")], now=datetime(2026, 11, 26, 12, 0))
    assert found.iso() == "2026-11-27T11:00:00+07:00"


def test_default_now_is_the_current_time():
    found, warnings = choose_date([("meta", "01/01/2999"), ("element", "16/01/2023")])
    assert found.iso() == "2023-01-16"
    assert warnings == ["date rejected (future): 2999-01-01 from meta"]


def test_candidates_may_be_a_generator():
    found, _ = choose_date(((o, t) for o, t in [("element", "16/01/2023")]), now=NOW)
    assert found.iso() == "2023-01-16"
