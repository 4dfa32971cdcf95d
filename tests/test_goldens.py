"""Every fixture page extracts to its hand-reviewed golden record, field by field.

Goldens are rewritten only with `pytest tests/test_goldens.py --update-goldens`; review the
diff by hand before committing it.
"""

from __future__ import annotations

import json

import pytest

from scraper.extract import extract
from scraper.record import Record
from tests.extract_helpers import GOLDEN_NOW, FixturePage, fixture_pages

PAGES = fixture_pages()


def _extract(page: FixturePage) -> dict:
    record = extract(page.data, page.url, headers=page.headers, now=GOLDEN_NOW)
    return record.to_dict()


def test_every_fixture_page_has_a_url_and_a_golden() -> None:
    assert len(PAGES) >= 20
    missing = [p.name for p in PAGES if not p.golden_path.exists()]
    assert not missing, f"pages without a golden: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_extracts_to_its_golden(page: FixturePage, update_goldens: bool) -> None:
    got = _extract(page)
    if update_goldens:
        page.golden_path.write_text(
            json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        pytest.skip(f"golden rewritten: {page.golden_path.name} (review the diff)")
    if not page.golden_path.exists():
        pytest.fail(f"no golden for {page.name}: run with --update-goldens and review it")
    want = json.loads(page.golden_path.read_text(encoding="utf-8"))
    assert set(got) == set(Record.__dataclass_fields__)
    for field in Record.__dataclass_fields__:
        assert got[field] == want.get(field), f"{page.name}: field {field!r} differs"
