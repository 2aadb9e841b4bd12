"""Profile the whole default plan for one county size with pyinstrument.

Usage::

    python benchmarks/profile_plan.py --teachers 100000 [--stage all|parse|run|verify] [--html out.html]

Generates the county (not profiled), warms kgxp up, then profiles parse/validate,
``run_round`` and ``verify`` as the benchmark runner times them, and prints the
top of the profile (pyinstrument's text tree, frames under 1% hidden).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import generate_county  # noqa: E402
from run import SEED, _quiet_logs  # noqa: E402

import kgxp  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=10_000)
    parser.add_argument("--stage", choices=("all", "parse", "run", "verify"), default="all")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval, s")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        return 2

    with _quiet_logs():
        warm = kgxp.parse_scenario(generate_county(300, SEED + 1))
        kgxp.verify(warm, kgxp.run_round(warm))
        data = generate_county(args.teachers, SEED)
        scenario = result = None
        if args.stage in {"run", "verify"}:
            scenario = kgxp.parse_scenario(data)
        if args.stage == "verify":
            result = kgxp.run_round(scenario)  # type: ignore[arg-type]

        profiler = Profiler(interval=args.interval)
        profiler.start()
        if args.stage in {"all", "parse"}:
            scenario = kgxp.parse_scenario(data)
        if args.stage in {"all", "run"}:
            result = kgxp.run_round(scenario)  # type: ignore[arg-type]
        if args.stage in {"all", "verify"}:
            kgxp.verify(scenario, result)  # type: ignore[arg-type]
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False, time="seconds"))
        if args.html:
            args.html.write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
