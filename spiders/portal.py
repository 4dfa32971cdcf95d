"""PortalSpider: crawl one registered portal's listings and articles, incrementally.

    scrapy crawl portal -a source=pholu [-a sources=sources.yaml] [-a full=1] [-a refresh=1]
    bantin crawl pholu                      (the same spider, one crawler per source)

What it does, in order:
- loads the source from the registry and applies its politeness overrides (delay,
  concurrency, user agent) to this crawler only; stays inside its allowed domains; robots.txt
  is obeyed by Scrapy's RobotsTxtMiddleware (ROBOTSTXT_OBEY);
- loads the URLs the store already holds for the source, once, off the reactor thread;
- reads robots.txt for `Sitemap:` lines and walks those sitemaps, the RSS/Atom feeds pages
  announce, the start URLs, the category listings they link to and their pagination (GET
  links and ASP.NET postbacks);
- fetches each article once (canonical URLs + the canonical request fingerprint); an article
  already stored is not fetched again unless `refresh`, or the listing/sitemap shows a date
  newer than when it was last seen; a re-fetch is a conditional GET (If-None-Match /
  If-Modified-Since from the stored validators);
- stops walking a listing after BANTIN_CRAWL_STOP_AFTER_KNOWN_PAGES pages of only known
  articles, unless `full` (walk everything; then articles no longer listed are marked removed)
  or the previous crawl of the source did not finish (see `CrawlJournal`);
- extracts every HTML page with `scraper.extract.extract` and yields a `PageItem` for
  articles and for not-found pages (404, 410, soft 404), and an error item (record kind
  "error", `meta["error"]`) for download errors, HTTP errors and unreadable pages.

All state lives on the spider instance (one per crawler): the WARC capture middleware and the
distributed mode reuse the spider as it is. Requests carry only plain data in `meta`, so they
serialise to a JOBDIR or a shared queue.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from scraper.items import PageItem
from spiders import links as L

logger = logging.getLogger(__name__)

ICT = timezone(timedelta(hours=7))
REDIRECT_CODES = (301, 302, 303, 307, 308)
# Statuses an article request's callback sees itself (the rest go to the errback).
ARTICLE_STATUSES = [*REDIRECT_CODES, 304, 404, 410]
PAGE_STATUSES = [404, 410]

JOURNAL_NAME = "bantin-crawl.json"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class CrawlJournal:
    """A small file in the JOBDIR saying whether the last crawl of a source finished.

    Scrapy's JOBDIR keeps the queue of a crawl stopped cleanly (Ctrl-C). A crawl that was
    killed leaves no usable queue, and the incremental rule (stop after a page of known
    articles) would then skip the listing pages it never reached. So the spider writes
    `running` when it starts and `finished`/`paused` when it stops; finding `running` (or
    `paused` without a resumed queue) at the next start means "walk every listing page again"
    — articles already stored are still not fetched, so nothing is fetched twice and nothing
    is lost.
    """

    def __init__(self, jobdir: str | None) -> None:
        self.path = Path(jobdir) / JOURNAL_NAME if jobdir else None

    def read(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"state": "running"}  # unreadable: assume the worst

    def write(self, **data: Any) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


class PortalSpider(scrapy.Spider):
    """Crawls one source of the registry (see module docstring)."""

    name = "portal"
    # Scrapy runs a callback's output through CONCURRENT_ITEMS (default 100) asyncio worker
    # tasks per response, each created and torn down per page; a page of ours yields at most
    # one item and a few new requests, so two tasks (the item's trip through the pipelines
    # never holds up the requests) are all it needs. 100 were the largest overhead of the
    # reactor thread, 8 still cost it 20,000 task creations per 2,000 pages.
    custom_settings = {"CONCURRENT_ITEMS": 2}

    def __init__(self, source: str | None = None, sources: str | None = None,
                 full: Any = False, refresh: Any = False, resume: Any = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError("PortalSpider needs a source: scrapy crawl portal -a source=ID")
        self.source_id = source
        self.sources_path = sources
        self.full = _truthy(full)
        self.refresh = _truthy(refresh)
        self.resume = _truthy(resume)
        self.source: Any = None
        self.run_id: int | None = None  # set by StorePipeline; read by the WARC capture
        self.known: set[str] = set()
        self.listed_urls: set[str] = set()  # every article URL listings/sitemaps showed
        self.start_reached = False
        self.listing_failures = 0
        self.force_walk = False
        self.journal = CrawlJournal(None)
        self._feeds_seen: set[str] = set()
        self.start_set: set[str] = set()
        self._yielded: set[str] = set()  # GET URLs this crawl already asked for (`_once`)

    # ------------------------------------------------------------------ setup
    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        from spiders.pages import ParsePool

        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.load_source(crawler.settings)
        spider._apply_politeness(crawler.settings)
        ParsePool.for_crawler(crawler)  # workers start importing while the crawl opens
        spider.journal = CrawlJournal(crawler.settings.get("JOBDIR"))
        spider._read_journal()
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    def load_source(self, settings: Any) -> None:
        """Read this spider's source from the registry (also called by the distributed
        worker's per-source delegates, scraper/redis_frontier.py)."""
        from scraper.sources import load_sources

        path = self.sources_path or settings.get("BANTIN_SOURCES") or None
        sources = load_sources(path)  # None: --sources, $BANTIN_SOURCES, ./sources.yaml, repo
        self.sources_path = str(path) if path else None
        by_id = {s.id: s for s in sources}
        if self.source_id not in by_id:
            known = ", ".join(sorted(by_id)) or "none"
            raise ValueError(f"{path or 'sources.yaml'}: no source {self.source_id!r} "
                             f"(known: {known})")
        self.source = by_id[self.source_id]
        self.start_set = {L.canonicalize_url(u) for u in self.source.start_urls}
        domains = list(getattr(self.source, "allowed_domains", None) or [])
        if not domains:
            domains = [urlsplit(u).hostname for u in self.source.start_urls]
        # allowed_domains are host names (OffsiteMiddleware ignores entries with a port)
        self.allowed_domains = sorted({d.split(":")[0].lower() for d in domains if d})

    def _apply_politeness(self, settings: Any) -> None:
        """Per-source overrides, for this crawler only (settings are still mutable here)."""
        src = self.source
        delay = getattr(src, "delay", None)
        if delay is not None:
            settings.set("DOWNLOAD_DELAY", float(delay), priority="spider")
            settings.set("AUTOTHROTTLE_START_DELAY", max(float(delay), 0.1), priority="spider")
        concurrency = getattr(src, "concurrency", None)
        if concurrency:
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", int(concurrency), priority="spider")
        agent = getattr(src, "user_agent", None)
        if agent:
            settings.set("USER_AGENT", agent, priority="spider")

    def source_mapping(self) -> dict[str, Any]:
        """The source as `Store.upsert_source` takes it."""
        return self.source.store_fields()

    def run_options(self) -> dict[str, Any]:
        return {"full": self.full, "refresh": self.refresh, "resume": self.resume,
                "force_walk": self.force_walk, "spider": self.name,
                "sources": self.sources_path}

    @property
    def stop_after_known(self) -> int:
        return self.settings.getint("BANTIN_CRAWL_STOP_AFTER_KNOWN_PAGES", 1)

    @property
    def walk_everything(self) -> bool:
        return self.full or self.force_walk

    def walk_complete(self, reason: str) -> bool:
        """True when this crawl saw every listing page (the basis for marking removals)."""
        return (self.full and reason == "finished" and self.start_reached
                and self.listing_failures == 0)

    # ------------------------------------------------------------------ start
    def _read_journal(self) -> None:
        """Walk every listing page if the previous crawl of this JOBDIR did not finish."""
        state = self.journal.read().get("state")
        if state == "running" or (state == "paused" and not self.resume):
            self.force_walk = True
            logger.info("%s: the previous crawl did not finish (%s); walking every listing "
                        "page again", self.source_id, state)

    async def start(self) -> AsyncIterator[Any]:
        self.journal.write(state="running", source=self.source_id,
                           started_at=datetime.now(UTC).isoformat(), force_walk=self.force_walk)
        if self.settings.getbool("BANTIN_CRAWL_INCREMENTAL", True):
            await self.load_known()
        self.crawler.stats.set_value("bantin/known_at_start", len(self.known))

        seen_hosts: set[str] = set()
        for url in self.source.start_urls:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in seen_hosts and self.settings.getbool("BANTIN_CRAWL_SITEMAPS", True):
                seen_hosts.add(origin)
                yield Request(origin + "/robots.txt", callback=self.parse_robots,
                              errback=self.on_error, priority=20, dont_filter=True,
                              meta={"bantin": {"role": "robots"}, "dont_retry": False})
            yield Request(L.canonicalize_url(url), callback=self.parse_page,
                          errback=self.on_error, dont_filter=True, priority=10,
                          meta={"bantin": {"role": "start", "depth": 0, "page": 1,
                                           "streak": 0},
                                "handle_httpstatus_list": PAGE_STATUSES})

    async def load_known(self) -> None:
        """Load the canonical URLs of the source's stored articles into `known` (what an
        incremental crawl skips; the distributed worker shares them through Redis)."""
        from pipelines.store import StoreWorker

        worker = StoreWorker.for_crawler(self.crawler)
        store = await worker.open()
        urls = await worker.call(store.known_urls, self.source_id)
        self.known = {L.canonicalize_url(u) for u in urls}

    async def _states(self, urls: Iterable[str]) -> dict[str, Any]:
        """Stored article states (validators, last_seen) for known URLs, one DB trip."""
        urls = list(urls)
        if not urls:
            return {}
        from pipelines.store import StoreWorker

        worker = StoreWorker.for_crawler(self.crawler)
        store = await worker.open()

        def lookup() -> dict[str, Any]:
            return {u: store.article_state(self.source_id, u) for u in urls}

        return await worker.call(lookup)

    def _on_closed(self, spider: Any, reason: str) -> None:
        state = "finished" if reason == "finished" else "paused"
        if reason not in ("finished", "shutdown"):
            state = "running"  # failed: treat like a crash next time
        self.journal.write(state=state, source=self.source_id, reason=reason,
                           closed_at=datetime.now(UTC).isoformat())

    # ------------------------------------------------------------------ helpers
    # Priorities: robots/sitemaps/feeds 15, start pages 10, pagination 8, categories 7,
    # articles 5. Listing walks run ahead of the article fetches they produce, so a long
    # postback chain (each page needs the previous one) is not queued behind them.

    def _once(self, url: str) -> bool:
        """True the first time this crawl asks for the GET `url`.

        Menus, listings and related-news boxes repeat the same links on every page: a crawl
        of 2,000 articles yields about 14,000 requests for 2,200 pages. Dropping the repeats
        here spares Scrapy building, passing through its middlewares and fingerprinting each
        one only for its dupefilter to discard it. The dupefilter remains the authority
        (across a resumed JOBDIR and across distributed workers): this set is only a
        cheaper first pass over what one crawler has already asked for.
        """
        if url in self._yielded:
            self.crawler.stats.inc_value("bantin/repeated_links_skipped")
            return False
        self._yielded.add(url)
        return True

    def _article_request(self, url: str, *, listing_url: str | None, state: Any = None,
                         extra: dict[str, Any] | None = None) -> Request:
        headers = {}
        if state is not None:
            if getattr(state, "etag", None):
                headers["If-None-Match"] = state.etag
            if getattr(state, "last_modified", None):
                headers["If-Modified-Since"] = state.last_modified
        meta: dict[str, Any] = {"bantin": {"role": "article", "listing_url": listing_url,
                                           **(extra or {})},
                                "dont_redirect": True,
                                "handle_httpstatus_list": ARTICLE_STATUSES}
        return Request(url, callback=self.parse_page, errback=self.on_error, headers=headers,
                       priority=5, meta=meta)

    @staticmethod
    def _changed_since(listed: date | datetime | None, state: Any) -> bool:
        """The listing shows a date newer than the stored article was last seen."""
        if listed is None or state is None or getattr(state, "last_seen", None) is None:
            return False
        seen = state.last_seen
        if seen.tzinfo is None:
            seen = seen.replace(tzinfo=UTC)
        if isinstance(listed, datetime):
            return listed.replace(tzinfo=ICT) > seen
        return listed > seen.astimezone(ICT).date()

    async def _decide(self, candidates: list[tuple[str, date | datetime | None]],
                      listing_url: str | None) -> tuple[list[Request], int]:
        """Requests for the article URLs worth fetching; and how many were new to us."""
        new = [(u, d) for u, d in candidates if u not in self.known]
        known = [(u, d) for u, d in candidates if u in self.known]
        requests = [self._article_request(u, listing_url=listing_url) for u, _ in new]
        refetch = known if self.refresh else [(u, d) for u, d in known if d is not None]
        states = await self._states(u for u, _ in refetch) if refetch else {}
        for url, listed in refetch:
            state = states.get(url)
            if self.refresh or self._changed_since(listed, state):
                requests.append(self._article_request(url, listing_url=listing_url,
                                                      state=state))
        self.crawler.stats.inc_value("bantin/articles_known_skipped",
                                     len(known) - (len(requests) - len(new)))
        return requests, len(requests)

    # ------------------------------------------------------------------ callbacks
    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """Any HTML page: extract it, yield its item, and follow its links by role."""
        info = dict(response.meta.get("bantin") or {})
        role = info.get("role", "listing")
        if response.status < 400:
            self.start_reached = True  # the portal answers (a resumed crawl may not start
            # from the start URLs: their pages can all be behind it)
        if response.status in REDIRECT_CODES:
            async for out in self._follow_redirect(response, info):
                yield out
            return
        if response.status == 304:
            yield self._item(response, {"kind": "article", "url": response.url},
                             extra_meta={"not_modified": True})
            return
        if not isinstance(response, TextResponse):
            return  # a file behind an article-looking link: attachments are not pages
        try:
            result = await self._process(response, role)
        except Exception as exc:  # noqa: BLE001 - one page's failure is reported, not fatal
            # the parser raised, its process died or the page ran over its time: an error
            # of this page (a listing's leaves the walk incomplete: no removal marking)
            logger.error("%s: parsing failed: %s: %s", response.url, type(exc).__name__, exc)
            if role in ("start", "listing", "page"):
                self.listing_failures += 1
            yield self._error_item(response.url, "parse", f"{type(exc).__name__}: {exc}",
                                   response.status, role)
            return
        record = result.record
        kind = record.get("kind")
        if kind == "article" and role != "article" and L.url_shape(response.url) != "article":
            # Reached as a listing (start page, category, pager) at a listing-shaped URL:
            # the crawl's view wins over a page classifier that sees one long text block
            # (e.g. a postback page). An article-shaped URL stays an article.
            self.crawler.stats.inc_value("bantin/listing_pages_looking_like_articles")
            kind = record["kind"] = "listing"
        if kind in ("article", "not_found", "error"):
            item = self._item(response, record)
            if kind == "error":
                item.meta["error"] = {"kind": "parse", "url": response.url,
                                      "status": response.status,
                                      "message": "; ".join(record.get("warnings") or [])}
            yield item
        if kind in ("not_found", "error") or response.status >= 400:
            # A start page or a page of a listing walk that is missing leaves the walk
            # incomplete (no removal marking); a dead category link in a menu does not.
            if role in ("start", "page") or (role == "listing" and kind == "error"):
                self.listing_failures += 1
            return
        page = result.links or L.PageLinks()
        for feed in page.feeds:
            if feed not in self._feeds_seen and self.settings.getbool("BANTIN_CRAWL_FEEDS", True):
                self._feeds_seen.add(feed)
                yield Request(feed, callback=self.parse_feed, errback=self.on_error,
                              priority=15, meta={"bantin": {"role": "feed"}})
        if kind == "article":
            # Related-news links: only articles we have never seen (the listings are the
            # authority on what changed).
            if self.settings.getbool("BANTIN_CRAWL_FOLLOW_ARTICLE_LINKS", True):
                for link in page.articles:
                    if link.url not in self.known and self._once(link.url):
                        yield self._article_request(link.url, listing_url=response.url)
            return
        if role == "article":  # an article-looking link led to a listing: walk it, no deeper
            info["depth"] = self.settings.getint("BANTIN_CRAWL_LISTING_DEPTH", 2)
        async for out in self._walk_listing(response, result, page, info):
            yield out

    async def _process(self, response: TextResponse, role: str) -> Any:
        """Extraction and link analysis, in the crawler's parse pool (spiders/pages.py)."""
        from spiders.pages import ParsePool

        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        platform = getattr(self.source, "platform", None) or "auto"
        links_for = "article" if role == "article" else "listing"
        pool = ParsePool.for_crawler(self.crawler)
        # the worker decodes the body as this response class would (half the bytes to send,
        # and no decoding on the reactor)
        text = response.text if pool.workers <= 0 else type(response)
        return await pool.run(
            response.body, text, response.url, headers, response.status, platform,
            list(self.allowed_domains), links_for, urgent=role in ("start", "page"))

    async def _walk_listing(self, response: Response, result: Any, page: L.PageLinks,
                            info: dict[str, Any]) -> AsyncIterator[Any]:
        candidates = []
        for link in page.articles:
            self.listed_urls.add(link.url)
            candidates.append((link.url, link.listed_at))
        requests, wanted = await self._decide(candidates, response.url)
        for req in requests:
            if self._once(req.url):
                yield req
        only_known = bool(candidates) and wanted == 0
        streak = (int(info.get("streak", 0)) + 1) if only_known else 0
        depth = int(info.get("depth", 0))
        current = int(info.get("page") or L.page_number(response.url) or 1)
        stop = (not self.walk_everything and streak >= self.stop_after_known
                and self.stop_after_known > 0)
        if stop:
            self.crawler.stats.inc_value("bantin/listing_walks_stopped")
        else:
            # GET pagination: everything visible on a full walk, the next page otherwise
            nxt = page.pages if self.walk_everything else [
                p for p in [L.next_page(page.pages, current)] if p is not None]
            for pl in nxt:
                if not self._once(pl.url):
                    continue
                yield Request(pl.url, callback=self.parse_page, errback=self.on_error,
                              priority=8,
                              meta={"bantin": {"role": "page", "depth": depth,
                                               "page": pl.number, "streak": streak},
                                    "handle_httpstatus_list": PAGE_STATUSES})
            # ASP.NET postback pager: always the next page (each POST needs this page's
            # __VIEWSTATE)
            if page.postbacks:
                cur = result.current_postback or current
                pb = L.next_postback(page.postbacks, cur)
                if pb is not None:
                    req = self._postback(response, pb, depth, streak, cur)
                    if req is not None:
                        yield req
        # Category listings linked from start pages and listings, BANTIN_CRAWL_LISTING_DEPTH
        # levels deep; pagination does not count as depth.
        if depth < self.settings.getint("BANTIN_CRAWL_LISTING_DEPTH", 2):
            for link in page.listings:
                if link.url in self.start_set:
                    continue  # fetched as a start page already (those skip the dupefilter)
                if not self._once(link.url):
                    continue
                yield Request(link.url, callback=self.parse_page, errback=self.on_error,
                              priority=7,
                              meta={"bantin": {"role": "listing", "depth": depth + 1,
                                               "page": L.page_number(link.url) or 1,
                                               "streak": 0},
                                    "handle_httpstatus_list": PAGE_STATUSES})

    def _postback(self, response: Response, pb: L.Postback, depth: int, streak: int,
                  current: int) -> Request | None:
        """POST the page's form back as the pager link would: every field of the form
        (`__VIEWSTATE`, `__EVENTVALIDATION`, ...) plus `__EVENTTARGET`/`__EVENTARGUMENT`."""
        from form2request import form2request

        forms = response.css("form")
        form = next((f for f in forms if f.css("input[name=__VIEWSTATE]")), None)
        if form is None and forms:
            form = forms[0]
        if form is None:
            logger.warning("%s: postback pager without a form", response.url)
            return None
        data = form2request(form, {"__EVENTTARGET": pb.target, "__EVENTARGUMENT": pb.argument},
                            click=False)
        return data.to_scrapy(
            callback=self.parse_page,
            errback=self.on_error,
            priority=8,
            meta={"bantin": {"role": "page", "depth": depth, "streak": streak,
                             "page": pb.number or current + 1, "postback": pb.argument},
                  "handle_httpstatus_list": PAGE_STATUSES},
        )

    async def _follow_redirect(self, response: Response,
                               info: dict[str, Any]) -> AsyncIterator[Any]:
        """An article URL answered 3xx: follow it ourselves so the chain is recorded and a
        target already stored is not fetched again."""
        location = response.headers.get("Location")
        if not location:
            return
        target = L.canonicalize_url(location.decode("latin-1"), response.url)
        chain = list(info.get("redirects") or []) + [{"url": response.url,
                                                      "status": response.status}]
        self.crawler.stats.inc_value("bantin/redirects")
        if len(chain) > self.settings.getint("REDIRECT_MAX_TIMES", 20):
            yield self._error_item(response.url, "redirect", "too many redirects",
                                   response.status)
            return
        if self.allowed_domains and not L.same_site(target, self.allowed_domains):
            logger.info("%s redirects off-site to %s: not followed", response.url, target)
            return
        if target in self.known and not self.refresh:
            self.listed_urls.add(target)
            return
        requested = info.get("requested_url") or response.url
        req = self._article_request(target, listing_url=info.get("listing_url"),
                                    extra={"redirects": chain, "requested_url": requested})
        yield req

    def parse_robots(self, response: Response) -> Iterator[Request]:
        """robots.txt: follow its Sitemap lines (Scrapy's middleware does the obeying)."""
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        for line in response.text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                url = L.canonicalize_url(value.strip(), response.url)
                if not self.allowed_domains or L.same_site(url, self.allowed_domains):
                    yield Request(url, callback=self.parse_sitemap, errback=self.on_error,
                                  priority=15, meta={"bantin": {"role": "sitemap"}})

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Any]:
        """Sitemap index → child sitemaps; urlset → article URLs with their lastmod."""
        from spiders.feeds import parse_sitemap

        children, entries = parse_sitemap(response.body, response.url)
        for child in children:
            if not self.allowed_domains or L.same_site(child, self.allowed_domains):
                yield Request(child, callback=self.parse_sitemap, errback=self.on_error,
                              priority=15, meta={"bantin": {"role": "sitemap"}})
        async for req in self._listed(entries, response.url):
            yield req

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        """RSS/Atom: article links with their dates, like a listing page."""
        from spiders.feeds import parse_feed

        async for req in self._listed(parse_feed(response.body, response.url), response.url):
            yield req

    async def _listed(self, entries: Iterable[tuple[str, Any]],
                      source_url: str) -> AsyncIterator[Request]:
        candidates = []
        for url, when in entries:
            url = L.canonicalize_url(url)
            if self.allowed_domains and not L.same_site(url, self.allowed_domains):
                continue
            if L.classify_link(url, region="main", text="") != "article":
                continue
            self.listed_urls.add(url)
            candidates.append((url, when))
        requests, _ = await self._decide(candidates, source_url)
        for req in requests:
            if self._once(req.url):
                yield req

    # ------------------------------------------------------------------ items and errors
    def _item(self, response: Response, record: dict[str, Any],
              extra_meta: dict[str, Any] | None = None) -> PageItem:
        info = response.meta.get("bantin") or {}
        headers = response.headers
        meta: dict[str, Any] = {"role": info.get("role")}
        etag = headers.get("ETag")
        last_modified = headers.get("Last-Modified")
        if etag:
            meta["etag"] = etag.decode("latin-1")
        if last_modified:
            meta["last_modified"] = last_modified.decode("latin-1")
        if info.get("redirects"):
            meta["redirects"] = list(info["redirects"])
            meta["requested_url"] = info.get("requested_url")
        if response.meta.get("redirect_urls"):  # Scrapy's own redirects (listings)
            meta["redirects"] = [{"url": u, "status": None}
                                 for u in response.meta["redirect_urls"]]
            meta["requested_url"] = response.meta["redirect_urls"][0]
        if info.get("postback"):
            meta["postback"] = info["postback"]
        meta.update(extra_meta or {})
        capture = response.meta.get("bantin_capture")
        return PageItem(
            source_id=self.source_id,
            url=response.url,
            status=response.status,
            fetched_at=datetime.now(UTC).isoformat(),
            record=record,
            run_id=self.run_id,
            capture=dict(capture) if capture else None,
            listing_url=info.get("listing_url"),
            meta=meta,
        )

    def _error_item(self, url: str, kind: str, message: str, status: int | None = None,
                    role: str | None = None) -> PageItem:
        return PageItem(
            source_id=self.source_id,
            url=url,
            status=status or 0,
            fetched_at=datetime.now(UTC).isoformat(),
            record={"kind": "error", "url": url, "warnings": [message]},
            run_id=self.run_id,
            meta={"role": role, "error": {"kind": kind, "url": url, "status": status,
                                          "message": message}},
        )

    def on_error(self, failure: Any) -> Iterator[PageItem]:
        """Download and HTTP errors: one error item each (robots/offsite refusals are not
        errors)."""
        from scrapy.exceptions import IgnoreRequest

        request = failure.request
        info = request.meta.get("bantin") or {}
        role = info.get("role")
        if failure.check(HttpError):
            response = failure.value.response
            kind, status = "http", response.status
            message = f"HTTP {response.status}"
            if response.status in self.settings.getlist("RETRY_HTTP_CODES"):
                message += " (after retries)"
        elif failure.check(IgnoreRequest):
            self.crawler.stats.inc_value("bantin/ignored_requests")
            return
        elif failure.check(DNSLookupError):
            kind, status, message = "dns", None, f"DNS lookup failed: {failure.value}"
        elif failure.check(TimeoutError, TCPTimedOutError):
            kind, status, message = "timeout", None, f"timed out: {failure.value}"
        elif failure.check(ConnectionRefusedError):
            kind, status, message = "connection", None, f"connection refused: {failure.value}"
        else:
            kind, status = "download", None
            message = f"{failure.type.__name__}: {failure.value}"
        if role in ("start", "listing", "page"):
            self.listing_failures += 1
        if role in ("robots", "sitemap", "feed") and kind == "http" and status == 404:
            return  # a portal without a sitemap or feed is normal
        yield self._error_item(request.url, kind, message, status, role)
