"""The benchmark runner and profiler run on tiny sizes: they must never rot. No timing asserts."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT, load_benchmark_runner


def test_runner_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    runner = load_benchmark_runner()
    argv = ["--repeat", "1", "--sizes", "300,1000", "--in-process"]
    argv += ["--compare-sizes", "200", "--optimal-size", "300", "--balance-size", "300"]
    assert runner.main(argv) == 0
    out = capsys.readouterr().out
    assert "| teachers |" in out
    assert "| 1,000 |" in out
    assert "`matching`" in out
    assert "straightforward CP-SAT model" in out
    assert "| balanced |" in out and "| msda |" in out


def test_generator_is_deterministic_and_valid() -> None:
    load_benchmark_runner()  # puts benchmarks/ on sys.path
    generator = sys.modules["generator"]
    import kgxp

    data = generator.generate_county(500, seed=3)
    assert data == generator.generate_county(500, seed=3)
    scenario = kgxp.parse_scenario(data)
    assert len(scenario.teachers) == 500
    assert any(school.merged_into for school in scenario.schools) or len(scenario.schools) < 60
    assert any(post.reserved for post in scenario.posts)
    assert ROOT.joinpath("benchmarks", "profile.py").is_file()
