"""A scenario's teachers as columns and by id, read once per scenario (internal; issue 19).

At 100,000s of teachers, each pass that reads an attribute of every teacher object
costs about as much as the work done with the values: the objects lie scattered in
memory, and reading them is cache misses. ``run_round`` and ``verify`` each made
many such passes over ``scenario.teachers`` (ids, schools, subjects, preferences,
volunteering, ...). :func:`teacher_columns` reads every teacher object once, in one
loop, into one list per field, remembered on the scenario (see
:mod:`kgxp._internal.memo`), so that both read plain lists instead.
:func:`teachers_by_id` is the same for the id → teacher table that the checks, the
files and the views each used to build from the teachers for themselves.

The columns hold the teachers as the scenario states them, in the scenario's order
(the stated preferences only: the posts a teacher applies to by default, R5, are
added by :func:`kgxp.round.applications.applied_posts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kgxp._internal.memo import remembered
from kgxp.model.scenario import Scenario, Teacher

__all__ = ["TeacherColumns", "teacher_columns", "teachers_by_id"]


@dataclass(frozen=True, slots=True)
class TeacherColumns:
    """Per field, every teacher's value, in the scenario's teacher order. Shared
    between ``run_round`` and ``verify`` (and every later call on the scenario), so
    each column is a tuple: no caller can change what the others read."""

    ids: tuple[str, ...]
    schools: tuple[str, ...]
    subjects: tuple[tuple[str, ...], ...]
    preferences: tuple[tuple[str, ...], ...]
    volunteers: tuple[bool, ...]  # volunteers_cross_school
    willing: tuple[bool, ...]  # willing_to_adjust


def teacher_columns(scenario: Scenario) -> TeacherColumns:
    """``scenario``'s teachers as columns, read once per scenario.

    >>> import kgxp
    >>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
    >>> columns = teacher_columns(scenario)
    >>> list(columns.ids) == [t.id for t in scenario.teachers]
    True
    >>> teacher_columns(scenario) is columns
    True
    """
    return remembered(scenario, "teacher_columns", None, lambda: _read(scenario))


def teachers_by_id(scenario: Scenario) -> Mapping[str, Teacher]:
    """``scenario``'s teachers by id, read once per scenario.

    Shared by every caller, so it is read-only: no caller can change what the others
    read.

    >>> import kgxp
    >>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
    >>> teacher = scenario.teachers[0]
    >>> teachers_by_id(scenario)[teacher.id] is teacher
    True
    >>> teachers_by_id(scenario) is teachers_by_id(scenario)
    True
    """
    return remembered(
        scenario,
        "teachers_by_id",
        None,
        # The ids from the columns: the teacher objects are not read a second time.
        lambda: MappingProxyType(
            dict(zip(teacher_columns(scenario).ids, scenario.teachers, strict=True))
        ),
    )


def _read(scenario: Scenario) -> TeacherColumns:
    ids: list[str] = []
    schools: list[str] = []
    subjects: list[tuple[str, ...]] = []
    preferences: list[tuple[str, ...]] = []
    volunteers: list[bool] = []
    willing: list[bool] = []
    # One loop appending to each column: a third of the time of one comprehension per
    # field (each of which would read every teacher object again).
    id_of, school_of, subjects_of = ids.append, schools.append, subjects.append
    preferences_of, volunteer_of, willing_of = preferences.append, volunteers.append, willing.append
    for teacher in scenario.teachers:
        id_of(teacher.id)
        school_of(teacher.school)
        subjects_of(teacher.subjects)
        preferences_of(teacher.preferences)
        volunteer_of(teacher.volunteers_cross_school)
        willing_of(teacher.willing_to_adjust)
    # Appended to lists, then copied into tuples: the copies cost about a tenth of the
    # loop (at 100,000 teachers ≈5 ms of ≈45), while building the tuples in one call
    # (zip(*map(attrgetter(...), teachers))) costs six times the loop.
    return TeacherColumns(
        tuple(ids),
        tuple(schools),
        tuple(subjects),
        tuple(preferences),
        tuple(volunteers),
        tuple(willing),
    )
