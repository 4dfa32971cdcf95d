"""The sources registry: which portals bantin crawls, for which administrative unit.

A registry is a YAML file:

    sources:
      - id: pholu                      # ASCII slug: a-z, 0-9, '-' and '_'
        name: Cổng TTĐT thị trấn Phố Lu
        level: commune                 # province | district | commune
        province: Lào Cai              # the unit's names at capture time
        district: Bảo Thắng
        commune: Phố Lu
        successor: ...                 # the unit after the 2025 reform, when known
        start_urls: [https://...]      # home page or category listings (http/https)
        platform: vnportal             # auto | liferay | sharepoint_lacviet | vnportal | ...
        allowed_domains: [...]         # default: the hosts of start_urls
        delay: 2.0                     # politeness overrides (seconds, requests, UA)
        concurrency: 1
        user_agent: ...
        verified: false                # true only once a fetch confirmed the address
        notes: where the address came from

Which file: `--sources FILE`, else `$BANTIN_SOURCES`, else `sources.yaml` in the current
directory, else the `sources.yaml` at the root of the bantin checkout (the package is installed
editable from it; one user-facing file, no hidden copy to drift). See `default_sources_path`.

Errors are `SourcesError`s naming the file, the YAML line, the entry (id or position) and the
field; every problem of a file is reported at once.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

LEVELS: tuple[str, ...] = ("province", "district", "commune")
PLATFORMS: tuple[str, ...] = (
    "auto", "liferay", "sharepoint_lacviet", "vnportal", "wordpress", "generic",
)
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                          r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
REPO_SOURCES = Path(__file__).resolve().parent.parent / "sources.yaml"

FIELDS: tuple[str, ...] = (
    "id", "name", "level", "province", "district", "commune", "successor", "start_urls",
    "platform", "allowed_domains", "delay", "concurrency", "user_agent", "verified", "notes",
)
TOP_LEVEL_KEYS: tuple[str, ...] = ("sources",)


@dataclass(frozen=True)
class Source:
    """One portal of one administrative unit, as the registry describes it."""

    id: str
    name: str
    level: str
    province: str
    start_urls: tuple[str, ...]
    district: str | None = None
    commune: str | None = None
    successor: str | None = None
    platform: str = "auto"
    allowed_domains: tuple[str, ...] = ()
    delay: float | None = None
    concurrency: int | None = None
    user_agent: str | None = None
    verified: bool = False
    notes: str = ""

    def store_fields(self) -> dict[str, Any]:
        """The mapping `Store.upsert_source` takes."""
        return {
            "id": self.id, "name": self.name, "level": self.level, "province": self.province,
            "district": self.district, "commune": self.commune, "successor": self.successor,
            "start_urls": list(self.start_urls), "platform": self.platform,
        }

    def to_dict(self) -> dict[str, Any]:
        return {name: (list(v) if isinstance(v := getattr(self, name), tuple) else v)
                for name in FIELDS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a registry file."""

    file: str
    message: str
    line: int | None = None
    entry: str | None = None  # "source 'pholu' (entry 3)" or "entry 3"
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.entry:
            parts.append(self.entry)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + f": {self.message}"


