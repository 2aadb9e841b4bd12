"""The benchmark runner runs (smallest size, one repeat): it must never rot. No timing asserts."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT


def test_runner_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("kgxp_bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--repeat", "1", "--sizes", "1,2"]) == 0
    out = capsys.readouterr().out
    assert "teachers |" in out
    assert "4,862" in out
