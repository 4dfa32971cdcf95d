"""`bantin verify`: fixity check of the WARC files and of the store's pointers into them."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click


def default_warc_dir() -> str:
    """BANTIN_WARC_DIR from the environment, else the crawl default `data/warc`."""
    return os.environ.get("BANTIN_WARC_DIR", "data/warc")


def parse_since(value: str | None) -> datetime | None:
    """`--since` as an aware datetime (a bare date or naive time is taken as UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+07:00]",
                param_hint="--since") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def store_exists(url: str) -> bool:
    """False for a SQLite file that is not there (opening it would create an empty store)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return path in ("", ":memory:") or Path(path).exists()
    return True


def open_store(db: str | None, *, required: bool = True) -> Any:
    """Open an existing store for reading; None (or a usage error) when there is none."""
    from archive.store import Store, StoreError, masked, resolve_url

    url = resolve_url(db)
    if not store_exists(url):
        if required:
            raise click.UsageError(f"no store at {masked(url)} (pass --db or set BANTIN_DB)")
        return None
    try:
        return Store.open(url)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None


@click.command()
@click.option("--db", metavar="URL", help="Store URL (default: $BANTIN_DB or "
              "sqlite:///data/bantin.db). Without a store only the WARC files are checked.")
@click.option("--warc-dir", metavar="DIR", default=None,
              help="Directory of the WARC files (default: $BANTIN_WARC_DIR or data/warc).")
@click.option("--since", metavar="DATE", help="Only files written and versions fetched since "
              "DATE (YYYY-MM-DD or ISO time).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
def command(db: str | None, warc_dir: str | None, since: str | None, as_json: bool,
            quiet: bool) -> None:
    """Re-read every WARC file, recompute its digests and check the store's pointers.

    Every record's block digest and (for responses and requests) payload digest is
    recomputed from the bytes on disk; then every article version's pointer (WARC file,
    offset, record id, payload digest) must land on an intact record with that id and
    digest. Each problem is printed with its file and byte offset, e.g. to open with
    `warcio extract FILE OFFSET`.

    \b
    Exit codes:
      0  every file and pointer checked out
      1  at least one mismatch, damaged record or dangling pointer
      2  bad usage (unknown option, bad date, WARC directory missing)
    """
    from archive.verify import verify_archive

    since_dt = parse_since(since)
    directory = Path(warc_dir or default_warc_dir())
    if not directory.is_dir():
        raise click.UsageError(f"WARC directory {directory} does not exist (pass --warc-dir)")
    store = open_store(db, required=False)

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    try:
        report = verify_archive(directory, store=store, since=since_dt, progress=progress)
    finally:
        if store is not None:
            store.close()
    if store is None:
        report.warnings.append("no store found: store pointers were not checked")
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        for problem in report.problems:
            click.echo(f"MISMATCH {problem}")
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(f"{verdict}: {report.files} files, {report.records} records, "
                   f"{report.pointers} store pointers checked")
    sys.exit(0 if report.ok else 1)
