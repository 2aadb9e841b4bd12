"""Rosters in, the raw layer: sheets of a workbook or CSV files as rows of cells, in bounded work.

:func:`read_tables` turns an .xlsx workbook (read with python-calamine, chosen
by measurement: see docs/benchmarks.md) or a directory of CSV files into
:class:`Table` values — every non-empty sheet or ``.csv`` file, by name — and
refuses, with a located :class:`~kgxp.exceptions.Problem`, what it cannot read
faithfully:

- a file larger than :attr:`RosterLimits.max_bytes` once unzipped (a small
  .xlsx can expand a thousandfold), a sheet with more rows or columns than the
  limits, a cell longer than :attr:`RosterLimits.max_cell_chars`;
- merged cells (their value sits in the first cell only: the others would be
  read as blank) and formulas without a saved value (a workbook written by a
  script and never opened in Excel), located by sheet and cell;
- CSV text that is neither UTF-8 nor GB18030, located by line and column.

The limits are parameters (:class:`RosterLimits`); docs/tables.md lists them.

calamine parses a sheet without holding the GIL: the sheets are parsed two at a
time in threads, each once its extent is checked, while the calling thread checks
the next ones and converts those parsed (``read_tables``' ``ready``); problems are
still raised in the order a sheet-by-sheet reading meets them.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import attrs

from kgxp._internal.extras import require
from kgxp.exceptions import Problem, ScenarioError

__all__ = ["RosterLimits", "Table", "read_tables"]


@attrs.frozen
class RosterLimits:
    """Bounds on the work :func:`~kgxp.read_roster` does for one file (documented in docs/tables.md).

    The defaults hold a province of 300,000 teachers with room to spare.

    >>> RosterLimits().max_rows
    2000000
    """

    max_bytes: int = 1 << 30
    """Largest sheet (unzipped XML) or CSV file, in bytes: 1 GiB."""
    max_rows: int = 2_000_000
    """Most rows in one sheet or CSV file."""
    max_columns: int = 256
    """Most columns in one sheet or CSV file."""
    max_cell_chars: int = 32_767
    """Longest cell text, in characters (Excel's own limit)."""
    max_cells: int = 20_000_000
    """Largest filled area of one sheet (rows × columns), which the reader holds in memory."""


@attrs.frozen
class Table:
    """One sheet or CSV file: its name as found, and its rows (1-based row numbers)."""

    name: str
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def _problem(where: str, message: str, code: str = "unreadable_file") -> ScenarioError:
    return ScenarioError([Problem(where, "file", message, code=code)])


def read_tables(
    source: Path, limits: RosterLimits, ready: Callable[[Table], None] | None = None
) -> dict[str, Table]:
    """Every sheet (or ``.csv`` file) of ``source`` that has a non-blank cell, by name.

    ``ready`` is called with each table as soon as it is read, while the sheets after
    it are still being parsed (work on it can start early); the whole may still be
    refused afterwards.
    """
    if source.is_dir():
        return _read_csv_directory(source, limits)
    return _read_workbook(source, limits, ready or _nothing)


def _nothing(table: Table) -> None:
    pass


# --- .xlsx ---------------------------------------------------------------------

# A cell with content has a closing tag (``<c r="B7" t="s"><v>3</v></c>``); one with
# formatting only is empty (``<c r="B7" s="1"/>``) and does not count.
_FILLED_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"[^>/]*>')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})[0-9]{1,7}"[^>/]*>')
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>/]*>\s*<f[^>]*?(?:/>|>[^<]*</f>)')


def _read_workbook(
    path: Path, limits: RosterLimits, ready: Callable[[Table], None]
) -> dict[str, Table]:
    calamine = require("python_calamine", "excel", "Reading .xlsx rosters")
    with _SheetFiles(path, limits) as sheet_files:
        try:
            book = calamine.CalamineWorkbook.from_path(str(path))
        except Exception as error:  # calamine raises its own errors, zipfile's or OSError
            sheet_files.read_all()  # a damaged sheet file is reported first, as before
            raise _problem(
                str(path), f"无法读取的 .xlsx 工作簿 (not a readable .xlsx workbook: {error})"
            ) from None
        return _parse_sheets(path, book, calamine, sheet_files, limits, ready)


