"""`make demo` (python -m scraper.demo) as a user runs it: crawl, summary, search; twice."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo(tmp_path, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper.demo", "--port", str(port), "--articles", "30",
         "--data", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=180, cwd=tmp_path)


def test_demo_crawls_the_sample_portal_prints_summary_and_search_then_recrawls_nothing(
        tmp_path):
    port = _free_port()  # the same port twice: article URLs include it
    first = _demo(tmp_path, port)
    assert first.returncode == 0, first.stderr
    assert "articles        30 new, 0 changed, 0 unchanged" in first.stdout
    assert "PHỐ LU" in first.stdout  # the search "pho lu thi dua" finds the Phố Lu notice
    assert (tmp_path / "data" / "bantin.db").exists()
    second = _demo(tmp_path, port)
    assert second.returncode == 0, second.stderr
    assert "articles        0 new, 0 changed, 0 unchanged" in second.stdout
