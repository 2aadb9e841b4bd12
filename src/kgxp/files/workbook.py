"""Workbooks out, byte-identical: sheets of rows, laid out for print when asked.

:func:`write_workbook` is the one writer of kgxp's published workbooks (the 公示
lists, payroll), with XlsxWriter: numbers stay numbers, text is written as text
after the formula guard, the header row is frozen, a sheet with a
:class:`~kgxp.files.posting.SheetLayout` gets the print layout of
:mod:`kgxp.files.sheet_style`, and the document dates are fixed so that equal
input gives equal bytes (I12).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kgxp._internal.extras import require
from kgxp._internal.gc_pause import collector_paused
from kgxp.files.posting import SheetLayout
from kgxp.files.safe_output import excel_sheet_name, neutralise, open_workbook, unique_sheet_name
from kgxp.files.scenario_json import StrPath
from kgxp.files.sheet_style import SheetFormats, write_laid_out, write_plain

__all__ = ["Sheet", "write_workbook"]

Sheet = (
    tuple[str, Sequence[str], Sequence[Sequence[Any]]]
    | tuple[str, Sequence[str], Sequence[Sequence[Any]], SheetLayout]
)
"""A sheet for :func:`write_workbook`: name, header, rows, and optionally its print layout."""


def write_workbook(path: StrPath, sheets: Sequence[Sheet]) -> Path:
    """Write sheets ``(name, header, rows[, layout])`` to an .xlsx file, byte-identical for the same input.

    Sheet names are made valid for Excel (31 characters, no ``[]:*?/\\``) and
    unique; the header row is frozen. A sheet with a
    :class:`~kgxp.files.posting.SheetLayout` is laid out for printing
    (:mod:`kgxp.files.sheet_style`). Numbers (``int``, ``Decimal``) stay numbers;
    text is written as text (never a formula or a link) after the formula guard
    (:func:`kgxp.files.safe_output.neutralise`). Written with XlsxWriter.
    """
    xlsxwriter = require("xlsxwriter", "excel", "Writing .xlsx files")
    target = Path(path)
    # XlsxWriter makes an object or two per cell, and no cycles: the collector's passes
    # over them would be wasted.
    with collector_paused():
        book = open_workbook(xlsxwriter, target)
        formats = SheetFormats(book)
        used: set[str] = set()
        for name, header, rows, *layout in sheets:
            sheet = book.add_worksheet(unique_sheet_name(excel_sheet_name(name), used))
            title = [neutralise(str(h)) for h in header]
            cells = [[_cell(v) for v in row] for row in rows]
            if layout:
                write_laid_out(sheet, formats, title, cells, layout[0])
            else:
                write_plain(sheet, title, cells)
        book.close()
    return target


def _cell(value: Any) -> Any:
    # A Decimal score becomes an Excel number (scores have two places: exact in a double);
    # text goes through the formula guard, as in every file kgxp writes (OWASP CSV injection).
    if isinstance(value, str):
        return neutralise(value)
    return float(value) if isinstance(value, Decimal) else value
