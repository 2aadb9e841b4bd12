"""Loading a scenario file: JSON decoding with the garbage collector on and paused.

Usage::

    python benchmarks/load_json.py                 # 100,000 teachers, median of 3
    python benchmarks/load_json.py --teachers 10000 --repeat 5

Writes a generated county (:mod:`generator`) to a temporary file, then times, side
by side in this one process and in alternation, ``json.loads`` of its bytes with the
collector running and paused, with the duplicate-key hook ``load_scenario`` used
before issue 19's third pass and jiter refusing duplicates itself (what it does now), pydantic's own JSON
path (``Scenario.model_validate_json``) against decoding then ``model_validate`` (both
field validation only, no cross-record check), and the whole ``load_scenario``. Medians of wall-clock seconds. No test asserts on them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import generate_county  # noqa: E402
from timing import seconds_of  # noqa: E402

import kgxp  # noqa: E402
from kgxp._internal.gc_pause import collector_paused  # noqa: E402
from kgxp._internal.json_decode import _checked_decode, _fast_decode  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "county.json"
        kgxp.save_scenario(kgxp.parse_scenario(generate_county(args.teachers, seed=2026)), path)
        raw = path.read_bytes()
        text = raw.decode("utf-8")

        def paused() -> object:
            with collector_paused():
                return json.loads(text)

        def decode_then_validate() -> object:
            with collector_paused():
                return kgxp.Scenario.model_validate(json.loads(text))

        def pydantic_json() -> object:
            with collector_paused():
                return kgxp.Scenario.model_validate_json(raw)

        cases: dict[str, Callable[[], object]] = {
            "json.loads, collector running (before)": lambda: json.loads(text),
            "json.loads, collector paused": paused,
            "json.loads paused, duplicate-key hook (load_scenario before)": lambda: _checked_decode(
                raw
            ),
            "jiter paused, duplicates refused (load_scenario now)": lambda: _fast_decode(raw),
            "json.loads paused + Scenario.model_validate (fields only)": decode_then_validate,
            "Scenario.model_validate_json (pydantic's JSON path, fields only)": pydantic_json,
            "load_scenario (decode + validate)": lambda: kgxp.load_scenario(path),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        load = os.getloadavg()[0]
        for _ in range(args.repeat):
            for name, action in cases.items():
                times[name].append(seconds_of(action))
    print(f"| {args.teachers:,} teachers, {len(raw) / 2**20:.0f} MB file | median s | runs |")
    print("|---|---:|---|")
    for name, runs in times.items():
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"| {name} | {statistics.median(runs):.2f} | {shown} |")
    print(f"\nload average: {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
