"""robots.txt obeyed by every request, also when many wait for it at once.

Scrapy 2.19's RobotsTxtMiddleware keeps one Deferred per host while robots.txt downloads and
lets every waiting request await it. Awaiting a Deferred (`maybe_deferred_to_future`) adds a
callback that returns None, so the second and later waiters receive None — "no robots.txt"
— and are let through. It shows when many requests are in flight before robots.txt arrives,
e.g. a crawl resumed from its JOBDIR queue: the sample portal's robots-disallowed /admin/
page was fetched that way. This subclass gives each waiter its own Deferred, relayed from
the shared one without consuming its result. Enabled in place of Scrapy's in
DOWNLOADER_MIDDLEWARES (same order, 100).
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobots
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(_ScrapyRobots):
    """Scrapy's robots.txt middleware with concurrent waiters handled (module docstring)."""

    async def robot_parser(self, request: Any) -> Any:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
