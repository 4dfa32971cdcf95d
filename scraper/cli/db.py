"""`bantin db`: create, upgrade and inspect the archive store."""

from __future__ import annotations

import json
import sys

import click

from scraper.cli.search import DB_HELP


def _open(db_url: str | None, *, migrate: bool):
    from archive.store import Store, StoreError

    try:
        return Store.open(db_url, migrate=migrate)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@click.group(epilog="Exit codes: 0 success, 1 the store cannot be opened or upgraded.")
def command() -> None:
    """Create, upgrade and inspect the archive store (SQLite file or PostgreSQL).

    The store URL comes from --db, else $BANTIN_DB, else sqlite:///data/bantin.db.
    PostgreSQL: postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME.
    """


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def upgrade(db_url: str | None) -> None:
    """Create the store or apply pending schema migrations (data is kept)."""
    from archive.store import StoreError, masked

    store = _open(db_url, migrate=False)
    try:
        before, after = store.upgrade()
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    if before == after:
        click.echo(f"{masked(store.url)}: already at revision {after} (newest)")
    else:
        click.echo(f"{masked(store.url)}: upgraded {before or 'empty'} -> {after}")


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def current(db_url: str | None) -> None:
    """Show the schema revision of the store and the newest this bantin knows."""
    from archive.store import head_revision, masked

    store = _open(db_url, migrate=False)
    try:
        rev = store.current_revision()
    finally:
        store.close()
    head = head_revision()
    state = "up to date" if rev == head else "needs `bantin db upgrade`"
    click.echo(f"{masked(store.url)}: revision {rev or 'none (empty)'}; newest {head}; {state}")


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def stats(db_url: str | None, fmt: str) -> None:
    """Articles per source and status (present, removed, gone) and table totals."""
    store = _open(db_url, migrate=True)
    try:
        data = store.stats()
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Articles per source")
    for col in ("source", "name", "present", "removed", "gone"):
        table.add_column(col, justify="right" if col in ("present", "removed", "gone") else "left")
    for source_id, row in data["sources"].items():
        table.add_row(source_id, row.get("name") or "", *(str(row.get(k, 0))
                      for k in ("present", "removed", "gone")))
    console = Console()
    console.print(table)
    console.print(
        f"articles {data['articles']} · versions {data['versions']} · officials "
        f"{data['officials']} · events {data['events']} · crawl runs {data['runs']}"
    )


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def reindex(db_url: str | None) -> None:
    """Rebuild the search index from the current version of every article."""
    from archive.store import StoreError, masked

    store = _open(db_url, migrate=True)
    try:
        n = store.rebuild_search_index()
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(f"{masked(store.url)}: re-indexed {n} article(s)")


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def optimize(db_url: str | None) -> None:
    """Merge the search index and refresh planner statistics (run after a big crawl).

    A crawl adds to the full-text index in small segments; searches read every segment, so
    a store filled by a large backfill answers faster once they are merged. Takes minutes
    on a million articles; searches keep working meanwhile (SQLite: writers wait).
    """
    from archive.store import StoreError, masked

    store = _open(db_url, migrate=True)
    try:
        done = store.optimize()
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(f"{masked(store.url)}: optimized ({'; '.join(done)})")
