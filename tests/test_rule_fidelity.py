"""Issue 14, rule fidelity: hand-solved counties where kgxp must follow the seeds' words.

Each test derives its expected values by hand in a comment; each failed on the code
before the change it covers.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import pytest

from kgxp import (
    Pay,
    Policy,
    Scenario,
    ScenarioError,
    Simulation,
    parse_scenario,
    run_round,
    simulate,
    verify,
    verify_simulation,
)
from kgxp.model.result import RoundResult, Status
from kgxp.model.semester import Semester
from kgxp.waiting.ledger import pay_lines
from kgxp.waiting.state_machine import WaitingState
from tests.conftest import load_benchmark_runner
from tests.factories import post, school, teacher
from tests.result_factories import outcome, with_outcomes


def county(
    schools: list[dict[str, Any]],
    posts: list[dict[str, Any]],
    teachers: list[dict[str, Any]],
    month: str = "2026-08",
) -> Scenario:
    total = sum(p["seats"] for p in posts)
    return parse_scenario(
        {
            "county": {"name": "手算县", "synthetic": True},
            "competition_month": month,
            "staffing": {"total_posts": total},
            "schools": schools,
            "posts": posts,
            "teachers": teachers,
        }
    )


def where(result: RoundResult) -> dict[str, tuple[str, str | None]]:
    return {o.teacher: (o.status.value, o.post) for o in result.outcomes}


def adjusted_by(result: RoundResult, teacher_id: str) -> str | None:
    outcome = next(o for o in result.outcomes if o.teacher == teacher_id)
    return next(r.decided_by for r in outcome.reasons if r.rule == "R6" and r.code == "placed")


# --- 1. R6: the subject taught comes first ----------------------------------------------

# School B has one 语文 seat and two 语文 teachers; school A (rural, no teachers of its own)
# has a 语文 and a 体育 vacancy. b1 (90) wins B-CHN in-school; the others applied for
# nothing else, so they reach the adjustment with A-CHN and A-PE vacant.


def _adjustment_county(*losers: dict[str, Any]) -> Scenario:
    return county(
        [school("A"), school("B")],
        [
            post("A-CHN", "A", "语文", 1),
            post("A-PE", "A", "体育", 1),
            post("B-CHN", "B", "语文", 1),
        ],
        [teacher("b1", "B", score=90.0, preferences=["B-CHN"]), *losers],
    )


def test_adjustment_seats_a_teacher_in_their_main_subject() -> None:
    # b2 teaches 语文 and is also qualified for 体育. Both vacancies are in the same rural
    # school; 体育 is a shortage subject, so balance alone would pick A-PE (the old
    # behaviour). Seed 000 adjusts 依据任教学科: b2 goes to A-CHN, A-PE stays empty.
    scenario = _adjustment_county(
        teacher("b2", "B", ("语文", "体育"), score=70.0, preferences=["B-CHN"])
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-CHN")
    assert adjusted_by(result, "b2") == "main_subject"
    assert verify(scenario, result) == []


def test_main_subject_goes_to_the_higher_performance_teacher() -> None:
    # b2 (performance 90) and b3 (performance 50) both teach 语文 and are qualified for
    # 体育. One 语文 and one 体育 vacancy: both are placed (nobody waits who could be
    # seated), and the merit order gives the main subject to b2: b2 → A-CHN, b3 → A-PE
    # (b3's only other subject: other_subject).
    scenario = _adjustment_county(
        teacher("b3", "B", ("语文", "体育"), score=60.0, performance=50.0, preferences=["B-CHN"]),
        teacher("b2", "B", ("语文", "体育"), score=70.0, performance=90.0, preferences=["B-CHN"]),
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-CHN")
    assert where(result)["b3"] == ("adjusted", "A-PE")
    assert adjusted_by(result, "b2") == "main_subject"
    assert adjusted_by(result, "b3") == "other_subject"
    assert verify(scenario, result) == []


def test_placing_everyone_comes_before_the_main_subject() -> None:
    # b2 (语文+体育, performance 90) and b3 (语文 only, performance 50): seating b2 in 语文
    # would leave b3 waiting beside an empty 体育 seat b2 could take. Both are placed
    # (the most teachers placed, I8), so b2 takes A-PE (other_subject), b3 A-CHN.
    scenario = _adjustment_county(
        teacher("b3", "B", ("语文",), score=60.0, performance=50.0, preferences=["B-CHN"]),
        teacher("b2", "B", ("语文", "体育"), score=70.0, performance=90.0, preferences=["B-CHN"]),
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-PE")
    assert where(result)["b3"] == ("adjusted", "A-CHN")
    assert verify(scenario, result) == []


def test_balance_only_chooses_among_other_subjects() -> None:
    # b2 teaches 数学 (no vacancy) and is qualified for 语文 and 体育: both are "other
    # subjects", equally good for b2, so balance picks the shortage subject 体育.
    scenario = county(
        [school("A"), school("B")],
        [
            post("A-CHN", "A", "语文", 1),
            post("A-PE", "A", "体育", 1),
            post("B-MAT", "B", "数学", 1),
        ],
        [
            teacher("b1", "B", ("数学",), score=90.0, preferences=["B-MAT"]),
            teacher("b2", "B", ("数学", "语文", "体育"), score=70.0, preferences=["B-MAT"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["b2"] == ("adjusted", "A-PE")
    assert adjusted_by(result, "b2") == "balance"


def _moved(scenario: Scenario, result: RoundResult, **posts: str) -> RoundResult:
    """``result`` with the named adjusted teachers moved to other posts, seat rows rebuilt."""
    split = {row.post: (row.in_school, row.cross_school) for row in result.posts}
    changed = [
        outcome(scenario, teacher_id, Status.ADJUSTED, "B", post=post_id, round="adjustment")
        for teacher_id, post_id in posts.items()
    ]
    return with_outcomes(scenario, result, *changed, split=split)


def test_verify_catches_an_adjustment_outside_the_main_subject() -> None:
    # The old seating: b2 (语文 + 体育) in A-PE while A-CHN stays free — an I8 finding.
    scenario = _adjustment_county(
        teacher("b2", "B", ("语文", "体育"), score=70.0, preferences=["B-CHN"])
    )
    old = _moved(scenario, run_round(scenario), b2="A-PE")
    found = verify(scenario, old)
    assert [(v.invariant, v.teacher, v.evidence["kind"]) for v in found] == [
        ("I8", "b2", "main_subject_free")
    ]


def test_verify_catches_a_main_subject_seat_held_by_lower_priority() -> None:
    # b2 (performance 90) in A-PE, b3 (performance 50, also qualified for 体育) in A-CHN:
    # swapping them seats b2 in 语文 without unseating anyone — an I8 finding.
    scenario = _adjustment_county(
        teacher("b3", "B", ("语文", "体育"), score=60.0, performance=50.0, preferences=["B-CHN"]),
        teacher("b2", "B", ("语文", "体育"), score=70.0, performance=90.0, preferences=["B-CHN"]),
    )
    swapped = _moved(scenario, run_round(scenario), b2="A-PE", b3="A-CHN")
    found = verify(scenario, swapped)
    assert [(v.invariant, v.teacher, v.evidence["kind"]) for v in found] == [
        ("I8", "b2", "main_subject_swap")
    ]


# --- 4. R4: a teacher who reaches the statutory age in the competition month -------------


def test_teacher_reaching_the_age_in_the_competition_month_is_protected() -> None:
    # A man born 1966-04: n = (1966 + 60 - 2025) * 12 + 4 = 16, delay ceil(16 / 4) = 4
    # months, statutory age 60y4m, retirement month 1966-04 + 724 months = 2026-08, the
    # competition month: 0 months left, still in service, 不足三年 → protected (R4) in his
    # main-subject post at his own school.
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 2)],
        [
            teacher("old", "A", sex="male", birth="1966-04", service_start="1988-09"),
            teacher("young", "A", preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    old = next(o for o in result.outcomes if o.teacher == "old")
    assert (old.status.value, old.post, old.protected_by) == (
        "protected",
        "A-CHN",
        ("near_retirement",),
    )
    assert verify(scenario, result) == []


def test_retirement_month_before_the_competition_month_names_the_teacher() -> None:
    # Born 1966-03: n = 15, delay 4, retirement month 2026-07, before 2026-08: retired.
    with pytest.raises(ScenarioError) as raised:
        county(
            [school("A")],
            [post("A-CHN", "A", "语文", 2)],
            [teacher("gone", "A", sex="male", birth="1966-03", service_start="1988-09")],
        )
    (problem,) = raised.value.problems
    assert (problem.record_id, problem.code, problem.rule) == ("gone", "past_retirement", "R4")
    assert "2026-07" in problem.message and "remove the teacher" in problem.message


# --- 2. R15: composite scores are exact --------------------------------------------------


def test_a_given_score_is_never_rounded() -> None:
    # One seat; a scores 85.124, b 85.12 but has the higher teaching performance (the
    # first tie-breaker). Rounded to two places both were 85.12 and performance gave the
    # seat to b; exact, 85.124 > 85.12 and the score decides: a wins, by "score".
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1)],
        [
            teacher("a", "A", score=85.124, performance=10.0, preferences=["A-CHN"]),
            teacher("b", "A", score=85.12, performance=90.0, preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["a"] == ("in_school", "A-CHN")
    b = next(o for o in result.outcomes if o.teacher == "b")
    outranked = next(r for r in b.reasons if r.code == "outranked")
    assert (outranked.rival, outranked.decided_by) == ("a", "score")
    assert (str(outranked.rival_score), str(outranked.score)) == ("85.124", "85.12")
    assert '"85.124"' in result.to_json()


def test_a_weighted_evaluation_is_never_rounded() -> None:
    # Equal weights 0.25. c: (85.5, 85.5, 84.75, 84.75) → 85.125 exactly; d: 85.13 given.
    # Rounded half up, c was 85.13 and tied with d, whose performance won; exact,
    # 85.13 > 85.125: d wins by score, whatever the tie-breakers say.
    components = {
        "student_rating": 85.5,
        "peer_review": 85.5,
        "quality_assessment": 84.75,
        "school_evaluation": 84.75,
    }
    scenario = county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1)],
        [
            teacher(
                "c",
                "A",
                score=None,
                evaluation=components,
                performance=90.0,
                preferences=["A-CHN"],
            ),
            teacher("d", "A", score=85.13, performance=10.0, preferences=["A-CHN"]),
        ],
    )
    result = run_round(scenario)
    assert where(result)["d"] == ("in_school", "A-CHN")
    c = next(o for o in result.outcomes if o.teacher == "c")
    assert str(c.score) == "85.125"
    assert next(r for r in c.reasons if r.code == "outranked").decided_by == "score"


# --- 5. R5: every teacher of a school competes in its in-school round --------------------


def _silent_county() -> Scenario:
    # School A: one 语文 and one 体育 seat (2 remaining seats: 10% is 0.2, rounded to no
    # cross-school seat). a1 (语文, 90) and a3 (语文 + 体育, 80) state no preferences.
    return county(
        [school("A")],
        [post("A-CHN", "A", "语文", 1), post("A-PE", "A", "体育", 1)],
        [
            teacher("a1", "A", score=90.0),
            teacher("a3", "A", ("语文", "体育"), score=80.0),
        ],
    )


def test_a_teacher_without_preferences_competes_in_school() -> None:
    # Default applications: a1 → [A-CHN]; a3 → [A-CHN, A-PE] (main subject first). a1
    # (90) takes A-CHN; a3 is outranked there and takes A-PE — both in the in-school
    # round. Before, both skipped it (no_application) and were adjusted.
    scenario = _silent_county()
    result = run_round(scenario)
    assert where(result) == {"a1": ("in_school", "A-CHN"), "a3": ("in_school", "A-PE")}
    a3 = next(o for o in result.outcomes if o.teacher == "a3")
    assert [r.code for r in a3.reasons] == ["default_application", "outranked", "placed"]
    assert verify(scenario, result) == []


def test_explicit_applications_only_is_a_policy_switch() -> None:
    # Switched off, the old reading: nobody applies in-school; both are adjusted.
    explicit = Policy(default_in_school_application=False)
    scenario = _silent_county()
    result = run_round(scenario, policy=explicit)
    assert where(result) == {"a1": ("adjusted", "A-CHN"), "a3": ("adjusted", "A-PE")}
    assert verify(scenario, result) == []


def test_teachers_not_competing_in_school_are_no_own_candidates() -> None:
    # 20 remaining seats at A (10 语文, 10 数学): 10% → 2 cross-school seats, shortage
    # first. Ten 语文 teachers state nothing, five 数学 teachers list A-MAT. Explicit
    # applications only: the 语文 teachers do not compete in-school, so A-CHN has 0 own
    # candidates (shortage 10) and A-MAT 5 (shortage 5): both cross-school seats go to
    # A-CHN. Before, the silent teachers counted (shortage 0) and A-MAT got both.
    teachers = [teacher(f"c{k}", "A", score=70.0 + k) for k in range(10)]
    teachers += [
        teacher(f"m{k}", "A", ("数学",), score=70.0 + k, preferences=["A-MAT"]) for k in range(5)
    ]
    scenario = county(
        [school("A")], [post("A-CHN", "A", "语文", 10), post("A-MAT", "A", "数学", 10)], teachers
    )
    explicit = Policy(default_in_school_application=False)
    result = run_round(scenario, policy=explicit)
    cross = {row.post: row.cross_school for row in result.posts}
    assert cross == {"A-CHN": 2, "A-MAT": 0}
    assert verify(scenario, result) == []
    # By default every teacher competes and counts: A-CHN 10 candidates for 10 seats,
    # A-MAT 5 for 10: shortage 0 and 5, so A-MAT carries both cross-school seats.
    default = run_round(scenario)
    assert {row.post: row.cross_school for row in default.posts} == {"A-CHN": 0, "A-MAT": 2}
    assert verify(scenario, default) == []


# --- 3. R15: the bottom share gets a warning talk (诫勉谈话) ------------------------------


def _forty(scores: list[float]) -> Scenario:
    # Schools A and B, 20 teachers each (t00–t19 at A, t20–t39 at B), enough seats for all.
    return county(
        [school("A"), school("B")],
        [post("A-CHN", "A", "语文", 20), post("B-CHN", "B", "语文", 20)],
        [
            teacher(f"t{k:02d}", "A" if k < 20 else "B", score=s, preferences=[])
            for k, s in enumerate(scores)
        ],
    )


def talks(result: RoundResult) -> list[str]:
    return [w.teacher for w in result.warning_talks]


def test_the_bottom_five_percent_of_the_county_is_listed() -> None:
    # 40 teachers scoring 50, 51, …, 89: 5% of 40 = 2 → t00 (50) and t01 (51).
    scenario = _forty([50.0 + k for k in range(40)])
    result = run_round(scenario)
    assert talks(result) == ["t00", "t01"]
    first = result.warning_talks[0]
    assert (first.unit, first.from_bottom, first.at_or_below, first.unit_size, first.limit) == (
        "county",
        1,
        1,
        40,
        2,
    )
    assert verify(scenario, result) == []


def test_a_tie_at_the_boundary_is_left_off_or_listed_whole() -> None:
    # t01 and t02 both score 51: 3 teachers at or below 51 > 2, so by default (exclude)
    # only t00 is listed; with ties included, fewer than 2 score below 51, so t00, t01
    # and t02 are (3 > 5%, documented).
    scores = [50.0 + k for k in range(40)]
    scores[2] = 51.0
    scenario = _forty(scores)
    assert talks(run_round(scenario)) == ["t00"]
    include = Policy(warning_ties="include")
    result = run_round(scenario, policy=include)
    assert talks(result) == ["t00", "t01", "t02"]
    assert verify(scenario, result) == []


def test_per_school_the_bottom_share_of_each_school() -> None:
    # Per school: 5% of 20 = 1 each — A's lowest t00 (50) and B's lowest t20 (70).
    scenario = _forty([50.0 + k for k in range(40)])
    per_school = Policy(warning_scope="school")
    result = run_round(scenario, policy=per_school)
    assert [(w.unit, w.teacher) for w in result.warning_talks] == [("A", "t00"), ("B", "t20")]
    assert verify(scenario, result) == []


def test_verify_catches_a_wrong_warning_list() -> None:
    scenario = _forty([50.0 + k for k in range(40)])
    result = run_round(scenario)
    dropped = result.model_copy(update={"warning_talks": result.warning_talks[:1]})
    assert [(v.invariant, v.teacher) for v in verify(scenario, dropped)] == [("I14", "t01")]
    extra = result.warning_talks[1].model_copy(update={"teacher": "t05", "score": Decimal(55)})
    padded = result.model_copy(update={"warning_talks": (*result.warning_talks, extra)})
    assert [(v.invariant, v.teacher) for v in verify(scenario, padded)] == [("I14", "t05")]
    wrong = result.warning_talks[0].model_copy(update={"from_bottom": 2})
    altered = result.model_copy(update={"warning_talks": (wrong, result.warning_talks[1])})
    assert [(v.invariant, v.teacher) for v in verify(scenario, altered)] == [("I14", "t00")]
    twice = result.model_copy(update={"warning_talks": (*result.warning_talks, wrong)})
    assert [(v.invariant, v.teacher) for v in verify(scenario, twice)] == [("I14", "t00")]


# --- 6, 7. simulate: retirements and given vacancies; the two readings -------------------

PAY = {
    "basic_salary": "4000.00",
    "basic_performance": "1700.00",
    "incentive_performance": "700.00",
    "year_end_bonus": "12000.01",
}


def _retiring_county() -> Scenario:
    # "old", a man born 1967-01: n = (1967 + 60 - 2025) * 12 + 1 = 25, delay ceil(25 / 4)
    # = 7, statutory age 60y7m, retirement month 2027-08 (semester 2026-spring, which
    # is 2027-03 … 2027-08); 12 months from 2026-08: protected (R4) in A-CHN. y1 (90)
    # takes A-CHN's other seat, m1 (95) A-MAT's only seat; y2 (语文, 80) and m2 (数学, 60)
    # lose and wait from 2026-autumn.
    return county(
        [school("A")],
        [post("A-CHN", "A", "语文", 2), post("A-MAT", "A", "数学", 1)],
        [
            teacher("old", "A", sex="male", birth="1967-01", service_start="1989-09", pay=PAY),
            teacher("y1", "A", score=90.0, preferences=["A-CHN"]),
            teacher("y2", "A", score=80.0, preferences=["A-CHN"]),
            teacher("m1", "A", ("数学",), score=95.0, preferences=["A-MAT"]),
            teacher("m2", "A", ("数学",), score=60.0, preferences=["A-MAT"]),
        ],
    )


def _posts_by_semester(run: Simulation, teacher_id: str) -> list[tuple[str, str | None]]:
    return [(str(r.semester), r.post) for r in run.timeline(teacher_id)]


def test_given_vacancies_and_retirements_combine() -> None:
    # Re-competitions open 2026-spring and 2027-autumn. old retires at the boundary after
    # 2026-spring (the default reading), so A-CHN opens in 2027-autumn; the table adds
    # an A-MAT seat there. Both open: y2 wins A-CHN and m2 A-MAT in 2027-autumn. Before,
    # any vacancy table silently stopped retirements from opening seats: y2 kept waiting.
    run = simulate(_retiring_county(), semesters=3, vacancies={"2027-autumn": {"A-MAT": 1}})
    assert _posts_by_semester(run, "y2")[-1] == ("2027-autumn", "A-CHN")
    assert _posts_by_semester(run, "m2")[-1] == ("2027-autumn", "A-MAT")
    assert verify_simulation(_retiring_county(), run) == []
    # Said explicitly, the table is the only source: A-CHN stays closed.
    only = simulate(
        _retiring_county(),
        semesters=3,
        vacancies={"2027-autumn": {"A-MAT": 1}},
        retirement_vacancies=False,
    )
    assert _posts_by_semester(only, "y2")[-1] == ("2027-autumn", None)


def test_vacancies_for_a_semester_without_a_recompetition_are_refused() -> None:
    # The first semester (2026-autumn) has no re-competition, and 2028-autumn is past a
    # 3-semester run: a table for either used to be dropped without a word.
    for semester in ("2026-autumn", "2028-autumn"):
        with pytest.raises(ValueError, match=semester):
            simulate(_retiring_county(), semesters=3, vacancies={semester: {"A-MAT": 1}})


def test_a_retirees_seat_opens_by_the_policys_reading() -> None:
    # Default (next_semester): old serves and is paid through 2026-spring, each line of
    # it marked; the seat opens in 2027-autumn. same_semester: old leaves at the start of
    # 2026-spring and y2 wins A-CHN in that semester's re-competition.
    scenario = _retiring_county()
    default = simulate(scenario, semesters=3)
    assert _posts_by_semester(default, "y2") == [
        ("2026-autumn", None),
        ("2026-spring", None),
        ("2027-autumn", "A-CHN"),
    ]
    spring = [line for line in default.pay("old") if str(line.semester) == "2026-spring"]
    assert len(spring) == 5
    assert all("retirement_vacancy=next_semester" in line.readings for line in spring)
    same = simulate(scenario, Policy(retirement_vacancy="same_semester"), semesters=3)
    assert _posts_by_semester(same, "y2")[1:] == [
        ("2026-spring", "A-CHN"),
        ("2027-autumn", "A-CHN"),
    ]
    assert [str(line.semester) for line in same.pay("old")][-1] == "2026-autumn"
    assert verify_simulation(scenario, same) == []


def test_a_first_waiting_term_in_spring_and_the_year_end_bonus() -> None:
    # Yearly bonus 12000.01 yuan, first-term share 50% (R8). Default (autumn_semester):
    # a first waiting term in spring (2026-spring) books base 0 → 0.00. Half each
    # semester: autumn books round(6000.005) = 6000.01, spring the rest, 6000.00; half
    # of it is 3000.00 in spring.
    pay = Pay.model_validate(PAY)
    spring = Semester.parse("2026-spring")
    (line,) = [
        line
        for line in pay_lines("T", pay, WaitingState.WAITING, spring, Policy(), rural=False)
        if line.component.value == "year_end_bonus"
    ]
    assert (line.base, line.amount, line.readings) == (
        Decimal("0"),
        Decimal("0.00"),
        ("year_end_bonus_basis=autumn_semester",),
    )
    half = Policy(year_end_bonus_basis="half_each_semester")
    lines = {
        str(s): next(
            line
            for line in pay_lines("T", pay, WaitingState.WAITING, s, half, rural=False)
            if line.component.value == "year_end_bonus"
        )
        for s in (spring, Semester.parse("2027-autumn"))
    }
    assert (lines["2026-spring"].base, lines["2026-spring"].amount) == (
        Decimal("6000.00"),
        Decimal("3000.00"),
    )
    assert lines["2027-autumn"].base == Decimal("6000.01")
    assert lines["2026-spring"].readings == ("year_end_bonus_basis=half_each_semester",)


@pytest.mark.parametrize("scope", ["county", "school"])
@pytest.mark.parametrize("ties", ["exclude", "include"])
def test_verify_reads_the_warning_list_of_a_generated_county(scope: str, ties: str) -> None:
    # Many units and many tied scores: each listed entry's counts must come out of the
    # unit's cumulative counts exactly (a dropped, a moved and an extra entry are caught).
    load_benchmark_runner()  # puts benchmarks/ on sys.path
    generator = sys.modules["generator"]
    scenario = parse_scenario(generator.generate_county(1500, seed=19))
    policy = Policy(warning_scope=scope, warning_ties=ties, warning_share=Decimal("0.1"))
    result = run_round(scenario, policy=policy)
    talks = result.warning_talks
    assert len(talks) > 20 and verify(scenario, result) == []
    last = talks[-1]
    dropped = result.model_copy(update={"warning_talks": talks[:-1]})
    assert [(v.invariant, v.teacher) for v in verify(scenario, dropped)] == [("I14", last.teacher)]
    moved = last.model_copy(update={"from_bottom": last.from_bottom + 1})
    altered = result.model_copy(update={"warning_talks": (*talks[:-1], moved)})
    assert [(v.invariant, v.teacher) for v in verify(scenario, altered)] == [("I14", last.teacher)]
    listed = {t.teacher for t in talks}
    best = max((t for t in scenario.teachers if t.id not in listed), key=lambda t: t.id)
    extra = last.model_copy(update={"teacher": best.id})
    padded = result.model_copy(update={"warning_talks": (*talks, extra)})
    assert [(v.invariant, v.teacher) for v in verify(scenario, padded)] == [("I14", best.id)]
