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

import structlog

from kgxp.adjustment import AdjustmentOutcome, run_adjustment
from kgxp.competition import RoundOutcome, run_competitive_round
from kgxp.io import scenario_digest
from kgxp.policy import Policy, RoundKind, RoundSpec
from kgxp.prepare import Prepared, prepare
from kgxp.ranking import Ranking, rank_teachers
from kgxp.result import (
    Outcome,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    Status,
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
    started = time.perf_counter()
    policy = policy or Policy()
    seed = policy.lottery_seed if seed is None else seed
    check(scenario)
    ranking = rank_teachers(scenario.teachers, policy, seed)
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

    def _unit(self, school_id: str, spec: RoundSpec) -> str:
        return scope_unit(self.schools[school_id], spec.scope)

    def _compete(self, spec: RoundSpec) -> None:
        home = self.prepared.home
        if spec.kind is RoundKind.IN_SCHOOL:
            candidates = [t for t in self.unplaced() if t.id not in self.prepared.volunteers]
            offered = {p: n for p, n in self.left_in.items() if n > 0}

            def allowed(teacher: Teacher, post_id: str) -> bool:
                return self.posts[post_id].school == home[teacher.id]
        else:
            candidates = self.unplaced()
            offered = {
                p: self.left_cross[p]
                + (self.left_in[p] if spec.offer_unfilled_in_school_seats else 0)
                for p in self.posts
            }
            offered = {p: n for p, n in offered.items() if n > 0}

            def allowed(teacher: Teacher, post_id: str) -> bool:
                school = self.posts[post_id].school
                own = home[teacher.id]
                return school != own and self._unit(school, spec) == self._unit(own, spec)

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
                    Reason(
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
            {s: self._unit(s, spec) for s in self.schools},
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
            return Outcome(
                teacher=tid,
                status=Status.PROTECTED,
                home_school=home,
                post=post_id,
                school=self.posts[post_id].school if post_id else None,
                score=score,
                protected_by=self.prepared.protected[tid],
                preference_rank=_rank(teacher, post_id),
                reasons=(
                    Reason(
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
            return Outcome(
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
        waiting = Reason(
            rule="R7",
            code="waiting",
            score=score,
            detail="待岗 one term: 跟岗学习/顶岗实践 at the assigned school",
        )
        return Outcome(
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
        scope_spec = self.policy.rounds[-1]
        need: Counter[tuple[str, str]] = Counter()
        for post in self.posts.values():
            empty = self.left_in[post.id] + self.left_cross[post.id] + post.reserved
            if empty > 0 and self.schools[post.school].merged_into is None:
                need[(post.school, post.subject)] += empty
        waiting = sorted(
            (t for t in self.unplaced()),
            key=lambda t: self.ranking.order[t.id],
        )
        # Per (unit, subject), the schools still in need: small dicts, so picking the
        # neediest school does not scan every school of the county for every teacher.
        needy: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for (school, subject), count in need.items():
            needy[(self._unit(school, scope_spec), subject)][school] = count
        assigned: dict[str, str] = {}
        for teacher in waiting:
            home = self.prepared.home[teacher.id]
            candidates = needy.get((self._unit(home, scope_spec), teacher.main_subject))
            if not candidates:
                assigned[teacher.id] = home
                continue
            best = min(candidates, key=lambda school: (-candidates[school], school))
            candidates[best] -= 1
            if candidates[best] == 0:
                del candidates[best]
            assigned[teacher.id] = best
        return assigned

    def _seat_table(self) -> tuple[PostSeats, ...]:
        protected = Counter(p for p in self.prepared.protected_post.values() if p is not None)
        rows = []
        for post_id in sorted(self.posts):
            post = self.posts[post_id]
            split = self.prepared.split[post_id]
            filled = dict(sorted(self.filled.get(post_id, {}).items()))
            rows.append(
                PostSeats(
                    post=post_id,
                    school=post.school,
                    subject=post.subject,
                    seats=post.seats,
                    reserved=post.reserved,
                    protected=protected[post_id],
                    in_school=split.in_school,
                    cross_school=split.cross_school,
                    offered=dict(sorted(self.offered.get(post_id, {}).items())),
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
