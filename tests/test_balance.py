"""均衡发展 as an objective on whole rounds (R12, R16, R17): balanced and targeted mechanisms.

- a hand-solved county where the fewest envy pairs for an R16 target is known;
- property tests on generated counties (kgxp.testing): the balanced placement verifies
  clean and is never worse than the optimal one county-wide; the targeted placement
  meets every feasible target, declares every envy pair, explains the rest, verifies;
- ``verify`` catches an undeclared envy pair, a declared pair that is not envy, and a
  target result that lies (I7, I15);
- the comparison table and the frontier of docs/balance.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import DistributionalTargets, Mechanism, Policy, RoundKind, RoundSpec, Scope
from kgxp.testing import policies, scenarios
from kgxp.views.balance import balance_comparison, render_balance_table, target_frontier
from tests.factories import post, school, teacher

# --- the hand-solved county ------------------------------------------------------------
#
# Three urban teachers of school U1 compete for two posts elsewhere (mathematics),
# in one cross-school round (every seat is cross-school: in_school_share 0; no
# adjustment round, so the round's placement is the final one):
#
#   U2-MAT  urban school U2, 1 seat        A (score 90): U2-MAT, then R1-MAT
#   R1-MAT  rural school R1, 2 seats       B (score 85): U2-MAT, then R1-MAT
#                                          C (score 80): U2-MAT only
#
# Deferred acceptance: A takes U2-MAT; B and C are rejected there; B takes R1-MAT;
# C has nothing left. One urban → rural move (B) of three urban teachers.
#
# Target R16 share 0.6: ceil(0.6 × 3) = 2 moves. Only A and B applied for a rural
# post, so both must hold R1-MAT (it has two seats). Then U2-MAT either
#   (a) goes to C: A and B each prefer U2-MAT and outrank C there → 2 envy pairs; or
#   (b) stays empty: A, B and C each prefer a post with a free seat → 3 envy pairs.
# The fewest is 2, matching (a): A→R1, B→R1, C→U2, exceptions (A, U2-MAT) and
# (B, U2-MAT), both held by C.
#
# Target share 0.7: ceil(2.1) = 3 moves, but C applied for no rural post: at most 2,
# infeasible. kgxp reports it (best 2 of 3) and pays no price: the plain placement.


def hand_county() -> kgxp.Scenario:
    math = ("数学",)
    return kgxp.parse_scenario(
        {
            "county": {"name": "手算县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": 10},
            "schools": [
                school("U1", locality="urban"),
                school("U2", locality="urban"),
                school("R1", locality="rural"),
            ],
            "posts": [post("U2-MAT", "U2", "数学", 1), post("R1-MAT", "R1", "数学", 2)],
            "teachers": [
                teacher("A", "U1", math, score=90.0, preferences=["U2-MAT", "R1-MAT"]),
                teacher("B", "U1", math, score=85.0, preferences=["U2-MAT", "R1-MAT"]),
                teacher("C", "U1", math, score=80.0, preferences=["U2-MAT"]),
            ],
        }
    )


def hand_policy(share: str | None, mechanism: Mechanism = Mechanism.TARGETED) -> Policy:
    return Policy(
        mechanism=mechanism,
        in_school_share=Decimal(0),
        rounds=(RoundSpec(name="cross_school", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),),
        targets=DistributionalTargets(urban_to_rural_share=share),
    )


def posts_of(result: kgxp.RoundResult) -> dict[str, str | None]:
    return {o.teacher: o.post for o in result.outcomes}


def test_hand_county_without_a_target_is_deferred_acceptance() -> None:
    result = kgxp.run_round(hand_county(), policy=hand_policy(None))
    assert posts_of(result) == {"A": "U2-MAT", "B": "R1-MAT", "C": None}
    assert result.exceptions == () and result.targets == ()


def test_hand_county_fewest_envy_pairs_for_the_target() -> None:
    county = hand_county()
    result = kgxp.run_round(county, policy=hand_policy("0.6"))
    assert posts_of(result) == {"A": "R1-MAT", "B": "R1-MAT", "C": "U2-MAT"}
    pairs = [(e.teacher, e.post, e.kind, e.holder) for e in result.exceptions]
    assert pairs == [
        ("A", "U2-MAT", "outranks_holder", "C"),
        ("B", "U2-MAT", "outranks_holder", "C"),
    ]
    assert all(
        e.targets == ("urban_to_rural_share",) and e.rules == ("R16",) for e in result.exceptions
    )
    (report,) = result.targets
    assert (report.required, report.achieved, report.met, report.envy_pairs) == (2, 2, True, 2)
    # The price is in each teacher's reasons, and verify accepts exactly it.
    reason = result.outcome("A").reasons[-1]
    assert (reason.code, reason.rule, reason.post, reason.rival) == (
        "policy_exception",
        "R16",
        "U2-MAT",
        "C",
    )
    assert kgxp.verify(county, result) == []


def test_hand_county_infeasible_target_is_explained_not_raised() -> None:
    county = hand_county()
    result = kgxp.run_round(county, policy=hand_policy("0.7"))
    (report,) = result.targets
    assert (report.required, report.met, report.feasible, report.best_possible) == (
        3,
        False,
        False,
        2,
    )
    assert report.explanation is not None
    assert "at most 66.7%" in report.explanation and "rural" in report.explanation
    # No price paid for a target it cannot meet: the plain placement.
    assert posts_of(result) == {"A": "U2-MAT", "B": "R1-MAT", "C": None}
    assert result.exceptions == ()
    assert kgxp.verify(county, result) == []


def test_a_plan_without_cross_school_round_explains_the_target() -> None:
    county = hand_county()
    # Adjustment alone moves A and B to R1 (C to U2): 2 of the 3 a share of 1 needs.
    policy = hand_policy("1").evolve(
        rounds=(RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.COUNTY),)
    )
    result = kgxp.run_round(county, policy=policy)
    (report,) = result.targets
    assert not report.met and "no cross-school round" in (report.explanation or "")
    assert kgxp.verify(county, result) == []


# --- verify catches a broken bargain (I7, I15) -----------------------------------------


def invariants(found: list[kgxp.Violation]) -> set[str]:
    return {v.invariant for v in found}


@pytest.fixture(scope="module")
def priced() -> tuple[kgxp.Scenario, kgxp.RoundResult]:
    county = hand_county()
    return county, kgxp.run_round(county, policy=hand_policy("0.6"))


def test_an_undeclared_envy_pair_is_caught(priced: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    county, result = priced
    hidden = result.model_copy(update={"exceptions": result.exceptions[1:]})  # drops A's
    found = kgxp.verify(county, hidden)
    assert [(v.invariant, v.teacher, v.post) for v in found if v.invariant == "I7"] == [
        ("I7", "A", "U2-MAT")
    ]
    assert "I15" in invariants(found)  # the report's envy count no longer matches


def test_a_declared_pair_that_is_not_envy_is_caught(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    county, result = priced
    fake = result.exceptions[0].model_copy(update={"teacher": "C"})
    found = kgxp.verify(
        county, result.model_copy(update={"exceptions": (*result.exceptions, fake)})
    )
    assert any(v.invariant == "I15" and "not a justified-envy pair" in v.message for v in found)


def test_exceptions_without_a_declared_target_are_not_accepted(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    county, result = priced
    optimal = result.model_copy(update={"policy": result.policy.evolve(mechanism="optimal")})
    found = kgxp.verify(county, optimal)
    assert {(v.invariant, v.teacher) for v in found if v.invariant == "I7"} == {
        ("I7", "A"),
        ("I7", "B"),
    }
    assert "I15" in invariants(found)


def test_a_target_report_that_lies_is_caught(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    county, result = priced
    (report,) = result.targets
    inflated = report.model_copy(update={"achieved": 3})
    found = kgxp.verify(county, result.model_copy(update={"targets": (inflated,)}))
    assert any(v.invariant == "I15" and "recomputed" in v.evidence for v in found)
    unmet = report.model_copy(update={"met": False})
    assert "I15" in invariants(kgxp.verify(county, result.model_copy(update={"targets": (unmet,)})))
    assert "I15" in invariants(kgxp.verify(county, result.model_copy(update={"targets": ()})))


def test_a_feasible_target_left_unmet_is_caught() -> None:
    county = hand_county()
    plain = kgxp.run_round(county, policy=hand_policy(None))
    lying = plain.model_copy(
        update={
            "policy": hand_policy("0.6"),
            "targets": (
                kgxp.TargetReport(
                    target="urban_to_rural_share",
                    rule="R16",
                    share=Decimal("0.6"),
                    base=3,
                    required=2,
                    achieved=1,
                    met=False,
                    feasible=True,
                ),
            ),
        }
    )
    found = kgxp.verify(county, lying)
    assert any(v.invariant == "I15" and "not explained" in v.message for v in found)


# --- generated counties ----------------------------------------------------------------


def goals(scenario: kgxp.Scenario, result: kgxp.RoundResult) -> tuple[int, int, int]:
    (row,) = balance_comparison(scenario, {"r": result})
    return row.placed, row.rural_shortage_filled, row.urban_to_rural


@settings(max_examples=25)
@given(scenarios(max_teachers=20), policies(mechanisms=(Mechanism.BALANCED,)))
def test_balanced_verifies_and_is_never_worse_than_optimal(
    scenario: kgxp.Scenario, policy: Policy
) -> None:
    policy = policy.evolve(shortage_subjects=("体育",))  # the strategy's shortage subject
    balanced = kgxp.run_round(scenario, policy=policy)
    optimal = kgxp.run_round(scenario, policy=policy.evolve(mechanism="optimal"))
    assert kgxp.verify(scenario, balanced) == []  # I7 empty among the rest
    assert balanced.exceptions == ()
    mine, theirs = goals(scenario, balanced), goals(scenario, optimal)
    assert all(a >= b for a, b in zip(mine, theirs, strict=True)), (mine, theirs)


shares = st.one_of(st.none(), st.sampled_from(["0", "0.05", "0.2", "0.5", "1"]))


@settings(max_examples=25)
@given(scenarios(max_teachers=20), policies(mechanisms=(Mechanism.TARGETED,)), shares, shares)
def test_targeted_meets_declares_and_explains(
    scenario: kgxp.Scenario, policy: Policy, moves: str | None, fill: str | None
) -> None:
    policy = policy.evolve(
        shortage_subjects=("体育",),
        targets=DistributionalTargets(urban_to_rural_share=moves, rural_shortage_fill_share=fill),
    )
    result = kgxp.run_round(scenario, policy=policy)
    assert kgxp.verify(scenario, result) == []  # every envy pair declared, targets checked
    assert len(result.targets) == (moves is not None) + (fill is not None)
    for report in result.targets:
        assert report.met == (report.achieved >= report.required)
        if not report.met:
            assert not report.feasible and report.explanation
    if not result.targets:
        assert result.exceptions == ()


def test_result_json_round_trips_with_exceptions(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult],
) -> None:
    _, result = priced
    assert kgxp.RoundResult.from_json(result.to_json()) == result


# --- the analyst's views ----------------------------------------------------------------


def test_comparison_table_counts_the_price(priced: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    county, result = priced
    plain = kgxp.run_round(county, policy=hand_policy(None))
    rows = balance_comparison(county, {"plain": plain, "targeted": result})
    assert [(r.urban_to_rural, r.envy_pairs, r.declared_exceptions) for r in rows] == [
        (1, 0, 0),
        (2, 2, 2),
    ]
    table = render_balance_table(rows)
    # Rows named otherwise than by their mechanism are variants (a what-if, a policy
    # grid): the table says so, and names each one's mechanism beside it.
    assert table.splitlines()[0].startswith("| variant | mechanism | placed |")
    assert table.splitlines()[3].startswith("| targeted | targeted | 3 | 0/0 | 2 (66.7%)")
    assert table.splitlines()[2].startswith(f"| plain | {plain.policy.mechanism.value} | ")


def test_frontier_prices_each_share() -> None:
    points = target_frontier(hand_county(), ["0", "0.6", "0.7"], policy=hand_policy(None))
    assert [(p.required, p.met, p.envy_pairs, p.best_possible) for p in points] == [
        (0, True, 0, None),
        (2, True, 2, None),
        (3, False, 0, 2),
    ]


def test_policy_rejects_a_repeated_goal() -> None:
    with pytest.raises(ValueError, match="balance goal"):
        Policy(balance_goals=("urban_to_rural", "urban_to_rural"))


def test_targets_validate_shares() -> None:
    data: dict[str, Any] = {"urban_to_rural_share": "1.5"}
    with pytest.raises(ValueError, match="less than or equal to 1"):
        DistributionalTargets.model_validate(data)


def test_the_price_is_published(priced: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    county, result = priced
    lists = kgxp.publication_lists(county, result)
    (exceptions,) = [item for item in lists if item.key == "policy_exception"]
    assert exceptions.title == "政策性例外名单"
    assert exceptions.teachers == ("A", "B")
    header = list(exceptions.header)
    rows = [dict(zip(header, row, strict=True)) for row in exceptions.rows]
    assert [row["教师编号"] for row in rows] == ["A", "B"]
    assert {row[header[-1]] for row in rows} == {"城区教师到农村学校任教比例"}
    assert {row[header[-2]] for row in rows} == {"教师C"}
    plain = kgxp.run_round(county, policy=hand_policy(None))
    assert "policy_exception" not in [item.key for item in kgxp.publication_lists(county, plain)]


def test_exception_list_is_written(
    priced: tuple[kgxp.Scenario, kgxp.RoundResult], tmp_path: Any
) -> None:
    county, result = priced
    files = kgxp.write_results(county, result, tmp_path, formats=("csv",))
    assert any(f.name == "政策性例外名单.csv" for f in files)


def test_docs_balance_table_is_current() -> None:
    from tests.conftest import ROOT

    scenario = kgxp.load_scenario(ROOT / "examples" / "ziyang_county.json")
    policy = Policy(targets=DistributionalTargets(rural_shortage_fill_share="0.70"))
    results = {
        m.value: kgxp.run_round(scenario, policy=policy.evolve(mechanism=m)) for m in Mechanism
    }
    table = render_balance_table(balance_comparison(scenario, results))
    text = (ROOT / "docs" / "balance.md").read_text(encoding="utf-8")
    start = text.index("<!-- balance-table:start -->\n") + len("<!-- balance-table:start -->\n")
    end = text.index("\n<!-- balance-table:end -->")
    assert text[start:end] == table, "regenerate docs/balance.md's table (render_balance_table)"
    rows = {r.label: r for r in balance_comparison(scenario, results)}
    assert rows["balanced"].envy_pairs == 0 and rows["targeted"].targets_met == "1/1"


def test_targeted_rerun_is_byte_identical(priced: tuple[kgxp.Scenario, kgxp.RoundResult]) -> None:
    county, result = priced
    # I12: the engine again, on the records in reverse order, gives the same result.
    assert kgxp.verify(county, result, rerun=True) == []
    assert kgxp.run_round(county, policy=result.policy).to_json() == result.to_json()
