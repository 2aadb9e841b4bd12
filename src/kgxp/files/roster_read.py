"""Rosters in: a scenario from Excel (.xlsx) or CSV tables with Chinese column headers.

The tables, headers and cell values are those of :mod:`kgxp.files.roster_layout`.

:func:`read_roster` reads one workbook, or one directory of CSV files, in that
layout (its table of sheets and files is there).

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

import dataclasses
import difflib
import operator
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import attrs

from kgxp._internal.gc_pause import collector_paused
from kgxp.exceptions import Problem, RosterWarning, ScenarioError
from kgxp.files.roster_cells import LEFT_OUT, blank, convert
from kgxp.files.roster_layout import (
    DEFAULT_SHEETS,
    IGNORED_HEADERS,
    TABLES,
    merge_columns,
)
from kgxp.files.roster_records import (
    Cell,
    Columns,
    HeadedTable,
    column_letter,
    put_field,
    table_records,
)
from kgxp.files.roster_sources import RosterLimits, Table, read_tables
from kgxp.files.scenario_json import StrPath, parse_scenario
from kgxp.model.scenario import Scenario

__all__ = ["RosterReport", "read_roster", "read_roster_report"]

# Problems that strict=False turns into warnings: the roster can be read without
# them, but a clerk must see them (a near-miss header silently drops a column).
_LEVEL_SETTING = re.compile(r"^(?:核定编制[:：]|staffing\.posts_by_level\.)(.+)$")
_LENIENT = {"unknown_sheet", "unknown_column", "no_preferences"}

# Problems with the shape of the roster: its rows cannot be read as records at all.
_STRUCTURAL = {"missing_table", "missing_column", "duplicate_column"}
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "schools": ("id", "name", "segment", "locality", "enrolment"),
    "posts": ("id", "school", "subject", "seats"),
    "teachers": ("id", "name", "school", "subjects", "sex", "birth", "service_start"),
    "preferences": ("teacher", "rank", "post"),
}


@attrs.frozen
class RosterReport:
    """What :func:`read_roster_report` read: the scenario and the warnings a clerk should see."""

    scenario: Scenario
    warnings: tuple[Problem, ...]


def read_roster(
    path: StrPath,
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheets: Mapping[str, str] | None = None,
    strict: bool = True,
    limits: RosterLimits | None = None,
) -> Scenario:
    """A validated :class:`~kgxp.model.scenario.Scenario` from an .xlsx workbook or a CSV directory.

    ``columns`` adds or overrides headers per table, e.g. ``{"teachers": {"工号": "id"}}``
    (map a header to ``""`` to ignore its column); ``sheets`` renames tables, e.g.
    ``{"teachers": "在编教师"}``. CSV files may be UTF-8 (with or without BOM) or
    GB18030, as Excel saves them on Chinese Windows. Raises
    :class:`~kgxp.exceptions.ScenarioError` listing every problem by sheet, row
    and column.

    A sheet or column kgxp does not know, or a roster without any preference,
    is an error naming the closest known name; with ``strict=False`` it is a
    :class:`~kgxp.exceptions.RosterWarning` instead (:func:`read_roster_report`
    lists them). ``limits`` bounds the work for one file (:class:`RosterLimits`).
    """
    report = read_roster_report(path, columns=columns, sheets=sheets, strict=strict, limits=limits)
    for problem in report.warnings:
        warnings.warn(str(problem), RosterWarning, stacklevel=2)
    return report.scenario


def read_roster_report(
    path: StrPath,
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheets: Mapping[str, str] | None = None,
    strict: bool = True,
    limits: RosterLimits | None = None,
) -> RosterReport:
    """As :func:`read_roster`, with the warnings (``strict=False``) listed rather than raised."""
    # A roster becomes millions of small objects and no reference cycles: the cyclic
    # collector's full passes over them made reading superlinear (see kgxp._internal.gc_pause).
    with collector_paused():
        return _read_roster_report(path, columns, sheets, strict, limits)


def _read_roster_report(
    path: StrPath,
    columns: Mapping[str, Mapping[str, str]] | None,
    sheets: Mapping[str, str] | None,
    strict: bool,
    limits: RosterLimits | None,
) -> RosterReport:
    source = Path(path)
    sheet_names = {**DEFAULT_SHEETS, **(sheets or {})}
    merged_columns = merge_columns(columns)
    if not source.exists():
        raise ScenarioError([Problem(str(source), "file", "no such file or directory")])
    if not source.is_dir() and source.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise ScenarioError(
            [
                Problem(
                    str(source), "file", "a roster is an .xlsx workbook or a directory of CSV files"
                )
            ]
        )
    summary = f"invalid roster {source.name}"
    early = _EarlyColumns(sheet_names, merged_columns)
    found = read_tables(source, limits or RosterLimits(), early.table_read)
    problems: list[Problem] = []
    tables = _match_tables(found, sheet_names, problems, early)
    data, origins, more = _assemble(tables, merged_columns, early)
    problems += more
    if not any(p.code in _STRUCTURAL for p in problems) and not _has_preferences(data):
        problems.append(
            Problem(
                "roster",
                "preferences",
                f"整个花名册没有任何志愿：没有“{sheet_names['preferences']}”表，教师表也没有“志愿”列 "
                "(no teacher has any preference: no preferences sheet or column was found)",
                code="no_preferences",
            )
        )
    lenient = [] if strict else [p for p in problems if p.code in _LENIENT]
    problems = [p for p in problems if p not in lenient]
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
    return RosterReport(scenario, tuple(lenient))


def _has_preferences(data: Mapping[str, Any]) -> bool:
    return any(t.get("preferences") for t in data.get("teachers", ()) if isinstance(t, dict))


def _match_tables(
    found: Mapping[str, Table],
    sheet_names: Mapping[str, str],
    problems: list[Problem],
    early: _EarlyColumns,
) -> dict[str, HeadedTable]:
    """Each table's sheet (or CSV file); any other sheet with content is reported."""
    tables: dict[str, HeadedTable] = {}
    by_stem = {name.removesuffix(".csv").removesuffix(".CSV"): name for name in found}
    used = set()
    for table in TABLES:
        for name in (sheet_names[table], table):
            if name in by_stem:
                tables[table] = early.headed(found[by_stem[name]])
                used.add(by_stem[name])
                break
    known = [name for table in TABLES for name in (sheet_names[table], table)]
    for stem, name in by_stem.items():
        if name in used:
            continue
        problems.append(
            Problem(
                name,
                "sheet",
                f"不认识的工作表“{stem}”{_closest(stem, known)}；已知：{'、'.join(sheet_names.values())} "
                f"(unknown sheet; rename it, or pass sheets=)",
                code="unknown_sheet",
            )
        )
    return tables


