"""Every validation error class, with a bad-input example: aggregated, record and field named."""

from __future__ import annotations

from typing import Any

import pytest

from kgxp import Problem, Scenario, ScenarioError, parse_scenario, validate
from tests.factories import post, scenario_data, school, teacher


def problems_of(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return list(caught.value.problems)


def only(data: dict[str, Any], code: str) -> Problem:
    found = [p for p in problems_of(data) if p.code == code]
    assert len(found) == 1, found
    return found[0]


def test_the_small_scenario_is_valid() -> None:
    scenario = parse_scenario(scenario_data())
    assert validate(scenario) == []


def test_empty_county() -> None:
    data = scenario_data()
    data["schools"], data["posts"], data["teachers"] = [], [], []
    problems = problems_of(data)
    assert {(p.field, p.code) for p in problems} == {
        ("schools", "empty"),
        ("posts", "empty"),
        ("teachers", "empty"),
    }


@pytest.mark.parametrize("collection", ["schools", "posts", "teachers"])
def test_duplicate_ids(collection: str) -> None:
    data = scenario_data()
    data[collection].append(dict(data[collection][0]))
    problem = only(data, "duplicate_id")
    assert problem.record == f"{collection}[{len(data[collection]) - 1}]"
    assert problem.field == "id"
    assert "first used by" in problem.message


def test_unknown_school_of_a_post_and_a_teacher() -> None:
    data = scenario_data()
    data["posts"].append(post("X-CHN", "X"))
    data["staffing"]["total_posts"] = 99
    data["staffing"]["posts_by_level"]["standard"] = 99
    data["teachers"].append(teacher("T9", "Y"))
    problems = [p for p in problems_of(data) if p.code == "unknown_reference"]
    assert {(p.record, p.record_id, p.field) for p in problems} == {
        ("posts[3]", "X-CHN", "school"),
        ("teachers[3]", "T9", "school"),
    }


def test_unknown_and_duplicate_and_unqualified_preferences() -> None:
    data = scenario_data()
    data["teachers"][0]["preferences"] = ["A-CHN", "NOPE", "A-CHN", "A-MAT"]
    problems = {(p.field, p.code) for p in problems_of(data)}
    assert problems == {
        ("preferences[1]", "unknown_reference"),
        ("preferences[2]", "duplicate_preference"),
        ("preferences[3]", "unqualified_preference"),
    }
    unqualified = only(data, "unqualified_preference")
    assert unqualified.rule == "I3"
    assert "数学" in unqualified.message


def test_staffing_total_exceeded_r1() -> None:
    data = scenario_data()
    data["staffing"]["total_posts"] = 4
    problem = only(data, "staffing_exceeded")
    assert (problem.record, problem.field, problem.rule) == ("staffing", "total_posts", "R1")
    assert "5 seats" in problem.message


def test_level_total_exceeded_and_unknown_level_r1() -> None:
    data = scenario_data()
    data["staffing"]["posts_by_level"] = {"standard": 2, "junior": 10}
    data["posts"][0]["level"] = "senior"
    problems = problems_of(data)
    codes = {p.code: p for p in problems}
    assert codes["unknown_level"].record == "posts[0]"
    assert codes["level_total_exceeded"].field == "posts_by_level[standard]"


def test_reserved_above_seats_r2() -> None:
    data = scenario_data()
    data["posts"][0]["reserved"] = 3
    problem = only(data, "reserved_above_seats")
    assert (problem.record_id, problem.field, problem.rule) == ("A-CHN", "reserved", "R2")


def test_designated_cross_school_seats_above_competed_r5() -> None:
    data = scenario_data()
    data["posts"][2]["cross_school_seats"] = 2  # 2 seats, 1 reserved
    assert only(data, "designated_above_competed").record_id == "B-CHN"


def test_merge_into_unknown_and_self_r3() -> None:
    data = scenario_data()
    data["schools"].append(school("M1", merged_into="ZZZ"))
    data["schools"].append(school("M2", merged_into="M2"))
    problems = {(p.record_id, p.code) for p in problems_of(data)}
    assert problems == {("M1", "unknown_reference"), ("M2", "merge_into_self")}


def test_merge_cycle_reported_once_r3() -> None:
    data = scenario_data()
    data["schools"] += [
        school("M1", merged_into="M2"),
        school("M2", merged_into="M3"),
        school("M3", merged_into="M1"),
        school("M4", merged_into="M1"),
    ]
    problem = only(data, "merge_cycle")
    assert problem.record_id == "M1"
    assert problem.message == "merges form a cycle: M1 → M2 → M3 → M1"


def test_merge_chain_is_valid_and_resolves_r3() -> None:
    data = scenario_data()
    data["schools"] += [school("M1", merged_into="M2"), school("M2", merged_into="B")]
    data["teachers"].append(teacher("T9", "M1"))
    scenario = parse_scenario(data)
    assert scenario.receiving_schools() == {"A": "A", "B": "B", "M1": "B", "M2": "B"}


def test_post_at_merged_school_r3() -> None:
    data = scenario_data()
    data["schools"][1]["merged_into"] = "A"
    problem = only(data, "post_at_merged_school")
    assert (problem.record_id, problem.rule) == ("B-CHN", "R3")


def test_dates_in_the_future_of_the_competition() -> None:
    data = scenario_data()
    data["teachers"][0]["birth"] = "2026-08"
    data["teachers"][1]["service_start"] = "2026-09"
    problems = {
        (p.record_id, p.field) for p in problems_of(data) if p.code == "date_after_competition"
    }
    assert problems == {("T1", "birth"), ("T2", "service_start")}


def test_service_before_birth() -> None:
    data = scenario_data()
    data["teachers"][0]["service_start"] = "1980-01"
    assert only(data, "implausible_date").record_id == "T1"


def test_teacher_past_statutory_retirement_r4() -> None:
    data = scenario_data()
    data["teachers"][0]["sex"] = "male"
    data["teachers"][0]["birth"] = "1964-06"  # 60 in 2024-06, before the reform
    problem = only(data, "past_retirement")
    assert (problem.record_id, problem.field, problem.rule) == ("T1", "birth", "R4")


def test_duplicate_subject() -> None:
    data = scenario_data()
    data["teachers"][0]["subjects"] = ["语文", "语文"]
    assert only(data, "duplicate_subject").record_id == "T1"


def test_field_level_errors_name_record_id_and_field() -> None:
    data = scenario_data()
    data["teachers"][1]["score"] = 120
    data["teachers"][2]["birth"] = "1985/06"
    data["posts"][0]["seats"] = -1
    data["teachers"][0]["retirement_base_age"] = 58
    problems = {(p.record, p.record_id, p.field) for p in problems_of(data)}
    assert problems == {
        ("teachers[1]", "T2", "score"),
        ("teachers[2]", "T3", "birth"),
        ("posts[0]", "A-CHN", "seats"),
        ("teachers[0]", "T1", "retirement_base_age"),
    }


def test_unknown_fields_and_enum_values_are_rejected() -> None:
    data = scenario_data()
    data["teachers"][0]["nickname"] = "小王"
    data["schools"][0]["segment"] = "university"
    data["teachers"][1]["circumstances"] = ["holiday"]
    problems = {(p.record, p.field) for p in problems_of(data)}
    assert problems == {
        ("teachers[0]", "nickname"),
        ("schools[0]", "segment"),
        ("teachers[1]", "circumstances[0]"),
    }


def test_a_teacher_needs_a_score_or_an_evaluation() -> None:
    data = scenario_data()
    del data["teachers"][0]["score"]
    problems = problems_of(data)
    assert [(p.record, p.record_id) for p in problems] == [("teachers[0]", "T1")]
    assert "score" in problems[0].message


def test_many_problems_are_reported_together() -> None:
    data = scenario_data()
    data["posts"][0]["reserved"] = 5
    data["staffing"]["total_posts"] = 1
    data["teachers"][0]["preferences"] = ["NOPE"]
    data["teachers"][1]["school"] = "NOPE"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    error = caught.value
    assert sorted(error.codes()) == sorted(
        ["reserved_above_seats", "staffing_exceeded", "unknown_reference", "unknown_reference"]
    )
    text = str(error)
    assert text.startswith("invalid scenario: 4 problems")
    assert "teachers[1] (id=T2).school: unknown school 'NOPE'" in text


def test_constructing_an_invalid_scenario_directly_fails() -> None:
    data = scenario_data()
    data["teachers"][0]["school"] = "NOPE"
    with pytest.raises(ValueError, match="unknown school 'NOPE'"):
        Scenario.model_validate(data)


def test_evolve_revalidates_and_leaves_the_original_alone() -> None:
    scenario = parse_scenario(scenario_data())
    with pytest.raises(ScenarioError) as caught:
        scenario.evolve(staffing=scenario.staffing.model_copy(update={"total_posts": 1}))
    assert caught.value.codes() == ["staffing_exceeded"]
    bigger = scenario.evolve(staffing={"total_posts": 30})
    assert bigger.staffing.total_posts == 30
    assert scenario.staffing.total_posts == 20


def test_validate_catches_what_model_copy_lets_through() -> None:
    scenario = parse_scenario(scenario_data())
    broken = scenario.model_copy(update={"teachers": (*scenario.teachers, scenario.teachers[0])})
    assert [p.code for p in validate(broken)] == ["duplicate_id"]


def test_scenario_is_frozen() -> None:
    scenario = parse_scenario(scenario_data())
    with pytest.raises(ValueError, match="frozen"):
        scenario.teachers[0].score = 99  # type: ignore[misc]


def test_cross_record_problems_are_reported_beside_field_errors() -> None:
    """One bad score does not hide an unknown school elsewhere (all problems at once)."""
    data = scenario_data()
    data["teachers"][0]["score"] = 150
    data["teachers"][2]["school"] = "ZZ"
    data["posts"][1]["seats"] = -1  # A-MAT: invalid, but it exists
    data["teachers"][1]["preferences"] = ["NOPE", "A-MAT"]
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    found = {(p.record, p.field, p.code) for p in error.value.problems}
    assert found == {
        ("posts[1]", "seats", "greater_than_equal"),
        ("teachers[0]", "score", "less_than_equal"),
        ("teachers[1]", "preferences[0]", "unknown_reference"),  # NOPE; A-MAT is no echo
        ("teachers[2]", "school", "unknown_reference"),
    }


def test_no_cross_record_guessing_when_the_month_is_wrong() -> None:
    data = scenario_data()
    data["competition_month"] = "2026-13"
    data["teachers"][2]["school"] = "ZZ"
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    assert [p.field for p in error.value.problems] == ["competition_month"]
