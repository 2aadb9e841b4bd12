"""A simulation's semester records: one per teacher and semester, kept as the registers' entries.

:class:`SemesterRecord` is one teacher in one semester (state, streak, where they are,
what moved them); :class:`SemesterRecords` the sequence of them a
:class:`~kgxp.waiting.simulation.Simulation` holds. A semester's records are its
register's entries read with the semester: the simulation keeps each semester's entries
(an unmoved entry is the same object from one semester to the next) and builds a record
when one is asked for.

>>> import kgxp
>>> run = kgxp.simulate(kgxp.load_scenario("examples/ziyang_county.json"), semesters=2)
>>> len(run.records), run.records[0].teacher, str(run.records[-1].semester)
(4862, 'T00001', '2026-spring')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from kgxp._internal.frozen import FrozenModel, Id
from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.columns import ColumnRows
from kgxp.waiting.register import RegisterEntry
from kgxp.waiting.state_machine import WaitingEvent, WaitingState

__all__ = ["SemesterRecord", "SemesterRecords"]


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


_new_record = constructor(SemesterRecord)
_REVIEW = WaitingState.DISMISSAL_REVIEW


class RegisterSegment:
    """One semester's records as its register's entries (valid already: not validated again)."""

    __slots__ = ("entries", "semester")

    def __init__(self, semester: Semester, entries: tuple[RegisterEntry, ...]) -> None:
        self.semester = semester
        self.entries = entries

    def __len__(self) -> int:
        return len(self.entries)

    def model(self, position: int) -> SemesterRecord:
        return _new_record(*self._row(self.entries[position]))

    def models(self) -> Iterator[SemesterRecord]:
        return (_new_record(*self._row(entry)) for entry in self.entries)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return (self._row(entry) for entry in self.entries)

    def _row(self, entry: RegisterEntry) -> tuple[Any, ...]:
        state = entry.state
        return (
            entry.teacher,
            self.semester,
            state,
            entry.streak,
            state is _REVIEW,
            entry.post,
            entry.school,
            entry.event,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (RegisterSegment, (self.semester, self.entries))


class SemesterRecords(ColumnRows[SemesterRecord]):
    """:class:`SemesterRecord` rows, semester after semester, built on access.

    A read-only sequence: ``len``, indexing, slicing (a tuple), iteration and ``==``
    as the tuple of records it replaces; ``tuple(records)`` gives that tuple.
    """

    model = SemesterRecord
    __slots__ = ()

    @classmethod
    def of_registers(
        cls, semesters: tuple[tuple[Semester, tuple[RegisterEntry, ...]], ...]
    ) -> SemesterRecords:
        """The records of each (semester, register entries) in turn."""
        return cls(RegisterSegment(semester, entries) for semester, entries in semesters)

    def for_teacher(self, teacher_id: str) -> list[SemesterRecord]:
        """One teacher's records, in order (only theirs are built)."""
        return [_new_record(*row) for row in self.rows() if row[0] == teacher_id]
