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
from fractions import Fraction
from itertools import compress, repeat
from operator import attrgetter, mul, ne

import attrs

from kgxp.model.balance import INDICATORS
from kgxp.model.building import builder
from kgxp.model.policy import Mechanism, RoundKind, RoundSpec
from kgxp.model.result import PolicyException, Reason, SolverStats
from kgxp.model.scenario import Teacher
from kgxp.round.balance import RURAL_SHORTAGE, BalanceTables, CvSpec, TargetSpec
from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.round.mechanisms.market import UNMATCHED, Market, Matching
from kgxp.round.ranking import SCORE, Ranking
from kgxp.round.scoring import ScoreKey, written_score_key

__all__ = [
    "CvOutcome",
    "RoundCvTarget",
    "RoundOutcome",
    "RoundTarget",
    "TargetOutcome",
    "run_competitive_round",
]

_ID = attrgetter("id")

_SOLVED = (Mechanism.OPTIMAL, Mechanism.BALANCED, Mechanism.TARGETED)


# Deterministic units (each a second of wall time or more); reaching it is reported.
OPTIMAL_TIME_LIMIT = 10.0


@attrs.frozen
class RoundTarget:
    """A declared target enforced in this round: reach ``goal`` by its end.

    ``already`` is what earlier stages (protection, earlier rounds) count toward it.
    """

    spec: TargetSpec
    already: int
    goal: int


@attrs.frozen
class TargetOutcome:
    """What the round did for one target: reached in the round, best reachable there."""

    spec: TargetSpec
    already: int
    reached: int
    best_possible: int
    feasible: bool
    proven: bool


@attrs.frozen
class RoundCvTarget:
    """A declared CV target enforced in this round: its CV at most ``limit`` by its end.

    ``fixed`` is each of the spec's schools' indicator count before the round.
    """

    spec: CvSpec
    fixed: tuple[int, ...]
    limit: Fraction


@attrs.frozen
class CvOutcome:
    """What the round did for one CV target: met in the round or not, and a CV² (exact).

    ``cv_squared`` is the round's own when the target was met there, else the
    lowest found by any placement of the round (``proven``: none lower).
    """

    spec: CvSpec
    feasible: bool
    cv_squared: Fraction | None
    proven: bool


@attrs.frozen
class RoundOutcome:
    placed: Mapping[str, str]  # teacher id -> post id
    reasons: Mapping[str, tuple[Reason, ...]]  # per candidate: placed / outranked / no_application
    solver: SolverStats
    exceptions: tuple[PolicyException, ...] = ()
    targets: tuple[TargetOutcome, ...] = ()
    cv: tuple[CvOutcome, ...] = ()


