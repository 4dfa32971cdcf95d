"""Platform profiles: detection on every fixture, selectors, and the crawl rules."""

from __future__ import annotations

import dataclasses
import json
import pkgutil
import re
from urllib.parse import urljoin

import lxml.html
import pytest

import scraper.platforms as platforms
from scraper.encoding import decode_page
from scraper.platforms import PLATFORMS, detect, get
from scraper.platforms.base import Platform, compile_css, has_match, matches
from tests.extract_helpers import fixture_pages, page

PAGES = fixture_pages()


def tree(name: str):
    p = page(name)
    text = decode_page(p.data, None).text
    return lxml.html.document_fromstring(text), text, p.url


@pytest.mark.parametrize("p", PAGES, ids=[p.name for p in PAGES])
def test_platform_detected_on_each_fixture(p) -> None:
    want = json.loads(p.golden_path.read_text(encoding="utf-8"))["platform"]
    root = lxml.html.document_fromstring(decode_page(p.data, None).text)
    assert detect(root, p.url).name == want


def test_fixture_platforms_cover_every_profile() -> None:
    seen = {json.loads(p.golden_path.read_text(encoding="utf-8"))["platform"] for p in PAGES}
    assert seen == set(PLATFORMS)


def test_every_platform_module_is_registered_and_exports_a_platform() -> None:
    modules = {m.name for m in pkgutil.iter_modules(platforms.__path__)} - {"base"}
    assert modules == set(platforms.PLATFORM_MODULES) == set(PLATFORMS)
    for name, platform in PLATFORMS.items():
        assert isinstance(platform, Platform) and platform.name == name


def test_platforms_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get("liferay").name = "x"  # type: ignore[misc]


def test_get_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="liferay"):
        get("joomla")


def test_every_selector_compiles() -> None:
    for platform in PLATFORMS.values():
        for f in dataclasses.fields(platform):
            value = getattr(platform, f.name)
            if f.name in (
                "title",
                "date",
                "updated",
                "lead",
                "body",
                "byline",
                "caption",
                "other_news",
                "chrome",
                "article_markers",
                "listing_item",
                "listing_link",
                "listing_date",
                "markers",
            ):
                for sel in value:
                    compile_css(sel)


_SELECTOR_FIELDS = ("title", "date", "updated", "lead", "body", "byline", "caption", "other_news",
                    "chrome", "article_markers", "listing_item", "listing_link", "listing_date",
                    "markers")


def test_selectors_match_as_their_xpath_on_every_fixture() -> None:
    """`matches` (a Python walk for `tag.class` chains) finds what cssselect's XPath finds,
    in the same order, from the root and from inner elements; `has_match` agrees."""
    selectors = {s for p in PLATFORMS.values() for f in _SELECTOR_FIELDS for s in getattr(p, f)}
    selectors |= {"DIV.Foo", "div.a.b", "p", "div div", "div div p", "td a", "body div", "html"}
    for p in PAGES:
        root = lxml.html.document_fromstring(decode_page(p.data, None).text)
        nodes = [el for el in root.iter() if isinstance(el.tag, str)][::40] + [root]
        for node in nodes:
            for sel in selectors:
                want = compile_css(sel)(node)
                assert matches(node, sel) == want, (p.name, sel, node.tag)
                assert has_match(node, sel) == bool(want), (p.name, sel, node.tag)


def test_class_tests_read_the_attribute_as_xpath_does() -> None:
    html = (
        '<html class="a\tb"><body><div class="x\ny  z">1<div class="Foo"><p class=" x ">2'
        '<span class="x">3</span></p></div></div><div class="">4<p>5</p></div>'
        '<div class="a b">6<div class="a"><p class="b">7</p></div></div>'
        '<div class="a\xa0b"><p class="xx">8</p></div></body></html>'
    )
    root = lxml.html.document_fromstring(html)
    for sel in ("html.a", "html.b", "div.y", "div.x div.Foo p.x span", "div.Foo", "DIV.Foo",
                "div.a.b", "div div", "div div p", "div p", "div.a p.b", "p span", "div.z",
                "div.x p", "p.x", "div.a"):
        for node in root.iter():
            assert matches(node, sel) == compile_css(sel)(node), (sel, node.tag)


def test_page_without_evidence_is_generic() -> None:
    root = lxml.html.document_fromstring("<html><body><p>Xin chào</p></body></html>")
    assert detect(root, "https://x.gov.vn/").name == "generic"


