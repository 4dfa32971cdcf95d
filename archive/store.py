"""The archive store: where crawled records live, versioned, on SQLite or PostgreSQL.

Every method is blocking and runs its writes in ONE transaction, so a crash leaves either the
whole page or nothing (Scrapy components call them through `deferToThread`). Saving the same
record twice changes nothing; a changed record adds a version and a `changed` event, the old
version stays. Uniqueness (one article per canonical URL per source, one version per content
hash) is enforced by the database with INSERT … ON CONFLICT, so several crawler processes can
write to one PostgreSQL store at once.

    store = Store.open("postgresql+psycopg://user@host/bantin")   # or None → $BANTIN_DB
    run = store.start_run(["pholu"], {"max_pages": 100})
    result = store.save_page(source_id="pholu", record=record, fetched_at=now, run_id=run)
    store.finish_run(run, status="finished", counts={...}, errors=[])
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from archive import models as m
from archive.search import write_index, write_index_many
from scraper.fold import fold
from scraper.record import Record, content_hash

DEFAULT_URL = "sqlite:///data/bantin.db"
MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x62616E74  # "bant": one migrating process at a time

SAVE_STATUSES = ("new", "changed", "unchanged", "gone", "skipped")


class StoreError(Exception):
    """The store cannot be opened or used; the message names the (password-masked) URL."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    status: str  # new | changed | unchanged | gone | skipped
    article_id: int | None = None
    version_id: int | None = None


@dataclass(frozen=True, slots=True)
class ArticleState:
    article_id: int
    url: str
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    status: str
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the append-only event log, with the article's URL and title for display."""

    id: int
    kind: str
    article_id: int | None
    version_id: int | None
    source_id: str | None
    run_id: int | None
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    title: str | None = None


def resolve_url(url: str | None = None) -> str:
    """The store URL to use: the argument, else $BANTIN_DB, else sqlite:///data/bantin.db.

    Plain `postgresql://` and `postgres://` URLs are read as psycopg 3 URLs.
    """
    url = url or os.environ.get("BANTIN_DB") or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def masked(url: str | URL) -> str:
    """The URL with its password replaced by ***, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given, minus nothing
        return str(url)


def name_key(name: str) -> str:
    """The folded key of a person's name (same person across articles and tone spellings)."""
    try:
        from scraper.officials import name_key as officials_name_key
    except ImportError:
        officials_name_key = None
    if officials_name_key is not None:
        try:
            return officials_name_key(name)
        except Exception:  # noqa: BLE001 - fall back to plain folding
            pass
    return " ".join(fold(name).split())


def _utc(value: datetime | str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """Datetimes read back from SQLite are naive UTC; make them aware."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _published_date(published_at: str | None) -> date | None:
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10])
    except ValueError:
        return None


def record_dict(record: Record) -> dict[str, Any]:
    """`record.to_dict()` without dataclasses.asdict's deep copies (same result, 3x faster)."""
    out = {name: getattr(record, name) for name in _RECORD_FIELDS}
    for name in ("authors", "warnings"):
        out[name] = list(out[name])
    out["officials"] = [
        {"name": o.name, "position": o.position, "position_expanded": o.position_expanded,
         "cue": o.cue, "key": o.key} for o in record.officials
    ]
    out["images"] = [{"url": i.url, "caption": i.caption} for i in record.images]
    out["attachments"] = [{"url": a.url, "title": a.title, "type": a.type}
                          for a in record.attachments]
    return out


_RECORD_FIELDS = tuple(Record.__dataclass_fields__)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _source_dict(source: Mapping[str, Any] | Any) -> dict[str, Any]:
    keys = ("id", "name", "level", "province", "district", "commune", "successor",
            "start_urls", "platform")
    if isinstance(source, Mapping):
        return {k: source.get(k) for k in keys}
    return {k: getattr(source, k, None) for k in keys}


def alembic_config() -> Any:
    """An Alembic Config pointing at the migrations shipped inside this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot open store {masked(url)}: cannot create directory "
                    f"{path.parent}: {exc.strerror or exc}"
                ) from None
            target = path if path.exists() else path.parent
            if not os.access(target, os.W_OK):
                raise StoreError(
                    f"cannot open store {masked(url)}: {target} is not writable"
                )
        kwargs["connect_args"] = {"timeout": 30}
        engine = sa.create_engine(url, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            # 64 MiB of page cache instead of 2: at 1,000,000 articles the write path's
            # random index pages and FTS5 merges otherwise re-read most pages from the OS
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Writers take the write lock up front: a deferred transaction that reads and
            # then writes can fail with "database is locked" when another writer got in.
            if conn.get_execution_options().get("bantin_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
        return sa.create_engine(url, **kwargs)
    raise StoreError(
        f"cannot open store {masked(url)}: unsupported database (use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB)"
    )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


@dataclass(slots=True)
class _NewArticle:
    """The state of an article row this transaction has just inserted."""

    id: int
    url: str
    status: str = "present"
    last_seen: datetime | None = None
    content_hash: str | None = None
    current_version_id: int | None = None
    version_count: int = 0


_BULK_AUTOCHECKPOINT = 16384  # pages (64 MiB of log) before a bulk writer checkpoints itself
_AUTOCHECKPOINT = 1000  # SQLite's default, for every other write


class _Checkpointer:
    """Copies an SQLite store's write-ahead log into the database file from its own thread.

    SQLite checkpoints inside the COMMIT of whichever write filled the log: at 1,000,000
    articles a `save_pages` batch of 1,000 then spent ~100 us of its ~470 us per record in
    COMMIT, copying ~35 MB of log and waiting for fsync. A PASSIVE checkpoint may run beside
    a writer, so bulk writes wake this thread instead and only checkpoint themselves when the
    log passes _BULK_AUTOCHECKPOINT pages (the thread fell behind). The thread starts with
    the first bulk write and ends with `Store.close` (it is a daemon: an unclosed store does
    not hold the process)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._closing = False
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self._closing:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="bantin-sqlite-checkpoint")
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                # on failure the writers' own automatic checkpoint still bounds the log
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._closing = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join()


