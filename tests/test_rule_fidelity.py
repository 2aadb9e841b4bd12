"""Issue 14, rule fidelity: hand-solved counties where kgxp must follow the seeds' words.

Each test derives its expected values by hand in a comment; each failed on the code
before the change it covers.
"""

from __future__ import annotations

from typing import Any

import pytest

from kgxp import Scenario, ScenarioError, parse_scenario, run_round, verify
from kgxp.model.result import RoundResult
from tests.factories import post, school, teacher


def county(
    schools: list[dict[str, Any]],
    posts: list[dict[str, Any]],
    teachers: list[dict[str, Any]],
    month: str = "2026-08",
) -> Scenario:
    total = sum(p["seats"] for p in posts)
    return parse_scenario(
        {
            "county": {"name": "手算县", "synthetic": True},
            "competition_month": month,
            "staffing": {"total_posts": total},
            "schools": schools,
            "posts": posts,
            "teachers": teachers,
        }
    )


def where(result: RoundResult) -> dict[str, tuple[str, str | None]]:
    return {o.teacher: (o.status.value, o.post) for o in result.outcomes}


def adjusted_by(result: RoundResult, teacher_id: str) -> str | None:
    outcome = next(o for o in result.outcomes if o.teacher == teacher_id)
    return next(r.decided_by for r in outcome.reasons if r.rule == "R6" and r.code == "placed")


# --- 1. R6: the subject taught comes first ----------------------------------------------

# School B has one 语文 seat and two 语文 teachers; school A (rural, no teachers of its own)
# has a 语文 and a 体育 vacancy. b1 (90) wins B-CHN in-school; the others applied for
# nothing else, so they reach the adjustment with A-CHN and A-PE vacant.


def _adjustment_county(*losers: dict[str, Any]) -> Scenario:
    return county(
        [school("A"), school("B")],
        [
            post("A-CHN", "A", "语文", 1),
            post("A-PE", "A", "体育", 1),
            post("B-CHN", "B", "语文", 1),
        ],
        [teacher("b1", "B", score=90.0, preferences=["B-CHN"]), *losers],
    )


