"""process_page parses a page once: the "article" link analysis reads extraction's tree
when that is what parsing the crawler's text would give, and finds exactly the links the
analysis of a separate parse finds."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse

from spiders import links as L
from spiders.pages import _platform, process_page

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _separately_parsed(body: bytes, url: str, headers: dict[str, str]) -> L.PageLinks:
    """The "article" link analysis of the page parsed on its own, as before parse-once."""
    text = HtmlResponse(url, body=body, headers=headers).text
    tree = L.parse_html(text)
    plat = _platform("auto", tree, url, text)
    return L.analyse_page(tree, url, L.rules_for_platform(plat), [], articles_only=True)


def _strip(links: list[L.Link]) -> list[tuple]:
    return [(x.url, x.text, x.region, x.listed_at) for x in links]


def _same_as_separately_parsed(body: bytes, url: str) -> None:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    result = process_page(body, HtmlResponse, url, headers, 200, "auto", [], "article")
    if result.links is None:
        return
    expected = _separately_parsed(body, url, headers)
    assert _strip(result.links.articles) == _strip(expected.articles), url
    assert result.links.listings == [] and result.links.pages == []


def test_article_links_of_every_fixture_page_are_those_of_a_separate_parse() -> None:
    for page in sorted(PAGES.glob("*.html")):
        url = page.with_suffix(".url").read_text(encoding="utf-8").strip()
        _same_as_separately_parsed(page.read_bytes(), url)


def test_comments_around_and_inside_links_do_not_change_their_text() -> None:
    body = ("<!DOCTYPE html><!-- saved --><html><head><title>Tin</title></head><body>"
            "<div class='news'><!-- list --> <a href='/tin-tuc/a-1.html'><b>Hội nghị</b>"
            "<!-- x -->  <span>tổng kết</span></a><?php echo 1; ?>\n"
            "<a href='/tin-tuc/b-2.html'>Kỳ họp<!-- y --> thứ <!---->nhất</a><!bogus>"
            "<a href='/tin-tuc/c-3.html'><!-- z -->Tiếp xúc cử tri</a></div>"
            "<p>Nội dung bài viết đủ dài để là một bài báo. " * 5 + "</p></body></html>")
    _same_as_separately_parsed(body.encode(), "https://x.gov.vn/tin-tuc/bai-0.html")


def test_a_page_nested_past_the_default_parsers_limit_is_parsed_again() -> None:
    deep = "<div>" * 300 + "<a href='/tin-tuc/sau-9.html'>Tin sâu</a>" + "</div>" * 300
    body = ("<html><head><title>Tin</title></head><body><a href='/tin-tuc/truoc-1.html'>"
            f"Tin trước</a>{deep}<a href='/tin-tuc/sau-2.html'>Tin sau</a></body></html>")
    _same_as_separately_parsed(body.encode(), "https://x.gov.vn/tin-tuc/bai-0.html")


def test_a_fragment_is_parsed_again() -> None:
    body = "<p>Tin</p><a href='/tin-tuc/a-1.html'>Một tin</a>"
    _same_as_separately_parsed(body.encode(), "https://x.gov.vn/tin-tuc/bai-0.html")


def test_parses_to_refuses_a_tree_nested_past_the_default_limit() -> None:
    from lxml import etree

    text = "<html><body>" + "<div>" * 300 + "x" + "</div>" * 300 + "</body></html>"
    root = etree.fromstring(text, etree.HTMLParser(huge_tree=True))
    assert not L.parses_to(text, root)
    shallow = "<html><body><div>x</div></body></html>"
    assert L.parses_to(shallow, etree.fromstring(shallow, etree.HTMLParser()))
