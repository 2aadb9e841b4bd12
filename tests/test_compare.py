"""compare(): a what-if and an appeal on a hand-made pair of rounds."""

from __future__ import annotations

from kgxp import Policy, Scenario, Status, compare, parse_scenario, run_round
from tests.factories import appeal_data


def county(score_b: float) -> Scenario:
    return parse_scenario(appeal_data(score_b))


def test_appeal_with_a_corrected_score() -> None:
    published = run_round(county(80.0))  # a wins the seat; b waits
    # b appeals: the score was mis-entered, 88 not 80. Same policy, same seed.
    corrected = run_round(county(88.0), policy=published.policy, seed=published.seed)
    change = compare(published, corrected)
    assert not change.same_scenario
    assert change.same_policy
    assert [(c.teacher, c.before_status, c.after_status) for c in change.changed] == [
        ("a", Status.IN_SCHOOL, Status.WAITING),
        ("b", Status.WAITING, Status.IN_SCHOOL),
    ]
    assert change.changed[0].why[0] == "outranked"
    assert [(s.post, s.left, s.joined) for s in change.seats] == [("A-CHN", ("a",), ("b",))]
    assert change.counts_before == change.counts_after


def test_same_round_has_no_changes() -> None:
    result = run_round(county(80.0))
    change = compare(result, run_round(county(80.0)))
    assert change.same_scenario
    assert change.changed == ()
    assert change.seats == ()


def test_what_if_policy_and_frame() -> None:
    base = run_round(county(80.0))
    what_if = run_round(county(80.0), policy=Policy(rounds=Policy().rounds[:1]))
    change = compare(base, what_if)
    assert not change.same_policy
    assert change.placed_per_round_after == {"in_school": 1}
    frame = compare(run_round(county(80.0)), run_round(county(88.0))).to_frame()
    assert list(frame["teacher"]) == ["a", "b"]


def test_metrics_before_and_after_when_scenarios_are_given() -> None:
    low, high = county(80.0), county(88.0)
    published = run_round(low)
    corrected = run_round(high, policy=published.policy, seed=published.seed)
    change = compare(published, corrected, scenarios=(low, high))
    assert change.metrics_before is not None and change.metrics_after is not None
    assert change.metrics_before.waiting == change.metrics_after.waiting == 1
    assert [r.indicator for r in change.metrics_after.balance] == [
        r.indicator for r in change.metrics_before.balance
    ]
    assert compare(published, corrected).metrics_before is None
