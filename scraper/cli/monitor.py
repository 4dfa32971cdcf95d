"""`bantin monitor`: crawl, then report what was published, edited or taken down since last time."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_NOTHING_NEW = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NEW_EVENTS = 3
EXIT_UNHEALTHY = 4


@click.command(name="monitor")
@click.argument("source_ids", nargs=-1, metavar="[ID]...")
@click.option("--name", default="default", show_default=True,
              help="Monitor name: its cursor in the store. Use one name per cron job.")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources registry (default: $BANTIN_SOURCES, ./sources.yaml, the repo's).")
@click.option("--db", help="Store URL (default: $BANTIN_DB, then sqlite:///data/bantin.db).")
@click.option("--feed", "feed_path", type=click.Path(dir_okay=False),
              help="Also write an Atom feed of the most recent events to this file.")
@click.option("--feed-size", default=200, show_default=True, type=click.IntRange(1, 10000),
              help="How many recent events the Atom feed keeps.")
@click.option("--webhook", help="POST each batch of events as JSON to this URL; events stay "
              "pending until the receiver answers 2xx, and go out again on the next run.")
@click.option("--webhook-timeout", default=10.0, show_default=True, type=float)
@click.option("--webhook-retries", default=3, show_default=True, type=click.IntRange(0, 20))
@click.option("--no-crawl", is_flag=True,
              help="Do not crawl: only deliver events already in the store.")
@click.option("--no-refresh", is_flag=True,
              help="Do not re-check known articles (conditional GET): cheaper, but edits are "
              "seen only when a listing shows a newer date.")
@click.option("--jobdir", default="data/jobs", show_default=True,
              type=click.Path(file_okay=False))
@click.option("--warc-dir", type=click.Path(file_okay=False),
              help="Write WARC files here (default: the BANTIN_WARC_DIR setting).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy/bantin setting for the crawl (repeatable).")
def command(source_ids: tuple[str, ...], name: str, sources_file: str | None, db: str | None,
            feed_path: str | None, feed_size: int, webhook: str | None,
            webhook_timeout: float, webhook_retries: int, no_crawl: bool, no_refresh: bool,
            jobdir: str, warc_dir: str | None, overrides: tuple[str, ...]) -> None:
    """Crawl the sources, then print the events since this monitor's last run as JSON Lines.

    \b
    Events: new, changed (with a short diff of title, dates and body), removed (no longer
    listed), gone (the portal answers 404 or "not found"), source_unhealthy (no article,
    every page failing, or extraction failing on most pages: the template changed).
    Counters, "Tin khác" blocks and other chrome never make an article "changed".
    The JSON schema is documented in docs/monitoring.md.

    \b
    The crawl walks every listing (so removals are seen) and re-checks known articles with
    conditional GETs (so edits are seen); --no-refresh skips the re-check.

    \b
    Delivery: stdout always; --webhook and --feed in addition. Each channel has its own
    cursor (NAME, NAME:webhook): an event is handed to a channel until it took it, once.

    \b
    Cron (hourly):
      0 * * * *  cd /srv/bantin && .venv/bin/bantin monitor --name hourly \\
                   --feed /var/www/bantin.atom >> /var/log/bantin/events.jsonl

    \b
    Exit codes:
      0  nothing new
      1  failed: the store cannot be used, the crawl was interrupted, or the webhook did
         not take the events (they stay pending for the next run)
      2  bad usage or sources file
      3  new events (new, changed, removed, gone)
      4  a source is unhealthy (takes precedence over 3)
    """
    from archive.feeds import build_atom, write_atom
    from archive.monitor import CONTENT_EVENTS, assess_health, event_json, record_health
    from archive.store import Store, StoreError
    from scraper.cli.crawl import _db_url, _parse_overrides, _settings, run_crawl, start_parse_pool
    from scraper.sources import SourceSelectionError, SourcesError, load_sources, select_sources

    try:
        selected = select_sources(load_sources(sources_file), source_ids)
        settings_overrides = _parse_overrides(overrides)
    except (SourcesError, SourceSelectionError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except click.BadParameter as exc:
        raise click.UsageError(str(exc)) from None
    selected_ids = [s.id for s in selected]

    settings = _settings(settings_overrides, db=db, warc_dir=warc_dir, quiet=True)
    url = _db_url(settings, db)
    settings.set("BANTIN_DB", url, priority="cmdline")
    pool = start_parse_pool(settings) if not no_crawl else None
    try:
        store = Store.open(url)
    except (StoreError, OSError) as exc:
        if pool is not None:
            pool.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)

    failed = False
    if not no_crawl:
        # stdout carries the events: the crawl's summary goes to stderr
        with contextlib.redirect_stdout(sys.stderr):
            results = run_crawl(settings, selected, sources_file=sources_file, full=True,
                                refresh=not no_refresh, resume=False, jobdir=Path(jobdir),
                                quiet=True, pool=pool)
        for result in results:
            if result["status"] == "interrupted":
                failed = True
            run_id = result["stats"].get("bantin/run_id")
            run = store.get_run(run_id) if run_id else None
            counts: dict[str, Any] = dict(run["counts"]) if run else {}
            errors = list(run["errors"]) if run else []
            if not run:
                counts = {"pages": result["stats"].get("response_received_count", 0)}
                errors = [{"kind": "crawl", "message": result.get("failure") or "no run"}]
            health = assess_health(store, result["id"], run_id, counts, errors)
            record_health(store, health)

    exit_code = EXIT_NOTHING_NEW

    def note(batch: list[dict[str, Any]]) -> None:
        nonlocal exit_code
        kinds = {e["kind"] for e in batch}
        if "source_unhealthy" in kinds:
            exit_code = EXIT_UNHEALTHY
        elif kinds & CONTENT_EVENTS and exit_code == EXIT_NOTHING_NEW:
            exit_code = EXIT_NEW_EVENTS

    # stdout channel
    cursor = store.get_cursor(name)
    events = store.events_after(cursor, selected_ids)
    batch = event_json(store, events)
    for item in batch:
        click.echo(json.dumps(item, ensure_ascii=False))
    sys.stdout.flush()
    if events:
        store.set_cursor(name, events[-1].id)
    note(batch)

    if webhook:
        from archive.webhook import post_batch

        hook_name = f"{name}:webhook"
        pending = store.events_after(store.get_cursor(hook_name), selected_ids)
        if pending:
            delivery = post_batch(webhook, event_json(store, pending), monitor=name,
                                  timeout=webhook_timeout, retries=webhook_retries)
            if delivery.ok:
                store.set_cursor(hook_name, pending[-1].id)
                click.echo(f"webhook: {len(pending)} event(s) delivered", err=True)
            else:
                failed = True
                click.echo(f"error: webhook: {delivery.error} after {delivery.attempts} "
                           f"attempt(s); {len(pending)} event(s) kept pending", err=True)

    if feed_path:
        from archive.monitor import recent_events

        recent = event_json(store, recent_events(store, selected_ids, feed_size))
        title = "bantin: " + (", ".join(selected_ids) if source_ids else "mọi nguồn")
        feed_id = "urn:bantin:monitor:" + name + (":" + ",".join(selected_ids) if source_ids
                                                 else "")
        try:
            write_atom(feed_path, build_atom(recent, feed_id=feed_id, title=title))
        except OSError as exc:
            failed = True
            click.echo(f"error: cannot write feed {feed_path}: {exc}", err=True)

    store.close()
    sys.exit(EXIT_FAILED if failed else exit_code)
