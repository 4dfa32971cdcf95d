"""Atom feeds of monitoring events (RFC 4287), for feed readers and `feedparser`.

The feed is rebuilt from the store's events on every run rather than appended to, so it is
always well-formed and holds the most recent events only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from scraper import __version__

ATOM_NS = "http://www.w3.org/2005/Atom"
_A = f"{{{ATOM_NS}}}"

_KIND_LABEL = {
    "new": "Mới",
    "changed": "Đã sửa",
    "removed": "Đã gỡ",
    "gone": "Không còn (404)",
    "source_unhealthy": "Nguồn có vấn đề",
}


def _rfc3339(value: str | datetime | None) -> str:
    if value is None:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str):
    element = etree.SubElement(parent, _A + tag, {k: v for k, v in attrib.items() if v})
    if text is not None:
        element.text = text
    return element


def event_entry_title(event: Mapping[str, Any]) -> str:
    """A one-line, human title for an event: '[Mới] <article title>'."""
    label = _KIND_LABEL.get(event.get("kind", ""), event.get("kind", ""))
    subject = event.get("title") or event.get("url") or event.get("source_id") or ""
    return f"[{label}] {subject}".strip()


def _summary(event: Mapping[str, Any]) -> str:
    parts = []
    if event.get("source_id"):
        parts.append(f"Nguồn: {event['source_id']}")
    if event.get("published_at"):
        parts.append(f"Ngày đăng: {event['published_at']}")
    diff = event.get("diff") or {}
    for field, change in diff.items():
        parts.append(f"{field}: {change}")
    evidence = event.get("evidence")
    if evidence:
        parts.append(f"Bằng chứng: {evidence}")
    return "\n".join(parts) or event_entry_title(event)


def build_atom(
    events: Iterable[Mapping[str, Any]],
    *,
    feed_id: str,
    title: str,
    self_url: str | None = None,
) -> bytes:
    """Serialise events (the monitor's JSON schema) as an Atom feed document."""
    events = list(events)
    feed = etree.Element(_A + "feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    newest = max((e.get("at") for e in events if e.get("at")), default=None)
    _sub(feed, "updated", _rfc3339(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "bantin")
    _sub(feed, "generator", "bantin", version=__version__)
    if self_url:
        _sub(feed, "link", rel="self", href=self_url)
    for event in sorted(events, key=lambda e: e.get("event_id", 0), reverse=True):
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{feed_id}:event:{event['event_id']}")
        _sub(entry, "title", event_entry_title(event))
        _sub(entry, "updated", _rfc3339(event.get("at")))
        if event.get("published_at"):
            published = event["published_at"]
            if len(published) == 10:  # a day only: Atom needs a time, say the day's start
                published += "T00:00:00+07:00"
            _sub(entry, "published", _rfc3339(published))
        if event.get("url"):
            _sub(entry, "link", rel="alternate", href=event["url"])
        _sub(entry, "category", term=event.get("kind", ""))
        _sub(entry, "summary", _summary(event))
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_atom(path: str | Path, document: bytes) -> None:
    """Replace the feed file atomically, so a reader never sees half a feed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(document)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
