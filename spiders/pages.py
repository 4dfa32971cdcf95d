"""Page processing off the reactor: extraction and link analysis in worker processes.

Extracting a page and classifying its links take several times longer than fetching it from
a portal, and both are pure functions (bytes and URL in, plain data out). Run on the
reactor thread they would cap a crawl at what one core can parse; `ParsePool` runs them in
a process pool instead, so fetching and parsing overlap and use every core. With
BANTIN_CRAWL_PARSE_WORKERS=0 pages are processed inline (same function, same result).

`process_page` is the unit of work; everything it returns pickles (no lxml elements). The
reactor sends the raw body only: decoding it to text (as Scrapy's response would) happens in
the worker too.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from spiders import links as L


@dataclass
class PageResult:
    """What one HTML page is and where it leads."""

    record: dict[str, Any]
    links: L.PageLinks | None = None
    current_postback: int | None = None
    platform: str = "generic"
    warnings: list[str] = field(default_factory=list)


# Platform detection on the link-analysis tree sees the page's first this many characters.
_DETECT_CHARS = 20000


def _platform(name: str, tree: Any, url: str, text: str, detected: Any = None,
              detected_on: str | None = None) -> Any:
    """The platform named, else the one detected on `tree` (the parse of `text`).

    `detected`: the platform extraction detected on a tree parsed from the string
    `detected_on`. When that string is the whole of `text`, short enough for detection to
    see all of it, and `tree` is the whole document, detection here would read the same
    markers, names and elements, so its answer is taken instead of detecting twice.
    """
    from scraper import platforms

    if name and name != "auto":
        return platforms.get(name)
    if (detected is not None and detected_on is not None and len(text) <= _DETECT_CHARS
            and text == detected_on and tree.getparent() is None):
        return detected
    try:
        return platforms.detect(tree, url, text[:_DETECT_CHARS])
    except Exception:  # noqa: BLE001 - detection is a hint; the generic rules still work
        return None


def process_page(body: bytes, text: str | type, url: str, headers: dict[str, str],
                 status: int, platform: str, allowed_domains: list[str],
                 links_for: str) -> PageResult:
    """Extract the page and analyse its links.

    `text`: the page as Scrapy decoded it, or the response class (e.g. HtmlResponse) to
    decode it with here, exactly as the crawler's response would have.
    `links_for`: "none" (no link analysis), "article" (only links to other articles), or
    "listing" (everything: articles with listed dates, categories, pagination, postbacks,
    feeds). Article pages get "article" whatever the caller asked.

    Links are read from extraction's own tree when it is what parsing `text` here would
    give (see `L.parses_to`): one parse per page instead of two. A listing's analysis is
    made on it before the page's kind is known; should the page be an article after all,
    its article links are analysed on a parse of their own, as before.
    """
    from scraper.extract import extract_with_platform

    if isinstance(text, type) and links_for != "none":
        text = text(url, body=body, headers=headers, status=status).text
    early: list[tuple[Any, L.PageLinks]] = []

    def analyse_early(root: Any, parsed: str, detected: Any) -> None:
        try:
            if parsed == text and L.parses_to(text, root):
                plat = _platform(platform, root, url, text, detected, parsed)
                early.append((plat, L.analyse_page(root, url, L.rules_for_platform(plat),
                                                   allowed_domains,
                                                   articles_only=links_for == "article")))
        except Exception:  # noqa: BLE001 - the usual path below runs it again and reports it
            early.clear()

    extracted, detected, detected_on = extract_with_platform(
        body, url, headers=headers, status=status,
        on_tree=analyse_early if links_for != "none" and status < 400 else None)
    record = extracted.to_dict()
    if status in (404, 410):
        record["kind"] = "not_found"
    kind = record.get("kind")
    if links_for == "none" or kind in ("not_found", "error") or status >= 400:
        return PageResult(record)
    assert isinstance(text, str)
    articles_only = links_for == "article" or kind == "article"
    tree = None
    if early and articles_only == (links_for == "article"):
        plat, page = early[0]
    else:
        tree = L.parse_html(text)
        plat = _platform(platform, tree, url, text, detected, detected_on)
        rules = L.rules_for_platform(plat)
        page = L.analyse_page(tree, url, rules, allowed_domains, articles_only=articles_only)
    page.articles = [L.Link(x.url, x.text, x.region, x.listed_at) for x in page.articles]
    page.listings = [L.Link(x.url, x.text, x.region, x.listed_at) for x in page.listings]
    current = None
    if page.postbacks:  # the pager's current page is read as parsed here (comments kept)
        current = L.current_postback_page(tree if tree is not None else L.parse_html(text))
    return PageResult(record, page, current, getattr(plat, "name", "generic"))


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its crawler (a killed crawl would leave it holding the
    terminal or a pipe): Linux's parent-death signal, else a watchdog thread."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="bantin-parent-watch").start()


def _worker_init(parent: int) -> None:
    _die_with_parent(parent)
    # Ctrl-C goes to the whole process group: the crawler decides how to stop, not workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


_WARM_UP_PAGE = """<html><head><meta charset="utf-8"><title>Thông báo lịch tiếp công dân</title>
</head><body><div class="menu"><a href="/tin-tuc">Tin tức</a></div><article><h1>Thông báo
lịch tiếp công dân tháng 01 năm 2024</h1><p class="date">Ngày 16/01/2024 08:30</p><p>Ngày16
tháng 01, đồng chí Nguyễn Văn An, Chủ tịch UBND thị trấn tiếp công dân tại trụ sở.</p>
<p>Tác giả: Minh Anh</p><a href="/tin-tuc/thong-bao-12.html">Tin khác</a></article>
</body></html>""".encode()


def warm_up() -> PageResult | None:
    """One small page through process_page when the worker starts: the first real page
    would otherwise pay for lazy imports and first-use tables (dates, platform rules,
    officials) while the crawl waits on it. A failure here is left to that first page."""
    try:
        from scrapy.http import HtmlResponse

        return process_page(_WARM_UP_PAGE, HtmlResponse,
                            "http://warm-up.invalid/tin-tuc/a-1.html",
                            {"Content-Type": "text/html; charset=utf-8"}, 200, "auto",
                            ["warm-up.invalid"], "listing")
    except Exception:  # noqa: BLE001 - only a head start
        return None


def _worker_main(conn: Any, parent: int) -> None:
    """A parse process: say it is ready (None, True, "ready", 0.0) once started, then read
    jobs and answer each with (id, ok, result or error, CPU seconds).

    A reader thread drains the pipe as jobs arrive, so the crawler's writes never wait for
    the page being parsed; the main thread parses and answers in order."""
    import pickle
    import queue
    import threading

    _worker_init(parent)
    jobs: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                jobs.put(conn.recv_bytes())
            except (EOFError, OSError):  # the crawler closed the pool (or died)
                jobs.put(None)
                return

    threading.Thread(target=read, daemon=True, name="bantin-parse-reader").start()
    try:  # ready: the crawler's clock for this worker's pages starts now
        conn.send_bytes(pickle.dumps((None, True, "ready", 0.0)))
    except OSError:
        return
    while (message := jobs.get()) is not None:
        job_id, args = pickle.loads(message)
        start = time.process_time()
        try:
            answer: tuple[Any, ...] = (job_id, True, process_page(*args))
        except Exception as exc:  # noqa: BLE001 - the crawler reports it with the URL
            answer = (job_id, False, exc)
        answer += (time.process_time() - start,)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
            data = pickle.dumps((job_id, False, RuntimeError(repr(exc)), answer[-1]))
        try:
            conn.send_bytes(data)
        except OSError:
            return


class ParseWorkerDied(RuntimeError):
    """The parse process died with this page in hand (it is restarted for the next ones)."""


class ParseTimeout(RuntimeError):
    """The page took longer than the pool's timeout to parse: its process was stopped (and
    is restarted for the next pages)."""


class _Worker:
    """One parse process, the pipe to it and the jobs it holds (in the order sent).

    The process starts at once (its imports take about half a second); its pipe joins an
    event loop when the first page is sent (`attach`)."""

    def __init__(self, on_answer: Any) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, os.getpid()),
                                   name="bantin-parse", daemon=True)
        self.process.start()
        child.close()
        # job id -> (its future, its arguments, its priority), in the order sent: the first
        # is the page being parsed, the others wait in the pipe
        self.jobs: dict[int, tuple[asyncio.Future, tuple[Any, ...], int]] = {}
        self.spawned = time.monotonic()
        self.busy_since = 0.0  # when the page being parsed began (time.monotonic)
        self.ready = False  # started up (imports, warm-up page): its pages' clock runs
        self.on_answer = on_answer
        self.loop: asyncio.AbstractEventLoop | None = None
        self.alive = True

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the pipe from `loop` (once)."""
        if self.loop is None:
            self.loop = loop
            loop.add_reader(self.conn.fileno(), self.on_answer, self)

    def send(self, job_id: int, args: tuple[Any, ...], done: asyncio.Future,
             priority: int) -> None:
        import pickle

        if not self.jobs:
            self.busy_since = time.monotonic()
        self.jobs[job_id] = (done, args, priority)
        self.conn.send_bytes(pickle.dumps((job_id, args), protocol=pickle.HIGHEST_PROTOCOL))

    def stop(self, kill: bool = False) -> None:
        """Close the pipe (the process ends after its page, or now with `kill`) and forget
        the process."""
        if not self.alive:
            return
        self.alive = False
        if kill:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
        if self.loop is not None:
            with contextlib.suppress(OSError, ValueError, RuntimeError):  # the loop is closed
                self.loop.remove_reader(self.conn.fileno())
        self.conn.close()
        self.process.join(0.2)
        if self.process.is_alive():
            self.process.terminate()


