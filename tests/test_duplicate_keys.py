"""A key given twice in one JSON object is refused in every document kgxp reads.

JSON lets the last of a duplicated key win, silently; ``json.loads`` and pydantic's own
JSON path both do. A hand-edited ``result.json`` with ``"seed"`` twice, a policy file
with two ``in_school_share`` lines, a service request whose teacher has two scores
would each be read as something its author may not have meant — and a placement
compared, verified or run on it. Scenario files were always refused (docs/security.md);
these tests hold policies, results, lottery odds, 公示 notices and the service's
requests to the same rule (:func:`kgxp.decode_json`), each with a located error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp.cli import main
from tests.conftest import EXAMPLE

TWICE = "key given twice in one object"


@pytest.fixture(scope="module")
def result_text() -> str:
    return kgxp.run_round(kgxp.load_scenario(EXAMPLE)).to_json()


def _twice(text: str, key: str, first: str) -> str:
    """``text`` with ``"key": first`` written before the key's own (first) occurrence."""
    marker = f'"{key}":'
    assert marker in text
    return text.replace(marker, f"{marker}{first},{marker}", 1)


def test_decode_json_reads_as_json_loads_and_refuses_a_key_twice() -> None:
    text = '{"teacher": "T1", "scores": [81.5, 90], "note": "教师"}'
    assert kgxp.decode_json(text) == json.loads(text)
    assert kgxp.decode_json(text.encode("utf-8")) == json.loads(text)
    with pytest.raises(kgxp.ScenarioError, match=TWICE) as raised:
        kgxp.decode_json('{"id": "T1", "score": 81.5, "score": 95}')
    (problem,) = raised.value.problems
    assert (problem.record, problem.field, problem.record_id) == ("file", "score", "T1")
    assert problem.code == "duplicate_key"
    with pytest.raises(kgxp.PolicyError, match="invalid policy"):
        kgxp.decode_json('{"a": 1, "a": 2}', error=kgxp.PolicyError)
    with pytest.raises(kgxp.ScenarioError, match=r"^invalid request"):
        kgxp.decode_json(b"{", summary="invalid request")
    assert kgxp.decode_json(bytearray(b"[1]")) == [1]
    with pytest.raises(TypeError, match="JSON text or UTF-8 bytes, got dict"):
        kgxp.decode_json({"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ScenarioError or a subclass"):
        kgxp.decode_json("[]", error=ValueError)  # type: ignore[arg-type]


def test_a_policy_file_with_a_key_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "county.json"
    path.write_text('{"in_school_share": "0.8", "in_school_share": "0.9"}', encoding="utf-8")
    with pytest.raises(kgxp.PolicyError, match=TWICE) as raised:
        kgxp.load_policy(path)
    assert raised.value.codes() == ["duplicate_key"]
    assert raised.value.problems[0].field == "in_school_share"
    # TOML refuses a key twice itself; a well-formed JSON policy still reads.
    assert kgxp.load_policy(_written(tmp_path, '{"in_school_share": "0.8"}')).in_school_share


def _written(folder: Path, text: str) -> Path:
    path = folder / "good.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_result_with_a_key_twice_is_refused(result_text: str) -> None:
    assert kgxp.RoundResult.from_json(result_text).to_json() == result_text
    with pytest.raises(kgxp.ScenarioError, match=TWICE) as raised:
        kgxp.RoundResult.from_json(_twice(result_text, "seed", "999"))
    assert raised.value.summary == "invalid result"
    assert raised.value.problems[0].field == "seed"


def test_a_result_that_is_not_one_is_refused_located(result_text: str) -> None:
    data = json.loads(result_text)
    data["outcomes"][3]["status"] = "hired"
    with pytest.raises(kgxp.ScenarioError, match="invalid result") as raised:
        kgxp.RoundResult.from_json(json.dumps(data, ensure_ascii=False))
    (problem,) = raised.value.problems
    assert (problem.record, problem.field) == ("outcomes[3]", "status")
    assert problem.record_id == data["outcomes"][3]["teacher"]
    for text in (b"", b"{", b"[]", b"\xff", b'{"outcomes": 3}'):
        with pytest.raises(kgxp.ScenarioError, match="invalid result"):
            kgxp.RoundResult.from_json(text)


def test_compare_refuses_a_result_file_with_a_key_twice(
    result_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = tmp_path / "result.json"
    published.write_text(result_text, encoding="utf-8")
    edited = tmp_path / "edited.json"
    edited.write_text(_twice(result_text, "status", '"waiting"'), encoding="utf-8")
    assert main(["compare", str(edited), str(published)]) == 1
    err = capsys.readouterr().err
    assert f"{edited}: not a valid kgxp result" in err and TWICE in err


def test_compare_tells_a_scenario_from_a_result_whatever_is_wrong_with_it(
    result_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `kgxp compare` takes a scenario or a result for each side and decodes the file once
    # to tell which: a refused file is still named as the document it was meant to be.
    published = tmp_path / "result.json"
    published.write_text(result_text, encoding="utf-8")
    scenario_text = EXAMPLE.read_text(encoding="utf-8")
    cases = {
        "scenario_twice.json": (_twice(scenario_text, "teachers", "[]"), "invalid scenario"),
        "outcomes_twice.json": (_twice(result_text, "outcomes", "[]"), "not a valid kgxp result"),
        "malformed.json": (scenario_text[:-20], "invalid scenario"),
    }
    for name, (text, summary) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert main(["compare", str(path), str(published)]) == 1, name
        err = capsys.readouterr().err
        assert summary in err, (name, err)
        assert (TWICE in err) is ("twice" in name), (name, err)
    assert main(["compare", str(EXAMPLE), str(published), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["same_policy"] is True


def test_lottery_odds_with_a_key_twice_are_refused() -> None:
    scenario = kgxp.load_scenario(EXAMPLE)
    text = kgxp.lottery_odds(scenario, draws=2, executor="serial").model_dump_json()
    with pytest.raises(kgxp.ScenarioError, match=TWICE) as raised:
        kgxp.LotteryOdds.from_json(_twice(text, "seed", "7"))
    assert raised.value.summary == "invalid lottery odds"


def test_a_notice_file_with_a_key_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "notice.json"
    notice.write_text('{"working_days": 7, "working_days": 5}', encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(EXAMPLE), "--out", str(out), "--quiet", "--formats", "html"]
    assert main([*args, "--notice", str(notice)]) == 2
    err = capsys.readouterr().err
    assert "not a valid notice" in err and "working_days" in err and TWICE in err
    assert not out.exists()  # nothing half-written


def test_the_service_refuses_a_request_with_a_key_twice() -> None:
    from fastapi.testclient import TestClient

    from tests.test_service import load_app

    with TestClient(load_app().app) as client:
        good = json.dumps({"scenario": json.loads(EXAMPLE.read_text("utf-8"))})
        assert client.post("/run", content=good).status_code == 200
        twice = _twice(good, "performance", "100")
        answer = client.post("/run", content=twice)
    assert answer.status_code == 422, answer.text
    document: dict[str, Any] = answer.json()
    assert document["details"]["summary"] == "invalid request"
    assert [(p["record"], p["code"]) for p in document["problems"]] == [("body", "duplicate_key")]
    assert document["problems"][0]["field"] == "performance"
