"""Workbooks out, byte-identical: sheets of rows, laid out for print when asked.

:func:`write_workbook` is the one openpyxl writer of kgxp's published workbooks
(the 公示 lists, payroll): numbers stay numbers, the header row is frozen, a
sheet with a :class:`~kgxp.files.posting.SheetLayout` gets the print layout of
:mod:`kgxp.files.sheet_style`, and the zip's entry times and document dates are
fixed so that equal input gives equal bytes (I12).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kgxp._internal.extras import require
from kgxp.files.posting import SheetLayout
from kgxp.files.safe_output import excel_sheet_name, unique_sheet_name
from kgxp.files.scenario_json import StrPath
from kgxp.files.sheet_style import write_laid_out

__all__ = ["Sheet", "write_workbook"]

# Excel's fixed epoch for a workbook's own dates: files stay byte-identical (I12).
_FIXED_TIME = "2000-01-01T00:00:00Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

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
    (:mod:`kgxp.files.sheet_style`). Numbers (``int``, ``Decimal``) stay numbers.
    """
    openpyxl = require("openpyxl", "excel", "Writing .xlsx files")
    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, header, rows, *layout in sheets:
        sheet = book.create_sheet(unique_sheet_name(excel_sheet_name(name), used))
        if layout:
            write_laid_out(sheet, header, [[_cell(v) for v in row] for row in rows], layout[0])
            continue
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(value) for value in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_fixed_zip(buffer.getvalue()))
    return target


def _cell(value: Any) -> Any:
    # A Decimal score becomes an Excel number (scores have two places: exact in a double).
    return float(value) if isinstance(value, Decimal) else value


def _fixed_zip(data: bytes) -> bytes:
    """The same .xlsx with fixed entry times and document dates, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_TIME.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return buffer.getvalue()