def run_competitive_round(
    spec: RoundSpec,
    candidates: Sequence[Teacher],
    offered: Mapping[str, int],
    applies: Callable[[Teacher], list[str]] | Sequence[list[str]],
    ranking: Ranking,
    mechanism: Mechanism,
    balance: BalanceTables | None = None,
    targets: Sequence[RoundTarget] = (),
    cv_targets: Sequence[RoundCvTarget] = (),
    warm: Mapping[str, str] | None = None,
) -> RoundOutcome:
    """Match ``candidates`` to the seats ``offered`` (post id -> seats) in one round.

    ``applies(teacher)`` lists the posts the teacher applies for in this round,
    in preference order: posts of their preferences that the round offers (with
    a seat) and its scope allows (own school for in-school, another school in
    the same unit for cross-school); or ``applies`` is those lists themselves, one per
    candidate in order (the engine makes them for all candidates at once, in C: issue 19).
    ``candidates`` must come in id order (I12: the optimal mechanism's model follows it);
    the engine's pool of unplaced teachers does.

    ``balance`` gives the balanced and targeted mechanisms their goals (R12); under
    the targeted mechanism, ``targets`` are met at the price of the fewest
    justified-envy pairs, each returned as a :class:`PolicyException` and added to
    the teacher's reasons; so are ``cv_targets`` (§6's CV at most a limit).
    ``warm`` (teacher id -> post id) is this round's placement in an earlier run
    of the plan, a starting point for the targeted mechanism's search.
    """
    post_ids = sorted(p for p, n in offered.items() if n > 0)
    index = {p: i for i, p in enumerate(post_ids)}
    ids = list(map(_ID, candidates))
    applied = list(map(applies, candidates)) if callable(applies) else list(applies)
    # Indices from this round's own maps and a validated scenario's (unique)
    # preferences: valid by construction, so the market is not checked again. Built
    # with map and zip, which run in C: no Python frame per candidate (issue 19).
    market = Market._trusted(
        capacities=tuple([offered[p] for p in post_ids]),
        preferences=tuple(map(tuple, map(map, repeat(index.__getitem__), applied))),
        # Each candidate's class once per post applied for: zip of one column gives (class,).
        priority=tuple(
            map(mul, zip(map(ranking.priority_class.__getitem__, ids)), map(len, applied))
        ),
        tiebreak=tuple(map(ranking.order.__getitem__, ids)),
    )
    baseline = deferred_acceptance(market)
    exceptions: tuple[PolicyException, ...] = ()
    reached: tuple[TargetOutcome, ...] = ()
    cv_reached: tuple[CvOutcome, ...] = ()
    if mechanism is Mechanism.MSDA and targets and balance is not None:
        matching = _msda(market, balance, targets, post_ids)
        solver = SolverStats(
            mechanism=mechanism.value,
            status="optimal",
            objective=matching.size,
            bound=None,
            baseline_placed=baseline.size,
        )
    elif mechanism in _SOLVED and market.n_candidates and market.n_posts:
        goals = (
            balance.weights(candidates, applied)
            if balance is not None and mechanism is not Mechanism.OPTIMAL
            else []
        )
        if mechanism is Mechanism.TARGETED and (targets or cv_targets) and balance is not None:
            matching, solver, exceptions, reached, cv_reached = _targeted(
                spec,
                market,
                baseline,
                goals,
                balance,
                (targets, cv_targets),
                candidates,
                applied,
                post_ids,
                ranking,
                _warm_matching(market, ids, post_ids, warm),
            )
        else:
            from kgxp.round.mechanisms.optimal import max_weakly_stable  # CP-SAT on first use

            optimal = max_weakly_stable(
                market, hint=baseline, time_limit=OPTIMAL_TIME_LIMIT, goals=goals
            )
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
        if targets:  # an empty market: nothing can be moved
            reached = tuple(
                TargetOutcome(t.spec, t.already, 0, 0, t.goal <= t.already, True) for t in targets
            )
        cv_reached = tuple(_cv_unchanged(t) for t in cv_targets)
    assignment = matching.assignment
    # Teacher id -> post id of those placed, in id order (an unmatched candidate's -1 picks
    # the padding at the end, dropped at once by compress).
    named = (*post_ids, "")
    placed = dict(
        compress(
            zip(ids, map(named.__getitem__, assignment), strict=True),
            map(ne, assignment, repeat(UNMATCHED)),
        )
    )
    reasons = _explain(spec, ids, market, matching, post_ids, ranking)
    for exception in exceptions:
        reasons[exception.teacher] += (_exception_reason(exception, ranking.score),)
    return RoundOutcome(
        placed=placed,
        reasons=reasons,
        solver=solver,
        exceptions=exceptions,
        targets=reached,
        cv=cv_reached,
    )


def _warm_matching(
    market: Market, ids: Sequence[str], post_ids: Sequence[str], warm: Mapping[str, str] | None
) -> Matching | None:
    """An earlier run's placement in this round as a matching of ``market``, if it is one."""
    if warm is None:
        return None
    index = {p: i for i, p in enumerate(post_ids)}
    assignment = [index.get(warm[t], -2) if t in warm else UNMATCHED for t in ids]
    if len(warm) != sum(a != UNMATCHED for a in assignment) or any(
        a != UNMATCHED and a not in prefs
        for a, prefs in zip(assignment, market.preferences, strict=True)
    ):
        return None  # not this market's: someone or some post is missing
    return Matching.of(market, assignment)


