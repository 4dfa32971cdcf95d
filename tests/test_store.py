"""The archive store on SQLite and PostgreSQL: idempotence, versions, removal, events."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive.store import Store, StoreError
from scraper.record import Image, Record
from tests.store_helpers import (
    FETCHED,
    PHOLU_SOURCE,
    flood_record,
    notice_record,
    reconcile_record,
)


@pytest.fixture
def store(db_url):
    s = Store.open(db_url)
    s.upsert_source(PHOLU_SOURCE)
    yield s
    s.close()


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def test_saving_the_same_record_twice_changes_nothing(store):
    first = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    later = FETCHED + timedelta(days=1)
    second = store.save_page(source_id="pholu", record=notice_record(), fetched_at=later)
    assert first.status == "new"
    assert second.status == "unchanged"
    assert (second.article_id, second.version_id) == (first.article_id, first.version_id)
    assert count(store, "article_versions") == 1
    assert [e.kind for e in store.events_after(0)] == ["new"]
    assert store.article_state("pholu", notice_record().url).last_seen == later


def test_not_modified_page_moves_last_seen_forward_and_nothing_else(store):
    first = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    later = FETCHED + timedelta(days=2)
    assert store.mark_seen("pholu", notice_record().url, later) == first.article_id
    assert store.mark_seen("pholu", notice_record().url, FETCHED) == first.article_id  # older
    state = store.article_state("pholu", notice_record().url)
    assert state.last_seen == later
    assert count(store, "article_versions") == 1
    assert [e.kind for e in store.events_after(0)] == ["new"]


def test_marking_an_unknown_url_seen_finds_nothing(store):
    assert store.mark_seen("pholu", "https://pholu.laocai.gov.vn/khong-co", FETCHED) is None


def test_changed_record_adds_a_version_and_keeps_the_old_one(store):
    first = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    edited = notice_record(title="UBND THỊ TRẤN PHỐ LU PHÁT ĐỘNG THI ĐUA NĂM 2023")
    second = store.save_page(source_id="pholu", record=edited, fetched_at=FETCHED)
    assert second.status == "changed"
    assert second.article_id == first.article_id and second.version_id != first.version_id
    versions = store.versions(first.article_id)
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["title"] == notice_record().title
    assert versions[1]["title"] == edited.title
    events = store.events_after(0)
    assert [e.kind for e in events] == ["new", "changed"]
    assert events[1].version_id == second.version_id
    assert events[1].details["previous_version_id"] == first.version_id


def test_reverted_content_points_back_at_the_earlier_version(store):
    v1 = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    store.save_page(source_id="pholu", record=notice_record(lead="Sửa."), fetched_at=FETCHED)
    back = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    assert back.status == "changed" and back.version_id == v1.version_id
    assert count(store, "article_versions") == 2
    assert store.events_after(0)[-1].details["reverted_to_version"] == 1


def test_version_keeps_every_extracted_field_and_the_raw_record(store):
    record = notice_record()
    capture = {"warc_file": "bantin-20261120-00000.warc.gz", "offset": 1234,
               "record_id": "<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>",
               "payload_digest": "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"}
    saved = store.save_page(source_id="pholu", record=record, fetched_at=FETCHED,
                            http_status=200, etag='"abc"', last_modified="Mon, 16 Jan 2023",
                            capture=capture)
    (version,) = store.versions(saved.article_id)
    assert Record.from_dict(version["record"]) == record
    assert version["published_at"] == "2023-01-16"
    assert version["published_raw"] == "Ngày16 tháng 01 năm 2023"
    assert version["authors"] == ["Phạm Thị Ngọc"]
    assert version["warnings"] == ["glued words split: Ngày16"]
    assert (version["warc_file"], version["warc_offset"], version["warc_record_id"],
            version["payload_digest"]) == (capture["warc_file"], 1234, capture["record_id"],
                                           capture["payload_digest"])
    assert count(store, "images") == 1 and count(store, "attachments") == 1
    with store.engine.connect() as conn:
        mentions = conn.execute(sa.text(
            "SELECT o.key, m.position, m.position_expanded, m.cue FROM mentions m "
            "JOIN officials o ON o.id = m.official_id ORDER BY m.ordinal")).all()
    assert [tuple(m) for m in mentions][1] == (
        "nguyen van chac", "Chủ tịch UBND thị trấn Phố Lu",
        "Chủ tịch Ủy ban nhân dân thị trấn Phố Lu", "đồng chí")
    state = store.article_state("pholu", record.url)
    assert (state.etag, state.last_modified, state.status) == ('"abc"', "Mon, 16 Jan 2023",
                                                               "present")


def test_capture_pointer_is_filled_when_an_unchanged_page_is_captured_later(store):
    saved = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    capture = {"warc_file": "a.warc.gz", "offset": 0, "record_id": "<urn:uuid:x>",
               "payload_digest": "sha1:AAAA"}
    again = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED,
                            capture=capture)
    assert again.status == "unchanged"
    assert store.versions(saved.article_id)[0]["warc_file"] == "a.warc.gz"
    assert len(store.events_after(0)) == 1


def test_one_official_row_collects_every_spelling_of_the_name(store):
    store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    with store.engine.connect() as conn:
        n = conn.execute(sa.text(
            "SELECT count(*) FROM officials WHERE key = 'nguyen van chac'")).scalar()
    assert n == 1
    assert count(store, "mentions") == 3


def test_article_is_known_by_canonical_and_fetched_url(store):
    record = notice_record()
    store.save_page(source_id="pholu", record=record, fetched_at=FETCHED)
    assert store.article_state("pholu", record.canonical_url) is not None
    assert store.article_state("pholu", record.url).url == record.canonical_url
    assert store.known_urls("pholu") == {record.url, record.canonical_url}
    assert store.article_state("pholu", "http://elsewhere/") is None
    assert store.known_urls("nobody") == set()


def test_unlisted_articles_are_flagged_removed_not_deleted(store):
    run = store.start_run(["pholu"], {})
    kept = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    gone = store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    removed = store.mark_removed("pholu", {notice_record().url}, run)
    assert removed == [gone.article_id]
    assert store.article_state("pholu", flood_record().url).status == "removed"
    assert store.article_state("pholu", notice_record().url).status == "present"
    assert count(store, "articles") == 2 and count(store, "article_versions") == 2
    event = store.events_after(0)[-1]
    assert (event.kind, event.article_id, event.run_id) == ("removed", gone.article_id, run)
    assert store.mark_removed("pholu", {notice_record().url}, run) == []  # already flagged
    assert kept.article_id not in removed


def test_removed_article_listed_again_is_present_again(store):
    run = store.start_run(["pholu"], {})
    store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    store.mark_removed("pholu", set(), run)
    again = store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    assert again.status == "unchanged"
    assert store.article_state("pholu", flood_record().url).status == "present"


def test_not_found_marks_a_known_article_gone_once(store):
    saved = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    missing = Record(kind="not_found", url=notice_record().url)
    first = store.save_page(source_id="pholu", record=missing, fetched_at=FETCHED,
                            http_status=404)
    second = store.save_page(source_id="pholu", record=missing, fetched_at=FETCHED,
                             http_status=404)
    assert (first.status, first.article_id) == ("gone", saved.article_id)
    assert second.status == "gone"
    assert store.article_state("pholu", notice_record().url).status == "gone"
    assert [e.kind for e in store.events_after(0)] == ["new", "gone"]
    assert store.events_after(0)[1].details["http_status"] == 404
    assert count(store, "article_versions") == 1  # the content is kept


def test_pages_that_are_not_articles_are_skipped(store):
    for kind in ("listing", "home", "error", "not_found"):
        result = store.save_page(source_id="pholu", record=Record(kind=kind, url="http://x/"),
                                 fetched_at=FETCHED)
        assert result.status == "skipped"
    assert count(store, "articles") == 0 and store.events_after(0) == []


def test_a_failing_write_leaves_no_half_record(store):
    broken = notice_record(images=[Image(url=None)])  # NOT NULL violated after the version
    with pytest.raises(sa.exc.IntegrityError):
        store.save_page(source_id="pholu", record=broken, fetched_at=FETCHED)
    for table in ("articles", "article_versions", "events", "mentions", "article_urls"):
        assert count(store, table) == 0, table
    assert store.save_page(source_id="pholu", record=notice_record(),
                           fetched_at=FETCHED).status == "new"


def test_every_crawl_leaves_an_audit_row(store):
    run = store.start_run(["pholu"], {"max_pages": 10, "warc": True})
    store.finish_run(run, status="finished", counts={"new": 2, "unchanged": 1},
                     errors=[{"url": "http://x/", "error": "timeout"}])
    row = store.get_run(run)
    assert row["status"] == "finished" and row["finished_at"] >= row["started_at"]
    assert row["options"] == {"max_pages": 10, "warc": True}
    assert row["counts"] == {"new": 2, "unchanged": 1}
    assert row["errors"] == [{"url": "http://x/", "error": "timeout"}]
    with pytest.raises(StoreError, match="no crawl run 999"):
        store.finish_run(999, status="finished", counts={}, errors=[])


def test_events_are_read_after_a_cursor_per_source(store):
    store.upsert_source({"id": "other", "name": "Other"})
    store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    store.save_page(source_id="other", record=flood_record(), fetched_at=FETCHED)
    unhealthy = store.record_event("source_unhealthy", source_id="other",
                                   details={"reason": "access denied page"})
    events = store.events_after(0)
    assert [e.kind for e in events] == ["new", "new", "source_unhealthy"]
    assert [e.id for e in store.events_after(events[0].id)] == [events[1].id, unhealthy]
    assert [e.source_id for e in store.events_after(0, ["pholu"])] == ["pholu"]
    assert events[0].url == notice_record().canonical_url and events[0].title
    assert store.get_cursor("daily") == 0
    store.set_cursor("daily", events[1].id)
    store.set_cursor("daily", unhealthy)
    assert store.get_cursor("daily") == unhealthy


def test_versions_keep_the_unit_names_they_were_captured_under(store):
    first = store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED)
    store.upsert_source({**PHOLU_SOURCE, "district": None, "commune": "Xã Phố Lu"})
    second = store.save_page(source_id="pholu", record=reconcile_record(), fetched_at=FETCHED)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(sa.text(
            "SELECT v.id, u.district FROM article_versions v JOIN source_units u "
            "ON u.id = v.unit_id")).all())
    assert rows[first.version_id] == "Bảo Thắng"
    assert rows[second.version_id] is None


def test_saving_for_an_unknown_source_creates_it(store):
    store.save_page(source_id="new-source", record=flood_record(), fetched_at=FETCHED)
    assert store.stats()["sources"]["new-source"]["present"] == 1


def test_bulk_save_is_one_transaction_with_the_same_results(store):
    pages = [dict(source_id="pholu", record=r, fetched_at=FETCHED)
             for r in (notice_record(), flood_record(), notice_record())]
    results = store.save_pages(pages)
    assert [r.status for r in results] == ["new", "new", "unchanged"]


def test_concurrent_writers_of_the_same_url_make_one_article(db_url):
    Store.open(db_url).close()  # migrate once, as `bantin db upgrade` would
    stores = [Store.open(db_url) for _ in range(4)]
    records = [notice_record(url=f"http://pholu/a/{i}", canonical_url=None) for i in range(15)]
    barrier = threading.Barrier(len(stores))
    results: list[str] = []
    errors: list[BaseException] = []

    def work(store: Store) -> None:
        try:
            for record in records:
                barrier.wait()
                results.append(store.save_page(source_id="pholu", record=record,
                                               fetched_at=FETCHED).status)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results.count("new") == len(records)
    assert results.count("unchanged") == len(records) * (len(stores) - 1)
    check = stores[0]
    assert count(check, "articles") == len(records)
    assert count(check, "article_versions") == len(records)
    assert len(check.events_after(0)) == len(records)
    for s in stores:
        s.close()


def test_sqlite_store_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    store = Store.open(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()


def test_unwritable_sqlite_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match=r"cannot open store sqlite:///.*file/sub/bantin\.db"):
        Store.open(f"sqlite:///{blocker}/sub/bantin.db")


def test_unreachable_postgres_is_a_clear_error_without_the_password():
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://bantin:s3cret@127.0.0.1:1/archive")
    message = str(info.value)
    assert "postgresql+psycopg://bantin:***@127.0.0.1:1/archive" in message
    assert "s3cret" not in message


def test_default_store_is_data_bantin_db_or_bantin_db_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANTIN_DB", raising=False)
    Store.open().close()
    assert (tmp_path / "data" / "bantin.db").exists()
    monkeypatch.setenv("BANTIN_DB", f"sqlite:///{tmp_path}/env/x.db")
    Store.open().close()
    assert (tmp_path / "env" / "x.db").exists()


def test_bulk_save_mixes_new_known_and_repeated_pages_like_single_saves(store):
    store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    edited_flood = flood_record()
    edited_flood.title = "Lũ về phố"
    pages = [dict(source_id="pholu", record=r, fetched_at=FETCHED)
             for r in (notice_record(), edited_flood, reconcile_record(), reconcile_record())]
    results = store.save_pages(pages)
    assert [r.status for r in results] == ["new", "changed", "new", "unchanged"]
    assert results[2].article_id == results[3].article_id
    assert [e.kind for e in store.events_after(0)] == ["new", "new", "changed", "new"]
    assert count(store, "article_versions") == 4
    assert store.known_urls("pholu") >= {notice_record().url, notice_record().canonical_url}
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM mentions")).scalar() == 5


def test_bulk_save_gives_each_page_its_own_new_ids_in_order(store):
    first = store.save_page(source_id="pholu", record=flood_record(), fetched_at=FETCHED)
    records = [notice_record(), reconcile_record()]
    results = store.save_pages([dict(source_id="pholu", record=r, fetched_at=FETCHED)
                                for r in records])
    assert [r.article_id for r in results] == [first.article_id + 1, first.article_id + 2]
    assert [r.version_id for r in results] == [first.version_id + 1, first.version_id + 2]
    for record, result in zip(records, results, strict=True):
        assert store.article_state("pholu", record.url).article_id == result.article_id
        assert store.versions(result.article_id)[0]["id"] == result.version_id
        assert store.versions(result.article_id)[0]["title"] == record.title


def test_bulk_writes_checkpoint_from_a_thread_that_close_stops(tmp_path):
    import sqlite3

    path = tmp_path / "bulk.db"
    store = Store.open(f"sqlite:///{path}")
    records = [notice_record(url=f"http://pholu/a/{i}", canonical_url=None) for i in range(30)]
    store.save_pages([dict(source_id="pholu", record=r, fetched_at=FETCHED) for r in records])
    assert "bantin-sqlite-checkpoint" in [t.name for t in threading.enumerate()]
    store.close()
    assert "bantin-sqlite-checkpoint" not in [t.name for t in threading.enumerate()]
    assert not Path(f"{path}-wal").exists()  # every change is in the database file
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (30,)