def _parse_sheets(
    path: Path,
    book: Any,
    calamine: Any,
    sheet_files: _SheetFiles,
    limits: RosterLimits,
    ready: Callable[[Table], None],
) -> dict[str, Table]:
    tables = {}
    found_problems: list[Problem] = []
    # calamine parses a sheet without holding the GIL (half of reading a province's
    # roster): two threads parse the sheets, each once its extent is checked, while this
    # thread checks the next sheets and converts the parsed ones. Everything is still
    # found and raised in the order of a sheet-by-sheet reading.
    # The book is not to be touched while a thread parses (calamine refuses: "Already
    # mutably borrowed"), the names included.
    names = list(book.sheet_names)
    books = _Books(book, lambda: calamine.CalamineWorkbook.from_path(str(path)))
    parser = ThreadPoolExecutor(max_workers=_PARSERS, thread_name_prefix="kgxp-calamine")
    try:
        parsing, refused = _start_parsing(books, names, sheet_files, limits, parser)
        for name in names:
            if name not in parsing and refused is not None:
                raise refused  # the first sheet whose extent is refused, in its turn
            try:
                sheet = parsing[name].result()
                rows = sheet.to_python(skip_empty_area=False)
                merged = list(getattr(sheet, "merged_cell_ranges", None) or ())
            except Exception as error:  # a damaged sheet
                raise _problem(name, f"工作表无法读取 (sheet cannot be read: {error})") from None
            problems = [_merged_problem(name, span) for span in merged]
            xml = sheet_files.get(name)
            if xml is not None and b"<f" in xml:
                problems += _uncached_formulas(name, xml)
            found_problems += problems
            if rows and not problems:
                tables[name] = Table(name, _numbered(name, rows, limits))
                ready(tables[name])
    finally:
        parser.shutdown(wait=True, cancel_futures=True)
        books.close()
    if found_problems:
        raise ScenarioError(found_problems, summary=f"invalid roster {path.name}")
    return tables


# A province's teachers and its preferences are parsed at once: while the teachers'
# sheet is parsed, this thread has nothing to do but wait (docs/benchmarks.md).
_PARSERS = 2


class _Books:
    """calamine workbooks of one file for the parsing threads, each used by one thread at
    a time: the one already open, and a second one opened when two sheets are parsed at once."""

    def __init__(self, first: Any, open_book: Callable[[], Any]) -> None:
        self._free = [first]
        self._opened = [first]
        self._open = open_book
        self._lock = threading.Lock()

    def parse(self, name: str) -> Any:
        with self._lock:
            book = self._free.pop() if self._free else None
        if book is None:
            book = self._open()
            with self._lock:
                self._opened.append(book)
        try:
            return book.get_sheet_by_name(name)
        finally:
            with self._lock:
                self._free.append(book)

    def close(self) -> None:
        for book in self._opened:
            book.close()


def _start_parsing(
    books: _Books,
    names: list[str],
    sheet_files: _SheetFiles,
    limits: RosterLimits,
    parser: ThreadPoolExecutor,
) -> tuple[dict[str, Future[Any]], ScenarioError | None]:
    """Each sheet's parse, started in book order once its extent is checked, up to the
    first sheet refused, and why it is refused (none is parsed from there on).

    Each sheet's file is unzipped right before its check, so that the first sheets are
    parsed while the later ones are unzipped; every sheet file is still unzipped before
    any sheet is looked at, so a damaged one is reported first, as when they were all
    unzipped at the start.
    """
    parsing: dict[str, Future[Any]] = {}
    for name in names:
        xml = sheet_files.get(name)
        if xml is not None:
            try:
                _check_extent(name, xml, limits)
            except ScenarioError as refused:
                sheet_files.read_all()
                return parsing, refused
        parsing[name] = parser.submit(books.parse, name)
    return parsing, None


