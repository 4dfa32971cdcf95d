"""From the bytes of one page and its URL to a `Record`: the core of bantin.

Steps: decode (HTTP charset, BOM, meta, detection, repairs) → parse with lxml → read head
metadata (canonical, og:, JSON-LD, meta dates) → detect the platform → classify the page
(article / listing / home / not_found / error) → for articles pick title, date, lead, body,
byline, images and attachments with the platform's selectors or the generic extractor →
clean every paragraph → officials from title + lead + body without the byline authors.

`extract` never raises: empty, binary, truncated or huge input gives a record whose `kind`
and `warnings` say what happened.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree

from scraper import chrome
from scraper.bylines import byline_credit, parse_byline
from scraper.chrome import contains
from scraper.dates import choose_date, parse_date
from scraper.encoding import decode_page
from scraper.officials import find_officials
from scraper.page_kind import LinkStats, classify, has_pager, link_stats, soft_error
from scraper.platforms import detect
from scraper.platforms.base import Platform, select, select_all, squeezed
from scraper.platforms.generic import find_main_block
from scraper.record import Attachment, Image, Record
from scraper.text import clean_and_normalize, clean_text, detect_language, normalize_text

__all__ = ["extract", "extract_with_platform", "ATTACHMENT_TYPES"]

# File types a linked document can have (by extension).
ATTACHMENT_TYPES: frozenset[str] = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf",
    "zip", "rar", "7z", "txt", "csv", "xml", "signed", "tif", "tiff",
})  # fmt: skip
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x89PNG", "png"),
    (b"GIF8", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\xd0\xcf\x11\xe0", "ms-office"),
    (b"Rar!", "rar"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x01\x00", "ico"),
)
# Media types that are never an HTML page (octet-stream is sniffed instead: servers misuse it).
_NON_HTML_MEDIA = re.compile(
    r"^(?:image|audio|video|font)/|^application/(?:pdf|zip|gzip|x-rar|json|ld\+json|"
    r"javascript|x-javascript|rss\+xml|atom\+xml|msword|vnd\.)|^text/(?:css|javascript|csv)"
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Characters lxml refuses in text (C0 controls, lone surrogates, non-characters).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_C0_NOT_XML = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))


def _has_not_xml(text: str) -> bool:
    """Does `text` hold a character `_NOT_XML` removes? Exact, and a quarter of the cost of
    that regex's scan of a page: in UTF-8 those controls are the only bytes below 0x20
    but tab, LF and CR (multi-byte sequences have none), a lone surrogate cannot be encoded
    and U+FFFE/U+FFFF are found by substring search."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return (len(raw.translate(None, _C0_NOT_XML)) != len(raw)
            or "\ufffe" in text or "\uffff" in text)


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
# Elements that end a paragraph: text on either side of them is two paragraphs.
_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "td",
    "th", "tbody", "thead", "tfoot", "blockquote", "section", "article", "header", "footer",
    "figure", "figcaption", "dl", "dt", "dd", "pre", "address", "center", "hr", "br", "main",
    "aside", "nav", "form", "fieldset", "legend", "caption", "details", "summary",
})  # fmt: skip
_SKIP_TAGS = frozenset(chrome.DROP_TAGS) | {"head", "title"}
_UPDATED = re.compile(
    r"(?i)(?:ngày\s+)?(?:cập\s+nhật|cap\s+nhat|sửa\s+đổi|chỉnh\s+sửa|updated?|modified)"
    r"(?:\s+(?:lúc|ngày|lần\s+cuối))?\s*[:：]?\s*"
)
_PUBLISHED_LABEL = re.compile(
    r"(?i)(?:ngày\s+(?:đăng|xuất\s+bản|ban\s+hành)|đăng\s+ngày|đăng\s+lúc|ngày\s+đưa\s+tin|"
    r"published|posted(?:\s+on)?|thời\s+gian\s+đăng)\s*[:：]?\s*"
)
_LEAD_CLASS = re.compile(
    r"sapo|lead|summary|tomtat|tom-tat|trichyeu|trich-yeu|description|intro", re.I
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ])")
_TITLE_SPLIT = re.compile(r"\s+[-|–—»]\s+|\s*\|\s*|\s+::\s+")
_DATE_META_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.created",
    "article.published",
    "sailthru.date",
    "itemprop:datepublished",
    "created",
    "creation_date",
    "citation_publication_date",
)
_DATE_META_UPDATED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "lastmod",
    "dcterms.modified",
    "itemprop:datemodified",
    "revised",
    "modified",
)
_SPACER_IMG = re.compile(
    r"spacer|blank|pixel|1x1|transparent|icon|sprite|/common/|logo|banner", re.I
)


def extract(
    data: bytes,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
    now: datetime | None = None,
) -> Record:
    """Extract one page (raw bytes as served) fetched from `url` into a `Record`.

    `headers`: the HTTP response headers (Content-Type's charset is used for decoding);
    `status`: the HTTP status (404/410 → not_found, other errors → error);
    `now`: the reference time for rejecting future dates (default: the current time).
    Never raises: unreadable input gives a record of kind "error" with warnings.
    """
    return extract_with_platform(data, url, headers=headers, status=status, now=now)[0]


# Called with (the page's tree, the string it is the plain parse of, the platform detected).
TreeHook = Callable[[etree._Element, str, Platform], None]


