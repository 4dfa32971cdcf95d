"""`bantin enqueue`: seed a distributed crawl job with sources' start URLs."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def seed_job(settings: Any, source_ids: list[str], *, sources_file: str | None,
             reset: bool = False) -> dict[str, Any]:
    """Queue the start requests of `source_ids` in the job named by the settings.

    The requests are exactly those PortalSpider.start() makes (robots.txt for its sitemaps,
    the start URLs), with the source id in their meta, JSON-serialised, through the job's
    dupefilter (same fingerprinter as the workers). When the job is idle this starts a new
    crawl of it (the previous crawl's fingerprints are forgotten); when it is running, the
    seeds join it. Returns what happened, for the report.
    """
    from scrapy.crawler import Crawler
    from scrapy.utils.misc import build_from_crawler, load_object

    from scraper import redis_frontier as rf

    keys = rf.FrontierKeys.from_settings(settings)
    server = rf.connect(str(rf.setting(settings, "BANTIN_REDIS_URL")))
    try:
        if reset:
            rf.delete_job(server, keys)
        new_crawl = rf.begin_crawl(server, keys)
        own = settings.copy()
        own.set("BANTIN_CRAWL_INCREMENTAL", False, priority="cmdline")  # workers load them
        crawler = Crawler(rf.WorkerSpider, own)
        crawler.stats = load_object(own["STATS_CLASS"])(crawler)
        crawler.request_fingerprinter = build_from_crawler(
            load_object(own["REQUEST_FINGERPRINTER_CLASS"]), crawler)
        spider = rf.WorkerSpider.from_crawler(crawler, sources=sources_file)
        dupefilter = rf.RedisDupeFilter(
            server, keys.seen, fingerprinter=crawler.request_fingerprinter,
            ttl=float(rf.setting(own, "BANTIN_REDIS_DUPEFILTER_TTL")))
        queue = rf.LeasedPriorityQueue(server, spider, keys, rf, lease_timeout=60.0,
                                       worker="enqueue")

        async def requests_of(source_id: str) -> list[Any]:
            return await spider.seed_requests(source_id)

        queued = seen = 0
        for source_id in source_ids:
            for request in asyncio.run(requests_of(source_id)):
                if dupefilter.request_seen(request):
                    seen += 1
                    continue
                queue.push(request)
                queued += 1
        return {"job": keys.job, "new_crawl": new_crawl, "queued": queued,
                "already_seen": seen, "sources": len(source_ids),
                "status": rf.job_status(server, keys)}
    finally:
        server.close()


@click.command(name="enqueue")
@click.argument("source_ids", nargs=-1, metavar="[ID]...")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources registry (default: $BANTIN_SOURCES, ./sources.yaml, the repo's); "
              "the workers must use the same one.")
@click.option("--redis", "redis_url", metavar="URL",
              help="The shared frontier (default: BANTIN_REDIS_URL, redis://127.0.0.1:6379/0).")
@click.option("--job", metavar="NAME", help="Crawl job to seed (default: default).")
@click.option("--reset", is_flag=True,
              help="Drop the job's queue, in-flight requests and fingerprints first "
              "(only when no worker is running it).")
@click.option("--status", "status_only", is_flag=True,
              help="Only show the job's queue, in-flight requests and workers.")
def command(source_ids: tuple[str, ...], sources_file: str | None, redis_url: str | None,
            job: str | None, reset: bool, status_only: bool) -> None:
    """Put sources' start URLs in a distributed crawl job (all sources when no ID is given).

    \b
    Workers (`bantin worker`) running on the same --redis and --job pick the requests up,
    whether they were started before or after. Into an idle job this starts a new crawl (the
    previous crawl's fingerprints are forgotten, so listings are walked again); into a job
    that is still running, the seeds join the running crawl and URLs it already saw are not
    queued again.

    \b
    Examples:
      bantin enqueue --redis redis://frontier:6379/0 --job laocai      every source
      bantin enqueue pholu baothang --job laocai                       two sources
      bantin enqueue --job laocai --status                             how far it got

    \b
    Exit codes:
      0    seeds queued (or status shown)
      1    Redis unreachable
      2    bad usage: unknown source id, invalid sources file, bad job name
    """
    from scraper import redis_frontier as rf
    from scraper.cli.worker import worker_settings
    from scraper.sources import SourceSelectionError, SourcesError, load_sources, select_sources

    try:
        settings = worker_settings(redis_url=redis_url, job=job, db=None, warc_dir=None,
                                   idle_timeout=None, lease_timeout=None, name="enqueue",
                                   overrides={}, quiet=True)
    except rf.FrontierError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    keys = rf.FrontierKeys.from_settings(settings)
    url = str(rf.setting(settings, "BANTIN_REDIS_URL"))
    if status_only:
        try:
            server = rf.connect(url)
        except rf.FrontierError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILED)
        click.echo(format_status(keys, rf.job_status(server, keys)))
        sys.exit(EXIT_OK)
    try:
        sources = load_sources(sources_file)
    except SourcesError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if sources_file:
        settings.set("BANTIN_SOURCES", sources_file, priority="cmdline")

    try:
        selected = [s.id for s in select_sources(sources, source_ids)]
    except SourceSelectionError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        report = seed_job(settings, selected, sources_file=sources_file, reset=reset)
    except rf.FrontierError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    what = "new crawl" if report["new_crawl"] else "joined the running crawl"
    click.echo(f"job {report['job']}: {what}; queued {report['queued']} start request(s) "
               f"for {report['sources']} source(s)"
               + (f", {report['already_seen']} already seen" if report["already_seen"] else ""))
    click.echo(format_status(keys, report["status"]))
    sys.exit(EXIT_OK)


def format_status(keys: Any, status: Any) -> str:
    lines = [f"job {keys.job}: {status.queued} queued, {status.inflight} in flight, "
             f"{status.seen} URLs seen" + (f", {status.bad} refused" if status.bad else "")]
    for name, w in sorted(status.workers.items()):
        lines.append(f"  worker {name}: {w.get('state')}, {w.get('responses', 0)} pages, "
                     f"{w.get('items', 0)} items, holds {w.get('held', 0)} "
                     f"(updated {w.get('updated')})")
    return "\n".join(lines)
