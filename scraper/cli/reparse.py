"""`bantin reparse`: rebuild article versions from the WARC files with the current parsers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scraper.cli.verify import default_warc_dir, open_store, parse_since


@click.command()
@click.option("--db", metavar="URL", help="Store URL (default: $BANTIN_DB or "
              "sqlite:///data/bantin.db).")
@click.option("--warc-dir", metavar="DIR", default=None,
              help="Directory of the WARC files (default: $BANTIN_WARC_DIR or data/warc).")
@click.option("--source", "source_id", metavar="ID", help="Only pages of this source.")
@click.option("--sources", "sources_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Register the sources of this registry in the store first (needed when "
                   "rebuilding into an empty store).")
@click.option("--since", metavar="DATE", help="Only captures made since DATE "
              "(YYYY-MM-DD or ISO time).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
def command(db: str | None, warc_dir: str | None, source_id: str | None,
            sources_file: str | None, since: str | None, as_json: bool, quiet: bool) -> None:
    """Re-extract every captured article page from the WARC files, with no network.

    Each HTML response record is run through the current extractor and saved like a fresh
    fetch: unchanged content adds nothing, improved extraction adds a new version that
    points at the same WARC record. Running it twice changes nothing the second time. The
    WARC files are only read. A captured page belongs to the source that already has its
    URL, else to the source whose start URLs share its host (pass --sources when rebuilding
    into an empty store). Only pages the crawl fetched as
    articles are re-extracted (the crawl log beside the WARC files says which). New
    versions appear in the event log as "changed", like any other change.

    \b
    Examples:
      bantin reparse                                   after upgrading bantin's parsers
      bantin reparse --source pholu --since 2026-01-01
      bantin reparse --db sqlite:///rebuilt.db --sources sources.yaml   from WARC alone

    \b
    Exit codes:
      0  done (see the counts)
      1  some records could not be read (listed on stderr); the rest were processed
      2  bad usage, no store or no WARC directory
    """
    from archive.reparse import reparse

    since_dt = parse_since(since)
    directory = Path(warc_dir or default_warc_dir())
    if not directory.is_dir():
        raise click.UsageError(f"WARC directory {directory} does not exist (pass --warc-dir)")
    registry = []
    if sources_file:
        from scraper.sources import SourcesError, load_sources

        try:
            registry = load_sources(sources_file)
        except (SourcesError, OSError) as exc:
            raise click.UsageError(str(exc)) from None
    if registry and db:
        from archive.store import Store, StoreError

        try:  # an empty store is created here: rebuilding from the WARC files alone
            store = Store.open(db)
        except StoreError as exc:
            raise click.UsageError(str(exc)) from None
    else:
        store = open_store(db)
    for source in registry:
        store.upsert_source(source)

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    try:
        report = reparse(store, directory, source_id=source_id, since=since_dt,
                         progress=progress)
    finally:
        store.close()
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{report.records} captured pages, {report.articles} articles: "
                   f"{report.new} new, {report.changed} changed, {report.unchanged} unchanged"
                   f" ({report.restored} current versions restored, {report.not_articles} "
                   f"not articles, {report.skipped_unknown_source} of unknown source)")
    sys.exit(1 if report.errors else 0)
