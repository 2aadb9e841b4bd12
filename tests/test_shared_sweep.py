"""What every task of a sweep shares (a county) is sent once, not with each task.

A province's county is 34 MB pickled at 100,000 teachers: 0.85 s to pickle and 1.4 s to
unpickle. ``lottery_odds`` sent it with each of its batches of draws and ``run_rounds``
with each what-if round, so a grid of policies on one county pickled it once per policy
and every worker unpickled it once per task. ``run_tasks(shared=)`` pickles it once
(local processes), scatters it once (Dask) or passes it as it is (threads, this
process); each worker process unpickles it once per sweep.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

import kgxp
from kgxp import Policy, Scenario, lottery_odds, run_rounds
from kgxp._internal.executors import run_tasks
from kgxp.model.digest import scenario_digest
from tests.conftest import EXAMPLE, ROOT


def _seen(shared: list[int], k: int) -> tuple[int, int]:
    """In the worker: marks the value it was given with ``k`` and returns its process and
    the value's length, which grows task by task only if the tasks share one object."""
    shared.append(k)
    return os.getpid(), len(shared)


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


def test_each_worker_process_unpickles_the_shared_value_once() -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        first = run_tasks(_seen, [(k,) for k in range(8)], pool, shared=list(range(1000)))
        # One object per worker process, whatever number of tasks it ran: each task's
        # mark is added to the marks of the tasks before it there.
        by_process: dict[int, list[int]] = {}
        for pid, size in first:
            by_process.setdefault(pid, []).append(size)
        for sizes in by_process.values():
            assert sorted(sizes) == list(range(1001, 1001 + len(sizes)))
        # The next sweep on the same pool shares another value: never the last one's.
        second = run_tasks(_seen, [(k,) for k in range(4)], pool, shared=list(range(7)))
        assert all(8 <= size <= 11 for _, size in second)


def _collector_state() -> list[bool]:
    return [gc.isenabled()]


class _CollectorWitness:
    """Unpickles as whether the garbage collector was running while it was unpickled."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_collector_state, ())


def _shared_value(shared: object, k: int) -> object:
    return shared


def test_a_worker_unpickles_the_shared_value_with_the_collector_paused() -> None:
    # A county is a million objects and no cycles: unpickled with the collector running,
    # 100,000 teachers took three times as long in each worker.
    with ProcessPoolExecutor(max_workers=2) as pool:
        seen = run_tasks(_shared_value, [(k,) for k in range(4)], pool, shared=_CollectorWitness())
        assert seen == [[False]] * 4
        assert pool.submit(gc.isenabled).result()  # and running again after it


def _where_unpickled() -> tuple[bool, bool]:
    return gc.isenabled(), threading.current_thread() is threading.main_thread()


class _ResultWitness:
    """Unpickles as (collector running?, in the main thread?) where it is unpickled."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_where_unpickled, ())


def _witness(k: int) -> _ResultWitness:
    return _ResultWitness()


# Run in a fresh interpreter, whose main thread is alone as a script's is (the test
# session's own process may hold other tests' threads): the default executor, on 2 cores.
_SWEEP = """
import gc, os, sys, threading, time
import kgxp
from kgxp._internal.executors import run_tasks
from tests.test_shared_sweep import _witness
os.cpu_count = lambda: 2  # a pool of 2 processes whatever this machine has
setting, other_thread = sys.argv[1], sys.argv[2] == "yes"
kgxp.set_collector_pause(setting)
if other_thread:  # a program's own thread, alive through the sweep
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
print(run_tasks(_witness, [(k,) for k in range(4)], None), gc.isenabled())
"""


