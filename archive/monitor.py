"""Monitoring: the store's event log turned into what a cron job acts on.

Events (new, changed, removed, gone, source_unhealthy) are written by the store as pages are
saved; a monitor reads them after a cursor kept in the store per monitor name and channel
(`<name>` for stdout, `<name>:webhook` for the webhook), and advances the cursor only once
the channel took the events, so nothing is lost and nothing acknowledged is sent twice.

The event JSON schema (version 1) is documented in docs/monitoring.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from archive import models as m
from archive.store import Event, Store

SCHEMA_VERSION = 1
CONTENT_EVENTS = frozenset({"new", "changed", "removed", "gone"})

# A source is unhealthy when extraction fails on more than this share of its article pages
# (and on at least MIN_PAGES of them): the portal's template most likely changed.
EXTRACTION_FAILURE_SHARE = 0.5
MIN_PAGES = 3
BODY_DIFF_LINES = 12


@dataclass
class Health:
    """The verdict on one source after a crawl, with the evidence behind it."""

    source_id: str
    problems: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return not self.problems


def _text_diff(old: str, new: str, limit: int = BODY_DIFF_LINES) -> str:
    """A short unified diff by paragraph: enough to see what an editor changed."""
    lines = list(
        difflib.unified_diff(
            (old or "").split("\n\n"), (new or "").split("\n\n"), "before", "after", n=0,
            lineterm="",
        )
    )[2:]
    lines = [line for line in lines if not line.startswith("@@")]
    if len(lines) > limit:
        lines = lines[:limit] + [f"… {len(lines) - limit} more line(s)"]
    return "\n".join(lines)


def content_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two versions, field by field (title, dates, authors, body)."""
    diff: dict[str, Any] = {}
    for name in ("title", "published_at", "updated_at", "authors", "lead"):
        if old.get(name) != new.get(name):
            diff[name] = {"old": old.get(name), "new": new.get(name)}
    if (old.get("body_text") or "") != (new.get("body_text") or ""):
        diff["body"] = _text_diff(old.get("body_text") or "", new.get("body_text") or "")
    return diff


def _versions(store: Store, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    v = m.ArticleVersion.__table__
    cols = [v.c.id, v.c.article_id, v.c.number, v.c.title, v.c.published_at, v.c.updated_at,
            v.c.authors, v.c.lead, v.c.body_text, v.c.fetched_at]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(v.c.id.in_(ids))).mappings().all()
    return {r["id"]: dict(r) for r in rows}


def _previous_version(store: Store, article_id: int, number: int) -> dict[str, Any] | None:
    v = m.ArticleVersion.__table__
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(v.c.title, v.c.published_at, v.c.updated_at, v.c.authors, v.c.lead,
                      v.c.body_text)
            .where(v.c.article_id == article_id, v.c.number < number)
            .order_by(v.c.number.desc())
            .limit(1)
        ).mappings().first()
    return dict(row) if row else None


def event_json(store: Store, events: list[Event]) -> list[dict[str, Any]]:
    """Events in the stable JSON schema, with a short diff for `changed`."""
    versions = _versions(store, (e.version_id for e in events))
    out = []
    for event in events:
        version = versions.get(event.version_id or -1, {})
        item: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "event_id": event.id,
            "kind": event.kind,
            "source_id": event.source_id,
            "at": event.at.isoformat(),
            "run_id": event.run_id,
            "article_id": event.article_id,
            "url": event.url or event.details.get("url"),
            "title": version.get("title") or event.title,
            "published_at": version.get("published_at"),
            "version": version.get("number"),
        }
        if event.kind == "changed" and version:
            previous = _previous_version(store, version["article_id"], version["number"])
            item["diff"] = content_diff(previous or {}, version)
        if event.kind in ("gone", "removed"):
            item["previous_status"] = event.details.get("previous_status")
        if event.kind == "source_unhealthy":
            item["problems"] = event.details.get("problems", [])
            item["evidence"] = event.details.get("evidence", {})
        out.append(item)
    return out


def assess_health(store: Store, source_id: str, run_id: int | None,
                  counts: Mapping[str, Any], errors: list[Mapping[str, Any]]) -> Health:
    """Judge a source from its crawl: no article, every page failing, or extraction failing."""
    health = Health(source_id)
    pages = int(counts.get("pages") or 0)
    requests = int(counts.get("requests") or 0)
    n_errors = int(counts.get("errors") or 0)
    articles = sum(int(counts.get(k) or 0) for k in ("new", "changed", "unchanged"))
    skipped = int(counts.get("skipped") or 0)
    health.evidence.update(pages=pages, requests=requests, errors=n_errors, articles=articles,
                           not_articles=skipped, run_id=run_id)
    if errors:
        health.evidence["error_samples"] = [
            {k: e.get(k) for k in ("kind", "url", "message") if e.get(k)} for e in errors[:5]
        ]
    if pages == 0 or (requests and n_errors >= requests):
        health.problems.append("all_pages_failed")
    if articles == 0:
        health.problems.append("no_articles")
    if run_id is not None:
        v = m.ArticleVersion.__table__
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(v.c.url, v.c.title, v.c.published_at).where(v.c.run_id == run_id)
            ).all()
        failing = [r.url for r in rows if not (r.title or "").strip() or not r.published_at]
        checked = len(rows) + skipped
        bad = len(failing) + skipped
        if checked >= MIN_PAGES and bad / checked > EXTRACTION_FAILURE_SHARE:
            health.problems.append("extraction_failing")
            health.evidence["extraction"] = {
                "pages_checked": checked,
                "missing_title_or_date": len(failing),
                "not_recognised_as_article": skipped,
                "sample_urls": failing[:5],
            }
    return health


def record_health(store: Store, health: Health) -> int | None:
    """Append a source_unhealthy event when the source has problems; returns its id."""
    if health.healthy:
        return None
    return store.record_event(
        "source_unhealthy",
        source_id=health.source_id,
        run_id=health.evidence.get("run_id"),
        details={"problems": health.problems, "evidence": health.evidence},
    )


def recent_events(store: Store, source_ids: Iterable[str] | None, limit: int) -> list[Event]:
    """The newest `limit` events (for the Atom feed), oldest first."""
    e = m.Event.__table__
    stmt = sa.select(sa.func.max(e.c.id))
    if source_ids is not None:
        stmt = stmt.where(e.c.source_id.in_(list(source_ids)))
    with store.engine.connect() as conn:
        top = conn.execute(stmt).scalar() or 0
        floor_stmt = sa.select(e.c.id).order_by(e.c.id.desc()).offset(limit - 1).limit(1)
        if source_ids is not None:
            floor_stmt = floor_stmt.where(e.c.source_id.in_(list(source_ids)))
        floor = conn.execute(floor_stmt).scalar()
    if not top:
        return []
    return store.events_after((floor or 1) - 1, source_ids)
