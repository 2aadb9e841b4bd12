"""Several semesters forward: the round, then waiting, re-competition and pay (R7–R10, R18).

``simulate(scenario, policy, semesters=N)`` runs the placement round
(:func:`kgxp.run_round`), then walks semester by semester:

1. the round takes effect in the semester after the competition month; each
   teacher starts ``on_post`` or, after losing, ``waiting`` (R7);
2. at each semester boundary every status takes ``term_end``
   (:func:`kgxp.waiting.step`); retiring teachers (§4) take ``retirement_reached`` —
   by ``policy.retirement_vacancy`` those past the semester holding their retirement
   month (default) or those entering it — and an on-post retiree's seat becomes vacant
   (unless ``retirement_vacancies=False``); the vacancies given for the semester are
   added to those seats;
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
from operator import attrgetter
from typing import Any, ClassVar, Literal

from pydantic import Field

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.frozen import FrozenModel
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.log import get_logger
from kgxp._internal.progress import Progress, Tracker
from kgxp._internal.rendering import html_of
from kgxp.model.arguments import (
    mapping_argument,
    policy_argument,
    scenario_argument,
    seed_argument,
    switch_argument,
    whole_argument,
)
from kgxp.model.document_json import ReadableDocument
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult, SolverStats
from kgxp.model.scenario import Scenario, Staffing
from kgxp.model.semester import LAST_SCHOOL_YEAR, Semester
from kgxp.round.engine import run_round
from kgxp.round.ranking import scenario_ranking
from kgxp.waiting._rows import constructor
from kgxp.waiting.ledger import LedgerLine, LedgerLines, PricedSegment
from kgxp.waiting.payroll import Payroll
from kgxp.waiting.recompetition import (
    VacancyIndex,
    deferred_acceptance_stats,
    matched_without_lists,
    placements,
)
from kgxp.waiting.recompetition_round import _moved, apply_recompetition, run_recompetition
from kgxp.waiting.records import SemesterRecord, SemesterRecords
from kgxp.waiting.register import (
    Register,
    RegisterEntry,
    add_vacancies,
    close_semester,
    record_retirements,
    register_from_round,
)
from kgxp.waiting.state_machine import WaitingState

__all__ = ["MAX_SEMESTERS", "SemesterRecord", "SemesterSummary", "Simulation", "simulate"]

log = get_logger(__name__)

MAX_SEMESTERS = 100
"""The longest :func:`simulate` runs: 50 years, longer than any teacher's career (from
the youngest working age to the latest statutory retirement age, §4), so every teacher
of the county has retired within it; a longer horizon is a typo."""
_LAST_SEMESTER = Semester(LAST_SCHOOL_YEAR, "spring")  # the last one Semester can name

_STATE = attrgetter("state")


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


class Simulation(ReadableDocument):
    """The round and what followed, as data (JSON round-trips unchanged)."""

    document_name: ClassVar[str] = "simulation"

    round: RoundResult
    semesters: tuple[Semester, ...]
    # Read-only sequences of records and lines built on access (kgxp.waiting.columns): read,
    # written and described in the JSON schema as the tuples of models they replace.
    records: SemesterRecords
    ledger: LedgerLines
    summaries: tuple[SemesterSummary, ...]

    def timeline(self, teacher_id: str) -> list[SemesterRecord]:
        """One teacher's records, in semester order."""
        return SemesterRecords.of(self.records).for_teacher(teacher_id)

    def pay(self, teacher_id: str) -> list[LedgerLine]:
        """One teacher's ledger lines, in semester order."""
        return LedgerLines.of(self.ledger).for_teacher(teacher_id)

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


_new_simulation = constructor(Simulation)