@pytest.mark.parametrize(
    ("setting", "other_thread", "expected"),
    [
        ("auto", "no", "[(False, True), (False, True), (False, True), (False, True)] True"),
        ("auto", "yes", "True"),
        ("never", "no", "True"),
        ("always", "yes", "[(False, True), (False, True), (False, True), (False, True)] True"),
    ],
)
def test_the_default_pool_s_results_are_unpickled_here_with_the_collector_paused(
    setting: str, other_thread: str, expected: str
) -> None:
    # What-if rounds' results (13 MB each at 100,000 teachers) were unpickled by the pool's
    # own thread with the collector running: a third of four rounds' time. A caller that
    # was the only thread before the pool started (a script, the CLI) gets them pickled by
    # the task and unpickled in its own thread with the collector paused; a program with
    # threads of its own keeps the collector running, as the setting says (docs/service.md).
    ran = subprocess.run(
        [sys.executable, "-c", _SWEEP, setting, other_thread],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    shown = ran.stdout.strip()
    if expected == "True":  # unpickled with the collector running, wherever it was
        assert shown.endswith("True") and "(False," not in shown, shown
    else:
        assert shown == expected


@pytest.mark.parametrize("executor", ["serial", "threads"])
def test_in_one_process_the_shared_value_is_the_callers_object(executor: str) -> None:
    shared = list(range(10))
    if executor == "threads":
        with ThreadPoolExecutor(max_workers=3) as pool:
            run_tasks(_seen, [(k,) for k in range(5)], pool, shared=shared)
    else:
        run_tasks(_seen, [(k,) for k in range(5)], "serial", shared=shared)
    assert sorted(shared[10:]) == list(range(5))  # every task marked the caller's object


def test_without_shared_the_tasks_get_their_own_arguments_only() -> None:
    assert run_tasks(pow, [(2, 3), (3, 2)], "serial") == [8, 9]
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert run_tasks(pow, [(2, 3), (3, 2)], pool) == [8, 9]


def test_one_pool_runs_sweeps_of_two_policies_as_a_serial_run_does(example: Scenario) -> None:
    # A worker keeps the county it was last sent and its prepared replay: a second sweep
    # under another policy, or of another county, must not be served the first's.
    by_score = Policy().evolve(tie_breakers=())
    by_seniority = Policy().evolve(tie_breakers=("seniority",))
    edited = example.with_post(example.posts[0].id, seats=example.posts[0].seats + 1)
    runs: list[tuple[Scenario, Policy]] = [
        (example, by_score),
        (example, by_seniority),
        (edited, by_score),
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = [
            lottery_odds(scenario, policy, draws=6, executor=pool).model_dump_json()
            for scenario, policy in runs
        ]
    serial = [
        lottery_odds(scenario, policy, draws=6, executor="serial").model_dump_json()
        for scenario, policy in runs
    ]
    assert pooled == serial
    assert len(set(serial)) == 3


def test_what_if_rounds_share_their_scenarios(example: Scenario) -> None:
    edited = example.with_post(example.posts[0].id, seats=example.posts[0].seats + 1)
    variants: dict[str, Any] = {
        "baseline": Policy(),
        "edited": edited,
        "by score": Policy().evolve(tie_breakers=()),
        "edited, by score": (edited, Policy().evolve(tie_breakers=())),
    }
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = run_rounds(example, variants, executor=pool)
    serial = run_rounds(example, variants, executor="serial")
    assert [r.to_json() for r in pooled.values()] == [r.to_json() for r in serial.values()]
    assert pooled["edited"].scenario_digest == scenario_digest(edited)
    assert pooled["baseline"].scenario_digest == scenario_digest(example)


def _parent_of_worker(shared: object, k: int) -> int:
    return os.getppid()


class _Unpicklable:
    """A shared value that cannot be pickled: it reaches a worker only by a fork."""

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("this value is not to be pickled")


# A fresh interpreter again: whether this process has other threads decides the start.
_FORK = """
import os, sys, threading, time
import kgxp
from kgxp._internal.executors import run_tasks
from tests.test_shared_sweep import _parent_of_worker, _Unpicklable
os.cpu_count = lambda: 2  # a pool of 2 processes whatever this machine has
if sys.argv[1] == "yes":  # a program's own thread, alive through the sweep
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    parents = run_tasks(_parent_of_worker, [(k,) for k in range(4)], None, shared=[1])
    print("forked" if set(parents) == {os.getpid()} else "forkserver")
    sys.exit()
parents = run_tasks(_parent_of_worker, [(k,) for k in range(4)], None, shared=_Unpicklable())
print("forked" if set(parents) == {os.getpid()} else "forkserver")
scenario = kgxp.load_scenario(sys.argv[2])
variants = {"baseline": kgxp.Policy(), "by score": kgxp.Policy().evolve(tie_breakers=())}
pooled, serial = (kgxp.run_rounds(scenario, variants, executor=e) for e in (None, "serial"))
print([r.to_json() for r in pooled.values()] == [r.to_json() for r in serial.values()])
"""


@pytest.mark.parametrize(
    ("other_thread", "expected"), [("no", "forked\nTrue"), ("yes", "forkserver")]
)
def test_a_process_alone_forks_its_workers_and_they_inherit_the_shared_value(
    other_thread: str, expected: str
) -> None:
    # A script or the CLI (one thread) forks its workers: the county and what kgxp has
    # computed of it are theirs without being pickled (this value cannot be) and without a
    # fresh import of kgxp, and the results are a serial run's. A process with a thread of
    # its own could hang a forked child on a lock that thread held: forkserver starts them.
    ran = subprocess.run(
        [sys.executable, "-c", _FORK, other_thread, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert ran.stdout.strip() == expected, ran.stderr


def _signals_of_worker(shared: object, k: int) -> tuple[bool, bool, int]:
    """In the worker: whether SIGTERM and SIGINT act as in a fresh process, and the fd a
    signal would be written to (-1: none; ``set_wakeup_fd`` returns it, and it is put back
    for the worker's next task to see)."""
    wakeup_fd = signal.set_wakeup_fd(-1)
    if wakeup_fd != -1:
        signal.set_wakeup_fd(wakeup_fd)
    return (
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,
        signal.getsignal(signal.SIGINT) is signal.default_int_handler,
        wakeup_fd,
    )


# A program that handles SIGTERM and SIGINT itself and has an event loop's wakeup fd (as
# uvicorn sets up in its one thread), then runs a sweep on the default local processes.
_HANDLERS = """
import os, signal, socket, sys
from kgxp._internal.executors import run_tasks
from tests.test_shared_sweep import _signals_of_worker
os.cpu_count = lambda: 2
ours, theirs = socket.socketpair()
ours.setblocking(False)
signal.set_wakeup_fd(ours.fileno())
signal.signal(signal.SIGTERM, lambda number, frame: print("the program's handler"))
signal.signal(signal.SIGINT, lambda number, frame: print("the program's handler"))
print(run_tasks(_signals_of_worker, [(k,) for k in range(4)], None, shared=None))
"""


def test_a_forked_worker_does_not_run_the_program_s_signal_handlers() -> None:
    # A forked worker starts with the program's handlers and its wakeup fd: a SIGTERM sent
    # to the worker (a pool broken or shut down) would run the program's handler there, or
    # reach the program's event loop through the fd it shares, as if the program had been
    # told to stop. The worker goes back to a fresh process's handling, as forkserver's do.
    ran = subprocess.run(
        [sys.executable, "-c", _HANDLERS],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert (
        ran.stdout.strip()
        == "[(True, True, -1), (True, True, -1), (True, True, -1), (True, True, -1)]"
    )
