"""The waiting package's unvalidated constructor gives instances equal to validated ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.simulation import SemesterRecord
from kgxp.waiting.state_machine import WaitingEvent, WaitingState


def test_constructed_record_equals_the_validated_one_and_copies_apart() -> None:
    values = {
        "teacher": "T1",
        "semester": Semester.parse("2026-autumn"),
        "state": WaitingState.WAITING,
        "streak": 1,
        "flagged": False,
        "post": None,
        "school": "S1",
        "event": WaitingEvent.ROUND_NOT_PLACED,
    }
    validated = SemesterRecord(**values)
    built = constructor(SemesterRecord)(*values.values())
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set
    # A copy with an update does not change the fields-set the constructed instances share.
    other = constructor(SemesterRecord)(*values.values())
    changed = built.model_copy(update={"streak": 2})
    assert changed.streak == 2 and other.streak == 1 and built.streak == 1
    assert other.model_fields_set == validated.model_fields_set


def test_constructor_refuses_a_wrong_number_of_fields() -> None:
    with pytest.raises(TypeError, match="missing 6 required positional arguments"):
        constructor(SemesterRecord)("T1", Semester.parse("2026-autumn"))


def test_pay_lines_still_refuse_a_share_built_around_validation() -> None:
    """A policy copied with an out-of-range share (model_copy skips validation) is refused
    as before, though valid lines are no longer validated one by one."""
    from pydantic import ValidationError

    from kgxp import Pay, Policy
    from kgxp.waiting.ledger import pay_lines

    pay = Pay(
        basic_salary="4000.00",
        basic_performance="1700.00",
        incentive_performance="700.00",
        year_end_bonus="12000.00",
    )
    policy = Policy()
    bad = policy.model_copy(
        update={
            "continued_pay": policy.continued_pay.model_copy(update={"basic_salary": Decimal(2)})
        }
    )
    semester = Semester.parse("2026-autumn")
    assert len(pay_lines("T1", pay, WaitingState.CONTINUED_WAITING, semester, policy, rural=False))
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        pay_lines("T1", pay, WaitingState.CONTINUED_WAITING, semester, bad, rural=False)


def test_payroll_still_refuses_a_share_built_around_validation() -> None:
    """The semester payroll prices each case once without validating lines; a policy
    copied with an out-of-range share is refused as by pay_lines."""
    from pydantic import ValidationError

    import kgxp
    from kgxp import Policy
    from kgxp.waiting.payroll import payroll
    from kgxp.waiting.recompetition_round import apply_recompetition, run_recompetition
    from kgxp.waiting.register import close_semester, register_from_round
    from tests.conftest import EXAMPLE

    scenario = kgxp.load_scenario(EXAMPLE)
    policy = Policy()
    register = register_from_round(scenario, kgxp.run_round(scenario))
    register = close_semester(register, policy)
    register = apply_recompetition(register, run_recompetition(scenario, register, policy))
    assert payroll(register, scenario, policy)
    bad = policy.model_copy(
        update={
            "continued_pay": policy.continued_pay.model_copy(update={"basic_salary": Decimal(2)})
        }
    )
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        payroll(register, scenario, bad)
