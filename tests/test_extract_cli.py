"""`bantin extract` through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.extract_helpers import page

BANTIN = Path(sys.executable).with_name("bantin")


def bantin(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(BANTIN), "extract", *args], input=stdin, capture_output=True, timeout=60
    )


def test_one_page_prints_one_pretty_json_record() -> None:
    p = page("vnportal_pholu_notice")
    result = bantin(str(p.path), "--url", p.url)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert out.startswith("{\n")
    record = json.loads(out)
    assert record["kind"] == "article"
    assert record["authors"] == ["Phạm Thị Ngọc"]
    assert "Phố Lu" in out  # ensure_ascii=False: Vietnamese stays readable


def test_stdin_dash_reads_the_page_from_standard_input() -> None:
    p = page("sharepoint_lacviet_article")
    result = bantin("-", "--url", p.url, stdin=p.data)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith("Huyện Bảo Yên")


def test_several_pages_print_json_lines_in_order() -> None:
    names = ["liferay_listing_p1", "vnportal_pholu_notice", "liferay_notfound"]
    args: list[str] = [str(page(n).path) for n in names]
    for n in names:
        args += ["--url", page(n).url]
    result = bantin(*args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["listing", "article", "not_found"]
    assert [json.loads(line)["url"] for line in lines] == [page(n).url for n in names]


def test_format_jsonl_for_one_page_prints_one_line() -> None:
    p = page("generic_unseen_article")
    result = bantin(str(p.path), "--url", p.url, "--format", "jsonl")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1


def test_charset_option_decodes_a_page_without_declared_charset() -> None:
    p = page("generic_windows1258")
    result = bantin(str(p.path), "--url", p.url, "--charset", "windows-1258")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith("Xã Gia Phú tổ chức Hội nghị")


def test_missing_file_exits_2_naming_the_file() -> None:
    result = bantin("no/such/page.html", "--url", "https://x.gov.vn/")
    assert result.returncode == 2
    assert b"no/such/page.html: no such file" in result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""


def test_url_count_mismatch_exits_2() -> None:
    p = page("generic_unseen_article")
    result = bantin(str(p.path), str(p.path), "--url", p.url)
    assert result.returncode == 2
    assert b"2 PATH(s) but 1 --url" in result.stderr


def test_directory_as_path_exits_2() -> None:
    result = bantin(str(page("generic_unseen_article").path.parent), "--url", "https://x.gov.vn/")
    assert result.returncode == 2
    assert b"is a directory" in result.stderr


def test_unknown_charset_exits_2() -> None:
    p = page("generic_unseen_article")
    result = bantin(str(p.path), "--url", p.url, "--charset", "no-such-cs")
    assert result.returncode == 2
    assert b"unknown character set" in result.stderr


def test_error_page_still_prints_its_record_and_exits_0(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = bantin(str(empty), "--url", "https://x.gov.vn/a")
    assert result.returncode == 0
    record = json.loads(result.stdout)
    assert record["kind"] == "error" and record["warnings"]


def test_help_teaches_with_examples() -> None:
    result = bantin("--help")
    assert result.returncode == 0
    assert b"Examples:" in result.stdout and b"--url" in result.stdout
