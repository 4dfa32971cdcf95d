"""What kind of page this is: article, listing, home, not_found or error.

Portals answer soft 404s ("Không tìm thấy") and refusals ("Access denied", "An error
occurred") with HTTP 200 inside full chrome; such pages must never become articles. Home
pages and listings are recognised by structure (many title links, repeated items of title
link + date + summary, a pager) so that unseen templates are classified too.

Decision order: HTTP status → soft error markers → home URL → the platform's article markup →
the platform's listing markup → generic structure (main text block vs repeated link items).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from scraper.platforms.base import Platform, select, squeezed, text_of

# Whole-heading / whole-title-segment forms of a soft 404.
_NOT_FOUND_EXACT = re.compile(
    r"^(?:(?:lỗi|error)\s*)?(?:404|410)?\s*[-:.!]?\s*(?:"
    r"không tìm thấy(?: trang| nội dung| bài viết| tài nguyên| trang yêu cầu)?|"
    r"tài nguyên không được tìm thấy|trang không tồn tại|bài viết không tồn tại|"
    r"nội dung không tồn tại|đường dẫn không tồn tại|trang bạn tìm kiếm không tồn tại|"
    r"page not found|not found|file not found|the page cannot be found|"
    r"the resource cannot be found|404 not found|404)?\s*[-:.!]?\s*(?:404|410)?$"
)
# Whole-heading / whole-title-segment forms of an error or refusal page.
_ERROR_EXACT = re.compile(
    r"^(?:lỗi|error|access denied|an error occurred(?: while processing your request)?|"
    r"đã (?:xảy ra|có) lỗi|có lỗi xảy ra|request rejected|the requested url was rejected|"
    r"forbidden|403 forbidden|service unavailable|503 service unavailable|bad request|"
    r"internal server error|500 internal server error|runtime error|server error|"
    r"server error in '/' application|truy cập bị từ chối|website đang bảo trì|"
    r"hệ thống đang bảo trì|under maintenance|web page blocked|attention required)[\s.!:]*$"
)
# Phrases that mark a soft 404 / error when the page has little main text.
_NOT_FOUND_PHRASES = (
    "không tìm thấy",
    "không được tìm thấy",
    "không tồn tại",
    "page not found",
    "could not be found",
    "cannot be found",
    "was not found",
    "404",
)
_ERROR_PHRASES = (
    "access denied",
    "an error occurred",
    "đã xảy ra lỗi",
    "có lỗi xảy ra",
    "request rejected",
    "was rejected",
    "forbidden",
    "you don't have permission",
    "truy cập bị từ chối",
    "your support id is",
    "server error",
    "runtime error",
    "service unavailable",
    "lỗi hệ thống",
    "đang bảo trì",
)
_TITLE_SPLIT = re.compile(r"\s+[-|–—:»/]\s+|\s*\|\s*")
_HOME_PATHS = re.compile(
    r"^/?(?:index\.(?:html?|php|aspx?|jsp)|default\.aspx?|home(?:page)?|trang-?chu(?:\.html?)?|"
    r"vi|vn|en|web/[\w-]+(?:/home|/trang-?chu)?|portal(?:/home)?|pages/(?:home|default)\.aspx|"
    r"(?:[\w-]+/){1,3}(?:trang-?chu|home)(?:\.html?|\.aspx)?)?/?$",
    re.I,
)
_DATE_TEXT = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b")
_PAGER_HINT = re.compile(
    r"__doPostBack\([^)]*Page\$|[?&](?:_101_cur|page|Page|paged|trang|p)=\d+|/page/\d+/?$"
)
_PAGER_TEXTS = frozenset(
    ["trang sau", "tiếp", "tiếp theo", "next", "sau", "»", "›", ">>", "trang tiếp", "cuối"]
)


def _lower(s: str) -> str:
    s = " ".join(s.split()).lower()
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return s


def _segments(title: str) -> list[str]:
    return [s for s in (_lower(p) for p in _TITLE_SPLIT.split(title)) if s]


# A login wall: the page's own title or h1 says so (a sidebar "Đăng nhập" widget does not).
_LOGIN_EXACT = re.compile(
    r"^(?:đăng nhập(?: hệ thống| quản trị)?|login|log in|sign in|user login)[\s.!:]*$"
)
_ERROR_WORD = re.compile(r"^(?:lỗi|error)\s*[-:.!]?\s*")


def _is_not_found(text: str) -> bool:
    """A whole heading/title segment saying "not found" (a bare "Lỗi" is an error page)."""
    if not text or len(text) >= 70 or not _NOT_FOUND_EXACT.match(text):
        return False
    return bool(_ERROR_WORD.sub("", text).strip(" -:.!"))


def _squeezes_below(text: str, limit: int) -> bool:
    """`len(" ".join(text.split())) < limit`, without splitting a whole article body.

    Squeezing a prefix of `text` gives a prefix of the squeezed text, so a prefix that
    squeezes to `limit` characters already proves the answer is no (main texts are
    squeezed lines: their first 2 * limit characters nearly always do)."""
    if len(text) < limit:
        return True  # squeezing never lengthens
    if len(" ".join(text[: 2 * limit].split())) >= limit:
        return False
    return len(" ".join(text.split())) < limit


def soft_error(
    root: etree._Element, status: int, title: str, main_text: str, *, login_form: bool = False
) -> tuple[str, str] | None:
    """("not_found" | "error", reason) when the page is a 404/error page, else None.

    `main_text` is the page's visible text without navigation chrome; phrases are searched
    in it only when it is short (a real article may well mention "404" or "lỗi").
    `login_form`: the page has a password field; with a title or h1 saying "Đăng nhập" the
    page is a login wall served instead of content.
    """
    if status in (404, 410):
        return "not_found", f"HTTP status {status}"
    if status >= 400:
        return "error", f"HTTP status {status}"
    segments = _segments(title)
    # every h1-h3 lowered once: the h1s are read for the login wall and as headings
    headings = [(h.tag, _lower(text_of(h))) for h in root.iter("h1", "h2", "h3")]
    login_titled = any(_LOGIN_EXACT.match(seg) for seg in segments) or any(
        _LOGIN_EXACT.match(text) for tag, text in headings if tag == "h1"
    )
    if login_titled and (login_form or len(main_text) < 300):
        return "error", "a login page, not content"
    for seg in segments:
        if _is_not_found(seg):
            return "not_found", f"title says {seg!r}"
        if len(seg) < 70 and _ERROR_EXACT.match(seg):
            return "error", f"title says {seg!r}"
    for _, text in headings:
        if not text or len(text) > 70:
            continue
        if _is_not_found(text):
            return "not_found", f"heading says {text!r}"
        if _ERROR_EXACT.match(text):
            return "error", f"heading says {text!r}"
    # str.lower() never shortens a text and NFC shortens it at most fourfold (no character
    # decomposes canonically into more than four): a long main text cannot lower to < 300,
    # so an article's whole body is not lower-cased for nothing
    if _squeezes_below(main_text, 4 * 300) and len(text := _lower(main_text)) < 300:
        for phrase in _NOT_FOUND_PHRASES:
            if phrase in text:
                return "not_found", f"page says {phrase!r}"
        for phrase in _ERROR_PHRASES:
            if phrase in text:
                return "error", f"page says {phrase!r}"
        lines = [_lower(x) for x in main_text.splitlines() if x.strip()]
        for line in lines[:10]:
            if _ERROR_EXACT.match(line):
                return "error", f"page says {line!r}"
    return None


def is_home_url(url: str) -> bool:
    """True for a site's front page: "/", "/index.html", "/trang-chu", "/Default.aspx"."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.query and not re.fullmatch(r"(?:lang|language|l)=\w+", parts.query):
        return False
    return bool(_HOME_PATHS.match(parts.path or "/"))


