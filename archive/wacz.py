"""WACZ 1.2.0 packages: a crawl's WARC files, a CDXJ index, its pages and a manifest, zipped.

A WACZ is what an archivist hands on: one file that ReplayWeb.page or pywb opens, whose
`datapackage.json` lists every file with its size and SHA-256 (and `datapackage-digest.json`
fixes the manifest itself). Layout (https://specs.webrecorder.net/wacz/1.2.0/):

    archive/<name>.warc.gz      the WARC files, STORED (already gzip; random access by offset)
    indexes/index.cdxj          sorted CDXJ with SURT keys (cdxj-indexer, POST bodies appended)
    pages/pages.jsonl           header line, then one line per article: url, ts, title, text
    datapackage.json            profile "wacz", resources with hash and bytes, created, software
    datapackage-digest.json     sha256 of datapackage.json

A run's package also holds the earlier files its revisit records refer to, so every page in
it replays from the package alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.warc import (
    DIGEST_INDEX_NAME,
    RecordError,
    WarcRecord,
    iter_records,
    warc_files,
    warcinfo_fields,
)
from scraper import __version__

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
Progress = Callable[[str], None]


class PackageError(Exception):
    """Nothing to package, or a file that cannot be read; the message says which."""


@dataclass(slots=True)
class PackageResult:
    path: Path
    warc_files: list[str]
    pages: int
    cdxj_lines: int
    warnings: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def files_of_run(warc_dir: Path, run_id: int) -> list[Path]:
    """The closed WARC files whose warcinfo names crawl run `run_id`."""
    return [p for p in warc_files(warc_dir)
            if warcinfo_fields(p).get("bantin-run-id") == str(run_id)]


def referenced_files(warc_dir: Path, files: Iterable[Path]) -> set[str]:
    """Names of the files holding the payloads that revisit records in `files` refer to."""
    wanted: set[str] = set()
    for path in files:
        for rec in iter_records(path):
            if (isinstance(rec, WarcRecord) and rec.type == "revisit"
                    and rec.headers.get("warc-refers-to")):
                wanted.add(rec.headers["warc-refers-to"])
    if not wanted:
        return set()
    names: set[str] = set()
    index = warc_dir / DIGEST_INDEX_NAME
    if index.exists():
        with index.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("record_id") in wanted:
                    names.add(entry["warc_file"])
    return names


def build_cdxj(files: list[Path], out: Path) -> int:
    """Sorted CDXJ of `files` (file names relative to archive/); returns the line count."""
    from cdxj_indexer.main import write_cdx_index

    write_cdx_index(str(out), [str(p) for p in files], {"sort": True, "post_append": True})
    with out.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def _cdxj_times(cdxj: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, offset) -> (14-digit timestamp, url) for every indexed record."""
    out = {}
    with cdxj.open(encoding="utf-8") as fh:
        for line in fh:
            _key, ts, data = line.split(" ", 2)
            entry = json.loads(data)
            out[(entry["filename"], int(entry["offset"]))] = (ts, entry.get("url", ""))
    return out


def _home(cdxj: Path) -> dict[str, str] | None:
    """The first HTML page captured with status 200 (a crawl's start page)."""
    best: tuple[str, str, int] | None = None
    with cdxj.open(encoding="utf-8") as fh:
        for line in fh:
            _key, ts, data = line.split(" ", 2)
            entry = json.loads(data)
            if entry.get("status") == "200" and entry.get("mime") == "text/html":
                cand = (ts, entry["filename"], int(entry["offset"]))
                if best is None or cand < best:
                    best, url = cand, entry["url"]
    return {"url": url, "ts": _iso_ts(best[0])} if best else None


