"""``run_round``: one whole 县管校聘 competition, stage by stage (R1–R13).

1. prepare — R3 home schools, R2 reserved seats, R4 protected pre-placement, R5 split
2. the round plan (``Policy.rounds``), in order:
   - in-school round: each school's own teachers for its in-school seats (R5)
   - cross-school round(s): those still unplaced (and volunteers, if allowed) for
     other schools' cross-school seats — plus in-school seats left empty, if the
     round says so — inside the round's scope unit (R5, R11, R13)
   - adjustment: willing teachers to the remaining vacancies (R6)
3. waiting — everyone else, each with a school for 跟岗学习/顶岗实践 (R7)

Every stage is a pure function of immutable data; the result is sorted by id and
holds no wall-clock data, so the same scenario, policy and seed give
byte-identical JSON whatever the order of the input records (I12).
"""

from __future__ import annotations

import copy
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from fractions import Fraction
from heapq import heapify, heappop, heapreplace
from operator import attrgetter

from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.log import get_logger
from kgxp.model.balance import INDICATORS
from kgxp.model.digest import scenario_digest
from kgxp.model.policy import BalanceGoal, Mechanism, Policy, RoundKind, RoundSpec
from kgxp.model.result import (
    Outcome,
    PolicyException,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    Status,
    TargetReport,
    builder,
)
from kgxp.model.scenario import Post, Scenario, School, Teacher
from kgxp.model.validation import check
from kgxp.round.adjustment import AdjustmentOutcome, run_adjustment
from kgxp.round.applications import default_in_school_applications
from kgxp.round.balance import (
    CV_GOAL_UNITS,
    RURAL_SHORTAGE,
    URBAN_TO_RURAL,
    BalanceTables,
    balance_tables,
    cv_report,
    explain_target,
)
from kgxp.round.competition import (
    CvOutcome,
    RoundCvTarget,
    RoundOutcome,
    RoundTarget,
    TargetOutcome,
    run_competitive_round,
)
from kgxp.round.objectives import run_balanced, run_targeted
from kgxp.round.prepare import Prepared, prepare
from kgxp.round.ranking import Ranking, scenario_ranking
from kgxp.round.scope import scope_unit
from kgxp.round.warning import warning_list

__all__ = ["run_round"]

log = get_logger(__name__)

_BY_ID = attrgetter("id")
_WAITING_DETAIL = "待岗 one term: 跟岗学习/顶岗实践 at the assigned school"

# One builder per shape of reason and outcome (see kgxp.model.result.builder).
_unwilling = builder(Reason, "rule", "code", "round", "score", "detail")
_protected_reason = builder(Reason, "rule", "code", "post", "score", "detail")
_waiting_reason = builder(Reason, "rule", "code", "score", "detail")
_default_application = builder(Reason, "rule", "code", "round", "score", "detail")
_DEFAULT_APPLICATION_DETAIL = (
    "listed no post of the own school: applied to its posts of the main subject, then of "
    "other qualified subjects"
)
_placed_outcome = builder(
    Outcome,
    "teacher",
    "status",
    "home_school",
    "post",
    "school",
    "round",
    "score",
    "preference_rank",
    "reasons",
)
_protected_outcome = builder(
    Outcome,
    "teacher",
    "status",
    "home_school",
    "post",
    "school",
    "score",
    "protected_by",
    "preference_rank",
    "reasons",
)
_waiting_outcome = builder(
    Outcome, "teacher", "status", "home_school", "school", "score", "reasons"
)

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


def run_round(
    scenario: Scenario, *, policy: Policy | None = None, seed: int | None = None
) -> RoundResult:
    """Run one placement round of ``scenario`` under ``policy`` (default: ``Policy()``).

    ``seed`` is the lottery seed (default: ``policy.lottery_seed``). The scenario
    is validated first (:class:`~kgxp.exceptions.ScenarioError` lists every
    problem; nothing is run on an invalid scenario).

    >>> import kgxp
    >>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
    >>> sum(result.counts().values()) == 2431
    True
    """
    policy = policy or Policy()
    seed = policy.lottery_seed if seed is None else seed
    with (
        collector_paused()
    ):  # see kgxp._internal.gc_pause: a quarter to a third of the time otherwise
        return _run(scenario, policy, seed)


