"""Links on portal pages: canonical URLs, article-vs-navigation classification, pagination.

Pure functions over URLs and lxml trees (no Scrapy): the spider, the distributed mode and the
tests all use the same rules. A platform module (scraper/platforms/<name>.py) contributes
URL patterns through `CrawlRules`; pages of unknown templates fall back to a generic rule
that looks at the URL's shape, the anchor text and where the link sits on the page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html
from w3lib.url import safe_url_string

from scraper.platforms.base import Platform

LinkKind = Literal["article", "listing", "other"]

# Query parameters that never select content: trackers and session ids (lower-cased names).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "jsessionid",
        "phpsessid",
        "asp.net_sessionid",
        "sid",
        "sessionid",
        "zarsrc",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)
_PATH_SESSION = re.compile(r";jsessionid=[^/?#;]*", re.IGNORECASE)
_ASPNET_COOKIELESS = re.compile(r"/\(S\([a-z0-9]{20,}\)\)", re.IGNORECASE)

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "ftp:", "sms:", "zalo:")
_ASSET_LIST = "pdf doc docx xls xlsx ppt pptx zip rar 7z jpg jpeg png gif bmp webp svg ico mp3 mp4"
ASSET_EXTENSIONS: frozenset[str] = frozenset(
    (_ASSET_LIST + " avi wmv flv mov css js xml rss txt odt ods tif tiff").split(" ")
)


# --------------------------------------------------------------------------------------------
# Canonical URLs
# --------------------------------------------------------------------------------------------


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The one form of a URL under which bantin fetches, dedupes and stores a page.

    Resolves against `base`, lower-cases scheme and host, drops default ports, fragments,
    tracking parameters (`utm_*`, `fbclid`, `gclid`, ...) and session ids (`;jsessionid=`,
    `PHPSESSID`, `ASP.NET_SessionId`, cookieless `/(S(...))/`), and sorts the remaining query
    parameters by name (stable, so repeated parameters keep their order). Parameters that
    select content (`pageid`, `id`, `_101_cur`, ...) are kept with their values as given.
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    return _canonical(url)


@lru_cache(maxsize=65536)
def _canonical(url: str) -> str:
    """canonicalize_url of an absolute URL (cached: menus repeat the same links on every
    page)."""
    url = safe_url_string(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = _PATH_SESSION.sub("", parts.path)
    path = _ASPNET_COOKIELESS.sub("", path) or "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k]
    pairs = [(k, v) for k, v in pairs if not _is_tracking(k)]
    pairs.sort(key=lambda kv: kv[0])
    query = urlencode(pairs, doseq=False, safe="/:$,@!*'()~")
    return urlunsplit((scheme, netloc, path, query, ""))


@lru_cache(maxsize=65536)
def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def same_site(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the URL's host is one of `allowed_domains` or a subdomain of one."""
    return _on_site(url, _site_domains(allowed_domains))


def _site_domains(allowed_domains: Iterable[str]) -> tuple[str, ...]:
    """".domain" of each allowed domain, lower-cased: what `_on_site` compares a host with
    (made once per page, not once per link)."""
    return tuple("." + domain.lower().lstrip(".") for domain in allowed_domains)


def _on_site(url: str, domains: tuple[str, ...]) -> bool:
    # "." + host ends with ".domain" when the host is the domain or a subdomain of it
    return ("." + _host(url)).endswith(domains)


