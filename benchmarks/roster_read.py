"""read_roster at province scale, two versions of kgxp side by side.

Usage::

    python benchmarks/roster_read.py --sizes 10000,100000 --pairs 3 --old ../main/src

Writes the seeded county's roster once per size (:mod:`generator`, seed 2026, with
the kgxp being measured), then reads it ``--pairs`` times with each version,
alternating old and new, each read in its own process (``PYTHONPATH`` set to the
version's ``src``). Prints a Markdown row per read: wall-clock seconds, CPU seconds
of the process (every thread), CPU seconds of the main thread (the part that holds
the GIL: what no second core shortens), and the first 16 hex digits of the SHA-256
of the scenario read (:func:`kgxp.dump_scenario`): the same for both versions, or the
read is not the same. Note the machine's load: wall-clock seconds on a shared
machine are noise, CPU seconds much less so. No test asserts on the numbers;
docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
NEW = HERE.parent / "src"

from child_process import run_python  # noqa: E402

_READ = """
import hashlib, sys, time
import kgxp
wall, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
scenario = kgxp.read_roster(sys.argv[1])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
main = time.thread_time() - main
digest = hashlib.sha256(kgxp.dump_scenario(scenario).encode()).hexdigest()[:16]
print(f"{wall:.2f} | {cpu:.2f} | {main:.2f} | {digest}")
"""

_WRITE = """
import sys
sys.path.insert(0, sys.argv[3])
from generator import generate_county
import kgxp
kgxp.write_roster(kgxp.parse_scenario(generate_county(int(sys.argv[1]), 2026)), sys.argv[2])
"""


def _run(code: str, source: Path, *arguments: str) -> str:
    return run_python(["-c", code, *arguments], source=source).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--old", type=Path, required=True, help="the old version's src folder")
    args = parser.parse_args()
    print("| version | teachers | load | s | CPU s | main thread CPU s | scenario SHA-256 |")
    print("|---|---:|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            roster = Path(folder) / f"roster{size}.xlsx"
            _run(_WRITE, NEW, str(size), str(roster), str(HERE))
            for _ in range(args.pairs):
                for version, source in (("old", args.old.resolve()), ("new", NEW)):
                    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                    row = _run(_READ, source, str(roster))
                    print(f"| {version} | {size:,} | {load} | {row} |", flush=True)


if __name__ == "__main__":
    main()
