"""The lottery odds as a document: ``kgxp odds --out odds.json`` read back whole or refused.

An analyst runs 10,000 draws on a cluster and plots the ``odds.json`` it wrote in a
notebook, days later. Every figure in it is derived from the draw counts — each
teacher's shares add up to the draws, ``placed`` is the draws with a post, a
probability is draws / all draws, an interval is the Wilson interval at the
document's confidence (R12 抽签, I12) — so a truncated, hand-edited or inconsistent file
is refused where it is wrong (``LotteryOdds.from_json``: a ``kgxp.ScenarioError``
naming the teacher), never plotted as if true. ``kgxp schema odds`` publishes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

import kgxp
from kgxp import LotteryOdds, Policy, Scenario
from kgxp.cli import main
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def odds() -> LotteryOdds:
    scenario: Scenario = kgxp.load_scenario(EXAMPLE)
    return kgxp.lottery_odds(
        scenario, Policy().evolve(tie_breakers=()), draws=12, seed=3, executor="serial"
    )


@pytest.fixture
def data(odds: LotteryOdds) -> dict[str, Any]:
    return json.loads(odds.model_dump_json())


def _decided(data: dict[str, Any]) -> int:
    """The index of a teacher whose post the draw decides (two posts or more)."""
    return next(k for k, t in enumerate(data["teachers"]) if len(t["posts"]) > 1)


def test_the_document_reads_back_equal_and_byte_identical(odds: LotteryOdds) -> None:
    text = odds.model_dump_json()
    again = LotteryOdds.from_json(text)
    assert again == odds
    assert again.model_dump_json() == text
    assert odds.post_decided()  # the fixture has teachers whose post the draw decides


def test_the_schema_is_published_and_accepts_the_document(
    data: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "odds" in kgxp.document_names()
    schema = kgxp.json_schema("odds")
    assert schema["title"] == "LotteryOdds"
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    assert list(cls(schema).iter_errors(data)) == []
    assert main(["schema", "odds"]) == 0
    assert json.loads(capsys.readouterr().out) == schema


def _shares_short_of_the_draws(data: dict[str, Any]) -> None:
    data["teachers"][0]["statuses"][0]["draws"] -= 1


def _a_probability_edited(data: dict[str, Any]) -> None:
    k = _decided(data)
    data["teachers"][k]["posts"][0]["probability"] = 0.99


def _an_interval_edited(data: dict[str, Any]) -> None:
    data["teachers"][0]["placed"]["low"] = 0.5


def _placed_against_the_posts(data: dict[str, Any]) -> None:
    # A teacher without a post in some draw, said to have one in every draw.
    k = next(
        k
        for k, t in enumerate(data["teachers"])
        if any(share["value"] is None for share in t["posts"])
    )
    placed = data["teachers"][k]["placed"]
    placed["draws"] = data["draws"]
    placed["probability"] = 1.0


def _the_documents_draws_edited(data: dict[str, Any]) -> None:
    data["draws"] += 1


def _an_unknown_status(data: dict[str, Any]) -> None:
    data["teachers"][0]["statuses"][0]["value"] = "hired"


def _a_post_twice(data: dict[str, Any]) -> None:
    k = _decided(data)
    posts = data["teachers"][k]["posts"]
    posts[1]["value"] = posts[0]["value"]


def _a_share_of_no_draws(data: dict[str, Any]) -> None:
    zero = {"value": "P-none", "draws": 0, "probability": 0.0, "low": 0.0, "high": 0.0}
    data["teachers"][0]["posts"].append(zero)


def _least_frequent_first(data: dict[str, Any]) -> None:
    k = next(k for k, t in enumerate(data["teachers"]) if len(t["posts"]) > 1)
    posts = data["teachers"][k]["posts"]
    if posts[0]["draws"] == posts[-1]["draws"]:  # equal counts: then by value
        posts[0]["draws"] += 1
        posts[-1]["draws"] -= 1
    posts.reverse()


def _a_teacher_twice(data: dict[str, Any]) -> None:
    data["teachers"][1] = data["teachers"][0]


def _teachers_out_of_order(data: dict[str, Any]) -> None:
    data["teachers"][0], data["teachers"][1] = data["teachers"][1], data["teachers"][0]


def _a_teacher_left_out(data: dict[str, Any]) -> None:
    del data["teachers"][5]  # not detectable without the scenario: must stay valid


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "shares short of the draws": (_shares_short_of_the_draws, "11 draws but its posts 12"),
    "the document's draws edited": (_the_documents_draws_edited, "12 draws, the document 13"),
    "a probability edited": (_a_probability_edited, "probability"),
    "an interval edited": (_an_interval_edited, "interval"),
    "placed against the posts": (_placed_against_the_posts, "placed"),
    "an unknown status": (_an_unknown_status, "hired"),
    "a post twice": (_a_post_twice, "twice"),
    "a share of no draws": (_a_share_of_no_draws, "no draws"),
    "least frequent first": (_least_frequent_first, "most frequent first"),
    "a teacher twice": (_a_teacher_twice, "id order"),
    "teachers out of order": (_teachers_out_of_order, "id order"),
}


@pytest.mark.parametrize("edit", list(HOSTILE), ids=list(HOSTILE))
def test_an_inconsistent_document_is_refused_where_it_is_wrong(
    data: dict[str, Any], edit: str
) -> None:
    change, said = HOSTILE[edit]
    change(data)
    text = json.dumps(data, ensure_ascii=False)
    with pytest.raises(ValidationError, match=said):
        LotteryOdds.model_validate_json(text)
    with pytest.raises(kgxp.ScenarioError, match=said) as raised:
        LotteryOdds.from_json(text)
    error = raised.value
    assert error.summary == "invalid lottery odds"
    assert all(p.record.startswith("teachers") or p.record == "odds" for p in error.problems)


def test_a_teacher_left_out_is_not_the_documents_to_tell(data: dict[str, Any]) -> None:
    # Who the county's teachers are is the scenario's; the document stays readable.
    _a_teacher_left_out(data)
    assert len(LotteryOdds.from_json(json.dumps(data)).teachers) == len(data["teachers"])


def test_a_problem_names_the_teacher(data: dict[str, Any]) -> None:
    _shares_short_of_the_draws(data)
    with pytest.raises(kgxp.ScenarioError) as raised:
        LotteryOdds.from_json(json.dumps(data))
    (problem,) = raised.value.problems
    assert problem.record == "teachers[0]"
    assert problem.record_id == data["teachers"][0]["teacher"]


@pytest.mark.parametrize(
    "text", [b"", b"{", b"[]", b'{"draws": "many"}', b"\xff\xfe", b"null"], ids=repr
)
def test_a_file_that_is_no_odds_document_is_refused(text: bytes) -> None:
    with pytest.raises(kgxp.ScenarioError, match="invalid lottery odds"):
        LotteryOdds.from_json(text)


def test_the_command_line_writes_a_document_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "odds.json"
    assert main(["odds", str(EXAMPLE), "--draws", "4", "--by-score", "--out", str(out)]) == 0
    odds = LotteryOdds.from_json(out.read_bytes())
    assert odds.draws == 4


def test_an_interval_problem_names_the_share_it_is_in(data: dict[str, Any]) -> None:
    _an_interval_edited(data)  # the placed share's lower bound
    with pytest.raises(kgxp.ScenarioError) as raised:
        LotteryOdds.from_json(json.dumps(data))
    (problem,) = raised.value.problems
    assert (problem.record, problem.field) == ("teachers[0]", "placed")