def extract_with_platform(
    data: bytes,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
    now: datetime | None = None,
    on_tree: TreeHook | None = None,
) -> tuple[Record, Platform | None, str | None]:
    """`extract`, plus the platform detected and the HTML it was detected on: the HTML
    the tree handed to `detect` was parsed from, exactly (None when there was no
    detection, or the tree is not a plain parse of one string). A caller that would detect
    again on a tree of the same string can take the platform instead (the crawl's link
    analysis does).

    `on_tree`: called once the platform is detected, before extraction starts taking the
    tree apart, with the tree as parsed (comments and processing instructions left out),
    the string it is the plain parse of and the platform; only for such plain parses. A
    caller that reads the same page's tree (the crawl's link analysis) need not parse it
    again. It must not change the tree; what it raises fails the extraction."""
    ex = _Extraction(data, url, headers or {}, status, now)
    ex.on_tree = on_tree
    try:
        record = ex.run()
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return Record(
            kind="error",
            url=url,
            warnings=[f"extraction failed: {type(exc).__name__}: {exc}"],
        ), None, None
    if ex.platform is None:
        return record, None, None
    return record, ex.platform, ex.parsed_html


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return squeezed(el)


class _Extraction:
    """One extraction run: holds the page state while the record is assembled."""

    def __init__(
        self,
        data: bytes,
        url: str,
        headers: Mapping[str, str],
        status: int,
        now: datetime | None,
    ) -> None:
        if isinstance(data, str):  # a caller that already decoded the page
            data = data.encode("utf-8")
        self.data = bytes(data) if isinstance(data, bytes | bytearray | memoryview) else b""
        self.url = url
        self.headers = headers
        self.status = status
        self.now = now
        self.warnings: list[str] = []
        self.record = Record(kind="error", url=url)
        self.language_set = False
        self.meta: dict[str, str] = {}
        self.base_url = url  # the page URL, or its <base href> once the head is read
        self.raw_paragraphs: dict[str, str] = {}
        self.platform: Platform | None = None  # as detected on the page's tree
        self.parsed_html: str | None = None  # the string that tree is the plain parse of
        self.on_tree: TreeHook | None = None

    # --- helpers ---------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def clean(self, s: str) -> str:
        text, warnings = clean_text(s)
        for w in warnings:
            self.warn(w)
        return text

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "data:", "#")):
            return None
        try:
            return urljoin(self.base_url, href)
        except ValueError:
            return None

    def language(self, text: str) -> str:
        try:
            return detect_language(text[:4000]) if text.strip() else "und"
        except Exception:  # noqa: BLE001 - language is a hint, never fatal
            return "und"

    def finish(self, kind: str) -> Record:
        self.record.kind = kind  # type: ignore[assignment]
        if not self.language_set:
            self.record.language = "und"
        self.record.warnings = self.warnings
        return self.record

    # --- the pipeline ----------------------------------------------------------------------
    def run(self) -> Record:
        data = self.data
        if not data or not data.strip():
            self.warn("empty page: no content")
            return self.finish("error")
        head = data[:8]
        for magic, kind in _BINARY_MAGIC:
            if head.startswith(magic):
                self.warn(f"not an HTML page: {kind} content")
                return self.finish("error")
        sample = data[:4096]
        if (
            b"\x00" in sample
            and not sample.startswith((b"\xff\xfe", b"\xfe\xff"))
            and sample.count(b"\x00") > len(sample) // 8
            and b"<" not in sample[:200]
        ):
            self.warn("not an HTML page: binary content")
            return self.finish("error")
        content_type = _header(self.headers, "content-type") or ""
        media = content_type.split(";", 1)[0].strip().lower()
        if _NON_HTML_MEDIA.match(media):
            self.warn(f"not an HTML page: {media}")
            return self.finish("error")
        start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if start.startswith(b"<?xml") and (b"<rss" in start or b"<feed" in start):
            self.warn("not an HTML page: an RSS/Atom feed")
            return self.finish("error")
        m = _CHARSET.search(content_type)
        decoded = decode_page(data, m.group(1) if m else None)
        self.record.encoding = decoded.encoding
        for w in decoded.warnings:
            self.warn(w)
        html = _XML_DECL.sub("", decoded.text, count=1)
        if _has_not_xml(html):
            html = _NOT_XML.sub("", html)
        if "<" not in html[:65536]:
            self.warn("not an HTML page: no markup")
            if len(html.strip()) < 50 or sum(c.isprintable() for c in html[:2000]) < 0.9 * min(
                len(html), 2000
            ):
                return self.finish("error")
        try:
            root = _parse(html)
            self.parsed_html = html
            if _too_deep():
                self.parsed_html = None
                # old portals leave inline tags unclosed by the hundred; libxml2 stops at its
                # depth limit, so drop the inline formatting tags (they carry no structure)
                root = _parse(_INLINE_FORMATTING.sub("", html))
                self.warn("excessive tag nesting: inline formatting tags ignored")
                if _too_deep():
                    self.warn("excessive tag nesting: the page was read only in part")
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
            self.warn(f"unparseable HTML: {exc}")
            return self.finish("error")
        if root is None or root.find("body") is None and len(root) == 0:
            self.warn("no HTML body")
            return self.finish("error")
        tail = html[-20000:]
        # as written (the usual case) first: lower-casing a non-ASCII tail costs more
        if "</html" not in tail and "</body" not in tail:
            tail = tail.lower()
            if "</html" not in tail and "</body" not in tail:
                self.warn("truncated HTML: no closing </html>")
        return self.extract_tree(root, html)

    def extract_tree(self, root: etree._Element, html: str) -> Record:
        metas: list[etree._Element] = []
        meta = _read_head(root, metas)
        self.meta = meta
        if meta.get("<base>"):
            try:
                self.base_url = urljoin(self.url, meta["<base>"])
            except ValueError:
                self.warn(f"unusable <base href>: {meta['<base>']!r}")
        platform = detect(root, self.url, html, metas=metas)
        self.platform = platform
        if self.on_tree is not None and self.parsed_html is not None:
            self.on_tree(root, html, platform)  # before the first change to the tree
        self.record.platform = platform.name
        self.record.canonical_url = self.absolute(meta.get("canonical") or meta.get("og:url"))
        _embedded_documents_to_links(root)  # before iframes/objects go with the chrome
        login_form = bool(_PASSWORD_FIELD(root))  # before form controls go with the chrome
        chrome.strip_page_chrome(root)
        html_title = self.clean(meta.get("<title>", ""))

        # the platform's own parts, located before anything is removed
        title_el = _first(select(root, platform.title, html))
        body_el = _first(select(root, platform.body, html))
        date_els = select(root, platform.date, html)
        lead_el = _first(select(root, platform.lead, html))
        byline_els = select_all(root, platform.byline, html) if body_el is not None else []
        if lead_el is not None and body_el is not None and contains(lead_el, body_el):
            lead_el = None

        pager = has_pager(root) if body_el is None else None  # before landmarks go
        if body_el is None:
            chrome.strip_landmarks(root, chrome.keep_set(title_el))
        block = find_main_block(root) if body_el is None else None
        main_text = _text(body_el) if body_el is not None else _visible_text(root)
        bad = soft_error(root, self.status, html_title, main_text, login_form=login_form)
        if bad is not None:
            kind, reason = bad
            self.warn(f"{kind}: {reason}")
            self.record.title = html_title or None
            self.record.language = self.language(f"{html_title}\n{main_text}")
            self.language_set = True
            return self.finish(kind)

        if body_el is not None:
            text_len, title_links = len(main_text), 0
        elif block is not None and block.node is not None:
            text_len, title_links = block.text_len, block.title_links
        else:
            text_len, title_links = 0, 0
        generic_title = None
        evidence = True  # does the main block look like one article (titled, dated)?
        if title_el is None and block is not None and block.node is not None:
            generic_title = _generic_title_el(root, block.node, html_title, meta)
            evidence = generic_title is not None and (
                _title_in_head(_text(generic_title), html_title, meta)
                or bool(_dates_near(root, generic_title, block.node))
            )

        def stats() -> LinkStats:
            found = link_stats(root)
            found.pager = found.pager or (has_pager(root) if pager is None else pager)
            return found

        kind, reason = classify(
            root,
            self.url,
            platform,
            has_title=bool(title_el is not None or _headings(root) or generic_title is not None),
            has_attachment=bool(
                block is not None
                and block.node is not None
                and any(
                    _file_type(self.absolute(a.get("href")) or "") for a in block.node.iter("a")
                )
            ),
            main_text_len=text_len,
            main_title_links=title_links,
            stats=stats,
            html=html,
            main_block=block.node if block is not None else None,
            article_evidence=evidence,
            # found above, and nothing was removed since unless the landmarks went
            title_and_body=(title_el is not None, True) if body_el is not None else None,
        )
        if kind != "article":
            if kind == "error":
                self.warn(f"no article found: {reason}")
            self.record.title = self.section_title(kind, html_title) or None
            self.record.language = self.language(f"{html_title}\n{_visible_text(root)}")
            self.language_set = True
            return self.finish(kind)

        if body_el is None and block is not None:
            body_el = block.node
            self.warn("body found by the generic extractor (text density)")
        assert body_el is not None
        if title_el is None:
            title_el = generic_title
            if title_el is None:
                title_el = _generic_title_el(root, body_el, html_title, meta)
        title = self.page_title(root, html_title, title_el)
        self.record.title = title or None
        if not title:
            self.warn("no title found")

        # date elements near the title (generic) when the platform names none
        if not date_els:
            date_els = _dates_near(root, title_el, body_el)
        if lead_el is None:
            lead_el = _generic_lead(root, title_el, body_el)
        if not byline_els and not platform.byline:
            byline_els = _generic_bylines(title_el, body_el)

        # texts of the parts that live inside the body are read, then removed from it
        byline_texts = [_text(el) for el in byline_els]
        before_body = _precedes(root, byline_els, body_el)
        date_texts = [_text(el) for el in date_els[:3]]
        times = _article_times(title_el, body_el, platform, html)
        raw_lead = normalize_text(_text(lead_el)) if lead_el is not None else ""
        lead_text = self.clean(raw_lead) if raw_lead else ""
        lead_images = []
        if lead_el is not None and lead_el.getparent() is not None:
            lead_images = [
                img for img in lead_el.getparent().iter("img") if not contains(body_el, img)
            ]
        for el in [title_el, *date_els, lead_el, *byline_els]:
            if el is not None and el is not body_el and contains(body_el, el):
                chrome.drop(el)
        chrome.strip_body_chrome(body_el, platform, html)
        scope = _article_scope(title_el, body_el)

        images = [self.image(img, "") for img in lead_images]
        images = [i for i in images if i is not None]
        images += self.images_and_captions(body_el, platform)
        self.record.images = _dedupe_images(images)
        self.record.attachments = self.attachments(body_el, scope, platform, html)

        raw_paragraphs: dict[str, str] = {}  # cleaned paragraph -> text as the page has it
        date_lines: list[str] = []  # "Đăng lúc 2:05 CH", "Cập nhật: …" lines: dates, not text
        paragraphs = []
        for raw in _paragraphs(body_el):
            cleaned, repairs, normalized = clean_and_normalize(raw)
            for w in repairs:
                self.warn(w)
            if _is_date_line(cleaned):
                date_lines.append(normalized if normalized is not None else normalize_text(raw))
                continue
            if cleaned and not chrome.is_chrome_paragraph(cleaned):
                paragraphs.append(cleaned)
                if cleaned not in raw_paragraphs:  # (setdefault, without normalising again)
                    raw_paragraphs[cleaned] = (
                        normalized if normalized is not None else normalize_text(raw)
                    )
        self.raw_paragraphs = raw_paragraphs
        paragraphs = _dedupe_adjacent(paragraphs)
        if title:
            paragraphs = [p for p in paragraphs if p != title]
        if lead_text:
            paragraphs = [p for p in paragraphs if p != lead_text]
            if paragraphs and lead_text.startswith(paragraphs[0]) and len(paragraphs[0]) > 40:
                paragraphs = paragraphs[1:]

        # bylines: the platform's byline elements (in a header before the body first), then
        # credit lines at the end of the body, then byline elements after the text
        head_authors: list[str] = []
        end_authors: list[str] = []
        for el, t in zip(byline_els, byline_texts, strict=True):
            names = _byline_names(self.clean(t))
            (head_authors if before_body.get(el) else end_authors).extend(names)
        tail_credits: list[str] = []
        tail_names: list[list[str]] = []  # each credit line is read once
        while paragraphs and len(tail_credits) < 3 and (names := _credit_names(paragraphs[-1])):
            tail_credits.insert(0, paragraphs.pop())
            tail_names.insert(0, names)
        authors = list(head_authors)
        for names in tail_names:
            authors.extend(names)
        authors.extend(end_authors)
        if (
            paragraphs
            and (credited := byline_credit(paragraphs[0])) is not None
            and re.match(r"(?i)(bài|tin|ảnh|tác giả|nguồn)\b", paragraphs[0])
        ):
            paragraphs.pop(0)
            authors = credited + authors
        self.record.authors = _dedupe_names(authors)

        self.record.lead = lead_text or None
        body_parts = ([lead_text] if lead_text else []) + paragraphs
        self.record.body_text = "\n\n".join(body_parts)
        if not paragraphs:
            self.warn("article body is empty")

        first_sentences = [_first_sentence(raw_lead)] if raw_lead else []
        if paragraphs:
            first_sentences.append(
                _first_sentence(self.raw_paragraphs.get(paragraphs[0], paragraphs[0]))
            )
        self.pick_dates(
            meta, times, date_texts + date_lines, byline_texts + tail_credits, first_sentences
        )

        text = "\n\n".join(x for x in (title, lead_text, *paragraphs) if x)
        # table cells are separate phrases for the officials reader ("name, title | place")
        cells_apart = text.replace(" | ", "\n")
        self.record.officials = find_officials(cells_apart, exclude=self.record.authors)
        self.record.language = self.language(text)
        self.language_set = True
        return self.finish("article")

    # --- parts -----------------------------------------------------------------------------
    def page_title(
        self, root: etree._Element, html_title: str, title_el: etree._Element | None
    ) -> str:
        """The article title: the title element, else og:title / h1 / <title> minus site name."""
        if title_el is not None:
            t = self.clean(_text(title_el))
            if t:
                return t
        for key in ("og:title", "twitter:title", "headline"):
            t = self.clean(self.meta.get(key, ""))
            if t:
                return _strip_site_name(t, html_title, self.meta.get("og:site_name", ""))
        return _strip_site_name(html_title, html_title, self.meta.get("og:site_name", ""))

    def section_title(self, kind: str, html_title: str) -> str:
        """Title of a non-article page: the whole <title> of a home page, the first part of
        a listing's "<section> - <site>" title."""
        title = html_title or self.clean(self.meta.get("og:title", ""))
        if kind == "listing":
            parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p.strip()]
            return " - ".join(parts[:-1]) if len(parts) > 1 else title
        return title

    def pick_dates(
        self,
        meta: dict[str, str],
        times: list[tuple[str, str]],
        date_texts: list[str],
        byline_texts: list[str],
        first_sentences: list[str],
    ) -> None:
        """published_at / updated_at by preference: metadata (meta, JSON-LD, the article's
        `time[datetime]`) → the date element by the title → the byline → the body's first
        sentence. Sidebars never contribute: their blocks are not candidates."""
        candidates: list[tuple[str, str]] = []
        updated: list[tuple[str, str]] = []
        for key in _DATE_META_PUBLISHED:
            if meta.get(key):
                candidates.append((f"meta {key}", meta[key]))
        for key in _DATE_META_UPDATED:
            if meta.get(key):
                updated.append((f"meta {key}", meta[key]))
        for kind, value in times:
            (updated if kind == "updated" else candidates).append(("time[datetime]", value))
        for text in date_texts:
            text = normalize_text(text)
            m = _UPDATED.search(text)
            if m:
                before, after = text[: m.start()], text[m.end() :]
                if parse_date(before):
                    candidates.append(("date element", _strip_label(before)))
                updated.append(("date element (cập nhật)", after))
            else:
                candidates.append(("date element", _strip_label(text)))
        for text in byline_texts:
            candidates.append(("byline", normalize_text(text)))
        for sentence in first_sentences:  # the lead's, then the first paragraph's
            candidates.append(("first sentence of the body", sentence))
        found, warnings = choose_date(candidates, now=self.now)
        for w in warnings:
            self.warn(w)
        upd, upd_warnings = choose_date(updated, now=self.now) if updated else (None, [])
        for w in upd_warnings:
            self.warn(w)
        if upd is not None:
            self.record.updated_at = upd.iso()
        if found is None and upd is not None:
            found = upd
            self.warn("publication date: only an update date is shown; used as published_at")
        if found is not None:
            self.record.published_at = found.iso()
            self.record.published_raw = found.raw
        else:
            self.warn("no publication date found")

    def image(self, img: etree._Element, caption: str) -> Image | None:
        src = img.get("src") or img.get("data-src") or img.get("data-original")
        url = self.absolute(src)
        if not url:
            return None
        width = img.get("width") or ""
        if width.isdigit() and int(width) < 40 or _SPACER_IMG.search(url):
            return None
        return Image(url=url, caption=caption)

    def images_and_captions(self, body: etree._Element, platform: Platform) -> list[Image]:
        """Images of the body with their captions; caption elements are removed from the body."""
        imgs = list(body.iter("img"))
        captions: dict[etree._Element, etree._Element] = {}
        if imgs:  # caption elements matter only for images of the body
            for cap in select_all(body, platform.caption):
                img = _image_before(cap)
                if img is not None:
                    captions[img] = cap
        out: list[Image] = []
        for img in imgs:
            cap = captions.get(img)
            if cap is None:
                cap = _generic_caption(img)
            caption = self.clean(_text(cap)) if cap is not None else ""
            if cap is not None and chrome.is_chrome_paragraph(caption):
                caption = ""
            image = self.image(img, caption)
            if cap is not None and contains(body, cap):
                chrome.drop(cap)
            if image is not None:
                out.append(image)
        return out

    def attachments(
        self, body: etree._Element, scope: etree._Element, platform: Platform,
        html: str | None = None,
    ) -> list[Attachment]:
        """Linked documents (PDF, Word, Excel, archives) of the article, with title and type:
        in the body, then in the article container around it ("Tệp đính kèm" blocks), never
        in other-news blocks. `html`: the page source, as for `select_all`."""
        out: list[Attachment] = []
        seen: set[str] = set()
        links = list(body.iter("a"))
        if scope is not body:
            outside = [a for a in scope.iter("a") if not contains(body, a)]
            if outside:  # other-news blocks matter only for links outside the body
                excluded = set(select_all(scope, platform.other_news, html))
                links += [a for a in outside if not any(contains(x, a) for x in excluded)]
        for a in links:
            url = _viewer_target(self.absolute(a.get("href")))
            if not url or url in seen:
                continue
            ftype = _file_type(url)
            if not ftype:
                continue
            seen.add(url)
            title = self.clean(_text(a)) or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            out.append(Attachment(url=url, title=title, type=ftype))
        return out


# --- module helpers ---------------------------------------------------------------------------

# Plain lxml elements (no lxml.html class lookup: measurably faster on every element visit).
# One parser per thread: lxml parsers must not be shared between threads.
_PARSERS = threading.local()
_INLINE_FORMATTING = re.compile(r"</?(?:font|span|b|i|u|em|strong|small|big|sup|sub)\b[^>]*>", re.I)


def _parser() -> etree.HTMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=True
        )
        _PARSERS.parser = parser
    return parser


def _parse(html: str) -> etree._Element | None:
    return etree.fromstring(html, _parser())


def _too_deep() -> bool:
    """Did the last parse in this thread stop at libxml2's nesting limit?"""
    return any("Excessive depth" in e.message for e in _parser().error_log)


# regexp=False: no EXSLT regular expressions used; not registering them saves ~0.7 us a call
_H1 = etree.XPath("//h1", regexp=False)
_PASSWORD_FIELD = etree.XPath(
    "//input[translate(@type,'PASSWORD','password')='password']", regexp=False
)


_CANONICAL_CASE = str.maketrans("CANONICAL", "canonical")  # as XPath translate() maps
_JSONLD_CASE = str.maketrans("LDJSON", "ldjson")


def _head_elements(root: etree._Element) -> tuple[
    etree._Element | None, list[etree._Element], list[str], list[str], list[etree._Element]
]:
    """One walk for what _read_head needs (was five): the first <title> below `root`, every
    <meta>, the <base href>s, the canonical <link href>s and the JSON-LD <script>s, each in
    document order - what `.//title`, `//meta`, `//base/@href`,
    `//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href` and
    `//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]` give."""
    title = None
    metas: list[etree._Element] = []
    bases: list[str] = []
    canonicals: list[str] = []
    scripts: list[etree._Element] = []
    for el in root.iter("title", "meta", "base", "link", "script"):
        tag = el.tag
        if tag == "meta":
            metas.append(el)
        elif tag == "title":
            if title is None and el is not root:
                title = el
        elif tag == "base":
            href = el.get("href")
            if href is not None:
                bases.append(href)
        elif tag == "link":
            href = el.get("href")
            if href is not None and (el.get("rel") or "").translate(_CANONICAL_CASE) == "canonical":
                canonicals.append(href)
        elif "ld+json" in (el.get("type") or "").translate(_JSONLD_CASE):
            scripts.append(el)
    return title, metas, bases, canonicals, scripts


