"""A simulation's records and ledger kept as columns (issue 19) behave as the tuples of
models they replace: same items, order, equality, JSON bytes and JSON schema; the checks
read the columns and still catch a broken ledger or record held that way."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from typing import Any, Literal

import pytest

import kgxp
from kgxp import Scenario, Simulation
from kgxp._internal.frozen import FrozenModel
from kgxp.checks.simulation import verify_simulation
from kgxp.model.result import RoundResult
from kgxp.model.semester import Semester
from kgxp.waiting.ledger import LedgerLine, LedgerLines, PricedSegment
from kgxp.waiting.records import RegisterSegment, SemesterRecord, SemesterRecords
from kgxp.waiting.simulation import SemesterSummary
from kgxp.waiting.state_machine import WaitingState
from tests.conftest import EXAMPLE
from tests.legacy_waiting.simulation import simulate as quadratic_simulate


class TupleSimulation(FrozenModel):
    """The model as it was before the columns: the JSON schema must not change."""

    round: RoundResult
    semesters: tuple[Semester, ...]
    records: tuple[SemesterRecord, ...]
    ledger: tuple[LedgerLine, ...]
    summaries: tuple[SemesterSummary, ...]


def _fields_schema(
    model: type[FrozenModel], mode: Literal["validation", "serialization"]
) -> dict[str, Any]:
    schema = model.model_json_schema(mode=mode)
    assert schema.pop("title") == model.__name__ and schema.pop("description")
    return schema


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def run(example: Scenario) -> Simulation:
    return kgxp.simulate(example, semesters=4)


class Before:
    """The frozen copy of the code before the columns: tuples of its models, read as
    today's (a copy's classes are its own, and pydantic models equal only their class)."""

    def __init__(self, scenario: Scenario) -> None:
        old = quadratic_simulate(scenario, semesters=4)
        self.json = old.model_dump_json()
        assert isinstance(old.records, tuple) and isinstance(old.ledger, tuple)
        self.records = tuple(SemesterRecord.model_validate(r.model_dump()) for r in old.records)
        self.ledger = tuple(LedgerLine.model_validate(line.model_dump()) for line in old.ledger)


@pytest.fixture(scope="module")
def before(example: Scenario) -> Before:
    return Before(example)


def test_simulate_keeps_columns_equal_to_the_models_of_the_code_before(
    run: Simulation, before: Before
) -> None:
    assert isinstance(run.records, SemesterRecords) and isinstance(run.ledger, LedgerLines)
    old_records, old_ledger = before.records, before.ledger
    assert len(run.records) == len(old_records) and len(run.ledger) == len(old_ledger)
    assert tuple(run.records) == old_records and tuple(run.ledger) == old_ledger
    # == both ways, against tuples and lists, as the tuple compared before.
    assert run.records == old_records and old_records == run.records
    assert run.ledger == list(old_ledger) and list(old_ledger) == run.ledger
    assert run.ledger != old_ledger[1:] and run.records != old_records[:-1]
    assert hash(run.ledger) == hash(old_ledger)
    # Field tuples in declaration order, without models.
    assert list(run.ledger.rows()) == [tuple(line.__dict__.values()) for line in old_ledger]
    assert list(run.records.rows()) == [tuple(r.__dict__.values()) for r in old_records]


@pytest.mark.parametrize("at", [0, 1, 4, 5, 2430, 2431, 9000, -1, -6, -2432])
def test_indexing_and_slicing_as_the_tuple(run: Simulation, before: Before, at: int) -> None:
    old_records, old_ledger = before.records, before.ledger
    assert run.ledger[at] == old_ledger[at]
    assert run.records[at] == old_records[at]
    assert run.ledger[at : at + 7] == old_ledger[at : at + 7]
    assert run.records[at::997] == old_records[at::997]
    assert run.ledger.index(old_ledger[at]) == old_ledger.index(old_ledger[at])


def test_out_of_range_is_an_index_error(run: Simulation) -> None:
    with pytest.raises(IndexError):
        run.ledger[len(run.ledger)]
    with pytest.raises(IndexError):
        run.records[-len(run.records) - 1]
    assert SemesterRecords() == () and len(LedgerLines()) == 0


def test_json_bytes_schema_and_round_trips_unchanged(run: Simulation, before: Before) -> None:
    text = run.model_dump_json()
    assert text == before.json
    for mode in ("validation", "serialization"):
        assert _fields_schema(Simulation, mode) == _fields_schema(TupleSimulation, mode)
    back = Simulation.model_validate_json(text)
    assert isinstance(back.ledger, LedgerLines)
    assert back == run and back.model_dump_json() == text
    dumped = run.model_dump()
    assert dumped == TupleSimulation.model_validate_json(text).model_dump()
    assert Simulation.model_validate(dumped) == run
    unpickled = pickle.loads(pickle.dumps(run))
    assert unpickled == run and unpickled.model_dump_json() == text
    # A plain tuple put in without validation serialises the same way.
    copied = run.model_copy(update={"ledger": tuple(run.ledger), "records": list(run.records)})
    assert copied.model_dump_json() == text
    assert json.loads(text)["ledger"][7] == json.loads(run.ledger[7].model_dump_json())


def test_timeline_and_pay_build_one_teachers_rows(run: Simulation, before: Before) -> None:
    teacher = run.records[2000].teacher
    old_records, old_ledger = before.records, before.ledger
    assert run.timeline(teacher) == [r for r in old_records if r.teacher == teacher]
    assert run.pay(teacher) == [line for line in old_ledger if line.teacher == teacher]
    assert len(run.pay(teacher)) == 4 * 5


def _with_block(ledger: LedgerLines, at: int, change: dict[int, object]) -> LedgerLines:
    """``ledger`` with paid teacher ``at`` of the first semester priced otherwise, as columns."""
    first, *rest = ledger._segments
    assert isinstance(first, PricedSegment)
    priced = list(first.priced)
    priced[at] = tuple(
        tuple(change.get(k, value) for k, value in enumerate(line)) if n == 2 else line
        for n, line in enumerate(priced[at])
    )
    return LedgerLines([PricedSegment(first.semester, first.teachers, first.states, priced), *rest])


def test_a_wrong_amount_held_in_columns_is_caught(example: Scenario, run: Simulation) -> None:
    assert verify_simulation(example, run) == []
    segment = run.ledger._segments[0]
    assert isinstance(segment, PricedSegment)
    at = segment.states.index(WaitingState.WAITING)
    # The third component (incentive pay) paid in full to a waiting teacher: R8 forbids it.
    full = segment.priced[at][2][1]
    broken = run.model_copy(
        update={"ledger": _with_block(run.ledger, at, {2: Decimal(1), 3: full})}
    )
    found = verify_simulation(example, broken)
    assert [(v.invariant, v.teacher) for v in found] == [("I10", segment.teachers[at])]


def test_a_wrong_flag_held_in_columns_is_caught(example: Scenario, run: Simulation) -> None:
    segments = list(run.records._segments)
    last = segments[-1]
    assert isinstance(last, RegisterSegment)
    at = next(i for i, e in enumerate(last.entries) if e.state is WaitingState.CONTINUED_WAITING)
    entry = last.entries[at]
    moved = entry.model_copy(update={"streak": entry.streak + 2})
    entries = (*last.entries[:at], moved, *last.entries[at + 1 :])
    segments[-1] = RegisterSegment(last.semester, entries)
    broken = run.model_copy(update={"records": SemesterRecords(segments)})
    found = verify_simulation(example, broken)
    assert {(v.invariant, v.teacher) for v in found} == {("I11", entry.teacher)}


def test_pay_amounts_priced_once_keep_their_sign_and_places(example: Scenario) -> None:
    """Teachers whose pay amounts are equal as numbers but written otherwise (-0.00 and
    0.00, 4860.0 and 4860.00) and shares of -0 and 0 are booked as the code before booked
    them, each line its own: the pricing shared between teachers keys on what is written."""
    from kgxp import Pay, Policy, payroll
    from kgxp.waiting.register import register_from_scenario
    from tests.legacy_waiting import payroll as old_payroll

    writings = [
        ("-0.00", "0.00", "0", "-0", "0.0"),
        ("4860.0", "4860.00", "4860", "4860.000", "4860.00"),
        ("0.00", "-0.00", "1200.5", "1200.50", "-0"),
    ]
    teachers = []
    for n, teacher in enumerate(example.teachers[:60]):
        row = writings[n // 3 % 3]  # every writing in every state (n % 3 below)
        a, b, c, d, e = row[n % 5 :] + row[: n % 5]
        pay = Pay(
            basic_salary=a,
            basic_performance=b,
            incentive_performance=c,
            year_end_bonus=d,
            rural_allowance=e,
        )
        teachers.append(teacher.model_copy(update={"pay": pay}))
    scenario = example.model_copy(update={"teachers": tuple(teachers), "waiting": ()})
    register = register_from_scenario(scenario)
    continued = WaitingState.CONTINUED_WAITING  # paid by continued_pay: a share of 0, not -0
    register = register.model_copy(
        update={
            "entries": tuple(
                e.model_copy(update={"state": (e.state, WaitingState.WAITING, continued)[n % 3]})
                for n, e in enumerate(register.entries)
            )
        }
    )
    base = Policy()
    zero_share = base.first_term_pay.model_copy(update={"incentive_performance": Decimal("-0")})
    for policy in (base, base.model_copy(update={"first_term_pay": zero_share})):
        new = [line.model_dump_json() for line in payroll(register, scenario, policy)]
        old = [line.model_dump_json() for line in old_payroll.payroll(register, scenario, policy)]
        assert new == old and len(new) == 5 * 60
        assert any('"-0.00"' in line for line in new) and any('"0.00"' in line for line in new)


def test_terminal_and_waiting_states_are_the_documented_ones() -> None:
    # is_terminal / is_waiting compare by identity (fast); the sets stay those of domain §R7–R10.
    assert {s for s in WaitingState if s.is_terminal} == {
        WaitingState.RETIRED,
        WaitingState.LEFT,
        WaitingState.CONTRACT_ENDED,
    }
    assert {s for s in WaitingState if s.is_waiting} == {
        WaitingState.WAITING,
        WaitingState.CONTINUED_WAITING,
        WaitingState.DISMISSAL_REVIEW,
    }
