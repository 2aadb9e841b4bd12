"""Notebook frames and reprs: numbers are numbers, ids and statuses categories, one name
(``to_frame``) for every frame with the old names deprecated; reprs fit a screen."""

from __future__ import annotations

import pandas as pd
import pytest

import kgxp
from tests.factories import appeal_data
from tests.test_simulate import county


def appeal(score_b: float) -> kgxp.Scenario:
    return kgxp.parse_scenario(appeal_data(score_b))


NUMBER = "float64"


@pytest.fixture(scope="module")
def example() -> tuple[kgxp.Scenario, kgxp.RoundResult]:
    scenario = kgxp.load_scenario("examples/ziyang_county.json")
    return scenario, kgxp.run_round(scenario)


def test_round_frame_has_real_dtypes(example: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    scenario, result = example
    frame = result.to_frame(scenario)
    assert len(frame) == len(scenario.teachers)
    assert frame["score"].dtype == NUMBER
    assert frame["score"].mean() == pytest.approx(
        float(sum(o.score for o in result.outcomes)) / len(result.outcomes)
    )
    for column in ("teacher", "status", "home_school", "post", "school", "round"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert frame["preference_rank"].dtype == "Int64"
    assert frame["preference_rank"].min() == 1
    waiting = frame[frame["status"] == "waiting"]
    assert waiting["post"].isna().all()  # missing is <NA>, never ""
    assert len(waiting) == result.counts()["waiting"]
    assert set(frame["name"]) == {t.name for t in scenario.teachers}
    redacted = result.to_frame(scenario, redact=True)
    assert list(redacted["name"]) == list(redacted["teacher"].astype(str))
    assert "name" not in result.to_frame().columns


def test_simulation_and_comparison_frames_have_real_dtypes() -> None:
    run = kgxp.simulate(county(), semesters=3)
    ledger = run.to_frame("ledger")
    assert {str(ledger[c].dtype) for c in ("base", "share", "amount")} == {NUMBER}
    assert ledger["amount"].sum() == pytest.approx(float(sum(line.amount for line in run.ledger)))
    records = run.to_frame("records")
    assert records["streak"].dtype == "Int64"
    assert records["flagged"].dtype == "boolean"
    assert isinstance(records["state"].dtype, pd.CategoricalDtype)
    summaries = run.to_frame("summaries")
    assert summaries["paid"].dtype == NUMBER
    assert summaries["placed"].dtype == "Int64"
    with pytest.raises(ValueError, match="no table"):
        run.to_frame("pay")  # type: ignore[arg-type]
    a = kgxp.run_round(appeal(80.0))
    b = kgxp.run_round(appeal(88.0))
    change = kgxp.compare(a, b).to_frame()
    assert list(change["teacher"]) == ["a", "b"]
    assert isinstance(change["after_status"].dtype, pd.CategoricalDtype)


def test_old_frame_names_are_deprecated_and_agree() -> None:
    run = kgxp.simulate(county(), semesters=2)
    with pytest.deprecated_call(match="to_frame"):
        frames = run.frames()
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, run.to_frame(name))  # type: ignore[arg-type]
    comparison = kgxp.compare(kgxp.run_round(appeal(80.0)), kgxp.run_round(appeal(88.0)))
    with pytest.deprecated_call(match="to_frame"):
        old = comparison.frame()
    pd.testing.assert_frame_equal(old, comparison.to_frame())


def test_reprs_fit_a_screen(example: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    scenario, result = example
    assert len(repr(scenario)) < 200
    assert repr(scenario).startswith("Scenario(county='紫阳县 (示例)'")
    assert len(repr(result)) < 400
    assert "waiting=" in repr(result)
    run = kgxp.simulate(scenario, semesters=2)
    assert len(repr(run)) < 600
    comparison = kgxp.compare(result, run.round)
    assert len(repr(comparison)) < 600
    # Details stay on demand: the documents themselves are unchanged.
    assert len(result.outcomes) == len(scenario.teachers)