def _read_head(root: etree._Element, metas: list[etree._Element] | None = None
               ) -> dict[str, str]:
    """Head metadata: <title>, canonical, og:*, meta dates, JSON-LD dates and headline.

    `metas`: a list that receives every <meta> of the page (for platform detection)."""
    meta: dict[str, str] = {}
    title, meta_els, base, canonical, jsonld = _head_elements(root)
    if metas is not None:
        metas.extend(meta_els)
    if title is not None:
        meta["<title>"] = squeezed(title)
    for el in meta_els:
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if not key or content is None:
            continue
        key = key.strip().lower()
        if el.get("itemprop") and not el.get("name") and not el.get("property"):
            meta.setdefault(f"itemprop:{key}", content.strip())
        meta.setdefault(key, content.strip())
    if base and base[0].strip():
        meta["<base>"] = base[0].strip()
    if canonical:
        meta["canonical"] = canonical[0]
    for script in jsonld:
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        for obj in _walk_json(data):
            for src, dst in (
                ("datePublished", "datepublished"),
                ("dateModified", "datemodified"),
                ("headline", "headline"),
            ):
                value = obj.get(src)
                if isinstance(value, str) and value.strip():
                    meta.setdefault(dst, value.strip())
    return meta


def _walk_json(data: object, depth: int = 0) -> Iterable[dict]:
    if depth > 6:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _walk_json(value, depth + 1)
    elif isinstance(data, list):
        for item in data[:50]:
            yield from _walk_json(item, depth + 1)


