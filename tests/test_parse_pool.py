"""The crawl's parse pool (`spiders.pages`): real worker processes, real fixture pages."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from scrapy.http import HtmlResponse

from spiders.pages import PageResult, ParsePool, ParseTimeout, ParseWorkerDied, process_page

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _args(name: str, text: object = HtmlResponse) -> tuple:
    body = (PAGES / f"{name}.html").read_bytes()
    url = (PAGES / f"{name}.url").read_text(encoding="utf-8").strip()
    headers = {"Content-Type": "text/html"}
    if text is None:
        text = HtmlResponse(url, body=body, headers=headers).text
    return body, text, url, headers, 200, "auto", [], "listing"


def test_the_worker_decodes_the_body_as_the_crawler_response_would() -> None:
    for name in ("vnportal_pholu_notice", "generic_tcvn3_body", "liferay_listing_p1",
                 "vnportal_listing_postback"):
        decoded_here = process_page(*_args(name, text=None))
        decoded_by_class = process_page(*_args(name))
        assert decoded_by_class == decoded_here, name


def test_listing_pages_go_ahead_of_the_article_pages_waiting() -> None:
    pool = ParsePool(workers=1)
    finished: list[str] = []

    async def parse(label: str, urgent: bool) -> None:
        await pool.run(*_args("vnportal_pholu_notice"), urgent=urgent)
        finished.append(label)

    async def crawl() -> None:
        jobs = [asyncio.ensure_future(parse(f"article-{i}", False)) for i in range(6)]
        await asyncio.sleep(0)  # the articles are queued first
        jobs.append(asyncio.ensure_future(parse("listing", True)))
        await asyncio.gather(*jobs)

    try:
        asyncio.run(crawl())
    finally:
        pool.close()
    # one page per worker plus one ready to go were handed over before the listing came
    assert finished.index("listing") <= 2, finished
    assert sorted(finished) == sorted([f"article-{i}" for i in range(6)] + ["listing"])


def test_closing_the_pool_cancels_pages_still_waiting() -> None:
    pool = ParsePool(workers=1)

    async def crawl() -> list[object]:
        jobs = [asyncio.ensure_future(pool.run(*_args("vnportal_pholu_notice")))
                for _ in range(5)]
        await asyncio.sleep(0)
        pool.close()
        return await asyncio.gather(*jobs, return_exceptions=True)

    outcomes = asyncio.run(crawl())
    assert any(isinstance(o, asyncio.CancelledError) for o in outcomes)


def test_a_dead_worker_fails_its_page_and_is_replaced_for_the_next() -> None:
    pool = ParsePool(workers=1)

    async def crawl() -> tuple[object, PageResult]:
        await pool.run(*_args("vnportal_pholu_notice"))  # the worker is up
        worker = pool._procs[0]
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join(10)
        lost = await asyncio.gather(pool.run(*_args("vnportal_pholu_notice")),
                                    return_exceptions=True)
        again = await pool.run(*_args("vnportal_pholu_notice"))
        return lost[0], again

    try:
        lost, again = asyncio.run(crawl())
    finally:
        pool.close()
    assert isinstance(lost, ParseWorkerDied)
    assert again.record["kind"] == "article"


def _three_pages_for_a_stalled_worker(pool: ParsePool, then: object) -> list[object]:
    """Start the pool's one worker, stop it (SIGSTOP: a page that never ends, as far as the
    crawler can tell), give the pool three pages (the worker holds two, one waits), call
    `then(worker)`; what became of the pages."""

    async def crawl() -> list[object]:
        await pool.run(*_args("vnportal_pholu_notice"))  # the worker is up and ready
        worker = pool._procs[0]
        os.kill(worker.process.pid, signal.SIGSTOP)
        pages = [asyncio.ensure_future(pool.run(*_args("vnportal_pholu_notice")))
                 for _ in range(3)]
        await asyncio.sleep(0.2)
        assert (len(worker.jobs), len(pool._waiting)) == (2, 1)
        then(worker)  # type: ignore[operator]
        return list(await asyncio.gather(*pages, return_exceptions=True))

    try:
        return asyncio.run(asyncio.wait_for(crawl(), 20))
    finally:
        pool.close()


def test_a_page_over_the_timeout_fails_alone_and_the_pages_after_it_go_to_a_new_worker(
) -> None:
    pool = ParsePool(workers=1, timeout=1.0)
    stalled: list[object] = []
    first, *others = _three_pages_for_a_stalled_worker(pool, stalled.append)
    assert isinstance(first, ParseTimeout)
    assert "longer than 1 s" in str(first)
    assert [o.record["kind"] for o in others] == ["article", "article"]  # type: ignore[attr-defined]
    (worker,) = stalled
    worker.process.join(10)  # type: ignore[attr-defined]
    assert not worker.process.is_alive()  # type: ignore[attr-defined]  # killed, not left


def test_a_worker_that_never_starts_up_fails_its_first_page_after_the_grace() -> None:
    pool = ParsePool(workers=1, timeout=0.5)
    pool.STARTUP_GRACE = 1.0  # instead of a minute
    pool.start()
    (stuck,) = pool._procs
    os.kill(stuck.process.pid, signal.SIGSTOP)  # stopped while it imports: never ready

    async def crawl() -> list[object]:
        pages = [pool.run(*_args("vnportal_pholu_notice")) for _ in range(3)]
        return list(await asyncio.gather(*pages, return_exceptions=True))

    try:
        first, *others = asyncio.run(asyncio.wait_for(crawl(), 20))
    finally:
        pool.close()
    assert isinstance(first, ParseTimeout)
    assert "did not start within 1.5 s" in str(first)
    assert [o.record["kind"] for o in others] == ["article", "article"]  # type: ignore[attr-defined]
    stuck.process.join(10)
    assert not stuck.process.is_alive()


def test_a_dead_worker_fails_only_the_page_it_was_parsing() -> None:
    pool = ParsePool(workers=1, timeout=0)  # no time limit: only the death is seen

    def kill(worker: object) -> None:
        os.kill(worker.process.pid, signal.SIGKILL)  # type: ignore[attr-defined]

    first, *others = _three_pages_for_a_stalled_worker(pool, kill)
    assert isinstance(first, ParseWorkerDied)
    assert [o.record["kind"] for o in others] == ["article", "article"]  # type: ignore[attr-defined]


def test_parse_timeout_is_read_from_the_crawl_settings() -> None:
    from scrapy.settings import Settings

    assert ParsePool.from_settings(Settings()).timeout == ParsePool.DEFAULT_TIMEOUT
    pool = ParsePool.from_settings(Settings({"BANTIN_CRAWL_PARSE_TIMEOUT": "2.5",
                                             "BANTIN_CRAWL_PARSE_WORKERS": 1}))
    assert (pool.workers, pool.timeout) == (1, 2.5)


def test_started_pool_has_its_workers_running_before_the_first_page() -> None:
    pool = ParsePool(workers=1)
    pool.start()
    try:
        (worker,) = pool._procs
        assert worker.process.is_alive()
        result = asyncio.run(pool.run(*_args("vnportal_pholu_notice")))
        assert pool._procs == [worker]  # the first page went to the worker already running
        assert result.record["kind"] == "article"
    finally:
        pool.close()


def test_worker_warm_up_page_runs_the_whole_extraction() -> None:
    from spiders.pages import warm_up

    result = warm_up()
    assert result is not None
    # dates, officials and bylines are what load tables on first use
    assert result.record["published_at"].startswith("2024-01-16")
    assert [o["name"] for o in result.record["officials"]] == ["Nguyễn Văn An"]
    assert result.record["authors"] == ["Minh Anh"]


def test_default_worker_count_leaves_the_reactor_a_core_but_never_parses_alone() -> None:
    from spiders.pages import default_workers

    assert [default_workers(n) for n in (1, 2, 3, 4, 5, 16)] == [0, 2, 2, 3, 4, 4]
