"""Domain §4 retirement checks and the R4 'less than three years' boundary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgxp import YearMonth, months_to_retirement, statutory_retirement, within_retirement_window


@pytest.mark.parametrize(
    ("birth", "base", "age", "month"),
    [
        # The brief's checks.
        ((1965, 1), 60, (60, 1), (2025, 2)),
        ((1965, 4), 60, (60, 1), (2025, 5)),
        ((1970, 1), 60, (61, 4), (2031, 5)),
        ((1976, 9), 60, (63, 0), (2039, 9)),
        ((1981, 9), 55, (58, 0), (2039, 9)),
        ((1984, 11), 50, (55, 0), (2039, 11)),
        # Boundaries around them.
        ((1964, 12), 60, (60, 0), (2024, 12)),  # last cohort before the reform
        ((1965, 5), 60, (60, 2), (2025, 7)),  # the step of four months turns over
        ((1976, 8), 60, (62, 11), (2039, 7)),  # one month short of the cap
        ((1990, 1), 60, (63, 0), (2053, 1)),  # well past the cap
        ((1969, 12), 55, (55, 0), (2024, 12)),  # women (55): last unaffected cohort
        ((1970, 1), 55, (55, 1), (2025, 2)),
        ((1981, 8), 55, (57, 11), (2039, 7)),
        ((1974, 12), 50, (50, 0), (2024, 12)),  # women (50): last unaffected cohort
        ((1975, 1), 50, (50, 1), (2025, 2)),
        ((1975, 3), 50, (50, 2), (2025, 5)),  # one month every two months
        ((1984, 10), 50, (54, 11), (2039, 9)),
    ],
)
def test_statutory_age(
    birth: tuple[int, int], base: int, age: tuple[int, int], month: tuple[int, int]
) -> None:
    retirement = statutory_retirement(YearMonth(*birth), base)
    assert retirement.age == age
    assert retirement.month == YearMonth(*month)


def test_unknown_base_age_is_rejected() -> None:
    with pytest.raises(ValueError, match="base age must be one of"):
        statutory_retirement(YearMonth(1970, 1), 58)


# R4 window, competition 2026-08. A man born 1966-05 retires at 60y5m ... compute
# the exact boundary by the rule rather than by hand-picked birth months.
COMPETITION = YearMonth(2026, 8)


def test_window_boundary_is_thirty_six_months() -> None:
    # Man born 1967-01: n = (1967+60-2025)*12+1 = 25 → delay ceil(25/4) = 7 → 60y7m → 2027-08.
    assert statutory_retirement(YearMonth(1967, 1), 60).month == YearMonth(2027, 8)
    assert within_retirement_window(YearMonth(1967, 1), 60, COMPETITION)
    # Man born 1969-05: n = 53 → delay 14 → 61y2m → retires 2030-07: 47 months away.
    assert months_to_retirement(YearMonth(1969, 5), 60, COMPETITION) == 47
    assert not within_retirement_window(YearMonth(1969, 5), 60, COMPETITION)


def test_exactly_three_years_is_not_protected_and_one_month_less_is() -> None:
    # Woman (55) born 1974-08: n = (1974+55-2025)*12+8 = 56 → delay 14 → 56y2m → 2030-10.
    birth = YearMonth(1974, 8)
    assert statutory_retirement(birth, 55).month == YearMonth(2030, 10)
    assert months_to_retirement(birth, 55, YearMonth(2027, 10)) == 36
    assert not within_retirement_window(birth, 55, YearMonth(2027, 10))
    assert months_to_retirement(birth, 55, YearMonth(2027, 11)) == 35
    assert within_retirement_window(birth, 55, YearMonth(2027, 11))


def test_already_retired_is_outside_the_window_the_retirement_month_inside() -> None:
    birth = YearMonth(1964, 1)  # retired 2024-01 at 60
    assert months_to_retirement(birth, 60, COMPETITION) < 0
    assert not within_retirement_window(birth, 60, COMPETITION)
    # The retirement month itself: 0 months left, still in service that month (R4).
    assert within_retirement_window(birth, 60, YearMonth(2024, 1))
    assert not within_retirement_window(birth, 60, YearMonth(2024, 2))


births = st.builds(YearMonth, st.integers(1950, 2005), st.integers(1, 12))


@given(births, st.sampled_from([50, 55, 60]))
def test_later_cohorts_never_retire_earlier_or_younger(birth: YearMonth, base: int) -> None:
    this, nxt = statutory_retirement(birth, base), statutory_retirement(birth + 1, base)
    assert nxt.month > this.month
    assert nxt.age_months >= this.age_months
    cap = 60 if base == 50 else 36
    assert 0 <= this.delay_months <= cap
