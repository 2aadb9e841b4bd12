"""Schema version 1: the append-only, hash-chained records, the chain head, the metadata.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("key", sa.String(128), nullable=False, index=True),
        sa.Column("semester", sa.String(16), nullable=True, index=True),
        sa.Column("teacher", sa.String(64), nullable=True, index=True),
        sa.Column("ref", sa.String(128), nullable=True, index=True),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "archive_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.bulk_insert(
        sa.table("chain_head", sa.column("id"), sa.column("seq"), sa.column("record_hash")),
        [{"id": 1, "seq": 0, "record_hash": "0" * 64}],
    )
    op.bulk_insert(
        sa.table("archive_meta", sa.column("name"), sa.column("value")),
        [{"name": "schema_version", "value": "1"}],
    )


def downgrade() -> None:
    op.drop_table("archive_meta")
    op.drop_table("chain_head")
    op.drop_table("records")