def _first(items: list[etree._Element]) -> etree._Element | None:
    return items[0] if items else None




def _headings(root: etree._Element) -> list[etree._Element]:
    return _H1(root)


def _visible_text(root: etree._Element, limit: int = 4000) -> str:
    """The page's text (lines), up to about `limit` characters: enough to judge a short
    error page or a page's language without joining a whole portal's text."""
    body = root.find("body")
    node = body if body is not None else root
    lines: list[str] = []
    size = 0
    for s in node.itertext():
        t = " ".join(s.split())
        if t:
            lines.append(t)
            size += len(t) + 1
            if size > limit:
                break
    return "\n".join(lines)


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0][:200]


def _strip_label(text: str) -> str:
    return _PUBLISHED_LABEL.sub("", text, count=1).strip()


def _strip_site_name(title: str, html_title: str, site_name: str) -> str:
    """Remove the site-name part of a "<article> - <section> - <site>" title."""
    title = title.strip()
    if not title:
        return ""
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        return title
    if site_name:
        folded_site = chrome.fold_short(site_name)
        parts = [p for p in parts if chrome.fold_short(p) != folded_site] or parts
    return max(parts, key=len) if len(parts) > 1 else parts[0]


def _title_in_head(title: str, html_title: str, meta: dict[str, str]) -> bool:
    """True when a heading is the page's own title (in <title> or og:title), as an
    article's headline is; a home page's <title> is the site name."""
    t = chrome.fold_short(title)
    if len(t) < 8:
        return False
    for head in (html_title, meta.get("og:title", ""), meta.get("headline", "")):
        h = chrome.fold_short(head)
        if h and (t in h or (len(h) >= 20 and h in t)):
            return True
    return False


