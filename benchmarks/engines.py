"""Dask distributed vs Ray on this machine: start-up, per-task overhead, memory (2 local workers).

How the cluster engine of kgxp[distributed] was chosen (docs/sweeps.md). Run each engine in
its own process, e.g.::

    python benchmarks/engines.py dask
    python benchmarks/engines.py ray   # needs `pip install ray` (not a kgxp dependency)

Each prints one line: start-up of a scheduler and two worker processes, the median cost of a
tiny task over 500 (three batches), the cost of a task with a 5 MB argument, and the memory
held by the driver and the cluster's processes while idle.
"""

import contextlib
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import psutil


def tree_rss() -> tuple[float, int]:
    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 2**20, len(procs)


def tiny(x: int) -> int:
    return x + 1


def payload(blob: bytes) -> int:
    return len(blob)


def main(engine: str) -> None:
    t0 = time.perf_counter()
    if engine == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        client.submit(tiny, 0).result()
        started = time.perf_counter() - t0

        def run(fn: Callable[[Any], int], args: Sequence[Any]) -> list[int]:
            done: list[int] = client.gather(client.map(fn, args, pure=False))
            return done
    else:
        # Not a kgxp dependency, so imported by name: typed as Any whether installed or not.
        ray = importlib.import_module("ray")

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        rtiny = ray.remote(tiny)
        rpay = ray.remote(payload)
        ray.get([rtiny.remote(0), rtiny.remote(1)])
        started = time.perf_counter() - t0
        remote = {tiny: rtiny, payload: rpay}

        def run(fn: Callable[[Any], int], args: Sequence[Any]) -> list[int]:
            done: list[int] = ray.get([remote[fn].remote(a) for a in args])
            return done

    rss, nprocs = tree_rss()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        run(tiny, range(500))
        times.append((time.perf_counter() - t) / 500 * 1e6)
    blob = os.urandom(5 * 2**20)
    t = time.perf_counter()
    run(payload, [blob] * 20)
    pay = (time.perf_counter() - t) / 20 * 1e3
    print(
        f"{engine}: start-up {started:.2f} s, per tiny task {statistics.median(times):.0f} µs, "
        f"5 MB argument {pay:.1f} ms/task, memory {rss:.0f} MB in {nprocs} processes (idle, 2 workers)"
    )
    if engine == "dask":
        client.close()
        cluster.close()
    else:
        ray.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
