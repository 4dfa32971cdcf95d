"""`bantin search`: find archived articles with or without diacritics."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import click

from archive.search import QUERY_HELP

DB_HELP = "Store URL (default: $BANTIN_DB, else sqlite:///data/bantin.db)."


def parse_day(value: str | None, *, end: bool = False) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (also DD/MM/YYYY); `end` picks the last day of the period."""
    import calendar

    if not value:
        return None
    text = value.strip()
    try:
        if "/" in text:
            d, m, y = (int(p) for p in text.split("/"))
            return date(y, m, d)
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return date(parts[0], parts[1], last if end else 1)
        return date(parts[0], parts[1], parts[2])
    except (ValueError, TypeError):
        raise click.BadParameter(
            f"{value!r} is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY)"
        ) from None


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The filters shared by `bantin search` and `bantin export`."""
    options = [
        click.option("--db", "db_url", metavar="URL", help=DB_HELP),
        click.option("--source", "sources", multiple=True, metavar="ID",
                     help="Only this source (repeatable)."),
        click.option("--unit", metavar="NAME",
                     help="Province, district or commune name at capture time "
                          "(diacritics optional, e.g. 'Pho Lu' or 'Bảo Thắng')."),
        click.option("--from", "date_from", metavar="DATE",
                     help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--to", "date_to", metavar="DATE",
                     help="Published on or before (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--official", metavar="NAME",
                     help="Only articles naming this person (diacritics optional); "
                          "shows the positions they held over time."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_filters(sources: tuple[str, ...], unit: str | None, date_from: str | None,
                 date_to: str | None, official: str | None) -> Any:
    from archive.search import Filters

    start, end = parse_day(date_from), parse_day(date_to, end=True)
    if start and end and start > end:
        raise click.BadParameter(f"--from {date_from} is after --to {date_to}")
    return Filters(sources=list(sources) or None, unit=unit, date_from=start, date_to=end,
                   official=official)


def open_store(db_url: str | None) -> Any:
    from archive.store import Store, StoreError

    try:
        return Store.open(db_url)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@click.command(
    epilog="\b\n" + QUERY_HELP + "\n\n\b\nSnippets mark matched words «like this».\n"
    "Exit codes: 0 results (or none found), 1 the store cannot be opened, "
    "2 bad usage or a query that cannot be run.",
)
@click.argument("query", required=False, default="")
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance",
              show_default=True, help="relevance: exact diacritics, then title, then newest.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--timeline", type=click.Choice(["month", "year"]),
              help="Instead of articles, count matching articles per month or year.")
def command(query: str, db_url: str | None, sources: tuple[str, ...], unit: str | None,
            date_from: str | None, date_to: str | None, official: str | None, sort: str,
            limit: int, fmt: str, timeline: str | None) -> None:
    """Search the archive, with or without diacritics.

    \b
    Examples:
      bantin search "pho lu thi dua"                 finds "Phố Lu ... thi đua"
      bantin search "Phố Lu thi đua"                 exact diacritics rank first
      bantin search '"thi đua" -lũ' --from 2023      phrase, exclusion, date
      bantin search --official "Nguyen Van Chac"     articles naming a person
      bantin search "thi đua" --timeline year        counts per year
    """
    from archive.search import SearchError, search
    from archive.search import timeline as run_timeline

    filters = make_filters(sources, unit, date_from, date_to, official)
    store = open_store(db_url)
    try:
        if timeline:
            counts, notes = run_timeline(store, query, period=timeline, filters=filters)
            _print_notes(notes)
            _print_timeline(counts, timeline, fmt)
            return
        result = search(store, query, filters=filters, sort=sort, limit=limit)
    except SearchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    _print_notes(result.notes)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        _print_csv(result)
    else:
        _print_table(result)


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"note: {note}", err=True)


def _print_timeline(counts: list[tuple[str, int]], period: str, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([{"period": p, "count": n} for p, n in counts], indent=2))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["period", "count"])
        writer.writerows(counts)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Matching articles per {period}")
    table.add_column(period)
    table.add_column("articles", justify="right")
    table.add_column("")
    top = max((n for _, n in counts), default=1)
    for p, n in counts:
        table.add_row(p, str(n), "█" * max(1, round(30 * n / top)))
    Console().print(table)


def _print_csv(result: Any) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    cols = ["article_id", "version", "source_id", "published_at", "status", "exact_matches",
            "province", "district", "commune", "title", "url", "snippet", "positions"]
    writer.writerow(cols)
    for hit in result.hits:
        row = hit.to_dict()
        row["positions"] = json.dumps(row["positions"], ensure_ascii=False)
        writer.writerow([row[c] if row[c] is not None else "" for c in cols])


def _print_table(result: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    more = "+" if result.total_capped else ""
    shown = len(result.hits)
    if result.official:
        off = result.official
        console.print(f"[bold]{escape(', '.join(off['names']))}[/bold] — positions over time:")
        for p in off["positions"]:
            span = p["first"] if p["first"] == p["last"] else f"{p['first']} → {p['last']}"
            expanded = f" ({p['position_expanded']})" if p["position_expanded"] else ""
            console.print(f"  {span or 'undated'}: {escape(p['position'] or '—')}"
                          f"{escape(expanded)}  [{p['articles']} article(s)]")
    if not result.hits:
        console.print("No matching articles.")
        return
    table = Table(title=f"{result.total}{more} matching articles (showing {shown})",
                  show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("published")
    table.add_column("source / unit")
    table.add_column("article")
    for n, hit in enumerate(result.hits, 1):
        unit = " · ".join(x for x in (hit.commune, hit.district, hit.province) if x)
        status = "" if hit.status == "present" else f"\n[red]{hit.status}[/red]"
        snippet = escape(hit.snippet).replace("«", "[bold yellow]«").replace("»", "»[/bold yellow]")
        title = escape(hit.title or "(no title)")
        text = f"[bold]{title}[/bold]\n{snippet}\n[dim]{escape(hit.url)} (v{hit.version})[/dim]"
        if hit.positions:
            text += "\n" + "; ".join(escape(f"{p['name']}: {p['position']}") for p in hit.positions)
        table.add_row(str(n), (hit.published_at or "")[:10] + status,
                      f"{hit.source_id}\n[dim]{escape(unit)}[/dim]", text)
    console.print(table)
