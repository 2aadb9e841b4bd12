"""Loading a scenario file in a fresh process: CPU, wall clock and peak memory.

Usage::

    python benchmarks/load_memory.py                       # 100,000 teachers, 3 processes
    python benchmarks/load_memory.py --file county.json    # an existing scenario file
    python benchmarks/load_memory.py --teachers 300000 --repeat 2

Each load runs in its own child process (``sys.executable`` with this process's
``PYTHONPATH``), so its peak RSS (its ``VmHWM``: the interpreter, imports, the file,
the decoded data and the scenario) and its page faults are its own, as a program that
loads one county sees them. Prints one row per process. No test asserts on them. To
compare two versions, run it with each ``PYTHONPATH`` in alternation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import child_program, last_json_line, run_python  # noqa: E402
from generator import county_file  # noqa: E402

_CHILD = child_program("""
import json, resource, sys, time
from child_process import own_peak_mb
import kgxp
wall, cpu = time.perf_counter(), time.process_time()
scenario = kgxp.load_scenario(sys.argv[1])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "teachers": len(scenario.teachers),
    "cpu": time.process_time() - cpu,
    "wall": time.perf_counter() - wall,
    "system": usage.ru_stime,
    "faults": usage.ru_minflt,
    "peak_mb": own_peak_mb(),
}))
""")


def _load_in_child(path: Path) -> dict[str, float]:
    row: dict[str, float] = last_json_line(run_python(["-c", _CHILD, str(path)]))
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="an existing scenario file to load instead")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with county_file(args.file, args.teachers) as path:
        print(
            "| teachers | load CPU s | wall s | process system s | minor page faults | peak RSS MB |"
        )
        print("|---|---|---|---|---|---|")
        for _ in range(args.repeat):
            row = _load_in_child(path)
            print(
                f"| {row['teachers']:,} | {row['cpu']:.2f} | {row['wall']:.2f} | "
                f"{row['system']:.2f} | {row['faults']:,} | {row['peak_mb']:,.0f} |"
            )


if __name__ == "__main__":
    main()
