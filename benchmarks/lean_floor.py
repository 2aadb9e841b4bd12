"""The lean floor of issue 19 against kgxp's whole plan from the file, side by side.

Usage::

    python benchmarks/lean_floor.py                    # 100,000 teachers, median of 3
    python benchmarks/lean_floor.py --teachers 10000 --repeat 5
    python benchmarks/lean_floor.py --file county.json # an existing scenario file

The floor is the least work that turns the county file into a matching, with no
rule of the brief beyond one deferred acceptance: read the bytes, ``json.loads``
them with the garbage collector paused, make arrays (a padded preference matrix of
post indices, each post's seats less its reserved ones, each teacher's priority
position: score high first — the plain mean of the four components for a teacher
scored by evaluation — then id), and run a vectorised (numpy) teacher-proposing
deferred acceptance, every post holding its best applicants each round. Its
matching is checked equal to kgxp's own ``deferred_acceptance`` on the same market
(``same matching`` column). kgxp's plan is ``load_scenario`` + ``run_round`` +
``verify`` on the same file — validation, every rule, the reasons and the checks.

The two alternate within each repeat in this one process; the ratio of medians is
what the issue's "whole plan ≤ 5× the lean floor" target reads, printed two ways: with
the file's decode on both sides (as the issue's list of the floor's steps says), and
without it on either side (as the issue's own figures imply: its floor of 0.42 s is
hardly more than its 0.36 s decode); CPU seconds
(``process_time``) too, less sensitive to other programs on a shared machine. Also printed: the
retained size of one ``RoundResult`` (``tracemalloc``: what deleting the result frees)
and this process's peak RSS. Medians of wall-clock seconds; no test asserts on them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from child_process import own_peak_mb  # noqa: E402
from generator import county_file, generate_county  # noqa: E402

import kgxp  # noqa: E402
from kgxp._internal.gc_pause import collector_paused  # noqa: E402
from kgxp.round.mechanisms import Market  # noqa: E402
from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance  # noqa: E402

TARGET_RATIO = 5.0  # issue 19: the whole plan within 5x the lean floor
TIME_TARGETS = {100_000: 2.0, 300_000: 6.5}  # issue 19: from the file, seconds
MEMORY_TARGET_MB = 1536.0  # 300,000 teachers, peak
RESULT_TARGET_MB = 100.0  # a 100,000-teacher RoundResult


def floor_arrays(data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(preferences n×L of post indices, -1 padded; capacities; priority position per teacher)."""
    # A file may leave out defaulted fields (a generator's or a hand-written one; only
    # save_scenario writes them all): read them with their scenario defaults.
    posts = data["posts"]
    index = {p["id"]: k for k, p in enumerate(posts)}
    capacities = np.fromiter(
        (p["seats"] - p.get("reserved", 0) for p in posts), np.int64, len(posts)
    )
    teachers = data["teachers"]
    lists = [[index[p] for p in t.get("preferences", ()) if p in index] for t in teachers]
    width = max(map(len, lists), default=0)
    preferences = np.full((len(teachers), max(width, 1)), -1, np.int64)
    for row, chosen in enumerate(lists):
        preferences[row, : len(chosen)] = chosen
    scores = np.fromiter(
        (
            t["score"] if t.get("score") is not None else sum(t["evaluation"].values()) / 4
            for t in teachers
        ),
        np.float64,
        len(teachers),
    )
    ids = np.array([t["id"] for t in teachers])
    by_priority = np.lexsort((ids, -scores))  # score high first, then id
    position = np.empty(len(teachers), np.int64)
    position[by_priority] = np.arange(len(teachers))
    return preferences, capacities, position


