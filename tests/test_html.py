"""Rich HTML reprs (kgxp.html): escaped, complete, deterministic, one per notebook object."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

import kgxp
from kgxp import Circumstance, Scenario, compare, run_round, simulate
from kgxp.i18n import texts
from kgxp.model.result import RoundResult, Status
from kgxp.views.html import comparison_html, round_html, scenario_html, simulation_html
from kgxp.views.vocabulary import Terms
from tests.conftest import EXAMPLE
from tests.factories import scenario_data

EVIL = '<script>alert("x")</script>'
tr = texts("zh_CN")  # what a notebook shows: Chinese first
terms = Terms("zh_CN")
VOID = {"br", "hr", "img", "meta", "input", "col", "wbr"}


class _Doc(HTMLParser):
    """Collects every table as rows of cell texts and checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> without an opening tag"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong element"
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(markup: str) -> _Doc:
    doc = _Doc()
    doc.feed(markup)
    doc.close()
    assert doc.stack == [], f"unclosed elements: {doc.stack}"
    return doc


def table_with(doc: _Doc, header_cell: str) -> list[list[str]]:
    for table in doc.tables:
        if table and header_cell in table[0]:
            return table
    raise AssertionError(f"no table with a {header_cell!r} column")


def evil_scenario() -> Scenario:
    """A roster whose names and ids carry markup: it must come out as text."""
    data: Any = scenario_data()
    data["county"]["name"] = f"测试县 {EVIL} & co"
    data["schools"][0]["name"] = EVIL
    data["schools"][1]["id"] = "B<i>"
    for post in data["posts"]:
        if post["school"] == "B":
            post["school"] = "B<i>"
            post["id"] = "B<i>-CHN"
    for teacher in data["teachers"]:
        if teacher["school"] == "B":
            teacher["school"] = "B<i>"
        teacher["preferences"] = [p.replace("B-", "B<i>-") for p in teacher["preferences"]]
    data["teachers"][0]["name"] = "<b>王</b>"
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def example_result(example: Scenario) -> RoundResult:
    return run_round(example)


def test_markup_in_names_and_ids_is_escaped() -> None:
    scenario = evil_scenario()
    result = run_round(scenario)
    other = run_round(scenario, policy=result.policy.evolve(in_school_share="0.5"))
    change = compare(result, other, scenarios=(scenario, scenario))
    sim = simulate(scenario, semesters=2)
    for markup in (
        scenario_html(scenario),
        round_html(result),
        comparison_html(change),
        simulation_html(sim),
    ):
        assert "<script" not in markup
        assert "<i>" not in markup
        assert "<b>王" not in markup
        doc = parse(markup)  # well-formed: every element closed in order
        assert set(doc.tags) <= {
            "style",
            "div",
            "strong",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "details",
            "summary",
        }
    page = scenario_html(scenario)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "测试县" in page  # Chinese stays as it is, not as character references
    assert "&amp; co" in page
    schools = table_with(parse(page), tr("School name"))
    assert [row[:2] for row in schools[1:]] == [["A", EVIL], ["B<i>", "学校B"]]
    round_schools = table_with(parse(round_html(result)), tr("Waiting from this school"))
    assert "B<i>" in [row[0] for row in round_schools[1:]]


def test_scenario_html_counts(example: Scenario) -> None:
    summary = kgxp.summarize(example)
    doc = parse(example._repr_html_())
    text = "".join(doc.text)
    assert summary.county in text
    assert f"教师{summary.teachers}人" in text
    assert f"岗位{summary.seats}个（预留新招聘{summary.reserved}个" in text
    protected = table_with(doc, tr("Protected category"))
    assert {row[0]: int(row[1]) for row in protected[1:]} == {
        terms.category(c): n for c, n in summary.protected_by_category.items()
    }
    subjects = table_with(doc, tr("Subject"))
    assert {row[0]: (int(row[1]), int(row[2])) for row in subjects[1:]} == dict(summary.by_subject)
    schools = table_with(doc, tr("Education community"))
    assert len(schools) - 1 == len(example.schools)
    by_id = {row[0]: row for row in schools[1:]}
    names = {row.school_id: row.name for row in summary.schools}
    for row in summary.schools:
        assert by_id[row.school_id][1] == row.name
        assert by_id[row.school_id][2] == terms.segment(row.segment)
        assert int(by_id[row.school_id][7]) == row.teachers
    merged = [row for row in summary.schools if row.merged_into]
    assert merged  # the example has a merged school, named by the school it joined
    assert by_id[merged[0].school_id][-1] == f"并入{names[merged[0].merged_into or '']}"


