"""Create and upgrade an archive's schema with Alembic (``kgxp/archive/migrations``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from kgxp.archive.store import Archive, ArchiveError, make_engine

__all__ = ["create_archive", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (every migration in order, in one transaction each)."""
    # Alembic loads only when a schema changes: opening an archive does not need it.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def create_archive(url: str, *, lock_timeout: float = 30.0) -> Archive:
    """Create the archive at ``url`` (or bring an existing one up to date) and open it.

    ``sqlite:///county.kgxp.db`` for a file; ``postgresql+psycopg://user@host/db`` for a server.
    """
    engine = make_engine(url, lock_timeout)
    try:
        upgrade(engine)
    except ArchiveError:
        raise
    except Exception as error:
        engine.dispose()
        raise ArchiveError(f"cannot create the archive at {url!r}: {error}") from None
    return Archive(engine, lock_timeout=lock_timeout)
