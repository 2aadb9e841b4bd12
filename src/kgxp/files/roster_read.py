"""Rosters in: a scenario from Excel (.xlsx) or CSV tables with Chinese column headers.

The tables, headers and cell values are those of :mod:`kgxp.files.roster_layout`.

County bureaus keep their rosters (花名册) in spreadsheets. :func:`read_roster`
reads one workbook, or one directory of CSV files, with up to five tables:

=============  ===========================  ==========================================
table          sheet / file                 one row per
=============  ===========================  ==========================================
``county``     ``县情`` / ``县情.csv``      setting (two columns: ``项目``, ``值``)
``schools``    ``学校`` / ``学校.csv``      school
``posts``      ``岗位`` / ``岗位.csv``      post
``teachers``   ``教师`` / ``教师.csv``      teacher
``preferences````志愿`` / ``志愿.csv``      teacher's choice (optional table)
=============  ===========================  ==========================================

English names work too (``teachers`` sheet, ``teachers.csv``), as do the
scenario's own field names as column headers. :data:`DEFAULT_COLUMNS` maps each
Chinese header to a field (``综合得分`` → ``score``); pass ``columns=`` to add or
override headers for a county's own roster, and ``sheets=`` to rename tables.
Cells take the forms people type: ``男``/``女``, ``是``/``否``, ``1970.03`` or
``1970年3月`` or an Excel date, ``高级`` for a title, several subjects or
circumstances separated by ``、``.

Problems are located by sheet, row and column as the user sees them in Excel
(``教师 row 12``, ``综合得分 (column F)``), all at once — cells that cannot be
read and the checks of :func:`kgxp.parse_scenario`, their locations translated
back to rows and headers — and nothing is returned unless the whole roster is a
valid scenario. :func:`~kgxp.files.roster_write.write_roster`
writes a scenario in the same layout, so a roster round-trips.

>>> import tempfile, kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> with tempfile.TemporaryDirectory() as folder:
...     path = kgxp.write_roster(scenario, f"{folder}/roster.xlsx")
...     read_roster(path) == scenario
True
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from kgxp._internal.extras import require
from kgxp.exceptions import Problem, ScenarioError
from kgxp.files.roster_layout import (
    DEFAULT_SHEETS,
    MONTH_FIELDS,
    TABLES,
    VALUE_NAMES,
    merge_columns,
)
from kgxp.files.scenario_json import StrPath, parse_scenario
from kgxp.model.scenario import Scenario

__all__ = ["read_roster"]

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "f", ""}
_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
_MONTH = re.compile(
    r"^\s*(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*月?|(\d{2}))\s*(?:[-./]\s*\d{1,2}\s*日?)?\s*$"
)
_LEVEL_SETTING = re.compile(r"^(?:核定编制[:：]|staffing\.posts_by_level\.)(.+)$")
_INTEGER_FIELDS = {
    "staffing.total_posts",
    "enrolment",
    "seats",
    "reserved",
    "cross_school_seats",
    "retirement_base_age",
    "rank",
}
_FLOAT_FIELDS = {"score", "performance"}
_BOOL_FIELDS = {
    "county.synthetic",
    "key_teacher",
    "above_required_qualification",
    "willing_to_adjust",
    "volunteers_cross_school",
}
_LIST_FIELDS = {"subjects", "preferences", "circumstances"}
# Problems with the shape of the roster: its rows cannot be read as records at all.
_STRUCTURAL = {"missing_table", "missing_column", "duplicate_column"}
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "schools": ("id", "name", "segment", "locality", "enrolment"),
    "posts": ("id", "school", "subject", "seats"),
    "teachers": ("id", "name", "school", "subjects", "sex", "birth", "service_start"),
    "preferences": ("teacher", "rank", "post"),
}


@attrs.frozen
class _Cell:
    """Where a value came from, as the user sees it: ``教师 row 12``, ``综合得分 (column F)``."""

    sheet: str
    row: int
    column: int | None  # 1-based column number; None for a setting of the county table
    header: str

    def record(self) -> str:
        return f"{self.sheet} row {self.row}"

    def field(self) -> str:
        if self.column is None:
            return self.header
        return f"{self.header} (column {_column_letter(self.column)})"


@attrs.frozen
class _Table:
    """One sheet or CSV file: its name as found, header row and data rows (1-based row numbers)."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def read_roster(
    path: StrPath,
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheets: Mapping[str, str] | None = None,
) -> Scenario:
    """A validated :class:`~kgxp.model.scenario.Scenario` from an .xlsx workbook or a CSV directory.

    ``columns`` adds or overrides headers per table, e.g. ``{"teachers": {"工号": "id"}}``;
    ``sheets`` renames tables, e.g. ``{"teachers": "在编教师"}``. CSV files may be
    UTF-8 (with or without BOM) or GB18030, as Excel saves them on Chinese Windows.
    Raises :class:`~kgxp.exceptions.ScenarioError` listing every problem by sheet,
    row and column.
    """
    source = Path(path)
    sheet_names = {**DEFAULT_SHEETS, **(sheets or {})}
    if not source.exists():
        raise ScenarioError([Problem(str(source), "file", "no such file or directory")])
    if source.is_dir():
        tables = _read_csv_directory(source, sheet_names)
    elif source.suffix.lower() in {".xlsx", ".xlsm"}:
        tables = _read_workbook(source, sheet_names)
    else:
        raise ScenarioError(
            [
                Problem(
                    str(source), "file", "a roster is an .xlsx workbook or a directory of CSV files"
                )
            ]
        )
    summary = f"invalid roster {source.name}"
    data, origins, problems = _assemble(tables, merge_columns(columns))
    if any(p.code in _STRUCTURAL for p in problems):
        raise ScenarioError(problems, summary=summary)
    try:
        scenario = parse_scenario(data)
    except ScenarioError as error:
        # Cells already reported were left out of the data; what the scenario checks
        # then say about those cells (or their whole rows) is an echo, not news.
        cells = {(p.record, p.field) for p in problems}
        rows = {p.record for p in problems}
        for problem in (_locate(p, origins) for p in error.problems):
            echo = (problem.record, problem.field) in cells or (
                problem.record in rows and problem.field == "(whole record)"
            )
            if not echo:
                problems.append(problem)
        raise ScenarioError(problems, summary=summary) from None
    if problems:
        raise ScenarioError(problems, summary=summary)
    return scenario


