"""WARC capture end to end: `bantin crawl` of the sample portal, three runs into one archive.

Run 1 is a first crawl, run 2 an incremental re-crawl (only listings and robots.txt are
fetched again), run 3 a `--refresh` crawl (conditional GETs: the portal answers 304).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

from archive.warc import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    WarcRecord,
    iter_records,
    read_record_at,
    warc_files,
    warcinfo_fields,
)
from tests.warc_helpers import PortalCrawl, bantin


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("portal")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}", n_articles=40, seed=3)
    files: dict[int, list[Path]] = {}
    try:
        for run, extra in ((1, ()), (2, ()), (3, ("--refresh",))):
            before = set(warc_files(crawl.warc_dir))
            crawl.crawl(*extra)
            files[run] = sorted(set(warc_files(crawl.warc_dir)) - before)
        crawl.access_log = list(crawl.running.access_log)
    finally:
        crawl.stop()
    crawl.files = files
    return crawl


def records(paths: list[Path]) -> list[WarcRecord]:
    out = []
    for path in paths:
        for rec in iter_records(path):
            assert isinstance(rec, WarcRecord), rec
            out.append(rec)
    return out


def db(runs) -> sqlite3.Connection:
    return sqlite3.connect(runs.db_url.removeprefix("sqlite:///"))


def test_each_run_writes_its_own_file_opening_with_its_warcinfo(runs):
    for run in (1, 2, 3):
        (path,) = runs.files[run]
        info = warcinfo_fields(path)
        assert info["bantin-run-id"] == str(run)
        assert info["isPartOf"] == f"bantin-run-{run}"
        assert info["robots"] == "obey"


def test_warcio_check_passes_on_every_file(runs):
    paths = [str(p) for run in (1, 2, 3) for p in runs.files[run]]
    proc = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *paths],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_request_the_portal_saw_is_in_the_warc(runs):
    recs = records([p for run in (1, 2, 3) for p in runs.files[run]])
    captured = [r for r in recs if r.type == "request"]
    assert len(captured) == len(runs.access_log)
    methods = {r.block.split(b" ", 1)[0] for r in captured}
    assert methods == {b"GET", b"POST"}  # vnPortal listings page by postback


def test_postback_requests_keep_their_form_body(runs):
    posts = [r for r in records(runs.files[1]) if r.type == "request"
             and r.block.startswith(b"POST ")]
    assert posts
    for post in posts:
        head, body = post.http_split()
        assert b"__EVENTTARGET=" in body
        assert b"Content-Type: application/x-www-form-urlencoded" in head


def test_redirects_404s_and_500s_are_captured(runs):
    statuses = {int(r.block.split(b" ", 2)[1]) for r in records(runs.files[1])
                if r.type == "response"}
    assert {200, 301, 404, 500} <= statuses


def _redirects(runs) -> dict[str, str]:
    """Target URI of every 3xx response in the archive -> its Location, made absolute."""
    out = {}
    for rec in records(sorted(runs.warc_dir.glob("*.warc.gz"))):
        if rec.type != "response":
            continue
        head = rec.http_split()[0].decode("latin-1")
        status = head.split(" ", 2)[1] if " " in head else ""
        location = re.search(r"(?im)^location:\s*(\S+)", head)
        if status.startswith("3") and location:
            out[rec.target_uri] = urljoin(rec.target_uri, location.group(1))
    return out


def test_every_stored_version_points_at_its_response_record(runs):
    """The pointer leads to the response holding the version's payload: fetched at the
    version's URL, or, for an article whose URL answered with a redirect (the record keeps
    the URL the portal listed), at the redirect's target, its canonical URL."""
    rows = db(runs).execute("select url, canonical_url, warc_file, warc_offset, "
                            "warc_record_id, payload_digest from article_versions").fetchall()
    assert len(rows) >= 10
    redirects = _redirects(runs)
    for url, canonical, warc_file, offset, record_id, digest in rows:
        rec = read_record_at(runs.warc_dir / warc_file, offset)
        assert rec.type == "response"
        assert rec.record_id == record_id
        assert rec.headers["warc-payload-digest"] == digest
        if rec.target_uri != url:
            assert redirects.get(url) == canonical == rec.target_uri, (url, rec.target_uri)


def test_incremental_recrawl_proves_unchanged_pages_with_revisits(runs):
    recs = records(runs.files[2])
    revisits = [r for r in recs if r.type == "revisit"]
    assert any(r.target_uri.endswith("/robots.txt") for r in revisits)
    assert all(r.headers["warc-profile"] == PROFILE_IDENTICAL for r in revisits)
    first_ids = {r.record_id for r in records(runs.files[1])}
    assert all(r.headers["warc-refers-to"] in first_ids for r in revisits)


def test_refresh_crawl_records_304s_as_server_not_modified_revisits(runs):
    recs = records(runs.files[3])
    not_modified = [r for r in recs if r.type == "revisit"
                    and r.headers["warc-profile"] == PROFILE_NOT_MODIFIED]
    assert not_modified
    for rec in not_modified:
        assert rec.block.startswith(b"HTTP/1.1 304 ")
        assert rec.headers["warc-refers-to-target-uri"] == rec.target_uri


def test_recrawl_files_are_smaller_than_the_first(runs):
    first = sum(p.stat().st_size for p in runs.files[1])
    assert sum(p.stat().st_size for p in runs.files[2]) < first / 2
    assert sum(p.stat().st_size for p in runs.files[3]) < first


def test_crawl_log_beside_the_warc_lists_each_exchange_with_source_and_role(runs):
    logs = sorted(runs.warc_dir.glob("*-run1.crawl-log.jsonl"))
    assert len(logs) == 1
    lines = [json.loads(x) for x in logs[0].read_text().splitlines()]
    assert {e["source_id"] for e in lines} == {"sample"}
    assert "article" in {e["role"] for e in lines}
    assert any(e["status"] == 404 for e in lines)
    assert all(e["record"] in ("response", "revisit", None) for e in lines)


def test_the_whole_archive_verifies_after_three_runs(runs):
    proc = bantin("verify", "-q", "--db", runs.db_url, "--warc-dir", str(runs.warc_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
