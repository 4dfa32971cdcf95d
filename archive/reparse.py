"""Rebuild article versions from the WARC files with the current parsers, with no network.

The WARC response records are the evidence; the store's versions are what an extractor made
of them. When the extractor improves, `reparse` runs it again over the stored bytes and
saves the results through `Store.save_page`, so the store's own rules decide: the same
content is nothing new, different content is a new version that points at the same WARC
record. The evidence is never touched.

Order matters because `save_page` makes the last saved content the article's current one.
Records are processed oldest first, a content the article already has is skipped (so a
second run changes nothing), and when something new was saved the newest capture is saved
last again, so the current version stays the one the portal showed most recently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.warc import (
    OPEN_SUFFIX,
    Pointer,
    RecordError,
    decoded_payload,
    iter_records,
    parse_http_head,
    read_record_at,
    warc_files,
)
from scraper.record import Record, content_hash

Progress = Callable[[str], None]
_HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml", "text/plain")


@dataclass(slots=True)
class Candidate:
    """A response record that may hold an article."""

    url: str
    date: datetime
    status: int
    pointer: Pointer
    source_id: str


@dataclass(slots=True)
class ReparseReport:
    records: int = 0
    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0
    skipped_unknown_source: int = 0
    not_articles: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


def _parse_date(value: str) -> datetime:
    value = value.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SourceMap:
    """Which source a captured URL belongs to: the store's known URLs, then the hosts of
    each source's start URLs (a host shared by two sources is ambiguous and skipped)."""

    def __init__(self, store: Any) -> None:
        import sqlalchemy as sa

        from archive import models as m

        au = m.ArticleUrl.__table__
        s = m.Source.__table__
        with store.engine.connect() as conn:
            self.by_url = {u: sid for sid, u in conn.execute(sa.select(au.c.source_id, au.c.url))}
            hosts: dict[str, set[str]] = {}
            for sid, start_urls in conn.execute(sa.select(s.c.id, s.c.start_urls)):
                for url in start_urls or []:
                    host = (urlsplit(str(url)).hostname or "").lower()
                    if host:
                        hosts.setdefault(host, set()).add(sid)
        self.by_host = {h: next(iter(ids)) for h, ids in hosts.items() if len(ids) == 1}

    def source_of(self, url: str) -> str | None:
        if url in self.by_url:
            return self.by_url[url]
        host = (urlsplit(url).hostname or "").lower()
        if host in self.by_host:
            return self.by_host[host]
        if host.startswith("www.") and host[4:] in self.by_host:
            return self.by_host[host[4:]]
        return self.by_host.get("www." + host)


def crawl_context(warc_dir: str | Path) -> dict[tuple[str, int], dict[str, Any]]:
    """(WARC file, offset) -> {"source_id", "role"} from the crawl logs beside the files."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for log in sorted(Path(warc_dir).glob("*.crawl-log.jsonl")):
        with log.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a torn last line after a crash
                if entry.get("warc_file") and entry.get("offset") is not None:
                    out[(entry["warc_file"], int(entry["offset"]))] = entry
    return out


def candidates(warc_dir: str | Path, sources: SourceMap, *, source_id: str | None = None,
               since: datetime | None = None, report: ReparseReport | None = None
               ) -> list[Candidate]:
    """Every 200 HTML response record the crawl fetched as an article, oldest first, with its
    source. The crawl log says which source and role each record had; records without a log
    entry (files from elsewhere) are attributed by URL and host and kept when extraction
    sees an article."""
    report = report or ReparseReport()
    context = crawl_context(warc_dir)
    out: list[Candidate] = []
    for path in warc_files(warc_dir, include_open=True):
        name = path.name.removesuffix(OPEN_SUFFIX)
        for rec in iter_records(path):
            if isinstance(rec, RecordError):
                report.errors.append(str(rec))
                continue
            if rec.type != "response":
                continue
            head, _ = rec.http_split()
            _proto, status, headers = parse_http_head(head)
            ctype = next((v for k, v in headers if k.lower() == "content-type"), "text/html")
            if status != 200 or not ctype.lower().startswith(_HTML_TYPES):
                continue
            date = _parse_date(rec.headers.get("warc-date", "1970-01-01T00:00:00Z"))
            if since is not None and date < since:
                continue
            report.records += 1
            logged = context.get((name, rec.offset))
            if logged is not None and logged.get("role") not in (None, "article"):
                report.not_articles += 1
                continue
            sid = (logged or {}).get("source_id") or sources.source_of(rec.target_uri)
            if sid is None:
                report.skipped_unknown_source += 1
                continue
            if source_id is not None and sid != source_id:
                continue
            pointer = Pointer(name, rec.offset, rec.record_id,
                              rec.headers.get("warc-payload-digest", ""))
            out.append(Candidate(rec.target_uri, date, status, pointer, sid))
    out.sort(key=lambda c: c.date)
    return out


def extract_candidate(warc_dir: Path, cand: Candidate) -> Record:
    """Run the current extractor on the record's payload, then put the URLs in the crawl's
    canonical form exactly as the crawl's NormalizePipeline does."""
    from pipelines.normalize import usable_canonical
    from scraper.extract import extract
    from spiders.links import canonicalize_url

    path = warc_dir / cand.pointer.warc_file
    if not path.exists():
        path = warc_dir / (cand.pointer.warc_file + OPEN_SUFFIX)
    rec = read_record_at(path, cand.pointer.offset)
    head, payload = rec.http_split()
    _proto, status, header_list = parse_http_head(head)
    headers: dict[str, str] = {}
    for name, value in header_list:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    body = decoded_payload(payload, header_list)
    record = extract(body, cand.url, headers=headers, status=status, now=cand.date)
    final = canonicalize_url(cand.url)
    record.url = final
    record.canonical_url = usable_canonical(record.canonical_url, final)
    return record