def test_adjustment_seats_a_teacher_in_their_main_subject() -> None:
    # b2 teaches 语文 and is also qualified for 体育. Both vacancies are in the same rural
    # school; 体育 is a shortage subject, so balance alone would pick A-PE (the old
    # behaviour). Seed 000 adjusts 依据任教学科: b2 goes to A-CHN, A-PE stays empty.
    scenario = _adjustment_county(
        teacher("b2", "B", ("语文", "体育"), score=70.0, preferences=["B-CHN"])
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-CHN")
    assert adjusted_by(result, "b2") == "main_subject"
    assert verify(scenario, result) == []


def test_main_subject_goes_to_the_higher_performance_teacher() -> None:
    # b2 (performance 90) and b3 (performance 50) both teach 语文 and are qualified for
    # 体育. One 语文 and one 体育 vacancy: both are placed (nobody waits who could be
    # seated), and the merit order gives the main subject to b2: b2 → A-CHN, b3 → A-PE
    # (b3's only other subject: other_subject).
    scenario = _adjustment_county(
        teacher("b3", "B", ("语文", "体育"), score=60.0, performance=50.0, preferences=["B-CHN"]),
        teacher("b2", "B", ("语文", "体育"), score=70.0, performance=90.0, preferences=["B-CHN"]),
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-CHN")
    assert where(result)["b3"] == ("adjusted", "A-PE")
    assert adjusted_by(result, "b2") == "main_subject"
    assert adjusted_by(result, "b3") == "other_subject"
    assert verify(scenario, result) == []


def test_placing_everyone_comes_before_the_main_subject() -> None:
    # b2 (语文+体育, performance 90) and b3 (语文 only, performance 50): seating b2 in 语文
    # would leave b3 waiting beside an empty 体育 seat b2 could take. Both are placed
    # (the most teachers placed, I8), so b2 takes A-PE (other_subject), b3 A-CHN.
    scenario = _adjustment_county(
        teacher("b3", "B", ("语文",), score=60.0, performance=50.0, preferences=["B-CHN"]),
        teacher("b2", "B", ("语文", "体育"), score=70.0, performance=90.0, preferences=["B-CHN"]),
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-PE")
    assert where(result)["b3"] == ("adjusted", "A-CHN")
    assert verify(scenario, result) == []


def test_balance_only_chooses_among_other_subjects() -> None:
    # b2 teaches 数学 (no vacancy) and is qualified for 语文 and 体育: both are "other
    # subjects", equally good for b2, so balance picks the shortage subject 体育.
    scenario = county(
        [school("A"), school("B")],
        [
            post("A-CHN", "A", "语文", 1),
            post("A-PE", "A", "体育", 1),
            post("B-MAT", "B", "数学", 1),
        ],
        [
            teacher("b1", "B", ("数学",), score=90.0, preferences=["B-MAT"]),
            teacher("b2", "B", ("数学", "语文", "体育"), score=70.0, preferences=["B-MAT"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-PE")
    assert adjusted_by(result, "b2") == "balance"


# --- 4. R4: a teacher who reaches the statutory age in the competition month -------------


def test_teacher_reaching_the_age_in_the_competition_month_is_protected() -> None:
    # A man born 1966-04: n = (1966 + 60 - 2025) * 12 + 4 = 16, delay ceil(16 / 4) = 4
    # months, statutory age 60y4m, retirement month 1966-04 + 724 months = 2026-08, the
    # competition month: 0 months left, still in service, 不足三年 → protected (R4) in his
    # main-subject post at his own school.
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 2)],
        [
            teacher("old", "A", sex="male", birth="1966-04", service_start="1988-09"),
            teacher("young", "A", preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    old = next(o for o in result.outcomes if o.teacher == "old")
    assert (old.status.value, old.post, old.protected_by) == (
        "protected",
        "A-CHN",
        ("near_retirement",),
    )
    assert verify(scenario, result) == []


def test_retirement_month_before_the_competition_month_names_the_teacher() -> None:
    # Born 1966-03: n = 15, delay 4, retirement month 2026-07, before 2026-08: retired.
    with pytest.raises(ScenarioError) as raised:
        county(
            [school("A")],
            [post("A-CHN", "A", "语文", 2)],
            [teacher("gone", "A", sex="male", birth="1966-03", service_start="1988-09")],
        )
    (problem,) = raised.value.problems
    assert (problem.record_id, problem.code, problem.rule) == ("gone", "past_retirement", "R4")
    assert "2026-07" in problem.message and "remove the teacher" in problem.message


# --- 2. R15: composite scores are exact --------------------------------------------------


def test_a_given_score_is_never_rounded() -> None:
    # One seat; a scores 85.124, b 85.12 but has the higher teaching performance (the
    # first tie-breaker). Rounded to two places both were 85.12 and performance gave the
    # seat to b; exact, 85.124 > 85.12 and the score decides: a wins, by "score".
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1)],
        [
            teacher("a", "A", score=85.124, performance=10.0, preferences=["A-CHN"]),
            teacher("b", "A", score=85.12, performance=90.0, preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["a"] == ("in_school", "A-CHN")
    b = next(o for o in result.outcomes if o.teacher == "b")
    outranked = next(r for r in b.reasons if r.code == "outranked")
    assert (outranked.rival, outranked.decided_by) == ("a", "score")
    assert (str(outranked.rival_score), str(outranked.score)) == ("85.124", "85.12")
    assert '"85.124"' in result.to_json()


def test_a_weighted_evaluation_is_never_rounded() -> None:
    # Equal weights 0.25. c: (85.5, 85.5, 84.75, 84.75) → 85.125 exactly; d: 85.13 given.
    # Rounded half up, c was 85.13 and tied with d, whose performance won; exact,
    # 85.13 > 85.125: d wins by score, whatever the tie-breakers say.
    components = {
        "student_rating": 85.5,
        "peer_review": 85.5,
        "quality_assessment": 84.75,
        "school_evaluation": 84.75,
    }
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1)],
        [
            teacher(
                "c",
                "A",
                score=None,
                evaluation=components,
                performance=90.0,
                preferences=["A-CHN"],
            ),
            teacher("d", "A", score=85.13, performance=10.0, preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["d"] == ("in_school", "A-CHN")
    c = next(o for o in result.outcomes if o.teacher == "c")
    assert str(c.score) == "85.125"
    assert next(r for r in c.reasons if r.code == "outranked").decided_by == "score"
