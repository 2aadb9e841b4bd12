"""How posts rank candidates (R12 择优, R15) and how ties are broken (tie-breakers, 抽签).

Every post ranks its applicants by the same key: composite score (higher
first), then the policy's tie-breakers in order, then a seeded lottery. Two
teachers with equal score and equal tie-breaker values are *tied* (same
priority class): only the lottery separates them, which is what the optimal
mechanism is free to reconsider (weak stability).

The lottery number of a teacher is a hash of the seed and the teacher's id, not
a draw from a shuffled list, so it does not depend on the order of input
records (I12) and adding or correcting one record (an appeal) leaves everyone
else's number unchanged.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate, compress, repeat
from operator import add, attrgetter, itemgetter, lshift, mul, ne, or_
from typing import Any

import attrs

from kgxp._internal.memo import remembered
from kgxp.model.policy import Policy, TieBreaker
from kgxp.model.scenario import Scenario, Teacher
from kgxp.round.scoring import composite_scores

__all__ = [
    "LOTTERY",
    "SCORE",
    "Ranking",
    "RankingBasis",
    "lottery_number",
    "rank_teachers",
    "scenario_ranking",
]

SCORE = "score"
LOTTERY = "lottery"


def lottery_number(seed: int, teacher_id: str) -> int:
    """The teacher's lottery draw for ``seed``: 64 bits of SHA-256 (lower wins)."""
    return _lottery_numbers(seed, [teacher_id])[0]


def _lottery_numbers(seed: int, teacher_ids: Iterable[str]) -> list[int]:
    """:func:`lottery_number` of each id, in bulk (one comprehension, no call per id)."""
    # SHA-256 of "kgxp-lottery:{seed}:{teacher_id}" in UTF-8, the prefix encoded once.
    prefix = f"kgxp-lottery:{seed}:".encode()
    sha256, from_bytes = hashlib.sha256, int.from_bytes
    return [
        from_bytes(sha256(prefix + teacher_id.encode()).digest()[:8], "big")
        for teacher_id in teacher_ids
    ]


# Per tie-breaker, the teacher attribute it compares and whether higher is better. The
# ranking is computed by every run and every verify, so all of them are read in one pass
# (``attrgetter`` of several dotted paths reads them in C), not one pass per breaker.
# Title and education are read as the enum members and ordered by their ``rank`` once per
# distinct member (``_dense``'s sort key), not by a property call per teacher.
_BY_RANK = attrgetter("rank")
_TIE_BREAKER_ATTRIBUTES: Mapping[TieBreaker, tuple[str, bool, Callable[[Any], Any] | None]] = {
    TieBreaker.PERFORMANCE: ("performance", True, None),
    TieBreaker.SENIORITY: ("service_start.index", False, None),  # earlier service first
    TieBreaker.TITLE: ("title", True, _BY_RANK),
    TieBreaker.EDUCATION: ("education", True, _BY_RANK),
}


@attrs.frozen
class Ranking:
    """The ranking of one scenario's teachers under one policy and seed.

    ``order[id]`` is the strict rank (0 = best); ``priority_class[id]`` is equal
    exactly for tied teachers (lower = better); ``score[id]`` the composite score.
    ``criteria`` holds, per ranking criterion (score, then each tie-breaker, then
    the lottery), every teacher's dense rank on it (0 = best; the lottery: the draw, 0 for
    a teacher no one ties with, whose draw decides nothing), in the order of ``row[id]``:
    what :meth:`explain` compares.
    """

    order: Mapping[str, int]
    priority_class: Mapping[str, int]
    score: Mapping[str, Decimal]
    row: Mapping[str, int]
    criteria: tuple[Sequence[int], ...]
    tie_breakers: tuple[TieBreaker, ...]

    def adjustment_key(self, teacher: Teacher) -> tuple[float, int]:
        """R6 order: teaching performance (higher first), then the competition ranking."""
        return (-teacher.performance, self.order[teacher.id])

    def explain(self, winner: str, loser: str) -> str:
        """What separated ``winner`` from ``loser``: ``"score"``, a tie-breaker's name, or
        ``"lottery"`` — the first criterion on which they differ."""
        w, v = self.row[winner], self.row[loser]
        for k, column in enumerate(self.criteria):
            if column[w] != column[v]:
                if k == 0:
                    return SCORE
                return self.tie_breakers[k - 1].value if k <= len(self.tie_breakers) else LOTTERY
        return LOTTERY


def scenario_ranking(scenario: Scenario, policy: Policy, seed: int) -> Ranking:
    """:func:`rank_teachers` of the scenario's teachers, computed once per scenario, policy
    and seed (``run_round`` and ``verify`` both need it; see :mod:`kgxp._internal.memo`).

    The ranking is shared: treat its mappings as read-only.
    """
    return remembered(
        scenario, "ranking", (policy, seed), lambda: rank_teachers(scenario.teachers, policy, seed)
    )


def rank_teachers(teachers: Iterable[Teacher], policy: Policy, seed: int) -> Ranking:
    """Rank ``teachers`` by composite score, the policy's tie-breakers, then the lottery."""
    return RankingBasis.of(teachers, policy).ranking(seed)


@attrs.frozen
class RankingBasis:
    """Everything in a :class:`Ranking` the lottery seed does not change (internal).

    Score and tie-breakers pack into one int per teacher, the "weak" key that tied
    teachers share; a seed only orders teachers inside a weak key. ``lottery_odds``
    ranks one county under many seeds, so the seed-free part is computed once here
    and :meth:`order` draws the lottery only for teachers who share their weak key.
    """

    ids: Sequence[str]
    weak: Sequence[int]
    composite: Sequence[Decimal]
    criteria: tuple[Sequence[int], ...]
    tie_breakers: tuple[TieBreaker, ...]
    # What only the lottery's replays use (order, order_keys, priority_class, tied_groups):
    # made on first use, not by every run_round, which needs just ranking() (issue 19).
    _tie_groups: _TieGroups | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def _groups_of_ties(self) -> _TieGroups:
        found = self._tie_groups
        if found is None:
            found = _TieGroups.of(self.ids, self.weak)
            object.__setattr__(self, "_tie_groups", found)
        return found

    @classmethod
    def of(cls, teachers: Iterable[Teacher], policy: Policy) -> RankingBasis:
        people = list(teachers)
        composite = composite_scores(people, policy)
        attributes = [_TIE_BREAKER_ATTRIBUTES[b] for b in policy.tie_breakers]
        ids, columns = _columns(people, [path for path, _, _ in attributes])
        # Each criterion as dense ranks (0 = best; equal values, equal ranks), so that score
        # and tie-breakers pack into one int (mixed radix), the "weak" key that ties
        # share: one sort of (int, lottery draw, id) instead of tuples of Decimals and
        # floats, in the same order.
        criteria = [
            _dense(composite, descending=True),
            *(
                _dense(column, descending=higher_first, key=key)
                for column, (_, higher_first, key) in zip(columns, attributes, strict=True)
            ),
        ]
        weak = criteria[0]
        for column in criteria[1:]:
            radix = max(column, default=0) + 1
            weak = list(map(add, map(mul, weak, repeat(radix)), column))
        return cls(
            ids=ids,
            weak=weak,
            composite=composite,
            criteria=tuple(criteria),
            tie_breakers=policy.tie_breakers,
        )

    def ranking(self, seed: int) -> Ranking:
        """The whole :class:`Ranking` under ``seed``."""
        ids, weak = self.ids, self.weak
        lottery = _tied_draws(seed, ids, weak)
        ordered, weak_ordered = _sort_by_weak_key_and_draw(ids, weak, lottery)
        # A new class wherever the weak key changes along the order.
        changes = map(ne, weak_ordered[1:], weak_ordered[:-1])
        classes = list(accumulate(changes, add, initial=0))[: len(ordered)]  # [0] if no one
        return Ranking(
            order=dict(zip(ordered, range(len(ordered)), strict=True)),
            priority_class=dict(zip(ordered, classes, strict=True)),
            score=dict(zip(ids, self.composite, strict=True)),
            row=dict(zip(ids, range(len(ids)), strict=True)),
            criteria=(*self.criteria, lottery),
            tie_breakers=self.tie_breakers,
        )

    def priority_class(self) -> dict[str, int]:
        """``Ranking.priority_class``: the same for every seed (equal exactly for ties)."""
        return {t: k for k, group in enumerate(self._groups_of_ties().groups) for t in group}

    def tied_groups(self) -> list[list[str]]:
        """The teachers of each weak key held by two or more, ids sorted (the draw's reach)."""
        return [group for group in self._groups_of_ties().groups if len(group) > 1]

    def order(self, seed: int) -> dict[str, int]:
        """``self.ranking(seed).order``, drawing the lottery only for tied teachers.

        A teacher alone in their weak key is placed by it whatever the draw, so only
        the members of :meth:`tied_groups` need a lottery number: equal to the whole
        ranking's order (tests/test_lottery.py checks it seed by seed).
        """
        ties = self._groups_of_ties()
        drawn = iter(_lottery_numbers(seed, ties.tied))  # one bulk call, in group order
        ordered: list[str] = []
        for group in ties.groups:
            if len(group) == 1:
                ordered.append(group[0])
            else:
                pairs = sorted([(next(drawn), teacher) for teacher in group])
                ordered.extend(map(itemgetter(1), pairs))
        return dict(zip(ordered, range(len(ordered)), strict=True))

    def order_keys(self, seed: int) -> dict[str, int]:
        """An int per teacher, smaller first, ordering them exactly as :meth:`order` does.

        Only comparisons of ``order`` matter to a round (who goes first), so
        ``lottery_odds`` draws with these keys: the lottery numbers of the tied
        teachers and one multiplication each, no sort (tests/test_lottery.py checks
        the order equal to :meth:`order`'s seed by seed).
        """
        ties = self._groups_of_ties()
        spread = ties.spread
        keys = dict(ties.untied_keys)
        drawn = _lottery_numbers(seed, ties.tied)
        keys.update(
            zip(
                ties.tied,
                [
                    base + number * spread
                    for base, number in zip(ties.tied_bases, drawn, strict=True)
                ],
                strict=True,
            )
        )
        return keys


