"""What-if rounds of one county: in this process against the default local processes.

Usage::

    python benchmarks/what_if_rounds.py                          # 10,000, 30,000, 100,000; 2 runs
    python benchmarks/what_if_rounds.py --sizes 10000 --runs 3
    python benchmarks/what_if_rounds.py --before /path/to/old/src  # old code's processes beside

Each run is a fresh child process (``child_process.run_python``): it generates the county
(:mod:`generator`, seed 20260901, not timed), runs one round of the default policy in this
process (so the county's digest and verdict are known, as in a notebook that ran the
round before its what-ifs; not timed), then times ``run_rounds`` of the four variants
of a 2×2 ``policy_grid`` (``in_school_share`` 0.85 / 0.9, tie-breakers none / performance
then seniority) with ``executor="serial"`` or the default local processes: forked, as a
script alone in its process has them, and started by forkserver, as a program with a
thread of its own has them (the child starts one, idle, before the sweep). With
``--before``, the default executor is also timed with another version's ``src``. The
executors alternate within each run, so a slow minute of this VM falls on all of them.
Every executor must give the same results (a SHA-256 of their JSON), or the benchmark
stops. docs/sweeps.md gives the readings. No test asserts on the times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import child_program, last_json_line, run_python  # noqa: E402

SEED = 20260901

_CHILD = child_program("""
import hashlib, json, sys, threading, time
import kgxp
from generator import generate_county

teachers, executor = int(sys.argv[1]), sys.argv[2]
scenario = kgxp.parse_scenario(generate_county(teachers, int(sys.argv[3])))
kgxp.run_round(scenario)
grid = kgxp.policy_grid(
    {"in_school_share": ["0.85", "0.9"], "tie_breakers": [(), ("performance", "seniority")]}
)
if executor == "threaded":  # a program's own thread: the workers start by forkserver
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
start = time.perf_counter()
default = executor in {"processes", "threaded"}
results = kgxp.run_rounds(scenario, grid, executor=None if default else executor)
seconds = time.perf_counter() - start
text = "".join(name + result.to_json() for name, result in results.items())
print(json.dumps({"seconds": seconds, "sha256": hashlib.sha256(text.encode()).hexdigest()}))
""")


def rounds_in_child(teachers: int, executor: str, source: Path | None = None) -> dict[str, Any]:
    """One fresh process's timing of the four what-if rounds on ``executor``."""
    out = run_python(["-c", _CHILD, str(teachers), executor, str(SEED)], source=source)
    row: dict[str, Any] = last_json_line(out)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,30000,100000", help="comma-separated teachers")
    parser.add_argument("--runs", type=int, default=2, help="fresh processes per executor")
    parser.add_argument("--before", type=Path, help="another version's src/, its processes")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes = [int(size) for size in args.sizes.split(",")]
    columns: list[tuple[str, str, Path | None]] = [
        ("serial", "serial", None),
        ("default, one thread (fork)", "processes", None),
        ("default, a thread of its own (forkserver)", "threaded", None),
    ]
    if args.before is not None:
        columns.append((f"default, {args.before}", "processes", args.before))
    print(f"| teachers | {' | '.join(name for name, _, _ in columns)} |")
    print(f"|---:|{'---:|' * len(columns)}")
    for teachers in sizes:
        seconds: dict[str, list[float]] = {name: [] for name, _, _ in columns}
        digests = set()
        for _ in range(args.runs):  # the executors alternate within each run
            for name, executor, source in columns:
                row = rounds_in_child(teachers, executor, source)
                seconds[name].append(row["seconds"])
                digests.add(row["sha256"])
        if len(digests) != 1:
            raise SystemExit(f"{teachers:,} teachers: the executors' results differ")
        cells = [
            f"{statistics.median(runs):.2f} s ({', '.join(f'{s:.2f}' for s in runs)})"
            for runs in seconds.values()
        ]
        print(f"| {teachers:,} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
