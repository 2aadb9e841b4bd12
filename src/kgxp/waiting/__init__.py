"""Waiting status across semesters (R7–R10): the state machine, the pay ledger,
re-competition and the multi-semester simulation.

``state_machine`` (one teacher's status, :func:`step`, the transition table),
``ledger`` (pay lines per semester, R8, R9, R18), ``recompetition`` (the
vacancies' round for waiting teachers, R9), ``simulation`` (:func:`kgxp.simulate`).
Imports :mod:`kgxp.model` and the round's stages (re-competition is a round).

The state machine's names are importable from here too, as they were from the
former module ``kgxp.waiting``.
"""

from kgxp.waiting.state_machine import (
    TRANSITIONS,
    Effect,
    IllegalTransition,
    TeacherWaiting,
    Transition,
    WaitingEvent,
    WaitingState,
    event_for_outcome,
    legal_events,
    replay,
    retirement_semester,
    step,
    transition_table,
)

__all__ = [
    "TRANSITIONS",
    "Effect",
    "IllegalTransition",
    "TeacherWaiting",
    "Transition",
    "WaitingEvent",
    "WaitingState",
    "event_for_outcome",
    "legal_events",
    "replay",
    "retirement_semester",
    "step",
    "transition_table",
]
