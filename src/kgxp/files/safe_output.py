"""Files out, safely: cells that never become formulas, file names that never clash, no overwrite.

Every CSV and .xlsx file kgxp writes goes through :func:`write_csv` and
:func:`write_workbook`:

- **Formula injection** (OWASP "CSV injection"): a text cell that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
  formula by Excel or WPS. :func:`neutralise` prefixes such text with a single
  quote ``'`` (the OWASP remedy); a text that already starts with ``'``
  followed by one of those characters (or another ``'``) gets one more, so
  :func:`restore` — which the roster reader applies to every text cell — gives
  back exactly the original. In .xlsx files text is also written as text,
  never as a formula or a hyperlink.
- **File names** from school names: :func:`safe_file_names` removes characters
  Windows, macOS and Linux forbid (and control characters), bounds each name
  to :data:`MAX_NAME_BYTES` bytes of UTF-8, and makes the names unique
  ignoring case, so two schools never share a file.
- **Byte-identical output**: workbooks carry a fixed creation date; the same
  rows give the same bytes.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> restore(neutralise("=1+1")), restore(neutralise("'=1+1")), neutralise("张三")
('=1+1', "'=1+1", '张三')
>>> safe_file_names(["S1 城关小学", "s1 城关小学", "a/b"])
['S1_城关小学', 's1_城关小学~2', 'a_b']
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kgxp._internal.extras import require
from kgxp._internal.gc_pause import collector_paused

__all__ = [
    "MAX_NAME_BYTES",
    "excel_sheet_name",
    "neutralise",
    "open_workbook",
    "restore",
    "safe_file_names",
    "unique_sheet_name",
    "write_csv",
    "write_workbook",
]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MAX_NAME_BYTES = 120
"""Longest file name kgxp makes, in UTF-8 bytes (file systems allow 255; room for suffixes)."""

# Forbidden on Windows (and / everywhere), plus control characters; runs of them and
# of white space become one underscore.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')
# Names Windows reserves for devices, whatever the extension.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_FIXED_CREATED = dt.datetime(2000, 1, 1)
# The first characters :func:`neutralise` may act on: other text is written as it is.
_GUARDED_STARTS = frozenset((*_DANGEROUS, "'"))


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a formula-like start gets a ``'`` prefix."""
    if text.startswith(_DANGEROUS) or (text.startswith("'") and text[1:2] in {*_DANGEROUS, "'"}):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`: drops the one ``'`` it adds, and nothing else."""
    if text.startswith("'") and text[1:2] in {*_DANGEROUS, "'"}:
        return text[1:]
    return text


def safe_file_names(names: Sequence[str]) -> list[str]:
    """File names for ``names`` (no extension): safe, length-bounded, unique ignoring case.

    Later names that would clash with earlier ones get ``~2``, ``~3`` …, so call
    this with the names in a fixed order (kgxp sorts by id).
    """
    used: set[str] = set()
    result = []
    for name in names:
        base = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._ ") or "_"
        if _RESERVED.match(base):
            base = "_" + base
        base = _bounded(base, MAX_NAME_BYTES - 8)  # room for "~NNN" and ".csv"
        candidate, number = base, 2
        while candidate.casefold() in used:
            candidate, number = f"{base}~{number}", number + 1
        used.add(candidate.casefold())
        result.append(candidate)
    return result


def _bounded(name: str, limit: int) -> str:
    encoded = name.encode("utf-8")
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode("utf-8", errors="ignore")


def _text_cell(value: Any) -> Any:
    if isinstance(value, str):
        # Most cells start with no character neutralise acts on: one set look-up, no call
        # (a publication's CSV files are 100,000s of cells: issue 19).
        return neutralise(value) if value[:1] in _GUARDED_STARTS else value
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A UTF-8 (with BOM, for Excel) CSV file; text cells pass through :func:`neutralise`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow([_text_cell(v) for v in header])
        writer.writerows([_text_cell(v) for v in row] for row in rows)
    return path


def write_workbook(
    path: str | Path,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> Path:
    """Write sheets ``(name, header, rows)`` to an .xlsx file, byte-identical for the same input.

    Sheet names are made valid for Excel (31 characters, no ``[]:*?/\\``) and
    unique ignoring case; the header row is frozen. Text is written as text
    (never a formula or a link) after :func:`neutralise`; numbers as numbers.
    Written by the compiled rust_xlsxwriter when ``rustpy-xlsxwriter`` is installed
    (``kgxp[excel-fast]``: the same cells, several times faster; see
    :mod:`kgxp.files.fast_workbook`), else, and for what it cannot write alike,
    with XlsxWriter in constant-memory mode (chosen by measurement: see
    docs/benchmarks.md).
    """
    from kgxp.files.fast_workbook import fast_module, write_fast  # it imports this module

    xlsxwriter = require("xlsxwriter", "excel", "Writing .xlsx files")
    target = Path(path)
    # Both writers make an object or two per cell, and no cycles.
    with collector_paused():
        named: Sequence[tuple[str, list[str], Iterable[Sequence[Any]]]] = _named(sheets)
        fast = fast_module()
        if fast is not None:
            listed = [(name, header, list(rows)) for name, header, rows in named]
            if write_fast(fast, target, listed):
                return target
            named = listed
        return _write_workbook(xlsxwriter, target, named)


def _named(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> list[tuple[str, list[str], Iterable[Sequence[Any]]]]:
    """The sheets with valid, unique names and guarded headers."""
    used: set[str] = set()
    return [
        (
            unique_sheet_name(excel_sheet_name(name), used),
            [neutralise(str(h)) for h in header],
            rows,
        )
        for name, header, rows in sheets
    ]


def open_workbook(xlsxwriter: Any, target: Path) -> Any:
    """An XlsxWriter workbook at ``target`` as kgxp writes every one: rows streamed
    (constant memory), text kept text (never a formula, link or number), and a fixed
    creation date so that equal input gives equal bytes (I12)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties({"created": _FIXED_CREATED})
    return book


def _write_workbook(
    xlsxwriter: Any,
    target: Path,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> Path:
    """XlsxWriter's path: ``sheets`` named and their headers guarded (:func:`_named`)."""
    book = open_workbook(xlsxwriter, target)
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name)
        write_string, write_number = sheet.write_string, sheet.write_number
        for column, title in enumerate(header):
            write_string(0, column, title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                # The common cells first, by exact type (one test each: this loop runs
                # for every cell of a province); anything else as before.
                kind = value.__class__
                if kind is str:
                    if value:
                        write_string(
                            number,
                            column,
                            neutralise(value) if value[:1] in _GUARDED_STARTS else value,
                        )
                elif kind is int or kind is float:
                    write_number(number, column, value)
                elif value is None or value == "":
                    continue
                elif isinstance(value, bool):
                    write_string(number, column, str(value))
                elif isinstance(value, int | float):
                    write_number(number, column, value)
                else:
                    write_string(number, column, neutralise(str(value)))
        sheet.freeze_panes(1, 0)
    book.close()
    return target


def excel_sheet_name(name: str) -> str:
    """``name`` made a valid Excel sheet name (31 characters, none of ``[]:*?/\\``)."""
    cleaned = re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", name).strip("'") or "sheet"
    return cleaned[:31]


def unique_sheet_name(name: str, used: set[str]) -> str:
    """``name``, or ``name~N``, not yet in ``used`` ignoring case (and now in it)."""
    candidate, number = name, 2
    while candidate.casefold() in used:
        suffix = f"~{number}"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate
