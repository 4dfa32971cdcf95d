"""`scrapy crawl portal -a source=ID`: the same spider through Scrapy's own command line,
with the project's settings found through scrapy.cfg, into a real SQLite store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.sample_portal import SamplePortal, serve
from tests.crawl_helpers import FAST, stored_articles, write_sources

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).parent / "scrapy")


def test_scrapy_crawl_portal_stores_every_article_once(tmp_path):
    shutil.copy(REPO / "scrapy.cfg", tmp_path / "scrapy.cfg")  # how `scrapy` finds the project
    portal = SamplePortal(n_articles=15, seed=4, flaky_failures=0)
    running = serve(portal)
    try:
        sources = write_sources(tmp_path / "sources.yaml", running.url)
        db = f"sqlite:///{tmp_path / 'bantin.db'}"
        env = {k: v for k, v in os.environ.items() if k not in ("BANTIN_DB", "BANTIN_SOURCES")}
        proc = subprocess.run(
            [SCRAPY, "crawl", "portal", "-a", "source=sample", "-a", f"sources={sources}",
             "-s", f"BANTIN_DB={db}", "-s", f"BANTIN_WARC_DIR={tmp_path / 'warc'}",
             "-s", "LOG_LEVEL=WARNING", *FAST],
            capture_output=True, text=True, timeout=180, cwd=tmp_path, env=env)
        expected = sorted(e.url for e in running.expected_articles())
    finally:
        running.stop()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(url for url, _ in stored_articles(db)) == expected
    assert list((tmp_path / "warc").glob("*.warc.gz")), "the crawl wrote no WARC file"