def _iso_ts(ts: str) -> str:
    return datetime.strptime(ts[:14], "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


def article_pages(store: Any, names: set[str], times: dict[tuple[str, int], tuple[str, str]],
                  run_id: int | None) -> list[dict[str, Any]]:
    """One page entry per article whose captured version lies in the packaged files: the
    newest such version (of `run_id` when given, else any)."""
    if store is None:
        return []
    import sqlalchemy as sa

    from archive import models as m

    v = m.ArticleVersion.__table__
    query = (sa.select(v.c.id, v.c.article_id, v.c.title, v.c.lead, v.c.body_text, v.c.url,
                       v.c.warc_file, v.c.warc_offset, v.c.fetched_at)
             .where(v.c.warc_file.in_(sorted(names))).order_by(v.c.article_id, v.c.number))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    newest: dict[int, Any] = {}
    for row in rows:
        newest[row.article_id] = row
    pages = []
    for row in newest.values():
        ts, url = times.get((row.warc_file, int(row.warc_offset)), ("", row.url))
        text = "\n\n".join(t for t in (row.lead, row.body_text) if t)
        pages.append({"id": f"article-{row.article_id}-v{row.id}", "url": url or row.url,
                      "ts": _iso_ts(ts) if ts else row.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "title": row.title or "", "text": text})
    pages.sort(key=lambda p: (p["ts"], p["url"]))
    return pages


def package(warc_dir: str | Path, output: str | Path, *, run_id: int | None = None,
            store: Any = None, progress: Progress | None = None) -> PackageResult:
    """Write the WACZ for crawl run `run_id` (None: every closed WARC file) to `output`."""
    warc_dir = Path(warc_dir)
    output = Path(output)
    say = progress or (lambda _msg: None)
    warnings: list[str] = []
    if run_id is None:
        files = warc_files(warc_dir)
        open_files = [p.name for p in warc_files(warc_dir, include_open=True)
                      if p not in files]
        if open_files:
            warnings.append(f"left out files still being written: {', '.join(open_files)}")
    else:
        files = files_of_run(warc_dir, run_id)
        extra = referenced_files(warc_dir, files) - {p.name for p in files}
        missing = [n for n in sorted(extra) if not (warc_dir / n).exists()]
        if missing:
            warnings.append("revisits refer to files that are not in the WARC directory: "
                            + ", ".join(missing))
        files = sorted(files + [warc_dir / n for n in sorted(extra) if n not in missing])
    if not files:
        what = f"crawl run {run_id}" if run_id is not None else "any crawl"
        raise PackageError(f"no WARC files of {what} in {warc_dir}")
    for path in files:
        first = next(iter(iter_records(path)), None)
        if isinstance(first, RecordError):
            raise PackageError(f"cannot read {first}")
    say(f"packaging {len(files)} WARC file(s)")

    with tempfile.TemporaryDirectory(prefix="bantin-wacz-") as tmp:
        cdxj = Path(tmp) / "index.cdxj"
        lines = build_cdxj(files, cdxj)
        say(f"indexed {lines} records")
        names = {p.name for p in files}
        pages = article_pages(store, names, _cdxj_times(cdxj), run_id)
        pages_path = Path(tmp) / "pages.jsonl"
        with pages_path.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(PAGES_HEADER) + "\n")
            for page in pages:
                fh.write(json.dumps(page, ensure_ascii=False) + "\n")

        entries: list[tuple[Path, str, int]] = [
            *[(p, f"archive/{p.name}", zipfile.ZIP_STORED) for p in files],
            (cdxj, "indexes/index.cdxj", zipfile.ZIP_DEFLATED),
            (pages_path, "pages/pages.jsonl", zipfile.ZIP_DEFLATED),
        ]
        resources = []
        for path, arcname, _ in entries:
            digest, size = sha256_file(path)
            resources.append({"name": Path(arcname).name.lower(), "path": arcname,
                              "hash": digest, "bytes": size})
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = (f"bantin crawl run {run_id}" if run_id is not None
                 else "bantin archive: every crawl")
        datapackage: dict[str, Any] = {
            "profile": "wacz",
            "title": title,
            "description": "Vietnamese government news portal pages captured by bantin: WARC "
                           "records as received, a CDXJ index and the extracted articles.",
            "created": created,
            "software": f"bantin {__version__}",
            "resources": resources,
        }
        home = _home(cdxj)
        if home:
            datapackage["home"] = home
        if run_id is not None:
            datapackage["bantin"] = {"run_id": run_id}
        dp_bytes = json.dumps(datapackage, ensure_ascii=False, indent=2).encode("utf-8")
        digest_doc = {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(dp_bytes).hexdigest()}

        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            for path, arcname, compress in entries:
                zf.write(path, arcname, compress_type=compress)
            zf.writestr("datapackage.json", dp_bytes, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr("datapackage-digest.json", json.dumps(digest_doc, indent=2),
                        compress_type=zipfile.ZIP_DEFLATED)
        os.replace(partial, output)
    return PackageResult(output, [p.name for p in files], len(pages), lines, warnings)