def is_asset(url: str) -> bool:
    """A file (PDF, image, office document, ...) rather than a page."""
    path = urlsplit(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return ext in ASSET_EXTENSIONS


# --------------------------------------------------------------------------------------------
# Crawl rules
# --------------------------------------------------------------------------------------------


def _compile(patterns: Iterable[Any]) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in patterns or ():
        out.append(p if isinstance(p, re.Pattern) else re.compile(str(p), re.IGNORECASE))
    return tuple(out)


@dataclass(frozen=True)
class CrawlRules:
    """What a platform tells the crawler: which URLs are articles, listings, pagers, noise."""

    name: str = "generic"
    article_patterns: tuple[re.Pattern[str], ...] = ()
    listing_patterns: tuple[re.Pattern[str], ...] = ()
    pagination_patterns: tuple[re.Pattern[str], ...] = ()
    ignore_patterns: tuple[re.Pattern[str], ...] = ()
    postback_target: re.Pattern[str] | None = None  # matches the pager's __EVENTTARGET

    @classmethod
    def build(
        cls,
        name: str = "generic",
        *,
        article: Iterable[Any] = (),
        listing: Iterable[Any] = (),
        pagination: Iterable[Any] = (),
        ignore: Iterable[Any] = (),
        postback_target: Any = None,
    ) -> CrawlRules:
        pb = postback_target
        if pb is not None and not isinstance(pb, re.Pattern):
            pb = re.compile(str(pb), re.IGNORECASE)
        return cls(
            name=name,
            article_patterns=_compile(article),
            listing_patterns=_compile(listing),
            pagination_patterns=_compile(pagination),
            ignore_patterns=_compile(ignore),
            postback_target=pb,
        )


_GENERIC_RULES = CrawlRules()


# Noise every portal has: login, search, print views, feeds, calendars, language switches.
GENERIC_IGNORE = _compile(
    [
        r"dang-?nhap|login|signin|logout|dang-?ky|register",
        r"[?&](print|printable|in)=|/print/|inbai|in-bai",
        r"tim-?kiem|search|\bq=",
        r"/rss\b|\.rss$|feed/?$",
        r"lien-?he|contact",
        r"sitemap",
        r"p_p_state=(maximized|pop_up|exclusive)",
        r"/c/portal/|/web/guest/home\?",
    ]
)

# Pagination parameters and path forms seen on portals (Liferay, vnPortal, WordPress, PHP CMSs).
PAGE_PARAM = re.compile(
    r"^(?:_\d+_cur|cur|page|pageindex|pagenum|paged|trang|pg|currentpage|pageno)$",
    re.IGNORECASE,
)
PAGE_PATH = re.compile(r"/(?:page|trang)/(\d+)/?$", re.IGNORECASE)
_NEXT_WORDS = re.compile(
    r"^(?:trang\s*sau|ti[eế]p(?:\s*theo)?|sau|next|»|›|>|>>|»»|xem\s*ti[eế]p)$", re.IGNORECASE
)


def rules_for_platform(platform: Any) -> CrawlRules:
    """Crawl rules from a `scraper.platforms` `Platform` (its crawl-rule fields).

    Reads `article_url_patterns`, `listing_url_patterns`, `pagination` (page parameters and
    path patterns) and `postback_pager.target_pattern`; anything missing stays generic.
    """
    if platform is None or getattr(platform, "name", "generic") == "generic":
        return _GENERIC_RULES  # unknown templates: the generic scoring rule below
    if isinstance(platform, CrawlRules):
        return platform
    known = _PLATFORM_RULES.get(id(platform))
    if known is not None and known[0] is platform:
        return known[1]
    rules = _rules_for_platform(platform)
    if isinstance(platform, Platform):  # frozen: its rules can be remembered
        _PLATFORM_RULES[id(platform)] = (platform, rules)
    return rules


# id(platform) -> (platform, its rules); the entry holds the platform, so the id stays its own.
_PLATFORM_RULES: dict[int, tuple[Any, CrawlRules]] = {}


def _rules_for_platform(platform: Any) -> CrawlRules:
    pagination = getattr(platform, "pagination", None)
    pager: list[str] = []
    if pagination is not None:
        pager += [rf"[?&]{re.escape(p)}=\d+" for p in getattr(pagination, "params", ()) or ()]
        pager += list(getattr(pagination, "path_patterns", ()) or ())
    postback = getattr(platform, "postback_pager", None)
    return CrawlRules.build(
        str(getattr(platform, "name", "generic")),
        article=getattr(platform, "article_url_patterns", ()) or (),
        listing=getattr(platform, "listing_url_patterns", ()) or (),
        pagination=pager,
        ignore=getattr(platform, "ignore_url_patterns", ()) or (),
        postback_target=getattr(postback, "target_pattern", None) if postback else None,
    )


# --------------------------------------------------------------------------------------------
# Links with context
# --------------------------------------------------------------------------------------------

Region = Literal["main", "nav", "other"]

_NAV_TAGS = frozenset({"nav", "header", "footer"})
_MAIN_TAGS = frozenset({"main", "article"})
_NAV_TOKENS = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|menu|mainmenu|topmenu|footer|header|banner|breadcrumbs?|"
    r"topbar|toolbar|dockbar|copyright|lang|language|social|share|login)(?:$|[-_ \d])",
    re.IGNORECASE,
)
_MAIN_TOKENS = re.compile(
    r"(?:^|[-_ ])(?:content|main|list|listing|news|tin|article|articles|post|posts|"
    r"asset|journal|entry|entries|item|items|gvlist|results?|category|tintuc)(?:$|[-_ \d])",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D{1,6}(\d{1,2})[:h](\d{2}))?"
    r"|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?"
)


