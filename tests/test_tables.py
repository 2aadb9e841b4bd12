"""Rosters in (kgxp.tables): Chinese headers, the forms people type, row-and-column errors."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
import pytest

from kgxp import MissingExtraError, ScenarioError, load_scenario, parse_scenario
from kgxp.files.roster_layout import DEFAULT_COLUMNS, column_table
from kgxp.files.roster_read import read_roster
from kgxp.files.roster_write import write_roster
from kgxp.model.scenario import Circumstance, Education, Locality, Segment, Sex, Title
from tests.conftest import EXAMPLE

COUNTY = "项目,值\n县名,测试县\n竞聘月份,2026-08\n核定编制,6\n"
SCHOOLS = (
    "学校编号,学校名称,学段,城乡,在校学生数,学区,备注\n"
    "S1,城关小学,小学,城区,800,D1,随便写\n"
    "S2,龙潭小学,教学点,农村,60,D1,\n"
)
POSTS = "岗位编号,学校编号,学科,岗位数,预留新招聘\nP1,S1,语文,3,0\nP2,S2,数学,3,1\n"
TEACHERS = (
    "教师编号,姓名,学校,任教学科,综合得分,教学业绩,性别,出生年月,参加工作时间,职称,学历,"
    "骨干教师,特殊情形,服从调剂\n"
    "T1,张三,S1,语文、数学,88.5,70,男,1975.03,1996年9月,高级,本科,是,,是\n"
    "T2,李四,S1,语文,81,60,女,1990-07,2012-09,一级,硕士,否,产假,否\n"
    "T3,王五,S2,数学,81,65,女,1988/11,2010.9,二级,专科,否,哺乳期、借调,是\n"
)
PREFERENCES = "教师编号,志愿序号,岗位编号\nT1,2,P2\nT1,1,P1\nT3,1,P2\n"


def _roster(folder: Path, **tables: str) -> Path:
    defaults = {
        "县情": COUNTY,
        "学校": SCHOOLS,
        "岗位": POSTS,
        "教师": TEACHERS,
        "志愿": PREFERENCES,
    }
    defaults.update(tables)
    folder.mkdir(exist_ok=True)
    for name, text in defaults.items():
        if text:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _problems(error: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [str(p) for p in error.value.problems]


def test_chinese_headers_and_typed_forms_become_a_scenario(tmp_path: Path) -> None:
    scenario = read_roster(_roster(tmp_path / "roster"))
    assert scenario.county.name == "测试县"
    assert str(scenario.competition_month) == "2026-08"
    assert scenario.staffing.total_posts == 6
    s1, s2 = scenario.schools
    assert (s1.segment, s1.locality, s1.district) == (Segment.PRIMARY, Locality.URBAN, "D1")
    assert (s2.segment, s2.locality, s2.enrolment) == (Segment.PRIMARY, Locality.RURAL, 60)
    assert scenario.posts[1].reserved == 1
    t1, t2, t3 = scenario.teachers
    assert t1.subjects == ("语文", "数学")
    assert (t1.score, t1.performance, t1.sex) == (88.5, 70.0, Sex.MALE)
    assert (str(t1.birth), str(t1.service_start)) == ("1975-03", "1996-09")
    assert (t1.title, t1.education, t1.key_teacher) == (Title.SENIOR, Education.BACHELOR, True)
    assert t1.preferences == ("P1", "P2")  # ranks order the choices, not the rows
    assert t2.circumstances == (Circumstance.MATERNITY_LEAVE,)
    assert t2.willing_to_adjust is False
    assert t3.circumstances == (Circumstance.BREASTFEEDING, Circumstance.SECONDMENT)
    assert (str(t3.birth), str(t3.service_start), t3.title) == ("1988-11", "2010-09", Title.JUNIOR)


def test_gb18030_csv_as_excel_saves_it_on_chinese_windows(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "roster")
    (folder / "教师.csv").write_bytes(TEACHERS.encode("gb18030"))
    assert read_roster(folder).teachers[0].name == "张三"


def test_every_bad_cell_is_reported_at_once_by_sheet_row_and_column(tmp_path: Path) -> None:
    bad = (
        TEACHERS.replace("88.5", "八十八").replace("1990-07", "1990-13").replace(",高级,", ",教授,")
    )
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 教师=bad))
    problems = _problems(error)
    assert len(problems) == 3
    assert any(
        p.startswith("教师.csv row 2.综合得分 (column E): expected a number") for p in problems
    )
    assert any(p.startswith("教师.csv row 3.出生年月 (column H): month 13") for p in problems)
    assert any("教师.csv row 2.职称 (column J): unknown value '教授'" in p for p in problems)
    assert error.value.summary == "invalid roster roster"


def test_scenario_problems_are_translated_back_to_rows_and_headers(tmp_path: Path) -> None:
    teachers = TEACHERS.replace("T2,李四,S1", "T1,李四,S1").replace("T3,王五,S2", "T3,王五,S9")
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "a", 教师=teachers))
    located = {(p.record, p.field, p.code) for p in error.value.problems}
    assert ("教师.csv row 3", "教师编号 (column A)", "duplicate_id") in located
    assert ("教师.csv row 4", "学校 (column C)", "unknown_reference") in located

    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "b", 志愿=PREFERENCES + "T3,2,P7\n"))
    [problem] = error.value.problems
    assert (problem.record, problem.field, problem.record_id) == (
        "志愿.csv row 5",
        "岗位编号 (column C)",
        "T3",
    )
    assert "P7" in problem.message


def test_unknown_teacher_in_preferences_names_the_row(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 志愿=PREFERENCES + "T9,1,P1\n"))
    assert _problems(error) == ["志愿.csv row 5.教师编号 (column A): unknown teacher 'T9'"]


def test_missing_tables_and_columns_are_named(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "roster")
    (folder / "岗位.csv").unlink()
    with pytest.raises(ScenarioError) as error:
        read_roster(folder)
    assert error.value.codes() == ["missing_table"]
    assert "岗位" in _problems(error)[0]

    without_sex = "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != 6)
        for line in TEACHERS.splitlines()
    )
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster2", 教师=without_sex))
    assert _problems(error) == ["教师.csv row 1.性别: required column missing (field 'sex')"]


def test_columns_and_sheets_can_be_overridden(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "roster", 教师="")
    (folder / "在编教师.csv").write_text(TEACHERS.replace("教师编号", "工号", 1), "utf-8")
    scenario = read_roster(
        folder, columns={"teachers": {"工号": "id"}}, sheets={"teachers": "在编教师"}
    )
    assert [t.id for t in scenario.teachers] == ["T1", "T2", "T3"]
    with pytest.raises(ValueError, match="unknown roster table 'staff'"):
        read_roster(folder, columns={"staff": {"工号": "id"}})


def test_preferences_given_twice_and_shared_ranks_are_errors(tmp_path: Path) -> None:
    teachers = TEACHERS.replace("服从调剂\n", "服从调剂,志愿\n").replace(",是\nT2", ",是,P1\nT2")
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "a", 教师=teachers))
    assert error.value.codes() == ["duplicate_preferences"]
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "b", 志愿=PREFERENCES + "T3,1,P1\n"))
    assert error.value.codes() == ["duplicate_rank"]


def test_unknown_county_setting_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 县情=COUNTY + "县长,某某\n"))
    assert _problems(error)[0].startswith("县情.csv row 5.县长: unknown setting")


def test_example_county_round_trips_through_xlsx_and_csv(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    assert read_roster(write_roster(scenario, tmp_path / "roster.xlsx")) == scenario
    assert read_roster(write_roster(scenario, tmp_path / "roster")) == scenario


def test_shipped_example_roster_is_the_example_county() -> None:
    assert read_roster(EXAMPLE.with_name("ziyang_roster.xlsx")) == load_scenario(EXAMPLE)


def test_written_roster_is_byte_identical(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLE)
    first = write_roster(scenario, tmp_path / "a.xlsx").read_bytes()
    assert write_roster(scenario, tmp_path / "b.xlsx").read_bytes() == first


def test_excel_cells_dates_and_numeric_ids(tmp_path: Path, small_data: dict[str, object]) -> None:
    path = write_roster(parse_scenario(small_data), tmp_path / "roster.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["教师"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("出生年月") + 1).value = dt.datetime(1981, 4, 1)
    book["学校"].cell(2, 5).value = 1200.0  # enrolment typed as a float by Excel
    book.save(path)
    scenario = read_roster(path)
    assert str(scenario.teachers[0].birth) == "1981-04"
    assert scenario.schools[0].enrolment == 1200


def test_a_broken_workbook_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ScenarioError, match=r"not a readable \.xlsx workbook"):
        read_roster(path)
    with pytest.raises(ScenarioError, match="no such file"):
        read_roster(tmp_path / "missing.xlsx")
    with pytest.raises(ScenarioError, match=r"\.xlsx workbook or a directory"):
        read_roster(EXAMPLE)


def test_missing_excel_packages_name_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_data: dict[str, object]
) -> None:
    path = write_roster(parse_scenario(small_data), tmp_path / "roster.xlsx")
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'kgxp\[excel\]'"):
        read_roster(path)
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'kgxp\[excel\]'"):
        write_roster(parse_scenario(small_data), tmp_path / "again.xlsx")


def test_column_table_lists_every_default_header() -> None:
    table = column_table()
    for columns in DEFAULT_COLUMNS.values():
        for header, field in columns.items():
            assert f"| {header} | {field} |" in table


def test_docs_column_table_is_current() -> None:
    text = (EXAMPLE.parent.parent / "docs" / "tables.md").read_text(encoding="utf-8")
    assert column_table() in text, (
        "paste kgxp.files.roster_layout.column_table() into docs/tables.md"
    )


def test_staffing_problems_point_at_the_county_settings(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 县情=COUNTY.replace("核定编制,6", "核定编制,4")))
    [problem] = error.value.problems
    assert (problem.record, problem.field, problem.rule) == ("县情.csv row 4", "核定编制", "R1")


def test_bad_cells_and_cross_record_problems_come_together(tmp_path: Path) -> None:
    teachers = TEACHERS.replace("88.5", "八十八").replace("T3,王五,S2", "T3,王五,S9")
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 教师=teachers, 志愿=PREFERENCES + "T2,1,P7\n"))
    assert sorted(_problems(error)) == [
        "志愿.csv row 5 (id=T2).岗位编号 (column C): unknown post 'P7'",
        "教师.csv row 2.综合得分 (column E): expected a number, got '八十八'",
        "教师.csv row 4 (id=T3).学校 (column C): unknown school 'S9'",
    ]


def test_an_amount_with_more_than_two_decimal_places_is_refused_not_rounded(
    tmp_path: Path,
) -> None:
    # 3880.125 yuan is not a whole number of fen: it used to become 3880.12 silently.
    header, *rows = TEACHERS.rstrip("\n").split("\n")
    with_pay = "\n".join(
        [header + ",基本工资,基础性绩效,奖励性绩效,年终质量奖"]
        + [rows[0] + ",3880.125,1700,700,12000.00"]
        + [row + ",3880.10,1700,700,12000" for row in rows[1:]]
    )
    with pytest.raises(ScenarioError) as error:
        read_roster(_roster(tmp_path / "roster", 教师=with_pay + "\n"))
    [problem] = _problems(error)
    assert problem.startswith("教师.csv row 2.基本工资 (column O): an amount in yuan has at most")
    fixed = with_pay.replace("3880.125", "3880.120")  # the same value in fen: accepted
    scenario = read_roster(_roster(tmp_path / "fixed", 教师=fixed + "\n"))
    assert [str(t.pay.basic_salary) for t in scenario.teachers if t.pay] == ["3880.12"] + [
        "3880.10"
    ] * 2
