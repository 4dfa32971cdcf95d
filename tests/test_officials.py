"""Officials in Vietnamese portal text: names, positions as written and expanded, cues, keys."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from scraper.officials import expand_position, find_officials, name_key
from scraper.record import Official

NOTICE = Path(__file__).parent / "fixtures" / "seed" / "pholu-notice.txt"


def people(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(o.name, o.position, o.cue) for o in find_officials(text, **kw)]


def names(text: str, **kw) -> list[str]:
    return [o.name for o in find_officials(text, **kw)]


# --- the Phố Lu notice ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def notice() -> str:
    return NOTICE.read_bytes().decode("utf-8")


def test_pholu_notice_names_its_two_officials_with_positions_and_cues(notice: str) -> None:
    assert people(notice) == [
        ("Dương Thị Tâm", "Ủy viên BTV huyện ủy, bí thư Đảng ủy thị trấn", "đồng chí"),
        ("Nguyễn Văn Chắc", "Chủ tịch UBND thị trấn Phố Lu", "đồng chí"),
    ]


def test_pholu_notice_positions_are_expanded(notice: str) -> None:
    expanded = [o.position_expanded for o in find_officials(notice)]
    assert expanded == [
        "Ủy viên Ban Thường vụ huyện ủy, bí thư Đảng ủy thị trấn",
        "Chủ tịch Ủy ban nhân dân thị trấn Phố Lu",
    ]


def test_pholu_notice_officials_carry_folded_keys(notice: str) -> None:
    assert [o.key for o in find_officials(notice)] == ["duong thi tam", "nguyen van chac"]


def test_pholu_notice_byline_author_is_not_an_official(notice: str) -> None:
    found = find_officials(notice, exclude=["Phạm Thị Ngọc"])
    assert "Phạm Thị Ngọc" not in [o.name for o in found]
    assert len(found) == 2


def test_officials_are_record_officials(notice: str) -> None:
    assert all(isinstance(o, Official) for o in find_officials(notice))


# --- cues ----------------------------------------------------------------------------------


def test_excluded_name_is_not_reported_even_with_a_cue() -> None:
    text = "Ông Phạm Văn Ngọc, Phó Chủ tịch UBND xã cho biết."
    assert find_officials(text, exclude=["PHAM VAN NGOC"]) == []


def test_dc_abbreviation_is_a_strong_cue() -> None:
    text = "đ/c Tẩn Láo Lở - Bí thư Đảng ủy xã Y Tý; Đ/c Chảo Láo Tả- Chủ tịch UBND xã."
    assert people(text) == [
        ("Tẩn Láo Lở", "Bí thư Đảng ủy xã Y Tý", "đ/c"),
        ("Chảo Láo Tả", "Chủ tịch UBND xã", "đ/c"),
    ]


def test_capitalised_dong_chi_is_reported_in_lower_case() -> None:
    assert people("Đồng chí Lê Văn Hùng phát biểu.") == [("Lê Văn Hùng", "", "đồng chí")]


def test_ong_with_a_position_after_is_an_official() -> None:
    text = "Ông Trần Văn Bình, Phó Chủ tịch HĐND huyện cho biết năm nay huyện về đích."
    assert people(text) == [("Trần Văn Bình", "Phó Chủ tịch HĐND huyện", "ông")]


def test_ong_without_a_position_is_not_an_official() -> None:
    assert find_officials("Ông Nguyễn Văn Tư cho biết gia đình đã thoát nghèo.") == []


def test_anh_with_a_position_is_an_official() -> None:
    text = "anh Lù Văn Dũng, Trưởng thôn Nậm Tang chia sẻ."
    assert people(text) == [("Lù Văn Dũng", "Trưởng thôn Nậm Tang", "anh")]


def test_teacher_cue_with_a_position_before_is_an_official() -> None:
    text = "Hiệu trưởng nhà trường, cô giáo Nguyễn Thị Hằng cho biết."
    assert people(text) == [("Nguyễn Thị Hằng", "Hiệu trưởng nhà trường", "cô giáo")]


def test_weak_cue_needs_a_known_surname() -> None:
    assert find_officials("Bà Xuân Thu, Chủ tịch Hội Phụ nữ xã cho biết.") == []


def test_strong_cue_accepts_a_name_without_a_known_surname() -> None:
    assert names("đồng chí Xuân Thu, Chủ tịch Hội Phụ nữ xã") == ["Xuân Thu"]


def test_cue_words_inside_ordinary_phrases_are_not_cues() -> None:
    text = "Tỉnh Bà Rịa - Vũng Tàu; ông bà ta; bà con nhân dân; anh em công nhân Không Tên."
    assert find_officials(text) == []


# --- ranks ---------------------------------------------------------------------------------


def test_military_and_police_ranks_are_cues() -> None:
    text = (
        "Đại tá Nguyễn Văn Hải, Chỉ huy trưởng Bộ CHQS tỉnh và Thượng tá Lê Minh Tuấn - "
        "Trưởng CA huyện đã tới dự."
    )
    assert people(text) == [
        ("Nguyễn Văn Hải", "Chỉ huy trưởng Bộ CHQS tỉnh", "Đại tá"),
        ("Lê Minh Tuấn", "Trưởng CA huyện", "Thượng tá"),
    ]


def test_rank_position_is_expanded() -> None:
    (official,) = find_officials("Thiếu tá Hoàng Văn Nam, Trưởng CA xã Bản Phiệt")
    assert official.position_expanded == "Trưởng Công an xã Bản Phiệt"


def test_lower_case_rank_with_alternative_tone_placement_is_a_cue() -> None:
    assert people("trung uý Giàng A Sình, cán bộ Đồn Biên phòng") == [
        ("Giàng A Sình", "cán bộ Đồn Biên phòng", "Trung úy"),
    ]


# --- positions before and after the name ---------------------------------------------------


def test_position_before_the_cue() -> None:
    text = "Tham dự có Phó Bí thư Thường trực Huyện ủy, đồng chí Lê Văn Hùng."
    assert people(text) == [("Lê Văn Hùng", "Phó Bí thư Thường trực Huyện ủy", "đồng chí")]


def test_title_already_followed_by_its_own_name_is_not_taken_by_the_next_cue() -> None:
    text = "Chủ tịch UBND xã Lê Văn Bình, đồng chí Trần Văn Cường phát biểu."
    assert people(text) == [
        ("Lê Văn Bình", "Chủ tịch UBND xã", ""),
        ("Trần Văn Cường", "", "đồng chí"),
    ]


def test_position_directly_before_the_name_without_a_cue() -> None:
    text = "Chủ tịch UBND huyện Nguyễn Văn An phát biểu chỉ đạo hội nghị."
    assert people(text) == [("Nguyễn Văn An", "Chủ tịch UBND huyện", "")]


def test_place_name_inside_a_position_before_the_name_stays_in_the_position() -> None:
    text = "Bí thư Tỉnh ủy Lào Cai Đặng Xuân Phong làm việc với huyện."
    assert people(text) == [("Đặng Xuân Phong", "Bí thư Tỉnh ủy Lào Cai", "")]


def test_city_abbreviation_with_a_dot_does_not_end_the_position() -> None:
    (official,) = find_officials("Chủ tịch UBND TP. Lào Cai Lê Văn Thắng kiểm tra.")
    assert (official.position, official.position_expanded) == (
        "Chủ tịch UBND TP. Lào Cai",
        "Chủ tịch Ủy ban nhân dân thành phố Lào Cai",
    )


def test_position_after_a_dash_with_sloppy_spacing() -> None:
    assert people("đồng chí Dương Thị Tâm- Ủy viên BTV huyện ủy;") == [
        ("Dương Thị Tâm", "Ủy viên BTV huyện ủy", "đồng chí")
    ]


def test_position_in_parentheses() -> None:
    text = "bà Lò Thị Mai (Bí thư Chi bộ thôn Bản Phố, xã Bản Phố) chia sẻ kinh nghiệm."
    assert people(text) == [("Lò Thị Mai", "Bí thư Chi bộ thôn Bản Phố, xã Bản Phố", "bà")]


def test_position_without_separator_after_the_name() -> None:
    text = "Đồng chí Hoàng Seo Dín Trưởng ban Dân vận Huyện ủy phát biểu."
    assert people(text) == [("Hoàng Seo Dín", "Trưởng ban Dân vận Huyện ủy", "đồng chí")]


def test_position_after_a_name_without_a_cue() -> None:
    text = "Nguyễn Thị Hoa - Hiệu trưởng Trường THCS Phố Lu cho biết."
    assert people(text) == [("Nguyễn Thị Hoa", "Hiệu trưởng Trường THCS Phố Lu", "")]


def test_position_continues_over_a_comma_only_into_another_position() -> None:
    text = (
        "đồng chí Lý Seo Dìn, Ủy viên BTV Huyện ủy, Phó Chủ tịch Thường trực UBND huyện, "
        "nhấn mạnh vai trò của cơ sở."
    )
    assert people(text) == [
        (
            "Lý Seo Dìn",
            "Ủy viên BTV Huyện ủy, Phó Chủ tịch Thường trực UBND huyện",
            "đồng chí",
        )
    ]


def test_position_ends_at_a_verb() -> None:
    (official,) = find_officials("đồng chí Vàng Seo Sử - Phó Chủ tịch UBND huyện chủ trì.")
    assert official.position == "Phó Chủ tịch UBND huyện"


def test_position_ends_before_lam_naming_a_role_in_the_visit() -> None:
    text = "Đoàn do đồng chí Hoàng Quốc Khánh, Phó Chủ tịch UBND tỉnh làm Trưởng đoàn."
    assert find_officials(text)[0].position == "Phó Chủ tịch UBND tỉnh"


def test_position_ends_before_cung() -> None:
    text = "đồng chí Vàng Seo Sử, Phó Chủ tịch UBND huyện cùng lãnh đạo các phòng ban."
    assert find_officials(text)[0].position == "Phó Chủ tịch UBND huyện"


def test_former_official_keeps_nguyen_in_the_position() -> None:
    (official,) = find_officials("ông Đỗ Văn Lâm, nguyên Chủ tịch UBND xã, cho biết.")
    assert official.position == "nguyên Chủ tịch UBND xã"


# --- lists ---------------------------------------------------------------------------------


def test_list_after_cac_dong_chi_gives_each_official_their_position() -> None:
    text = (
        "Dự hội nghị có các đồng chí: Giàng Seo Phử, Chủ tịch UBND huyện; Sùng A Lềnh, Phó "
        "Chủ tịch HĐND huyện; Thào Mí Dính, Trưởng Công an xã và các đồng chí trong BTV."
    )
    assert people(text) == [
        ("Giàng Seo Phử", "Chủ tịch UBND huyện", "đồng chí"),
        ("Sùng A Lềnh", "Phó Chủ tịch HĐND huyện", "đồng chí"),
        ("Thào Mí Dính", "Trưởng Công an xã", "đồng chí"),
    ]


def test_list_of_names_without_positions_after_cac_dong_chi() -> None:
    text = "Tới dự có các đồng chí Hầu A Lềnh, Vàng Thị Dung và Lò Văn Muôn."
    assert names(text) == ["Hầu A Lềnh", "Vàng Thị Dung", "Lò Văn Muôn"]


def test_two_cues_joined_by_va_are_two_officials() -> None:
    text = "đồng chí Hầu A Lềnh - Bí thư Huyện ủy và đồng chí Vàng Thị Dung, Phó Bí thư Tỉnh ủy."
    assert people(text) == [
        ("Hầu A Lềnh", "Bí thư Huyện ủy", "đồng chí"),
        ("Vàng Thị Dung", "Phó Bí thư Tỉnh ủy", "đồng chí"),
    ]


def test_semicolon_list_continues_after_a_singular_cue() -> None:
    text = "Tới dự có đồng chí Lê Văn Hùng - Bí thư Đảng ủy xã; Trần Thị Hoa - Chủ tịch UBND xã."
    assert people(text) == [
        ("Lê Văn Hùng", "Bí thư Đảng ủy xã", "đồng chí"),
        ("Trần Thị Hoa", "Chủ tịch UBND xã", "đồng chí"),
    ]


def test_va_before_the_next_named_official_ends_the_position() -> None:
    text = "Dự có đồng chí Lê Văn Bình - Bí thư Đảng ủy và Trần Văn Cường - Chủ tịch UBND xã."
    assert people(text) == [
        ("Lê Văn Bình", "Bí thư Đảng ủy", "đồng chí"),
        ("Trần Văn Cường", "Chủ tịch UBND xã", "đồng chí"),
    ]


def test_va_inside_a_position_is_kept() -> None:
    (official,) = find_officials("Chủ tịch HĐND và UBND xã Lê Văn Bình phát biểu.")
    assert official.position == "Chủ tịch HĐND và UBND xã"


def test_realistic_meeting_paragraph_with_five_officials() -> None:
    text = (
        "Sáng 12/3, Huyện ủy Bát Xát tổ chức hội nghị sơ kết công tác quý I. Dự hội nghị có "
        "đồng chí Tẩn Láo Lở, Ủy viên BCH Đảng bộ tỉnh, Bí thư Huyện ủy; Phó Bí thư Thường "
        "trực Huyện ủy, đồng chí Lê Thị Hồng Nhung; các đồng chí: Vàng Seo Sử, Chủ tịch "
        "UBND huyện; Lý Láo Tả, Phó Chủ tịch HĐND huyện và Thượng tá Phạm Quốc Bảo, Trưởng "
        "Công an huyện. Phát biểu kết luận, Chủ tịch UBND huyện Vàng Seo Sử yêu cầu các xã "
        "hoàn thành chỉ tiêu. Hội nghị diễn ra tại Nhà văn hóa Lê Lợi, đường Trần Hưng Đạo."
    )
    assert people(text) == [
        ("Tẩn Láo Lở", "Ủy viên BCH Đảng bộ tỉnh, Bí thư Huyện ủy", "đồng chí"),
        ("Lê Thị Hồng Nhung", "Phó Bí thư Thường trực Huyện ủy", "đồng chí"),
        ("Vàng Seo Sử", "Chủ tịch UBND huyện", "đồng chí"),
        ("Lý Láo Tả", "Phó Chủ tịch HĐND huyện", "đồng chí"),
        ("Phạm Quốc Bảo", "Trưởng Công an huyện", "Thượng tá"),
    ]


# --- names: Kinh and northern-highland names, places, historical figures --------------------


@pytest.mark.parametrize(
    "name",
    [
        "Giàng Seo Phử",
        "Sùng A Lềnh",
        "Thào Mí Dính",
        "Lò Thị Mai",
        "Hầu A Lềnh",
        "Vàng Thị Dung",
        "Lù Văn Sáng",
        "Ly Seo Chứ",
        "Chảo Láo Tả",
        "Lồ Văn Páo",
        "Má Seo Sà",
        "Cư Seo Dình",
        "Sần Thị Mỷ",
        "Hoàng Seo Dín",
        "Nông Văn Dền",
    ],
)
def test_ethnic_minority_names_of_the_northern_highlands_are_read(name: str) -> None:
    assert names(f"Bà con tin tưởng ông {name}, Trưởng thôn Sả Hồ.") == [name]


def test_four_syllable_kinh_name() -> None:
    assert names("đồng chí Nguyễn Thị Thu Hà, Phó Chủ tịch UBND huyện") == ["Nguyễn Thị Thu Hà"]


@pytest.mark.parametrize(
    "name",
    [
        "Phạm Minh Chính",
        "Lê Văn Đại",
        "Nguyễn Văn Năm",
        "Nguyễn Minh Anh",
        "Hà Văn Đồng",
        "Trần Văn Nguyên",
    ],
)
def test_given_names_that_also_open_titles_stay_in_the_name(name: str) -> None:
    assert names(f"đồng chí {name} - Bí thư Chi bộ thôn phát biểu.") == [name]


def test_title_case_position_glued_to_the_name_ends_the_name() -> None:
    assert names("đồng chí Lê Văn Đức Hiệu Trưởng Trường Tiểu học") == ["Lê Văn Đức"]


def test_national_leaders_with_titles_before_their_names() -> None:
    text = "Tổng Bí thư Nguyễn Phú Trọng gửi thư; Thủ tướng Chính phủ Phạm Minh Chính chủ trì."
    assert people(text) == [
        ("Nguyễn Phú Trọng", "Tổng Bí thư", ""),
        ("Phạm Minh Chính", "Thủ tướng Chính phủ", ""),
    ]


def test_abbreviated_titles_are_positions_and_expand() -> None:
    (official,) = find_officials("Cùng dự có đ/c Phạm Quang Huy, PCT UBND huyện.")
    assert (official.position, official.position_expanded) == (
        "PCT UBND huyện",
        "Phó Chủ tịch Ủy ban nhân dân huyện",
    )


def test_resident_with_a_village_in_parentheses_is_not_an_official() -> None:
    assert find_officials("Bà Nguyễn Thị Bích (thôn Nậm Tang) cho biết đã thoát nghèo.") == []


def test_street_names_are_not_officials() -> None:
    text = "Tuyến đường Trần Hưng Đạo và phố Lê Lợi, số nhà 12 Nguyễn Huệ được chỉnh trang."
    assert find_officials(text) == []


def test_ward_named_after_a_person_is_not_an_official() -> None:
    assert find_officials("Chủ tịch UBND phường Trần Hưng Đạo phát biểu.") == []


def test_school_named_after_a_person_is_not_an_official() -> None:
    text = "Hiệu trưởng Trường THCS Lê Quý Đôn và Trường Tiểu học Kim Đồng nhận giấy khen."
    assert find_officials(text) == []


def test_business_named_after_a_person_is_not_an_official() -> None:
    assert find_officials("Giám đốc Công ty TNHH Hoàng Long phát biểu.") == []


def test_commune_named_like_a_person_is_not_an_official() -> None:
    assert find_officials("Chủ tịch UBND xã Trịnh Tường chủ trì.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Bí thư Tỉnh ủy Ninh Bình phát biểu.",
        "Chủ tịch UBND huyện Si Ma Cai chủ trì.",
        "Chủ tịch UBND huyện Hoàng Su Phì dự.",
        "Giám đốc Sở Y tế tỉnh Hà Giang kiểm tra.",
    ],
)
def test_place_opening_with_a_surname_after_a_title_is_not_an_official(text: str) -> None:
    assert find_officials(text) == []


def test_historical_figure_after_a_title_is_not_an_official() -> None:
    text = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; Chủ tịch Hồ Chí Minh."
    assert find_officials(text) == []


def test_cue_after_a_place_word_is_not_a_cue() -> None:
    assert find_officials("Khu dân cư đường Bà Triệu, phố Ông Ích Khiêm - Chủ tịch") == []


# --- dedupe, NFD, keys -----------------------------------------------------------------------


def test_same_person_is_reported_once_with_the_first_position() -> None:
    text = (
        "đồng chí Vàng Seo Sử, Chủ tịch UBND huyện phát biểu. Sau đó ông VÀNG SEO SỬ - "
        "Trưởng Ban chỉ đạo huyện trao quà."
    )
    found = find_officials(text)
    assert [(o.name, o.position) for o in found] == [("Vàng Seo Sử", "Chủ tịch UBND huyện")]


def test_later_mention_fills_a_missing_position() -> None:
    text = "đồng chí Lê Văn Hùng phát biểu. Ông Lê Văn Hùng, Bí thư Đảng ủy xã cho biết."
    assert people(text) == [("Lê Văn Hùng", "Bí thư Đảng ủy xã", "đồng chí")]


def test_nfd_input_is_read_like_nfc(notice: str) -> None:
    nfd = unicodedata.normalize("NFD", notice)
    assert nfd != notice
    assert find_officials(nfd) == find_officials(notice)


def test_reported_names_are_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "đồng chí Nguyễn Văn Chắc - Chủ tịch UBND thị trấn")
    (official,) = find_officials(nfd)
    assert official.name == unicodedata.normalize("NFC", "Nguyễn Văn Chắc")


@pytest.mark.parametrize(
    "spelling", ["Nguyễn Văn Chắc", "NGUYỄN VĂN CHẮC", "Nguyen Van Chac", "nguyễn  văn\tchắc "]
)
def test_name_key_is_the_same_for_every_spelling(spelling: str) -> None:
    assert name_key(spelling) == "nguyen van chac"


def test_name_key_folds_d_with_stroke() -> None:
    assert name_key("Đặng Xuân Phong") == "dang xuan phong"


def test_name_key_of_nfd_name_equals_nfc() -> None:
    assert name_key(unicodedata.normalize("NFD", "Dương Thị Tâm")) == "duong thi tam"


def test_empty_text_has_no_officials() -> None:
    assert find_officials("") == []


# --- expand_position -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        ("Chủ tịch UBND thị trấn Phố Lu", "Chủ tịch Ủy ban nhân dân thị trấn Phố Lu"),
        ("Phó Chủ tịch HĐND huyện", "Phó Chủ tịch Hội đồng nhân dân huyện"),
        ("Chủ tịch Ủy ban MTTQ xã", "Chủ tịch Ủy ban Mặt trận Tổ quốc xã"),
        ("Ủy viên BTV Huyện ủy", "Ủy viên Ban Thường vụ Huyện ủy"),
        ("Ủy viên BCH Đảng bộ tỉnh", "Ủy viên Ban Chấp hành Đảng bộ tỉnh"),
        ("Tổ trưởng TDP số 3", "Tổ trưởng tổ dân phố số 3"),
        ("Phó Trưởng BCĐ 35 huyện", "Phó Trưởng Ban Chỉ đạo 35 huyện"),
        ("Trưởng BQL rừng phòng hộ", "Trưởng Ban Quản lý rừng phòng hộ"),
        ("Chủ tịch Hội CCB xã", "Chủ tịch Hội Cựu chiến binh xã"),
        ("Bí thư ĐTN xã", "Bí thư Đoàn Thanh niên Cộng sản xã"),
        ("Bí thư ĐTNCS Hồ Chí Minh xã", "Bí thư Đoàn Thanh niên Cộng sản Hồ Chí Minh xã"),
        ("Chủ tịch HLHPN huyện", "Chủ tịch Hội Liên hiệp Phụ nữ huyện"),
        ("Chủ tịch HPN xã", "Chủ tịch Hội Liên hiệp Phụ nữ xã"),
        ("Trưởng CA xã", "Trưởng Công an xã"),
        ("Chỉ huy trưởng Ban CHQS xã", "Chỉ huy trưởng Ban Chỉ huy Quân sự xã"),
        ("Phó ban QS xã", "Phó ban Quân sự xã"),
        ("cán bộ Hội LHPN xã", "cán bộ Hội Liên hiệp Phụ nữ xã"),
        ("Phó Chủ tịch UBMTTQ xã", "Phó Chủ tịch Ủy ban Mặt trận Tổ quốc xã"),
        ("Trưởng phòng TC-KH huyện", "Trưởng phòng Tài chính - Kế hoạch huyện"),
        ("Trưởng phòng KT-XH", "Trưởng phòng kinh tế - xã hội"),
    ],
)
def test_expand_position_spells_out_abbreviations(written: str, expanded: str) -> None:
    assert expand_position(written) == expanded


def test_expand_position_normalises_sloppy_dash_between_abbreviations() -> None:
    assert expand_position("Văn phòng HĐND- UBND xã") == (
        "Văn phòng Hội đồng nhân dân - Ủy ban nhân dân xã"
    )


def test_expand_position_replaces_whole_tokens_only() -> None:
    written = "Cán bộ CAND, CAM, UBNDX và CA xã"
    assert expand_position(written) == "Cán bộ CAND, CAM, UBNDX và Công an xã"


def test_expand_position_keeps_school_levels_as_written() -> None:
    assert expand_position("Hiệu trưởng Trường THCS Phố Lu") == "Hiệu trưởng Trường THCS Phố Lu"


def test_expand_position_keeps_case_elsewhere() -> None:
    assert expand_position("ủy viên btv huyện ủy") == "ủy viên btv huyện ủy"


def test_expand_position_of_nfd_input_is_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Chủ tịch UBND xã")
    assert expand_position(nfd) == "Chủ tịch Ủy ban nhân dân xã"
