"""Each teacher's statutory retirement semester (§4), computed once per scenario.

Every semester's retirements (:func:`kgxp.waiting.register.record_retirements`) and
payroll read these tables; they are remembered on the scenario and read-only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from itertools import islice
from operator import lt

from kgxp._internal.memo import remembered
from kgxp.model.scenario import Scenario
from kgxp.model.semester import Semester
from kgxp.waiting.register_documents import _TEACHER_ID, RegisterEntry
from kgxp.waiting.state_machine import retirement_semester

__all__ = ["retirement_positions", "retirement_semesters"]


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
