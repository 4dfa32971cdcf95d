"""Fixity audit: are the WARC files still what was written, and does the store point at them?

`verify_archive` re-reads every record of every WARC file, recomputes its block digest and
(for responses and requests) its payload digest, and then checks each article version's
pointer (file, offset, record id, payload digest) against what is really at that offset.
Every problem is reported with the file and the byte offset an archivist can open with
`warcio extract FILE OFFSET`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.warc import (
    OPEN_SUFFIX,
    RecordError,
    WarcRecord,
    iter_records,
    read_record_at,
    warc_files,
)

Progress = Callable[[str], None]


@dataclass(slots=True)
class Problem:
    file: str
    offset: int | None
    message: str
    record_id: str | None = None
    version_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "offset": self.offset, "message": self.message,
                "record_id": self.record_id, "version_id": self.version_id}

    def __str__(self) -> str:
        where = f"{self.file}" + (f" at offset {self.offset}" if self.offset is not None else "")
        extra = f" (record {self.record_id})" if self.record_id else ""
        if self.version_id is not None:
            extra += f" [article version {self.version_id}]"
        return f"{where}: {self.message}{extra}"


@dataclass(slots=True)
class Report:
    files: int = 0
    records: int = 0
    pointers: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "records": self.records,
                "pointers": self.pointers, "problems": [p.to_dict() for p in self.problems],
                "warnings": self.warnings}


def compute_digest(spec: str, data: bytes) -> str | None:
    """Recompute `data`'s digest in the algorithm and encoding of `spec` ("sha1:BASE32",
    "sha256:hex", ...); None when the algorithm is unknown."""
    algo, _, value = spec.partition(":")
    try:
        digest = hashlib.new(algo.lower().replace("-", ""), data).digest()
    except ValueError:
        return None
    if len(value) == len(digest) * 2 and all(c in "0123456789abcdefABCDEF" for c in value):
        return f"{algo}:{digest.hex()}"
    return f"{algo}:{base64.b32encode(digest).decode('ascii')}"


def same_digest(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def check_record(rec: WarcRecord) -> list[str]:
    """Digest problems of one record (empty when its digests hold)."""
    out = []
    block_spec = rec.headers.get("warc-block-digest")
    if block_spec:
        got = compute_digest(block_spec, rec.block)
        if got is None:
            out.append(f"unknown block digest algorithm {block_spec.split(':')[0]!r}")
        elif not same_digest(got, block_spec):
            out.append(f"block digest mismatch: recorded {block_spec}, computed {got}")
    payload_spec = rec.headers.get("warc-payload-digest")
    if payload_spec and rec.type in ("response", "request", "resource"):
        payload = rec.http_split()[1] if rec.type != "resource" else rec.block
        got = compute_digest(payload_spec, payload)
        if got is None:
            out.append(f"unknown payload digest algorithm {payload_spec.split(':')[0]!r}")
        elif not same_digest(got, payload_spec):
            out.append(f"payload digest mismatch: recorded {payload_spec}, computed {got}")
    return out


def _since_ok(path: Path, since: datetime | None) -> bool:
    if since is None:
        return True
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return mtime >= since


def verify_archive(warc_dir: str | Path, *, store: Any = None, since: datetime | None = None,
                   progress: Progress | None = None) -> Report:
    """Check every WARC file in `warc_dir` and, with a store, every version's pointer."""
    warc_dir = Path(warc_dir)
    report = Report()
    say = progress or (lambda _msg: None)
    files = [p for p in warc_files(warc_dir, include_open=True) if _since_ok(p, since)]
    seen: dict[tuple[str, int], tuple[WarcRecord, bool]] = {}
    record_ids: set[str] = set()
    revisits: list[tuple[str, int, str, str]] = []  # file, offset, own id, refers-to id
    for n, path in enumerate(files, 1):
        if path.name.endswith(OPEN_SUFFIX):
            report.warnings.append(
                f"{path.name}: still open (a crawl is writing it, or one was killed; checked "
                "as far as it goes; when no crawl is running, its complete records are kept "
                f"by renaming it to {path.name.removesuffix(OPEN_SUFFIX)})")
        report.files += 1
        first = True
        still_open = path.name.endswith(OPEN_SUFFIX)
        for item in iter_records(path):
            if isinstance(item, RecordError):
                if still_open and "truncated" in item.message:
                    report.warnings.append(f"{path.name}: the record at offset {item.offset} "
                                           "is still being written (or was cut by a kill)")
                else:
                    report.problems.append(Problem(path.name, item.offset, item.message))
                first = False
                continue
            report.records += 1
            if first and item.type != "warcinfo":
                report.problems.append(Problem(path.name, item.offset,
                                               "file does not open with a warcinfo record"))
            first = False
            problems = check_record(item)
            for message in problems:
                report.problems.append(Problem(path.name, item.offset, message, item.record_id))
            name = path.name.removesuffix(OPEN_SUFFIX)
            seen[(name, item.offset)] = (item, not problems)
            record_ids.add(item.record_id)
            if item.type == "revisit" and item.headers.get("warc-refers-to"):
                revisits.append((path.name, item.offset, item.record_id,
                                 item.headers["warc-refers-to"]))
            if report.records % 5000 == 0:
                say(f"  {report.records} records checked ({path.name})")
        say(f"[{n}/{len(files)}] {path.name}: checked")
    if since is None:  # with --since the records referred to may lie in older files
        for name, offset, own_id, target in revisits:
            if target not in record_ids:
                report.problems.append(Problem(
                    name, offset, f"revisit refers to record {target}, which is in none of "
                    "the WARC files (its payload is lost)", own_id))
    if store is not None:
        _check_pointers(store, warc_dir, since, seen, report, say)
    return report


