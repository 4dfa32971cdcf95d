"""An unseen template: no selectors; the generic extractor scores blocks instead.

Most of the ~10,000 unit portals run templates nobody profiled. For them extraction finds the
main block by text density and link density (`scraper.extract`), the title from og:title /
h1 / <title> minus the site name, and the date by the preference chain. Crawl rules are the
common ones: `?page=N`, `/page/N/`, "Trang sau"/"Tiếp" links and numbered pager links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from scraper.platforms.base import Pagination, Platform, squeezed, text_of

PLATFORM = Platform(
    name="generic",
    article_url_patterns=(
        r"-\d{4,}(?:\.html?|\.aspx)?/?$",
        r"/\d{4}/\d{2}/[\w%-]+",
        r"[?&](?:id|newsid|ItemID|articleid|nid)=\d+",
        r"/(?:tin-tuc|news|bai-viet|chi-tiet)/[\w%-]+",
    ),
    listing_url_patterns=(
        r"[?&](?:page|Page|p|trang)=\d+",
        r"/page/\d+/?$",
        r"/(?:danh-muc|category)/",
    ),
    pagination=Pagination(
        params=("page", "Page", "trang", "p", "paged"),
        path_patterns=(r"/page/(\d+)/?$", r"/trang-(\d+)/?$", r"/p(\d+)/?$"),
        container=("div.pagination", "ul.pagination", "div.pager", "div.paging", "nav.pagination"),
    ),
)


# --- the generic extractor's block scoring ----------------------------------------------------

_POSITIVE = re.compile(
    r"article|content|detail|chitiet|chi-tiet|noidung|noi-dung|entry|post|news-?body|body|"
    r"main|story|text|baiviet|bai-viet|fulltext",
    re.I,
)
_NEGATIVE = re.compile(
    r"comment|footer|foot|sidebar|side|menu|nav|banner|header|related|other|tinkhac|tin-khac|"
    r"widget|advert|ads|share|social|counter|thongke|lienket|weblink|marquee|breadcrumb|"
    r"hot|most|top|popular|login|search|pager|paging|pagination|tags|list",
    re.I,
)
_PARAGRAPH_TAGS = (
    "p",
    "div",
    "td",
    "pre",
    "blockquote",
    "li",
    "span",
    "font",
    "section",
    "article",
)
_BLOCK_CHILDREN = frozenset(
    [
        "p",
        "div",
        "table",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "form",
        "dl",
    ]
)


@dataclass(slots=True)
class Block:
    """The main text block chosen by scoring, with its measures."""

    node: etree._Element | None
    score: float
    text_len: int  # characters of non-link text
    title_links: int  # links inside it long enough to be article titles


def _class_weight(el: etree._Element) -> float:
    cls = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
    return _weight_of(cls) if cls else 1.0


@lru_cache(maxsize=4096)
def _weight_of(cls: str) -> float:
    weight = 1.0
    if _NEGATIVE.search(cls):
        weight *= 0.3
    if _POSITIVE.search(cls):
        weight *= 1.6
    return weight


def _direct_text_len(el: etree._Element) -> int:
    """Length of the text this element holds outside block-level children."""
    n = len((el.text or "").strip())
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _BLOCK_CHILDREN:
            if tag == "a":
                n += 0  # links are not article text
            elif tag:
                n += len(squeezed(child))
        n += len((child.tail or "").strip())
    return n


def find_main_block(root: etree._Element) -> Block:
    """The element holding the page's main text, by text and link density.

    Each paragraph-like element with enough own text gives points to its parent (full) and
    grandparent (half); points are weighted by class/id hints and by (1 - link density).
    """
    scores: dict[etree._Element, float] = {}
    for el in root.iter(*_PARAGRAPH_TAGS):
        n = _direct_text_len(el)
        if n < 25:
            continue
        points = 1.0 + min(n / 100.0, 3.0) + text_of(el).count(",") * 0.1
        parent = el.getparent()
        if parent is None:
            continue
        if el.tag in ("td", "div", "article", "section"):
            scores[el] = scores.get(el, 0.0) + points
        scores[parent] = scores.get(parent, 0.0) + points
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + points / 2
    best: etree._Element | None = None
    best_score = 0.0
    link_lens: dict[etree._Element, int] = {}  # an anchor lies under several candidates
    for el, score in scores.items():
        if el.tag == "html":
            continue
        total = len(squeezed(el))
        if not total:
            continue
        links = 0
        for a in el.iter("a"):
            n = link_lens.get(a)
            if n is None:
                n = link_lens[a] = len(squeezed(a))
            links += n
        density = links / total
        final = score * _class_weight(el) * (1.0 - density)
        if el.tag == "body":
            final *= 0.5  # text straight under <body>: only when no container holds it
        if final > best_score:
            best, best_score = el, final
    if best is None:
        return Block(None, 0.0, 0, 0)
    total = squeezed(best)
    links = [squeezed(a) for a in best.iter("a")]
    link_len = sum(len(t) for t in links)
    title_links = sum(1 for t in links if len(t) >= 25 and len(t.split()) >= 5)
    return Block(best, best_score, len(total) - link_len, title_links)
