"""The waiting register: every teacher's waiting status at one semester, as a document.

Seed 000 (三是妥善处理落聘人员) runs over years: a loser waits a term (R7, pay R8),
competes again for the schools' vacant posts when it ends (R9), keeps waiting on
lower pay if they fail, and after three years without a post is handled up to
dismissal (R10). :func:`kgxp.simulate` plays this as a what-if; the register is the
same life kept for real, between semesters months apart.

A :class:`Register` is frozen and JSON-serialisable (``Register.model_json_schema()``).
It holds, for one semester, one :class:`RegisterEntry` per teacher — the state of
:mod:`kgxp.waiting.state_machine`, the streak and term counters, whether a
re-competition is due, the post held or the school assigned for 跟岗学习 (R7), and
the events that led there — and the seats open to the next re-competition.

It is built from the summer round (:func:`register_from_round`) or from a scenario
whose teachers come in waiting (:func:`register_from_scenario`), and advanced only by
public functions, each returning a new register:

- :func:`close_semester` — ``term_end`` for everybody: the register moves into the
  next semester (book the closing semester's pay first, :func:`kgxp.waiting.payroll.payroll`);
- :func:`record_retirements` — statutory retirement (§4) reached;
- :func:`add_vacancies` — seats that open at the boundary;
- :func:`kgxp.waiting.recompetition_round.apply_recompetition` — a re-competition's outcomes (R9);
- :func:`record_departures` — resignations and transfers out;
- :func:`record_decisions` — a human's decision on a dismissal review (R10).

An event the transition table forbids raises :class:`RegisterError` naming the
teacher, the state and the event; nothing is half-applied (the functions are pure).

>>> import kgxp
>>> from kgxp.waiting.register import register_from_round, close_semester
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> register = register_from_round(scenario, kgxp.run_round(scenario))
>>> str(register.semester), len(register.entries), len(register.waiting())
('2026-autumn', 2431, 170)
>>> spring = close_semester(register, kgxp.Policy())
>>> str(spring.semester), len(spring.due())
('2026-spring', 170)
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import islice
from operator import attrgetter, lt
from typing import Literal, Self

from pydantic import Field, model_validator

from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.log import get_logger
from kgxp._internal.memo import remembered
from kgxp.exceptions import KgxpError
from kgxp.model.digest import scenario_digest
from kgxp.model.policy import Policy, RetirementVacancy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.state_machine import (
    TRANSITIONS,
    IllegalTransition,
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    event_for_outcome,
    retirement_semester,
    step,
)

__all__ = [
    "DismissalDecision",
    "Register",
    "RegisterEntry",
    "RegisterError",
    "RegisterEvent",
    "add_vacancies",
    "close_semester",
    "effective_semester",
    "record_decisions",
    "record_departures",
    "record_retirements",
    "register_from_round",
    "register_from_scenario",
    "retirement_positions",
    "retirement_semesters",
]

log = get_logger(__name__)


class RegisterError(KgxpError, ValueError):
    """A register cannot be advanced as asked: an illegal event, an unknown teacher, or a
    result that belongs to another register. The message names the teacher, state and event."""


class RegisterEvent(FrozenModel):
    """One thing that happened to a teacher: the event, the state it led to, and why."""

    semester: Semester = Field(description="the register's semester when it was applied")
    event: WaitingEvent | None = Field(
        description="the state machine's event; None for a decision that changes no state"
    )
    state: WaitingState = Field(description="the state after the event")
    rule: str = Field(description="the rule of the transition (R7, R9, R10, §4, ...)")
    source: str = Field(description="what sent it: a round's name, a decision, a retirement")


class RegisterEntry(FrozenModel):
    """One teacher's line in the register (see :class:`~kgxp.waiting.state_machine.TeacherWaiting`)."""

    teacher: Id
    state: WaitingState
    streak: int = Field(ge=0, description="waiting semesters completed in the current streak")
    terms_waited: int = Field(ge=0)
    term_semesters: int = Field(ge=0, description="semesters completed of the current term")
    due: bool = Field(description="the waiting term has ended: a re-competition is due (R9)")
    streak_began: Semester | None = None
    post: Id | None = Field(default=None, description="the post held; None while waiting")
    school: Id | None = Field(
        default=None, description="the post's school; while waiting, the assigned school (R7)"
    )
    event: WaitingEvent | None = Field(
        default=None, description="the round or exit event applied at the start of the semester"
    )
    history: tuple[RegisterEvent, ...] = Field(
        default=(),
        description="the events that moved the teacher, oldest first (a semester ended on "
        "post is not listed: the register's semester records it)",
    )

    @property
    def flagged(self) -> bool:
        """R10: under dismissal review."""
        return self.state is WaitingState.DISMISSAL_REVIEW

    def status(self, semester: Semester) -> TeacherWaiting:
        """The entry as the state machine's status in ``semester``."""
        return TeacherWaiting(
            self.state,
            semester,
            streak=self.streak,
            terms_waited=self.terms_waited,
            term_semesters=self.term_semesters,
            awaiting_round=self.due,
            streak_began=self.streak_began,
            last_event=self.history[-1].event if self.history else None,
        )


