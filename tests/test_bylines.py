"""Bylines and credits: the names (or units) a closing credit paragraph gives, and nothing else."""

from __future__ import annotations

import unicodedata

import pytest

from scraper.bylines import looks_like_byline, parse_byline

# --- bare names ----------------------------------------------------------------------------


def test_bare_name_is_the_author() -> None:
    assert parse_byline("Phạm Thị Ngọc") == ["Phạm Thị Ngọc"]


def test_name_without_diacritics_is_kept_as_written() -> None:
    assert parse_byline("Pham Thi Ngoc") == ["Pham Thi Ngoc"]


def test_name_in_capitals_is_kept_as_written() -> None:
    assert parse_byline("PHẠM THỊ NGỌC") == ["PHẠM THỊ NGỌC"]


def test_pen_name_without_surname_is_an_author() -> None:
    assert parse_byline("Đức Hùng") == ["Đức Hùng"]


def test_two_authors_joined_by_a_dash() -> None:
    assert parse_byline("Minh Anh - Thu Hà") == ["Minh Anh", "Thu Hà"]


def test_two_authors_joined_by_a_comma() -> None:
    assert parse_byline("Minh Anh, Thu Hà") == ["Minh Anh", "Thu Hà"]


def test_surrounding_whitespace_and_nfd_are_normalised() -> None:
    assert parse_byline(unicodedata.normalize("NFD", "  Phạm Thị Ngọc \n")) == ["Phạm Thị Ngọc"]


# --- credit prefixes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Bài, ảnh: Đức Hùng", ["Đức Hùng"]),
        ("Bài và ảnh: Minh Anh", ["Minh Anh"]),
        ("Tin, ảnh: Lò Văn Sáng", ["Lò Văn Sáng"]),
        ("Tin: Minh Anh", ["Minh Anh"]),
        ("Bài: Hoàng Thu", ["Hoàng Thu"]),
        ("Tác giả: Nguyễn Văn Bình", ["Nguyễn Văn Bình"]),
        ("BÀI, ẢNH: ĐỨC HÙNG", ["ĐỨC HÙNG"]),
    ],
)
def test_author_credit_prefix_is_removed(byline: str, authors: list[str]) -> None:
    assert parse_byline(byline) == authors


def test_photographer_is_an_author() -> None:
    assert parse_byline("Ảnh: Thu Hà") == ["Thu Hà"]


def test_writer_and_photographer_in_one_line_are_both_authors() -> None:
    assert parse_byline("Bài: Minh Anh; Ảnh: Thu Hà") == ["Minh Anh", "Thu Hà"]


def test_writer_and_photographer_separated_by_a_dash() -> None:
    assert parse_byline("Bài: Minh Anh - Ảnh: Thu Hà") == ["Minh Anh", "Thu Hà"]


def test_same_person_credited_twice_is_listed_once() -> None:
    assert parse_byline("Bài: Minh Anh; Ảnh: Minh Anh") == ["Minh Anh"]


def test_source_prefix_gives_the_unit() -> None:
    assert parse_byline("Nguồn: Văn phòng HĐND-UBND xã") == ["Văn phòng HĐND-UBND xã"]


def test_long_source_unit_is_kept_whole() -> None:
    assert parse_byline("Nguồn: Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai") == [
        "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai"
    ]


def test_theo_in_parentheses_gives_the_publication() -> None:
    assert parse_byline("(Theo Báo Lào Cai)") == ["Báo Lào Cai"]


def test_theo_without_parentheses_gives_the_publication() -> None:
    assert parse_byline("Theo Báo Lào Cai") == ["Báo Lào Cai"]


# --- newsroom credits PV / CTV ---------------------------------------------------------------


def test_pv_before_a_name_is_dropped() -> None:
    assert parse_byline("PV Minh Anh") == ["Minh Anh"]


def test_pv_in_parentheses_after_a_name_is_dropped() -> None:
    assert parse_byline("Minh Anh (PV)") == ["Minh Anh"]


def test_ctv_before_a_name_is_dropped() -> None:
    assert parse_byline("CTV Hoàng Long") == ["Hoàng Long"]


def test_ctv_after_a_credit_prefix_is_dropped() -> None:
    assert parse_byline("Tin: Minh Anh (CTV)") == ["Minh Anh"]


def test_bare_pv_is_the_credit_itself() -> None:
    assert parse_byline("PV") == ["PV"]


