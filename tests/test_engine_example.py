"""The engine on the example county: conservation, capacity, determinism, the report."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

import kgxp
from kgxp import RoundResult, Scenario, Status, load_scenario, run_round
from kgxp.views.metrics import round_metrics
from kgxp.views.report import render_report, report_sections


@pytest.fixture(scope="module")
def example(example_path: Path) -> Scenario:
    return load_scenario(example_path)


@pytest.fixture(scope="module")
def result(example: Scenario) -> RoundResult:
    return run_round(example)


def test_every_teacher_has_exactly_one_outcome(example: Scenario, result: RoundResult) -> None:
    assert [o.teacher for o in result.outcomes] == sorted(t.id for t in example.teachers)
    counts = result.counts()
    assert sum(counts.values()) == len(example.teachers)
    assert all(counts[s.value] > 0 for s in Status)  # every outcome kind occurs


def test_no_post_is_overfilled_and_reserved_seats_stay_empty(result: RoundResult) -> None:
    holders = Counter(o.post for o in result.outcomes if o.post is not None)
    for seats in result.posts:
        assert holders[seats.post] <= seats.seats - seats.reserved
        assert holders[seats.post] == seats.protected + sum(seats.filled.values())
        assert seats.vacant == seats.seats - seats.reserved - holders[seats.post]


def test_cross_school_share_is_near_the_seed_figure(example: Scenario, result: RoundResult) -> None:
    share = round_metrics(example, result).moved_share
    assert 0.05 < share < 0.15  # seed 003: 310 of 3,400 ≈ 9.1%


def test_same_input_same_bytes_any_order(example: Scenario, result: RoundResult) -> None:
    assert run_round(example).to_json() == result.to_json()
    shuffled = example.evolve(
        teachers=example.teachers[::-1], posts=example.posts[::-1], schools=example.schools[::-1]
    )
    assert run_round(shuffled).to_json() == result.to_json()


def test_seed_changes_only_lottery_decisions(example: Scenario, result: RoundResult) -> None:
    other = run_round(example, seed=12345)
    assert other.to_json() != result.to_json()
    assert other.counts()["protected"] == result.counts()["protected"]


def test_report_has_rounds_share_and_waiting_list(example: Scenario, result: RoundResult) -> None:
    text = render_report(example, result)
    assert "校内竞聘" in text and "跨校竞聘" in text
    assert "西安市新城区3400名教师中310人跨校交流（9.1%）" in text
    assert f"待岗人员（{result.counts()['waiting']}人）" in text
    assert "in_school" not in text and "(R7)" not in text  # no codes or rule ids in sentences


def test_report_names_teachers_from_the_scenario_and_an_unknown_id_by_itself(
    example: Scenario, result: RoundResult
) -> None:
    teacher = {t.id: t for t in example.teachers}
    known = example.teachers[0]
    sections = report_sections(example, result, warning_talks=[known.id, "NOT-A-TEACHER"])
    [talks] = [s for s in sections if s.title.startswith("诫勉谈话")]
    # In id order; an id the scenario does not hold stands for its own name.
    assert talks.paragraphs == (f"NOT-A-TEACHER (NOT-A-TEACHER)、{known.name} ({known.id})",)
    # The waiting list's rows: each teacher's name and main subject, as the scenario has them.
    [waiting] = [s for s in sections if s.title.startswith("待岗人员")]
    assert waiting.table is not None and waiting.table.rows
    for row in waiting.table.rows:
        assert row[1:3] == (teacher[row[0]].name, teacher[row[0]].main_subject)


def test_two_level_plan_keeps_moves_inside_districts(example: Scenario) -> None:
    result = run_round(example, policy=kgxp.preset("two_level_three_rounds"))
    district = {s.id: s.district for s in example.schools}
    moved = [o for o in result.outcomes if o.status in {Status.CROSS_SCHOOL, Status.ADJUSTED}]
    assert moved
    assert all(district[o.school or ""] == district[o.home_school] for o in moved)


def test_stage_events_carry_counts_not_names(
    example: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="kgxp"):
        run_round(example)
    events = [record.kgxp for record in caplog.records if record.name == "kgxp.round.engine"]
    names = [e["event"] for e in events]
    assert names[0] == "round.prepared"
    assert names.count("round.stage") == 3
    assert names[-1] == "round.finished"
    stage = next(e for e in events if e["event"] == "round.stage")
    assert {"round", "kind", "candidates", "seats", "placed", "seconds"} <= set(stage)
    teacher_names = {t.name for t in example.teachers}
    flat = " ".join(str(v) for e in events for v in e.values())
    assert not any(name in flat for name in teacher_names)
