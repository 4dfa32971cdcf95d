"""Webhook delivery: one JSON POST per batch of events, with a timeout and retries.

A batch counts as delivered only when the receiver answers 2xx; the caller keeps the events
pending otherwise, so nothing is lost and an acknowledged batch is never sent again.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scraper import __version__

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    status: int | None
    error: str | None = None


def post_batch(
    url: str,
    events: Sequence[Mapping[str, Any]],
    *,
    monitor: str,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 1.0,
) -> Delivery:
    """POST {"monitor", "events"} as JSON; retry timeouts, connection errors and 5xx/429."""
    body = json.dumps(
        {"monitor": monitor, "count": len(events), "events": list(events)}, ensure_ascii=False
    ).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"bantin/{__version__} monitor",
        "Idempotency-Key": f"{monitor}:{events[0]['event_id']}-{events[-1]['event_id']}"
        if events
        else monitor,
    }
    status: int | None = None
    error: str | None = None
    attempts = 0
    for attempt in range(retries + 1):
        attempts = attempt + 1
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
                return Delivery(ok=True, attempts=attempts, status=status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code} from {url}"
            if exc.code not in RETRYABLE_STATUSES:
                break
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            status, error = None, f"cannot reach {url}: {getattr(exc, 'reason', exc)}"
        if attempt < retries:
            time.sleep(backoff * (2**attempt))
    return Delivery(ok=False, attempts=attempts, status=status, error=error)