def test_reporter_group_is_the_credit_itself() -> None:
    assert parse_byline("Nhóm PV") == ["Nhóm PV"]


# --- byline elements with more than the name ------------------------------------------------


def test_date_and_counters_in_a_byline_element_are_ignored() -> None:
    assert parse_byline("Phạm Thị Ngọc | 16/01/2023 | Lượt xem: 120") == ["Phạm Thị Ngọc"]


def test_update_time_after_an_author_prefix_is_ignored() -> None:
    byline = "Tác giả: Phạm Thị Ngọc | Cập nhật: 16/01/2023 14:05"
    assert parse_byline(byline) == ["Phạm Thị Ngọc"]


def test_affiliation_in_parentheses_after_a_name_is_dropped() -> None:
    assert parse_byline("Phạm Thị Ngọc (Văn phòng HĐND-UBND xã)") == ["Phạm Thị Ngọc"]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Người đăng: Minh Anh", ["Minh Anh"]),
        ("Người viết: Lò Thị Mai", ["Lò Thị Mai"]),
        ("Người thực hiện: Lê Hoa", ["Lê Hoa"]),
        ("Tổng hợp: Thu Hà", ["Thu Hà"]),
        ("Thực hiện: Nhóm PV", ["Nhóm PV"]),
    ],
)
def test_other_credit_prefixes(byline: str, authors: list[str]) -> None:
    assert parse_byline(byline) == authors


def test_account_name_is_not_an_author() -> None:
    assert parse_byline("Đăng bởi: admin") == []


def test_photo_credit_naming_nobody_is_a_byline_without_authors() -> None:
    assert parse_byline("Ảnh: Internet") == []
    assert looks_like_byline("Ảnh: Internet") is True


def test_credit_naming_nobody_does_not_hide_the_writer() -> None:
    assert parse_byline("Bài: Minh Anh; Ảnh: Internet") == ["Minh Anh"]


# --- not bylines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hội nghị diễn ra thành công tốt đẹp.",
        "Ông Nguyễn Văn A phát biểu.",
        "Theo kế hoạch, UBND huyện sẽ tổ chức kiểm tra.",
        "Theo Quyết định số 15/QĐ-UBND của UBND tỉnh",
        "Ảnh: Toàn cảnh hội nghị",
        "Ảnh: Đồng chí Nguyễn Văn A phát biểu tại hội nghị",
        "Tin khác",
        "Thống Kê Truy Cập",
        "Đăng nhập",
        "Phố Lu, ngày 16/01/2023",
        "",
        "   ",
    ],
)
def test_ordinary_text_is_not_a_byline(text: str) -> None:
    assert parse_byline(text) == []
    assert looks_like_byline(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "Gia Lai",
        "Hà Nội",
        "Lào Cai",
        "App Store",
        "Google Play",
        "Access Denied",
        "Brand Logos Vector",
        "Logo EPS",
        "LIÊN KẾT WEBSITE",
        "PHÓNG SỰ ẢNH VÀ VIDEO",
        "TIN TỨC SỰ KIỆN",
    ],
)
def test_page_labels_places_and_foreign_words_are_not_bare_bylines(text: str) -> None:
    assert parse_byline(text) == []


def test_long_run_of_capitalised_words_is_not_a_byline() -> None:
    text = "Nguyễn Văn An Trần Thị Bình Lê Văn Cường Phạm Thị Dung Hoàng Văn Em"
    assert parse_byline(text) == []


# --- looks_like_byline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Phạm Thị Ngọc", "Bài, ảnh: Đức Hùng", "(Theo Báo Lào Cai)", "Nguồn: Văn phòng HĐND-UBND xã"],
)
def test_credit_paragraph_looks_like_a_byline(text: str) -> None:
    assert looks_like_byline(text) is True


def test_body_sentence_ending_the_article_does_not_look_like_a_byline() -> None:
    text = "Đẩy mạnh tuyên truyền, biểu dương các mô hình, điển hình, nhân tố mới."
    assert looks_like_byline(text) is False


def test_pholu_notice_closing_paragraph_is_its_byline(fixtures_dir) -> None:
    notice = (fixtures_dir / "seed" / "pholu-notice.txt").read_text(encoding="utf-8")
    body = notice.split("Tin khác")[0]
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    assert looks_like_byline(paragraphs[-1]) is True
    assert parse_byline(paragraphs[-1]) == ["Phạm Thị Ngọc"]
    assert not any(looks_like_byline(p) for p in paragraphs[2:-1] if len(p.split()) > 3)
