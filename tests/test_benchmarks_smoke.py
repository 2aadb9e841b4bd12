"""The benchmark runner runs (smallest size, one repeat): it must never rot. No timing asserts."""

from __future__ import annotations

import pytest

from tests.conftest import load_benchmark_runner


def test_runner_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_benchmark_runner().main(["--repeat", "1", "--sizes", "1,2"]) == 0
    out = capsys.readouterr().out
    assert "teachers |" in out
    assert "4,862" in out
