"""Reading a round's result back: ``RoundResult.from_json`` against pydantic's JSON path.

Usage::

    python benchmarks/read_result.py                 # 100,000 teachers, median of 5
    python benchmarks/read_result.py --teachers 10000 --repeat 3

Runs one round of a generated county (:mod:`generator`), writes its ``result.json``
text, then times, side by side in this one process and in alternation, reading it
back the way kgxp did before (``RoundResult.model_validate_json``: pydantic's JSON path,
the collector running, a key given twice taken silently) and the way it does now
(``RoundResult.from_json``: the text decoded once to refuse a key given twice, and
the decoded data validated, with the collector paused). ``kgxp compare`` and
``Archive.round`` read results this way. Medians of wall-clock seconds; both reads
must give the result that was written. No test asserts on the times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import generate_county  # noqa: E402
from timing import seconds_of  # noqa: E402

import kgxp  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.teachers < 1:
        parser.error("--teachers and --repeat must be at least 1")
    scenario = kgxp.parse_scenario(generate_county(args.teachers, seed=2026))
    result = kgxp.run_round(scenario)
    del scenario
    text = result.to_json().encode()
    ways: dict[str, Callable[[], kgxp.RoundResult]] = {
        "RoundResult.model_validate_json (before)": lambda: kgxp.RoundResult.model_validate_json(
            text
        ),
        "RoundResult.from_json (now)": lambda: kgxp.RoundResult.from_json(text),
    }
    if any(way() != result for way in ways.values()):  # once, outside the timings
        raise SystemExit("a read gave another result than the one written")
    runs: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.repeat):  # alternating: both see the same periods of the machine
        for name, way in ways.items():
            runs[name].append(seconds_of(way))
    print(f"| {args.teachers:,} teachers, {len(text) / 1e6:.0f} MB result | median s | runs |")
    print("|---|---:|---|")
    for name, seconds in runs.items():
        shown = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"| {name} | {statistics.median(seconds):.2f} | {shown} |")
    before, now = (statistics.median(seconds) for seconds in runs.values())
    print(f"from_json: {before / now:.2f}× the speed of pydantic's JSON path alone")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
