"""Lottery odds benchmark: draws per second, serial, local processes and a Dask cluster.

Usage::

    python benchmarks/lottery.py                   # the rows of docs/benchmarks.md
    python benchmarks/lottery.py --draws 100 --sizes 1000 --skip-cluster --repeat 1
    python benchmarks/lottery.py --per-draw        # CPU seconds per draw, one process

Rows, measured side by side in one run: ``lottery_odds`` of the example county
(2,431 teachers) ranked by score then the draw (no tie-breakers: the draw decides
ties, the costly case), ``draws`` draws — in this process, on the default local
processes, and on a local Dask cluster of 1 and then 2 worker processes (one thread
each) — and of the default policy; then of generated counties (:mod:`generator`).
The default executor's rows each run in a fresh script process, as a user's script
would: ``processes`` alone in its process (its workers forked), ``processes, a thread
of its own`` after starting an idle thread (its workers started by forkserver, as in a
notebook or a service). Times are wall-clock seconds of the ``lottery_odds`` call; a
cluster's start-up is reported on its own line, not in the rows. CPU seconds of the
calling process are shown too (for the serial row they are the work; for the others,
what the parent spent).
The target column judges the rows where ``lottery_odds`` uses the machine (local
processes, its default, and 2 Dask workers); the one-core rows (serial, 1 worker) are
the references of the speed-ups and read "— (one core)".

``--repeat`` passes (default 3) each measure every row once, in the order above;
a row shows the median and every run. This machine's speed swings by a third
from one minute to the next (the same 1,000 serial draws: 6.8–12.0 s in one
process), so a single pass can flatter or hide a speed-up: the 1 → 2 worker
speed-up is the median of each pass's ratio, both rows measured seconds apart,
and the speed-up of 2 workers over this process is printed beside it. The
machine load (1-minute average) is printed before and after: on a shared machine
the rows are only comparable with each other. No test asserts on the numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import child_program, last_json_line, run_python  # noqa: E402
from generator import generate_county  # noqa: E402

import kgxp  # noqa: E402

EXAMPLE = HERE.parent / "examples" / "ziyang_county.json"
SEED = 2026
TARGETS = {"example": 10.0, 10_000: 60.0}  # seconds for 1,000 draws (issue 19)
# The policies of the rows: ranked by score then the draw (no tie-breakers: the draw
# decides ties, the costly case), and the default's four tie-breakers.
POLICIES = {"by score": kgxp.Policy().evolve(tie_breakers=()), "default": kgxp.Policy()}
SERIAL = "serial"  # the executor column of the row run in this process
FORKED = "processes"  # the default executor, in a script alone in its process
FORKSERVER = "processes, a thread of its own"  # the default, in a program with a thread


def dask_label(workers: int) -> str:
    """The executor column of the row run on a Dask cluster of ``workers`` workers."""
    return f"dask, {workers} worker{'s' * (workers > 1)}"


# Rows on one core: the references of the speed-ups, not readings of the targets, which
# are read where lottery_odds uses the machine (its default local processes, 2 workers).
ONE_CORE = {SERIAL, dask_label(1)}


# One run's wall and CPU seconds, teachers whose post the draw decides, and a SHA-256 of
# the document (each run is kept as these, not as the document: a sweep's documents held
# to the end would grow the heap every later run's garbage collections walk).
_Run = tuple[float, float, int, str]


def _timed(action: Callable[[], kgxp.LotteryOdds]) -> _Run:
    wall, cpu = time.perf_counter(), time.process_time()
    odds = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, odds.summary()["post_decided"], _digest(odds)


def _digest(odds: kgxp.LotteryOdds) -> str:
    return hashlib.sha256(odds.model_dump_json().encode()).hexdigest()


# The default executor's rows run in a fresh process each, a script: its workers are
# forked when it is alone, by forkserver when it starts a thread of its own first. In this
# process the workers' start would depend on the rows before (Dask's import starts threads).
_CHILD = child_program("""
import json, sys
from lottery import in_this_script
print(json.dumps(in_this_script(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "yes")))
""")


def in_this_script(county: str, policy: str, draws: int, threaded: bool) -> _Run:
    """In the script :func:`_in_script` starts: ``county`` (a file, or a generated county's
    size) warmed up as this process's rows are, then ``draws`` draws on the default
    executor, after starting an idle thread of the script's own if ``threaded``."""
    scenario = (
        kgxp.load_scenario(county)
        if county.endswith(".json")
        else kgxp.parse_scenario(generate_county(int(county), seed=SEED))
    )
    kgxp.lottery_odds(scenario, POLICIES[policy], draws=2, executor="serial")  # warm caches
    if threaded:  # a program's own thread, alive through the sweep
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
    return _timed(partial(kgxp.lottery_odds, scenario, POLICIES[policy], draws=draws))


