"""`bantin export`: every archived record with its provenance, as JSON Lines or CSV."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from scraper.cli.search import filter_options, make_filters, open_store


@click.command(
    epilog="\b\nExit codes: 0 exported (possibly zero rows), 1 the store cannot be opened or "
    "the output cannot be written, 2 bad usage.",
)
@click.argument("query", required=False, default="")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically: FILE appears complete or not at all); "
                   "default standard output.")
@click.option("--all-versions", is_flag=True,
              help="One row per version (history), not only the current version.")
def command(query: str, db_url: str | None, sources: tuple[str, ...], unit: str | None,
            date_from: str | None, date_to: str | None, official: str | None, fmt: str,
            output: Path | None, all_versions: bool) -> None:
    """Export archived articles with provenance, streaming.

    Each row: source id and name, the unit (level, province, district, commune, successor)
    as named when captured, article id and status, first/last seen, version number and
    content hash, fetched at, HTTP status, the WARC file/offset/record id/payload digest when
    captured, and every extracted field (URL, canonical URL, title, dates, authors, officials,
    lead, body, images, attachments, warnings). In CSV, list fields are JSON in their cell.
    An optional QUERY (same syntax as `bantin search`) narrows the export.

    \b
    Examples:
      bantin export --format jsonl -o all.jsonl
      bantin export "thi đua" --unit "Bảo Thắng" --from 2023 --format csv -o thidua.csv
    """
    from archive.export import iter_export, write_csv, write_jsonl
    from archive.search import SearchError

    filters = make_filters(sources, unit, date_from, date_to, official)
    store = open_store(db_url)
    writer = write_csv if fmt == "csv" else write_jsonl
    try:
        rows = iter_export(store, query, filters=filters, all_versions=all_versions)
        if output is None:
            count = writer(rows, sys.stdout)
        else:
            part = output.with_name(output.name + ".part")
            try:
                with open(part, "w", encoding="utf-8", newline="") as out:
                    count = writer(rows, out)
                os.replace(part, output)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    part.unlink()
                click.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
                sys.exit(1)
    except SearchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(f"exported {count} row(s)" + (f" to {output}" if output else ""), err=True)
