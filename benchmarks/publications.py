"""What reads a round's outcomes after the round: ``write_results`` and the views, old beside new.

Usage::

    python benchmarks/publications.py --scenario /work/bench/c100k.json --old ../main/src
    python benchmarks/publications.py --size 10000 --old ../main/src --pairs 2

Loads the scenario (a file, or the seeded county of :mod:`generator` at ``--size``),
runs the round, then times each step ``--repeat`` times, in a process per version (``PYTHONPATH``
set to the version's ``src``), alternating old and new ``--pairs`` times: the
``write_results`` formats one at a time (each writes ``result.json`` too), the
report (text and HTML), the notebook view of the result, the metrics, the balance
comparison of one mechanism, the 公示 lists and the outcome record. Prints a
Markdown row per version and step: the least and the median user CPU seconds of the
process over the repeats, the median system CPU seconds (writing thousands of files:
it varies by a factor of three from run to run on a shared machine, so it is apart),
and the first 12 hex digits of the SHA-256 of what the step wrote or returned, which
must be the same for both versions (and every repeat). Note the load (printed): CPU
seconds are less noisy than wall-clock ones on a shared machine, not free of noise.
No test asserts on the numbers; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
NEW = HERE.parent / "src"

from child_process import last_json_line, run_python  # noqa: E402

STEPS = (
    "write_results json",
    "write_results csv",
    "write_results xlsx",
    "write_results html",
    "render_report text",
    "render_report html",
    "round_html",
    "round_metrics",
    "balance_comparison",
    "publication_lists",
    "outcome_rows",
)

_CHILD = """
import hashlib, json, os, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import kgxp
from kgxp.files.publication import outcome_rows, publication_lists
from kgxp.views.balance import balance_comparison
from kgxp.views.html import round_html

source, size, steps = sys.argv[1], int(sys.argv[2]), sys.argv[4].split(",")
repeat = int(sys.argv[5])
if source:
    scenario = kgxp.load_scenario(source)
else:
    from generator import generate_county
    scenario = kgxp.parse_scenario(generate_county(size, 2026))
result = kgxp.run_round(scenario)


def digest_of(value):
    sha = hashlib.sha256()
    if isinstance(value, list) and value and isinstance(value[0], Path):
        for path in sorted(value):
            sha.update(str(path.name).encode())
            sha.update(path.read_bytes())
    else:
        sha.update(repr(value).encode())
    return sha.hexdigest()[:12]


def write(formats):
    def run(folder):
        return kgxp.write_results(scenario, result, folder, formats=formats)
    return run


def view(make):
    return lambda folder: make()


work = {
    "write_results json": write(("json",)),
    "write_results csv": write(("csv",)),
    "write_results xlsx": write(("xlsx",)),
    "write_results html": write(("html",)),
    "render_report text": view(lambda: kgxp.render_report(scenario, result)),
    "render_report html": view(lambda: kgxp.render_report(scenario, result, format="html")),
    "round_html": view(lambda: round_html(result)),
    "round_metrics": view(lambda: kgxp.round_metrics(scenario, result)),
    "balance_comparison": view(lambda: balance_comparison(scenario, {"a": result})),
    "publication_lists": view(lambda: publication_lists(scenario, result)),
    "outcome_rows": view(lambda: outcome_rows(scenario, result)),
}
rows = []
for step in steps:
    users, systems, digests = [], [], set()
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            start = os.times()
            value = work[step](folder)
            end = os.times()
            users.append(end.user - start.user)
            systems.append(end.system - start.system)
            digests.add(digest_of(value))
            del value
    middle = len(users) // 2
    rows.append((step, round(min(users), 2), round(sorted(users)[middle], 2),
                 round(sorted(systems)[middle], 2), "/".join(sorted(digests))))
print(json.dumps(rows))
"""


def _run(
    source: Path, scenario: str, size: int, steps: list[str], repeat: int
) -> list[list[object]]:
    stdout = run_python(
        ["-c", _CHILD, scenario, str(size), str(HERE), ",".join(steps), str(repeat)],
        source=source,
    )
    rows: list[list[object]] = last_json_line(stdout)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="", help="a scenario file (else --size)")
    parser.add_argument("--size", type=int, default=10000, help="teachers of the seeded county")
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--repeat", type=int, default=3, help="times each step runs")
    parser.add_argument("--old", type=Path, required=True, help="the old version's src folder")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    print(
        "| version | load (1, 5, 15 min) | step | user CPU s, least | user CPU s, median "
        "| system CPU s, median | output SHA-256 |"
    )
    print("|---|---|---|---:|---:|---:|---|")
    for _ in range(args.pairs):
        for version, source in (("old", args.old.resolve()), ("new", NEW)):
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            for step, low, middle, system, digest in _run(
                source, args.scenario, args.size, steps, args.repeat
            ):
                print(
                    f"| {version} | {load} | {step} | {low:.2f} | {middle:.2f} | {system:.2f} "
                    f"| {digest} |"
                )
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
