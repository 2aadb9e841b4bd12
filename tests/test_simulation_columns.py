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
