"""``verify``: a hand-made valid result passes; each invariant catches its own corruption.

The county below is small enough to run by hand under the default policy
(90/10 largest-remainder split, shortage-first cross-school seats, in-school →
county cross-school → county adjustment). Worked out:

- R4: P1 (maternity leave) is placed in advance at A-CHN.
- R5: remaining seats A-CHN 2, A-MAT 2, B-CHN 1 (one reserved), B-ENG 3, B-PE 1:
  school A 4, school B 5, county 9 → round(0.9) = 1 cross-school seat, to B
  (remainder 0.5 > 0.4); at B the shortage-first choice is B-ENG (3 seats, 2 own
  English teachers, T7 and T11; B-PE ties on shortage 1 but sorts after).
- in-school: A-CHN → T1, T2 (T3, transferred from merged school M, loses: R3);
  A-MAT → T4; B-CHN → T5 (T6 loses); B-ENG → T7.
- cross-school offers A-MAT 1 (in-school leftover), B-ENG 2, B-PE 1: T8 beats T9
  for A-MAT; T12 (school A) takes B-ENG.
- adjustment offers B-ENG 1 and B-PE 1: willing candidates T3, T6 (Chinese), T9,
  T10 (maths/English); T9 has the higher teaching performance → B-ENG. T11 is
  unwilling. Nobody teaches PE: B-PE stays vacant.
- waiting: T3, T6, T10, T11 (shadow learning at their home schools).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import kgxp
from kgxp import Policy, Scenario
from kgxp.checks.verify import CHECKED_INVARIANTS, Violation, verify
from kgxp.model.result import Conflict, Outcome, PostSeats, RoundResult, Status
from tests.conftest import EXAMPLE
from tests.factories import post, scenario_data, school, teacher
from tests.result_factories import outcome, round_result, with_outcomes

IN, CROSS, ADJ = "in_school", "cross_school", "adjustment"

# The hand-made result reads applications as stated: T10, who lists none, skips the
# in-school round (R5's default application would enter T10 for B-ENG).
EXPLICIT = kgxp.Policy(default_in_school_application=False)

SPLIT = {
    "A-CHN": (2, 0),
    "A-MAT": (2, 0),
    "B-CHN": (1, 0),
    "B-ENG": (2, 1),
    "B-PE": (1, 0),
}


def county_data() -> dict[str, object]:
    data = scenario_data()
    data["schools"] = [
        school("A", locality="urban"),
        school("B"),
        school("M", merged_into="A"),
    ]
    data["posts"] = [
        post("A-CHN", "A", "语文", 3),
        post("A-MAT", "A", "数学", 2),
        post("B-CHN", "B", "语文", 2, reserved=1),
        post("B-ENG", "B", "英语", 3),
        post("B-PE", "B", "体育", 1),
    ]
    data["teachers"] = [
        teacher("P1", "A", score=50.0, circumstances=["maternity_leave"]),
        teacher("T1", "A", score=90.0, preferences=["A-CHN", "B-CHN"]),
        teacher("T2", "A", score=85.0, preferences=["A-CHN"]),
        teacher("T3", "M", score=80.0, preferences=["A-CHN", "B-CHN"]),
        teacher("T4", "A", ("数学",), score=75.0, preferences=["A-MAT"]),
        teacher("T5", "B", score=70.0, preferences=["B-CHN"]),
        teacher("T6", "B", score=60.0, preferences=["B-CHN", "A-CHN"]),
        teacher("T7", "B", ("英语",), score=65.0, preferences=["B-ENG"]),
        teacher("T8", "B", ("数学",), score=55.0, performance=70.0, preferences=["A-MAT"]),
        teacher("T9", "B", ("数学", "英语"), score=50.0, performance=60.0, preferences=["A-MAT"]),
        teacher("T10", "B", ("数学", "英语"), score=40.0, performance=30.0),
        teacher("T11", "B", ("英语",), score=45.0, performance=95.0, willing_to_adjust=False),
        teacher("T12", "A", ("英语",), score=42.0, preferences=["B-ENG"]),
    ]
    return data


@pytest.fixture(scope="module")
def county() -> Scenario:
    return kgxp.parse_scenario(county_data())


def valid_outcomes(s: Scenario) -> list[Outcome]:
    return [
        outcome(s, "P1", Status.PROTECTED, "A", post="A-CHN", protected_by=("maternity_leave",)),
        outcome(s, "T1", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
        outcome(s, "T2", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
        outcome(s, "T3", Status.WAITING, "A", school="A"),
        outcome(s, "T4", Status.IN_SCHOOL, "A", post="A-MAT", round=IN),
        outcome(s, "T5", Status.IN_SCHOOL, "B", post="B-CHN", round=IN),
        outcome(s, "T6", Status.WAITING, "B", school="B"),
        outcome(s, "T7", Status.IN_SCHOOL, "B", post="B-ENG", round=IN),
        outcome(s, "T8", Status.CROSS_SCHOOL, "B", post="A-MAT", round=CROSS),
        outcome(s, "T9", Status.ADJUSTED, "B", post="B-ENG", round=ADJ),
        outcome(s, "T10", Status.WAITING, "B", school="B"),
        outcome(s, "T11", Status.WAITING, "B", school="B"),
        outcome(s, "T12", Status.CROSS_SCHOOL, "A", post="B-ENG", round=CROSS),
    ]


@pytest.fixture(scope="module")
def valid(county: Scenario) -> RoundResult:
    return round_result(county, valid_outcomes(county), SPLIT, policy=EXPLICIT)


def invariants(violations: list[Violation]) -> set[str]:
    return {v.invariant for v in violations}


def mutate(
    s: Scenario, result: RoundResult, *changed: Outcome, split: object = None
) -> RoundResult:
    return with_outcomes(s, result, *changed, split=SPLIT if split is None else split)  # type: ignore[arg-type]


def replace_row(result: RoundResult, post_id: str, **changes: object) -> RoundResult:
    rows = tuple(r.model_copy(update=changes) if r.post == post_id else r for r in result.posts)
    return result.model_copy(update={"posts": rows})


# --- the valid result -------------------------------------------------------------------


def test_hand_made_result_is_valid(county: Scenario, valid: RoundResult) -> None:
    assert verify(county, valid) == []


def test_hand_made_seat_table_matches_the_worked_example(valid: RoundResult) -> None:
    rows = {r.post: r for r in valid.posts}
    assert rows["B-ENG"].offered == {IN: 2, CROSS: 2, ADJ: 1}
    assert rows["B-ENG"].filled == {IN: 1, CROSS: 1, ADJ: 1}
    assert rows["B-PE"].vacant == 1
    assert rows["A-CHN"].protected == 1
    assert sum(r.vacant for r in valid.posts) == 1


def test_json_round_trip_verifies_the_same(county: Scenario, valid: RoundResult) -> None:
    again = RoundResult.from_json(valid.to_json())
    assert verify(county, again) == []
    broken = mutate(
        county,
        valid,
        outcome(county, "T2", Status.WAITING, "A", school="A"),
        outcome(county, "T3", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
    )
    assert verify(county, RoundResult.from_json(broken.to_json())) == verify(county, broken)


# --- one corruption per invariant ----------------------------------------------------------


def test_i1_dropped_teacher(county: Scenario, valid: RoundResult) -> None:
    dropped = valid.model_copy(
        update={"outcomes": tuple(o for o in valid.outcomes if o.teacher != "T10")}
    )
    found = verify(county, dropped)
    assert invariants(found) == {"I1"}
    assert [v.teacher for v in found] == ["T10"]


def test_i1_duplicated_teacher(county: Scenario, valid: RoundResult) -> None:
    twice = valid.model_copy(update={"outcomes": (*valid.outcomes, valid.outcome("T3"))})
    found = verify(county, twice)
    assert invariants(found) == {"I1"}
    assert found[0].evidence["outcomes"] == 2


def test_i1_unknown_teacher_never_raises(county: Scenario, valid: RoundResult) -> None:
    ghost = valid.outcome("T1").model_copy(update={"teacher": "GHOST"})
    found = verify(county, valid.model_copy(update={"outcomes": (*valid.outcomes, ghost)}))
    assert invariants(found) == {"I1"}
    assert found[0].teacher == "GHOST"


def test_i2_overfilled_post_fills_its_reserved_seat(county: Scenario, valid: RoundResult) -> None:
    # B-CHN has 2 seats, 1 reserved (R2): T6 joining T5 fills the reserved seat.
    broken = mutate(
        county, valid, outcome(county, "T6", Status.IN_SCHOOL, "B", post="B-CHN", round=IN)
    )
    found = verify(county, broken)
    assert invariants(found) == {"I2"}
    capacity = next(v for v in found if "holders" in v.evidence)
    assert dict(capacity.evidence) == {"holders": 2, "seats": 2, "reserved": 1}
    assert any(v.evidence.get("offered") == 1 and v.evidence.get("filled") == 2 for v in found)


def test_i2_seat_row_disagrees_with_outcomes(county: Scenario, valid: RoundResult) -> None:
    found = verify(county, replace_row(valid, "B-PE", vacant=0))
    assert invariants(found) == {"I2"}
    assert [(v.post, v.evidence["stated"], v.evidence["expected"]) for v in found] == [
        ("B-PE", 0, 1)
    ]


def test_i2_missing_and_unknown_seat_rows(county: Scenario, valid: RoundResult) -> None:
    rows = tuple(r for r in valid.posts if r.post != "B-PE")
    ghost = valid.posts[0].model_copy(update={"post": "NOPE"})
    found = verify(county, valid.model_copy(update={"posts": (*rows, ghost)}))
    assert invariants(found) == {"I2"}
    assert {v.post for v in found} == {"B-PE", "NOPE"}


def test_i3_post_of_a_subject_not_taught(county: Scenario, valid: RoundResult) -> None:
    # T10 teaches maths and English; B-PE is physical education.
    broken = mutate(
        county, valid, outcome(county, "T10", Status.ADJUSTED, "B", post="B-PE", round=ADJ)
    )
    found = verify(county, broken)
    assert invariants(found) == {"I3"}
    assert [(v.teacher, v.post) for v in found] == [("T10", "B-PE")]


def test_i3_unknown_post_never_raises(county: Scenario, valid: RoundResult) -> None:
    ghost = valid.outcome("T10").model_copy(
        update={"status": Status.ADJUSTED, "post": "NOPE", "school": "B", "round": ADJ}
    )
    broken = valid.model_copy(
        update={"outcomes": tuple(ghost if o.teacher == "T10" else o for o in valid.outcomes)}
    )
    found = verify(county, broken)
    assert "I3" in invariants(found)
    assert any(v.post == "NOPE" for v in found)


def test_i3_status_disagrees_with_round(county: Scenario, valid: RoundResult) -> None:
    # Unavoidably three invariants: a placement by no round of the plan is no placement,
    # so T12 counts as unplaced in every round, beside the B-ENG seat it really holds
    # (free in the cross-school round: I7; free in the adjustment round: I8).
    broken = mutate(county, valid, valid.outcome("T12").model_copy(update={"round": "nowhere"}))
    assert invariants(verify(county, broken)) == {"I3", "I7", "I8"}


def test_i4_protected_post_given_away(county: Scenario, valid: RoundResult) -> None:
    # P1 loses the R4 seat (no post, no conflict) and T3 wins it in-school. The split
    # is the one a result without P1's protection implies (A-CHN 3 in-school seats; the
    # county's cross-school seat moves to A, at A-MAT), so only I4 is broken.
    split = {**SPLIT, "A-CHN": (3, 0), "A-MAT": (1, 1), "B-ENG": (3, 0)}
    broken = mutate(
        county,
        valid,
        outcome(county, "P1", Status.PROTECTED, "A", protected_by=("maternity_leave",)),
        outcome(county, "T3", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
        split=split,
    )
    found = verify(county, broken)
    assert invariants(found) == {"I4"}
    assert {v.teacher for v in found} == {"P1"}
    assert any(v.post == "A-CHN" and v.evidence["free"] == 3 for v in found)


def test_i4_non_protected_teacher_marked_protected(county: Scenario, valid: RoundResult) -> None:
    fake = outcome(county, "T10", Status.PROTECTED, "B", protected_by=("maternity_leave",))
    conflict = Conflict(rule="R4", teacher="T10", school="B", message="no seat")
    broken = mutate(county, valid, fake).model_copy(update={"conflicts": (conflict,)})
    found = verify(county, broken)
    assert invariants(found) == {"I4"}
    assert {v.teacher for v in found} == {"T10"}


def test_i4_wrong_reasons(county: Scenario, valid: RoundResult) -> None:
    wrong = valid.outcome("P1").model_copy(update={"protected_by": ("near_retirement",)})
    found = verify(county, mutate(county, valid, wrong))
    assert invariants(found) == {"I4"}


def test_i4_protected_teacher_without_seat_needs_a_real_conflict(
    county: Scenario, valid: RoundResult
) -> None:
    # A genuine R4 conflict: a protected music teacher at A, which has no music post.
    data = county_data()
    data["teachers"].append(  # type: ignore[attr-defined]
        teacher("P2", "A", ("音乐",), score=30.0, circumstances=["serious_sick_leave"])
    )
    s = kgxp.parse_scenario(data)
    conflict = Conflict(rule="R4", teacher="P2", school="A", message="no seat")
    p2 = outcome(s, "P2", Status.PROTECTED, "A", protected_by=("serious_sick_leave",))
    result = round_result(s, [*valid_outcomes(s), p2], SPLIT, policy=EXPLICIT, conflicts=[conflict])
    assert verify(s, result) == []
    found = verify(s, result.model_copy(update={"conflicts": ()}))
    assert invariants(found) == {"I4"}
    assert [v.teacher for v in found] == ["P2"]


def test_i5_split_count_changed(county: Scenario, valid: RoundResult) -> None:
    found = verify(county, replace_row(valid, "A-MAT", in_school=1, cross_school=1))
    assert invariants(found) == {"I5"}
    assert dict(found[0].evidence) == {"stated": [1, 1], "expected": [2, 0]}


def test_i5_in_school_offer_changed(county: Scenario, valid: RoundResult) -> None:
    row = next(r for r in valid.posts if r.post == "B-PE")
    found = verify(county, replace_row(valid, "B-PE", offered={**row.offered, IN: 2}))
    assert invariants(found) == {"I5"}
    assert found[0].evidence["round"] == IN


def test_i6_in_school_round_places_at_another_school(county: Scenario, valid: RoundResult) -> None:
    # T12 (school A) placed at B-ENG by the in-school round instead of the cross-school one.
    broken = mutate(
        county, valid, outcome(county, "T12", Status.IN_SCHOOL, "A", post="B-ENG", round=IN)
    )
    found = verify(county, broken)
    assert invariants(found) == {"I6"}
    assert [(v.teacher, v.post) for v in found] == [("T12", "B-ENG")]


def test_i6_home_school_ignores_the_merger(county: Scenario, valid: RoundResult) -> None:
    # T3's school M was merged into A (R3): the home school is A, not M.
    wrong = valid.outcome("T3").model_copy(update={"home_school": "M"})
    found = verify(county, mutate(county, valid, wrong))
    assert invariants(found) == {"I6"}


def test_i7_swapped_higher_and_lower_class(county: Scenario, valid: RoundResult) -> None:
    broken = mutate(
        county,
        valid,
        outcome(county, "T2", Status.WAITING, "A", school="A"),
        outcome(county, "T3", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
    )
    found = verify(county, broken)
    assert invariants(found) == {"I7"}
    [envy] = found
    assert (envy.teacher, envy.post) == ("T2", "A-CHN")
    assert envy.evidence["kind"] == "outranks_holder"
    assert envy.evidence["holder"] == "T3"
    assert envy.evidence["holder_class"] > envy.evidence["teacher_class"]  # type: ignore[operator]


def test_i7_preferred_seat_left_free(county: Scenario, valid: RoundResult) -> None:
    # T8 is left out of the cross-school round although A-MAT had a seat there for
    # them (and for T9); the adjustment round then gives T8 that seat, so no
    # adjustment rule is broken.
    broken = mutate(
        county, valid, outcome(county, "T8", Status.ADJUSTED, "B", post="A-MAT", round=ADJ)
    )
    found = verify(county, broken)
    assert invariants(found) == {"I7"}
    assert {(v.teacher, v.post, v.evidence["kind"]) for v in found} == {
        ("T8", "A-MAT", "free_seat"),
        ("T9", "A-MAT", "free_seat"),
    }


def test_i7_ties_are_not_envy(county: Scenario) -> None:
    # T2 and T3 tied on score and every tie-breaker: the lottery's choice is not envy.
    data = county_data()
    for record in data["teachers"]:  # type: ignore[attr-defined]
        if record["id"] == "T3":
            record["score"] = 85.0
    s = kgxp.parse_scenario(data)
    result = round_result(s, valid_outcomes(s), SPLIT, policy=EXPLICIT)
    ranking = kgxp.round.ranking.rank_teachers(s.teachers, result.policy, result.seed)
    assert ranking.priority_class["T2"] == ranking.priority_class["T3"]
    swapped = mutate(
        s,
        result,
        outcome(s, "T2", Status.WAITING, "A", school="A"),
        outcome(s, "T3", Status.IN_SCHOOL, "A", post="A-CHN", round=IN),
    )
    assert verify(s, swapped) == []


def test_i8_lower_priority_teacher_adjusted(county: Scenario, valid: RoundResult) -> None:
    broken = mutate(
        county,
        valid,
        outcome(county, "T9", Status.WAITING, "B", school="B"),
        outcome(county, "T10", Status.ADJUSTED, "B", post="B-ENG", round=ADJ),
    )
    found = verify(county, broken)
    assert invariants(found) == {"I8"}
    [merit] = found
    assert (merit.teacher, merit.evidence["rival"]) == ("T9", "T10")
    assert merit.evidence["kind"] == "lower_priority_adjusted"


def test_i8_willing_teacher_waits_beside_a_vacancy(county: Scenario, valid: RoundResult) -> None:
    broken = mutate(county, valid, outcome(county, "T9", Status.WAITING, "B", school="B"))
    found = verify(county, broken)
    assert invariants(found) == {"I8"}
    assert {(v.teacher, v.post) for v in found} == {("T9", "B-ENG"), ("T10", "B-ENG")}
    assert all(v.evidence["kind"] == "free_seat" for v in found)


def test_i8_adjustment_withholds_a_vacancy(county: Scenario, valid: RoundResult) -> None:
    row = next(r for r in valid.posts if r.post == "B-PE")
    found = verify(county, replace_row(valid, "B-PE", offered={**row.offered, ADJ: 0}))
    assert invariants(found) == {"I8"}


def test_i9_unwilling_teacher_adjusted(county: Scenario, valid: RoundResult) -> None:
    # T11 refused adjustment; their higher performance does not make it merit (R6).
    broken = mutate(
        county,
        valid,
        outcome(county, "T9", Status.WAITING, "B", school="B"),
        outcome(county, "T11", Status.ADJUSTED, "B", post="B-ENG", round=ADJ),
    )
    found = verify(county, broken)
    assert invariants(found) == {"I9"}
    assert [v.teacher for v in found] == ["T11"]


def test_i9_waiting_with_a_post_or_at_a_closed_school(county: Scenario, valid: RoundResult) -> None:
    with_post = valid.outcome("T10").model_copy(update={"post": "B-PE"})
    assert invariants(verify(county, mutate(county, valid, with_post))) == {"I9"}
    at_closed = valid.outcome("T3").model_copy(update={"school": "M"})
    assert invariants(verify(county, mutate(county, valid, at_closed))) == {"I9"}


def test_i12_result_for_another_scenario(county: Scenario, valid: RoundResult) -> None:
    found = verify(county, valid.model_copy(update={"scenario_digest": "0" * 64}))
    assert invariants(found) == {"I12"}


# --- properties of the report ---------------------------------------------------------------


def test_violations_are_sorted_and_deterministic(county: Scenario, valid: RoundResult) -> None:
    broken = mutate(
        county,
        valid,
        outcome(county, "T9", Status.WAITING, "B", school="B"),
        outcome(county, "T11", Status.ADJUSTED, "B", post="B-ENG", round=ADJ),
        outcome(county, "T10", Status.ADJUSTED, "B", post="B-PE", round=ADJ),
    ).model_copy(update={"scenario_digest": "x"})
    found = verify(county, broken)
    assert invariants(found) == {"I3", "I9", "I12"}
    assert found == verify(county, broken)
    numbers = [int(v.invariant[1:]) for v in found]
    assert numbers == sorted(numbers)
    assert [v.invariant for v in found] == ["I3", "I9", "I12"]


def test_violation_is_frozen_readable_and_hashable() -> None:
    v = Violation("I7", "teacher T2 envies post A-CHN", teacher="T2", evidence={"holder": "T3"})
    assert str(v) == "I7: teacher T2 envies post A-CHN"
    assert hash(v) == hash(Violation("I7", "teacher T2 envies post A-CHN", teacher="T2"))
    with pytest.raises(TypeError):
        v.evidence["holder"] = "T4"  # type: ignore[index]
    assert v.as_dict()["evidence"] == {"holder": "T3"}


def test_never_raises_on_garbage(county: Scenario, valid: RoundResult) -> None:
    junk = Outcome.model_construct(
        teacher="T1",
        status=Status.CROSS_SCHOOL,
        home_school="Z",
        post="NOPE",
        school=None,
        round=None,
        score=Decimal(0),
        protected_by=(),
        preference_rank=None,
        reasons=(),
    )
    row = PostSeats.model_construct(
        post="A-CHN",
        school="?",
        subject="?",
        seats=-1,
        reserved=0,
        protected=9,
        in_school=0,
        cross_school=0,
        offered={"ghost": -3},
        filled={},
        vacant=0,
    )
    broken = valid.model_copy(
        update={"outcomes": (junk, *valid.outcomes[1:]), "posts": (row, *valid.posts[1:])}
    )
    found = verify(county, broken)
    assert {"I2", "I3", "I6"} <= invariants(found)
    assert set(invariants(found)) <= set(CHECKED_INVARIANTS)


@pytest.mark.parametrize(
    "junk", ["garbage", None, 42, {"teacher": "T1"}], ids=["text", "none", "int", "dict"]
)
def test_never_raises_on_outcomes_that_are_not_outcomes(
    county: Scenario, valid: RoundResult, junk: object
) -> None:
    # model_copy does not validate: what verify reads must still be reported, not raised.
    broken = valid.model_copy(update={"outcomes": (junk, *valid.outcomes[1:])})
    found = verify(county, broken)
    assert invariants(found) == {"I1"} and len(found) == 1
    assert "could not be read" in found[0].message
    assert found[0].evidence["error"]


# --- against the engine (kgxp.round.engine.run_round) ---------------------------------------------


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


def run_round(scenario: Scenario, **kwargs: object) -> RoundResult:
    from kgxp.round.engine import run_round as engine_run_round

    return engine_run_round(scenario, **kwargs)  # type: ignore[arg-type]


def test_engine_result_on_the_hand_made_county(county: Scenario, valid: RoundResult) -> None:
    result = run_round(county, policy=EXPLICIT)
    assert verify(county, result, rerun=True) == []
    # The engine places everyone as worked out by hand (shadow schools may differ).
    placed = {o.teacher: (o.status, o.post, o.round) for o in result.outcomes}
    assert placed == {o.teacher: (o.status, o.post, o.round) for o in valid.outcomes}
    assert [
        (r.post, r.in_school, r.cross_school, r.offered, r.filled, r.vacant) for r in result.posts
    ] == [(r.post, r.in_school, r.cross_school, r.offered, r.filled, r.vacant) for r in valid.posts]


@pytest.mark.parametrize(
    "policy",
    [
        Policy(),
        Policy.preset("two_level_three_rounds"),
        Policy(allow_voluntary_cross_school=True),
        Policy(adjustment_requires_willingness=False, in_school_share=Decimal("0.7")),
    ],
    ids=["default", "two_level_three_rounds", "volunteers", "no_willingness_70_30"],
)
def test_engine_result_on_the_example_county(example: Scenario, policy: Policy) -> None:
    result = run_round(example, policy=policy)
    assert verify(example, result) == []


def test_engine_rerun_on_the_example_county(example: Scenario) -> None:
    assert verify(example, run_round(example, seed=7), rerun=True) == []


def test_optimal_mechanism_result_verifies(county: Scenario) -> None:
    result = run_round(county, policy=Policy(mechanism=kgxp.Mechanism.OPTIMAL))
    assert verify(county, result) == []


def test_rerun_reports_a_tampered_outcome(county: Scenario) -> None:
    result = run_round(county)
    tampered = result.outcome("T6").model_copy(update={"school": "A"})
    changed = result.model_copy(
        update={"outcomes": tuple(tampered if o.teacher == "T6" else o for o in result.outcomes)}
    )
    assert verify(county, changed) == []  # A is a valid shadow-learning school
    found = verify(county, changed, rerun=True)
    assert invariants(found) == {"I12"}
    assert {v.teacher for v in found} == {"T6", None}


def test_volunteer_placed_in_school_breaks_round_order(county: Scenario) -> None:
    data = county_data()
    for record in data["teachers"]:  # type: ignore[attr-defined]
        if record["id"] == "T6":
            record["volunteers_cross_school"] = True
    s = kgxp.parse_scenario(data)
    policy = Policy(allow_voluntary_cross_school=True)
    result = run_round(s, policy=policy)
    assert verify(s, result) == []
    cheat = result.outcome("T5").model_copy(update={"teacher": "T6"})
    t5 = result.outcome("T5").model_copy(
        update={"status": Status.WAITING, "post": None, "round": None, "school": "B"}
    )
    swapped = result.model_copy(
        update={
            "outcomes": tuple(
                cheat if o.teacher == "T6" else t5 if o.teacher == "T5" else o
                for o in result.outcomes
            )
        }
    )
    assert "I6" in invariants(verify(s, swapped))


def test_ten_thousand_teachers_verify(example: Scenario) -> None:
    """4 copies of the example county (9,724 teachers) verify clean.

    Speed is measured by benchmarks/run.py, not asserted here (timed unit tests
    flake on loaded machines).
    """
    import json

    from tests.conftest import load_benchmark_runner

    module = load_benchmark_runner()
    big = kgxp.parse_scenario(module.replicate(json.loads(EXAMPLE.read_text("utf-8")), 4))
    assert len(big.teachers) > 9_000
    assert verify(big, run_round(big)) == []