@dataclass(frozen=True)
class Link:
    """An `<a href>` resolved to its canonical URL, with what surrounds it."""

    url: str
    text: str
    region: Region
    listed_at: date | datetime | None = None  # a date printed next to the link (listings)
    element: Any = field(default=None, compare=False, repr=False)  # the <a> (lxml)


# Plain lxml elements, not lxml.html's: its class lookup is a Python call for every element
# proxy created, i.e. on every step of every walk over the tree (link regions, anchors,
# selectors). Nothing here uses the lxml.html element API. One parser per thread: lxml
# parsers must not be shared between threads.
_PARSERS = threading.local()


def _plain_parser() -> etree.HTMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser()  # lxml.html's options, without lookup
    return parser


def parse_html(text: str | bytes) -> Any:
    """An lxml HTML tree (an empty document for empty input), as `lxml.html.fromstring`
    builds it but of plain lxml elements."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text.strip():
        return lxml_html.fromstring("<html></html>", parser=_plain_parser())
    try:
        return lxml_html.fromstring(text, parser=_plain_parser())
    except Exception:  # noqa: BLE001 - e.g. a fragment path needing lxml.html's element API
        pass
    try:
        return lxml_html.fromstring(text)
    except Exception:  # noqa: BLE001 - lxml raises on documents it cannot root; treat as empty
        return lxml_html.fromstring("<html></html>", parser=_plain_parser())


# A tree with an element this deep may not be what `parse_html` gives: its parser stops at
# libxml2's default nesting limit (257 elements deep).
_DEEP_TREE = etree.XPath("boolean(/*" + "/*" * 199 + ")")
_SHARED_CHARS = 5_000_000  # under libxml2's 10 MB text-node limit (no huge_tree here)


def parses_to(text: str, root: Any) -> bool:
    """Is `root`, a plain lxml parse of `text` (extraction's: comments and processing
    instructions left out, no nesting limit), what `parse_html(text)` gives as far as
    `analyse_page` reads: the same elements, attributes and text? True for whole documents
    (lxml.html's fromstring cuts a fragment's element out) within the default parser's
    limits.

    `analyse_page` reads elements, attributes, ancestors and text through `itertext` (which
    joins the text around a comment as the parse without it has it), never comments or a
    lone `.text`; `current_postback_page` reads `.text` (cut at a comment): not the same."""
    return (len(text) <= _SHARED_CHARS and lxml_html._looks_like_full_html_unicode(text)
            is not None and root.getparent() is None and not _DEEP_TREE(root))


@lru_cache(maxsize=16384)
def _own_region(tag: str, cls: str | None, id_: str | None) -> Region | None:
    """"nav" or "main" when an element with this tag, class and id marks the region of
    what is inside it, else None (remembered: a site's templates repeat a few classes)."""
    tokens = f"{cls or ''} {id_ or ''}"
    if tag in _NAV_TAGS or _NAV_TOKENS.search(tokens):
        return "nav"
    if tag in _MAIN_TAGS or _MAIN_TOKENS.search(tokens):
        return "main"
    return None


def link_region(a: Any, memo: dict[Any, Region] | None = None) -> Region:
    """Where an anchor sits: inside navigation/header/footer, main content, or elsewhere.

    `memo` (one dict per page) remembers the answer for every ancestor looked at: the links
    of a page share their ancestors, so each element is classified once per page.
    """
    if memo is None:
        memo = {}
    walked = []
    region: Region = "other"
    for el in a.iterancestors():
        known = memo.get(el)
        if known is not None:
            region = known
            break
        walked.append(el)
        tag = el.tag if isinstance(el.tag, str) else ""
        own = _own_region(tag, el.get("class"), el.get("id"))
        if own is not None:
            region = own
            break
    for el in walked:  # each walked element's own answer is the one found above it (or at it)
        memo[el] = region
    return region


def parse_listed_date(text: str) -> date | datetime | None:
    """The first dd/mm/yyyy (optionally with hh:mm) or ISO date in a short text."""
    m = _DATE_RE.search(text or "")
    if not m:
        return None
    try:
        if m.group(3):
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if m.group(4):
                return datetime(y, mo, d, int(m.group(4)), int(m.group(5)))
            return date(y, mo, d)
        y, mo, d = int(m.group(6)), int(m.group(7)), int(m.group(8))
        if m.group(9):
            return datetime(y, mo, d, int(m.group(9)), int(m.group(10)))
        return date(y, mo, d)
    except ValueError:
        return None


def _item_container(a: Any, max_up: int = 4) -> Any:
    """The listing entry around a link: the nearest li/tr/article, or the largest ancestor
    (up to `max_up` levels) whose links all lead to the same place as this one."""
    href = a.get("href")
    found = None
    el = a
    for _ in range(max_up):
        el = el.getparent()
        if el is None or not isinstance(el.tag, str) or el.tag in ("body", "html", "ul", "table"):
            break
        if el.tag in ("li", "tr", "article"):
            return el
        # stop at the first link elsewhere (rather than collecting every href of a large block)
        if any(x.get("href") != href for x in el.iter("a")):
            break
        found = el
    return found


def _anchor_text(a: Any) -> str:
    if len(a):
        text = " ".join("".join(a.itertext()).split())
    else:  # no children (most menu and title links): its text is all there is
        text = " ".join(a.text.split()) if a.text else ""
    if not text:
        text = (a.get("title") or "").strip()
        if not text:
            img = a.find(".//img")
            text = (img.get("alt") or "").strip() if img is not None else ""
    return text


def listed_date(a: Any, text: str = "") -> date | datetime | None:
    """The date printed in the listing entry around anchor `a` (not inside its own text)."""
    container = _item_container(a)
    if container is None or container is a:
        return None
    blob = "".join(container.itertext())
    if text:
        blob = blob.replace(text, " ", 1)
    return parse_listed_date(blob)


def iter_links(tree: Any, base_url: str, *, dates: bool = True,
               keep: Callable[[str], bool] | None = None) -> Iterator[Link]:
    """Every followable link of a page, canonical, with its text, region and (with `dates`)
    the date listed next to it. `keep`: only links whose canonical URL it accepts (the
    others cost no text, region or date)."""
    base = base_url
    base_el = tree.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(base_url, base_el.get("href"))
    try:
        parsed = urlsplit(base)
        origin: tuple[str, str] | None = (parsed.scheme, parsed.netloc)
    except ValueError:
        origin = None
    regions: dict[Any, Region] = {}
    for a in tree.iter("a"):
        href = a.get("href")
        if not href:
            continue
        # the raw attribute is the key: a menu link repeated on every page of a site costs
        # one dict lookup, not a strip, scheme checks and canonicalization each time
        url = _HREFS.get((origin, href)) if origin is not None else None
        if url is None:
            url = _link_url(href, base, origin)
        if not url:
            continue
        if keep is not None and not keep(url):
            continue
        text = _anchor_text(a)
        listed = listed_date(a, text) if dates else None
        yield Link(url=url, text=text, region=link_region(a, regions), listed_at=listed,
                   element=a)


# ((base scheme, base netloc), raw href) -> canonical URL, or "" for an href that is no
# followable link, for hrefs whose answer reads nothing of the base but its scheme and netloc
# (absolute or root-relative, or skipped whatever the base): the menus every page of a site
# repeats are looked at once per site, not once per page.
_HREFS: dict[tuple[tuple[str, str], str], str] = {}
_HREFS_MAX = 65536


def _link_url(raw: str, base: str, origin: tuple[str, str] | None) -> str:
    """The canonical http(s) URL an `<a href="raw">` leads to, or "" when it is not a
    followable link (empty, a fragment, javascript:/mailto:/..., unparsable, not http)."""
    href = raw.strip()
    remember = True
    if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
        url = ""
    else:
        # an href relative to the page's path (or scheme) reads more of the base than its
        # origin: not remembered
        remember = ((href[0] == "/" and href[1:2] != "/")
                    or href.startswith(("http://", "https://")))
        try:
            url = canonicalize_url(href, base)
        except ValueError:
            url = ""
        if not url.startswith(("http://", "https://")):
            url = ""
    if remember and origin is not None:
        if len(_HREFS) >= _HREFS_MAX:
            _HREFS.clear()
        _HREFS[(origin, raw)] = url
    return url


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------

_NUMERIC_ID = re.compile(r"(?:^|[-_/.])(\d{3,})(?:\.[a-z]{2,5})?/?$", re.IGNORECASE)
_ID_PARAM = re.compile(
    r"^(?:id|newsid|news_id|articleid|article_id|itemid|postid|p|nid|tinid|tin_id|"
    r"contentid|docid|ItemID)$",
    re.IGNORECASE,
)
_LISTING_PARAM = re.compile(r"^(?:catid|cat|categoryid|cid|chuyenmuc|tabid|pageid)$", re.I)
_LIFERAY_ARTICLE = re.compile(r"/-/(?:view_content|asset_publisher/[^/]+/content)/", re.I)


def _slug_words(segment: str) -> int:
    segment = re.sub(r"\.(html?|aspx?|php|jsp)$", "", segment, flags=re.IGNORECASE)
    return len([w for w in re.split(r"[-_]+", segment) if w and not w.isdigit()])


def url_shape(url: str) -> LinkKind:
    """What the URL alone suggests: an article (long slug or numeric id), a listing, or other."""
    parts = urlsplit(url)
    path = parts.path
    segments = [s for s in path.split("/") if s]
    last = segments[-1] if segments else ""
    params = parse_qsl(parts.query, keep_blank_values=True)
    if _LIFERAY_ARTICLE.search(path):
        return "article"
    if any(_ID_PARAM.match(k) and re.fullmatch(r"\d+", v or "") for k, v in params):
        return "article"
    if last and _NUMERIC_ID.search(last) and (_slug_words(last) >= 2 or len(segments) >= 2):
        return "article"
    if last and _slug_words(last) >= 5:
        return "article"
    if any(PAGE_PARAM.match(k) for k, _ in params) or PAGE_PATH.search(path):
        return "listing"
    if any(_LISTING_PARAM.match(k) for k, _ in params):
        return "listing"
    if len(segments) <= 2 and (not last or _slug_words(last) <= 4):
        return "listing"
    return "other"


# (url, id(rules)) -> (rules, facts): what classify_link reads from the URL alone. The entry
# holds its rules, so the id cannot be reused while the entry lives (checked on every hit).
_URL_FACTS: dict[tuple[str, int], tuple[CrawlRules, tuple[LinkKind | None, LinkKind, bool]]] = {}
_URL_FACTS_MAX = 65536


def _url_facts(url: str, rules: CrawlRules) -> tuple[LinkKind | None, LinkKind, bool]:
    """(kind decided by the URL alone or None, url_shape, a platform listing/pager pattern
    matches a URL that is not article-shaped): pure in (url, rules), so remembered per URL;
    menus repeat the same links on every page."""
    key = (url, id(rules))
    hit = _URL_FACTS.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]
    facts = _url_facts_uncached(url, rules)
    if len(_URL_FACTS) >= _URL_FACTS_MAX:
        _URL_FACTS.clear()
    _URL_FACTS[key] = (rules, facts)
    return facts


