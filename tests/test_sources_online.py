"""`bantin sources check --online` against the sample portal on loopback and a closed port."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import main
from scraper.sample_portal import SamplePortal, serve


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registry(tmp_path: Path, portal_url: str, dead_port: int) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(f"""\
        sources:
          - id: sample
            name: Sample portal
            level: commune
            province: tỉnh Lào Cai
            district: huyện Bảo Thắng
            commune: thị trấn Phố Lu
            start_urls:
              - {portal_url}/
              - {portal_url}/chi-dao-dieu-hanh
          - id: closed
            name: Nobody home
            level: province
            province: tỉnh Lào Cai
            start_urls: [http://127.0.0.1:{dead_port}/]
          - id: missing-page
            name: Broken start URL
            level: province
            province: tỉnh Lào Cai
            start_urls: [{portal_url}/khong-ton-tai]
        """), encoding="utf-8")
    return path


def test_online_check_reports_each_start_url_and_exits_1_when_one_fails(tmp_path: Path) -> None:
    with serve(SamplePortal(20, seed=1)) as site:
        dead = closed_port()
        path = registry(tmp_path, site.url, dead)
        result = CliRunner().invoke(main, ["sources", "check", "--online", "--timeout", "3",
                                           "--sources", str(path)])
        log = list(site.access_log)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: 3 sources, valid"
    ok = [ln for ln in lines if ln.startswith("ok ")]
    fail = [ln for ln in lines if ln.startswith("FAIL ")]
    assert len(ok) == 2
    assert all(" sample " in ln and "200 text/html" in ln for ln in ok)
    assert any(f"127.0.0.1:{dead}/" in ln and "connection refused" in ln for ln in fail)
    assert any("/khong-ton-tai" in ln and "HTTP 404" in ln for ln in fail)
    assert lines[-1] == "2/4 start URLs reachable"
    assert sorted(p for _, p, _ in log) == ["/", "/chi-dao-dieu-hanh", "/khong-ton-tai"]
    assert all(m == "GET" for m, _, _ in log)


def test_online_check_of_one_source_exits_0_when_it_answers(tmp_path: Path) -> None:
    with serve(SamplePortal(20, seed=1)) as site:
        path = registry(tmp_path, site.url, closed_port())
        result = CliRunner().invoke(main, ["sources", "check", "--online", "--source", "sample",
                                           "--sources", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2/2 start URLs reachable"


def test_online_check_sends_the_project_user_agent(tmp_path: Path) -> None:
    from scraper.settings import USER_AGENT

    with serve(SamplePortal(5, seed=1)) as site:
        path = registry(tmp_path, site.url, closed_port())
        CliRunner().invoke(main, ["sources", "check", "--online", "--source", "sample",
                                  "--sources", str(path)])
        agents = {r.headers.get("user-agent") for r in site.requests}
    assert agents == {USER_AGENT}


def test_online_check_of_an_unknown_source_id_exits_2(tmp_path: Path) -> None:
    path = registry(tmp_path, "http://127.0.0.1:1", 1)
    result = CliRunner().invoke(main, ["sources", "check", "--online", "--source", "nope",
                                       "--sources", str(path)])
    assert result.exit_code == 2
    assert "no source 'nope'" in result.output


def test_bantin_sources_check_runs_as_a_real_command(tmp_path: Path) -> None:
    with serve(SamplePortal(5, seed=1)) as site:
        path = site.write_sources(tmp_path / "sources.yaml")
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "bantin"), "sources", "check", "--online",
             "--sources", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert f"ok   sample           {site.url}/  200 text/html; charset=utf-8" in proc.stdout
