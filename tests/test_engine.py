"""Hand-worked counties: each rule of the round exercised, outcomes computed by hand (R2–R13)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kgxp import (
    Circumstance,
    CrossSchoolSeatChoice,
    Mechanism,
    Policy,
    RoundKind,
    RoundSpec,
    Scenario,
    ScenarioError,
    Scope,
    TieBreaker,
    parse_scenario,
    run_round,
)
from kgxp.model.result import RoundResult, Status
from kgxp.round.ranking import lottery_number
from tests.factories import post, school, teacher

DESIGNATED = Policy(cross_school_seat_choice=CrossSchoolSeatChoice.DESIGNATED)


def county(
    schools: list[dict[str, Any]], posts: list[dict[str, Any]], teachers: list[dict[str, Any]]
) -> Scenario:
    total = sum(p["seats"] for p in posts)
    return parse_scenario(
        {
            "county": {"name": "手算县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": total},
            "schools": schools,
            "posts": posts,
            "teachers": teachers,
        }
    )


def outcomes(result: RoundResult) -> dict[str, tuple[str, str | None]]:
    return {o.teacher: (o.status.value, o.post) for o in result.outcomes}


# --- R2, R3, R4: protected pre-placement --------------------------------------------------


@pytest.fixture
def protected_county() -> Scenario:
    return county(
        [school("A"), school("B"), school("M", merged_into="B")],
        [
            post("A-CHN", "A", "语文", 3, reserved=1),
            post("A-MAT", "A", "数学", 2),
            post("B-CHN", "B", "语文", 2),
            post("B-PE", "B", "体育", 1),
        ],
        [
            teacher("P1", "A", circumstances=["maternity_leave"], preferences=["A-CHN"]),
            teacher(
                "P2", "B", ("体育",), circumstances=["village_work_team"], sex="male", score=70.0
            ),
            teacher("P3", "B", ("体育",), circumstances=["aid_tibet_yi"], score=60.0),
            # Man born 1967-06: statutory age 60y8m (§4) → retires 2028-02, 18 months away.
            teacher("P4", "A", ("数学",), sex="male", birth="1967-06", service_start="1988-09"),
            teacher("P5", "M", circumstances=["serious_sick_leave"]),  # merged school (R3)
            teacher("P6", "A", circumstances=["pregnancy"], score=99.0, preferences=["A-CHN"]),
            teacher("C1", "B", score=50.0, preferences=["B-CHN"]),
        ],
    )


def test_protected_teachers_are_placed_before_competition(protected_county: Scenario) -> None:
    result = run_round(protected_county)
    got = {o.teacher: o for o in result.outcomes}
    assert got["P1"].post == "A-CHN" and got["P1"].protected_by == ("maternity_leave",)
    assert got["P2"].post == "B-PE" and got["P2"].protected_by == ("village_work_team",)
    assert got["P4"].post == "A-MAT" and got["P4"].protected_by == ("near_retirement",)
    # R3: the merged school's teacher is protected at the receiving school.
    assert (got["P5"].home_school, got["P5"].post) == ("B", "B-CHN")
    # P2 outranks P3 (score 70 > 60) for the only 体育 seat: P3 is reported, not overfilled.
    assert got["P3"].status is Status.PROTECTED and got["P3"].post is None
    assert got["P3"].reasons[0].code == "protected_without_seat"
    assert [(c.rule, c.teacher, c.school) for c in result.conflicts] == [("R4", "P3", "B")]
    # Pregnancy is not protected by the default policy: P6 competes and wins the free seat.
    assert (got["P6"].status, got["P6"].post) == (Status.IN_SCHOOL, "A-CHN")
    assert (got["C1"].status, got["C1"].post) == (Status.IN_SCHOOL, "B-CHN")


def test_reserved_and_protected_seats_leave_the_competition(protected_county: Scenario) -> None:
    seats = {p.post: p for p in run_round(protected_county).posts}
    a_chn = seats["A-CHN"]
    # 3 seats − 1 reserved (R2) − 1 protected (R4) = 1 competed, in the in-school round.
    assert (a_chn.reserved, a_chn.protected, a_chn.in_school, a_chn.cross_school) == (1, 1, 1, 0)
    assert a_chn.filled == {"in_school": 1} and a_chn.vacant == 0
    assert (seats["B-PE"].protected, seats["B-PE"].in_school) == (1, 0)


def test_every_protected_category_and_policy_additions(protected_county: Scenario) -> None:
    wider = Policy().evolve(
        protected_circumstances=(*Policy().protected_circumstances, Circumstance.PREGNANCY)
    )
    got = {o.teacher: o for o in run_round(protected_county, policy=wider).outcomes}
    assert got["P6"].status is Status.PROTECTED and got["P6"].protected_by == ("pregnancy",)
    categories = {c for o in got.values() for c in o.protected_by}
    assert categories == {
        "maternity_leave",
        "village_work_team",
        "aid_tibet_yi",
        "near_retirement",
        "serious_sick_leave",
        "pregnancy",
    }


# --- R5 in-school round and tie-breaking -----------------------------------------------


def tie_county(**differences: dict[str, Any]) -> Scenario:
    base = {
        "score": 80.0,
        "performance": 80.0,
        "service_start": "2008-09",
        "title": "intermediate",
        "education": "bachelor",
    }
    return county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1)],
        [
            teacher("X", "A", preferences=["A-CHN"], **{**base, **differences.get("X", {})}),
            teacher("Y", "A", preferences=["A-CHN"], **{**base, **differences.get("Y", {})}),
        ],
    )


@pytest.mark.parametrize(
    ("differences", "decider"),
    [
        ({"Y": {"score": 81.0}}, "score"),
        ({"Y": {"performance": 90.0}}, "performance"),
        ({"Y": {"service_start": "2005-09"}}, "seniority"),
        ({"Y": {"title": "senior"}}, "title"),
        ({"Y": {"education": "master"}}, "education"),
    ],
)
def test_each_tie_breaker_decides(differences: dict[str, dict[str, Any]], decider: str) -> None:
    result = run_round(tie_county(**differences))
    assert outcomes(result)["Y"] == ("in_school", "A-CHN")
    lost = [r for r in result.outcome("X").reasons if r.code == "outranked"]
    assert [(r.post, r.rival, r.decided_by) for r in lost] == [("A-CHN", "Y", decider)]


def test_tie_breaker_order_is_policy() -> None:
    scenario = tie_county(X={"performance": 90.0}, Y={"title": "senior"})
    assert outcomes(run_round(scenario))["X"][0] == "in_school"  # performance comes first
    title_first = Policy(tie_breakers=(TieBreaker.TITLE, TieBreaker.PERFORMANCE))
    assert outcomes(run_round(scenario, policy=title_first))["Y"][0] == "in_school"


def test_full_tie_is_a_seeded_lottery() -> None:
    scenario = tie_county()
    for seed in range(4):
        winner = min("XY", key=lambda t: lottery_number(seed, t))
        result = run_round(scenario, seed=seed)
        assert outcomes(result)[winner] == ("in_school", "A-CHN")
        loser = "Y" if winner == "X" else "X"
        assert result.outcome(loser).reasons[0].decided_by == "lottery"
    seeds = {min("XY", key=lambda t: lottery_number(s, t)) for s in range(20)}
    assert seeds == {"X", "Y"}  # the seed matters


# --- R5 cross-school round, R6 adjustment, R7 waiting ----------------------------------


@pytest.fixture
def full_county() -> Scenario:
    return county(
        [school("A", district="D1"), school("B", district="D1"), school("E", district="D2")],
        [
            post("A-CHN", "A", "语文", 2, cross_school_seats=1),
            post("B-CHN", "B", "语文", 1, cross_school_seats=1),
            post("B-MAT", "B", "数学", 1),
            post("E-CHN", "E", "语文", 2),
        ],
        [
            teacher("a1", "A", score=90.0, preferences=["A-CHN"]),
            teacher("a2", "A", score=85.0, preferences=["A-CHN", "B-CHN"]),
            teacher("a3", "A", score=80.0, performance=70.0, preferences=["A-CHN", "B-CHN"]),
            teacher("a4", "A", score=50.0, performance=95.0, preferences=["A-CHN"]),
            teacher("b1", "B", ("数学",), score=70.0, preferences=["B-MAT"]),
            teacher("b2", "B", score=75.0, willing_to_adjust=False, preferences=["B-CHN", "A-CHN"]),
            teacher("b3", "B", score=40.0, willing_to_adjust=False, preferences=["B-CHN"]),
            teacher("e1", "E", score=60.0, preferences=["E-CHN"]),
        ],
    )


def test_default_plan_by_hand(full_county: Scenario) -> None:
    result = run_round(full_county, policy=DESIGNATED)
    # In-school seats: A-CHN 1, B-MAT 1, E-CHN 2; cross-school seats: A-CHN 1, B-CHN 1.
    # In-school: a1 beats a2, a3, a4 for A-CHN; b1 takes B-MAT; e1 takes E-CHN (1 left empty).
    # Cross-school (county): a2 → B-CHN (beats a3 on score); b2 → A-CHN. E-CHN's empty seat is
    # offered too but nobody applied for it. Adjustment (county): a3 (performance 70) and a4
    # (95) compete for E-CHN's seat: a4 wins on performance although its score is lowest (R6).
    # b3 is unwilling: waiting (I9). a3 is waiting at home (no need for 语文 anywhere left).
    assert outcomes(result) == {
        "a1": ("in_school", "A-CHN"),
        "a2": ("cross_school", "B-CHN"),
        "a3": ("waiting", None),
        "a4": ("adjusted", "E-CHN"),
        "b1": ("in_school", "B-MAT"),
        "b2": ("cross_school", "A-CHN"),
        "b3": ("waiting", None),
        "e1": ("in_school", "E-CHN"),
    }
    a3 = result.outcome("a3")
    outranked = [
        (r.round, r.post, r.rival, r.decided_by) for r in a3.reasons if r.code == "outranked"
    ]
    assert outranked == [
        ("in_school", "A-CHN", "a1", "score"),
        ("cross_school", "B-CHN", "a2", "score"),
    ]
    assert [r.code for r in a3.reasons][-2:] == ["lower_adjustment_priority", "waiting"]
    assert a3.school == "A"
    b3 = result.outcome("b3")
    assert [r.code for r in b3.reasons] == [
        "no_application",
        "no_application",
        "unwilling",
        "waiting",
    ]
    assert [(s.name, s.candidates, s.seats_offered, s.placed) for s in result.rounds] == [
        ("in_school", 8, 4, 3),
        ("cross_school", 5, 3, 2),
        ("adjustment", 2, 1, 1),
    ]
    seats = {p.post: (p.offered, p.filled, p.vacant) for p in result.posts}
    assert seats["E-CHN"] == (
        {"adjustment": 1, "cross_school": 1, "in_school": 2},
        {"adjustment": 1, "in_school": 1},
        0,
    )
    assert result.counts() == {
        "protected": 0,
        "in_school": 3,
        "cross_school": 2,
        "adjusted": 1,
        "waiting": 2,
    }


def test_two_level_three_rounds_is_only_a_policy_change(full_county: Scenario) -> None:
    plan = Policy.preset("two_level_three_rounds").evolve(
        cross_school_seat_choice=CrossSchoolSeatChoice.DESIGNATED
    )
    result = run_round(full_county, policy=plan)
    got = outcomes(result)
    # Cross-school moves stay inside district D1 (A ↔ B): the same as before. The district
    # adjustment cannot send A's teachers to E (district D2), so a4 waits too.
    assert got["a2"] == ("cross_school", "B-CHN") and got["b2"] == ("cross_school", "A-CHN")
    assert got["a4"] == ("waiting", None)
    assert [r.code for r in result.outcome("a4").reasons][-2:] == ["not_eligible", "waiting"]
    assert [s.name for s in result.rounds] == [
        "in_school",
        "cross_school_district",
        "district_adjustment",
    ]


def test_adjustment_respects_willingness_policy(full_county: Scenario) -> None:
    everyone = DESIGNATED.evolve(adjustment_requires_willingness=False)
    result = run_round(full_county, policy=everyone)
    assert result.rounds[-1].candidates == 3  # a3, a4 and the unwilling b3
    assert outcomes(result)["a4"] == ("adjusted", "E-CHN")


def test_voluntary_cross_school_applicants_skip_the_in_school_round() -> None:
    scenario = county(
        [school("A"), school("B")],
        [post("A-CHN", "A", "语文", 1), post("B-CHN", "B", "语文", 1, cross_school_seats=1)],
        [
            teacher(
                "v", "A", score=95.0, volunteers_cross_school=True, preferences=["A-CHN", "B-CHN"]
            ),
            teacher("w", "A", score=60.0, preferences=["A-CHN"]),
        ],
    )
    assert outcomes(run_round(scenario, policy=DESIGNATED))["v"] == ("in_school", "A-CHN")
    allowed = DESIGNATED.evolve(allow_voluntary_cross_school=True)
    assert outcomes(run_round(scenario, policy=allowed)) == {
        "v": ("cross_school", "B-CHN"),
        "w": ("in_school", "A-CHN"),
    }


def test_two_cross_school_levels_in_sequence(full_county: Scenario) -> None:
    plan = DESIGNATED.evolve(
        rounds=(
            RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
            RoundSpec(name="district", kind=RoundKind.CROSS_SCHOOL, scope=Scope.DISTRICT),
            RoundSpec(name="county", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),
            RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.DISTRICT),
        )
    )
    result = run_round(full_county, policy=plan)
    assert [s.placed for s in result.rounds] == [3, 2, 0, 0]


# --- Mechanisms ----------------------------------------------------------------------


def test_optimal_places_more_than_deferred_acceptance_on_ties() -> None:
    """x and y tie exactly (no tie-breakers); x wants only 语文, y wants 语文 then 英语. A
    lottery that favours y places one teacher; the largest weakly-stable matching, both."""
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1), post("A-ENG", "A", "英语", 1)],
        [
            teacher("x", "A", preferences=["A-CHN"]),
            teacher("y", "A", ("语文", "英语"), preferences=["A-CHN", "A-ENG"]),
        ],
    )
    seed = next(s for s in range(100) if lottery_number(s, "y") < lottery_number(s, "x"))
    policy = Policy(tie_breakers=(), rounds=Policy().rounds[:1])  # the in-school round only
    da = run_round(scenario, policy=policy, seed=seed)
    assert outcomes(da) == {"x": ("waiting", None), "y": ("in_school", "A-CHN")}
    optimal = run_round(scenario, policy=policy.evolve(mechanism=Mechanism.OPTIMAL), seed=seed)
    assert outcomes(optimal) == {"x": ("in_school", "A-CHN"), "y": ("in_school", "A-ENG")}
    solver = optimal.rounds[0].solver
    assert solver is not None
    assert (solver.objective, solver.baseline_placed, solver.proven_optimal) == (2, 1, True)
    # y is told why: tied with x, who kept the seat so that both are placed.
    assert [(r.post, r.rival, r.decided_by) for r in optimal.outcome("y").reasons[:1]] == [
        ("A-CHN", "x", "max_placement")
    ]


# --- Determinism, serialisation, validation --------------------------------------------


def test_input_order_does_not_change_the_result(full_county: Scenario) -> None:
    shuffled = full_county.evolve(
        teachers=tuple(reversed(full_county.teachers)),
        posts=tuple(reversed(full_county.posts)),
        schools=tuple(reversed(full_county.schools)),
    )
    assert (
        run_round(shuffled, policy=DESIGNATED).to_json()
        == run_round(full_county, policy=DESIGNATED).to_json()
    )


def test_result_json_roundtrip(full_county: Scenario) -> None:
    result = run_round(full_county, policy=DESIGNATED)
    again = RoundResult.from_json(result.to_json())
    assert again == result
    assert again.to_json() == result.to_json()
    assert isinstance(again.outcome("a1").score, Decimal)


def test_invalid_scenario_runs_nothing(full_county: Scenario) -> None:
    broken = full_county.model_copy(
        update={"teachers": (*full_county.teachers, full_county.teachers[0])}
    )
    with pytest.raises(ScenarioError) as caught:
        run_round(broken)
    assert caught.value.codes() == ["duplicate_id"]
