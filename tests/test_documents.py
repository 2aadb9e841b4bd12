"""Errors and results as data: every kgxp document serialises to JSON that its published
JSON Schema (``kgxp schema NAME``) accepts, errors included; one exception hierarchy."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import kgxp
from kgxp.checks.simulation import verify_simulation
from kgxp.checks.violation import VIOLATIONS
from kgxp.cli import main
from kgxp.round.mechanisms.market import MarketError
from kgxp.waiting.ledger import LedgerError
from tests.conftest import ROOT
from tests.factories import scenario_data
from tests.test_simulate import county


def validator(document: str) -> jsonschema.protocols.Validator:
    schema = kgxp.json_schema(document)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def assert_valid(document: str, instance: Any) -> None:
    errors = sorted(validator(document).iter_errors(instance), key=str)
    assert errors == [], [e.message for e in errors[:5]]


def assert_invalid(document: str, instance: Any) -> None:
    assert list(validator(document).iter_errors(instance)), f"{document} accepted a bad document"


@pytest.fixture(scope="module")
def example() -> kgxp.Scenario:
    return kgxp.load_scenario(ROOT / "examples" / "ziyang_county.json")


@pytest.fixture(scope="module")
def example_result(example: kgxp.Scenario) -> kgxp.RoundResult:
    return kgxp.run_round(example)


def test_every_document_has_a_schema_and_the_cli_prints_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert kgxp.document_names() == [
        "scenario",
        "policy",
        "result",
        "comparison",
        "simulation",
        "register",
        "recompetition",
        "odds",
        "violations",
        "error",
    ]
    for name in kgxp.document_names():
        assert main(["schema", name]) == 0
        assert json.loads(capsys.readouterr().out) == kgxp.json_schema(name)
    with pytest.raises(KeyError, match="unknown document"):
        kgxp.json_schema("ledger")


def test_scenario_schema_accepts_real_files_and_rejects_broken_ones(tmp_path: Path) -> None:
    data = json.loads((ROOT / "examples" / "ziyang_county.json").read_text("utf-8"))
    assert_valid("scenario", data)
    assert_valid("scenario", scenario_data())
    del data["teachers"][0]["school"]
    assert_invalid("scenario", data)


def test_policy_schema_accepts_every_preset_and_a_file(tmp_path: Path) -> None:
    for name in kgxp.preset_names():
        assert_valid("policy", kgxp.preset(name).model_dump(mode="json"))
    assert_valid("policy", {"in_school_share": "0.85"})
    assert_invalid("policy", {"in_school_shar": "0.85"})


def test_result_comparison_and_simulation_schemas_accept_what_kgxp_writes(
    example: kgxp.Scenario, example_result: kgxp.RoundResult, tmp_path: Path
) -> None:
    kgxp.write_results(example, example_result, tmp_path, formats=("json",))
    assert_valid("result", json.loads((tmp_path / "result.json").read_text("utf-8")))
    other = kgxp.run_round(example, policy=kgxp.preset("two_level_three_rounds"))
    comparison = kgxp.compare(example_result, other, scenarios=(example, example))
    assert comparison.changed
    assert_valid("comparison", json.loads(comparison.model_dump_json()))
    small = county()
    run = kgxp.simulate(small, semesters=4)
    assert_valid("simulation", json.loads(run.model_dump_json()))
    broken = json.loads(run.model_dump_json())
    broken["records"][0]["state"] = "napping"
    assert_invalid("simulation", broken)


def test_verify_violations_are_data(
    example: kgxp.Scenario, example_result: kgxp.RoundResult
) -> None:
    first = example_result.outcomes[0]
    # I1: a teacher left out of the result.
    broken = example_result.model_copy(update={"outcomes": example_result.outcomes[1:]})
    found = kgxp.verify(example, broken)
    assert found
    documents = [json.loads(v.to_json()) for v in found]
    assert_valid("violations", documents)
    assert any(d["teacher"] == first.teacher for d in documents)
    assert VIOLATIONS.validate_json(json.dumps(documents)) == [v.document() for v in found]


def test_simulation_violations_are_data() -> None:
    scenario = county()
    run = kgxp.simulate(scenario, semesters=3)
    ledger = list(run.ledger)
    ledger[0] = ledger[0].model_copy(update={"share": Decimal("0.5"), "amount": Decimal(0)})
    found = verify_simulation(scenario, run.model_copy(update={"ledger": tuple(ledger)}))
    assert {v.invariant for v in found} == {"I10"}
    assert_valid("violations", [v.document().model_dump(mode="json") for v in found])


def test_scenario_error_carries_its_problems_as_data() -> None:
    data = scenario_data()
    data["teachers"][0]["school"] = "NOWHERE"  # a bad cross-record reference
    data["teachers"][1]["score"] = "high"
    with pytest.raises(kgxp.ScenarioError) as caught:
        kgxp.parse_scenario(data)
    document = json.loads(caught.value.to_json())
    assert_valid("error", document)
    assert document["error"] == "ScenarioError"
    located = {(p["record"], p["field"]) for p in document["problems"]}
    assert ("teachers[0]", "school") in located
    assert ("teachers[1]", "score") in located
    assert all(p["record_id"] for p in document["problems"] if p["record"].startswith("teachers"))
    again = kgxp.ErrorDocument.model_validate_json(caught.value.to_json())
    assert again.problems == caught.value.problems
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.problems == caught.value.problems
    assert str(copy) == str(caught.value)


def test_every_kgxp_error_is_data() -> None:
    errors: list[kgxp.KgxpError] = [
        kgxp.MissingExtraError("openpyxl", "excel", "Reading .xlsx rosters"),
        kgxp.PolicyError([kgxp.Problem("policy", "in_school_share", "too big")]),
    ]
    retired = kgxp.TeacherWaiting.on_post(kgxp.Semester.parse("2026-autumn"))
    retired = kgxp.step(retired, kgxp.WaitingEvent.RETIREMENT_REACHED, kgxp.Policy())
    with pytest.raises(kgxp.IllegalTransition) as illegal:
        kgxp.step(retired, kgxp.WaitingEvent.ROUND_PLACED, kgxp.Policy())
    errors.append(illegal.value)
    errors += [LedgerError("a pending round"), MarketError("no seats")]
    for error in errors:
        document = json.loads(error.to_json())
        assert_valid("error", document)
        assert document["error"] == type(error).__name__
        assert document["message"] == str(error)
    assert json.loads(errors[0].to_json())["details"] == {"module": "openpyxl", "extra": "excel"}
    assert json.loads(errors[2].to_json())["details"]["event"] == "round_placed"


def test_policy_evolve_raises_kgxp_errors_only() -> None:
    with pytest.raises(kgxp.PolicyError) as caught:
        kgxp.Policy().evolve(waiting_limit_years=-1, rounds=())
    assert isinstance(caught.value, kgxp.ScenarioError)  # bad input, handled once
    assert {p.field for p in caught.value.problems} == {"waiting_limit_years", "rounds"}
    assert_valid("error", json.loads(caught.value.to_json()))


def test_policy_files_json_and_toml(tmp_path: Path) -> None:
    toml = tmp_path / "county.toml"
    toml.write_text('in_school_share = "0.8"\nlottery_seed = 3\n', encoding="utf-8")
    policy = kgxp.load_policy(toml)
    assert (policy.in_school_share, policy.lottery_seed) == (Decimal("0.8"), 3)
    as_json = tmp_path / "county.json"
    as_json.write_text(policy.model_dump_json(), encoding="utf-8")
    assert kgxp.load_policy(as_json) == policy
    as_json.write_text('{"in_school_share": 2,', encoding="utf-8")
    with pytest.raises(kgxp.PolicyError) as malformed:
        kgxp.load_policy(as_json)
    assert malformed.value.codes() == ["malformed_json"]
    toml.write_text("in_school_share = 2\nmechanism = 'auction'\n", encoding="utf-8")
    with pytest.raises(kgxp.PolicyError) as bad:
        kgxp.load_policy(toml)
    assert {p.field for p in bad.value.problems} == {"in_school_share", "mechanism"}
    with pytest.raises(kgxp.PolicyError, match="expected an object"):
        kgxp.parse_policy("[1, 2]")


def test_kgxp_testing_without_hypothesis_raises_missing_extra() -> None:
    # A fresh interpreter in which hypothesis cannot be imported.
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import kgxp\n"
        "try:\n"
        "    import kgxp.testing\n"
        "except kgxp.MissingExtraError as error:\n"
        "    print(type(error).__name__, error.extra)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert done.stdout.split() == ["MissingExtraError", "testing"]


def test_register_and_recompetition_schemas_accept_what_kgxp_writes(
    example: kgxp.Scenario, example_result: kgxp.RoundResult
) -> None:
    from kgxp.waiting.recompetition_round import run_recompetition
    from kgxp.waiting.register import close_semester, register_from_round

    policy = kgxp.Policy()
    register = close_semester(register_from_round(example, example_result), policy)
    assert register.due()
    assert_valid("register", json.loads(register.model_dump_json()))
    recompetition = run_recompetition(example, register, policy, seed=1)
    assert_valid("recompetition", json.loads(recompetition.model_dump_json()))
    broken = json.loads(register.model_dump_json())
    broken["entries"][0]["state"] = "napping"
    assert_invalid("register", broken)