class _SheetFiles:
    """Each sheet's XML by sheet name, unzipped when first asked for (:meth:`get`), once the
    unzipped sizes are checked (a zip bomb is refused) on opening. A context manager."""

    def __init__(self, path: Path, limits: RosterLimits) -> None:
        self._path = path
        self._xml: dict[str, bytes] = {}
        self._members: dict[str, str] = {}
        self._archive: zipfile.ZipFile | None = None
        with self._reading():
            self._archive = zipfile.ZipFile(path)
            infos = self._archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > limits.max_bytes:
                raise _problem(
                    str(path),
                    f"工作簿解压后 {total:,} 字节，超过上限 {limits.max_bytes:,} "
                    f"(unzips to {total:,} bytes, above the limit max_bytes)",
                    code="too_large",
                )
            workbook = self._archive.read("xl/workbook.xml")
            relations = self._archive.read("xl/_rels/workbook.xml.rels")
            names = re.findall(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', workbook)
            targets: dict[bytes, bytes] = {}
            for element in re.findall(rb"<Relationship [^>]*>", relations):
                found_id = re.search(rb'\bId="([^"]*)"', element)
                found_target = re.search(rb'\bTarget="([^"]*)"', element)
                if found_id and found_target:
                    targets[found_id.group(1)] = found_target.group(1)
            members = set(self._archive.namelist())
            for raw_name, rid in names:
                target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member in members:
                    self._members[_xml_text(raw_name)] = member

    def __enter__(self) -> _SheetFiles:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def get(self, name: str) -> bytes | None:
        """The sheet's XML, or ``None`` for a sheet with no file of its own."""
        xml = self._xml.get(name)
        if xml is None and name in self._members:
            with self._reading():
                assert self._archive is not None  # opened in __init__ (else it raised)
                xml = self._xml[name] = self._archive.read(self._members[name])
        return xml

    def read_all(self) -> None:
        """Unzip every sheet file not yet unzipped (a damaged one is refused here)."""
        for name in self._members:
            self.get(name)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except ScenarioError:
            self.close()
            raise
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, RuntimeError) as error:
            self.close()
            raise _problem(
                str(self._path),
                f"无法读取的 .xlsx 工作簿 (not a readable .xlsx workbook: {error})",
            ) from None


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def _check_extent(name: str, xml: bytes, limits: RosterLimits) -> None:
    """Refuse a sheet whose filled cells span more rows or columns than the limits.

    Cells with no value (formatting only) do not count: a sheet formatted down to
    row 1,048,576 reads as its filled rows. Checked on the XML, before calamine
    builds its dense grid of the filled area.
    """
    if len(xml) > limits.max_bytes:
        raise _problem(
            name, f"工作表过大 (sheet of {len(xml):,} bytes above max_bytes)", "too_large"
        )
    # Two scans in C rather than a Python step per cell: rows of filled cells, and the
    # columns past Z (a roster has a few dozen columns).
    last_row = _last_filled_row(xml)
    wide = set(_WIDE_COLUMN.findall(xml))
    widest = max(((len(c), c) for c in wide), default=(1, b"A"))
    last_column = _column_number(widest[1].decode())
    if last_row > limits.max_rows:
        raise _problem(
            name,
            f"工作表有内容的行到第 {last_row:,} 行，超过上限 {limits.max_rows:,} "
            f"(filled rows reach row {last_row:,}, above max_rows)",
            "too_large",
        )
    if last_column > limits.max_columns:
        raise _problem(
            name,
            f"工作表有内容的列到第 {last_column:,} 列，超过上限 {limits.max_columns:,} "
            f"(filled columns reach column {last_column:,}, above max_columns)",
            "too_large",
        )
    if last_row * last_column > limits.max_cells:
        raise _problem(
            name,
            f"工作表有内容的区域 {last_row:,} 行 × {last_column:,} 列，超过上限 {limits.max_cells:,} 个单元格 "
            f"(filled area above max_cells)",
            "too_large",
        )


