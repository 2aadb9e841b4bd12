"""A roster read column by column gives exactly what reading it row by row gives.

``read_roster`` at 100,000 teachers takes quick paths with no Python step per row or
cell where a table is well formed: records made column by column, blank rows found
from the first column, preferences attached when listed teacher by teacher and rank
by rank. These tests hold each quick path to the row-by-row reading it replaces: the
same records (key order included), the same rows, the same scenario and problems.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp import ScenarioError
from kgxp.files import roster_read
from kgxp.files.roster_cells import LEFT_OUT
from kgxp.files.roster_read import read_roster
from kgxp.files.roster_records import _records, _records_by_row
from kgxp.files.roster_sources import RosterLimits, _numbered, read_tables
from tests.conftest import EXAMPLE
from tests.test_tables import TEACHERS, _roster

ROSTER = EXAMPLE.with_name("ziyang_roster.xlsx")

_KEYS = ["id", "name", "score", "evaluation.a", "evaluation.b", "pay.x", "pay.y", "deep.a.b"]


@st.composite
def _columns(draw: st.DrawFn) -> tuple[list[str], list[list[Any]], int]:
    keys = draw(st.lists(st.sampled_from(_KEYS), unique=True, max_size=len(_KEYS)))
    keys = draw(st.permutations(keys))  # nested fields side by side, or interleaved
    rows = draw(st.integers(min_value=0, max_value=6))
    cell = st.one_of(st.just(LEFT_OUT), st.integers(0, 3), st.sampled_from(["a", ""]))
    columns = [draw(st.lists(cell, min_size=rows, max_size=rows)) for _ in keys]
    return list(keys), columns, rows


@settings(max_examples=400, deadline=None)
@given(_columns())
def test_records_made_column_by_column_are_those_made_row_by_row(
    table: tuple[list[str], list[list[Any]], int],
) -> None:
    keys, columns, rows = table
    # repr shows the key order of every dict, nested ones included.
    assert repr(_records(keys, columns, rows)) == repr(_records_by_row(keys, columns, rows))


def _filled_rows(rows: list[list[Any]]) -> list[tuple[int, tuple[Any, ...]]]:
    """The rows with a value: a cell neither missing nor text of white space alone."""
    return [
        (number, tuple(row))
        for number, row in enumerate(rows, start=1)
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row)
    ]


_CELL = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "T1", " x ", 0, 0.0, False, 1.5]))


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            st.tuples(
                st.sampled_from(["T1", "教师", " a"]),
                st.lists(_CELL, min_size=width - 1, max_size=width - 1),
            ).map(lambda row: [row[0], *row[1]])
            | st.lists(_CELL, min_size=width, max_size=width),
            max_size=8,
        )
    )
)
def test_blank_rows_are_dropped_whatever_the_first_column_holds(rows: list[list[Any]]) -> None:
    assert list(_numbered("教师", rows, RosterLimits())) == _filled_rows(rows)


_IN_ORDER = "教师编号,志愿序号,岗位编号\nT1,1,P2\nT1,2,P1\nT2,1,P1\nT3,1,P2\n"
# T1 and T3 also list a choice on the teachers' sheet: given twice.
_TWICE = TEACHERS.replace("服从调剂\n", "服从调剂,志愿\n").replace(",是\nT2", ",是,P2\nT2")
_TWICE = _TWICE.replace("借调,是\n", "借调,是,P2\n")


def _read(folder: Path) -> Any:
    try:
        return read_roster(folder)
    except ScenarioError as error:
        return [(p.code, p.record, p.field, p.message, p.record_id) for p in error.problems]


@pytest.mark.parametrize("teachers", [TEACHERS, _TWICE])
def test_preferences_in_order_read_as_row_by_row(
    tmp_path: Path, teachers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _roster(tmp_path / "a", 教师=teachers, 志愿=_IN_ORDER)
    quick = _read(folder)
    monkeypatch.setattr(roster_read, "_attach_in_order", lambda *arguments: False)
    assert _read(folder) == quick
    if teachers == _TWICE:
        assert [code for code, *_ in quick] == ["duplicate_preferences"] * 2
    else:
        assert [t.preferences for t in quick.teachers] == [("P2", "P1"), ("P1",), ("P2",)]


def test_preferences_shuffled_read_as_in_order(tmp_path: Path) -> None:
    header, *lines = _IN_ORDER.splitlines()
    in_order = read_roster(_roster(tmp_path / "a", 志愿=_IN_ORDER))
    for seed in range(5):
        random.Random(seed).shuffle(lines)
        shuffled = "\n".join([header, *lines]) + "\n"
        assert read_roster(_roster(tmp_path / f"s{seed}", 志愿=shuffled)) == in_order


def _workbook(path: Path, sheets: dict[str, list[list[Any]]], merged: str = "") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merged and name == "B":
            sheet.merge_cells(merged)
    book.save(path)
    return path


_LIMITS = RosterLimits(max_rows=5, max_cell_chars=10)
_SHORT = [["id", "x"], ["a", 1]]
_LONG_ROWS = [["id"], *[[f"r{i}"] for i in range(8)]]
_LONG_CELL = [["id"], ["x" * 11]]


@pytest.mark.parametrize(
    ("b", "c", "merged", "code", "where"),
    [
        (_LONG_CELL, _LONG_ROWS, "", "too_long", "B row 2"),  # B's cells, then C's extent
        (_LONG_ROWS, _LONG_CELL, "", "too_large", "B"),  # B's extent: C is never parsed
        (_SHORT, _LONG_ROWS, "A1:B1", "too_large", "C"),  # C's extent, though B is merged
        (_SHORT, _LONG_CELL, "A1:B1", "too_long", "C row 2"),
        (_SHORT, _SHORT, "A1:B1", "merged_cells", "B row 1"),
    ],
)
def test_sheets_parsed_in_a_thread_are_refused_in_sheet_order(
    tmp_path: Path, b: Any, c: Any, merged: str, code: str, where: str
) -> None:
    """The first problem a sheet-by-sheet reading meets, while the next sheets are parsed."""
    path = _workbook(tmp_path / "r.xlsx", {"A": _SHORT, "B": b, "C": c, "D": _SHORT}, merged)
    with pytest.raises(ScenarioError) as error:
        read_tables(path, _LIMITS)
    assert [(p.code, p.record) for p in error.value.problems] == [(code, where)]


def _edited(folder: Path, edits: list[tuple[str, str, int, object]]) -> Path:
    """The example roster with cells changed: (sheet, header, row, value)."""
    book = openpyxl.load_workbook(ROSTER)
    for sheet, header, row, value in edits:
        headers = [c.value for c in book[sheet][1]]
        column = headers.index(header) + 1 if header in headers else len(headers) + 1
        book[sheet].cell(row, column).value = value
    path = folder / "roster.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    "edits",
    [
        [],
        [
            ("教师", "出生年月", 3, 1976.1),
            ("教师", "综合得分", 5, "高"),
            ("岗位", "岗位数", 2, "x"),
            ("教师", "特殊情形", 1, "特殊情况"),  # an unknown header
        ],
        [("教师", "姓名", 1, "教师编号")],  # two columns hold the id
        [("教师", "教师编号", 4, None), ("志愿", "岗位编号", 3, "nowhere")],
    ],
)
def test_columns_read_while_later_sheets_are_parsed_read_as_after(
    tmp_path: Path, edits: list[tuple[str, str, int, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table's columns read early (as soon as its sheet is) give the same scenario, or
    the same problems in the same order, as read after every sheet is."""
    path = _edited(tmp_path, edits)
    early = _read(path)
    monkeypatch.setattr(roster_read._EarlyColumns, "table_read", lambda self, table: None)
    assert _read(path) == early
    assert edits or not isinstance(early, list)
    assert not edits or isinstance(early, list)