_new_entry = constructor(RegisterEntry)
_new_event = constructor(RegisterEvent)
_ON_POST = WaitingState.ON_POST
_TEACHER_ID = attrgetter("teacher")


class Register(FrozenModel):
    """Every teacher's waiting status at one semester, and the seats open to re-competition.

    ``entries`` come in teacher-id order, one per teacher of the scenario;
    ``vacancies`` (post id -> seats) are the seats the next re-competition offers (R9).
    """

    semester: Semester
    scenario_digest: str = Field(description="the scenario the register was built from")
    vacancies: dict[Id, int] = Field(description="open seats per post, for the re-competition")
    entries: tuple[RegisterEntry, ...]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ids = [e.teacher for e in self.entries]
        if ids != sorted(set(ids)):
            raise ValueError("register entries must be unique and in teacher-id order")
        if any(n < 0 for n in self.vacancies.values()):
            raise ValueError("vacancies cannot be negative")
        return self

    @property
    def digest(self) -> str:
        """SHA-256 of the register's JSON: what a re-competition result names."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    def entry(self, teacher_id: str) -> RegisterEntry:
        """The teacher's entry; :class:`RegisterError` for an unknown id."""
        for entry in self.entries:
            if entry.teacher == teacher_id:
                return entry
        raise RegisterError(f"teacher {teacher_id} is not in the register of {self.semester}")

    def due(self) -> tuple[str, ...]:
        """The teachers whose waiting term has ended: they compete now (R9), in id order."""
        return tuple(e.teacher for e in self.entries if e.due)

    def waiting(self) -> tuple[str, ...]:
        """The teachers waiting in any form (待岗, 继续待岗, under review)."""
        return tuple(e.teacher for e in self.entries if e.state.is_waiting)

    def dismissal_review(self) -> tuple[RegisterEntry, ...]:
        """The entries under dismissal review (R10): the list a human decides on."""
        return tuple(e for e in self.entries if e.state is WaitingState.DISMISSAL_REVIEW)


class DismissalDecision(FrozenModel):
    """A human decision on a teacher under dismissal review (R10): kgxp never dismisses."""

    teacher: Id
    decision: Literal["dismiss", "retain"] = Field(
        description="dismiss (or move out of teaching): the teacher leaves service; "
        "retain: stays under review and keeps competing"
    )
    decided_by: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


def effective_semester(scenario: Scenario) -> Semester:
    """The semester a round of ``scenario`` takes effect in: the one after its competition month."""
    return Semester.containing(scenario.competition_month + 1)


