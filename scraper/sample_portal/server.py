"""Serve a `SamplePortal` over HTTP on loopback, quirks and all.

`serve(portal)` starts a `ThreadingHTTPServer` (HTTP/1.1, keep-alive) in a daemon thread and
returns a `RunningPortal` with its URL and an access log that tests read to prove what a
crawler requested (e.g. that nothing under the robots-disallowed /admin/ was fetched).

Routes (root-relative):
  /                              home (vnPortal look): latest news, section boxes, quirk links
  /robots.txt                    Disallow: /admin/ and /c/, Sitemap: /sitemap.xml
  /sitemap.xml, /sitemap-K.xml   sitemap index; K=0 pages, K>=1 Liferay articles
  /rss.xml                       RSS 2.0, latest 20 posts
  /<vn-section>                  vnPortal listing; GET = page 1, POST postback = page N
  /<vn-section>/<slug>-<id>      vnPortal article (ETag, Last-Modified, 304)
  /<lr-section>[?..._101_cur=N]  Liferay listing paged by GET
  /<lr-section>/-/view_content/<id>-<slug>   Liferay article (ETag, Last-Modified, 304);
                                 unknown id → Liferay's "Không tìm thấy" under HTTP 200
  /Default.aspx?pageid=P&ItemID=I   old vnPortal URL → 301 to the article
  /lich-cong-tac                 soft 404 (HTTP 200, "Không tìm thấy trang", vnPortal chrome)
  /admin/...                     disallowed by robots.txt (a draft and the login page)
  anything else                  IIS 404
Article paths accept `;jsessionid=…` and any query string (tracking parameters).

HTTP details as on the real servers: `Server: Microsoft-IIS/8.5` and ASP.NET headers on
vnPortal pages, `Liferay-Portal` on Liferay pages, session cookies (`ASP.NET_SessionId`,
`JSESSIONID`), the home page streamed with `Transfer-Encoding: chunked`, gzip on request
(`serve(..., compress=True)`).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import itertools
import re
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from scraper.sample_portal import render
from scraper.sample_portal.content import (
    SECTION_BY_KEY,
    Article,
    ExpectedArticle,
    SamplePortal,
)

VN_ARTICLE = re.compile(r"^/([a-z0-9-]+)/([a-z0-9-]*?)-?(\d+)$")
LR_ARTICLE = re.compile(r"^/([a-z0-9-]+)/-/view_content/(\d+)(?:-[a-z0-9-]*)?$")
SITEMAP_CHUNK = re.compile(r"^/sitemap-(\d+)\.xml$")
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
HTML = "text/html; charset=utf-8"
VN_HEADERS = {"Server": "Microsoft-IIS/8.5", "X-AspNet-Version": "4.0.30319",
              "X-Powered-By": "ASP.NET"}
LR_HEADERS = {"Server": "Apache-Coyote/1.1", "Liferay-Portal": "Liferay Portal Community "
              "Edition 6.2 CE GA6 (Newton / Build 6205 / January 6, 2016)"}


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it (headers lower-cased), with the status it got."""

    method: str
    path: str  # with the query string, as sent
    status: int
    headers: dict[str, str]


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length


