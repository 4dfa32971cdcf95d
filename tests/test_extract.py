"""Extraction behaviours, one per test: page kinds, chrome, dates, captions, attachments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scraper import chrome
from scraper.extract import extract
from tests.extract_helpers import GOLDEN_NOW, page

NOW = GOLDEN_NOW
VN = timezone(timedelta(hours=7))


def run(name: str, **kw):
    p = page(name)
    kw.setdefault("headers", p.headers)
    return extract(p.data, kw.pop("url", p.url), now=NOW, **kw)


def html_page(body: str, head: str = "", title: str = "Trang - Cổng TTĐT xã") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


ARTICLE_TEXT = (
    "<p>Ngày 12/5/2023, UBND xã Gia Phú tổ chức hội nghị sơ kết công tác sáu tháng đầu năm, "
    "đánh giá kết quả thực hiện các chỉ tiêu kinh tế - xã hội và triển khai nhiệm vụ trọng tâm "
    "sáu tháng cuối năm trên địa bàn toàn xã.</p>"
    "<p>Hội nghị đã thảo luận, thống nhất các giải pháp đẩy mạnh sản xuất nông nghiệp, bảo vệ "
    "rừng, giữ gìn an ninh trật tự và nâng cao chất lượng giải quyết thủ tục hành chính cho "
    "người dân, doanh nghiệp.</p>"
)


def article_page(date_html: str = "", head: str = "", extra: str = "", body: str = "") -> bytes:
    return html_page(
        f"<div class='main'><h1>Hội nghị sơ kết công tác sáu tháng đầu năm 2023</h1>{date_html}"
        f"<div class='content'>{body or ARTICLE_TEXT}</div>{extra}</div>",
        head=head,
        title="Hội nghị sơ kết công tác sáu tháng đầu năm 2023 - Cổng TTĐT xã Gia Phú",
    )


URL = "https://giaphu.laocai.gov.vn/tin-tuc/hoi-nghi-so-ket-301.html"


# --- page kinds ---------------------------------------------------------------------------


def test_soft_404_under_http_200_is_not_found() -> None:
    record = run("liferay_notfound")
    assert record.kind == "not_found"
    assert record.body_text == "" and record.published_at is None


def test_soft_404_on_an_unseen_template_is_not_found() -> None:
    assert run("generic_soft404_200").kind == "not_found"


def test_access_denied_under_http_200_is_error() -> None:
    record = run("error_access_denied_200")
    assert record.kind == "error"
    assert any("access denied" in w for w in record.warnings)


def test_bare_loi_title_is_an_error_page_not_a_404() -> None:
    assert run("error_occurred_200").kind == "error"


def test_http_404_status_is_not_found_even_with_article_markup() -> None:
    assert run("liferay_article_4417996", status=404).kind == "not_found"


def test_http_500_status_is_error() -> None:
    assert run("liferay_article_4417996", status=503).kind == "error"


def test_article_that_mentions_404_and_loi_is_still_an_article() -> None:
    body = ARTICLE_TEXT + "<p>Lỗi 404 trên cổng đã được khắc phục, không tìm thấy sự cố khác.</p>"
    record = extract(article_page(body=body), URL, now=NOW)
    assert record.kind == "article"


@pytest.mark.parametrize("name", ["liferay_listing_p1", "liferay_listing_p2"])
def test_liferay_listing_pages_are_listings(name: str) -> None:
    record = run(name)
    assert record.kind == "listing"
    assert record.title == "Công nghệ thông tin"


def test_vnportal_postback_listing_is_a_listing() -> None:
    assert run("vnportal_listing_postback").kind == "listing"


@pytest.mark.parametrize(
    "name",
    [
        "liferay_home",
        "liferay_home_trang_chu",
        "chinhphu_home",
        "laodong_home_mojibake",
        "giaoduc_home_mojibake",
        "tintaynguyen_home_mojibake",
    ],
)
def test_front_pages_are_home(name: str) -> None:
    assert run(name).kind == "home"


@pytest.mark.parametrize(
    "name", ["laodong_home_mojibake", "liferay_home", "chinhphu_home", "tintaynguyen_home_mojibake"]
)
def test_home_is_recognised_by_structure_without_a_front_page_url(name: str) -> None:
    record = run(name, url="https://example.gov.vn/some/section/page.html")
    assert record.kind == "home"


def test_unseen_listing_template_is_a_listing() -> None:
    items = "".join(
        f"<div class='tin'><a href='/tin-tuc/bai-{i}.html'>Bài viết số {i} về hoạt động của "
        f"xã Gia Phú trong tháng</a><span class='ngay'>{i:02d}/05/2023</span>"
        f"<p>Tóm tắt nội dung bài viết số {i}: các hoạt động nổi bật, kết quả đạt được và "
        f"nhiệm vụ thời gian tới.</p></div>"
        for i in range(1, 9)
    )
    pager = "<div class='phantrang'><a href='?trang=1'>1</a> <a href='?trang=2'>2</a></div>"
    data = html_page(f"<div class='noidung'><h2>Tin tức</h2>{items}{pager}</div>")
    assert extract(data, "https://giaphu.laocai.gov.vn/tin-tuc?trang=2", now=NOW).kind == "listing"


def test_article_kinds_on_every_article_fixture() -> None:
    for name in (
        "vnportal_pholu_notice",
        "sharepoint_lacviet_article",
        "wordpress_commune_article",
        "generic_unseen_article",
        "liferay_article_4417996",
    ):
        assert run(name).kind == "article", name


# --- chrome -------------------------------------------------------------------------------


def test_other_news_block_is_removed_and_its_dates_never_taken() -> None:
    extra = (
        "<div><h3>Tin khác</h3><ul><li><a href='/a-1.html'>Hội nghị tổng kết công tác năm "
        "2022 của xã</a> (30/12/2022)</li></ul></div>"
    )
    record = extract(article_page(extra=extra), URL, now=NOW)
    assert "Hội nghị tổng kết" not in record.body_text
    assert record.published_at == "2023-05-12"  # from the body, not the 30/12/2022 sidebar


def test_page_whose_only_dates_are_in_sidebars_has_no_publication_date() -> None:
    body = ARTICLE_TEXT.replace("Ngày 12/5/2023, ", "")
    extra = (
        "<div class='tinkhac'><div>Các tin khác</div><ul><li><a href='/a-1.html'>Hội nghị "
        "tổng kết công tác năm 2022 của xã</a> (30/12/2022)</li></ul></div>"
    )
    record = extract(article_page(body=body, extra=extra), URL, now=NOW)
    assert record.kind == "article"
    assert record.published_at is None
    assert "no publication date found" in record.warnings


def test_tin_da_dua_block_with_showdate_is_removed() -> None:
    record = run("sharepoint_lacviet_article")
    assert "TIN ĐÃ ĐƯA" not in record.body_text
    assert "Ngày Chủ nhật xanh" not in record.body_text
    assert record.published_at == "2019-11-08"


def test_visitor_counter_lines_are_not_text() -> None:
    record = run("vnportal_pholu_notice")
    for chrome_text in ("Thống kê truy cập", "Đang online", "Hôm nay", "Trong tuần", "Tất cả"):
        assert chrome_text not in record.body_text


def test_view_counter_print_and_back_links_are_not_text() -> None:
    record = run("sharepoint_lacviet_article")
    for chrome_text in ("Số lượt người xem", "In bài", "Gửi email", "Quay lại", "Đăng nhập"):
        assert chrome_text not in record.body_text


def test_image_alt_and_banner_text_never_reach_the_body() -> None:
    record = run("vnportal_pholu_notice")
    for alt in ("anh tin bai", "Image banner"):
        assert alt not in record.body_text


@pytest.mark.parametrize(
    "line",
    [
        "anh tin bai",
        "Ảnh tin bài",
        "Image banner",
        "Đang online: 1",
        "Hôm nay: 1",
        "Trong tuần: 12",
        "Tất cả: 40.512",
        "Tổng: 4.798.812",
        "Số lượt người xem: 1254",
        "Lượt xem: 45",
        "Đăng nhập",
        "In bài",
        "Gửi email",
        "« Quay lại",
        "1 2",
        "« 1 2 3 »",
        "Tin khác",
        "TIN ĐÃ ĐƯA",
        "Other News",
        "Thống kê truy cập",
        "Số lượng truy cập",
    ],
)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert chrome.is_chrome_paragraph(line)


@pytest.mark.parametrize(
    "line",
    ["Phạm Thị Ngọc", "Hôm nay, xã tổ chức hội nghị.", "Năm 2023", "Tất cả các thôn đều tham gia."],
)
def test_text_lines_are_not_chrome(line: str) -> None:
    assert not chrome.is_chrome_paragraph(line)


# --- body, lead, byline -------------------------------------------------------------------


def test_body_starts_with_the_lead_and_separates_paragraphs_with_a_blank_line() -> None:
    record = run("sharepoint_lacviet_article")
    assert record.lead
    assert record.body_text.startswith(record.lead + "\n\n")
    assert "\n\n\n" not in record.body_text


def test_byline_is_an_author_not_body_text_nor_an_official() -> None:
    record = run("vnportal_pholu_notice")
    assert record.authors == ["Phạm Thị Ngọc"]
    assert "Phạm Thị Ngọc" not in record.body_text
    assert "Phạm Thị Ngọc" not in [o.name for o in record.officials]
    assert [o.name for o in record.officials] == ["Dương Thị Tâm", "Nguyễn Văn Chắc"]


def test_credit_line_bai_anh_gives_the_author() -> None:
    record = run("sharepoint_lacviet_article")
    assert record.authors == ["Đức Hùng"]
    assert "Bài, ảnh" not in record.body_text


def test_source_credit_gives_the_unit_as_author() -> None:
    record = run("generic_nguon_unit")
    assert record.authors == ["Văn phòng HĐND-UBND xã"]
    assert "Nguồn:" not in record.body_text


def test_glued_words_are_repaired_and_reported() -> None:
    record = run("vnportal_pholu_notice")
    assert "Ngày16" not in record.body_text and "củathị" not in record.body_text
    assert any("củathị" in w for w in record.warnings)


# --- dates --------------------------------------------------------------------------------


def test_meta_date_is_preferred_over_the_date_element() -> None:
    head = "<meta property='article:published_time' content='2023-05-13T08:00:00+07:00'>"
    record = extract(article_page("<div class='ngay'>14/05/2023</div>", head=head), URL, now=NOW)
    assert record.published_at == "2023-05-13T08:00:00+07:00"


def test_date_element_is_preferred_over_the_byline_and_the_body() -> None:
    extra = "<p class='tacgia'>Thu Hà (15/05/2023)</p>"
    record = extract(
        article_page("<div class='ngay'>14/05/2023 09:30</div>", extra=extra), URL, now=NOW
    )
    assert record.published_at == "2023-05-14T09:30:00+07:00"
    assert record.published_raw == "14/05/2023 09:30"


def test_body_first_sentence_date_is_the_last_resort() -> None:
    record = run("generic_body_date_only")
    assert record.published_at == "2024-03-05"


def test_phrase_date_with_glued_ngay_in_the_body_is_read_with_its_raw_text() -> None:
    record = run("vnportal_pholu_notice")
    assert record.published_at == "2023-01-16"
    assert record.published_raw == "Ngày16 tháng 01 năm 2023"


def test_future_meta_date_is_rejected_with_a_warning() -> None:
    record = run("generic_future_meta_date")
    assert record.published_at == "2024-03-05"
    assert any("future" in w and "2031" in w for w in record.warnings)


def test_update_date_is_reported_as_updated_at() -> None:
    record = run("wordpress_commune_article")
    assert record.published_at == "2023-11-15T08:42:17+07:00"
    assert record.updated_at == "2023-11-16T10:05:03+07:00"


def test_page_showing_only_an_update_date_uses_it_and_says_so() -> None:
    record = run("generic_updated_only")
    assert record.updated_at == "2023-01-16T14:05:00+07:00"
    assert record.published_at == "2023-01-16T14:05:00+07:00"
    assert any("only an update date" in w for w in record.warnings)


def test_no_date_is_never_today() -> None:
    body = ARTICLE_TEXT.replace("Ngày 12/5/2023, ", "")
    record = extract(article_page(body=body), URL, now=datetime(2023, 6, 1, tzinfo=VN))
    assert record.published_at is None


# --- images, captions, attachments, canonical ---------------------------------------------


def test_liferay_caption_is_kept_on_the_image_and_out_of_the_body() -> None:
    record = run("liferay_article_4417996")
    captions = [i.caption for i in record.images if i.caption]
    assert captions == [
        "Sở Thông tin và Truyền thông gặp mặt cán bộ là con em gia đình Thương binh, "
        "gia đình chính sách"
    ]
    assert captions[0] not in record.body_text


def test_caption_in_a_table_row_under_the_image_is_excluded() -> None:
    record = run("sharepoint_lacviet_article")
    assert record.images[0].caption == "Quang cảnh hội nghị tổng kết công tác dân vận năm 2019"
    assert "Quang cảnh" not in record.body_text


def test_figcaption_is_excluded_from_the_body() -> None:
    record = run("wordpress_commune_article")
    assert record.images[0].caption == "Bà con thôn Na Lốc 1 tham gia Ngày hội Đại đoàn kết"
    assert "tham gia Ngày hội Đại đoàn kết\n" not in record.body_text + "\n"


def test_linked_plan_pdf_is_an_attachment_with_its_type() -> None:
    record = run("vnportal_attachment_pdf")
    assert [(a.title, a.type) for a in record.attachments] == [
        ("Kế hoạch số 15/KH-UBND", "pdf"),
        ("Phụ lục kinh phí tổ chức", "xlsx"),
    ]
    assert record.attachments[0].url.startswith("https://pholu.baothang.laocai.gov.vn/Uploads/")


def test_relative_canonical_link_is_made_absolute() -> None:
    record = run("liferay_article_4417996")
    assert record.canonical_url == page("liferay_article_4417996").url


def test_og_url_is_the_canonical_url_when_there_is_no_link() -> None:
    head = "<meta property='og:url' content='/tin-tuc/hoi-nghi-so-ket-301.html'>"
    record = extract(article_page(head=head), URL + "?utm=x", now=NOW)
    assert record.canonical_url == URL


# --- encodings ----------------------------------------------------------------------------


def test_windows_1258_page_decodes_with_the_http_charset() -> None:
    record = run("generic_windows1258")
    assert record.encoding == "cp1258"
    assert record.title == "Xã Gia Phú tổ chức Hội nghị đối thoại với nhân dân năm 2023"


def test_tcvn3_body_text_is_converted_to_unicode() -> None:
    record = run("generic_tcvn3_body")
    assert record.body_text.startswith("Thực hiện chỉ đạo của huyện")
    assert "rừng" in record.body_text


def test_mixed_entities_and_combining_marks_come_out_nfc() -> None:
    import unicodedata

    record = run("liferay_article_4417996")
    assert unicodedata.is_normalized("NFC", record.body_text)
    assert "Đồng thời khẳng định" in record.body_text


# --- unseen templates ---------------------------------------------------------------------


def test_br_separated_paragraphs_become_paragraphs() -> None:
    record = run("generic_dnn_article")
    assert len(record.body_text.split("\n\n")) == 4
    assert record.authors == ["Minh Anh", "Thu Hà"]


def test_time_of_a_related_article_is_never_the_publication_date() -> None:
    record = run("generic_drupal_article")
    assert record.published_at == "2025-09-15T14:05:00+07:00"  # "2:05 CH", not 2025-08-20


def test_update_line_at_the_end_of_the_body_is_a_date_not_text() -> None:
    record = run("generic_drupal_article")
    assert record.updated_at == "2025-09-15T16:20:00+07:00"
    assert "Cập nhật" not in record.body_text


def test_date_above_the_title_is_used_and_sidebar_headings_are_not_titles() -> None:
    record = run("generic_table_layout_article")
    assert record.title == "Xã Bản Xen hoàn thành tiêu chí giao thông nông thôn mới"
    assert record.published_at == "2019-11-06"
    assert "Bản Xen tổ chức Ngày hội" not in record.body_text


@pytest.mark.parametrize(
    ("title", "heading", "kind"),
    [
        ("404", "", "not_found"),
        ("404 - Không tìm thấy trang", "", "not_found"),
        ("Page not found | Sở Y tế", "", "not_found"),
        ("Cổng TTĐT xã", "Không tìm thấy", "not_found"),
        ("Cổng TTĐT xã", "Lỗi 404", "not_found"),
        ("Error 404 - Not Found", "", "not_found"),
        ("Access denied", "", "error"),
        ("Request Rejected", "", "error"),
        ("Cổng TTĐT xã", "An error occurred while processing your request.", "error"),
        ("Lỗi", "", "error"),
        ("Runtime Error", "Server Error in '/' Application.", "error"),
    ],
)
def test_error_and_not_found_pages_under_http_200(title: str, heading: str, kind: str) -> None:
    body = f"<div class='main'><h2>{heading}</h2><p>Xin vui lòng thử lại.</p></div>"
    assert extract(html_page(body, title=title), URL, now=NOW).kind == kind


def test_title_starting_with_loi_is_not_an_error_when_the_page_is_an_article() -> None:
    data = html_page(
        f"<div class='main'><h1>Lỗi chính tả trong văn bản hành chính</h1>"
        f"<div class='content'>{ARTICLE_TEXT}</div></div>",
        title="Lỗi chính tả trong văn bản hành chính - Cổng TTĐT xã",
    )
    assert extract(data, URL, now=NOW).kind == "article"


def test_short_notice_carrying_a_linked_document_is_an_article() -> None:
    record = run("generic_short_notice_attachment")
    assert record.kind == "article"
    assert record.published_at == "2023-05-02"
    assert [a.type for a in record.attachments] == ["pdf"]


def test_wordpress_category_archive_page_is_a_listing() -> None:
    record = run("wordpress_category_page2")
    assert record.kind == "listing"
    assert record.title == "Tin tức - Trang 2"
    assert record.published_at is None


def test_unseen_listing_with_get_pager_is_a_listing() -> None:
    record = run("generic_listing_get_pager")
    assert (record.kind, record.title) == ("listing", "Tin tức sự kiện")


def test_closing_source_credit_given_as_a_site_name_is_the_author() -> None:
    record = run("generic_bootstrap_news_article")
    assert record.authors == ["baolaocai.vn"]
    assert "Theo baolaocai.vn" not in record.body_text
    assert "Lượt xem" not in record.body_text and "Facebook" not in record.body_text


def test_closing_bare_issuing_unit_is_the_author() -> None:
    record = run("generic_nested_tables_article")
    assert record.authors == ["Văn phòng HĐND-UBND huyện"]
    assert record.body_text.endswith("phát triển vùng trồng cỏ chăn nuôi.")


def test_date_in_the_first_sentence_of_the_lead_is_used_when_nothing_else_dates_the_page() -> None:
    lead = (
        "<p class='sapo'>Ngày 20/4/2023, UBND xã Gia Phú tổ chức lễ ra quân tổng vệ sinh môi "
        "trường hưởng ứng Ngày Chủ nhật xanh.</p>"
    )
    body = ARTICLE_TEXT.replace("Ngày 12/5/2023, ", "")
    record = extract(article_page(body=lead + body), URL, now=NOW)
    assert record.published_at == "2023-04-20"
    assert record.lead.startswith("Ngày 20/4/2023")


def test_documents_shown_in_viewers_and_objects_are_attachments() -> None:
    viewer = (
        "<iframe src='https://docs.google.com/viewer?url=https%3A%2F%2Fgiaphu.laocai.gov.vn"
        "%2Ffiles%2Fqd-125.pdf&embedded=true'></iframe>"
        "<object data='/files/phu-luc-qd-125.docx' type='application/msword'></object>"
    )
    record = extract(article_page(body=ARTICLE_TEXT + viewer), URL, now=NOW)
    assert [(a.url, a.title, a.type) for a in record.attachments] == [
        ("https://giaphu.laocai.gov.vn/files/qd-125.pdf", "qd-125.pdf", "pdf"),
        ("https://giaphu.laocai.gov.vn/files/phu-luc-qd-125.docx", "phu-luc-qd-125.docx", "docx"),
    ]


def test_attachment_block_beside_the_body_counts_but_sidebar_documents_do_not() -> None:
    attach = (
        "<div class='dinhkem'>Tệp đính kèm: <a href='/files/kh-15-ubnd.pdf'>Kế hoạch số "
        "15/KH-UBND</a></div>"
    )
    sidebar = (
        "</div><div class='phai'><h3>Văn bản mới</h3><ul><li><a href='/files/qd-99.pdf'>"
        "Quyết định số 99/QĐ-UBND về việc giao chỉ tiêu</a></li></ul>"
    )
    record = extract(article_page(extra=attach + sidebar), URL, now=NOW)
    assert [(a.title, a.type) for a in record.attachments] == [("Kế hoạch số 15/KH-UBND", "pdf")]


def test_data_table_rows_read_as_lines_and_cells_bound_positions() -> None:
    table = (
        "<table border='1'><tr><th>Thời gian</th><th>Người tiếp</th><th>Địa điểm</th></tr>"
        "<tr><td>Ngày 10/6/2023</td><td>Ông Lê Văn Hùng, Chủ tịch UBND xã</td>"
        "<td>Phòng tiếp công dân</td></tr></table>"
    )
    record = extract(article_page(body=ARTICLE_TEXT + table), URL, now=NOW)
    assert "Thời gian | Người tiếp | Địa điểm" in record.body_text.split("\n\n")
    assert "Ngày 10/6/2023 | Ông Lê Văn Hùng, Chủ tịch UBND xã | Phòng tiếp công dân" in (
        record.body_text
    )
    assert [(o.name, o.position) for o in record.officials] == [("Lê Văn Hùng", "Chủ tịch UBND xã")]


def test_layout_table_cells_are_not_joined_into_one_line() -> None:
    record = run("generic_table_layout_article")
    assert " | " not in record.body_text


def test_login_wall_under_http_200_is_an_error_page() -> None:
    body = (
        "<div class='login-box'><h1>Đăng nhập hệ thống</h1><p>Tên đăng nhập: <input name='u'>"
        "</p><p>Mật khẩu: <input name='p' type='password'></p></div>"
        "<div class='footer'>Cơ quan chủ quản: UBND thị trấn Phố Lu - huyện Bảo Thắng - tỉnh "
        "Lào Cai. Địa chỉ: Tổ dân phố số 3, thị trấn Phố Lu, huyện Bảo Thắng, tỉnh Lào Cai.</div>"
    )
    data = html_page(body, title="Đăng nhập - Cổng thông tin điện tử Thị trấn Phố Lu")
    record = extract(data, "https://pholu.laocai.gov.vn/admin/Login.aspx?ReturnUrl=%2f", now=NOW)
    assert record.kind == "error"
    assert any("login" in w for w in record.warnings)


def test_sidebar_login_widget_does_not_make_an_article_an_error() -> None:
    widget = "<div class='sidebar'><h3>Đăng nhập</h3><input name='u'><input type='password'></div>"
    record = extract(article_page(extra=widget), URL, now=NOW)
    assert record.kind == "article"


def test_relative_links_resolve_against_the_base_href() -> None:
    head = "<base href='https://cdn.giaphu.laocai.gov.vn/portal/'>"
    body = ARTICLE_TEXT + "<p>Tệp: <a href='files/kh-15.pdf'>Kế hoạch số 15/KH-UBND</a></p>"
    record = extract(article_page(head=head, body=body), URL, now=NOW)
    assert record.attachments[0].url == "https://cdn.giaphu.laocai.gov.vn/portal/files/kh-15.pdf"
