"""The example county (seed 001 annex) is reproducible and exercises every input feature."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kgxp import NEAR_RETIREMENT, Circumstance, Policy, Scenario, load_scenario, summarize
from kgxp.files.scenario_json import dump_scenario
from tests.conftest import ROOT


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_ziyang_example", ROOT / "examples" / "build_ziyang_example.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example(example_path: Path) -> Scenario:
    return load_scenario(example_path)


def test_committed_file_is_what_the_builder_makes(example_path: Path) -> None:
    assert dump_scenario(_builder().build()) == example_path.read_text(encoding="utf-8")


def test_marked_synthetic_with_real_school_names(example: Scenario) -> None:
    assert example.county.synthetic
    names = {s.name for s in example.schools}
    assert {
        "紫阳小学",
        "紫阳县第二小学",
        "蒿坪镇中心小学",
        "紫阳中学初中部",
        "毛坝中学(初中部)",
        "红椿镇尚坝小学",
        "洄水镇九年制学校",
    } <= names
    assert len({s.community for s in example.schools}) == 8
    assert 2000 <= len(example.teachers) <= 5000


def test_every_protected_category_is_present(example: Scenario) -> None:
    counts = summarize(example, Policy()).protected_by_category
    expected = {c.value for c in Policy().protected_circumstances} | {NEAR_RETIREMENT}
    assert expected <= {k for k, v in counts.items() if v > 0}
    # Circumstances the default policy does not protect are there for what-ifs.
    present = {c for t in example.teachers for c in t.circumstances}
    assert {Circumstance.PREGNANCY, Circumstance.BREASTFEEDING} <= present


def test_merge_reserved_seats_ties_and_unwilling_teachers(example: Scenario) -> None:
    merged = [s for s in example.schools if s.merged_into]
    assert [s.name for s in merged] == ["蒿坪镇电光教学点"]
    assert any(t.school == merged[0].id for t in example.teachers)
    assert sum(p.reserved for p in example.posts) > 0
    summary = summarize(example)
    assert summary.tied_scores > len(example.teachers) // 2
    assert summary.unwilling_to_adjust > 0
    assert any(t.evaluation is not None and t.score is None for t in example.teachers)
    assert summary.teachers > summary.competed_seats  # some teachers will lose