def register_from_round(scenario: Scenario, result: RoundResult) -> Register:
    """The register after the placement round: each teacher on post, or waiting (R7).

    The round takes effect in :func:`effective_semester`; a teacher who lost starts
    a streak (``round_not_placed``; ``refused_assigned_post`` after declining
    adjustment, R6/I9) at the school the round assigned. Seats the round left
    vacant are open to the first re-competition.
    """
    semester = effective_semester(scenario)
    outcomes = {o.teacher: o for o in result.outcomes}
    school_of_post = {p.id: p.school for p in scenario.posts}
    start = TeacherWaiting.on_post(semester)
    after: dict[WaitingEvent, TeacherWaiting] = {}  # the same start: one status per event
    # Teachers moved by the same event in the same round share one (frozen) history.
    histories: dict[tuple[WaitingEvent, str], tuple[RegisterEvent, ...]] = {}
    entries = []
    for teacher in sorted(scenario.teachers, key=lambda t: t.id):
        outcome = outcomes.get(teacher.id)
        if outcome is None:
            raise RegisterError(f"teacher {teacher.id} has no outcome in the round")
        event = event_for_outcome(outcome)
        status = after.get(event)
        if status is None:
            status = after[event] = step(start, event, result.policy)
        school = school_of_post[outcome.post] if outcome.post is not None else outcome.school
        source = outcome.round or "placement round"
        history = histories.get((event, source))
        if history is None:
            history = histories[event, source] = _entry(
                teacher.id, status, None, None, event, (), source
            ).history
        entries.append(_entry(teacher.id, status, outcome.post, school, event, history, source))
    vacancies = {p.post: p.vacant for p in result.posts if p.vacant > 0}
    return Register(
        semester=semester,
        scenario_digest=scenario_digest(scenario),
        vacancies=dict(sorted(vacancies.items())),
        entries=tuple(entries),
    )


def register_from_scenario(scenario: Scenario) -> Register:
    """The register a scenario describes: its ``waiting`` teachers as they come in, every
    other teacher on post; its posts' seats (less reserved ones) are the open vacancies.

    This is how a next semester's re-competition is an ordinary scenario: list the
    vacant posts as its posts and the waiting teachers under ``waiting``.
    """
    semester = effective_semester(scenario)
    incoming = {w.teacher: w for w in scenario.waiting}
    entries = []
    for teacher in sorted(scenario.teachers, key=lambda t: t.id):
        found = incoming.get(teacher.id)
        if found is None:
            entries.append(
                RegisterEntry(
                    teacher=teacher.id,
                    state=WaitingState.ON_POST,
                    streak=0,
                    terms_waited=0,
                    term_semesters=0,
                    due=False,
                    school=teacher.school,
                )
            )
            continue
        entries.append(
            RegisterEntry(
                teacher=teacher.id,
                state=WaitingState(found.state),
                streak=found.streak,
                terms_waited=found.terms,
                term_semesters=found.term_semesters,
                due=found.due,
                streak_began=found.since,
                school=found.school or teacher.school,
            )
        )
    vacancies = {p.id: p.seats - p.reserved for p in scenario.posts if p.seats > p.reserved}
    return Register(
        semester=semester,
        scenario_digest=scenario_digest(scenario),
        vacancies=dict(sorted(vacancies.items())),
        entries=tuple(entries),
    )


def close_semester(register: Register, policy: Policy) -> Register:
    """``term_end`` for every teacher not in a terminal state: the register of the next semester.

    Streaks grow, ended terms make a re-competition due (R9), and the streak that
    reaches ``policy.waiting_limit_semesters`` raises the policy's exit (R10, I11).
    Book the closing semester's pay before closing it. A teacher whose term ended
    and who has not competed yet cannot close a semester: :class:`RegisterError`.
    """
    semester = register.semester.next()
    stepper = Stepper(register.semester, policy)
    entries = list(register.entries)
    retired, left, ended = WaitingState.RETIRED, WaitingState.LEFT, WaitingState.CONTRACT_ENDED
    # Terminal: nothing moves. On post (and its history begun): term_end only advances the
    # semester, which the register records (see _advanced). Such an entry without an event
    # (most of a county after the first semester) stays as it is: only the others are
    # changed (is_terminal spelled out: a property call per teacher and semester added up).
    for at, entry in enumerate(entries):
        state = entry.state
        if (
            state is retired
            or state is left
            or state is ended
            or (state is _ON_POST and entry.history)
        ):
            if entry.event is not None:
                entries[at] = _without_event(entry)
            continue
        status = stepper.status(entry, WaitingEvent.TERM_END)
        exited = status.is_terminal  # the waiting exit of a contract-end policy
        entries[at] = _advanced(
            entry,
            status,
            register.semester,
            WaitingEvent.TERM_END if exited else None,
            "semester closed",
            records=stepper.records,
        )
    log.info("register.closed", semester=str(register.semester), teachers=len(entries))
    return register.model_copy(update={"semester": semester, "entries": tuple(entries)})


