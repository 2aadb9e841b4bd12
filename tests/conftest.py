"""Shared fixtures and the Hypothesis profiles.

Profiles: ``ci`` (default; sized to keep ``make test`` within a few minutes),
``dev`` (fewer examples, for quick local loops) and ``long`` (thorough). Pick
one with ``HYPOTHESIS_PROFILE=long make test``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.factories import scenario_data

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ziyang_county.json"


@pytest.fixture
def small_data() -> dict[str, object]:
    return scenario_data()


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE
