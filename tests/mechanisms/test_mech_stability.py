"""Feasibility and blocking-pair checks catch what they should, exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.round.mechanisms import (
    UNMATCHED,
    BlockingPair,
    Market,
    Matching,
    blocking_pairs,
    check_matching,
    deferred_acceptance,
)
from tests.mechanisms.mech_support import brute_blocking, markets


def school_market() -> Market:
    # Post 0 (2 seats) and post 1 (1 seat), master list: 2 best, then 1, 0, 3.
    return Market.build(
        capacities=[2, 1],
        preferences=[[1, 0], [1, 0], [0], [0, 1]],
        priority=[[2, 2], [1, 1], [0], [3, 3]],
        tiebreak=[0, 1, 2, 3],
    )


def test_stable_matching_has_no_problems() -> None:
    market = school_market()
    stable = deferred_acceptance(market)
    assert stable.assignment == (0, 1, 0, UNMATCHED)
    assert check_matching(market, stable) == []
    assert blocking_pairs(market, stable, strict=True) == []
    assert blocking_pairs(market, stable, strict=False) == []


def test_moving_a_candidate_down_leaves_a_free_seat() -> None:
    market = Market.build(
        capacities=[2, 2],
        preferences=[[0, 1], [0, 1], [1]],
        priority=[[0, 0], [1, 1], [2]],
        tiebreak=[0, 1, 2],
    )
    stable = deferred_acceptance(market)
    assert stable.assignment == (0, 0, 1)
    worse = Matching.of(market, [0, 1, 1])  # candidate 1 moved to their second choice
    assert check_matching(market, worse) == []
    assert blocking_pairs(market, worse, strict=False) == [BlockingPair(1, 0, "free_seat")]
    assert blocking_pairs(market, worse, strict=True) == [BlockingPair(1, 0, "free_seat")]


def test_replacing_a_holder_by_a_lower_priority_candidate() -> None:
    market = school_market()
    # Candidate 3 (class 3) takes the seat of candidate 2 (class 0) at post 0.
    swapped = Matching.of(market, [0, 1, UNMATCHED, 0])
    assert check_matching(market, swapped) == []
    assert blocking_pairs(market, swapped, strict=False) == [
        BlockingPair(2, 0, "outranks_holder", holder=3)
    ]
    assert blocking_pairs(market, swapped, strict=True) == [
        BlockingPair(2, 0, "outranks_holder", holder=3)
    ]


def test_overfilled_post_and_unlisted_post_are_reported() -> None:
    market = school_market()
    overfull = Matching.of(market, [0, 0, 0, 1])
    assert check_matching(market, overfull) == ["post 0 holds 3 candidates but has 2 seats"]
    unlisted = Matching.of(market, [0, 1, 1, UNMATCHED])
    assert check_matching(market, unlisted) == [
        "candidate 2 is assigned to post 1, which is not on their preference list",
        "post 1 holds 2 candidates but has 1 seats",
    ]


def test_ties_block_strictly_but_not_weakly() -> None:
    # Two candidates in the same class want the single seat; the tiebreak
    # favours candidate 1, but giving it to candidate 0 is still fair.
    market = Market.build([1], [[0], [0]], [[5], [5]], tiebreak=[1, 0])
    lottery_loser_wins = Matching.of(market, [0, UNMATCHED])
    assert blocking_pairs(market, lottery_loser_wins, strict=False) == []
    assert blocking_pairs(market, lottery_loser_wins, strict=True) == [
        BlockingPair(1, 0, "outranks_holder", holder=0)
    ]


def test_post_specific_classes_are_used() -> None:
    # Post 0 ranks candidate 1 first, post 1 ranks candidate 0 first.
    market = Market.build(
        capacities=[1, 1],
        preferences=[[0, 1], [0, 1]],
        priority=[[1, 0], [0, 1]],
        tiebreak=[0, 1],
    )
    wrong = Matching.of(market, [0, 1])
    assert blocking_pairs(market, wrong, strict=False) == [
        BlockingPair(1, 0, "outranks_holder", holder=0)
    ]
    assert blocking_pairs(market, Matching.of(market, [1, 0]), strict=False) == []


@st.composite
def market_and_matching(draw: st.DrawFn) -> tuple[Market, Matching]:
    market = draw(markets(max_candidates=10, max_posts=4, max_len=3, n_classes=3))
    # Any assignment to listed posts; capacity may be exceeded on purpose.
    assignment = [draw(st.sampled_from([UNMATCHED, *prefs])) for prefs in market.preferences]
    return market, Matching.of(market, assignment)


@settings(max_examples=200, deadline=None)
@given(market_and_matching(), st.booleans())
def test_blocking_pairs_match_the_definition(case: tuple[Market, Matching], strict: bool) -> None:
    market, matching = case
    found = blocking_pairs(market, matching, strict=strict)
    assert {(b.candidate, b.post, b.reason) for b in found} == brute_blocking(
        market, matching.assignment, strict=strict
    )
    assert len(found) == len({(b.candidate, b.post) for b in found})
    for pair in found:
        if pair.reason == "outranks_holder":
            assert pair.holder is not None
            assert matching.assignment[pair.holder] == pair.post
        else:
            assert pair.holder is None
