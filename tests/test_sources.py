"""The sources registry: what a valid file gives, and how every kind of mistake is reported."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.sources import (
    REPO_SOURCES,
    Source,
    SourcesError,
    default_sources_path,
    get_source,
    load_sources,
)

VALID = """\
sources:
  - id: pholu
    name: Cổng thông tin điện tử thị trấn Phố Lu
    level: commune
    province: tỉnh Lào Cai
    district: huyện Bảo Thắng
    commune: thị trấn Phố Lu
    start_urls:
      - https://pholu.baothang.laocai.gov.vn/
    platform: vnportal
    delay: 2
    concurrency: 1
    verified: false
    notes: inferred
  - id: laocai
    name: Cổng thông tin điện tử tỉnh Lào Cai
    level: province
    province: tỉnh Lào Cai
    successor: tỉnh Lào Cai (hợp nhất)
    start_urls: [https://www.laocai.gov.vn/, https://laocai.gov.vn/tin-tuc]
"""


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    return [str(p) for p in info.value.problems]


def one_entry(**fields: object) -> str:
    """A registry with one otherwise valid entry, fields overridden (None = left out)."""
    base: dict[str, object] = {
        "id": "xa", "name": "Xã A", "level": "commune", "province": "tỉnh Lào Cai",
        "district": "huyện Bảo Thắng", "commune": "xã A", "start_urls": ["https://xa.vn/"],
    }
    base.update(fields)
    lines = ["sources:"]
    first = True
    for key, value in base.items():
        if value is None:
            continue
        prefix = "  - " if first else "    "
        first = False
        lines.append(f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ valid files
def test_valid_file_gives_frozen_sources_with_defaults(tmp_path: Path) -> None:
    pholu, laocai = load_sources(write(tmp_path, VALID))
    assert pholu == Source(
        id="pholu", name="Cổng thông tin điện tử thị trấn Phố Lu", level="commune",
        province="tỉnh Lào Cai", district="huyện Bảo Thắng", commune="thị trấn Phố Lu",
        start_urls=("https://pholu.baothang.laocai.gov.vn/",), platform="vnportal",
        allowed_domains=("pholu.baothang.laocai.gov.vn",), delay=2.0, concurrency=1,
        verified=False, notes="inferred")
    assert laocai.platform == "auto"
    assert laocai.successor == "tỉnh Lào Cai (hợp nhất)"
    with pytest.raises(AttributeError):
        laocai.id = "other"  # type: ignore[misc]


def test_allowed_domains_default_to_start_url_hosts_without_ports(tmp_path: Path) -> None:
    text = one_entry(start_urls=["http://127.0.0.1:8765/", "http://127.0.0.1:8765/a",
                                 "https://b.gov.vn/x"])
    (source,) = load_sources(write(tmp_path, text))
    assert source.allowed_domains == ("127.0.0.1", "b.gov.vn")


def test_store_fields_are_what_upsert_source_takes(tmp_path: Path) -> None:
    pholu, _ = load_sources(write(tmp_path, VALID))
    assert pholu.store_fields() == {
        "id": "pholu", "name": "Cổng thông tin điện tử thị trấn Phố Lu", "level": "commune",
        "province": "tỉnh Lào Cai", "district": "huyện Bảo Thắng", "commune": "thị trấn Phố Lu",
        "successor": None, "start_urls": ["https://pholu.baothang.laocai.gov.vn/"],
        "platform": "vnportal"}


def test_a_bare_list_is_accepted_as_the_sources(tmp_path: Path) -> None:
    text = textwrap.dedent(VALID.split("\n", 1)[1])
    assert [s.id for s in load_sources(write(tmp_path, text))] == ["pholu", "laocai"]


def test_shipped_registry_is_valid_and_never_claims_unconfirmed_addresses() -> None:
    sources = load_sources(REPO_SOURCES)
    ids = {s.id for s in sources}
    assert "pholu" in ids
    pholu = get_source(sources, "pholu")
    assert (pholu.level, pholu.commune, pholu.district) == (
        "commune", "thị trấn Phố Lu", "huyện Bảo Thắng")
    for s in sources:
        assert s.province == "tỉnh Lào Cai"
        assert s.verified is False, f"{s.id}: no fetch from here confirmed it"
        assert s.notes, f"{s.id}: notes must say where the address came from"


def test_shipped_sample_registry_points_at_the_demo_port() -> None:
    from scraper.sample_portal import SOURCES_FILE

    (sample,) = load_sources(SOURCES_FILE)
    assert sample.id == "sample"
    assert sample.start_urls == ("http://127.0.0.1:8765/",)
    assert (sample.delay, sample.concurrency) == (0.0, 8)  # our own loopback server


def test_default_path_prefers_env_then_cwd_then_checkout(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANTIN_SOURCES", raising=False)
    assert default_sources_path(tmp_path) == REPO_SOURCES
    local = write(tmp_path, VALID)
    assert default_sources_path(tmp_path) == local
    monkeypatch.setenv("BANTIN_SOURCES", "/elsewhere/s.yaml")
    assert default_sources_path(tmp_path) == Path("/elsewhere/s.yaml")


def test_get_source_suggests_the_closest_id(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, VALID))
    with pytest.raises(KeyError, match="did you mean 'pholu'"):
        get_source(sources, "pholuu")


# ------------------------------------------------------------------------------ errors
def test_unknown_key_is_rejected_with_the_closest_known_key(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    platform: vnportal", "    platfrom: vnportal"))
    (problem,) = problems_of(path)
    assert problem == (f"{path}:10: source 'pholu' (entry 1): unknown key 'platfrom' "
                       "(did you mean 'platform'?)")


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("id: laocai", "id: pholu"))
    (problem,) = problems_of(path)
    assert problem == (f"{path}:15: source 'pholu' (entry 2): field 'id': duplicate id "
                       "(first used on line 2)")


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://x.gov.vn/", "item 1 must start with http:// or https://, got 'ftp://x.gov.vn/'"),
    ("pholu.gov.vn", "item 1 must start with http:// or https://, got 'pholu.gov.vn'"),
    ("http://", "item 1 is not a valid URL: 'http://'"),
    ("http://x.vn:99999/", "item 1 is not a valid URL: 'http://x.vn:99999/'"),
    ("http://x .vn/", "item 1 is not a valid URL: 'http://x .vn/'"),
])
def test_bad_start_url_is_named_with_its_position(tmp_path: Path, url: str, message: str) -> None:
    path = write(tmp_path, one_entry(start_urls=[url]))
    (problem,) = problems_of(path)
    assert problem == f"{path}:8: source 'xa' (entry 1): field 'start_urls': {message}"


def test_start_urls_must_be_a_non_empty_list(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(start_urls=[]))
    assert problems_of(path) == [f"{path}:8: source 'xa' (entry 1): field 'start_urls': must be "
                                 "a non-empty list of http(s) URLs, got []"]


def test_bad_level_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(level="town"))
    assert problems_of(path) == [f"{path}:4: source 'xa' (entry 1): field 'level': must be one "
                                 "of province, district, commune, got 'town'"]


def test_bad_platform_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(platform="drupal"))
    (problem,) = problems_of(path)
    assert "field 'platform': must be one of auto, liferay, sharepoint_lacviet, vnportal, " \
           "wordpress, generic, got 'drupal'" in problem


def test_non_ascii_id_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(id="phố-lu"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: source 'phố-lu' (entry 1): field 'id': must be an "
                              "ASCII slug")


def test_missing_required_field_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(name=None, commune=None))
    assert problems_of(path) == [
        f"{path}:2: source 'xa' (entry 1): field 'name': missing (required)",
        f"{path}:2: source 'xa' (entry 1): field 'commune': missing (required)",
    ]


def test_entry_without_id_is_named_by_position(tmp_path: Path) -> None:
    text = VALID + one_entry(id=None).replace("sources:\n", "")
    path = write(tmp_path, text)
    assert problems_of(path) == [f"{path}:21: entry 3: field 'id': missing (required)"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("delay", -1, "must be a number of seconds >= 0, got -1"),
    ("delay", "fast", "must be a number of seconds >= 0, got 'fast'"),
    ("concurrency", 0, "must be a whole number >= 1, got 0"),
    ("concurrency", 1.5, "must be a whole number >= 1, got 1.5"),
    ("verified", "yes please", "must be true or false, got 'yes please'"),
    ("allowed_domains", ["http://xa.vn/"], "'http://xa.vn/' is not a host name (no scheme, "
                                           "port or path)"),
    ("allowed_domains", ["other.vn"], "start URL https://xa.vn/ is outside the allowed domains"),
])
def test_politeness_and_domain_fields_are_checked(tmp_path: Path, field: str, value: object,
                                                  message: str) -> None:
    path = write(tmp_path, one_entry(**{field: value}))
    assert problems_of(path) == [f"{path}:9: source 'xa' (entry 1): field '{field}': {message}"]


def test_subdomain_of_an_allowed_domain_is_inside(tmp_path: Path) -> None:
    text = one_entry(start_urls=["https://pholu.baothang.laocai.gov.vn/"],
                     allowed_domains=["laocai.gov.vn"])
    (source,) = load_sources(write(tmp_path, text))
    assert source.allowed_domains == ("laocai.gov.vn",)


def test_malformed_yaml_reports_the_yaml_error_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    level: province", "    level: [province"))
    (problem,) = problems_of(path)
    # the unclosed '[' of line 17 is detected where the next key starts
    assert problem == (f"{path}:18: invalid YAML, column 13: expected ',' or ']', "
                       "but got ':'")


def test_tab_indented_yaml_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - id: a\n\tname: b\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: invalid YAML")


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("level: commune", "level: xa").replace("platform: vnportal",
                                                                 "platform: joomla")
    assert len(problems_of(write(tmp_path, text))) == 2


def test_missing_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems_of(path) == [f"{path}: no such file (pass --sources FILE)"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty file: expected 'sources:' with a list"),
    ("sources: []\n", "the 'sources' list is empty"),
    ("sources: {id: a}\n", "'sources' must be a list of portals"),
    ("- just text\n", "expected a mapping of fields (id, name, ...)"),
])
def test_wrong_shapes_are_explained(tmp_path: Path, text: str, message: str) -> None:
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.endswith(message)


def test_unknown_top_level_key_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "soruces: []\n")
    assert f"{path}:1: unknown key 'soruces' (did you mean 'sources'?)" in problems_of(path)


def test_key_given_twice_in_an_entry_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    verified: false\n",
                                         "    verified: false\n    verified: true\n"))
    assert problems_of(path) == [f"{path}:14: source 'pholu' (entry 1): field 'verified': "
                                 "given twice"]


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"sources:\n  - name: Ph\xf4 Lu\n")  # Latin-1
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: not UTF-8")


# ------------------------------------------------------------------------------ CLI
def test_cli_list_table_shows_every_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sources", "list", "--sources",
                                       str(write(tmp_path, VALID))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "LEVEL", "UNIT", "PLATFORM", "VERIFIED", "START", "URLS"]
    assert lines[1].split()[:3] == ["pholu", "commune", "thị"]
    assert "https://www.laocai.gov.vn/ https://laocai.gov.vn/tin-tuc" in lines[2]


def test_cli_list_json_round_trips_every_field(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sources", "list", "--format", "json", "--sources",
                                       str(write(tmp_path, VALID))])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data[0]["start_urls"] == ["https://pholu.baothang.laocai.gov.vn/"]
    assert Source(**{k: tuple(v) if isinstance(v, list) else v for k, v in data[0].items()}) \
        == load_sources(tmp_path / "sources.yaml")[0]


def test_cli_check_valid_file_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    result = CliRunner().invoke(main, ["sources", "check", "--sources", str(path)])
    assert result.exit_code == 0
    assert result.output == f"{path}: 2 sources, valid\n"


def test_cli_check_invalid_file_exits_2_and_prints_each_problem(tmp_path: Path) -> None:
    path = write(tmp_path, one_entry(level="town", platform="joomla"))
    result = CliRunner().invoke(main, ["sources", "check", "--sources", str(path)])
    assert result.exit_code == 2
    assert f"error: {path}:4: source 'xa' (entry 1): field 'level'" in result.output
    assert f"error: {path}:9: source 'xa' (entry 1): field 'platform'" in result.output
    assert f"{path}: invalid (2 problems)" in result.output
    assert "Traceback" not in result.output


def test_cli_list_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sources", "list", "--sources", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output