def _check_pointers(store: Any, warc_dir: Path, since: datetime | None,
                    seen: dict[tuple[str, int], tuple[WarcRecord, bool]], report: Report,
                    say: Progress) -> None:
    import sqlalchemy as sa

    from archive import models as m

    v = m.ArticleVersion.__table__
    query = sa.select(v.c.id, v.c.warc_file, v.c.warc_offset, v.c.warc_record_id,
                      v.c.payload_digest).where(v.c.warc_file.is_not(None)).order_by(v.c.id)
    if since is not None:
        query = query.where(v.c.fetched_at >= since)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    say(f"checking {len(rows)} store pointers")
    for version_id, warc_file, offset, record_id, digest in rows:
        report.pointers += 1
        key = (warc_file, int(offset))
        if key in seen:
            rec, intact = seen[key]
        else:
            path = warc_dir / warc_file
            if not path.exists() and (warc_dir / (warc_file + OPEN_SUFFIX)).exists():
                path = warc_dir / (warc_file + OPEN_SUFFIX)
            if not path.exists():
                report.problems.append(Problem(warc_file, offset, "WARC file is missing",
                                               record_id, version_id))
                continue
            try:
                rec = read_record_at(path, int(offset))
            except RecordError as exc:
                report.problems.append(Problem(warc_file, offset, exc.message, record_id,
                                               version_id))
                continue
            intact = not check_record(rec)
        if rec.record_id != record_id:
            report.problems.append(Problem(
                warc_file, offset, f"pointer lands on record {rec.record_id}, not {record_id}",
                record_id, version_id))
        elif digest and not same_digest(rec.headers.get("warc-payload-digest", ""), digest):
            report.problems.append(Problem(
                warc_file, offset,
                f"record's payload digest {rec.headers.get('warc-payload-digest')} is not the "
                f"recorded {digest}", record_id, version_id))
        elif not intact:
            report.problems.append(Problem(warc_file, offset,
                                           "pointed record fails its digest check",
                                           record_id, version_id))
