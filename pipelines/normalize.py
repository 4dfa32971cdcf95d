"""NormalizePipeline: one URL form for every page, so the store keys articles consistently.

Extraction fills the record from the bytes; what it cannot know is how the crawl reached the
page. This pipeline puts the item's URL, the record's URL and its `canonical_url` into the
crawler's canonical form (`spiders.links.canonicalize_url`: no tracking parameters, session
ids or fragments), ignores a `rel=canonical` that points off-site or at the site's root (some
CMSs put the home page there on every page, which would merge all articles into one), and
for a redirected page keeps the requested URL as `record.url` with the final URL as
`canonical_url`, so the store remembers both and a re-crawl knows the old link.

Settings: BANTIN_NORMALIZE_ENABLED (default True).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from spiders.links import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def usable_canonical(canonical: str | None, page_url: str) -> str | None:
    """The page's declared canonical URL in canonical form, or None when it cannot be
    trusted (another host, the site root, not http)."""
    if not canonical:
        return None
    try:
        url = canonicalize_url(canonical, page_url)
    except ValueError:
        return None
    parts, page = urlsplit(url), urlsplit(page_url)
    if parts.scheme not in ("http", "https") or parts.hostname != page.hostname:
        return None
    if parts.path in ("", "/") and not parts.query:
        return None
    return url


class NormalizePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        if not crawler.settings.getbool("BANTIN_NORMALIZE_ENABLED", True):
            raise NotConfigured("BANTIN_NORMALIZE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        final = canonicalize_url(adapter["url"])
        adapter["url"] = final
        record = dict(adapter["record"])
        meta = adapter.get("meta") or {}
        requested = meta.get("requested_url")
        canonical = usable_canonical(record.get("canonical_url"), final)
        if requested and canonicalize_url(requested) != final:
            record["url"] = canonicalize_url(requested)
            record["canonical_url"] = canonical or final
        else:
            record["url"] = final
            record["canonical_url"] = canonical
        adapter["record"] = record
        return item
