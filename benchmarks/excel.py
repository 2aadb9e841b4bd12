"""Excel at province scale: roster read/write and results export, and the libraries compared.

Usage::

    python benchmarks/excel.py                    # 10,000 and 100,000 teachers
    python benchmarks/excel.py --sizes 10000 --compare

Prints a Markdown table of wall-clock seconds (median of ``--repeat`` runs) for
kgxp's own ``read_roster``, ``write_roster`` (.xlsx) and ``write_results``
(xlsx only), on a seeded county from :mod:`generator`. ``--compare`` adds the
candidate libraries on the same workbook: reading every cell with
python-calamine, fastexcel (into Arrow; to Python values when pyarrow is
installed) and openpyxl (read-only), writing the roster's sheets with
XlsxWriter (constant memory; through kgxp and alone, its floor), openpyxl
(write-only) and rustpy-xlsxwriter (when installed: kgxp's own writers then use
it, see kgxp.files.fast_workbook). No test
asserts on the numbers; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import generate_county  # noqa: E402

import kgxp  # noqa: E402
from kgxp.files.roster_write import _roster_tables  # noqa: E402

SEED = 2026
TARGETS = {100_000: {"read_roster": 8.0, "write_roster": 10.0, "write_results (xlsx)": 10.0}}


def _timed(action: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU time is steadier on a shared machine)."""
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu)


def _read_calamine(path: Path) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)


def _read_fastexcel(path: Path) -> int:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    total = 0
    for name in reader.sheet_names:
        sheet = reader.load_sheet_by_name(name, header_row=None)
        total += sheet.height
        # The cells are parsed into Arrow columns in Rust; turning them into Python
        # values needs pyarrow (not installed): this is a lower bound for fastexcel.
    return total


def _read_fastexcel_values(path: Path) -> int:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    # Python values through pyarrow (each column typed as a whole: see docs/benchmarks.md).
    return sum(
        len(reader.load_sheet_by_name(name, header_row=None).to_arrow().to_pylist())
        for name in reader.sheet_names
    )


def _write_xlsxwriter_alone(tables: dict[str, Any], path: Path) -> None:
    """XlsxWriter's own cost on the roster's cells: prepared cells, no kgxp code per cell."""
    import xlsxwriter

    from kgxp.files.safe_output import neutralise

    prepared = [
        (name, [(0, c, neutralise(v), True) for c, v in enumerate(header)]
         + [(r, c, neutralise(v) if isinstance(v, str) else v, isinstance(v, str))
            for r, row in enumerate(rows, start=1) for c, v in enumerate(row) if v != ""])
        for name, (header, rows) in tables.items()
    ]  # fmt: skip
    options = {"constant_memory": True, "strings_to_formulas": False,
               "strings_to_urls": False, "strings_to_numbers": False}  # fmt: skip
    book = xlsxwriter.Workbook(str(path), options)
    for name, cells in prepared:
        sheet = book.add_worksheet(name)
        # The private writers skip XlsxWriter's argument decoding: its floor, not an API.
        text, number = sheet._write_string, sheet._write_number
        for row, column, value, is_text in cells:
            (text if is_text else number)(row, column, value, None)
        sheet.freeze_panes(1, 0)
    book.close()


