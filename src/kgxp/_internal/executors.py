"""Where a sweep's independent tasks run: this process, local processes, or a cluster.

A sweep — what-if rounds (:func:`kgxp.run_rounds`), lottery draws
(:func:`kgxp.lottery_odds`) — is a list of tasks that share nothing, so they can run
anywhere. ``executor`` takes four forms:

* ``None`` or ``"processes"`` (the default): a local pool of processes, one per core
  (``concurrent.futures.ProcessPoolExecutor``): forked from this process when it has
  a single thread (a script, the CLI), so that the workers inherit the county and what
  kgxp has computed of it, else started by *forkserver* where the platform has it (a
  fork of a process with threads, such as a notebook's, may hang), else by spawn;
  a single task, or a single core, runs in this process, and so does every task in a
  daemonic process (a ``multiprocessing.Pool``'s worker, a task queue's prefork
  worker), which may not start processes of its own (logged as ``sweep.in_process``);
* ``"serial"``: every task in this process, in order;
* any ``concurrent.futures.Executor`` the caller made (and shuts down);
* a Dask ``distributed.Client`` connected to a cluster (``pip install
  'kgxp[distributed]'``; docs/sweeps.md): tasks go to its workers.

Results come back in task order whatever finished first, so a sweep is
byte-identical on every executor (I12). A task must be a module-level function
and its arguments picklable. What every task shares (the county) is sent once
(``run_tasks(shared=)``), not with each task.

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

import hashlib
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import (
    BrokenExecutor,
    CancelledError,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures import Executor as FuturesExecutor
from typing import Any, Final, Literal, Protocol, TypeAlias, TypeVar, runtime_checkable

from kgxp._internal.decimals import call_in_kgxp_decimal_context
from kgxp._internal.gc_pause import collector_paused, would_pause
from kgxp._internal.log import get_logger
from kgxp.exceptions import SweepError

__all__ = ["ClusterClient", "Executor", "concurrency", "run_tasks"]

_Result = TypeVar("_Result")

log = get_logger(__name__)


@runtime_checkable
class ClusterClient(Protocol):
    """What kgxp needs of a Dask ``distributed.Client``: a ``concurrent.futures`` view
    (and, where it has one, ``scatter``, to send what every task shares once)."""

    def get_executor(self, **kwargs: Any) -> FuturesExecutor: ...


Executor: TypeAlias = FuturesExecutor | ClusterClient | Literal["processes", "serial"] | None
"""What an ``executor=`` argument accepts (see :mod:`kgxp._internal.executors`)."""


_NOTHING_SHARED: Final = object()


def run_tasks(
    function: Callable[..., _Result],
    arguments: Sequence[tuple[Any, ...]],
    executor: Executor = None,
    *,
    shared: object = _NOTHING_SHARED,
    done: Callable[[int], None] | None = None,
    task_name: Callable[[int], str] | None = None,
) -> list[_Result]:
    """``[function(*a) for a in arguments]``, run on ``executor``, in the same order.

    ``shared``, if given, is every task's first argument — ``function(shared, *a)`` —
    and is sent once, not with each task: inherited by forked local processes, pickled
    once here for others (each worker process unpickles it once), scattered once to a
    Dask cluster's workers, passed as it is to threads. What sweeps share is a county:
    34 MB pickled at 100,000 teachers, 0.85 s to pickle and 1.4 s to unpickle, which
    every task paid when it went with each.
    ``done(k)`` is called as task ``k``'s result is collected, in task order (progress).
    ``task_name(k)`` names task ``k`` in a :class:`~kgxp.exceptions.SweepError`
    (default: ``"task k"``, counted from 1).
    """
    tasks = _Tasks(function, arguments, shared, done, task_name)
    if executor == "serial":
        return tasks.in_process()
    if executor is None or executor == "processes":
        workers = min(len(arguments), os.cpu_count() or 1)
        if workers <= 1:
            return tasks.in_process()
        if multiprocessing.current_process().daemon:
            # multiprocessing refuses a daemonic process children ("daemonic processes are
            # not allowed to have children"), so a service running kgxp in a worker pool
            # runs its sweeps there, one task after another: the same results (I12).
            log.warning("sweep.in_process", reason="daemonic process", tasks=len(arguments))
            return tasks.in_process()
        # The pool's own threads are the only others if the caller was alone before it.
        paused = would_pause(alone=threading.active_count() == 1)
        send: Callable[[object], object]
        if _forkable():
            # The workers are copies of this process: the shared value (the county) and
            # what kgxp has computed of it are theirs without pickling, unpickling and
            # computing again; nor do they import kgxp afresh. Four what-if rounds of
            # 100,000 teachers: 4.64-4.92 s against 6.98-7.86 s by forkserver (serial
            # 5.88-6.04 s; benchmarks/what_if_rounds.py, docs/sweeps.md).
            send = _Inherited.of
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_inherit,
                initargs=(tasks.shared,),  # with fork, inherited, not pickled
            )
        else:
            send = _Pickled.of
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver())
        with pool:
            return tasks.gather(pool, send, unpickle_here=paused)
    if isinstance(executor, ThreadPoolExecutor):
        return tasks.gather(executor, lambda value: value)  # one process: nothing to send
    if isinstance(executor, FuturesExecutor):
        return tasks.gather(executor, _Pickled.of)
    if isinstance(executor, ClusterClient):
        # pure=False: every task runs, none is served from the cluster's cache by key.
        return tasks.gather(executor.get_executor(pure=False), _scattered_by(executor))
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


class _Tasks:
    """One sweep's tasks, run in this process or gathered from a pool (internal)."""

    def __init__(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        shared: object,
        done: Callable[[int], None] | None,
        task_name: Callable[[int], str] | None,
    ) -> None:
        self.function = function
        self.arguments = arguments
        self.shared = shared
        self.done = done
        self.named = task_name or (lambda k: f"task {k + 1}")

    def in_process(self) -> list[Any]:
        lead = () if self.shared is _NOTHING_SHARED else (self.shared,)
        results = []
        for k, a in enumerate(self.arguments):
            results.append(self.function(*lead, *a))
            if self.done is not None:
                self.done(k)
        return results

    def gather(
        self,
        pool: FuturesExecutor,
        send: Callable[[object], object],
        *,
        unpickle_here: bool = False,
    ) -> list[Any]:
        """Each task submitted to ``pool``, the results collected in task order; ``send``
        turns the shared value into what goes with every task.

        ``unpickle_here``: ``pool`` is a process pool this caller started where the
        collector pause's setting allowed a pause (in ``"auto"``: the caller was then
        the process's only thread, and the pool's threads make no cycles). The results
        come back pickled by their task and are unpickled here with the collector
        paused. The pool's own thread unpickled them with it running, its full passes
        over this process's heap (the county, the results so far) a sixth of four
        what-if rounds' time at 100,000 teachers (8.25-8.39 s against 6.72-6.99 s).
        """
        count = len(self.arguments)
        call: Callable[..., Any] = _pickled_call if unpickle_here else call_in_kgxp_decimal_context
        function: Callable[..., Any] = self.function
        lead: tuple[object, ...] = ()
        if self.shared is not _NOTHING_SHARED:
            try:
                lead = (function, send(self.shared))
            except Exception as refused:  # the cluster's scatter: the executor failed
                raise SweepError(self.named(0), 1, count, refused) from refused
            function = _with_shared
        futures: list[Future[Any]] = []
        try:
            # Another thread or process starts in its own decimal context (a thread's: a
            # copy of ``decimal.DefaultContext``, which a program may change): each task
            # runs in kgxp's. Whatever submit raises is the executor's refusal, never the
            # task's.
            for k, a in enumerate(self.arguments):
                try:
                    futures.append(pool.submit(call, function, *lead, *a))
                except Exception as refused:
                    raise SweepError(self.named(k), k + 1, count, refused) from refused
            results = []
            for k, future in enumerate(futures):
                try:
                    result = future.result()
                except Exception as failed:
                    if _executor_failed(failed):
                        raise SweepError(self.named(k), k + 1, count, failed) from failed
                    raise  # the task's own error, as a serial run raises it
                if unpickle_here:  # a pause the setting allowed when the pool started
                    with collector_paused(alone=True):
                        result = pickle.loads(result)  # pickled by this sweep's own task
                results.append(result)
                if self.done is not None:
                    self.done(k)
            return results
        finally:  # a failed task: the others are not left running for nothing
            for future in futures:
                future.cancel()


