"""Streaming export of archived articles with their provenance, as JSON Lines or CSV.

One row per article version (the current one, or every version with `all_versions`). A row
holds every field of the extracted record (so `Record.from_dict(row)` gives the record back)
plus where it came from: source and unit names at capture time, URLs, when it was fetched,
the version number and content hash, and the WARC pointer once captures exist.

Rows stream from the database (server-side cursor on PostgreSQL, `yield_per`), so exporting a
million articles does not load them into memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

import sqlalchemy as sa

from archive.search import Filters, QueryPlan, parse_query
from scraper.record import Record

# Provenance columns, then every Record field, in this order.
PROVENANCE_FIELDS: tuple[str, ...] = (
    "source_id", "source_name", "unit_level", "province", "district", "commune", "successor",
    "article_id", "article_status", "first_seen", "last_seen",
    "version", "version_id", "version_count", "content_hash", "fetched_at", "run_id",
    "http_status", "etag", "last_modified",
    "warc_file", "warc_offset", "warc_record_id", "payload_digest",
)
RECORD_FIELDS: tuple[str, ...] = tuple(Record.__dataclass_fields__)
FIELDS: tuple[str, ...] = PROVENANCE_FIELDS + RECORD_FIELDS
# Columns that hold lists or objects: JSON-encoded inside a CSV cell.
JSON_FIELDS = frozenset({"authors", "officials", "images", "attachments", "warnings"})
INT_FIELDS = frozenset({"article_id", "version", "version_id", "version_count", "run_id",
                        "http_status", "warc_offset"})
# Record fields whose absence is None (an empty CSV cell reads back as None for these).
_NONE_DEFAULTS = frozenset(
    name for name, f in Record.__dataclass_fields__.items() if f.default is None
) | (frozenset(PROVENANCE_FIELDS) - {"source_id"})


DATETIME_FIELDS = frozenset({"first_seen", "last_seen", "fetched_at"})


def _iso(name: str, value: Any) -> Any:
    """Datetimes as ISO 8601 in UTC on both engines (SQLite hands back naive strings)."""
    if name in DATETIME_FIELDS and isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def iter_export(
    store: Any,
    query: str | None = None,
    *,
    filters: Filters | None = None,
    all_versions: bool = False,
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Yield export rows (dicts with FIELDS as keys) for articles matching query and filters."""
    filters = filters or Filters()
    parsed = parse_query(query)
    with store.engine.connect() as conn:
        plan = QueryPlan(conn, parsed, filters)
        version_join = (
            "JOIN article_versions xv ON xv.article_id = a.id" if all_versions
            else "JOIN article_versions xv ON xv.id = v.id"
        )
        sql = (
            f"WITH m AS ({plan.match_cte}) "
            "SELECT a.id AS article_id, a.source_id, a.status AS article_status, "
            "a.first_seen, a.last_seen, a.version_count, s.name AS source_name, "
            "xu.level AS unit_level, xu.province, xu.district, xu.commune, xu.successor, "
            "xv.id AS version_id, xv.number AS version, xv.content_hash, xv.fetched_at, "
            "xv.run_id, xv.http_status, xv.etag, xv.last_modified, xv.warc_file, "
            "xv.warc_offset, xv.warc_record_id, xv.payload_digest, xv.record "
            "FROM m JOIN articles a ON a.id = m.article_id "
            "JOIN article_versions v ON v.id = a.current_version_id "
            "LEFT JOIN source_units u ON u.id = v.unit_id "
            f"{version_join} "
            "LEFT JOIN source_units xu ON xu.id = xv.unit_id "
            "JOIN sources s ON s.id = a.source_id "
            "WHERE " + " AND ".join(plan.where) + " ORDER BY a.id, xv.number"
        )
        result = conn.execute(
            sa.text(sql).execution_options(stream_results=True, yield_per=batch), plan.params
        )
        for row in result:
            data = row._mapping
            record = data["record"]
            if isinstance(record, str):
                record = json.loads(record)
            out: dict[str, Any] = {name: _iso(name, data[name]) for name in PROVENANCE_FIELDS}
            full = Record.from_dict(record).to_dict()  # fills fields added since capture
            out.update({name: full.get(name) for name in RECORD_FIELDS})
            yield out


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: _csv_cell(k, v) for k, v in row.items()})
        n += 1
    return n


def _csv_cell(name: str, value: Any) -> Any:
    if name in JSON_FIELDS:
        return json.dumps(value if value is not None else [], ensure_ascii=False)
    if value is None:
        return ""
    return value


def parse_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """Turn one CSV row back into the export row it was written from."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        cell = row.get(name, "")
        if name in JSON_FIELDS:
            out[name] = json.loads(cell) if cell else []
        elif cell == "" and name in _NONE_DEFAULTS:
            out[name] = None
        elif name in INT_FIELDS:
            out[name] = int(cell)
        else:
            out[name] = cell
    return out


def read_export(text: str, fmt: str) -> list[dict[str, Any]]:
    """Parse an export (jsonl or csv text) back into rows: the inverse of writing it."""
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if fmt == "csv":
        return [parse_csv_row(r) for r in csv.DictReader(io.StringIO(text))]
    raise ValueError(f"unknown export format {fmt!r}")
