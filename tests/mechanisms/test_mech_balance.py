"""Balance goals and targets on markets (R12, R16, R17), checked against brute force.

The balanced mechanism must return, among the largest weakly stable matchings, one
at least as good as the plain optimum on every goal and lexicographically best; the
targeted mechanism must meet every feasible target with the fewest justified-envy
pairs that any matching meeting them has. Brute force enumerates every matching of
tiny markets (tests/mechanisms/mech_support.py), sharing no code with the library.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.round.mechanisms import (
    UNMATCHED,
    Market,
    MarketError,
    Target,
    check_matching,
    fewest_envy,
    max_weakly_stable,
)
from kgxp.round.mechanisms.lexicographic import _LIMIT, Goal, _groups
from kgxp.round.mechanisms.optimal import goal_value
from tests.mechanisms.mech_support import (
    all_matchings,
    brute_blocking,
    markets,
    rank_sum,
    size,
    stable_matchings,
)


def weights_for(market: Market, draw: st.DrawFn) -> list[list[int]]:
    return [
        draw(st.lists(st.integers(0, 2), min_size=len(p), max_size=len(p)))
        for p in market.preferences
    ]


def value(market: Market, weights: Sequence[Sequence[int]], assignment: Sequence[int]) -> int:
    return sum(
        weights[c][market.preferences[c].index(p)]
        for c, p in enumerate(assignment)
        if p != UNMATCHED
    )


@st.composite
def balanced_cases(draw: st.DrawFn) -> tuple[Market, list[list[list[int]]]]:
    market = draw(markets(max_candidates=6, max_posts=3, max_len=3))
    goals = [weights_for(market, draw) for _ in range(draw(st.integers(1, 2)))]
    return market, goals


@settings(max_examples=40)
@given(balanced_cases())
def test_balanced_is_the_best_largest_weakly_stable_matching(
    case: tuple[Market, list[list[list[int]]]],
) -> None:
    market, goals = case
    plain = max_weakly_stable(market, seed=0)
    found = max_weakly_stable(market, seed=0, goals=goals)
    assignment = found.matching.assignment
    assert check_matching(market, found.matching) == []
    assert not brute_blocking(market, assignment, strict=False)  # I7: weakly stable
    assert size(assignment) == size(plain.matching.assignment)
    # Never worse than the plain optimum on any goal (the "free" balance).
    for goal in goals:
        assert goal_value(goal, found.matching) >= goal_value(goal, plain.matching)
    # Lexicographically best among the largest weakly stable matchings that are at
    # least as good as the plain optimum on every goal: goals in order, then ranks.
    floor = [value(market, g, plain.matching.assignment) for g in goals]
    largest = size(assignment)
    admissible = [
        a
        for a in stable_matchings(market, strict=False)
        if size(a) == largest
        and all(value(market, g, a) >= f for g, f in zip(goals, floor, strict=True))
    ]

    def key(a: Sequence[int]) -> tuple[int, ...]:
        return (*(value(market, g, a) for g in goals), -rank_sum(market, a))

    assert key(assignment) == max(key(a) for a in admissible)
    assert found.goal_values == tuple(goal_value(g, found.matching) for g in goals)


def test_goal_weights_must_fit_the_market() -> None:
    market = Market.build([1], [[0]], [[0]], [0])
    with pytest.raises(MarketError, match="goals"):
        max_weakly_stable(market, goals=[[[1, 1]]])
    with pytest.raises(MarketError, match="negative"):
        max_weakly_stable(market, goals=[[[-1]]])


@st.composite
def targeted_cases(draw: st.DrawFn) -> tuple[Market, list[Target]]:
    market = draw(markets(max_candidates=5, max_posts=3, max_len=3))
    targets = [
        Target(f"t{i}", weights_for(market, draw), draw(st.integers(0, 4)))
        for i in range(draw(st.integers(1, 2)))
    ]
    return market, targets


@settings(max_examples=40)
@given(targeted_cases())
def test_targets_are_met_with_the_fewest_envy_pairs(case: tuple[Market, list[Target]]) -> None:
    market, targets = case
    found = fewest_envy(market, targets)
    assignment = found.matching.assignment
    assert check_matching(market, found.matching) == []
    envy = brute_blocking(market, assignment, strict=False)
    assert {(p.candidate, p.post, p.reason) for p in found.envy} == envy
    # Feasibility as brute force sees it, target by target in order.
    everything = list(all_matchings(market))
    kept: list[Target] = []
    for target, check in zip(targets, found.targets, strict=True):
        pool = [
            a for a in everything if all(value(market, k.weights, a) >= k.minimum for k in kept)
        ]
        best = max(value(market, target.weights, a) for a in pool)
        assert check.feasible == (best >= target.minimum)
        if check.feasible:
            kept.append(target)
            assert value(market, target.weights, assignment) >= target.minimum
        elif target.minimum:
            assert check.best_possible == best
    meeting = [a for a in everything if all(value(market, k.weights, a) >= k.minimum for k in kept)]
    fewest = min(len(brute_blocking(market, a, strict=False)) for a in meeting)
    assert len(envy) == fewest
    if not any(t.minimum for t in kept):
        assert envy == set()  # no target to pay for: weakly stable


def test_an_unreachable_target_is_reported_not_raised() -> None:
    # One seat; nobody applies with weight: the target of 1 cannot be met.
    market = Market.build([1], [[0], [0]], [[0], [1]], [0, 1])
    found = fewest_envy(market, [Target("none", [[0], [0]], 1)])
    (check,) = found.targets
    assert (check.feasible, check.best_possible, check.reached) == (False, 0, 0)
    assert found.envy == ()
    assert found.matching.assignment == (0, UNMATCHED)


def test_lexicographic_groups_split_before_overflow() -> None:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_bool_var("") for _ in range(4)]
    huge = Goal(xs, [2**40] * 4)
    small = Goal(xs, [1] * 4)
    assert len(_groups([small, small])) == 1  # folded into one weighted sum
    groups = _groups([huge, huge, small])
    assert len(groups) == 2
    for group in groups:
        assert sum(weight * goal.span for goal, weight in group) < _LIMIT


# --- the MSDA baseline (Fragiadakis et al. 2016, kgxp's reading) -----------------------


@st.composite
def full_list_cases(draw: st.DrawFn) -> tuple[Market, list[int]]:
    """The paper's setting: every candidate accepts every post, minimums within reach."""
    n_posts = draw(st.integers(1, 4))
    capacities = draw(st.lists(st.integers(1, 3), min_size=n_posts, max_size=n_posts))
    minimums = [draw(st.integers(0, cap)) for cap in capacities]
    n = draw(st.integers(sum(minimums), sum(minimums) + 4))
    preferences = [list(draw(st.permutations(range(n_posts)))) for _ in range(n)]
    classes = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    priority = [[g] * n_posts for g in classes]
    market = Market.build(capacities, preferences, priority, draw(st.permutations(range(n))))
    return market, minimums


