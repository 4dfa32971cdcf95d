"""`bantin sources list|check`: show and validate the sources registry."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from scraper.sources import Source, SourcesError, default_sources_path, load_sources

SOURCES_HELP = ("Registry file. Default: $BANTIN_SOURCES, else ./sources.yaml, else the "
                "sources.yaml of the bantin checkout.")


def _load(path: Path | None) -> tuple[Path, list[Source]]:
    file = path or default_sources_path()
    try:
        return file, load_sources(file)
    except SourcesError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        n = len(exc.problems)
        click.echo(f"{file}: invalid ({n} problem{'s' if n != 1 else ''})", err=True)
        sys.exit(2)


@click.group(name="sources")
def command() -> None:
    """List and check the portals bantin crawls (the sources registry).

    \b
    The registry is a YAML file (fields documented in scraper/sources.py):
      sources:
        - id: pholu
          name: Cổng thông tin điện tử thị trấn Phố Lu
          level: commune
          province: tỉnh Lào Cai
          district: huyện Bảo Thắng
          commune: thị trấn Phố Lu
          start_urls: [https://pholu.baothang.laocai.gov.vn/]
          platform: vnportal
          verified: false
          notes: where the address came from
    """


@command.command(name="list")
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              help=SOURCES_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people, json for scripts.")
def list_command(sources_file: Path | None, fmt: str) -> None:
    """Print the registered sources.

    Exit codes: 0 listed, 2 the registry file is invalid (each problem is printed with
    file, line, entry and field).
    """
    _, sources = _load(sources_file)
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in sources], ensure_ascii=False, indent=2))
        return
    rows = [("ID", "LEVEL", "UNIT", "PLATFORM", "VERIFIED", "START URLS")]
    for s in sources:
        unit = s.commune or s.district or s.province
        rows.append((s.id, s.level, unit, s.platform, "yes" if s.verified else "no",
                     " ".join(s.start_urls)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@dataclass
class UrlStatus:
    source_id: str
    url: str
    ok: bool
    status: int | None
    detail: str
    seconds: float


def _fetch(source: Source, url: str, timeout: float, user_agent: str) -> UrlStatus:
    """GET one start URL (first 64 KiB) and describe what came back."""
    request = urllib.request.Request(url, headers={
        "User-Agent": source.user_agent or user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "vi,en;q=0.5",
    })
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            body = resp.read(65536)
            status = resp.status
            final = resp.geturl()
            ctype = resp.headers.get("Content-Type", "?")
        took = time.monotonic() - start
        detail = f"{status} {ctype}, {len(body)} bytes read"
        if final != url:
            detail += f", redirected to {final}"
        return UrlStatus(source.id, url, 200 <= status < 400, status, detail, took)
    except urllib.error.HTTPError as exc:
        return UrlStatus(source.id, url, False, exc.code, f"HTTP {exc.code} {exc.reason}",
                         time.monotonic() - start)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLError):
            detail = f"TLS error: {reason.reason or reason}"
        elif isinstance(reason, socket.gaierror):
            detail = f"host name not resolved: {reason.strerror or reason}"
        elif isinstance(reason, ConnectionRefusedError):
            detail = "connection refused"
        elif isinstance(reason, TimeoutError | socket.timeout):
            detail = f"timed out after {timeout:g} s"
        else:
            detail = f"unreachable: {getattr(reason, 'strerror', None) or reason}"
        return UrlStatus(source.id, url, False, None, detail, time.monotonic() - start)
    except TimeoutError:
        return UrlStatus(source.id, url, False, None, f"timed out after {timeout:g} s",
                         time.monotonic() - start)
    except (OSError, ValueError) as exc:
        return UrlStatus(source.id, url, False, None, f"failed: {exc}", time.monotonic() - start)


@command.command(name="check")
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              help=SOURCES_HELP)
@click.option("--online", is_flag=True,
              help="Also fetch every start URL (GET, short timeout) and report its status.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 120),
              help="Seconds to wait for each start URL with --online.")
@click.option("--source", "only", multiple=True, metavar="ID",
              help="With --online, fetch only these sources (repeatable).")
def check_command(sources_file: Path | None, online: bool, timeout: float,
                  only: tuple[str, ...]) -> None:
    """Validate the registry; with --online, fetch each start URL and report its status.

    Offline, only the structure is checked: required fields, known keys, unique ids, valid
    levels, platforms and URLs. Every problem is printed as FILE:LINE: entry: field: message.

    \b
    Exit codes:
      0  the registry is valid (and, with --online, every start URL answered 2xx/3xx)
      1  --online: at least one start URL failed (status, refusal, DNS, TLS, timeout)
      2  the registry file is invalid or missing
    """
    file, sources = _load(sources_file)
    click.echo(f"{file}: {len(sources)} source{'s' if len(sources) != 1 else ''}, valid")
    if not online:
        return
    if only:
        known = {s.id for s in sources}
        missing = [i for i in only if i not in known]
        if missing:
            click.echo(f"error: no source {', '.join(map(repr, missing))} in {file}", err=True)
            sys.exit(2)
        sources = [s for s in sources if s.id in only]
    from scraper.settings import USER_AGENT

    jobs = [(s, url) for s in sources for url in s.start_urls]
    with ThreadPoolExecutor(max_workers=min(8, len(jobs) or 1)) as pool:
        results = list(pool.map(lambda job: _fetch(job[0], job[1], timeout, USER_AGENT), jobs))
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        click.echo(f"{mark} {r.source_id:<16} {r.url}  {r.detail} ({r.seconds:.2f} s)")
    failed = sum(not r.ok for r in results)
    click.echo(f"{len(results) - failed}/{len(results)} start URLs reachable")
    if failed:
        sys.exit(1)