# --- reading ---------------------------------------------------------------


def _read_workbook(path: Path, sheet_names: Mapping[str, str]) -> dict[str, _Table]:
    openpyxl = require("openpyxl", "excel", "Reading .xlsx rosters")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError or its own errors
        raise ScenarioError(
            [Problem(str(path), "file", f"not a readable .xlsx workbook: {error}")]
        ) from None
    try:
        tables = {}
        for table in TABLES:
            for name in (sheet_names[table], table):
                if name in book.sheetnames:
                    rows = book[name].iter_rows(values_only=True)
                    tables[table] = _table(name, rows)
                    break
        return tables
    finally:
        book.close()


def _read_csv_directory(folder: Path, sheet_names: Mapping[str, str]) -> dict[str, _Table]:
    tables = {}
    for table in TABLES:
        for name in (sheet_names[table], table):
            file = folder / f"{name}.csv"
            if file.is_file():
                tables[table] = _table(file.name, csv.reader(io.StringIO(_decode_csv(file))))
                break
    return tables


def _decode_csv(file: Path) -> str:
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            [Problem(file.name, "file", f"neither UTF-8 nor GB18030 text (byte {error.start})")]
        ) from None


def _table(name: str, rows: Iterable[Sequence[Any]]) -> _Table:
    """The first non-blank row is the header; blank rows are skipped; row numbers are Excel's."""
    header: tuple[str, ...] | None = None
    body: list[tuple[int, tuple[Any, ...]]] = []
    for number, row in enumerate(rows, start=1):
        if all(_blank(v) for v in row):
            continue
        if header is None:
            header = tuple("" if v is None else str(v).strip() for v in row)
        else:
            body.append((number, tuple(row)))
    return _Table(name, header or (), tuple(body))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _assemble(
    tables: Mapping[str, _Table], columns: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, Any], dict[tuple[str, int], dict[str, _Cell]], list[Problem]]:
    problems: list[Problem] = []
    for table in ("county", "schools", "posts", "teachers"):
        if table not in tables:
            problems.append(
                Problem(
                    "roster",
                    table,
                    f"no sheet or CSV file named {DEFAULT_SHEETS[table]!r} (or {table!r})",
                    code="missing_table",
                )
            )
    if problems:
        return {}, {}, problems
    origins: dict[tuple[str, int], dict[str, _Cell]] = {("county", 0): {}}
    data = _county(tables["county"], columns["county"], problems, origins[("county", 0)])
    for table in ("schools", "posts", "teachers"):
        records = []
        for index, (record, cells) in enumerate(_records(tables[table], table, columns, problems)):
            records.append(record)
            origins[(table, index)] = cells
        data[table] = records
    if "preferences" in tables and (data["teachers"] or not tables["teachers"].rows):
        # With the teachers' header broken, every choice would name an "unknown teacher".
        _attach_preferences(data["teachers"], origins, tables["preferences"], columns, problems)
    return data, origins, problems


