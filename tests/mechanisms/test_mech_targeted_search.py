"""The targeted model's search shortcuts change no optimum (issue 20, checked by brute force).

Two shortcuts make the fewest-envy model faster at 10,000 teachers: its goals are
folded into one weighted objective using each goal's range over matchings (one
application per candidate), not the sum of every weight; and a later run starts
from an earlier run's answer (``warm``), told that the fewest envy pairs are at
most that answer's. Both must leave the whole lexicographic optimum — fewest
envy pairs, then most placed, then each goal, then the smallest rank sum — as
brute force finds it on tiny markets (tests/mechanisms/mech_support.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.round.mechanisms import (
    UNMATCHED,
    Market,
    Target,
    check_matching,
    deferred_acceptance,
    fewest_envy,
)
from kgxp.round.mechanisms.lexicographic import _LIMIT, Goal, _groups
from tests.mechanisms.mech_support import all_matchings, brute_blocking, markets, rank_sum, size

Case = tuple[Market, Target, list[list[list[int]]]]


def _value(market: Market, weights: Sequence[Sequence[int]], assignment: Sequence[int]) -> int:
    return sum(
        weights[c][market.preferences[c].index(p)]
        for c, p in enumerate(assignment)
        if p != UNMATCHED
    )


def _weights(market: Market, draw: st.DrawFn, high: int) -> list[list[int]]:
    return [
        draw(st.lists(st.integers(0, high), min_size=len(p), max_size=len(p)))
        for p in market.preferences
    ]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    market = draw(markets(max_candidates=5, max_posts=3, max_len=3))
    target = Target("t", _weights(market, draw, 1), draw(st.integers(1, 3)))
    goals = [_weights(market, draw, 3) for _ in range(draw(st.integers(0, 2)))]
    return market, target, goals


def _best_key(market: Market, target: Target, goals: list[list[list[int]]]) -> tuple[int, ...]:
    """Brute force: the lexicographic optimum over matchings meeting the target."""
    meeting = [
        a for a in all_matchings(market) if _value(market, target.weights, a) >= target.minimum
    ]
    return max(_key(market, goals, a) for a in meeting)


def _key(market: Market, goals: list[list[list[int]]], a: Sequence[int]) -> tuple[int, ...]:
    envy = len(brute_blocking(market, a, strict=False))
    return (-envy, size(a), *(_value(market, g, a) for g in goals), -rank_sum(market, a))


def _reachable(market: Market, target: Target) -> bool:
    return any(_value(market, target.weights, a) >= target.minimum for a in all_matchings(market))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_the_folded_objective_is_the_lexicographic_optimum(case: Case) -> None:
    market, target, goals = case
    found = fewest_envy(market, [target], goals=goals)
    assignment = found.matching.assignment
    assert check_matching(market, found.matching) == []
    if _reachable(market, target):
        assert found.status == "optimal"
        assert _key(market, goals, assignment) == _best_key(market, target, goals)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_a_warm_start_changes_no_optimum(case: Case) -> None:
    market, target, goals = case
    higher = Target(target.name, target.weights, target.minimum + 1)
    starts = [
        fewest_envy(market, [higher], goals=goals).matching,  # meets the lower target
        deferred_acceptance(market),  # meets it or not: used only if it does
    ]
    for start in starts:
        found = fewest_envy(market, [target], goals=goals, warm=start)
        assert check_matching(market, found.matching) == []
        if _reachable(market, target):
            assert found.status == "optimal"
            key = _key(market, goals, found.matching.assignment)
            assert key == _best_key(market, target, goals)


def test_stated_ranges_fold_goals_that_would_otherwise_split() -> None:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_bool_var("") for _ in range(64)]
    # Sixty-four applications of weight 2**14: summed, 2**20, but if they belong to
    # two candidates (one application each) the goal ranges over at most 2**15.
    wide = Goal(xs, [2**14] * 64)
    narrow = Goal(xs, [2**14] * 64, bound=2**15)
    assert len(_groups([wide, wide, wide])) == 2
    groups = _groups([narrow, narrow, narrow])
    assert len(groups) == 1
    (group,) = groups
    # Each weight exceeds the stated range of everything after it: an exact fold.
    for i, (_, weight) in enumerate(group):
        assert weight > sum(w * g.span for g, w in group[i + 1 :])
    # What CP-SAT bounds is the activity, the sum of every term's magnitude.
    assert sum(w * g.activity for g, w in group) < _LIMIT
