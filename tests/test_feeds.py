"""Atom feeds of monitoring events parse as valid Atom."""

from __future__ import annotations

import feedparser

from archive.feeds import build_atom, write_atom

EVENTS = [
    {
        "event_id": 7,
        "kind": "new",
        "source_id": "pholu",
        "url": "http://127.0.0.1/tin/1",
        "title": "UBND thị trấn Phố Lu phát động thi đua",
        "published_at": "2023-01-16",
        "at": "2026-11-26T09:00:00+00:00",
    },
    {
        "event_id": 8,
        "kind": "changed",
        "source_id": "pholu",
        "url": "http://127.0.0.1/tin/2",
        "title": "Hội nghị tổng kết",
        "published_at": "2023-01-17T08:30:00+07:00",
        "at": "2026-11-26T09:05:00+00:00",
        "diff": {"title": "'Hội nghị' → 'Hội nghị tổng kết'"},
    },
]


def test_feed_is_well_formed_atom_that_feedparser_accepts(tmp_path):
    path = tmp_path / "feed.atom"
    write_atom(path, build_atom(EVENTS, feed_id="urn:bantin:test", title="bantin"))
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 2


def test_feed_lists_newest_event_first_with_vietnamese_titles(tmp_path):
    parsed = feedparser.parse(build_atom(EVENTS, feed_id="urn:bantin:test", title="bantin"))
    assert parsed.entries[0].title == "[Đã sửa] Hội nghị tổng kết"
    assert parsed.entries[1].link == "http://127.0.0.1/tin/1"


def test_entry_ids_are_stable_across_rebuilds():
    first = feedparser.parse(build_atom(EVENTS, feed_id="urn:bantin:x", title="t"))
    second = feedparser.parse(build_atom(EVENTS[:1], feed_id="urn:bantin:x", title="t"))
    assert first.entries[1].id == second.entries[0].id == "urn:bantin:x:event:7"


def test_empty_feed_is_still_valid_atom():
    parsed = feedparser.parse(build_atom([], feed_id="urn:bantin:empty", title="t"))
    assert not parsed.bozo and parsed.entries == []
