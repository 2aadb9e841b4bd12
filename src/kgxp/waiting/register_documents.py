"""The waiting register's documents: its entries, their events, and the register itself.

:mod:`kgxp.waiting.register` builds and advances a :class:`Register`; this module only
says what one is (pydantic models, JSON-serialisable, ``Register.model_json_schema()``).
"""

from __future__ import annotations

import hashlib
from operator import attrgetter
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from kgxp._internal.frozen import FrozenModel, Id
from kgxp.exceptions import KgxpError
from kgxp.model.document_json import ReadableDocument
from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.state_machine import TeacherWaiting, WaitingEvent, WaitingState

__all__ = ["DismissalDecision", "Register", "RegisterEntry", "RegisterError", "RegisterEvent"]


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
_TEACHER_ID = attrgetter("teacher")


class Register(ReadableDocument):
    """Every teacher's waiting status at one semester, and the seats open to re-competition.

    ``entries`` come in teacher-id order, one per teacher of the scenario;
    ``vacancies`` (post id -> seats) are the seats the next re-competition offers (R9).
    """

    document_name: ClassVar[str] = "register"

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
