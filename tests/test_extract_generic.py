"""The generic extractor alone (no platform profile) on every fixture page.

Most portals run templates nobody profiled, so the generic path must read the profiled
platforms' pages too: forced to `generic`, each page gives its golden kind, title, date,
lead, body and authors.
"""

from __future__ import annotations

import json

import pytest

import scraper.extract
from scraper.platforms import get
from tests.extract_helpers import GOLDEN_NOW, FixturePage, fixture_pages

PROFILED = [
    p
    for p in fixture_pages()
    if json.loads(p.golden_path.read_text(encoding="utf-8"))["platform"] != "generic"
]
FIELDS = ("kind", "title", "published_at", "updated_at", "lead", "body_text", "authors")


@pytest.mark.parametrize("page", PROFILED, ids=[p.name for p in PROFILED])
def test_generic_extractor_matches_the_golden_without_the_platform_profile(
    page: FixturePage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scraper.extract, "detect", lambda *a, **k: get("generic"))
    got = scraper.extract.extract(page.data, page.url, headers=page.headers, now=GOLDEN_NOW)
    want = json.loads(page.golden_path.read_text(encoding="utf-8"))
    assert got.platform == "generic"
    for field in FIELDS:
        assert getattr(got, field) == want[field], f"{page.name}: {field}"