def numpy_deferred_acceptance(
    preferences: np.ndarray, capacities: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """Teacher-proposing deferred acceptance in rounds; the post of each teacher or -1."""
    n, width = preferences.shape
    assignment = np.full(n, -1, np.int64)
    next_choice = np.zeros(n, np.int64)
    held = np.empty(0, np.int64)  # teachers holding a seat
    free = np.arange(n)
    while free.size:
        free = free[next_choice[free] < width]
        proposal = preferences[free, next_choice[free]]
        next_choice[free] += 1
        alive = proposal >= 0
        free, proposal = free[alive], proposal[alive]
        if not free.size:
            break
        assignment[free] = proposal
        pool = np.concatenate([held, free])
        post = assignment[pool]
        order = np.lexsort((position[pool], post))  # per post, best first
        pool, post = pool[order], post[order]
        starts = np.searchsorted(post, post, side="left")
        keep = (np.arange(pool.size) - starts) < capacities[post]
        held, free = pool[keep], pool[~keep]
        assignment[free] = -1
    return assignment


def same_as_kgxp(preferences: np.ndarray, capacities: np.ndarray, position: np.ndarray) -> bool:
    """Whether kgxp's deferred acceptance gives the floor's matching on the same market."""
    lists = [tuple(int(p) for p in row if p >= 0) for row in preferences]
    market = Market._trusted(
        tuple(int(c) for c in capacities),
        tuple(lists),
        tuple((0,) * len(row) for row in lists),  # one class: position decides
        tuple(int(p) for p in position),
    )
    expected = np.array(deferred_acceptance(market).assignment, np.int64)
    return bool(
        np.array_equal(expected, numpy_deferred_acceptance(preferences, capacities, position))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a scenario file instead of a generated county")
    args = parser.parse_args(argv)
    warm = kgxp.parse_scenario(generate_county(300, seed=2027))
    kgxp.verify(warm, kgxp.run_round(warm))
    del warm
    with county_file(args.file, args.teachers) as path:
        gc.collect()
        times: dict[str, list[float]] = {
            k: []
            for k in (
                *("decode", "arrays", "numpy DA", "floor", "floor, CPU"),
                *("load", "run", "verify", "plan", "plan, CPU"),
                "validate only",
            )
        }
        same = True
        load = os.getloadavg()[0]
        teachers = 0
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            with collector_paused():
                data = json.loads(path.read_bytes())
                t1 = time.perf_counter()
                arrays = floor_arrays(data)
                t2 = time.perf_counter()
                numpy_deferred_acceptance(*arrays)
            t3 = time.perf_counter()
            times["floor, CPU"].append(time.process_time() - c0)
            for name, value in zip(
                ("decode", "arrays", "numpy DA", "floor"),
                (t1 - t0, t2 - t1, t3 - t2, t3 - t0),
                strict=True,
            ):
                times[name].append(value)
            teachers = len(data["teachers"])
            if same:  # once: kgxp's DA is the slow side of this check
                same = same_as_kgxp(*arrays)
            del data, arrays
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            scenario = kgxp.load_scenario(path)
            t1 = time.perf_counter()
            result = kgxp.run_round(scenario)
            t2 = time.perf_counter()
            violations = kgxp.verify(scenario, result)
            t3 = time.perf_counter()
            times["plan, CPU"].append(time.process_time() - c0)
            if violations:
                raise SystemExit(f"verify found {len(violations)} violations")
            for name, value in zip(
                ("load", "run", "verify", "plan"), (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True
            ):
                times[name].append(value)
            del scenario, result, violations
            gc.collect()
            # What validating the decoded file costs on its own (parse_scenario of data
            # decoded as the floor does: pydantic's models and the cross-record checks):
            # with the floor's decode, the least any plan reading the file into kgxp's
            # models pays before its first rule. After the plan, so as not to change the
            # heap the plan runs on.
            with collector_paused():
                data = json.loads(path.read_bytes())
            t0 = time.perf_counter()
            kgxp.parse_scenario(data)
            times["validate only"].append(time.perf_counter() - t0)
            del data
            gc.collect()
        # The result's own size: what deleting it frees (the scenario's memoised digest
        # and ranking stay with the scenario, not counted).
        scenario = kgxp.load_scenario(path)
        kgxp.run_round(scenario)  # memoised ranking and digest made outside the trace
        gc.collect()
        tracemalloc.start()
        result = kgxp.run_round(scenario)
        gc.collect()
        with_result = tracemalloc.get_traced_memory()[0]
        del result
        gc.collect()
        result_mb = (with_result - tracemalloc.get_traced_memory()[0]) / 2**20
        tracemalloc.stop()
        size_mb = path.stat().st_size / 2**20
    peak_mb = own_peak_mb()
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median["plan"] / median["floor"]
    cpu_ratio = median["plan, CPU"] / median["floor, CPU"]
    print(f"| {teachers:,} teachers, {size_mb:.0f} MB file | median s | runs |")
    print("|---|---:|---|")
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {median[name]:.2f} | {shown} |")
    target = TIME_TARGETS.get(teachers)
    print(
        f"\nwhole plan / lean floor: {ratio:.1f}× (target ≤ {TARGET_RATIO:g}×: "
        f"{'met' if ratio <= TARGET_RATIO else 'GAP'}; in CPU seconds {cpu_ratio:.1f}×); floor's matching equal to kgxp's "
        f"deferred acceptance: {'yes' if same else 'NO'}"
    )
    if target:
        print(
            f"plan from the file: {median['plan']:.2f} s (target ≤ {target:g} s: "
            f"{'met' if median['plan'] <= target else 'GAP'})"
        )
    # The issue's own figures (the file decoded in 0.36 s with the collector paused, the
    # floor 0.42 s) fit a floor that leaves the decode out: arrays and deferred
    # acceptance alone. Read that way, the plan leaves it out too (validation from the
    # decoded data, the round, verify), and the ratio is this one.
    bare_floor = median["arrays"] + median["numpy DA"]
    bare_plan = median["validate only"] + median["run"] + median["verify"]
    bare_ratio = bare_plan / bare_floor
    print(
        f"without the file's decode on either side: plan {bare_plan:.2f} s / floor "
        f"{bare_floor:.2f} s = {bare_ratio:.1f}× (target ≤ {TARGET_RATIO:g}×: "
        f"{'met' if bare_ratio <= TARGET_RATIO else 'GAP'})"
    )
    read = median["decode"] + median["validate only"]
    print(
        f"the floor's decode + kgxp's validation alone: {read:.2f} s "
        f"({read / median['plan']:.0%} of the plan)"
        + (f", leaving {target - read:.2f} s of the target for run + verify" if target else "")
    )
    print(f"RoundResult retained: {result_mb:.0f} MB (target at 100,000 ≤ {RESULT_TARGET_MB:g} MB)")
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    print(f"load average: {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
