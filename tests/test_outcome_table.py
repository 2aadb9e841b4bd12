"""``RoundResult.outcomes`` held as columns (issue 19): an ``OutcomeTable`` behaves as the
tuple of outcomes it replaces, writes the same bytes, and ``verify`` catches a broken
result whether its outcomes are a table or a tuple of objects."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import kgxp
from kgxp import Outcome, OutcomeTable, RoundResult, ScenarioError, Status
from kgxp.model.outcome import COLUMNS
from kgxp.model.result import Reason
from tests.conftest import EXAMPLE


@cache
def _scenario() -> kgxp.Scenario:
    return kgxp.load_scenario(EXAMPLE)


@cache
def _result() -> RoundResult:
    return kgxp.run_round(_scenario())


def _as_tuple(result: RoundResult) -> RoundResult:
    return result.model_copy(update={"outcomes": tuple(result.outcomes)})


def test_the_engine_and_from_json_give_a_table_equal_to_the_tuple_of_its_outcomes() -> None:
    result = _result()
    table = result.outcomes
    assert isinstance(table, OutcomeTable)
    objects = tuple(table)
    assert len(table) == len(objects) > 1000
    assert all(isinstance(o, Outcome) for o in objects)
    assert table[0] == objects[0] and table[-1] == objects[-1]
    assert table[5:9] == objects[5:9] and isinstance(table[5:9], tuple)
    assert table[::-700] == objects[::-700]
    assert list(reversed(table)) == list(reversed(objects))
    assert objects[7] in table and table.index(objects[7]) == 7 and table.count(objects[7]) == 1
    with pytest.raises(IndexError):
        table[len(objects)]
    assert table == objects and objects == table
    assert (table != objects) is False
    assert hash(table) == hash(objects)
    assert table != objects[:-1] and table != list(objects)
    again = RoundResult.from_json(result.to_json())
    assert isinstance(again.outcomes, OutcomeTable)
    assert again == result and again.outcomes == table
    # A dict validated in Python holds a tuple, as before; equal either way round.
    from_dict = RoundResult.model_validate(result.model_dump())
    assert isinstance(from_dict.outcomes, tuple)
    assert from_dict == result and result == from_dict
    assert result.outcome(objects[3].teacher) == objects[3]
    with pytest.raises(KeyError):
        result.outcome("nobody")
    assert result.counts() == from_dict.counts()
    assert result.outcome_values("post") == tuple(o.post for o in objects)
    assert list(from_dict.outcome_values("post")) == [o.post for o in objects]
    with pytest.raises(KeyError, match="bogus"):
        result.outcome_values("bogus")
    with pytest.raises(KeyError, match="bogus"):
        from_dict.outcome_values("bogus")


def test_built_outcomes_keep_the_engine_s_fields_set_per_kind() -> None:
    result = _result()
    by_status = {o.status: o for o in result.outcomes}
    assert by_status[Status.WAITING].model_fields_set == {
        "teacher",
        "status",
        "home_school",
        "school",
        "score",
        "reasons",
    }
    assert "round" not in by_status[Status.PROTECTED].model_fields_set
    assert "protected_by" not in by_status[Status.IN_SCHOOL].model_fields_set
    # Read back, every field was in the JSON: all set, as pydantic validates them.
    again = RoundResult.from_json(result.to_json())
    assert again.outcomes[0].model_fields_set == set(COLUMNS)
    assert result.model_dump(exclude_unset=True) == _as_tuple(result).model_dump(exclude_unset=True)


def test_a_table_pickles_copies_and_serialises_as_the_tuple() -> None:
    result = _result()
    objects = _as_tuple(result)
    back = pickle.loads(pickle.dumps(result))
    assert isinstance(back.outcomes, OutcomeTable)
    assert back == result and back.to_json() == result.to_json()
    # The fields-sets come back shared, not one per outcome.
    assert back.outcomes[0].model_fields_set is back.outcomes[1].model_fields_set
    assert copy.deepcopy(result) == result and copy.copy(result) == result
    assert result.model_dump() == objects.model_dump()
    assert result.model_dump(mode="json") == objects.model_dump(mode="json")
    assert result.model_dump_json() == objects.model_dump_json()
    assert result.to_json() == objects.to_json()
    trimmed = {"outcomes": {0: {"reasons"}}}
    assert result.model_dump(exclude=trimmed) == objects.model_dump(exclude=trimmed)
    # A user's own rows are a table too, written by pydantic from the objects.
    own = result.model_copy(update={"outcomes": OutcomeTable(objects.outcomes)})
    assert own == result and own.to_json() == result.to_json()


def test_a_table_is_read_only_and_refuses_what_it_cannot_hold() -> None:
    table = _result().outcomes
    with pytest.raises(TypeError):
        table[0] = table[1]  # type: ignore[index]
    with pytest.raises(AttributeError):
        table.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="item 1 is a str"):
        OutcomeTable([table[0], "T1"])  # type: ignore[list-item]
    columns: dict[str, list[Any]] = {name: [None] for name in COLUMNS}
    columns["status"] = [Status.WAITING]
    # An equal text is no Status: verify and the views compare statuses by identity.
    with pytest.raises(TypeError, match="every status must be a Status member"):
        OutcomeTable.from_columns({**columns, "status": ["waiting"]})
    with pytest.raises(TypeError, match="missing columns \\['reasons'\\]"):
        OutcomeTable.from_columns({k: v for k, v in columns.items() if k != "reasons"})
    with pytest.raises(TypeError, match="unknown columns \\['bogus'\\]"):
        OutcomeTable.from_columns({**columns, "bogus": [None]})
    with pytest.raises(TypeError, match="different lengths"):
        OutcomeTable.from_columns({**columns, "post": [None, None]})
    with pytest.raises(TypeError, match="a shape"):
        OutcomeTable.from_columns(columns, [1])
    with pytest.raises(KeyError, match="bogus"):
        table.column("bogus")
    # Outcomes given as a tuple are still validated as before.
    data = _result().model_dump(mode="json")
    data["outcomes"][0]["status"] = "promoted"
    with pytest.raises(ValidationError):
        RoundResult.model_validate(data)
    text = _result().to_json().replace('"status":"waiting"', '"status":"promoted"', 1)
    with pytest.raises(ScenarioError, match="invalid result") as raised:  # located, kgxp's
        RoundResult.from_json(text)
    assert raised.value.problems[0].field == "status"


# --- columns-built and objects-built results: same bytes, equal ----------------------

_IDS = st.text(alphabet="AB甲乙0-9_", min_size=1, max_size=6)
_DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 30
)
_REASONS = st.builds(
    Reason,
    rule=st.sampled_from(["R4", "R5", "R6", "R7"]),
    code=st.sampled_from(["placed", "outranked", "waiting"]),
    round=st.none() | st.just("in_school"),
    post=st.none() | _IDS,
    rival=st.none() | _IDS,
    score=st.none() | _DECIMALS,
    rival_score=st.none() | _DECIMALS,
    decided_by=st.none() | st.just("score"),
    detail=st.none() | st.just("待岗 one term"),
)
_OUTCOMES = st.builds(
    Outcome,
    teacher=_IDS,
    status=st.sampled_from(list(Status)),
    home_school=_IDS,
    post=st.none() | _IDS,
    school=st.none() | _IDS,
    round=st.none() | st.sampled_from(["in_school", "cross_school"]),
    score=_DECIMALS,
    protected_by=st.lists(st.sampled_from(["maternity", "illness"]), max_size=2).map(tuple),
    preference_rank=st.none() | st.integers(0, 30),
    reasons=st.lists(_REASONS, max_size=3).map(tuple),
)


def _columns_of(outcomes: list[Outcome]) -> dict[str, list[Any]]:
    return {name: [getattr(o, name) for o in outcomes] for name in COLUMNS}


@given(st.lists(_OUTCOMES, max_size=12))
def test_columns_and_objects_write_the_same_bytes_and_compare_equal(
    outcomes: list[Outcome],
) -> None:
    base = _result()
    objects = base.model_copy(update={"outcomes": tuple(outcomes)})
    shapes = [0] * len(outcomes)
    columns = base.model_copy(
        update={"outcomes": OutcomeTable.from_columns(_columns_of(outcomes), shapes)}
    )
    given_rows = base.model_copy(update={"outcomes": OutcomeTable(outcomes)})
    text = objects.to_json()
    for result in (columns, given_rows):
        assert result == objects and objects == result
        assert result.to_json() == text
        assert result.model_dump_json() == objects.model_dump_json()
        assert result.model_dump() == objects.model_dump()
        assert result.outcomes[:] == tuple(outcomes)
    read = RoundResult.from_json(text)
    assert read == objects and read.to_json() == text
    assert pickle.loads(pickle.dumps(columns)) == objects


# --- pickled to workers and back: reasons as rows of values --------------------------

_REASON_PARTS = st.fixed_dictionaries(
    {"rule": st.sampled_from(["R5", "R6"]), "code": st.sampled_from(["placed", "outranked"])},
    optional={
        "round": st.none() | st.just("in_school"),
        "post": _IDS,
        "rival": st.none() | _IDS,
        "score": _DECIMALS,
        "decided_by": st.just("lottery"),
    },
)


def _sharing(column: tuple[Any, ...]) -> list[int]:
    """Which earlier item each item is the same object as (its first position)."""
    first: dict[int, int] = {}
    return [first.setdefault(id(item), at) for at, item in enumerate(column)]


@given(
    st.lists(st.lists(_REASON_PARTS, max_size=3), min_size=1, max_size=6),
    st.lists(st.integers(0, 5), max_size=12),
)
def test_a_pickled_table_gives_back_equal_reasons_given_as_before_and_shared_as_before(
    groups: list[list[dict[str, Any]]], picks: list[int]
) -> None:
    # Reasons given some of their fields; reason tuples and reasons shared between
    # outcomes, as the engine shares them.
    made = [tuple(Reason(**parts) for parts in group) for group in groups]
    tuples = [made[pick % len(made)] for pick in picks]
    rows = [
        Outcome(
            teacher=f"T{at}",
            status=Status.WAITING,
            home_school="S1",
            score=Decimal(70),
            reasons=reasons,
        )
        for at, reasons in enumerate(tuples)
    ]
    table = OutcomeTable(rows)
    back = pickle.loads(pickle.dumps(table))
    assert back == table and tuple(back) == tuple(rows)
    column, again = table.column("reasons"), back.column("reasons")
    assert _sharing(again) == _sharing(column)
    flat = [reason for reasons in column for reason in reasons]
    flat_again = [reason for reasons in again for reason in reasons]
    assert _sharing(tuple(flat_again)) == _sharing(tuple(flat))
    assert [r.model_fields_set for r in flat_again] == [r.model_fields_set for r in flat]
    assert all(type(r) is Reason for r in flat_again)


def test_a_pickled_result_s_reasons_go_as_rows_a_third_smaller_than_objects() -> None:
    table = _result().outcomes
    as_objects = len(pickle.dumps(table.column("reasons")))
    assert len(pickle.dumps(table)) < len(pickle.dumps(table._columns)) - as_objects / 3
    back = pickle.loads(pickle.dumps(table))
    assert back == table and RoundResult.from_json(_result().to_json()).outcomes == back


def test_reasons_made_every_way_pickle_back_with_each_value_in_its_field() -> None:
    # Packed as the values of each reason's __dict__, unpacked in declaration order:
    # validated, constructed and copied reasons all hold their fields in that order.
    made = (
        Reason(rule="R5", code="outranked", post="P1", rival="T9", decided_by="lottery"),
        Reason.model_construct(code="placed", rule="R5", score=Decimal("81.5")),
        Reason(rule="R6", code="waiting").model_copy(update={"detail": "待岗", "round": "x"}),
    )
    row = Outcome(teacher="T1", status=Status.WAITING, home_school="S1", score=Decimal(70))
    table = OutcomeTable([row.model_copy(update={"reasons": made})])
    back = pickle.loads(pickle.dumps(table))[0].reasons
    assert [r.model_dump() for r in back] == [r.model_dump() for r in made]
    assert [r.model_fields_set for r in back] == [r.model_fields_set for r in made]


class _OwnReason(Reason):
    """A caller's own kind of reason: pickled as the object it is."""