def _generic_title_el(
    root: etree._Element, body: etree._Element, html_title: str, meta: dict[str, str]
) -> etree._Element | None:
    """The heading that titles the article: one matching <title>/og:title, else the nearest
    heading before the body."""
    wanted = {chrome.fold_short(p) for p in _TITLE_SPLIT.split(html_title) if len(p) > 10}
    for key in ("og:title", "headline", "twitter:title"):
        if meta.get(key):
            wanted.add(chrome.fold_short(meta[key]))
    wanted.discard("")
    candidates: list[etree._Element] = []
    for el in root.iter("h1", "h2", "h3", "h4", "div", "p", "span", "td", "strong"):
        if el.tag in ("div", "p", "span", "td", "strong"):
            cls = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
            if "title" not in cls and "tieude" not in cls and "tieu-de" not in cls:
                continue
        text = _text(el)
        if not 8 <= len(text) <= 300 or chrome.is_chrome_paragraph(text):
            continue
        if chrome.fold_short(text) in wanted:
            return el
        candidates.append(el)
    # nearest candidate before the body start (document order)
    wanted_els = set(candidates)
    before: list[etree._Element] = []
    for el in root.iter():
        if el is body:
            break
        if el in wanted_els:
            before.append(el)
    before += [c for c in candidates if contains(body, c)]
    if before:
        heads = [c for c in before if c.tag in ("h1", "h2")]
        return (heads or before)[-1]
    h1 = _H1(root)
    return h1[0] if len(h1) == 1 else None


# A paragraph that is only a posting/update date or time, with its labels.
_DATE_SHAPE = re.compile(r"\d{1,2}[/\-]\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}\s*[:h]\s*\d{2}")
_DATE_WORDS = re.compile(
    r"(?i)\b(?:ngày|tháng|năm|lúc|giờ|phút|đăng|cập nhật|xuất bản|thời gian|chỉnh sửa|"
    r"thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật|sa|ch|am|pm|posted|updated|published|on|at)\b"
)
_DATE_LINE_REST = re.compile(r"[\d\s:/.,\-–|h()\[\]：]*")


def _is_date_line(text: str) -> bool:
    """True for a paragraph that only states when the post was made or updated."""
    if len(text) > 80 or not _DATE_SHAPE.search(text):
        return False
    return bool(_DATE_LINE_REST.fullmatch(_DATE_WORDS.sub(" ", text)))


_UPDATED_CLASS = re.compile(r"updated|modified|capnhat|cap-nhat", re.I)


def _article_scope(title_el: etree._Element | None, body: etree._Element) -> etree._Element:
    """The smallest element holding both the title and the body (the article container);
    the body itself when they only meet at <body>/<html> or there is no title."""
    if title_el is None:
        return body
    # sets of elements (not of id()s): holding the proxies keeps their identity stable
    ancestors = set()
    node = title_el
    while node is not None:
        ancestors.add(node)
        node = node.getparent()
    node = body
    while node is not None and node not in ancestors:
        node = node.getparent()
    if node is None or node.tag in ("html", "body"):
        return body
    return node


_AUTHOR_CLASS = re.compile(
    r"author|tacgia|tac-gia|tac_gia|byline|nguoiviet|nguoi-viet|butdanh", re.I
)


def _generic_bylines(title_el: etree._Element | None, body: etree._Element) -> list[etree._Element]:
    """Elements of the article classed as its author/byline ("tacgia", "author")."""
    scope = _article_scope(title_el, body)
    out: list[etree._Element] = []
    for el in scope.iter("p", "div", "span", "em", "strong", "b", "a", "td"):
        cls = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _AUTHOR_CLASS.search(cls):
            continue
        text = _text(el)
        if not text or len(text) > 100 or any(contains(o, el) for o in out):
            continue
        out.append(el)
    return out


def _article_times(
    title_el: etree._Element | None, body: etree._Element, platform: Platform,
    html: str | None = None,
) -> list[tuple[str, str]]:
    """("published" | "updated", datetime attribute) of `time` elements in the article
    (the smallest element holding both title and body), outside other-news blocks.
    `html`: the page source, as for `select_all`."""
    scope = _article_scope(title_el, body)
    excluded = set(select_all(scope, platform.other_news, html))
    out: list[tuple[str, str]] = []
    for t in scope.iter("time"):
        value = (t.get("datetime") or "").strip()
        if not value:
            continue
        node, inside_other = t, False
        while node is not None and node is not scope:
            if node in excluded:
                inside_other = True
                break
            node = node.getparent()
        if inside_other or _is_list_item_date(t, title_el, body):
            continue
        cls = f"{t.get('class') or ''} {t.get('itemprop') or ''}"
        out.append(("updated" if _UPDATED_CLASS.search(cls) else "published", value))
    return out


