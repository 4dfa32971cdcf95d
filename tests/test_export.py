"""Export: every field with provenance, streaming, and JSONL/CSV that read back the same."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from archive.export import FIELDS, iter_export, read_export, write_csv, write_jsonl
from archive.search import Filters
from scraper.record import Record
from tests.store_helpers import (
    FETCHED,
    flood_record,
    hanoi_record,
    notice_record,
    reconcile_record,
    seeded_store,
)

BANTIN = str(Path(sys.executable).with_name("bantin"))
CAPTURE = {"warc_file": "bantin-20261120-00000.warc.gz", "offset": 98765,
           "record_id": "<urn:uuid:0f1b2c3d-4e5f-6789-abcd-ef0123456789>",
           "payload_digest": "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"}
ORIGINALS = {r.url: r for r in (notice_record(), flood_record(), reconcile_record(),
                                hanoi_record())}


def store_with_capture(url: str):
    store = seeded_store(url)
    store.save_page(source_id="pholu", record=notice_record(), fetched_at=FETCHED,
                    capture=CAPTURE)
    return store


def test_rows_carry_provenance_and_the_whole_record(db_url):
    store = store_with_capture(db_url)
    rows = list(iter_export(store))
    store.close()
    assert len(rows) == 4 and all(tuple(r) == FIELDS for r in rows)
    notice = next(r for r in rows if r["url"] == notice_record().url)
    assert (notice["source_id"], notice["source_name"], notice["unit_level"],
            notice["province"], notice["district"], notice["commune"], notice["successor"]) == (
        "pholu", "Cổng thông tin thị trấn Phố Lu", "commune", "Lào Cai", "Bảo Thắng",
        "Thị trấn Phố Lu", "Xã Phố Lu")
    assert notice["canonical_url"] == notice_record().canonical_url
    assert notice["fetched_at"] == "2026-11-20T03:00:00+00:00"
    assert (notice["version"], notice["article_status"]) == (1, "present")
    assert len(notice["content_hash"]) == 64
    assert (notice["warc_file"], notice["warc_offset"], notice["warc_record_id"],
            notice["payload_digest"]) == (CAPTURE["warc_file"], 98765, CAPTURE["record_id"],
                                          CAPTURE["payload_digest"])
    for row in rows:
        assert Record.from_dict(row) == ORIGINALS[row["url"]]


def test_jsonl_and_csv_read_back_to_the_same_rows(db_url):
    store = store_with_capture(db_url)
    rows = list(iter_export(store))
    store.close()
    for writer, fmt in ((write_jsonl, "jsonl"), (write_csv, "csv")):
        out = io.StringIO()
        assert writer(iter(rows), out) == 4
        back = read_export(out.getvalue(), fmt)
        assert back == rows, fmt
        assert [Record.from_dict(r) for r in back] == [ORIGINALS[r["url"]] for r in rows]


def test_export_follows_query_and_filters(db_url):
    store = seeded_store(db_url)
    got = [r["url"] for r in iter_export(store, "thi dua", filters=Filters(unit="Bao Thang"))]
    assert sorted(got) == sorted([notice_record().url, flood_record().url,
                                  reconcile_record().url])
    assert [r["url"] for r in iter_export(store, '"truyen thong"')] == [hanoi_record().url]
    store.close()


def test_all_versions_exports_the_history(db_url):
    store = seeded_store(db_url)
    store.save_page(source_id="pholu", record=notice_record(lead="Bản sửa."), fetched_at=FETCHED)
    current = [r for r in iter_export(store) if r["source_id"] == "pholu"]
    history = [r for r in iter_export(store, all_versions=True) if r["source_id"] == "pholu"]
    store.close()
    assert len(current) == 3 and len(history) == 4
    notice = [r for r in history if r["url"] == notice_record().url]
    assert [(r["version"], r["lead"]) for r in notice] == [
        (1, notice_record().lead), (2, "Bản sửa.")]


def bantin(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BANTIN_DB"}
    return subprocess.run([BANTIN, *args], capture_output=True, text=True, env=env, timeout=120)


def test_export_command_writes_files_that_read_back(db_url, tmp_path):
    store = store_with_capture(db_url)
    expected = list(iter_export(store))
    store.close()
    for fmt in ("jsonl", "csv"):
        target = tmp_path / f"out.{fmt}"
        done = bantin("export", "--db", db_url, "--format", fmt, "--output", str(target))
        assert done.returncode == 0, done.stderr
        assert "exported 4 row(s)" in done.stderr
        assert read_export(target.read_text(encoding="utf-8"), fmt) == expected
        assert not (tmp_path / f"out.{fmt}.part").exists()
    piped = bantin("export", "pho lu", "--db", db_url, "--source", "pholu")
    assert len(piped.stdout.splitlines()) == 2  # the notice and the flood


def test_export_to_an_unwritable_place_is_a_clear_error(sqlite_url, tmp_path):
    seeded_store(sqlite_url).close()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = bantin("export", "--db", sqlite_url, "--output", str(blocker / "out.jsonl"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot write {blocker / 'out.jsonl'}")
