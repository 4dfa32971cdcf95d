"""`bantin sample-portal` as a real process: prints its URL, logs requests, stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.sample_portal_helpers import fetch

BANTIN = str(Path(sys.executable).parent / "bantin")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([BANTIN, "sample-portal", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_serves_prints_access_log_and_stops_cleanly_on_ctrl_c() -> None:
    proc = start("--port", "0", "--articles", "25", "--seed", "4")
    try:
        first = proc.stdout.readline()
        m = re.match(r"Sample portal \(thị trấn Phố Lu, 25 articles, seed 4\) at "
                     r"(http://127\.0\.0\.1:\d+)/$", first.strip())
        assert m, first
        url = m.group(1)
        assert proc.stdout.readline().strip() == "Press Ctrl-C to stop."
        assert fetch(url + "/robots.txt").status == 200
        assert fetch(url + "/khong-co").status == 404
        assert re.fullmatch(r"\d\d:\d\d:\d\d 200 GET /robots\.txt", proc.stdout.readline().strip())
        assert proc.stdout.readline().strip().endswith("404 GET /khong-co")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == "Stopped after 2 requests."
    assert "Traceback" not in err


def test_a_port_in_use_is_reported_without_traceback() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = start("--port", str(port), "--quiet")
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}:" in err
    assert "Traceback" not in err


def test_write_sources_gives_a_registry_for_the_port_actually_served(tmp_path: Path) -> None:
    from scraper.sources import load_sources

    out = tmp_path / "sample.yaml"
    proc = start("--port", "0", "--articles", "5", "--quiet", "--write-sources", str(out))
    try:
        url = re.search(r"at (http://\S+)/$", proc.stdout.readline().strip()).group(1)
        assert proc.stdout.readline().strip() == (f"Sources registry written to {out} "
                                                  "(source id: sample)")
        (source,) = load_sources(out)
        assert source.start_urls == (url + "/",)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
