"""Scenario.with_teacher / with_post / with_school: what-ifs and appeals without mutation."""

from __future__ import annotations

import pytest

from kgxp import ScenarioError, parse_scenario
from tests.factories import scenario_data


def test_changed_record_is_a_new_validated_scenario() -> None:
    base = parse_scenario(scenario_data())
    corrected = base.with_teacher("T3", score=91.0)
    assert corrected.teachers[2].score == 91.0
    assert base.teachers[2].score == 80.0  # the baseline is untouched
    assert corrected.teachers[:2] == base.teachers[:2]
    assert base.with_post("A-CHN", seats=3).posts[0].seats == 3
    assert base.with_school("B", enrolment=10).schools[1].enrolment == 10


def test_field_problems_name_the_record() -> None:
    base = parse_scenario(scenario_data())
    with pytest.raises(ScenarioError) as error:
        base.with_teacher("T2", score=101, sex="unknown")
    assert {(p.record, p.record_id, p.field) for p in error.value.problems} == {
        ("teachers[1]", "T2", "score"),
        ("teachers[1]", "T2", "sex"),
    }


def test_cross_record_rules_still_hold() -> None:
    base = parse_scenario(scenario_data())
    with pytest.raises(ScenarioError) as error:
        base.with_post("A-CHN", seats=30)  # beyond the staffing total (R1)
    assert "staffing_exceeded" in error.value.codes()
    with pytest.raises(ScenarioError) as error:
        base.with_teacher("T1", preferences=["NOPE"])
    assert error.value.problems[0].record_id == "T1"


def test_unknown_ids_and_fields() -> None:
    base = parse_scenario(scenario_data())
    with pytest.raises(ScenarioError, match="no record with id 'T9'"):
        base.with_teacher("T9", score=90)
    with pytest.raises(TypeError, match="unknown Post field"):
        base.with_post("A-CHN", capacity=3)