def _is_list_item_date(el: etree._Element, *article: etree._Element | None) -> bool:
    """True for a date that belongs to an item of a list of other articles (a `li`, or next
    to a title link); never for one inside the container of the article's own parts."""
    node = el.getparent()
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            return False
        if any(part is not None and contains(node, part) for part in article):
            return False  # the article's own container
        if node.tag == "li":
            return True
        if len(_text(node)) > 400:
            return False  # an article container, not a list item
        for a in node.iter("a"):
            if len(_text(a)) >= 20 and not _file_type(a.get("href") or ""):
                return True
        node = node.getparent()
    return False


def _dates_near(
    root: etree._Element, title_el: etree._Element | None, body: etree._Element
) -> list[etree._Element]:
    """Short elements holding a date right after (or just before) the title: the date line.

    Up to 25 text elements after the title are read, and the 12 before it only when none
    after it holds a date (a date line above the headline)."""
    if title_el is None:
        return []
    title_inside = contains(body, title_el)
    out: list[etree._Element] = []
    before: deque[etree._Element] = deque(maxlen=12)
    title_ancestors = set(title_el.iterancestors())
    seen_title = False
    after_count = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el is title_el:
            seen_title = True
            continue
        if not seen_title:
            if el not in title_ancestors and _has_own_text(el):
                before.append(el)
            continue
        if (el is body and not title_inside) or (contains(body, el) and el.tag == "p"):
            break
        if contains(title_el, el) or not _has_own_text(el):
            continue
        after_count += 1
        if after_count > 25:
            break
        if _date_element(el, title_el, body):
            out.append(el)
            if len(out) >= 2:
                break
    if not out:
        dated = [el for el in before if _date_element(el, title_el, body)]
        out = dated[-1:]
    return out


def _has_own_text(el: etree._Element) -> bool:
    """True when the element holds text itself (not only inside its children)."""
    if el.text and el.text.strip():
        return True
    return any(c.tail and c.tail.strip() for c in el)


def _date_element(el: etree._Element, title_el: etree._Element, body: etree._Element) -> bool:
    """A short element whose text is a date, and not an item of a list of other articles."""
    node = el
    # a date split over inline children ("<b>Ngày</b> 16/01/2023") reads from its block
    while node.getparent() is not None and node.tag in _INLINE_TAGS:
        node = node.getparent()
    text = _text(node)
    if not text or len(text) > 120 or node.tag in ("a", "li"):
        return False
    if contains(node, title_el) or contains(node, body):
        return False
    return parse_date(text) is not None and not _is_list_item_date(node, title_el, body)


_INLINE_TAGS = frozenset({"span", "b", "strong", "i", "em", "font", "small", "time", "u", "sup"})


def _generic_lead(
    root: etree._Element, title_el: etree._Element | None, body: etree._Element
) -> etree._Element | None:
    """An element classed like a sapo/lead/summary inside the article area."""
    first = next((c for c in body if isinstance(c.tag, str) and _text(c)), None)
    if (
        first is not None
        and first.tag in ("p", "div", "h2", "h3", "h4")
        and not (first.text or "").strip()
    ):
        kids = [c for c in first if isinstance(c.tag, str)]
        text = _text(first)
        if (
            len(kids) == 1
            and kids[0].tag in ("b", "strong")
            and _text(kids[0]) == text
            and 60 <= len(text) <= 800
            and len(body) > 2
        ):
            return first  # a first paragraph set wholly in bold is the sapo
    scope = _article_scope(title_el, body)
    if scope is body and body.getparent() is not None:
        scope = body.getparent()
    for el in scope.iter("p", "div", "h2", "h3", "h4", "strong", "b", "span"):
        cls = f"{el.get('class') or ''} {el.get('id') or ''}"
        if cls.strip() and _LEAD_CLASS.search(cls):
            text = _text(el)
            if 40 <= len(text) <= 1200 and el is not body and not contains(el, body):
                return el
    return None


