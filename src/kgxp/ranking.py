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
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from kgxp.policy import Policy, TieBreaker
from kgxp.scenario import Teacher
from kgxp.scoring import composite_score

__all__ = ["LOTTERY", "SCORE", "Ranking", "decided_by", "lottery_number", "rank_teachers"]

SCORE = "score"
LOTTERY = "lottery"


def lottery_number(seed: int, teacher_id: str) -> int:
    """The teacher's lottery draw for ``seed``: 64 bits of SHA-256 (lower wins)."""
    digest = hashlib.sha256(f"kgxp-lottery:{seed}:{teacher_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _tie_breaker_value(teacher: Teacher, breaker: TieBreaker) -> int | float:
    # Smaller sorts first, so "higher is better" values are negated.
    if breaker is TieBreaker.PERFORMANCE:
        return -teacher.performance
    if breaker is TieBreaker.SENIORITY:
        return teacher.service_start.index  # earlier start = more seniority
    if breaker is TieBreaker.TITLE:
        return -teacher.title.rank
    return -teacher.education.rank


@attrs.frozen
class Ranking:
    """The ranking of one scenario's teachers under one policy and seed.

    ``order[id]`` is the strict rank (0 = best); ``priority_class[id]`` is equal
    exactly for tied teachers (lower = better); ``score[id]`` the composite score.
    """

    order: Mapping[str, int]
    priority_class: Mapping[str, int]
    score: Mapping[str, Decimal]
    keys: Mapping[str, tuple[object, ...]]
    tie_breakers: tuple[TieBreaker, ...]

    def adjustment_key(self, teacher: Teacher) -> tuple[float, int]:
        """R6 order: teaching performance (higher first), then the competition ranking."""
        return (-teacher.performance, self.order[teacher.id])

    def explain(self, winner: str, loser: str) -> str:
        """What separated ``winner`` from ``loser``: see :func:`decided_by`."""
        return decided_by(self.keys[winner], self.keys[loser], self.tie_breakers)


def rank_teachers(teachers: Iterable[Teacher], policy: Policy, seed: int) -> Ranking:
    """Rank ``teachers`` by composite score, the policy's tie-breakers, then the lottery."""
    keys: dict[str, tuple[object, ...]] = {}
    scores: dict[str, Decimal] = {}
    for teacher in teachers:
        score = composite_score(teacher, policy)
        scores[teacher.id] = score
        keys[teacher.id] = (
            -score,
            *(_tie_breaker_value(teacher, b) for b in policy.tie_breakers),
            lottery_number(seed, teacher.id),
            teacher.id,  # a 64-bit collision is astronomically unlikely, but be total
        )
    ordered = sorted(keys, key=keys.__getitem__)
    order = {teacher_id: i for i, teacher_id in enumerate(ordered)}
    classes: dict[str, int] = {}
    previous: tuple[object, ...] | None = None
    current = -1
    for teacher_id in ordered:
        weak = keys[teacher_id][:-2]
        if weak != previous:
            current += 1
            previous = weak
        classes[teacher_id] = current
    return Ranking(
        order=order,
        priority_class=classes,
        score=scores,
        keys=keys,
        tie_breakers=policy.tie_breakers,
    )


def decided_by(
    winner_key: tuple[object, ...], loser_key: tuple[object, ...], breakers: tuple[TieBreaker, ...]
) -> str:
    """The first criterion on which two ranking keys differ: score, a tie-breaker, or lottery."""
    names = [SCORE, *(b.value for b in breakers), LOTTERY]
    for name, a, b in zip(names, winner_key, loser_key, strict=False):
        if a != b:
            return name
    return LOTTERY
