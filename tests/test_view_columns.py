"""The views and ``write_results`` read the outcome columns (issue 19): they build only the
``Outcome`` objects they show, not one per teacher on every pass; and the column helpers
they use agree with the per-outcome ones."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from functools import cache
from typing import Any, overload

import pytest

import kgxp
from kgxp import Outcome, OutcomeTable, RoundResult, Status
from kgxp.files.publication import outcome_rows, publication_lists, write_results
from kgxp.files.published_lists import ListKind, list_kind, list_kinds
from kgxp.files.wording import Wording, deciding_of, deciding_reason
from kgxp.model.outcome import COLUMNS
from kgxp.round.applications import stated_no_preferences
from kgxp.views.balance import balance_comparison
from kgxp.views.comparison import compare
from kgxp.views.html import round_html
from kgxp.views.plots import flows, seat_use
from kgxp.views.report import report_sections
from tests.conftest import EXAMPLE, ROOT


class CountingTable(OutcomeTable):
    """An outcome table that counts the ``Outcome`` objects built from it."""

    __slots__ = ("built",)

    def __iter__(self) -> Iterator[Outcome]:
        for outcome in super().__iter__():
            self.built += 1
            yield outcome

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Outcome, ...]: ...

    def __getitem__(self, index: int | slice) -> Outcome | tuple[Outcome, ...]:
        got = super().__getitem__(index)
        self.built += len(got) if isinstance(got, tuple) else 1
        return got


@cache
def _scenario() -> kgxp.Scenario:
    return kgxp.load_scenario(EXAMPLE)


@cache
def _result(by_score: bool = False) -> RoundResult:
    policy = kgxp.preset("default")
    return kgxp.run_round(
        _scenario(), policy=policy.evolve(tie_breakers=()) if by_score else policy, seed=7
    )


def _counting(result: RoundResult) -> tuple[RoundResult, CountingTable]:
    table = CountingTable.from_columns({name: result.outcome_values(name) for name in COLUMNS})
    table.built = 0
    return result.model_copy(update={"outcomes": table}), table


def test_the_counting_table_counts_what_a_walk_over_the_outcomes_builds() -> None:
    result, table = _counting(_result())
    assert [o.teacher for o in result.outcomes][:2] == ["T00001", "T00002"]
    assert table.built == len(table) > 2000
    assert result.outcomes[3] == _result().outcomes[3] and table.built == len(table) + 1


def _built(view: Any) -> int:
    result, table = _counting(_result())
    view(result)
    return table.built


def test_metrics_balance_plots_and_the_record_build_no_outcome() -> None:
    scenario = _scenario()
    assert _built(lambda r: kgxp.round_metrics(scenario, r)) == 0
    assert _built(lambda r: balance_comparison(scenario, {"x": r})) == 0
    assert _built(seat_use) == 0
    assert _built(flows) == 0
    assert _built(lambda r: outcome_rows(scenario, r)) == 0
    assert _built(lambda r: publication_lists(scenario, r)) == 0
    assert _built(lambda r: r.to_frame(scenario)) == 0


def test_write_results_builds_no_outcome() -> None:
    scenario = _scenario()
    with tempfile.TemporaryDirectory() as folder:
        built = _built(
            lambda r: write_results(scenario, r, folder, formats=("csv", "json", "html", "xlsx"))
        )
    assert built == 0


def test_the_notebook_view_builds_only_the_outcomes_it_shows() -> None:
    assert _built(round_html) <= 20


@cache
def _conflict() -> tuple[kgxp.Scenario, RoundResult]:
    """The snapshot county with a 待定 teacher, a waiting one and two who stated no
    preferences: every section of the report that lists teachers."""
    stored = json.loads(ROOT.joinpath("tests", "data", "view_snapshots.json").read_text())
    scenario = kgxp.parse_scenario(stored["scenarios"]["conflict"])
    return scenario, kgxp.run_round(scenario, seed=0)


def test_the_report_builds_only_the_outcomes_of_its_no_preferences_table() -> None:
    # The waiting list's reasons are counted and its rows read from the columns, and so
    # is the 待定 list: only the table of teachers who stated no preferences builds its rows.
    result = _result()
    waiting = result.counts()[Status.WAITING.value]
    assert 0 < waiting < len(result.outcomes) / 5
    assert not stated_no_preferences(_scenario())
    assert _built(lambda r: report_sections(_scenario(), r, waiting_rows=15)) == 0
    scenario, conflict = _conflict()
    kinds = list_kinds(conflict)
    assert ListKind.PENDING in kinds and ListKind.WAITING in kinds
    silent = stated_no_preferences(scenario)
    assert len(silent) == 2
    counted, table = _counting(conflict)
    sections = report_sections(scenario, counted, waiting_rows=15)
    assert table.built == len(silent)
    assert sections == report_sections(scenario, conflict, waiting_rows=15)


def test_compare_builds_only_the_changed_outcomes() -> None:
    other = _result(by_score=True)
    changed = len(compare(other, _result()).changed)
    assert 0 < changed < 500
    assert _built(lambda r: compare(other, r)) == changed


@pytest.mark.parametrize("by_score", [False, True])
def test_column_helpers_agree_with_the_outcome_ones(by_score: bool) -> None:
    result = _result(by_score)
    words = Wording(_scenario(), result)
    outcomes = tuple(result.outcomes)
    assert list_kinds(result) == [list_kind(o) for o in outcomes]
    assert ListKind.WAITING in list_kinds(result)
    for o in outcomes:
        assert deciding_of(o.reasons) == deciding_reason(o)
        assert words.why_of(o.status, o.reasons, o.protected_by) == words.why(o)


def test_outcomes_of_builds_the_asked_teachers_only_in_the_order_asked() -> None:
    result, table = _counting(_result())
    found = result.outcomes_of(["T00009", "nobody", "T00002", "T00009"])
    assert list(found) == ["T00009", "T00002"]
    assert found["T00002"] == _result().outcome("T00002")
    assert table.built == 2
    assert result.outcomes_of([]) == {}
    plain = _result().model_copy(update={"outcomes": tuple(_result().outcomes)})
    assert plain.outcomes_of(["T00002"]) == {"T00002": _result().outcome("T00002")}
