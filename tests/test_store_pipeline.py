"""The store pipeline's batched writes (`pipelines.store.write_batch`), on a real store.

The crawl hands the store thread every page that arrived while the previous batch was being
written; these tests pin down what a batch promises: the same rows as page-by-page writes,
and one bad page costing only itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive.store import SaveResult, Store
from pipelines.store import write_batch
from tests.store_helpers import FETCHED, PHOLU_SOURCE, notice_record


@pytest.fixture
def store(db_url: str):
    store = Store.open(db_url)
    store.upsert_source(PHOLU_SOURCE)
    yield store
    store.close()


def _page(n: int, **changes: object) -> dict[str, object]:
    url = f"http://pholu.baothang.laocai.gov.vn/tin-tuc/bai-{n}"
    record = notice_record(url=url, canonical_url=url, title=f"Thông báo số {n}")
    page: dict[str, object] = {"source_id": "pholu", "record": record,
                               "fetched_at": FETCHED + timedelta(minutes=n)}
    page.update(changes)
    return page


def _stored_titles(store: Store) -> list[str]:
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return sorted(conn.execute(sa.text(
            "select v.title from articles a join article_versions v "
            "on v.id = a.current_version_id")).scalars())


def test_a_batch_stores_every_page_once_and_reports_each_result(store: Store) -> None:
    outcomes = write_batch(store, [_page(1), _page(2), _page(3)])

    assert [o.status for o in outcomes] == ["new", "new", "new"]
    assert all(isinstance(o, SaveResult) for o in outcomes)
    assert _stored_titles(store) == ["Thông báo số 1", "Thông báo số 2", "Thông báo số 3"]


def test_a_batch_gives_the_same_results_as_writing_page_by_page(store: Store) -> None:
    write_batch(store, [_page(1)])
    again = _page(1)
    changed = _page(2, record=notice_record(url=_page(2)["record"].url,
                                            canonical_url=_page(2)["record"].url,
                                            title="Thông báo số 2 (sửa)"))
    outcomes = write_batch(store, [again, _page(2), changed])

    assert [o.status for o in outcomes] == ["unchanged", "new", "changed"]


def test_one_bad_page_costs_only_itself(store: Store) -> None:
    bad = _page(2, fetched_at="not a date")
    outcomes = write_batch(store, [_page(1), bad, _page(3)])

    assert isinstance(outcomes[0], SaveResult) and outcomes[0].status == "new"
    assert isinstance(outcomes[1], ValueError)
    assert isinstance(outcomes[2], SaveResult) and outcomes[2].status == "new"
    assert _stored_titles(store) == ["Thông báo số 1", "Thông báo số 3"]