def _url_facts_uncached(url: str, rules: CrawlRules) -> tuple[LinkKind | None, LinkKind, bool]:
    target = url
    if is_asset(url):
        return "other", "other", False
    if any(p.search(target) for p in rules.ignore_patterns):
        return "other", "other", False
    if any(p.search(target) for p in rules.article_patterns):
        return "article", "other", False
    if any(p.search(target) for p in GENERIC_IGNORE):
        return "other", "other", False
    shape = url_shape(url)
    # A platform's listing patterns are broad (`/<slug>`); a URL that clearly names an
    # article (numeric id, Liferay view_content, long slug) is scored instead.
    listing = shape != "article" and (any(p.search(target) for p in rules.listing_patterns) or any(
        p.search(target) for p in rules.pagination_patterns
    ))
    return None, shape, listing


def _may_be_article(url: str, rules: CrawlRules) -> bool:
    """Can classify_link call a link to `url` an article, whatever its text and region?
    Not when the URL alone decides otherwise, a platform listing/pager pattern matches
    (listing or other), or the URL is listing-shaped (its score is at most -1 + 1 + 1)."""
    decided, shape, listing_pattern = _url_facts(url, rules)
    if decided is not None:
        return decided == "article"
    return not listing_pattern and shape != "listing"


def classify_link(link: Link | str, rules: CrawlRules | None = None, text: str = "",
                  region: Region = "other") -> LinkKind:
    """Article, listing (category or pager) or other (noise) — by platform rules, then shape.

    Platform patterns win. Otherwise a generic score: the URL's shape (long slug, numeric
    id), the anchor text (article titles are long, menu entries short) and the region (links
    in navigation, header and footer are navigation unless the URL is clearly an article).
    """
    if isinstance(link, Link):
        url, text, region = link.url, link.text, link.region
    else:
        url = link
    decided, shape, listing_pattern = _url_facts(url, rules or _GENERIC_RULES)
    if decided is not None:
        return decided
    if listing_pattern:
        return "listing" if region != "nav" or len(text.split()) <= 8 else "other"
    words = len(text.split())
    if shape == "article":
        score = 2
    elif shape == "listing":
        score = -1
    else:
        score = 0
    if words >= 6 or len(text) >= 40:
        score += 1
    elif words <= 2:
        score -= 1
    if region == "nav":
        score -= 2
    elif region == "main":
        score += 1
    if score >= 2:
        return "article"
    if shape == "listing" or (shape == "other" and region == "nav" and words <= 6):
        return "listing"
    return "other"


