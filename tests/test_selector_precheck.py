"""The cheap selector pre-check (`may_match`): it skips a selector only when the page's source
cannot hold a match, so `select` with the source finds exactly what it finds without it."""

from __future__ import annotations

import pytest
from lxml import etree

from scraper.extract import _parse
from scraper.platforms import PLATFORMS
from scraper.platforms.base import may_match, select, select_all


def _page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def test_attribute_value_absent_from_the_source_skips_the_selector() -> None:
    html = _page('<table id="ctl00_gvNews"><tr><td>x</td></tr></table>')
    assert not may_match("table[id$=gvList]", html)


def test_attribute_value_in_the_source_runs_the_selector() -> None:
    html = _page('<table id="ctl00_main_gvList"><tr><td>x</td></tr></table>')
    assert may_match("table[id$=gvList]", html)


def test_quoted_attribute_value_is_the_piece_looked_for() -> None:
    html = _page('<p><a href="/x.pdf">x</a></p>')
    assert not may_match("link[href*='/wp-content/']", html)
    assert may_match("link[href*='/wp-content/']", html + '<link href="/wp-content/a.css">')


def test_dot_inside_an_attribute_value_is_no_class_name() -> None:
    # ".pdf" is an attribute value: "pdf" need not be a class, only a substring of the page
    assert may_match("a[href$='.pdf']", _page('<a href="/doc.pdf">d</a>'))


@pytest.mark.parametrize(
    "written",
    ["gv&#76;ist", "gv&#0076;ist", "gv&#x4c;ist", "gv&#X4C;ist", "gv&#76ist", "gv&lowbar;List"],
)
def test_a_character_reference_that_may_spell_the_piece_disables_the_skip(written: str) -> None:
    html = _page(f'<table id="ctl00_{written}"><tr><td>x</td></tr></table>')
    root = _parse(html)
    assert select(root, ("table[id*=gv]",), html) == select(root, ("table[id*=gv]",))
    assert may_match("table[id$=gvList]", html)


def test_class_spelled_with_a_reference_is_still_found() -> None:
    html = _page('<div class="other&#45;news"><a href="/a">a</a></div>')
    root = _parse(html)
    found = select_all(root, ("div.other-news",), html)
    assert [el.get("class") for el in found] == ["other-news"]


def test_references_to_vietnamese_letters_keep_the_skip() -> None:
    html = _page('<p class="x">Th&#244;ng b&#225;o &#7871; &amp; &eacute;</p>')
    assert not may_match("div.other-news", html)


def test_named_html5_reference_to_a_full_stop_is_decoded_by_the_parser() -> None:
    # why `&period;` and its kind count as spelling references: libxml2 decodes them
    root = _parse(_page('<div id="a&period;b">x</div>'))
    assert root.find(".//div").get("id") == "a.b"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_skipping_never_changes_what_a_platform_selector_finds(name: str) -> None:
    # a page holding some platforms' names and lacking others: with or without the source,
    # each selector gives the same elements
    html = _page('<div class="news-detail"><h2 class="title-detail">T</h2>'
                 '<div class="content-detail"><p class="caption">c</p></div></div>'
                 '<table id="x_gvList"><tr class="item"><td>i</td></tr></table>')
    root: etree._Element = _parse(html)
    p = PLATFORMS[name]
    for field in ("markers", "title", "date", "lead", "body", "byline", "caption",
                  "other_news", "chrome", "article_markers", "listing_item", "listing_link"):
        for sel in getattr(p, field):
            assert select(root, (sel,), html) == select(root, (sel,)), sel
