"""Replay with pywb: the WARC files bantin writes open in the field's reference replay tool.

pywb runs on loopback over a collection made with its own `wb-manager` from the WARC files
of real crawls; its `id_` mode returns the archived response body unmodified, which must
be exactly the bytes the server sent. pywb is installed from requirements-replay.txt (see
the note there on why it is installed --no-deps).
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.warc import read_record_at, warc_files
from tests.warc_helpers import GZ_PAGE, PortalCrawl, RawServer, run_probe_crawl

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Wayback:
    """pywb's `wayback` server over one collection, on a loopback port."""

    def __init__(self, root: Path, warcs: list[Path]) -> None:
        for tool in ("wb-manager", "wayback"):
            if not (BIN / tool).exists():
                pytest.fail(f"pywb is not installed ({BIN / tool} missing): "
                            "pip install --no-deps -r requirements-replay.txt")
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(BIN / "wb-manager"), "init", "crawl"], cwd=root, check=True,
                       capture_output=True)
        subprocess.run([str(BIN / "wb-manager"), "add", "crawl", *map(str, warcs)], cwd=root,
                       check=True, capture_output=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/crawl"
        self.log = (root / "wayback.log").open("w")
        self.proc = subprocess.Popen(
            [str(BIN / "wayback"), "--bind", "127.0.0.1", "-p", str(self.port)], cwd=root,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"pywb did not start: {(root / 'wayback.log').read_text()[-2000:]}")

    def raw(self, url: str, ts: str = "2", *, gzip_ok: bool = False
            ) -> tuple[int, dict[str, str], bytes]:
        """The archived response for `url` in id_ (identity, no rewriting) mode; pywb
        decodes a gzip body unless the client says it accepts gzip."""
        headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
        request = urllib.request.Request(f"{self.url}/{ts}id_/{url}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def portal_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PortalCrawl,
                                                                            Wayback]]:
    base = tmp_path_factory.mktemp("replay")
    crawl = PortalCrawl(base, f"sqlite:///{base / 'bantin.db'}", n_articles=10, seed=2)
    try:
        crawl.crawl()
    finally:
        crawl.stop()
    wayback = Wayback(base / "pywb", warc_files(crawl.warc_dir))
    yield crawl, wayback
    wayback.stop()


def test_pywb_replays_an_archived_article_byte_for_byte(portal_replay):
    crawl, wayback = portal_replay
    rows = sqlite3.connect(crawl.db_url.removeprefix("sqlite:///")).execute(
        "select url, title, warc_file, warc_offset from article_versions").fetchall()
    assert len(rows) >= 8
    for url, title, warc_file, offset in rows[:3]:
        payload = read_record_at(crawl.warc_dir / warc_file, offset).http_split()[1]
        status, _headers, body = wayback.raw(url)
        assert status == 200
        assert body == payload
        assert title in body.decode("utf-8")


def test_pywb_replays_the_gzip_body_exactly_as_the_server_sent_it(tmp_path: Path):
    server = RawServer()
    try:
        run_probe_crawl([{"url": server.url + "/gz"}], tmp_path / "warc",
                        tmp_path / "items.jsonl")
    finally:
        server.stop()
    wayback = Wayback(tmp_path / "pywb", warc_files(tmp_path / "warc"))
    try:
        status, headers, body = wayback.raw(server.url + "/gz", gzip_ok=True)
    finally:
        wayback.stop()
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert body == GZ_PAGE


def test_pywb_indexes_every_response_bantin_wrote(portal_replay):
    crawl, wayback = portal_replay
    coll = Path(wayback.log.name).parent / "collections" / "crawl"
    index = (coll / "indexes" / "index.cdxj").read_text()
    rows = sqlite3.connect(crawl.db_url.removeprefix("sqlite:///")).execute(
        "select url from article_versions").fetchall()
    for (url,) in rows:
        assert f'"url": "{url}"' in index
