"""Fuzzing the file edges (issue 15): rosters (CSV and xlsx cells), file names, appeal edits.

Every input is either read exactly or refused with kgxp's ScenarioError: no other
exception, no hang, and nothing accepted that is not what the cell says.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import ScenarioError
from kgxp.files.roster_cells import convert
from kgxp.files.roster_read import read_roster
from kgxp.files.roster_write import write_roster
from kgxp.files.safe_output import neutralise, restore, safe_file_names
from kgxp.testing import scenario_data
from tests.test_tables import TEACHERS, _roster

_NASTY = [
    "Infinity", "-inf", "sNaN", "nan", "1e9999999", "9" * 5000, "1_000", "0x10", "１２",
    "1976.1", "1976.10", "1980-10-45", "1980-02-29", "1981-02-29", "=1+1", "@A1", "'=x",
    "\x00", "\ufeff", " ", "是", "否", "男", "产假", "-0", "+5", ".5", "5.", "1,000",
]  # fmt: skip
_CELLS = st.sampled_from(_NASTY) | st.text(max_size=30)


@given(
    field=st.sampled_from(
        [
            "score",
            "seats",
            "birth",
            "service_start",
            "key_teacher",
            "title",
            "circumstances",
            "pay.basic_salary",
            "evaluation.peer_review",
            "subjects",
        ]
    ),
    raw=_CELLS | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**40), 10**40),
)
def test_one_cell_is_read_exactly_or_refused(field: str, raw: Any) -> None:
    try:
        value = convert(field, raw)
    except ValueError as error:
        refused = str(error)
        assert refused
        return
    if field in {"score", "evaluation.peer_review"} and value is not None:
        assert math.isfinite(value)
        assert Decimal(str(raw).strip().replace(",", "")) == Decimal(repr(value)) or isinstance(
            raw, float
        )
    if field in {"birth", "service_start"} and value is not None:
        assert isinstance(raw, str) and value[:4] in raw  # never from a number cell


@settings(max_examples=25)
@given(row=st.integers(1, 3), column=st.integers(0, 13), raw=_CELLS)
def test_a_csv_roster_with_any_cell_is_read_or_refused(
    tmp_path_factory: pytest.TempPathFactory, row: int, column: int, raw: str
) -> None:
    lines = TEACHERS.splitlines()
    cells = lines[row].split(",")
    cells[column] = '"' + raw.replace('"', '""') + '"'
    lines[row] = ",".join(cells)
    folder = _roster(tmp_path_factory.mktemp("r"), 教师="\n".join(lines) + "\n")
    try:
        scenario = read_roster(folder)
    except ScenarioError as error:
        assert error.problems  # noqa: PT017 - either outcome is fine; a refusal names problems
        return
    assert len(scenario.teachers) == 3  # no teacher lost or added


_XLSX_VALUES = [
    1976.1, 197610, math.inf, -math.inf, math.nan, 10**20, -1, True, False,
    dt.datetime(1980, 2, 29), dt.date(1990, 1, 1), "=1+1", "", None, "1e999", "☃" * 40,
]  # fmt: skip


@pytest.mark.parametrize("value", _XLSX_VALUES, ids=repr)
def test_an_xlsx_roster_with_any_typed_cell_is_read_or_refused(
    tmp_path: Path, small_data: dict[str, Any], value: Any
) -> None:
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in ("学校", "岗位", "教师"):
        for column in range(1, book[sheet].max_column + 1):
            cell = book[sheet].cell(2, column)
            try:
                cell.value = value
            except (ValueError, TypeError):
                return  # openpyxl refuses to store it: no such file can exist
    book.save(path)
    try:
        read_roster(path)
    except ScenarioError as error:
        sheets = {p.record.split(" row ")[0] for p in error.problems}
        assert sheets <= {"学校", "岗位", "教师", "roster", "志愿"}


@given(st.lists(st.text(min_size=0, max_size=150), min_size=1, max_size=8))
def test_file_names_are_always_safe_and_distinct(names: list[str]) -> None:
    safe = safe_file_names(names)
    assert len({n.casefold() for n in safe}) == len(names)
    for name in safe:
        assert 0 < len(name.encode("utf-8")) <= 120
        assert not set(name) & set('\\/:*?"<>|\0\n\r\t')
        assert name not in {".", ".."}


@given(st.text(max_size=40))
def test_neutralise_round_trips_and_is_never_a_formula(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(
    data=scenario_data(max_teachers=5),
    field=st.sampled_from(["score", "name", "birth", "service_start", "school", "performance"]),
    value=st.none()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-1000, 1000)
    | st.sampled_from(["", "1980-13", "x", "2100-01", "S1", "教师"]),
)
def test_an_appeal_edit_is_validated_or_refused(
    data: dict[str, Any], field: str, value: Any
) -> None:
    scenario = kgxp.parse_scenario(data)
    edited = scenario.teachers[0].model_copy(update={field: value})
    try:
        changed = scenario.evolve(teachers=(edited, *scenario.teachers[1:]))
    except ScenarioError as error:
        assert error.problems  # noqa: PT017 - either outcome is fine; a refusal names problems
        return
    # Accepted: then it is exactly what a file with the same content would give.
    assert kgxp.parse_scenario(kgxp.dump_scenario(changed)) == changed