def _run(scenario: Scenario, policy: Policy, seed: int) -> RoundResult:
    started = time.perf_counter()
    check(scenario)
    ranking = scenario_ranking(scenario, policy, seed)
    prepared = prepare(scenario, policy, ranking)
    log.info(
        "round.prepared",
        teachers=len(scenario.teachers),
        protected=len(prepared.protected),
        conflicts=len(prepared.conflicts),
        seconds=round(time.perf_counter() - started, 4),
    )

    def run_plan(
        goals: Mapping[str, int] | None = None,
        mechanisms: Mapping[RoundKind, Mechanism] | None = None,
        start: _RoundState | None = None,
        head_only: bool = False,
    ) -> _RoundState:
        """The plan, or its leading in-school round (``head_only``), from ``start`` if given."""
        if start is None:
            state = _RoundState(scenario, policy, prepared, ranking, goals, mechanisms)
        else:
            state = start.fork(goals, mechanisms)
        for spec in policy.rounds[state.done :]:
            if head_only and spec.kind is not RoundKind.IN_SCHOOL:
                break
            state.run(spec)
        return state

    if policy.mechanism is Mechanism.TARGETED:
        state = run_targeted(run_plan)
    elif policy.mechanism is Mechanism.BALANCED:
        state = run_balanced(run_plan)
    else:
        state = run_plan()
    result = state.finish(seed)
    log.info(
        "round.finished",
        **result.counts(),
        seconds=round(time.perf_counter() - started, 4),
    )
    return result