# --------------------------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    """A GET pagination link; `number` is the page it leads to when it says so."""

    url: str
    number: int | None
    is_next: bool = False


@dataclass(frozen=True)
class Postback:
    """An ASP.NET pager link: POST the page's form back with these two fields."""

    target: str  # __EVENTTARGET, e.g. "ctl00$ContentPlaceHolder1$gvList"
    argument: str  # __EVENTARGUMENT, e.g. "Page$2"
    number: int | None = None


@lru_cache(maxsize=65536)
def page_number(url: str) -> int | None:
    """The page number a listing URL asks for (`_101_cur=3`, `?Page=3`, `/page/3/`)."""
    parts = urlsplit(url)
    m = PAGE_PATH.search(parts.path)
    if m:
        return int(m.group(1))
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if PAGE_PARAM.match(k) and v.isdigit():
            return int(v)
    return None


@lru_cache(maxsize=65536)
def listing_key(url: str) -> str:
    """The listing a page belongs to: its URL without the page number (one walk per key)."""
    parts = urlsplit(url)
    path = PAGE_PATH.sub("/", parts.path)
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not PAGE_PARAM.match(k) and not k.lower().startswith("p_p_")
    ]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(pairs), ""))


def find_pagination(tree: Any, page_url: str, rules: CrawlRules | None = None,
                    links: Iterable[Link] | None = None) -> list[PageLink]:
    """GET links to other pages of the same listing: numbers, "Trang sau", "Tiếp", "»", ...

    A link counts when it leads to the same listing (same URL apart from the page
    parameter) and its text is a page number or a next-word, or its URL carries a page
    parameter or `/page/N/`.
    """
    rules = rules or CrawlRules()
    key = listing_key(canonicalize_url(page_url))
    out: dict[str, PageLink] = {}
    self_url = canonicalize_url(page_url)
    for link in links if links is not None else iter_links(tree, page_url, dates=False):
        text = link.text.strip()
        url = link.url
        is_next = bool(_NEXT_WORDS.match(text))
        number = page_number(url)
        pager_pattern = any(p.search(url) for p in rules.pagination_patterns)
        digits = number is None and text.isdigit() and len(text) <= 4
        if digits and (listing_key(url) == key or pager_pattern):
            number = int(text)
        if not (pager_pattern or number is not None or is_next):
            continue
        if listing_key(url) != key and not pager_pattern:
            continue
        if url == self_url:
            continue
        prev = out.get(url)
        out[url] = PageLink(url, number if number is not None else (prev.number if prev else None),
                            is_next or bool(prev and prev.is_next))
    return list(out.values())


