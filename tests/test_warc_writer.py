"""archive.warc on its own: files, records, revisits and reading back, on real files."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

from archive.warc import (
    OPEN_SUFFIX,
    PROFILE_IDENTICAL,
    Exchange,
    RecordError,
    WarcRecord,
    WarcWriter,
    decoded_payload,
    iter_records,
    read_record_at,
    request_head,
    response_head,
    sha1_digest,
    warc_files,
    warcinfo_fields,
)


def exchange(path: str = "/a", body: bytes = b"<html>x</html>", **kw) -> Exchange:
    return Exchange(url="http://portal.example.gov.vn" + path, method="GET",
                    request_headers=[(b"User-Agent", b"bantin-test")], request_body=b"",
                    status=kw.pop("status", 200),
                    response_headers=kw.pop("headers", [(b"Content-Type", b"text/html")]),
                    body=body, ip_address="127.0.0.1",
                    started_at=datetime(2026, 11, 26, 3, 4, 5, 678901, tzinfo=UTC), **kw)


def records(path: Path) -> list[WarcRecord]:
    out = list(iter_records(path))
    assert all(isinstance(r, WarcRecord) for r in out), out
    return out  # type: ignore[return-value]


def test_file_is_written_as_open_and_renamed_on_close(tmp_path: Path):
    writer = WarcWriter(tmp_path, prefix="pholu", info={"operator": "test"})
    writer.write_exchange(exchange())
    (open_file,) = tmp_path.glob("*.warc.gz" + OPEN_SUFFIX)
    assert not warc_files(tmp_path)
    writer.close()
    assert not list(tmp_path.glob("*" + OPEN_SUFFIX))
    (final,) = warc_files(tmp_path)
    assert final.name == open_file.name.removesuffix(OPEN_SUFFIX)
    assert re.fullmatch(r"pholu-\d{17}-00000-[\w.-]+\.warc\.gz", final.name)


def test_files_roll_over_at_the_size_setting_each_with_its_warcinfo(tmp_path: Path):
    writer = WarcWriter(tmp_path, max_size=3000, info={"bantin-run-id": 7})
    pointers = [writer.write_exchange(exchange(f"/p{i}", os.urandom(2000))).pointer
                for i in range(6)]  # incompressible bodies: each exchange adds > 2 kB
    writer.close()
    files = warc_files(tmp_path)
    assert len(files) >= 3
    assert [int(p.name.split("-")[2]) for p in files] == list(range(len(files)))
    for path in files:
        recs = records(path)
        assert recs[0].type == "warcinfo"
        assert warcinfo_fields(path)["bantin-run-id"] == "7"
        assert all(r.headers["warc-warcinfo-id"] == recs[0].record_id for r in recs[1:])
    for pointer in pointers:
        rec = read_record_at(tmp_path / pointer.warc_file, pointer.offset)
        assert rec.record_id == pointer.record_id


def test_closed_files_are_never_touched_again(tmp_path: Path):
    writer = WarcWriter(tmp_path, max_size=1000)
    writer.write_exchange(exchange("/1", b"a" * 2000))
    writer.write_exchange(exchange("/2", b"b" * 2000))  # rolls over: the first file is final
    first = warc_files(tmp_path)[0]
    snapshot = first.read_bytes(), first.stat().st_mtime_ns
    for i in range(3, 8):
        writer.write_exchange(exchange(f"/{i}", bytes([i]) * 2000))
    writer.close()
    assert (first.read_bytes(), first.stat().st_mtime_ns) == snapshot


def test_each_record_is_its_own_gzip_member(tmp_path: Path):
    writer = WarcWriter(tmp_path)
    writer.write_exchange(exchange())
    writer.close()
    (path,) = warc_files(tmp_path)
    data = path.read_bytes()
    for rec in records(path):
        member = data[rec.offset:rec.offset + rec.length]
        assert zlib.decompress(member, 31).startswith(b"WARC/1.1\r\n")


def test_payload_digest_is_sha1_base32_of_the_body_as_received(tmp_path: Path):
    body = gzip.compress(b"<html>n\xe1\xbb\x99i dung</html>")
    writer = WarcWriter(tmp_path)
    result = writer.write_exchange(exchange(body=body, headers=[(b"Content-Encoding", b"gzip")]))
    writer.close()
    assert result.pointer.payload_digest == sha1_digest(body)
    rec = read_record_at(tmp_path / result.warc_file, result.offset)
    assert rec.http_split()[1] == body


def test_identical_payload_of_the_same_url_becomes_a_revisit_across_writers(tmp_path: Path):
    first = WarcWriter(tmp_path)
    original = first.write_exchange(exchange())
    first.close()
    second = WarcWriter(tmp_path)  # a later crawl: the digest index is read from disk
    again = second.write_exchange(exchange())
    other_url = second.write_exchange(exchange("/other"))
    second.close()
    assert again.record_type == "revisit"
    assert again.pointer == original.pointer
    assert other_url.record_type == "response"
    rec = read_record_at(tmp_path / again.warc_file, again.offset)
    assert rec.headers["warc-profile"] == PROFILE_IDENTICAL
    assert rec.headers["warc-refers-to"] == original.record_id


def test_a_truncated_body_is_marked_and_never_deduplicated(tmp_path: Path):
    writer = WarcWriter(tmp_path)
    writer.write_exchange(exchange(body=b"full"))
    cut = writer.write_exchange(exchange(body=b"full", truncated="disconnect"))
    writer.close()
    assert cut.record_type == "response"
    rec = read_record_at(tmp_path / cut.warc_file, cut.offset)
    assert rec.headers["warc-truncated"] == "disconnect"


def test_chunked_framing_and_a_wrong_content_length_are_renamed():
    head = response_head("HTTP/1.1", 200, None, [(b"Transfer-Encoding", b"chunked"),
                                                 (b"Content-Length", b"999")], 10)
    assert head == (b"HTTP/1.1 200 OK\r\nX-Crawler-Transfer-Encoding: chunked\r\n"
                    b"X-Crawler-Content-Length: 999\r\n\r\n")
    assert b"Content-Length: 10\r\n" in response_head("HTTP/1.1", 200, None,
                                                      [(b"Content-Length", b"10")], 10)


def test_request_head_is_built_as_the_http_client_sends_it():
    head = request_head("POST", "http://x.gov.vn:8080/tin?page=2#top",
                        [(b"Content-Type", b"application/x-www-form-urlencoded")], b"a=1")
    assert head == (b"POST /tin?page=2 HTTP/1.1\r\nContent-Length: 3\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Host: x.gov.vn:8080\r\n\r\n")


def test_decoded_payload_undoes_gzip_deflate_and_chunking():
    text = b"<p>Th\xc3\xb4ng b\xc3\xa1o</p>"
    assert decoded_payload(gzip.compress(text), [("Content-Encoding", "gzip")]) == text
    assert decoded_payload(zlib.compress(text), [("Content-Encoding", "deflate")]) == text
    chunked = b"5\r\n<p>Th\r\n" + b"%x\r\n" % (len(text) - 5) + text[5:] + b"\r\n0\r\n\r\n"
    assert decoded_payload(chunked, [("Transfer-Encoding", "chunked")]) == text


def test_reading_resumes_after_a_damaged_record(tmp_path: Path):
    writer = WarcWriter(tmp_path)
    results = [writer.write_exchange(exchange(f"/{i}", bytes([65 + i]) * 300)) for i in range(3)]
    writer.close()
    (path,) = warc_files(tmp_path)
    data = bytearray(path.read_bytes())
    damaged = results[1].offset
    data[damaged + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    items = list(iter_records(path))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [e.offset for e in errors] == [damaged]
    good = [i.target_uri for i in items if isinstance(i, WarcRecord) and i.type == "response"]
    assert good == ["http://portal.example.gov.vn/0", "http://portal.example.gov.vn/2"]


def test_warcio_reads_what_the_writer_wrote(tmp_path: Path):
    writer = WarcWriter(tmp_path)
    writer.write_exchange(exchange(headers=[(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")]))
    writer.write_exchange(exchange())
    writer.close()
    (path,) = warc_files(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("digest pass") == 4  # warcinfo, response, 2 requests
