"""The archive's tables (SQLAlchemy 2 Core), the same on SQLite and PostgreSQL.

``records`` is the append-only log: one row per stored document, in chain order
(``seq``), each with the SHA-256 of its body and of the chain up to it. ``chain_head``
is a single row naming the last record: a writer locks it first, so two writers
take turns (the second waits, then fails with a clear error after the lock
timeout), and deleting the last record is detected. ``archive_meta`` holds the
schema version. Alembic's migrations (``kgxp/archive/migrations``) create them.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

__all__ = ["SCHEMA_VERSION", "chain_head", "meta", "metadata", "records"]

SCHEMA_VERSION: Final = 1
"""The archive schema this kgxp reads and writes (``archive_meta.schema_version``)."""

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False, index=True),
    Column("key", String(128), nullable=False, index=True),
    Column("semester", String(16), nullable=True, index=True),
    Column("teacher", String(64), nullable=True, index=True),
    Column("ref", String(128), nullable=True, index=True),
    Column("recorded_at", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("record_hash", String(64), nullable=False, unique=True),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("record_hash", String(64), nullable=False),
)

meta = Table(
    "archive_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)
