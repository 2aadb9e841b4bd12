"""Policy as data: defaults from seed 000, sources per parameter, immutability, presets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

import kgxp
from kgxp import (
    Circumstance,
    Policy,
    RoundKind,
    RoundSpec,
    Scope,
    WaitingExit,
    WaitingTermPay,
    preset,
    preset_names,
)


def test_defaults_follow_seed_000() -> None:
    policy = Policy()
    assert policy.in_school_share == Decimal("0.9")
    assert policy.cross_school_share == Decimal("0.1")
    assert set(policy.protected_circumstances) == {
        Circumstance.MATERNITY_LEAVE,
        Circumstance.SERIOUS_SICK_LEAVE,
        Circumstance.VILLAGE_WORK_TEAM,
        Circumstance.AID_TIBET_YI,
    }
    assert policy.protect_near_retirement
    assert policy.retirement_window_months == 36
    assert policy.waiting_term_semesters == 1
    assert policy.first_term_pay == WaitingTermPay(year_end_bonus=Decimal("0.5"))
    assert policy.first_term_pay.incentive_performance == 0  # R8: no incentive pay
    assert policy.continued_pay.year_end_bonus == 0  # R9
    assert policy.waiting_limit_years == 3
    assert policy.waiting_limit_semesters == 6
    assert policy.waiting_exit is WaitingExit.DISMISSAL_REVIEW
    assert [r.kind for r in policy.rounds] == [
        RoundKind.IN_SCHOOL,
        RoundKind.CROSS_SCHOOL,
        RoundKind.ADJUSTMENT,
    ]


def test_every_parameter_names_a_rule_and_a_source() -> None:
    rows = Policy.parameters()
    assert [r.name for r in rows] == list(Policy.model_fields)
    missing = [r.name for r in rows if r.name != "name" and not (r.rule and r.source)]
    assert missing == []
    share = next(r for r in rows if r.name == "in_school_share")
    assert share.rule == "R5"
    assert "90%" in share.source


def test_policy_is_immutable() -> None:
    policy = Policy()
    with pytest.raises(ValidationError, match="frozen"):
        policy.in_school_share = Decimal("0.5")  # type: ignore[misc]


def test_evolve_returns_a_new_validated_policy() -> None:
    base = Policy()
    changed = base.evolve(in_school_share="0.85", lottery_seed=7)
    assert changed.in_school_share == Decimal("0.85")
    assert changed.lottery_seed == 7
    assert base.in_school_share == Decimal("0.9")
    assert base.lottery_seed == 0
    assert changed is not base


def test_evolve_rejects_unknown_parameters_and_bad_values() -> None:
    with pytest.raises(kgxp.PolicyError, match="unknown policy parameter") as unknown:
        Policy().evolve(in_school_shar="0.8")
    assert unknown.value.codes() == ["unknown_parameter"]
    # kgxp's own error, located, never pydantic's ValidationError (one hierarchy).
    with pytest.raises(kgxp.PolicyError, match="less than or equal to 1") as bad:
        Policy().evolve(in_school_share="1.5", first_term_pay={"year_end_bonus": "x"})
    assert not isinstance(bad.value, ValidationError)
    assert isinstance(bad.value, kgxp.KgxpError)
    assert isinstance(bad.value, ValueError)
    assert [p.field for p in bad.value.problems] == [
        "in_school_share",
        "first_term_pay.year_end_bonus",
    ]


def test_first_term_bonus_share_is_capped_r8() -> None:
    with pytest.raises(ValidationError, match="first_term_bonus_cap"):
        Policy(first_term_pay=WaitingTermPay(year_end_bonus=Decimal("0.6")))


def test_evaluation_weights_must_sum_to_one_r15() -> None:
    with pytest.raises(ValidationError, match="sum to 1"):
        Policy.model_validate({"evaluation_weights": {"student_rating": "0.5"}})


def test_tie_breakers_are_distinct() -> None:
    with pytest.raises(ValidationError, match="once"):
        Policy(tie_breakers=("performance", "performance"))  # type: ignore[arg-type]


def test_round_plan_rules() -> None:
    with pytest.raises(ValidationError, match="in-school round comes first"):
        Policy(
            rounds=(
                RoundSpec(name="x", kind=RoundKind.CROSS_SCHOOL),
                RoundSpec(name="y", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
            )
        )
    with pytest.raises(ValidationError, match="scoped to the school"):
        RoundSpec(name="x", kind=RoundKind.IN_SCHOOL, scope=Scope.COUNTY)
    with pytest.raises(ValidationError, match="distinct"):
        Policy(rounds=(RoundSpec(name="x", kind=RoundKind.ADJUSTMENT),) * 2)


def test_presets() -> None:
    assert preset_names() == ["default", "two_level_three_rounds", "wuhan_like"]
    assert preset("default") == Policy(name="default")
    two = preset("two_level_three_rounds")
    assert [(r.kind, r.scope) for r in two.rounds] == [
        (RoundKind.IN_SCHOOL, Scope.SCHOOL),
        (RoundKind.CROSS_SCHOOL, Scope.DISTRICT),
        (RoundKind.ADJUSTMENT, Scope.DISTRICT),
    ]
    wuhan = Policy.preset("wuhan_like")
    assert wuhan.first_term_pay.basic_salary == Decimal("0.7")
    assert wuhan.waiting_limit_years == 2
    assert wuhan.waiting_exit is WaitingExit.CONTRACT_END
    with pytest.raises(KeyError, match="unknown preset"):
        preset("nowhere")


def test_json_roundtrip_is_exact_and_order_independent() -> None:
    policy = Policy(protected_circumstances=(Circumstance.PREGNANCY, Circumstance.AID_TIBET_YI))
    text = policy.model_dump_json()
    again = Policy.model_validate_json(text)
    assert again == policy
    assert again.model_dump_json() == text
    assert (
        Policy().model_dump_json()
        == Policy.model_validate_json(Policy().model_dump_json()).model_dump_json()
    )
    assert policy.protected_circumstances == (Circumstance.AID_TIBET_YI, Circumstance.PREGNANCY)


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_a_policy_file_that_is_not_utf8_is_refused_in_either_format(fmt: str) -> None:
    from kgxp.files.policy_file import parse_policy

    with pytest.raises(kgxp.PolicyError) as raised:
        parse_policy(b"in_school_share = 1\xff", format=fmt)  # type: ignore[arg-type]
    assert raised.value.codes() == ["not_utf8"]
    assert raised.value.problems[0].field == "byte 19"
