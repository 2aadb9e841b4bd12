"""CV ≤ the national threshold as a target of the targeted mechanism, on whole counties (R12, §6).

A hand-solved county where the fewest envy pairs for a CV target is known, an
out-of-reach threshold explained (never raised), and ``verify`` (I15) catching a
result whose CV breaks the target it claims to meet.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import DistributionalTargets, Mechanism, Policy, RoundKind, RoundSpec, Scope
from kgxp.testing import policies, scenarios
from tests.factories import post, school, teacher

# --- the hand-solved county ------------------------------------------------------------
#
# Primary schools A and B, 100 pupils each. A's mathematics post has 4 seats, 3 of
# them held in advance (R4, maternity leave) by key (骨干) teachers; B's has 1 seat.
# Two teachers of school H (no pupils: outside the CV) compete in one cross-school
# round (in_school_share 0, no adjustment):
#
#   X (score 90, key teacher): A-MAT, then B-MAT
#   Y (score 80, not key):     A-MAT, then B-MAT
#
# Deferred acceptance: X takes A-MAT, Y takes B-MAT. Key teachers per school (4, 0):
# CV² = 200 · (16 + 0) / 100 / 16 − 1 = 1, CV 1.
# With X at B and Y at A instead: (3, 1), CV² = 200 · (9 + 1) / 100 / 16 − 1 = 1/4,
# CV 0.5 — exactly the primary threshold; X outranks Y at A-MAT, his first choice:
# one justified-envy pair, the fewest (the only other placements leave B without a
# key teacher, CV ≥ 1). A threshold of 0.4 is out of reach: the lowest is 0.5.

TARGET = "cv_key_teachers_primary"


def cv_county() -> kgxp.Scenario:
    math = ("数学",)
    protected = [
        teacher(f"P{i}", "A", math, key_teacher=True, circumstances=["maternity_leave"])
        for i in (1, 2, 3)
    ]
    return kgxp.parse_scenario(
        {
            "county": {"name": "均衡县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": 10},
            "schools": [
                school("A", enrolment=100),
                school("B", enrolment=100),
                school("H", segment="junior", enrolment=0),
            ],
            "posts": [post("A-MAT", "A", "数学", 4), post("B-MAT", "B", "数学", 1)],
            "teachers": [
                *protected,
                teacher(
                    "X", "H", math, score=90.0, key_teacher=True, preferences=["A-MAT", "B-MAT"]
                ),
                teacher("Y", "H", math, score=80.0, preferences=["A-MAT", "B-MAT"]),
            ],
        }
    )


def cv_policy(threshold: str) -> Policy:
    return Policy(
        mechanism="targeted",
        in_school_share=Decimal(0),
        cv_threshold_primary=Decimal(threshold),
        rounds=(RoundSpec(name="cross_school", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),),
        targets=DistributionalTargets(cv_indicators=["key_teachers"]),
    )


def posts_of(result: kgxp.RoundResult) -> dict[str, str | None]:
    return {o.teacher: o.post for o in result.outcomes if o.teacher in ("X", "Y")}


@pytest.fixture(scope="module")
def priced() -> tuple[kgxp.Scenario, kgxp.RoundResult]:
    county = cv_county()
    return county, kgxp.run_round(county, policy=cv_policy("0.5"))


def test_the_fewest_envy_pairs_for_the_cv_target(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    county, result = priced
    assert posts_of(result) == {"X": "B-MAT", "Y": "A-MAT"}
    assert [
        (e.teacher, e.post, e.kind, e.holder, e.targets, e.rules) for e in result.exceptions
    ] == [("X", "A-MAT", "outranks_holder", "Y", (TARGET,), ("R12",))]
    (report,) = result.targets
    assert (report.target, report.share, report.cv, report.met, report.envy_pairs) == (
        TARGET,
        Decimal("0.5"),
        Decimal("0.5000"),
        True,
        1,
    )
    assert report.best_cv is None and report.explanation is None
    assert result.outcome("X").reasons[-1].code == "policy_exception"
    assert kgxp.verify(county, result) == []


def test_the_price_of_a_cv_target_is_published_in_chinese(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    county, result = priced
    lists = kgxp.publication_lists(county, result)
    (exceptions,) = [item for item in lists if item.key == "policy_exception"]
    header = list(exceptions.header)
    (row,) = [dict(zip(header, r, strict=True)) for r in exceptions.rows]
    assert row[header[-1]] == "小学县级以上骨干教师数校际差异系数"
    assert row[header[-2]] == "教师Y"


def test_a_result_with_cv_reports_round_trips_through_json(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    _, result = priced
    assert kgxp.RoundResult.from_json(result.to_json()) == result


def test_a_cv_target_already_met_costs_nothing() -> None:
    county = cv_county()
    result = kgxp.run_round(county, policy=cv_policy("1"))
    assert posts_of(result) == {"X": "A-MAT", "Y": "B-MAT"}
    assert result.exceptions == ()
    (report,) = result.targets
    assert report.met and report.cv == Decimal("1.0000")
    assert kgxp.verify(county, result) == []


def test_an_unreachable_cv_target_is_explained_not_raised() -> None:
    county = cv_county()
    result = kgxp.run_round(county, policy=cv_policy("0.4"))
    (report,) = result.targets
    assert (report.met, report.feasible, report.cv, report.best_cv) == (
        False,
        False,
        Decimal("1.0000"),
        Decimal("0.5000"),
    )
    assert report.explanation is not None and "0.5000" in report.explanation
    # The county's two teachers leave nothing to search: 0.5 is proven the lowest.
    assert "proven the lowest round cross_school can reach" in report.explanation
    assert report.best_cv_proven is True  # the same, as a field
    # No price paid for a target out of reach: the plain placement.
    assert posts_of(result) == {"X": "A-MAT", "Y": "B-MAT"}
    assert result.exceptions == ()
    assert kgxp.verify(county, result) == []


def test_verify_catches_a_result_whose_cv_breaks_the_target() -> None:
    """The plain placement (CV 1) presented as meeting a threshold of 0.5."""
    county = cv_county()
    plain = kgxp.run_round(county, policy=cv_policy("1"))
    (report,) = plain.targets
    claimed = report.model_copy(update={"share": Decimal("0.5")})
    broken = plain.model_copy(update={"policy": cv_policy("0.5"), "targets": (claimed,)})
    found = [v for v in kgxp.verify(county, broken) if v.invariant == "I15"]
    assert any("reported met with a CV of 1.0000" in v.message for v in found)
    assert any("not met" in v.message and "not explained" in v.message for v in found)


def test_verify_catches_a_misreported_cv(priced: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    county, result = priced
    (report,) = result.targets
    lying = report.model_copy(update={"cv": Decimal("0.4000")})
    found = kgxp.verify(county, result.model_copy(update={"targets": (lying,)}))
    assert any(v.invariant == "I15" and "recomputed" in v.evidence for v in found)
    missing = kgxp.verify(county, result.model_copy(update={"targets": ()}))
    assert any(v.invariant == "I15" and "has no report" in v.message for v in missing)


def test_cv_target_names_cover_every_segment() -> None:
    targets = DistributionalTargets(cv_indicators=["pe_and_art"])
    assert targets.declared() == {
        "cv_pe_and_art_primary",
        "cv_pe_and_art_junior",
        "cv_pe_and_art_nine_year",
    }
    with pytest.raises(ValueError, match="listed twice"):
        DistributionalTargets(cv_indicators=["pe_and_art", "pe_and_art"])


# --- generated counties ----------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    scenarios(max_teachers=20),
    policies(mechanisms=(Mechanism.TARGETED,)),
    st.lists(
        st.sampled_from(["above_required_qualification", "key_teachers", "pe_and_art"]),
        unique=True,
        min_size=1,
        max_size=2,
    ),
    st.sampled_from(["0.05", "0.2", "0.45", "0.8"]),
)
def test_targeted_cv_targets_verify_on_generated_counties(
    scenario: kgxp.Scenario, policy: Policy, indicators: list[str], threshold: str
) -> None:
    # Pupils at every school (generated ones may have none), so every segment counts.
    schools = [
        s.model_copy(update={"enrolment": 60 + 37 * i}) for i, s in enumerate(scenario.schools)
    ]
    scenario = scenario.model_copy(update={"schools": tuple(schools)})
    policy = policy.evolve(
        cv_threshold_primary=threshold,
        cv_threshold_junior=threshold,
        targets=DistributionalTargets(cv_indicators=indicators),
    )
    result = kgxp.run_round(scenario, policy=policy)
    assert kgxp.verify(scenario, result) == []  # CVs recomputed, every envy pair declared
    for report in result.targets:
        if not report.met:
            assert not report.feasible and report.explanation
            # No price is paid for a target not met.
            assert report.envy_pairs == 0
    met = {r.target for r in result.targets if r.met}
    assert all(set(e.targets) <= met for e in result.exceptions)


def test_example_county_cv_targets_undone_by_adjustment_cost_nothing() -> None:
    """Thresholds of 0.24 for PE and art teachers on the example county.

    The cross-school round meets the primary and junior targets, but adjustment (R6)
    pushes the CVs back above 0.24; the mechanism tightens the round's limit and, as
    they stay missed, drops them: no claim is set aside for a target not met.
    """
    scenario = kgxp.load_scenario("examples/ziyang_county.json")
    policy = Policy(
        mechanism="targeted",
        cv_threshold_primary=Decimal("0.24"),
        cv_threshold_junior=Decimal("0.24"),
        targets=DistributionalTargets(cv_indicators=["pe_and_art"]),
    )
    result = kgxp.run_round(scenario, policy=policy)
    assert kgxp.verify(scenario, result) == []
    assert [(r.target, r.met) for r in result.targets] == [
        ("cv_pe_and_art_primary", False),
        ("cv_pe_and_art_junior", False),
        ("cv_pe_and_art_nine_year", False),
    ]
    # Met in the round (lowest found below the threshold), undone by adjustment.
    assert all(r.best_cv is not None for r in result.targets)
    primary = result.targets[0]
    assert primary.best_cv is not None and primary.best_cv <= Decimal("0.24")
    assert "adjustment" in (primary.explanation or "")
    assert result.exceptions == ()


def test_the_lowest_cv_is_labelled_proven_or_a_bound() -> None:
    """best_cv is reached by a placement; the explanation says whether it is the lowest."""
    from fractions import Fraction

    from kgxp.round.balance import balance_tables, explain_cv
    from kgxp.round.prepare import prepare
    from kgxp.round.ranking import scenario_ranking

    county, policy = cv_county(), cv_policy("0.4")
    prepared = prepare(county, policy, scenario_ranking(county, policy, policy.lottery_seed))
    (spec,) = balance_tables(county, policy, prepared.home).cv_targets
    now, lowest = Fraction(1), Fraction(1, 4)  # CV 1.0 now, 0.5 found
    bound = explain_cv(spec, "cross_school", now, lowest, False)
    assert "0.5000 (an upper bound, not proven the lowest" in bound
    proven = explain_cv(spec, "cross_school", now, lowest, False, proven=lowest)
    assert "0.5000 (proven the lowest round cross_school can reach, to 0.001" in proven
    # Adjustment went below what the round alone is proven to reach: a bound again.
    after = explain_cv(spec, "cross_school", lowest, lowest, False, proven=Fraction(9, 25))
    assert "0.5000 (an upper bound: round cross_school alone is proven unable to go below " in after
    assert "0.6000" in after


def test_the_proof_of_the_lowest_cv_is_a_field_too() -> None:
    """``best_cv_proven`` agrees with the explanation's label in the three cases."""
    from fractions import Fraction

    from kgxp.round.balance import balance_tables, cv_report
    from kgxp.round.prepare import prepare
    from kgxp.round.ranking import scenario_ranking

    county, policy = cv_county(), cv_policy("0.4")
    prepared = prepare(county, policy, scenario_ranking(county, policy, policy.lottery_seed))
    (spec,) = balance_tables(county, policy, prepared.home).cv_targets
    plain = [1, 0]  # both teachers at one school: CV 1
    lowest = Fraction(1, 4)  # CV 0.5 found by the round
    proven = cv_report(spec, plain, "cross_school", (False, lowest), 0, proven=True)
    assert (proven.best_cv, proven.best_cv_proven) == (Decimal("0.5000"), True)
    bound = cv_report(spec, plain, "cross_school", (False, lowest), 0, proven=False)
    assert (bound.best_cv, bound.best_cv_proven) == (Decimal("0.5000"), False)
    assert "upper bound" in (bound.explanation or "")
    met = cv_report(spec, [1, 1], "cross_school", (True, Fraction(0)), 0, proven=True)
    assert met.met and met.best_cv is None and met.best_cv_proven is None
