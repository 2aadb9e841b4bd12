"""The example county lives six semesters through the public API: the register, each
semester's payroll and re-competition, equal to ``simulate()`` (one code path), and the
rebuilt ``simulate`` byte-identical to the one before it (differential tests): issue 16's
reference (tests/legacy_simulate.py) and the quadratic one before issue 19 made it linear
(tests/legacy_waiting/, frozen whole so that it shares no waiting code with the new one)."""

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
from tests.conftest import EXAMPLE, load_benchmark_runner
from tests.legacy_simulate import simulate as legacy_simulate
from tests.legacy_waiting.simulation import simulate as quadratic_simulate

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
    quadratic = quadratic_simulate(scenario, policy, semesters=semesters, vacancies=vacancies)
    assert new.model_dump_json() == old.model_dump_json() == quadratic.model_dump_json()


def _generated(teachers: int, seed: int) -> Scenario:
    load_benchmark_runner()  # puts benchmarks/ on sys.path
    import generator  # type: ignore[import-not-found]

    return kgxp.parse_scenario(generator.generate_county(teachers, seed=seed))


def _opened(scenario: Scenario, semesters: int) -> dict[str, dict[str, int]]:
    """Seats opening beyond the round's and the retirees': one at every 7th post in the
    first re-competition, two at every 11th in the third, so that many teachers win, at
    their own school, in their community and elsewhere."""
    first = kgxp.model.semester.Semester.containing(scenario.competition_month + 1)
    posts = sorted(p.id for p in scenario.posts)
    table = {str(first + 1): dict.fromkeys(posts[::7], 1)}
    if semesters > 3:
        table[str(first + 3)] = dict.fromkeys(posts[3::11], 2)
    return table


@pytest.mark.parametrize(
    ("teachers", "seed", "preset", "mechanism", "opened"),
    [
        (400, 1, "default", None, False),
        (400, 2, "wuhan_like", None, True),
        (1500, 3, "default", None, True),
        (1500, 4, "wuhan_like", None, True),
        (1500, 5, "two_level_three_rounds", None, True),
        (300, 6, "default", "msda", True),
        (200, 7, "default", "optimal", True),  # the CP-SAT re-competition, with its lists
        (1500, 8, "default", "same_semester", True),  # retirement_vacancy=same_semester
    ],
)
def test_linear_simulate_is_byte_identical_to_the_quadratic_one_on_generated_counties(
    teachers: int, seed: int, preset: str, mechanism: str | None, opened: bool
) -> None:
    scenario = _generated(teachers, seed)
    policy = Policy.preset(preset)
    if mechanism == "same_semester":
        policy = policy.evolve(retirement_vacancy="same_semester")
    elif mechanism is not None:
        policy = policy.evolve(mechanism=mechanism)
    semesters = 6
    vacancies = _opened(scenario, semesters) if opened else None
    new = kgxp.simulate(scenario, policy, semesters=semesters, vacancies=vacancies)
    old = quadratic_simulate(scenario, policy, semesters=semesters, vacancies=vacancies)
    assert sum(s.placed for s in new.summaries) > 0  # the re-competitions placed somebody
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


@pytest.mark.parametrize(("teachers", "seed"), [(600, 11), (2000, 12)])
def test_indexed_applications_equal_the_quadratic_ones(teachers: int, seed: int) -> None:
    from kgxp.waiting.recompetition import applications
    from tests.legacy_waiting.recompetition import applications as quadratic_applications

    scenario = _generated(teachers, seed)
    posts = sorted(p.id for p in scenario.posts)
    vacancies = {p: 1 + k % 3 for k, p in enumerate(posts[::3])} | {posts[1]: 0}
    waiting = [t.id for t in scenario.teachers][::4]  # not in id order, on purpose
    new = applications(scenario, waiting, vacancies)
    old = quadratic_applications(scenario, waiting, vacancies)
    assert [(t.id, t.preferences) for t in new] == [(t.id, t.preferences) for t in old]
    assert sum(len(t.preferences) for t in new) > len(new)  # more than their own listed posts


@pytest.mark.parametrize("semesters", [3])
def test_register_functions_equal_the_quadratic_ones_from_a_scenario_register(
    example: Scenario, semesters: int
) -> None:
    """From :func:`register_from_scenario` (on-post entries with no history yet), the
    register's closing, retirements and payroll equal the frozen ones, semester by semester."""
    from kgxp.waiting.register import register_from_scenario
    from tests.legacy_waiting import payroll as old_payroll
    from tests.legacy_waiting import register as old

    policy = Policy()
    new_register = register_from_scenario(example)
    old_register = old.register_from_scenario(example)
    assert not new_register.entries[0].history  # the case simulate never meets
    for _ in range(semesters):
        new_register = record_retirements(close_semester(new_register, policy), example, policy)
        old_register = old.record_retirements(
            old.close_semester(old_register, policy), example, policy
        )
        assert new_register.model_dump_json() == old_register.model_dump_json()
        new_lines = payroll(new_register, example, policy)
        old_lines = old_payroll.payroll(old_register, example, policy)
        assert [line.model_dump_json() for line in new_lines] == [
            line.model_dump_json() for line in old_lines
        ]


def test_semester_log_events_equal_the_quadratic_ones(
    example: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    def events(run: Any) -> list[dict[str, Any]]:
        caplog.clear()
        # The frozen copy logs under its module's name (tests.legacy_waiting…): the root.
        with caplog.at_level(logging.INFO):
            run(example, semesters=8)  # to the dismissal reviews (R10) of the seventh
        logged = [getattr(r, "kgxp", {}) for r in caplog.records]
        found = [event for event in logged if event.get("event") == "simulate.semester"]
        return [{k: v for k, v in event.items() if k != "seconds"} for event in found]

    new, old = events(kgxp.simulate), events(quadratic_simulate)
    assert len(new) == 8
    assert any(event["waiting"] for event in new)
    assert any(event["flagged"] for event in new)
    assert new == old