def _county(
    table: _Table, columns: Mapping[str, str], problems: list[Problem], cells: dict[str, _Cell]
) -> dict[str, Any]:
    """The county's settings; ``cells`` gets each setting's cell, keyed ``staffing.total_posts``."""
    data: dict[str, Any] = {"county": {}, "staffing": {}}
    # The county table is a list of settings, not records: the first column names
    # the setting, the second holds its value (the header row is 项目, 值).
    for number, row in ((1, table.headers), *table.rows):
        if len(row) < 2 or _blank(row[0]):
            continue
        key = str(row[0]).strip()
        if number == 1 and key in {"项目", "setting", "key"}:
            continue
        cell = _Cell(table.name, number, None, key)
        level = _LEVEL_SETTING.match(key)
        if level:
            value = _convert("staffing.total_posts", row[1], cell, problems)
            data["staffing"].setdefault("posts_by_level", {})[level.group(1).strip()] = value
            cells[f"staffing.posts_by_level[{level.group(1).strip()}]"] = cell
            continue
        field = columns.get(key, key)
        if field not in set(columns.values()):
            problems.append(
                Problem(cell.record(), key, f"unknown setting; known: {', '.join(columns)}")
            )
            continue
        value = _convert(field, row[1], cell, problems)
        cells[field] = cell
        if value is not None:
            _put(data, field, value)
    return data


def _records(
    table: _Table,
    name: str,
    columns: Mapping[str, Mapping[str, str]],
    problems: list[Problem],
) -> Iterator[tuple[dict[str, Any], dict[str, _Cell]]]:
    fields = _resolve_headers(table, name, columns[name], problems)
    if fields is None:
        return
    for number, row in table.rows:
        record: dict[str, Any] = {}
        cells: dict[str, _Cell] = {}
        for position, field in fields.items():
            cell = _Cell(table.name, number, position + 1, table.headers[position])
            cells[field.split(".")[0]] = cell
            cells[field] = cell
            raw = row[position] if position < len(row) else None
            value = _convert(field, raw, cell, problems)
            if value is not None:
                _put(record, field, value)
        yield record, cells