class _RoundState:
    """Seats left and who is placed, advanced one round at a time (internal)."""

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
        self.teachers: list[Teacher] = sorted(scenario.teachers, key=_BY_ID)
        # Everyone neither placed nor protected, in id order: each round starts from it
        # and shrinks it, rather than every round scanning the whole county again.
        protected = prepared.protected
        self.pool: list[Teacher] = [t for t in self.teachers if t.id not in protected]
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

    def fork(
        self,
        goals: Mapping[str, int] | None,
        mechanisms: Mapping[RoundKind, Mechanism] | None,
    ) -> _RoundState:
        """A copy to run the rest of the plan differently; this state is unchanged."""
        other = copy.copy(self)
        other.goals = goals or {}
        other.mechanisms = mechanisms or {}
        other.pool = list(self.pool)
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

    def _units(self, spec: RoundSpec) -> dict[str, str]:
        """School id -> its unit at the round's scope (R11), once per round, not per check."""
        return {
            school_id: scope_unit(school, spec.scope) for school_id, school in self.schools.items()
        }

    def _compete(self, spec: RoundSpec) -> None:
        home = self.prepared.home
        school_of = self.school_of
        applies: Callable[[Teacher], list[str]]
        if spec.kind is RoundKind.IN_SCHOOL:
            volunteers = self.prepared.volunteers
            candidates = [t for t in self.pool if t.id not in volunteers]
            offered = {p: n for p, n in self.left_in.items() if n > 0}
            offered_at: dict[str, set[str]] = defaultdict(set)
            for post_id in offered:
                offered_at[school_of[post_id]].add(post_id)
            none: set[str] = set()
            defaults = default_in_school_applications(self.scenario, self.policy)

            def applies(teacher: Teacher) -> list[str]:
                # R5: the in-school round offers a teacher the posts of their home school;
                # one who listed none of them applies to them main subject first.
                own = offered_at.get(home[teacher.id], none)
                default = defaults.get(teacher.id)
                return [
                    p for p in (teacher.preferences if default is None else default) if p in own
                ]

            self._add_reasons(
                {
                    t.id: (
                        _default_application(
                            "R5",
                            "default_application",
                            spec.name,
                            self.ranking.score[t.id],
                            _DEFAULT_APPLICATION_DETAIL,
                        ),
                    )
                    for t in candidates
                    if defaults.get(t.id)
                }
            )
        else:
            candidates = self.pool
            offered = {
                p: self.left_cross[p]
                + (self.left_in[p] if spec.offer_unfilled_in_school_seats else 0)
                for p in self.posts
            }
            offered = {p: n for p, n in offered.items() if n > 0}
            unit = self._units(spec)
            unit_of_post = {p: unit[school_of[p]] for p in offered}

            def applies(teacher: Teacher) -> list[str]:
                # R5, R11: other schools' posts inside the teacher's scope unit.
                own = home[teacher.id]
                mine = unit[own]
                return [
                    p
                    for p in teacher.preferences
                    if unit_of_post.get(p) == mine and school_of[p] != own
                ]

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
        )
        if targets or cv_targets:
            self.exceptions = outcome.exceptions
            self.target_outcomes = outcome.targets
            self.cv_outcomes = outcome.cv
        self._record(spec, len(candidates), offered, outcome)

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
        """Every (teacher, post) held so far, protected teachers included."""
        teachers = {t.id: t for t in self.teachers}
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
        """Teachers placed, then each balance goal's county-wide count (balanced policies)."""
        tables = self.balance
        assert tables is not None  # only for balanced and targeted policies
        school_of, subject_of = tables.school_of, tables.subject_of
        teachers = {t.id: t for t in self.teachers}
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

    def _target_reports(self) -> tuple[TargetReport, ...]:
        """Each declared target after every round, with the enforcing round's findings."""
        if self.balance is None or self.policy.mechanism is not Mechanism.TARGETED:
            return ()
        reports = []
        for spec in self.balance.targets:
            achieved = self.counted(spec.name)
            met = achieved >= spec.required
            best = self.infeasible.get(spec.name)
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
                    round=self.target_round,
                    best_possible=best,
                    envy_pairs=sum(1 for e in self.exceptions if spec.name in e.targets),
                    explanation=None if met else explain_target(spec, self.target_round, best),
                )
            )
        outcomes = {o.spec.name: o for o in self.cv_outcomes} | dict(self.cv_infeasible)
        held = self.held()
        for cv in self.balance.cv_targets:
            found = outcomes.get(cv.name)
            reports.append(
                cv_report(
                    cv,
                    cv.counts(held, self.school_of, self.balance.subject_of),
                    self.target_round,
                    None if found is None else (found.feasible, found.cv_squared),
                    sum(1 for e in self.exceptions if cv.name in e.targets),
                )
            )
        return tuple(reports)

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
        booked = self.placed
        for teacher_id, post_id in placed.items():
            booked[teacher_id] = (post_id, spec)
        self._add_reasons(outcome.reasons)
        if placed:
            self.pool = [t for t in self.pool if t.id not in placed]
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
        for teacher_id, more in found.items():
            before = reasons.get(teacher_id)
            reasons[teacher_id] = more if before is None else before + more

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
        unplaced = self.pool
        willing = [
            t
            for t in unplaced
            if t.willing_to_adjust or not self.policy.adjustment_requires_willingness
        ]
        willing_ids = {t.id for t in willing}
        self._add_reasons(
            {
                t.id: (
                    _unwilling(
                        "R6",
                        "unwilling",
                        spec.name,
                        self.ranking.score[t.id],
                        "not willing to accept organisational adjustment (I9)",
                    ),
                )
                for t in unplaced
                if t.id not in willing_ids
            }
        )
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
            self._units(spec),
            self.prepared.home,
            self.ranking,
            {s.id: s.locality for s in self.scenario.schools},
        )
        self._record(spec, len(willing), vacancies, outcome)

    def finish(self, seed: int) -> RoundResult:
        return RoundResult(
            scenario_digest=scenario_digest(self.scenario),
            seed=seed,
            policy=self.policy,
            outcomes=tuple(self._outcomes(self._shadow_schools())),
            posts=self._seat_table(),
            rounds=tuple(self.stats),
            conflicts=self.prepared.conflicts,
            warning_talks=warning_list(self.scenario, self.policy, self.ranking.score),
            exceptions=self.exceptions,
            targets=self._target_reports(),
        )

    def _outcomes(self, shadow: Mapping[str, str]) -> list[Outcome]:
        """Every teacher's outcome, in id order (one loop for 100,000s of teachers)."""
        score_of = self.ranking.score
        home_of = self.prepared.home
        protected = self.prepared.protected
        protected_post = self.prepared.protected_post
        placed = self.placed
        reasons = self.reasons
        school_of = self.school_of
        outcomes: list[Outcome] = []
        append = outcomes.append
        for teacher in self.teachers:
            tid = teacher.id
            score = score_of[tid]
            home = home_of[tid]
            booked = placed.get(tid)
            if booked is not None:
                post_id, spec = booked
                append(
                    _placed_outcome(
                        tid,
                        _STATUS[spec.kind],
                        home,
                        post_id,
                        school_of[post_id],
                        spec.name,
                        score,
                        _rank(teacher, post_id),
                        reasons[tid],
                    )
                )
            elif tid in protected:
                seat = protected_post[tid]
                by = protected[tid]
                code = "protected" if seat else "protected_without_seat"
                append(
                    _protected_outcome(
                        tid,
                        Status.PROTECTED,
                        home,
                        seat,
                        school_of[seat] if seat else None,
                        score,
                        by,
                        _rank(teacher, seat),
                        (_protected_reason("R4", code, seat, score, ", ".join(by)),),
                    )
                )
            else:
                waiting = _waiting_reason("R7", "waiting", score, _WAITING_DETAIL)
                append(
                    _waiting_outcome(
                        tid,
                        Status.WAITING,
                        home,
                        shadow[tid],
                        score,
                        (*reasons.get(tid, ()), waiting),
                    )
                )
        return outcomes

    def _shadow_schools(self) -> dict[str, str]:
        """R7: a school for each waiting teacher, by need for their main subject.

        Need is a school's seats of that subject still empty or reserved for new
        recruits (顶岗 stands in until they come); the neediest school inside the
        teacher's last round's scope unit wins, ties by id; no need: home school.
        """
        unit = self._units(self.policy.rounds[-1])
        need: Counter[tuple[str, str]] = Counter()
        for post in self.posts.values():
            empty = self.left_in[post.id] + self.left_cross[post.id] + post.reserved
            if empty > 0 and self.schools[post.school].merged_into is None:
                need[(post.school, post.subject)] += empty
        waiting = sorted(
            self.pool,
            key=lambda t: self.ranking.order[t.id],
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
            home = self.prepared.home[teacher.id]
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

    def _seat_table(self) -> tuple[PostSeats, ...]:
        protected = Counter(p for p in self.prepared.protected_post.values() if p is not None)
        # Per-round counts keyed by round name in name order (byte-stable JSON); one
        # sort of the plan's names rather than two sorts per post.
        names = sorted({spec.name for spec in self.policy.rounds})

        def by_name(counts: Mapping[str, int]) -> dict[str, int]:
            return {name: counts[name] for name in names if name in counts}

        rows = []
        left_in, left_cross = self.left_in, self.left_cross
        offered, filled = self.offered, self.filled
        splits = self.prepared.split
        for post_id in sorted(self.posts):
            post = self.posts[post_id]
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


def _rank(teacher: Teacher, post_id: str | None) -> int | None:
    """0-based position of ``post_id`` in the teacher's preferences (``None``: not listed)."""
    preferences = teacher.preferences
    return preferences.index(post_id) if post_id in preferences else None
