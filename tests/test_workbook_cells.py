"""Every cell kgxp writes to .xlsx, whatever its Python type, is what the plain rule says.

The writers' loops (``safe_output.write_workbook``, the plain and print-ready
sheets of ``publication.write_workbook``) test the common cells by exact type
first, for speed at province scale. These tests hold them to the plain rule,
read back with openpyxl: empty text and ``None`` leave the cell empty, ``int``
and ``float`` (not ``bool``) are numbers, anything else is its text after the
formula guard (:func:`~kgxp.files.safe_output.neutralise`), never a formula.
"""

from __future__ import annotations

import enum
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.files.posting import PostingText, SheetLayout, display_width
from kgxp.files.publication import write_workbook as publication_workbook
from kgxp.files.safe_output import neutralise, write_workbook


class Level(enum.IntEnum):
    HIGH = 3


class Kind(enum.StrEnum):
    PLUS = "+1"


# Control characters other than the tab are stored escaped (``_x0008_``), which
# openpyxl does not undo: left out, as kgxp's own values never hold them.
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
_TEXT = st.one_of(
    st.text(_CHARS, max_size=6),
    st.sampled_from(["", " ", "=1+1", "'=1", "''x", "'", "-3", "@a", "\tx", "张三", "'张"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["=", "+", "-", "@", "'", "'=", "\t"]),
              st.text(_CHARS, max_size=4)),
)  # fmt: skip
_CELL = st.one_of(
    _TEXT,
    st.integers(-(10**12), 10**12),
    st.integers(-(10**8), 10**8).map(lambda n: n / 100),  # Excel keeps 15-16 digits
    st.booleans(),
    st.none(),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.just(Level.HIGH),
    st.just(Kind.PLUS),
)
_ROWS = st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=1, max_size=6)
# The publication lists are tables: every row as wide as the header.
_TABLES = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(_CELL, min_size=width, max_size=width), min_size=1, max_size=6)
)


def _expected(value: Any, *, decimals_as_numbers: bool) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal) and decimals_as_numbers:
        return float(value)
    return neutralise(str(value))


def _read(path: Path, sheet: str, first_row: int) -> list[list[Any]]:
    with zipfile.ZipFile(path) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    assert b"<f>" not in xml  # never a formula
    book = openpyxl.load_workbook(path)
    return [[c.value for c in row] for row in book[sheet].iter_rows(min_row=first_row)]


def _same(rows: list[list[Any]], found: list[list[Any]], *, decimals_as_numbers: bool) -> None:
    # Trailing rows with no cell written are not rows of the sheet at all.
    assert len(found) <= len(rows)
    found = found + [[]] * (len(rows) - len(found))
    for row, cells in zip(rows, found, strict=True):
        want = [_expected(v, decimals_as_numbers=decimals_as_numbers) for v in row]
        got = list(cells[: len(row)]) + [None] * (len(row) - len(cells))
        assert got == want
        assert all(c is None for c in cells[len(row) :])


@settings(max_examples=60, deadline=None)
@given(rows=_ROWS)
def test_the_plain_writer_writes_each_cell_by_the_rule(rows: list[list[Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "x.xlsx", [("表", ["a"], rows)])
        _same(rows, _read(path, "表", 2), decimals_as_numbers=False)


@settings(max_examples=40, deadline=None)
@given(rows=_TABLES, laid_out=st.booleans())
def test_the_publication_sheets_write_each_cell_by_the_rule(
    rows: list[list[Any]], laid_out: bool
) -> None:
    width = max(map(len, rows))
    header = [f"h{i}" for i in range(width)]
    layout = SheetLayout(PostingText("名单", ("说明",), ("落款",)))
    sheet = ("表", header, rows, layout) if laid_out else ("表", header, rows)
    with tempfile.TemporaryDirectory() as folder:
        path = publication_workbook(Path(folder) / "p.xlsx", [sheet])
        # Laid out: title, one line, header; plain: header. The 落款 follows a blank row.
        found = _read(path, "表", 4 if laid_out else 2)
        if laid_out:
            assert found[-1][0] == "落款" and all(c is None for c in found[-2])
            found = found[:-2]
        _same(rows, found, decimals_as_numbers=True)


def test_a_long_reason_gets_a_row_tall_enough_to_read() -> None:
    # A reason wider than the widest column wraps; spreadsheet programs do not all grow
    # the row on opening (LibreOffice printed it cut off), so the writer sets the height.

    reason = "竞聘最低分85.00，本人74.00分；组织调剂时无本人可任教学科的空缺岗位" * 2
    rows = [[1, "张三", "语文"], [2, "李四", reason]]
    layout = SheetLayout(PostingText("名单", ("说明",), ("落款",)))
    with tempfile.TemporaryDirectory() as folder:
        path = publication_workbook(
            Path(folder) / "p.xlsx", [("表", ["序号", "姓名", "说明"], rows, layout)]
        )
        sheet = openpyxl.load_workbook(path)["表"]
        # Title, one line, header, then the two rows (1-based: rows 4 and 5).
        assert sheet.cell(5, 3).value == reason
        assert sheet.row_dimensions[4].height is None  # a short row keeps the default
        lines = -(-display_width(reason) // 46)
        assert sheet.row_dimensions[5].height == 16 * lines
        assert sheet.cell(5, 3).alignment.wrap_text


@given(st.text())
def test_display_width_counts_every_character_from_u2e80_twice(text: str) -> None:
    # Its definition, one character at a time (CJK radicals, ideographs, full-width forms
    # and everything above, astral planes included, take two columns).
    assert display_width(text) == sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
    assert display_width("\u2e7f\u2e80") == 3
    assert display_width("\U00020000") == 2
