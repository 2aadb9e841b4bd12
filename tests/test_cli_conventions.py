"""CLI conventions: ``--version``; ``--policy`` takes a preset or a JSON/TOML file; a flag
that does not apply is a usage error (exit 2), never silently ignored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kgxp import __version__, load_scenario, run_round
from kgxp.cli import main
from tests.conftest import ROOT
from tests.test_cli import _appeal_pair


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kgxp", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert done.stdout.strip() == f"kgxp {__version__}"


def test_policy_from_a_toml_or_json_file(
    tmp_path: Path, example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "county.toml"
    toml.write_text('name = "我县"\nin_school_share = "0.8"\n', encoding="utf-8")
    assert main(["policy", "--policy", str(toml)]) == 0
    table = capsys.readouterr().out
    assert '| `in_school_share` | `"0.8"` |' in table
    as_json = tmp_path / "county.json"
    as_json.write_text(json.dumps({"name": "我县", "in_school_share": "0.8"}), encoding="utf-8")
    assert main(["summary", str(example_path), "--policy", str(as_json)]) == 0
    assert "竞聘，我县" in capsys.readouterr().out  # a policy the county named: as named


def test_bad_policy_file_lists_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("in_school_share = 2\nsplit_roundin = 'floor'\n", encoding="utf-8")
    assert main(["policy", "--policy", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "policy.in_school_share" in err
    assert "policy.split_roundin" in err
    assert main(["policy", "--policy", "no_such_preset"]) == 2
    assert "neither a preset" in capsys.readouterr().err
    assert main(["policy", "--policy", str(tmp_path / "missing.json")]) == 2


def test_compare_rejects_flags_that_do_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published, corrected = _appeal_pair(tmp_path)
    result_path = tmp_path / "result.json"
    result_path.write_text(run_round(load_scenario(published)).to_json(), encoding="utf-8")
    other_path = tmp_path / "other.json"
    other_path.write_text(run_round(load_scenario(corrected)).to_json(), encoding="utf-8")
    not_applying = [
        # B is a result: its policy is fixed, --policy-b would be ignored.
        [str(published), str(result_path), "--policy-b", "wuhan_like"],
        # a scenario compared with a result runs with the result's policy (an appeal).
        [str(result_path), str(corrected), "--policy", "wuhan_like"],
        [str(result_path), str(other_path), "--policy-b", "wuhan_like"],
        # A is a scenario: --scenario-a adds nothing.
        [str(published), str(corrected), "--scenario-a", str(published)],
        [str(result_path), str(corrected), "--scenario-b", str(corrected)],
    ]
    for argv in not_applying:
        assert main(["compare", *argv]) == 2, argv
        assert "does not apply" in capsys.readouterr().err
    assert main(["compare", str(published), str(corrected), "--policy-b", "wuhan_like"]) == 0


def test_run_formats_without_out_is_an_error(
    example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(example_path), "--formats", "csv", "--quiet"]) == 2
    assert "--formats applies only with --out" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "name", "text"),
    [
        (["validate"], "deep.json", "[" * 50_000 + "]" * 50_000),
        (["policy", "--policy"], "deep.json", '{"lottery_seed": ' + "[" * 5_000),
        (["policy", "--policy"], "deep.toml", "lottery_seed = " + "[" * 5_000 + "]" * 5_000),
    ],
)
def test_input_nested_too_deeply_exits_2_with_one_located_line(
    tmp_path: Path, argv: list[str], name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "kgxp", *argv, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert completed.returncode == 2, completed.stderr
    [line] = completed.stderr.splitlines()
    assert line.startswith("kgxp: ") and "Traceback" not in line
    assert "nested more than 100 levels" in line and ", column " in line
