"""Request fingerprints on canonical URLs, so Scrapy's dupefilter sees one page once.

Two links to the same article that differ only in tracking parameters, session ids,
fragments, parameter order or host case get the same fingerprint. ASP.NET pager postbacks to
a numbered page (`__EVENTARGUMENT=Page$3`) are identified by URL, target and argument, not by
the whole body: the `__VIEWSTATE` in the body differs from page to page and would otherwise
let the same listing page be fetched twice. Used by the single-process crawl and by the
distributed mode alike (setting REQUEST_FINGERPRINTER_CLASS).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from spiders.links import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

_NUMBERED_PAGE = re.compile(r"^Page\$\d+$")


class CanonicalRequestFingerprinter:
    """SHA-1 over method, canonical URL and (for POSTs) the identifying part of the body."""

    def __init__(self) -> None:
        self._cache: dict[int, bytes] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalRequestFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        h = hashlib.sha1()
        h.update(request.method.encode("ascii"))
        h.update(b"\0")
        h.update(canonicalize_url(request.url).encode("utf-8"))
        h.update(b"\0")
        body = request.body or b""
        if body and request.method == "POST":
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            target = form.get("__EVENTTARGET", "")
            argument = form.get("__EVENTARGUMENT", "")
            if target and _NUMBERED_PAGE.match(argument):
                h.update(f"postback:{target}:{argument}".encode())
            else:
                h.update(body)
        else:
            h.update(body)
        return h.digest()
