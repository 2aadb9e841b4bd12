"""Competitive rounds (R5 in-school and cross-school, R11 scope, R12 two-way choice).

A round is a market: its candidates, the seats it offers per post, and for each
candidate the posts they applied for (their preferences, in order) that the
round offers and its scope allows. Posts rank candidates by the policy's ranking
(:mod:`kgxp.round.ranking`). The mechanism is deferred acceptance (teacher-proposing,
strict after tie-breaking) or the optimal CP-SAT mechanism (largest weakly-stable
matching; ties only where score and every tie-breaker are equal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import attrs

from kgxp.model.policy import Mechanism, RoundKind, RoundSpec
from kgxp.model.result import Reason, SolverStats, builder
from kgxp.model.scenario import Teacher
from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.round.mechanisms.market import UNMATCHED, Market, Matching
from kgxp.round.ranking import Ranking

__all__ = ["RoundOutcome", "run_competitive_round"]


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
    applies: Callable[[Teacher], list[str]],
    ranking: Ranking,
    mechanism: Mechanism,
) -> RoundOutcome:
    """Match ``candidates`` to the seats ``offered`` (post id -> seats) in one round.

    ``applies(teacher)`` lists the posts the teacher applies for in this round,
    in preference order: posts of their preferences that the round offers (with
    a seat) and its scope allows (own school for in-school, another school in
    the same unit for cross-school). ``candidates`` must come in id order (I12: the
    optimal mechanism's model follows it); the engine's pool of unplaced teachers does.
    """
    post_ids = sorted(p for p, n in offered.items() if n > 0)
    index = {p: i for i, p in enumerate(post_ids)}
    ids = [t.id for t in candidates]
    applied = [applies(t) for t in candidates]
    priority_class = ranking.priority_class
    # Indices from this round's own maps and a validated scenario's (unique)
    # preferences: valid by construction, so the market is not checked again.
    market = Market._trusted(
        capacities=tuple([offered[p] for p in post_ids]),
        preferences=tuple([tuple(map(index.__getitem__, posts)) for posts in applied]),
        priority=tuple(
            [(priority_class[i],) * len(posts) for i, posts in zip(ids, applied, strict=True)]
        ),
        tiebreak=tuple(map(ranking.order.__getitem__, ids)),
    )
    baseline = deferred_acceptance(market)
    if mechanism is Mechanism.OPTIMAL and market.n_candidates and market.n_posts:
        from kgxp.round.mechanisms.optimal import max_weakly_stable  # CP-SAT loads only when used

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
    won = [None if p == UNMATCHED else post_ids[p] for p in matching.assignment]
    placed = {
        teacher_id: post for teacher_id, post in zip(ids, won, strict=True) if post is not None
    }
    reasons = _explain(spec, ids, applied, won, matching, post_ids, ranking)
    return RoundOutcome(placed=placed, reasons=reasons, solver=solver)


# One builder per shape of reason (see kgxp.model.result.builder).
_placed = builder(Reason, "rule", "code", "round", "post", "score")
_no_application = builder(Reason, "rule", "code", "round", "score", "detail")
_outranked = builder(
    Reason, "rule", "code", "round", "post", "rival", "score", "rival_score", "decided_by"
)
_not_filled = builder(Reason, "rule", "code", "round", "post", "score", "detail")


def _explain(
    spec: RoundSpec,
    ids: Sequence[str],
    applied: Sequence[Sequence[str]],
    won: Sequence[str | None],
    matching: Matching,
    post_ids: Sequence[str],
    ranking: Ranking,
) -> dict[str, tuple[Reason, ...]]:
    """For each candidate: every post applied for above the one won, who took it and why."""
    order = ranking.order
    score_of = ranking.score
    explain = ranking.explain
    name = spec.name
    outranked_rule = "R5" if spec.kind is not RoundKind.ADJUSTMENT else "R6"
    # Per filled post, its worst holder (the bar an applicant had to clear): id, rank, score.
    worst: dict[str, tuple[str, int, Decimal]] = {}
    for post_id, holders in zip(post_ids, matching.by_post, strict=True):
        if holders:
            rival = max((ids[h] for h in holders), key=order.__getitem__)
            worst[post_id] = (rival, order[rival], score_of[rival])
    reasons: dict[str, tuple[Reason, ...]] = {}
    for teacher_id, posts, post_won in zip(ids, applied, won, strict=True):
        score = score_of[teacher_id]
        if not posts:
            reasons[teacher_id] = (
                _no_application(
                    "R12", "no_application", name, score, "applied for no post this round offers"
                ),
            )
            continue
        rank = order[teacher_id]
        found: list[Reason] = []
        for post_id in posts:
            if post_id == post_won:
                found.append(_placed("R5", "placed", name, post_id, score))
                break
            bar = worst.get(post_id)
            if bar is None:  # cannot happen for a stable matching; say so rather than guess
                found.append(
                    _not_filled(
                        "R5",
                        "outranked",
                        name,
                        post_id,
                        score,
                        "post not filled; see solver statistics",
                    )
                )
                continue
            rival, rival_rank, rival_score = bar
            # Optimal mechanism: tied with the holder, who was kept to place more teachers.
            decided = explain(rival, teacher_id) if rival_rank < rank else "max_placement"
            found.append(
                _outranked(
                    outranked_rule,
                    "outranked",
                    name,
                    post_id,
                    rival,
                    score,
                    rival_score,
                    decided,
                )
            )
        reasons[teacher_id] = tuple(found)
    return reasons
