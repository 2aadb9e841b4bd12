"""A publication sheet laid out for printing (openpyxl): title rows, widths, A4, repeated header.

Called by :func:`kgxp.files.workbook.write_workbook` for sheets that come with
a :class:`~kgxp.files.posting.SheetLayout`: the title row merged across the table,
the 公示期 and objection lines under it, the header row frozen and repeated on
every printed page, thin borders, column widths from the content (CJK characters
count double), numbers right-aligned with their number format, the 落款 at the
bottom right, A4 fitted to the page width, page numbers in the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgxp.files.posting import LANDSCAPE_FROM, SheetLayout, column_widths, display_width

__all__ = ["write_laid_out"]


def write_laid_out(
    sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], layout: SheetLayout
) -> None:
    """Fill an empty openpyxl worksheet with ``header`` and ``rows`` laid out by ``layout``."""
    from openpyxl.utils import get_column_letter

    styles = _named_styles(sheet.parent, layout)
    columns = max(1, len(header))
    last = get_column_letter(columns)
    text = layout.text
    widths = column_widths(header, rows)

    row = 1
    sheet.append([text.title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].style = "kgxp title"
    sheet.row_dimensions[1].height = 30
    for line in text.lines:
        row += 1
        sheet.append([line])
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet[f"A{row}"].style = "kgxp line"
        sheet.row_dimensions[row].height = 16 * (1 + display_width(line) // max(1, sum(widths)))

    row += 1
    header_row = row
    sheet.append(list(header))
    for cell in sheet[header_row]:
        cell.style = "kgxp header"
    column_styles = [styles.get(index, "kgxp cell") for index in range(len(header))]
    for values in rows:
        row += 1
        sheet.append(list(values))
        for cell, style in zip(sheet[row], column_styles, strict=False):
            cell.style = style

    row += 1  # a blank row before the 落款
    for line in text.footer:
        row += 1
        sheet.append([])
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.cell(row=row, column=1, value=line).style = "kgxp footer"

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if sum(widths) > LANDSCAPE_FROM else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.oddFooter.center.text = "&P / &N"


def _named_styles(book: Any, layout: SheetLayout) -> dict[int, str]:
    """Register the workbook's named styles once; return the style name of each number column.

    A named style per kind of cell, set with one assignment, rather than fonts,
    borders and alignments per cell: openpyxl hashes every style object it is
    given, which made a county's sheets take tens of seconds.
    """
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wanted = {
        "kgxp title": {
            "font": Font(name="SimHei", size=16, bold=True),
            "alignment": Alignment(horizontal="center", vertical="center"),
        },
        "kgxp line": {"alignment": Alignment(wrap_text=True, vertical="center")},
        "kgxp header": {
            "font": Font(bold=True),
            "fill": PatternFill("solid", fgColor="EEEEEE"),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": box,
        },
        "kgxp cell": {
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": box,
        },
        "kgxp footer": {"alignment": Alignment(horizontal="right")},
    }
    formats = dict(layout.number_formats)
    for number_format in sorted(set(formats.values())):
        wanted[f"kgxp number {number_format}"] = {
            "alignment": Alignment(horizontal="right", vertical="center"),
            "border": box,
            "number_format": number_format,
        }
    present = set(book.named_styles)
    for name, parts in wanted.items():
        if name not in present:
            book.add_named_style(NamedStyle(name=name, **parts))
    return {
        index: f"kgxp number {formats[index]}" if index in formats else "kgxp cell"
        for index in layout.numeric
    }
