"""Measure max_weakly_stable on county-sized tied markets (not a pytest module).

Run from the repository root:

    PYTHONPATH=src python tests/mechanisms/perf_optimal.py [--quick] [--seed N] [--da-scale]

Every market has 10,000 candidates with 8 choices each over 1,200 posts,
capacities 1-15 adjusted to total 97% of the candidates, and master-list
priority classes from integer scores 60-99 (so roughly 250 candidates share
each class). The variants differ in how choices and scores are drawn:

* ``uniform``: choices uniformly at random; scores uniform. The reference case.
* ``popular``: choice probability ~ capacity x lognormal(0, 1) popularity.
* ``subjects``: 12 subject groups; candidates only choose posts in their group.
* ``normal``: uniform choices, scores ~ N(80, 7) clipped to 60-99, so the
  middle classes hold ~570 candidates each.

Columns: ``build`` is wall time outside CP-SAT (deferred acceptance for the
hint, preprocessing, model building), ``solve`` wall time inside CP-SAT,
``det`` CP-SAT deterministic time; ``DA`` and ``optimal`` are matched counts.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time

from kgxp.round.mechanisms import (
    Market,
    blocking_pairs,
    check_matching,
    deferred_acceptance,
    max_weakly_stable,
)


def county_market(
    variant: str,
    *,
    seed: int = 2024,
    n: int = 10_000,
    n_posts: int = 1_200,
    choices: int = 8,
    fill: float = 0.97,
) -> Market:
    rng = random.Random(seed)
    capacities = [rng.randint(1, 15) for _ in range(n_posts)]
    target = round(fill * n)
    total = sum(capacities)
    while total != target:
        p = rng.randrange(n_posts)
        if total < target and capacities[p] < 15:
            capacities[p] += 1
            total += 1
        elif total > target and capacities[p] > 1:
            capacities[p] -= 1
            total -= 1

    if variant == "popular":
        weights = [rng.lognormvariate(0.0, 1.0) * cap for cap in capacities]
    else:
        weights = [1.0] * n_posts
    groups = 12 if variant == "subjects" else 1
    members = [[p for p in range(n_posts) if p % groups == g] for g in range(groups)]
    cumulative = [list(itertools.accumulate(weights[p] for p in ps)) for ps in members]
    group_weights = list(itertools.accumulate(sum(capacities[p] for p in ps) for ps in members))

    preferences: list[list[int]] = []
    for _ in range(n):
        g = rng.choices(range(groups), cum_weights=group_weights)[0]
        chosen: list[int] = []
        while len(chosen) < choices:
            for p in rng.choices(members[g], cum_weights=cumulative[g], k=choices):
                if p not in chosen and len(chosen) < choices:
                    chosen.append(p)
        preferences.append(chosen)

    if variant == "normal":
        scores = [min(99, max(60, round(rng.gauss(80, 7)))) for _ in range(n)]
    else:
        scores = [rng.randint(60, 99) for _ in range(n)]
    priority = [[99 - s] * choices for s in scores]
    tiebreak = rng.sample(range(n), n)
    return Market.build(capacities, preferences, priority, tiebreak)


def measure(variant: str, time_limit: float, seed: int) -> str:
    market = county_market(variant, seed=seed)
    started = time.perf_counter()
    da = deferred_acceptance(market)
    da_time = time.perf_counter() - started
    result = max_weakly_stable(market, time_limit=time_limit)
    valid = not check_matching(market, result.matching) and not blocking_pairs(
        market, result.matching, strict=False
    )
    build = result.wall_time - result.solver_time
    return (
        f"{variant:<9} {da_time:>6.3f} {build:>6.2f} {result.solver_time:>6.2f} "
        f"{result.wall_time:>6.2f} {result.deterministic_time:>6.2f}  {result.status:<9}"
        f"{'yes' if result.size_proven else 'no':<6}"
        f"{da.size:>6} {result.objective:>8} {result.bound:>6} "
        f"{da.rank_sum:>7} {result.rank_sum:>7} {result.decided:>8} "
        f"{'ok' if valid else 'INVALID'}"
    )


def da_at_scale() -> None:
    market = county_market("uniform", n=300_000, n_posts=36_000)
    started = time.perf_counter()
    da = deferred_acceptance(market)
    print(
        f"deferred acceptance, 300,000 candidates x 8 choices: "
        f"{time.perf_counter() - started:.2f} s, {da.size} matched"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the uniform market")
    parser.add_argument("--da-scale", action="store_true", help="also time DA at 300,000")
    parser.add_argument("--time-limit", type=float, default=10.0, help="deterministic time")
    parser.add_argument("--seed", type=int, default=2024, help="market generator seed")
    args = parser.parse_args(argv)
    variants = ["uniform"] if args.quick else ["uniform", "popular", "subjects", "normal"]
    print(
        f"{'market':<9} {'DA s':>6} {'build':>6} {'solve':>6} {'total':>6} {'det':>6}  "
        f"{'status':<9}{'size✓':<6}{'DA':>6} {'optimal':>8} {'bound':>6} "
        f"{'DA rk':>7} {'opt rk':>7} {'decided':>8} check"
    )
    for variant in variants:
        print(measure(variant, args.time_limit, args.seed), flush=True)
    if args.da_scale:
        da_at_scale()


if __name__ == "__main__":
    main(sys.argv[1:])