@in_kgxp_decimal_context
def simulate(
    scenario: Scenario,
    policy: Policy | None = None,
    *,
    semesters: int = 6,
    vacancies: Mapping[Semester | str, Mapping[str, int]] | None = None,
    retirement_vacancies: bool = True,
    seed: int | None = None,
    progress: Progress = False,
) -> Simulation:
    """Run the round, then ``semesters`` semesters of waiting, re-competition and pay.

    Seats open to each semester's re-competition: those the round left vacant (from
    the first re-competition on), the seats of on-post teachers who retire (when
    ``retirement_vacancies``, the default; the semester by ``policy.retirement_vacancy``)
    and the seats ``vacancies`` gives for the semester (post id -> seats: new posts,
    transfers out, departures), **added together**. A caller whose ``vacancies`` table
    already counts the retirements says so with ``retirement_vacancies=False``.

    ``semesters`` runs from 1 to :data:`MAX_SEMESTERS`; a seat count is a whole number
    from 0 to the county's staffing total; ``retirement_vacancies`` is ``True`` or
    ``False``. A bad argument raises ``TypeError`` or ``ValueError`` naming it before
    the round runs (:mod:`kgxp.model.arguments`).

    ``progress`` reports the round and each semester (:mod:`kgxp._internal.progress`):
    ``True`` for a tqdm bar, or a callable ``(done, total, label)``; it never
    changes the result.

    >>> import kgxp
    >>> run = kgxp.simulate(kgxp.load_scenario("examples/ziyang_county.json"), semesters=2)
    >>> [str(s) for s in run.semesters]
    ['2026-autumn', '2026-spring']
    """
    # Every argument is checked before any work (kgxp.model.arguments): a bad one fails
    # at once in kgxp's words, not after the round, and never as a silent reading.
    scenario = scenario_argument(scenario)
    policy = policy_argument(policy)
    seed = policy.lottery_seed if seed is None else seed_argument(seed)
    semesters = whole_argument(semesters, "semesters", maximum=MAX_SEMESTERS)
    retirement_vacancies = switch_argument(retirement_vacancies, "retirement_vacancies")
    first = Semester.containing(scenario.competition_month + 1)
    if first.index + semesters - 1 > _LAST_SEMESTER.index:
        raise ValueError(
            f"a {semesters}-semester simulation from {first} runs past {_LAST_SEMESTER}, "
            "the last semester kgxp can name"
        )
    given = _vacancy_tables(vacancies, {p.id for p in scenario.posts}, scenario.staffing)
    # Seats open at re-competitions, the first one at the start of the second semester:
    # a table for any other semester would be ignored, so it is refused instead.
    outside = sorted(str(s) for s in given if not first < s < first + semesters)
    if outside:
        raise ValueError(
            f"vacancies given for {', '.join(outside)}, outside the re-competitions of this "
            f"simulation ({first + 1} … {first + (semesters - 1)})"
            if semesters > 1
            else f"vacancies given for {', '.join(outside)}, but a one-semester simulation has "
            "no re-competition"
        )
    # The collector paused as for run_round (kgxp._internal.gc_pause): a simulation builds
    # millions of records and ledger lines and no reference cycles; collections traversing
    # them again and again took a third of its time.
    with Tracker.start(progress, semesters + 1, "simulate") as tracker, collector_paused():
        return _simulate(scenario, policy, semesters, given, retirement_vacancies, seed, tracker)


def _vacancy_tables(
    vacancies: object, post_ids: set[str], staffing: Staffing
) -> dict[Semester, dict[str, int]]:
    """``vacancies`` read as semester -> post id -> seats, every count checked.

    A count is a whole number from 0 to the county's staffing total (R1: no post can
    open more seats than the county has): 1.5 seats, ``"2"`` or ``True`` would
    otherwise reach the register, and fail there after the round, or not at all.
    """
    tables: dict[Semester, dict[str, int]] = {}
    for key, table in mapping_argument(vacancies, "vacancies", optional=True).items():
        semester = Semester.parse(str(key))
        if semester in tables:  # "2027-spring" and Semester(2027, "spring"): which one?
            raise ValueError(f"vacancies give {semester} twice")
        seats = mapping_argument(table, f"vacancies for {semester}", optional=True)
        unknown = sorted(str(p) for p in seats if p not in post_ids)
        if unknown:
            raise ValueError(f"vacancies name unknown posts: {', '.join(unknown)}")
        tables[semester] = {
            str(post_id): whole_argument(  # a post id: a str of post_ids, checked above
                count,
                f"seats at {post_id} in {semester}",
                minimum=0,
                maximum=staffing.total_posts,
                maximum_is="the county's staffing total",
            )
            for post_id, count in seats.items()
        }
    return tables


