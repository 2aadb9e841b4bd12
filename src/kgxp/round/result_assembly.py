"""The round's result from the plan's final state: outcomes, seat table, target reports (R7).

Every teacher gets one :class:`~kgxp.model.result.Outcome` — placed in the round
that placed them, protected (R4), or waiting one term at a school chosen by need
for their main subject (R7, 跟岗学习/顶岗实践) — and every post one
:class:`~kgxp.model.result.PostSeats` row. Everything is sorted by id and holds no
wall-clock data, so the result's JSON is byte-identical whatever the input's record
order (I12).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from heapq import heapify, heappop, heapreplace
from typing import Any

from kgxp.model.building import builder
from kgxp.model.digest import scenario_digest
from kgxp.model.outcome import COLUMNS
from kgxp.model.policy import Mechanism, RoundKind
from kgxp.model.result import (
    FrozenCounts,
    OutcomeTable,
    PostSeats,
    Reason,
    RoundResult,
    Status,
    TargetReport,
)
from kgxp.round.balance import cv_report, explain_target
from kgxp.round.plan_state import PlanState
from kgxp.round.scoring import ScoreKey, written_score_key
from kgxp.round.warning import warning_list

__all__ = ["assemble_result"]

_WAITING_DETAIL = "待岗 one term: 跟岗学习/顶岗实践 at the assigned school"

# One builder per shape of reason and outcome (see kgxp.model.building.builder).
_protected_reason = builder(Reason, "rule", "code", "post", "score", "detail")
_waiting_reason = builder(Reason, "rule", "code", "score", "detail")
# The fields each kind of outcome is given (its ``model_fields_set``, as when the engine
# built Outcome objects): by position in ``_SHAPES``, every column but those named.


def _given_except(*left_out: str) -> tuple[str, ...]:
    return tuple(name for name in COLUMNS if name not in left_out)


_SHAPES = (
    _given_except("protected_by"),  # placed in a round (R5, R6)
    _given_except("round"),  # protected (R4)
    _given_except("post", "round", "protected_by", "preference_rank"),  # waiting (R7)
)
_PLACED, _PROTECTED, _WAITING = range(len(_SHAPES))

_post_seats = builder(
    PostSeats,
    "post",
    "school",
    "subject",
    "seats",
    "reserved",
    "protected",
    "in_school",
    "cross_school",
    "offered",
    "filled",
    "vacant",
)

_STATUS = {
    RoundKind.IN_SCHOOL: Status.IN_SCHOOL,
    RoundKind.CROSS_SCHOOL: Status.CROSS_SCHOOL,
    RoundKind.ADJUSTMENT: Status.ADJUSTED,
}


def assemble_result(state: PlanState, seed: int) -> RoundResult:
    """The round's result from the plan's state after its last round (sorted by id, no clock)."""
    return RoundResult(
        scenario_digest=scenario_digest(state.scenario),
        seed=seed,
        policy=state.policy,
        outcomes=_outcomes(state, _shadow_schools(state)),
        posts=_seat_table(state),
        rounds=tuple(state.stats),
        conflicts=state.prepared.conflicts,
        warning_talks=warning_list(state.scenario, state.policy, state.ranking.score),
        exceptions=state.exceptions,
        targets=_target_reports(state),
    )


def _target_reports(state: PlanState) -> tuple[TargetReport, ...]:
    """Each declared target after every round, with the enforcing round's findings."""
    if state.balance is None or state.policy.mechanism is not Mechanism.TARGETED:
        return ()
    reports = []
    for spec in state.balance.targets:
        achieved = state.counted(spec.name)
        met = achieved >= spec.required
        best = state.infeasible.get(spec.name)
        if not met and best is None:  # never enforced: no cross-school round
            best = achieved
        reports.append(
            TargetReport(
                target=spec.name,
                rule=spec.rule,
                share=spec.share,
                base=spec.base,
                required=spec.required,
                achieved=achieved,
                met=met,
                feasible=met,
                round=state.target_round,
                best_possible=best,
                envy_pairs=sum(1 for e in state.exceptions if spec.name in e.targets),
                explanation=None if met else explain_target(spec, state.target_round, best),
            )
        )
    outcomes = {o.spec.name: o for o in state.cv_outcomes} | dict(state.cv_infeasible)
    held = state.held()
    for cv in state.balance.cv_targets:
        found = outcomes.get(cv.name)
        reports.append(
            cv_report(
                cv,
                cv.counts(held, state.school_of, state.balance.subject_of),
                state.target_round,
                None if found is None else (found.feasible, found.cv_squared),
                sum(1 for e in state.exceptions if cv.name in e.targets),
                proven=found is not None and not found.feasible and found.proven,
            )
        )
    return tuple(reports)


