"""Market validation and the Matching value type."""

from __future__ import annotations

import pytest

from kgxp.round.mechanisms import UNMATCHED, Market, MarketError, Matching


def small_market() -> Market:
    return Market.build(
        capacities=[2, 1],
        preferences=[[1, 0], [1, 0], [0], [0, 1]],
        priority=[[2, 2], [1, 1], [0], [3, 3]],
        tiebreak=[0, 1, 2, 3],
    )


def test_build_converts_sequences_to_tuples() -> None:
    market = Market.build(
        capacities=range(2), preferences=[[0, 1]], priority=[(5, 6)], tiebreak=[9]
    )
    assert market.capacities == (0, 1)
    assert market.preferences == ((0, 1),)
    assert market.priority == ((5, 6),)
    assert market.tiebreak == (9,)
    assert market.n_candidates == 1
    assert market.n_posts == 2


def test_empty_market_is_valid() -> None:
    market = Market.build([], [], [], [])
    assert market.n_candidates == 0
    assert market.n_posts == 0


def test_market_error_lists_every_problem_at_once() -> None:
    with pytest.raises(MarketError) as caught:
        Market.build(
            capacities=[1, -2],
            preferences=[[0, 5], [1, 1], [0]],
            priority=[[0, 0], [0]],
            tiebreak=[4, 4],
        )
    problems = caught.value.problems
    assert problems == (
        "capacities[1] is -2; a capacity cannot be negative",
        "priority has 2 rows but there are 3 candidates",
        "tiebreak has 2 entries but there are 3 candidates",
        "preferences[0][1] is 5, not a post index in [0, 2)",
        "preferences[1][1] repeats post 1",
        "priority[1] has 1 entries but preferences[1] has 2",
        "tiebreak[1] is 4, the same as tiebreak[0]; tiebreak ranks must be distinct",
    )
    assert isinstance(caught.value, ValueError)
    assert "invalid market: 7 problems" in str(caught.value)


def test_negative_post_index_is_reported() -> None:
    with pytest.raises(MarketError) as caught:
        Market.build([1], [[-1]], [[0]], [0])
    assert caught.value.problems == ("preferences[0][0] is -1, not a post index in [0, 1)",)


def test_is_strict() -> None:
    assert small_market().is_strict()  # every post sees distinct classes
    tied = Market.build([1], [[0], [0]], [[3], [3]], [0, 1])
    assert not tied.is_strict()
    tied_at_one = Market.build([1, 1], [[0, 1], [1, 0]], [[3, 3], [4, 3]], [0, 1])
    assert not tied_at_one.is_strict()  # both candidates are in class 3 at post 0
    distinct = Market.build([1, 1], [[0, 1], [1, 0]], [[3, 4], [5, 2]], [0, 1])
    assert distinct.is_strict()


def test_matching_helpers() -> None:
    market = small_market()
    matching = Matching.of(market, [0, 1, 0, UNMATCHED])
    assert matching.size == 3
    assert matching.holders(0) == (0, 2)
    assert matching.holders(1) == (1,)
    assert matching.by_post == ((0, 2), (1,))
    assert matching.rank_of(0) == 1
    assert matching.rank_of(1) == 0
    assert matching.rank_of(3) is None
    assert matching.post_of(3) is None
    assert matching.post_of(2) == 0
    assert matching.rank_sum == 1


def test_matching_equality_is_by_assignment() -> None:
    market = small_market()
    assert Matching.of(market, [0, 1, 0, -1]) == Matching.of(market, (0, 1, 0, -1))
    assert hash(Matching.of(market, [0, 1, 0, -1])) == hash(Matching.of(market, [0, 1, 0, -1]))
    assert Matching.of(market, [0, 1, 0, -1]) != Matching.of(market, [0, 1, -1, -1])


def test_matching_off_list_post_has_no_rank() -> None:
    market = small_market()
    matching = Matching.of(market, [0, 1, 1, UNMATCHED])  # candidate 2 never asked for 1
    assert matching.rank_of(2) is None
    assert matching.holders(1) == (1, 2)


def test_matching_that_does_not_fit_is_rejected_with_all_problems() -> None:
    market = small_market()
    with pytest.raises(MarketError) as caught:
        Matching.of(market, [0, 7, -3])
    assert caught.value.problems == (
        "assignment has 3 entries but the market has 4 candidates",
        "assignment[1] is 7, neither a post index in [0, 2) nor -1",
        "assignment[2] is -3, neither a post index in [0, 2) nor -1",
    )


def test_solver_names_load_lazily_but_resolve() -> None:
    import kgxp.round.mechanisms as mechanisms
    from kgxp.round.mechanisms import optimal

    assert mechanisms.max_weakly_stable is optimal.max_weakly_stable
    assert mechanisms.OptimalResult is optimal.OptimalResult
    with pytest.raises(AttributeError):
        _ = mechanisms.no_such_name
    assert set(mechanisms.__all__) <= set(dir(mechanisms)) | {
        "max_weakly_stable",
        "OptimalResult",
        "OptimalStatus",
        "ApplicationWeights",
        "Target",
        "TargetCheck",
        "TargetedResult",
        "fewest_envy",
    }
    from kgxp.round.mechanisms import targeted

    assert mechanisms.fewest_envy is targeted.fewest_envy
