"""`bantin package`: WACZ 1.2.0 packages of crawl runs, checked member by member.

py-wacz's own checks (required contents, paths listed, hashes) are run on the packages;
its version check is not, because py-wacz 0.6 only knows WACZ 1.1.1 (`wacz_version`), a
field WACZ 1.2.0 removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from archive.warc import WarcRecord, iter_records
from tests.warc_helpers import PortalCrawl, bantin


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("wacz")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}", n_articles=12, seed=4)
    try:
        crawl.crawl()
        crawl.crawl()  # run 2: an incremental re-crawl whose revisits refer to run 1's file
    finally:
        crawl.stop()
    return crawl


def package(archive: PortalCrawl, out: Path, *args: str) -> zipfile.ZipFile:
    proc = bantin("package", *args, "--db", archive.db_url, "--warc-dir",
                  str(archive.warc_dir), "--output", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return zipfile.ZipFile(out)


@pytest.fixture(scope="module")
def run1(archive, tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    return package(archive, tmp_path_factory.mktemp("out") / "run1.wacz", "1")


def test_package_has_the_wacz_layout(run1):
    names = run1.namelist()
    assert [n for n in names if n.startswith("archive/")]
    assert all(n.endswith(".warc.gz") for n in names if n.startswith("archive/"))
    assert {"indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json",
            "datapackage-digest.json"} <= set(names)


def test_warc_files_are_stored_uncompressed_for_random_access(run1):
    for info in run1.infolist():
        if info.filename.startswith("archive/"):
            assert info.compress_type == zipfile.ZIP_STORED


def test_datapackage_lists_every_file_with_its_sha256_and_size(run1):
    dp = json.loads(run1.read("datapackage.json"))
    assert dp["profile"] == "wacz"
    assert "wacz_version" not in dp  # removed in 1.2.0
    assert dp["created"].endswith("Z") and dp["software"].startswith("bantin ")
    listed = {r["path"]: r for r in dp["resources"]}
    members = set(run1.namelist()) - {"datapackage.json", "datapackage-digest.json"}
    assert set(listed) == members
    for path, res in listed.items():
        data = run1.read(path)
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_datapackage_digest_fixes_the_manifest(run1):
    digest = json.loads(run1.read("datapackage-digest.json"))
    assert digest["path"] == "datapackage.json"
    assert digest["hash"] == "sha256:" + hashlib.sha256(run1.read("datapackage.json")).hexdigest()


def test_pages_list_each_article_with_url_time_title_and_text(run1, archive):
    lines = [json.loads(x) for x in run1.read("pages/pages.jsonl").decode().splitlines()]
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = lines[1:]
    n_articles = sqlite3.connect(archive.db_url.removeprefix("sqlite:///")).execute(
        "select count(*) from articles").fetchone()[0]
    assert len(pages) == n_articles >= 8
    for page in pages:
        assert page["url"].startswith("http://127.0.0.1:")
        assert len(page["ts"]) == 20 and page["ts"].endswith("Z")
        assert page["title"] and len(page["text"]) > 100


def test_cdxj_index_is_sorted_by_surt_and_points_into_the_packaged_warcs(run1):
    lines = run1.read("indexes/index.cdxj").decode().splitlines()
    keys = [line.split(" ", 2)[:2] for line in lines]
    assert keys == sorted(keys)
    assert all(k.startswith("1,0,0,127:") for k, _ in keys)
    names = {n.removeprefix("archive/") for n in run1.namelist() if n.startswith("archive/")}
    for line in lines:
        entry = json.loads(line.split(" ", 2)[2])
        assert entry["filename"] in names
        data = run1.read("archive/" + entry["filename"])
        rec = next(iter_records_from(data[int(entry["offset"]):
                                          int(entry["offset"]) + int(entry["length"])]))
        assert rec.target_uri == entry["url"]


def iter_records_from(data: bytes):
    """Records of a byte range cut out of a WARC file (what a replay tool reads)."""
    with tempfile.NamedTemporaryFile(suffix=".warc.gz") as fh:
        fh.write(data)
        fh.flush()
        yield from (r for r in iter_records(fh.name) if isinstance(r, WarcRecord))


def test_pages_of_a_run_are_found_in_its_index(run1):
    index_urls = {json.loads(line.split(" ", 2)[2])["url"]
                  for line in run1.read("indexes/index.cdxj").decode().splitlines()}
    pages = [json.loads(x) for x in run1.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert all(p["url"] in index_urls for p in pages)


def test_a_recrawl_package_carries_the_files_its_revisits_refer_to(archive, tmp_path: Path):
    run2 = package(archive, tmp_path / "run2.wacz", "2")
    dp = json.loads(run2.read("datapackage.json"))
    warcs = [r["path"] for r in dp["resources"] if r["path"].startswith("archive/")]
    assert len(warcs) == 2  # run 2's own file and run 1's, which holds the payloads
    assert dp["bantin"] == {"run_id": 2}


def test_py_wacz_checks_pass(run1, tmp_path: Path):
    from wacz.validate import Validation

    path = tmp_path / "copy.wacz"
    path.write_bytes(Path(run1.filename).read_bytes())
    with contextlib.redirect_stdout(io.StringIO()):
        check = Validation(str(path))
        assert check.check_required_contents() == 0
        assert check.check_file_paths() is True
        assert check.check_file_hashes() is True
        assert check.check_data_package_hash_and_sig() is True


def test_package_of_everything(archive, tmp_path: Path):
    everything = package(archive, tmp_path / "all.wacz", "--all")
    assert len([n for n in everything.namelist() if n.startswith("archive/")]) == 2


def test_an_unknown_run_is_an_error_not_an_empty_package(archive, tmp_path: Path):
    proc = bantin("package", "99", "--db", archive.db_url, "--warc-dir",
                  str(archive.warc_dir), "--output", str(tmp_path / "x.wacz"))
    assert proc.returncode == 1
    assert "no WARC files of crawl run 99" in proc.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_run_and_all_together_is_a_usage_error(archive, tmp_path: Path):
    proc = bantin("package", "1", "--all", "--warc-dir", str(archive.warc_dir),
                  "--output", str(tmp_path / "x.wacz"))
    assert proc.returncode == 2
