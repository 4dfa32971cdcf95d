"""`bantin verify`: fixity of the WARC files and of the store's pointers, through the CLI.

The archive comes from a real `bantin crawl` of the sample portal; damage is done to COPIES
of its WARC files, the way bit rot or a careless edit would.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from archive.warc import WarcRecord, iter_records, warc_files
from tests.warc_helpers import PortalCrawl, bantin


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("verify")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}")
    try:
        crawl.crawl()
    finally:
        crawl.stop()
    return crawl


def damaged_copy(archive: PortalCrawl, dest: Path) -> tuple[Path, list[WarcRecord]]:
    shutil.copytree(archive.warc_dir, dest)
    (path,) = warc_files(dest)
    return path, [r for r in iter_records(path) if isinstance(r, WarcRecord)]


def test_a_fresh_crawl_verifies_clean(archive):
    proc = bantin("verify", "--db", archive.db_url, "--warc-dir", str(archive.warc_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    versions = sqlite3.connect(archive.db_url.removeprefix("sqlite:///")).execute(
        "select count(*) from article_versions where warc_file is not null").fetchone()[0]
    assert versions >= 10
    assert proc.stdout.startswith("OK: 1 files")
    assert f", {versions} store pointers checked" in proc.stdout
    assert "[1/1]" in proc.stderr  # progress


def test_every_article_version_pointer_is_checked(archive):
    proc = bantin("verify", "--json", "-q", "--db", archive.db_url,
                  "--warc-dir", str(archive.warc_dir))
    report = json.loads(proc.stdout)
    assert report["ok"] is True
    assert report["pointers"] >= 10
    assert report["records"] > 2 * report["pointers"]


def test_a_flipped_byte_is_reported_with_file_and_offset(archive, tmp_path: Path):
    path, records = damaged_copy(archive, tmp_path / "warc")
    target = [r for r in records if r.type == "response"][3]
    data = bytearray(path.read_bytes())
    data[target.offset + target.length // 2] ^= 0x20
    path.write_bytes(bytes(data))
    proc = bantin("verify", "--db", archive.db_url, "--warc-dir", str(tmp_path / "warc"))
    assert proc.returncode == 1
    assert f"MISMATCH {path.name} at offset {target.offset}:" in proc.stdout
    assert "problem(s)" in proc.stdout.splitlines()[-1]


def test_an_edited_payload_in_an_intact_gzip_member_fails_its_digest(archive, tmp_path: Path):
    path, records = damaged_copy(archive, tmp_path / "warc")
    target = next(r for r in records if r.type == "response" and b"<html" in r.block.lower())
    raw = path.read_bytes()
    member = zlib.decompress(raw[target.offset:target.offset + target.length], 31)
    edited = member.replace(b"<html", b"<HTML", 1)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    new_member = comp.compress(edited) + comp.flush()
    path.write_bytes(raw[:target.offset] + new_member + raw[target.offset + target.length:])
    proc = bantin("verify", "--json", "-q", "--warc-dir", str(tmp_path / "warc"),
                  "--db", archive.db_url)
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["problems"]
    at_target = [p for p in problems if p["offset"] == target.offset]
    assert {p["file"] for p in at_target} == {path.name}
    assert any("block digest mismatch" in p["message"] for p in at_target)
    assert any("payload digest mismatch" in p["message"] for p in at_target)


def test_a_missing_warc_file_is_reported_for_each_pointer(archive, tmp_path: Path):
    path, _ = damaged_copy(archive, tmp_path / "warc")
    path.unlink()
    proc = bantin("verify", "--json", "-q", "--db", archive.db_url,
                  "--warc-dir", str(tmp_path / "warc"))
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["problems"]
    assert problems and all(p["message"] == "WARC file is missing" for p in problems)
    assert all(p["file"] == path.name and p["version_id"] for p in problems)


def test_since_a_future_date_checks_nothing_and_passes(archive):
    proc = bantin("verify", "--since", "2999-01-01", "--db", archive.db_url,
                  "--warc-dir", str(archive.warc_dir))
    assert proc.returncode == 0
    assert "0 files, 0 records, 0 store pointers" in proc.stdout


def test_a_missing_warc_directory_is_a_usage_error(tmp_path: Path):
    proc = bantin("verify", "--warc-dir", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_bad_date_is_a_usage_error(archive):
    proc = bantin("verify", "--since", "hôm qua", "--warc-dir", str(archive.warc_dir))
    assert proc.returncode == 2
    assert "not a date" in proc.stderr


def test_a_revisit_whose_original_file_is_gone_is_reported(tmp_path: Path):
    from archive.warc import Exchange, WarcWriter

    def ex() -> Exchange:
        return Exchange(url="http://x.gov.vn/a", method="GET", request_headers=[],
                        request_body=b"", status=200, response_headers=[], body=b"same")

    first = WarcWriter(tmp_path)
    original = first.write_exchange(ex())
    first.close()
    second = WarcWriter(tmp_path)
    revisit = second.write_exchange(ex())
    second.close()
    (tmp_path / original.warc_file).unlink()
    proc = bantin("verify", "--warc-dir", str(tmp_path), "--db",
                  f"sqlite:///{tmp_path / 'none.db'}")
    assert proc.returncode == 1
    assert f"MISMATCH {revisit.warc_file} at offset {revisit.offset}: revisit refers to " \
           f"record {original.record_id}" in proc.stdout


def test_a_file_still_being_written_warns_but_passes(tmp_path: Path):
    from archive.warc import Exchange, WarcWriter

    writer = WarcWriter(tmp_path)
    writer.write_exchange(Exchange(url="http://x.gov.vn/a", method="GET", request_headers=[],
                                   request_body=b"", status=200, response_headers=[],
                                   body=b"<html>a</html>"))
    (open_file,) = tmp_path.glob("*.open")  # a crawl in progress: flushed, not finished
    with open_file.open("ab") as fh:  # and its next record is half written
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00")
    proc = bantin("verify", "--warc-dir", str(tmp_path), "--db",
                  f"sqlite:///{tmp_path / 'none.db'}")
    writer.close()
    assert proc.returncode == 0, proc.stdout
    assert "still open" in proc.stderr and "still being written" in proc.stderr