def _outcomes(state: PlanState, shadow: Mapping[str, str]) -> OutcomeTable:
    """Every teacher's outcome, in id order, as the columns of a table: no object per
    teacher, one loop for 100,000s of them making a row tuple each, turned into
    columns at the end in one ``zip`` (a tenth of the calls of appending to each)."""
    score_of = state.ranking.score
    home_of = state.prepared.home
    protected = state.prepared.protected
    protected_post = state.prepared.protected_post
    placed = state.placed
    reasons = state.reasons
    school_of = state.school_of
    # Per teacher: the fields of an Outcome in declaration order (COLUMNS), then its shape.
    rows: list[tuple[Any, ...]] = []
    row = rows.append
    # One shared (frozen) waiting reason per score: waiting teachers of one score have
    # equal ones (issue 19: the result's memory). Keyed by the digits and exponent, not
    # the value, so Decimal('0.00') and Decimal('-0.00') stay apart as in the JSON.
    waiting_reasons: dict[ScoreKey, Reason] = {}
    waiting_by_object: dict[int, Reason] = {}
    # A waiting teacher's equal tuples of (shared) reasons are one tuple too: keyed by
    # their members' identities, which the kept tuple holds alive, so no id is reused
    # meanwhile. (A placed teacher's tuple is kept as the round made it: nine in ten are
    # distinct, and sharing the rest saved ~0.5 MB at 100,000 teachers for ~0.05 s.)
    tuples: dict[tuple[int, ...], tuple[Reason, ...]] = {}

    def shared(found: tuple[Reason, ...]) -> tuple[Reason, ...]:
        return tuples.setdefault(tuple(map(id, found)), found)

    for tid, preferences in zip(state.ids, state.stated_preferences, strict=True):
        score = score_of[tid]
        booked = placed.get(tid)
        if booked is not None:
            post_id, spec = booked
            row(
                (
                    tid,
                    _STATUS[spec.kind],
                    home_of[tid],
                    post_id,
                    school_of[post_id],
                    spec.name,
                    score,
                    (),
                    _rank(preferences, post_id),
                    reasons[tid],  # as the round made them (mostly one tuple per teacher)
                    _PLACED,
                )
            )
        elif tid in protected:
            seat = protected_post[tid]
            by = protected[tid]
            code = "protected" if seat else "protected_without_seat"
            row(
                (
                    tid,
                    Status.PROTECTED,
                    home_of[tid],
                    seat,
                    school_of[seat] if seat else None,
                    None,
                    score,
                    by,
                    _rank(preferences, seat),
                    (_protected_reason("R4", code, seat, score, ", ".join(by)),),
                    _PROTECTED,
                )
            )
        else:
            # Found by the Decimal's identity first (ranking.score keeps every one alive),
            # as competition._explain does: no (sign, digits, exponent) per teacher.
            waiting = waiting_by_object.get(id(score))
            if waiting is None:
                key = written_score_key(score)
                waiting = waiting_reasons.get(key)
                if waiting is None:
                    waiting = waiting_reasons[key] = _waiting_reason(
                        "R7", "waiting", score, _WAITING_DETAIL
                    )
                waiting_by_object[id(score)] = waiting
            row(
                (
                    tid,
                    Status.WAITING,
                    home_of[tid],
                    None,
                    shadow[tid],
                    None,
                    score,
                    (),
                    None,
                    shared((*reasons.get(tid, ()), waiting)),
                    _WAITING,
                )
            )
    if not rows:
        return OutcomeTable.from_columns(dict.fromkeys(COLUMNS, ()), (), _SHAPES)
    *columns, shapes = zip(*rows, strict=True)
    return OutcomeTable.from_columns(dict(zip(COLUMNS, columns, strict=True)), shapes, _SHAPES)


