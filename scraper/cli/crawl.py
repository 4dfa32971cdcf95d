"""`bantin crawl`: crawl registered portals into the store, incrementally, resumably."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from spiders.pages import ParsePool

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

MAX_URLS_PER_KIND = 10


def _parse_overrides(values: Iterable[str]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="'-s'")
        out[name.strip()] = setting
    return out


def prepare_jobdir(jobdir: Path, *, resume: bool) -> str:
    """Get a source's JOBDIR ready; returns what happened, for the log.

    A JOBDIR holds Scrapy's request queue and seen-requests file (usable only when the
    previous crawl stopped cleanly, `paused`) and bantin's journal (`bantin-crawl.json`),
    which is always kept: it tells the spider whether the last crawl finished.
    """
    from spiders.portal import JOURNAL_NAME, CrawlJournal

    state = CrawlJournal(str(jobdir)).read().get("state")
    keep_queue = resume and state == "paused"
    if jobdir.exists() and not keep_queue:
        for child in jobdir.iterdir():
            if child.name == JOURNAL_NAME:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    jobdir.mkdir(parents=True, exist_ok=True)
    if keep_queue:
        return "resuming the paused crawl from its queue"
    if state in ("running", "paused"):
        return "previous crawl did not finish: walking every listing page again"
    return "fresh"


def _settings(overrides: dict[str, str], *, db: str | None, warc_dir: str | None,
              quiet: bool) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("LOG_LEVEL", "ERROR" if quiet else "WARNING", priority="project")
    if quiet:
        settings.set("BANTIN_PROGRESS_ENABLED", False, priority="cmdline")
    if db:
        settings.set("BANTIN_DB", db, priority="cmdline")
    if warc_dir:
        settings.set("BANTIN_WARC_DIR", warc_dir, priority="cmdline")
        settings.set("BANTIN_WARC_ENABLED", True, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def _db_url(settings: Any, db: str | None) -> str:
    if db:
        return db
    if settings.getpriority("BANTIN_DB") <= 20 and os.environ.get("BANTIN_DB"):
        return os.environ["BANTIN_DB"]
    return settings.get("BANTIN_DB")


def _summary(results: list[dict[str, Any]], elapsed: float) -> str:
    lines = [f"bantin crawl: {len(results)} source(s) in {elapsed:.1f} s"]
    for r in results:
        stats = r["stats"]
        run = stats.get("bantin/run_id")
        status = r["status"]
        head = f"{r['id']}" + (f" (run {run})" if run is not None else "") + f": {status}"
        lines.append(head)
        if r.get("failure"):
            lines.append(f"  failure         {r['failure']}")
        lines.append(f"  pages fetched   {stats.get('response_received_count', 0)}"
                     f" ({stats.get('downloader/request_count', 0)} requests)")
        lines.append("  articles        {} new, {} changed, {} unchanged".format(
            stats.get("bantin/new", 0), stats.get("bantin/changed", 0),
            stats.get("bantin/unchanged", 0)))
        lines.append(f"  not found       {stats.get('bantin/not_found', 0)}"
                     f" ({stats.get('bantin/gone', 0)} stored article(s) now gone)")
        if stats.get("bantin/removed"):
            lines.append(f"  removed         {stats.get('bantin/removed')} (no longer listed)")
        errors = stats.get("bantin/error_list") or []
        lines.append(f"  errors          {stats.get('bantin/errors', 0)}")
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for err in errors:
            by_kind.setdefault(str(err.get("kind", "other")), []).append(err)
        for kind, errs in sorted(by_kind.items()):
            lines.append(f"    {kind} ({len(errs)}):")
            for err in errs[:MAX_URLS_PER_KIND]:
                lines.append(f"      {err.get('url')}  {err.get('message', '')}".rstrip())
            if len(errs) > MAX_URLS_PER_KIND:
                lines.append(f"      … and {len(errs) - MAX_URLS_PER_KIND} more "
                             f"(all in the crawl run record)")
    return "\n".join(lines)


@click.command(name="crawl")
@click.argument("source_ids", nargs=-1, metavar="[ID]...")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources registry (default: $BANTIN_SOURCES, ./sources.yaml, the repo's).")
@click.option("--db", metavar="URL", help="Store URL, e.g. sqlite:///data/bantin.db or "
              "postgresql+psycopg://user@host/bantin (default: $BANTIN_DB, then "
              "sqlite:///data/bantin.db).")
@click.option("--full", is_flag=True,
              help="Walk every listing page to the end (not just until a page of known "
              "articles) and mark articles no longer listed as removed.")
@click.option("--refresh", is_flag=True,
              help="Re-fetch articles already stored (conditional GET: unchanged pages "
              "answer 304 where the server supports it).")
@click.option("--resume", is_flag=True,
              help="Continue a crawl stopped with Ctrl-C from its JOBDIR queue. After a kill, "
              "the crawl re-walks every listing and fetches only what is not stored yet.")
@click.option("--jobdir", default="data/jobs", show_default=True,
              type=click.Path(file_okay=False),
              help="Where each source's crawl state lives (<jobdir>/<source-id>).")
@click.option("--warc-dir", type=click.Path(file_okay=False),
              help="Write WARC files here (default: the BANTIN_WARC_DIR setting).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy/bantin setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable).")
@click.option("--stats", "stats_file", type=click.Path(dir_okay=False),
              help="Also write each source's crawl statistics (Scrapy's and bantin's) to this "
              "JSON file, for monitoring and benchmarks.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress lines and only errors in the log; the summary is printed.")
@click.option("--distributed", is_flag=True,
              help="Share the crawl through Redis: seed the job with these sources and work on "
              "it here; more `bantin worker` processes, on any machine, can join it. Use a "
              "PostgreSQL --db. See docs/distributed.md.")
@click.option("--redis", "redis_url", metavar="URL",
              help="Redis of the shared frontier (with --distributed; default "
              "$BANTIN_REDIS_URL, then redis://127.0.0.1:6379/0).")
@click.option("--job", help="Name of the distributed crawl job (with --distributed).")
def command(source_ids: tuple[str, ...], sources_file: str | None, db: str | None, full: bool,
            refresh: bool, resume: bool, jobdir: str, warc_dir: str | None,
            overrides: tuple[str, ...], stats_file: str | None, quiet: bool,
            distributed: bool, redis_url: str | None, job: str | None) -> None:
    """Crawl portals of the sources registry into the store (all of them when no ID is given).

    \b
    Incremental by default: articles already stored are not fetched again unless a listing,
    sitemap or feed shows a newer date (or --refresh); a listing walk stops after a page of
    known articles (setting BANTIN_CRAWL_STOP_AFTER_KNOWN_PAGES). robots.txt is obeyed,
    each source's politeness settings (delay, concurrency, user agent) apply, and every
    exchange is written to WARC files when capture is on.

    \b
    Progress lines go to stderr while it runs; a summary (pages, articles new/changed/
    unchanged, not found, errors by kind with URLs) goes to stdout at the end.

    \b
    Stop and resume: Ctrl-C once stops cleanly (twice: at once); run again with --resume.
    A killed crawl also loses nothing: the next run walks every listing page again and
    fetches only articles that are not stored yet.

    \b
    Examples:
      bantin crawl                          every registered source
      bantin crawl pholu --full             walk everything, mark removed articles
      bantin crawl pholu --resume           continue after Ctrl-C
      bantin crawl --sources my.yaml --db postgresql+psycopg://bantin@db/bantin
      bantin crawl --distributed --redis redis://queue:6379/0 \\
                   --db postgresql+psycopg://bantin@db/bantin    (then `bantin worker` elsewhere)

    \b
    Exit codes:
      0    the crawl ran (even if some pages failed: see the summary's errors)
      1    the crawl as a whole failed: a source's start URLs were all unreachable,
           the store cannot be opened or written, or a crawler could not start
      2    bad usage: unknown option or source id, unreadable or invalid sources file
      130  interrupted (Ctrl-C or SIGTERM): run again with --resume
    """
    from scraper.sources import SourceSelectionError, SourcesError, load_sources, select_sources

    try:
        settings_overrides = _parse_overrides(overrides)
    except click.BadParameter as exc:
        raise click.UsageError(str(exc)) from None
    if distributed:
        if full or resume:
            raise click.UsageError("--full and --resume do not apply to --distributed: the "
                                   "shared queue resumes by itself; run a single-process "
                                   "--full crawl to mark removed articles")
        from scraper.cli.worker import crawl_distributed

        sys.exit(crawl_distributed(list(source_ids), sources_file=sources_file,
                                   redis_url=redis_url, job=job, db=db, warc_dir=warc_dir,
                                   refresh=refresh, overrides=settings_overrides, quiet=quiet))
    if redis_url or job:
        raise click.UsageError("--redis and --job need --distributed")
    try:
        selected = select_sources(load_sources(sources_file), source_ids)
    except (SourcesError, SourceSelectionError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)

    settings = _settings(settings_overrides, db=db, warc_dir=warc_dir, quiet=quiet)
    url = _db_url(settings, db)
    settings.set("BANTIN_DB", url, priority="cmdline")
    pool = start_parse_pool(settings)
    try:
        # Open (and migrate) the store once, here: a clear error before any crawler starts,
        # and no two crawlers racing to create the schema.
        from archive.store import Store, StoreError

        try:
            store = Store.open(url)
            store.close()
        except (StoreError, OSError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)

        try:
            results = run_crawl(settings, selected, sources_file=sources_file, full=full,
                                refresh=refresh, resume=resume, jobdir=Path(jobdir),
                                quiet=quiet, pool=pool)
        except KeyboardInterrupt:  # Ctrl-C before the crawlers took over the signal
            click.echo("interrupted before the crawl started", err=True)
            sys.exit(EXIT_INTERRUPTED)
    finally:
        pool.close()
    if stats_file:
        write_stats(Path(stats_file), results)
    sys.exit(exit_code(results))


def write_stats(path: Path, results: list[dict[str, Any]]) -> None:
    """{source id: {"status": ..., "stats": {...}}} as JSON (datetimes as ISO strings)."""
    import json

    data = {r["id"]: {"status": r["status"], "failure": r.get("failure"),
                      "stats": r["stats"]} for r in results}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, default=str, ensure_ascii=False, indent=1),
                    encoding="utf-8")


def start_parse_pool(settings: Any) -> ParsePool:
    """The run's parse workers, started now: their start-up (imports and a warm-up page,
    about a second) then overlaps the store check and the crawlers' own start instead of
    holding back the crawl's first pages. One pool for all the sources of a run (a pool per
    source would start sources × workers processes)."""
    from spiders.pages import ParsePool

    pool = ParsePool.from_settings(settings)
    pool.start()
    return pool


def run_crawl(settings: Any, sources: list[Any], *, sources_file: str | None, full: bool,
              refresh: bool, resume: bool, jobdir: Path, quiet: bool,
              pool: ParsePool | None = None) -> list[dict[str, Any]]:
    """One crawler per source in one process (one reactor), sharing `pool` (started here
    when not given); prints the summary."""
    from scrapy.crawler import Crawler, CrawlerProcess

    from spiders.pages import ParsePool
    from spiders.portal import PortalSpider

    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    if pool is None:
        pool = start_parse_pool(settings)
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    for source in sources:
        job = jobdir / source.id
        note = prepare_jobdir(job, resume=resume)
        if not quiet and note != "fresh":
            click.echo(f"[{source.id}] {note}", err=True)
        own = settings.copy()
        own.set("JOBDIR", str(job), priority="cmdline")
        # the first crawler installs the reactor named by TWISTED_REACTOR (as Scrapy's own
        # CrawlerProcess.create_crawler does); each crawler has its own settings (JOBDIR)
        crawler = Crawler(PortalSpider, own, init_reactor=not results)
        setattr(crawler, ParsePool.ATTR, pool)
        result: dict[str, Any] = {"id": source.id, "crawler": crawler, "failure": None}
        results.append(result)

        def failed(failure: Any, result: dict[str, Any] = result) -> None:
            result["failure"] = f"{failure.type.__name__}: {failure.value}"

        d = process.crawl(crawler, source=source.id, sources=sources_file, full=full,
                          refresh=refresh, resume=resume)
        d.addErrback(failed)
    try:
        process.start()
    finally:
        pool.close()
    elapsed = time.monotonic() - started
    for result in results:
        crawler = result.pop("crawler")
        stats = crawler.stats.get_stats() if crawler.stats else {}
        result["stats"] = stats
        reason = stats.get("finish_reason")
        status = stats.get("bantin/run_status")
        if result["failure"]:
            status = "failed"
        elif status is None:
            status = "failed" if reason is None else str(reason)
        if reason == "shutdown":
            status = "interrupted"
        result["status"] = status
        if status == "failed" and not result["failure"]:
            if not stats.get("bantin/run_id") or reason == "store_failed":
                result["failure"] = "the store could not be written (see the log above)"
            else:
                result["failure"] = "no start URL could be fetched"
    click.echo(_summary(results, elapsed))
    return results


def exit_code(results: list[dict[str, Any]]) -> int:
    """0 ran, 1 a source failed as a whole, 130 interrupted (see --help)."""
    if any(r["status"] == "failed" for r in results):
        return EXIT_FAILED
    if any(r["status"] == "interrupted" for r in results):
        return EXIT_INTERRUPTED
    return EXIT_OK
