"""StorePipeline: every page item into the archive store, off the reactor thread.

The store's methods block (SQL in one transaction each), so they run on a one-thread pool
owned by the crawler (`StoreWorker`): the reactor never waits on the database, writes of one
crawl are serialised (no SQLite lock contention between our own threads), and Scrapy's shared
thread pool stays free for DNS. The spider uses the same worker for its read-only lookups
(known URLs, article states), so one crawl holds one database engine.

The pipeline opens a CrawlRun when the spider opens, saves `article` and `not_found` items
(`save_page`; not_found marks a stored article gone), counts new/changed/unchanged/gone,
collects errors by kind with their URLs, marks articles no longer listed as removed at the end
of a complete walk, and closes the run with the counts and errors.

Pages are written in batches: a page waits at most BANTIN_STORE_BATCH_WAIT seconds (default
0.05) for others to join it, and while the store thread writes one batch the pages that
arrive queue up for the next (`Store.save_pages`, one transaction, multi-row inserts for
articles the store has never seen). A busy crawl pays one commit and one round of statements
per batch instead of per page, at the cost of a few tens of milliseconds per page.
Each item still waits for its own page to be committed, so a crawl that is killed loses
nothing it reported as stored. A batch the store refuses is written again page by page, so one
bad page costs only itself.

Settings: BANTIN_STORE_ENABLED (default True), BANTIN_DB (SQLAlchemy URL; the environment
variable BANTIN_DB wins over the project default, `--db` wins over both),
BANTIN_STORE_MAX_ERRORS (errors kept in the run record, default 1000),
BANTIN_STORE_BATCH_SIZE (most pages per transaction, default 100; 1 writes page by page),
BANTIN_STORE_BATCH_WAIT (seconds a page waits for company, default 0.05; 0: none).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from archive.store import Store

logger = logging.getLogger(__name__)
T = TypeVar("T")

class StoreFailed(DropItem):
    """The store raised while saving the item (recorded as an error of kind `store`)."""


COUNT_KEYS = ("new", "changed", "unchanged", "gone", "skipped", "not_found", "errors")


def db_url(crawler: Crawler) -> str | None:
    """The store URL for this crawl: BANTIN_DB set above project level, else $BANTIN_DB,
    else the project default."""
    settings = crawler.settings
    url = settings.get("BANTIN_DB")
    priority = settings.getpriority("BANTIN_DB") or 0
    env = os.environ.get("BANTIN_DB")
    if env and priority <= 20:  # 20 = "project": not given on the command line or by a spider
        return env
    return url


class StoreWorker:
    """One store and one database thread per crawler (see module docstring)."""

    ATTR = "_bantin_store_worker"

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.url = db_url(crawler)
        self.store: Store | None = None
        self._pool = ThreadPool(minthreads=1, maxthreads=1, name="bantin-store")
        self._started = False
        self._opening: Any = None

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> StoreWorker:
        worker = getattr(crawler, cls.ATTR, None)
        if worker is None:
            worker = cls(crawler)
            setattr(crawler, cls.ATTR, worker)
            crawler.signals.connect(worker.close, signal=signals.engine_stopped)
        return worker

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on the store thread and await its result."""
        from twisted.internet import reactor as _reactor  # the installed one (never at import)

        if self._pool.joined:
            # the reactor is shutting down (SIGTERM) and took the thread with it: finish the
            # write here rather than lose it (a ThreadPool cannot be restarted)
            return fn(*args, **kwargs)
        if not self._started:
            self._pool.start()
            self._started = True
            _reactor.addSystemEventTrigger("during", "shutdown", self._stop_pool)
        d = deferToThreadPool(_reactor, self._pool, self._timed, fn, *args, **kwargs)
        return await maybe_deferred_to_future(d)

    def _timed(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` (on the store thread), adding its CPU time to bantin_store/cpu_seconds."""
        start = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            self.crawler.stats.inc_value("bantin_store/cpu_seconds",
                                         time.thread_time() - start)

    async def open(self) -> Store:
        """Open (and migrate) the store once; later calls return the same store."""
        if self.store is None:
            from archive.store import Store

            store = await self.call(Store.open, self.url)
            if self.store is None:
                self.store = store
            else:
                await self.call(store.close)
        return self.store

    def _stop_pool(self) -> None:
        """Stop the database thread once (engine_stopped and reactor shutdown both ask)."""
        if self._started and not self._pool.joined:
            self._pool.stop()

    def close(self) -> None:
        """Release the database engine and the thread (engine_stopped)."""
        if self.store is not None:
            store, self.store = self.store, None
            try:
                store.close()
            except Exception:  # noqa: BLE001 - closing must not mask the crawl's outcome
                logger.exception("closing the store failed")
        self._stop_pool()


def write_batch(store: Store, pages: list[dict[str, Any]]) -> list[Any]:
    """Save the pages in one transaction; if the store refuses the batch, page by page.

    Returns each page's SaveResult, or the exception that page raised (runs on the store
    thread)."""
    if len(pages) > 1:
        try:
            return list(store.save_pages(pages))
        except Exception:  # noqa: BLE001 - find the page at fault by writing them one by one
            logger.debug("a batch of %d pages failed; writing them one by one", len(pages))
    outcomes: list[Any] = []
    for page in pages:
        try:
            outcomes.append(store.save_page(**page))
        except Exception as exc:  # noqa: BLE001 - reported by the pipeline with the URL
            outcomes.append(exc)
    return outcomes


class StorePipeline:
    """Saves page items into the store and keeps the crawl run's record (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.worker = StoreWorker.for_crawler(crawler)
        self.max_errors = crawler.settings.getint("BANTIN_STORE_MAX_ERRORS", 1000)
        self.run_id: int | None = None
        self.counts: Counter[str] = Counter()
        self.errors: list[dict[str, Any]] = []
        self.removed: list[int] = []
        self.max_failures = crawler.settings.getint("BANTIN_STORE_MAX_FAILURES", 20)
        self.store_failures = 0
        self.store_unwritable = False
        self.batch_size = max(1, crawler.settings.getint("BANTIN_STORE_BATCH_SIZE", 100))
        self.batch_wait = crawler.settings.getfloat("BANTIN_STORE_BATCH_WAIT", 0.05)
        self._waiting: list[tuple[dict[str, Any], Deferred]] = []
        self._writing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if not crawler.settings.getbool("BANTIN_STORE_ENABLED", True):
            raise NotConfigured("BANTIN_STORE_ENABLED is off")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    # ---------------------------------------------------------------- lifecycle
    async def open_spider(self) -> None:
        spider = self.crawler.spider
        store = await self.worker.open()
        source = getattr(spider, "source_mapping", lambda: None)()
        source_id = getattr(spider, "source_id", None) or spider.name
        if source:
            await self.worker.call(store.upsert_source, source)
        options = dict(getattr(spider, "run_options", lambda: {})())
        self.run_id = await self.worker.call(store.start_run, [source_id], options)
        spider.run_id = self.run_id  # read by the WARC capture middleware and the items
        self.crawler.stats.set_value("bantin/run_id", self.run_id)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        record = adapter.get("record") or {}
        meta = adapter.get("meta") or {}
        kind = record.get("kind")
        if self.run_id is not None and adapter.get("run_id") is None:
            adapter["run_id"] = self.run_id
        error = meta.get("error")
        if error or kind == "error":
            self._error(error or {"kind": "parse", "url": adapter.get("url"),
                                  "message": "; ".join(record.get("warnings") or [])})
            return item
        if meta.get("not_modified"):  # 304: still there, as stored; only last_seen moves
            store = await self.worker.open()
            await self.worker.call(store.mark_seen, adapter["source_id"], adapter["url"],
                                   adapter.get("fetched_at") or datetime.now(UTC))
            self._count("unchanged")
            return item
        if kind not in ("article", "not_found"):
            self._count("skipped")
            return item
        page = {
            "source_id": adapter["source_id"],
            "record": record,
            "fetched_at": adapter.get("fetched_at") or datetime.now(UTC),
            "run_id": self.run_id,
            "http_status": int(adapter.get("status") or 200),
            "etag": meta.get("etag"),
            "last_modified": meta.get("last_modified"),
            "capture": adapter.get("capture"),
        }
        try:
            result = await self._save(page)
        except Exception as exc:  # noqa: BLE001 - recorded with the URL; the crawl decides
            self._store_failed(adapter.get("url"), exc)
            raise StoreFailed(f"{adapter.get('url')}: {exc}") from None
        self.store_failures = 0
        if kind == "not_found":
            self._count("not_found")
            if result.status == "gone":
                self._count("gone")
        else:
            self._count(result.status)
        meta = dict(meta)
        meta["store"] = {"status": result.status, "article_id": result.article_id,
                         "version_id": result.version_id}
        adapter["meta"] = meta
        return item

    # ---------------------------------------------------------------- batched writes
    async def _save(self, page: dict[str, Any]) -> Any:
        """Queue the page for the next batch and wait until it is committed."""
        done: Deferred = Deferred()
        self._waiting.append((page, done))
        if not self._writing:
            self._writing = True
            deferred_from_coro(self._write_batches())
        return await maybe_deferred_to_future(done)

    async def _write_batches(self) -> None:
        """Write what is waiting, batch after batch, until nothing is left."""
        try:
            while self._waiting:
                if len(self._waiting) < self.batch_size and self.batch_wait > 0:
                    await self._pause(self.batch_wait)  # let the pages being parsed join
                batch = self._waiting[: self.batch_size]
                del self._waiting[: len(batch)]
                try:
                    store = await self.worker.open()
                    outcomes = await self.worker.call(write_batch, store,
                                                      [page for page, _ in batch])
                except Exception as exc:  # noqa: BLE001 - the store could not be opened
                    outcomes = [exc] * len(batch)
                self.crawler.stats.inc_value("bantin_store/batches")
                self.crawler.stats.max_value("bantin_store/largest_batch", len(batch))
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if isinstance(outcome, Exception):
                        done.errback(outcome)
                    else:
                        done.callback(outcome)
        finally:
            self._writing = False

    @staticmethod
    async def _pause(seconds: float) -> None:
        from twisted.internet import reactor as _reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(_reactor, seconds, lambda: None))

    def _store_failed(self, url: Any, exc: Exception) -> None:
        """A page the store could not take: an error of kind `store`; after
        BANTIN_STORE_MAX_FAILURES in a row the crawl stops (the store is unwritable)."""
        self._error({"kind": "store", "url": url, "message": f"{type(exc).__name__}: {exc}"})
        self.store_failures += 1
        if self.store_failures >= self.max_failures and not self.store_unwritable:
            self.store_unwritable = True
            logger.error("the store failed %d times in a row; stopping the crawl",
                         self.store_failures)
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n
        self.crawler.stats.inc_value(f"bantin/{key}", n)

    def _error(self, error: dict[str, Any]) -> None:
        self._count("errors")
        self.crawler.stats.inc_value(f"bantin/errors/{error.get('kind', 'other')}")
        if len(self.errors) < self.max_errors:
            self.errors.append({k: v for k, v in error.items() if v is not None})
            self.crawler.stats.set_value("bantin/error_list", list(self.errors))

    def spider_error(self, failure: Any, response: Any, spider: Spider) -> None:
        """A bug or unexpected input in a spider callback: recorded with the page's URL."""
        self._error({"kind": "spider", "url": getattr(response, "url", None),
                     "message": f"{failure.type.__name__}: {failure.value}"})

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Mark unlisted articles removed after a complete walk; close the run record."""
        if self.run_id is None or self.worker.store is None:
            return
        store = self.worker.store
        source_id = getattr(spider, "source_id", None) or spider.name
        complete = getattr(spider, "walk_complete", lambda r: False)(reason)
        if complete:
            listed = set(getattr(spider, "listed_urls", set()))
            if listed:
                self.removed = await self.worker.call(store.mark_removed, source_id, listed,
                                                      self.run_id)
                self._count("removed", len(self.removed))
        stats = self.crawler.stats.get_stats()
        counts = {k: self.counts.get(k, 0) for k in (*COUNT_KEYS, "removed")}
        counts["pages"] = stats.get("response_received_count", 0)
        counts["requests"] = stats.get("downloader/request_count", 0)
        status = "finished"
        if not getattr(spider, "start_reached", True) or reason == "store_failed":
            status = "failed"
        elif reason != "finished":
            status = "interrupted" if reason == "shutdown" else reason
        self.crawler.stats.set_value("bantin/run_status", status)
        try:
            await self.worker.call(store.finish_run, self.run_id, status=status, counts=counts,
                                   errors=self.errors)
        except Exception as exc:  # noqa: BLE001 - reported, the crawl's data is already saved
            logger.error("could not close crawl run %s: %s", self.run_id, exc)