def default_workers(cores: int | None = None) -> int:
    """One core for the reactor, the rest (at least 2, at most 4) for parsing; 0 on a
    single core. Two on two cores: the reactor thread often waits (for the network, the
    store, backpressure), and a single worker could not use the core it leaves free."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if cores <= 1:
        return 0
    return min(4, max(2, cores - 1))


class ParsePool:
    """Parse processes for `process_page`, one pool per crawler unless the runner shares one.

    Each worker is a process with a pipe that the reactor's own event loop watches: a page
    goes out and its result comes back on the reactor thread, with no executor, manager or
    feeder thread in between (each of those took the GIL from the reactor thread for every
    page, and the reactor thread is what caps a crawl's rate).

    Pages wait in a priority queue of our own and a worker holds at most two (the one it
    parses and the next): a listing page, whose links the crawl needs next (a postback chain
    cannot go on without it), goes ahead of every article page waiting.

    A worker that dies fails the page it was parsing (ParseWorkerDied); one that spends more
    than `timeout` seconds on a page (a pathological page, a bug that loops) is killed and
    fails that page (ParseTimeout). Either way it is replaced, and the page it held next goes
    back to the queue: one bad page costs one page, and the crawl never waits on it forever.
    """

    ATTR = "bantin_parse_pool"
    URGENT, NORMAL = 0, 1
    PER_WORKER = 2
    DEFAULT_TIMEOUT = 60.0
    STARTUP_GRACE = 60.0  # a worker's start-up may take this long on top of the timeout

    def __init__(self, workers: int, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.workers = workers
        self.timeout = timeout  # seconds a worker may spend on one page; 0 = no limit
        self._watch: asyncio.TimerHandle | None = None
        self._procs: list[_Worker] = []
        self._waiting: list[tuple[int, int, tuple[Any, ...], asyncio.Future]] = []
        self._order = itertools.count()
        self._closed = False
        self.cpu_seconds = 0.0  # spent by the workers on the pages (stat bantin_cpu/parse_seconds)
        self.most_waiting = 0  # the longest the queue got (stat bantin_cpu/parse_most_waiting)

    @classmethod
    def from_settings(cls, settings: Any) -> ParsePool:
        """A pool of BANTIN_CRAWL_PARSE_WORKERS workers (default_workers() when unset)
        giving each page BANTIN_CRAWL_PARSE_TIMEOUT seconds, not started yet."""
        value = settings.get("BANTIN_CRAWL_PARSE_WORKERS")
        timeout = settings.get("BANTIN_CRAWL_PARSE_TIMEOUT")
        return cls(default_workers() if value in (None, "") else int(value),
                   cls.DEFAULT_TIMEOUT if timeout in (None, "") else float(timeout))

    @classmethod
    def for_crawler(cls, crawler: Any) -> ParsePool:
        pool = getattr(crawler, cls.ATTR, None)
        if pool is None:
            pool = cls.from_settings(crawler.settings)
            pool.start()
            setattr(crawler, cls.ATTR, pool)
            from scrapy import signals

            crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    def start(self) -> None:
        """Start the worker processes now, so their imports overlap the crawl's own start-up
        (opening the store, robots.txt, the first pages) instead of holding the first pages
        back. Optional: the first page starts whatever is missing."""
        self._procs = [w for w in self._procs if w.alive]
        while len(self._procs) < self.workers and not self._closed:
            self._procs.append(_Worker(self._answer))

    async def run(self, *args: Any, urgent: bool = False) -> PageResult:
        """`process_page(*args)` in a worker (here when the pool has no workers); `urgent`
        pages (listings) go ahead of the others waiting."""
        if self.workers <= 0:
            return process_page(*args)
        if self._closed:
            raise RuntimeError("the parse pool is closed")
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        priority = self.URGENT if urgent else self.NORMAL
        heapq.heappush(self._waiting, (priority, next(self._order), args, done))
        self.most_waiting = max(self.most_waiting, len(self._waiting))
        self._feed(loop)
        return await done

    def _feed(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand waiting pages to the least busy worker while one has room."""
        self.start()
        for worker in self._procs:
            worker.attach(loop)
        while self._waiting and self._procs:
            worker = min(self._procs, key=lambda w: len(w.jobs))
            if len(worker.jobs) >= self.PER_WORKER:
                break
            priority, job_id, args, done = heapq.heappop(self._waiting)
            if done.cancelled():
                continue
            try:
                worker.send(job_id, args, done, priority)
            except OSError:
                self._lost(worker)
        self._arm(loop)

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        """Look for a page over its time soon, while any worker holds one."""
        if (self.timeout > 0 and self._watch is None and not self._closed
                and any(w.jobs for w in self._procs)):
            self._watch = loop.call_later(max(0.05, self.timeout / 10), self._check, loop)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """Kill the workers whose current page has had more than `timeout` seconds (or that
        hold pages and have not started up within `timeout` + STARTUP_GRACE seconds)."""
        self._watch = None
        now = time.monotonic()
        for worker in list(self._procs):
            if not worker.jobs:
                continue
            if worker.ready and now - worker.busy_since > self.timeout:
                self._lost(worker, ParseTimeout(
                    f"parsing took longer than {self.timeout:g} s (BANTIN_CRAWL_PARSE_TIMEOUT);"
                    " the parse process was stopped"))
            elif not worker.ready and now - worker.spawned > self.timeout + self.STARTUP_GRACE:
                self._lost(worker, ParseTimeout(
                    f"the parse process did not start within "
                    f"{self.timeout + self.STARTUP_GRACE:g} s; it was stopped"))
        self._feed(loop)

    def _answer(self, worker: _Worker) -> None:
        """The worker's pipe is readable: one answer (or its death)."""
        import pickle

        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):
            self._lost(worker)
            return
        try:
            job_id, ok, payload, seconds = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - must not leave a page waiting forever
            # answers come in the order the pages were sent: this one is the oldest in hand
            job_id, ok, seconds = next(iter(worker.jobs), -1), False, 0.0
            payload = RuntimeError(f"unreadable answer from the parse process: {exc}")
        if job_id is None:  # the worker is ready
            worker.ready = True
            worker.busy_since = time.monotonic()
            return
        self.cpu_seconds += seconds
        held = worker.jobs.pop(job_id, None)
        worker.busy_since = time.monotonic()  # the next page held, if any, begins now
        if held is not None and not held[0].cancelled():
            if ok:
                held[0].set_result(payload)
            else:
                held[0].set_exception(payload)
        assert worker.loop is not None  # answers only come through an attached pipe
        self._feed(worker.loop)

    def _lost(self, worker: _Worker, error: Exception | None = None) -> None:
        """A worker died (or is killed with `error`): the page it was parsing fails, the
        pages it held next go back to the queue, and a new worker takes over."""
        code = worker.process.exitcode
        worker.stop(kill=error is not None)
        if worker in self._procs:
            self._procs.remove(worker)
        held = list(worker.jobs.items())
        worker.jobs.clear()
        if held:
            done = held[0][1][0]
            if not done.done():
                done.set_exception(error or ParseWorkerDied(
                    f"the parse process died (exit {code})"))
            for job_id, (done, args, priority) in held[1:]:
                if not done.done():
                    heapq.heappush(self._waiting, (priority, job_id, args, done))
        if not self._closed and worker.loop is not None:
            self._feed(worker.loop)

    def close(self) -> None:
        """Stop the workers; pages still waiting or in hand are cancelled."""
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        for _, _, _, done in self._waiting:
            done.cancel()
        self._waiting.clear()
        for worker in self._procs:
            for done, _, _ in worker.jobs.values():
                done.cancel()
            worker.jobs.clear()
            worker.stop()
        self._procs = []
