"""The benchmark runner and profiler run on tiny sizes: they must never rot. No timing asserts."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT, load_benchmark_runner


def test_runner_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    runner = load_benchmark_runner()
    argv = ["--repeat", "1", "--sizes", "300,1000", "--in-process"]
    argv += ["--compare-sizes", "200", "--optimal-size", "300"]
    assert runner.main(argv) == 0
    out = capsys.readouterr().out
    assert "| teachers |" in out
    assert "| 1,000 |" in out
    assert "`matching`" in out
    assert "straightforward CP-SAT model" in out


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


def test_excel_benchmark_measures_a_tiny_county() -> None:
    load_benchmark_runner()  # puts benchmarks/ on sys.path
    import importlib

    excel = importlib.import_module("excel")
    rows = excel.measure(300, 1, compare=False)
    assert [name for name, _, _ in rows] == ["write_roster", "read_roster", "write_results (xlsx)"]
    assert all(teachers == 300 and wall >= 0 and cpu >= 0 for _, teachers, (wall, cpu) in rows)
