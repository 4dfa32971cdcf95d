"""Small HTTP helpers for the sample-portal tests: real requests over loopback, no redirects
followed (so 301s are visible), and the ASP.NET postback a browser would send."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import lxml.html

UTF8 = lxml.html.HTMLParser(encoding="utf-8")
POSTBACK = re.compile(r"__doPostBack\('([^']+)','([^']+)'\)")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names; a repeated header keeps its last value
    body: bytes
    set_cookies: list[str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def doc(self) -> lxml.html.HtmlElement:
        # the server says charset=utf-8 in Content-Type; libxml2 alone would not look there
        return lxml.html.fromstring(self.body, parser=UTF8)


def fetch(url: str, *, method: str = "GET", data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request; redirects are returned as they are."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    body = None
    hdrs = dict(headers or {})
    if data is not None:
        body = urlencode(data).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        method = "POST"
    try:
        conn.request(method, target, body=body, headers=hdrs)
        resp = conn.getresponse()
        pairs = resp.getheaders()
        return Reply(resp.status, {k.lower(): v for k, v in pairs}, resp.read(),
                     [v for k, v in pairs if k.lower() == "set-cookie"])
    finally:
        conn.close()


def hidden_fields(reply: Reply) -> dict[str, str]:
    """Every hidden input of the page's form, as a browser would post them back."""
    return {i.get("name"): i.get("value") or ""
            for i in reply.doc().xpath("//form//input[@type='hidden']")}


def postback(url: str, page: Reply, target: str, argument: str) -> Reply:
    form = hidden_fields(page)
    form["__EVENTTARGET"] = target
    form["__EVENTARGUMENT"] = argument
    return fetch(url, data=form)


def vn_listing_links(reply: Reply) -> list[str]:
    return reply.doc().xpath("//table[contains(@id,'gvList')]//tr[@class='item']"
                             "//a[@class='title-item']/@href")


def lr_listing_links(reply: Reply) -> list[str]:
    return reply.doc().xpath("//h3[@class='asset-title']/a/@href")
