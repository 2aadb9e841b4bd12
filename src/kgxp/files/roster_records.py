"""A roster table read into records: columns converted at once, each value's cell kept.

:class:`Columns` converts a table column by column (the common well-formed column in
a few passes in C, :func:`kgxp.files.roster_cells.convert_column`);
:func:`table_records` makes a record of each row, reporting each row's problems in
column order just before its record, as a reading cell by cell would. Where every
value came from (:class:`RowCells`) is worked out only when a problem needs it: a
province's roster has millions of cells and, usually, no problem.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any

import attrs

from kgxp.exceptions import Problem
from kgxp.files.roster_cells import LEFT_OUT, convert_column

__all__ = [
    "Cell",
    "Columns",
    "HeadedTable",
    "RowCells",
    "column_letter",
    "put_field",
    "table_records",
]


@attrs.frozen
class Cell:
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
        return f"{self.header} (column {column_letter(self.column)})"


@attrs.frozen
class HeadedTable:
    """One sheet or CSV file: its name as found, header row and data rows (1-based row numbers)."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


class RowCells:
    """Where each field of one record came from; cells are made only when a problem needs one."""

    __slots__ = ("choices", "extra", "layout", "number", "table")

    def __init__(self, table: HeadedTable, number: int, layout: Mapping[str, int]) -> None:
        self.table, self.number, self.layout = table, number, layout
        self.extra: dict[str, Cell | tuple[RowCells, str]] | None = None
        # The teacher's choices from the preferences table: its columns and, by rank,
        # the rows; ``preferences[k]`` is located at the k-th row's post.
        self.choices: tuple[Columns, Sequence[int]] | None = None

    def get(self, key: str) -> Cell | None:
        if self.extra is not None and key in self.extra:
            found = self.extra[key]
            return found[0].get(found[1]) if isinstance(found, tuple) else found
        if self.choices is not None and key.startswith("preferences["):
            read, rows = self.choices
            k = int(key[len("preferences[") :].split("]", 1)[0])
            return read.cells(rows[k]).get("post") if k < len(rows) else None
        position = self.layout.get(key)
        if position is None:
            return None
        return Cell(self.table.name, self.number, position + 1, self.table.headers[position])

    def __getitem__(self, key: str) -> Cell:
        cell = self.get(key)
        if cell is None:
            raise KeyError(key)
        return cell

    def __setitem__(self, key: str, cell: Cell) -> None:
        if self.extra is None:
            self.extra = {}
        self.extra[key] = cell

    def any_cell(self) -> Cell:
        return Cell(self.table.name, self.number, None, "")


class Columns:
    """A table's columns read: each field's values by row (:data:`LEFT_OUT` where the record
    leaves it out), the problems of each row, and where each field sits (for its cells)."""

    __slots__ = ("failed", "keys", "layout", "table", "values")

    def __init__(self, table: HeadedTable, fields: Mapping[int, str]) -> None:
        self.table = table
        self.layout: dict[str, int] = {}
        for position, field in fields.items():
            self.layout[field.split(".")[0]] = position
            self.layout[field] = position
        self.keys: list[str] = []
        self.values: list[list[Any]] = []
        self.failed: dict[int, list[Problem]] = {}
        # Column by column: the common well-formed column in a few passes in C
        # (roster_cells.convert_column), an unusual one cell by cell.
        bodies = [row for _, row in table.rows]
        narrowest = min(map(len, bodies), default=0)
        for position, field in fields.items():
            if position < narrowest:
                raws = list(map(itemgetter(position), bodies))
            else:  # a ragged CSV row: its missing cells are blank
                raws = [row[position] if position < len(row) else None for row in bodies]
            values, errors = convert_column(field, raws)
            for i, error in errors:
                cell = Cell(table.name, table.rows[i][0], position + 1, table.headers[position])
                self.failed.setdefault(i, []).append(
                    Problem(cell.record(), cell.field(), str(error), code="bad_cell")
                )
            self.keys.append(field)
            self.values.append(values)

    def column(self, field: str) -> list[Any]:
        """The values of ``field`` by row (all :data:`LEFT_OUT` without such a column)."""
        if field in self.keys:
            return self.values[self.keys.index(field)]
        return [LEFT_OUT] * len(self.table.rows)

    def cells(self, i: int) -> RowCells:
        return RowCells(self.table, self.table.rows[i][0], self.layout)


