"""What a portal platform is, as data: how to recognise it, where its parts are, how to crawl it.

A platform module (one per CMS) exports a frozen `Platform`. Extraction reads its selectors;
the crawler reads its crawl rules (article and listing URL patterns, pagination, ASP.NET
postback pager). Adding a platform is adding one module to this package and its name to
`scraper.platforms.PLATFORM_MODULES`; shared code never special-cases a portal.

Selectors are CSS (compiled once to XPath); each tuple is tried in order, first match wins.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from cssselect import HTMLTranslator
from lxml import etree

_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=1024)
def compile_css(selector: str) -> etree.XPath:
    """CSS selector → compiled XPath (cached: every platform selector is compiled once).

    `regexp=False`: cssselect never emits EXSLT regular expressions, and not registering
    them saves ~0.7 us on every evaluation (measured: 1.28 -> 0.57 us for `self::html`).
    """
    return etree.XPath(_TRANSLATOR.css_to_xpath(selector), regexp=False)


# Literal pieces a selector's match must carry in some attribute value: class and id names
# (`.name`, `#name`) and the value of an attribute test (`[id$=gvList]`, `[href*='/wp-']`).
# Only plain ASCII word/path pieces: one the parser could only have built from a character
# reference (`&#45;`) or a CSS escape is never taken as a token.
_NAME_TOKENS = re.compile(r"[.#]([\w-]+)")
_ATTR_TESTS = re.compile(
    r"\[[\w-]+\s*[~|^$*]?=\s*(?:'([^'\\]*)'|\"([^\"\\]*)\"|([^\]'\"\s\\]*))\s*\]"
)
_PLAIN = re.compile(r"[A-Za-z0-9_/.:=?-]+")


@lru_cache(maxsize=1024)
def _tokens(selector: str) -> tuple[str, ...]:
    bare = _ATTR_TESTS.sub(" ", selector)  # "." and "#" inside a value are no class/id
    found = _NAME_TOKENS.findall(bare)
    for m in _ATTR_TESTS.finditer(selector):
        value = next((v for v in m.groups() if v is not None), "")
        if value:
            found.append(value)
    return tuple(t for t in found if _PLAIN.fullmatch(t))


# Per thread: the page last checked, which selectors may match it and which names it
# contains. Extraction asks about the same few selectors and names many times per page
# (title, body, markers, other-news share them); holding the page string makes the identity
# test safe (its id cannot be reused while held).
_PRESENCE = threading.local()


# Character references that could spell a character of a token, so that an attribute value
# in the tree holds a token the raw text lacks: decimal or hex references to the ASCII
# characters tokens are made of (hex: any of 0x20-0x7f, more than needed), and the HTML5 named
# ones libxml2 (2.14) decodes to such characters (from html.entities.html5; "bne;" is "=" +
# U+20E5). References to Vietnamese letters (&#7897;, &#224;) and &amp; never match.
_SPELLING_REF = re.compile(  # one "&" prefix and no re.I: a third faster (names are cased)
    r"&(?:#(?:0*(?:4[5-9]|5\d|6[135-9]|[78]\d|9[05789]|1[01]\d|12[0-2])(?!\d)"
    r"|[xX]0*[2-7][0-9a-fA-F](?![0-9a-fA-F]))"
    r"|(?:UnderBar|bne|colon|equals|fjlig|lowbar|period|quest|sol);)"
)


def may_match(selector: str, html: str | None) -> bool:
    """Cheap exact pre-check: every literal piece of `selector` (class and id names,
    attribute-test values) occurs somewhere in the page's HTML. A selector with a missing
    piece cannot match, so its XPath need not run. Values are compared as written (CSS
    class, id and attribute-value tests are case-sensitive for HTML in cssselect)."""
    if html is None:
        return True
    memo = _PRESENCE.__dict__
    if memo.get("html") is not html:
        memo["html"] = html
        memo["selectors"] = {}
        memo["tokens"] = {}
        memo["refs"] = None
    by_selector = memo["selectors"]
    hit = by_selector.get(selector)
    if hit is None:
        hit = by_selector[selector] = all(_contains(memo, html, t) for t in _tokens(selector))
    return hit


def _contains(memo: dict, html: str, token: str) -> bool:
    found = memo["tokens"]
    hit = found.get(token)
    if hit is None:
        hit = token in html
        if not hit:
            # with such a reference anywhere, an absent token proves nothing: run the selector
            refs = memo["refs"]
            if refs is None:
                refs = memo["refs"] = _SPELLING_REF.search(html) is not None
            hit = refs
        found[token] = hit
    return hit




# Most platform selectors are `tag.class` steps joined by descendant combinators
# ("div.news-detail h2.title-detail"). libxml2 spends ~0.3 us testing cssselect's class
# predicate on every element of the tag; walking the tag's elements with lxml and testing
# the class attribute in Python finds the same elements in the same (document) order in
# about half the time, and an existence test (detection markers) can stop at the first one.
# Anything else (ids, attribute tests, sibling or child combinators, `*`) runs as XPath.
_SIMPLE_STEP = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)((?:\.-?[_a-zA-Z][_a-zA-Z0-9-]*)*)")
_CSS_SPACE = re.compile(r"[ \t\n\r\f]+")
# XPath normalize-space() separates on exactly these; Python's split() knows more (U+00A0)
_XML_SPACE = str.maketrans("\t\n\r", "   ")

# One step: (tag, class names, the same padded with spaces)
_Step = tuple[str, tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1024)
def _simple_steps(selector: str) -> tuple[_Step, ...] | None:
    """`selector`'s steps when it is a descendant chain of `tag.class...` steps, else None.

    Element names are lowercased as cssselect's HTMLTranslator does; class names are not.
    """
    steps = []
    for part in _CSS_SPACE.split(selector.strip(" \t\n\r\f")):
        m = _SIMPLE_STEP.fullmatch(part)
        if m is None:
            return None
        classes = tuple(m.group(2).split(".")[1:])
        steps.append((m.group(1).lower(), classes, tuple(f" {c} " for c in classes)))
    return tuple(steps)


def _has_classes(value: str | None, step: _Step) -> bool:
    """A `class` attribute of `value` carries every class of `step` (as cssselect's `@class`
    test reads it). Most elements fail the plain substring test of the first name."""
    names = step[1]
    if not names:
        return True
    if not value or names[0] not in value:
        return False
    padded = f" {value.translate(_XML_SPACE)} "
    if len(names) == 1:  # the usual case, without all()'s generator
        return step[2][0] in padded
    return all(c in padded for c in step[2])


def _inside(el: etree._Element, outer: tuple[_Step, ...], node: etree._Element) -> bool:
    """Some ancestors of `el`, at or below `node`, match the `outer` steps (innermost last)
    from the inside out: what `descendant-or-self::A/descendant::B` asks of a B (`outer`
    is not empty)."""
    i = len(outer) - 1
    if el is node:
        return False
    for anc in el.iterancestors():
        step = outer[i]
        if anc.tag == step[0] and _has_classes(anc.get("class"), step):
            i -= 1
            if i < 0:
                return True
        if anc is node:
            return False
    return False


def _candidates(node: etree._Element, steps: tuple[_Step, ...]) -> Iterator[etree._Element]:
    """The elements at or below `node` matched by `steps`, in document order."""
    last = steps[-1]
    tag, classes = last[0], last[1]
    outer = steps[:-1]
    if not classes:
        if not outer:
            yield from node.iter(tag)
            return
        for el in node.iter(tag):
            if _inside(el, outer, node):
                yield el
        return
    first = classes[0]
    for el in node.iter(tag):
        value = el.get("class")  # most elements fail here, without a call
        if (value and first in value and _has_classes(value, last)
                and (not outer or _inside(el, outer, node))):
            yield el


def matches(node: etree._Element, selector: str) -> list[etree._Element]:
    """Elements at or below `node` matched by the CSS `selector`, in document order."""
    steps = _simple_steps(selector)
    if steps is None:
        return compile_css(selector)(node)
    return list(_candidates(node, steps))


def has_match(node: etree._Element, selector: str) -> bool:
    """`bool(matches(node, selector))`, stopping at the first match when it can."""
    steps = _simple_steps(selector)
    if steps is None:
        return bool(compile_css(selector)(node))
    return next(_candidates(node, steps), None) is not None


def select(
    node: etree._Element, selectors: tuple[str, ...], html: str | None = None
) -> list[etree._Element]:
    """Elements matched by the first selector of `selectors` that matches anything.

    `html` (the page source) lets selectors naming absent classes be skipped unevaluated.
    """
    for sel in selectors:
        if not may_match(sel, html):
            continue
        found = matches(node, sel)
        if found:
            return found
    return []


def select_all(
    node: etree._Element, selectors: tuple[str, ...], html: str | None = None
) -> list[etree._Element]:
    """Elements matched by any of `selectors`: the first selector's matches in document
    order, then those of the next one not already found, and so on."""
    seen: set[etree._Element] = set()
    out: list[etree._Element] = []
    for sel in selectors:
        if not may_match(sel, html):
            continue
        for el in matches(node, sel):
            if el not in seen:
                seen.add(el)
                out.append(el)
    return out


def text_of(el: etree._Element) -> str:
    """All text inside `el` (without its tail), for plain lxml and lxml.html trees alike.

    lxml's text serialisation gathers the same text nodes as "".join(el.itertext()) (no
    tail, no comments or PIs) in one C call: measured in process_page 5.4 -> 1.5 us a call
    (XPath string() gives the same in 3.3 us: each XPath call has a fixed cost)."""
    if not isinstance(el.tag, str):
        return ""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def squeezed(el: etree._Element) -> str:
    """`text_of(el)` with whitespace runs collapsed to single spaces."""
    return " ".join(text_of(el).split())


@dataclass(frozen=True)
class Pagination:
    """How a platform pages its listings with plain GET links.

    `params`: query parameters carrying the page number (`_101_cur`, `page`, `Page`).
    `path_patterns`: regexes on the URL path with one group for the page number (`/page/(\\d+)/`).
    `next_texts`: link texts of the "next page" link ("Trang sau", "Tiếp", "next", "»").
    `container`: CSS selectors of the pager block (its numbered links are pages).
    """

    params: tuple[str, ...] = ()
    path_patterns: tuple[str, ...] = ()
    next_texts: tuple[str, ...] = (
        "Trang sau",
        "Tiếp",
        "Tiếp theo",
        "Sau",
        "next",
        "Next",
        "»",
        ">",
    )
    container: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostbackPager:
    """An ASP.NET GridView pager driven by `__doPostBack(target, 'Page$N')`.

    To fetch page N, POST the page's form back with every hidden input (`__VIEWSTATE`,
    `__EVENTVALIDATION`, ...) plus `__EVENTTARGET` = the control name (matched by
    `target_pattern`, e.g. `ctl00$...$gvList`) and `__EVENTARGUMENT` = `argument_format`
    with the page number.
    """

    target_pattern: str = r"[\w$:]*\$gvList"
    argument_format: str = "Page${n}"
    link_pattern: str = r"__doPostBack\('([^']+)','(Page\$\d+)'\)"
    form_selector: str = "form"


@dataclass(frozen=True)
class Platform:
    """A portal platform (CMS): detection, extraction selectors and crawl rules."""

    name: str
    # --- detection -------------------------------------------------------------------------
    generator_patterns: tuple[str, ...] = ()  # regexes on <meta name="generator">
    markers: tuple[str, ...] = ()  # CSS selectors that only this platform's markup has
    html_markers: tuple[str, ...] = ()  # substrings of the raw HTML (class names, paths)
    url_patterns: tuple[str, ...] = ()  # regexes on the URL
    # --- extraction (CSS selectors, first match wins) ---------------------------------------
    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()  # the publication date element next to the title
    updated: tuple[str, ...] = ()  # an "updated" date element
    lead: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()  # elements holding author names
    caption: tuple[str, ...] = ()  # image captions inside the body (excluded from text)
    other_news: tuple[str, ...] = ()  # "Tin khác" containers (removed; dates never taken)
    chrome: tuple[str, ...] = ()  # further elements to drop inside the body (print, share…)
    article_markers: tuple[str, ...] = ()  # present only on a single-article page
    # --- listings --------------------------------------------------------------------------
    listing_item: tuple[str, ...] = ()  # one item of a listing (title link + date + summary)
    listing_link: tuple[str, ...] = ()  # the article link inside an item
    listing_date: tuple[str, ...] = ()
    # --- crawl rules ------------------------------------------------------------------------
    article_url_patterns: tuple[str, ...] = ()
    listing_url_patterns: tuple[str, ...] = ()
    pagination: Pagination = field(default_factory=Pagination)
    postback_pager: PostbackPager | None = None
    # URLs never worth fetching on this platform (login, print, feeds, admin, language switch)
    ignore_url_patterns: tuple[str, ...] = (
        r"(?i)dang-?nhap|login|logout|signin|/admin",
        r"(?i)[?&](?:print|in)=|/print/|in-bai",
        r"^(?:mailto|javascript|tel):",
    )

    def detect_score(self, tree: etree._Element, url: str, generator: str, raw_head: str,
                     beat: int = -1) -> int:
        """How strongly this page looks like this platform (0 = not at all).

        `beat`: only a score above it matters; the checks stop once the evidence still
        unchecked could not lift the score above it (the result is then some score <= beat).
        """
        gen_weight = 10 if generator and self.generator_patterns else 0
        left = (gen_weight + 2 * len(self.html_markers) + 3 * len(self.markers)
                + (2 if self.url_patterns else 0))
        score = 0
        if left <= beat:
            return score
        # cheapest first: the URL and the generator are short; markers scan the page
        if self.url_patterns:
            left -= 2
            if any(re.search(p, url, re.I) for p in self.url_patterns):
                score += 2
            if score + left <= beat:
                return score
        if gen_weight:
            left -= gen_weight
            if any(re.search(p, generator, re.I) for p in self.generator_patterns):
                score += gen_weight
            if score + left <= beat:
                return score
        for marker in self.html_markers:
            left -= 2
            if marker in raw_head:
                score += 2
            elif score + left <= beat:
                return score
        for sel in self.markers:
            left -= 3
            if may_match(sel, raw_head) and has_match(tree, sel):
                score += 3
            elif score + left <= beat:
                return score
        return score

    def is_article_url(self, url: str) -> bool:
        return any(re.search(p, url, re.I) for p in self.article_url_patterns)

    def is_ignored_url(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.ignore_url_patterns)

    def is_listing_url(self, url: str) -> bool:
        return any(re.search(p, url, re.I) for p in self.listing_url_patterns)