def _pickled_call(function: Callable[..., Any], *a: Any) -> bytes:
    """A task run in kgxp's decimal context (in the worker), its result pickled there."""
    return pickle.dumps(
        call_in_kgxp_decimal_context(function, *a), protocol=pickle.HIGHEST_PROTOCOL
    )


def _with_shared(function: Callable[..., _Result], shared: object, *a: Any) -> _Result:
    """A task with its shared value (in the worker): unpickled once per worker process,
    or inherited by a forked one."""
    value = shared.value() if isinstance(shared, _Pickled | _Inherited) else shared
    return function(value, *a)


class _Pickled:
    """A value pickled once for every task of a sweep; each worker process unpickles it
    once, the first time a task brings it, and keeps the last one it saw (internal).

    ``token`` (SHA-256 of the pickle) tells one sweep's value from another's.
    """

    __slots__ = ("payload", "token")

    def __init__(self, payload: bytes, token: str) -> None:
        self.payload = payload
        self.token = token

    @classmethod
    def of(cls, value: object) -> _Pickled:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(payload, hashlib.sha256(payload).hexdigest())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Pickled, (self.payload, self.token))

    def value(self) -> object:
        with _UNPICKLED_LOCK:  # a worker's threads unpickle it once between them
            if _UNPICKLED and _UNPICKLED[0][0] == self.token:
                return _UNPICKLED[0][1]
            # Pickled by this sweep's own caller. A county is a million objects and no
            # cycles: with the collector running, unpickling 100,000 teachers took
            # 0.88-1.08 s against 0.27-0.29 paused (kgxp._internal.gc_pause; a pool's
            # worker process has one thread, so "auto" pauses it).
            with collector_paused():
                value = pickle.loads(self.payload)
            _UNPICKLED[:] = [(self.token, value)]
            return value


