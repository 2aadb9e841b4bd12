"""The fast path of the plain workbooks (rustpy-xlsxwriter) writes XlsxWriter's cells, same bytes.

``safe_output.write_workbook`` (the roster, ``results.xlsx``) writes through
:mod:`kgxp.files.fast_workbook` when ``rustpy-xlsxwriter`` is installed (the
``excel-fast`` extra; ``dev`` installs it). These tests write the same sheets
by both paths and read them back with python-calamine: every sheet has the same
cells, value and type; two writes give the same bytes, also from another
process; ``read_roster(write_roster(x)) == x`` on both paths, formula-like
names included; and what the binding cannot write alike goes to XlsxWriter.
"""

from __future__ import annotations

import enum
import random
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp import load_scenario, read_roster, run_round, write_results, write_roster
from kgxp.files import fast_workbook
from kgxp.files.safe_output import _named, write_workbook
from tests.conftest import EXAMPLE

pytest.importorskip("rustpy_xlsxwriter")  # the excel-fast extra (in dev)
calamine = pytest.importorskip("python_calamine")


class Level(enum.IntEnum):
    HIGH = 3


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _typed(sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[tuple[type, Any]]]]:
    return {n: [[(type(v), v) for v in row] for row in rows] for n, rows in sheets.items()}


