"""process_page parses a page once: the link analysis reads extraction's tree when that is
what parsing the crawler's text would give, and finds exactly the links the analysis of a
separate parse finds."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse

from spiders import links as L
from spiders.pages import _platform, process_page

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _separately_parsed(body: bytes, url: str, headers: dict[str, str], articles_only: bool
                       ) -> tuple[L.PageLinks, int | None]:
    """The link analysis of the page parsed on its own, as before parse-once."""
    text = HtmlResponse(url, body=body, headers=headers).text
    tree = L.parse_html(text)
    plat = _platform("auto", tree, url, text)
    page = L.analyse_page(tree, url, L.rules_for_platform(plat), [], articles_only=articles_only)
    return page, L.current_postback_page(tree) if page.postbacks else None


def _strip(links: list[L.Link]) -> list[tuple]:
    return [(x.url, x.text, x.region, x.listed_at) for x in links]


def _same_as_separately_parsed(body: bytes, url: str, links_for: str = "article") -> None:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    result = process_page(body, HtmlResponse, url, headers, 200, "auto", [], links_for)
    if result.links is None:
        return
    articles_only = links_for == "article" or result.record["kind"] == "article"
    expected, current = _separately_parsed(body, url, headers, articles_only)
    assert _strip(result.links.articles) == _strip(expected.articles), url
    assert _strip(result.links.listings) == _strip(expected.listings), url
    assert result.links.pages == expected.pages, url
    assert result.links.postbacks == expected.postbacks, url
    assert result.links.feeds == expected.feeds, url
    assert result.current_postback == current, url


def test_article_links_of_every_fixture_page_are_those_of_a_separate_parse() -> None:
    for page in sorted(PAGES.glob("*.html")):
        url = page.with_suffix(".url").read_text(encoding="utf-8").strip()
        _same_as_separately_parsed(page.read_bytes(), url)


def test_all_links_of_every_fixture_page_are_those_of_a_separate_parse() -> None:
    for page in sorted(PAGES.glob("*.html")):
        url = page.with_suffix(".url").read_text(encoding="utf-8").strip()
        _same_as_separately_parsed(page.read_bytes(), url, "listing")


def test_the_current_postback_page_is_read_with_comments_kept() -> None:
    page = PAGES / "vnportal_listing_postback.html"
    url = page.with_suffix(".url").read_text(encoding="utf-8").strip()
    html = page.read_text(encoding="utf-8")
    assert "<span>1</span>" in html
    for current in ("<span><!-- c -->1</span>", "<span>1<!-- c --></span>"):
        _same_as_separately_parsed(html.replace("<span>1</span>", current, 1).encode(), url,
                                   "listing")


def test_comments_around_and_inside_links_do_not_change_their_text() -> None:
    body = ("<!DOCTYPE html><!-- saved --><html><head><title>Tin</title></head><body>"
            "<div class='news'><!-- list --> <a href='/tin-tuc/a-1.html'><b>Hội nghị</b>"
            "<!-- x -->  <span>tổng kết</span></a><?php echo 1; ?>\n"
            "<a href='/tin-tuc/b-2.html'>Kỳ họp<!-- y --> thứ <!---->nhất</a><!bogus>"
            "<a href='/tin-tuc/c-3.html'><!-- z -->Tiếp xúc cử tri</a></div>"
            "<p>Nội dung bài viết đủ dài để là một bài báo. " * 5 + "</p></body></html>")
    _same_as_separately_parsed(body.encode(), "https://x.gov.vn/tin-tuc/bai-0.html")
    _same_as_separately_parsed(body.encode(), "https://x.gov.vn/tin-tuc/bai-0.html", "listing")


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
