"""ValidatePipeline: drop items that cannot be stored, saying why.

An item without a URL, without a record, or whose record kind is not one of the Record kinds
is a bug upstream; it is dropped with a typed reason (`InvalidItem.reason`) so the log and
the stats (`bantin/dropped/<reason>`) say what went wrong instead of a store error later.

Settings: BANTIN_VALIDATE_ENABLED (default True).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from scraper.record import KINDS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class InvalidItem(DropItem):
    """An item dropped by validation; `reason` is one of no_url, no_record, bad_kind."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        if not crawler.settings.getbool("BANTIN_VALIDATE_ENABLED", True):
            raise NotConfigured("BANTIN_VALIDATE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        record = adapter.get("record")
        if not url:
            self._drop("no_url", f"item without a URL (record {record!r:.80})")
        if not isinstance(record, dict) or not record:
            self._drop("no_record", f"item for {url} has no record")
        if record.get("kind") not in KINDS:
            self._drop("bad_kind", f"item for {url} has record kind {record.get('kind')!r}, "
                                   f"expected one of {', '.join(KINDS)}")
        return item

    def _drop(self, reason: str, message: str) -> None:
        self.crawler.stats.inc_value(f"bantin/dropped/{reason}")
        raise InvalidItem(reason, message)
