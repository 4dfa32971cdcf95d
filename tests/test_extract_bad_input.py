"""Bad input never raises: it gives a record whose kind and warnings say what happened."""

from __future__ import annotations

import os

import pytest

from scraper.extract import extract
from tests.extract_helpers import page

URL = "https://giaphu.laocai.gov.vn/tin-tuc/bai-1.html"


def test_empty_file_is_an_error_record() -> None:
    record = extract(b"", URL)
    assert record.kind == "error"
    assert record.warnings == ["empty page: no content"]


def test_whitespace_only_file_is_an_error_record() -> None:
    assert extract(b"  \r\n\t ", URL).kind == "error"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"PK\x03\x04\x14\x00\x06\x00", "zip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    ],
)
def test_binary_files_are_error_records_naming_the_content(data: bytes, what: str) -> None:
    record = extract(data + os.urandom(2000), URL)
    assert record.kind == "error"
    assert any(what in w for w in record.warnings)


def test_random_bytes_do_not_raise() -> None:
    record = extract(bytes(range(256)) * 40, URL)
    assert record.kind == "error"
    assert record.warnings


def test_truncated_html_still_extracts_with_a_warning() -> None:
    data = page("vnportal_pholu_notice").data
    cut = data[: int(len(data) * 0.6)]
    record = extract(cut, page("vnportal_pholu_notice").url)
    assert record.kind == "article"
    assert record.title.startswith("UBND THỊ TRẤN PHỐ LU")
    assert "truncated HTML: no closing </html>" in record.warnings


def test_html_cut_inside_the_head_is_an_error_record() -> None:
    record = extract(b"<html><head><title>Tin t", URL)
    assert record.kind == "error"
    assert record.warnings


def test_page_with_no_body_is_an_error_record() -> None:
    record = extract(b"<html><head><title>Trang chu</title></head></html>", URL)
    assert record.kind == "error"
    assert any("no main text" in w or "no HTML body" in w for w in record.warnings)


def test_five_megabyte_page_extracts() -> None:
    filler = "".join(
        f"<div class='box'><a href='/tin-{i}.html'>Liên kết số {i}</a></div>" for i in range(70000)
    )
    article = page("sharepoint_lacviet_article").data.decode("utf-8")
    data = article.replace("</body>", filler + "</body>").encode("utf-8")
    assert len(data) > 5_000_000
    record = extract(data, page("sharepoint_lacviet_article").url)
    assert record.kind == "article"
    assert record.title == "Huyện Bảo Yên tổ chức Hội nghị tổng kết công tác dân vận năm 2019"


def test_xml_declaration_does_not_break_parsing() -> None:
    data = page("generic_unseen_article").data
    record = extract(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + data, page("generic_unseen_article").url
    )
    assert record.kind == "article"


def test_plain_text_without_markup_is_not_an_article() -> None:
    record = extract("Đây là một tệp văn bản thuần, không có thẻ HTML nào.".encode(), URL)
    assert record.kind == "error"
    assert any("no markup" in w for w in record.warnings)


def test_nul_bytes_inside_html_are_tolerated() -> None:
    data = page("generic_unseen_article").data.replace(b"<p>", b"<p>\x00", 2)
    assert extract(data, page("generic_unseen_article").url).kind == "article"


def test_utf16_page_with_bom_decodes() -> None:
    text = page("generic_unseen_article").data.decode("utf-8")
    record = extract(text.encode("utf-16"), page("generic_unseen_article").url)
    assert record.kind == "article"
    assert record.title == "Huyện Si Ma Cai ra quân trồng cây đầu xuân Giáp Thìn 2024"


def test_empty_url_does_not_raise() -> None:
    assert extract(page("generic_unseen_article").data, "").kind in ("article", "home")


def test_control_character_entities_between_removed_blocks_do_not_break_extraction() -> None:
    p = page("vnportal_pholu_notice")
    data = p.data.replace(b"</div>", b"</div>&#1;&#11; ").replace(b"</a>", b"</a>\x0b")
    record = extract(data, p.url)
    assert record.kind == "article"
    assert not any(w.startswith("extraction failed") for w in record.warnings)
    assert record.authors == ["Phạm Thị Ngọc"]


def test_mutilated_fixture_pages_never_fail_extraction() -> None:
    import random

    rng = random.Random(7)
    for name in ("vnportal_listing_postback", "wordpress_commune_article", "liferay_home"):
        data = page(name).data
        for _ in range(10):
            b = bytearray(data)
            for _ in range(40):
                b[rng.randrange(len(b))] = rng.randrange(256)
            record = extract(bytes(b), page(name).url)
            assert not any(w.startswith("extraction failed") for w in record.warnings), name


def test_already_decoded_text_is_accepted() -> None:
    p = page("generic_unseen_article")
    record = extract(p.data.decode("utf-8"), p.url)  # type: ignore[arg-type]
    assert record.title == "Huyện Si Ma Cai ra quân trồng cây đầu xuân Giáp Thìn 2024"


def test_none_instead_of_bytes_is_an_empty_page() -> None:
    assert extract(None, URL).kind == "error"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data", [b"<", b"<html></html>", b"<html><body></body></html>", b"<p>x</p>"]
)
def test_empty_documents_at_a_front_page_url_are_errors_not_home(data: bytes) -> None:
    record = extract(data, "https://giaphu.laocai.gov.vn/")
    assert record.kind == "error"
    assert record.warnings


def test_rss_feed_is_not_an_html_page() -> None:
    feed = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Tin tuc'
        b"</title><item><title>Bai 1</title><link>https://x.gov.vn/a-1</link></item></channel></rss>"
    )
    record = extract(feed, "https://x.gov.vn/rss.xml")
    assert record.kind == "error"
    assert record.warnings == ["not an HTML page: an RSS/Atom feed"]


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/jpeg", "application/rss+xml; charset=utf-8"]
)
def test_non_html_content_type_is_named_in_the_warning(content_type: str) -> None:
    record = extract(b"<html><body>x</body></html>", URL, headers={"Content-Type": content_type})
    assert record.kind == "error"
    assert record.warnings == [f"not an HTML page: {content_type.split(';')[0]}"]


def test_thousands_of_unclosed_font_tags_do_not_lose_the_article() -> None:
    text = "Nội dung bài viết rất dài về hội nghị của xã. " * 20
    html = (
        "<html><head><title>Hội nghị tổng kết năm 2022 - Xã A</title></head><body>"
        "<h1>Hội nghị tổng kết năm 2022</h1><p>Ngày 02/03/2023</p>"
        + "<font face='Arial'>" * 3000
        + f"<p>{text}</p><p>Đoạn thứ hai: {text}</p></body></html>"
    )
    record = extract(html.encode("utf-8"), URL)
    assert record.kind == "article"
    assert record.published_at == "2023-03-02"
    assert len(record.body_text.split("\n\n")) == 2
    assert "excessive tag nesting: inline formatting tags ignored" in record.warnings


def test_nesting_beyond_the_parser_limit_is_reported_not_raised() -> None:
    html = "<html><body>" + "<div>" * 5000 + "<p>x</p>" + "</div>" * 5000 + "</body></html>"
    record = extract(html.encode(), URL)
    assert record.kind == "error"
    assert "excessive tag nesting: the page was read only in part" in record.warnings
