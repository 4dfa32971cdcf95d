"""PauseToDiskScheduler: requests in memory while a crawl runs, in JOBDIR when it pauses.

Scrapy's scheduler with a JOBDIR pushes every request through the disk queue: each one is
turned into a dict (finding its callback's name by listing every member of the spider),
pickled, appended to a file, and later read back and rebuilt. That keeps the queue on disk
for the one moment it is needed, a pause, at about a tenth of the reactor thread's time in
a crawl of the sample portal.

A queue on disk only survives a clean stop anyway: Scrapy writes the queue's state file
when the scheduler closes, so a killed crawl's queue cannot be read back (which is why the
spider walks every listing again after a crash, see `spiders.portal.CrawlJournal`). This
scheduler therefore keeps requests in memory and writes whatever is still queued to the
JOBDIR disk queue when it closes: a crawl paused with Ctrl-C resumes from exactly the
same queue as before. A queue resumed from disk is served as Scrapy serves it (memory
first, then disk).

BANTIN_SCHEDULER_MEMORY_MAX (default 200,000 requests): past this many queued requests new
ones go to the disk queue straight away, so a very large crawl does not hold its whole
frontier in memory.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.core.scheduler import Scheduler

logger = logging.getLogger(__name__)


class PauseToDiskScheduler(Scheduler):
    """Scrapy's Scheduler; the disk queue is written at close, not on every request."""

    memory_max: int = 200_000

    @classmethod
    def from_crawler(cls, crawler: Any) -> PauseToDiskScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.memory_max = crawler.settings.getint("BANTIN_SCHEDULER_MEMORY_MAX",
                                                       cls.memory_max)
        return scheduler

    def _dqpush(self, request: Any) -> bool:
        if self.dqs is None or len(self.mqs) < self.memory_max:
            return False  # Scrapy's enqueue_request then keeps it in memory
        return super()._dqpush(request)

    def close(self, reason: str) -> Any:
        """Move what is still queued in memory to the disk queue, then close as Scrapy does
        (which writes the disk queue's state into JOBDIR)."""
        if self.dqs is not None and len(self.mqs):
            kept = lost = 0
            while (request := self.mqs.pop()) is not None:
                if super()._dqpush(request):
                    kept += 1
                else:
                    lost += 1
            if self.stats is not None:
                self.stats.set_value("bantin/scheduler_paused_to_disk", kept)
            if lost:
                logger.warning("%d queued request(s) could not be written to JOBDIR", lost)
        return super().close(reason)
