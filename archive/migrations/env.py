"""Alembic environment: runs on the connection `archive.store` hands over (no alembic.ini).

`Store.open` builds an alembic Config in code, opens a connection (taking a lock so that
several crawler processes opening the same PostgreSQL store at once migrate it only once)
and puts it in `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

from archive.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the plain alembic CLI
    raise RuntimeError("run migrations through `bantin db upgrade` (archive.store.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