# In a worker process: the last shared value unpickled, by token (one county at a time).
_UNPICKLED: list[tuple[str, object]] = []
_UNPICKLED_LOCK = threading.Lock()


class _Inherited:
    """Stands for the shared value a forked worker process inherited (internal): tasks
    carry this token, not the value."""

    __slots__ = ()

    @classmethod
    def of(cls, value: object) -> _Inherited:
        return cls()  # the value itself went with the fork (``_inherit``)

    def value(self) -> object:
        return _INHERITED[0]


# In a forked worker process: the shared value of its pool's sweep, set as it starts.
_INHERITED: list[object] = []


def _inherit(value: object) -> None:
    """A forked worker's start: the shared value kept, the caller's signal handling dropped."""
    _fresh_signal_handling()
    _INHERITED[:] = [value]


def _fresh_signal_handling() -> None:
    """Signals handled in this forked worker as in a fresh process (forkserver's workers).

    A fork keeps the caller's Python signal handlers and its wakeup fd (an event loop's,
    uvicorn's say): a SIGTERM to the worker — a pool broken or shut down terminates its
    workers — would run the caller's handler here, or be written to the fd the caller's
    loop reads, as if the caller itself had been told to stop.
    """
    signal.set_wakeup_fd(-1)
    for number in signal.valid_signals():
        try:
            handler = signal.getsignal(number)
            if callable(handler) and handler is not signal.default_int_handler:
                fresh = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
                signal.signal(number, fresh)
        except (OSError, ValueError):  # a signal Python may not handle here
            continue


def _scattered_by(client: ClusterClient) -> Callable[[object], object]:
    """Sends a shared value to the cluster's workers once (``Client.scatter``), a copy
    to each; every task then names it. Each worker holds it, not one: a worker lost
    mid-sweep (its tasks retried elsewhere, as Dask does) must not take the only copy
    with it, which would cancel every task of the sweep; a replacement worker fetches
    it from another."""

    def scatter(value: object) -> object:
        send = getattr(client, "scatter", None)
        if not callable(send) or getattr(client, "status", "running") in {"closing", "closed"}:
            # A client without scatter: the value goes with each task. A closed client's
            # scatter fails on a detail of its own (no scheduler connection: an
            # AttributeError); its submit says what is wrong (ClosedClientError), so let
            # the first task be refused there.
            return value
        # In a list, so that a tuple is sent whole rather than element by element;
        # hash=False: no tokenizing of a whole county to name it; broadcast: see above.
        (future,) = send([value], hash=False, broadcast=True)
        return future

    return scatter


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


def _forkable() -> bool:
    """Whether this process may fork its workers: it has one thread, and fork exists.

    A fork copies only the thread that calls it. Any other thread's locks stay held in
    the child, which may then hang on one (Python 3.12 warns of it); a notebook's kernel
    and a service run threads. So the threads are counted as the system sees them
    (``/proc/self/task``, Linux), not as :mod:`threading` does, which misses those started
    outside Python (numpy's OpenBLAS starts its own on import). Where they cannot
    be counted (not Linux) the workers start by forkserver, as they do on macOS.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _forkserver() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
