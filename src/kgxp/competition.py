"""Competitive rounds (R5 in-school and cross-school, R11 scope, R12 two-way choice).

A round is a market: its candidates, the seats it offers per post, and for each
candidate the posts they applied for (their preferences, in order) that the
round offers and its scope allows. Posts rank candidates by the policy's ranking
(:mod:`kgxp.ranking`). The mechanism is deferred acceptance (teacher-proposing,
strict after tie-breaking) or the optimal CP-SAT mechanism (largest weakly-stable
matching; ties only where score and every tie-breaker are equal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter

import attrs

from kgxp.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.mechanisms.market import Market, Matching
from kgxp.policy import Mechanism, RoundKind, RoundSpec
from kgxp.ranking import Ranking
from kgxp.result import Reason, SolverStats, trusted
from kgxp.scenario import Teacher

__all__ = ["RoundOutcome", "run_competitive_round"]

_BY_ID = attrgetter("id")

# Deterministic units (each a second of wall time or more); reaching it is reported.
OPTIMAL_TIME_LIMIT = 10.0


@attrs.frozen
class RoundOutcome:
    placed: Mapping[str, str]  # teacher id -> post id
    reasons: Mapping[str, tuple[Reason, ...]]  # per candidate: placed / outranked / no_application
    solver: SolverStats


def run_competitive_round(
    spec: RoundSpec,
    candidates: Sequence[Teacher],
    offered: Mapping[str, int],
    allowed: Callable[[Teacher, str], bool],
    ranking: Ranking,
    mechanism: Mechanism,
) -> RoundOutcome:
    """Match ``candidates`` to the seats ``offered`` (post id -> seats) in one round.

    ``allowed(teacher, post_id)`` says whether the round's scope lets the teacher
    apply to the post (own school for in-school, another school in the same unit
    for cross-school). Candidates are processed in id order (I12).
    """
    post_ids = sorted(p for p, n in offered.items() if n > 0)
    index = {p: i for i, p in enumerate(post_ids)}
    people = sorted(candidates, key=_BY_ID)
    applied: list[list[str]] = []
    for teacher in people:
        applied.append([p for p in teacher.preferences if p in index and allowed(teacher, p)])
    market = Market.build(
        capacities=[offered[p] for p in post_ids],
        preferences=[[index[p] for p in posts] for posts in applied],
        priority=[
            [ranking.priority_class[t.id]] * len(posts)
            for t, posts in zip(people, applied, strict=True)
        ],
        tiebreak=[ranking.order[t.id] for t in people],
    )
    baseline = deferred_acceptance(market)
    if mechanism is Mechanism.OPTIMAL and market.n_candidates and market.n_posts:
        from kgxp.mechanisms.optimal import max_weakly_stable  # CP-SAT loads only when used

        optimal = max_weakly_stable(market, hint=baseline, time_limit=OPTIMAL_TIME_LIMIT)
        matching = optimal.matching
        solver = SolverStats(
            mechanism=mechanism.value,
            status=optimal.status,
            objective=matching.size,
            bound=optimal.bound,
            deterministic_time=round(optimal.deterministic_time, 3),
            proven_optimal=optimal.proven_optimal,
            timed_out=optimal.timed_out,
            baseline_placed=baseline.size,
        )
    else:
        matching = baseline
        solver = SolverStats(
            mechanism=Mechanism.DEFERRED_ACCEPTANCE.value,
            status="optimal",
            objective=matching.size,
            bound=None,
            baseline_placed=baseline.size,
        )
    placed: dict[str, str] = {}
    for c, teacher in enumerate(people):
        post = matching.post_of(c)
        if post is not None:
            placed[teacher.id] = post_ids[post]
    reasons = _explain(spec, people, applied, placed, matching, post_ids, index, ranking)
    return RoundOutcome(placed=placed, reasons=reasons, solver=solver)


def _explain(
    spec: RoundSpec,
    people: Sequence[Teacher],
    applied: Sequence[Sequence[str]],
    placed: Mapping[str, str],
    matching: Matching,
    post_ids: Sequence[str],
    index: Mapping[str, int],
    ranking: Ranking,
) -> dict[str, tuple[Reason, ...]]:
    """For each candidate: every post applied for above the one won, who took it and why."""
    rule = "R5"
    worst: dict[str, str] = {}
    for post_id in post_ids:
        holders = matching.holders(index[post_id])
        if holders:
            worst[post_id] = max((people[h].id for h in holders), key=ranking.order.__getitem__)
    reasons: dict[str, tuple[Reason, ...]] = {}
    for teacher, posts in zip(people, applied, strict=True):
        score = ranking.score[teacher.id]
        won = placed.get(teacher.id)
        found: list[Reason] = []
        if not posts:
            found.append(
                trusted(
                    Reason,
                    rule="R12",
                    code="no_application",
                    round=spec.name,
                    score=score,
                    detail="applied for no post this round offers",
                )
            )
        for post_id in posts:
            if post_id == won:
                found.append(
                    trusted(
                        Reason, rule=rule, code="placed", round=spec.name, post=post_id, score=score
                    )
                )
                break
            rival = worst.get(post_id)
            found.append(_outranked(spec, teacher, post_id, rival, score, ranking))
        reasons[teacher.id] = tuple(found)
    return reasons


def _outranked(
    spec: RoundSpec,
    teacher: Teacher,
    post_id: str,
    rival: str | None,
    score: Decimal,
    ranking: Ranking,
) -> Reason:
    if rival is None:  # cannot happen for a stable matching; say so rather than guess
        return trusted(
            Reason,
            rule="R5",
            code="outranked",
            round=spec.name,
            post=post_id,
            score=score,
            detail="post not filled; see solver statistics",
        )
    if ranking.order[rival] < ranking.order[teacher.id]:
        decided = ranking.explain(rival, teacher.id)
    else:
        # Optimal mechanism: tied with the holder, who was kept to place more teachers.
        decided = "max_placement"
    return trusted(
        Reason,
        rule="R5" if spec.kind is not RoundKind.ADJUSTMENT else "R6",
        code="outranked",
        round=spec.name,
        post=post_id,
        rival=rival,
        score=score,
        rival_score=ranking.score[rival],
        decided_by=decided,
    )