def _closest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.3)
    if not close:
        close = [k for k in known if k and (k in name or name in k)][:1]
    return f"，是不是“{close[0]}”？(did you mean {close[0]!r}?)" if close else ""


def _with_header(table: Table) -> HeadedTable:
    """The first non-blank row is the header; row numbers are Excel's."""
    if not table.rows:
        return HeadedTable(table.name, (), ())
    (_, header), *body = table.rows
    headers = tuple("" if v is None else str(v).strip() for v in header)
    return HeadedTable(table.name, headers, tuple(body))


class _EarlyColumns:
    """Tables' columns read as soon as their sheet is (:func:`read_tables`'s ``ready``),
    while calamine still parses the sheets after it: a province's teachers are converted
    while its 700,000 preferences are parsed. :meth:`read_columns` then gives what
    :func:`_read_columns` would give, its problems added in their turn; a table that
    ends up unused, or a roster refused later, just wastes the work."""

    def __init__(
        self, sheet_names: Mapping[str, str], columns: Mapping[str, Mapping[str, str]]
    ) -> None:
        self._columns = columns
        self._kinds: dict[str, list[str]] = {}
        for kind in TABLES:
            if kind != "county":  # the county's settings are not columns
                for name in dict.fromkeys((sheet_names[kind], kind)):
                    self._kinds.setdefault(name, []).append(kind)
        # By the id of the table, kept alive beside its value so that the id stays its.
        self._headed: dict[int, tuple[Table, HeadedTable]] = {}
        self._read: dict[tuple[int, str], tuple[HeadedTable, Columns | None, list[Problem]]] = {}

    def table_read(self, table: Table) -> None:
        for kind in self._kinds.get(table.name.removesuffix(".csv").removesuffix(".CSV"), ()):
            headed = self.headed(table)
            problems: list[Problem] = []
            try:
                read = _read_columns(headed, kind, self._columns, problems)
            except Exception:  # raised again in its turn, by read_columns
                return  # (a later sheet's problem, found first sheet by sheet, comes first)
            self._read[(id(headed), kind)] = (headed, read, problems)

    def headed(self, table: Table) -> HeadedTable:
        found = self._headed.get(id(table))
        if found is None or found[0] is not table:
            found = self._headed[id(table)] = (table, _with_header(table))
        return found[1]

    def read_columns(
        self, table: HeadedTable, kind: str, problems: list[Problem]
    ) -> Columns | None:
        found = self._read.get((id(table), kind))
        if found is None or found[0] is not table:
            return _read_columns(table, kind, self._columns, problems)
        problems += found[2]
        return found[1]