def _resolve_headers(
    table: _Table, name: str, columns: Mapping[str, str], problems: list[Problem]
) -> dict[int, str] | None:
    known_fields = set(columns.values())
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, header in enumerate(table.headers):
        field = columns.get(header, header if header in known_fields else None)
        if field is None:
            continue  # other columns (备注, 联系电话 …) are the county's own business
        if field in seen:
            problems.append(
                Problem(
                    f"{table.name} row 1",
                    header,
                    f"column {header!r} holds {field!r}, as column {seen[field]!r} already does",
                    code="duplicate_column",
                )
            )
            return None
        seen[field] = header
        fields[position] = field
    headers_of = {field: header for header, field in columns.items()}
    missing = [f for f in _REQUIRED.get(name, ()) if f not in seen]
    for field in missing:
        problems.append(
            Problem(
                f"{table.name} row 1",
                headers_of.get(field, field),
                f"required column missing (field {field!r})",
                code="missing_column",
            )
        )
    if name == "teachers" and not ({"score", "evaluation.student_rating"} & set(seen)):
        problems.append(
            Problem(
                f"{table.name} row 1",
                headers_of.get("score", "score"),
                "required column missing: a composite score or the evaluation components (R15)",
                code="missing_column",
            )
        )
    return None if missing else fields


def _attach_preferences(
    teachers: list[dict[str, Any]],
    origins: dict[tuple[str, int], dict[str, _Cell]],
    table: _Table,
    columns: Mapping[str, Mapping[str, str]],
    problems: list[Problem],
) -> None:
    index_of = {t.get("id"): i for i, t in enumerate(teachers)}
    chosen: dict[int, list[tuple[int, str, _Cell]]] = {}
    for record, cells in _records(table, "preferences", columns, problems):
        teacher, rank, post = record.get("teacher"), record.get("rank"), record.get("post")
        if teacher is None or rank is None or post is None:
            continue  # a missing cell is already reported
        if teacher not in index_of:
            cell = cells["teacher"]
            problems.append(
                Problem(
                    cell.record(),
                    cell.field(),
                    f"unknown teacher {teacher!r}",
                    code="unknown_teacher",
                )
            )
            continue
        chosen.setdefault(index_of[teacher], []).append((rank, post, cells["post"]))
    for index, entries in chosen.items():
        teacher_cells = origins[("teachers", index)]
        if teachers[index].get("preferences"):
            cell = teacher_cells["preferences"]
            problems.append(
                Problem(
                    cell.record(),
                    cell.field(),
                    f"preferences given twice: here and in {table.name}",
                    record_id=str(teachers[index]["id"]),
                    code="duplicate_preferences",
                )
            )
            continue
        entries.sort(key=lambda entry: entry[0])
        ranks = [rank for rank, _, _ in entries]
        if len(set(ranks)) != len(ranks):
            rank, duplicate = next((r, c) for r, _, c in entries if ranks.count(r) > 1)
            problems.append(
                Problem(
                    duplicate.record(),
                    duplicate.field(),
                    f"two choices share rank {rank}",
                    record_id=str(teachers[index]["id"]),
                    code="duplicate_rank",
                )
            )
            continue
        teachers[index]["preferences"] = [post for _, post, _ in entries]
        # A problem with preferences[k] is located at the row of the k-th choice.
        for k, (_, _, cell) in enumerate(entries):
            teacher_cells[f"preferences[{k}]"] = cell


def _put(record: dict[str, Any], field: str, value: Any) -> None:
    *parents, leaf = field.split(".")
    for parent in parents:
        record = record.setdefault(parent, {})
    record[leaf] = value


