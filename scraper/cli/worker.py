"""`bantin worker`: one process of a distributed crawl (shared Redis frontier, one store)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def worker_settings(*, redis_url: str | None, job: str | None, db: str | None,
                    warc_dir: str | None, idle_timeout: float | None,
                    lease_timeout: float | None, name: str | None,
                    overrides: dict[str, str], quiet: bool = False) -> Any:
    """The settings of one worker: the project's, the frontier's and the command line's."""
    from scrapy.settings import Settings

    from scraper import redis_frontier as rf

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("LOG_LEVEL", "ERROR" if quiet else "INFO", priority="project")
    settings.set("BANTIN_PROGRESS_ENABLED", False, priority="project")
    worker = name or rf.default_worker_name()
    for key, value in rf.distributed_settings(redis_url=redis_url, job=job,
                                              idle_timeout=idle_timeout,
                                              worker=worker).items():
        settings.set(key, value, priority="cmdline")
    # Each host's delay holds across all workers (SharedPolitenessMiddleware).
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.update(rf.WORKER_MIDDLEWARES)
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    if lease_timeout is not None:
        settings.set("BANTIN_REDIS_LEASE_TIMEOUT", lease_timeout, priority="cmdline")
    # WARC files of this worker carry its name: several workers may share one directory.
    base = settings.get("BANTIN_WARC_PREFIX") or "bantin"
    settings.set("BANTIN_WARC_PREFIX", f"{base}-{worker}", priority="cmdline")
    if db:
        settings.set("BANTIN_DB", db, priority="cmdline")
    if warc_dir:
        settings.set("BANTIN_WARC_DIR", warc_dir, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def politeness_slots(sources: list[Any], *, delay: bool = True,
                     concurrency: bool = True) -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS for the sources' own delay/concurrency (one worker serves them all).

    As in `bantin crawl`, a DOWNLOAD_DELAY or CONCURRENT_REQUESTS_PER_DOMAIN given on the
    command line wins over the sources' values (`delay`/`concurrency` False).
    """
    from scraper.redis_frontier import urlsplit_host

    slots: dict[str, dict[str, Any]] = {}
    for source in sources:
        slot: dict[str, Any] = {}
        if delay and getattr(source, "delay", None) is not None:
            slot["delay"] = float(source.delay)
        if concurrency and getattr(source, "concurrency", None):
            slot["concurrency"] = int(source.concurrency)
        if not slot:
            continue
        for url in source.start_urls:
            host = urlsplit_host(url)
            if host:
                slots[host] = dict(slot)
    return slots


def _parse_overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"-s {value!r} is not NAME=VALUE")
        out[key.strip()] = setting
    return out


def prepared_settings(*, redis_url: str | None, job: str | None, db: str | None,
                      warc_dir: str | None, sources_file: str | None,
                      idle_timeout: float | None = None, lease_timeout: float | None = None,
                      name: str | None = None, overrides: dict[str, str] | None = None,
                      quiet: bool = False) -> tuple[Any, list[Any]]:
    """A worker's settings and the sources registry, ready to run.

    Adds the sources' politeness (DOWNLOAD_SLOTS) and resolves the store URL (--db, else
    $BANTIN_DB, else the setting). Raises FrontierError (bad job) or SourcesError.
    """
    from scraper.sources import load_sources

    given = dict(overrides or {})
    settings = worker_settings(redis_url=redis_url, job=job, db=db, warc_dir=warc_dir,
                               idle_timeout=idle_timeout, lease_timeout=lease_timeout,
                               name=name, overrides=given, quiet=quiet)
    sources = load_sources(sources_file)
    if sources_file:
        settings.set("BANTIN_SOURCES", sources_file, priority="cmdline")
    slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
    for host, slot in politeness_slots(
            sources, delay="DOWNLOAD_DELAY" not in given,
            concurrency="CONCURRENT_REQUESTS_PER_DOMAIN" not in given).items():
        slots.setdefault(host, slot)
    settings.set("DOWNLOAD_SLOTS", slots, priority="cmdline")
    env = os.environ.get("BANTIN_DB")
    url = env if env and settings.getpriority("BANTIN_DB") <= 20 else settings.get("BANTIN_DB")
    settings.set("BANTIN_DB", url, priority="cmdline")
    return settings, sources


@click.command(name="worker")
@click.option("--redis", "redis_url", metavar="URL",
              help="The shared frontier (default: BANTIN_REDIS_URL, redis://127.0.0.1:6379/0).")
@click.option("--job", metavar="NAME",
              help="Crawl job to work on; `bantin enqueue --job` seeds it (default: default).")
@click.option("--db", metavar="URL",
              help="The one store of every worker, e.g. postgresql+psycopg://bantin@db/bantin "
              "(default: $BANTIN_DB, then the BANTIN_DB setting).")
@click.option("--warc-dir", type=click.Path(file_okay=False),
              help="Directory for this worker's WARC files (named bantin-<worker>-...).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources registry; every worker must use the same one.")
@click.option("--idle-timeout", type=float, metavar="S",
              help="Stop once the job's queue and in-flight requests have been empty for S "
              "seconds (BANTIN_REDIS_IDLE_TIMEOUT, default 30; 0: never stop).")
@click.option("--lease-timeout", type=float, metavar="S",
              help="Requests of a worker silent for S seconds go back to the queue "
              "(BANTIN_REDIS_LEASE_TIMEOUT, default 120).")
@click.option("--name", metavar="NAME", help="Worker name (default: <hostname>-<pid>).")
@click.option("--refresh", is_flag=True, help="Re-fetch articles already stored.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy/bantin setting, e.g. -s CONCURRENT_REQUESTS=32 (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors in the log; summary at the end.")
def command(redis_url: str | None, job: str | None, db: str | None, warc_dir: str | None,
            sources_file: str | None, idle_timeout: float | None, lease_timeout: float | None,
            name: str | None, refresh: bool, overrides: tuple[str, ...], quiet: bool) -> None:
    """Crawl from the shared Redis frontier into the shared store until the job is idle.

    \b
    Start any number of workers, on any number of machines, with the same --redis, --db and
    sources registry; seed the job with `bantin enqueue` (before or after they start). Each
    worker takes requests from the job's queue, stores what it fetches, puts the links it
    finds back into the queue, and writes its own WARC files (bantin-<host>-<pid>-...).

    \b
    Nothing is lost if a worker dies: the requests it held go back to the queue when their
    lease runs out (--lease-timeout) and another worker, or this one restarted, crawls
    them. A worker stops when the job's queue and in-flight requests have been empty for
    --idle-timeout seconds; Ctrl-C or SIGTERM puts its unfinished requests back at once.

    \b
    Examples:
      bantin enqueue --redis redis://frontier:6379/0 --job laocai
      bantin worker --redis redis://frontier:6379/0 --job laocai \\
          --db postgresql+psycopg://bantin@db/bantin --warc-dir /srv/bantin/warc

    \b
    Exit codes:
      0    the job ran dry and the worker stopped (pages that failed are in the run record)
      1    the worker could not run: Redis or the store unreachable, crawler failure
      2    bad usage: unknown option, bad job name, invalid sources file
      130  interrupted (Ctrl-C or SIGTERM); its requests went back to the queue
    """
    from archive.store import Store, StoreError
    from scraper import redis_frontier as rf
    from scraper.sources import SourcesError

    try:
        settings, _ = prepared_settings(
            redis_url=redis_url, job=job, db=db, warc_dir=warc_dir, sources_file=sources_file,
            idle_timeout=idle_timeout, lease_timeout=lease_timeout, name=name,
            overrides=_parse_overrides(overrides), quiet=quiet)
    except (rf.FrontierError, SourcesError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        rf.connect(str(rf.setting(settings, "BANTIN_REDIS_URL"))).close()
        Store.open(settings.get("BANTIN_DB")).close()  # migrate once, before any request
    except (rf.FrontierError, StoreError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)

    stats, failure = run_worker(settings, sources_file=sources_file, refresh=refresh)
    click.echo(summary(settings, stats, failure))
    sys.exit(exit_code(stats, failure))


def run_worker(settings: Any, *, sources_file: str | None,
               refresh: bool = False) -> tuple[dict[str, Any], str | None]:
    """Run one worker crawler to its end; returns its stats and a failure message."""
    from scrapy.crawler import CrawlerProcess

    from scraper.redis_frontier import WorkerSpider

    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(WorkerSpider)
    failure: list[str] = []
    d = process.crawl(crawler, sources=sources_file, refresh=refresh)
    d.addErrback(lambda f: failure.append(f"{f.type.__name__}: {f.value}"))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return stats, (failure[0] if failure else None)


def summary(settings: Any, stats: dict[str, Any], failure: str | None) -> str:
    from scraper import redis_frontier as rf

    lines = [f"bantin worker {rf.setting(settings, 'BANTIN_REDIS_WORKER')} "
             f"(job {rf.setting(settings, 'BANTIN_REDIS_JOB')}, run "
             f"{stats.get('bantin/run_id')}): {stats.get('finish_reason', 'failed')}"]
    if failure:
        lines.append(f"  failure         {failure}")
    lines.append(f"  pages fetched   {stats.get('response_received_count', 0)}"
                 f" ({stats.get('scheduler/dequeued/redis', 0)} requests taken from the queue,"
                 f" {stats.get('scheduler/enqueued/redis', 0)} queued)")
    lines.append("  articles        {} new, {} changed, {} unchanged".format(
        stats.get("bantin/new", 0), stats.get("bantin/changed", 0),
        stats.get("bantin/unchanged", 0)))
    lines.append(f"  errors          {stats.get('bantin/errors', 0)}")
    if stats.get("bantin/redis/requeued_expired"):
        lines.append(f"  re-queued       {stats['bantin/redis/requeued_expired']} requests "
                     "of a worker that stopped renewing its leases")
    if stats.get("bantin/redis/refused"):
        lines.append(f"  refused         {stats['bantin/redis/refused']} queue entries "
                     "(not bantin JSON; kept in the job's :bad list)")
    return "\n".join(lines)


def exit_code(stats: dict[str, Any], failure: str | None) -> int:
    reason = stats.get("finish_reason")
    if failure or reason is None or stats.get("bantin/run_status") == "failed":
        return EXIT_FAILED
    if reason == "shutdown":
        return EXIT_INTERRUPTED
    return EXIT_OK


def crawl_distributed(source_ids: list[str], *, sources_file: str | None,
                      redis_url: str | None, job: str | None, db: str | None,
                      warc_dir: str | None, refresh: bool = False,
                      overrides: dict[str, str] | None = None, quiet: bool = False) -> int:
    """`bantin crawl --distributed`: seed the job with these sources, then work on it here.

    The same as `bantin enqueue IDS` followed by `bantin worker` in this process; more
    workers (`bantin worker`, any machine) can join the same --redis/--job at any time.
    Returns the exit code (see `command`'s --help).
    """
    from archive.store import Store, StoreError
    from scraper import redis_frontier as rf
    from scraper.cli.enqueue import seed_job
    from scraper.sources import SourcesError

    try:
        settings, sources = prepared_settings(
            redis_url=redis_url, job=job, db=db, warc_dir=warc_dir, sources_file=sources_file,
            overrides=overrides, quiet=quiet)
    except (rf.FrontierError, SourcesError) as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    known = {s.id for s in sources}
    unknown = [i for i in source_ids if i not in known]
    if unknown:
        click.echo(f"error: unknown source id(s): {', '.join(unknown)}; known: "
                   f"{', '.join(sorted(known)) or 'none'}", err=True)
        return EXIT_USAGE
    try:
        Store.open(settings.get("BANTIN_DB")).close()
        report = seed_job(settings, list(source_ids) or sorted(known),
                          sources_file=sources_file)
    except (StoreError, OSError, rf.FrontierError) as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_FAILED
    if not quiet:
        click.echo(f"job {report['job']}: queued {report['queued']} start request(s)", err=True)
    stats, failure = run_worker(settings, sources_file=sources_file, refresh=refresh)
    click.echo(summary(settings, stats, failure))
    return exit_code(stats, failure)
