"""`bantin package`: a WACZ 1.2.0 file of one crawl run (or of the whole archive)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scraper.cli.verify import default_warc_dir, open_store


@click.command()
@click.argument("run", required=False, type=int, metavar="RUN")
@click.option("--all", "all_runs", is_flag=True, help="Every closed WARC file, not one run.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              metavar="FILE.wacz", help="Where to write the package.")
@click.option("--db", metavar="URL", help="Store URL for the pages list (default: "
              "$BANTIN_DB or sqlite:///data/bantin.db). Without a store pages.jsonl is empty.")
@click.option("--warc-dir", metavar="DIR", default=None,
              help="Directory of the WARC files (default: $BANTIN_WARC_DIR or data/warc).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
def command(run: int | None, all_runs: bool, output: str, db: str | None,
            warc_dir: str | None, quiet: bool) -> None:
    """Package crawl run RUN (or --all) as a WACZ 1.2.0 file for ReplayWeb.page or pywb.

    The package holds the run's WARC files (plus the earlier files its revisit records
    point to), a CDXJ index, pages/pages.jsonl with each article's URL, capture time, title
    and text, and datapackage.json with the SHA-256 and size of every file. The run number
    is the one `bantin crawl` prints ("sample (run 3)").

    \b
    Examples:
      bantin package 3 --output pholu-run3.wacz
      bantin package --all --output archive.wacz

    \b
    Exit codes:
      0  package written
      1  nothing to package (no WARC file of that run) or a WARC file unreadable
      2  bad usage (RUN and --all both or neither, WARC directory missing)
    """
    from archive.wacz import PackageError, package

    if (run is None) == (not all_runs):
        raise click.UsageError("give a run number or --all (not both)")
    directory = Path(warc_dir or default_warc_dir())
    if not directory.is_dir():
        raise click.UsageError(f"WARC directory {directory} does not exist (pass --warc-dir)")
    if not output.endswith(".wacz"):
        raise click.UsageError(f"--output {output}: a WACZ file name must end in .wacz")
    store = open_store(db, required=False)

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    try:
        result = package(directory, output, run_id=run, store=store, progress=progress)
    except PackageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        if store is not None:
            store.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {result.path}: {len(result.warc_files)} WARC file(s), "
               f"{result.cdxj_lines} index lines, {result.pages} pages")
