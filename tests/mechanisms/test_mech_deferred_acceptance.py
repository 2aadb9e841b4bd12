"""Deferred acceptance: worked examples, stability, optimality, and a differential test."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from matching.games import HospitalResident

from kgxp.round.mechanisms import (
    UNMATCHED,
    Market,
    blocking_pairs,
    check_matching,
    deferred_acceptance,
)
from tests.mechanisms.mech_support import (
    brute_blocking,
    markets,
    rank,
    stable_matchings,
    strict_markets,
)


def test_worked_example_with_eviction_capacity_two_and_unmatched() -> None:
    # Post 0 has two seats, post 1 one. Candidate 0 first holds post 1 and
    # is evicted by candidate 1 (better class), then falls to post 0.
    # Candidate 3, the worst class, loses at both posts.
    market = Market.build(
        capacities=[2, 1],
        preferences=[[1, 0], [1, 0], [0], [0, 1]],
        priority=[[2, 2], [1, 1], [0], [3, 3]],
        tiebreak=[0, 1, 2, 3],
    )
    result = deferred_acceptance(market)
    assert result.assignment == (0, 1, 0, UNMATCHED)
    assert result.ranks == (1, 0, 0, UNMATCHED)
    assert result.by_post == ((0, 2), (1,))
    assert result.size == 3


def test_tiebreak_decides_equal_classes() -> None:
    market = Market.build([1], [[0], [0]], [[5], [5]], tiebreak=[7, 3])
    assert deferred_acceptance(market).assignment == (UNMATCHED, 0)


def test_class_beats_tiebreak() -> None:
    market = Market.build([1], [[0], [0]], [[4], [5]], tiebreak=[7, 3])
    assert deferred_acceptance(market).assignment == (0, UNMATCHED)


def test_chain_of_evictions() -> None:
    # Candidate 2 evicts 1 from post 0; 1 evicts 0 from post 1; 0 ends at post 2.
    market = Market.build(
        capacities=[1, 1, 1],
        preferences=[[1, 2], [0, 1], [0]],
        priority=[[2, 2], [1, 1], [0]],
        tiebreak=[0, 1, 2],
    )
    assert deferred_acceptance(market).assignment == (2, 1, 0)


def test_candidates_get_their_optimal_stable_post() -> None:
    # Each post prefers the candidate who prefers the other post: two stable
    # matchings exist, and candidate-proposing DA picks the candidates' one.
    market = Market.build(
        capacities=[1, 1],
        preferences=[[0, 1], [1, 0]],
        priority=[[1, 0], [1, 0]],
        tiebreak=[0, 1],
    )
    assert deferred_acceptance(market).assignment == (0, 1)


def test_zero_capacity_post_and_empty_list() -> None:
    market = Market.build([0, 1], [[0, 1], []], [[0, 0], []], [0, 1])
    assert deferred_acceptance(market).assignment == (1, UNMATCHED)


def test_empty_market() -> None:
    assert deferred_acceptance(Market.build([], [], [], [])).assignment == ()


@settings(max_examples=150, deadline=None)
@given(markets(max_candidates=30, max_posts=10, max_len=6, max_capacity=3, n_classes=4))
def test_da_is_feasible_and_strictly_stable(market: Market) -> None:
    result = deferred_acceptance(market)
    assert check_matching(market, result) == []
    assert blocking_pairs(market, result, strict=True) == []
    assert brute_blocking(market, result.assignment, strict=True) == set()
    # Refining the classes by the tiebreak keeps weak stability.
    assert blocking_pairs(market, result, strict=False) == []


@settings(max_examples=100, deadline=None)
@given(
    markets(max_candidates=5, max_posts=3, max_len=3, max_capacity=2, n_classes=3)
    | markets(max_candidates=5, max_posts=3, max_len=3, n_classes=3, post_specific=True)
)
def test_da_is_candidate_optimal(market: Market) -> None:
    result = deferred_acceptance(market).assignment
    stable = stable_matchings(market, strict=True)
    assert result in stable
    for other in stable:
        for c in range(market.n_candidates):
            assert rank(market, result, c) <= rank(market, other, c)


def resident_optimal_from_matching_package(market: Market) -> tuple[int, ...]:
    """The `matching` package's resident-optimal HR solution, as an assignment."""
    applicants: list[list[tuple[int, int]]] = [[] for _ in range(market.n_posts)]
    for c, (prefs, classes) in enumerate(zip(market.preferences, market.priority, strict=True)):
        for p, g in zip(prefs, classes, strict=True):
            applicants[p].append((g, c))
    posts = [p for p in range(market.n_posts) if applicants[p]]
    resident_prefs = {c: list(prefs) for c, prefs in enumerate(market.preferences) if prefs}
    hospital_prefs = {p: [c for _, c in sorted(applicants[p])] for p in posts}
    capacities = {p: market.capacities[p] for p in posts}
    with warnings.catch_warnings():
        # The game warns about malformed input; ours must never be.
        warnings.simplefilter("error")
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        solution = game.solve(optimal="resident")
    assignment = [UNMATCHED] * market.n_candidates
    for hospital, residents in solution.items():
        for resident in residents:
            assignment[resident.name] = hospital.name
    return tuple(assignment)


@settings(max_examples=60, deadline=None)
@given(strict_markets(max_candidates=30, max_posts=10, max_len=5))
def test_da_equals_matching_package_on_strict_markets(market: Market) -> None:
    assert market.is_strict()
    expected = resident_optimal_from_matching_package(market)
    assert deferred_acceptance(market).assignment == expected
