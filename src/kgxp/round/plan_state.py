"""The round plan's state: seats left and who is placed, one round at a time (R5, R6, R12).

:func:`kgxp.round.engine.run_round` advances a :class:`PlanState` through
``Policy.rounds`` — the in-school round, the cross-school round(s) and adjustment —
and the balanced and targeted mechanisms (:mod:`kgxp.round.objectives`) fork it to
run the rest of the plan differently. Each step books the seats offered and taken,
the placements, every teacher's reasons and the round's statistics.
"""

from __future__ import annotations

import copy
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from itertools import compress, filterfalse, repeat
from operator import add, attrgetter, not_

import attrs

from kgxp._internal.log import get_logger
from kgxp.model.balance import INDICATORS
from kgxp.model.building import builder
from kgxp.model.policy import BalanceGoal, Mechanism, Policy, RoundKind, RoundSpec
from kgxp.model.result import PolicyException, Reason, RoundStats
from kgxp.model.scenario import Post, Scenario, School, Teacher
from kgxp.model.teacher_columns import teacher_columns, teachers_by_id
from kgxp.round.adjustment import AdjustmentOutcome, run_adjustment
from kgxp.round.applications import default_in_school_applications
from kgxp.round.balance import (
    CV_GOAL_UNITS,
    RURAL_SHORTAGE,
    URBAN_TO_RURAL,
    BalanceTables,
    balance_tables,
)
from kgxp.round.competition import (
    CvOutcome,
    RoundCvTarget,
    RoundOutcome,
    RoundTarget,
    TargetOutcome,
    run_competitive_round,
)
from kgxp.round.prepare import Prepared
from kgxp.round.ranking import Ranking
from kgxp.round.scope import scope_unit
from kgxp.round.scoring import ScoreKey, written_score_key

__all__ = ["PlanState", "Pool"]

# The stage events keep the engine's logger name: users filter and configure the
# round's log by "kgxp.round.engine" (docs, benchmarks/run.py), whichever module books it.
log = get_logger("kgxp.round.engine")

_CONTAINS = attrgetter("__contains__")  # of a set: its bound membership test

# One builder per shape of reason (see kgxp.model.building.builder).
_unwilling = builder(Reason, "rule", "code", "round", "score", "detail")
_default_application = builder(Reason, "rule", "code", "round", "score", "detail")
_DEFAULT_APPLICATION_DETAIL = (
    "listed no post of the own school: applied to its posts of the main subject, then of "
    "other qualified subjects"
)


@attrs.frozen
class Pool:
    """The teachers still competing (neither protected by R4 nor placed by a round), in id
    order, with their ids and stated preferences.

    One value rather than three parallel lists, so that the three cannot drift apart:
    :meth:`of` makes it and :meth:`without` shrinks it, each dropping the same teachers
    from every column, and columns of different lengths are refused.
    The ids and preferences are the teachers' columns (:func:`teacher_columns`), kept
    beside the teachers so that a round reads them without touching a teacher object.
    Frozen with tuples: a forked plan shares its pool with the plan it was forked from.
    """

    teachers: tuple[Teacher, ...]
    ids: tuple[str, ...]
    preferences: tuple[tuple[str, ...], ...]

    def __attrs_post_init__(self) -> None:
        _same_lengths(self.teachers, self.ids, self.preferences)

    @classmethod
    def of(
        cls,
        teachers: Sequence[Teacher],
        ids: Sequence[str],
        preferences: Sequence[tuple[str, ...]],
        leaving: Collection[str],
    ) -> Pool:
        """The pool of ``teachers`` (ids and preferences beside) less the ids in ``leaving``."""
        _same_lengths(teachers, ids, preferences)  # compress would cut the longer short
        # In C (map, compress): no Python frame per teacher, at 100,000s of teachers.
        staying = list(map(not_, map(leaving.__contains__, ids)))
        return cls(
            tuple(compress(teachers, staying)),
            tuple(compress(ids, staying)),
            tuple(compress(preferences, staying)),
        )

    def without(self, leaving: Collection[str]) -> Pool:
        """The pool less the teachers whose id is in ``leaving``; the order is kept."""
        if not leaving:
            return self
        return Pool.of(self.teachers, self.ids, self.preferences, leaving)


