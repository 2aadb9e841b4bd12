"""The archive's databases in tests: a SQLite file always, and the PostgreSQL server that
``KGXP_TEST_POSTGRES_URL`` names (``eval "$(.ci/postgres.sh)"`` starts one; CI sets
``KGXP_REQUIRE_POSTGRES=1`` so that a missing server fails instead of skipping)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("KGXP_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("KGXP_REQUIRE_POSTGRES") == "1"
BACKENDS = ("sqlite", "postgresql")


def fresh_postgres() -> str:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("KGXP_REQUIRE_POSTGRES=1 but KGXP_TEST_POSTGRES_URL is not set")
        pytest.skip('no PostgreSQL server: eval "$(.ci/postgres.sh)" to test against one')
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        for table in ("records", "chain_head", "archive_meta", "alembic_version"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'county.kgxp.db'}"
    else:
        yield fresh_postgres()