def _sqlite_file(engine: Engine) -> str | None:
    """The database file of an SQLite engine (None for memory and URI databases)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database)  # the thread connects later: fix the directory now


class _Statements:
    """Statements of the write path, built once per store: SQLAlchemy then reuses their
    compiled form, which makes a save several times cheaper than building them per call."""

    def __init__(self, dialect: str) -> None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        a, au, v = m.Article.__table__, m.ArticleUrl.__table__, m.ArticleVersion.__table__
        u, o, e = m.SourceUnit.__table__, m.Official.__table__, m.Event.__table__
        bp = sa.bindparam
        self.unit_of_source = (
            sa.select(u.c.id).where(u.c.source_id == bp("sid")).order_by(u.c.id.desc()).limit(1)
        )
        self.article_by_url = (
            sa.select(a).where(a.c.source_id == bp("sid"), a.c.url.in_([bp("u1"), bp("u2")]))
            .limit(1)
        )
        self.article_by_alias = (
            sa.select(au.c.article_id)
            .where(au.c.source_id == bp("sid"), au.c.url.in_([bp("u1"), bp("u2")])).limit(1)
        )
        lock = sa.select(a).where(a.c.id == bp("id"))
        self.article_lock = lock.with_for_update() if dialect == "postgresql" else lock
        self.insert_article = (
            insert(a).on_conflict_do_nothing(index_elements=[a.c.source_id, a.c.url])
            .returning(a.c.id)
        )
        self.insert_alias = insert(au).on_conflict_do_nothing(
            index_elements=[au.c.source_id, au.c.url]
        )
        self.version_by_hash = sa.select(v.c.id).where(
            v.c.article_id == bp("aid"), v.c.content_hash == bp("hash")
        )
        self.insert_version = v.insert().returning(v.c.id)
        self.update_article = a.update().where(a.c.id == bp("aid"))
        self.insert_event = e.insert().returning(e.c.id)
        self.insert_official = insert(o).on_conflict_do_nothing(index_elements=[o.c.key])
        official = sa.select(o.c.id, o.c.names).where(o.c.key == bp("k"))
        self.official_by_key = (
            official.with_for_update() if dialect == "postgresql" else official
        )
        self.insert_mention = m.Mention.__table__.insert()
        self.insert_image = m.Image.__table__.insert()
        self.insert_attachment = m.Attachment.__table__.insert()


class Store:
    """Versioned article archive on one database (see module docstring)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._writer = engine.execution_options(bantin_write=True)
        self.dialect = engine.dialect.name
        self._q = _Statements(self.dialect)
        self._officials: dict[str, tuple[int, frozenset[str]]] = {}  # key -> id, names seen
        self._local = threading.local()
        path = _sqlite_file(engine)
        self._checkpointer = _Checkpointer(path) if path else None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        """Open (and by default migrate to the newest schema) the store at `url`."""
        url = resolve_url(url)
        try:
            engine = _make_engine(url)
        except sa.exc.ArgumentError as exc:
            raise StoreError(f"cannot open store {masked(url)}: {exc}") from None
        except ModuleNotFoundError as exc:
            raise StoreError(f"cannot open store {masked(url)}: driver missing: {exc}") from None
        store = cls(engine, url)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            if migrate:
                store.upgrade()
        except StoreError:
            engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open store {masked(url)}: {_first_line(exc)}") from None
        return store

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, revision: str = "head") -> tuple[str | None, str | None]:
        """Apply migrations up to `revision`; returns (revision before, revision after)."""
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = alembic_config()
        script = ScriptDirectory.from_config(cfg)
        before = self.current_revision()
        if before is not None:
            try:
                script.get_revision(before)
            except Exception:  # noqa: BLE001 - alembic raises several kinds here
                raise StoreError(
                    f"store {masked(self.url)} is at schema revision {before!r}, which this "
                    "version of bantin does not know: upgrade bantin"
                ) from None
        target = script.get_current_head() if revision == "head" else revision
        if before == target:
            return before, before
        with self._writer.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return before, self.current_revision()

    @contextmanager
    def _write(self, bulk: bool = False) -> Iterator[Connection]:
        """One write transaction; `bulk` ones leave the SQLite checkpoint to _Checkpointer."""
        self._local.pending = {}
        checkpointer = self._checkpointer
        try:
            with self._writer.begin() as conn:
                if checkpointer is not None:  # per transaction: pooled connections are shared
                    limit = _BULK_AUTOCHECKPOINT if bulk else _AUTOCHECKPOINT
                    conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={limit}")
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {masked(self.url)}: {_first_line(exc)}") from None
        finally:
            pending, self._local.pending = self._local.pending, {}
        if len(self._officials) < 100_000:
            self._officials.update(pending)
        if bulk and checkpointer is not None:
            checkpointer.wake()

    def _insert(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    # ----------------------------------------------------------------- sources and runs
    def upsert_source(self, source: Mapping[str, Any] | Any) -> None:
        """Create or update a source; a change of unit names starts a new unit snapshot."""
        data = _source_dict(source)
        if not data.get("id"):
            raise StoreError("upsert_source: the source has no id")
        with self._write() as conn:
            self._upsert_source(conn, data)

    def _upsert_source(self, conn: Connection, data: dict[str, Any]) -> int:
        t = m.Source.__table__
        now = datetime.now(UTC)
        row = {
            "name": data.get("name") or data["id"],
            "level": data.get("level"),
            "province": data.get("province"),
            "district": data.get("district"),
            "commune": data.get("commune"),
            "successor": data.get("successor"),
            "start_urls": list(data.get("start_urls") or []),
            "platform": data.get("platform"),
        }
        stmt = self._insert(t).values(id=data["id"], created_at=now, updated_at=now, **row)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.id], set_={**row, "updated_at": now}
        )
        conn.execute(stmt)
        return self._unit_snapshot(conn, data["id"], row, now)

    def _unit_snapshot(
        self, conn: Connection, source_id: str, row: Mapping[str, Any], now: datetime
    ) -> int:
        u = m.SourceUnit.__table__
        names = ("name", "level", "province", "district", "commune", "successor")
        last = conn.execute(
            sa.select(u).where(u.c.source_id == source_id).order_by(u.c.id.desc()).limit(1)
        ).first()
        if last is not None and all(getattr(last, k) == row.get(k) for k in names):
            return last.id
        values = {k: row.get(k) for k in names}
        values["name"] = values["name"] or source_id
        result = conn.execute(
            u.insert().values(source_id=source_id, recorded_at=now, **values).returning(u.c.id)
        )
        return result.scalar_one()

    def _ensure_source(self, conn: Connection, source_id: str) -> int:
        """The current unit snapshot of a source, creating a bare source if unknown."""
        unit_id = conn.execute(self._q.unit_of_source, {"sid": source_id}).scalar()
        if unit_id is not None:
            return unit_id
        return self._upsert_source(conn, {"id": source_id})

    def start_run(self, source_ids: list[str], options: Mapping[str, Any]) -> int:
        """Open the audit row of a crawl; returns its id."""
        t = m.CrawlRun.__table__
        with self._write() as conn:
            return conn.execute(
                t.insert()
                .values(
                    source_ids=list(source_ids),
                    started_at=datetime.now(UTC),
                    status="running",
                    options=dict(options),
                    counts={},
                    errors=[],
                )
                .returning(t.c.id)
            ).scalar_one()

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        counts: Mapping[str, Any],
        errors: list[Mapping[str, Any]],
    ) -> None:
        """Close the audit row of a crawl with its outcome."""
        t = m.CrawlRun.__table__
        with self._write() as conn:
            done = conn.execute(
                t.update()
                .where(t.c.id == run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    status=status,
                    counts=dict(counts),
                    errors=[dict(e) for e in errors],
                )
            )
            if done.rowcount == 0:
                raise StoreError(f"store {masked(self.url)}: no crawl run {run_id}")

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        t = m.CrawlRun.__table__
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == run_id)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        out["started_at"] = _aware(out["started_at"])
        out["finished_at"] = _aware(out["finished_at"])
        return out

    # ----------------------------------------------------------------- pages
    def save_page(
        self,
        *,
        source_id: str,
        record: Record | Mapping[str, Any],
        fetched_at: datetime | str,
        run_id: int | None = None,
        http_status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        capture: Mapping[str, Any] | None = None,
    ) -> SaveResult:
        """Store one fetched page in one transaction (see the module docstring)."""
        with self._write() as conn:
            return self._save(
                conn,
                source_id=source_id,
                record=record,
                fetched_at=fetched_at,
                run_id=run_id,
                http_status=http_status,
                etag=etag,
                last_modified=last_modified,
                capture=capture,
            )

    def save_pages(self, pages: Iterable[Mapping[str, Any]]) -> list[SaveResult]:
        """Bulk path: many save_page calls (keyword dicts) in ONE transaction.

        Articles the store has never seen (and that occur once in the batch) are written
        with multi-row statements; everything else goes through the save_page logic, in
        order, so the results are the same as calling save_page for each page.
        """
        pages = [dict(page) for page in pages]
        for page in pages:
            if not isinstance(page["record"], Record):
                page["record"] = Record.from_dict(dict(page["record"]))
        with self._write(bulk=True) as conn:
            fresh = self._fresh_pages(conn, pages)
            results: list[SaveResult | None] = [None] * len(pages)
            if fresh:
                try:
                    with conn.begin_nested():
                        for i, result in zip(fresh, self._insert_fresh(conn, pages, fresh),
                                             strict=True):
                            results[i] = result
                except sa.exc.IntegrityError:  # a concurrent writer got some URL first
                    results = [None] * len(pages)
                    self._local.pending = {}  # officials of the rolled-back savepoint
            for i, page in enumerate(pages):
                if results[i] is None:
                    results[i] = self._save(conn, **page)
            return results  # type: ignore[return-value]

    def _fresh_pages(self, conn: Connection, pages: list[dict[str, Any]]) -> list[int]:
        """Indexes of article pages whose URLs are unknown to the store and unique here."""
        a, au = m.Article.__table__, m.ArticleUrl.__table__
        seen: dict[tuple[str, str], int] = {}
        for page in pages:
            rec = page["record"]
            for url in {rec.canonical_url or rec.url, rec.url}:
                key = (page["source_id"], url)
                seen[key] = seen.get(key, 0) + 1
        known: set[tuple[str, str]] = set()
        by_source: dict[str, list[str]] = {}
        for source_id, url in seen:
            by_source.setdefault(source_id, []).append(url)
        for source_id, urls in by_source.items():
            for table in (a, au):
                stmt = sa.select(table.c.url).where(table.c.source_id == source_id,
                                                    table.c.url.in_(sa.bindparam("urls",
                                                                                 expanding=True)))
                for start in range(0, len(urls), 500):
                    known.update((source_id, u) for u in conn.execute(
                        stmt, {"urls": urls[start : start + 500]}).scalars())
        fresh = []
        for i, page in enumerate(pages):
            rec = page["record"]
            keys = {(page["source_id"], rec.canonical_url or rec.url), (page["source_id"], rec.url)}
            if rec.kind == "article" and all(seen[k] == 1 and k not in known for k in keys):
                fresh.append(i)
        return fresh

    def _insert_fresh(self, conn: Connection, pages: list[dict[str, Any]],
                      fresh: list[int]) -> list[SaveResult]:
        """Write never-seen articles with one multi-row statement per table."""
        a, v = m.Article.__table__, m.ArticleVersion.__table__
        units: dict[str, int] = {}
        rows = []
        for i in fresh:
            page = pages[i]
            rec: Record = page["record"]
            sid = page["source_id"]
            if sid not in units:
                units[sid] = self._ensure_source(conn, sid)
            rows.append((page, rec, sid, _utc(page["fetched_at"])))
        article_ids = self._insert_rows(conn, a, [
            {"source_id": sid, "url": rec.canonical_url or rec.url, "first_seen": when,
             "last_seen": when, "status": "present", "status_changed_at": when,
             "version_count": 0} for page, rec, sid, when in rows])
        conn.execute(self._q.insert_alias, [
            {"source_id": sid, "url": url, "article_id": aid}
            for (page, rec, sid, when), aid in zip(rows, article_ids, strict=True)
            for url in dict.fromkeys((rec.canonical_url or rec.url, rec.url))
        ])
        dicts = [record_dict(rec) for _, rec, _, _ in rows]
        digests = [content_hash(d) for d in dicts]
        version_ids = self._insert_rows(conn, v, [
            self._version_row(aid, 1, digest, rec, when, page.get("run_id"), units[sid],
                              page.get("http_status", 200), page.get("etag"),
                              page.get("last_modified"), page.get("capture") or {}, data)
            for (page, rec, sid, when), aid, digest, data in zip(rows, article_ids, digests,
                                                                 dicts, strict=True)])
        mentions: list[dict[str, Any]] = []
        for (_, rec, _, _), vid in zip(rows, version_ids, strict=True):
            self._version_children(conn, vid, rec, mentions)
        if mentions:
            conn.execute(self._q.insert_mention, mentions)
        conn.execute(
            a.update().where(a.c.id == sa.bindparam("aid")),
            [{"aid": aid, "content_hash": digest, "current_version_id": vid, "version_count": 1,
              **({"etag": page.get("etag")} if page.get("etag") is not None else {}),
              **({"last_modified": page.get("last_modified")}
                 if page.get("last_modified") is not None else {})}
             for (page, _, _, _), aid, vid, digest in zip(rows, article_ids, version_ids,
                                                          digests, strict=True)],
        )
        write_index_many(conn, [(aid, rec.title, rec.lead, rec.body_text)
                                for (_, rec, _, _), aid in zip(rows, article_ids, strict=True)])
        conn.execute(m.Event.__table__.insert(), [
            {"kind": "new", "source_id": sid, "article_id": aid, "version_id": vid,
             "run_id": page.get("run_id"), "at": when,
             "details": {"url": rec.url, "title": rec.title, "version": 1}}
            for (page, rec, sid, when), aid, vid in zip(rows, article_ids, version_ids,
                                                        strict=True)
        ])
        return [SaveResult("new", aid, vid)
                for aid, vid in zip(article_ids, version_ids, strict=True)]

    def _insert_rows(self, conn: Connection, table: sa.Table,
                     rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows, returning their new ids in the order given.

        On SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so the ids SQLite
        would give one by one (largest id + 1; the tables have no AUTOINCREMENT) are known
        up front: one executemany instead of one INSERT … RETURNING per row, which
        SQLAlchemy has to issue there to keep RETURNING in parameter order. PostgreSQL
        batches INSERT … RETURNING itself."""
        if self.dialect != "sqlite":
            return list(conn.execute(
                table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
            ).scalars())
        first = (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(first, first + len(rows)))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        conn.execute(table.insert(), rows)
        return ids

    def _find_article(self, conn: Connection, source_id: str, urls: Iterable[str]) -> Any:
        urls = [u for u in dict.fromkeys(urls) if u]
        if not urls:
            return None
        params = {"sid": source_id, "u1": urls[0], "u2": urls[-1]}
        row = conn.execute(self._q.article_by_url, params).first()
        if row is not None:
            return row
        article_id = conn.execute(self._q.article_by_alias, params).scalar()
        if article_id is None:
            return None
        return conn.execute(self._q.article_lock, {"id": article_id}).first()

    def _lock_article(self, conn: Connection, article_id: int) -> Any:
        return conn.execute(self._q.article_lock, {"id": article_id}).first()

    def _remember_urls(self, conn: Connection, source_id: str, article_id: int,
                       urls: Iterable[str]) -> None:
        conn.execute(
            self._q.insert_alias,
            [{"source_id": source_id, "url": url, "article_id": article_id}
             for url in dict.fromkeys(u for u in urls if u)],
        )

    def _event(self, conn: Connection, kind: str, *, source_id: str | None,
               article_id: int | None = None, version_id: int | None = None,
               run_id: int | None = None, at: datetime | None = None,
               details: Mapping[str, Any] | None = None) -> int:
        return conn.execute(
            self._q.insert_event,
            {
                "kind": kind,
                "source_id": source_id,
                "article_id": article_id,
                "version_id": version_id,
                "run_id": run_id,
                "at": at or datetime.now(UTC),
                "details": dict(details or {}),
            },
        ).scalar_one()

    def _save(
        self,
        conn: Connection,
        *,
        source_id: str,
        record: Record | Mapping[str, Any],
        fetched_at: datetime | str,
        run_id: int | None = None,
        http_status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        capture: Mapping[str, Any] | None = None,
    ) -> SaveResult:
        if not isinstance(record, Record):
            record = Record.from_dict(dict(record))
        v = m.ArticleVersion.__table__
        when = _utc(fetched_at)
        if record.kind == "not_found":
            return self._mark_gone(conn, source_id, record, when, run_id, http_status)
        if record.kind != "article":
            return SaveResult("skipped")

        unit_id = self._ensure_source(conn, source_id)
        key_url = record.canonical_url or record.url
        art = self._find_article(conn, source_id, [key_url, record.url])
        created = False
        if art is None:
            new_id = conn.execute(
                self._q.insert_article,
                {"source_id": source_id, "url": key_url, "first_seen": when, "last_seen": when,
                 "status": "present", "status_changed_at": when, "version_count": 0},
            ).scalar()
            created = new_id is not None
            if created:  # ours alone until commit: a concurrent insert of the URL waits
                art = _NewArticle(new_id, key_url)
            else:  # another writer created it meanwhile
                art = self._find_article(conn, source_id, [key_url])
        if not created:
            art = self._lock_article(conn, art.id)
        self._remember_urls(conn, source_id, art.id, [art.url, key_url, record.url])

        data = record_dict(record)
        digest = content_hash(data)
        capture = dict(capture or {})
        values: dict[str, Any] = {"aid": art.id}
        if art.status != "present":
            values.update(status="present", status_changed_at=when)
        values["last_seen"] = max(_aware(art.last_seen) or when, when)
        if etag is not None:
            values["etag"] = etag
        if last_modified is not None:
            values["last_modified"] = last_modified

        if art.content_hash == digest and art.current_version_id is not None:
            conn.execute(self._q.update_article, values)
            if capture.get("warc_file"):
                conn.execute(
                    v.update()
                    .where(v.c.id == art.current_version_id, v.c.warc_file.is_(None))
                    .values(**self._capture_values(capture))
                )
            return SaveResult("unchanged", art.id, art.current_version_id)

        is_new = art.version_count == 0
        details: dict[str, Any] = {"url": record.url, "title": record.title}
        version_id = None
        if not is_new:
            version_id = conn.execute(self._q.version_by_hash,
                                      {"aid": art.id, "hash": digest}).scalar()
        version_count = art.version_count
        if version_id is None:
            version_count += 1
            version_id = self._insert_version(
                conn, art.id, version_count, digest, record, when, run_id, unit_id,
                http_status, etag, last_modified, capture, data,
            )
            details["version"] = version_count
        else:  # the article went back to an earlier content: point at that version again
            details["reverted_to_version"] = conn.execute(
                sa.select(v.c.number).where(v.c.id == version_id)
            ).scalar()
        if not is_new:
            details["previous_version_id"] = art.current_version_id
        values.update(content_hash=digest, current_version_id=version_id,
                      version_count=version_count)
        conn.execute(self._q.update_article, values)
        previous = None
        if not is_new and art.current_version_id is not None:
            previous = tuple(conn.execute(
                sa.select(v.c.title, v.c.lead, v.c.body_text)
                .where(v.c.id == art.current_version_id)).one())
        write_index(conn, art.id, record.title, record.lead, record.body_text,
                    previous=previous)
        kind = "new" if is_new else "changed"
        self._event(conn, kind, source_id=source_id, article_id=art.id, version_id=version_id,
                    run_id=run_id, at=when, details=details)
        return SaveResult(kind, art.id, version_id)

    @staticmethod
    def _capture_values(capture: Mapping[str, Any]) -> dict[str, Any]:
        offset = capture.get("offset")
        return {
            "warc_file": capture.get("warc_file"),
            "warc_offset": int(offset) if offset is not None else None,
            "warc_record_id": capture.get("record_id"),
            "payload_digest": capture.get("payload_digest"),
        }

    def _version_row(
        self, article_id: int, number: int, digest: str, record: Record, when: datetime,
        run_id: int | None, unit_id: int, http_status: int, etag: str | None,
        last_modified: str | None, capture: Mapping[str, Any],
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return dict(
            article_id=article_id,
            number=number,
            content_hash=digest,
            fetched_at=when,
            run_id=run_id,
            unit_id=unit_id,
            url=record.url,
            canonical_url=record.canonical_url,
            title=record.title,
            published_at=record.published_at,
            published_date=_published_date(record.published_at),
            published_raw=record.published_raw,
            updated_at=record.updated_at,
            authors=list(record.authors),
            lead=record.lead,
            body_text=record.body_text or "",
            platform=record.platform,
            language=record.language,
            encoding=record.encoding,
            warnings=list(record.warnings),
            record=data if data is not None else record_dict(record),
            http_status=http_status,
            etag=etag,
            last_modified=last_modified,
            **self._capture_values(capture),
        )

    def _insert_version(
        self, conn: Connection, article_id: int, number: int, digest: str, record: Record,
        when: datetime, run_id: int | None, unit_id: int, http_status: int,
        etag: str | None, last_modified: str | None, capture: Mapping[str, Any],
        data: dict[str, Any] | None = None,
    ) -> int:
        version_id = conn.execute(
            self._q.insert_version,
            self._version_row(article_id, number, digest, record, when, run_id, unit_id,
                              http_status, etag, last_modified, capture, data),
        ).scalar_one()
        self._version_children(conn, version_id, record)
        return version_id

    def _version_children(self, conn: Connection, version_id: int, record: Record,
                          mentions: list[dict[str, Any]] | None = None) -> None:
        """Images, attachments and official mentions of a version (mentions are appended to
        `mentions` for the caller to insert, when given)."""
        collect = mentions is not None
        mentions = mentions if mentions is not None else []
        if record.images:
            conn.execute(
                self._q.insert_image,
                [
                    {"version_id": version_id, "ordinal": i, "url": img.url,
                     "caption": img.caption or ""}
                    for i, img in enumerate(record.images)
                ],
            )
        if record.attachments:
            conn.execute(
                self._q.insert_attachment,
                [
                    {"version_id": version_id, "ordinal": i, "url": att.url,
                     "title": att.title or "", "type": att.type or ""}
                    for i, att in enumerate(record.attachments)
                ],
            )
        for i, official in enumerate(record.officials):
            if not official.name.strip():
                continue
            official_id = self._official_id(conn, official.key or name_key(official.name),
                                            official.name)
            mentions.append({
                "version_id": version_id,
                "official_id": official_id,
                "ordinal": i,
                "name": official.name,
                "position": official.position or "",
                "position_expanded": official.position_expanded or "",
                "cue": official.cue or "",
            })
        if mentions and not collect:
            conn.execute(self._q.insert_mention, mentions)

    def _official_id(self, conn: Connection, key: str, name: str) -> int:
        cached = self._officials.get(key)
        if cached is not None and name in cached[1]:
            return cached[0]  # ids never change and this name is already recorded
        o = m.Official.__table__
        conn.execute(self._q.insert_official, {"key": key, "name": name, "names": [name]})
        row = conn.execute(self._q.official_by_key, {"k": key}).one()
        names = list(row.names or [])
        if name not in names:
            names.append(name)
            conn.execute(o.update().where(o.c.id == row.id).values(names=names))
        # remembered once the transaction commits (a rolled-back official does not exist)
        self._local.pending[key] = (row.id, frozenset(names))
        return row.id

    def _mark_gone(self, conn: Connection, source_id: str, record: Record, when: datetime,
                   run_id: int | None, http_status: int) -> SaveResult:
        a = m.Article.__table__
        found = self._find_article(conn, source_id, [record.canonical_url or "", record.url])
        if found is None:
            return SaveResult("skipped")
        art = self._lock_article(conn, found.id)
        if art.status != "gone":
            conn.execute(
                a.update().where(a.c.id == art.id).values(status="gone", status_changed_at=when)
            )
            self._event(conn, "gone", source_id=source_id, article_id=art.id,
                        version_id=art.current_version_id, run_id=run_id, at=when,
                        details={"url": record.url, "http_status": http_status,
                                 "previous_status": art.status})
        return SaveResult("gone", art.id, art.current_version_id)

    def mark_seen(self, source_id: str, url: str, seen_at: datetime) -> int | None:
        """Record that the article at `url` (any of its URLs) was confirmed unchanged at
        `seen_at` (an HTTP 304): its last_seen moves forward, nothing else changes. Returns
        the article's id, or None when the store does not know the URL."""
        a = m.Article.__table__
        when = _utc(seen_at)
        with self._write() as conn:
            art = self._find_article(conn, source_id, [url])
            if art is None:
                return None
            last = _aware(art.last_seen)
            if last is None or last < when:
                conn.execute(a.update().where(a.c.id == art.id).values(last_seen=when))
            return art.id

    def mark_removed(self, source_id: str, listed_urls: set[str], run_id: int) -> list[int]:
        """Flag `removed` every present article of the source whose URLs were not listed."""
        a = m.Article.__table__
        au = m.ArticleUrl.__table__
        now = datetime.now(UTC)
        with self._write() as conn:
            present = conn.execute(
                sa.select(a.c.id, a.c.url, a.c.current_version_id).where(
                    a.c.source_id == source_id, a.c.status == "present"
                )
            ).all()
            aliases: dict[int, set[str]] = {}
            for article_id, url in conn.execute(
                sa.select(au.c.article_id, au.c.url).where(au.c.source_id == source_id)
            ):
                aliases.setdefault(article_id, set()).add(url)
            removed = []
            for row in present:
                urls = {row.url} | aliases.get(row.id, set())
                if urls & listed_urls:
                    continue
                conn.execute(
                    a.update()
                    .where(a.c.id == row.id, a.c.status == "present")
                    .values(status="removed", status_changed_at=now)
                )
                self._event(conn, "removed", source_id=source_id, article_id=row.id,
                            version_id=row.current_version_id, run_id=run_id, at=now,
                            details={"url": row.url})
                removed.append(row.id)
            return removed

    # ----------------------------------------------------------------- reading
    def article_state(self, source_id: str, url: str) -> ArticleState | None:
        """What the store knows of an article (by canonical or any fetched URL), or None."""
        with self.engine.connect() as conn:
            row = self._find_article(conn, source_id, [url])
        if row is None:
            return None
        return ArticleState(
            article_id=row.id,
            url=row.url,
            content_hash=row.content_hash,
            etag=row.etag,
            last_modified=row.last_modified,
            status=row.status,
            last_seen=_aware(row.last_seen),
        )

    def known_urls(self, source_id: str) -> set[str]:
        """Every URL (canonical and fetched) of the source's articles, whatever their status."""
        a = m.Article.__table__
        au = m.ArticleUrl.__table__
        with self.engine.connect() as conn:
            urls = set(conn.execute(sa.select(a.c.url).where(a.c.source_id == source_id))
                       .scalars())
            urls.update(conn.execute(sa.select(au.c.url).where(au.c.source_id == source_id))
                        .scalars())
        return urls

    def record_event(self, kind: str, *, source_id: str | None, run_id: int | None = None,
                     article_id: int | None = None,
                     details: Mapping[str, Any] | None = None) -> int:
        """Append an event that is not a page write (e.g. `source_unhealthy`)."""
        if kind not in m.EVENT_KINDS:
            raise StoreError(f"unknown event kind {kind!r} (one of {', '.join(m.EVENT_KINDS)})")
        with self._write() as conn:
            if source_id is not None:
                self._ensure_source(conn, source_id)
            return self._event(conn, kind, source_id=source_id, run_id=run_id,
                               article_id=article_id, details=details)

    def events_after(self, event_id: int, source_ids: Iterable[str] | None = None,
                     limit: int | None = None) -> list[Event]:
        """Events with id > event_id, oldest first (optionally only these sources)."""
        e = m.Event.__table__
        a = m.Article.__table__
        v = m.ArticleVersion.__table__
        stmt = (
            sa.select(e, a.c.url, v.c.title)
            .select_from(e.outerjoin(a, a.c.id == e.c.article_id)
                         .outerjoin(v, v.c.id == e.c.version_id))
            .where(e.c.id > event_id)
            .order_by(e.c.id)
        )
        if source_ids is not None:
            stmt = stmt.where(e.c.source_id.in_(list(source_ids)))
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [
            Event(id=r.id, kind=r.kind, article_id=r.article_id, version_id=r.version_id,
                  source_id=r.source_id, run_id=r.run_id, at=_aware(r.at),
                  details=dict(r.details or {}), url=r.url, title=r.title)
            for r in rows
        ]

    def get_cursor(self, name: str) -> int:
        """The last event id the named monitor has handled (0 when new)."""
        c = m.MonitorCursor.__table__
        with self.engine.connect() as conn:
            return conn.execute(sa.select(c.c.event_id).where(c.c.name == name)).scalar() or 0

    def set_cursor(self, name: str, event_id: int) -> None:
        c = m.MonitorCursor.__table__
        now = datetime.now(UTC)
        with self._write() as conn:
            conn.execute(
                self._insert(c)
                .values(name=name, event_id=event_id, updated_at=now)
                .on_conflict_do_update(index_elements=[c.c.name],
                                       set_={"event_id": event_id, "updated_at": now})
            )

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Every version of an article, oldest first, as dicts of column values."""
        v = m.ArticleVersion.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(v).where(v.c.article_id == article_id).order_by(v.c.number)
            ).mappings().all()
        return [dict(r) for r in rows]

    def rebuild_search_index(self) -> int:
        """Re-index the current version of every article (after a crash or a manual edit)."""
        from archive.search import rebuild_index

        with self._write() as conn:
            return rebuild_index(conn)

    def optimize(self) -> list[str]:
        """Make searches as fast as the data allows after a large crawl: merge the SQLite
        full-text indexes into one segment each and refresh the query planner's statistics
        (PostgreSQL: ANALYZE). Returns what was done, for the log. Safe at any time; on a
        store of a million articles it takes minutes, so it is run on demand (`bantin db
        optimize`, e.g. after a backfill or weekly), never inside a crawl."""
        done: list[str] = []
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
                return ["ANALYZE"]
            names = set(conn.execute(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
            for table in ("search_fts", "search_titles"):
                if table in names:
                    conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES('optimize')")
                    done.append(f"{table}: merged")
            conn.exec_driver_sql("PRAGMA optimize")
            done.append("PRAGMA optimize")
            conn.commit()
        return done

    def stats(self) -> dict[str, Any]:
        """Counts for `bantin db stats`: articles per source and status, and table totals."""
        a = m.Article.__table__
        s = m.Source.__table__
        out: dict[str, Any] = {"sources": {}}
        with self.engine.connect() as conn:
            for source_id, name in conn.execute(sa.select(s.c.id, s.c.name).order_by(s.c.id)):
                out["sources"][source_id] = {"name": name, "present": 0, "removed": 0,
                                             "gone": 0}
            for source_id, status, n in conn.execute(
                sa.select(a.c.source_id, a.c.status, sa.func.count())
                .group_by(a.c.source_id, a.c.status)
            ):
                out["sources"].setdefault(source_id, {"name": source_id})[status] = n
            for label, table in (
                ("articles", a),
                ("versions", m.ArticleVersion.__table__),
                ("officials", m.Official.__table__),
                ("events", m.Event.__table__),
                ("runs", m.CrawlRun.__table__),
            ):
                out[label] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        return out
