"""Plain sheets at province scale: XlsxWriter's cells, written by the compiled rust_xlsxwriter.

:func:`kgxp.files.safe_output.write_workbook` (the roster, ``results.xlsx``)
writes through :func:`write_fast` when the optional ``rustpy-xlsxwriter``
package is installed (``pip install 'kgxp[excel-fast]'``): a Python binding
(one maintainer, MIT) of ``rust_xlsxwriter``, the Rust port of XlsxWriter by
XlsxWriter's author. A 100,000-teacher roster's 4 million cells take about
5.5 CPU seconds this way (the binding 3, kgxp's preparing of the cells 1.5, the
fixed archive 1) where XlsxWriter's own Python takes 25 (docs/benchmarks.md). The cells are the same as XlsxWriter's, cell for cell and
type for type:

- text after the formula guard (:func:`~kgxp.files.safe_output.neutralise`),
  stored as text (inline strings: never a formula, a link or a number);
- ``int`` and ``float`` (not ``bool``) as numbers, ``bool`` and any other value
  as its text; empty text and ``None`` leave the cell empty; the header row frozen.

rustpy-xlsxwriter takes each row as a dict keyed by the header and writes its
values **by position** (a row missing a key shifts the later cells left), so
every row is given every header, in order. What it cannot write the same way
is left to XlsxWriter (``write_fast`` returns ``False`` before touching the
file): two columns with one header, an empty header, a row wider than its
header, a sheet with no header, text longer than Excel's 32,767 characters
(XlsxWriter cuts it), a number that is not finite, or anything the binding
refuses.

**Same bytes for the same input.** The binding stamps ``docProps/core.xml``
with the clock's time and cannot be told otherwise (0.8.0), so the archive is
rewritten with that member fixed (the creation date XlsxWriter's path writes,
2000-01-01) and every member dated 1980-01-01, in the binding's order; the
rest of the binding's output was checked to be the same run to run.

>>> import tempfile, python_calamine
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     path = Path(folder) / "x.xlsx"
...     sheets = [("表", ["姓名", "得分"], [["=1+1", 85], ["张三", None]])]
...     written = write_fast(fast_module(), path, sheets)
...     book = python_calamine.CalamineWorkbook.from_path(str(path))
...     written, book.get_sheet_by_name("表").to_python()
(True, [['姓名', '得分'], ["'=1+1", 85.0], ['张三', '']])
"""

from __future__ import annotations

import importlib
import io
import math
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from kgxp.files.safe_output import _GUARDED_STARTS, neutralise

__all__ = ["MAX_TEXT", "fast_module", "write_fast"]

MAX_TEXT = 32_767
"""The longest text an Excel cell holds."""

# What the binding's docProps/core.xml says, with XlsxWriter's path's fixed date.
_FIXED_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator></dc:creator>'
    b"<cp:lastModifiedBy></cp:lastModifiedBy>"
    b'<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
    b'<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
    b"</cp:coreProperties>"
)
_CORE = "docProps/core.xml"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# zlib's fastest level: the sheets' XML is recompressed once more here, and level 1
# takes a third of the default level's time for files about a quarter larger.
_LEVEL = 1


class _Unsupported(Exception):
    """A cell or sheet the binding would not write as XlsxWriter does."""


def fast_module() -> ModuleType | None:
    """The ``rustpy_xlsxwriter`` module, or ``None`` when it is not installed."""
    try:
        return importlib.import_module("rustpy_xlsxwriter")
    except ImportError:
        return None


def write_fast(
    module: ModuleType,
    target: Path,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
) -> bool:
    """Write ``sheets`` (valid, unique names; headers already guarded) to ``target``.

    Returns ``False``, with nothing written, when a sheet holds something the
    binding would write differently from XlsxWriter (see the module's notes).
    """
    # Each sheet's records are made as the binding asks for them, not held all at once
    # (a 100,000-teacher roster's would take ≈ 0.3 GB); a cell it cannot write alike
    # stops the write (the exception passes through the binding) before anything is
    # on disk.
    records = [(name, _records(header, rows)) for name, header, rows in sheets]
    buffer = io.BytesIO()
    try:
        module.write_worksheets(records, buffer, freeze_panes={"general": {"row": 1, "col": 0}})
    except (_Unsupported, RuntimeError, ValueError, TypeError, OverflowError):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_fixed(buffer.getvalue()))
    return True


def _records(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    width = len(header)
    if (
        width == 0
        or len(set(header)) != width
        or any(not h or len(h) > MAX_TEXT for h in header)  # XlsxWriter writes "" as a cell
    ):
        raise _Unsupported
    guarded = _GUARDED_STARTS
    for row in rows:
        if len(row) > width:
            raise _Unsupported
        # The common cells (plain text, int) by exact type, kept as they are; the rest
        # by the general rule. This runs for every cell of a province.
        cells = [
            value
            if (kind := value.__class__) is int
            or (kind is str and value and value[0] not in guarded and len(value) <= MAX_TEXT)
            else _cell(value)
            for value in row
        ]
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        yield dict(zip(header, cells, strict=True))
    if not rows:  # a sheet with no rows still has its header: the binding takes it from a record
        yield dict.fromkeys(header)


def _cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unsupported  # XlsxWriter refuses it: its error, not a blank cell
        return float(value)
    text = neutralise(value if isinstance(value, str) else str(value))
    if len(text) > MAX_TEXT:
        raise _Unsupported  # XlsxWriter cuts it to Excel's limit
    return text


def _fixed(archive: bytes) -> bytes:
    """``archive`` with a fixed ``docProps/core.xml`` and fixed member dates, same order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as copy,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # whatever system writes it
            info.external_attr = 0o600 << 16
            # open(info, "w") compresses at the info's own level ('compress_level' since
            # Python 3.13, '_compresslevel' before), not the archive's.
            level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
            setattr(info, level, _LEVEL)
            if member.filename == _CORE:
                copy.writestr(info, _FIXED_CORE, compresslevel=_LEVEL)
                continue
            with source.open(member) as data, copy.open(info, "w") as into:
                shutil.copyfileobj(data, into, 1 << 20)
    return out.getvalue()