@dataclass(slots=True)
class LinkStats:
    """Title-like links of a page region: how many, and how many repeat as list items."""

    title_links: int = 0  # links whose text is long enough to be an article title
    repeated_items: int = 0  # largest group of title links sharing one item structure
    dated_items: int = 0  # of those, items carrying a date
    summarised_items: int = 0  # of those, items carrying text besides the link
    groups: int = 0  # groups of >= 4 repeated title links
    pager: bool = False
    items: list[etree._Element] = field(default_factory=list)  # the largest group's items


def _signature(a: etree._Element) -> tuple[str, ...]:
    sig: list[str] = []
    node = a.getparent()
    for _ in range(4):
        if node is None:
            break
        # ids and numbered classes differ per item ("post-2300"): keep the shared ones
        cls = [c for c in (node.get("class") or "").split() if not any(ch.isdigit() for ch in c)]
        sig.append(f"{node.tag}.{cls[0] if cls else ''}")
        node = node.getparent()
    return tuple(sig)


def _item_of(a: etree._Element) -> etree._Element:
    """The list item holding link `a`: climb while the parent repeats this element's tag."""
    node = a
    for _ in range(6):
        parent = node.getparent()
        if parent is None:
            break
        same = sum(1 for c in parent if c.tag == node.tag)
        if same >= 3 and node is not a:
            return node
        node = parent
    return a.getparent() if a.getparent() is not None else a


