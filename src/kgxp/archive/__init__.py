"""The archive (``pip install 'kgxp[archive]'``): a county's cycle in a real database.

Scenarios, policies, rounds, re-competitions, registers, payrolls, appeals and
decisions, append-only and hash-chained, on SQLite or PostgreSQL via SQLAlchemy 2,
the schema managed by Alembic. See :mod:`kgxp.archive.store` and ``docs/semesters.md``.
"""

from kgxp._internal.extras import require

require("sqlalchemy", "archive", "The archive")

from kgxp.archive.migrate import create_archive, upgrade  # noqa: E402
from kgxp.archive.store import (  # noqa: E402
    Appeal,
    Archive,
    ArchiveBusy,
    ArchiveError,
    ChainProblem,
    StoredRecord,
    TeacherHistory,
    Writer,
    document_key,
)
from kgxp.archive.tables import SCHEMA_VERSION  # noqa: E402

__all__ = [
    "SCHEMA_VERSION",
    "Appeal",
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "ChainProblem",
    "StoredRecord",
    "TeacherHistory",
    "Writer",
    "create_archive",
    "document_key",
    "upgrade",
]
