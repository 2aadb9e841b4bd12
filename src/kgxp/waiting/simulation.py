"""Several semesters forward: the round, then waiting, re-competition and pay (R7–R10, R18).

``simulate(scenario, policy, semesters=N)`` runs the placement round
(:func:`kgxp.run_round`), then walks semester by semester:

1. the round takes effect in the semester after the competition month; each
   teacher starts ``on_post`` or, after losing, ``waiting`` (R7);
2. at each semester boundary every status takes ``term_end``
   (:func:`kgxp.waiting.step`); teachers past their statutory retirement
   semester (§4) take ``retirement_reached`` — an on-post retiree's seat becomes
   vacant when vacancies are not given explicitly; new vacancies given for the
   semester are added;
3. teachers whose waiting term has ended compete again for the vacant seats
   (R9, :func:`kgxp.waiting.recompetition.recompete`): a win returns them ``on_post``, a
   loss means continued waiting, and three years without a post raise the
   policy's exit (dismissal review, R10/I11);
4. the semester's pay is booked (:func:`kgxp.waiting.ledger.ledger_for`): on post in full
   with R18 allowances at rural schools (I10), waiting by the policy's term rules.

The school a waiting teacher was assigned for 跟岗学习/顶岗实践 (R7) is recorded
in every waiting semester. Everything is deterministic for a scenario, policy
and seed.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.log import get_logger
from kgxp._internal.progress import Progress, Tracker
from kgxp._internal.rendering import html_of
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult, SolverStats
from kgxp.model.scenario import Locality, Scenario
from kgxp.model.semester import Semester
from kgxp.round.engine import run_round
from kgxp.round.ranking import rank_teachers
from kgxp.waiting.ledger import LedgerLine, ledger_for
from kgxp.waiting.recompetition import recompete
from kgxp.waiting.state_machine import (
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    event_for_outcome,
    retirement_semester,
    step,
)

__all__ = ["SemesterRecord", "SemesterSummary", "Simulation", "simulate"]

log = get_logger(__name__)

_ZERO = Decimal("0.00")


class SemesterRecord(FrozenModel):
    """One teacher in one semester: state, streak, where they are, what moved them."""

    teacher: Id
    semester: Semester
    state: WaitingState
    streak: int
    flagged: bool = Field(description="R10: under dismissal review")
    post: Id | None = None
    school: Id | None = Field(
        default=None, description="the post's school; while waiting, the assigned school (R7)"
    )
    event: WaitingEvent | None = Field(
        default=None, description="the round or exit event applied at the start of the semester"
    )


class SemesterSummary(FrozenModel):
    """Counts of one semester."""

    semester: Semester
    states: dict[str, int]
    competed: int = Field(description="teachers in the semester's re-competition (R9)")
    placed: int
    vacancies: int = Field(description="seats open to the re-competition")
    retired: int
    paid: str = Field(description="total booked pay, yuan")
    solver: SolverStats | None = None


class Simulation(FrozenModel):
    """The round and what followed, as data (JSON round-trips unchanged)."""

    round: RoundResult
    semesters: tuple[Semester, ...]
    records: tuple[SemesterRecord, ...]
    ledger: tuple[LedgerLine, ...]
    summaries: tuple[SemesterSummary, ...]

    def timeline(self, teacher_id: str) -> list[SemesterRecord]:
        """One teacher's records, in semester order."""
        return [r for r in self.records if r.teacher == teacher_id]

    def pay(self, teacher_id: str) -> list[LedgerLine]:
        """One teacher's ledger lines, in semester order."""
        return [line for line in self.ledger if line.teacher == teacher_id]

    def to_frame(self, table: Literal["records", "ledger", "summaries"] = "records") -> Any:
        """One table of the simulation as a pandas DataFrame with real dtypes.

        ``records`` (teacher × semester states), ``ledger`` (pay lines: ``base``,
        ``share``, ``amount`` as numbers) or ``summaries`` (counts per semester, one
        column per state). Needs pandas (``pip install 'kgxp[notebook]'``).
        """
        feature = f"Simulation.to_frame({table!r})"
        if table == "records":
            return typed_frame(
                (r.model_dump() for r in self.records),
                {
                    "teacher": "category",
                    "semester": "category",
                    "state": "category",
                    "streak": "count",
                    "flagged": "flag",
                    "post": "category",
                    "school": "category",
                    "event": "category",
                },
                feature,
            )
        if table == "ledger":
            return typed_frame(
                (line.model_dump() for line in self.ledger),
                {
                    "teacher": "category",
                    "semester": "category",
                    "state": "category",
                    "component": "category",
                    "base": "number",
                    "share": "number",
                    "amount": "number",
                    "rule": "category",
                    "parameter": "category",
                },
                feature,
            )
        if table == "summaries":
            states = sorted({state for s in self.summaries for state in s.states})
            columns: dict[str, ColumnKind] = {
                "semester": "category",
                "competed": "count",
                "placed": "count",
                "vacancies": "count",
                "retired": "count",
                "paid": "number",
            }
            columns |= dict.fromkeys(states, "count")
            return typed_frame(
                (s.model_dump(exclude={"states", "solver"}) | s.states for s in self.summaries),
                columns,
                feature,
            )
        raise ValueError(f"no table {table!r}: choose records, ledger or summaries")

    def frames(self) -> dict[str, Any]:
        """Deprecated: use :meth:`to_frame` (``to_frame("ledger")``…), one name for every frame."""
        warnings.warn(
            "Simulation.frames() is deprecated; use Simulation.to_frame(table)",
            DeprecationWarning,
            stacklevel=2,
        )
        return {name: self.to_frame(name) for name in ("records", "ledger", "summaries")}

    def __repr__(self) -> str:
        # A summary: a simulation is tens of megabytes of text (details: .records, .to_frame()).
        span = f"{self.semesters[0]}…{self.semesters[-1]}" if self.semesters else "none"
        return (
            f"Simulation(semesters={len(self.semesters)} ({span}), "
            f"teachers={len(self.round.outcomes)}, records={len(self.records)}, "
            f"ledger={len(self.ledger)} lines, round={self.round!r})"
        )

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: the round's counts and one row per semester."""
        return html_of(self)  # drawn by kgxp.views.html, registered there


