"""`bantin extract`: extract saved pages (no network) into records as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

HELP = """Extract saved pages into article records (JSON), without the network.

\b
PATH is a saved page (raw bytes as served) or "-" for standard input. Give one --url per
PATH, in the same order: the URL the page was served at (it resolves relative links and
the canonical URL, and tells a front page from an article).

\b
One PATH prints one pretty JSON object; several PATHs print JSON Lines, one record per
page in the order given (--format overrides). A page that is not an article still prints
its record: "kind" says what it is (article, listing, home, not_found, error) and
"warnings" what was repaired or guessed.

\b
Examples:
  bantin extract page.html --url https://pholu.laocai.gov.vn/tin-tuc/bai-1105750
  curl -s URL | bantin extract - --url URL
  bantin extract a.html b.html --url URL_A --url URL_B > records.jsonl
  bantin extract old.html --url URL --charset windows-1258

\b
Exit codes: 0 every page extracted (whatever its kind); 2 bad usage or unreadable input
(a missing file, a --url count that does not match the PATHs), naming the file.
"""


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.exists():
        raise click.UsageError(f"{path}: no such file")
    if p.is_dir():
        raise click.UsageError(f"{path}: is a directory, not a saved page")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise click.UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc


@click.command(help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="PATH [PATH ...]")
@click.option(
    "--url",
    "urls",
    multiple=True,
    required=True,
    help="URL the page was served at; once per PATH, in the same order.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl"]),
    default=None,
    help="json: pretty objects (default for one PATH); jsonl: one line per record "
    "(default for several).",
)
@click.option(
    "--charset",
    default=None,
    metavar="CS",
    help="The page's charset as the HTTP Content-Type header gave it (e.g. windows-1258).",
)
def command(
    paths: tuple[str, ...], urls: tuple[str, ...], fmt: str | None, charset: str | None
) -> None:
    if len(urls) != len(paths):
        raise click.UsageError(
            f"{len(paths)} PATH(s) but {len(urls)} --url: give one --url per PATH, in order"
        )
    if paths.count("-") > 1:
        raise click.UsageError("standard input ('-') can be given only once")
    if charset:
        import codecs

        try:
            codecs.lookup(charset)
        except LookupError:
            raise click.UsageError(f"--charset {charset}: unknown character set") from None
    # read everything first: a bad path fails before any output
    pages = [(path, _read(path), url) for path, url in zip(paths, urls, strict=True)]

    from scraper.extract import extract

    headers = {"Content-Type": f"text/html; charset={charset}"} if charset else None
    fmt = fmt or ("json" if len(pages) == 1 else "jsonl")
    out = sys.stdout
    try:
        for _path, data, url in pages:
            record = extract(data, url, headers=headers).to_dict()
            if fmt == "json":
                out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
        sys.stderr.close()
