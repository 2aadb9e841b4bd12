"""Semesters (学期), the period the waiting rules (R7–R10) and the pay ledger work in.

Convention used by kgxp (the seeds name no months):

- A :class:`Semester` belongs to a school year, named by its starting calendar
  year: ``school_year=2026`` is the 2026–27 school year.
- The **autumn** semester (秋季学期, the first) covers the six months
  September–February: ``2026-autumn`` is 2026-09 … 2027-02.
- The **spring** semester (春季学期, the second) covers the six months
  March–August: ``2026-spring`` is 2027-03 … 2027-08. Summer holidays fall in
  the spring semester, so every calendar month belongs to exactly one semester.
- The year-end quality bonus (年终质量奖, paid once a calendar year) belongs to the
  **autumn** semester, because the calendar year ends in it (December).

>>> s = Semester.parse("2026-autumn")
>>> str(s.next()), str(s + 3), (s + 3) - s
('2026-spring', '2027-spring', 3)
>>> [str(m) for m in s.months()][:2], s.holds_year_end_bonus
(['2026-09', '2026-10'], True)
>>> Semester.containing(YearMonth(2027, 8))
Semester(2026, 'spring')
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, ClassVar, Final, overload

import attrs

from kgxp._internal.indexed_value import IndexedStringValue
from kgxp.model.months import YearMonth

__all__ = ["LAST_SCHOOL_YEAR", "MONTHS_PER_SEMESTER", "Semester", "Term"]

MONTHS_PER_SEMESTER: Final = 6
# The spring semester's months lie in school_year + 1, which YearMonth caps at 9999.
LAST_SCHOOL_YEAR: Final = 9998
_PATTERN = re.compile(r"^(\d{4})-(autumn|spring)$")
_JSON_PATTERN = r"^\d{4}-(autumn|spring)$"


class Term(StrEnum):
    """The two semesters of a school year, in order."""

    AUTUMN = "autumn"  # 秋季学期: September – February
    SPRING = "spring"  # 春季学期: March – August

    @property
    def position(self) -> int:
        """0 for autumn, 1 for spring: the order inside a school year."""
        return 0 if self is Term.AUTUMN else 1

    @property
    def first_month(self) -> int:
        """Calendar month the term starts in (9 or 3)."""
        return 9 if self is Term.AUTUMN else 3


def _to_term(value: Term | str) -> Term:
    return Term(value)


@attrs.frozen(order=False, repr=False)
class Semester(IndexedStringValue):
    """One semester: ``school_year`` (the starting calendar year) and ``term``.

    Frozen, hashable and ordered in time; ``semester + n`` and ``semester - n``
    move by whole semesters and ``a - b`` is the number of semesters from ``b``
    to ``a``. ``str()`` gives ``"2026-autumn"``, which :meth:`parse` (and pydantic)
    read back.
    """

    JSON_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "string",
        "pattern": _JSON_PATTERN,
        "description": "a semester: the school year's starting calendar year and the term "
        "(autumn = Sep–Feb, spring = Mar–Aug of the following calendar year)",
        "examples": ["2026-autumn", "2026-spring"],
    }
    EXPECTED: ClassVar[str] = "a semester as a YYYY-autumn / YYYY-spring string"

    school_year: int = attrs.field()
    term: Term = attrs.field(converter=_to_term)

    @school_year.validator
    def _check_year(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= LAST_SCHOOL_YEAR:
            raise ValueError(f"school year must be between 1 and {LAST_SCHOOL_YEAR}, got {value}")

    # -- construction -----------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Semester:
        """Parse ``YYYY-autumn`` or ``YYYY-spring``; anything else raises ``ValueError``."""
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"expected a semester as YYYY-autumn or YYYY-spring, got {text!r}")
        return cls(int(match.group(1)), Term(match.group(2)))

    @classmethod
    def from_index(cls, index: int) -> Semester:
        """Inverse of :attr:`index`."""
        year, position = divmod(index, 2)
        return cls(year, Term.AUTUMN if position == 0 else Term.SPRING)

    @classmethod
    def containing(cls, month: YearMonth) -> Semester:
        """The semester a calendar month belongs to.

        >>> str(Semester.containing(YearMonth(2027, 2))), str(Semester.containing(YearMonth(2027, 3)))
        ('2026-autumn', '2026-spring')
        """
        if month.month >= 9:
            return cls(month.year, Term.AUTUMN)
        if month.month <= 2:
            return cls(month.year - 1, Term.AUTUMN)
        return cls(month.year - 1, Term.SPRING)

    # -- properties ---------------------------------------------------------------

    @property
    def index(self) -> int:
        """Semesters since school year 0, so differences are integer subtraction."""
        return self.school_year * 2 + self.term.position

    @property
    def first_month(self) -> YearMonth:
        if self.term is Term.AUTUMN:
            return YearMonth(self.school_year, 9)
        return YearMonth(self.school_year + 1, 3)

    @property
    def last_month(self) -> YearMonth:
        return self.first_month + (MONTHS_PER_SEMESTER - 1)

    @property
    def holds_year_end_bonus(self) -> bool:
        """True for autumn: the calendar year (and its year-end bonus) ends in it."""
        return self.term is Term.AUTUMN

    def months(self) -> tuple[YearMonth, ...]:
        """The six calendar months of the semester, in order."""
        first = self.first_month
        return tuple(first + offset for offset in range(MONTHS_PER_SEMESTER))

    def __contains__(self, month: object) -> bool:
        return isinstance(month, YearMonth) and self.first_month <= month <= self.last_month

    # -- arithmetic ---------------------------------------------------------------

    def next(self) -> Semester:
        return Semester.from_index(self.index + 1)

    def previous(self) -> Semester:
        return Semester.from_index(self.index - 1)

    def __add__(self, semesters: int) -> Semester:
        if not isinstance(semesters, int) or isinstance(semesters, bool):
            return NotImplemented
        return Semester.from_index(self.index + semesters)

    @overload
    def __sub__(self, other: Semester) -> int: ...
    @overload
    def __sub__(self, other: int) -> Semester: ...
    def __sub__(self, other: Semester | int) -> int | Semester:
        if isinstance(other, Semester):
            return self.index - other.index
        if isinstance(other, int) and not isinstance(other, bool):
            return Semester.from_index(self.index - other)
        return NotImplemented

    def __str__(self) -> str:
        return f"{self.school_year:04d}-{self.term.value}"

    def __repr__(self) -> str:
        return f"Semester({self.school_year}, {self.term.value!r})"
