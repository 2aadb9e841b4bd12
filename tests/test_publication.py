"""The 公示: every list a bureau posts, fit to print, Chinese first (kgxp.files.publication).

Every teacher appears in exactly one county-wide outcome list and in exactly one
school list (I1 as published); the protected teacher without a seat (an R4
conflict) is in the 待定 list; numbers stay numbers; the files are byte-identical
whatever the input order (I12); HTML is escaped and spreadsheets never run a
formula from input data.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgxp import Policy, RoundResult, Scenario, Status, load_scenario, run_round
from kgxp.exceptions import CalendarYearError
from kgxp.files.notice import PublicityNotice, publicity_period
from kgxp.files.publication import (
    OUTCOME_LISTS,
    ListKind,
    list_kind,
    mask_name,
    publication_lists,
    write_results,
)
from kgxp.files.scenario_json import parse_scenario
from kgxp.files.wording import Wording
from kgxp.testing import policies, scenarios
from tests.conftest import EXAMPLE
from tests.factories import post, scenario_data, school, teacher

NOTICE = PublicityNotice(
    published_on=date(2026, 8, 24), contact="测试县教育局人事股，电话 0000-0000000"
)


def _conflict_county() -> Scenario:
    """P2 and P3 are protected at B, which has one 体育 seat: P3 (lower score) has none (R4)."""
    data = scenario_data()
    data["schools"] = [school("A"), school("B")]
    data["posts"] = [post("A-CHN", "A", "语文", 2), post("B-PE", "B", "体育", 1)]
    data["teachers"] = [
        teacher("T1", "A", preferences=["A-CHN"]),
        teacher("P2", "B", ("体育",), circumstances=["village_work_team"], score=70.0),
        teacher("P3", "B", ("体育",), circumstances=["aid_tibet_yi"], score=60.0),
        teacher("W1", "B", score=40.0, preferences=["A-CHN"], willing_to_adjust=False),
        teacher("W2", "A", score=30.0, preferences=["A-CHN"]),
    ]
    return parse_scenario(data)


@pytest.fixture(scope="module")
def example() -> tuple[Scenario, RoundResult]:
    scenario = load_scenario(EXAMPLE)
    return scenario, run_round(scenario)


def _listed(scenario: Scenario, result: RoundResult) -> tuple[Counter[str], Counter[str]]:
    lists = publication_lists(scenario, result, hide_ids=True)
    county = Counter(t for i in lists if i.kind in OUTCOME_LISTS for t in i.teachers)
    schools = Counter(t for i in lists if i.kind is ListKind.SCHOOL for t in i.teachers)
    return county, schools


def test_a_protected_teacher_without_a_seat_is_listed_as_pending() -> None:
    scenario = _conflict_county()
    result = run_round(scenario)
    assert [c.teacher for c in result.conflicts] == ["P3"]
    lists = {i.key: i for i in publication_lists(scenario, result)}
    assert lists["pending"].teachers == ("P3",)
    assert lists["pending"].title == "待定人员名单"
    note = lists["pending"].rows[0][-1]
    assert "援藏援彝支教" in note and "原学校暂无" in note
    assert lists["B"].teachers[-1] == "P3" and lists["B"].rows[-1][6] == "待定"
    county, schools = _listed(scenario, result)
    assert set(county.values()) == set(schools.values()) == {1}


@given(scenarios(max_teachers=20), policies())
def test_every_teacher_in_exactly_one_county_list_and_one_school_list(
    scenario: Scenario, policy: Policy
) -> None:
    result = run_round(scenario, policy=policy)
    county, schools = _listed(scenario, result)
    everyone = sorted(t.id for t in scenario.teachers)
    assert sorted(county) == everyone and set(county.values()) <= {1}
    assert sorted(schools) == everyone and set(schools.values()) <= {1}
    pending = {o.teacher for o in result.outcomes if list_kind(o) is ListKind.PENDING}
    assert pending == {c.teacher for c in result.conflicts if c.rule == "R4"}


def test_warning_talks_come_on_top_of_the_outcome_lists(
    example: tuple[Scenario, RoundResult],
) -> None:
    scenario, result = example
    warned = sorted(o.teacher for o in result.outcomes)[:3]
    lists = publication_lists(scenario, result, warning_talks=warned)
    talk = [i for i in lists if i.kind is ListKind.WARNING_TALK]
    assert len(talk) == 1 and sorted(talk[0].teachers) == warned
    assert talk[0].title == "诫勉谈话人员名单"


def test_wording_names_a_teacher_by_the_scenario_and_an_unknown_id_by_itself(
    example: tuple[Scenario, RoundResult],
) -> None:
    scenario, result = example
    known = scenario.teachers[0]
    words = Wording(scenario, result)
    assert words.teacher(known.id) == known.name != known.id
    # An id the scenario does not hold (a warning-talk list typed by hand, an appeal
    # against another county's run) stands for its own name; so does every id when no
    # scenario is given.
    assert words.teacher("NOT-A-TEACHER") == "NOT-A-TEACHER"
    assert Wording(None, result).teacher(known.id) == known.id


def test_reasons_are_sentences_without_rule_ids_or_codes(
    example: tuple[Scenario, RoundResult],
) -> None:
    scenario, result = example
    for locale in ("zh_CN", "en"):
        words = Wording(scenario, result, locale=locale)
        for outcome in result.outcomes:
            text = words.chain(outcome)
            assert text, outcome.teacher
            assert not re.search(r"\b[RI]\d+\b|[a-z]+_[a-z]+|\(I\d", text), text
    waiting = next(o for o in result.outcomes if o.status is Status.WAITING)
    assert re.search(r"[\u4e00-\u9fff]", Wording(scenario, result).why(waiting))


def test_the_english_lists_read_english(example: tuple[Scenario, RoundResult]) -> None:
    scenario, result = example
    lists = publication_lists(scenario, result, locale="en")
    assert lists[0].title == "Teachers placed in advance"
    for item in lists:
        assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in item.header), item.header


def test_masked_names_and_hidden_ids(example: tuple[Scenario, RoundResult]) -> None:
    assert [mask_name(n) for n in ("张三明", "李四", "欧阳振华", "王")] == [
        "张*明",
        "李*",
        "欧**华",
        "王",
    ]
    scenario, result = example
    item = publication_lists(scenario, result, mask_names=True, hide_ids=True)[1]
    assert "教师编号" not in item.header
    names = {t.name for t in scenario.teachers}
    assert not any(cell in names for row in item.rows for cell in row)


def test_numbers_are_numbers_and_the_sheet_prints(
    tmp_path: Path, example: tuple[Scenario, RoundResult]
) -> None:
    scenario, result = example
    write_results(scenario, result, tmp_path, formats=("xlsx", "print"), notice=NOTICE)
    book = openpyxl.load_workbook(tmp_path / "公示名单.xlsx")
    sheet = book["校内竞聘上岗人员名单"]
    assert sheet["A1"].value == "紫阳县 (示例)2026年县管校聘校内竞聘上岗人员名单"
    assert sheet["A2"].value == "公示期：2026年8月24日至2026年8月28日（5个工作日）。"
    header = [c.value for c in sheet[4]]
    assert header[:2] == ["序号", "姓名"]
    first = sheet[5]
    assert isinstance(first[0].value, int) and first[0].value == 1
    score = first[header.index("综合得分")]
    assert isinstance(score.value, int | float) and score.number_format == "0.00"
    assert score.value == float(result.outcome(first[2].value).score)
    assert sheet.freeze_panes == "A5"
    assert sheet.print_title_rows == "$4:$4"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert all(sheet.column_dimensions[c].width >= 6 for c in "ABCDEFGH")
    footer = [r[0].value for r in sheet.iter_rows(min_row=sheet.max_row - 1)]
    assert footer == ["紫阳县 (示例)教育局", "2026年8月24日"]
    assert "A1:H1" in {str(m) for m in sheet.merged_cells.ranges}
    assert {"A2:H2", "A3:H3"} <= {str(m) for m in sheet.merged_cells.ranges}  # 公示期, objections
    # Fit to post: a bold title, a shaded bold header, boxed cells, A4 one page wide,
    # centred, page numbers, each column as wide as its longest entry (CJK counts two).
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 16
    assert sheet["A1"].alignment.horizontal == "center"
    assert sheet.row_dimensions[1].height == 30
    assert all(c.font.b for c in sheet[4])
    assert sheet["B4"].fill.fgColor.rgb.endswith("EEEEEE")
    assert first[1].border.left.style == "thin" and first[1].alignment.horizontal == "center"
    assert score.alignment.horizontal == "right" and first[0].number_format == "0"
    assert sheet.page_setup.fitToWidth in (1, None) and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.page_setup.orientation in ("portrait", "landscape")
    assert sheet.print_options.horizontalCentered
    assert "&P / &N" in str(sheet.oddFooter.center.text)
    names = [c.value for c in sheet["B"][4:] if c.value]
    widest = max(2 * len(n) for n in names if isinstance(n, str))
    assert sheet.column_dimensions["B"].width >= widest
    assert sheet[sheet.max_row][0].alignment.horizontal == "right"  # the 落款
    record = openpyxl.load_workbook(tmp_path / "results.xlsx")["结果"]
    assert isinstance(record["F2"].value, int | float)  # 综合得分 of the outcome record


@pytest.mark.parametrize(
    ("which", "formats"),
    [("example", ("csv", "json", "html")), ("conflict", ("csv", "json", "html", "xlsx", "print"))],
)
def test_files_are_byte_identical_whatever_the_input_order(
    tmp_path: Path, which: str, formats: tuple[str, ...]
) -> None:
    scenario = load_scenario(EXAMPLE) if which == "example" else _conflict_county()
    rng = random.Random(7)
    shuffled = scenario.model_copy(
        update={
            name: tuple(rng.sample(getattr(scenario, name), len(getattr(scenario, name))))
            for name in ("schools", "posts", "teachers")
        }
    )
    first, second = (
        write_results(s, run_round(s), tmp_path / name, formats=formats, notice=NOTICE)
        for s, name in ((scenario, "a"), (shuffled, "b"))
    )
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@given(st.sampled_from(["=1+2", "+SUM(A1)", "-3+4", "@cmd", '=HYPERLINK("x")']))
def test_no_formula_from_input_runs(formula: str) -> None:
    import tempfile

    data = scenario_data()
    data["teachers"][0]["name"] = formula
    data["schools"][0]["name"] = "<b>学校</b>&" + formula
    scenario = parse_scenario(data)
    result = run_round(scenario)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_results(scenario, result, out, formats=("csv", "xlsx", "html", "print"))
        for csv_file in out.rglob("*.csv"):
            text = csv_file.read_text(encoding="utf-8-sig")
            assert not re.search(r"(^|,)[=+\-@]", text, re.MULTILINE), csv_file.name
        for book_file in out.glob("*.xlsx"):
            for sheet in openpyxl.load_workbook(book_file).worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (book_file.name, cell.coordinate)
                        if isinstance(cell.value, str):
                            assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
        for page in out.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert "<b>" not in text, page.name
        county = (out / "publication" / "公示名单.html").read_text(encoding="utf-8")
        assert "&lt;b&gt;学校&lt;/b&gt;&amp;" in county


def test_the_notice_period_counts_chinese_working_days() -> None:
    # 2026 National Day: 1–7 October off (the package's official schedule).
    assert publicity_period(date(2026, 9, 28), 5) == (date(2026, 9, 28), date(2026, 10, 9))
    # A Saturday start moves to Monday.
    assert publicity_period(date(2026, 8, 22), 5) == (date(2026, 8, 24), date(2026, 8, 28))
    with pytest.raises(CalendarYearError, match="does not know 2099 yet"):
        publicity_period(date(2099, 3, 2), 5)


def test_a_year_the_calendar_does_not_know_writes_nothing(
    tmp_path: Path, example: tuple[Scenario, RoundResult]
) -> None:
    scenario, result = example
    notice = PublicityNotice(published_on=date(2099, 3, 2))
    with pytest.raises(CalendarYearError):
        write_results(scenario, result, tmp_path / "out", notice=notice)
    assert not (tmp_path / "out").exists()


def test_without_a_date_the_notice_leaves_it_to_the_clerk(
    tmp_path: Path, example: tuple[Scenario, RoundResult]
) -> None:
    scenario, result = example
    lists = publication_lists(scenario, result)
    write_results(scenario, result, tmp_path, formats=("html",))
    page = (tmp_path / "publication" / "公示名单.html").read_text(encoding="utf-8")
    assert "公示期：自公示之日起5个工作日。" in page
    assert "发布单位提出复核或申诉" in page
    assert page.count("<section") == sum(1 for i in lists if i.kind is not ListKind.SCHOOL)
    assert "@page { size: A4" in page and "Noto Serif CJK SC" in page


def test_a_list_prints_in_landscape_on_paper_and_on_the_page_alike(
    tmp_path: Path, example: tuple[Scenario, RoundResult]
) -> None:
    # A school's list (9 columns, long reasons) is too wide for A4 portrait: the sheet and
    # the HTML page both turn it, so school names and categories stay on one line.
    scenario, result = example
    write_results(scenario, result, tmp_path, formats=("print", "html"), notice=NOTICE)
    book = openpyxl.load_workbook(tmp_path / "公示名单.xlsx")
    orientation = {
        "提前聘用人员名单": "portrait",
        "待岗人员名单": "landscape",
        "紫阳小学": "landscape",
    }
    pages = {
        "提前聘用人员名单": "提前聘用人员名单.html",
        "待岗人员名单": "待岗人员名单.html",
        "紫阳小学": "S01_紫阳小学.html",
    }
    for sheet, expected in orientation.items():
        assert book[sheet].page_setup.orientation == expected
        page = (tmp_path / "publication" / pages[sheet]).read_text(encoding="utf-8")
        assert ('<section class="landscape">' in page) == (expected == "landscape")
        assert "@page landscape { size: A4 landscape" in page


def test_every_published_text_has_a_translation() -> None:
    from kgxp.i18n.build import problems  # Babel: part of kgxp[dev]

    assert problems() == []


def test_the_report_page_is_chinese_with_plots_and_the_same_bytes_each_time(
    example: tuple[Scenario, RoundResult],
) -> None:
    from kgxp import render_report

    scenario, result = example
    page = render_report(scenario, result, format="html", figures=True)
    assert page == render_report(scenario, result, format="html", figures=True)
    assert page.count("<svg") == 2 and "<?xml" not in page
    assert "竞聘前后校际差异系数" in page and "未达标" in page
    body = re.sub(r"<svg.*?</svg>|<style>.*?</style>", "", page, flags=re.S)
    assert not re.search(r"\b[a-z]+_[a-z]+\b|\bR\d+\b(?!</td>)", body.split("附：政策依据")[0])