def simulate(
    scenario: Scenario,
    policy: Policy | None = None,
    *,
    semesters: int = 6,
    vacancies: Mapping[Semester | str, Mapping[str, int]] | None = None,
    seed: int | None = None,
    progress: Progress = False,
) -> Simulation:
    """Run the round, then ``semesters`` semesters of waiting, re-competition and pay.

    ``vacancies`` gives the seats that open at the start of each semester (post id
    -> seats); without it, seats open when on-post teachers retire. Seats left
    vacant by the round are open from the first re-competition on.

    ``progress`` reports the round and each semester (:mod:`kgxp._internal.progress`):
    ``True`` for a tqdm bar, or a callable ``(done, total, label)``; it never
    changes the result.

    >>> import kgxp
    >>> run = kgxp.simulate(kgxp.load_scenario("examples/ziyang_county.json"), semesters=2)
    >>> [str(s) for s in run.semesters]
    ['2026-autumn', '2026-spring']
    """
    if semesters < 1:
        raise ValueError("simulate needs at least one semester")
    # Input is checked before any work: a bad vacancy table fails at once, not after the round.
    given = {Semester.parse(str(k)): dict(v) for k, v in (vacancies or {}).items()}
    post_ids = {p.id for p in scenario.posts}
    unknown = sorted({p for seats in given.values() for p in seats} - post_ids)
    if unknown:
        raise ValueError(f"vacancies name unknown posts: {', '.join(unknown)}")
    policy = policy or Policy()
    seed = policy.lottery_seed if seed is None else seed
    with Tracker.start(progress, semesters + 1, "simulate") as tracker:
        return _simulate(scenario, policy, semesters, given, seed, tracker)