def _same_lengths(
    teachers: Sequence[Teacher], ids: Sequence[str], preferences: Sequence[tuple[str, ...]]
) -> None:
    if not len(teachers) == len(ids) == len(preferences):
        raise ValueError(
            f"a pool's columns differ in length: {len(teachers)} teachers, "
            f"{len(ids)} ids, {len(preferences)} preference lists"
        )


class PlanState:
    """Seats left and who is placed, advanced one round at a time (internal).

    :mod:`kgxp.round.result_assembly` turns the state after the last round into the
    :class:`~kgxp.model.result.RoundResult`.
    """

    def __init__(
        self,
        scenario: Scenario,
        policy: Policy,
        prepared: Prepared,
        ranking: Ranking,
        goals: Mapping[str, int] | None = None,
        mechanisms: Mapping[RoundKind, Mechanism] | None = None,
    ) -> None:
        self.scenario = scenario
        self.policy = policy
        self.prepared = prepared
        self.ranking = ranking
        self.posts: dict[str, Post] = {p.id: p for p in scenario.posts}
        self.school_of: dict[str, str] = {p.id: p.school for p in scenario.posts}
        self.schools: dict[str, School] = {s.id: s for s in scenario.schools}
        # The teachers' columns, read once per scenario and shared with verify (at 100,000s
        # of teachers, reading the objects costs more than what is done with them); sorted
        # by id as the ids sort (unique).
        everyone = scenario.teachers
        columns = teacher_columns(scenario)
        by_id = sorted(range(len(columns.ids)), key=columns.ids.__getitem__)
        self.teachers: list[Teacher] = list(map(everyone.__getitem__, by_id))
        ids = list(map(columns.ids.__getitem__, by_id))
        # Per teacher in id order (as self.teachers): id and stated preferences.
        self.ids: list[str] = ids
        self.stated_preferences: list[tuple[str, ...]] = list(
            map(columns.preferences.__getitem__, by_id)
        )
        # Everyone neither placed nor protected, in id order: each round starts from it
        # and shrinks it, rather than every round scanning the whole county again.
        self.pool = Pool.of(self.teachers, ids, self.stated_preferences, prepared.protected)
        self.left_in = {p: s.in_school for p, s in prepared.split.items()}
        self.left_cross = {p: s.cross_school for p, s in prepared.split.items()}
        self.offered: dict[str, dict[str, int]] = defaultdict(dict)
        self.filled: dict[str, dict[str, int]] = defaultdict(dict)
        self.placed: dict[str, tuple[str, RoundSpec]] = {}  # teacher -> (post, round)
        self.reasons: dict[str, tuple[Reason, ...]] = {}  # teacher -> every round's, in order
        self.stats: list[RoundStats] = []
        # Per round kind, a mechanism other than the policy's (kgxp.round.objectives).
        self.mechanisms: Mapping[RoundKind, Mechanism] = mechanisms or {}
        # R12 均衡发展: goals for the balanced and targeted mechanisms; the targets are
        # enforced in the plan's first cross-school round (the in-school round moves
        # nobody, and adjustment only adds placements, so what it reaches holds).
        self.balance: BalanceTables | None = None
        self.target_round: str | None = None
        # Per enforced target, the count to reach by the end of the target round.
        self.goals: Mapping[str, int] = goals or {}
        # Targets found infeasible, with the best count reached (see _run_targeted).
        self.infeasible: Mapping[str, int] = {}
        if policy.mechanism in (Mechanism.BALANCED, Mechanism.TARGETED, Mechanism.MSDA):
            self.balance = balance_tables(scenario, policy, prepared.home)
            if policy.mechanism is not Mechanism.BALANCED and (
                self.balance.targets or self.balance.cv_targets
            ):
                self.target_round = next(
                    (r.name for r in policy.rounds if r.kind is RoundKind.CROSS_SCHOOL), None
                )
            if policy.mechanism is Mechanism.MSDA:  # one pass, every target at its count
                self.goals = {t.name: t.required for t in self.balance.targets}
        self.exceptions: tuple[PolicyException, ...] = ()
        self.target_outcomes: tuple[TargetOutcome, ...] = ()
        self.cv_outcomes: tuple[CvOutcome, ...] = ()
        # CV targets dropped as out of reach, with what the enforcing round found.
        self.cv_infeasible: Mapping[str, CvOutcome] = {}
        self.done = 0  # rounds of the plan run so far
        # The target round's placement in an earlier run (kgxp.round.objectives): where
        # the targeted mechanism's search starts, if it is a solution of this run's model.
        self.warm: Mapping[str, str] | None = None

    def fork(
        self,
        goals: Mapping[str, int] | None,
        mechanisms: Mapping[RoundKind, Mechanism] | None,
        warm: Mapping[str, str] | None = None,
    ) -> PlanState:
        """A copy to run the rest of the plan differently; this state is unchanged."""
        other = copy.copy(self)
        other.goals = goals or {}
        other.mechanisms = mechanisms or {}
        other.warm = warm
        # other.pool is this state's Pool: frozen, shared; each shrinks its own by without.
        other.left_in, other.left_cross = dict(self.left_in), dict(self.left_cross)
        other.offered = defaultdict(dict, {p: dict(v) for p, v in self.offered.items()})
        other.filled = defaultdict(dict, {p: dict(v) for p, v in self.filled.items()})
        other.placed, other.reasons = dict(self.placed), dict(self.reasons)
        other.stats = list(self.stats)
        return other

    def run(self, spec: RoundSpec) -> None:
        started = time.perf_counter()
        self.done += 1
        if spec.kind is RoundKind.ADJUSTMENT:
            self._adjust(spec)
        else:
            self._compete(spec)
        last = self.stats[-1]
        log.info(
            "round.stage",
            round=spec.name,
            kind=spec.kind.value,
            candidates=last.candidates,
            seats=last.seats_offered,
            placed=last.placed,
            seconds=round(time.perf_counter() - started, 4),
        )

    def units(self, spec: RoundSpec) -> dict[str, str]:
        """School id -> its unit at the round's scope (R11), once per round, not per check."""
        return {
            school_id: scope_unit(school, spec.scope) for school_id, school in self.schools.items()
        }

    def _compete(self, spec: RoundSpec) -> None:
        home = self.prepared.home
        school_of = self.school_of
        applies: list[list[str]]
        if spec.kind is RoundKind.IN_SCHOOL:
            volunteers = self.prepared.volunteers
            # Volunteers leave by the columns: no teacher object read (issue 19).
            competing = self.pool.without(volunteers)
            candidates, ids, listed = competing.teachers, competing.ids, competing.preferences
            offered = {p: n for p, n in self.left_in.items() if n > 0}
            offered_at: dict[str, set[str]] = defaultdict(set)
            for post_id in offered:
                offered_at[school_of[post_id]].add(post_id)
            none: set[str] = set()
            defaults = default_in_school_applications(self.scenario, self.policy)

            # R5: the in-school round offers a teacher the posts of their home school; one
            # who listed none of them applies to them, main subject first. Made for all the
            # candidates at once with map and filter, in C: no Python frame per teacher.
            applies = list(
                map(
                    list,
                    map(
                        filter,
                        map(
                            _CONTAINS, map(offered_at.get, map(home.__getitem__, ids), repeat(none))
                        ),
                        map(defaults.get, ids, listed) if defaults else listed,
                    ),
                )
            )

            if defaults:
                self._add_reasons(self._default_reasons(spec, candidates, defaults))
        else:
            candidates = self.pool.teachers
            offered = {
                p: self.left_cross[p]
                + (self.left_in[p] if spec.offer_unfilled_in_school_seats else 0)
                for p in self.posts
            }
            offered = {p: n for p, n in offered.items() if n > 0}
            unit = self.units(spec)
            # Per scope unit, its posts on offer; per school, its posts on offer.
            offered_in: dict[str, set[str]] = defaultdict(set)
            offered_at_school: dict[str, set[str]] = defaultdict(set)
            for post_id in offered:
                offered_in[unit[school_of[post_id]]].add(post_id)
                offered_at_school[school_of[post_id]].add(post_id)
            nothing: set[str] = set()

            # R5, R11: other schools' posts inside the teacher's scope unit; for all the
            # candidates at once with map and filter, in C: no Python frame per teacher.
            homes = list(map(home.__getitem__, self.pool.ids))
            in_unit = map(
                _CONTAINS, map(offered_in.get, map(unit.__getitem__, homes), repeat(nothing))
            )
            at_own = map(_CONTAINS, map(offered_at_school.get, homes, repeat(nothing)))
            applies = list(
                map(
                    list,
                    map(filterfalse, at_own, map(filter, in_unit, self.pool.preferences)),
                )
            )

        targets: list[RoundTarget] = []
        if spec.name == self.target_round and self.balance is not None:
            targets = [
                RoundTarget(t, self.counted(t.name), self.goals[t.name])
                for t in self.balance.targets
                if t.name in self.goals
            ]
        cv_targets: list[RoundCvTarget] = []
        if spec.name == self.target_round and self.balance is not None:
            held = self.held()
            cv_targets = [
                RoundCvTarget(
                    c,
                    tuple(c.counts(held, school_of, self.balance.subject_of)),
                    Fraction(self.goals[c.name], CV_GOAL_UNITS),
                )
                for c in self.balance.cv_targets
                if c.name in self.goals
            ]
        outcome = run_competitive_round(
            spec,
            candidates,
            offered,
            applies,
            self.ranking,
            self.mechanisms.get(spec.kind, self.policy.mechanism),
            self.balance,
            targets,
            cv_targets,
            self.warm if targets or cv_targets else None,
        )
        if targets or cv_targets:
            self.exceptions = outcome.exceptions
            self.target_outcomes = outcome.targets
            self.cv_outcomes = outcome.cv
        self._record(spec, len(candidates), offered, outcome)

    def _default_reasons(
        self,
        spec: RoundSpec,
        candidates: Sequence[Teacher],
        defaults: Mapping[str, tuple[str, ...]],
    ) -> dict[str, tuple[Reason, ...]]:
        """R5: the reason of each candidate applying by default, one shared per written score."""
        score_of = self.ranking.score
        shared: dict[ScoreKey, tuple[Reason, ...]] = {}
        found: dict[str, tuple[Reason, ...]] = {}
        for teacher in candidates:
            if defaults.get(teacher.id):
                score = score_of[teacher.id]
                key = written_score_key(score)
                reason = shared.get(key)
                if reason is None:
                    reason = shared[key] = (
                        _default_application(
                            "R5",
                            "default_application",
                            spec.name,
                            score,
                            _DEFAULT_APPLICATION_DETAIL,
                        ),
                    )
                found[teacher.id] = reason
        return found

    def placed_in(self, round_name: str) -> dict[str, str]:
        """Teacher id -> post id of the placements the named round made."""
        return {t: p for t, (p, spec) in self.placed.items() if spec.name == round_name}

    def counted(self, target: str) -> int:
        """What the placements so far (protected included) count toward a target."""
        tables = self.balance
        assert tables is not None  # only called with balance tables
        school_of = self.school_of
        if target == URBAN_TO_RURAL:
            urban, rural = tables.urban_home, tables.rural
            return sum(
                1 for t, (p, _) in self.placed.items() if t in urban and school_of[p] in rural
            )
        shortage = tables.shortage_posts
        held = [p for p, _ in self.placed.values()]
        held += [p for p in self.prepared.protected_post.values() if p is not None]
        return sum(1 for p in held if p in shortage)

    def held(self) -> list[tuple[Teacher, str]]:
        """Every (teacher, post) held so far, protected teachers included (§6 CV targets, R12)."""
        teachers = teachers_by_id(self.scenario)  # the scenario's shared table
        held = [(teachers[t], p) for t, (p, _) in self.placed.items()]
        held += [(teachers[t], p) for t, p in self.prepared.protected_post.items() if p is not None]
        return held

    def cv_squared(self, name: str) -> Fraction | None:
        """The exact CV² of a declared CV target's indicator over the placements so far."""
        tables = self.balance
        assert tables is not None  # only called with balance tables
        spec = next(c for c in tables.cv_targets if c.name == name)
        return spec.cv_squared(spec.counts(self.held(), self.school_of, tables.subject_of))

    def cv_met(self, name: str) -> bool:
        """Is a declared CV target met by the placements so far?"""
        tables = self.balance
        assert tables is not None  # only called with balance tables
        spec = next(c for c in tables.cv_targets if c.name == name)
        return spec.met_by(spec.counts(self.held(), self.school_of, tables.subject_of))

    def county_goals(self) -> tuple[int, ...]:
        """Teachers placed, then each balance goal's county-wide count (balanced policies).

        R12 均衡发展: the goals are rural shortage-subject seats filled (R17), urban → rural
        moves (R16) and placements into the schools §6's indicators mark as needy.
        """
        tables = self.balance
        assert tables is not None  # only for balanced and targeted policies
        school_of, subject_of = tables.school_of, tables.subject_of
        teachers = teachers_by_id(self.scenario)  # the scenario's shared table
        values = [len(self.placed)]
        for goal in tables.goals:
            if goal is BalanceGoal.RURAL_SHORTAGE:
                values.append(self.counted(RURAL_SHORTAGE))
            elif goal is BalanceGoal.URBAN_TO_RURAL:
                values.append(self.counted(URBAN_TO_RURAL))
            else:
                values.append(
                    sum(
                        1
                        for t, (p, _) in self.placed.items()
                        for name, counts in INDICATORS.items()
                        if (school_of[p], name) in tables.needy
                        and counts(teachers[t], subject_of[p])
                    )
                )
        return tuple(values)

    def _record(
        self,
        spec: RoundSpec,
        candidates: int,
        offered: Mapping[str, int],
        outcome: RoundOutcome | AdjustmentOutcome,
    ) -> None:
        """Book a round: seats offered and taken, placements, reasons, statistics."""
        for post_id, seats in offered.items():
            self.offered[post_id][spec.name] = seats
        placed = outcome.placed
        for post_id, taken in Counter(placed.values()).items():
            self._take(post_id, spec, taken)
        self.placed.update(
            zip(placed, zip(placed.values(), repeat(spec), strict=False), strict=True)
        )
        self._add_reasons(outcome.reasons)
        self.pool = self.pool.without(placed)
        self.stats.append(
            RoundStats(
                name=spec.name,
                kind=spec.kind,
                scope=spec.scope,
                candidates=candidates,
                seats_offered=sum(offered.values()),
                placed=len(placed),
                solver=outcome.solver,
            )
        )

    def _add_reasons(self, found: Mapping[str, tuple[Reason, ...]]) -> None:
        reasons = self.reasons
        # Each teacher's reasons so far, then the new ones: in C (map), and () + more is
        # ``more`` itself, so a teacher's first reasons stay the shared tuple they were.
        so_far = map(reasons.get, found, repeat(()))
        reasons.update(zip(found, map(add, so_far, found.values()), strict=True))

    def _take(self, post_id: str, spec: RoundSpec, taken: int) -> None:
        filled = self.filled[post_id]
        filled[spec.name] = filled.get(spec.name, 0) + taken
        if spec.kind is RoundKind.IN_SCHOOL:
            self.left_in[post_id] -= taken
        else:  # cross-school seats first, then leftovers
            cross = min(taken, max(self.left_cross[post_id], 0))
            self.left_cross[post_id] -= cross
            self.left_in[post_id] -= taken - cross

    def _adjust(self, spec: RoundSpec) -> None:
        unplaced = self.pool.teachers
        willing = [
            t
            for t in unplaced
            if t.willing_to_adjust or not self.policy.adjustment_requires_willingness
        ]
        willing_ids = {t.id for t in willing}
        # One shared (frozen) reason per score, as for the other reasons (issue 19).
        unwilling: dict[ScoreKey, tuple[Reason, ...]] = {}
        declined: dict[str, tuple[Reason, ...]] = {}
        for t in unplaced:
            if t.id in willing_ids:
                continue
            score = self.ranking.score[t.id]
            key = written_score_key(score)
            found = unwilling.get(key)
            if found is None:
                found = unwilling[key] = (
                    _unwilling(
                        "R6",
                        "unwilling",
                        spec.name,
                        score,
                        "not willing to accept organisational adjustment (I9)",
                    ),
                )
            declined[t.id] = found
        self._add_reasons(declined)
        vacancies = {
            p: self.left_in[p] + self.left_cross[p]
            for p in self.posts
            if self.left_in[p] + self.left_cross[p] > 0
        }
        outcome = run_adjustment(
            spec.name,
            willing,
            vacancies,
            self.posts,
            self.units(spec),
            self.prepared.home,
            self.ranking,
            {s.id: s.locality for s in self.scenario.schools},
        )
        self._record(spec, len(willing), vacancies, outcome)
