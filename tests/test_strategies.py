"""kgxp.testing for downstream property tests: ``st.from_type`` draws every public type,
the knobs do what they say, invalid data is invalid with the promised code, results are
kgxp's own (so they verify)."""

from __future__ import annotations

import enum
import subprocess
import sys
import tomllib
from importlib import import_module
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kgxp
import kgxp.testing
from kgxp.testing import (
    comparisons,
    invalid_scenario_data,
    policies,
    rounds,
    scenario_data,
    simulations,
)
from tests.conftest import ROOT

PUBLIC_TYPES = sorted(
    (
        value
        for name in kgxp.__all__
        if isinstance(value := getattr(kgxp, name), type)
        and not issubclass(value, enum.Enum | BaseException)
        and not getattr(value, "_is_protocol", False)  # an interface (ClusterClient), no value
    ),
    key=lambda t: t.__name__,
)
# Built on whole rounds or simulations: a few examples each keep the suite quick.
FEW = settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))


def test_every_public_type_is_covered() -> None:
    names = {t.__name__ for t in PUBLIC_TYPES}
    assert {"Scenario", "Policy", "RoundResult", "Simulation", "YearMonth", "Teacher"} <= names
    assert len(PUBLIC_TYPES) >= 40


@pytest.mark.parametrize("kind", PUBLIC_TYPES, ids=lambda t: t.__name__)
def test_from_type_draws_valid_values_of_every_public_type(kind: type) -> None:
    @FEW
    @given(st.from_type(kind))
    def draws(value: Any) -> None:
        assert isinstance(value, kind)
        if hasattr(value, "model_dump_json"):  # a document: it round-trips through its schema
            assert type(value).model_validate_json(value.model_dump_json()) == value

    draws()


@settings(max_examples=10, deadline=None)
@given(st.from_type(kgxp.Scenario))
def test_drawn_scenarios_round_trip_and_run(scenario: kgxp.Scenario) -> None:
    assert kgxp.parse_scenario(kgxp.dump_scenario(scenario)) == scenario
    assert kgxp.verify(scenario, kgxp.run_round(scenario)) == []


@settings(max_examples=10, deadline=None)
@given(rounds())
def test_drawn_results_are_kgxps_own(pair: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    scenario, result = pair
    assert kgxp.verify(scenario, result) == []
    assert {o.teacher for o in result.outcomes} == {t.id for t in scenario.teachers}


@settings(max_examples=5, deadline=None)
@given(simulations())
def test_drawn_simulations_hold_i10_i11(pair: tuple[kgxp.Scenario, kgxp.Simulation]) -> None:
    scenario, simulation = pair
    assert kgxp.verify_simulation(scenario, simulation) == []
    assert simulation.ledger  # pay=True: every teacher is paid something to book


@pytest.mark.parametrize("code", sorted(kgxp.testing.DEFECTS))
def test_invalid_data_is_rejected_with_the_promised_code(code: str) -> None:
    @settings(max_examples=8, deadline=None)
    @given(invalid_scenario_data(defects=[code]))
    def rejected(case: tuple[dict[str, Any], str]) -> None:
        data, promised = case
        assert promised == code
        with pytest.raises(kgxp.ScenarioError) as caught:
            kgxp.parse_scenario(data)
        assert code in caught.value.codes()
        assert all(p.record and p.field is not None for p in caught.value.problems)

    rejected()


@settings(max_examples=20, deadline=None)
@given(
    scenario_data(competition_month=kgxp.YearMonth(2031, 3), subjects=("音乐", "美术"), pay=True),
)
def test_scenario_knobs(data: dict[str, Any]) -> None:
    scenario = kgxp.parse_scenario(data)
    assert str(scenario.competition_month) == "2031-03"
    assert {p.subject for p in scenario.posts} <= {"音乐", "美术"}
    assert {s for t in scenario.teachers for s in t.subjects} <= {"音乐", "美术"}
    assert all(t.pay is not None for t in scenario.teachers)


@settings(max_examples=20, deadline=None)
@given(scenario_data(competition_month=None, pay=False, max_schools=2, max_teachers=3))
def test_drawn_months_and_no_pay(data: dict[str, Any]) -> None:
    scenario = kgxp.parse_scenario(data)
    assert 2020 <= scenario.competition_month.year <= 2035
    assert all(t.pay is None for t in scenario.teachers)
    assert len(scenario.schools) <= 2
    assert len(scenario.teachers) <= 3


def test_policies_vary_the_waiting_parameters() -> None:
    default = kgxp.Policy()
    seen: set[str] = set()

    @settings(max_examples=40, deadline=None)
    @given(policies(), policies(vary_waiting=False))
    def collect(varied: kgxp.Policy, fixed: kgxp.Policy) -> None:
        for name in (
            "first_term_pay",
            "continued_pay",
            "waiting_limit_years",
            "waiting_exit",
            "waiting_term_semesters",
        ):
            if getattr(varied, name) != getattr(default, name):
                seen.add(name)
            assert getattr(fixed, name) == getattr(default, name)

    collect()
    assert seen == {
        "first_term_pay",
        "continued_pay",
        "waiting_limit_years",
        "waiting_exit",
        "waiting_term_semesters",
    }


@FEW
@given(comparisons())
def test_drawn_comparisons_name_teachers_of_the_round(comparison: kgxp.Comparison) -> None:
    assert comparison.same_scenario
    assert comparison.metrics_before is not None


def test_hypothesis_entry_point_registers_the_strategies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = project["project"]["entry-points"]["hypothesis"]["kgxp"]
    module, _, name = target.partition(":")
    hook = getattr(import_module(module), name)
    hook()  # idempotent: registering again changes nothing

    @settings(max_examples=5)
    @given(st.from_type(kgxp.YearMonth))
    def drawn(month: kgxp.YearMonth) -> None:
        assert 1950 <= month.year <= 2100

    drawn()


@pytest.mark.parametrize(
    "code",
    [
        "import kgxp.testing",  # kgxp.testing imports hypothesis, which runs the entry point
        "import hypothesis.strategies as st, kgxp\nassert st.from_type(kgxp.YearMonth).example()",
        "import kgxp, hypothesis.strategies as st\nassert st.from_type(kgxp.Semester).example()",
    ],
)
def test_the_installed_entry_point_imports_cleanly_in_any_order(code: str) -> None:
    # The editable install declares the entry point; hypothesis runs it when imported.
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
