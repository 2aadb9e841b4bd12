"""The register's Stepper: entries alike share one status, entries unlike never do (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest

from kgxp import Policy
from kgxp.model.semester import Semester
from kgxp.waiting.register import RegisterEntry, RegisterError, RegisterEvent
from kgxp.waiting.register_events import Stepper
from kgxp.waiting.state_machine import WaitingEvent, WaitingState, step

AUTUMN = Semester.parse("2026-autumn")
POLICY = Policy(waiting_term_semesters=2)


def waiting(teacher: str, **changes: Any) -> RegisterEntry:
    began = RegisterEvent(
        semester=AUTUMN,
        event=WaitingEvent.ROUND_NOT_PLACED,
        state=WaitingState.WAITING,
        rule="R7",
        source="placement round",
    )
    fields: dict[str, Any] = {
        "teacher": teacher,
        "state": WaitingState.WAITING,
        "streak": 0,
        "terms_waited": 0,
        "term_semesters": 0,
        "due": False,
        "streak_began": AUTUMN,
        "school": "S1",
        "history": (began,),
    }
    return RegisterEntry.model_validate(fields | changes)


def test_entries_alike_share_one_status_equal_to_step() -> None:
    stepper = Stepper(AUTUMN, POLICY)
    first = stepper.status(waiting("T1"), WaitingEvent.TERM_END)
    second = stepper.status(waiting("T2"), WaitingEvent.TERM_END)
    assert second is first
    assert first == step(waiting("T1").status(AUTUMN), WaitingEvent.TERM_END, POLICY)


REVIEW = RegisterEvent(
    semester=AUTUMN,
    event=WaitingEvent.REFUSED_ASSIGNED_POST,
    state=WaitingState.WAITING,
    rule="R6",
    source="placement round",
)


@pytest.mark.parametrize(
    "changes",
    [
        {"streak": 1},
        {"terms_waited": 1},
        {"term_semesters": 1},
        {"streak": 5},  # at the limit: term_end raises the exit (I11)
        {"state": WaitingState.CONTINUED_WAITING, "streak": 2, "terms_waited": 1},
        {"streak_began": Semester.parse("2025-autumn")},
        {"history": (REVIEW,)},
    ],
    ids=repr,
)
def test_an_entry_unlike_in_what_step_reads_gets_its_own_status(changes: dict[str, Any]) -> None:
    # A key missing one of the fields step reads would hand this entry the first one's status.
    stepper = Stepper(AUTUMN, POLICY)
    stepper.status(waiting("T1"), WaitingEvent.TERM_END)
    other = waiting("T2", **changes)
    found = stepper.status(other, WaitingEvent.TERM_END)
    assert found == step(other.status(AUTUMN), WaitingEvent.TERM_END, POLICY)


def test_an_illegal_event_raises_for_every_entry_naming_it() -> None:
    # Not remembered: each due teacher meeting term_end raises with its own id.
    stepper = Stepper(AUTUMN, POLICY)
    for teacher in ("T1", "T2"):
        with pytest.raises(RegisterError, match=f"teacher {teacher} .*term_end"):
            stepper.status(waiting(teacher, due=True), WaitingEvent.TERM_END)


def test_records_alike_are_shared_and_equal_to_those_built_one_by_one() -> None:
    stepper = Stepper(AUTUMN, POLICY)
    one = stepper.apply(waiting("T1", due=True), WaitingEvent.ROUND_NOT_PLACED, "re 1")
    two = stepper.apply(waiting("T2", due=True), WaitingEvent.ROUND_NOT_PLACED, "re 1")
    assert one.history[-1] is two.history[-1]
    alone = Stepper(AUTUMN, POLICY).apply(
        waiting("T2", due=True), WaitingEvent.ROUND_NOT_PLACED, "re 1"
    )
    assert two == alone and two.model_dump_json() == alone.model_dump_json()