# --- assembling ------------------------------------------------------------


def _assemble(
    tables: Mapping[str, HeadedTable],
    columns: Mapping[str, Mapping[str, str]],
    early: _EarlyColumns,
) -> tuple[dict[str, Any], dict[tuple[str, int], Any], list[Problem]]:
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
    settings: dict[str, Cell] = {}
    origins: dict[tuple[str, int], Any] = {("county", 0): settings}
    data = _county(tables["county"], columns["county"], problems, settings)
    for table in ("schools", "posts", "teachers"):
        records = []
        for index, (record, cells) in enumerate(
            table_records(early.read_columns(tables[table], table, problems), problems)
        ):
            records.append(record)
            origins[(table, index)] = cells
        data[table] = records
    if "preferences" in tables and (data["teachers"] or not tables["teachers"].rows):
        # With the teachers' header broken, every choice would name an "unknown teacher".
        _attach_preferences(data["teachers"], origins, tables["preferences"], early, problems)
    return data, origins, problems


def _county(
    table: HeadedTable, columns: Mapping[str, str], problems: list[Problem], cells: dict[str, Cell]
) -> dict[str, Any]:
    """The county's settings; ``cells`` gets each setting's cell, keyed ``staffing.total_posts``."""
    data: dict[str, Any] = {"county": {}, "staffing": {}}
    # The county table is a list of settings, not records: the first column names
    # the setting, the second holds its value (the header row is 项目, 值).
    for number, row in ((1, table.headers), *table.rows):
        if len(row) < 2 or blank(row[0]):
            continue
        key = str(row[0]).strip()
        if number == 1 and key in {"项目", "setting", "key"}:
            continue
        cell = Cell(table.name, number, None, key)
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
            put_field(data, field, value)
    return data


def _read_columns(
    table: HeadedTable, name: str, columns: Mapping[str, Mapping[str, str]], problems: list[Problem]
) -> Columns | None:
    fields = _resolve_headers(table, name, columns[name], problems)
    return None if fields is None else Columns(table, fields)


def _resolve_headers(
    table: HeadedTable, name: str, columns: Mapping[str, str], problems: list[Problem]
) -> dict[int, str] | None:
    known_fields = set(columns.values())
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, header in enumerate(table.headers):
        field = columns.get(header, header if header in known_fields else None)
        if field == "" or header in IGNORED_HEADERS or (field is None and _empty(table, position)):
            continue  # 备注, 联系电话 … are the county's own business; so are columns mapped to ""
        if field is None:
            problems.append(_unknown_column(table, position, columns))
            continue
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


def _empty(table: HeadedTable, position: int) -> bool:
    """Whether a column has neither a header nor any value (a stray formatted column)."""
    return not table.headers[position] and all(
        position >= len(row) or blank(row[position]) for _, row in table.rows
    )


def _unknown_column(table: HeadedTable, position: int, columns: Mapping[str, str]) -> Problem:
    header = table.headers[position]
    letter = column_letter(position + 1)
    known = [h for h, f in columns.items() if f]
    shown = f"“{header}”" if header else "（没有列名）"
    return Problem(
        f"{table.name} row 1",
        f"{header or '(no header)'} (column {letter})",
        f"不认识的列名{shown}{_closest(header, known) if header else ''}：这一列不会被读取。"
        f'请改成已知列名，或在 columns= 中映射（映射到 "" 表示有意忽略） '
        f"(unknown column; rename it to a known header, or map it with columns=)",
        code="unknown_column",
    )


