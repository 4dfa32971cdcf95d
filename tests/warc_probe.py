"""A minimal spider for the WARC capture tests, run in a subprocess by tests/warc_helpers.py.

Usage: python tests/warc_probe.py PLAN_JSON  (requests, output file, run id, settings).
It fetches each planned request once (GET, or a form POST) with the project settings, and
exports what the callback saw: status, decoded text and the `bantin_capture` pointer.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import FormRequest, Response
from scrapy.settings import Settings

PLAN: dict[str, Any] = json.loads(sys.argv[1]) if __name__ == "__main__" else {}


class CaptureProbe(Spider):
    name = "capture_probe"
    run_id = PLAN.get("run_id")

    async def start(self):  # noqa: ANN201 - Scrapy's async generator
        for item in PLAN["requests"]:
            meta = {"handle_httpstatus_all": not item.get("follow_redirects", False)}
            if item.get("follow_redirects"):
                meta["handle_httpstatus_list"] = [404, 503]
            kw = {"callback": self.parse, "errback": self.failed, "dont_filter": True,
                  "meta": meta, "headers": item.get("headers") or {}}
            if item.get("formdata"):
                yield FormRequest(item["url"], formdata=item["formdata"], **kw)
            else:
                yield Request(item["url"], **kw)

    def parse(self, response: Response):  # noqa: ANN201
        text = response.text if hasattr(response, "text") else ""
        yield {"url": response.url, "status": response.status, "text": text,
               "capture": response.meta.get("bantin_capture")}

    def failed(self, failure: Any) -> None:
        return None


def main() -> None:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict({
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 4,
        "RETRY_TIMES": 1, "LOG_LEVEL": "WARNING", "ITEM_PIPELINES": {}, "EXTENSIONS": {},
        "FEEDS": {PLAN["out"]: {"format": "jsonlines"}},
        **PLAN.get("settings", {}),
    }, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(CaptureProbe)
    process.start()


if __name__ == "__main__":
    main()
