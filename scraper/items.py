"""Scrapy items: what spiders yield and pipelines consume (read them through ItemAdapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """One fetched page and what extraction made of it.

    `record` is `scraper.record.Record.to_dict()`; `capture` points at the WARC response
    record once capture is on: {"warc_file", "offset", "record_id", "payload_digest"}.
    """

    source_id: str
    url: str
    status: int
    fetched_at: str  # ISO 8601 UTC
    record: dict[str, Any]
    run_id: int | None = None
    capture: dict[str, Any] | None = None
    listing_url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
