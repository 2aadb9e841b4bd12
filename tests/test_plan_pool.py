"""The plan's pool: the teachers still competing, their ids and preferences, kept in step.

The pool is one value (:class:`kgxp.round.plan_state.Pool`) rather than three parallel
lists; these tests hold it to its definition: after every round, exactly the teachers
neither protected nor placed, in id order, each beside their own id and stated
preferences, and a forked plan's pool shrinking without touching the original's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kgxp
from kgxp import Policy, RoundKind
from kgxp.model.scenario import Scenario, Teacher
from kgxp.round.plan_state import PlanState, Pool
from kgxp.round.prepare import prepare
from kgxp.round.ranking import scenario_ranking

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ziyang_county.json"


@pytest.fixture(scope="module")
def county() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


def _pool_of(teachers: list[Teacher]) -> Pool:
    """A pool made field by field, the plain definition to compare with."""
    return Pool(
        tuple(teachers), tuple(t.id for t in teachers), tuple(t.preferences for t in teachers)
    )


def _assert_is_definition(state: PlanState, scenario: Scenario) -> None:
    """The pool is everyone neither protected nor placed, in id order, columns in step."""
    gone = state.prepared.protected.keys() | state.placed.keys()
    expected = sorted((t for t in scenario.teachers if t.id not in gone), key=lambda t: t.id)
    assert [t.id for t in state.pool.teachers] == [t.id for t in expected]
    assert state.pool.ids == tuple(t.id for t in expected)
    assert state.pool.preferences == tuple(t.preferences for t in expected)


def test_without_drops_the_same_teachers_from_every_column_in_order(county: Scenario) -> None:
    teachers = sorted(county.teachers, key=lambda t: t.id)[:40]
    leaving = {t.id for t in teachers[::3]} | {"not-a-teacher"}
    kept = _pool_of(teachers).without(leaving)
    assert kept == _pool_of([t for t in teachers if t.id not in leaving])
    ids, preferences = [t.id for t in teachers], [t.preferences for t in teachers]
    assert Pool.of(teachers, ids, preferences, leaving) == kept
    assert Pool.of(teachers, ids, preferences, ()) == _pool_of(teachers)
    assert len(kept.ids) == len(teachers) - len(teachers[::3])


def test_without_nobody_is_the_same_pool(county: Scenario) -> None:
    pool = _pool_of(sorted(county.teachers, key=lambda t: t.id)[:5])
    assert pool.without(frozenset()) is pool
    assert pool.without({}) is pool


def test_columns_of_different_lengths_are_refused(county: Scenario) -> None:
    teachers = sorted(county.teachers, key=lambda t: t.id)[:3]
    ids = tuple(t.id for t in teachers)
    preferences = tuple(t.preferences for t in teachers)
    with pytest.raises(ValueError, match="3 teachers, 2 ids, 3 preference lists"):
        Pool(tuple(teachers), ids[:2], preferences)
    with pytest.raises(ValueError, match="2 teachers, 3 ids, 3 preference lists"):
        Pool(tuple(teachers[:2]), ids, preferences)
    # Made from columns: a longer column is refused, not cut short to the ids by compress.
    with pytest.raises(ValueError, match="3 teachers, 2 ids, 3 preference lists"):
        Pool.of(teachers, ids[:2], preferences, {ids[0]})
    with pytest.raises(ValueError, match="3 teachers, 3 ids, 2 preference lists"):
        Pool.of(teachers, ids, preferences[:2], {ids[0]})


def test_the_plan_pool_is_its_definition_after_every_round_and_forks_apart(
    county: Scenario,
) -> None:
    policy = Policy(allow_voluntary_cross_school=True)
    ranking = scenario_ranking(county, policy, policy.lottery_seed)
    prepared = prepare(county, policy, ranking)
    assert prepared.protected and prepared.volunteers  # both ways out of the pool exercised
    state = PlanState(county, policy, prepared, ranking)
    _assert_is_definition(state, county)
    first, *rest = policy.rounds
    assert first.kind is RoundKind.IN_SCHOOL and rest
    before = state.pool
    state.run(first)
    # The in-school round's candidates: the pool less its volunteers, who skip it (R5).
    volunteering = sum(1 for i in before.ids if i in prepared.volunteers)
    assert volunteering and state.stats[-1].candidates == len(before.ids) - volunteering
    assert (
        state.stats[-1].placed and len(state.pool.ids) == len(before.ids) - state.stats[-1].placed
    )
    _assert_is_definition(state, county)
    fork = state.fork(None, None)
    kept = state.pool
    for spec in rest:
        fork.run(spec)
        _assert_is_definition(fork, county)
    assert state.pool is kept and len(fork.pool.ids) < len(kept.ids)  # the original is untouched
    _assert_is_definition(state, county)
