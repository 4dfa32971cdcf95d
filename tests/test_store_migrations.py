"""Schema migrations: a store made by an older bantin is upgraded in place, data kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive.search import search
from archive.store import Store, StoreError, head_revision

BANTIN = str(Path(sys.executable).with_name("bantin"))


def _fill_first_schema(store: Store) -> None:
    """Rows as the first schema (revision 0001, before the search index) held them."""
    with store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO sources (id, name, level, province, district, commune, start_urls, "
            "created_at, updated_at) VALUES ('pholu', 'Phố Lu', 'commune', 'Lào Cai', "
            "'Bảo Thắng', 'Thị trấn Phố Lu', '[]', '2023-01-20 00:00:00', "
            "'2023-01-20 00:00:00')"))
        conn.execute(sa.text(
            "INSERT INTO source_units (id, source_id, name, level, province, district, commune, "
            "recorded_at) VALUES (1, 'pholu', 'Phố Lu', 'commune', 'Lào Cai', 'Bảo Thắng', "
            "'Thị trấn Phố Lu', '2023-01-20 00:00:00')"))
        conn.execute(sa.text(
            "INSERT INTO articles (id, source_id, url, first_seen, last_seen, status, "
            "content_hash, version_count) VALUES (1, 'pholu', 'http://pholu/a', "
            "'2023-01-20 00:00:00', '2023-01-20 00:00:00', 'present', 'h1', 1)"))
        conn.execute(sa.text(
            "INSERT INTO article_versions (id, article_id, number, content_hash, fetched_at, "
            "unit_id, url, title, published_at, published_date, authors, body_text, warnings, "
            "record) VALUES (1, 1, 1, 'h1', '2023-01-20 00:00:00', 1, 'http://pholu/a', "
            "'UBND thị trấn Phố Lu phát động thi đua', '2023-01-16', '2023-01-16', '[]', "
            "'Thi đua hoàn thành toàn diện kế hoạch năm 2023.', '[]', "
            "'{\"kind\": \"article\", \"url\": \"http://pholu/a\"}')"))
        conn.execute(sa.text("UPDATE articles SET current_version_id = 1 WHERE id = 1"))
        conn.execute(sa.text(
            "INSERT INTO events (kind, article_id, version_id, source_id, at, details) "
            "VALUES ('new', 1, 1, 'pholu', '2023-01-20 00:00:00', '{}')"))


def test_store_made_by_the_first_schema_is_upgraded_without_losing_data(db_url):
    old = Store.open(db_url, migrate=False)
    old.upgrade("0001")
    assert old.current_revision() == "0001"
    _fill_first_schema(old)
    old.close()

    store = Store.open(db_url)  # opening migrates to the newest schema
    assert store.current_revision() == head_revision()
    state = store.article_state("pholu", "http://pholu/a")
    assert state.content_hash == "h1" and state.status == "present"
    assert [e.kind for e in store.events_after(0)] == ["new"]
    assert store.versions(1)[0]["title"] == "UBND thị trấn Phố Lu phát động thi đua"
    hits = search(store, "pho lu thi dua").hits  # the upgrade indexed the old article
    assert [h.article_id for h in hits] == [1]
    store.close()


def test_upgrade_indexes_old_titles_for_the_title_tier(db_url):
    old = Store.open(db_url, migrate=False)
    old.upgrade("0001")
    _fill_first_schema(old)
    with old.engine.begin() as conn:  # newer, "thi đua" only in its text
        conn.execute(sa.text(
            "INSERT INTO articles (id, source_id, url, first_seen, last_seen, status, "
            "content_hash, version_count) VALUES (2, 'pholu', 'http://pholu/b', "
            "'2023-01-20 00:00:00', '2023-01-20 00:00:00', 'present', 'h2', 1)"))
        conn.execute(sa.text(
            "INSERT INTO article_versions (id, article_id, number, content_hash, fetched_at, "
            "unit_id, url, title, published_at, published_date, authors, body_text, warnings, "
            "record) VALUES (2, 2, 1, 'h2', '2023-01-20 00:00:00', 1, 'http://pholu/b', "
            "'Tin tức', '2023-06-01', '2023-06-01', '[]', 'Phong trào thi đua.', '[]', "
            "'{\"kind\": \"article\", \"url\": \"http://pholu/b\"}')"))
        conn.execute(sa.text("UPDATE articles SET current_version_id = 2 WHERE id = 2"))
    old.close()

    store = Store.open(db_url)
    assert [h.article_id for h in search(store, "thi dua").hits] == [1, 2]
    assert [h.article_id for h in search(store, "thi dua", sort="date").hits] == [2, 1]
    store.close()


def test_store_newer_than_this_bantin_is_refused(sqlite_url):
    Store.open(sqlite_url).close()
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="revision '9999'.*upgrade bantin"):
        Store.open(sqlite_url)


def run(*args: str, env_db: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("BANTIN_DB", None)
    if env_db:
        env["BANTIN_DB"] = env_db
    return subprocess.run([BANTIN, *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_db_upgrade_current_and_stats_commands(db_url):
    fresh = run("db", "current", "--db", db_url)
    assert fresh.returncode == 0 and "none (empty)" in fresh.stdout
    up = run("db", "upgrade", "--db", db_url)
    assert up.returncode == 0 and f"-> {head_revision()}" in up.stdout
    again = run("db", "upgrade", "--db", db_url)
    assert "already at revision" in again.stdout
    assert "up to date" in run("db", "current", env_db=db_url).stdout
    from tests.store_helpers import seeded_store

    seeded_store(db_url).close()
    stats = run("db", "stats", "--db", db_url, "--format", "json")
    assert stats.returncode == 0
    import json

    data = json.loads(stats.stdout)
    assert data["sources"]["pholu"]["present"] == 3
    assert data["sources"]["sotttt"]["present"] == 1
    assert data["versions"] == 4
    table = run("db", "stats", "--db", db_url)
    assert "pholu" in table.stdout and "present" in table.stdout
    reindexed = run("db", "reindex", "--db", db_url)
    assert reindexed.returncode == 0 and "re-indexed 4 article(s)" in reindexed.stdout
    store = Store.open(db_url)
    assert len(search(store, "pho lu thi dua").hits) == 2
    store.close()


def test_db_optimize_merges_the_index_and_searches_find_the_same(db_url):
    from tests.store_helpers import seeded_store

    store = seeded_store(db_url)
    before = [h.url for h in search(store, "pho lu thi dua").hits]
    store.close()
    result = run("db", "optimize", "--db", db_url)
    assert result.returncode == 0, result.stderr
    if db_url.startswith("sqlite"):
        assert "search_fts: merged" in result.stdout and "search_titles: merged" in result.stdout
        engine = sa.create_engine(db_url)
        with engine.begin() as conn:  # FTS5 raises here if it finds its index corrupt
            for table in ("search_fts", "search_titles"):
                conn.execute(sa.text(
                    f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 0)"))
        engine.dispose()
    else:
        assert "ANALYZE" in result.stdout
    store = Store.open(db_url)
    assert [h.url for h in search(store, "pho lu thi dua").hits] == before
    assert len(before) == 2
    store.close()


def test_db_command_on_unreachable_server_is_one_clear_line():
    result = run("db", "stats", "--db", "postgresql://u:pw@127.0.0.1:1/x")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot open store postgresql+psycopg://u:***@")
    assert "Traceback" not in result.stderr and "pw@" not in result.stderr
