"""The `bantin` command line.

Each command lives in its own module of this package and is imported only when it runs, so
`bantin extract` does not pay for Scrapy or SQLAlchemy imports it does not use.

Exit codes shared by every command: 0 success, 1 the job failed, 2 bad usage or bad input
(click's own convention). Commands document further codes in their --help.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from scraper import __version__

# command name -> "module:attribute" inside this package
COMMANDS: dict[str, str] = {
    "extract": "extract:command",
    "crawl": "crawl:command",
    "sources": "sources:command",
    "sample-portal": "sample_portal:command",
    "db": "db:command",
    "search": "search:command",
    "export": "export:command",
    "show": "show:command",
    "verify": "verify:command",
    "reparse": "reparse:command",
    "package": "package:command",
    "monitor": "monitor:command",
    "enqueue": "enqueue:command",
    "worker": "worker:command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None
            raise
        return getattr(module, attr)

    @staticmethod
    def _available(name: str) -> bool:
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(f"{__name__}.{module_name}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bantin")
def main() -> None:
    """bantin: scrape and archive Vietnamese government news portals.

    \b
    Typical flow:
      bantin sources list                  what portals are registered
      bantin crawl                         crawl them into data/bantin.db (+ WARC files)
      bantin search "pho lu thi dua"       search with or without diacritics
      bantin export --format jsonl         every record with its provenance
      bantin extract page.html --url URL   extract one saved page, no network
    """