def _article_hashes(store: Any, source_id: str, urls: Iterable[str]) -> tuple[set[str], Any]:
    """(content hashes the article already has, its current version row) by any URL."""
    import sqlalchemy as sa

    from archive import models as m

    a, au, v = m.Article.__table__, m.ArticleUrl.__table__, m.ArticleVersion.__table__
    urls = [u for u in dict.fromkeys(urls) if u]
    with store.engine.connect() as conn:
        article_id = conn.execute(
            sa.select(au.c.article_id).where(au.c.source_id == source_id, au.c.url.in_(urls))
        ).scalar()
        if article_id is None:
            article_id = conn.execute(
                sa.select(a.c.id).where(a.c.source_id == source_id, a.c.url.in_(urls))
            ).scalar()
        if article_id is None:
            return set(), None
        hashes = set(conn.execute(sa.select(v.c.content_hash).where(v.c.article_id == article_id))
                     .scalars())
        current = conn.execute(
            sa.select(v).join(a, a.c.current_version_id == v.c.id).where(a.c.id == article_id)
        ).mappings().first()
    return hashes, current


def reparse(store: Any, warc_dir: str | Path, *, source_id: str | None = None,
            since: datetime | None = None, progress: Progress | None = None) -> ReparseReport:
    """Re-extract every captured article page and save what is new (see module doc)."""
    warc_dir = Path(warc_dir)
    say = progress or (lambda _msg: None)
    report = ReparseReport()
    sources = SourceMap(store)
    cands = candidates(warc_dir, sources, source_id=source_id, since=since, report=report)
    say(f"{len(cands)} captured pages to re-extract")

    groups: dict[tuple[str, str], list[tuple[Candidate, Record]]] = {}
    for n, cand in enumerate(cands, 1):
        try:
            record = extract_candidate(warc_dir, cand)
        except RecordError as exc:
            report.errors.append(str(exc))
            continue
        if record.kind != "article":
            report.not_articles += 1
            continue
        key = (cand.source_id, record.canonical_url or record.url)
        groups.setdefault(key, []).append((cand, record))
        if n % 200 == 0:
            say(f"  {n}/{len(cands)} re-extracted")

    for (sid, _key), items in groups.items():
        report.articles += 1
        first_record = items[0][1]
        hashes, current = _article_hashes(
            store, sid, [r.canonical_url or r.url for _, r in items] + [first_record.url])
        saved_any = False
        last_saved = None
        for cand, record in items:
            digest = content_hash(record)
            if digest in hashes:
                report.unchanged += 1
                continue
            result = _save(store, sid, cand, record)
            if result.status in ("new", "changed", "unchanged"):
                setattr(report, result.status, getattr(report, result.status) + 1)
            hashes.add(digest)
            saved_any = True
            last_saved = digest
        if not saved_any:
            continue
        newest_cand, newest = items[-1]
        if _newest_is_latest(current, {c.pointer.record_id for c, _ in items}, newest_cand):
            if content_hash(newest) != last_saved:
                _save(store, sid, newest_cand, newest)
                report.restored += 1
        else:  # the WARC files seen end before the article's latest capture: keep that one
            restored = Record.from_dict(dict(current["record"]))
            store.save_page(source_id=sid, record=restored, fetched_at=current["fetched_at"],
                            http_status=current["http_status"] or 200,
                            capture={"warc_file": current["warc_file"],
                                     "offset": current["warc_offset"],
                                     "record_id": current["warc_record_id"],
                                     "payload_digest": current["payload_digest"]})
            report.restored += 1
    return report


def _newest_is_latest(current: Any, record_ids: set[str], newest: Candidate) -> bool:
    """Does the newest re-extracted capture stand for the article's latest state?

    Yes when the article had no version, or when its current version's own capture is among
    the records re-extracted (anything after it in the group is newer). Otherwise (that
    capture lies outside the files or dates seen) only a capture made after it wins.
    """
    if current is None or current["warc_record_id"] in record_ids:
        return True
    fetched = current["fetched_at"]
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    return newest.date > fetched


def _save(store: Any, source_id: str, cand: Candidate, record: Record) -> Any:
    return store.save_page(source_id=source_id, record=record, fetched_at=cand.date,
                           http_status=cand.status, capture=cand.pointer.to_dict())