def _simulate(
    scenario: Scenario,
    policy: Policy,
    semesters: int,
    given: dict[Semester, dict[str, int]],
    seed: int,
    tracker: Tracker,
) -> Simulation:
    started = time.perf_counter()
    result = run_round(scenario, policy=policy, seed=seed)
    tracker.advance("placement round")
    ranking = rank_teachers(scenario.teachers, policy, seed)

    teachers = {t.id: t for t in sorted(scenario.teachers, key=lambda t: t.id)}
    rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
    school_of_post = {p.id: p.school for p in scenario.posts}
    retires = {tid: retirement_semester(t) for tid, t in teachers.items()}
    first = Semester.containing(scenario.competition_month + 1)
    outcomes = {o.teacher: o for o in result.outcomes}

    status: dict[str, TeacherWaiting] = {}
    post: dict[str, str | None] = {}
    shadow: dict[str, str | None] = {}
    event: dict[str, WaitingEvent | None] = {}
    for tid in teachers:
        outcome = outcomes[tid]
        initial = event_for_outcome(outcome)
        event[tid] = initial
        status[tid] = step(TeacherWaiting.on_post(first), initial, policy)
        post[tid] = outcome.post
        shadow[tid] = outcome.school if outcome.post is None else None
    pool: Counter[str] = Counter({p.post: p.vacant for p in result.posts if p.vacant > 0})

    records: list[SemesterRecord] = []
    ledger: list[LedgerLine] = []
    summaries: list[SemesterSummary] = []
    for k in range(semesters):
        semester = first + k
        competed = placed = retired = 0
        solver = None
        if k > 0:
            for tid in teachers:
                event[tid] = None
                if status[tid].is_terminal:
                    continue
                status[tid] = step(status[tid], WaitingEvent.TERM_END, policy)
                if status[tid].is_terminal:  # the waiting exit of a contract-end policy
                    event[tid] = WaitingEvent.TERM_END
                    continue
                if retires[tid] < semester:
                    status[tid] = step(status[tid], WaitingEvent.RETIREMENT_REACHED, policy)
                    event[tid] = WaitingEvent.RETIREMENT_REACHED
                    retired += 1
                    seat = post[tid]
                    if seat is not None and not given:
                        pool[seat] += 1
            pool.update(given.get(semester, {}))
            competitors = [tid for tid in teachers if status[tid].awaiting_round]
            if competitors:
                competed = len(competitors)
                outcome_r9 = recompete(
                    scenario,
                    competitors,
                    dict(pool),
                    policy,
                    ranking,
                    name=f"recompetition {semester}",
                )
                solver = outcome_r9.solver
                for tid in competitors:
                    won = outcome_r9.placed.get(tid)
                    result_event = (
                        WaitingEvent.ROUND_PLACED if won else WaitingEvent.ROUND_NOT_PLACED
                    )
                    event[tid] = result_event
                    status[tid] = step(status[tid], result_event, policy)
                    if won is not None:
                        placed += 1
                        pool[won] -= 1
                        post[tid], shadow[tid] = won, None
        booked = []
        for tid, teacher in teachers.items():
            current = status[tid]
            seat = post[tid]
            where = school_of_post[seat] if seat is not None else shadow[tid]
            records.append(
                SemesterRecord(
                    teacher=tid,
                    semester=semester,
                    state=current.state,
                    streak=current.streak,
                    flagged=current.flagged,
                    post=post[tid] if not current.is_terminal else None,
                    school=where if not current.is_terminal else None,
                    event=event[tid],
                )
            )
            if teacher.pay is not None and not current.is_terminal:
                booked += ledger_for(
                    tid, current, teacher.pay, policy, rural=bool(where and rural.get(where))
                )
        ledger += booked
        states = Counter(status[tid].state.value for tid in teachers)
        summaries.append(
            SemesterSummary(
                semester=semester,
                states={s.value: states[s.value] for s in WaitingState},
                competed=competed,
                placed=placed,
                vacancies=sum(n for n in pool.values() if n > 0) + placed,
                retired=retired,
                paid=str(sum((line.amount for line in booked), start=_ZERO)),
                solver=solver,
            )
        )
        log.info(
            "simulate.semester",
            semester=str(semester),
            competed=competed,
            placed=placed,
            retired=retired,
            waiting=states["waiting"] + states["continued_waiting"],
            flagged=states["dismissal_review"],
        )
        tracker.advance(str(semester))
    log.info(
        "simulate.finished", semesters=semesters, seconds=round(time.perf_counter() - started, 4)
    )
    return Simulation(
        round=result,
        semesters=tuple(first + k for k in range(semesters)),
        records=tuple(records),
        ledger=tuple(ledger),
        summaries=tuple(summaries),
    )
