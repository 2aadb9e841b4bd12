"""kgxp benchmarks: prints a table of timings (medians) and peak memory.

Usage: ``python benchmarks/run.py [--repeat N] [--sizes 1,2,4]``. Sizes are
multiples of the example county (2,431 teachers), made by copying its schools,
posts and teachers under new ids. Timings are in-process medians, excluding
interpreter start and imports. No test asserts on these numbers.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kgxp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ziyang_county.json"


def replicate(data: dict[str, Any], copies: int) -> dict[str, Any]:
    """``copies`` disjoint copies of a county in one scenario (ids suffixed ``~k``)."""
    if copies == 1:
        return data
    out = {k: v for k, v in data.items() if k not in {"schools", "posts", "teachers"}}
    out["staffing"] = {
        "total_posts": data["staffing"]["total_posts"] * copies,
        "posts_by_level": {k: v * copies for k, v in data["staffing"]["posts_by_level"].items()},
    }
    suffix = lambda value, k: f"{value}~{k}"  # noqa: E731
    out["schools"] = [
        {
            **s,
            "id": suffix(s["id"], k),
            "merged_into": suffix(s["merged_into"], k) if s["merged_into"] else None,
        }
        for k in range(copies)
        for s in data["schools"]
    ]
    out["posts"] = [
        {**p, "id": suffix(p["id"], k), "school": suffix(p["school"], k)}
        for k in range(copies)
        for p in data["posts"]
    ]
    out["teachers"] = [
        {
            **t,
            "id": suffix(t["id"], k),
            "school": suffix(t["school"], k),
            "preferences": [suffix(p, k) for p in t["preferences"]],
        }
        for k in range(copies)
        for t in data["teachers"]
    ]
    return out


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb(action: Callable[[], object]) -> float:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1,4,16", help="multiples of the example county")
    args = parser.parse_args(argv)
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    print(
        f"kgxp {kgxp.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.system()}; median of {args.repeat}"
    )
    print(
        f"| {'teachers':>9} | {'parse+validate s':>16} | {'dump s':>7} | {'summarize s':>11} "
        f"| {'peak MB (parse)':>15} |"
    )
    print(f"|{'-' * 11}|{'-' * 18}|{'-' * 9}|{'-' * 13}|{'-' * 17}|")
    for copies in (int(s) for s in args.sizes.split(",")):
        data = replicate(base, copies)
        scenario = kgxp.parse_scenario(data)
        parse = median_time(lambda d=data: kgxp.parse_scenario(d), args.repeat)
        dump = median_time(lambda s=scenario: kgxp.dump_scenario(s), args.repeat)
        summary = median_time(lambda s=scenario: kgxp.summarize(s), args.repeat)
        peak = peak_mb(lambda d=data: kgxp.parse_scenario(d))
        print(
            f"| {len(scenario.teachers):>9,} | {parse:>16.3f} | {dump:>7.3f} | {summary:>11.3f} "
            f"| {peak:>15.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