def test_a_table_holding_a_reason_of_another_type_pickles_it_as_that_type() -> None:
    own = _OwnReason(rule="R5", code="placed")
    row = Outcome(
        teacher="T1", status=Status.WAITING, home_school="S1", score=Decimal(70), reasons=(own,)
    )
    back = pickle.loads(pickle.dumps(OutcomeTable([row])))
    assert type(back[0].reasons[0]) is _OwnReason and back[0] == row
    empty = pickle.loads(pickle.dumps(OutcomeTable()))
    assert len(empty) == 0 and empty == ()


# --- verify reads the columns or the objects: the same findings ----------------------

Breakage = Callable[[Outcome, RoundResult], Outcome]


def _first(result: RoundResult, status: Status) -> int:
    return next(i for i, o in enumerate(result.outcomes) if o.status is status)


def _changed(position: int, **fields: Any) -> Callable[[RoundResult], list[Outcome]]:
    def apply(result: RoundResult) -> list[Outcome]:
        rows = list(result.outcomes)
        rows[position] = rows[position].model_copy(update=fields)
        return rows

    return apply


def _cases() -> list[tuple[str, str, Callable[[RoundResult], list[Outcome]]]]:
    result = _result()
    placed = _first(result, Status.IN_SCHOOL)
    cross = _first(result, Status.CROSS_SCHOOL)
    waiting = _first(result, Status.WAITING)
    protected = _first(result, Status.PROTECTED)
    other_school = next(
        s.id for s in _scenario().schools if s.id != result.outcomes[placed].home_school
    )
    posts = result.outcome_values("post")
    return [
        ("I6", "home school", _changed(placed, home_school=other_school)),
        ("I3", "post's school", _changed(placed, school=other_school)),
        ("I3", "unknown round", _changed(cross, round="no_such_round")),
        ("I3", "unknown post", _changed(cross, post="NO-SUCH-POST")),
        ("I9", "waiting with a post", _changed(waiting, post=posts[placed])),
        ("I4", "protected by nothing", _changed(placed, status=Status.PROTECTED)),
        ("I12", "score", _changed(placed, score=Decimal("1.00"))),
        ("I12", "preference rank", _changed(placed, preference_rank=29)),
        ("I1", "lost", lambda r: list(r.outcomes)[1:]),
        ("I1", "twice", lambda r: [*r.outcomes, r.outcomes[waiting]]),
        ("I1", "unknown", _changed(protected, teacher="NOBODY")),
        ("I1", "out of order", lambda r: list(reversed(r.outcomes))),
    ]


