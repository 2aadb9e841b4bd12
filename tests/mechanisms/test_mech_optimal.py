"""Maximum weakly stable matching: exact on tiny markets, never worse than DA."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings

from kgxp.round.mechanisms import (
    UNMATCHED,
    Market,
    MarketError,
    Matching,
    OptimalResult,
    blocking_pairs,
    check_matching,
    deferred_acceptance,
    max_weakly_stable,
)
from tests.mechanisms.mech_support import markets, rank_sum, size, stable_matchings


def assert_valid(market: Market, result: OptimalResult) -> None:
    assert check_matching(market, result.matching) == []
    assert blocking_pairs(market, result.matching, strict=False) == []
    assert result.objective == result.matching.size
    assert result.rank_sum == result.matching.rank_sum
    assert result.objective <= result.bound


def tie_market() -> Market:
    # Candidates 0 and 1 tie at post 0; the lottery favours 1, who also
    # accepts post 1. DA seats 1 at post 0 and leaves 0 and post 1 empty;
    # seating 0 at post 0 and 1 at post 1 is weakly stable and matches both.
    return Market.build(
        capacities=[1, 1],
        preferences=[[0], [0, 1]],
        priority=[[5], [5, 5]],
        tiebreak=[1, 0],
    )


def test_ties_let_optimal_match_more_than_da() -> None:
    market = tie_market()
    assert deferred_acceptance(market).assignment == (UNMATCHED, 0)
    result = max_weakly_stable(market)
    assert result.matching.assignment == (0, 1)
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.size_proven
    assert not result.timed_out
    assert (result.objective, result.bound, result.rank_sum) == (2, 2, 1)
    assert result.components >= 1  # the solver, not preprocessing, decided it
    assert_valid(market, result)


def test_larger_instance_where_optimal_beats_da() -> None:
    # Three copies of the tie gadget sharing nothing, plus a better-class
    # candidate who takes a seat for sure.
    market = Market.build(
        capacities=[1, 1, 1, 1, 1, 1, 1],
        preferences=[[0], [0, 1], [2], [2, 3], [4], [4, 5], [6, 0]],
        priority=[[5], [5, 5], [5], [5, 5], [5], [5, 5], [0, 0]],
        tiebreak=[1, 0, 3, 2, 5, 4, 6],
    )
    da = deferred_acceptance(market)
    result = max_weakly_stable(market)
    assert da.size == 4
    assert result.objective == 7
    assert result.status == "optimal"
    assert_valid(market, result)


def test_strict_market_returns_deferred_acceptance() -> None:
    market = Market.build(
        capacities=[1, 1],
        preferences=[[0, 1], [0, 1], [0]],
        priority=[[0, 1], [1, 0], [2]],
        tiebreak=[0, 1, 2],
    )
    result = max_weakly_stable(market)
    assert result.matching == deferred_acceptance(market)
    assert result.status == "optimal"
    assert result.deterministic_time == 0.0


def test_empty_market() -> None:
    result = max_weakly_stable(Market.build([], [], [], []))
    assert result.matching.assignment == ()
    assert result.status == "optimal"


def test_hint_is_used_and_checked() -> None:
    market = tie_market()
    good = Matching.of(market, [UNMATCHED, 0])
    assert max_weakly_stable(market, hint=good).matching.assignment == (0, 1)
    with pytest.raises(MarketError) as caught:
        max_weakly_stable(market, hint=Matching.of(market, [UNMATCHED, 1]))
    assert caught.value.problems == (
        "candidate 0 and post 0 block the hint (free_seat)",
        "candidate 1 and post 0 block the hint (free_seat)",
    )
    with pytest.raises(MarketError):
        max_weakly_stable(market, hint=Matching.of(market, [1, 0]))  # 1 is not on 0's list


def random_tied_market(
    seed: int, n: int, n_posts: int, choices: int, max_capacity: int = 3
) -> Market:
    rng = random.Random(seed)
    capacities = [rng.randint(1, max_capacity) for _ in range(n_posts)]
    preferences = [rng.sample(range(n_posts), choices) for _ in range(n)]
    scores = [rng.randint(0, 3) for _ in range(n)]
    priority = [[s] * choices for s in scores]
    tiebreak = rng.sample(range(n), n)
    return Market.build(capacities, preferences, priority, tiebreak)


def test_zero_time_limit_still_returns_a_weakly_stable_matching() -> None:
    market = random_tied_market(seed=7, n=400, n_posts=60, choices=5)
    result = max_weakly_stable(market, time_limit=0.0)
    assert result.status in {"fallback", "feasible"}
    assert result.timed_out
    assert not result.proven_optimal
    assert result.objective >= deferred_acceptance(market).size
    assert_valid(market, result)


def test_same_market_same_result() -> None:
    market = random_tied_market(seed=3, n=600, n_posts=80, choices=6)
    first = max_weakly_stable(market, seed=11)
    second = max_weakly_stable(market, seed=11)
    assert first.matching == second.matching
    assert first.matching.ranks == second.matching.ranks
    assert (first.status, first.objective, first.bound, first.rank_sum) == (
        second.status,
        second.objective,
        second.bound,
        second.rank_sum,
    )
    assert first.deterministic_time == second.deterministic_time
    assert_valid(market, first)


def test_medium_tied_market_is_solved_to_optimality() -> None:
    market = random_tied_market(seed=6, n=1500, n_posts=200, choices=6, max_capacity=14)
    result = max_weakly_stable(market)
    assert result.status == "optimal"
    assert result.objective == result.bound
    assert result.objective > deferred_acceptance(market).size
    assert result.decided > 0
    assert_valid(market, result)


def test_preprocessing_changes_nothing_on_a_small_tied_market() -> None:
    market = random_tied_market(seed=9, n=120, n_posts=20, choices=4)
    with_rules = max_weakly_stable(market)
    model_only = max_weakly_stable(market, preprocess=False)
    assert with_rules.status == model_only.status == "optimal"
    assert (with_rules.objective, with_rules.rank_sum) == (
        model_only.objective,
        model_only.rank_sum,
    )
    assert_valid(market, model_only)


TINY_TIED = (
    markets(max_candidates=6, max_posts=4, max_len=3, max_capacity=1, n_classes=1)
    | markets(max_candidates=6, max_posts=4, max_len=3, max_capacity=2, n_classes=2)
    | markets(max_candidates=6, max_posts=3, max_len=3, n_classes=2, post_specific=True)
)


@settings(max_examples=150, deadline=None)
@given(TINY_TIED)
def test_exact_on_tiny_tied_markets(market: Market) -> None:
    weakly_stable = stable_matchings(market, strict=False)
    best = max(size(a) for a in weakly_stable)
    least = min(rank_sum(market, a) for a in weakly_stable if size(a) == best)
    # With preprocessing (the default), and with the model alone.
    for preprocess in (True, False):
        result = max_weakly_stable(market, preprocess=preprocess)
        assert_valid(market, result)
        assert result.status == "optimal"
        assert result.objective == best == result.bound
        # Lexicographic: among the largest, the smallest rank sum.
        assert result.rank_sum == least


@settings(max_examples=40, deadline=None)
@given(markets(max_candidates=40, max_posts=10, max_len=5, max_capacity=4, n_classes=3))
def test_never_worse_than_da_on_random_tied_markets(market: Market) -> None:
    result = max_weakly_stable(market)
    assert_valid(market, result)
    assert result.status == "optimal"
    assert result.objective >= deferred_acceptance(market).size