def test_scenario_html_follows_the_policy(example: Scenario) -> None:
    wider = kgxp.Policy().evolve(
        protected_circumstances=(*kgxp.Policy().protected_circumstances, Circumstance.PREGNANCY)
    )
    doc = parse(scenario_html(example, wider))
    protected = {row[0]: int(row[1]) for row in table_with(doc, tr("Protected category"))[1:]}
    pregnancy = terms.category("pregnancy")
    assert protected[pregnancy] == kgxp.summarize(example, wider).protected_by_category["pregnancy"]
    assert pregnancy not in {
        row[0] for row in table_with(parse(scenario_html(example)), tr("Protected category"))
    }


def test_round_html_counts_rounds_and_schools(example_result: RoundResult) -> None:
    result = example_result
    doc = parse(result._repr_html_())
    counts = table_with(doc, terms.status(Status.WAITING))
    assert dict(zip(counts[0], map(int, counts[1]), strict=True)) == {
        terms.status(k): n for k, n in result.counts().items()
    }
    rounds = table_with(doc, tr("Candidates"))
    labels = terms.rounds(result.rounds)
    assert [(r[0], int(r[2]), int(r[4])) for r in rounds[1:]] == [
        (labels[r.name], r.candidates, r.placed) for r in result.rounds
    ]
    assert all(r[5] not in {"—", ""} for r in rounds[1:])  # every round says how it matched
    text = "".join(doc.text)
    assert f"各轮结束后空岗{sum(p.vacant for p in result.posts)}个" in text
    schools = table_with(doc, tr("Vacant"))
    header = schools[0]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in schools[1:]}
    for school in {p.school for p in result.posts}:
        seats = sum(p.seats for p in result.posts if p.school == school)
        assert int(rows[school][tr("Posts")]) == seats
        filled = sum(
            int(rows[school][tr("Filled: {round}", round=labels[r.name])]) for r in result.rounds
        )
        used = (
            int(rows[school][tr("Reserved for new recruits")])
            + int(rows[school][tr("Placed in advance")])
            + filled
            + int(rows[school][tr("Vacant")])
        )
        assert used == seats  # I2: the row accounts for every seat
    waiting = sum(int(row[tr("Waiting from this school")]) for row in rows.values())
    assert waiting == result.counts()["waiting"]


def test_reprs_are_deterministic(example: Scenario, example_result: RoundResult) -> None:
    again = run_round(kgxp.load_scenario(EXAMPLE))
    assert round_html(again) == round_html(example_result)
    assert example._repr_html_() == kgxp.load_scenario(EXAMPLE)._repr_html_()
    reordered = example.evolve(teachers=tuple(reversed(example.teachers)))
    assert round_html(run_round(reordered)) == round_html(example_result)  # I12


def test_comparison_html(example: Scenario, example_result: RoundResult) -> None:
    reform = run_round(example, policy=example_result.policy.evolve(in_school_share="0.85"))
    change = compare(example_result, reform, scenarios=(example, example))
    doc = parse(change._repr_html_())
    text = "".join(doc.text)
    assert f"方案比较：{len(change.changed)}名教师结果变化" in text
    assert "数据相同；方案不同" in text
    counts = {row[0]: row[1:] for row in table_with(doc, tr("a (before)"))[1:]}
    for status, before in change.counts_before.items():
        after = change.counts_after[status]
        assert counts[terms.status(status)][:2] == [str(before), str(after)]
        assert counts[terms.status(status)][2] == (
            f"{after - before:+d}" if after != before else "0"
        )
    assert change.metrics_before is not None
    assert change.metrics_after is not None
    balance = table_with(doc, tr("Inter-school coefficient of variation, a"))
    assert len(balance) - 1 == len(change.metrics_before.balance)
    first = change.metrics_before.balance[0]
    assert balance[1][:3] == [
        terms.segment(first.segment),
        terms.indicator(first.indicator),
        f"{first.after:.3f}",
    ]
    movement = {row[0]: row[1:3] for row in table_with(doc, tr("Movement"))[1:]}
    assert movement[tr("Urban to rural")] == [
        str(change.metrics_before.urban_to_rural),
        str(change.metrics_after.urban_to_rural),
    ]
    changed = table_with(doc, tr("Why (the reasons in b)"))
    assert len(changed) - 1 == min(50, len(change.changed))
    assert changed[1][0] == change.changed[0].teacher
    assert changed[1][2].startswith(terms.status(change.changed[0].after_status or "waiting"))
    assert tr("… and {count} more", count=len(change.changed) - 50) in text
    seats = table_with(doc, tr("Joined"))
    assert seats[1][0] == change.seats[0].post

    short = parse(comparison_html(change, rows=3))
    assert len(table_with(short, tr("Why (the reasons in b)"))) == 4