@settings(max_examples=40)
@given(full_list_cases())
def test_msda_meets_minimums_when_everyone_accepts_every_post(
    case: tuple[Market, list[int]],
) -> None:
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    market, minimums = case
    found = multi_stage_deferred_acceptance(market, minimums)
    assert check_matching(market, found) == []
    held = [len(found.holders(p)) for p in range(market.n_posts)]
    assert all(h >= m for h, m in zip(held, minimums, strict=True)), (held, minimums)


@settings(max_examples=30)
@given(markets(max_candidates=6, max_posts=3))
def test_msda_without_minimums_is_deferred_acceptance(market: Market) -> None:
    from kgxp.round.mechanisms import deferred_acceptance
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    found = multi_stage_deferred_acceptance(market, [0] * market.n_posts)
    assert found == deferred_acceptance(market)


def test_msda_rejects_minimums_that_do_not_fit() -> None:
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    market = Market.build([1], [[0]], [[0]], [0])
    with pytest.raises(MarketError, match="minimum quotas"):
        multi_stage_deferred_acceptance(market, [2])
    with pytest.raises(MarketError, match="minimum quotas"):
        multi_stage_deferred_acceptance(market, [0, 0])


def test_msda_reserves_the_lowest_on_the_precedence_list() -> None:
    """The paper's stage rule, solved by hand (full lists, the paper's setting).

    Posts 0, 1, 2 with 1, 2, 1 seats; post 0 has a minimum of 1. Candidate 0 is
    first on the precedence list and ranks 2 > 1 > 0; candidate 1 ranks 1 > 2 > 0.
    Stage 1 reserves one candidate for the minimum, the lowest: candidate 1.
    Candidate 0 takes post 2. Stage 2 releases no one, so candidate 1 fills post 0's
    minimum: (2, 0). kgxp's first reading (one post fixed per stage, posts without a
    minimum first, under a common slack cap) gave (0, 1): it pushed the first
    candidate, not the reserved one, into the minimum.
    """
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    market = Market.build([1, 2, 1], [[2, 1, 0], [1, 2, 0]], [[0, 0, 0], [0, 0, 0]], [0, 1])
    assert multi_stage_deferred_acceptance(market, [1, 0, 0]).assignment == (2, 0)


def test_msda_fills_minimums_before_leftovers_take_free_seats() -> None:
    """Short lists (kgxp's setting): the reserve fills the minimums first; a reserved
    candidate no minimum seat was kept for then takes a free seat, not nothing.

    Posts 0, 1, 2, one seat each, minimums 0, 1, 1 (post 1 has no applicants).
    Both candidates applied for post 2, candidate 1 also for post 0. Two minimum
    seats are open, so both are reserved; the final stage gives post 2 to candidate
    0 (first on the list), and candidate 1, rejected there, takes post 0.
    """
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    market = Market.build([1, 1, 1], [[2], [2, 0]], [[0], [0, 0]], [0, 1])
    assert multi_stage_deferred_acceptance(market, [0, 1, 1]).assignment == (2, 0)