def _attach_preferences(
    teachers: list[dict[str, Any]],
    origins: dict[tuple[str, int], Any],
    table: HeadedTable,
    early: _EarlyColumns,
    problems: list[Problem],
) -> None:
    read = early.read_columns(table, "preferences", problems)
    if read is None:
        return
    index_of = {t.get("id"): i for i, t in enumerate(teachers)}
    if _attach_in_order(teachers, origins, read, index_of, problems):
        return
    # Teacher -> (rank, row) of each choice, in the table's order; read column-wise, with
    # each row's problems (its cells, then an unknown teacher) reported in row order.
    chosen: dict[int, list[tuple[int, int]]] = {}
    failed = read.failed
    rows = zip(read.column("teacher"), read.column("rank"), read.column("post"), strict=True)
    for i, (teacher, rank, post) in enumerate(rows):
        if i in failed:
            problems += failed[i]
        if teacher is LEFT_OUT or rank is LEFT_OUT or post is LEFT_OUT:
            continue  # a missing cell is already reported
        index = index_of.get(teacher)
        if index is None:
            cell = read.cells(i)["teacher"]
            problems.append(
                Problem(
                    cell.record(),
                    cell.field(),
                    f"unknown teacher {teacher!r}",
                    code="unknown_teacher",
                )
            )
            continue
        entries = chosen.get(index)
        if entries is None:
            chosen[index] = [(rank, i)]
        else:
            entries.append((rank, i))
    posts = read.column("post")
    for index, entries in chosen.items():
        teacher_cells = origins[("teachers", index)]
        if teachers[index].get("preferences"):
            problems.append(_given_twice(teacher_cells["preferences"], table.name, teachers[index]))
            continue
        entries.sort(key=_rank_of)
        ranks = [rank for rank, _ in entries]
        if len(set(ranks)) != len(ranks):
            rank, row = next((r, i) for r, i in entries if ranks.count(r) > 1)
            duplicate = read.cells(row)["post"]
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
        teachers[index]["preferences"] = [posts[i] for _, i in entries]
        # A problem with preferences[k] is located at the row of the k-th choice.
        teacher_cells.choices = (read, [i for _, i in entries])


_rank_of = itemgetter(0)


def _attach_in_order(
    teachers: list[dict[str, Any]],
    origins: dict[tuple[str, int], Any],
    read: Columns,
    index_of: Mapping[Any, int],
    problems: list[Problem],
) -> bool:
    """The preferences of a well-formed table listed teacher by teacher, in the teachers'
    order and by rank (as :func:`~kgxp.write_roster` writes them), attached without a
    Python step per row; ``False`` (nothing done) for any other table."""
    teacher, rank, post = read.column("teacher"), read.column("rank"), read.column("post")
    if read.failed or LEFT_OUT in teacher or LEFT_OUT in rank or LEFT_OUT in post:
        return False
    looked_up = list(map(index_of.get, teacher))
    if None in looked_up or set(map(type, rank)) - {int}:
        return False
    found = cast("list[int]", looked_up)  # no None: just checked
    keys = list(zip(found, rank, strict=True))
    if not all(map(operator.lt, keys, islice(keys, 1, None))):
        return False  # not teacher by teacher and rank by rank, each (teacher, rank) once
    start = 0
    for index, count in Counter(found).items():  # the teachers in the table's order
        end = start + count
        teacher_cells = origins[("teachers", index)]
        if teachers[index].get("preferences"):
            cell = teacher_cells["preferences"]
            problems.append(_given_twice(cell, read.table.name, teachers[index]))
        else:
            teachers[index]["preferences"] = post[start:end]
            teacher_cells.choices = (read, range(start, end))
        start = end
    return True


def _given_twice(cell: Cell, table: str, teacher: Mapping[str, Any]) -> Problem:
    return Problem(
        cell.record(),
        cell.field(),
        f"preferences given twice: here and in {table}",
        record_id=str(teacher["id"]),
        code="duplicate_preferences",
    )


def _convert(field: str, raw: Any, cell: Cell, problems: list[Problem]) -> Any:
    """A cell's value as the scenario's JSON has it, or ``None`` when blank or wrong (reported)."""
    try:
        return convert(field, raw)
    except ValueError as error:
        problems.append(Problem(cell.record(), cell.field(), str(error), code="bad_cell"))
        return None


_RECORD = re.compile(r"^(schools|posts|teachers)\[(\d+)\]$")


def _locate(problem: Problem, origins: Mapping[tuple[str, int], Any]) -> Problem:
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
        return dataclasses.replace(problem, record=cells.any_cell().record())
    return dataclasses.replace(problem, record=cell.record(), field=cell.field())
