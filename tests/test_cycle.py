"""The example county lives six semesters through the public API: the register, each
semester's payroll and re-competition, equal to ``simulate()`` (one code path), and the
rebuilt ``simulate`` byte-identical to the one before it (differential test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

import kgxp
from kgxp import Policy, Scenario
from kgxp.checks.recompetition import verify_recompetition
from kgxp.testing import scenarios
from kgxp.waiting.payroll import payroll
from kgxp.waiting.recompetition_round import apply_recompetition, run_recompetition
from kgxp.waiting.register import (
    Register,
    close_semester,
    record_retirements,
    register_from_round,
)
from tests.conftest import EXAMPLE
from tests.legacy_simulate import simulate as legacy_simulate

SEMESTERS = 6


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def simulated(example: Scenario) -> kgxp.Simulation:
    return kgxp.simulate(example, semesters=SEMESTERS)


def live(scenario: Scenario, policy: Policy, semesters: int) -> tuple[list[Register], list[Any]]:
    """The cycle a clerk runs: round, then per semester close, retire, re-compete, pay."""
    result = kgxp.run_round(scenario, policy=policy)
    assert kgxp.verify(scenario, result) == []
    register = register_from_round(scenario, result)
    registers, ledger = [], []
    for k in range(semesters):
        if k > 0:
            register = record_retirements(close_semester(register, policy), scenario, policy)
            if register.due():
                recompetition = run_recompetition(scenario, register, policy)
                assert verify_recompetition(scenario, register, recompetition) == []
                register = apply_recompetition(register, recompetition, policy)
        ledger += payroll(register, scenario, policy)
        registers.append(register)
    return registers, ledger


def test_six_semesters_through_the_public_api_equal_simulate(
    example: Scenario, simulated: kgxp.Simulation
) -> None:
    registers, ledger = live(example, Policy(), SEMESTERS)
    assert tuple(ledger) == simulated.ledger
    for register in registers:
        records = [r for r in simulated.records if r.semester == register.semester]
        assert [
            (e.teacher, e.state, e.streak, e.flagged, e.post, e.school) for e in register.entries
        ] == [(r.teacher, r.state, r.streak, r.flagged, r.post, r.school) for r in records]
    assert kgxp.verify_simulation(example, simulated) == []
    final = registers[-1]
    assert len(final.waiting()) > 0  # the cycle is not trivial: somebody still waits
    assert Register.model_validate_json(final.model_dump_json()) == final


def test_rebuilt_simulate_is_byte_identical_on_the_example_county(
    example: Scenario, simulated: kgxp.Simulation
) -> None:
    before = legacy_simulate(example, semesters=SEMESTERS)
    assert before.model_dump_json() == simulated.model_dump_json()


@settings(max_examples=25)
@given(
    scenario=scenarios(max_teachers=16),
    preset=st.sampled_from(["default", "wuhan_like"]),
    semesters=st.integers(1, 8),
    opened=st.integers(0, 2),
)
def test_rebuilt_simulate_is_byte_identical_on_generated_counties(
    scenario: Scenario, preset: str, semesters: int, opened: int
) -> None:
    policy = Policy.preset(preset)
    first = kgxp.model.semester.Semester.containing(scenario.competition_month + 1)
    # A table for a semester with no re-competition is refused (issue 14), so only then.
    vacancies = (
        {str(first + 1): {scenario.posts[0].id: opened}} if opened and semesters > 1 else None
    )
    new = kgxp.simulate(scenario, policy, semesters=semesters, vacancies=vacancies)
    old = legacy_simulate(scenario, policy, semesters=semesters, vacancies=vacancies)
    assert new.model_dump_json() == old.model_dump_json()


def test_six_semesters_through_the_cli_into_the_archive_equal_simulate(
    archive_url: str, simulated: kgxp.Simulation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kgxp.archive import Archive
    from kgxp.cli import main

    assert main(["archive", "create", archive_url]) == 0
    assert main(["archive", "round", archive_url, str(EXAMPLE)]) == 0
    for _ in range(SEMESTERS - 1):
        assert main(["archive", "close", archive_url]) == 0
        assert main(["archive", "recompete", archive_url]) == 0
    last = str(simulated.semesters[-1])
    assert main(["archive", "payroll", archive_url, last, str(tmp_path / "pay.csv")]) == 0
    assert main(["archive", "review", archive_url, last, str(tmp_path / "review.xlsx")]) == 0
    assert main(["archive", "history", archive_url, "T00001"]) == 0
    assert main(["archive", "check", archive_url]) == 0
    assert "哈希链完整" in capsys.readouterr().out
    with Archive.open(archive_url) as archive:
        for semester in simulated.semesters:
            register = archive.register_at(semester)
            records = [r for r in simulated.records if r.semester == semester]
            assert [
                (e.teacher, e.state, e.streak, e.flagged, e.post, e.school, e.event)
                for e in register.entries
            ] == [
                (r.teacher, r.state, r.streak, r.flagged, r.post, r.school, r.event)
                for r in records
            ]
            assert archive.payroll(semester) == tuple(
                line for line in simulated.ledger if line.semester == semester
            )
        assert archive.check_chain() == []
    rows = (tmp_path / "pay.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) - 1 == sum(1 for line in simulated.ledger if str(line.semester) == last)
    # a hand edit of the archive makes the CLI's check fail
    engine = create_engine(archive_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE records SET semester = '2099-autumn' WHERE seq = 3"))
    engine.dispose()
    assert main(["archive", "check", archive_url]) == 1
    assert "record 3" in capsys.readouterr().out


@settings(max_examples=15)
@given(scenario=scenarios(max_teachers=16), semesters=st.integers(2, 7))
def test_every_recompetition_of_generated_counties_verifies(
    scenario: Scenario, semesters: int
) -> None:
    registers, ledger = live(scenario, Policy(), semesters)  # asserts verify_recompetition == []
    ids = sorted(t.id for t in scenario.teachers)
    for register in registers:  # nobody lost, duplicated or left out
        assert [e.teacher for e in register.entries] == ids
    assert tuple(ledger) == kgxp.simulate(scenario, semesters=semesters).ledger
