"""The notebook views and the summary speak the reader's language: Chinese by default, English
on request — never enum values, solver names or rule ids in what people read (kgxp.views)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import kgxp
from kgxp import (
    Mechanism,
    Policy,
    RoundKind,
    RoundSpec,
    Scenario,
    Scope,
    compare,
    lottery_odds,
    render_report,
    run_round,
    simulate,
)
from kgxp.i18n import LOCALES, texts
from kgxp.views.html import (
    comparison_html,
    lottery_html,
    round_html,
    scenario_html,
    simulation_html,
)
from kgxp.views.summary import render_summary, summarize
from kgxp.views.vocabulary import Terms
from tests.conftest import EXAMPLE
from tests.test_publication import _conflict_county

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RULE_ID = re.compile(r"(?<![A-Za-z0-9-])(?:R|I)\d{1,2}(?![A-Za-z0-9-])|§\s?\d")
# Ids from the roster (T00010, S01-P-MAT, A-CHN, C1) are data, not words.
DATA_ID = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+|[A-Za-z]*\d[A-Za-z0-9]*")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
TWO_CROSS_SCHOOL_ROUNDS = (
    RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
    RoundSpec(name="cross_school_district", kind=RoundKind.CROSS_SCHOOL, scope=Scope.DISTRICT),
    RoundSpec(name="cross_school", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),
    RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.COUNTY),
)


class _Cells(HTMLParser):
    """Visible text as (text, the header of its table column or None)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str | None]] = []
        self._header: list[str] = []
        self._row: list[str] = []
        self._cell: list[str] | None = None
        self._first_row = False
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._style = True
        elif tag == "table":
            self._header = []
        elif tag == "tr":
            self._row = []
            self._first_row = not self._header
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style = False
        elif tag in {"td", "th"} and self._cell is not None:
            text = "".join(self._cell)
            column = len(self._row)
            self._row.append(text)
            header = None if self._first_row else self._header[column]
            self.pieces.append((text, header))
            self._cell = None
        elif tag == "tr" and self._first_row:
            self._header = self._row

    def handle_data(self, data: str) -> None:
        if self._style:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self.pieces.append((data, None))


def _pieces(markup: str) -> list[tuple[str, str | None]]:
    cells = _Cells()
    cells.feed(markup)
    cells.close()
    return cells.pieces


def assert_reads_as(locale: str, pieces: list[tuple[str, str | None]]) -> None:
    """No enum value or solver name anywhere; rule ids only in the rule (依据) column; in
    Chinese, no English word outside the roster's ids."""
    rule_column = texts(locale)("Rule")
    for text, header in pieces:
        assert not SNAKE.findall(text), (locale, text)
        if header != rule_column:
            assert not RULE_ID.findall(text), (locale, text)
        if locale == "zh_CN":
            words = LATIN_WORD.findall(DATA_ID.sub(" ", text))
            assert all(w in {"a", "b"} for w in words), (text, words)


@pytest.fixture(scope="module")
def views() -> dict[str, list[str]]:
    """Every view of the example county, a plan of two cross-school rounds (and the comparison
    with it), a conflict, a simulation and the lottery."""
    example = kgxp.load_scenario(EXAMPLE)
    result = run_round(example)
    plan = run_round(example, policy=Policy().evolve(rounds=TWO_CROSS_SCHOOL_ROUNDS))
    change = compare(result, plan, scenarios=(example, example))
    conflict = _conflict_county()
    conflict_result = run_round(conflict)
    assert conflict_result.conflicts  # the rule column is there to be checked
    simulation = simulate(example, semesters=4)
    odds = lottery_odds(example, Policy().evolve(tie_breakers=()), draws=4, executor="serial")
    shown: dict[str, list[str]] = {}
    for locale in LOCALES:
        shown[locale] = [
            scenario_html(example, locale=locale),
            scenario_html(conflict, locale=locale),
            round_html(result, locale=locale),
            round_html(plan, locale=locale),
            round_html(conflict_result, locale=locale),
            comparison_html(change, locale=locale),
            simulation_html(simulation, locale=locale),
            lottery_html(odds, locale=locale),
        ]
    return shown


@pytest.mark.parametrize("locale", LOCALES)
def test_the_notebook_views_read_as_words(views: dict[str, list[str]], locale: str) -> None:
    for markup in views[locale]:
        assert_reads_as(locale, _pieces(markup))


def test_the_notebook_shows_chinese_and_english_is_available(
    views: dict[str, list[str]],
) -> None:
    example = kgxp.load_scenario(EXAMPLE)
    assert example._repr_html_() == views["zh_CN"][0]
    result = run_round(example)
    assert result._repr_html_() == views["zh_CN"][2]
    zh_rounds, en_rounds = views["zh_CN"][3], views["en"][3]
    # Two cross-school rounds: the scope tells them apart, in words.
    assert "跨校竞聘（学区）" in zh_rounds and "cross-school round (school district)" in en_rounds
    assert "Placement round" in views["en"][2] and "竞聘结果" in views["zh_CN"][2]
    # The conflict's rule id stays in its audit column, beside the reason in words.
    conflict = [text for text, header in _pieces(views["zh_CN"][4]) if header == "依据"]
    assert conflict == ["R4"]
    assert "原学校暂无" in views["zh_CN"][4]


def test_the_checker_catches_enum_values_and_rule_ids() -> None:
    # A view that leaked what the old English views showed must fail the check.
    for leaked in (
        "<div>protected in advance (R4, policy default): 3</div>",
        "<table><tr><th>段</th></tr><tr><td>nine_year</td></tr></table>",
        "<div>Placement round · 默认方案</div>",
    ):
        with pytest.raises(AssertionError):
            assert_reads_as("zh_CN", _pieces(leaked))
    with pytest.raises(AssertionError):
        assert_reads_as("en", _pieces("<div>moved across communities (R17)</div>"))
    # Ids from the roster and the rule column are fine.
    assert_reads_as(
        "zh_CN",
        _pieces(
            "<table><tr><th>教师编号</th><th>依据</th></tr>"
            "<tr><td>T00010 S01-P-MAT A-CHN</td><td>R4</td></tr></table>"
        ),
    )


def _summary_lines(scenario: Scenario, locale: str) -> list[tuple[str, str | None]]:
    return [(line, None) for line in render_summary(summarize(scenario), locale=locale).split("\n")]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_summary_reads_as_words(locale: str) -> None:
    for scenario in (kgxp.load_scenario(EXAMPLE), _conflict_county()):
        assert_reads_as(locale, _summary_lines(scenario, locale))
    text = render_summary(summarize(kgxp.load_scenario(EXAMPLE)), locale=locale)
    if locale == "zh_CN":
        assert "九年制" in text and "并入蒿坪镇中心小学" in text
        assert "距法定退休年龄不足三年" in text
    else:
        assert "nine-year" in text and "merged into 蒿坪镇中心小学" in text
        assert "less than three years before retirement" in text


@pytest.mark.parametrize("mechanism", [Mechanism.BALANCED, Mechanism.OPTIMAL])
def test_the_report_names_every_mechanism_in_words(mechanism: Mechanism) -> None:
    # The report once knew two mechanisms by name; a balanced round raised a KeyError.
    scenario = _conflict_county()
    result = run_round(scenario, policy=Policy().evolve(mechanism=mechanism))
    for locale in LOCALES:
        text = render_report(scenario, result, locale=locale)
        assert Terms(locale).mechanism(mechanism) in text
        assert Terms(locale).policy("default") in text
