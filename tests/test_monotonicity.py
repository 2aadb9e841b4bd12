"""I13: in a deferred-acceptance round, raising one teacher's score never worsens their outcome."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from kgxp import (
    Mechanism,
    Policy,
    RoundResult,
    Scenario,
    composite_score,
    parse_scenario,
    run_round,
)
from kgxp.testing import scenarios
from tests import factories

IN_SCHOOL_ONLY = Policy(rounds=Policy().rounds[:1], mechanism=Mechanism.DEFERRED_ACCEPTANCE)
CROSS_ONLY = Policy(rounds=Policy().rounds[1:2], mechanism=Mechanism.DEFERRED_ACCEPTANCE)


def outcome_worsened(before: RoundResult, after: RoundResult, teacher_id: str) -> bool:
    """The I13 check: did the teacher end up with a worse post (or none) after the raise?"""
    return _rank(after, teacher_id) > _rank(before, teacher_id)


def _rank(result: RoundResult, teacher_id: str) -> int:
    """Position of the won post in the teacher's preferences; unplaced is worst."""
    outcome = result.outcome(teacher_id)
    if outcome.status.value in {"in_school", "cross_school"}:
        assert outcome.preference_rank is not None
        return outcome.preference_rank
    return 10**6


@given(scenarios(max_teachers=20), st.data(), st.sampled_from([IN_SCHOOL_ONLY, CROSS_ONLY]))
def test_raising_a_score_never_hurts(
    scenario: Scenario, data: st.DataObject, policy: Policy
) -> None:
    competing = [t for t in scenario.teachers if t.preferences]
    assume(competing)
    teacher = data.draw(st.sampled_from(competing))
    # The score the round ranks by: the given score, or the R15 composite of the
    # evaluation components (taking 0 for a missing score made the "raise" a cut).
    base = float(composite_score(teacher, policy))
    assume(base < 100.0)
    higher = min(100.0, base + data.draw(st.integers(1, 40)))
    better = scenario.with_teacher(teacher.id, score=higher, evaluation=None)
    assert composite_score(better.teachers[scenario.teachers.index(teacher)], policy) > Decimal(
        repr(base)
    )
    before = run_round(scenario, policy=policy)
    after = run_round(better, policy=policy)
    if before.outcome(teacher.id).status.value == "protected":
        return
    assert not outcome_worsened(before, after, teacher.id)


def test_checker_catches_a_worse_outcome() -> None:
    """Feed the check a lowered score as if it were a raise: it must report the loss."""

    def one_seat(score: float) -> Scenario:
        data = factories.scenario_data()
        data["posts"] = [factories.post("A-CHN", "A", "语文", 1)]
        data["teachers"] = [
            factories.teacher("T1", "A", score=score, preferences=["A-CHN"]),
            factories.teacher("T2", "A", score=50.0, preferences=["A-CHN"]),
        ]
        return parse_scenario(data)

    before = run_round(one_seat(99.0), policy=IN_SCHOOL_ONLY)
    after = run_round(one_seat(1.0), policy=IN_SCHOOL_ONLY)
    assert outcome_worsened(before, after, "T1")
    assert not outcome_worsened(after, before, "T1")
