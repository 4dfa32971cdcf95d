"""Vietnamese search on both engines: folding, exact-first ranking, syntax, filters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from archive.search import Filters, SearchError, exact_key, parse_query, search, timeline
from archive.store import Store
from tests.conftest import fresh_pg_database
from tests.store_helpers import (
    FETCHED,
    flood_record,
    hanoi_record,
    notice_record,
    reconcile_record,
    seeded_store,
)

BANTIN = str(Path(sys.executable).with_name("bantin"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request, tmp_path_factory):
    """One seeded store per engine for the whole module: these tests only read it."""
    if request.param == "sqlite":
        s = seeded_store(f"sqlite:///{tmp_path_factory.mktemp('search') / 'bantin.db'}")
        yield s
        s.close()
    else:
        with fresh_pg_database() as url:
            s = seeded_store(url)
            yield s
            s.close()


def urls(result) -> list[str]:
    return [h.url for h in result.hits]


NOTICE = notice_record().canonical_url
FLOOD = flood_record().url
RECONCILE = reconcile_record().url
HANOI = hanoi_record().url


def test_query_without_diacritics_finds_the_pholu_notice(store):
    assert NOTICE in urls(search(store, "pho lu thi dua"))


def test_exact_diacritics_rank_above_folded_collisions(store):
    result = search(store, "Phố Lu thi đua")
    assert urls(result)[:2] == [NOTICE, FLOOD]
    assert result.hits[0].exact_matches == 4
    assert result.hits[1].exact_matches < 4  # "lũ", "thì dựa" only fold to the query


def test_d_with_stroke_folds_to_d(store):
    assert NOTICE in urls(search(store, "dang uy"))
    assert NOTICE in urls(search(store, "Đảng ủy"))


def test_old_and_new_tone_placement_match_each_other(store):
    assert exact_key("hoà") == exact_key("hòa") == "hoa2"
    for query in ("hoà giải", "hòa giải", "HOÀ GIẢI"):
        result = search(store, query)
        assert urls(result)[0] == RECONCILE
        assert result.hits[0].exact_matches == 2


def test_quoted_phrase_needs_the_words_in_order(store):
    assert set(urls(search(store, '"thi đua yêu nước"'))) == {NOTICE, HANOI}
    assert search(store, '"đua thi"').total == 0


def test_minus_excludes_a_word_exactly_as_typed(store):
    assert FLOOD not in urls(search(store, "thi dua -lũ"))
    assert NOTICE in urls(search(store, "thi dua -lũ"))  # "Lu" is not "lũ"
    folded = urls(search(store, "thi dua -lu"))  # without diacritics: both go
    assert NOTICE not in folded and FLOOD not in folded and HANOI in folded


def test_or_and_prefix(store):
    assert set(urls(search(store, "\"hoà giải\" OR \"truyền thông\""))) == {RECONCILE, HANOI}
    assert HANOI in urls(search(store, "thông*"))


def test_snippet_marks_the_matched_words(store):
    hit = search(store, "Phố Lu thi đua").hits[0]
    assert "«Phố» «Lu» phát động «thi» «đua»" in hit.snippet


def test_only_the_current_version_is_searched(db_url):
    store = seeded_store(db_url)
    store.save_page(source_id="sotttt", record=hanoi_record().__class__(
        **{**hanoi_record().to_dict(), "body_text": "Nội dung đã được thay thế hoàn toàn."}
    ), fetched_at=FETCHED)
    assert HANOI not in urls(search(store, '"thi đua yêu nước"'))
    assert HANOI in urls(search(store, "thay thế"))
    store.close()


def test_every_word_in_the_title_ranks_above_newer_articles_and_follows_title_changes(db_url):
    from scraper.record import Record

    store = seeded_store(db_url)
    older = Record(kind="article", url="http://pholu.example/le-hoi-2020",
                   title="Lễ hội mùa xuân ở Phố Lu", published_at="2020-02-01",
                   body_text="Lễ hội mùa xuân đã diễn ra vui vẻ.")
    newer = Record(kind="article", url="http://pholu.example/tin-2024", title="Tin tức",
                   published_at="2024-02-01", body_text="Lễ hội mùa xuân năm nay đông vui.")
    for record in (older, newer):
        store.save_page(source_id="pholu", record=record, fetched_at=FETCHED)
    assert urls(search(store, "le hoi mua xuan")) == [older.url, newer.url]
    retitled = Record(**{**older.to_dict(), "title": "Tin cũ"})
    assert store.save_page(source_id="pholu", record=retitled,
                           fetched_at=FETCHED).status == "changed"
    assert urls(search(store, "le hoi mua xuan")) == [newer.url, older.url]
    assert urls(search(store, "tin cu"))[0] == older.url  # now in its title
    store.close()


def test_filter_by_source(store):
    assert urls(search(store, "thi dua", filters=Filters(sources=["sotttt"]))) == [HANOI]


def test_filter_by_unit_name_at_capture_time(store):
    for unit in ("Bảo Thắng", "bao thang", "Phố Lu", "thi tran pho lu", "Lào Cai"):
        found = set(urls(search(store, "thi dua", filters=Filters(unit=unit))))
        assert found == {NOTICE, FLOOD, RECONCILE}, unit


def test_unknown_unit_is_explained(store):
    result = search(store, "thi dua", filters=Filters(unit="Sa Pa"))
    assert result.total == 0 and "no source belonged to a unit named 'Sa Pa'" in result.notes


def test_filter_by_published_dates(store):
    result = search(store, "thi dua", filters=Filters(date_from=date(2022, 1, 1),
                                                      date_to=date(2022, 12, 31)))
    assert urls(result) == [HANOI]


def test_official_filter_shows_positions_over_time(store):
    result = search(store, "", filters=Filters(official="Nguyen Van Chac"))
    assert set(urls(result)) == {NOTICE, FLOOD, RECONCILE}
    assert result.official["names"] == ["Nguyễn Văn Chắc"]
    history = [(p["first"], p["position"]) for p in result.official["positions"]]
    assert history == [
        ("2021-05-10", "Chủ tịch UBND thị trấn"),
        ("2023-01-16", "Chủ tịch UBND thị trấn Phố Lu"),
        ("2023-07-02", "Phó Chủ tịch UBND thị trấn"),
    ]
    flood = next(h for h in result.hits if h.url == FLOOD)
    assert flood.positions == [{"name": "Nguyễn Văn Chắc",
                                "position": "Phó Chủ tịch UBND thị trấn",
                                "position_expanded": ""}]


def test_sort_by_date_puts_the_newest_first(store):
    result = search(store, "thi dua", sort="date")
    assert urls(result) == [FLOOD, NOTICE, HANOI, RECONCILE]


def test_limit(store):
    assert len(search(store, "thi dua", limit=2).hits) == 2
    assert search(store, "thi dua", limit=2).total == 4


def test_timeline_counts_matching_articles_per_period(store):
    years, _ = timeline(store, "thi dua", period="year")
    assert years == [("2021", 1), ("2022", 1), ("2023", 2)]
    months, _ = timeline(store, "thi dua", period="month")
    assert months == [("2021-05", 1), ("2022-07", 1), ("2023-01", 1), ("2023-07", 1)]


BAD_QUERIES = [
    "", "   ", "*", '"', '"thi đua', "thi đua\"", "NEAR(", "NEAR(pho lu, 3)", "pho OR", "OR",
    "AND NOT", "-", "--", "- lu", "'; drop table articles; --", "\"; DELETE FROM articles",
    "{ft fb} : pho", "ft:pho", "^pho", "pho + lu", "(((", ")))", "a:*", "'pho':*A", "\\",
    "\x00", "😀", "NOT", "-thi -dua", "%", "_", "pho lu" * 200,
]


def test_any_query_gives_results_or_a_clear_message(store):
    runs = [lambda q: search(store, q).total, lambda q: search(store, q, sort="date").total,
            lambda q: sum(n for _, n in timeline(store, q, period="year")[0])]
    for query in BAD_QUERIES:
        for run in runs:
            try:
                assert run(query) >= 0, query
            except SearchError as exc:
                assert str(exc).startswith(("nothing to search for", "the query only excludes"))
    assert store.stats()["articles"] == 4  # nothing was dropped


def test_parser_reads_syntax_into_items():
    parsed = parse_query('Phố "thi đua" -lũ kinh* OR hoà')
    assert [[i.words for i in g] for g in parsed.groups] == [[["Phố"], ["thi", "đua"],
                                                             ["kinh"]], [["hoà"]]]
    assert parsed.groups[0][2].prefix
    assert [i.words for i in parsed.excluded] == [["lũ"]]
    assert parsed.diacritics


def test_same_results_on_sqlite_and_postgresql(sqlite_url, pg_url):
    stores = [seeded_store(sqlite_url), seeded_store(pg_url)]
    queries = ["pho lu thi dua", "Phố Lu thi đua", "hoà giải", "thi dua -lũ", '"thi đua"',
               "thông*", "hoà giải OR truyền thông", "thi dua", "đồng chí"]
    for query in queries:
        for sort in ("relevance", "date"):
            a, b = (search(s, query, sort=sort).to_dict() for s in stores)
            assert a == b, query
    timelines = [timeline(s, "thi dua") for s in stores]
    assert timelines[0] == timelines[1]
    for s in stores:
        s.close()


def bantin(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BANTIN_DB"}
    return subprocess.run([BANTIN, *args], capture_output=True, text=True, env=env, timeout=120)


def test_search_command_prints_a_table_json_and_csv(db_url):
    seeded_store(db_url).close()
    table = bantin("search", "Phố Lu thi đua", "--db", db_url)
    assert table.returncode == 0 and "matching articles" in table.stdout
    data = json.loads(bantin("search", "Phố Lu thi đua", "--db", db_url, "--format",
                             "json").stdout)
    assert data["hits"][0]["url"] == NOTICE and data["total"] == 2
    csv_out = bantin("search", "thi dua", "--db", db_url, "--format", "csv", "--unit",
                     "bao thang", "--from", "2023", "--sort", "date").stdout.splitlines()
    assert csv_out[0].startswith("article_id,") and len(csv_out) == 3
    timeline_out = json.loads(bantin("search", "thi dua", "--db", db_url, "--timeline",
                                     "year", "--format", "json").stdout)
    assert timeline_out[-1] == {"period": "2023", "count": 2}
    official = bantin("search", "--official", "Nguyễn Văn Chắc", "--db", db_url)
    assert "Phó Chủ tịch UBND thị trấn" in official.stdout


def test_search_command_reports_bad_input_without_traceback(sqlite_url):
    Store.open(sqlite_url).close()
    empty = bantin("search", "--db", sqlite_url)
    assert empty.returncode == 2 and empty.stderr.startswith("error: nothing to search for")
    bad_date = bantin("search", "x", "--from", "16/13/2023", "--db", sqlite_url)
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    odd = bantin("search", "NEAR(\"'; drop", "--db", sqlite_url)
    assert odd.returncode == 0 and "Traceback" not in odd.stderr


def test_reindexing_changed_articles_keeps_the_sqlite_index_consistent(sqlite_url):
    import sqlalchemy as sa

    store = seeded_store(sqlite_url)
    for body in ("Bản thứ hai: lễ hội mùa xuân.", "Bản thứ ba: đường giao thông nông thôn."):
        store.save_page(source_id="sotttt", record=hanoi_record().__class__(
            **{**hanoi_record().to_dict(), "body_text": body}), fetched_at=FETCHED)
    with store.engine.begin() as conn:  # raises if FTS5 finds its index corrupt
        for table in ("search_fts", "search_titles"):
            conn.execute(sa.text(
                f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 0)"))
    assert search(store, "le hoi mua xuan").total == 0
    assert urls(search(store, "giao thông nông thôn")) == [HANOI]
    store.close()
