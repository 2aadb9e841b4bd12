"""A roster column read at once gives exactly what reading its cells one by one gives.

``roster_cells.convert_column`` reads the common well-formed column in a few passes
in C (the speed of ``read_roster`` at 100,000 teachers); these tests hold it to
``convert``, cell by cell: the same values, the same cells refused, the same messages,
for columns mixing every kind of cell a clerk or a script produces.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.files.roster_cells import LEFT_OUT, LIST_FIELDS, convert, convert_column

FIELDS = [
    "name",
    "seats",
    "enrolment",
    "score",
    "evaluation.student_rating",
    "key_teacher",
    "sex",
    "title",
    "birth",
    "service_start",
    "subjects",
    "circumstances",
    "pay.basic_salary",
]

_CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\t", "是", "否", " 是 ", "Y", "男", "女", "高级", "1976-10", "'=1"]),
    st.sampled_from(["1976.10", "1976.1", "12", "3.5", "1e3", "inf", "nan", "语文、数学"]),
    st.text(max_size=8),
    st.booleans(),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, 12.0, 2.5, 1e9, 1e9 + 1, 1e15, -1e15, 1976.1]),
)
_AMOUNTS = ["3360.00", " 0.05 ", "0.00", "", "999999999999999.99", "1000000000000000.00"]
_AMOUNTS += ["0012.00", "-1.00", "5.0", "5.001", "1,000.00", "１.00", "+2.00", "7.10"]
_NAMES = ["语文、数学", " 语文 ", "", "数学 、 科学", "、语文、", "a\u3000b", "x\u00a0y", "P1,P2"]
# Columns of one kind, the common case the quick passes take, with a stray cell or not.
_UNIFORM = st.one_of(
    st.lists(st.sampled_from([1.0, 2.0, 45.0, 1e9, 88.5, -3.0]), min_size=1, max_size=30),
    st.lists(st.sampled_from(["a", " b ", "张三", "", "  ", "'=x", "'ok"]), max_size=30),
    st.lists(st.sampled_from(["是", "否", "", " N ", "true"]), max_size=30),
    st.lists(st.sampled_from(["男", "女", "", " 男", "高级", "一级"]), max_size=30),
    st.lists(
        st.sampled_from(["1976-10", " 1980-01 ", "", "2001-12", "1976-1", "1976.10"]), max_size=30
    ),
    st.lists(st.sampled_from([1, 2, 10**9, 10**9 + 1, -5]), min_size=1, max_size=30),
    st.lists(st.booleans(), max_size=30),
    st.lists(st.sampled_from(_AMOUNTS), max_size=30),
    st.lists(st.sampled_from(_NAMES), max_size=30),
)


def _one_by_one(field: str, raws: list[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
    values: list[Any] = []
    errors: list[tuple[int, str]] = []
    for i, raw in enumerate(raws):
        try:
            value = convert(field, raw)
        except ValueError as error:
            errors.append((i, str(error)))
            value = LEFT_OUT
        if value is None and field not in LIST_FIELDS:
            value = LEFT_OUT  # blank: the record leaves the field out
        values.append(value)
    return values, errors


def _same(field: str, raws: list[Any]) -> None:
    values, errors = convert_column(field, raws)
    expected_values, expected_errors = _one_by_one(field, raws)
    assert [(i, str(e)) for i, e in errors] == expected_errors
    assert len(values) == len(expected_values)
    for got, expected in zip(values, expected_values, strict=True):
        assert type(got) is type(expected) and (
            got == expected or (isinstance(got, float) and math.isnan(got) and math.isnan(expected))
        ), (field, got, expected)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), raws=st.lists(_CELLS, max_size=12))
def test_a_mixed_column_reads_as_its_cells(field: str, raws: list[Any]) -> None:
    _same(field, raws)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(FIELDS),
    raws=_UNIFORM,
    stray=st.one_of(st.none(), _CELLS),
    at=st.integers(min_value=0, max_value=29),
)
def test_a_uniform_column_with_a_stray_cell_reads_as_its_cells(
    field: str, raws: list[Any], stray: Any, at: int
) -> None:
    if stray is not None:
        raws = [*raws[:at], stray, *raws[at:]]
    _same(field, raws)


@pytest.mark.parametrize(
    ("field", "raws", "bad"),
    [
        ("score", [1.0, math.nan, 2.0], 1),  # NaN hides from min and max
        ("score", [1.0, 2.0, math.inf], 2),
        ("seats", [1.0, 2.5, 3.0], 1),
        ("seats", [1.0, 2.0, 1e10], 2),
        ("key_teacher", ["是", "也许", "否"], 1),
        ("sex", ["男", "男性?", "女"], 1),
        ("birth", ["1976-10", 1976.1, "1980-01"], 1),
        ("pay.basic_salary", ["3360.00", "5.001", "0.05"], 1),
        ("pay.basic_salary", ["3360.00", "1000000000000000.00"], 1),
    ],
)
def test_one_bad_cell_in_a_well_formed_column_is_found_at_its_place(
    field: str, raws: list[Any], bad: int
) -> None:
    _, errors = convert_column(field, raws)
    assert [i for i, _ in errors] == [bad]
    _same(field, raws)


@pytest.mark.parametrize(
    ("field", "raws"),
    [
        ("subjects", ["语文、数学", "、语文、", " 数学 ", "", "a\u3000b"]),
        ("preferences", ["P1,P2", "P3；P4", "  "]),
        ("subjects", ["语文", "'=1、数学"]),  # a part guarded against formulas
        ("name", ["'=x", "张三", " '+1 "]),  # no blank cell, guarded names
        ("seats", [1.0, 2.0, " ", 3]),
        ("seats", [1.0, 2.5]),
        ("score", [88.5, "", 1e3]),
    ],
)
def test_well_formed_columns_read_as_their_cells(field: str, raws: list[Any]) -> None:
    _same(field, raws)