_POSTBACK = re.compile(r"__doPostBack\(\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]*)['\"]\s*\)")
_PAGE_ARG = re.compile(r"^Page\$(\d+|Next|Prev|First|Last)$", re.IGNORECASE)


def find_postbacks(tree: Any, rules: CrawlRules | None = None) -> list[Postback]:
    """ASP.NET pager links (`__doPostBack('…$gvList','Page$N')`) of a page, in page order."""
    rules = rules or CrawlRules()
    seen: dict[tuple[str, str], Postback] = {}
    for el in tree.iter("a", "input", "button", "span"):
        blob = f"{el.get('href') or ''} {el.get('onclick') or ''}"
        if "__doPostBack" not in blob:  # what _POSTBACK needs: most elements are no pager
            continue
        for target, argument in _POSTBACK.findall(blob):
            m = _PAGE_ARG.match(argument)
            if not m and not (rules.postback_target and rules.postback_target.search(target)):
                continue
            if rules.postback_target and not rules.postback_target.search(target):
                continue
            number = int(m.group(1)) if m and m.group(1).isdigit() else None
            if number is None and argument.lower() == "page$first":
                number = 1
            seen.setdefault((target, argument), Postback(target, argument, number))
    return list(seen.values())


def next_page(links: Iterable[PageLink], current: int | None) -> PageLink | None:
    """The link to the page after `current`: the smallest higher number, else a next-word."""
    links = list(links)
    cur = current or 1
    numbered = sorted((pl for pl in links if pl.number is not None and pl.number > cur),
                      key=lambda pl: pl.number or 0)
    if numbered and numbered[0].number == cur + 1:
        return numbered[0]
    nexts = [pl for pl in links if pl.is_next]
    if nexts:
        return nexts[0]
    return numbered[0] if numbered else None


