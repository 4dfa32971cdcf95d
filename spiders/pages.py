"""Page processing off the reactor: extraction and link analysis in worker processes.

Extracting a page and classifying its links take several times longer than fetching it from
a portal, and both are pure functions (bytes and URL in, plain data out). Run on the
reactor thread they would cap a crawl at what one core can parse; `ParsePool` runs them in
a process pool instead, so fetching and parsing overlap and use every core. With
BANTIN_CRAWL_PARSE_WORKERS=0 pages are processed inline (same function, same result).

`process_page` is the unit of work; everything it returns pickles (no lxml elements). The
reactor sends the raw body only: decoding it to text (as Scrapy's response would) happens in
the worker too.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from spiders import links as L


@dataclass
class PageResult:
    """What one HTML page is and where it leads."""

    record: dict[str, Any]
    links: L.PageLinks | None = None
    current_postback: int | None = None
    platform: str = "generic"
    warnings: list[str] = field(default_factory=list)


# Platform detection on the link-analysis tree sees the page's first this many characters.
_DETECT_CHARS = 20000


def _platform(name: str, tree: Any, url: str, text: str, detected: Any = None,
              detected_on: str | None = None) -> Any:
    """The platform named, else the one detected on `tree` (the parse of `text`).

    `detected`: the platform extraction detected on a tree parsed from the string
    `detected_on`. When that string is the whole of `text`, short enough for detection to
    see all of it, and `tree` is the whole document, detection here would read the same
    markers, names and elements, so its answer is taken instead of detecting twice.
    """
    from scraper import platforms

    if name and name != "auto":
        return platforms.get(name)
    if (detected is not None and detected_on is not None and len(text) <= _DETECT_CHARS
            and text == detected_on and tree.getparent() is None):
        return detected
    try:
        return platforms.detect(tree, url, text[:_DETECT_CHARS])
    except Exception:  # noqa: BLE001 - detection is a hint; the generic rules still work
        return None


def process_page(body: bytes, text: str | type, url: str, headers: dict[str, str],
                 status: int, platform: str, allowed_domains: list[str],
                 links_for: str) -> PageResult:
    """Extract the page and analyse its links.

    `text`: the page as Scrapy decoded it, or the response class (e.g. HtmlResponse) to
    decode it with here, exactly as the crawler's response would have.
    `links_for`: "none" (no link analysis), "article" (only links to other articles), or
    "listing" (everything: articles with listed dates, categories, pagination, postbacks,
    feeds). Article pages get "article" whatever the caller asked.
    """
    from scraper.extract import extract_with_platform

    if isinstance(text, type):
        text = text(url, body=body, headers=headers, status=status).text

    extracted, detected, detected_on = extract_with_platform(body, url, headers=headers,
                                                             status=status)
    record = extracted.to_dict()
    if status in (404, 410):
        record["kind"] = "not_found"
    kind = record.get("kind")
    if links_for == "none" or kind in ("not_found", "error") or status >= 400:
        return PageResult(record)
    tree = L.parse_html(text)
    plat = _platform(platform, tree, url, text, detected, detected_on)
    rules = L.rules_for_platform(plat)
    page = L.analyse_page(tree, url, rules, allowed_domains,
                          articles_only=links_for == "article" or kind == "article")
    page.articles = [L.Link(x.url, x.text, x.region, x.listed_at) for x in page.articles]
    page.listings = [L.Link(x.url, x.text, x.region, x.listed_at) for x in page.listings]
    current = L.current_postback_page(tree) if page.postbacks else None
    return PageResult(record, page, current, getattr(plat, "name", "generic"))


def _process_page_timed(*args: Any) -> tuple[PageResult, float]:
    """`process_page` and the CPU seconds it took in the worker."""
    import time

    start = time.process_time()
    result = process_page(*args)
    return result, time.process_time() - start


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its crawler (a killed crawl would leave it holding the
    terminal or a pipe): Linux's parent-death signal, else a watchdog thread."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="bantin-parent-watch").start()


def _worker_init(parent: int) -> None:
    _die_with_parent(parent)
    # Ctrl-C goes to the whole process group: the crawler decides how to stop, not workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import scraper.extract  # noqa: F401 - warm the imports once per worker


def default_workers() -> int:
    """One core for the reactor, the rest (at most 4) for parsing; 0 on a single core."""
    return max(0, min(4, (os.cpu_count() or 1) - 1))


class ParsePool:
    """A process pool for `process_page`, one per crawler unless the runner shares one.

    Pages wait in a priority queue of our own and at most one page per worker (plus one
    ready to go) sits in the executor: a listing page, whose links the crawl needs next
    (a postback chain cannot go on without it), goes ahead of every article page waiting,
    so it waits for at most the pages being parsed, never for a queue of them.
    """

    ATTR = "bantin_parse_pool"
    URGENT, NORMAL = 0, 1

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._waiting: list[tuple[int, int, tuple[Any, ...], asyncio.Future]] = []
        self._order = itertools.count()
        self._in_flight = 0
        self.cpu_seconds = 0.0  # spent by the workers on the pages (stat bantin_cpu/parse_seconds)

    @classmethod
    def for_crawler(cls, crawler: Any) -> ParsePool:
        pool = getattr(crawler, cls.ATTR, None)
        if pool is None:
            value = crawler.settings.get("BANTIN_CRAWL_PARSE_WORKERS")
            workers = default_workers() if value in (None, "") else int(value)
            pool = cls(workers)
            setattr(crawler, cls.ATTR, pool)
            from scrapy import signals

            crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            import multiprocessing

            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(os.getpid(),))
        return self._executor

    async def run(self, *args: Any, urgent: bool = False) -> PageResult:
        """`process_page(*args)` in a worker (here when the pool has no workers); `urgent`
        pages (listings) go ahead of the others waiting."""
        if self.workers <= 0:
            return process_page(*args)
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        priority = self.URGENT if urgent else self.NORMAL
        heapq.heappush(self._waiting, (priority, next(self._order), args, done))
        self._feed(loop)
        return await done

    def _feed(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand waiting pages to the executor while a worker is (about to be) free."""
        while self._waiting and self._in_flight < self.workers + 1:
            _, _, args, done = heapq.heappop(self._waiting)
            if done.cancelled():
                continue
            self._in_flight += 1
            job = self._pool().submit(_process_page_timed, *args)
            job.add_done_callback(lambda job, done=done: loop.call_soon_threadsafe(
                self._finished, loop, job, done))

    def _finished(self, loop: asyncio.AbstractEventLoop, job: Future, done: asyncio.Future
                  ) -> None:
        self._in_flight -= 1
        if not done.cancelled():
            if job.cancelled():
                done.cancel()
            elif job.exception() is not None:
                done.set_exception(job.exception())
            else:
                result, seconds = job.result()
                self.cpu_seconds += seconds
                done.set_result(result)
        if self._executor is not None:
            self._feed(loop)

    def close(self) -> None:
        for _, _, _, done in self._waiting:
            done.cancel()
        self._waiting.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