def _without_event(entry: RegisterEntry) -> RegisterEntry:
    # entry.model_copy(update={"event": None}), without pydantic's generic copy.
    return _new_entry(
        entry.teacher,
        entry.state,
        entry.streak,
        entry.terms_waited,
        entry.term_semesters,
        entry.due,
        entry.streak_began,
        entry.post,
        entry.school,
        None,
        entry.history,
    )


def record_retirements(
    register: Register, scenario: Scenario, policy: Policy, *, reopen_seats: bool = True
) -> Register:
    """``retirement_reached`` for teachers whose statutory retirement semester (§4) is past.

    Called at the start of a semester, after :func:`close_semester`: the last
    semester before retirement is paid in full. With ``reopen_seats`` an on-post
    retiree's seat becomes vacant for the re-competition.
    """
    retiring = retirement_positions(scenario)
    # A reading, not the seed's words (docs/waiting.md): by default the retiree is paid
    # through the semester holding the retirement month and the seat opens the next one
    # (retirement < semester); same_semester: retirement <= semester. Compared as positions.
    same = policy.retirement_vacancy is RetirementVacancy.SAME_SEMESTER
    bar = register.semester.index + (1 if same else 0)
    vacancies = dict(register.vacancies)
    entries = list(register.entries)
    for at in _reached(register.entries, scenario, bar):
        entry = entries[at]
        retirement = retiring.get(entry.teacher)
        if entry.state.is_terminal or retirement is None or retirement >= bar:
            continue
        if reopen_seats and entry.post is not None:
            vacancies[entry.post] = vacancies.get(entry.post, 0) + 1
        entries[at] = _apply_event(
            entry, register.semester, WaitingEvent.RETIREMENT_REACHED, policy, "§4"
        )
    return register.model_copy(
        update={"entries": tuple(entries), "vacancies": _sorted_seats(vacancies)}
    )


def _reached(entries: tuple[RegisterEntry, ...], scenario: Scenario, bar: int) -> list[int]:
    """The positions in ``entries``, in order, of the teachers whose retirement position is
    below ``bar`` (a few per cent of a county), found by bisection rather than a look-up per
    teacher; every position when the entries are not in strict teacher-id order."""
    positions, teachers = _by_retirement(scenario)
    ids = list(map(_TEACHER_ID, entries))
    if not all(map(lt, ids, islice(ids, 1, None))):  # strictly ascending, compared in C
        return list(range(len(entries)))  # not the order Register validates: look at all
    found = []
    for teacher in teachers[: bisect_left(positions, bar)]:
        at = bisect_left(ids, teacher)
        if at < len(ids) and ids[at] == teacher:
            found.append(at)
    return sorted(found)


def _by_retirement(scenario: Scenario) -> tuple[list[int], list[str]]:
    """Retirement positions in ascending order and the teachers holding them, alike."""

    def ordered() -> tuple[list[int], list[str]]:
        pairs = sorted((at, teacher) for teacher, at in retirement_positions(scenario).items())
        return [at for at, _ in pairs], [teacher for _, teacher in pairs]

    return remembered(scenario, "retirement_order", (), ordered)


def retirement_semesters(scenario: Scenario) -> Mapping[str, Semester]:
    """Teacher id -> :func:`~kgxp.waiting.state_machine.retirement_semester`, computed once per
    scenario (every semester's retirements and payroll read it; treat it as read-only)."""
    return remembered(
        scenario,
        "retirement_semesters",
        (),
        lambda: _retirement_semesters(scenario),
    )


def _retirement_semesters(scenario: Scenario) -> dict[str, Semester]:
    # The semester depends on the birth month and base age only: many teachers share them.
    by_birth: dict[tuple[object, int], Semester] = {}
    found = {}
    for teacher in scenario.teachers:
        key = (teacher.birth, teacher.base_age)
        semester = by_birth.get(key)
        if semester is None:
            semester = by_birth[key] = retirement_semester(teacher)
        found[teacher.id] = semester
    return found


