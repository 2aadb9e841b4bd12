"""The ranking (R12 择优, R15, tie-breakers, 抽签) equals its definition, written the plain way.

``rank_teachers`` packs score and tie-breakers into dense integers to sort fast;
this test states what it must compute — every teacher's key ``(-composite score,
*tie-breaker values, lottery draw, id)`` sorted ascending; teachers tied exactly
when everything before the lottery is equal; ``explain`` names the first
criterion two teachers differ on — and compares on generated counties, every
tie-breaker order and subset, and the empty county.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations, pairwise

from hypothesis import given
from hypothesis import strategies as st

from kgxp import Policy, Scenario, TieBreaker
from kgxp.model.scenario import Teacher
from kgxp.round.ranking import LOTTERY, SCORE, lottery_number, rank_teachers
from kgxp.round.scoring import composite_score
from kgxp.testing import scenarios

_VALUE = {  # smaller is better
    TieBreaker.PERFORMANCE: lambda t: -t.performance,
    TieBreaker.SENIORITY: lambda t: t.service_start.index,
    TieBreaker.TITLE: lambda t: -t.title.rank,
    TieBreaker.EDUCATION: lambda t: -t.education.rank,
}


def _key(t: Teacher, policy: Policy, seed: int) -> tuple[object, ...]:
    score: Decimal = composite_score(t, policy)
    breakers = [_VALUE[b](t) for b in policy.tie_breakers]
    return (-score, *breakers, lottery_number(seed, t.id), t.id)


tie_breaker_plans = st.permutations(list(TieBreaker)).flatmap(
    lambda order: st.integers(0, len(order)).map(lambda n: tuple(order[:n]))
)


@given(scenarios(), tie_breaker_plans, st.integers(0, 2**32))
def test_ranking_matches_its_definition(
    scenario: Scenario, breakers: tuple[TieBreaker, ...], seed: int
) -> None:
    policy = Policy().evolve(tie_breakers=breakers)
    ranking = rank_teachers(scenario.teachers, policy, seed)
    keys = {t.id: _key(t, policy, seed) for t in scenario.teachers}
    expected = sorted(keys, key=keys.__getitem__)
    assert ranking.order == {tid: i for i, tid in enumerate(expected)}
    assert ranking.score == {t.id: composite_score(t, policy) for t in scenario.teachers}
    names = [SCORE, *(b.value for b in breakers)]
    # Every pair of a small county (the lottery is drawn only for tied teachers, so an
    # explanation must never reach it for two teachers who are not tied), else neighbours.
    pairs = (
        list(combinations(expected, 2))
        if len(expected) <= 15
        else [*pairwise(expected), (expected[0], expected[-1])]
    )
    for winner, loser in pairs:
        a, b = keys[winner], keys[loser]
        tied = a[:-2] == b[:-2]
        assert (ranking.priority_class[winner] == ranking.priority_class[loser]) is tied
        assert ranking.priority_class[winner] <= ranking.priority_class[loser]
        first = next((k for k in range(len(names)) if a[k] != b[k]), None)
        assert ranking.explain(winner, loser) == (LOTTERY if first is None else names[first])
    if expected:
        assert ranking.priority_class[expected[0]] == 0


def test_no_teachers_no_ranking() -> None:
    for breakers in ((), tuple(TieBreaker)):
        ranking = rank_teachers([], Policy().evolve(tie_breakers=breakers), 1)
        assert ranking.order == ranking.priority_class == ranking.score == {}
