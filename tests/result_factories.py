"""Hand-built round results: outcomes by hand, seat bookkeeping by rule.

The outcomes of a hand-made result are written out in the test; the
:class:`~kgxp.model.result.PostSeats` rows are pure bookkeeping over them (who holds
what, in which round), given the R5 split by hand, so a test that moves one
teacher rebuilds a consistent seat table with one call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

from kgxp.model.digest import scenario_digest
from kgxp.model.policy import Policy, RoundKind
from kgxp.model.result import Conflict, Outcome, PostSeats, RoundResult, RoundStats, Status
from kgxp.model.scenario import Scenario
from kgxp.round.warning import warning_list

_STATUS = {
    RoundKind.IN_SCHOOL: Status.IN_SCHOOL,
    RoundKind.CROSS_SCHOOL: Status.CROSS_SCHOOL,
    RoundKind.ADJUSTMENT: Status.ADJUSTED,
}


def _score(scenario: Scenario, teacher_id: str) -> Decimal:
    for teacher in scenario.teachers:
        if teacher.id == teacher_id:
            return Decimal(repr(teacher.score)).quantize(Decimal("0.01"))
    return Decimal(0)


def outcome(
    scenario: Scenario,
    teacher: str,
    status: Status,
    home: str,
    *,
    post: str | None = None,
    school: str | None = None,
    round: str | None = None,
    protected_by: tuple[str, ...] = (),
) -> Outcome:
    """One outcome; ``school`` defaults to the post's school."""
    if school is None and post is not None:
        school = next((p.school for p in scenario.posts if p.id == post), None)
    preferences = next(t.preferences for t in scenario.teachers if t.id == teacher)
    return Outcome(
        teacher=teacher,
        status=status,
        home_school=home,
        post=post,
        school=school,
        round=round,
        score=_score(scenario, teacher),
        protected_by=protected_by,
        # As the engine publishes it (checked by verify, I12).
        preference_rank=preferences.index(post) if post in preferences else None,
    )


def seat_rows(
    scenario: Scenario,
    outcomes: Iterable[Outcome],
    split: Mapping[str, tuple[int, int]],
    policy: Policy,
) -> tuple[PostSeats, ...]:
    """The seat table the outcomes imply, for the R5 ``split`` (post -> (in, cross)).

    Offers follow the round plan: in-school rounds offer the in-school seats
    left, cross-school rounds the cross-school seats left plus (when the round
    says so) the in-school seats left, adjustment rounds every seat left; a
    placement outside the in-school round takes a cross-school seat first.
    """
    outcomes = list(outcomes)
    protected = Counter(o.post for o in outcomes if o.status is Status.PROTECTED and o.post)
    fills = Counter((o.round, o.post) for o in outcomes if o.status in _STATUS.values())
    rows = []
    for post in sorted(scenario.posts, key=lambda p: p.id):
        left_in, left_cross = split[post.id]
        offered: dict[str, int] = {}
        filled: dict[str, int] = {}
        for spec in policy.rounds:
            n = fills[(spec.name, post.id)]
            if spec.kind is RoundKind.IN_SCHOOL:
                offer = max(left_in, 0)
            elif spec.kind is RoundKind.CROSS_SCHOOL:
                extra = left_in if spec.offer_unfilled_in_school_seats else 0
                offer = max(left_cross, 0) + max(extra, 0)
            else:
                offer = max(left_cross, 0) + max(left_in, 0)
            if offer:
                offered[spec.name] = offer
            if n:
                filled[spec.name] = n
            if spec.kind is RoundKind.IN_SCHOOL:
                left_in -= n
            else:
                from_cross = min(n, max(left_cross, 0))
                left_cross -= from_cross
                left_in -= n - from_cross
        rows.append(
            PostSeats(
                post=post.id,
                school=post.school,
                subject=post.subject,
                seats=post.seats,
                reserved=post.reserved,
                protected=protected[post.id],
                in_school=split[post.id][0],
                cross_school=split[post.id][1],
                offered=offered,
                filled=filled,
                vacant=post.seats - post.reserved - protected[post.id] - sum(filled.values()),
            )
        )
    return tuple(rows)


def round_result(
    scenario: Scenario,
    outcomes: Iterable[Outcome],
    split: Mapping[str, tuple[int, int]],
    *,
    policy: Policy | None = None,
    seed: int = 0,
    conflicts: Iterable[Conflict] = (),
) -> RoundResult:
    """A complete result: outcomes sorted by teacher, seat rows by rule, round totals."""
    policy = policy or Policy()
    ordered = tuple(sorted(outcomes, key=lambda o: o.teacher))
    rows = seat_rows(scenario, ordered, split, policy)
    entered = _candidates(scenario, ordered, policy)
    stats = tuple(
        RoundStats(
            name=spec.name,
            kind=spec.kind,
            scope=spec.scope,
            candidates=entered[spec.name],
            seats_offered=sum(row.offered.get(spec.name, 0) for row in rows),
            placed=sum(row.filled.get(spec.name, 0) for row in rows),
        )
        for spec in policy.rounds
    )
    return RoundResult(
        scenario_digest=scenario_digest(scenario),
        seed=seed,
        policy=policy,
        outcomes=ordered,
        posts=rows,
        rounds=stats,
        conflicts=tuple(conflicts),
        warning_talks=warning_list(scenario, policy),
    )


def _candidates(scenario: Scenario, outcomes: Iterable[Outcome], policy: Policy) -> dict[str, int]:
    """Round name -> teachers who entered it, walked round by round from the outcomes:
    everyone not protected, until the round that placed them; an in-school round without
    the volunteers, an adjustment round without the unwilling (when the policy asks)."""
    teachers = {t.id: t for t in scenario.teachers}
    pool = [teachers[o.teacher] for o in outcomes if o.status is not Status.PROTECTED]
    placed_in = {o.teacher: o.round for o in outcomes}
    entered: dict[str, int] = {}
    for spec in policy.rounds:
        if spec.kind is RoundKind.IN_SCHOOL and policy.allow_voluntary_cross_school:
            entered[spec.name] = sum(1 for t in pool if not t.volunteers_cross_school)
        elif spec.kind is RoundKind.ADJUSTMENT and policy.adjustment_requires_willingness:
            entered[spec.name] = sum(1 for t in pool if t.willing_to_adjust)
        else:
            entered[spec.name] = len(pool)
        pool = [t for t in pool if placed_in[t.id] != spec.name]
    return entered


def with_outcomes(
    scenario: Scenario,
    result: RoundResult,
    *changed: Outcome,
    split: Mapping[str, tuple[int, int]],
) -> RoundResult:
    """``result`` with the outcomes of the ``changed`` teachers replaced, seat rows rebuilt."""
    by_teacher = {o.teacher: o for o in result.outcomes}
    by_teacher.update({o.teacher: o for o in changed})
    return round_result(
        scenario,
        by_teacher.values(),
        split,
        policy=result.policy,
        seed=result.seed,
        conflicts=result.conflicts,
    )