def _both(tmp_path: Path, sheets: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    fast = write_workbook(tmp_path / "fast.xlsx", sheets)
    with monkeypatch.context() as patch:
        patch.setattr(fast_workbook, "fast_module", lambda: None)
        slow = write_workbook(tmp_path / "slow.xlsx", sheets)
    return fast, slow


_CHARS = st.characters(blacklist_categories=("Cs",))
_TEXT = st.one_of(
    st.text(_CHARS, max_size=6),
    st.sampled_from(["", " ", "=1+1", "'=1", "''x", "'", "-3", "@a", "\tx", "张三", "_x0041_"]),
)
_CELL = st.one_of(
    _TEXT,
    st.integers(-(10**12), 10**12),
    st.integers(-(10**8), 10**8).map(lambda n: n / 100),
    st.booleans(),
    st.none(),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.just(Level.HIGH),
)
_TABLE = st.integers(1, 4).flatmap(
    lambda width: st.tuples(
        st.lists(
            st.text(_CHARS, min_size=1, max_size=3), min_size=width, max_size=width, unique=True
        ),
        st.lists(st.lists(_CELL, min_size=0, max_size=width), max_size=6),
    )
)


@settings(max_examples=40, deadline=None)
@given(tables=st.lists(_TABLE, min_size=1, max_size=3))
def test_both_paths_write_the_same_cells(tables: list[tuple[list[str], list[list[Any]]]]) -> None:
    sheets = [(f"表{i}", header, rows) for i, (header, rows) in enumerate(tables)]
    module = fast_workbook.fast_module()
    assert module is not None
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        # These sheets are the fast path's to write (not handed to XlsxWriter).
        named = [(n, header, list(rows)) for n, header, rows in _named(sheets)]
        assert fast_workbook.write_fast(module, folder / "probe.xlsx", named)
        fast, slow = _both(folder, sheets, patch)
        assert _typed(_cells(fast)) == _typed(_cells(slow))


def test_the_roster_and_results_have_the_same_cells_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(EXAMPLE)
    scenario = scenario.with_teacher(scenario.teachers[0].id, name='=HYPERLINK("x")')
    fast = write_roster(scenario, tmp_path / "fast.xlsx")
    result = run_round(scenario)
    write_results(scenario, result, tmp_path / "fast", formats=("xlsx",))
    with monkeypatch.context() as patch:
        patch.setattr(fast_workbook, "fast_module", lambda: None)
        slow = write_roster(scenario, tmp_path / "slow.xlsx")
        write_results(scenario, result, tmp_path / "slow", formats=("xlsx",))
    assert _typed(_cells(fast)) == _typed(_cells(slow))
    records = [tmp_path / side / "results.xlsx" for side in ("fast", "slow")]
    assert _typed(_cells(records[0])) == _typed(_cells(records[1]))
    # The fast path really wrote them (XlsxWriter's files say so in docProps/app.xml).
    for path in (fast, records[0]):
        with zipfile.ZipFile(path) as archive:
            assert b"XlsxWriter" not in archive.read("docProps/app.xml")


def test_two_writes_are_byte_identical_also_from_another_process(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    first = write_roster(scenario, tmp_path / "a.xlsx")
    code = (
        "import sys; from kgxp import load_scenario, write_roster; "
        "write_roster(load_scenario(sys.argv[1]), sys.argv[2])"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE), str(tmp_path / "b.xlsx")],
        check=True,
        env=_env(),
    )
    assert first.read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {m.date_time for m in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def _env() -> dict[str, str]:
    import os

    source = str(Path(fast_workbook.__file__).parents[2])
    return {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_the_roster_round_trips_on_both_paths_formula_like_names_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(EXAMPLE)
    starts = ["=", "+", "-", "@", "\t=", "'=", "''", "'"]
    for i, teacher in enumerate(scenario.teachers[:16]):
        scenario = scenario.with_teacher(teacher.id, name=starts[i % len(starts)] + "某")
    scenario = scenario.with_school(scenario.schools[0].id, name="=cmd|' /C calc'!A0")
    assert read_roster(write_roster(scenario, tmp_path / "fast.xlsx")) == scenario
    monkeypatch.setattr(fast_workbook, "fast_module", lambda: None)
    assert read_roster(write_roster(scenario, tmp_path / "slow.xlsx")) == scenario


def test_the_record_order_does_not_change_the_results_bytes(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    rng = random.Random(15)
    shuffled = scenario.evolve(teachers=rng.sample(scenario.teachers, len(scenario.teachers)))
    a = write_results(scenario, run_round(scenario), tmp_path / "a", formats=("xlsx",))
    b = write_results(shuffled, run_round(shuffled), tmp_path / "b", formats=("xlsx",))
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (["名", "名"], [["a", "b"]]),  # one header twice: the binding keys rows by header
        (["名"], [["a", "b"]]),  # a row wider than its header
        ([], [["a"]]),  # no header at all
        (["", "名"], []),  # an empty header: XlsxWriter writes it as a cell
        (["名"], [["x" * 40_000]]),  # longer than a cell holds: XlsxWriter cuts it
        (["名"], [["=" + "x" * 32_767]]),  # the guard's quote makes it too long
        (["名"], [["a"]] * 3 + [["x" * 40_000]]),  # found after rows the binding has written
    ],
)
def test_what_the_binding_cannot_write_alike_goes_to_xlsxwriter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: list[str], rows: list[list[Any]]
) -> None:
    module = fast_workbook.fast_module()
    assert module is not None
    assert not fast_workbook.write_fast(module, tmp_path / "no.xlsx", [("表", header, rows)])
    assert not (tmp_path / "no.xlsx").exists()
    fast, slow = _both(tmp_path, [("表", header, rows)], monkeypatch)
    assert _cells(fast) == _cells(slow)


def test_a_number_that_is_not_finite_is_left_to_xlsxwriter(tmp_path: Path) -> None:
    # The binding would leave the cell blank; XlsxWriter refuses it (as it always did).
    module = fast_workbook.fast_module()
    assert module is not None
    for value in (float("nan"), float("inf"), -float("inf")):
        assert not fast_workbook.write_fast(module, tmp_path / "n.xlsx", [("表", ["x"], [[value]])])
    assert not (tmp_path / "n.xlsx").exists()


def test_a_decimal_and_other_values_are_text_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[Decimal("85.50"), True, Level.HIGH, None, ""]]
    fast, slow = _both(tmp_path, [("表", list("abcde"), rows)], monkeypatch)
    assert _cells(fast)["表"][1] == ["85.50", "True", 3.0, "", ""]
    assert _cells(fast) == _cells(slow)