def has_pager(root: etree._Element) -> bool:
    """True when the page links to further pages of itself (GET page links or a postback)."""
    for a in root.iter("a"):
        href = a.get("href") or ""
        if _PAGER_HINT.search(href):
            return True
        text = _lower(text_of(a))
        if text in _PAGER_TEXTS:
            return True
    return False


def link_stats(root: etree._Element) -> LinkStats:
    """Count title links and repeated items (title link + date + summary) under `root`."""
    stats = LinkStats()
    groups: dict[tuple[str, ...], list[etree._Element]] = {}
    for a in root.iter("a"):
        href = a.get("href") or ""
        text = squeezed(a)
        if _PAGER_HINT.search(href) or _lower(text) in _PAGER_TEXTS:
            stats.pager = True
        if len(text) < 25 or len(text.split()) < 5 or href.startswith(("javascript:", "#")):
            continue
        stats.title_links += 1
        groups.setdefault(_signature(a), []).append(a)
    best: list[etree._Element] = []
    for links in groups.values():
        if len(links) >= 4:
            stats.groups += 1
        if len(links) > len(best):
            best = links
    stats.repeated_items = len(best)
    for a in best[:40]:
        item = _item_of(a)
        stats.items.append(item)
        item_text = squeezed(item)
        link_text = squeezed(a)
        if _DATE_TEXT.search(item_text):
            stats.dated_items += 1
        if len(item_text) - len(link_text) > 60:
            stats.summarised_items += 1
    return stats


def _within(node: etree._Element, ancestor: etree._Element) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def classify(
    root: etree._Element,
    url: str,
    platform: Platform,
    *,
    has_title: bool,
    has_attachment: bool = False,
    main_text_len: int,
    main_title_links: int,
    stats: Callable[[], LinkStats],
    html: str | None = None,
    main_block: etree._Element | None = None,
    article_evidence: bool = True,
    title_and_body: tuple[bool, bool] | None = None,
) -> tuple[str, str]:
    """(kind, reason) for a page that is not an error page.

    `main_text_len` / `main_title_links`: non-link text length and title-like links of the
    best main-text block; `stats`: computes the title links of the whole (chrome-stripped)
    page, called only when the platform's own markup does not decide; `article_evidence`:
    the block's heading is the page's own title or has a date next to it (a home page's
    featured story has neither). `title_and_body`: whether the platform's title and body
    selectors match in `root` as it is now, when the caller already knows (else they run).
    """
    if is_home_url(url):
        front = stats()
        if front.title_links or front.pager or main_text_len >= 50:
            return "home", "front page URL"
        return "error", "front page URL but no links and no text"
    if title_and_body is None:
        has_title_el = lambda: bool(select(root, platform.title, html))  # noqa: E731
        has_body_el = lambda: bool(select(root, platform.body, html))  # noqa: E731
    else:
        has_title_el = lambda: title_and_body[0]  # noqa: E731
        has_body_el = lambda: title_and_body[1]  # noqa: E731
    if (
        platform.article_markers
        and select(root, platform.article_markers, html)
        and has_title_el()
        and has_body_el()
    ):
        return "article", f"{platform.name} article markup"
    if platform.listing_item:
        items = [
            i for i in select(root, platform.listing_item, html) if select(i, platform.listing_link)
        ]
        if len(items) >= 3:
            return "listing", f"{len(items)} {platform.name} listing items"
    stats_ = stats()
    article_like = main_text_len >= 400 and main_title_links <= 3
    # a short notice is an article when titled, or when it carries a linked document
    short_article = (
        has_title
        and main_title_links <= 1
        and (main_text_len >= 120 or (has_attachment and main_text_len >= 30))
    )
    listing_like = stats_.repeated_items >= 4 and (
        stats_.dated_items >= 3 or stats_.summarised_items >= 3 or stats_.pager
    )
    in_item = main_block is not None and any(_within(main_block, i) for i in stats_.items)
    homelike = not article_evidence and stats_.title_links >= 10
    if article_like and not (listing_like and (main_title_links >= 4 or in_item)) and not homelike:
        return "article", "one main text block"
    if listing_like and stats_.groups <= 3:
        return "listing", f"{stats_.repeated_items} repeated items"
    if stats_.title_links >= 20 or stats_.groups >= 3 or homelike:
        return "home", f"{stats_.title_links} title links, no single main text"
    if listing_like:
        return "listing", f"{stats_.repeated_items} repeated items"
    if short_article and article_evidence:
        return "article", "short main text block"
    if stats_.title_links >= 10:
        return "home", f"{stats_.title_links} title links, no main text"
    if short_article:
        return "article", "short main text block"
    return "error", "no main text, no listing structure"