_TAIL = 1 << 16


def _last_filled_row(xml: bytes, tail: int = _TAIL) -> int:
    """The largest row number of a filled cell: ``max(map(int, _FILLED_ROW.findall(xml)))``.

    Rows are normally written in order, so the last filled cell of the file has the
    largest number: it is read from the file's tail, then one scan for a filled cell
    numbered above it confirms it (a scan that makes no object per cell, unlike
    reading every number: 1.4 CPU s for the 4 million cells of a 100,000-teacher
    roster). A file with rows out of order, or with no filled cell near its end
    (formatting down to row 1,048,576), is read number by number as before.
    """
    in_tail = _FILLED_ROW.findall(xml, max(0, len(xml) - tail))
    if in_tail:
        candidate = int(in_tail[-1])
        # Any filled cell numbered above it (even one the count of digits leaves out of
        # _FILLED_ROW) sends the file down the exact path.
        if not re.search(rb'<c r="[A-Z]{1,3}' + _above(candidate) + rb'"[^>/]*>', xml):
            return candidate
    return max(map(int, _FILLED_ROW.findall(xml)), default=0)


def _above(number: int) -> bytes:
    """A pattern for the decimal numbers greater than ``number`` (leading zeros allowed)."""
    digits = str(number).encode()
    options = [rb"[1-9][0-9]{%d,}" % len(digits)]  # more digits
    for i, digit in enumerate(digits):
        if digit < ord("9"):  # the same digits up to i, then a greater one
            rest = len(digits) - i - 1
            options.append(digits[:i] + rb"[%c-9][0-9]{%d}" % (digit + 1, rest))
    return rb"0*(?:" + b"|".join(options) + b")"


def _merged_problem(sheet: str, span: Any) -> Problem:
    (top, left), (bottom, right) = span
    where = f"{_letters(left + 1)}{top + 1}:{_letters(right + 1)}{bottom + 1}"
    return Problem(
        f"{sheet} row {top + 1}",
        f"column {_letters(left + 1)}",
        f"合并单元格 {where}：请取消合并，并在每个单元格填写数值 "
        f"(merged cells {where}: only the first cell holds a value; unmerge and fill each cell)",
        code="merged_cells",
    )


def _uncached_formulas(sheet: str, xml: bytes) -> list[Problem]:
    """Formula cells with no saved value: calamine (like Excel's viewers) would read them blank."""
    problems = []
    for match in _FORMULA_CELL.finditer(xml):
        rest = xml[match.end() : match.end() + 200]
        if re.match(rb"\s*<v>[^<]+</v>", rest):
            continue
        reference = match.group(1).decode()
        row = re.sub(r"[A-Z]+", "", reference)
        column = re.sub(r"[0-9]+", "", reference)
        problems.append(
            Problem(
                f"{sheet} row {row}",
                f"column {column}",
                f"单元格 {reference} 是没有计算结果的公式：请在 Excel 中打开并保存，或改为数值 "
                f"(a formula with no saved value: open and save the workbook in Excel, "
                f"or type the value)",
                code="uncached_formula",
            )
        )
        if len(problems) >= 20:
            break
    return problems