def _cv_unchanged(target: RoundCvTarget) -> CvOutcome:
    """A CV target in a round that moves nobody: met or not by the counts before it."""
    square = target.spec.cv_squared(target.fixed)
    met = square is not None and square <= target.limit**2
    return CvOutcome(target.spec, met, square, True)


def _msda(
    market: Market, balance: BalanceTables, targets: Sequence[RoundTarget], post_ids: Sequence[str]
) -> Matching:
    """The comparison baseline: R17's shortfall as minimum quotas on rural shortage posts.

    The seats still needed become minimums on this round's rural shortage posts,
    the posts with the most applicants first (ties by id), each up to its seats here
    and its number of applicants, so that a minimum is one the applications can meet.
    R16 is a quota on a kind of teacher, not on posts, which minimum quotas cannot
    express: MSDA ignores it.
    """
    from kgxp.round.mechanisms.minimum_quotas import multi_stage_deferred_acceptance

    needed = sum(max(t.goal - t.already, 0) for t in targets if t.spec.name == RURAL_SHORTAGE)
    applicants = [0] * market.n_posts
    for prefs in market.preferences:
        for p in prefs:
            applicants[p] += 1
    minimums = [0] * market.n_posts
    shortage = [p for p, post_id in enumerate(post_ids) if post_id in balance.shortage_posts]
    for p in sorted(shortage, key=lambda p: (-applicants[p], post_ids[p])):
        minimums[p] = min(market.capacities[p], applicants[p], needed)
        needed -= minimums[p]
    return multi_stage_deferred_acceptance(market, minimums)


def _targeted(
    spec: RoundSpec,
    market: Market,
    baseline: Matching,
    goals: Sequence[Sequence[Sequence[int]]],
    balance: BalanceTables,
    declared: tuple[Sequence[RoundTarget], Sequence[RoundCvTarget]],
    candidates: Sequence[Teacher],
    applied: Sequence[Sequence[str]],
    post_ids: Sequence[str],
    ranking: Ranking,
    warm: Matching | None,
) -> tuple[
    Matching,
    SolverStats,
    tuple[PolicyException, ...],
    tuple[TargetOutcome, ...],
    tuple[CvOutcome, ...],
]:
    """The targeted mechanism on one market: targets as constraints, fewest envy pairs."""
    from kgxp.round.mechanisms.targeted import (  # CP-SAT on first use
        CvTarget,
        Target,
        fewest_envy,
    )

    targets, cv_targets = declared

    weights = [
        [
            balance.shortage_row(posts)
            if t.spec.name == RURAL_SHORTAGE
            else balance.move_row(teacher, posts)
            for teacher, posts in zip(candidates, applied, strict=True)
        ]
        for t in targets
    ]
    found = fewest_envy(
        market,
        [
            Target(t.spec.name, w, max(t.goal - t.already, 0))
            for t, w in zip(targets, weights, strict=True)
        ],
        goals=goals,
        time_limit=OPTIMAL_TIME_LIMIT,
        cv_targets=[
            CvTarget(
                t.spec.name,
                t.spec.enrolments,
                t.fixed,
                _cv_adds(t.spec, balance, candidates, applied),
                t.limit,
            )
            for t in cv_targets
        ],
        warm=warm,
    )
    matching = found.matching
    solver = SolverStats(
        mechanism=Mechanism.TARGETED.value,
        status=found.status,
        objective=matching.size,
        bound=None,
        deterministic_time=round(found.deterministic_time, 3),
        proven_optimal=found.status == "optimal",
        timed_out=found.status != "optimal",
        baseline_placed=baseline.size,
    )
    outcomes = tuple(
        TargetOutcome(t.spec, t.already, c.reached, c.best_possible, c.feasible, c.proven)
        for t, c in zip(targets, found.targets, strict=True)
    )
    cv_outcomes = tuple(
        CvOutcome(t.spec, c.feasible, c.reached if c.feasible else c.best_possible, c.proven)
        for t, c in zip(cv_targets, found.cv, strict=True)
    )
    enforced: tuple[TargetSpec | CvSpec, ...] = (
        *(
            t.spec
            for t, o in zip(targets, outcomes, strict=True)
            if o.feasible and t.goal > t.already
        ),
        *(o.spec for o in cv_outcomes if o.feasible),
    )
    ids = [t.id for t in candidates]
    order = ranking.order
    exceptions = []
    for pair in found.envy:
        teacher_id, post_id = ids[pair.candidate], post_ids[pair.post]
        holder = None
        if pair.reason == "outranks_holder":
            own = market.priority[pair.candidate][
                market.preferences[pair.candidate].index(pair.post)
            ]
            worse = [
                ids[h]
                for h in matching.holders(pair.post)
                if market.priority[h][market.preferences[h].index(pair.post)] > own
            ]
            holder = max(worse, key=order.__getitem__)
        exceptions.append(
            PolicyException(
                round=spec.name,
                teacher=teacher_id,
                post=post_id,
                kind=pair.reason,
                holder=holder,
                targets=tuple(t.name for t in enforced),
                rules=tuple(t.rule for t in enforced),
            )
        )
    exceptions.sort(key=lambda e: (e.teacher, e.post))
    return matching, solver, tuple(exceptions), outcomes, cv_outcomes


