"""`bantin db`: create, upgrade and inspect the archive store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from scraper.cli.search import DB_HELP

if TYPE_CHECKING:
    from archive.store import Store

T = TypeVar("T")


def _open(db_url: str | None, *, migrate: bool):
    from archive.store import Store, StoreError

    try:
        return Store.open(db_url, migrate=migrate)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _with_store(db_url: str | None, action: Callable[[Store], T], *,
                migrate: bool = True) -> tuple[Store, T]:
    """Open the store, return (store, action(store)) and close it; a StoreError is one
    line on stderr and exit 1."""
    from archive.store import StoreError

    store = _open(db_url, migrate=migrate)
    try:
        return store, action(store)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()


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
    from archive.store import masked

    store, (before, after) = _with_store(db_url, lambda s: s.upgrade(), migrate=False)
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
    from archive.store import masked

    store, n = _with_store(db_url, lambda s: s.rebuild_search_index())
    click.echo(f"{masked(store.url)}: re-indexed {n} article(s)")


@command.command()
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def optimize(db_url: str | None) -> None:
    """Merge the search index and refresh planner statistics (run after a big crawl).

    A crawl adds to the full-text index in small segments; searches read every segment, so
    a store filled by a large backfill answers faster once they are merged. Takes minutes
    on a million articles; searches keep working meanwhile (SQLite: writers wait).
    """
    from archive.store import masked

    store, done = _with_store(db_url, lambda s: s.optimize())
    click.echo(f"{masked(store.url)}: optimized ({'; '.join(done)})")
