from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgxp.cli import main
from tests.factories import scenario_data


def test_validate_ok(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(example_path)]) == 0
    assert "valid — 48 schools" in capsys.readouterr().out


def test_validate_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = scenario_data()
    data["teachers"][0]["school"] = "NOPE"
    data["posts"][0]["reserved"] = 9
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err
    assert "teachers[0] (id=T1).school" in err
    assert "posts[0] (id=A-CHN).reserved" in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/no/such/file.json"]) == 2
    assert "No such file" in capsys.readouterr().err


def test_summary_and_demo(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(example_path)]) == 0
    out = capsys.readouterr().out
    assert "紫阳县 (示例)" in out
    assert "near_retirement" in out
    assert "merged into" in out
    assert main(["summary", str(example_path), "--policy", "wuhan_like"]) == 0
    assert "policy wuhan_like" in capsys.readouterr().out


def test_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Scenario"


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
