from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from kgxp import YearMonth

months = st.builds(YearMonth, st.integers(1900, 2200), st.integers(1, 12))


def test_parse_and_format() -> None:
    assert YearMonth.parse("2026-08") == YearMonth(2026, 8)
    assert str(YearMonth(2026, 8)) == "2026-08"


@pytest.mark.parametrize("text", ["2026-8", "2026-13", "2026-00", "26-08", "2026/08", ""])
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        YearMonth.parse(text)


def test_constructor_rejects_bad_month() -> None:
    with pytest.raises(ValueError, match="month"):
        YearMonth(2026, 13)


def test_arithmetic_across_year_end() -> None:
    assert YearMonth(2026, 11) + 3 == YearMonth(2027, 2)
    assert YearMonth(2027, 2) - YearMonth(2026, 11) == 3
    assert YearMonth(2026, 1) + (-1) == YearMonth(2025, 12)


@given(months, st.integers(-2000, 2000))
def test_add_then_subtract_roundtrips(month: YearMonth, delta: int) -> None:
    assert (month + delta) - month == delta
    assert YearMonth.parse(str(month)) == month


@given(months, months)
def test_order_matches_index(a: YearMonth, b: YearMonth) -> None:
    assert (a < b) == (a.index < b.index)


class _Holder(BaseModel):
    month: YearMonth


def test_pydantic_roundtrip_and_schema() -> None:
    held = _Holder.model_validate({"month": "2031-05"})
    assert held.month == YearMonth(2031, 5)
    assert held.model_dump_json() == '{"month":"2031-05"}'
    assert _Holder.model_json_schema()["properties"]["month"]["pattern"].startswith("^")


def test_pydantic_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        _Holder.model_validate({"month": 202608})