def next_postback(postbacks: Iterable[Postback], current: int | None) -> Postback | None:
    """The postback to the page after `current` (`Page$N+1`, else `Page$Next`)."""
    postbacks = list(postbacks)
    cur = current or 1
    numbered = sorted((p for p in postbacks if p.number is not None and p.number > cur),
                      key=lambda p: p.number or 0)
    if numbered and numbered[0].number == cur + 1:
        return numbered[0]
    nexts = [p for p in postbacks if p.argument.lower() == "page$next"]
    if nexts:
        return nexts[0]
    return numbered[0] if numbered else None


def current_postback_page(tree: Any, target_hint: str | None = None) -> int | None:
    """The page a GridView pager shows as current (an unlinked number among pager links)."""
    for el in tree.iter("span", "td", "b", "strong"):
        text = (el.text or "").strip()
        if not text.isdigit() or el.find("a") is not None:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        row = parent.getparent() if parent.tag == "td" else parent
        if row is None:
            continue
        if any("__doPostBack" in (a.get("href") or "") for a in row.iter("a")):
            return int(text)
    return None


@dataclass
class PageLinks:
    """Everything the crawler needs from one page."""

    articles: list[Link] = field(default_factory=list)
    listings: list[Link] = field(default_factory=list)
    pages: list[PageLink] = field(default_factory=list)
    postbacks: list[Postback] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


