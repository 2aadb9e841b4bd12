"""Where a sweep's independent tasks run: this process, local processes, or a cluster.

A sweep — what-if rounds (:func:`kgxp.run_rounds`), lottery draws
(:func:`kgxp.lottery_odds`) — is a list of tasks that share nothing, so they can run
anywhere. ``executor`` takes four forms:

* ``None`` or ``"processes"`` (the default): a local pool of processes, one per core
  (``concurrent.futures.ProcessPoolExecutor``, started by *forkserver* where the
  platform has it: a fork of a process with threads, such as a notebook's, may hang);
  a single task, or a single core, runs in this process, and so does every task in a
  daemonic process (a ``multiprocessing.Pool``'s worker, a task queue's prefork
  worker), which may not start processes of its own (logged as ``sweep.in_process``);
* ``"serial"``: every task in this process, in order;
* any ``concurrent.futures.Executor`` the caller made (and shuts down);
* a Dask ``distributed.Client`` connected to a cluster (``pip install
  'kgxp[distributed]'``; docs/sweeps.md): tasks go to its workers.

Results come back in task order whatever finished first, so a sweep is
byte-identical on every executor (I12). A task must be a module-level function
and its arguments picklable.

When the executor fails rather than the task — a worker process dies (killed for
memory, typically, on a province-sized county), the pool was shut down, a task was
cancelled under the sweep, the cluster's client is closed or its workers keep dying —
:class:`~kgxp.exceptions.SweepError` names the task that could not run and what to
try, with the executor's exception as its cause; the other tasks are cancelled and
nothing is returned. A task's own exception is raised as it is, as a serial run would.

>>> run_tasks(pow, [(2, 3), (3, 2)], "serial")
[8, 9]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import Executor as FuturesExecutor
from typing import Any, Literal, Protocol, TypeAlias, TypeVar, runtime_checkable

from kgxp._internal.decimals import call_in_kgxp_decimal_context
from kgxp._internal.log import get_logger
from kgxp.exceptions import SweepError

__all__ = ["ClusterClient", "Executor", "concurrency", "run_tasks"]

_Result = TypeVar("_Result")

log = get_logger(__name__)


@runtime_checkable
class ClusterClient(Protocol):
    """What kgxp needs of a Dask ``distributed.Client``: a ``concurrent.futures`` view."""

    def get_executor(self, **kwargs: Any) -> FuturesExecutor: ...


Executor: TypeAlias = FuturesExecutor | ClusterClient | Literal["processes", "serial"] | None
"""What an ``executor=`` argument accepts (see :mod:`kgxp._internal.executors`)."""


def run_tasks(
    function: Callable[..., _Result],
    arguments: Sequence[tuple[Any, ...]],
    executor: Executor = None,
    *,
    done: Callable[[int], None] | None = None,
    task_name: Callable[[int], str] | None = None,
) -> list[_Result]:
    """``[function(*a) for a in arguments]``, run on ``executor``, in the same order.

    ``done(k)`` is called as task ``k``'s result is collected, in task order (progress).
    ``task_name(k)`` names task ``k`` in a :class:`~kgxp.exceptions.SweepError`
    (default: ``"task k"``, counted from 1).
    """
    if executor == "serial":
        return _in_process(function, arguments, done)
    named = task_name or (lambda k: f"task {k + 1}")
    if executor is None or executor == "processes":
        workers = min(len(arguments), os.cpu_count() or 1)
        if workers <= 1:
            return _in_process(function, arguments, done)
        if multiprocessing.current_process().daemon:
            # multiprocessing refuses a daemonic process children ("daemonic processes are
            # not allowed to have children"), so a service running kgxp in a worker pool
            # runs its sweeps there, one task after another: the same results (I12).
            log.warning("sweep.in_process", reason="daemonic process", tasks=len(arguments))
            return _in_process(function, arguments, done)
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            return _gather(pool, function, arguments, done, named)
    if isinstance(executor, FuturesExecutor):
        return _gather(executor, function, arguments, done, named)
    if isinstance(executor, ClusterClient):
        # pure=False: every task runs, none is served from the cluster's cache by key.
        return _gather(executor.get_executor(pure=False), function, arguments, done, named)
    raise TypeError(
        "executor must be None, 'processes', 'serial', a concurrent.futures.Executor or a "
        f"distributed.Client, got {type(executor).__name__}"
    )


def concurrency(executor: Executor) -> int:
    """How many tasks ``executor`` runs at once, as far as it says (1 where it does not).

    A sweep that splits its work (``lottery_odds``'s draws) splits it into at least this
    many tasks, so that no worker waits idle: local processes, one per core; a pool's
    ``max_workers``; a Dask cluster's worker threads at the time of the call (an
    adaptive cluster that grows later is not counted).
    """
    if executor is None or executor == "processes":
        return os.cpu_count() or 1
    if isinstance(executor, FuturesExecutor):
        # The standard pools keep their size here (no public accessor); another executor
        # says nothing, and is given the default split.
        workers = getattr(executor, "_max_workers", None)
        return workers if isinstance(workers, int) and workers > 0 else 1
    if isinstance(executor, ClusterClient):
        nthreads = getattr(executor, "nthreads", None)
        try:
            threads = nthreads() if callable(nthreads) else None
        except Exception:  # a client that cannot say (closed): the sweep reports why
            return 1
        if isinstance(threads, dict):
            return max(1, sum(n for n in threads.values() if isinstance(n, int)))
    return 1


def _in_process(
    function: Callable[..., _Result],
    arguments: Sequence[tuple[Any, ...]],
    done: Callable[[int], None] | None,
) -> list[_Result]:
    results = []
    for k, a in enumerate(arguments):
        results.append(function(*a))
        if done is not None:
            done(k)
    return results


def _gather(
    pool: FuturesExecutor,
    function: Callable[..., _Result],
    arguments: Sequence[tuple[Any, ...]],
    done: Callable[[int], None] | None,
    named: Callable[[int], str],
) -> list[_Result]:
    futures: list[Future[_Result]] = []
    try:
        # Another thread or process starts in its own decimal context (a thread's: a copy
        # of ``decimal.DefaultContext``, which a program may change): each task runs in
        # kgxp's. Whatever submit raises is the executor's refusal, never the task's.
        for k, a in enumerate(arguments):
            try:
                futures.append(pool.submit(call_in_kgxp_decimal_context, function, *a))
            except Exception as refused:
                raise SweepError(named(k), k + 1, len(arguments), refused) from refused
        results = []
        for k, future in enumerate(futures):
            try:
                results.append(future.result())
            except Exception as failed:
                if _executor_failed(failed):
                    raise SweepError(named(k), k + 1, len(arguments), failed) from failed
                raise  # the task's own error, as a serial run raises it
            if done is not None:
                done(k)
        return results
    finally:  # a failed task: the others are not left running for nothing
        for future in futures:
            future.cancel()


def _executor_failed(error: Exception) -> bool:
    """Whether ``error`` is the executor's failure rather than the task's own exception.

    ``concurrent.futures``: a broken pool (a worker died) or a cancelled task. Dask
    (``distributed``, an optional extra, so read by class, not imported): a task whose
    workers died (``KilledWorker``), a closed client, a lost connection to the scheduler.
    """
    if isinstance(error, BrokenExecutor | CancelledError):
        return True
    kind = type(error)
    return kind.__module__.partition(".")[0] == "distributed" and kind.__name__ in _DASK_FAILURES


_DASK_FAILURES = frozenset({"KilledWorker", "ClosedClientError", "CommClosedError"})


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
