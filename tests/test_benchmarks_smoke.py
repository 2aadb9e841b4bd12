"""The benchmark runner and profiler run on tiny sizes: they must never rot. No timing asserts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT, load_benchmark, load_benchmark_runner


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
    assert ROOT.joinpath("benchmarks", "profile_plan.py").is_file()


def test_lottery_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("lottery.py")
    argv = ["--draws", "4", "--sizes", "300", "--skip-cluster", "--repeat", "2"]
    assert module.main(argv) == 0
    out = capsys.readouterr().out
    assert "| example | 2,431 | by score | serial | 4 |" in out
    assert "| generated 300 | 300 | by score | processes | 4 |" in out
    # The default executor in a fresh script, alone (forked workers) and with a thread of
    # its own (forkserver): both give the serial run's document.
    assert "| example | 2,431 | by score | processes | 4 |" in out
    assert "| example | 2,431 | by score | processes, a thread of its own | 4 |" in out
    assert "1 distinct document(s) across executors and passes" in out
    serial = next(line for line in out.splitlines() if "| serial |" in line)
    assert len(serial.split(" | ")[6].split(", ")) == 2  # both passes' runs are shown
    assert "speed-up" not in out  # no Dask rows, no speed-up line
    with pytest.raises(SystemExit):  # no passes, no medians: refused before any work
        module.main(["--repeat", "0", "--skip-cluster"])
    assert module.main(["--per-draw", "--sizes", "300"]) == 0
    assert "| generated 300 (300) | by score |" in capsys.readouterr().out


def test_lottery_speed_ups_pair_each_pass_and_take_the_median() -> None:
    module = load_benchmark("lottery.py")

    def row(executor: str, runs: list[float]) -> dict[str, Any]:
        return {"county": "example", "policy": "by score", "executor": executor, "runs": runs}

    # Pass 2 ran on a machine twice as slow: its pair still reads 2×. The median of the
    # pairs is 2×, where the ratio of the medians (9 / 4 s) would read 2.25×.
    rows = [
        row("serial", [6.0, 12.0, 6.0]),
        row("dask, 1 worker", [8.0, 16.0, 9.0]),
        row("dask, 2 workers", [4.0, 8.0, 3.0]),
    ]
    assert module.speed_ups(rows) == [
        "speed-up 1 → 2 Dask workers: 2.00× (passes: 2.00, 2.00, 3.00)",
        "speed-up serial → 2 Dask workers: 1.50× (passes: 1.50, 1.50, 2.00)",
    ]
    assert module.speed_ups(rows[:2]) == []


def test_load_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("load_json.py")
    assert module.main(["--teachers", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "| 300 teachers," in out
    assert "| jiter paused, duplicates refused (load_scenario now) |" in out


def test_excel_benchmark_measures_a_tiny_county() -> None:
    load_benchmark_runner()  # puts benchmarks/ on sys.path
    import importlib

    excel = importlib.import_module("excel")
    rows = excel.measure(300, 1, compare=False)
    assert [name for name, _, _ in rows] == [
        "write_roster",
        "read_roster",
        "write_results (xlsx)",
        "write_results (print: 公示名单.xlsx)",
    ]
    assert all(teachers == 300 and wall >= 0 and cpu >= 0 for _, teachers, (wall, cpu) in rows)


def _lean_floor() -> Any:
    return load_benchmark("lean_floor.py")


def test_lean_floor_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert _lean_floor().main(["--teachers", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "| 300 teachers," in out
    assert "| plan, CPU |" in out
    assert "deferred acceptance: yes" in out
    assert "RoundResult retained:" in out
    assert "| validate only |" in out
    assert "the floor's decode + kgxp's validation alone:" in out
    # Both readings of the 5x target: with the decode on both sides, and without it.
    assert "without the file's decode on either side: plan " in out


def test_column_validation_measures_the_same_work_both_ways(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("column_validation.py")
    assert module.main(["--teachers", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "| one `Teacher` model per record (no cross-record checks) |" in out
    assert "every column's values equal the models' fields: yes" in out


def test_lean_floor_reads_a_file_that_leaves_defaults_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The generator's JSON (like a hand-written file) omits defaulted fields such as a
    # post's ``reserved``; --file read them as required and stopped with a KeyError.
    import json

    from generator import generate_county

    data = generate_county(300, seed=7)
    assert "reserved" not in data["posts"][0]
    path = tmp_path / "county.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _lean_floor().main(["--file", str(path), "--repeat", "1"]) == 0
    assert "deferred acceptance: yes" in capsys.readouterr().out


@pytest.mark.parametrize("seed", range(6))
def test_the_floors_numpy_deferred_acceptance_is_kgxps(seed: int) -> None:
    # The floor is only a floor if it computes the same matching: random markets with
    # short lists, scarce seats and padding, compared with kgxp's deferred acceptance.
    import random

    floor = _lean_floor()
    rng = random.Random(seed)
    posts, teachers, width = rng.randint(1, 30), rng.randint(1, 200), rng.randint(1, 6)
    preferences = np.full((teachers, width), -1, np.int64)
    for row in range(teachers):
        chosen = rng.sample(range(posts), rng.randint(0, min(width, posts)))
        preferences[row, : len(chosen)] = chosen
    capacities = np.array([rng.randint(0, 4) for _ in range(posts)], np.int64)
    position = np.array(rng.sample(range(teachers), teachers), np.int64)
    assert floor.same_as_kgxp(preferences, capacities, position)


def test_simulate_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("simulate.py")
    # This tree beside itself: each size in a child process, the JSON compared.
    argv = ["--sizes", "300,600", "--repeat", "1", "--semesters", "3", "--check"]
    assert module.main([*argv, "--before", str(ROOT / "src")]) == 0
    out = capsys.readouterr().out
    assert "| 300 |" in out
    assert "| 600 |" in out
    assert out.count("| yes |") == 2


def test_simulate_benchmark_times_each_stage_and_what_no_stage_took(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("simulate.py")
    # Two runs: each starts from zero (the rest too), and means of two are medians that add up.
    assert module.main(["--sizes", "300,600", "--repeat", "2", "--semesters", "2", "--stages"]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines()}
    for label, _, _ in module.STAGES:  # every stage of this tree's simulate was found
        assert label in rows
    totals = []
    for size in (300, 600):
        column = 1 + (size == 600)
        cells = [
            float(rows[label].split(" | ")[column])
            for label in [*(label for label, _, _ in module.STAGES), module.REST]
        ]
        totals.append((sum(cells), float(rows["simulate in all"].split(" | ")[column])))
    for parts, whole in totals:  # the stages and the rest add up to the whole (rounding)
        assert abs(parts - whole) <= 0.1 * len(module.STAGES) + 0.1


def test_simulate_benchmark_alternates_the_sizes_and_reads_the_ratio_pass_by_pass(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("simulate.py")
    argv = ["--sizes", "300,600", "--repeat", "1", "--semesters", "2", "--passes", "2"]
    assert module.main([*argv, "--check"]) == 0
    captured = capsys.readouterr()
    # Each pass runs every size in turn, so the sizes alternate: 300, 600, 300, 600.
    order = [line.split(":")[0] for line in captured.err.splitlines() if line.startswith("# pass")]
    assert order == ["# pass 1, 300", "# pass 1, 600", "# pass 2, 300", "# pass 2, 600"]
    row = next(line for line in captured.out.splitlines() if line.startswith("| 600 |"))
    assert "median of passes" in row and "in each of 2 pass(es)" in captured.out


def test_simulate_benchmark_ratio_is_the_median_of_side_by_side_passes() -> None:
    module = load_benchmark("simulate.py")

    def child(teachers: int, cpu: float, sha: str = "same") -> dict[str, Any]:
        return {
            "teachers": teachers,
            "seconds": cpu,
            "cpu": cpu,
            "runs": [cpu],
            "held_mb": 1.0,
            "peak_mb": cpu,
            "records": 1,
            "ledger": 1,
            "placed": 1,
            "sha256": sha,
        }

    # Pass by pass the larger county costs 1.2x, 1.3x and 1.4x a teacher; the medians of
    # each size over the passes (1.0 and 12.0 s) would read 1.2x instead.
    small = module.combine([child(10, 1.0), child(10, 0.8), child(10, 1.5)])
    large = module.combine([child(100, 12.0), child(100, 10.4), child(100, 21.0)])
    ratios = module.per_teacher_ratios(large, 100, small, 10)
    assert [round(r, 6) for r in ratios] == [1.2, 1.3, 1.4]
    assert (small["cpu"], large["cpu"], large["peak_mb"]) == (1.0, 12.0, 21.0)
    line = next(
        r for r in module.table([(10, None, small), (100, None, large)], 2) if "| 100 |" in r
    )
    assert "1.30× the CPU µs/teacher of 10, median of passes 1.20, 1.30, 1.40" in line
    # A simulation that is not deterministic stops the benchmark.
    with pytest.raises(SystemExit, match="sha256 differs"):
        module.combine([child(10, 1.0), child(10, 1.0, sha="other")])
    with pytest.raises(SystemExit):  # no passes: refused before any work
        module.main(["--passes", "0"])


def test_memory_locality_prints_both_orders_against_the_first_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("memory_locality.py")
    assert module.main(["--sizes", "200,400", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(line for line in lines if line.startswith("| 200 |"))
    assert first.count("| 1.00× |") == 2  # the first size is the base of both ratios
    assert any(line.startswith("| 400 |") for line in lines)
    with pytest.raises(SystemExit):  # no passes: refused before any work
        module.main(["--repeat", "0"])


def test_publications_benchmark_prints_old_and_new_with_their_digests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("publications.py")
    steps = "write_results json,round_metrics,outcome_rows"
    argv = ["--size", "300", "--repeat", "1", "--steps", steps, "--old", str(ROOT / "src")]
    assert module.main(argv) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()[2:]]
    assert [(row[0], row[2]) for row in rows] == [
        (f"| {version}", step) for version in ("old", "new") for step in steps.split(",")
    ]
    digests = {row[2]: set() for row in rows}
    for row in rows:
        digests[row[2]].add(row[-1])
    assert all(len(found) == 1 for found in digests.values())  # the same code: the same output


def test_the_benchmarks_run_a_child_with_the_kgxp_of_the_src_given() -> None:
    child = load_benchmark("child_process.py")
    where = "import kgxp, sys; print(kgxp.__file__); print(sys.argv[1:])"
    for source in (ROOT / "src", None):
        printed = child.run_python(["-c", where, "a b", "c"], source=source).splitlines()
        assert printed[1] == "['a b', 'c']"
        if source is not None:  # PYTHONPATH wins over the venv's editable install
            assert Path(printed[0]).resolve() == ROOT.joinpath("src", "kgxp", "__init__.py")
    warm = child.run_python(["-c", "print('warm'); print([1, 2])"])
    assert child.last_json_line(warm) == [1, 2]
    # A child that fails stops the benchmark with the child's own error.
    failed = r"^python -c import sys; print.* … \(this PYTHONPATH\) exited with 3:\nbroken child"
    with pytest.raises(RuntimeError, match=failed):
        child.run_python(["-c", "\nimport sys; print('broken child', file=sys.stderr); exit(3)"])


def test_roster_read_reads_with_the_kgxp_of_each_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_benchmark("roster_read.py")
    argv = ["roster_read.py", "--sizes", "300", "--pairs", "1", "--old", str(ROOT / "src")]
    monkeypatch.setattr(sys, "argv", argv)
    module.main()
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()[2:]]
    assert [row[0] for row in rows] == ["| old", "| new"]
    assert rows[0][1] == rows[1][1] == "300"
    assert rows[0][-1] == rows[1][-1]  # the same code reads the same scenario


def test_load_memory_loads_in_a_child_of_this_kgxp(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("load_memory.py")
    module.main(["--teachers", "300", "--repeat", "1"])
    rows = capsys.readouterr().out.splitlines()[2:]
    assert len(rows) == 1 and rows[0].startswith("| 300 |")


def test_from_file_plans_each_size_in_alternating_fresh_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("from_file.py")
    module.main(["--sizes", "300,400", "--repeat", "2"])
    out = capsys.readouterr().out.splitlines()
    rows = [line.split(" | ") for line in out[2:6]]
    # One child per size and pass, the sizes in turn: 300, 400, 300, 400.
    assert [row[0] for row in rows] == ["| 300", "| 400", "| 300", "| 400"]
    for row in rows:  # load, run, verify add up to the total (two decimals each)
        load, run, verify, total = map(float, row[1:5])
        assert abs(load + run + verify - total) <= 0.02
        assert float(row[6].rstrip(" |").replace(",", "")) > 0  # the child's own peak
    assert out[7].startswith("300 teachers: median ") and "over 2 process(es)" in out[7]
    assert out[7].endswith(": —") and out[8].startswith("400 teachers")  # no target there


def test_from_file_reads_each_sizes_targets_and_refuses_a_plan_with_violations() -> None:
    module = load_benchmark("from_file.py")
    assert module.verdict(100_000, 2.0, 5_000.0) == "≤ 2 s met"
    assert module.verdict(100_000, 2.01, 100.0) == "≤ 2 s GAP"
    assert module.verdict(300_000, 6.4, 1_600.0) == "≤ 6.5 s met; ≤ 1,536 MB GAP"
    assert module.verdict(300_000, 7.0, 1_000.0) == "≤ 6.5 s GAP; ≤ 1,536 MB met"
    assert module.verdict(10_000, 99.0, 99_999.0) == "—"
    clean = {"teachers": 300, "total": 0.1, "violations": 0}
    assert module.checked(clean, Path("county.json")) is clean
    with pytest.raises(SystemExit, match=r"verify found 2 violation\(s\) in the plan of county"):
        module.checked({**clean, "violations": 2}, Path("county.json"))
    with pytest.raises(SystemExit):  # refused before any county is generated
        module.main(["--sizes", "300", "--repeat", "0"])


@pytest.mark.parametrize("script", ["from_file.py", "load_memory.py"])
def test_a_childs_peak_is_its_own_not_the_benchmarks(
    script: str, capsys: pytest.CaptureFixture[str]
) -> None:
    module = load_benchmark(script)
    # The benchmark's own process holds 600 MB (written, so resident), as it does after
    # generating a 300,000-teacher county; a 300-teacher child's peak is far below that.
    held = b"\x01" * (600 * 1024 * 1024)
    module.main(["--teachers" if script == "load_memory.py" else "--sizes", "300", "--repeat", "1"])
    del held
    row = capsys.readouterr().out.splitlines()[2]
    assert row.startswith("| 300 |")
    assert 0 < float(row.rstrip(" |").rsplit("| ", 1)[1].replace(",", "")) < 400


def test_lottery_table_judges_the_target_on_rows_that_use_the_machine() -> None:
    # The target is read from lottery_odds's default executor (local processes) and the
    # 2-worker cluster; the one-core rows (serial, 1 worker) are the speed-ups' references,
    # and a verdict there read as a missed target (stop 44: "MISSED" at 11.05 s, 1 worker).
    module = load_benchmark("lottery.py")

    def row(executor: str, seconds: float) -> dict[str, Any]:
        return {
            "county": "example",
            "teachers": 2431,
            "policy": "by score",
            "executor": executor,
            "draws": 1000,
            "seconds": seconds,
            "runs": [seconds],
            "cpu": 0.5,
            "decided": 118,
        }

    lines = module.table(
        [
            row(module.SERIAL, 11.0),
            row("processes", 5.8),
            row(module.dask_label(1), 11.0),
            row(module.dask_label(2), 12.0),
        ],
        1000,
    )
    verdicts = {line.split(" | ")[3]: line.rsplit(" | ", 1)[1] for line in lines[2:]}
    assert verdicts == {
        "serial": "— (one core) |",
        "processes": "≤ 10 s: met |",
        "dask, 1 worker": "— (one core) |",
        "dask, 2 workers": "≤ 10 s: MISSED |",
    }


def test_the_result_reading_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("read_result.py")
    assert module.main(["--teachers", "300", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "| RoundResult.model_validate_json (before) |" in out
    assert "| RoundResult.from_json (now) |" in out
    assert "× the speed of pydantic's JSON path alone" in out


def test_the_what_if_rounds_benchmark_times_each_executor_in_fresh_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("what_if_rounds.py")
    module.main(["--sizes", "300", "--runs", "1", "--before", str(ROOT / "src")])
    out = capsys.readouterr().out
    assert (
        "| teachers | serial | default, one thread (fork) "
        "| default, a thread of its own (forkserver) | default, "
    ) in out
    row = next(line for line in out.splitlines() if line.startswith("| 300 |"))
    assert row.count(" s (") == 4  # each executor's median and its runs