def _tied_draws(seed: int, ids: Sequence[str], weak: Sequence[int]) -> list[int]:
    """Each teacher's lottery number (R12's 抽签) if another teacher shares their weak key,
    else 0.

    The draw orders only teachers of one weak key, and :meth:`Ranking.explain` reaches
    the lottery only for two such teachers: a teacher alone in their weak key (two in
    three of a 100,000-teacher county) is ranked and explained the same whatever their
    number, so it is not hashed (issue 19: run_round; tests/test_ranking.py compares
    the order and every explanation with a fully drawn ranking).
    """
    held = Counter(weak)
    if len(held) == len(weak):
        return [0] * len(weak)
    tied = [held[key] > 1 for key in weak]
    drawn = iter(_lottery_numbers(seed, compress(ids, tied)))
    return [next(drawn) if is_tied else 0 for is_tied in tied]


def _sort_by_weak_key_and_draw(
    ids: Sequence[str], weak: Sequence[int], lottery: Sequence[int]
) -> tuple[list[str], list[int]]:
    """The ids sorted by (weak key, lottery draw, id), and their weak keys in that order.

    A weak key is a non-negative int and a draw is below 2**64, so ``weak << 64 | draw``
    sorts exactly as the pair does: one int per teacher, sorted as ints (issue 19:
    run_round), not 100,000s of tuples compared element by element. The id decides
    only on a 64-bit collision of two draws in one weak key: unlikely, but be total.
    """
    keys = list(map(or_, map(lshift, weak, repeat(64)), lottery))
    if len(set(keys)) < len(keys):  # a collision: the tuples, ids included
        ranked = sorted(zip(weak, lottery, ids, strict=True))
        return list(map(itemgetter(2), ranked)), list(map(itemgetter(0), ranked))
    by_key = sorted(range(len(keys)), key=keys.__getitem__)
    return list(map(ids.__getitem__, by_key)), list(map(weak.__getitem__, by_key))


@attrs.frozen
class _TieGroups:
    """A basis's weak keys grouped, for the lottery's replays (internal).

    ``groups``: the weak keys in order, each with its teachers (ids sorted): what a seed
    reorders; ``tied``: the teachers of groups of two or more, in group order. For
    ``order_keys``: each untied teacher's key, and per tied teacher (in ``tied``'s
    order) the seed-free part of theirs and the multiplier (``spread``) of their
    lottery number.
    """

    groups: list[list[str]]
    tied: list[str]
    untied_keys: dict[str, int]
    tied_bases: list[int]
    spread: int

    @classmethod
    def of(cls, ids: Sequence[str], weak: Sequence[int]) -> _TieGroups:
        by_key: dict[int, list[str]] = {}
        for teacher_id, key in zip(ids, weak, strict=True):
            by_key.setdefault(key, []).append(teacher_id)
        groups = [sorted(by_key[key]) for key in sorted(by_key)]
        # order_keys: key = ((group << 64) + lottery) * spread + position of the id in its
        # group (ids sorted), so keys compare as (group, lottery, id) do — what order()
        # sorts by — with one multiplication per tied teacher and no sort per seed.
        spread = max(map(len, groups), default=1)
        untied: dict[str, int] = {}
        bases: list[int] = []
        for index, group in enumerate(groups):
            start = (index << 64) * spread
            if len(group) == 1:
                untied[group[0]] = start
            else:
                bases.extend(start + position for position in range(len(group)))
        tied = [t for group in groups if len(group) > 1 for t in group]
        return cls(groups, tied, untied, bases, spread)


def _columns(people: Sequence[Teacher], paths: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The teachers' ids, and per attribute path the teachers' values: one pass."""
    if not paths:
        return [t.id for t in people], []
    # With two names or more, attrgetter returns a tuple per teacher: transposed below.
    rows = list(map(attrgetter("id", *paths), people))
    if not rows:
        return [], [[] for _ in paths]
    ids, *columns = map(list, zip(*rows, strict=True))
    return ids, columns


def _dense(
    values: Sequence[Any], *, descending: bool = False, key: Callable[[Any], Any] | None = None
) -> list[int]:
    """Each value's rank among the distinct values (0 = first); equal values, equal ranks.

    ``key`` orders the distinct values (it must tell any two of them apart).
    """
    distinct = sorted(set(values), key=key, reverse=descending)
    rank = {value: i for i, value in enumerate(distinct)}
    return list(map(rank.__getitem__, values))
