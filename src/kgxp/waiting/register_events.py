"""Events applied to register entries: one transition of the state machine, recorded.

Shared by the functions that advance a register (:mod:`kgxp.waiting.register`) and by
the re-competition (:mod:`kgxp.waiting.recompetition_round`). :class:`Stepper` applies
one semester's events to many entries, computing each distinct transition once.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgxp.model.policy import Policy
from kgxp.model.semester import Semester
from kgxp.waiting.register_documents import (
    Register,
    RegisterEntry,
    RegisterError,
    RegisterEvent,
    _new_entry,
    _new_event,
)
from kgxp.waiting.state_machine import (
    TRANSITIONS,
    IllegalTransition,
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    step,
)

__all__ = ["Stepper"]


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