def _convert(field: str, raw: Any, cell: _Cell, problems: list[Problem]) -> Any:
    """A cell's value as the scenario's JSON has it, or ``None`` when blank or wrong (reported)."""
    leaf = field.rsplit(".", 1)[-1]
    try:
        if _blank(raw):
            return [] if field in _LIST_FIELDS else None
        if field in _BOOL_FIELDS:
            return _boolean(raw)
        if field in _INTEGER_FIELDS:
            return _integer(raw)
        if field in _FLOAT_FIELDS or field.startswith("evaluation."):
            return _number(raw)
        if field.startswith("pay."):
            return str(_money(raw))
        if field in MONTH_FIELDS:
            return _month(raw)
        if leaf in VALUE_NAMES and field != "circumstances":
            return _enumerated(leaf, raw)
        if field == "circumstances":
            return [_enumerated(field, part) for part in _split(raw)]
        if field in _LIST_FIELDS:
            return [_text(part) for part in _split(raw)]
        return _text(raw)
    except ValueError as error:
        problems.append(Problem(cell.record(), cell.field(), str(error), code="bad_cell"))
        return None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel stores the id 1001 as the number 1001.0
    return str(raw).strip()


def _split(raw: Any) -> list[str]:
    return [part for part in _SEPARATORS.split(_text(raw)) if part]


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected 是 or 否, got {raw!r}")


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    try:
        value = Decimal(_text(raw).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"expected a whole number, got {raw!r}") from None
    if value != value.to_integral_value():
        raise ValueError(f"expected a whole number, got {raw!r}")
    return int(value)


def _number(raw: Any) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    try:
        return float(Decimal(_text(raw)))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {raw!r}") from None


def _money(raw: Any) -> Decimal:
    try:
        value = Decimal(_text(raw).replace(",", ""))
        in_fen = value.quantize(Decimal("0.01"))
        if in_fen != value:
            # Never rounded silently: a fen is the smallest amount (§5).
            raise ValueError(f"an amount in yuan has at most two decimal places, got {raw!r}")
        return in_fen
    except InvalidOperation:
        raise ValueError(f"expected an amount in yuan, got {raw!r}") from None


def _month(raw: Any) -> str:
    if isinstance(raw, dt.date):  # an Excel date cell (datetime is a date too)
        return f"{raw.year:04d}-{raw.month:02d}"
    match = _MONTH.match(_text(raw))
    if not match:
        raise ValueError(f"expected a month such as 1975-03, 1975.03 or 1975年3月, got {raw!r}")
    month = int(match.group(2) or match.group(3))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1–12 in {raw!r}")
    return f"{match.group(1)}-{month:02d}"


_ENUM_LOOKUP: dict[str, dict[str, str]] = {
    field: {
        **{str(value): str(value) for value in names},
        **{name: str(value) for value, aliases in names.items() for name in aliases},
    }
    for field, names in VALUE_NAMES.items()
}


def _enumerated(field: str, raw: Any) -> str:
    text = _text(raw)
    lookup = _ENUM_LOOKUP[field]
    if text in lookup:
        return lookup[text]
    if text.lower() in lookup:
        return lookup[text.lower()]
    accepted = "、".join(names[0] for names in VALUE_NAMES[field].values())
    raise ValueError(f"unknown value {text!r}; expected one of {accepted}")


_RECORD = re.compile(r"^(schools|posts|teachers)\[(\d+)\]$")


def _locate(problem: Problem, origins: Mapping[tuple[str, int], Mapping[str, _Cell]]) -> Problem:
    """A scenario problem (``teachers[12].score``) as the roster's cell (``教师 row 14``, ``综合得分``)."""
    match = _RECORD.match(problem.record)
    if not match:
        settings = origins.get(("county", 0), {})
        key = problem.field if problem.record == "scenario" else f"{problem.record}.{problem.field}"
        setting = settings.get(key)
        if setting is None:
            return problem
        return dataclasses.replace(problem, record=setting.record(), field=setting.field())
    cells = origins.get((match.group(1), int(match.group(2))))
    if not cells:
        return problem
    field = problem.field
    cell = cells.get(field) or cells.get(field.split(".")[0].split("[")[0])
    if cell is None:
        any_cell = next(iter(cells.values()))
        return dataclasses.replace(problem, record=any_cell.record())
    return dataclasses.replace(problem, record=cell.record(), field=cell.field())


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
