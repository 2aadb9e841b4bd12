"""Issue 15: rosters never silently misread, published files safe, appeals validated.

Each test starts from the example county or the small CSV roster of
tests/test_tables.py and does what a clerk (or an attacker) would do.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import kgxp
from kgxp import OutputError, RosterWarning, ScenarioError, load_scenario, run_round
from kgxp.files.publication import write_results
from kgxp.files.publication import write_workbook as publication_workbook
from kgxp.files.roster_read import read_roster, read_roster_report
from kgxp.files.roster_sources import RosterLimits
from kgxp.files.roster_write import write_roster
from kgxp.files.safe_output import neutralise, restore, safe_file_names
from tests.conftest import EXAMPLE
from tests.test_tables import PREFERENCES, TEACHERS, _roster

ROSTER = EXAMPLE.with_name("ziyang_roster.xlsx")


def _codes(error: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return list(error.value.codes())


def _edit(path: Path, sheet: str, header: str, row: int, value: object) -> Path:
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book[sheet][1]]
    book[sheet].cell(row, headers.index(header) + 1).value = value
    book.save(path)
    return path


# --- months -------------------------------------------------------------------


def test_a_month_typed_as_a_number_is_an_error_at_its_cell(
    tmp_path: Path, small_data: dict[str, object]
) -> None:
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    _edit(path, "教师", "出生年月", 3, 1976.1)  # Excel's 1976.10 typed into a General cell
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    [problem] = error.value.problems
    assert problem.record == "教师 row 3"
    assert problem.field.startswith("出生年月 (column")
    assert "月份不能填成数字" in problem.message and "1976-10" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1976.10", "1976-10"), ("1976-10", "1976-10"), ("1976年10月", "1976-10"),
     ("1976.01", "1976-01"), ("2010.9", "2010-09"), ("1980-10-31", "1980-10")],
)  # fmt: skip
def test_unambiguous_month_texts_are_read(text: str, expected: str) -> None:
    from kgxp.files.roster_cells import convert

    assert convert("birth", text) == expected


@pytest.mark.parametrize("text", ["1976.1", "1980-10-45", "1980-02-30", "1980-13"])
def test_ambiguous_or_impossible_month_texts_are_errors(text: str) -> None:
    from kgxp.files.roster_cells import convert

    with pytest.raises(ValueError, match=r"\S"):
        convert("birth", text)


# --- headers and sheets ----------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "right"),
    [("特殊情况", "特殊情形"), ("是否服从调剂", "服从调剂"), ("骨干", "骨干教师")],
)
def test_a_near_miss_header_is_an_error_naming_the_known_one(
    tmp_path: Path, wrong: str, right: str
) -> None:
    folder = _roster(tmp_path / "r", 教师=TEACHERS.replace(right, wrong, 1))
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    [problem] = error.value.problems
    assert problem.code == "unknown_column"
    assert problem.record == "教师.csv row 1" and problem.field.startswith(wrong)
    assert f"“{right}”" in problem.message
    # strict=False reads it, and lists the warning.
    report = read_roster_report(folder, strict=False)
    assert [w.code for w in report.warnings] == ["unknown_column"]
    with pytest.warns(RosterWarning):
        read_roster(folder, strict=False)


def test_an_unknown_sheet_and_a_roster_without_preferences_are_errors(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "r", 志愿="")
    (folder / "志愿表.csv").write_text(PREFERENCES, encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    assert sorted(_codes(error)) == ["no_preferences", "unknown_sheet"]
    unknown = next(p for p in error.value.problems if p.code == "unknown_sheet")
    assert "“志愿”" in unknown.message
    (folder / "志愿表.csv").unlink()
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    assert _codes(error) == ["no_preferences"]


def test_remarks_and_headerless_empty_columns_are_still_fine(tmp_path: Path) -> None:
    teachers = TEACHERS.replace("服从调剂\n", "服从调剂,备注,\n")
    assert len(read_roster(_roster(tmp_path / "r", 教师=teachers)).teachers) == 3


# --- cells ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Infinity", "inf", "sNaN", "NaN", "1e9999999", "-1e5", "1" * 80])
def test_numbers_that_are_not_plain_digits_are_cell_errors_fast(tmp_path: Path, value: str) -> None:
    teachers = TEACHERS.replace("88.5", value)
    posts = "岗位编号,学校编号,学科,岗位数,预留新招聘\nP1,S1,语文,3,0\nP2,S2,数学," + value + ",1\n"
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "r", 教师=teachers, 岗位=posts))
    assert time.perf_counter() - started < 5
    located = {(p.record, p.field.split(" ")[0]) for p in error.value.problems}
    assert ("教师.csv row 2", "综合得分") in located
    assert ("岗位.csv row 3", "岗位数") in located


def test_a_huge_csv_cell_and_bad_bytes_are_located(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "a", 教师=TEACHERS.replace("张三", "张" * 140_000))
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    assert error.value.problems[0].record.startswith("教师.csv row 2")
    folder = _roster(tmp_path / "b")
    (folder / "教师.csv").write_bytes(TEACHERS.encode("utf-8") + b"T4,\xff\xfe\xff\n")
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    [problem] = error.value.problems
    assert problem.record == "教师.csv row 5" and problem.code == "bad_encoding"


def test_merged_cells_and_formulas_without_values_are_refused(
    tmp_path: Path, small_data: dict[str, object]
) -> None:
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["学校"].merge_cells("D2:D3")
    book["教师"]["E4"] = "=80+8"  # openpyxl saves no computed value
    book.save(path)
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    assert sorted(_codes(error)) == ["merged_cells", "uncached_formula"]
    records = {p.record for p in error.value.problems}
    assert records == {"学校 row 2", "教师 row 4"}


def test_a_sheet_spread_far_is_refused_quickly(
    tmp_path: Path, small_data: dict[str, object]
) -> None:
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["学校"]["XFD1048576"] = "x"  # a few bytes that would expand to 17 billion cells
    book["教师"].cell(1_048_576, 2).number_format = "0.00"  # formatted, empty: harmless
    book.save(path)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    assert time.perf_counter() - started < 10
    assert _codes(error) == ["too_large"]
    with pytest.raises(ScenarioError, match="max_rows"):
        read_roster(
            write_roster(load_scenario(EXAMPLE), tmp_path / "s.xlsx"),
            limits=RosterLimits(max_rows=100),
        )


def test_a_zip_bomb_is_refused_before_unzipping(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    with pytest.raises(ScenarioError) as error:
        read_roster(path, limits=RosterLimits(max_bytes=16 << 20))
    assert _codes(error) == ["too_large"]


# --- implausible records ------------------------------------------------------------


def test_implausible_teachers_are_errors_not_protection(tmp_path: Path) -> None:
    teachers = TEACHERS.replace("张三,S1,语文、数学,88.5,70,男,1975.03,1996年9月,高级,本科,是,,是",
                                "张三,S1,语文、数学,88.5,70,男,1975.03,1990年9月,高级,本科,是,产假,是")  # fmt: skip
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "r", 教师=teachers))
    located = {(p.record, p.field.split(" ")[0], p.code) for p in error.value.problems}
    assert located == {
        ("教师.csv row 2", "参加工作时间", "implausible_date"),
        ("教师.csv row 2", "特殊情形", "implausible_circumstance"),
    }


def test_duplicate_json_keys_are_errors() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('"score": ', '"score": 99, "score": ', 1)
    with pytest.raises(ScenarioError) as error:
        kgxp.parse_scenario(text)
    assert _codes(error) == ["duplicate_key"]


# --- appeals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [({"score": 150}, "score"), ({"score": -20}, "score"), ({"name": ""}, "name"),
     ({"score": math.nan}, "score"), ({"birth": "1980-13"}, "birth")],
)  # fmt: skip
def test_evolve_validates_records_built_by_model_copy(
    change: dict[str, object], field: str
) -> None:
    scenario = load_scenario(EXAMPLE)
    changed = scenario.teachers[3].model_copy(update=change)
    with pytest.raises(ScenarioError) as error:
        scenario.evolve(teachers=(*scenario.teachers[:3], changed, *scenario.teachers[4:]))
    [problem] = error.value.problems
    assert (problem.record, problem.field, problem.record_id) == (
        "teachers[3]",
        field,
        scenario.teachers[3].id,
    )


# --- files out ------------------------------------------------------------------------

_DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "'=1", "''x"]


@pytest.mark.parametrize("text", [*_DANGEROUS, "张三", "'ok", ""])
def test_neutralise_is_safe_and_restore_inverts_it(text: str) -> None:
    safe = neutralise(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(safe) == text


def test_formula_names_round_trip_and_are_never_formulas(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    names = {
        t.id: _DANGEROUS[i % len(_DANGEROUS)] + "某" for i, t in enumerate(scenario.teachers[:20])
    }
    for teacher_id, name in names.items():
        scenario = scenario.with_teacher(teacher_id, name=name)
    scenario = scenario.with_school(scenario.schools[0].id, name="=cmd|' /C calc'!A0")
    assert read_roster(write_roster(scenario, tmp_path / "r.xlsx")) == scenario
    assert read_roster(write_roster(scenario, tmp_path / "r")) == scenario
    write_results(scenario, run_round(scenario), tmp_path / "out")
    for path in (tmp_path / "out").rglob("*.csv"):
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line.split(","))
    for book in ("results.xlsx", "公示名单.xlsx"):
        with zipfile.ZipFile(tmp_path / "out" / book) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert not any(b"<f>" in archive.read(n) for n in sheets), book
    posted = openpyxl.load_workbook(tmp_path / "out" / "公示名单.xlsx", read_only=True)
    shown = {c for sheet in posted for row in sheet.iter_rows(values_only=True) for c in row}
    posted.close()
    assert "'" + _DANGEROUS[0] + "某" in shown and _DANGEROUS[0] + "某" not in shown


def test_every_workbook_sheet_guards_formulas(tmp_path: Path) -> None:
    # The plain sheets of publication.write_workbook (the payroll and review lists) too.
    path = publication_workbook(tmp_path / "p.xlsx", [("表", ["=名"], [["=1+1", 2]])])
    sheet = openpyxl.load_workbook(path)["表"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["'=名", None], ["'=1+1", 2]]
    assert sheet.freeze_panes == "A2"


def test_file_names_are_safe_bounded_and_unique_ignoring_case(tmp_path: Path) -> None:
    names = ["S1 城关小学", "s1 城关小学", "a/b", "a:b", "x\0y", "校" * 90, "CON", ""]
    safe = safe_file_names(names)
    assert len({n.casefold() for n in safe}) == len(names)
    for name in safe:
        assert len(name.encode()) <= 120 and "\0" not in name and "/" not in name
        (tmp_path / f"{name}.csv").write_text("x")  # each can be created


def test_write_results_keeps_every_school_and_overwrites_nothing(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    first, second = scenario.schools[0].id, scenario.schools[1].id
    scenario = scenario.with_school(first, name="同/名").with_school(second, name="同:名")
    result = run_round(scenario)
    written = write_results(scenario, result, tmp_path / "out", formats=("csv",))
    assert len(written) == len(set(written))
    with pytest.raises(OutputError, match="already exist"):
        write_results(scenario, result, tmp_path / "out", formats=("csv",))
    again = write_results(scenario, result, tmp_path / "out", formats=("csv",), overwrite=True)
    assert again == written
    (tmp_path / "file").write_text("mine")
    with pytest.raises(OutputError, match="not a folder"):
        write_results(scenario, result, tmp_path / "file" / "sub")
    assert (tmp_path / "file").read_text() == "mine"


def test_outputs_are_byte_identical_whatever_the_record_order(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    rng = random.Random(15)
    shuffled = scenario.evolve(
        schools=rng.sample(scenario.schools, len(scenario.schools)),
        posts=rng.sample(scenario.posts, len(scenario.posts)),
        teachers=rng.sample(scenario.teachers, len(scenario.teachers)),
    )
    a = write_results(scenario, run_round(scenario), tmp_path / "a")
    b = write_results(shuffled, run_round(shuffled), tmp_path / "b")
    for left, right in zip(a, b, strict=True):
        assert left.name == right.name
        assert left.read_bytes() == right.read_bytes(), left.name


# --- CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize("out", ["existing", "existing/sub", "a" * 300])
def test_cli_output_problems_are_one_line_and_exit_2(tmp_path: Path, out: str) -> None:
    (tmp_path / "existing").write_text("keep me")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "kgxp",
            "run",
            str(EXAMPLE),
            "--quiet",
            "--out",
            str(tmp_path / out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and len(completed.stderr.splitlines()) == 1
    assert (tmp_path / "existing").read_text() == "keep me"


def _damage_last_sheet(path: Path, styles: bytes | None = None) -> None:
    """Store the last sheet's file uncompressed and change one byte: its CRC no longer
    matches; ``styles`` replaces the styles' file (calamine refuses to open a bad one)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    last = max(
        (info.filename for info, _ in members if info.filename.startswith("xl/worksheets/")),
        key=lambda name: int(name.removeprefix("xl/worksheets/sheet").removesuffix(".xml")),
    )
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            stored = info.filename == last
            compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if styles is not None and info.filename == "xl/styles.xml":
                data = styles
            archive.writestr(info.filename, data, compress_type=compression)
    raw = path.read_bytes()
    at = raw.rindex(b"</worksheet>")
    path.write_bytes(raw[:at] + b"</worksheex>" + raw[at + len(b"</worksheet>") :])


def test_a_damaged_sheet_file_is_reported_before_a_sheet_spread_far(
    tmp_path: Path, small_data: dict[str, object]
) -> None:
    # Each sheet's file is unzipped right before its extent check; a damaged file after
    # the refused sheet is still what is reported, as when every file was unzipped first.
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["学校"]["XFD1048576"] = "x"
    book.save(path)
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    assert _codes(error) == ["too_large"]  # the far-spread sheet alone
    _damage_last_sheet(path)
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    assert _codes(error) == ["unreadable_file"]
    assert "CRC" in error.value.problems[0].message


def test_a_damaged_sheet_file_is_reported_before_a_workbook_calamine_cannot_open(
    tmp_path: Path, small_data: dict[str, object]
) -> None:
    path = write_roster(kgxp.parse_scenario(small_data), tmp_path / "r.xlsx")
    _damage_last_sheet(path, styles=b"<broken")
    with pytest.raises(ScenarioError) as error:
        read_roster(path)
    assert _codes(error) == ["unreadable_file"]
    assert "CRC" in error.value.problems[0].message