def _cv_adds(
    spec: CvSpec,
    balance: BalanceTables,
    candidates: Sequence[Teacher],
    applied: Sequence[Sequence[str]],
) -> list[list[int]]:
    """Per candidate and application: the spec's school it adds an indicator teacher to, or -1."""
    index = {s: i for i, s in enumerate(spec.schools)}
    counts_it = INDICATORS[spec.indicator]
    school_of, subject_of = balance.school_of, balance.subject_of
    return [
        [index.get(school_of[p], -1) if counts_it(teacher, subject_of[p]) else -1 for p in posts]
        for teacher, posts in zip(candidates, applied, strict=True)
    ]


_policy_exception = builder(Reason, "rule", "code", "round", "post", "rival", "score", "detail")


def _exception_reason(exception: PolicyException, score: Mapping[str, Decimal]) -> Reason:
    names = ", ".join(exception.targets) or "declared targets"
    return _policy_exception(
        "/".join(exception.rules) or "R16",
        "policy_exception",
        exception.round,
        exception.post,
        exception.holder,
        score[exception.teacher],
        f"policy-justified exception: the claim to this post was set aside to meet {names}",
    )


# One builder per shape of reason (see kgxp.model.building.builder).
_placed = builder(Reason, "rule", "code", "round", "post", "score")
_no_application = builder(Reason, "rule", "code", "round", "score", "detail")
_outranked = builder(
    Reason, "rule", "code", "round", "post", "rival", "score", "rival_score", "decided_by"
)
_not_filled = builder(Reason, "rule", "code", "round", "post", "score", "detail")


