"""Bad input never crashes: every malformed file is accepted or rejected with ScenarioError."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgxp import Scenario, ScenarioError, dump_scenario, parse_scenario
from kgxp.testing import scenario_data
from tests import factories

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(
        ["NaN", "-1", "2026-13", "1900-01", "", " ", "教师", "primary", "maternity_leave"]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _accepted_or_rejected(source: Any) -> Scenario | None:
    """Parse; any exception but ScenarioError fails the test (pytest reports it as is)."""
    try:
        return parse_scenario(source)
    except ScenarioError as caught:
        error = caught
    assert error.problems, "a ScenarioError always names at least one problem"
    for problem in error.problems:
        assert problem.record
        assert problem.field
        assert problem.message
    return None


@given(scenario_data(max_teachers=6), st.data())
def test_corrupted_fields_are_accepted_or_rejected_cleanly(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    paths = _paths(data)
    for _ in range(draw.draw(st.integers(1, 3))):
        path = draw.draw(st.sampled_from(paths))
        _replace(data, path, draw.draw(json_values))
        paths = _paths(data)
    _accepted_or_rejected(data)
    # The same through the JSON text route (NaN and infinities as JSON extensions).
    _accepted_or_rejected(json.dumps(data, ensure_ascii=False, default=str))


@given(scenario_data(max_teachers=6), st.sampled_from(["schools", "posts", "teachers"]), st.data())
def test_dropped_or_duplicated_records(
    data: dict[str, Any], collection: str, draw: st.DataObject
) -> None:
    records = data[collection]
    if records and draw.draw(st.booleans()):
        records.pop(draw.draw(st.integers(0, len(records) - 1)))
    elif records:
        records.append(dict(records[0]))
    _accepted_or_rejected(data)


@given(st.binary(max_size=200))
def test_arbitrary_bytes(raw: bytes) -> None:
    assert _accepted_or_rejected(raw) is None or raw.strip()


@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    _accepted_or_rejected(text)


@given(st.integers(1, 50_000))
def test_enormous_lists_are_rejected_not_crashed(size: int) -> None:
    data: dict[str, Any] = {"county": {"name": "大县"}, "teachers": [None] * size}
    _accepted_or_rejected(data)


def test_nan_scores_are_rejected() -> None:
    data = factories.scenario_data()
    data["teachers"][0]["score"] = math.nan
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    assert [(p.record, p.field) for p in caught.value.problems] == [("teachers[0]", "score")]


@given(scenario_data(max_teachers=10))
def test_load_save_load_is_byte_identical(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    text = dump_scenario(scenario)
    assert dump_scenario(parse_scenario(text)) == text
    assert dump_scenario(parse_scenario(text.encode("utf-8"))) == text
