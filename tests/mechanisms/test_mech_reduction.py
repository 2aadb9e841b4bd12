"""Preprocessing only draws conclusions every weakly stable matching obeys."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings

from kgxp.round.mechanisms import UNMATCHED, Market, Reduction, deferred_acceptance, reduce_market
from tests.mechanisms.mech_support import markets, stable_matchings


def assert_respects(market: Market, red: Reduction, assignment: Sequence[int]) -> None:
    for c, p in enumerate(assignment):
        start = red.offsets[c]
        if p == UNMATCHED:
            assert not red.forced[c], f"candidate {c} is forced but unmatched"
            continue
        a = start + market.preferences[c].index(p)
        assert red.alive[a], f"candidate {c} holds post {p} through a dropped application"
        if red.forced[c]:
            assert a <= red.last[c]
        if red.certain[c]:
            assert a == red.last[c]


@settings(max_examples=120, deadline=None)
@given(
    markets(max_candidates=6, max_posts=4, max_len=3, max_capacity=2, n_classes=2)
    | markets(max_candidates=6, max_posts=3, max_len=3, n_classes=2, post_specific=True)
)
def test_every_weakly_stable_matching_survives_preprocessing(market: Market) -> None:
    red = reduce_market(market)
    for assignment in stable_matchings(market, strict=False):
        assert_respects(market, red, assignment)
    certain_at = [0] * market.n_posts
    for c in range(market.n_candidates):
        if red.certain[c]:
            certain_at[market.preferences[c][red.last[c] - red.offsets[c]]] += 1
    assert certain_at == red.certain_at


def test_deferred_acceptance_survives_preprocessing_at_scale() -> None:
    rng = random.Random(1)
    n, n_posts, choices = 3000, 400, 6
    capacities = [rng.randint(1, 12) for _ in range(n_posts)]
    preferences = [rng.sample(range(n_posts), choices) for _ in range(n)]
    priority = [[rng.randint(0, 9)] * choices for _ in range(n)]
    market = Market.build(capacities, preferences, priority, rng.sample(range(n), n))
    red = reduce_market(market)
    assert_respects(market, red, deferred_acceptance(market).assignment)
    assert sum(red.certain) > 0


def test_uncontested_first_choices_are_certain() -> None:
    # Post 0 has room for both of its applicants, so both hold it for sure;
    # that fills it, so candidate 2 (worse class) cannot, and must take post 1.
    market = Market.build(
        capacities=[2, 1],
        preferences=[[0], [0, 1], [0, 1]],
        priority=[[0], [0, 0], [1, 1]],
        tiebreak=[0, 1, 2],
    )
    red = reduce_market(market)
    assert list(red.certain) == [1, 1, 1]
    assert [red.last[c] - red.offsets[c] for c in range(3)] == [0, 0, 1]
    assert red.certain_at == [2, 1]
