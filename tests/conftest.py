"""Shared fixtures and the Hypothesis profiles.

Profiles: ``ci`` (default; derandomized, sized to keep ``make test`` within a few minutes),
``dev`` (fewer examples, for quick local loops) and ``long`` (thorough). Pick
one with ``HYPOTHESIS_PROFILE=long make test``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

from tests.archive_backends import archive_url  # noqa: F401  (the archive's database fixture)
from tests.factories import scenario_data

os.environ.setdefault("MPLBACKEND", "Agg")  # plots are drawn off-screen in tests

# CI is derandomized: the same commit draws the same examples, so a red CI is a
# reproducible failure of that commit, not a lucky draw; `long` explores at random.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ziyang_county.json"


def load_benchmark(file_name: str) -> ModuleType:
    """A script of ``benchmarks/`` as a module (scripts, not part of the package), with
    ``benchmarks/`` on ``sys.path`` for the scripts that import the generator."""
    folder = str(ROOT / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"kgxp_bench_{file_name.removesuffix('.py')}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / file_name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_benchmark_runner() -> ModuleType:
    """``benchmarks/run.py`` as a module."""
    return load_benchmark("run.py")


@pytest.fixture
def small_data() -> dict[str, object]:
    return scenario_data()


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE
