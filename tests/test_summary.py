from __future__ import annotations

from kgxp import Circumstance, Policy, parse_scenario, render_summary, summarize
from tests.factories import scenario_data, school, teacher


def test_counts_follow_merges_and_policy() -> None:
    data = scenario_data()
    data["schools"].append(school("M", merged_into="B"))
    data["teachers"].append(teacher("T4", "M", circumstances=["maternity_leave"]))
    data["teachers"].append(teacher("T5", "A", circumstances=["pregnancy"], score=80.0))
    data["teachers"].append(teacher("T6", "A", sex="male", birth="1967-01"))  # retires 2027-08
    scenario = parse_scenario(data)
    summary = summarize(scenario)
    rows = {r.school_id: r for r in summary.schools}
    assert rows["B"].teachers == 2
    assert rows["M"].teachers == 0
    assert rows["B"].protected == 1
    assert rows["A"].protected == 1
    assert summary.protected_by_category == {"maternity_leave": 1, "near_retirement": 1}
    assert (summary.seats, summary.reserved, summary.competed_seats) == (5, 1, 4)
    assert summary.by_subject["语文"] == (5, 4)
    assert summary.by_subject["数学"] == (1, 1)
    assert summary.tied_scores == 6  # everybody scores 80

    wider = summarize(
        scenario,
        Policy().evolve(
            protected_circumstances=(*Policy().protected_circumstances, Circumstance.PREGNANCY)
        ),
    )
    assert wider.protected_by_category["pregnancy"] == 1

    text = render_summary(summary)
    assert "并入学校B" in text  # the school it joined, by name; no rule id
    assert "(R3)" not in text
    assert "测试县" in text
    assert "merged into 学校B" in render_summary(summary, locale="en")
