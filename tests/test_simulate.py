"""Semesters forward (R7–R10, R18): hand-computed timelines and ledgers through simulate()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kgxp import Policy, Scenario, parse_scenario, simulate
from kgxp.waiting.state_machine import WaitingState
from tests.factories import post, school, teacher

PAY = {
    "basic_salary": "4000.00",
    "basic_performance": "1700.00",
    "incentive_performance": "700.00",
    "year_end_bonus": "12000.00",
    "rural_allowance": "450.00",
}


def county(*extra: dict[str, Any]) -> Scenario:
    return parse_scenario(
        {
            "county": {"name": "模拟县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": 1},
            "schools": [school("A", locality="rural")],
            "posts": [post("A-CHN", "A", "语文", 1)],
            "teachers": [
                teacher("w", "A", score=90.0, pay=PAY, preferences=["A-CHN"]),
                teacher("l", "A", score=80.0, pay=PAY, preferences=["A-CHN"]),
                teacher("d", "A", score=70.0, pay=PAY, preferences=["A-CHN"]),
                *extra,
            ],
        }
    )


def retiring() -> dict[str, Any]:
    """A man born 1967-01: statutory age 60y7m, retires 2027-08 (§4), in 2026-spring."""
    return teacher(
        "r",
        "A",
        score=60.0,
        pay=PAY,
        sex="male",
        birth="1967-01",
        service_start="1988-09",
        preferences=["A-CHN"],
    )


def semester_pay(run: Any, teacher_id: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in run.pay(teacher_id):
        totals[str(line.semester)] = totals.get(str(line.semester), Decimal(0)) + line.amount
    return totals


def test_waiting_then_placed_by_recompetition() -> None:
    run = simulate(county(), semesters=2, vacancies={"2026-spring": {"A-CHN": 1}})
    # w wins the only seat; l and d wait. In 2026-spring one seat opens: l (80) beats d (70).
    assert [r.state for r in run.timeline("l")] == [WaitingState.WAITING, WaitingState.ON_POST]
    assert run.timeline("l")[1].post == "A-CHN"
    assert [r.state for r in run.timeline("d")] == [
        WaitingState.WAITING,
        WaitingState.CONTINUED_WAITING,
    ]
    # On post at a rural school (I10, R18): autumn 4000×6 + 1700×6 + 700×6 + 12000 + 450×6
    # = 24000 + 10200 + 4200 + 12000 + 2700 = 53100; spring has no year-end bonus: 41100.
    assert semester_pay(run, "w") == {
        "2026-autumn": Decimal("53100.00"),
        "2026-spring": Decimal("41100.00"),
    }
    # First waiting term (R8): 24000 + 10200 + 0 incentive + 50% × 12000 + 0 allowances = 40200;
    # then on post again in spring: 41100.
    assert semester_pay(run, "l") == {
        "2026-autumn": Decimal("40200.00"),
        "2026-spring": Decimal("41100.00"),
    }
    # Continued waiting (R9): basic salary and basic performance only: 24000 + 10200 = 34200.
    assert semester_pay(run, "d") == {
        "2026-autumn": Decimal("40200.00"),
        "2026-spring": Decimal("34200.00"),
    }
    spring = run.summaries[1]
    assert (spring.competed, spring.placed, spring.vacancies) == (2, 1, 1)


def test_dismissal_review_exactly_after_three_years() -> None:
    run = simulate(county(), semesters=8)
    states = [(str(r.semester), r.state.value, r.streak, r.flagged) for r in run.timeline("d")]
    assert states == [
        ("2026-autumn", "waiting", 0, False),
        ("2026-spring", "continued_waiting", 1, False),
        ("2027-autumn", "continued_waiting", 2, False),
        ("2027-spring", "continued_waiting", 3, False),
        ("2028-autumn", "continued_waiting", 4, False),
        ("2028-spring", "continued_waiting", 5, False),  # not yet (I11)
        ("2029-autumn", "dismissal_review", 6, True),  # three years: flagged (R10)
        ("2029-spring", "dismissal_review", 7, True),
    ]
    # Under review the teacher keeps continued-waiting pay; the engine never dismisses.
    assert semester_pay(run, "d")["2029-spring"] == Decimal("34200.00")


def test_wuhan_like_contract_ends_after_two_years() -> None:
    run = simulate(county(), Policy.preset("wuhan_like"), semesters=6)
    states = [r.state.value for r in run.timeline("d")]
    assert states[:4] == ["waiting", "continued_waiting", "continued_waiting", "continued_waiting"]
    assert states[4:] == ["contract_ended", "contract_ended"]
    # 70% of basic salary, basic and incentive performance pay, no bonus:
    # 0.7 × (24000 + 10200 + 4200) = 26880 per semester, nothing after the contract ends.
    assert set(semester_pay(run, "d").values()) == {Decimal("26880.00")}
    assert len(semester_pay(run, "d")) == 4


def test_retirement_during_waiting_frees_nothing_and_stops_pay() -> None:
    # Unprotected here so that he competes, loses and waits.
    old = retiring()
    run = simulate(county(old), Policy(protect_near_retirement=False), semesters=3)
    assert [r.state.value for r in run.timeline("r")] == ["waiting", "continued_waiting", "retired"]
    assert semester_pay(run, "r") == {
        "2026-autumn": Decimal("40200.00"),
        "2026-spring": Decimal("34200.00"),
    }
    assert run.summaries[2].retired == 1


def test_on_post_retirement_opens_a_seat_for_the_waiting() -> None:
    # Protected near retirement, on post at A-CHN (a second seat); retires 2027-08, so
    # from 2027-autumn on his seat is vacant and l (the best waiting teacher) wins it.
    old = retiring()
    scenario = county(old)
    scenario = scenario.evolve(
        posts=(scenario.posts[0].model_copy(update={"seats": 2}),), staffing={"total_posts": 2}
    )
    run = simulate(scenario, semesters=3)
    assert [r.state.value for r in run.timeline("r")] == ["on_post", "on_post", "retired"]
    assert [r.state.value for r in run.timeline("l")] == ["waiting", "continued_waiting", "on_post"]
    assert run.timeline("l")[2].post == "A-CHN"


def test_assigned_school_is_recorded_each_waiting_semester() -> None:
    run = simulate(county(), semesters=3)
    assert {r.school for r in run.timeline("d")} == {"A"}


def test_same_input_same_simulation_and_json_roundtrip() -> None:
    first = simulate(county(), semesters=4, vacancies={"2027-autumn": {"A-CHN": 1}})
    second = simulate(county(), semesters=4, vacancies={"2027-autumn": {"A-CHN": 1}})
    assert first.model_dump_json() == second.model_dump_json()
    assert type(first).model_validate_json(first.model_dump_json()) == first


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown posts"):
        simulate(county(), vacancies={"2026-spring": {"NOPE": 1}})
    with pytest.raises(ValueError, match="semesters must be a positive whole number"):
        simulate(county(), semesters=0)


def test_frames_for_notebooks() -> None:
    run = simulate(county(), semesters=2)
    frames = {name: run.to_frame(name) for name in ("records", "ledger", "summaries")}
    assert len(frames["records"]) == 3 * 2
    ledger = frames["ledger"]
    assert set(ledger["component"]) == {
        "basic_salary",
        "basic_performance",
        "incentive_performance",
        "year_end_bonus",
        "allowances",
    }
    assert list(frames["summaries"]["semester"]) == ["2026-autumn", "2026-spring"]
