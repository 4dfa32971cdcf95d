"""Where a crawl's CPU goes, as crawl stats: the reactor thread against the whole process.

The reactor thread runs Scrapy itself (scheduling, downloading, middlewares, callbacks), so
it is what caps a crawl's rate; the process also runs the store thread and the WARC writer
thread, and the parse pool's processes run beside it. Wall-clock rates on a shared machine
move with whatever else runs there; CPU seconds per page do not, which makes these stats the
steady measure the crawl benchmark reports next to pages per second.

Stats (from spider open to spider close; with several crawlers in one process each counts
the shared threads over its own window):
- `bantin_cpu/reactor_seconds`: CPU time of the reactor thread;
- `bantin_cpu/process_seconds`: CPU time of the whole crawl process (every thread);
- `bantin_cpu/parse_seconds`: CPU time the parse pool's workers spent on this crawler's
  pages (spiders/pages.py; with BANTIN_CRAWL_PARSE_WORKERS=0 it is inside the reactor's);
- `bantin_cpu/parse_most_waiting`: the most pages that waited at once for a parse worker
  (downloaded, not yet parsed: when it is large, the workers are the crawl's limit).
The store thread adds `bantin_store/cpu_seconds` itself (pipelines/store.py).

Setting: BANTIN_CPUSTATS_ENABLED (default True).
"""

from __future__ import annotations

import resource
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _process_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class CpuStats:
    """Records the CPU stats of the module docstring for one crawler."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._start: tuple[float, float, float] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CpuStats:
        if not crawler.settings.getbool("BANTIN_CPUSTATS_ENABLED", True):
            raise NotConfigured("BANTIN_CPUSTATS_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _pool(self) -> Any:
        """The crawler's parse pool, or None (no page parsed yet, or none configured)."""
        from spiders.pages import ParsePool

        return getattr(self.crawler, ParsePool.ATTR, None)

    def _now(self) -> tuple[float, float, float]:
        return (time.thread_time(), _process_seconds(resource.RUSAGE_SELF),
                float(getattr(self._pool(), "cpu_seconds", 0.0)))

    def spider_opened(self, spider: Any) -> None:
        self._start = self._now()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._start is None:
            return
        reactor, process, parse = (b - a for a, b in zip(self._start, self._now(),
                                                              strict=True))
        stats = self.crawler.stats
        stats.set_value("bantin_cpu/reactor_seconds", round(reactor, 3))
        stats.set_value("bantin_cpu/process_seconds", round(process, 3))
        stats.set_value("bantin_cpu/parse_seconds", round(parse, 3))
        pool = self._pool()
        if pool is not None:
            stats.set_value("bantin_cpu/parse_most_waiting", pool.most_waiting)
