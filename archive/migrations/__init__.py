"""Alembic migrations of the archive schema, run in code by `archive.store.Store.open`."""
