"""Sitemaps and RSS/Atom feeds: article URLs with the dates the portal gives for them.

Pure functions over bytes (no Scrapy), used by the spider like listing pages: each entry is
(URL, date or None), the date telling an incremental crawl whether a stored article changed.
"""

from __future__ import annotations

import gzip
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from spiders.links import parse_listed_date

Entry = tuple[str, date | datetime | None]


def _lastmod(text: str | None) -> date | datetime | None:
    if not text:
        return None
    text = text.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return parse_listed_date(text)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parse_listed_date(text)
    if value.tzinfo is not None:
        from datetime import timedelta, timezone

        value = value.astimezone(timezone(timedelta(hours=7))).replace(tzinfo=None)
    return value


def parse_sitemap(data: bytes, base_url: str) -> tuple[list[str], list[Entry]]:
    """(child sitemaps, URL entries) of a sitemap or sitemap index (gzip accepted).

    Malformed XML gives what could be recovered; never raises on bad input.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError:
            return [], []
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    children: list[str] = []
    entries: list[Entry] = []

    def local(el: Any) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    kind = local(root)
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = lastmod = None
        for child in node:
            name = local(child)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = child.text
        if not loc:
            continue
        url = urljoin(base_url, loc)
        if kind == "sitemapindex" or local(node) == "sitemap":
            children.append(url)
        else:
            entries.append((url, _lastmod(lastmod)))
    return children, entries


def parse_feed(data: bytes, base_url: str) -> list[Entry]:
    """(link, updated/published date) of each RSS/Atom entry."""
    import feedparser

    parsed = feedparser.parse(data)
    out: list[Entry] = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        when = None
        for key in ("updated", "published"):
            stamp = entry.get(f"{key}_parsed") if key in entry else None
            if stamp:
                from calendar import timegm
                from datetime import UTC, timedelta, timezone

                when = (datetime.fromtimestamp(timegm(stamp), UTC)
                        .astimezone(timezone(timedelta(hours=7))).replace(tzinfo=None))
                break
        out.append((urljoin(base_url, link), when))
    return out