def table_records(
    read: Columns | None, problems: list[Problem]
) -> Iterator[tuple[dict[str, Any], RowCells]]:
    """Each row's record and cells (none when the table's header was refused); each row's
    problems are added to ``problems``, in column order, row by row, as a reading cell by
    cell would."""
    if read is None:
        return
    failed = read.failed
    for i in sorted(failed):
        problems += failed[i]  # found column by column: already in column order
    rows = len(read.table.rows)
    records = _records(read.keys, read.values, rows)
    yield from zip(records, map(read.cells, range(rows)), strict=True)


def _records(keys: list[str], columns: list[list[Any]], rows: int) -> list[dict[str, Any]]:
    """The records of a table's columns: a dict per row, column by column rather than a
    Python step per cell, with the key order of :func:`_records_by_row`'s."""
    nested = [key for key in keys if "." in key]
    parents = [key.split(".")[0] for key in nested]
    # Nested fields (evaluation.*, pay.*) one level deep, each parent's columns side by
    # side: its dict goes after the flat fields, parents in column order, as put_field
    # puts them. Any other layout takes the row-by-row path.
    flat_parents = [p for k, p in enumerate(parents) if k == 0 or parents[k - 1] != p]
    grouped = (
        len(flat_parents) == len(set(flat_parents))
        and all(key.count(".") == 1 for key in nested)
        and not set(flat_parents) & set(keys)
    )
    if not grouped:
        return _records_by_row(keys, columns, rows)
    flat = [(key, values) for key, values in zip(keys, columns, strict=True) if "." not in key]
    records = _dicts([key for key, _ in flat], [values for _, values in flat], rows)
    for parent in flat_parents:
        children = [
            (key.split(".")[1], values)
            for key, values in zip(keys, columns, strict=True)
            if key.split(".")[0] == parent and "." in key
        ]
        inner = _dicts([leaf for leaf, _ in children], [values for _, values in children], rows)
        for record, values in zip(records, inner, strict=True):
            if values:
                record[parent] = values
    return records


def _dicts(keys: list[str], columns: list[list[Any]], rows: int) -> list[dict[str, Any]]:
    """A dict per row of ``keys`` to the row's values, the :data:`LEFT_OUT` ones left out."""
    if not keys:
        return [{} for _ in range(rows)]
    records = list(map(dict, map(zip, repeat(keys), zip(*columns, strict=True))))
    for key, values in zip(keys, columns, strict=True):
        if LEFT_OUT in values:  # identity first: quick when no cell is left out
            gaps = compress(records, map(is_, values, repeat(LEFT_OUT)))
            deque(map(dict.__delitem__, gaps, repeat(key)), maxlen=0)
    return records


def _records_by_row(keys: list[str], columns: list[list[Any]], rows: int) -> list[dict[str, Any]]:
    """The records made row by row, for any layout of nested fields."""
    nested = [key for key in keys if "." in key]
    per_row = zip(*columns, strict=True) if keys else iter([()] * rows)
    records = []
    for row_values in per_row:
        record = {
            key: value for key, value in zip(keys, row_values, strict=True) if value is not LEFT_OUT
        }
        for key in nested:
            if key in record:
                put_field(record, key, record.pop(key))
        records.append(record)
    return records


def put_field(record: dict[str, Any], field: str, value: Any) -> None:
    *parents, leaf = field.split(".")
    for parent in parents:
        record = record.setdefault(parent, {})
    record[leaf] = value


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