def _simulate(
    scenario: Scenario,
    policy: Policy,
    semesters: int,
    given: dict[Semester, dict[str, int]],
    retirement_vacancies: bool,
    seed: int,
    tracker: Tracker,
) -> Simulation:
    # The real cycle's public functions, one semester at a time (docs/semesters.md).
    started = time.perf_counter()
    result = run_round(scenario, policy=policy, seed=seed)
    tracker.advance("placement round")
    register = register_from_round(scenario, result)
    first = register.semester

    payroll_of = Payroll(scenario, policy)  # one pricing per pay scale and case, not per semester
    # Kept as columns: each semester's register entries and priced pay (kgxp.waiting.columns).
    entries: list[tuple[Semester, tuple[RegisterEntry, ...]]] = []
    ledger: list[PricedSegment] = []
    summaries: list[SemesterSummary] = []
    for k in range(semesters):
        semester = first + k
        competed = placed = retired = 0
        solver = None
        if k > 0:
            register, retired = _open_semester(
                register, scenario, policy, given, retirement_vacancies
            )
            due = register.due()
            if due:
                register, competed, placed, solver = _recompetition(
                    scenario, register, due, policy, seed, f"recompetition {semester}"
                )
        booked = payroll_of.book_segment(register)
        entries.append((semester, register.entries))
        ledger.append(booked)
        paid = payroll_of.paid(booked)
        summaries.append(_summary(register, competed, placed, retired, paid, solver))
        log.info(
            "simulate.semester",
            semester=str(semester),
            competed=competed,
            placed=placed,
            retired=retired,
            # From the summary's counts: the register is not walked again for a log line.
            waiting=sum(n for state, n in summaries[-1].states.items() if _waiting_only(state)),
            flagged=summaries[-1].states[WaitingState.DISMISSAL_REVIEW.value],
        )
        tracker.advance(str(semester))
    log.info(
        "simulate.finished", semesters=semesters, seconds=round(time.perf_counter() - started, 4)
    )
    # Every part is a validated model already: validating the whole again re-ran each ledger
    # line's check (1.5 million at 100,000 teachers) for nothing.
    return _new_simulation(
        result,
        tuple(first + k for k in range(semesters)),
        SemesterRecords.of_registers(tuple(entries)),
        LedgerLines(ledger),
        tuple(summaries),
    )


def _open_semester(
    register: Register,
    scenario: Scenario,
    policy: Policy,
    given: dict[Semester, dict[str, int]],
    retirement_vacancies: bool,
) -> tuple[Register, int]:
    """The boundary into the next semester: term_end, retirements (§4), new vacancies.

    A retiree's seat opens (unless ``retirement_vacancies`` is false: the caller's
    table already counts it) and the given seats are added to it."""
    closed = close_semester(register, policy)
    register = record_retirements(closed, scenario, policy, reopen_seats=retirement_vacancies)
    # record_retirements replaces exactly the entries it retires (the others are the same
    # objects): those now retired are the semester's retirees.
    retired = sum(
        1
        for old, new in zip(closed.entries, register.entries, strict=True)
        if old is not new and new.state is WaitingState.RETIRED
    )
    return add_vacancies(register, given.get(register.semester, {})), retired


def _waiting_only(state: str) -> bool:
    # Waiting and not under review (review is counted apart, as flagged).
    return WaitingState(state).is_waiting and state != WaitingState.DISMISSAL_REVIEW.value


def _recompetition(
    scenario: Scenario,
    register: Register,
    due_ids: tuple[str, ...],
    policy: Policy,
    seed: int,
    name: str,
) -> tuple[Register, int, int, SolverStats]:
    """The semester's re-competition applied: the register after it, how many competed and
    won, the solver's report. Deferred acceptance without application lists where it is
    the mechanism (:func:`kgxp.waiting.recompetition.placements`), else the full round."""
    index = VacancyIndex(scenario, register.vacancies)
    if not matched_without_lists(policy.mechanism, index):
        found = run_recompetition(scenario, register, policy, seed=seed, name=name)
        after = apply_recompetition(register, found, policy)
        return after, len(found.outcomes), len(found.placed), found.solver
    due = set(due_ids)  # register.due(), found by the caller
    won = placements(
        index,
        (t for t in scenario.teachers if t.id in due),
        scenario_ranking(scenario, policy, seed),
    )
    placed = {teacher: (post, index.school[post]) for teacher, post in won.items()}
    after = _moved(register, due, placed, policy, name)
    return after, len(due), len(won), deferred_acceptance_stats(len(won))


def _summary(
    register: Register,
    competed: int,
    placed: int,
    retired: int,
    paid: Decimal,
    solver: SolverStats | None,
) -> SemesterSummary:
    states = Counter(map(_STATE, register.entries))
    return SemesterSummary(
        semester=register.semester,
        states={s.value: states[s] for s in WaitingState},
        competed=competed,
        placed=placed,
        vacancies=sum(register.vacancies.values()) + placed,
        retired=retired,
        paid=str(paid),
        solver=solver,
    )
