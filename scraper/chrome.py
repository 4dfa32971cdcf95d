"""Chrome removal: everything on a portal page that is not the article.

Two levels, because portals put chrome both in markup and in plain text:
- tree rules (`strip_page_chrome`, `strip_body_chrome`) drop scripts, styles, navigation,
  menus, forms, pagers, share/print/login links and "Tin khác"-style blocks (the heading and
  the list after it), visitor counters;
- paragraph rules (`is_chrome_paragraph`) drop lines that survive in the text: image alt text
  such as "anh tin bai" or "Image banner", counter lines ("Hôm nay: 12"), pager lines
  ("1 2"), "Đăng nhập", "In bài", "Quay lại".

Headings are matched on folded text (no diacritics, lower case), so "TIN ĐÃ ĐƯA",
"Tin đã đưa" and "tin da dua" are one rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from scraper.fold import fold
from scraper.platforms.base import Platform, select_all, squeezed

# Elements that never carry article text.
DROP_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "template",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "label",
    "map",
    "link",
    "meta",
)
# Page-level landmarks dropped when they do not contain the article.
LANDMARK_TAGS: tuple[str, ...] = ("nav", "menu", "aside")

# Headings that open a block of other articles: the heading and the list after it go.
OTHER_NEWS_HEADINGS: frozenset[str] = frozenset(
    fold(h)
    for h in (
        "Tin khác",
        "Các tin khác",
        "Tin đã đưa",
        "Các tin đã đưa",
        "Other News",
        "Other news",
        "Tin liên quan",
        "Các tin liên quan",
        "Bài viết liên quan",
        "Bài liên quan",
        "Tin cùng chuyên mục",
        "Tin cùng loại",
        "Xem thêm",
        "Tin bài khác",
        "Bài viết khác",
        "Các bài viết khác",
        "Tin mới",
        "Tin mới nhất",
        "Tin mới hơn",
        "Tin cũ hơn",
        "Tin xem nhiều",
        "Tin đọc nhiều",
        "Related news",
        "Related posts",
    )
)
# Headings of visitor-counter blocks.
COUNTER_HEADINGS: frozenset[str] = frozenset(
    fold(h)
    for h in (
        "Thống kê truy cập",
        "Số lượng truy cập",
        "Lượt truy cập",
        "Thống kê lượt truy cập",
        "Số lượt truy cập",
        "Visitor statistics",
        "Thống kê",
    )
)
_COUNTER_LABELS = (
    "dang online|dang truy cap|hom nay|hom qua|trong tuan|tuan nay|trong thang|thang nay|"
    "tat ca|tong|tong so|tong truy cap|so luot nguoi xem|luot xem|so luot xem|luot truy cap|"
    "so luong truy cap|truy cap|online|visitors|views|da xem"
)
_COUNTER_LINE = re.compile(rf"^(?:[•·*\-]\s*)?(?:{_COUNTER_LABELS})\s*[:：]?\s*[\d.,\s]*$")
# Links and lines that are page tools, not text.
_TOOL_TEXTS = (
    "dang nhap|dang ky|dang xuat|in bai|in bai viet|in trang|ban in|gui email|gui mail|"
    "gui cho ban be|quay lai|tro ve|tro lai|ve dau trang|len dau trang|dau trang|chia se|"
    "print|send email|send mail|back|share|top|facebook|twitter|zalo|email|tweet|like|"
    "trang chu|home|xem tiep|doc tiep|xem them|chi tiet|phan hoi|binh luan|gop y|"
    "trang truoc|trang sau|tiep|dau tien|cuoi cung|next|previous|prev|first|last"
)
_TOOL_LINE = re.compile(rf"^[\s«»‹›<>|←→\-–.:]*(?:(?:{_TOOL_TEXTS})[\s«»‹›<>|←→\-–.:]*)+$")
# Image alt/banner text that leaks into copied text.
_ALT_LINE = re.compile(
    r"^(?:anh tin bai|anh bai viet|anh minh hoa|hinh anh|image banner|banner|image|anh|photo|"
    r"logo|no image|anh dai dien|hinh minh hoa)$"
)
# A pager line: numbers, arrows and page words only ("1 2", "« 1 2 3 »", "Trang 1 2 3").
_PAGER_LINE = re.compile(r"^(?:trang\s*)?(?:[\d\s|«»‹›<>.…\-–]|&lt;|&gt;|\.\.\.)+$")
_CLASS_CHROME = re.compile(
    r"(?:^|[\s_-])(?:menu|navbar|nav|breadcrumbs?|pager|pagination|paging|footer|banner|"
    r"share|social|print|toolbar|login|search|counter|thongke|thong-ke|visitor|tags?|"
    r"sidebar|widget|advert|ads|quangcao|quang-cao|lienket|lien-ket|weblink|marquee|"
    r"related|other-?news|tinkhac|tin-khac|relate)(?:$|[\s_-])",
    re.I,
)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@lru_cache(maxsize=16384)
def fold_short(text: str) -> str:
    """Folded text with punctuation at the ends and inner whitespace normalised.

    Remembered: it is asked of short lines (headings, tool links, captions) that a site's
    templates repeat on every page."""
    return " ".join(fold(text).strip(" \t\r\n:：.-–|»«>").split())


def is_other_news_heading(text: str) -> bool:
    return len(text) < 60 and fold_short(text) in OTHER_NEWS_HEADINGS


def is_counter_heading(text: str) -> bool:
    return len(text) < 60 and fold_short(text) in COUNTER_HEADINGS


def is_chrome_paragraph(text: str) -> bool:
    """True when a text line is page chrome (alt text, counter, pager, tool link, heading)."""
    if len(text) > 80:
        return False
    f = fold_short(text)
    if not f:
        return True
    return bool(
        _ALT_LINE.match(f)
        or _COUNTER_LINE.match(f)
        or _TOOL_LINE.match(f)
        or _PAGER_LINE.match(f)
        or f in OTHER_NEWS_HEADINGS
        or f in COUNTER_HEADINGS
    )


def _own_text(el: etree._Element) -> str:
    return squeezed(el)


def _protected(el: etree._Element, keep: set[etree._Element]) -> bool:
    """True when `el` is a kept element (or contains one): never drop the article itself."""
    return el in keep


def keep_set(*nodes: etree._Element | None) -> set[etree._Element]:
    """`nodes` and all their ancestors: elements chrome removal must not drop.

    A set of elements, not of id()s: holding the lxml proxies keeps their identity stable
    (an id() of a proxy that was freed can be reused by another element's proxy).
    """
    out: set[etree._Element] = set()
    for node in nodes:
        while node is not None:
            out.add(node)
            node = node.getparent()
    return out


def drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        tail = _NOT_XML.sub("", tail)  # entities such as &#1; decode to characters lxml refuses
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def strip_page_chrome(root: etree._Element) -> None:
    """Drop what is chrome on any page: scripts, styles, comments, form controls."""
    # one walk finds both (removing a comment moves no element), and the comments still go
    # first: where a tail ends up depends on that order
    found = list(root.iter(etree.Comment, etree.ProcessingInstruction, *DROP_TAGS))
    for el in found:
        if not isinstance(el.tag, str):
            drop(el)
    for el in found:
        if isinstance(el.tag, str):
            drop(el)


def remove_block_after_heading(heading: etree._Element, keep: set[etree._Element]) -> bool:
    """Remove a heading (climbing out of wrappers that hold only it) and what follows it.

    "Tin khác" blocks are a heading followed by a list. When the heading is the first thing
    of a container that holds little besides links, the container goes; otherwise the heading
    and its following siblings go.
    """
    node = heading
    text = _own_text(node)
    while True:
        parent = node.getparent()
        if parent is None or _protected(parent, keep):
            break
        if _own_text(parent) == text:
            node = parent
            continue
        break
    parent = node.getparent()
    if parent is None:
        return False
    # a container that starts with the heading and is a link list: remove it whole
    if (
        not _protected(parent, keep)
        and parent.getparent() is not None
        and _starts_with(parent, node)
        and _link_density(parent) > 0.5
    ):
        drop(parent)
        return True
    following = list(node.itersiblings())
    if any(_protected(s, keep) for s in following):
        following = []
    for sib in following:
        drop(sib)
    if not _protected(node, keep):
        drop(node)
    return True


def _starts_with(parent: etree._Element, node: etree._Element) -> bool:
    if parent.text and parent.text.strip():
        return False
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        return child is node
    return False


def _link_density(el: etree._Element) -> float:
    total = len(squeezed(el))
    if not total:
        return 0.0
    links = sum(len(squeezed(a)) for a in el.iter("a"))
    return links / total


def _text_up_to(el: etree._Element, limit: int) -> str | None:
    """`text_of(el)` when it is at most `limit` characters long, else None: reading only as
    much of the text as it takes (a container's whole text is not joined), and only once."""
    if not len(el):  # no children (most elements): the text is the element's own
        text = el.text or ""
        return text if len(text) <= limit else None
    pieces = []
    n = 0
    for piece in el.itertext():
        n += len(piece)
        if n > limit:
            return None
        pieces.append(piece)
    return "".join(pieces)


def strip_headed_blocks(root: etree._Element, keep: set[etree._Element]) -> None:
    """Remove "Tin khác"/"Tin đã đưa"/"Other News" and visitor-counter blocks under `root`."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in ("html", "body"):
            continue
        text = _text_up_to(el, 120)
        if text is None:
            continue
        stripped = " ".join(text.split())
        if not stripped:
            continue
        # is_other_news_heading(stripped) or is_counter_heading(stripped), folding once
        if len(stripped) < 60 and (
            (folded := fold_short(stripped)) in OTHER_NEWS_HEADINGS or folded in COUNTER_HEADINGS
        ):
            # only the innermost element holding the heading text triggers the rule
            if any(_own_text(c) == stripped for c in el if isinstance(c.tag, str)):
                continue
            if contains(root, el):
                remove_block_after_heading(el, keep)


def contains(outer: etree._Element | None, inner: etree._Element | None) -> bool:
    """True when `inner` is `outer` or lies inside it (still attached: not removed)."""
    node = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


def strip_tool_links(root: etree._Element, keep: set[etree._Element]) -> None:
    """Drop share/print/login/back links and the pager blocks."""
    for a in list(root.iter("a")):
        if _protected(a, keep):
            continue
        text = squeezed(a)
        href = a.get("href") or ""
        if (text and is_chrome_paragraph(text)) or href.startswith(("javascript:", "mailto:")):
            if href.startswith("javascript:__doPostBack") and not text:
                continue
            drop(a)


@lru_cache(maxsize=16384)
def _chrome_classed(cls: str | None, id_: str | None) -> bool:
    """Do an element's class and id name chrome (menu, pager, share, related, ...)?
    Remembered per (class, id): a site's templates repeat a few."""
    tokens = f"{cls or ''} {id_ or ''}"
    return bool(tokens.strip()) and _CLASS_CHROME.search(tokens) is not None


def strip_landmarks(root: etree._Element, keep: set[etree._Element]) -> None:
    """Drop navigation, menus, headers, footers, small forms and chrome-classed blocks.

    Guarded so the article is never lost: nothing holding a kept element or an h1 goes, a
    `form` goes only when small (ASP.NET wraps whole pages in one form), and a chrome-classed
    block only when it is mostly links or short.
    """
    for el in list(root.iter(*LANDMARK_TAGS, "header", "footer", "form")):
        if _protected(el, keep) or el.getparent() is None:
            continue
        if el.tag in ("header", "footer") and _inside_article(el):
            continue
        if next(el.iter("h1"), None) is not None and el.tag != "nav":
            continue
        size = len(squeezed(el))
        if el.tag == "form" and size > 300:
            continue
        if el.tag in ("header", "footer", "aside") and size > 600 and _link_density(el) < 0.3:
            continue
        drop(el)
    for el in list(root.iter("div", "ul", "ol", "section", "table", "td", "span", "p")):
        if _protected(el, keep) or el.getparent() is None:
            continue
        if not _chrome_classed(el.get("class"), el.get("id")):
            continue
        if next(el.iter("h1"), None) is not None:
            continue
        size = len(squeezed(el))
        if size < 150 or _link_density(el) > 0.4:
            drop(el)


def _inside_article(el: etree._Element) -> bool:
    node = el.getparent()
    while node is not None:
        if node.tag in ("article", "main"):
            return True
        node = node.getparent()
    return False


def strip_body_chrome(body: etree._Element, platform: Platform, html: str | None = None) -> None:
    """Clean the chosen article body in place: platform chrome, other-news, counters, tools.

    `html`: the page source `body` was parsed from; other-news selectors naming what it lacks
    are skipped (they are asked for again on the article around the body). The chrome
    selectors run unchecked: in a body their lookup costs about what the check would.
    """
    keep = keep_set(body)
    news = select_all(body, platform.other_news, html)
    seen = set(news)  # as select_all(body, other_news + chrome): in that order, no repeats
    for el in news + [el for el in select_all(body, platform.chrome) if el not in seen]:
        if not _protected(el, keep):
            drop(el)
    strip_headed_blocks(body, keep)
    strip_tool_links(body, keep)
    for el in list(body.iter(*LANDMARK_TAGS, "form")):
        if not _protected(el, keep):
            drop(el)
    for el in list(body.iter("div", "ul", "ol", "table", "section")):
        if _protected(el, keep):
            continue
        if _chrome_classed(el.get("class"), el.get("id")) and _link_density(el) > 0.3:
            drop(el)
