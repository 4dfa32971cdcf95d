"""Helpers for the end-to-end crawl tests: a sources file for a served sample portal, the
real `bantin crawl` as a subprocess, and what the store holds afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

BANTIN = [str(Path(sys.executable).parent / "bantin")]
# Fast and deterministic: no politeness delay against our own loopback server.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]


def write_sources(path: Path, url: str, source_id: str = "sample") -> Path:
    path.write_text(
        "sources:\n"
        f"  - id: {source_id}\n"
        "    name: Cổng TTĐT thị trấn Phố Lu (mẫu)\n"
        "    level: commune\n"
        "    province: Lào Cai\n"
        "    district: Bảo Thắng\n"
        "    commune: Phố Lu\n"
        f"    start_urls: [{url}/]\n"
        "    verified: true\n",
        encoding="utf-8",
    )
    return path


@contextmanager
def served_portal(tmp: Path, portal: Any) -> Iterator[tuple[Any, Path, str]]:
    """Serve `portal` on loopback: (the running portal, its sources file, a SQLite URL in
    `tmp`)."""
    from scraper.sample_portal import serve

    with serve(portal) as running:
        yield running, write_sources(tmp / "sources.yaml", running.url), \
            f"sqlite:///{tmp / 'bantin.db'}"


@dataclass
class Crawl:
    """What one `bantin crawl` run did: its exit code, output and the requests it made."""

    returncode: int
    stdout: str
    stderr: str
    requests: list[tuple[str, str, int]]  # (method, path, status) served during the run


def crawl_command(tmp: Path, sources: Path, db: str, *args: str) -> list[str]:
    return [*BANTIN, "crawl", "--sources", str(sources), "--db", db,
            "--jobdir", str(tmp / "jobs"), "--warc-dir", str(tmp / "warc"), *FAST, *args]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("BANTIN_DB", None)
    e["PYTHONUNBUFFERED"] = "1"
    return e


def run_crawl(running: Any, tmp: Path, sources: Path, db: str, *args: str,
              timeout: float = 120) -> Crawl:
    """Run `bantin crawl` to the end; the portal's access-log entries of this run."""
    before = len(running.access_log)
    proc = subprocess.run(crawl_command(tmp, sources, db, *args), capture_output=True,
                          text=True, timeout=timeout, cwd=tmp, env=env())
    return Crawl(proc.returncode, proc.stdout, proc.stderr, list(running.access_log[before:]))


def _article_rows(db: str, columns: str, source_id: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                f"SELECT {columns} FROM articles WHERE source_id = :s ORDER BY url"),
                {"s": source_id})]
    finally:
        engine.dispose()


def stored_articles(db: str, source_id: str = "sample") -> list[tuple[str, str]]:
    """(url, status) of every article row of the source."""
    return _article_rows(db, "url, status", source_id)  # type: ignore[return-value]


def last_seen(db: str, source_id: str = "sample") -> dict[str, Any]:
    """url -> last_seen of every article row of the source."""
    return dict(_article_rows(db, "url, last_seen", source_id))


def version_count(db: str) -> int:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM article_versions")).scalar_one()
    finally:
        engine.dispose()


def last_run(db: str) -> dict[str, Any]:
    from archive.store import Store

    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            run_id = conn.execute(sa.text("SELECT max(id) FROM crawl_runs")).scalar_one()
        return store.get_run(run_id) or {}
    finally:
        store.close()


def article_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]
