"""policy_grid: every combination of a few parameters' values, as named what-if variants.

An analyst varies the cross-school share, the tie-breakers or the mechanism and runs
every combination with ``run_rounds``. The grid is checked whole before any policy is
returned: a bad value is located at its axis and place, a combination the policy
refuses at its variant, and nothing is half-made.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import GRID_LIMIT, Policy, PolicyError, policy_grid, run_round, run_rounds
from tests.factories import scenario_data

SHARES = ["0.5", "0.8", "0.9", "1"]
TIE_BREAKERS: list[tuple[str, ...]] = [(), ("performance",), ("seniority", "title")]
MECHANISMS = ["deferred_acceptance", "optimal"]


def test_every_combination_once_named_in_the_axes_order() -> None:
    grid = policy_grid({"in_school_share": ["0.85", "0.9"], "mechanism": MECHANISMS})
    assert list(grid) == [
        "in_school_share=0.85, mechanism=deferred_acceptance",
        "in_school_share=0.85, mechanism=optimal",
        "in_school_share=0.9, mechanism=deferred_acceptance",
        "in_school_share=0.9, mechanism=optimal",
    ]
    for name, policy in grid.items():
        share, mechanism = (part.split("=")[1] for part in name.split(", "))
        assert policy == Policy().evolve(in_school_share=share, mechanism=mechanism)


@settings(max_examples=40, deadline=None)
@given(
    shares=st.lists(st.sampled_from(SHARES), min_size=1, max_size=4, unique=True),
    tie_breakers=st.lists(st.sampled_from(TIE_BREAKERS), min_size=1, max_size=3, unique=True),
    mechanisms=st.lists(st.sampled_from(MECHANISMS), min_size=1, max_size=2, unique=True),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_the_grid_is_the_product_of_its_axes_over_the_base(
    shares: list[str],
    tie_breakers: list[tuple[str, ...]],
    mechanisms: list[str],
    seed: int,
) -> None:
    base = Policy().evolve(lottery_seed=seed)
    axes: dict[str, list[Any]] = {
        "in_school_share": shares,
        "tie_breakers": tie_breakers,
        "mechanism": mechanisms,
    }
    grid = policy_grid(axes, base=base)
    expected = [
        base.evolve(in_school_share=a, tie_breakers=b, mechanism=c)
        for a, b, c in itertools.product(shares, tie_breakers, mechanisms)
    ]
    assert list(grid.values()) == expected  # the first axis slowest, every value in order
    assert len(set(grid)) == len(shares) * len(tie_breakers) * len(mechanisms)
    assert all(policy.lottery_seed == seed for policy in grid.values())  # the base kept
    # Same axes, same grid, names and order included (I12).
    assert list(policy_grid(axes, base=base).items()) == list(grid.items())


def test_a_grid_runs_as_what_if_rounds() -> None:
    scenario = kgxp.parse_scenario(scenario_data())
    grid = policy_grid({"in_school_share": ["0.5", "0.9"]})
    results = run_rounds(scenario, grid, seed=3, executor="serial")
    assert list(results) == ["in_school_share=0.5", "in_school_share=0.9"]
    for name, policy in grid.items():
        assert results[name] == run_round(scenario, policy=policy, seed=3)


def test_values_are_named_as_the_policy_writes_them() -> None:
    grid = policy_grid({"tie_breakers": [(), ("seniority", "title")], "in_school_share": [0.75]})
    assert list(grid) == [
        "tie_breakers=[], in_school_share=0.75",
        'tie_breakers=["seniority","title"], in_school_share=0.75',
    ]
    assert grid["tie_breakers=[], in_school_share=0.75"].in_school_share == Decimal("0.75")


def test_every_bad_value_is_located_at_its_axis_and_place_once() -> None:
    with pytest.raises(PolicyError, match="invalid policy grid: 3 problems") as raised:
        policy_grid({"in_school_share": ["1.5", "0.9", "x"], "mechanism": ["zzz", "optimal"]})
    problems = raised.value.problems
    assert [(p.record, p.field, p.code) for p in problems] == [
        ("policy_grid", "in_school_share[0]", "less_than_equal"),
        ("policy_grid", "in_school_share[2]", "decimal_parsing"),
        ("policy_grid", "mechanism[0]", "enum"),
    ]
    assert all(p.record_id is None for p in problems)


def test_values_refused_together_are_named_by_their_variant() -> None:
    # Each value is valid in some combination: the cap 0.2 with a bonus of 0.1, the bonus
    # 0.3 with the cap 1. Only the pair (0.2, 0.3) breaks R8's cap.
    axes = {
        "first_term_bonus_cap": ["0.2", "1"],
        "first_term_pay": [{"year_end_bonus": "0.1"}, {"year_end_bonus": "0.3"}],
    }
    with pytest.raises(PolicyError) as raised:
        policy_grid(axes)
    (problem,) = raised.value.problems
    assert problem.record_id == 'first_term_bonus_cap=0.2, first_term_pay={"year_end_bonus":"0.3"}'
    assert "exceeds first_term_bonus_cap" in problem.message
    axes["first_term_bonus_cap"] = ["0.3", "1"]
    assert len(policy_grid(axes)) == 4


def test_unknown_parameters_are_all_named() -> None:
    with pytest.raises(PolicyError) as raised:
        policy_grid({"in_school_share": ["0.9"], "zeal": [1], "cross_share": [0.1]})
    assert [(p.field, p.code) for p in raised.value.problems] == [
        ("cross_share", "unknown_parameter"),
        ("zeal", "unknown_parameter"),
    ]


@pytest.mark.parametrize(
    ("axis", "message"),
    [
        ("0.9", r"axis 'in_school_share' must be a list of values, got str \(write \['0.9'\]"),
        ({"0.9": 1}, "must be a list of values, got dict"),
        (0.9, "must be a list of values, got float"),
        (b"0.9", "got bytes"),
    ],
)
def test_an_axis_that_is_not_a_list_of_values_is_refused(axis: object, message: str) -> None:
    # Iterating a string would vary the share over "0", ".", "9": a silent misread.
    with pytest.raises(TypeError, match=message):
        policy_grid({"in_school_share": axis})  # type: ignore[dict-item]


def test_an_empty_grid_or_axis_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one parameter"):
        policy_grid({})
    with pytest.raises(ValueError, match="axis 'mechanism' has no values"):
        policy_grid({"in_school_share": ["0.9"], "mechanism": []})
    with pytest.raises(TypeError, match="axes must be a mapping"):
        policy_grid([("in_school_share", ["0.9"])])  # type: ignore[arg-type]


def test_two_values_that_make_one_policy_are_refused() -> None:
    with pytest.raises(ValueError, match=r"one policy twice: 'in_school_share=0\.9' and"):
        policy_grid({"in_school_share": ["0.9", "0.90"]})


def test_a_grid_larger_than_its_limit_is_refused_before_any_policy_is_made() -> None:
    # 2,000,000 combinations: refused at once, not after minutes of building policies.
    with pytest.raises(ValueError, match="2,000,000 combinations, more than limit=10,000"):
        policy_grid({"lottery_seed": range(1_000_000), "in_school_share": ["0.8", "0.9"]})
    assert GRID_LIMIT == 10_000
    assert len(policy_grid({"lottery_seed": range(30)}, limit=30)) == 30
    with pytest.raises(ValueError, match="limit must be a positive whole number"):
        policy_grid({"lottery_seed": [1]}, limit=0)


def test_the_base_must_be_a_policy() -> None:
    with pytest.raises(TypeError, match=r"base must be a kgxp\.Policy"):
        policy_grid({"lottery_seed": [1]}, base={"in_school_share": "0.9"})  # type: ignore[arg-type]
