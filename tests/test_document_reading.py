"""Every document kgxp writes reads back with ``from_json``: equal, or refused where wrong.

A result, register, simulation, re-competition result, comparison or lottery odds read
from a file that was truncated, edited by hand or written by something else must come
back equal to what kgxp wrote, or raise kgxp's own located ``ScenarioError`` naming the
document — never pydantic's ``ValidationError``, and never the last of a key given twice
taken silently (:mod:`kgxp.model.document_json`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import islice
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import kgxp
from kgxp.waiting.recompetition_round import run_recompetition
from kgxp.waiting.register import close_semester, register_from_round
from tests.conftest import EXAMPLE
from tests.test_simulate import county

NAMES = ["result", "register", "simulation", "re-competition result", "comparison", "lottery odds"]


@pytest.fixture(scope="module")
def documents() -> dict[str, BaseModel]:
    example = kgxp.load_scenario(EXAMPLE)
    policy = kgxp.Policy()
    result = kgxp.run_round(example)
    register = close_semester(register_from_round(example, result), policy)
    other = kgxp.run_round(example, policy=kgxp.preset("two_level_three_rounds"))
    return {
        "result": result,
        "register": register,
        "simulation": kgxp.simulate(county(), semesters=3),
        "re-competition result": run_recompetition(example, register, policy, seed=1),
        "comparison": kgxp.compare(result, other, scenarios=(example, example)),
        "lottery odds": kgxp.lottery_odds(example, draws=2, executor="serial"),
    }


def _text(document: BaseModel) -> str:
    if isinstance(document, kgxp.RoundResult):
        return document.to_json()
    return document.model_dump_json()


def _read(document: BaseModel, text: str | bytes) -> Any:
    return type(document).from_json(text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", NAMES)
def test_a_document_reads_back_equal_and_byte_identical(
    documents: dict[str, BaseModel], name: str
) -> None:
    document = documents[name]
    text = _text(document)
    again = _read(document, text)
    assert again == document
    assert _text(again) == text
    assert _read(document, text.encode("utf-8")) == document


@pytest.mark.parametrize("name", NAMES)
def test_a_key_given_twice_is_refused(documents: dict[str, BaseModel], name: str) -> None:
    document = documents[name]
    text = _text(document)
    first_key = next(iter(json.loads(text)))
    edited = text.replace(f'"{first_key}":', f'"{first_key}":null,"{first_key}":', 1)
    assert edited != text
    with pytest.raises(kgxp.ScenarioError, match="key given twice") as raised:
        _read(document, edited)
    assert raised.value.summary == f"invalid {name}"
    assert raised.value.codes() == ["duplicate_key"]
    assert raised.value.problems[0].field == first_key


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "text", [b"", b"{", b"[]", b"\xff\xfe", b'{"a": 1}', b"[" * 5000], ids=repr
)
def test_what_is_no_such_document_is_refused_as_kgxps_error(
    documents: dict[str, BaseModel], name: str, text: bytes
) -> None:
    with pytest.raises(kgxp.ScenarioError, match=f"^invalid {name}"):
        _read(documents[name], text)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_field_is_located(documents: dict[str, BaseModel], name: str) -> None:
    document = documents[name]
    data = json.loads(_text(document))
    # The first list of records, its first record's first field given an object.
    key = next(k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict))
    field = next(iter(data[key][0]))
    data[key][0][field] = {"not": "this"}
    with pytest.raises(kgxp.ScenarioError, match=f"^invalid {name}") as raised:
        _read(document, json.dumps(data, ensure_ascii=False))
    problem = raised.value.problems[0]
    assert problem.record == f"{key}[0]"
    assert problem.field.startswith(field)


def _left_out(record: dict[str, Any]) -> list[str]:
    return [key for key, value in record.items() if value in (None, [])]


def _without_optional_keys(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """The document with its objects (each list's first record, the policy) stripped of
    every key whose value is null or an empty list and that pydantic's JSON path reads
    without (what a hand-written file leaves out): fewer fields set."""
    objects = [value for value in data.values() if isinstance(value, dict)]
    for value in data.values():  # a list's first record with such a key
        if isinstance(value, list):
            records = (r for r in value if isinstance(r, dict) and _left_out(r))
            objects.extend(islice(records, 1))
    for record in objects:
        for key in _left_out(record):
            given = record.pop(key)
            try:
                model.model_validate_json(json.dumps(data))
            except ValidationError:
                record[key] = given
    return data


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("edit", ["as written", "optional keys left out"])
def test_a_document_reads_as_pydantic_s_json_path_reads_it(
    documents: dict[str, BaseModel], name: str, edit: str
) -> None:
    # from_json validates the data it decoded for the duplicate-key check rather than
    # the text again (issue 19: reading a result); what it reads must not change.
    document = documents[name]
    text = _text(document)
    if edit != "as written":
        stripped = _without_optional_keys(type(document), json.loads(text))
        # Some key was left out; lottery odds have no optional key to leave out.
        assert (stripped != json.loads(text)) is (name != "lottery odds")
        text = json.dumps(stripped)
    ours = _read(document, text)
    pydantic_s = type(document).model_validate_json(text)
    assert ours == pydantic_s
    assert ours.model_dump(exclude_unset=True) == pydantic_s.model_dump(exclude_unset=True)
    assert _text(ours) == _text(pydantic_s)
    if isinstance(ours, kgxp.RoundResult):
        assert isinstance(ours.outcomes, kgxp.OutcomeTable)
        assert isinstance(pydantic_s.outcomes, kgxp.OutcomeTable)


def test_a_result_s_scores_given_as_numbers_read_as_pydantic_s_json_path_reads_them() -> None:
    result = kgxp.run_round(kgxp.load_scenario(EXAMPLE))
    data = json.loads(result.to_json())
    data["outcomes"][0]["score"] = 81.5
    data["outcomes"][1]["score"] = 90
    text = json.dumps(data, ensure_ascii=False)
    ours = kgxp.RoundResult.from_json(text)
    assert ours == kgxp.RoundResult.model_validate_json(text)
    assert ours.outcomes[0].score == Decimal("81.5") and ours.outcomes[1].score == 90


def test_a_context_of_the_caller_s_own_leaves_python_input_a_tuple() -> None:
    result = kgxp.run_round(kgxp.load_scenario(EXAMPLE))
    data = json.loads(result.to_json())
    for context in (None, {"kgxp": "a document decoded from its JSON"}):
        validated = kgxp.RoundResult.model_validate(data, context=context)
        assert isinstance(validated.outcomes, tuple) and validated == result
