"""What a record costs to reach at 100,000 against 10,000 on this machine, kgxp aside.

Usage::

    python benchmarks/memory_locality.py                      # 10,000 and 100,000 records
    python benchmarks/memory_locality.py --sizes 10000,100000,300000 --repeat 9

Issue 19 asks ``simulate``'s CPU cost per teacher at 100,000 to be at most 1.5× that at
10,000 (``simulate.py`` prints the ratio). That target tells a linear algorithm from a
quadratic one; it also reads the machine's memory hierarchy, which this script measures
alone. For each size it builds that many small records (an id text and a float, as a
teacher's id and score), a dict from id to record, and then times the loop Python code
does everywhere in kgxp: look a record up by its id and read a field. Twice: walking
the ids in the order the records were made (kgxp's usual order, the scenario's), and
shuffled (a seeded shuffle: the order a ranking or a post's applicants visit them).

The work per record is the same at every size, so any rise in the cost per record is
the caches and the address translation, not the algorithm. Each size runs at least
2,000,000 lookups a pass; the collector is paused, as kgxp pauses it; the figure is
the median of ``repeat`` passes in CPU time. No test asserts on the timings.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import attrs

from kgxp._internal.gc_pause import collector_paused

SEED = 2026
LOOKUPS = 2_000_000  # per pass, whatever the size: small sizes loop over their records again


@attrs.frozen
class _Record:
    id: str
    score: float


def cost_per_record(records: int, shuffled: bool, repeat: int) -> float:
    """Median CPU nanoseconds of one lookup by id and one field read, over ``repeat`` passes."""
    rng = random.Random(SEED)
    made = [_Record(f"T{n:07d}", rng.random()) for n in range(records)]
    by_id = {record.id: record for record in made}
    ids = [record.id for record in made]
    if shuffled:
        rng.shuffle(ids)
    laps = max(1, LOOKUPS // records)
    passes = []
    with collector_paused():
        for _ in range(repeat):
            started = time.process_time()
            for _ in range(laps):
                total = 0.0
                for record_id in ids:
                    total += by_id[record_id].score
            passes.append((time.process_time() - started) / (laps * records) * 1e9)
    return statistics.median(passes)


def table(sizes: list[int], repeat: int) -> list[str]:
    """The markdown table: ns per record in each order, and the ratio to the first size."""
    rows = [
        "| records | in the order made: ns | × the first size | shuffled: ns | × the first size |",
        "|---:|---:|---:|---:|---:|",
    ]
    first: dict[bool, float] = {}
    for size in sizes:
        cells = []
        for shuffled in (False, True):
            ns = cost_per_record(size, shuffled, repeat)
            base = first.setdefault(shuffled, ns)
            cells += [f"{ns:.0f}", f"{ns / base:.2f}×"]
        rows.append(f"| {size:,} | " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated record counts")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.repeat < 1 or min(sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    print("\n".join(table(sizes, args.repeat)))
    print(
        f"\nCPU time, medians of {args.repeat} pass(es) of at least {LOOKUPS:,} lookups; "
        "the same work per record at every size."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
