"""`bantin show`: an article's versions with the WARC record each was extracted from."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.warc import read_record_at
from tests.warc_helpers import PortalCrawl, bantin


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory):
    """Crawl, edit one article on the portal, re-crawl with --refresh: two versions."""
    base = tmp_path_factory.mktemp("show")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}", n_articles=8, seed=6)
    try:
        crawl.crawl()
        art = crawl.portal.articles()[0]
        crawl.portal.edit_article(art.id, title=art.title + " (đã sửa đổi)")
        crawl.crawl("--refresh")
    finally:
        crawl.stop()
    conn = sqlite3.connect(crawl.db_url.removeprefix("sqlite:///"))
    crawl.article_id, crawl.article_url = conn.execute(
        "select id, url from articles where version_count = 2").fetchone()
    return crawl


def show(edited: PortalCrawl, key: str, *args: str):
    return bantin("show", key, "--db", edited.db_url, *args)


def test_show_json_lists_each_version_with_fetch_time_and_warc_pointer(edited):
    proc = show(edited, str(edited.article_id), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["article_id"] == edited.article_id
    assert [v["version"] for v in info["versions"]] == [1, 2]
    assert info["versions"][1]["title"].endswith("(đã sửa đổi)")
    assert info["versions"][0]["fetched_at"] < info["versions"][1]["fetched_at"]
    assert info["current_version_id"] == info["versions"][1]["version_id"]
    assert info["versions"][0]["run_id"] == 1 and info["versions"][1]["run_id"] == 2
    for version in info["versions"]:
        warc = version["warc"]
        rec = read_record_at(edited.warc_dir / warc["file"], warc["offset"])
        assert rec.record_id == warc["record_id"]
        assert rec.headers["warc-payload-digest"] == warc["payload_digest"]


def test_show_by_url_finds_the_same_article(edited):
    by_url = json.loads(show(edited, edited.article_url, "--format", "json").stdout)
    assert by_url["article_id"] == edited.article_id


def test_show_text_is_the_provenance_to_cite(edited):
    proc = show(edited, str(edited.article_id))
    assert proc.returncode == 0
    out = proc.stdout
    assert f"Article {edited.article_id}  [sample]" in out
    assert "Version 2  (current)" in out
    assert out.count("WARC file       bantin-") == 2
    assert out.count("payload digest  sha1:") == 2


def test_an_unknown_article_exits_1(edited):
    proc = show(edited, "http://127.0.0.1:1/khong-co")
    assert proc.returncode == 1
    assert "no article" in proc.stderr


def test_no_store_is_a_usage_error_and_creates_nothing(tmp_path: Path):
    proc = bantin("show", "1", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert proc.returncode == 2
    assert not (tmp_path / "none.db").exists()
