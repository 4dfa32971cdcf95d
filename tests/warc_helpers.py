"""Helpers for the WARC tests: a raw-socket HTTP server on loopback and a tiny capture crawl.

The server writes exact bytes on the wire (gzip bodies, chunked bodies, repeated headers,
odd reason phrases) and keeps every request it received, so a test can compare the WARC
records with what really went over the socket. The crawl runs a minimal Scrapy spider in a
subprocess (a Twisted reactor cannot restart inside one pytest process) with the project's
settings, so WarcCaptureMiddleware sits where `bantin crawl` puts it.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

Handler = Callable[[bytes, bytes], bytes]  # (request head, request body) -> raw response


def http_response(status_line: str, headers: list[tuple[str, str | bytes]], body: bytes,
                  *, content_length: bool = True) -> bytes:
    lines = [status_line.encode("latin-1")]
    for name, value in headers:
        value_b = value if isinstance(value, bytes) else value.encode("latin-1")
        lines.append(name.encode("latin-1") + b": " + value_b)
    if content_length:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(body: bytes, size: int = 7) -> bytes:
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


PAGE = ("<html><head><meta charset='utf-8'><title>Thông báo lịch tiếp công dân</title></head>"
        "<body><h1>Thông báo lịch tiếp công dân</h1><p>Ủy ban nhân dân huyện thông báo "
        "lịch tiếp công dân tháng 11 năm 2026.</p></body></html>").encode()
GZ_PAGE = gzip.compress(PAGE, mtime=0)


def default_routes() -> dict[str, Handler]:
    """The loopback site the capture tests crawl: one route per behaviour under test."""

    def robots(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/plain")],
                             b"User-agent: *\nDisallow: /private\n")

    def gz(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                 ("Content-Encoding", "gzip")], GZ_PAGE)

    def cookies(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 200 OK", [
            ("Content-Type", "text/html"),
            ("Set-Cookie", "ASP.NET_SessionId=abc; path=/; HttpOnly"),
            ("Set-Cookie", "lang=vi-VN; path=/"),
            ("X-Powered-By", "ASP.NET"),
            ("X-Powered-By", "ARR/3.0"),
            ("Content-Disposition", "inline; filename=\"Quyết định.html\"".encode()),
        ], b"<html><body>cookies</body></html>")

    def chunk(_h: bytes, _b: bytes) -> bytes:
        body = b"<html><body>" + b"chunked body " * 20 + b"</body></html>"
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/html"),
                                                 ("Transfer-Encoding", "chunked")],
                             chunked(body), content_length=False)

    def search(head: bytes, _b: bytes) -> bytes:
        target = head.split(b" ", 2)[1]
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/html")],
                             b"<html><body>results for " + target + b"</body></html>")

    def post(_h: bytes, body: bytes) -> bytes:
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/html")],
                             b"<html><body>page 2 of listing; got " + body + b"</body></html>")

    def redirect(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 301 Moved Permanently",
                             [("Location", "/gz"), ("Content-Type", "text/html")],
                             b"<a href='/gz'>moved</a>")

    def missing(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 404 Not Found", [("Content-Type", "text/html")],
                             "<html><body>Trang không tồn tại</body></html>".encode())

    def boom(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 503 Service Unavailable", [("Content-Type", "text/html"),
                                                                  ("Retry-After", "0")],
                             b"<html><body>busy</body></html>")

    def static(_h: bytes, _b: bytes) -> bytes:
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "application/pdf"),
                                                 ("ETag", '"v1"')], b"%PDF-1.4 fixed bytes")

    def etag(head: bytes, _b: bytes) -> bytes:
        if b'if-none-match: "e1"' in head.lower():
            return http_response("HTTP/1.1 304 Not Modified", [("ETag", '"e1"')], b"",
                                 content_length=False)
        return http_response("HTTP/1.1 200 OK", [("Content-Type", "text/html"), ("ETag", '"e1"')],
                             b"<html><body>tagged</body></html>")

    return {"/robots.txt": robots, "/gz": gz, "/cookies": cookies, "/chunked": chunk,
            "/search": search, "/post": post, "/redirect": redirect, "/missing": missing,
            "/boom": boom, "/static.pdf": static, "/etag": etag}


class RawServer:
    """Threaded raw-socket HTTP/1.1 server on 127.0.0.1 (one request per connection)."""

    def __init__(self, routes: dict[str, Handler] | None = None) -> None:
        self.routes = routes or default_routes()
        self.requests: list[tuple[bytes, bytes]] = []  # (head, body) as received
        self.responses: dict[str, bytes] = {}  # path -> last raw response sent
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                piece = conn.recv(65536)
                if not piece:
                    return
                data += piece
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            while len(body) < length:
                body += conn.recv(65536)
            self.requests.append((head + b"\r\n\r\n", body))
            path = head.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
            handler = self.routes.get(path)
            if handler is None:
                raw = http_response("HTTP/1.1 404 Not Found", [("Content-Type", "text/plain")],
                                    b"no route")
            else:
                raw = handler(head, body)
            head_out, _, rest = raw.partition(b"\r\n\r\n")
            sent = head_out + b"\r\nConnection: close\r\n\r\n" + rest
            self.responses[path] = sent
            conn.sendall(sent)

    def stop(self) -> None:
        self._stop = True
        self._sock.close()


PROBE = Path(__file__).with_name("warc_probe.py")


def run_probe_crawl(requests: list[dict[str, Any]], warc_dir: Path, out: Path, *,
                    settings: dict[str, Any] | None = None, run_id: int | None = None,
                    log: list[str] | None = None) -> list[dict[str, Any]]:
    """Crawl `requests` ({"url", "formdata"?, "headers"?}) with capture on; return the items
    (and append the crawl's log output to `log` when given)."""
    plan = {"requests": requests, "out": str(out), "run_id": run_id,
            "settings": {"BANTIN_WARC_DIR": str(warc_dir), **(settings or {})}}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if out.exists():
        out.unlink()
    proc = subprocess.run([sys.executable, str(PROBE), json.dumps(plan)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"probe crawl failed:\n{proc.stderr[-4000:]}")
    if log is not None:
        log.append(proc.stderr)
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


class PortalCrawl:
    """A `bantin crawl` of the sample portal into a store and a WARC directory."""

    def __init__(self, base: Path, db_url: str, n_articles: int = 12, seed: int = 5) -> None:
        from scraper.sample_portal import SamplePortal, serve

        self.base = base
        self.db_url = db_url
        self.warc_dir = base / "warc"
        self.portal = SamplePortal(n_articles=n_articles, seed=seed)
        self.running = serve(self.portal)
        self.sources = self.running.write_sources(base / "sources.yaml")

    def crawl(self, *extra: str) -> subprocess.CompletedProcess:
        """Run `bantin crawl sample` once; fails the test when it exits non-zero."""
        proc = bantin("crawl", "sample", "--sources", str(self.sources), "--db", self.db_url,
                      "--warc-dir", str(self.warc_dir), "--jobdir", str(self.base / "jobs"),
                      "-q", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                      *extra)
        if proc.returncode != 0:
            raise AssertionError(f"bantin crawl failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr[-3000:]}")
        return proc

    def stop(self) -> None:
        self.running.stop()


def bantin(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `bantin` command (the entry point installed beside this Python)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    exe = Path(sys.executable).with_name("bantin")
    return subprocess.run([str(exe), *args], cwd=cwd or ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
