"""`bantin reparse`: article versions rebuilt from the WARC files alone, with no network."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive import models as m
from scraper.record import Record, content_hash
from tests.warc_helpers import PortalCrawl, bantin

COMPARED = ("url", "title", "published_at", "body_text", "lead", "content_hash", "warc_file",
            "warc_offset", "warc_record_id", "payload_digest", "http_status")


def versions_by_url(db_url: str) -> dict[str, dict]:
    engine = sa.create_engine(db_url)
    a, v = m.Article.__table__, m.ArticleVersion.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(a.c.url.label("article_url"), v)
                            .join(v, v.c.article_id == a.c.id).order_by(v.c.id)).mappings().all()
    engine.dispose()
    return {r["article_url"]: {k: r[k] for k in COMPARED} for r in rows}


def count(db_url: str, table: sa.Table) -> int:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    engine.dispose()
    return n


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("reparse")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}", n_articles=14, seed=9)
    try:
        crawl.crawl()
    finally:
        crawl.stop()
    return crawl


def reparse(db_url: str, warc_dir: Path, *extra: str) -> dict:
    proc = bantin("reparse", "--db", db_url, "--warc-dir", str(warc_dir), "--json", "-q",
                  *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_reparse_from_warc_alone_reproduces_the_stored_records(crawled, db_url: str):
    counts = reparse(db_url, crawled.warc_dir, "--sources", str(crawled.sources))
    original = versions_by_url(crawled.db_url)
    rebuilt = versions_by_url(db_url)
    assert len(original) >= 10
    assert counts["new"] == len(original)
    assert rebuilt == original


def test_reparse_with_an_unchanged_parser_adds_nothing(crawled, tmp_path: Path):
    db = tmp_path / "copy.db"
    shutil.copy(crawled.db_url.removeprefix("sqlite:///"), db)
    url = f"sqlite:///{db}"
    before = versions_by_url(url)
    events = count(url, m.Event.__table__)
    counts = reparse(url, crawled.warc_dir)
    assert counts["new"] == counts["changed"] == 0
    assert counts["unchanged"] == len(before)
    assert versions_by_url(url) == before
    assert count(url, m.Event.__table__) == events


def test_a_better_parser_adds_a_version_pointing_at_the_same_record(crawled, tmp_path: Path):
    """Versions made by a worse extractor (here: a body cut short, as an older release did)
    get a new version from the current one; the old version and the WARC stay as they were."""
    db = tmp_path / "old-parser.db"
    shutil.copy(crawled.db_url.removeprefix("sqlite:///"), db)
    url = f"sqlite:///{db}"
    engine = sa.create_engine(url)
    v, a = m.ArticleVersion.__table__, m.Article.__table__
    with engine.begin() as conn:
        old = conn.execute(sa.select(v).order_by(v.c.id).limit(1)).mappings().one()
        record = dict(old["record"])
        record["body_text"] = record["body_text"][:40]
        worse_hash = content_hash(Record.from_dict(record))
        conn.execute(v.update().where(v.c.id == old["id"]).values(
            record=record, body_text=record["body_text"], content_hash=worse_hash))
        conn.execute(a.update().where(a.c.id == old["article_id"]).values(
            content_hash=worse_hash))
    warc_before = {p.name: p.read_bytes() for p in crawled.warc_dir.glob("*.warc.gz")}

    counts = reparse(url, crawled.warc_dir)

    assert counts["changed"] == 1 and counts["new"] == 0
    with engine.connect() as conn:
        versions = conn.execute(sa.select(v).where(v.c.article_id == old["article_id"])
                                .order_by(v.c.number)).mappings().all()
        current = conn.execute(sa.select(a.c.current_version_id)
                               .where(a.c.id == old["article_id"])).scalar()
    engine.dispose()
    assert [x["number"] for x in versions] == [1, 2]
    assert versions[0]["body_text"] == record["body_text"]  # the old version is kept
    assert versions[1]["body_text"] == old["body_text"]  # the full text again
    assert versions[1]["warc_record_id"] == old["warc_record_id"]
    assert versions[1]["warc_offset"] == old["warc_offset"]
    assert current == versions[1]["id"]
    assert {p.name: p.read_bytes() for p in crawled.warc_dir.glob("*.warc.gz")} == warc_before
    again = reparse(url, crawled.warc_dir)
    assert again["new"] == again["changed"] == 0


def test_reparse_of_one_source_ignores_the_others(crawled, tmp_path: Path):
    db = tmp_path / "copy.db"
    shutil.copy(crawled.db_url.removeprefix("sqlite:///"), db)
    counts = reparse(f"sqlite:///{db}", crawled.warc_dir, "--source", "elsewhere")
    assert counts["articles"] == 0


def test_reparse_needs_an_existing_store(crawled, tmp_path: Path):
    proc = bantin("reparse", "--db", f"sqlite:///{tmp_path / 'none.db'}",
                  "--warc-dir", str(crawled.warc_dir))
    assert proc.returncode == 2
    assert "no store at" in proc.stderr
    assert not (tmp_path / "none.db").exists()


def test_a_bad_sources_file_is_a_usage_error(crawled, tmp_path: Path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - name: no id\n", encoding="utf-8")
    proc = bantin("reparse", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--warc-dir",
                  str(crawled.warc_dir), "--sources", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr
