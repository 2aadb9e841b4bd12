"""I10 and I11 on simulations: clean on every computed one, and each checker catches its breakage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgxp import Policy, Scenario, simulate
from kgxp.checks.simulation import verify_simulation
from kgxp.testing import scenarios
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState
from tests.test_simulate import county


def invariants(found: list[object]) -> set[str]:
    return {v.invariant for v in found}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def long_run() -> tuple[Scenario, Simulation]:
    scenario = county()
    return scenario, simulate(scenario, semesters=8, vacancies={"2026-spring": {"A-CHN": 1}})


def test_computed_simulations_are_clean(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    assert verify_simulation(scenario, run) == []
    wuhan = simulate(scenario, Policy.preset("wuhan_like"), semesters=6)
    assert verify_simulation(scenario, wuhan) == []


@given(scenarios(max_teachers=12), st.integers(1, 5))
def test_generated_simulations_are_clean(scenario: Scenario, semesters: int) -> None:
    assert verify_simulation(scenario, simulate(scenario, semesters=semesters)) == []


def test_incentive_pay_while_waiting_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    ledger = list(run.ledger)
    at = next(
        i
        for i, line in enumerate(ledger)
        if line.state is WaitingState.WAITING and line.component.value == "incentive_performance"
    )
    line = ledger[at]
    ledger[at] = line.model_copy(update={"share": Decimal(1), "amount": line.base})  # R8 forbids it
    found = verify_simulation(scenario, run.model_copy(update={"ledger": tuple(ledger)}))
    assert invariants(found) == {"I10"}
    assert len(found) == 1
    assert found[0].teacher == line.teacher


def test_on_post_pay_cut_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    ledger = list(run.ledger)
    at = next(i for i, line in enumerate(ledger) if line.state is WaitingState.ON_POST)
    ledger[at] = ledger[at].model_copy(update={"share": Decimal("0.5"), "amount": Decimal(0)})
    found = verify_simulation(scenario, run.model_copy(update={"ledger": tuple(ledger)}))
    assert invariants(found) == {"I10"}


def test_missing_pay_line_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    found = verify_simulation(scenario, run.model_copy(update={"ledger": run.ledger[1:]}))
    assert invariants(found) == {"I10"}


def test_early_flag_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    records = list(run.records)
    at = next(
        i
        for i, r in enumerate(records)
        if r.teacher == "d" and r.state is WaitingState.CONTINUED_WAITING and r.streak == 5
    )
    records[at] = records[at].model_copy(
        update={"state": WaitingState.DISMISSAL_REVIEW, "flagged": True}
    )
    # The amounts stay right (review is paid like continued waiting), but the ledger line still
    # records continued waiting, which no longer matches the record: I10 as well as I11.
    found = verify_simulation(scenario, run.model_copy(update={"records": tuple(records)}))
    assert invariants(found) == {"I10", "I11"}
    assert {v.teacher for v in found} == {"d"}


def test_missed_flag_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    records = [
        r.model_copy(update={"state": WaitingState.CONTINUED_WAITING, "flagged": False})
        if r.teacher == "d" and r.state is WaitingState.DISMISSAL_REVIEW
        else r
        for r in run.records
    ]
    ledger = [
        line.model_copy(update={"state": WaitingState.CONTINUED_WAITING})
        if line.teacher == "d" and line.state is WaitingState.DISMISSAL_REVIEW
        else line
        for line in run.ledger
    ]
    found = verify_simulation(
        scenario, run.model_copy(update={"records": tuple(records), "ledger": tuple(ledger)})
    )
    assert invariants(found) == {"I11"}


def test_streak_jump_is_caught(long_run: tuple[Scenario, Simulation]) -> None:
    scenario, run = long_run
    records = [
        r.model_copy(update={"streak": r.streak + 1}) if r.teacher == "d" and r.streak == 3 else r
        for r in run.records
    ]
    found = verify_simulation(scenario, run.model_copy(update={"records": tuple(records)}))
    assert invariants(found) == {"I11"}
