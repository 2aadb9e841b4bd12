"""Statutory retirement age under the 2025 gradual-delay reform (domain §4), used by R4.

Since 2025-01-01 (渐进式延迟法定退休年龄) the statutory age rises for each birth
cohort from the first month whose *original* retirement month falls in 2025:

- base 60 (men) and base 55 (women): one month every four months of birth
  cohort, at most 36 months (to 63 and 58);
- base 50 (women): one month every two months, at most 60 months (to 55).

With ``n = (birth_year + base_age - 2025) * 12 + birth_month`` (``n = 1`` for the
first affected cohort) the delay is ``0`` for ``n <= 0``, else
``min(ceil(n / step), cap)``.

"Less than three years from the statutory retirement age in the month of the
competition" (R4, seed 000: 竞聘上岗当年当月距离法定退休年龄不足三年) is defined at
month granularity: the number of months from the competition month to the
retirement month is less than the window (36 months). The retirement month is
the month in which the teacher reaches the statutory age, i.e. birth month plus
the statutory age in months. Exactly 36 months away is *not* protected; 35 is; so
is 0 — a teacher who reaches the age in the competition month is still in service
that month. A retirement month *before* the competition month is an input error
(scenario validation, ``past_retirement``).
"""

from __future__ import annotations

from typing import Final

import attrs

from kgxp.model.months import YearMonth

__all__ = [
    "BASE_AGES",
    "StatutoryRetirement",
    "months_to_retirement",
    "statutory_retirement",
    "within_retirement_window",
]

_REFORM_START_YEAR: Final = 2025


@attrs.frozen
class _Schedule:
    step: int
    cap: int


# Keyed by the original statutory age; the reform defines no other bases.
_SCHEDULES: Final[dict[int, _Schedule]] = {
    60: _Schedule(step=4, cap=36),
    55: _Schedule(step=4, cap=36),
    50: _Schedule(step=2, cap=60),
}
BASE_AGES: Final[frozenset[int]] = frozenset(_SCHEDULES)


@attrs.frozen
class StatutoryRetirement:
    """Statutory retirement of one teacher: the age (years, months) and the month it is reached."""

    base_age: int
    delay_months: int
    month: YearMonth

    @property
    def age_months(self) -> int:
        return self.base_age * 12 + self.delay_months

    @property
    def age(self) -> tuple[int, int]:
        """``(years, months)``, e.g. ``(61, 4)``."""
        return divmod(self.age_months, 12)


def statutory_retirement(birth: YearMonth, base_age: int) -> StatutoryRetirement:
    """Statutory retirement for a birth month and original base age (60, 55 or 50).

    >>> r = statutory_retirement(YearMonth(1970, 1), 60)
    >>> r.age, str(r.month)
    ((61, 4), '2031-05')
    """
    delay = _delay_months(birth, base_age)
    return StatutoryRetirement(
        base_age=base_age, delay_months=delay, month=birth + (base_age * 12 + delay)
    )


def _delay_months(birth: YearMonth, base_age: int) -> int:
    schedule = _SCHEDULES.get(base_age)
    if schedule is None:
        raise ValueError(f"retirement base age must be one of {sorted(BASE_AGES)}, got {base_age}")
    n = (birth.year + base_age - _REFORM_START_YEAR) * 12 + birth.month
    return 0 if n <= 0 else min(-(-n // schedule.step), schedule.cap)


def months_to_retirement(birth: YearMonth, base_age: int, at: YearMonth) -> int:
    """Whole months from ``at`` to the statutory retirement month (≤ 0 once reached)."""
    # Integer month arithmetic: this runs once per teacher in validation and R4.
    return birth.index + base_age * 12 + _delay_months(birth, base_age) - at.index


def within_retirement_window(
    birth: YearMonth, base_age: int, competition_month: YearMonth, window_months: int = 36
) -> bool:
    """R4: less than ``window_months`` from statutory retirement in the competition month.

    A teacher who reaches the age in the competition month (``0`` months left) is still
    in service that month and inside the window; one whose retirement month is before
    it (``< 0``) has retired: scenario validation rejects them.

    >>> within_retirement_window(YearMonth(1967, 1), 60, YearMonth(2026, 8))
    True
    """
    left = months_to_retirement(birth, base_age, competition_month)
    return 0 <= left < window_months
