"""A publication sheet laid out for printing (XlsxWriter): title rows, widths, A4, repeated header.

Called by :func:`kgxp.files.workbook.write_workbook` for sheets that come with
a :class:`~kgxp.files.posting.SheetLayout`: the title row merged across the table,
the 公示期 and objection lines under it, the header row frozen and repeated on
every printed page, thin borders, column widths from the content (CJK characters
count double), numbers right-aligned with their number format, the 落款 at the
bottom right, A4 fitted to the page width, page numbers in the footer.

Written with XlsxWriter, row by row (its constant-memory mode), with one format
object per kind of cell made once per workbook: openpyxl, which wrote these sheets
before, looked up each row through the sheet's largest column, a scan of every
cell so far, and took 40 s for a 100,000-teacher county (docs/benchmarks.md).
Text is written as text, never as a formula or a link; the caller has already put
it through the formula guard (:func:`kgxp.files.safe_output.neutralise`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgxp.files.posting import (
    LANDSCAPE_FROM,
    MAX_WIDTH,
    SheetLayout,
    column_widths,
    display_width,
)

__all__ = ["SheetFormats", "write_laid_out", "write_plain"]

_A4 = 9  # the paper size code of A4 in the Office formats
_LINE_HEIGHT = 16  # points per line of wrapped 11-point CJK text


class SheetFormats:
    """The workbook's cell formats, each made once (XlsxWriter keeps every format object)."""

    def __init__(self, book: Any) -> None:
        self._book = book
        box = {"border": 1, "border_color": "#000000"}
        self.title = book.add_format(
            {"font_name": "SimHei", "font_size": 16, "bold": True}
            | {"align": "center", "valign": "vcenter"}
        )
        self.line = book.add_format({"text_wrap": True, "valign": "vcenter"})
        self.header = book.add_format(
            {"bold": True, "pattern": 1, "bg_color": "#EEEEEE"}
            | {"align": "center", "valign": "vcenter", "text_wrap": True}
            | box
        )
        self.cell = book.add_format(
            {"align": "center", "valign": "vcenter", "text_wrap": True} | box
        )
        self.footer = book.add_format({"align": "right"})
        self._numbers: dict[str, Any] = {}
        self._box = box

    def number(self, number_format: str) -> Any:
        """The format of a number column shown as ``number_format`` (e.g. ``0.00``)."""
        if number_format not in self._numbers:
            self._numbers[number_format] = self._book.add_format(
                {"align": "right", "valign": "vcenter", "num_format": number_format} | self._box
            )
        return self._numbers[number_format]


def write_laid_out(
    sheet: Any,
    formats: SheetFormats,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    layout: SheetLayout,
) -> None:
    """Fill an empty XlsxWriter worksheet with ``header`` and ``rows`` laid out by ``layout``.

    Rows are written in order (the worksheet may be in constant-memory mode); text
    cells as strings, ``int`` and ``float`` cells as numbers, ``None`` left empty.
    """
    columns = max(1, len(header))
    text = layout.text
    widths = column_widths(header, rows)
    width_sum = max(1, sum(widths))

    sheet.set_row(0, 30)
    _merged(sheet, 0, columns, text.title, formats.title)
    row = 0
    for line in text.lines:
        row += 1
        sheet.set_row(row, _LINE_HEIGHT * (1 + display_width(line) // width_sum))
        _merged(sheet, row, columns, line, formats.line)

    row += 1
    header_row = row
    write_string = sheet.write_string
    for column, title in enumerate(header):
        write_string(row, column, str(title), formats.header)
    numbers = dict(layout.number_formats)
    column_formats = [
        formats.number(numbers[index])
        if index in layout.numeric and index in numbers
        else formats.cell
        for index in range(len(header))
    ]
    write_number, write_blank = sheet.write_number, sheet.write_blank
    # A text longer than its column's widest setting wraps: its row is made tall enough
    # here, because spreadsheet programs do not all grow a row to fit on opening
    # (LibreOffice printed such a reason cut off at the column's edge).
    capped = [i for i, width in enumerate(widths) if width >= MAX_WIDTH]
    for values in rows:
        row += 1
        if capped:
            lines = max(_lines(values[i], MAX_WIDTH - 2) if i < len(values) else 1 for i in capped)
            if lines > 1:
                sheet.set_row(row, _LINE_HEIGHT * lines)
        for column, (value, style) in enumerate(zip(values, column_formats, strict=False)):
            # The common cells first, by exact type (one test each, for every cell).
            kind = value.__class__
            if kind is str:
                if value:
                    write_string(row, column, value, style)
                else:
                    write_blank(row, column, None, style)
            elif kind is int or kind is float:
                write_number(row, column, value, style)
            elif value is None or value == "":
                write_blank(row, column, None, style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                write_number(row, column, value, style)
            else:
                write_string(row, column, str(value), style)

    row += 1  # a blank row before the 落款
    for line in text.footer:
        row += 1
        _merged(sheet, row, columns, line, formats.footer)

    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_paper(_A4)
    if sum(widths) > LANDSCAPE_FROM:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    sheet.set_footer("&C&P / &N")


def write_plain(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain table: the header row frozen, numbers as numbers, text as text."""
    write_string, write_number = sheet.write_string, sheet.write_number
    for column, title in enumerate(header):
        write_string(0, column, str(title))
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value:
                    write_string(number, column, value)
            elif kind is int or kind is float:
                write_number(number, column, value)
            elif value is None or value == "":
                continue
            elif isinstance(value, int | float) and not isinstance(value, bool):
                write_number(number, column, value)
            else:
                write_string(number, column, str(value))
    sheet.freeze_panes(1, 0)


def _merged(sheet: Any, row: int, columns: int, value: str, style: Any) -> None:
    if columns > 1:
        sheet.merge_range(row, 0, row, columns - 1, value, style)
    else:
        sheet.write_string(row, 0, value, style)


def _lines(value: Any, width: int) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide."""
    if value.__class__ is not str:
        return 1
    return max(1, -(-display_width(value) // width))
