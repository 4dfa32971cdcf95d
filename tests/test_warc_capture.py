"""WARC capture through a real Scrapy crawl: every exchange as it went over the wire.

A raw-socket server on loopback sends exact bytes (gzip bodies, chunked bodies, repeated
headers, redirects, 404, 503); a minimal spider crawls it with the project settings, so
WarcCaptureMiddleware sits where `bantin crawl` puts it. Then the files are read back with
warcio (the CLI, as an archivist would) and with bantin's own reader.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

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
from tests.warc_helpers import GZ_PAGE, RawServer, default_routes, run_probe_crawl

WARCIO = [sys.executable, "-m", "warcio.cli"]
PATHS = ["/gz", "/cookies", "/chunked", "/search?q=ph%C3%B2ng&page=2", "/redirect",
         "/missing", "/boom", "/static.pdf", "/etag", "/private"]


class Crawl:
    def __init__(self, server: RawServer, warc_dir: Path, items: list[dict]) -> None:
        self.server = server
        self.warc_dir = warc_dir
        self.items = items

    def records(self) -> list[WarcRecord]:
        out = []
        for path in warc_files(self.warc_dir):
            for rec in iter_records(path):
                assert isinstance(rec, WarcRecord), rec
                out.append(rec)
        return out

    def by_uri(self, path: str, rec_type: str = "response") -> list[WarcRecord]:
        uri = self.server.url + path
        return [r for r in self.records() if r.target_uri == uri and r.type == rec_type]

    def item(self, path: str) -> dict:
        return next(i for i in self.items if i["url"] == self.server.url + path)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory):
    """One capture crawl of every route, then a re-crawl into the same WARC directory."""
    base = tmp_path_factory.mktemp("capture")
    server = RawServer()
    with socket.socket() as probe:  # a port with nothing listening: a failed exchange
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    requests = [{"url": server.url + p} for p in PATHS]
    requests.append({"url": server.url + "/post",
                     "formdata": {"__EVENTTARGET": "ctl00$pager", "__VIEWSTATE": "dDw+ỹ"}})
    requests.append({"url": dead_url + "/refused"})
    items = run_probe_crawl(requests, base / "warc", base / "items1.jsonl", run_id=41,
                            settings={"BANTIN_WARC_OPERATOR": "Lưu trữ huyện Test"})
    first = Crawl(server, base / "warc", items)
    first.files = [p.name for p in warc_files(base / "warc")]
    first.requests = list(server.requests)
    recrawl_requests = [{"url": server.url + p} for p in ("/gz", "/static.pdf")]
    recrawl_requests.append({"url": server.url + "/etag", "headers": {"If-None-Match": '"e1"'}})
    items2 = run_probe_crawl(recrawl_requests, base / "warc", base / "items2.jsonl", run_id=42)
    second = Crawl(server, base / "warc", items2)
    second.files = [p.name for p in warc_files(base / "warc") if p.name not in first.files]
    yield first, second
    server.stop()


@pytest.fixture(scope="module")
def first(crawl):
    return crawl[0]


@pytest.fixture(scope="module")
def second(crawl):
    return crawl[1]


def test_every_file_passes_warcio_check(first, second):
    files = [str(p) for p in warc_files(first.warc_dir)]
    assert len(files) == 2
    proc = subprocess.run([*WARCIO, "check", "-v", *files], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest pass" in proc.stdout


def test_warcio_index_lists_warcinfo_first_then_response_request_pairs(first):
    path = first.warc_dir / first.files[0]
    proc = subprocess.run([*WARCIO, "index", "-f", "warc-type,warc-target-uri", str(path)],
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows[0]["warc-type"] == "warcinfo"
    pairs = rows[1:]
    assert len(pairs) % 2 == 0
    for resp, req in zip(pairs[::2], pairs[1::2], strict=True):
        assert resp["warc-type"] in ("response", "revisit")
        assert req["warc-type"] == "request"
        assert req["warc-target-uri"] == resp["warc-target-uri"]
    uris = {r.get("warc-target-uri") for r in rows}
    for path_ in ["/robots.txt", *PATHS[:-1], "/post"]:
        assert first.server.url + path_ in uris, path_


def test_request_record_is_concurrent_to_its_response(first):
    records = first.records()
    by_id = {r.record_id: r for r in records}
    requests = [r for r in records if r.type == "request"]
    assert requests
    for req in requests:
        resp = by_id[req.headers["warc-concurrent-to"]]
        assert resp.type in ("response", "revisit")
        assert resp.target_uri == req.target_uri
        assert req.headers["warc-warcinfo-id"] == resp.headers["warc-warcinfo-id"]


def test_robots_txt_is_captured_and_obeyed(first):
    (rec,) = first.by_uri("/robots.txt")
    assert rec.http_split()[1] == b"User-agent: *\nDisallow: /private\n"
    assert not first.by_uri("/private")


def test_gzip_body_is_stored_as_received_while_the_item_text_is_decoded(first):
    (rec,) = first.by_uri("/gz")
    head, payload = rec.http_split()
    assert payload == GZ_PAGE
    assert b"Content-Encoding: gzip" in head
    assert "Thông báo lịch tiếp công dân" in first.item("/gz")["text"]


def test_repeated_headers_are_all_kept(first):
    (rec,) = first.by_uri("/cookies")
    head = rec.http_split()[0]
    assert head.count(b"Set-Cookie: ") == 2
    assert b"Set-Cookie: ASP.NET_SessionId=abc; path=/; HttpOnly\r\n" in head
    assert b"Set-Cookie: lang=vi-VN; path=/\r\n" in head
    assert head.count(b"X-Powered-By: ") == 2


def test_non_ascii_header_bytes_are_not_re_encoded(first):
    (rec,) = first.by_uri("/cookies")
    assert 'filename="Quyết định.html"'.encode() in rec.http_split()[0]


def test_dechunked_body_carries_no_chunked_transfer_encoding_header(first):
    (rec,) = first.by_uri("/chunked")
    head, payload = rec.http_split()
    assert b"transfer-encoding: chunked" not in head.lower().replace(b"x-crawler-", b"")
    assert payload == b"<html><body>" + b"chunked body " * 20 + b"</body></html>"


def test_target_uri_keeps_the_query_string(first):
    (rec,) = first.by_uri("/search?q=ph%C3%B2ng&page=2")
    assert rec.target_uri.endswith("/search?q=ph%C3%B2ng&page=2")
    (req,) = first.by_uri("/search?q=ph%C3%B2ng&page=2", "request")
    assert req.block.startswith(b"GET /search?q=ph%C3%B2ng&page=2 HTTP/1.1\r\n")


def test_postback_request_record_holds_the_form_body(first):
    (req,) = first.by_uri("/post", "request")
    head, body = req.http_split()
    assert head.startswith(b"POST /post HTTP/1.1\r\n")
    assert body == b"__EVENTTARGET=ctl00%24pager&__VIEWSTATE=dDw%2B%E1%BB%B9"


def test_request_records_hold_the_bytes_the_server_received(first):
    received = [h + b for h, b in first.requests]
    records = [r for r in iter_records(first.warc_dir / first.files[0])
               if isinstance(r, WarcRecord) and r.type == "request"]
    assert len(records) == len(received) == 12
    for req in records:
        assert req.block in received, req.block


def test_redirect_is_captured_as_the_301_itself(first):
    (rec,) = first.by_uri("/redirect")
    head = rec.http_split()[0]
    assert head.startswith(b"HTTP/1.1 301 Moved Permanently\r\n")
    assert b"Location: /gz\r\n" in head


def test_404_and_each_5xx_attempt_are_captured(first):
    (missing,) = first.by_uri("/missing")
    assert missing.http_split()[0].startswith(b"HTTP/1.1 404 Not Found\r\n")
    attempts = first.by_uri("/boom") + first.by_uri("/boom", "revisit")
    assert len(attempts) == 2  # the first 503 and its retry (same bytes: a revisit)
    assert all(r.http_split()[0].startswith(b"HTTP/1.1 503 ") for r in attempts)


def test_status_line_protocol_and_ip_address_are_recorded(first):
    (rec,) = first.by_uri("/static.pdf")
    assert rec.block.startswith(b"HTTP/1.1 200 OK\r\n")
    assert rec.headers["warc-ip-address"] == "127.0.0.1"
    assert rec.headers["warc-payload-digest"].startswith("sha1:")
    assert rec.headers["warc-block-digest"].startswith("sha1:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rec.headers["warc-date"])


def test_capture_pointer_lands_on_the_response_record(first):
    assert len(first.items) == 10
    for item in first.items:
        pointer = item["capture"]
        rec = read_record_at(first.warc_dir / pointer["warc_file"], pointer["offset"])
        assert rec.record_id == pointer["record_id"]
        assert rec.headers["warc-payload-digest"] == pointer["payload_digest"]
        assert rec.type == "response"
        assert rec.target_uri == item["url"]


def test_files_are_named_by_prefix_time_serial_host_and_closed(first):
    names = [p.name for p in first.warc_dir.iterdir()]
    assert not [n for n in names if n.endswith(".open")]
    assert re.fullmatch(r"bantin-\d{17}-00000-[\w.-]+\.warc\.gz", first.files[0])


def test_warcinfo_names_software_operator_robots_user_agent_and_run(first):
    info = warcinfo_fields(first.warc_dir / first.files[0])
    assert info["software"].startswith("bantin/")
    assert info["operator"] == "Lưu trữ huyện Test"
    assert info["robots"] == "obey"
    assert info["http-header-user-agent"].startswith("bantin/")
    assert info["bantin-run-id"] == "41"
    assert info["hostname"]


def test_crawl_log_lists_every_exchange_and_each_failure(first):
    logs = sorted(first.warc_dir.glob("*run41.crawl-log.jsonl"))
    assert len(logs) == 1
    lines = [json.loads(x) for x in logs[0].read_text().splitlines()]
    statuses = {(e["url"].split("/", 3)[-1], e["status"]) for e in lines if e["status"]}
    assert ("robots.txt", 200) in statuses
    assert ("missing", 404) in statuses
    assert ("redirect", 301) in statuses
    assert sum(1 for e in lines if e["url"].endswith("/boom")) == 2
    errors = {e["url"].split("/", 3)[-1]: e["error"] for e in lines if e["error"]}
    assert "ConnectionRefused" in errors["refused"]
    assert "robots.txt" in errors["private"]


def test_recrawl_of_identical_bytes_writes_revisit_records(first, second):
    assert len(second.files) == 1
    records = [r for r in iter_records(second.warc_dir / second.files[0])
               if isinstance(r, WarcRecord)]
    revisits = {r.target_uri: r for r in records if r.type == "revisit"}
    assert not [r for r in records if r.type == "response"]
    original = first.by_uri("/gz")[0]
    rev = revisits[first.server.url + "/gz"]
    assert rev.headers["warc-profile"] == PROFILE_IDENTICAL
    assert rev.headers["warc-refers-to"] == original.record_id
    assert rev.headers["warc-payload-digest"] == original.headers["warc-payload-digest"]
    assert rev.http_split()[1] == b""  # headers only: the payload is in the first file
    assert first.server.url + "/robots.txt" in revisits


def test_304_becomes_a_server_not_modified_revisit(first, second):
    rev = next(r for r in iter_records(second.warc_dir / second.files[0])
               if isinstance(r, WarcRecord) and r.target_uri.endswith("/etag")
               and r.type == "revisit")
    assert rev.headers["warc-profile"] == PROFILE_NOT_MODIFIED
    assert rev.block.startswith(b"HTTP/1.1 304 Not Modified\r\n")
    assert rev.headers["warc-refers-to"] == first.by_uri("/etag")[0].record_id


def test_revisit_pointer_names_the_record_that_holds_the_payload(first, second):
    item = next(i for i in second.items if i["url"].endswith("/static.pdf"))
    assert item["capture"]["record_id"] == first.by_uri("/static.pdf")[0].record_id
    assert item["capture"]["warc_file"] == first.files[0]


def test_recrawl_file_is_much_smaller_than_the_first(first, second):
    size1 = (first.warc_dir / first.files[0]).stat().st_size
    size2 = (second.warc_dir / second.files[0]).stat().st_size
    assert size2 < size1 / 2


def test_capture_off_writes_no_warc(tmp_path: Path):
    server = RawServer()
    try:
        items = run_probe_crawl([{"url": server.url + "/gz"}], tmp_path / "warc",
                                tmp_path / "items.jsonl", settings={"BANTIN_WARC_ENABLED": False})
    finally:
        server.stop()
    assert items[0]["capture"] is None
    assert not (tmp_path / "warc").exists()


def test_an_unwritable_warc_directory_stops_the_crawl_loudly(tmp_path: Path):
    server = RawServer()
    blocker = tmp_path / "warc"
    blocker.write_text("a file where the WARC directory should be")
    log: list[str] = []
    try:
        items = run_probe_crawl([{"url": server.url + p} for p in PATHS[:6]], blocker,
                                tmp_path / "items.jsonl", log=log)
    finally:
        server.stop()
    assert "WARC capture failed at" in log[0]
    assert "stopping the crawl" in log[0]
    assert all(item["capture"] is None for item in items)
    assert len(items) < 6


def test_a_body_cut_short_is_kept_and_marked_truncated(tmp_path: Path):
    def short(_h: bytes, _b: bytes) -> bytes:  # promises 1000 bytes, sends 30, hangs up
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
                + b"<html><body>only the beginning")

    server = RawServer({"/robots.txt": default_routes()["/robots.txt"], "/short": short})
    try:
        items = run_probe_crawl([{"url": server.url + "/short"}], tmp_path / "warc",
                                tmp_path / "items.jsonl",
                                settings={"DOWNLOAD_FAIL_ON_DATALOSS": False})
    finally:
        server.stop()
    pointer = items[0]["capture"]
    rec = read_record_at(tmp_path / "warc" / pointer["warc_file"], pointer["offset"])
    assert rec.headers["warc-truncated"] == "disconnect"
    head, payload = rec.http_split()
    assert payload == b"<html><body>only the beginning"
    assert b"X-Crawler-Content-Length: 1000\r\n" in head
