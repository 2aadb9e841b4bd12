"""Rich HTML reprs (kgxp.html): escaped, complete, deterministic, one per notebook object."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

import kgxp
from kgxp import Circumstance, Scenario, compare, run_round, simulate
from kgxp.model.result import RoundResult, Status
from kgxp.views.html import comparison_html, round_html, scenario_html, simulation_html
from tests.conftest import EXAMPLE
from tests.factories import scenario_data

EVIL = '<script>alert("x")</script>'
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
    schools = table_with(parse(page), "name")
    assert [row[:2] for row in schools[1:]] == [["A", EVIL], ["B<i>", "学校B"]]
    assert "B<i>" in [row[0] for row in table_with(parse(round_html(result)), "school")[1:]]


def test_scenario_html_counts(example: Scenario) -> None:
    summary = kgxp.summarize(example)
    doc = parse(example._repr_html_())
    text = "".join(doc.text)
    assert summary.county in text
    assert f"teachers {summary.teachers}" in text
    assert f"seats {summary.seats} (reserved R2: {summary.reserved}" in text
    protected = table_with(doc, "protected category (R4)")
    assert {row[0]: int(row[1]) for row in protected[1:]} == dict(summary.protected_by_category)
    subjects = table_with(doc, "subject")
    assert {row[0]: (int(row[1]), int(row[2])) for row in subjects[1:]} == dict(summary.by_subject)
    schools = table_with(doc, "community")
    assert len(schools) - 1 == len(example.schools)
    by_id = {row[0]: row for row in schools[1:]}
    for row in summary.schools:
        assert by_id[row.school_id][1] == row.name
        assert int(by_id[row.school_id][7]) == row.teachers
    assert any("(R3)" in row[-1] for row in schools[1:])  # the example has a merged school


def test_scenario_html_follows_the_policy(example: Scenario) -> None:
    wider = kgxp.Policy().evolve(
        protected_circumstances=(*kgxp.Policy().protected_circumstances, Circumstance.PREGNANCY)
    )
    doc = parse(scenario_html(example, wider))
    protected = {row[0]: int(row[1]) for row in table_with(doc, "protected category (R4)")[1:]}
    assert (
        protected["pregnancy"] == kgxp.summarize(example, wider).protected_by_category["pregnancy"]
    )
    assert "pregnancy" not in {
        row[0] for row in table_with(parse(scenario_html(example)), "protected category (R4)")
    }


def test_round_html_counts_rounds_and_schools(example_result: RoundResult) -> None:
    result = example_result
    doc = parse(result._repr_html_())
    counts = table_with(doc, Status.WAITING.value)
    assert dict(zip(counts[0], map(int, counts[1]), strict=True)) == result.counts()
    rounds = table_with(doc, "candidates")
    assert [(r[0], int(r[3]), int(r[5])) for r in rounds[1:]] == [
        (r.name, r.candidates, r.placed) for r in result.rounds
    ]
    assert all(r[6] != "—" for r in rounds[1:])  # every round reports its mechanism
    text = "".join(doc.text)
    assert f"vacant after every round: {sum(p.vacant for p in result.posts)}" in text
    schools = table_with(doc, "vacant")
    header = schools[0]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in schools[1:]}
    for school in {p.school for p in result.posts}:
        seats = sum(p.seats for p in result.posts if p.school == school)
        assert int(rows[school]["seats"]) == seats
        filled = sum(int(rows[school][f"filled: {r.name}"]) for r in result.rounds)
        used = (
            int(rows[school]["reserved (R2)"])
            + int(rows[school]["protected (R4)"])
            + filled
            + int(rows[school]["vacant"])
        )
        assert used == seats  # I2: the row accounts for every seat
    waiting = sum(int(row["waiting from here (R7)"]) for row in rows.values())
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
    assert f"{len(change.changed)} teachers changed outcome" in text
    assert "same scenario; different policy" in text
    counts = {row[0]: row[1:] for row in table_with(doc, "a (before)")[1:]}
    for status, before in change.counts_before.items():
        after = change.counts_after[status]
        assert counts[f"outcome {status}"][:2] == [str(before), str(after)]
        assert counts[f"outcome {status}"][2] == (
            f"{after - before:+d}" if after != before else "0"
        )
    assert change.metrics_before is not None
    assert change.metrics_after is not None
    balance = table_with(doc, "CV a (§6)")
    assert len(balance) - 1 == len(change.metrics_before.balance)
    first = change.metrics_before.balance[0]
    assert balance[1][:3] == [first.segment.value, first.indicator, f"{first.after:.3f}"]
    movement = {row[0]: row[1:3] for row in table_with(doc, "movement")[1:]}
    assert movement["urban → rural (R16)"] == [
        str(change.metrics_before.urban_to_rural),
        str(change.metrics_after.urban_to_rural),
    ]
    changed = table_with(doc, "why (reasons in b)")
    assert len(changed) - 1 == min(50, len(change.changed))
    assert changed[1][0] == change.changed[0].teacher
    assert f"… and {len(change.changed) - 50} more" in text
    seats = table_with(doc, "joined")
    assert seats[1][0] == change.seats[0].post

    short = parse(comparison_html(change, rows=3))
    assert len(table_with(short, "why (reasons in b)")) == 4


def test_comparison_html_without_metrics_or_changes(example_result: RoundResult) -> None:
    same = compare(example_result, example_result)
    doc = parse(comparison_html(same))
    assert "0 teachers changed outcome, 0 posts changed holders" in "".join(doc.text)
    assert "same scenario; same policy" in "".join(doc.text)
    headers = {cell for table in doc.tables for cell in table[0]}
    assert "CV a (§6)" not in headers
    assert "why (reasons in b)" not in headers


def test_simulation_html(example: Scenario) -> None:
    sim = simulate(example, semesters=3)
    doc = parse(sim._repr_html_())
    table = table_with(doc, "semester")
    header = table[0]
    assert [row[0] for row in table[1:]] == [str(s) for s in sim.semesters]
    for row, summary in zip(table[1:], sim.summaries, strict=True):
        cells = dict(zip(header, row, strict=True))
        for state in ("on_post", "waiting", "continued_waiting", "dismissal_review"):
            assert int(cells[state]) == summary.states[state]
        assert int(cells["competed (R9)"]) == summary.competed
        assert int(cells["placed"]) == summary.placed
        assert cells["paid (yuan)"] == summary.paid
    assert "left" not in header  # all-zero terminal states are left out
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
    table = table_with(doc, "P(post)")
    decided = {t.teacher: t for t in odds.teachers if t.post_by_draw}
    shown = [row[0] for row in table[1:]]
    assert len(shown) == min(50, len(decided))
    assert set(shown) <= set(decided)
    header = table[0]
    for row in table[1:]:
        cells = dict(zip(header, row, strict=True))
        person = decided[cells["teacher"]]
        assert cells["P(post)"] == f"{person.placed.probability:.3f}"
        assert int(cells["posts seen"]) == len(person.posts)
    # The closest calls come first.
    gaps = [abs(decided[t].placed.probability - 0.5) for t in shown]
    assert gaps == sorted(gaps)
    assert f"decides the post of {len(decided)} teachers" in " ".join(doc.text)
    assert lottery_html(odds) == odds._repr_html_()
    none = lottery_odds(example, kgxp.Policy(), draws=2, executor="serial")
    assert "decides the post of 0 teachers" in " ".join(parse(lottery_html(none)).text)
