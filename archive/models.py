"""The archive's tables: sources, crawl runs, articles and their versions, officials, events.

Design rules, because records must outlive the portals that published them:
- an Article is one canonical URL of one source; a crawl never deletes it, it only flags it
  `removed` (no longer listed) or `gone` (the portal answers "not found");
- every distinct content of an article is an ArticleVersion (unique content hash per article)
  holding every extracted field, the raw record and the pointer into the WARC capture;
- the administrative unit a source belonged to is snapshotted (SourceUnit) so a version keeps
  the province/district/commune names as they were when it was captured, even after the 2025
  mergers renamed or abolished the unit;
- Event is append-only: the monitor reads it with a cursor (MonitorCursor).

The search index tables are not mapped here: they are engine specific (FTS5 virtual table on
SQLite, tsvector columns on PostgreSQL) and are created by the migrations; see
`archive/search.py`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

ARTICLE_STATUSES = ("present", "removed", "gone")
EVENT_KINDS = ("new", "changed", "removed", "gone", "source_unhealthy")
RUN_STATUSES = ("running", "finished", "failed", "interrupted")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A portal, with its administrative unit as currently configured."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String(50))
    province: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    commune: Mapped[str | None] = mapped_column(Text)
    successor: Mapped[str | None] = mapped_column(Text)
    start_urls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    platform: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceUnit(Base):
    """The unit names a source had from `recorded_at` on (a new row whenever they change)."""

    __tablename__ = "source_units"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String(50))
    province: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    commune: Mapped[str | None] = mapped_column(Text)
    successor: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CrawlRun(Base):
    """One crawl: the audit row every run leaves, finished or not."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Article(Base):
    """One canonical URL of one source. Never deleted by a crawl."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_id", "url", name="uq_articles_source_url"),
        Index("ix_articles_source_status", "source_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text)  # canonical URL (or the fetched URL without one)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="present")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_versions.id", use_alter=True, name="fk_articles_current_version")
    )
    version_count: Mapped[int] = mapped_column(Integer, default=0)


class ArticleUrl(Base):
    """Every URL an article was fetched under (the canonical one included)."""

    __tablename__ = "article_urls"
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_article_urls_source_url"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)


class ArticleVersion(Base):
    """One distinct content of an article, with every extracted field and its provenance."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "content_hash", name="uq_versions_article_hash"),
        UniqueConstraint("article_id", "number", name="uq_versions_article_number"),
        Index("ix_versions_published_date", "published_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in order of first capture
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("source_units.id"))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[str | None] = mapped_column(String(40))
    published_date: Mapped[date | None] = mapped_column(Date)
    published_raw: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[str | None] = mapped_column(String(40))
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    lead: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str | None] = mapped_column(String(50))
    language: Mapped[str | None] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(40))
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_record_id: Mapped[str | None] = mapped_column(Text)
    payload_digest: Mapped[str | None] = mapped_column(Text)


class Official(Base):
    """A person across articles, keyed by the folded name."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)  # the first display name seen
    names: Mapped[list[Any]] = mapped_column(JSON, default=list)  # every display name seen


class Mention(Base):
    """An official named in one version, with the position as written there."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[str] = mapped_column(Text, default="")
    position_expanded: Mapped[str] = mapped_column(Text, default="")
    cue: Mapped[str] = mapped_column(Text, default="")


class Image(Base):
    __tablename__ = "images"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text)
    caption: Mapped[str] = mapped_column(Text, default="")


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(20), default="")


class Event(Base):
    """Append-only log of what changed on the portals, read by the monitor with a cursor."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_source_id", "source_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("article_versions.id"))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MonitorCursor(Base):
    """Where a named monitor stopped reading the event log."""

    __tablename__ = "monitor_cursors"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