class SourcesError(ValueError):
    """A registry file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file if self.problems else ""


@dataclass
class _Entry:
    """A YAML mapping with the line of each key (1-based)."""

    values: dict[str, Any]
    lines: dict[str, int]
    line: int
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)


def default_sources_path(cwd: Path | None = None) -> Path:
    """Where the registry is read from when no --sources is given."""
    env = os.environ.get("BANTIN_SOURCES")
    if env:
        return Path(env)
    local = (cwd or Path.cwd()) / "sources.yaml"
    if local.is_file():
        return local
    return REPO_SOURCES


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read and validate a registry file; raises `SourcesError` naming file/line/entry/field."""
    file = Path(path) if path is not None else default_sources_path()
    name = str(file)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise SourcesError([Problem(name, "no such file (pass --sources FILE)")]) from None
    except OSError as exc:
        raise SourcesError([Problem(name, f"cannot read: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourcesError([Problem(name, f"not UTF-8 (byte {exc.start})")]) from None
    return parse_sources(text, name)


def parse_sources(text: str, filename: str = "<sources>") -> list[Source]:
    """Validate registry YAML text (see `load_sources`)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f", column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourcesError([Problem(filename, f"invalid YAML{where}: {problem}", line)]) from None
    except yaml.YAMLError as exc:
        raise SourcesError([Problem(filename, f"invalid YAML: {exc}")]) from None
    if root is None:
        raise SourcesError([Problem(filename, "empty file: expected 'sources:' with a list")])

    problems: list[Problem] = []
    if isinstance(root, yaml.SequenceNode):
        seq: yaml.Node = root
    elif isinstance(root, yaml.MappingNode):
        top = _mapping(root)
        for key, line in top.duplicate_keys:
            problems.append(Problem(filename, f"key '{key}' given twice", line))
        for key in top.values:
            if key not in TOP_LEVEL_KEYS:
                problems.append(Problem(filename, _unknown(key, TOP_LEVEL_KEYS), top.lines[key]))
        if "sources" not in top.values:
            raise SourcesError(problems or [Problem(filename, "no 'sources:' list", root.start_mark
                                                    .line + 1)])
        seq = top.values["sources"]
    else:
        raise SourcesError([Problem(filename, "expected 'sources:' with a list of portals",
                                    root.start_mark.line + 1)])
    if not isinstance(seq, yaml.SequenceNode):
        raise SourcesError([Problem(filename, "'sources' must be a list of portals",
                                    seq.start_mark.line + 1)])

    sources: list[Source] = []
    first_line: dict[str, int] = {}
    for index, node in enumerate(seq.value, start=1):
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(filename, "expected a mapping of fields (id, name, ...)",
                                    line, f"entry {index}"))
            continue
        entry = _mapping(node)
        source, entry_problems = _validate(entry, index, filename)
        problems += entry_problems
        raw_id = entry.values.get("id")
        if isinstance(raw_id, str) and raw_id.strip():
            raw_id = raw_id.strip()
            id_line = entry.lines.get("id", line)
            if raw_id in first_line:
                problems.append(Problem(
                    filename, f"duplicate id (first used on line {first_line[raw_id]})",
                    id_line, f"source '{raw_id}' (entry {index})", "id"))
                continue
            first_line[raw_id] = id_line
        if source is not None:
            sources.append(source)
    if problems:
        raise SourcesError(problems)
    if not sources:
        raise SourcesError([Problem(filename, "the 'sources' list is empty",
                                    seq.start_mark.line + 1)])
    return sources


def _mapping(node: yaml.MappingNode) -> _Entry:
    """Scalars stay nodes only where validation needs them; values are plain Python."""
    entry = _Entry({}, {}, node.start_mark.line + 1)
    loader = yaml.SafeLoader("")
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        line = key_node.start_mark.line + 1
        if key in entry.values:
            entry.duplicate_keys.append((key, line))
        if key == "sources":
            value: Any = value_node
        else:
            value = loader.construct_object(value_node, deep=True)
        entry.values[key] = value
        entry.lines[key] = line
    return entry


def _unknown(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{hint}"


def _validate(entry: _Entry, index: int, filename: str) -> tuple[Source | None, list[Problem]]:
    values = entry.values
    raw_id = values.get("id")
    label = (f"source '{raw_id}' (entry {index})" if isinstance(raw_id, str) and raw_id
             else f"entry {index}")
    problems: list[Problem] = []

    def bad(field_name: str | None, message: str) -> None:
        line = entry.lines.get(field_name, entry.line) if field_name else entry.line
        problems.append(Problem(filename, message, line, label, field_name))

    for key, line in entry.duplicate_keys:
        problems.append(Problem(filename, "given twice", line, label, key))
    for key in values:
        if key not in FIELDS:
            problems.append(Problem(filename, _unknown(key, FIELDS), entry.lines[key], label))

    def text(name: str, required: bool) -> str | None:
        value = values.get(name)
        if value is None:
            if required:
                bad(name, "missing (required)")
            return None
        if not isinstance(value, str) or not value.strip():
            bad(name, f"must be a non-empty text, got {value!r}")
            return None
        return value.strip()

    sid = text("id", True)
    if sid is not None and not ID_PATTERN.match(sid):
        bad("id", f"must be an ASCII slug (a-z, 0-9, '-', '_'; 1-64 chars), got {sid!r}")
        sid = None
    name = text("name", True)
    level = text("level", True)
    if level is not None and level not in LEVELS:
        bad("level", f"must be one of {', '.join(LEVELS)}, got {level!r}")
        level = None
    province = text("province", True)
    district = text("district", level == "district")
    commune = text("commune", level == "commune")
    successor = text("successor", False)
    user_agent = text("user_agent", False)

    platform = values.get("platform", "auto")
    if platform not in PLATFORMS:
        bad("platform", f"must be one of {', '.join(PLATFORMS)}, got {platform!r}")

    start_urls = _urls(values, bad)
    hosts = tuple(dict.fromkeys(urlsplit(u).hostname or "" for u in start_urls))
    allowed = _domains(values, bad)
    if allowed is None:
        allowed = hosts
    else:
        for url in start_urls:
            host = urlsplit(url).hostname or ""
            if not any(host == d or host.endswith("." + d) for d in allowed):
                bad("allowed_domains", f"start URL {url} is outside the allowed domains")

    delay = values.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)
                              or delay < 0):
        bad("delay", f"must be a number of seconds >= 0, got {delay!r}")
    concurrency = values.get("concurrency")
    if concurrency is not None and (isinstance(concurrency, bool)
                                    or not isinstance(concurrency, int) or concurrency < 1):
        bad("concurrency", f"must be a whole number >= 1, got {concurrency!r}")
    verified = values.get("verified", False)
    if not isinstance(verified, bool):
        bad("verified", f"must be true or false, got {verified!r}")
    notes = values.get("notes", "")
    if notes is None:
        notes = ""
    if not isinstance(notes, str):
        bad("notes", f"must be text, got {notes!r}")

    if problems:
        return None, problems
    assert sid and name and level and province
    return Source(
        id=sid, name=name, level=level, province=province, district=district, commune=commune,
        successor=successor, start_urls=start_urls, platform=str(platform),
        allowed_domains=allowed, delay=float(delay) if delay is not None else None,
        concurrency=concurrency, user_agent=user_agent, verified=verified, notes=notes.strip(),
    ), []


def _urls(values: dict[str, Any], bad) -> tuple[str, ...]:  # noqa: ANN001 - local callback
    raw = values.get("start_urls")
    if raw is None:
        bad("start_urls", "missing (required): a list of http(s) URLs")
        return ()
    if isinstance(raw, str):
        bad("start_urls", f"must be a list of URLs (write [{raw}]), got a single text")
        return ()
    if not isinstance(raw, list) or not raw:
        bad("start_urls", f"must be a non-empty list of http(s) URLs, got {raw!r}")
        return ()
    urls = []
    for i, url in enumerate(raw, start=1):
        if not isinstance(url, str):
            bad("start_urls", f"item {i} must be a URL, got {url!r}")
            continue
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            bad("start_urls", f"item {i} must start with http:// or https://, got {url!r}")
            continue
        try:
            port = parts.port
        except ValueError:
            port = -1
        if not parts.hostname or port == -1 or any(c.isspace() for c in url):
            bad("start_urls", f"item {i} is not a valid URL: {url!r}")
            continue
        urls.append(url)
    return tuple(urls)


def _domains(values: dict[str, Any], bad) -> tuple[str, ...] | None:  # noqa: ANN001
    raw = values.get("allowed_domains")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        bad("allowed_domains", f"must be a non-empty list of host names, got {raw!r}")
        return None
    domains = []
    for item in raw:
        if not isinstance(item, str) or not HOST_PATTERN.match(item.strip().lower()):
            bad("allowed_domains", f"{item!r} is not a host name (no scheme, port or path)")
            return None  # reported; do not also complain that start URLs fall outside
        domains.append(item.strip().lower())
    return tuple(domains)


def get_source(sources: Iterable[Source], source_id: str) -> Source:
    """The source with this id; KeyError listing the known ids otherwise."""
    known = list(sources)
    for s in known:
        if s.id == source_id:
            return s
    close = difflib.get_close_matches(source_id, [s.id for s in known], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise KeyError(f"no source '{source_id}'{hint}; known: {', '.join(s.id for s in known)}")


class SourceSelectionError(ValueError):
    """Source ids asked for on a command line that the registry does not list."""


def select_sources(sources: Iterable[Source], ids: Iterable[str]) -> list[Source]:
    """The sources named by `ids` (all of them when none is named), in the order asked.

    Raises SourceSelectionError naming every unknown id and the known ones, or saying that
    the registry is empty.
    """
    known = list(sources)
    by_id = {s.id: s for s in known}
    wanted = list(dict.fromkeys(ids))
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise SourceSelectionError(
            f"unknown source id(s): {', '.join(unknown)}; known: "
            f"{', '.join(sorted(by_id)) or 'none'}")
    selected = [by_id[i] for i in wanted] if wanted else known
    if not selected:
        raise SourceSelectionError("the sources registry lists no source")
    return selected