def _numbered(
    name: str, rows: Iterable[Sequence[Any]], limits: RosterLimits
) -> tuple[tuple[int, tuple[Any, ...]], ...]:
    """Rows with their 1-based numbers, blank rows dropped; over-long cells refused."""
    numbered = []
    too_long = []
    rows = rows if isinstance(rows, list) else list(rows)
    # As a row-by-row reading finds them: a row too wide up to the first row too many.
    checked = rows[: limits.max_rows + 1]
    if max(map(len, checked), default=0) > limits.max_columns:
        number = next(n for n, row in enumerate(checked, start=1) if len(row) > limits.max_columns)
        raise _problem(
            name,
            f"第 {number} 行超过 {limits.max_columns} 列 (row {number} above max_columns)",
            "too_large",
        )
    if len(rows) > limits.max_rows:
        raise _problem(name, f"超过 {limits.max_rows:,} 行 (above max_rows)", "too_large")
    # The longest text of the whole sheet in one pass in C (filter, map, max): a Python
    # step per cell, or per row, was a tenth of reading a roster. Rows are looked at
    # one by one only when some cell is too long.
    if max(map(len, filter(_is_text, chain.from_iterable(rows))), default=0) > (
        limits.max_cell_chars
    ):
        too_long = [
            _long_cell(name, number, position, len(value), limits)
            for number, row in enumerate(rows, start=1)
            for position, value in enumerate(row)
            if isinstance(value, str) and len(value) > limits.max_cell_chars
        ]
    if rows and min(map(len, rows)):
        firsts = list(map(itemgetter(0), rows))
        if set(map(type, firsts)) == {str} and all(map(str.strip, firsts)):
            # Every row starts with text that is not blank (an id): no row is blank, and
            # no Python step per row is needed (a province has 700,000 preferences).
            numbered = list(zip(range(1, len(rows) + 1), map(tuple, rows), strict=True))
            rows = []  # nothing left to look at row by row
    for number, row in enumerate(rows, start=1):
        # Blank: no value but empty or white-space text (a zero or False is a value).
        # Usually the first value decides (an id); white space alone looks further.
        first = next(filter(None, row), None)
        filled = first is not None and (first.__class__ is not str or not first.isspace())
        # Else any value that is not text decides, zero and False included.
        filled = filled or any(
            v is not None and (v.__class__ is not str or (v != "" and not v.isspace())) for v in row
        )
        if filled:
            numbered.append((number, tuple(row)))
    if too_long:
        raise ScenarioError(too_long[:20], summary=f"invalid roster table {name}")
    return tuple(numbered)


_is_text = str.__instancecheck__


def _long_cell(name: str, row: int, position: int, length: int, limits: RosterLimits) -> Problem:
    return Problem(
        f"{name} row {row}",
        f"column {_letters(position + 1)}",
        f"单元格有 {length:,} 个字符，超过上限 {limits.max_cell_chars:,} "
        f"(cell of {length:,} characters, above max_cell_chars)",
        code="too_long",
    )


# --- CSV -----------------------------------------------------------------------


def _read_csv_directory(folder: Path, limits: RosterLimits) -> dict[str, Table]:
    tables = {}
    for file in sorted(folder.iterdir()):
        if file.suffix.lower() != ".csv" or not file.is_file():
            continue
        size = file.stat().st_size
        if size > limits.max_bytes:
            raise _problem(file.name, f"文件过大 ({size:,} bytes above max_bytes)", "too_large")
        reader = csv.reader(io.StringIO(_decode_csv(file)))
        rows = []
        try:
            for row in reader:
                rows.append(row)
        except csv.Error:
            line = reader.line_num
            raise ScenarioError(
                [
                    Problem(
                        f"{file.name} row {line}",
                        "file",
                        f"第 {line} 行有一个单元格超过 131,072 个字符或格式无法解析 "
                        f"(a cell longer than 131,072 characters, or broken CSV quoting)",
                        code="too_long",
                    )
                ]
            ) from None
        if rows:
            tables[file.name] = Table(file.name, _numbered(file.name, rows, limits))
    return tables


def _decode_csv(file: Path) -> str:
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as first:
        utf8_error = first
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as gb_error:
        # The encoding that reads further is the file's: its error is the bad byte.
        start = max(utf8_error.start, gb_error.start)
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise ScenarioError(
            [
                Problem(
                    f"{file.name} row {line}",
                    "file",
                    f"第 {line} 行第 {column} 字节起既不是 UTF-8 也不是 GB18030 文字 "
                    f"(neither UTF-8 nor GB18030 text at line {line}, byte {column}; "
                    f"byte {start} of the file)",
                    code="bad_encoding",
                )
            ]
        ) from None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