class TemplateCache:
    """Rendered pages keyed by (kind, key, content generation, base URL); bounded LRU."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.data: dict[tuple, render.Template] = {}

    def get(self, key: tuple, make: Callable[[], render.Template]) -> render.Template:
        with self.lock:
            hit = self.data.pop(key, None)
            if hit is not None:
                self.data[key] = hit  # most recently used last
                return hit
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.pop(next(iter(self.data)))
        return value


class PortalApp:
    """Request → Response for one portal (no sockets here: the handler does I/O)."""

    def __init__(self, portal: SamplePortal) -> None:
        self.portal = portal
        self.cache = TemplateCache()

    # ------------------------------------------------------------------ helpers
    def _counters(self, views: int = 0) -> dict[str, int]:
        """The visitor counter of the page chrome: moves on every request, as on the portals."""
        total = self.portal.count_hit()
        served = total - self.portal.site_hits_at_start
        return {"views": views, "total": total, "today": 150 + served, "week": 2100 + served,
                "online": 1 + total % 17}

    def _page(self, key: tuple, make: Callable[[], render.Template], *, views: int = 0,
              headers: dict[str, str] | None = None, status: int = 200) -> Response:
        template = self.cache.get((*key, self.portal.generation), make)
        return Response(status, template.fill(self._counters(views)),
                        headers=dict(headers or VN_HEADERS))

    # ------------------------------------------------------------------ routing
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes,
               base: str) -> Response:
        split = urlsplit(target)
        path = split.path.split(";", 1)[0] or "/"  # drop ;jsessionid=…
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        if method == "POST":
            return self._post(path, body, base)
        if method not in ("GET", "HEAD"):
            return Response(405, b"Method Not Allowed", "text/plain", {"Allow": "GET, HEAD, POST"})
        return self._get(path, query, headers, base)

    def _get(self, path: str, query: dict[str, list[str]], headers: dict[str, str],
             base: str) -> Response:
        p = self.portal
        if path in ("/", "/Default.aspx", "/trang-chu"):
            item = query.get("ItemID", query.get("itemid", [""]))[0]
            pageid = query.get("pageid", [""])[0]
            if item.isdigit():
                a = p.meta(int(item))
                if a is None:
                    return self._not_found(path)
                return self._redirect(base + a.path)
            if pageid:
                for s in SECTION_BY_KEY.values():
                    if str(s.pageid) == pageid and s.style == "vnportal":
                        return self._redirect(f"{base}/{s.key}")
                return self._not_found(path)
            home = self._page(("home", base), lambda: render.render_home(p))
            home.chunked = True  # the home page is streamed (no Content-Length)
            return home
        if path == "/robots.txt":
            return Response(200, render.robots_txt(base), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return Response(200, render.sitemap_index(p, base), "application/xml")
        m = SITEMAP_CHUNK.match(path)
        if m:
            data = render.sitemap_chunk(p, base, int(m.group(1)))
            return Response(200, data, "application/xml") if data else self._not_found(path)
        if path == "/rss.xml":
            return Response(200, render.rss(p, base), "application/rss+xml; charset=utf-8")
        if path == "/gioi-thieu":
            return self._page(("intro",), lambda: render.render_intro(p))
        if path == "/lich-cong-tac":  # a menu entry whose page was deleted: vnPortal soft 404
            return self._page(("vn-soft404",), lambda: render.render_vn_not_found(p))
        if path.startswith("/admin/"):
            if path.lower().startswith("/admin/login"):
                return self._page(("login",), lambda: render.render_login(p))
            return self._page(("draft",), lambda: render.render_draft(p))
        if path == "/c/portal/login":
            return self._page(("lrlogin",), render.render_lr_login, headers=LR_HEADERS)
        if path.startswith(("/Uploads/images/", "/image/", "/Portals/")):
            return Response(200, GIF, "image/gif", {"Cache-Control": "max-age=86400"})
        if path.startswith(("/Uploads/files/", "/documents/")) and path.endswith(".pdf"):
            return Response(200, PDF, "application/pdf")
        section = SECTION_BY_KEY.get(path[1:])
        if section is not None:
            if section.style == "liferay":
                cur = query.get("_101_cur", ["1"])[0]
                page = int(cur) if cur.isdigit() and int(cur) > 0 else 1
                return self._page(("lr-list", section.key, page),
                                  lambda: render.render_lr_listing(p, section.key, page),
                                  headers=LR_HEADERS)
            return self._vn_listing(section.key, 1)
        m = LR_ARTICLE.match(path)
        if m and m.group(1) in SECTION_BY_KEY:
            a = p.meta(int(m.group(2)))
            if a is None or a.style != "liferay":
                return self._page(("soft404", path, base), lambda: render.render_lr_not_found(
                    base + path), headers=LR_HEADERS)
            return self._article(a, headers, base)
        m = VN_ARTICLE.match(path)
        if m and m.group(1) in SECTION_BY_KEY:
            a = p.meta(int(m.group(3)))
            if a is not None and a.style == "vnportal":
                return self._article(a, headers, base)
        return self._not_found(path)

    def _not_found(self, path: str) -> Response:
        return Response(404, render.not_found_html(path), "text/html",
                        {"Server": "Microsoft-IIS/8.5", "X-Powered-By": "ASP.NET"})

    def _redirect(self, location: str) -> Response:
        body = (f'<html><head><title>Object moved</title></head><body><h2>Object moved to '
                f'<a href="{location}">here</a>.</h2></body></html>').encode()
        return Response(301, body, HTML, {**VN_HEADERS, "Location": location})

    def _article(self, a: Article, headers: dict[str, str], base: str) -> Response:
        p = self.portal
        views = p.count_view(a.id)
        if p.take_failure(a.id):
            return Response(500, render.server_error_html(
                "Timeout expired. The timeout period elapsed prior to obtaining a connection "
                "from the pool."), HTML, dict(VN_HEADERS))
        site_headers = VN_HEADERS if a.style == "vnportal" else LR_HEADERS
        validators = {"ETag": a.etag,
                      "Last-Modified": render.http_date(a.last_modified),
                      "Cache-Control": "private, max-age=0"}
        if _not_modified(headers, a):
            return Response(304, b"", HTML, {**site_headers, **validators})
        renderer = render.render_vn_article if a.style == "vnportal" else render.render_lr_article

        def make() -> render.Template:  # the body is generated only on a cache miss
            return renderer(p, p.article(a.id) or a, base)

        return self._page(("article", a.id, a.version, base), make, views=views,
                          headers={**site_headers, **validators})

    def _vn_listing(self, section: str, page: int) -> Response:
        p = self.portal
        return self._page(("vn-list", section, page),
                          lambda: render.render_vn_listing(p, section, page))

    # ------------------------------------------------------------------ postback
    def _post(self, path: str, body: bytes, base: str) -> Response:
        """ASP.NET postback: the form must come back with the __VIEWSTATE and
        __EVENTVALIDATION this server issued; `__EVENTTARGET`=gvList with an
        `__EVENTARGUMENT` rendered on that page (`Page$N`, `Page$First`, …) turns the page."""
        section = SECTION_BY_KEY.get(path[1:])
        if section is None or section.style != "vnportal":
            if path == "/" or VN_ARTICLE.match(path):
                # a postback of a page without a pager (search box…) re-renders the page
                return self._get(path, {}, {}, base)
            return Response(405, b"Method Not Allowed", "text/plain", {"Allow": "GET, HEAD"})
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        viewstate = form.get("__VIEWSTATE", [""])[0]
        state = render.read_viewstate(self.portal.secret, viewstate) if viewstate else None
        if state is None or state[0] != section.key:
            return Response(500, render.server_error_html(
                "Validation of viewstate MAC failed. The state information is invalid for this "
                "page and might be corrupted."), HTML, dict(VN_HEADERS))
        _, current = state
        pages = render.page_count(len(self.portal.section_ids(section.key)))
        current = min(current, pages)
        validation = form.get("__EVENTVALIDATION", [""])[0]
        target = form.get("__EVENTTARGET", [""])[0]
        argument = form.get("__EVENTARGUMENT", [""])[0]
        if not render.check_eventvalidation(self.portal.secret, validation, section.key,
                                            state[1]):
            return Response(500, render.server_error_html(
                "Invalid postback or callback argument. Event validation is enabled using "
                '<pages enableEventValidation="true"/>.'), HTML, dict(VN_HEADERS))
        if target != render.GRID_TARGET:
            # Not the grid's pager (search button, unknown control): the same page again.
            return self._vn_listing(section.key, current)
        allowed = {arg for _, arg in render.pager_arguments(state[1], pages)}
        new_page = render.resolve_argument(argument, current, pages)
        if argument not in allowed or new_page is None:
            return Response(500, render.server_error_html(
                f"Invalid postback or callback argument: {argument!r} was not rendered by "
                f"{render.GRID_TARGET}."), HTML, dict(VN_HEADERS))
        return self._vn_listing(section.key, new_page)


def _not_modified(headers: dict[str, str], a: Article) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or a.etag.removeprefix("W/") in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since is not None and since.tzinfo is not None and a.last_modified <= since
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/8.5"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this

    app: PortalApp  # set on the subclass made by serve()
    running: RunningPortal
    compress: bool = False
    session_numbers: itertools.count

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK stall every keep-alive response by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= 10_000_000:
            self.running._log(self.command, self.path, 400, {})
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:" \
                                           f"{self.server.server_address[1]}"
        base = f"http://{host}"
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            resp = self.app.handle(self.command, self.path, headers, body, base)
        except Exception as exc:  # noqa: BLE001 - a server bug must show as a 500, not a hang
            resp = Response(500, render.server_error_html(f"{type(exc).__name__}: {exc}"))
        # Logged before the response goes out: once a client has its answer, the access log
        # already shows the request (tests read it right after their fetch returns).
        self.running._log(self.command, self.path, resp.status, headers)
        self._server_header = resp.headers.get("Server", VN_HEADERS["Server"])
        payload = resp.body
        gzipped = (self.compress and resp.status != 304 and len(payload) > 256
                   and "gzip" in headers.get("accept-encoding", "")
                   and resp.content_type.startswith(("text/", "application/xml",
                                                     "application/rss")))
        if gzipped:
            payload = gzip.compress(payload, compresslevel=5, mtime=0)
        chunked = resp.chunked and resp.status != 304
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            if name != "Server":
                self.send_header(name, value)
        for cookie in self._cookies(resp, headers):
            self.send_header("Set-Cookie", cookie)
        if resp.status != 304:
            self.send_header("Content-Type", resp.content_type)
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD" or resp.status == 304:
            return
        if chunked:  # as ASP.NET streams a page it flushes while rendering
            out = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 4096]), payload[i:i + 4096])
                           for i in range(0, len(payload), 4096))
            self.wfile.write(out + b"0\r\n\r\n")
        else:
            self.wfile.write(payload)

    def version_string(self) -> str:
        return getattr(self, "_server_header", VN_HEADERS["Server"])

    def _cookies(self, resp: Response, headers: dict[str, str]) -> list[str]:
        """Session cookies as the platforms set them, once per client session."""
        if resp.status >= 300 or not resp.content_type.startswith("text/html"):
            return []
        sent = headers.get("cookie", "")
        seq = next(self.session_numbers)
        if "Liferay-Portal" in resp.headers:
            if "JSESSIONID=" in sent:
                return []
            sid = hashlib.md5(f"lr{seq}".encode()).hexdigest().upper()
            return [f"JSESSIONID={sid}; Path=/; HttpOnly",
                    "GUEST_LANGUAGE_ID=vi_VN; Expires=Fri, 26-Nov-2027 00:00:00 GMT; Path=/",
                    "COOKIE_SUPPORT=true; Expires=Fri, 26-Nov-2027 00:00:00 GMT; Path=/"]
        if "ASP.NET_SessionId=" in sent:
            return []
        sid = base64.b32encode(hashlib.md5(f"vn{seq}".encode()).digest()).decode()[:24].lower()
        return [f"ASP.NET_SessionId={sid}; path=/; HttpOnly; SameSite=Lax"]

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the access log is RunningPortal.access_log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:  # noqa: ANN001
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # noqa: ANN001
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every kept-alive connection, so a stopped portal really stops answering."""
        with self.connections_lock:
            conns = list(self.open_connections)
            self.open_connections.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        """A client that hangs up mid-request is normal for a crawler; anything else is a
        server bug and is printed."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class RunningPortal:
    """A portal being served. `url` has no trailing slash: `url + "/robots.txt"`.

    `access_log`: (method, path with query, status) per request, in arrival order;
    `requests`: the same as `LoggedRequest`s with the request headers (user agent,
    If-None-Match...), for tests that check what a crawler sent.
    """

    def __init__(self, portal: SamplePortal, server: _Server, thread: threading.Thread,
                 on_request: Callable[[str, str, int], None] | None) -> None:
        self.portal = portal
        self._server = server
        self._thread = thread
        self._on_request = on_request
        self.host, self.port = server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.access_log: list[tuple[str, str, int]] = []
        self.requests: list[LoggedRequest] = []  # the same, with request headers
        self._log_lock = threading.Lock()

    def _log(self, method: str, path: str, status: int, headers: dict[str, str]) -> None:
        with self._log_lock:
            self.access_log.append((method, path, status))
            self.requests.append(LoggedRequest(method, path, status, headers))
        if self._on_request is not None:
            self._on_request(method, path, status)

    def url_for(self, path: str) -> str:
        return self.url + path

    def expected_articles(self) -> list[ExpectedArticle]:
        return self.portal.expected_articles(self.url)

    def write_sources(self, path: str | Path, source_id: str = "sample") -> Path:
        """Write a sources registry with one entry for this running portal; returns the path."""
        from scraper.sample_portal import sample_sources_yaml

        path = Path(path)
        path.write_text(sample_sources_yaml(self.url, source_id), encoding="utf-8")
        return path

    def requests_for(self, path_prefix: str) -> list[tuple[str, str, int]]:
        """Access-log entries whose path starts with `path_prefix`."""
        with self._log_lock:
            return [e for e in self.access_log if e[1].startswith(path_prefix)]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningPortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(portal: SamplePortal, host: str = "127.0.0.1", port: int = 0, *,
          on_request: Callable[[str, str, int], None] | None = None,
          compress: bool = False) -> RunningPortal:
    """Serve `portal` on host:port (0 = a free port) from a daemon thread; returns at once.

    `on_request(method, path, status)` is called for every request (the CLI prints it);
    `compress=True` gzips text responses for clients that accept it, as IIS does when
    dynamic compression is on (off by default: it costs CPU in crawl benchmarks).
    """
    app = PortalApp(portal)
    handler = type("PortalHandler", (_Handler,), {"app": app, "compress": compress,
                                                  "session_numbers": itertools.count(1)})
    server = _Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"sample-portal-{server.server_address[1]}", daemon=True)
    running = RunningPortal(portal, server, thread, on_request)
    handler.running = running
    portal.base_url = running.url
    thread.start()
    return running
