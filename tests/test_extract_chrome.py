"""Chrome removal rules on small trees, one rule per test."""

from __future__ import annotations

from lxml import etree

from scraper import chrome
from scraper.platforms import get


def tree(body: str) -> etree._Element:
    return etree.fromstring(f"<html><body>{body}</body></html>", etree.HTMLParser())


def body_text(root: etree._Element) -> str:
    return " ".join(" ".join(root.find("body").itertext()).split())


def test_other_news_heading_and_the_list_after_it_go() -> None:
    root = tree(
        "<div id='a'><p>Nội dung bài viết.</p><h3>Các tin khác</h3>"
        "<ul><li><a href='/1'>Tin một về hội nghị tổng kết</a> (12/01/2023)</li></ul></div>"
    )
    chrome.strip_headed_blocks(root, set())
    assert body_text(root) == "Nội dung bài viết."


def test_heading_wrapped_in_its_own_box_takes_the_box_and_the_list() -> None:
    root = tree(
        "<div><p>Nội dung.</p><div class='t'><span>TIN ĐÃ ĐƯA</span></div>"
        "<div class='l'><a href='/1'>Bản Xen tổ chức Ngày hội Đại đoàn kết</a></div></div>"
    )
    chrome.strip_headed_blocks(root, set())
    assert body_text(root) == "Nội dung."


def test_link_list_box_opened_by_the_heading_goes_whole() -> None:
    root = tree(
        "<p>Nội dung.</p><div class='x'><b>Other News</b><a href='/1'>First other article "
        "title here</a><a href='/2'>Second other article title</a></div><p>Chân trang.</p>"
    )
    chrome.strip_headed_blocks(root, set())
    assert body_text(root) == "Nội dung. Chân trang."


def test_visitor_counter_block_goes() -> None:
    root = tree(
        "<p>Nội dung.</p><div><div>Thống kê truy cập</div><ul><li>Đang online: 1</li>"
        "<li>Hôm nay: 1</li><li>Trong tuần: 1</li><li>Tất cả: 1</li></ul></div>"
    )
    chrome.strip_headed_blocks(root, set())
    assert body_text(root) == "Nội dung."


def test_tool_links_go_but_their_paragraph_text_stays() -> None:
    root = tree(
        "<p>Nội dung. <a href='javascript:print()'>In bài</a> <a href='mailto:?'>Gửi email</a>"
        " <a href='/dang-nhap'>Đăng nhập</a> <a href='javascript:history.back()'>« Quay lại</a></p>"
    )
    chrome.strip_tool_links(root, set())
    assert body_text(root) == "Nội dung."


def test_postback_pager_links_without_text_are_kept_for_the_crawler() -> None:
    root = tree("<p><a href=\"javascript:__doPostBack('g$gvList','Page$2')\"></a>x</p>")
    chrome.strip_tool_links(root, set())
    assert len(root.findall(".//a")) == 1


def test_navigation_header_footer_and_small_forms_go() -> None:
    root = tree(
        "<header><a href='/'>Trang chủ</a></header><nav><a href='/a'>Giới thiệu</a></nav>"
        "<form><input name='q'><button>Tìm kiếm</button></form>"
        "<div class='main'><p>Nội dung bài viết dài.</p></div>"
        "<footer>Bản quyền thuộc UBND xã. <a href='/dang-nhap'>Đăng nhập</a></footer>"
    )
    chrome.strip_page_chrome(root)
    chrome.strip_landmarks(root, set())
    assert body_text(root) == "Nội dung bài viết dài."


def test_a_page_wide_aspnet_form_is_not_dropped() -> None:
    text = "Nội dung bài viết rất dài. " * 20
    root = tree(f"<form id='aspnetForm'><div class='content'><p>{text}</p></div></form>")
    chrome.strip_landmarks(root, set())
    assert "Nội dung bài viết" in body_text(root)


def test_kept_element_is_never_dropped_even_with_a_chrome_class() -> None:
    root = tree("<div class='sidebar'><p>Bài viết</p></div>")
    keep = chrome.keep_set(root.find(".//p"))
    chrome.strip_landmarks(root, keep)
    assert body_text(root) == "Bài viết"


def test_scripts_styles_and_comments_go() -> None:
    root = etree.fromstring(
        "<html><head><style>p{}</style></head><body><script>var a=1;</script><!-- x -->"
        "<p>Nội dung.</p><noscript>Bật JavaScript</noscript></body></html>",
        etree.HTMLParser(),
    )
    chrome.strip_page_chrome(root)
    assert body_text(root) == "Nội dung."


def test_platform_chrome_inside_the_body_goes() -> None:
    root = tree(
        "<div class='journal-content-article'><p>Nội dung.</p>"
        "<div class='asset-control-detail'><span>In bài viết</span></div>"
        "<div class='related_asset'><div class='related_asset_title'>Các tin khác</div></div>"
        "</div>"
    )
    body = root.find(".//div")
    chrome.strip_body_chrome(body, get("liferay"))
    assert " ".join(" ".join(body.itertext()).split()) == "Nội dung."
