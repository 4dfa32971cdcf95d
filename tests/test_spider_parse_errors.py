"""A page whose parsing fails, seen from the spider: a real PortalSpider built by Scrapy,
real parse worker processes, a real listing page of the fixtures."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from spiders.pages import ParsePool
from spiders.portal import PortalSpider
from tests.crawl_helpers import write_sources

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _listing(role: str) -> HtmlResponse:
    url = (PAGES / "vnportal_listing_postback.url").read_text(encoding="utf-8").strip()
    meta = {"bantin": {"role": role, "depth": 0, "page": 1, "streak": 0}}
    return HtmlResponse(url, body=(PAGES / "vnportal_listing_postback.html").read_bytes(),
                        headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url, meta=meta))


def test_a_start_page_whose_parsing_times_out_is_a_parse_error_and_no_walk_is_complete(
        tmp_path):
    sources = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:9")
    crawler = get_crawler(PortalSpider, {"BANTIN_CRAWL_PARSE_WORKERS": 1,
                                         "BANTIN_CRAWL_PARSE_TIMEOUT": 0.5})
    spider = PortalSpider.from_crawler(crawler, source="sample", sources=str(sources),
                                       full=True)
    pool = ParsePool.for_crawler(crawler)
    response = _listing("start")

    async def crawl() -> list[object]:
        await spider._process(response, "start")  # the worker is up and ready
        os.kill(pool._procs[0].process.pid, signal.SIGSTOP)  # a parse that never ends
        return [out async for out in spider.parse_page(response)]

    try:
        outputs = asyncio.run(asyncio.wait_for(crawl(), 30))
    finally:
        pool.close()
    (item,) = outputs
    error = item.meta["error"]  # type: ignore[attr-defined]
    assert (error["kind"], error["url"]) == ("parse", response.url)
    assert error["message"].startswith("ParseTimeout: parsing took longer than 0.5 s")
    assert spider.listing_failures == 1
    # a --full crawl marks unlisted articles removed only after a complete walk
    assert spider.start_reached and not spider.walk_complete("finished")
