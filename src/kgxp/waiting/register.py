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

from collections.abc import Iterable, Mapping

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.log import get_logger
from kgxp.exceptions import ScenarioMismatchError
from kgxp.model.arguments import (
    instance_argument,
    policy_argument,
    result_of,
    scenario_argument,
    scenario_mismatch,
)
from kgxp.model.digest import scenario_digest
from kgxp.model.policy import Policy, RetirementVacancy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.semester import Semester
from kgxp.waiting.register_documents import (
    DismissalDecision,
    Register,
    RegisterEntry,
    RegisterError,
    RegisterEvent,
)
from kgxp.waiting.register_events import (
    Stepper,
    _advanced,
    _apply_event,
    _entry,
    _known,
    _sorted_seats,
    _without_event,
)
from kgxp.waiting.retirement_lookup import _reached, retirement_positions, retirement_semesters
from kgxp.waiting.state_machine import (
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    event_for_outcome,
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
    "register_argument",
    "register_from_round",
    "register_from_scenario",
    "register_of",
    "retirement_positions",
    "retirement_semesters",
]

log = get_logger(__name__)

_ON_POST = WaitingState.ON_POST


def effective_semester(scenario: Scenario) -> Semester:
    """The semester a round of ``scenario`` takes effect in: the one after its competition month."""
    return Semester.containing(scenario.competition_month + 1)


def register_argument(value: object, name: str = "register") -> Register:
    """``value`` if it is a :class:`Register`, else ``TypeError`` (kgxp.model.arguments)."""
    return instance_argument(value, Register, name, "kgxp.register_from_round(scenario, result)")


def register_of(scenario: Scenario, register: object, name: str = "register") -> Register:
    """``register`` if it is a :class:`Register` made from ``scenario`` (its digest), else
    ``TypeError`` or :class:`~kgxp.exceptions.ScenarioMismatchError`. ``scenario`` is
    already checked.

    A register is read with the scenario it was made from, as the archive pairs them
    (``Archive.scenario(register.scenario_digest)``): with another one, its teachers'
    records, posts and retirement dates would come from a county they do not belong to.
    """
    register = register_argument(register, name)
    problem = scenario_mismatch(
        scenario,
        register.scenario_digest,
        name,
        "the register was made from another scenario",
        "give the scenario it was made from (an archive keeps it: "
        "Archive.scenario(register.scenario_digest))",
    )
    if problem is not None:
        raise ScenarioMismatchError([problem], summary="register of another scenario")
    return register


@in_kgxp_decimal_context
def register_from_round(scenario: Scenario, result: RoundResult) -> Register:
    """The register after the placement round: each teacher on post, or waiting (R7).

    The round takes effect in :func:`effective_semester`; a teacher who lost starts
    a streak (``round_not_placed``; ``refused_assigned_post`` after declining
    adjustment, R6/I9) at the school the round assigned. Seats the round left
    vacant are open to the first re-competition.
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
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


@in_kgxp_decimal_context
def register_from_scenario(scenario: Scenario) -> Register:
    """The register a scenario describes: its ``waiting`` teachers as they come in, every
    other teacher on post; its posts' seats (less reserved ones) are the open vacancies.

    This is how a next semester's re-competition is an ordinary scenario: list the
    vacant posts as its posts and the waiting teachers under ``waiting``.
    """
    scenario = scenario_argument(scenario)
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


@in_kgxp_decimal_context
def close_semester(register: Register, policy: Policy) -> Register:
    """``term_end`` for every teacher not in a terminal state: the register of the next semester.

    Streaks grow, ended terms make a re-competition due (R9), and the streak that
    reaches ``policy.waiting_limit_semesters`` raises the policy's exit (R10, I11).
    Book the closing semester's pay before closing it. A teacher whose term ended
    and who has not competed yet cannot close a semester: :class:`RegisterError`.
    """
    register = register_argument(register)
    policy = policy_argument(policy, optional=False)
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


@in_kgxp_decimal_context
def record_retirements(
    register: Register, scenario: Scenario, policy: Policy, *, reopen_seats: bool = True
) -> Register:
    """``retirement_reached`` for teachers whose statutory retirement semester (§4) is past.

    Called at the start of a semester, after :func:`close_semester`: the last
    semester before retirement is paid in full. With ``reopen_seats`` an on-post
    retiree's seat becomes vacant for the re-competition.
    """
    scenario = scenario_argument(scenario)
    register = register_of(scenario, register)  # made from this scenario (I12)
    policy = policy_argument(policy, optional=False)
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


@in_kgxp_decimal_context
def add_vacancies(register: Register, seats: Mapping[str, int]) -> Register:
    """Seats that open at the boundary (post id -> seats) join the re-competition's pool."""
    register = register_argument(register)
    if not seats:
        return register
    vacancies = dict(register.vacancies)
    for post, n in seats.items():
        if n < 0:
            raise RegisterError(f"post {post}: {n} seats cannot open")
        vacancies[post] = vacancies.get(post, 0) + n
    return register.model_copy(update={"vacancies": _sorted_seats(vacancies)})


@in_kgxp_decimal_context
def record_departures(
    register: Register, teacher_ids: Iterable[str], policy: Policy, *, reopen_seats: bool = True
) -> Register:
    """``left_service`` for teachers who resigned or transferred out; their seats reopen."""
    register = register_argument(register)
    policy = policy_argument(policy, optional=False)
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


@in_kgxp_decimal_context
def record_decisions(
    register: Register, decisions: Iterable[DismissalDecision], policy: Policy
) -> Register:
    """Apply human decisions on dismissal reviews (R10): ``dismiss`` → ``left``; ``retain``
    keeps the teacher under review (recorded in the history). Only a teacher under
    review can be decided on."""
    register = register_argument(register)
    policy = policy_argument(policy, optional=False)
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
