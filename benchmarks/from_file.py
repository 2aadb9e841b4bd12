"""The whole plan from a scenario file, each run in a fresh process: issue 19's from-file rows.

Usage::

    python benchmarks/from_file.py                          # 100,000 and 300,000, 2 processes each
    python benchmarks/from_file.py --sizes 300000 --repeat 3
    python benchmarks/from_file.py --file county.json       # an existing scenario file

What a bureau's program does with one county: ``load_scenario`` + ``run_round`` +
``verify``, timed step by step in its own child process (``sys.executable`` with this
process's ``PYTHONPATH``), so the peak RSS (the child's ``VmHWM``: the interpreter,
imports, the file, the scenario, the result and ``verify``'s work) is the plan's alone,
not that of the benchmark, which has just generated the counties, or of an earlier
size. Counties come from ``generator.py`` (seed 2026), saved as scenario files first
(not timed). The sizes alternate when ``--repeat`` is above 1 (100,000, 300,000,
100,000, …), so a slow minute of this VM falls on both.

Prints one row per process, then per size the median of the processes' totals against
the targets (100,000 ≤ 2 s; 300,000 ≤ 6.5 s and ≤ 1.5 GB peak) and the largest peak.
A child whose ``verify`` finds a violation stops the benchmark. No test asserts on the
times.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import child_program, last_json_line, run_python  # noqa: E402
from generator import county_file  # noqa: E402

# Issue 19: seconds and peak MB from the file, by county size.
TARGET_SECONDS = {100_000: 2.0, 300_000: 6.5}
TARGET_PEAK_MB = {300_000: 1536.0}

_CHILD = child_program("""
import json, sys, time
from child_process import own_peak_mb
import kgxp

start = time.perf_counter(); cpu = time.process_time()
scenario = kgxp.load_scenario(sys.argv[1])
loaded = time.perf_counter()
result = kgxp.run_round(scenario)
ran = time.perf_counter()
violations = kgxp.verify(scenario, result)
done = time.perf_counter()
print(json.dumps({
    "teachers": len(scenario.teachers),
    "load": loaded - start,
    "run": ran - loaded,
    "verify": done - ran,
    "total": done - start,
    "cpu": time.process_time() - cpu,
    "peak_mb": own_peak_mb(),
    "violations": len(violations),
}))
""")


def plan_in_child(path: Path) -> dict[str, Any]:
    """One fresh process's ``load_scenario`` + ``run_round`` + ``verify`` of ``path``."""
    return checked(last_json_line(run_python(["-c", _CHILD, str(path)])), path)


def checked(row: dict[str, Any], path: Path) -> dict[str, Any]:
    """``row`` if its plan verified clean; a time of a plan with violations means nothing."""
    if row["violations"]:
        raise SystemExit(f"verify found {row['violations']} violation(s) in the plan of {path}")
    return row


def verdict(teachers: int, seconds: float, peak_mb: float) -> str:
    """The size's targets, met or not; "—" for a size the issue sets none for."""
    parts = []
    if teachers in TARGET_SECONDS:
        limit = TARGET_SECONDS[teachers]
        parts.append(f"≤ {limit:g} s {'met' if seconds <= limit else 'GAP'}")
    if teachers in TARGET_PEAK_MB:
        limit = TARGET_PEAK_MB[teachers]
        parts.append(f"≤ {limit:,.0f} MB {'met' if peak_mb <= limit else 'GAP'}")
    return "; ".join(parts) or "—"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,300000", help="comma-separated teachers")
    parser.add_argument("--file", type=Path, help="an existing scenario file instead")
    parser.add_argument("--repeat", type=int, default=2, help="fresh processes per size")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [0] if args.file else [int(size) for size in args.sizes.split(",")]
    with contextlib.ExitStack() as stack:
        files = {size: stack.enter_context(county_file(args.file, size)) for size in sizes}
        rows: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
        print("| teachers | load s | run s | verify s | total s | CPU s | peak RSS MB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for _ in range(args.repeat):
            for size in sizes:
                row = plan_in_child(files[size])
                rows[size].append(row)
                print(
                    f"| {row['teachers']:,} | {row['load']:.2f} | {row['run']:.2f} | "
                    f"{row['verify']:.2f} | {row['total']:.2f} | {row['cpu']:.2f} | "
                    f"{row['peak_mb']:,.0f} |"
                )
    print()
    for runs in rows.values():
        teachers = runs[0]["teachers"]
        seconds = statistics.median(row["total"] for row in runs)
        peak = max(row["peak_mb"] for row in runs)
        print(
            f"{teachers:,} teachers: median {seconds:.2f} s over {len(runs)} process(es), "
            f"largest peak {peak:,.0f} MB: {verdict(teachers, seconds, peak)}"
        )


if __name__ == "__main__":
    main()
