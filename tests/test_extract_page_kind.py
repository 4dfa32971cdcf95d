"""Page-kind building blocks: front-page URLs, repeated list items, pagers."""

from __future__ import annotations

import pytest
from lxml import etree

from scraper.encoding import decode_page
from scraper.page_kind import has_pager, is_home_url, link_stats
from tests.extract_helpers import page


def tree(name: str) -> etree._Element:
    return etree.fromstring(decode_page(page(name).data).text, etree.HTMLParser())


@pytest.mark.parametrize(
    "url",
    [
        "https://pholu.laocai.gov.vn/",
        "https://pholu.laocai.gov.vn",
        "https://sotttt.hanoi.gov.vn/trang-chu",
        "https://sotttt.hanoi.gov.vn/web/so-tttthn/trang-chu",
        "https://baoyen.laocai.gov.vn/Default.aspx",
        "https://x.gov.vn/index.html",
        "https://x.gov.vn/vi/",
        "https://x.gov.vn/?lang=vi",
    ],
)
def test_front_page_urls(url: str) -> None:
    assert is_home_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.gov.vn/tin-tuc",
        "https://x.gov.vn/?p=123",
        "https://x.gov.vn/Default.aspx?pageid=3412",
        "https://x.gov.vn/index.php?com=news&id=5",
        "https://x.gov.vn/tin-tuc/bai-viet-1105750",
        "https://x.gov.vn/web/guest/tin-tuc",
    ],
)
def test_other_urls_are_not_front_pages(url: str) -> None:
    assert not is_home_url(url)


def test_liferay_listing_has_ten_dated_summarised_items() -> None:
    stats = link_stats(tree("liferay_listing_p1"))
    assert (stats.repeated_items, stats.dated_items, stats.summarised_items) == (10, 10, 10)


def test_wordpress_items_group_although_each_has_its_own_numbered_class() -> None:
    assert link_stats(tree("wordpress_category_page2")).repeated_items == 5


@pytest.mark.parametrize(
    "name", ["liferay_listing_p1", "vnportal_listing_postback", "generic_listing_get_pager"]
)
def test_pagers_are_seen(name: str) -> None:
    assert has_pager(tree(name))


def test_an_article_has_no_pager() -> None:
    assert not has_pager(tree("generic_unseen_article"))
