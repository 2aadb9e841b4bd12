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

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from heapq import heapify, heappop, heapreplace

import structlog

from kgxp._gc import collector_paused
from kgxp.adjustment import AdjustmentOutcome, run_adjustment
from kgxp.competition import RoundOutcome, run_competitive_round
from kgxp.io import scenario_digest
from kgxp.policy import Policy, RoundKind, RoundSpec
from kgxp.prepare import Prepared, prepare
from kgxp.ranking import Ranking, scenario_ranking
from kgxp.result import (
    Outcome,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    Status,
    trusted,
)
from kgxp.scenario import Post, Scenario, School, Teacher
from kgxp.scope import scope_unit
from kgxp.validation import check

__all__ = ["run_round"]

log = structlog.get_logger(__name__)

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
    with collector_paused():  # see kgxp._gc: a quarter to a third of the time otherwise
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
    state = _RoundState(scenario, policy, prepared, ranking)
    for spec in policy.rounds:
        state.run(spec)
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
        self, scenario: Scenario, policy: Policy, prepared: Prepared, ranking: Ranking
    ) -> None:
        self.scenario = scenario
        self.policy = policy
        self.prepared = prepared
        self.ranking = ranking
        self.posts: dict[str, Post] = {p.id: p for p in scenario.posts}
        self.school_of: dict[str, str] = {p.id: p.school for p in scenario.posts}
        self.schools: dict[str, School] = {s.id: s for s in scenario.schools}
        self.teachers: list[Teacher] = sorted(scenario.teachers, key=lambda t: t.id)
        self.left_in = {p: s.in_school for p, s in prepared.split.items()}
        self.left_cross = {p: s.cross_school for p, s in prepared.split.items()}
        self.offered: dict[str, dict[str, int]] = defaultdict(dict)
        self.filled: dict[str, dict[str, int]] = defaultdict(dict)
        self.placed: dict[str, tuple[str, RoundSpec]] = {}  # teacher -> (post, round)
        self.reasons: dict[str, list[Reason]] = defaultdict(list)
        self.stats: list[RoundStats] = []

    def unplaced(self) -> list[Teacher]:
        return [
            t
            for t in self.teachers
            if t.id not in self.placed and t.id not in self.prepared.protected
        ]

    def run(self, spec: RoundSpec) -> None:
        started = time.perf_counter()
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
        if spec.kind is RoundKind.IN_SCHOOL:
            candidates = [t for t in self.unplaced() if t.id not in self.prepared.volunteers]
            offered = {p: n for p, n in self.left_in.items() if n > 0}

            def allowed(teacher: Teacher, post_id: str) -> bool:
                return school_of[post_id] == home[teacher.id]
        else:
            candidates = self.unplaced()
            offered = {
                p: self.left_cross[p]
                + (self.left_in[p] if spec.offer_unfilled_in_school_seats else 0)
                for p in self.posts
            }
            offered = {p: n for p, n in offered.items() if n > 0}

            unit = self._units(spec)

            def allowed(teacher: Teacher, post_id: str) -> bool:
                school = school_of[post_id]
                own = home[teacher.id]
                return school != own and unit[school] == unit[own]

        outcome = run_competitive_round(
            spec, candidates, offered, allowed, self.ranking, self.policy.mechanism
        )
        self._record(spec, len(candidates), offered, outcome)

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
        for teacher_id, post_id in outcome.placed.items():
            self._take(post_id, spec)
            self.placed[teacher_id] = (post_id, spec)
        for teacher_id, reasons in outcome.reasons.items():
            self.reasons[teacher_id].extend(reasons)
        self.stats.append(
            RoundStats(
                name=spec.name,
                kind=spec.kind,
                scope=spec.scope,
                candidates=candidates,
                seats_offered=sum(offered.values()),
                placed=len(outcome.placed),
                solver=outcome.solver,
            )
        )

    def _take(self, post_id: str, spec: RoundSpec) -> None:
        filled = self.filled[post_id]
        filled[spec.name] = filled.get(spec.name, 0) + 1
        if spec.kind is RoundKind.IN_SCHOOL:
            self.left_in[post_id] -= 1
        elif self.left_cross[post_id] > 0:  # cross-school seats first, then leftovers
            self.left_cross[post_id] -= 1
        else:
            self.left_in[post_id] -= 1

    def _adjust(self, spec: RoundSpec) -> None:
        unplaced = self.unplaced()
        willing = [
            t
            for t in unplaced
            if t.willing_to_adjust or not self.policy.adjustment_requires_willingness
        ]
        willing_ids = {t.id for t in willing}
        for teacher in unplaced:
            if teacher.id not in willing_ids:
                self.reasons[teacher.id].append(
                    trusted(
                        Reason,
                        rule="R6",
                        code="unwilling",
                        round=spec.name,
                        score=self.ranking.score[teacher.id],
                        detail="not willing to accept organisational adjustment (I9)",
                    )
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
        shadow = self._shadow_schools()
        outcomes = [self._outcome(t, shadow) for t in self.teachers]
        return RoundResult(
            scenario_digest=scenario_digest(self.scenario),
            seed=seed,
            policy=self.policy,
            outcomes=tuple(outcomes),
            posts=self._seat_table(),
            rounds=tuple(self.stats),
            conflicts=self.prepared.conflicts,
        )

    def _outcome(self, teacher: Teacher, shadow: Mapping[str, str]) -> Outcome:
        tid = teacher.id
        score = self.ranking.score[tid]
        home = self.prepared.home[tid]
        if tid in self.prepared.protected:
            post_id = self.prepared.protected_post[tid]
            return trusted(
                Outcome,
                teacher=tid,
                status=Status.PROTECTED,
                home_school=home,
                post=post_id,
                school=self.posts[post_id].school if post_id else None,
                score=score,
                protected_by=self.prepared.protected[tid],
                preference_rank=_rank(teacher, post_id),
                reasons=(
                    trusted(
                        Reason,
                        rule="R4",
                        code="protected" if post_id else "protected_without_seat",
                        post=post_id,
                        score=score,
                        detail=", ".join(self.prepared.protected[tid]),
                    ),
                ),
            )
        if tid in self.placed:
            post_id, spec = self.placed[tid]
            return trusted(
                Outcome,
                teacher=tid,
                status=_STATUS[spec.kind],
                home_school=home,
                post=post_id,
                school=self.posts[post_id].school,
                round=spec.name,
                score=score,
                preference_rank=_rank(teacher, post_id),
                reasons=tuple(self.reasons[tid]),
            )
        waiting = trusted(
            Reason,
            rule="R7",
            code="waiting",
            score=score,
            detail="待岗 one term: 跟岗学习/顶岗实践 at the assigned school",
        )
        return trusted(
            Outcome,
            teacher=tid,
            status=Status.WAITING,
            home_school=home,
            school=shadow[tid],
            score=score,
            reasons=(*self.reasons[tid], waiting),
        )

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
            (t for t in self.unplaced()),
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
        for post_id in sorted(self.posts):
            post = self.posts[post_id]
            split = self.prepared.split[post_id]
            filled = by_name(self.filled.get(post_id, {}))
            rows.append(
                trusted(
                    PostSeats,
                    post=post_id,
                    school=post.school,
                    subject=post.subject,
                    seats=post.seats,
                    reserved=post.reserved,
                    protected=protected[post_id],
                    in_school=split.in_school,
                    cross_school=split.cross_school,
                    offered=by_name(self.offered.get(post_id, {})),
                    filled=filled,
                    vacant=self.left_in[post_id] + self.left_cross[post_id],
                )
            )
        return tuple(rows)


def _rank(teacher: Teacher, post_id: str | None) -> int | None:
    if post_id is None:
        return None
    try:
        return teacher.preferences.index(post_id)
    except ValueError:
        return None