def test_comparison_html_without_metrics_or_changes(example_result: RoundResult) -> None:
    same = compare(example_result, example_result)
    doc = parse(comparison_html(same))
    assert "方案比较：0名教师结果变化，0个岗位人选变化" in "".join(doc.text)
    assert "数据相同；方案相同" in "".join(doc.text)
    headers = {cell for table in doc.tables for cell in table[0]}
    assert tr("Inter-school coefficient of variation, a") not in headers
    assert tr("Why (the reasons in b)") not in headers


def test_simulation_html(example: Scenario) -> None:
    sim = simulate(example, semesters=3)
    doc = parse(sim._repr_html_())
    table = table_with(doc, tr("Semester"))
    header = table[0]
    assert [row[0] for row in table[1:]] == [terms.semester(s) for s in sim.semesters]
    assert (
        table[1][0]
        == f"{sim.semesters[0].school_year}—{sim.semesters[0].school_year + 1}学年第一学期"
    )
    for row, summary in zip(table[1:], sim.summaries, strict=True):
        cells = dict(zip(header, row, strict=True))
        for state in ("on_post", "waiting", "continued_waiting", "dismissal_review"):
            assert int(cells[terms.waiting_state(state)]) == summary.states[state]
        assert int(cells[tr("Competed again")]) == summary.competed
        assert int(cells[tr("Placed")]) == summary.placed
        assert cells[tr("Paid (yuan)")] == summary.paid
    assert terms.waiting_state("left") not in header  # all-zero terminal states are left out
    assert simulation_html(sim) == sim._repr_html_()


def test_repr_html_is_a_method_not_a_field(example: Scenario, example_result: RoundResult) -> None:
    for model in (Scenario, RoundResult, kgxp.Comparison, kgxp.Simulation):
        assert "_repr_html_" not in model.model_fields
        assert "_repr_html_" not in model.__private_attributes__
    assert "_repr_html_" not in example.model_dump()
    assert RoundResult.from_json(example_result.to_json()) == example_result


def test_lottery_html_lists_the_teachers_the_draw_decides(example: Scenario) -> None:
    from kgxp import lottery_odds
    from kgxp.views.html import lottery_html

    odds = lottery_odds(example, kgxp.Policy().evolve(tie_breakers=()), draws=8, executor="serial")
    doc = parse(odds._repr_html_())
    table = table_with(doc, tr("Chance of a post"))
    decided = {t.teacher: t for t in odds.teachers if t.post_by_draw}
    shown = [row[0] for row in table[1:]]
    assert len(shown) == min(50, len(decided))
    assert set(shown) <= set(decided)
    header = table[0]
    for row in table[1:]:
        cells = dict(zip(header, row, strict=True))
        person = decided[cells[tr("Teacher id")]]
        assert cells[tr("Chance of a post")] == f"{person.placed.probability:.3f}"
        assert int(cells[tr("Posts seen")]) == len(person.posts)
        assert cells[tr("Outcomes")].startswith(terms.status(person.statuses[0].value or ""))
    # The closest calls come first.
    gaps = [abs(decided[t].placed.probability - 0.5) for t in shown]
    assert gaps == sorted(gaps)
    assert f"抽签决定{len(decided)}名教师的聘用岗位" in " ".join(doc.text)
    assert lottery_html(odds) == odds._repr_html_()
    none = lottery_odds(example, kgxp.Policy(), draws=2, executor="serial")
    assert "抽签决定0名教师的聘用岗位" in " ".join(parse(lottery_html(none)).text)
