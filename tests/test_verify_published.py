"""I12, published fields: a result.json edited where the 公示 lists print it is caught by default.

Each test takes the engine's result for the example county, edits one printed
field the way a tampered ``result.json`` would, and checks that :func:`verify`
(without ``rerun``) reports exactly that, under I12.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from kgxp import Policy, RoundResult, Scenario, load_scenario, run_round
from kgxp.checks.verify import verify
from kgxp.model.result import Outcome, Reason
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def published() -> tuple[Scenario, RoundResult]:
    scenario = load_scenario(EXAMPLE)
    return scenario, run_round(scenario)


def _edit_outcome(
    result: RoundResult, pick: Callable[[Outcome], bool], **changes: object
) -> tuple[RoundResult, str]:
    index = next(i for i, o in enumerate(result.outcomes) if pick(o))
    outcomes = list(result.outcomes)
    outcomes[index] = outcomes[index].model_copy(update=changes)
    return result.model_copy(update={"outcomes": tuple(outcomes)}), outcomes[index].teacher


def _edit_rival_reason(result: RoundResult, **changes: object) -> tuple[RoundResult, str]:
    def has_rival(o: Outcome) -> bool:
        return any(r.rival for r in o.reasons)

    index = next(i for i, o in enumerate(result.outcomes) if has_rival(o))
    outcome = result.outcomes[index]
    reasons: tuple[Reason, ...] = tuple(
        r.model_copy(update=changes) if r.rival else r for r in outcome.reasons
    )
    outcomes = list(result.outcomes)
    outcomes[index] = outcome.model_copy(update={"reasons": reasons})
    return result.model_copy(update={"outcomes": tuple(outcomes)}), outcome.teacher


def test_the_engines_result_passes(published: tuple[Scenario, RoundResult]) -> None:
    assert verify(*published) == []


def test_an_edited_composite_score_is_caught(published: tuple[Scenario, RoundResult]) -> None:
    scenario, result = published
    tampered, teacher = _edit_outcome(result, lambda o: True, score=Decimal("99.9"))
    [violation] = verify(scenario, tampered)
    assert (violation.invariant, violation.teacher) == ("I12", teacher)
    assert "composite score" in violation.message


def test_an_edited_preference_rank_is_caught(published: tuple[Scenario, RoundResult]) -> None:
    scenario, result = published
    tampered, teacher = _edit_outcome(
        result, lambda o: o.preference_rank is not None, preference_rank=5
    )
    [violation] = verify(scenario, tampered)
    assert (violation.invariant, violation.teacher) == ("I12", teacher)
    assert "preference rank" in violation.message


@pytest.mark.parametrize(
    ("changes", "what"),
    [
        ({"rival_score": Decimal("100")}, "rival's score"),
        ({"rival": "T00001"}, "rival"),
        ({"rival": "NOBODY"}, "rival"),
        ({"score": Decimal("1")}, "reason's score"),
    ],
)
def test_an_edited_rival_is_caught(
    published: tuple[Scenario, RoundResult], changes: dict[str, object], what: str
) -> None:
    scenario, result = published
    tampered, teacher = _edit_rival_reason(result, **changes)
    found = verify(scenario, tampered)
    assert found
    assert {v.invariant for v in found} == {"I12"}
    assert any(what in v.message and v.teacher == teacher for v in found)


def test_a_wrong_deciding_criterion_is_caught(published: tuple[Scenario, RoundResult]) -> None:
    scenario, result = published
    decided = next(r for o in result.outcomes for r in o.reasons if r.decided_by)
    wrong = "lottery" if decided.decided_by == "score" else "score"
    tampered, _ = _edit_rival_reason(result, decided_by=wrong)
    found = verify(scenario, tampered)
    assert {v.invariant for v in found} == {"I12"}
    assert any("deciding criterion" in v.message for v in found)


def test_edited_round_statistics_are_caught(published: tuple[Scenario, RoundResult]) -> None:
    scenario, result = published
    first = result.rounds[0]
    for field in ("placed", "seats_offered"):
        changed = first.model_copy(update={field: getattr(first, field) + 7})
        tampered = result.model_copy(update={"rounds": (changed, *result.rounds[1:])})
        [violation] = verify(scenario, tampered)
        assert violation.invariant == "I12" and field in violation.message


def test_an_edited_candidates_count_is_caught(published: tuple[Scenario, RoundResult]) -> None:
    scenario, result = published
    for position, stats in enumerate(result.rounds):
        rounds = list(result.rounds)
        rounds[position] = stats.model_copy(update={"candidates": stats.candidates - 1})
        tampered = result.model_copy(update={"rounds": tuple(rounds)})
        [violation] = verify(scenario, tampered)
        assert violation.invariant == "I12" and "candidates" in violation.message
        assert violation.evidence["round"] == stats.name


def test_a_shared_reason_is_checked_for_every_teacher_holding_it(
    published: tuple[Scenario, RoundResult],
) -> None:
    # Equal reasons are one instance (issue 19): a check that remembered an instance as
    # clean would miss what depends on the teacher holding it. Here the instance, clean
    # for the teachers before, is given to its own rival (same score, decided by a
    # tie-breaker), who cannot have lost a post to themself.
    scenario, result = published
    order = {o.teacher: i for i, o in enumerate(result.outcomes)}
    first_holder: dict[int, int] = {}
    for i, o in enumerate(result.outcomes):
        for r in o.reasons:
            first_holder.setdefault(id(r), i)
    shared = next(
        r
        for o in result.outcomes
        for r in o.reasons
        if r.rival and r.decided_by not in (None, "score") and first_holder[id(r)] < order[r.rival]
    )
    assert shared.rival is not None
    rival = result.outcome(shared.rival)
    assert rival.score == shared.score  # the fast path's case: the score matches
    outcomes = list(result.outcomes)
    outcomes[order[rival.teacher]] = rival.model_copy(update={"reasons": (*rival.reasons, shared)})
    tampered = result.model_copy(update={"outcomes": tuple(outcomes)})
    found = verify(scenario, tampered)
    assert [(v.invariant, v.teacher) for v in found] == [("I12", rival.teacher)]
    assert "published rival is " + rival.teacher in found[0].message


def test_a_first_choice_published_as_another_rank_is_caught(
    published: tuple[Scenario, RoundResult],
) -> None:
    # Most teachers win their first choice, which the check tests with one comparison.
    scenario, result = published
    for wrong in (1, None):
        tampered, teacher = _edit_outcome(
            result, lambda o: o.preference_rank == 0, preference_rank=wrong
        )
        [violation] = verify(scenario, tampered)
        assert (violation.invariant, violation.teacher) == ("I12", teacher)
        assert "preference rank" in violation.message
        assert violation.evidence["expected"] == "0"


def test_a_rival_who_does_not_hold_the_post_is_caught(
    published: tuple[Scenario, RoundResult],
) -> None:
    scenario, result = published
    rival_of = {o.teacher: o.post for o in result.outcomes}
    reason = next(r for o in result.outcomes for r in o.reasons if r.rival)
    other = next(p.id for p in scenario.posts if p.id not in (reason.post, rival_of[reason.rival]))
    tampered, teacher = _edit_rival_reason(result, post=other)
    found = verify(scenario, tampered)
    assert {v.invariant for v in found} == {"I12"}
    assert any("rival's post" in v.message and v.teacher == teacher for v in found)


@pytest.mark.parametrize(
    "policy",
    [Policy(), Policy(allow_voluntary_cross_school=True, adjustment_requires_willingness=False)],
    ids=["unwilling_left_out", "volunteers_left_out"],
)
def test_candidates_are_counted_whatever_the_order_of_the_outcomes(policy: Policy) -> None:
    # The example county has volunteers and unwilling teachers: each policy leaves one
    # kind out of a round's pool. Outcomes listed in reverse are no fault (the check
    # pairs them with teachers by id), an edited count still is.
    scenario = load_scenario(EXAMPLE)
    assert any(t.volunteers_cross_school for t in scenario.teachers)
    assert not all(t.willing_to_adjust for t in scenario.teachers)
    result = run_round(scenario, policy=policy)
    for outcomes in (result.outcomes, tuple(reversed(result.outcomes))):
        listed = result.model_copy(update={"outcomes": outcomes})
        assert verify(scenario, listed) == []
        for position, stats in enumerate(result.rounds):
            rounds = list(result.rounds)
            rounds[position] = stats.model_copy(update={"candidates": stats.candidates + 1})
            tampered = listed.model_copy(update={"rounds": tuple(rounds)})
            [violation] = verify(scenario, tampered)
            assert violation.evidence == {
                "round": stats.name,
                "field": "candidates",
                "claimed": stats.candidates + 1,
                "actual": stats.candidates,
            }


@pytest.mark.parametrize(
    ("changes", "what"),
    [
        ({"rival_score": Decimal("100")}, "rival's score"),
        ({"rival": "NOBODY"}, "rival"),
        ({"post": "NO-SUCH-POST"}, "rival's post"),
        ({}, "deciding criterion"),
    ],
)
def test_an_edited_rival_is_caught_whatever_the_order_of_the_outcomes(
    published: tuple[Scenario, RoundResult], changes: dict[str, object], what: str
) -> None:
    # In the scenario's order, the check reads a rival's post and score at their row of
    # the ranking; in another order, from the outcomes by id. Both feed the same tests.
    scenario, result = published
    if what == "deciding criterion":  # the other criterion than the edited reason's
        first = next(r for o in result.outcomes for r in o.reasons if r.rival)
        assert first.decided_by is not None
        changes = {"decided_by": "lottery" if first.decided_by == "score" else "score"}
    tampered, teacher = _edit_rival_reason(result, **changes)
    reordered = tampered.model_copy(update={"outcomes": tampered.outcomes[::-1]})
    for broken in (tampered, reordered):
        found = verify(scenario, broken)
        assert found and {v.invariant for v in found} == {"I12"}
        assert any(what in v.message and v.teacher == teacher for v in found)