_FEED_TYPES = ("application/rss+xml", "application/atom+xml")


def find_feeds(tree: Any, base_url: str) -> list[str]:
    """RSS/Atom feeds a page announces with `<link rel=alternate type=application/rss+xml>`."""
    out = []
    for el in tree.iter("link"):
        rel = (el.get("rel") or "").lower()
        typ = (el.get("type") or "").lower()
        if "alternate" in rel and typ in _FEED_TYPES and el.get("href"):
            out.append(canonicalize_url(el.get("href"), base_url))
    return out


def analyse_page(tree: Any, page_url: str, rules: CrawlRules | None = None,
                 allowed_domains: Iterable[str] = (), *, articles_only: bool = False
                 ) -> PageLinks:
    """Split a page's links into articles, listings, pagination, postbacks and feeds.

    `articles_only` (for article pages, whose only interest is links to other articles):
    no pagination, postbacks, feeds, listings or listed dates.
    """
    rules = rules or _GENERIC_RULES
    domains = _site_domains(allowed_domains)
    result = PageLinks()
    self_url = canonicalize_url(page_url)
    keep = None
    if articles_only:
        # only links that can come out as articles need their text and region: not the
        # page itself, not off-site, not a URL whose rules or shape rule an article out
        def keep(url: str) -> bool:
            return (url != self_url and (not domains or _on_site(url, domains))
                    and _may_be_article(url, rules))

    links = list(iter_links(tree, page_url, dates=False, keep=keep))
    if not articles_only:
        result.pages = [p for p in find_pagination(tree, page_url, rules, links)
                        if not domains or _on_site(p.url, domains)]
        result.postbacks = find_postbacks(tree, rules)
        result.feeds = [u for u in find_feeds(tree, page_url)
                        if not domains or _on_site(u, domains)]
    pager_urls = {p.url for p in result.pages}
    best: dict[str, tuple[LinkKind, list[Link]]] = {}
    rank = {"article": 2, "listing": 1, "other": 0}
    for link in links:
        # with articles_only, `keep` has already left out the page itself and off-site
        # links (and there are no pager links)
        if not articles_only:
            if link.url == self_url or link.url in pager_urls:
                continue
            if domains and not _on_site(link.url, domains):
                continue
        kind = classify_link(link, rules)
        prev = best.get(link.url)
        if prev is None:
            best[link.url] = (kind, [link])
        else:
            prev[1].append(link)
            if rank[kind] > rank[prev[0]]:
                best[link.url] = (kind, [link] + [x for x in prev[1] if x is not link])
    for kind, occurrences in best.values():
        first = occurrences[0]
        if kind == "article":
            listed = None
            if not articles_only:
                for occ in occurrences:
                    listed = listed_date(occ.element, occ.text) if occ.element is not None \
                        else occ.listed_at
                    if listed is not None:
                        break
            # iter_links(dates=False) left listed_at None: `first` is the link to give
            result.articles.append(first if listed is None else
                                   Link(first.url, first.text, first.region, listed,
                                        first.element))
        elif kind == "listing" and not articles_only:
            result.listings.append(first)
    return result
