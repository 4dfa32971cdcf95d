"""Scrapy downloader middleware that writes every HTTP exchange of a crawl to WARC files.

Placement is what makes the capture faithful. `process_response` runs in decreasing order
of the middleware number, so at 950 this middleware sees each response straight from the
download handler: before HttpCompressionMiddleware (590) decompresses the body, before
RedirectMiddleware (600) and MetaRefreshMiddleware (580) follow redirects and before
RetryMiddleware (550) swallows a 5xx. Its `process_request` runs after every header-adding
middleware (user agent, cookies, Accept-Encoding), so the request record holds the headers
that went out. (Scrapy's `response_downloaded` signal would give the same body, but not
the request as finally sent.)

For each exchange it writes a response (or revisit) record and a request record through
`archive.warc.WarcWriter` on one writer thread (records keep the order responses arrived in;
digests, gzip and file writes stay off the reactor thread), then sets
`request.meta["bantin_capture"]` to the pointer of the record holding the payload
({"warc_file", "offset", "record_id", "payload_digest"}) so the spider can put it on the
item, and appends a line to the run's crawl log (JSONL beside the WARC files:
time, method, URL, status, error, record, source and the crawl's role for the page).
Exchanges that fail without a response (DNS, refused connection, timeout) are in the crawl
log only: there is nothing to archive. A capture that cannot be written (disk full, WARC
directory unusable) stops the crawl with finish reason `warc_error`.

What Scrapy's HTTP/1.1 handler does not pass on cannot be archived: the reason phrase (the
standard phrase for the status is written, e.g. "200 OK"), header name case (Scrapy
title-cases names) and the order of differently named headers (values of a repeated header
keep their order), and the connection-control headers Twisted consumes (Connection,
Keep-Alive, Transfer-Encoding; Content-Length is re-added from the body it read). The body
arrives de-chunked, so no Transfer-Encoding header is written; a Content-Length that does not
match the stored body becomes X-Crawler-Content-Length and the record gets WARC-Truncated.

Settings (defaults in `DEFAULTS`): BANTIN_WARC_ENABLED, BANTIN_WARC_DIR, BANTIN_WARC_PREFIX,
BANTIN_WARC_MAX_SIZE, BANTIN_WARC_OPERATOR, BANTIN_WARC_DEDUP. The crawl's run id is read
from the spider attribute `run_id` (or the BANTIN_RUN_ID setting) when the first file opens.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.warc import DEFAULT_MAX_SIZE, CaptureResult, Exchange, WarcWriter

MIDDLEWARE_PATH = "archive.capture.WarcCaptureMiddleware"
MIDDLEWARE_ORDER = 950

DEFAULTS: dict[str, Any] = {
    "BANTIN_WARC_ENABLED": True,
    "BANTIN_WARC_DIR": "data/warc",
    "BANTIN_WARC_PREFIX": "bantin",
    "BANTIN_WARC_MAX_SIZE": DEFAULT_MAX_SIZE,
    "BANTIN_WARC_OPERATOR": "",
    "BANTIN_WARC_DEDUP": True,
}

META_KEY = "bantin_capture"
logger = logging.getLogger(__name__)


def _setting(crawler: Crawler, name: str) -> Any:
    value = crawler.settings.get(name)
    return DEFAULTS[name] if value is None else value


def _header_pairs(headers: Any) -> list[tuple[bytes, bytes]]:
    """Scrapy Headers (name -> list of values) as (name, value) pairs, repeats kept."""
    pairs = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((bytes(name), bytes(value)))
    return pairs


def _truncation(flags: list[str]) -> str | None:
    """WARC-Truncated reason for a body Scrapy did not receive in full."""
    if "dataloss" in flags:
        return "disconnect"  # the connection ended before Content-Length bytes arrived
    if "download_stopped" in flags:
        return "unspecified"  # a component stopped the download (StopDownload)
    return None


class WarcCaptureMiddleware:
    """Writes request/response/revisit WARC records for every exchange (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.directory = Path(_setting(crawler, "BANTIN_WARC_DIR"))
        self.prefix = str(_setting(crawler, "BANTIN_WARC_PREFIX"))
        self.max_size = int(_setting(crawler, "BANTIN_WARC_MAX_SIZE"))
        self.operator = str(_setting(crawler, "BANTIN_WARC_OPERATOR") or "")
        self.dedup = bool(settings.getbool("BANTIN_WARC_DEDUP", DEFAULTS["BANTIN_WARC_DEDUP"]))
        self.writer: WarcWriter | None = None
        self._log = None
        self.log_path: Path | None = None
        self.failed = False
        # One writer thread: records are written in the order responses arrive, and the
        # digests, gzip and file writes leave the reactor thread free for the crawl.
        from twisted.internet import reactor
        from twisted.python.threadpool import ThreadPool

        self._pool = ThreadPool(1, 1, name="bantin-warc-writer")
        self._pool.start()
        reactor.addSystemEventTrigger("during", "shutdown", self._stop_pool)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("BANTIN_WARC_ENABLED", DEFAULTS["BANTIN_WARC_ENABLED"]):
            raise NotConfigured("BANTIN_WARC_ENABLED is off")
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # --- lifecycle ---------------------------------------------------------------------
    def _run_id(self) -> Any:
        spider = getattr(self.crawler, "spider", None)
        run_id = getattr(spider, "run_id", None)
        if run_id is None:
            run_id = self.crawler.settings.get("BANTIN_RUN_ID")
        return run_id

    def _writer(self) -> WarcWriter:
        if self.writer is None:
            settings = self.crawler.settings
            run_id = self._run_id()
            spider = getattr(self.crawler, "spider", None)
            info = {
                "operator": self.operator,
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": (getattr(spider, "user_agent", None)
                                           or settings.get("USER_AGENT")),
                "isPartOf": f"bantin-run-{run_id}" if run_id is not None else None,
                "bantin-run-id": run_id,
                "bantin-spider": getattr(spider, "name", None),
                "bantin-source-id": getattr(spider, "source_id", None),
                "description": "bantin crawl of Vietnamese government news portals",
            }
            self.writer = WarcWriter(self.directory, prefix=self.prefix,
                                     max_size=self.max_size, info=info, dedup=self.dedup)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{socket.gethostname()}"
            if run_id is not None:
                name += f"-run{run_id}"
            self.log_path = self.directory / f"{name}.crawl-log.jsonl"
            self.directory.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("a", encoding="utf-8")
        return self.writer

    async def spider_closed(self, spider: Spider) -> None:
        """Finish the files after every queued write, then let the writer thread go."""
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            await maybe_deferred_to_future(self._pool_call(self._close))
        finally:
            self._stop_pool()

    def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            stats = self.crawler.stats
            if stats is not None:
                stats.set_value("bantin_warc/files", len(self.writer.files))
        if self._log is not None:
            self._log.close()
            self._log = None

    def _stop_pool(self) -> None:
        """Stop the writer thread once (spider_closed and reactor shutdown both ask)."""
        if not self._pool.joined:
            self._pool.stop()

    def _log_line(self, entry: dict[str, Any]) -> None:
        if self._log is not None:
            self._log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._log.flush()

    # --- Scrapy hooks ------------------------------------------------------------------
    async def process_response(self, request: Request, response: Response) -> Response:
        if not response.url.startswith(("http://", "https://")) or self.failed:
            return response
        t0 = time.perf_counter()
        latency = float(request.meta.get("download_latency") or 0.0)
        started = datetime.now(UTC) - timedelta(seconds=latency)
        ip = getattr(response, "ip_address", None)
        exchange = Exchange(
            url=request.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body or b"",
            status=response.status,
            response_headers=_header_pairs(response.headers),
            body=response.body,
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            ip_address=str(ip) if ip is not None else None,
            started_at=started,
            truncated=_truncation(response.flags or []),
        )
        entry = {"time": started.isoformat(timespec="milliseconds"), "method": request.method,
                 "url": request.url, "status": response.status, "error": None,
                 "bytes": len(response.body), **self._context(request)}
        reactor_seconds = time.perf_counter() - t0
        try:
            result, write_seconds = await self._in_writer_thread(self._capture, exchange, entry)
        except Exception as exc:  # noqa: BLE001 - a failed capture must stop the crawl
            self._fail(request, exc)
            return response
        t1 = time.perf_counter()
        request.meta[META_KEY] = result.pointer.to_dict() if result.pointer else None
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"bantin_warc/records/{result.record_type}")
            stats.inc_value("bantin_warc/bytes", result.length)
            # the reactor's share of the work (wall time it was blocked) and the writer
            # thread's CPU time (digests, gzip, file writes)
            stats.inc_value("bantin_warc/seconds",
                            reactor_seconds + time.perf_counter() - t1)
            stats.inc_value("bantin_warc/writer_seconds", write_seconds)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if self.failed:
            return None
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                 "method": request.method, "url": request.url, "status": None,
                 "error": f"{type(exception).__name__}: {exception}", "record": None,
                 "run_id": self._run_id(), **self._context(request)}
        self._pool_call(self._log_only, entry)  # queued behind pending writes, in order
        return None

    # --- the writer thread -------------------------------------------------------------
    def _capture(self, exchange: Exchange, entry: dict[str, Any]) -> tuple[CaptureResult,
                                                                             float]:
        """Runs in the writer thread: write the records and the crawl-log line. Returns the
        CPU time this thread spent (waits for the GIL are not capture's cost)."""
        t0 = time.thread_time()
        result = self._writer().write_exchange(exchange)
        entry.update({
            "record": result.record_type,
            "warc_file": result.warc_file,
            "offset": result.offset,
            "record_id": result.record_id,
            "payload_digest": result.pointer.payload_digest if result.pointer else None,
            "ip": exchange.ip_address,
            "run_id": self._run_id(),
        })
        self._log_line(entry)
        return result, time.thread_time() - t0

    def _log_only(self, entry: dict[str, Any]) -> None:
        self._writer()
        self._log_line(entry)

    def _pool_call(self, func: Any, *args: Any) -> Any:
        from twisted.internet import reactor
        from twisted.internet.threads import deferToThreadPool

        return deferToThreadPool(reactor, self._pool, func, *args)

    def _in_writer_thread(self, func: Any, *args: Any) -> Any:
        from scrapy.utils.defer import maybe_deferred_to_future

        return maybe_deferred_to_future(self._pool_call(func, *args))

    def _fail(self, request: Request, exc: BaseException) -> None:
        """A capture that cannot be written stops the crawl: pages fetched without their
        evidence would be archived silently incomplete."""
        from scrapy.utils.defer import deferred_from_coro

        logger.error("WARC capture failed at %s: %s: %s; stopping the crawl", request.url,
                     type(exc).__name__, exc)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("bantin_warc/errors")
        if not self.failed and self.crawler.engine is not None:
            self.failed = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_error"))

    def _context(self, request: Request) -> dict[str, Any]:
        """The source and the crawl's role for the page (article, listing, robots, ...):
        what `bantin reparse` needs to treat a captured page as the crawl did."""
        spider = getattr(self.crawler, "spider", None)
        info = request.meta.get("bantin")
        return {"source_id": getattr(spider, "source_id", None),
                "role": info.get("role") if isinstance(info, dict) else None}
