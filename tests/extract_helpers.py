"""Fixture pages for the extraction tests and the extraction benchmark.

Each page is `NAME.html` (raw bytes as served), `NAME.url` (one line: the URL it was served
at), optionally `NAME.headers` (HTTP response headers, one `Name: value` a line) and
`NAME.golden.json` (the hand-reviewed expected record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

PAGES_DIR = Path(__file__).parent / "fixtures" / "pages"
# Goldens are extracted "as of" this moment, so future-date rejection is reproducible.
GOLDEN_NOW = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=7)))


@dataclass(frozen=True)
class FixturePage:
    name: str
    path: Path
    url: str
    headers: dict[str, str]

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def golden_path(self) -> Path:
        return self.path.with_name(f"{self.name}.golden.json")


def read_headers(path: Path) -> dict[str, str]:
    headers: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip()] = value.strip()
    return headers


def fixture_pages(pages_dir: Path = PAGES_DIR) -> list[FixturePage]:
    """Every fixture page, sorted by name."""
    out = []
    for html in sorted(pages_dir.glob("*.html")):
        name = html.stem
        url = html.with_suffix(".url").read_text(encoding="utf-8").strip()
        out.append(FixturePage(name, html, url, read_headers(html.with_suffix(".headers"))))
    return out


def page(name: str) -> FixturePage:
    for p in fixture_pages():
        if p.name == name:
            return p
    raise KeyError(name)