def _write_rustpy(tables: dict[str, Any], path: Path) -> None:
    import rustpy_xlsxwriter

    from kgxp.files.safe_output import neutralise

    # Every row gives every header, in order: the binding writes a row's values by
    # position, so a key left out would shift the later cells left.
    sheets: list[tuple[str, Any]] = [
        (name, [dict(zip(header, [None if v == "" else neutralise(v) if isinstance(v, str) else v
                                  for v in row], strict=True)) for row in rows])
        for name, (header, rows) in tables.items()
    ]  # fmt: skip
    rustpy_xlsxwriter.write_worksheets(
        sheets, str(path), freeze_panes={"general": {"row": 1, "col": 0}}
    )


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _read_openpyxl(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    total = sum(1 for name in book.sheetnames for _ in book[name].iter_rows(values_only=True))
    book.close()
    return total


def _write_openpyxl(tables: dict[str, Any], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _write_xlsxwriter(tables: dict[str, Any], path: Path) -> None:
    """kgxp's XlsxWriter path (what ``write_workbook`` does without rustpy-xlsxwriter)."""
    import xlsxwriter

    from kgxp._internal.gc_pause import collector_paused
    from kgxp.files.safe_output import _named, _write_workbook

    with collector_paused():
        sheets = _named([(name, header, rows) for name, (header, rows) in tables.items()])
        _write_workbook(xlsxwriter, path, sheets)


def measure(size: int, repeat: int, compare: bool) -> list[tuple[str, int, tuple[float, float]]]:
    scenario = kgxp.parse_scenario(generate_county(size, SEED))
    result = kgxp.run_round(scenario)
    rows: list[tuple[str, int, tuple[float, float]]] = []
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.xlsx"
        rows.append(
            ("write_roster", size, _timed(lambda: kgxp.write_roster(scenario, roster), repeat))
        )
        rows.append(("read_roster", size, _timed(lambda: kgxp.read_roster(roster), repeat)))
        counter = iter(range(10**6))
        rows.append(
            (
                "write_results (xlsx)",
                size,
                _timed(
                    lambda: kgxp.write_results(
                        scenario, result, Path(folder) / f"out{next(counter)}", formats=("xlsx",)
                    ),
                    repeat,
                ),
            )
        )
        rows.append(
            (
                "write_results (print: 公示名单.xlsx)",
                size,
                _timed(
                    lambda: kgxp.write_results(
                        scenario, result, Path(folder) / f"out{next(counter)}", formats=("print",)
                    ),
                    repeat,
                ),
            )
        )
        if compare:
            tables = _roster_tables(scenario)
            rows.append(
                (
                    "read cells: python-calamine",
                    size,
                    _timed(lambda: _read_calamine(roster), repeat),
                )
            )
            if _installed("fastexcel"):
                rows.append(
                    ("read cells: fastexcel", size, _timed(lambda: _read_fastexcel(roster), repeat))
                )
            if _installed("fastexcel") and _installed("pyarrow"):
                rows.append(
                    ("read cells: fastexcel + pyarrow to Python values", size,
                     _timed(lambda: _read_fastexcel_values(roster), repeat))
                )  # fmt: skip
            rows.append(
                ("read cells: openpyxl read-only", size, _timed(lambda: _read_openpyxl(roster), 1))
            )
            rows.append(
                ("write roster: XlsxWriter alone (its floor)", size,
                 _timed(lambda: _write_xlsxwriter_alone(tables, Path(folder) / "a.xlsx"), repeat))
            )  # fmt: skip
            if _installed("rustpy_xlsxwriter"):
                rows.append(
                    ("write roster: rustpy-xlsxwriter", size,
                     _timed(lambda: _write_rustpy(tables, Path(folder) / "r.xlsx"), repeat))
                )  # fmt: skip
            rows.append(
                ("write roster: kgxp's XlsxWriter path (constant memory)", size,
                 _timed(lambda: _write_xlsxwriter(tables, Path(folder) / "x.xlsx"), repeat))
            )  # fmt: skip
            rows.append(
                ("write roster: openpyxl write-only", size,
                 _timed(lambda: _write_openpyxl(tables, Path(folder) / "o.xlsx"), 1))
            )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--compare", action="store_true", help="the candidate libraries too")
    args = parser.parse_args()
    print("| operation | teachers | seconds | CPU seconds | target |")
    print("|---|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        for name, teachers, (seconds, cpu) in measure(size, args.repeat, args.compare):
            target = TARGETS.get(teachers, {}).get(name)
            shown = f"≤ {target:g}" if target else ""
            print(f"| {name} | {teachers:,} | {seconds:.2f} | {cpu:.2f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