def _in_script(county: str, policy: str, draws: int, *, threaded: bool) -> _Run:
    """``lottery_odds`` on the default executor, timed in a fresh script process."""
    out = run_python(["-c", _CHILD, county, policy, str(draws), "yes" if threaded else "no"])
    wall, cpu, decided, digest = last_json_line(out)
    return float(wall), float(cpu), int(decided), str(digest)


def _on_dask(
    workers: int,
    scenario: kgxp.Scenario,
    policy: kgxp.Policy,
    draws: int,
    startups: dict[int, list[float]],
) -> _Run:
    """``lottery_odds`` on a fresh local Dask cluster; its start-up goes to ``startups``."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        Client(local) as client,
    ):
        startups.setdefault(workers, []).append(time.perf_counter() - started)
        return _timed(lambda: kgxp.lottery_odds(scenario, policy, draws=draws, executor=client))


# One row: (county, teachers, policy, executor) and what it times.
_Measure = tuple[tuple[str, int, str, str], Callable[[], _Run]]


def _measures(
    draws: int, sizes: list[int], cluster: bool, startups: dict[int, list[float]]
) -> list[_Measure]:
    example = kgxp.load_scenario(EXAMPLE)
    by_score = POLICIES["by score"]
    kgxp.lottery_odds(example, by_score, draws=2, executor="serial")  # imports, warm caches
    n = len(example.teachers)
    measures: list[_Measure] = [
        (
            ("example", n, "by score", SERIAL),
            partial(
                _timed,
                partial(kgxp.lottery_odds, example, by_score, draws=draws, executor="serial"),
            ),
        ),
        (
            ("example", n, "by score", FORKED),
            partial(_in_script, str(EXAMPLE), "by score", draws, threaded=False),
        ),
        (
            ("example", n, "by score", FORKSERVER),
            partial(_in_script, str(EXAMPLE), "by score", draws, threaded=True),
        ),
        (
            ("example", n, "default", FORKED),
            partial(_in_script, str(EXAMPLE), "default", draws, threaded=False),
        ),
    ]
    if cluster:
        for workers in (1, 2):
            measures.append(
                (
                    ("example", n, "by score", dask_label(workers)),
                    partial(_on_dask, workers, example, by_score, draws, startups),
                )
            )
    for size in sizes:
        measures.append(
            (
                (f"generated {size:,}", size, "by score", FORKED),
                partial(_in_script, str(size), "by score", draws, threaded=False),
            )
        )
    return measures


def run(
    draws: int, sizes: list[int], *, cluster: bool, repeat: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every row ``repeat`` times, in passes: each pass measures all rows side by side."""
    notes = [f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"]
    startups: dict[int, list[float]] = {}
    measures = _measures(draws, sizes, cluster, startups)
    runs: list[list[_Run]] = [[] for _ in measures]
    for _ in range(repeat):
        for k, (_, measure) in enumerate(measures):
            runs[k].append(measure())
    rows = []
    for ((county, teachers, policy, executor), _), measured in zip(measures, runs, strict=True):
        walls = [wall for wall, _, _, _ in measured]
        rows.append(
            {
                "county": county,
                "teachers": teachers,
                "policy": policy,
                "executor": executor,
                "draws": draws,
                "seconds": statistics.median(walls),
                "runs": walls,
                "cpu": statistics.median(cpu for _, cpu, _, _ in measured),
                "decided": measured[0][2],
                "json": {text for _, _, _, text in measured},
            }
        )
    for workers, seconds in startups.items():
        each = ", ".join(f"{second:.1f}" for second in seconds)
        notes.append(f"Dask cluster of {workers} worker(s) started in {each} s (not in the rows)")
    notes.append(f"load average after: {os.getloadavg()[0]:.1f}")
    return rows, notes


def per_draw(sizes: list[int]) -> list[str]:
    """CPU time of the replay itself, in this process: set-up, then per draw."""
    from kgxp.lottery.odds import _tally
    from kgxp.lottery.replay import Replay

    counties = [("example", kgxp.load_scenario(EXAMPLE), 200)]
    counties += [
        (f"generated {size:,}", kgxp.parse_scenario(generate_county(size, seed=SEED)), 50)
        for size in sizes
    ]
    lines = [
        "| county | policy | set-up, CPU s | CPU ms per draw | 1,000 draws, 1 core "
        "| 1,000 draws, 2 free cores |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, county, draws in counties:
        for label, policy in POLICIES.items():
            started = time.process_time()
            replay = Replay(county, policy)
            _tally(replay, kgxp.draw_seeds(0, 1))
            setup = time.process_time() - started
            started = time.process_time()
            _tally(replay, kgxp.draw_seeds(0, draws))
            each = (time.process_time() - started) / draws
            lines.append(
                f"| {name} ({len(county.teachers):,}) | {label} | {setup:.2f} | {each * 1e3:.1f} "
                f"| {each * 1e3:.1f} s | {each * 500:.1f} s |"
            )
    return lines


def table(rows: list[dict[str, Any]], draws: int) -> list[str]:
    lines = [
        "| county | teachers | policy | executor | draws | seconds | runs | CPU s (this process) "
        "| post decided by the draw | target |",
        "|---|---:|---|---|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        target = TARGETS.get("example" if r["county"] == "example" else r["teachers"])
        scaled = target * draws / 1000 if target else None
        cell = "—"
        if r["executor"] in ONE_CORE:
            cell = "— (one core)"
        elif scaled is not None and r["policy"] == "by score":
            cell = f"≤ {scaled:g} s: {'met' if r['seconds'] <= scaled else 'MISSED'}"
        runs = ", ".join(f"{wall:.2f}" for wall in r["runs"])
        lines.append(
            f"| {r['county']} | {r['teachers']:,} | {r['policy']} | {r['executor']} "
            f"| {r['draws']:,} | {r['seconds']:.2f} | {runs} | {r['cpu']:.2f} | {r['decided']} "
            f"| {cell} |"
        )
    return lines


def speed_ups(rows: list[dict[str, Any]]) -> list[str]:
    """1 → 2 Dask workers, and 2 workers against this process, from pass-by-pass pairs."""
    example = {
        r["executor"]: r for r in rows if r["county"] == "example" and r["policy"] == "by score"
    }
    one, two = example.get(dask_label(1)), example.get(dask_label(2))
    if one is None or two is None:
        return []
    serial = example[SERIAL]
    lines = []
    for label, base in (("1 → 2 Dask workers", one), ("serial → 2 Dask workers", serial)):
        # Each pass measured both rows a few seconds apart: its ratio is side by side,
        # the median of the ratios is not skewed by a pass the machine ran slower.
        ratios = [a / b for a, b in zip(base["runs"], two["runs"], strict=True)]
        each = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        lines.append(f"speed-up {label}: {statistics.median(ratios):.2f}× (passes: {each})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--sizes", default="10000", help="generated counties, comma-separated")
    parser.add_argument(
        "--repeat", type=int, default=3, help="passes over every row (median, and each run)"
    )
    parser.add_argument("--skip-cluster", action="store_true", help="no Dask rows")
    parser.add_argument(
        "--per-draw", action="store_true", help="only the CPU time per draw, in this process"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.per_draw:
        print("\n".join(per_draw(sizes)))
        print(f"\nload average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return 0
    rows, notes = run(args.draws, sizes, cluster=not args.skip_cluster, repeat=args.repeat)
    print("\n".join(table(rows, args.draws)))
    print()
    same = set().union(
        *(r["json"] for r in rows if r["county"] == "example" and r["policy"] == "by score")
    )
    print(f"example county, by score: {len(same)} distinct document(s) across executors and passes")
    for note in notes:
        print(note)
    for line in speed_ups(rows):
        print(line)
    return 0 if len(same) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
