"""robots.txt holds for every request that waits on it, not only the first (Scrapy 2.19 bug).

A worker joining a crawl takes many requests of one host at once; they all wait for that
host's robots.txt. Scrapy's own middleware hands the parser to the first waiter only; the
project's DOWNLOADER_MIDDLEWARES put spiders.robots in its place, and a worker keeps the
project's middlewares. Each case runs a real crawl in a subprocess (one reactor per process)
against the sample portal, whose robots.txt disallows /admin/.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from scraper.sample_portal import RunningPortal, SamplePortal, serve

CRAWL = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

base, middleware = sys.argv[1], sys.argv[2]

class Burst(scrapy.Spider):
    name = "burst"

    async def start(self):
        for i in range(8):
            yield scrapy.Request(f"{base}/admin/draft-{i}", callback=self.parse)

    def parse(self, response):
        return []

mws = {}
if middleware == "worker":  # the robots.txt middlewares a `bantin worker` runs with
    from scraper.cli.worker import worker_settings
    mws = worker_settings(redis_url=None, job=None, db=None, warc_dir=None, idle_timeout=None,
                          lease_timeout=None, name="t", overrides={}).getdict(
                              "DOWNLOADER_MIDDLEWARES")
    mws = {k: v for k, v in mws.items() if "robots" in k.lower()}
process = CrawlerProcess({"ROBOTSTXT_OBEY": True, "DOWNLOADER_MIDDLEWARES": mws,
                          "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
                          "TWISTED_REACTOR":
                              "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
process.crawl(Burst)
process.start()
"""


@pytest.fixture
def portal() -> Iterator[RunningPortal]:
    running = serve(SamplePortal(n_articles=5))
    yield running
    running.stop()


def _crawl(portal: RunningPortal, middleware: str) -> list[str]:
    subprocess.run([sys.executable, "-c", CRAWL, portal.url, middleware], check=True,
                   timeout=120, capture_output=True)
    return [path for _, path, _ in portal.requests_for("/admin/")]


def test_a_worker_holds_every_request_waiting_on_robots_txt_to_it(
        portal: RunningPortal) -> None:
    assert _crawl(portal, "worker") == []


def test_scrapys_own_middleware_lets_later_waiters_through(portal: RunningPortal) -> None:
    """The bug the middleware above works around; when this fails, Scrapy fixed it."""
    leaked = _crawl(portal, "scrapy")
    assert leaked, "Scrapy's RobotsTxtMiddleware now holds every waiter: drop the workaround"
