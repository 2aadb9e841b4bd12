"""Semesters: order, arithmetic across school years, months, the bonus semester, parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from kgxp import YearMonth
from kgxp.model.semester import Semester, Term

semesters = st.builds(Semester, st.integers(1900, 2200), st.sampled_from(Term))
A26 = Semester(2026, Term.AUTUMN)
S26 = Semester(2026, Term.SPRING)


def test_order_within_and_across_school_years() -> None:
    assert Semester(2025, Term.SPRING) < A26 < S26 < Semester(2027, Term.AUTUMN)
    assert sorted([S26, Semester(2027, Term.AUTUMN), A26]) == [
        A26,
        S26,
        Semester(2027, Term.AUTUMN),
    ]
    assert A26 <= A26 and A26 >= A26 and S26 > A26


def test_hashable_and_equal_by_value() -> None:
    assert {A26, Semester(2026, "autumn")} == {A26}
    assert Semester(2026, "spring") == S26


def test_next_and_previous_cross_school_years() -> None:
    assert A26.next() == S26
    assert S26.next() == Semester(2027, Term.AUTUMN)
    assert A26.previous() == Semester(2025, Term.SPRING)
    assert S26.previous() == A26


def test_add_subtract_and_difference() -> None:
    start = A26
    assert start + 6 == Semester(2029, Term.AUTUMN)  # three school years
    assert start + 5 == Semester(2028, Term.SPRING)
    assert start - 1 == Semester(2025, Term.SPRING)
    assert Semester(2029, Term.AUTUMN) - start == 6
    assert start - S26 == -1
    assert start + 0 == start


@given(semesters, st.integers(-500, 500))
def test_arithmetic_roundtrips(semester: Semester, n: int) -> None:
    assert (semester + n) - semester == n
    assert (semester + n) - n == semester
    assert semester.next().previous() == semester
    assert Semester.from_index(semester.index) == semester


@given(semesters, semesters)
def test_order_matches_index(a: Semester, b: Semester) -> None:
    assert (a < b) == (a.index < b.index)
    assert (a == b) == (a.index == b.index)


def test_months_of_each_term() -> None:
    # Autumn: September of the school year to February of the next calendar year.
    assert [str(m) for m in A26.months()] == [
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    # Spring: March to August of the next calendar year (2026-27's spring is 2027).
    assert [str(m) for m in S26.months()] == [
        "2027-03",
        "2027-04",
        "2027-05",
        "2027-06",
        "2027-07",
        "2027-08",
    ]
    assert A26.first_month == YearMonth(2026, 9) and A26.last_month == YearMonth(2027, 2)
    assert YearMonth(2027, 2) in A26 and YearMonth(2027, 3) not in A26


@pytest.mark.parametrize(
    ("month", "semester"),
    [
        ((2026, 8), "2025-spring"),
        ((2026, 9), "2026-autumn"),
        ((2026, 12), "2026-autumn"),
        ((2027, 1), "2026-autumn"),
        ((2027, 2), "2026-autumn"),
        ((2027, 3), "2026-spring"),
        ((2027, 8), "2026-spring"),
    ],
)
def test_containing(month: tuple[int, int], semester: str) -> None:
    assert str(Semester.containing(YearMonth(*month))) == semester


@given(semesters)
def test_every_month_belongs_to_its_semester(semester: Semester) -> None:
    months = semester.months()
    assert len(months) == 6
    assert all(Semester.containing(m) == semester for m in months)
    assert months[0] - semester.previous().months()[-1] == 1  # no gap, no overlap


def test_year_end_bonus_is_in_the_autumn_semester() -> None:
    assert A26.holds_year_end_bonus and not S26.holds_year_end_bonus
    assert YearMonth(2026, 12) in A26  # the calendar year ends in autumn


def test_parse_and_str_roundtrip() -> None:
    assert Semester.parse("2026-autumn") == A26
    assert str(S26) == "2026-spring"
    assert Semester.parse(str(S26)) == S26
    assert repr(A26) == "Semester(2026, 'autumn')"


@pytest.mark.parametrize("text", ["2026-fall", "2026-Autumn", "26-spring", "2026 spring", ""])
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-autumn"):
        Semester.parse(text)


def test_constructor_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="school year"):
        Semester(9999, Term.AUTUMN)
    with pytest.raises(ValueError, match="winter"):
        Semester(2026, "winter")


class _Holder(BaseModel):
    semester: Semester


def test_pydantic_roundtrip_and_schema() -> None:
    held = _Holder.model_validate({"semester": "2026-spring"})
    assert held.semester == S26
    assert held.model_dump_json() == '{"semester":"2026-spring"}'
    assert _Holder.model_validate_json(held.model_dump_json()) == held
    assert _Holder(semester=A26).model_dump(mode="json") == {"semester": "2026-autumn"}
    schema = _Holder.model_json_schema()["properties"]["semester"]
    assert schema["type"] == "string" and schema["pattern"].startswith("^")


def test_pydantic_rejects_non_strings() -> None:
    with pytest.raises(ValidationError, match="YYYY-autumn"):
        _Holder.model_validate({"semester": 2026})
    with pytest.raises(ValidationError, match="YYYY-autumn"):
        _Holder.model_validate({"semester": "2026-summer"})