def _shadow_schools(state: PlanState) -> dict[str, str]:
    """R7: a school for each waiting teacher, by need for their main subject.

    Need is a school's seats of that subject still empty or reserved for new
    recruits (顶岗 stands in until they come); the neediest school inside the
    teacher's last round's scope unit wins, ties by id; no need: home school.
    """
    unit = state.units(state.policy.rounds[-1])
    need: Counter[tuple[str, str]] = Counter()
    for post in state.posts.values():
        empty = state.left_in[post.id] + state.left_cross[post.id] + post.reserved
        if empty > 0 and state.schools[post.school].merged_into is None:
            need[(post.school, post.subject)] += empty
    waiting = sorted(
        state.pool.teachers,
        key=lambda t: state.ranking.order[t.id],
    )
    # Per (unit, subject), the schools still in need as a heap of (-need, school): the
    # top is the neediest school, ties by id, without scanning a county-wide unit's
    # schools for every teacher. Only the top entry ever changes, so none goes stale.
    needy: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for (school, subject), count in need.items():
        needy[(unit[school], subject)].append((-count, school))
    for schools in needy.values():
        heapify(schools)
    assigned: dict[str, str] = {}
    for teacher in waiting:
        home = state.prepared.home[teacher.id]
        heap = needy.get((unit[home], teacher.main_subject))
        if not heap:
            assigned[teacher.id] = home
            continue
        negative_need, best = heap[0]
        if negative_need == -1:
            heappop(heap)  # its last empty seat
        else:
            heapreplace(heap, (negative_need + 1, best))
        assigned[teacher.id] = best
    return assigned


def _seat_table(state: PlanState) -> tuple[PostSeats, ...]:
    protected = Counter(p for p in state.prepared.protected_post.values() if p is not None)
    # Per-round counts keyed by round name in name order (byte-stable JSON); one
    # sort of the plan's names rather than two sorts per post.
    names = sorted({spec.name for spec in state.policy.rounds})
    # Equal counts are one read-only object across posts (issue 19: ~7% of a 100,000-
    # teacher result's memory; at 10,000 teachers ~200 distinct among 4,280).
    shared: dict[tuple[tuple[str, int], ...], FrozenCounts] = {}

    def by_name(counts: Mapping[str, int]) -> FrozenCounts:
        items = tuple((name, counts[name]) for name in names if name in counts)
        found = shared.get(items)
        if found is None:
            found = shared[items] = FrozenCounts(items)
        return found

    rows = []
    left_in, left_cross = state.left_in, state.left_cross
    offered, filled = state.offered, state.filled
    splits = state.prepared.split
    for post_id in sorted(state.posts):
        post = state.posts[post_id]
        split = splits[post_id]
        rows.append(
            _post_seats(
                post_id,
                post.school,
                post.subject,
                post.seats,
                post.reserved,
                protected[post_id],
                split.in_school,
                split.cross_school,
                by_name(offered.get(post_id, {})),
                by_name(filled.get(post_id, {})),
                left_in[post_id] + left_cross[post_id],
            )
        )
    return tuple(rows)


def _rank(preferences: tuple[str, ...], post_id: str | None) -> int | None:
    """0-based position of ``post_id`` in a teacher's preferences (``None``: not listed)."""
    return preferences.index(post_id) if post_id in preferences else None