def test_wordpress_detected_by_generator_meta_alone() -> None:
    root = lxml.html.document_fromstring(
        '<html><head><meta name="generator" content="WordPress 6.4"></head><body></body></html>'
    )
    assert detect(root, "https://x.gov.vn/").name == "wordpress"


# --- crawl rules --------------------------------------------------------------------------


def _links(name: str) -> list[str]:
    root, _, url = tree(name)
    return [urljoin(url, a.get("href")) for a in root.iter("a") if a.get("href")]


def test_liferay_listing_links_match_article_and_pagination_rules() -> None:
    liferay = get("liferay")
    root, _, url = tree("liferay_listing_p1")
    items = [a.get("href") for a in compile_css("h3.asset-title a")(root)]
    assert len(items) == 10
    # HTTrack rewrote the links; the original form carries /-/view_content/<id>
    assert all(liferay.is_article_url("https://sotttt.hanoi.gov.vn/" + h) for h in items)
    pages = [h for h in _links("liferay_listing_p1") if "_101_cur=" in h]
    assert pages and all(liferay.is_listing_url(h) for h in pages)
    assert liferay.pagination.params == ("_101_cur",)


def test_vnportal_postback_pager_is_described() -> None:
    vnportal = get("vnportal")
    pager = vnportal.postback_pager
    assert pager is not None
    _, text, _ = tree("vnportal_listing_postback")
    text = text.replace("&#39;", "'")
    calls = re.findall(pager.link_pattern, text)
    assert calls[:2] == [
        ("ctl00$ContentPlaceHolder1$ucListNews$gvList", "Page$2"),
        ("ctl00$ContentPlaceHolder1$ucListNews$gvList", "Page$3"),
    ]
    assert re.fullmatch(pager.target_pattern, calls[0][0])
    assert pager.argument_format.replace("{n}", "2") == "Page$2"


def test_vnportal_article_urls_match_and_listing_url_matches() -> None:
    vnportal = get("vnportal")
    articles = [h for h in _links("vnportal_listing_postback") if re.search(r"-\d{7}$", h)]
    assert len(articles) == 5
    assert all(vnportal.is_article_url(h) for h in articles)
    assert vnportal.is_listing_url(page("vnportal_listing_postback").url)
    assert not vnportal.is_article_url(page("vnportal_listing_postback").url)


def test_wordpress_pagination_is_the_page_path() -> None:
    wp = get("wordpress")
    assert re.search(wp.pagination.path_patterns[0], "/category/tin-tuc/page/2/").group(1) == "2"
    assert wp.is_article_url(page("wordpress_commune_article").url)


def test_sharepoint_item_urls_are_articles() -> None:
    sp = get("sharepoint_lacviet")
    assert sp.is_article_url(page("sharepoint_lacviet_article").url)
    assert all(sp.is_article_url(h) for h in _links("sharepoint_lacviet_article") if "ItemID=" in h)


def test_generic_rules_recognise_common_article_and_page_urls() -> None:
    generic = get("generic")
    assert generic.is_article_url(page("generic_unseen_article").url)
    assert generic.is_listing_url("https://x.gov.vn/tin-tuc?page=3")
    assert "Trang sau" in generic.pagination.next_texts


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("liferay", "https://sotttt.hanoi.gov.vn/c/portal/login?p_l_id=1"),
        ("liferay", "https://sotttt.hanoi.gov.vn/tin?p_p_id=101&p_p_state=pop_up"),
        ("sharepoint_lacviet", "https://baoyen.laocai.gov.vn/_layouts/Authenticate.aspx"),
        ("vnportal", "https://pholu.baothang.laocai.gov.vn/dang-nhap.aspx"),
        ("wordpress", "https://banlau.muongkhuong.laocai.gov.vn/wp-login.php"),
        ("wordpress", "https://banlau.muongkhuong.laocai.gov.vn/feed/"),
        ("generic", "mailto:vanthu@laocai.gov.vn"),
    ],
)
def test_urls_never_worth_fetching_are_ignored(name: str, url: str) -> None:
    assert get(name).is_ignored_url(url)


def test_article_and_postback_links_are_not_ignored() -> None:
    assert not get("vnportal").is_ignored_url(page("vnportal_pholu_notice").url)
    assert not get("vnportal").is_ignored_url("javascript:__doPostBack('a$gvList','Page$2')")
    assert not get("liferay").is_ignored_url(page("liferay_article_4417996").url)