def _paragraphs(node: etree._Element) -> list[str]:
    """Text of `node` split into paragraphs at block elements and line breaks.

    Iterative (lxml's iterwalk), so a page nested thousands of levels deep (old portals
    leave `<font>` tags unclosed by the hundred) cannot exhaust Python's recursion limit."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = " ".join("".join(buf).split())
            if text:
                out.append(text)
            buf.clear()

    walker = etree.iterwalk(node, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            # (a skipped subtree still gets its "end" event, which adds the tail)
            if not tag or tag in _SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in _BLOCK_TAGS:
                flush()
            if tag == "tr" and _is_data_row(el):
                cells = [squeezed(c) for c in el if isinstance(c.tag, str) and c.tag in _CELLS]
                row = " | ".join(c for c in cells if c)
                if row:
                    out.append(row)
                walker.skip_subtree()
            elif el.text:
                buf.append(el.text)
            continue
        # "end"
        if tag in _BLOCK_TAGS:
            flush()
        elif tag == "img":
            buf.append(" ")
        if el is not node and el.tail:
            buf.append(el.tail)
    flush()
    return out


_CELLS = frozenset({"td", "th"})


_CELL_BLOCKS = frozenset({"p", "div", "table", "ul", "ol", "br", "h1", "h2", "h3", "h4", "img"})


def _is_data_row(tr: etree._Element) -> bool:
    """A row of a data table (short cells of plain text), read as one line "a | b | c";
    rows of layout tables (cells holding paragraphs, images or other tables) are not."""
    cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
    if len(cells) < 2:
        return False
    for cell in cells:
        if len(squeezed(cell)) > 200:
            return False
        if any(isinstance(d.tag, str) and d.tag in _CELL_BLOCKS for d in cell.iter()):
            return False
    return True


def _image_before(cap: etree._Element) -> etree._Element | None:
    """The image a caption element belongs to: in its preceding siblings or its table."""
    node = cap
    for _ in range(4):
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            if sib.tag == "img":
                return sib
            imgs = list(sib.iter("img"))
            if imgs:
                return imgs[-1]
            break
        node = node.getparent()
        if node is None:
            break
    return None


def _generic_caption(img: etree._Element) -> etree._Element | None:
    """A caption next to an image: figcaption, a small table's text row, or a short italic or
    centred element right after the image (or after the paragraph holding only the image)."""
    node = img.getparent()
    depth = 0
    while node is not None and depth < 4:
        if node.tag == "figure":
            caps = node.findall(".//figcaption")
            return caps[0] if caps else None
        if node.tag == "table":
            rows = node.findall(".//tr")
            if 2 <= len(rows) <= 3:
                for row in rows:
                    if not list(row.iter("img")) and 0 < len(_text(row)) < 300:
                        return row
            return None
        node = node.getparent()
        depth += 1
    # the sibling right after the image
    for sib in img.itersiblings():
        if not isinstance(sib.tag, str) or sib.tag == "br":
            continue
        if _is_caption_like(sib):
            return sib
        break
    # the element after the paragraph that holds only this image
    holder = img.getparent()
    while holder is not None and holder.tag in ("a", "span", "strong", "b", "center"):
        holder = holder.getparent()
    if holder is not None and holder.tag in ("p", "div") and len(_text(holder)) == 0:
        nxt = holder.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None and _is_caption_like(nxt) and not list(nxt.iter("img")):
            return nxt
    return None


_CAPTION_CLASS = re.compile(r"caption|chuthich|chu-thich|desc|note|image-text|photo-text", re.I)


def _is_caption_like(el: etree._Element) -> bool:
    text = _text(el)
    if not text or len(text) > 250:
        return False
    cls = f"{el.get('class') or ''} {el.get('id') or ''}"
    style = (el.get("style") or "").replace(" ", "").lower()
    if _CAPTION_CLASS.search(cls) or el.tag in ("i", "em", "figcaption", "small"):
        return True
    if "font-style:italic" in style:
        return True
    children = [c for c in el if isinstance(c.tag, str)]
    if children and all(c.tag in ("i", "em") for c in children) and not (el.text or "").strip():
        return True
    return "text-align:center" in style and len(text) < 200 and (el.get("align") != "right")


def _viewer_target(url: str | None) -> str | None:
    """The document a viewer URL shows (`…/viewer?url=<doc.pdf>`, `pdfjs/web/viewer.html?
    file=<doc.pdf>`), else the URL itself."""
    if not url or "?" not in url:
        return url
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in ("url", "file", "src", "doc", "document") and _file_type(value):
            return urljoin(url, value)
    return url


def _embedded_documents_to_links(root: etree._Element) -> None:
    """Replace iframes/embeds/objects that show a document (a PDF viewer, Google Docs
    viewer) by plain links in place, so the document is kept as an attachment."""
    for el in list(root.iter("iframe", "embed", "object")):
        src = el.get("src") or el.get("data") or ""
        if not src or not _file_type(src) or el.getparent() is None:
            continue
        link = etree.Element("a", href=src)
        link.tail = el.tail
        el.getparent().replace(el, link)


def _file_type(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    for candidate in (parts.path, unquote(parts.query)):
        m = re.search(r"\.([A-Za-z0-9]{2,6})(?:$|[&#?])", candidate)
        if m and m.group(1).lower() in ATTACHMENT_TYPES:
            return m.group(1).lower()
    return ""


# Adapter around scraper.bylines for two closing-credit forms it leaves alone: a source
# given as a site name ("Theo baolaocai.vn") and a bare unit ("Văn phòng HĐND-UBND huyện").
_THEO_SITE = re.compile(r"(?i)^\(?(?:theo|nguồn)\s*:?\s+([\w.-]+\.(?:vn|com|net|org))\)?$")
_UNIT_CREDIT = re.compile(
    r"^(?:Văn phòng|Phòng|Ban|Trung tâm|UBND|HĐND|Đài|Báo|Cổng|Đảng ủy|Huyện ủy|Tỉnh ủy|"
    r"Công an|Ủy ban|Uỷ ban|Bộ phận|Tổ)\b"
)


def _credit_names(text: str) -> list[str]:
    """Names credited by a closing paragraph: `parse_byline`, plus site-name sources and a
    bare issuing unit on a short last line without sentence punctuation."""
    credited = byline_credit(text)
    if credited is not None:
        return credited
    m = _THEO_SITE.match(text.strip())
    if m:
        return [m.group(1)]
    t = text.strip().strip("()")
    if _UNIT_CREDIT.match(t) and len(t.split()) <= 8 and not re.search(r"[.!?;:,]", t.rstrip(".")):
        return [t.rstrip(".")]
    return []


_BY_PREFIX = re.compile(r"(?i)^(?:bởi|by|đăng bởi|người đăng|posted by|tác giả)\s*[:：]?\s*")


def _byline_names(text: str) -> list[str]:
    """Names in a dedicated author element: parsed as a byline, else the element's text
    itself when short (an author element may hold a unit or a name without diacritics)."""
    names = parse_byline(text)
    if names:
        return names
    text = _BY_PREFIX.sub("", text).strip(" .,;-–")
    if text and len(text.split()) <= 8 and not chrome.is_chrome_paragraph(text):
        return parse_byline(text) or [text]
    return []


def _precedes(
    root: etree._Element, els: list[etree._Element], body: etree._Element
) -> dict[etree._Element, bool]:
    """For each element of `els`: does it come before `body` in document order?"""
    if not els:
        return {}
    wanted = set(els)
    out: dict[int, bool] = {}
    seen_body = False
    for el in root.iter():
        if el is body:
            seen_body = True
        if el in wanted:
            out[el] = not seen_body
    return out


def _dedupe_adjacent(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def _dedupe_images(images: list[Image]) -> list[Image]:
    seen: set[str] = set()
    out = []
    for image in images:
        if image.url not in seen:
            seen.add(image.url)
            out.append(image)
    return out


def _dedupe_names(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = chrome.fold_short(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out