@pytest.mark.parametrize(("invariant", "label", "breaking"), _cases(), ids=[c[1] for c in _cases()])
def test_verify_catches_a_broken_result_from_columns_and_from_objects_alike(
    invariant: str, label: str, breaking: Callable[[RoundResult], list[Outcome]]
) -> None:
    result, scenario = _result(), _scenario()
    rows = breaking(result)
    as_objects = result.model_copy(update={"outcomes": tuple(rows)})
    as_columns = result.model_copy(
        update={"outcomes": OutcomeTable.from_columns(_columns_of(rows), [0] * len(rows))}
    )
    # Tables compare by their columns: one changed value makes them differ.
    assert as_columns.outcomes != result.outcomes and as_columns != result
    assert as_columns == as_objects and as_columns.outcomes == tuple(rows)
    found = kgxp.verify(scenario, as_objects)
    if label == "out of order":
        assert found == []  # any order is valid: the entries are paired by id
    else:
        assert invariant in {v.invariant for v in found}, (label, found)
    assert kgxp.verify(scenario, as_columns) == found
    assert kgxp.verify(scenario, RoundResult.from_json(as_objects.to_json())) == found


def test_one_teachers_outcome_is_found_in_any_table_as_in_a_tuple() -> None:
    # The engine's table is in id order and is searched by bisection; a table in another
    # order (from_columns takes any), a tuple, and unknown ids answer as a scan would.
    result = _result()
    plain = _as_tuple(result)
    rows = list(reversed(result.outcomes))
    shuffled = result.model_copy(
        update={"outcomes": OutcomeTable.from_columns(_columns_of(rows), [0] * len(rows))}
    )
    ids = [o.teacher for o in plain.outcomes]
    for teacher_id in ids:
        expected = plain.outcomes[ids.index(teacher_id)]
        assert result.outcome(teacher_id) == expected == shuffled.outcome(teacher_id)
        assert plain.outcome(teacher_id) == expected
    for unknown in ("", "T00000", ids[-1] + "0", "~", ids[0][:-1]):
        for source in (result, plain, shuffled):
            with pytest.raises(KeyError):
                source.outcome(unknown)
