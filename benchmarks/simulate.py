"""``simulate`` over several semesters at county-to-province sizes, old code beside new.

Usage::

    python benchmarks/simulate.py                             # 10k, 30k, 100k, this tree only
    python benchmarks/simulate.py --before /path/to/old/src   # old code side by side
    python benchmarks/simulate.py --sizes 10000,30000 --before-sizes 10000 --repeat 3
    python benchmarks/simulate.py --sizes 10000,100000 --repeat 3 --passes 3  # sizes alternated

Each (code, size) runs in a fresh child process (``PYTHONPATH`` set to the code's
``src``), so that its peak resident memory is its own, as ``benchmarks/run.py``
does: the child generates the county (:mod:`generator`, seeded), parses it, warms
kgxp up on a 300-teacher county, then times ``repeat`` runs of
``kgxp.simulate(scenario, semesters=N)`` with every per-scenario memo forgotten
first (the round's ranking and digest are computed each time) and reports the
median, wall-clock and CPU (``process_time``: on a shared machine wall-clock mostly
measures the other processes; per-teacher costs are compared in CPU). Peak memory is
the child's own high-water mark (``VmHWM``: ``child_process.own_peak_mb``) after the
runs (county and scenario included; "held" is that before the first run). With
``--check`` the child also hashes the simulation's JSON, after the peak is read, so
that old and new can be compared byte for byte. With ``--stages`` the child also times
each stage of ``simulate`` apart (CPU seconds of the functions
``kgxp.waiting.simulation`` calls, wrapped in the child only; medians over the runs)
and a second table gives each stage's CPU µs a teacher at every size: whether a stage
grows with the county or every stage costs a little more per teacher (the machine's
caches: ``memory_locality.py``). Stages are timed for this tree's code only.

With ``--passes N`` the whole sequence of sizes runs N times, each (code, size) in a
fresh child every pass, so that the sizes alternate (10k, 100k, 10k, 100k, ...): on this
machine one child runs up to a third faster or slower than the next with the same code
and county (and the machine's speed drifts over minutes), so the per-teacher ratio of
two sizes is read pass by pass, side by side, and its median over the passes is the
verdict (each pass's ratio is printed beside it). A size's times are the median over
the passes of each child's median; its peak memory is the largest. No test asserts on
the timings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import last_json_line, own_peak_mb, run_python  # noqa: E402

SEED = 2026
# Issue 19's targets: 100k in 10 s and 1.5 GB; per teacher at 100k within 1.5x of 10k.
TIME_TARGET_S = {100_000: 10.0}
MEMORY_TARGET_MB = {100_000: 1536.0}
PER_TEACHER_RATIO_TARGET = 1.5
# The stages of one simulate, as kgxp.waiting.simulation calls them: (label, owner, name),
# owner a module-level name of that module or "" for the module itself. Only this tree is
# timed, so a stage renamed there fails loudly (AttributeError) rather than go missing.
STAGES = (
    ("placement round (run_round)", "", "run_round"),
    ("register from the round", "", "register_from_round"),
    ("pay pricing set-up", "Payroll", "__init__"),
    ("pay booking", "Payroll", "book_segment"),
    ("pay totals", "Payroll", "paid"),
    ("closing semesters, retirements", "", "_open_semester"),
    ("re-competitions", "", "_recompetition"),
    ("summaries", "", "_summary"),
)
REST = "the rest"


def _timed_stages() -> dict[str, float]:
    """Wrap each stage of STAGES in kgxp.waiting.simulation; CPU seconds add up in the
    dict returned (the caller resets it between runs). In the child only."""
    import functools

    import kgxp.waiting.simulation as simulation

    spent: dict[str, float] = {}

    def timed(label: str, function: Any) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started

        return wrapper

    for label, owner_name, name in STAGES:
        owner = getattr(simulation, owner_name) if owner_name else simulation
        setattr(owner, name, timed(label, getattr(owner, name)))
    return spent


def measure(
    teachers: int, semesters: int, repeat: int, check: bool, stages: bool = False
) -> dict[str, Any]:
    """In the child: the median time of ``simulate`` for one county size."""
    import logging

    from generator import generate_county

    import kgxp
    from kgxp._internal.memo import forget_all

    logging.disable(logging.CRITICAL)  # the library is silent anyway; be sure
    kgxp.simulate(kgxp.parse_scenario(generate_county(300, SEED + 1)), semesters=semesters)
    scenario = kgxp.parse_scenario(generate_county(teachers, SEED))
    forget_all()
    held = own_peak_mb()
    spent = _timed_stages() if stages else {}
    times, cpu = [], []
    per_stage: dict[str, list[float]] = {}
    result = None
    for _ in range(repeat):
        forget_all()
        spent.clear()
        if stages:  # every stage has a time in every run, 0 when not called
            spent.update(dict.fromkeys((label for label, _, _ in STAGES), 0.0))
        result = None  # the previous run's result is not held during the next
        started, started_cpu = time.perf_counter(), time.process_time()
        result = kgxp.simulate(scenario, semesters=semesters)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if stages:  # the rest of this run: what no stage's function took
            spent[REST] = cpu[-1] - sum(spent.values())
        for label, seconds in spent.items():
            per_stage.setdefault(label, []).append(seconds)
    peak = own_peak_mb()
    assert result is not None
    row: dict[str, Any] = {
        "teachers": teachers,
        "seconds": statistics.median(times),
        "cpu": statistics.median(cpu),
        "runs": [round(t, 3) for t in times],
        "held_mb": held,
        "peak_mb": peak,
        "records": len(result.records),
        "ledger": len(result.ledger),
        "placed": sum(s.placed for s in result.summaries),
        "kgxp": kgxp.__file__,
    }
    if stages:
        row["stages"] = {label: statistics.median(runs) for label, runs in per_stage.items()}
    if check:
        row["sha256"] = hashlib.sha256(result.model_dump_json().encode()).hexdigest()
    return row


def _in_child(
    src: Path, teachers: int, semesters: int, repeat: int, check: bool, stages: bool = False
) -> dict[str, Any]:
    arguments = [str(Path(__file__).resolve()), "--child", str(teachers)]
    arguments += ["--semesters", str(semesters), "--repeat", str(repeat)]
    if check:
        arguments.append("--check")
    if stages:
        arguments.append("--stages")
    found: dict[str, Any] = last_json_line(run_python(arguments, source=src))
    return found


def combine(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """One (code, size) over its passes: medians of the children's medians, the largest
    peak, and every pass's CPU seconds (``cpu_passes``) for the ratios read pass by pass.
    The simulation is deterministic, so its counts and digest must agree across passes."""
    first = passes[0]
    for other in passes[1:]:
        for key in ("records", "ledger", "placed", "sha256"):
            if other.get(key) != first.get(key):
                raise SystemExit(f"{first['teachers']:,} teachers: {key} differs between passes")
    row = dict(first)
    row["seconds"] = statistics.median(p["seconds"] for p in passes)
    row["cpu"] = statistics.median(p["cpu"] for p in passes)
    row["runs"] = [t for p in passes for t in p["runs"]]
    row["held_mb"] = max(p["held_mb"] for p in passes)
    row["peak_mb"] = max(p["peak_mb"] for p in passes)
    row["cpu_passes"] = [p["cpu"] for p in passes]
    if "stages" in first:
        row["stages"] = {
            label: statistics.median(p["stages"][label] for p in passes)
            for label in first["stages"]
        }
    return row


def per_teacher_ratios(
    row: dict[str, Any], teachers: int, base: dict[str, Any], base_teachers: int
) -> list[float]:
    """The CPU cost per teacher of ``row`` over that of ``base``, pass by pass."""
    return [
        (cpu / teachers) / (base_cpu / base_teachers)
        for cpu, base_cpu in zip(row["cpu_passes"], base["cpu_passes"], strict=True)
    ]


def _cell(row: dict[str, Any] | None, key: str, fmt: str) -> str:
    return "—" if row is None else format(row[key], fmt)


def _seconds(row: dict[str, Any] | None) -> str:
    return "—" if row is None else f"{row['seconds']:.2f} ({row['cpu']:.2f})"


def table(
    rows: list[tuple[int, dict[str, Any] | None, dict[str, Any]]], semesters: int
) -> list[str]:
    lines = [
        f"| teachers | before: s (CPU s) | before: CPU µs/teacher | before: peak MB "
        f"| after: s (CPU s) | after: CPU µs/teacher | after: peak MB (held) | speed-up (CPU) "
        f"| same JSON | target ({semesters} semesters) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    # Per teacher in CPU seconds: on a shared machine wall-clock mostly measures the load.
    for teachers, before, after in rows:
        per = after["cpu"] / teachers
        speed = "—" if before is None else f"{before['cpu'] / after['cpu']:.1f}×"
        same = "—"
        if before is not None and "sha256" in before and "sha256" in after:
            same = "yes" if before["sha256"] == after["sha256"] else "**no**"
        targets = []
        if teachers in TIME_TARGET_S:
            ok = after["seconds"] <= TIME_TARGET_S[teachers]
            cpu_ok = after["cpu"] <= TIME_TARGET_S[teachers]
            targets.append(
                f"≤ {TIME_TARGET_S[teachers]:g} s {'met' if ok else '**missed**'} "
                f"(CPU: {'met' if cpu_ok else '**missed**'})"
            )
        if teachers in MEMORY_TARGET_MB:
            ok = after["peak_mb"] <= MEMORY_TARGET_MB[teachers]
            targets.append(f"≤ {MEMORY_TARGET_MB[teachers]:g} MB {'met' if ok else '**missed**'}")
        if teachers != rows[0][0]:
            # Read pass by pass (the two sizes side by side), the median the verdict.
            ratios = per_teacher_ratios(after, teachers, rows[0][2], rows[0][0])
            ratio = statistics.median(ratios)
            ok = ratio <= PER_TEACHER_RATIO_TARGET
            each = (
                f", median of passes {', '.join(f'{r:.2f}' for r in ratios)}"
                if len(ratios) > 1
                else ""
            )
            targets.append(
                f"{ratio:.2f}× the CPU µs/teacher of {rows[0][0]:,}{each} "
                f"(≤ {PER_TEACHER_RATIO_TARGET:g}×) {'met' if ok else '**missed**'}"
            )
        lines.append(
            f"| {teachers:,} | {_seconds(before)} "
            f"| {'—' if before is None else format(before['cpu'] / teachers * 1e6, '.0f')} "
            f"| {_cell(before, 'peak_mb', '.0f')} | {_seconds(after)} | {per * 1e6:.0f} "
            f"| {after['peak_mb']:.0f} ({after['held_mb']:.0f}) | {speed} | {same} "
            f"| {'; '.join(targets) or '—'} |"
        )
    return lines


def stage_table(rows: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """Each stage's CPU µs a teacher at every size, and its ratio to the first size."""
    sizes = [teachers for teachers, _ in rows]
    lines = [
        "| stage | "
        + " | ".join(f"{n:,}: CPU µs/teacher" for n in sizes)
        + f" | × that at {sizes[0]:,} |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for label in [*(label for label, _, _ in STAGES), REST, "simulate in all"]:
        per = []
        for teachers, row in rows:
            seconds = row["cpu"] if label == "simulate in all" else row["stages"][label]
            per.append(seconds / teachers * 1e6)
        ratios = ", ".join(f"{p / per[0]:.2f}×" if per[0] else "—" for p in per[1:])
        lines.append(
            f"| {label} | " + " | ".join(f"{p:.1f}" for p in per) + f" | {ratios or '—'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--semesters", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="the old code's src/ directory")
    parser.add_argument(
        "--before-sizes", help="sizes to run the old code at (default: all; it is slow)"
    )
    parser.add_argument("--before-repeat", type=int, default=1)
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="run the whole sequence of sizes this many times, alternating them",
    )
    parser.add_argument("--check", action="store_true", help="compare the JSON old vs new")
    parser.add_argument(
        "--stages", action="store_true", help="also time each stage of simulate (this tree)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        row = measure(args.child, args.semesters, args.repeat, args.check, args.stages)
        print(json.dumps(row))
        return 0
    if args.passes < 1 or args.repeat < 1:
        parser.error("--passes and --repeat must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",")]
    before_sizes = (
        {int(s) for s in args.before_sizes.split(",")} if args.before_sizes else set(sizes)
    )
    load = os.getloadavg()
    befores: dict[int, list[dict[str, Any]]] = {}
    afters: dict[int, list[dict[str, Any]]] = {}
    for number in range(1, args.passes + 1):
        for teachers in sizes:
            # Old and new of one size back to back, so both see about the same machine load.
            before = None
            if args.before is not None and teachers in before_sizes:
                before = _in_child(
                    args.before, teachers, args.semesters, args.before_repeat, args.check
                )
                befores.setdefault(teachers, []).append(before)
            after = _in_child(
                ROOT / "src", teachers, args.semesters, args.repeat, args.check, args.stages
            )
            afters.setdefault(teachers, []).append(after)
            print(
                f"# pass {number}, {teachers:,}: before {before}, after {after}",
                file=sys.stderr,
            )
    rows = [
        (
            teachers,
            combine(befores[teachers]) if teachers in befores else None,
            combine(afters[teachers]),
        )
        for teachers in sizes
    ]
    print("\n".join(table(rows, args.semesters)))
    if args.stages:
        print()
        print("\n".join(stage_table([(teachers, after) for teachers, _, after in rows])))
    after_load = os.getloadavg()
    print(
        f"\nLoad average (1 min) {load[0]:.1f} before, {after_load[0]:.1f} after, on "
        f"{os.cpu_count()} cores; medians of {args.repeat} run(s) after, "
        f"{args.before_repeat} before, in each of {args.passes} pass(es)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
