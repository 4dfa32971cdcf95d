"""Crawl progress on stderr while a crawl runs: pages, articles, errors, rate.

A Scrapy extension (one per crawler, so one line per source) that prints a line every
BANTIN_PROGRESS_INTERVAL seconds (default 5) and a last one when the spider closes:

    [pholu] 0:00:12  pages 140 (11.7/s)  articles new 90 changed 0 unchanged 2  not found 2
            errors 1

Plain lines rather than a redrawn terminal line so the output reads the same in a terminal,
a cron mail and a CI log. Settings: BANTIN_PROGRESS_ENABLED (default True; `bantin crawl
--quiet` turns it off), BANTIN_PROGRESS_INTERVAL (seconds).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def format_progress(name: str, stats: dict[str, Any], elapsed: float) -> str:
    """One progress line from a crawler's stats."""
    pages = int(stats.get("response_received_count", 0))
    rate = pages / elapsed if elapsed > 0 else 0.0
    mins, secs = divmod(int(elapsed), 60)
    hours, mins = divmod(mins, 60)
    parts = [
        f"[{name}] {hours}:{mins:02d}:{secs:02d}",
        f"pages {pages} ({rate:.1f}/s)",
        "articles new {} changed {} unchanged {}".format(
            stats.get("bantin/new", 0), stats.get("bantin/changed", 0),
            stats.get("bantin/unchanged", 0)),
        f"not found {stats.get('bantin/not_found', 0)}",
        f"errors {stats.get('bantin/errors', 0)}",
    ]
    return "  ".join(parts)


class Progress:
    """Prints `format_progress` lines for one crawler (see module docstring)."""

    def __init__(self, crawler: Crawler, interval: float, stream: TextIO | None = None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("BANTIN_PROGRESS_ENABLED", True):
            raise NotConfigured("BANTIN_PROGRESS_ENABLED is off")
        interval = crawler.settings.getfloat("BANTIN_PROGRESS_INTERVAL", 5.0)
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def name(self) -> str:
        spider = self.crawler.spider
        return str(getattr(spider, "source_id", None) or getattr(spider, "name", "crawl"))

    def line(self) -> str:
        return format_progress(self.name, self.crawler.stats.get_stats(),
                               time.monotonic() - self.started)

    def emit(self) -> None:
        try:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # closed pipe: progress is optional
            pass

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.started = time.monotonic()
        if self.interval > 0:
            self._task = task.LoopingCall(self.emit)
            self._task.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        self.emit()