def retirement_positions(scenario: Scenario) -> Mapping[str, int]:
    """Teacher id -> the index of their retirement semester (:attr:`Semester.index`)."""
    return remembered(
        scenario,
        "retirement_positions",
        (),
        lambda: {t: s.index for t, s in retirement_semesters(scenario).items()},
    )


def add_vacancies(register: Register, seats: Mapping[str, int]) -> Register:
    """Seats that open at the boundary (post id -> seats) join the re-competition's pool."""
    if not seats:
        return register
    vacancies = dict(register.vacancies)
    for post, n in seats.items():
        if n < 0:
            raise RegisterError(f"post {post}: {n} seats cannot open")
        vacancies[post] = vacancies.get(post, 0) + n
    return register.model_copy(update={"vacancies": _sorted_seats(vacancies)})


def record_departures(
    register: Register, teacher_ids: Iterable[str], policy: Policy, *, reopen_seats: bool = True
) -> Register:
    """``left_service`` for teachers who resigned or transferred out; their seats reopen."""
    leaving = set(teacher_ids)
    _known(register, leaving)
    vacancies = dict(register.vacancies)
    entries = []
    for entry in register.entries:
        if entry.teacher not in leaving:
            entries.append(entry)
            continue
        if reopen_seats and entry.post is not None:
            vacancies[entry.post] = vacancies.get(entry.post, 0) + 1
        entries.append(
            _apply_event(entry, register.semester, WaitingEvent.LEFT_SERVICE, policy, "departure")
        )
    return register.model_copy(
        update={"entries": tuple(entries), "vacancies": _sorted_seats(vacancies)}
    )


def record_decisions(
    register: Register, decisions: Iterable[DismissalDecision], policy: Policy
) -> Register:
    """Apply human decisions on dismissal reviews (R10): ``dismiss`` → ``left``; ``retain``
    keeps the teacher under review (recorded in the history). Only a teacher under
    review can be decided on."""
    by_teacher: dict[str, DismissalDecision] = {}
    for given in decisions:
        if given.teacher in by_teacher:
            raise RegisterError(f"teacher {given.teacher}: two decisions in one call")
        by_teacher[given.teacher] = given
    _known(register, set(by_teacher))
    entries = []
    for entry in register.entries:
        decision = by_teacher.get(entry.teacher)
        if decision is None:
            entries.append(entry)
            continue
        if entry.state is not WaitingState.DISMISSAL_REVIEW:
            raise RegisterError(
                f"teacher {entry.teacher} in state {entry.state.value!r} ({register.semester}): "
                f"illegal decision {decision.decision!r}: only a teacher under dismissal "
                "review can be decided on (R10)"
            )
        source = f"decision by {decision.decided_by}: {decision.decision}"
        if decision.decision == "dismiss":
            entries.append(
                _apply_event(entry, register.semester, WaitingEvent.LEFT_SERVICE, policy, source)
            )
        else:
            note = RegisterEvent(
                semester=register.semester,
                event=None,
                state=entry.state,
                rule="R10",
                source=source,
            )
            entries.append(entry.model_copy(update={"history": (*entry.history, note)}))
    return register.model_copy(update={"entries": tuple(entries)})


# --- shared by the advancing functions (and kgxp.waiting.recompetition_round) ---


def _known(register: Register, teacher_ids: set[str]) -> None:
    unknown = sorted(teacher_ids - {e.teacher for e in register.entries})
    if unknown:
        raise RegisterError(
            f"teacher(s) not in the register of {register.semester}: {', '.join(unknown)}"
        )


def _sorted_seats(vacancies: Mapping[str, int]) -> dict[str, int]:
    return {post: n for post, n in sorted(vacancies.items()) if n > 0}


def _step(
    entry: RegisterEntry, semester: Semester, event: WaitingEvent, policy: Policy
) -> TeacherWaiting:
    try:
        return step(entry.status(semester), event, policy)
    except IllegalTransition as error:
        raise RegisterError(
            f"teacher {entry.teacher} in state {entry.state.value!r} ({semester}): "
            f"illegal event {event.value!r}: {error.reason}"
        ) from None