def _explain(
    spec: RoundSpec,
    ids: Sequence[str],
    market: Market,
    matching: Matching,
    post_ids: Sequence[str],
    ranking: Ranking,
) -> dict[str, tuple[Reason, ...]]:
    """For each candidate: every post applied for above the one won, who took it and why.

    Read from the market's indices, not from post ids: a candidate's posts are
    ``market.preferences``, the place of the post won among them ``matching.ranks``,
    and their rank in ``ranking.order`` ``market.tiebreak`` (issue 19: run_round).
    """
    order_of = market.tiebreak
    explain = ranking.explain
    name = spec.name
    outranked_rule = "R5" if spec.kind is not RoundKind.ADJUSTMENT else "R6"
    scores = list(map(ranking.score.__getitem__, ids))
    # Equal reasons are one shared (frozen) instance: teachers of one score who lost the
    # same post to the same bar, or won it, get the same reason — a third to a half of
    # a round's reasons, built and kept once (issue 19: the result's memory). Scores
    # are keyed as written (scoring.written_score_key), as everywhere reasons are shared:
    # each written score gets a small int, found by the Decimal's identity (``scores``
    # holds every one alive for this call, so no id is reused), so that a shared reason
    # is found by one int (post index and score class), not a tuple of strings.
    by_identity = dict(zip(map(id, scores), scores, strict=True))
    written: dict[ScoreKey, int] = {}
    class_of = {
        ident: written.setdefault(written_score_key(score), len(written))
        for ident, score in by_identity.items()
    }
    keys = list(map(class_of.__getitem__, map(id, scores)))
    n_classes = len(written)
    # Per post someone lost, its worst holder (the bar an applicant had to clear): id,
    # rank, score; None if no one holds it. Found on first need: most posts lost no one.
    bars: dict[int, tuple[str, int, Decimal] | None] = {}
    by_post = matching.by_post
    reasons: dict[str, tuple[Reason, ...]] = {}
    placed: dict[int, Reason] = {}  # by post * n_classes + score class
    won_first: dict[int, tuple[Reason, ...]] = {}  # the same, as a whole (one) reason list
    outranked: dict[tuple[int, str], Reason] = {}
    unapplied: dict[int, tuple[Reason, ...]] = {}
    for teacher_id, posts, won_at, key, score, rank in zip(
        ids, market.preferences, matching.ranks, keys, scores, order_of, strict=True
    ):
        if won_at == 0:  # most candidates: their first choice, one reason
            first = posts[0]
            code = first * n_classes + key
            alone = won_first.get(code)
            if alone is None:
                reason = placed.get(code)
                if reason is None:
                    reason = placed[code] = _placed("R5", "placed", name, post_ids[first], score)
                alone = won_first[code] = (reason,)
            reasons[teacher_id] = alone
            continue
        if not posts:
            none = unapplied.get(key)
            if none is None:
                none = unapplied[key] = (
                    _no_application(
                        "R12",
                        "no_application",
                        name,
                        score,
                        "applied for no post this round offers",
                    ),
                )
            reasons[teacher_id] = none
            continue
        found: list[Reason] = []
        # Unplaced (won_at -1): every post applied for was lost.
        for post in posts[:won_at] if won_at > 0 else posts:
            if post in bars:
                bar = bars[post]
            else:
                holders = by_post[post]
                worst = max(holders, key=order_of.__getitem__) if holders else None
                bar = bars[post] = (
                    None if worst is None else (ids[worst], order_of[worst], scores[worst])
                )
            if bar is None:  # cannot happen for a stable matching; say so rather than guess
                found.append(
                    _not_filled(
                        "R5",
                        "outranked",
                        name,
                        post_ids[post],
                        score,
                        "post not filled; see solver statistics",
                    )
                )
                continue
            rival, rival_rank, rival_score = bar
            # Optimal mechanism: tied with the holder, who was kept to place more teachers.
            if rival_rank >= rank:
                decided = "max_placement"
            elif rival_score != score:  # explain's first criterion, without the call
                decided = SCORE
            else:
                decided = explain(rival, teacher_id)
            lost = outranked.get((post * n_classes + key, decided))
            if lost is None:
                lost = outranked[post * n_classes + key, decided] = _outranked(
                    outranked_rule,
                    "outranked",
                    name,
                    post_ids[post],
                    rival,
                    score,
                    rival_score,
                    decided,
                )
            found.append(lost)
        if won_at > 0:
            won = posts[won_at]
            found.append(_placed_reason(placed, won * n_classes + key, name, post_ids[won], score))
        reasons[teacher_id] = tuple(found)
    return reasons


def _placed_reason(
    placed: dict[int, Reason], code: int, name: str, post_id: str, score: Decimal
) -> Reason:
    """The shared placed reason of a post and score class (``code``), made on first use."""
    reason = placed.get(code)
    if reason is None:
        reason = placed[code] = _placed("R5", "placed", name, post_id, score)
    return reason
