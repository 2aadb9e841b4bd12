"""Alembic migrations of the archive schema (``kgxp.archive.tables``)."""