def _apply_event(
    entry: RegisterEntry,
    semester: Semester,
    event: WaitingEvent,
    policy: Policy,
    source: str,
    *,
    post: str | None = None,
    school: str | None = None,
) -> RegisterEntry:
    """One event applied inside the semester (the register does not move)."""
    status = _step(entry, semester, event, policy)
    return _advanced(entry, status, semester, event, source, post=post, school=school)


class Stepper:
    """:func:`_step` and :func:`_apply_event` for the many entries of one register (internal).

    ``step`` reads of an entry only its state, counters, due flag, streak start and last
    event: the entries alike in those (most of a county's waiting teachers) share one
    status, computed once, and the history records alike are shared too (both frozen).
    An illegal event is not remembered: every entry meeting it raises, naming its teacher.
    """

    __slots__ = ("policy", "records", "semester", "statuses")

    def __init__(self, semester: Semester, policy: Policy) -> None:
        self.semester = semester
        self.policy = policy
        self.statuses: dict[tuple[object, ...], TeacherWaiting] = {}
        self.records: dict[tuple[object, ...], RegisterEvent] = {}

    def status(self, entry: RegisterEntry, event: WaitingEvent) -> TeacherWaiting:
        """``_step(entry, self.semester, event, self.policy)``, once per entries alike."""
        history = entry.history
        key = (
            event,
            entry.state,
            entry.streak,
            entry.terms_waited,
            entry.term_semesters,
            entry.due,
            entry.streak_began,
            history[-1].event if history else None,
        )
        status = self.statuses.get(key)
        if status is None:
            status = self.statuses[key] = _step(entry, self.semester, event, self.policy)
        return status

    def apply(
        self,
        entry: RegisterEntry,
        event: WaitingEvent,
        source: str,
        *,
        post: str | None = None,
        school: str | None = None,
    ) -> RegisterEntry:
        """``_apply_event(entry, self.semester, event, self.policy, source, ...)``."""
        status = self.status(entry, event)
        return _advanced(
            entry,
            status,
            self.semester,
            event,
            source,
            post=post,
            school=school,
            records=self.records,
        )


def _advanced(
    entry: RegisterEntry,
    status: TeacherWaiting,
    semester: Semester,
    shown: WaitingEvent | None,
    source: str,
    *,
    post: str | None = None,
    school: str | None = None,
    records: dict[tuple[object, ...], RegisterEvent] | None = None,
) -> RegisterEntry:
    event = status.last_event
    if event is None:  # step always sets it
        raise RegisterError(f"teacher {entry.teacher}: a status without its event")
    rule = TRANSITIONS[(entry.state, event)].rule
    if event is WaitingEvent.TERM_END and status.state is WaitingState.ON_POST:
        # An ended semester on post changes nothing but the semester, which the register
        # itself records: the history keeps what moved the teacher, and stays small.
        history = entry.history
    else:
        # Records alike are shared when a Stepper keeps them (frozen): one per event and state.
        key = (semester, event, status.state, rule, source)
        found = None if records is None else records.get(key)
        record = _new_event(*key) if found is None else found
        if records is not None and found is None:
            records[key] = record
        history = (*entry.history, record)
    if status.is_terminal:
        held, where = None, None
    elif post is not None:
        held, where = post, school
    else:
        held, where = entry.post, entry.school
    return _entry(entry.teacher, status, held, where, shown, history, source)


def _entry(
    teacher: str,
    status: TeacherWaiting,
    post: str | None,
    school: str | None,
    event: WaitingEvent | None,
    history: tuple[RegisterEvent, ...],
    source: str,
) -> RegisterEntry:
    if not history and status.last_event is not None:
        rule = TRANSITIONS[(WaitingState.ON_POST, status.last_event)].rule
        history = (_new_event(status.semester, status.last_event, status.state, rule, source),)
    # Every value from the state machine's status or a validated scenario: not validated again.
    return _new_entry(
        teacher,
        status.state,
        status.streak,
        status.terms_waited,
        status.term_semesters,
        status.awaiting_round,
        status.streak_began,
        post,
        school,
        event,
        history,
    )
