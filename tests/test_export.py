"""Results out (kgxp.export): publication lists, outcome rows, every file format, redaction."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kgxp import MissingExtraError, RoundResult, Scenario, Status, load_scenario, run_round
from kgxp.files.publication import (
    OUTCOME_COLUMNS,
    outcome_rows,
    outcomes_frame,
    publication_lists,
    write_results,
    write_workbook,
)
from kgxp.files.scenario_json import parse_scenario
from tests.conftest import EXAMPLE
from tests.factories import scenario_data
from tests.result_factories import outcome, round_result


@pytest.fixture
def small() -> tuple[Scenario, RoundResult]:
    scenario = parse_scenario(scenario_data())
    result = round_result(
        scenario,
        [
            outcome(scenario, "T1", Status.IN_SCHOOL, "A", post="A-CHN", round="in_school"),
            outcome(scenario, "T2", Status.IN_SCHOOL, "A", post="A-MAT", round="in_school"),
            outcome(scenario, "T3", Status.WAITING, "B", school="A"),
        ],
        {"A-CHN": (2, 0), "A-MAT": (1, 0), "B-CHN": (1, 0)},
    )
    return scenario, result


@pytest.fixture(scope="module")
def example() -> tuple[Scenario, RoundResult]:
    scenario = load_scenario(EXAMPLE)
    return scenario, run_round(scenario)


def test_publication_lists_of_a_hand_made_round(small: tuple[Scenario, RoundResult]) -> None:
    lists = publication_lists(*small)
    assert [(item.key, item.title) for item in lists] == [
        ("in_school", "校内竞聘上岗人员名单"),
        ("waiting", "待岗人员名单"),
        ("A", "学校A竞聘上岗结果公示名单"),
        ("B", "学校B竞聘上岗结果公示名单"),
    ]
    score = Decimal("80.00")
    assert lists[0].rows == (
        (1, "教师T1", "T1", "学校A", "语文", score, "学校A", "语文"),
        (2, "教师T2", "T2", "学校A", "数学", score, "学校A", "数学"),
    )
    assert lists[1].header[-2:] == ("跟岗学习学校", "原因")
    assert lists[1].rows[0][:7] == (1, "教师T3", "T3", "学校B", "语文", score, "学校A")
    assert lists[3].rows[0][6:8] == ("待岗", "到学校A跟岗学习")


def test_every_teacher_is_listed_exactly_once(example: tuple[Scenario, RoundResult]) -> None:
    scenario, result = example
    lists = publication_lists(scenario, result)
    listed = Counter(
        t
        for item in lists
        if item.key in {"protected", "in_school", "cross_school", "adjusted", "waiting", "pending"}
        for t in item.teachers
    )
    assert set(listed.values()) == {1}
    assert sorted(listed) == sorted(t.id for t in scenario.teachers)


def test_outcome_rows_say_what_decided(example: tuple[Scenario, RoundResult]) -> None:
    scenario, result = example
    rows = outcome_rows(scenario, result)
    assert len(rows) == len(result.outcomes)
    assert all(set(row) == {key for key, _ in OUTCOME_COLUMNS} for row in rows)
    outranked = [r for r in rows if r["status"] == "waiting" and "综合得分更高" in r["reason"]]
    assert outranked, "a waiting teacher who applied is told the post went to higher scores"
    assert all(r["rule"] for r in rows), "the audit column names the rule"
    protected = [r for r in rows if r["status"] == "protected"]
    assert all(r["protected_by"] and r["status_name"] == "提前聘用" for r in protected)


def test_write_results_every_format(tmp_path: Path, example: tuple[Scenario, RoundResult]) -> None:
    scenario, result = example
    files = write_results(scenario, result, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in files}
    assert {
        "result.json",
        "outcomes.csv",
        "outcomes.json",
        "publication.json",
        "results.xlsx",
        "公示名单.xlsx",
        "publication/公示名单.html",
    } <= names
    assert {"publication/待岗人员名单.csv", "publication/待岗人员名单.html"} <= names
    assert RoundResult.from_json((tmp_path / "result.json").read_bytes()) == result

    raw = (tmp_path / "outcomes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese intact
    with (tmp_path / "outcomes.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == [header for _, header in OUTCOME_COLUMNS]
    assert len(table) == 1 + len(scenario.teachers)

    published = json.loads((tmp_path / "publication.json").read_text("utf-8"))
    waiting = published["county"]["waiting"]
    assert waiting["title"] == "紫阳县 (示例)2026年县管校聘待岗人员名单"
    assert len(waiting["rows"]) == result.counts()["waiting"]
    assert len(published["schools"]) == len(
        {s.id for s in scenario.schools if s.merged_into is None}
    )

    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert book.sheetnames == ["结果"]
    book.close()
    book = openpyxl.load_workbook(tmp_path / "公示名单.xlsx", read_only=True)
    assert book.sheetnames[0] == "提前聘用人员名单"
    assert len(book.sheetnames) == len(publication_lists(scenario, result))
    book.close()


def test_exports_are_byte_identical(tmp_path: Path, small: tuple[Scenario, RoundResult]) -> None:
    first = write_results(*small, tmp_path / "a")
    second = write_results(*small, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_redact_leaves_no_name_in_any_file(
    tmp_path: Path, small: tuple[Scenario, RoundResult]
) -> None:
    scenario, result = small
    files = write_results(scenario, result, tmp_path, formats=("csv", "json"), redact=True)
    for file in files:
        assert "教师T" not in file.read_text(encoding="utf-8-sig"), file.name
    assert outcome_rows(scenario, result, redact=True)[0]["name"] == "T1"


def test_unknown_format_writes_nothing(tmp_path: Path, small: tuple[Scenario, RoundResult]) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        write_results(*small, tmp_path / "out", formats=("csv", "pdf"))
    assert not (tmp_path / "out").exists()


def test_missing_xlsxwriter_names_the_extra_before_writing(
    tmp_path: Path, small: tuple[Scenario, RoundResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    with pytest.raises(MissingExtraError, match=r"kgxp\[excel\]"):
        write_results(*small, tmp_path / "out", formats=("csv", "xlsx"))
    assert not (tmp_path / "out").exists()


def test_sheet_names_are_made_valid_and_unique(tmp_path: Path) -> None:
    long = "一所名字特别特别特别特别特别特别特别特别特别长的学校[分校]"
    path = write_workbook(tmp_path / "x.xlsx", [(long, ["a"], [[1]]), (long, ["a"], [[2]])])
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and "[" not in n for n in names)


def test_outcomes_frame_is_deprecated(small: tuple[Scenario, RoundResult]) -> None:
    with pytest.deprecated_call(match=r"result\.to_frame\(scenario\)"):
        frame = outcomes_frame(*small)
    assert frame["score"].dtype == "float64"
    assert list(frame["status"]) == ["in_school", "in_school", "waiting"]
    assert list(frame.columns) == [key for key, _ in OUTCOME_COLUMNS]


def test_school_names_with_spaces_keep_their_lists_apart(tmp_path: Path) -> None:
    data = scenario_data()
    data["schools"][0]["name"] = "城关 第一小学"
    scenario = parse_scenario(data)
    result = run_round(scenario)
    files = write_results(scenario, result, tmp_path, formats=("csv",))
    assert "publication/A_城关_第一小学.csv" in {p.relative_to(tmp_path).as_posix() for p in files}


def test_the_record_and_the_print_workbook_are_separate_formats(
    tmp_path: Path, small: tuple[Scenario, RoundResult]
) -> None:
    # "xlsx" is the record, one row per teacher (results.xlsx); "print" is the print-ready
    # 公示 workbook. A province-scale analyst asks for the first without paying for the second.
    record = write_results(*small, tmp_path / "record", formats=("xlsx",))
    assert {p.name for p in record} == {"result.json", "results.xlsx"}
    printed = write_results(*small, tmp_path / "print", formats=("print",))
    assert {p.name for p in printed} == {"result.json", "公示名单.xlsx"}
    assert {"results.xlsx", "公示名单.xlsx"} <= {
        p.name for p in write_results(*small, tmp_path / "all")
    }
