"""A sweep whose executor fails: kgxp's own ``SweepError`` naming the task, nothing returned.

A province's analysts send thousands of draws or a grid of what-if rounds to local
processes or a Dask cluster; a worker killed for memory, a pool shut down early or a
client already closed must not surface as the executor's own traceback, but as a
:class:`kgxp.SweepError` that says which task could not run and what to do, with the
executor's exception as its cause. A task's own error (a bug, a kgxp error) is not the
executor's and passes through unchanged.

Every executor here is real: a process pool whose worker dies, a shut-down pool, a
closed Dask client, and a Dask cluster whose worker dies while running a task.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp import Policy, Scenario, SweepError, lottery_odds, run_rounds
from kgxp._internal.executors import run_tasks
from tests.conftest import EXAMPLE, ROOT

VARIANTS = {"baseline": Policy(), "by score": Policy().evolve(tie_breakers=())}


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


def _dead_pool() -> ProcessPoolExecutor:
    """A real process pool whose worker exits abruptly as it starts (as one killed for
    memory would): the pool breaks under the first task."""
    return ProcessPoolExecutor(max_workers=1, initializer=os._exit, initargs=(1,))


def test_a_worker_that_dies_gives_a_sweep_error_naming_the_variant(example: Scenario) -> None:
    with _dead_pool() as pool, pytest.raises(SweepError) as raised:
        run_rounds(example, VARIANTS, executor=pool)
    error = raised.value
    assert isinstance(error, kgxp.KgxpError)
    assert isinstance(error, RuntimeError)
    assert isinstance(error.__cause__, BrokenProcessPool)
    assert error.task == "what-if round 'baseline'"  # the first task collected
    assert "what-if round 'baseline' (1 of 2)" in str(error)
    assert "worker" in str(error) and "executor='serial'" in str(error)
    assert error.details() == {"task": "what-if round 'baseline'", "cause": "BrokenProcessPool"}


def test_a_worker_that_dies_during_the_draws_names_the_draws(example: Scenario) -> None:
    with _dead_pool() as pool, pytest.raises(SweepError) as raised:
        lottery_odds(example, draws=10, chunks=2, executor=pool)
    assert raised.value.task == "draws 1–5 of 10"
    assert isinstance(raised.value.__cause__, BrokenProcessPool)


@pytest.mark.parametrize("sweep", ["run_rounds", "lottery_odds"])
def test_an_executor_shut_down_before_the_sweep_is_named(example: Scenario, sweep: str) -> None:
    pool = ThreadPoolExecutor(max_workers=2)
    pool.shutdown()

    def sweep_on_the_pool() -> object:
        if sweep == "run_rounds":
            return run_rounds(example, VARIANTS, executor=pool)
        return lottery_odds(example, draws=4, executor=pool)

    with pytest.raises(SweepError, match="shut down") as raised:
        sweep_on_the_pool()
    assert type(raised.value.__cause__) is RuntimeError  # the pool's own refusal


def test_a_task_cancelled_by_its_executor_is_a_sweep_error() -> None:
    # The caller shuts the pool down, cancelling what has not started, while the sweep
    # waits: the task that never ran is named.
    pool = ThreadPoolExecutor(max_workers=1)

    def slow_then_shut(value: int) -> int:
        pool.shutdown(wait=False, cancel_futures=True)
        return value

    with pytest.raises(SweepError, match=r"task 2 \(2 of 2\)") as raised:
        run_tasks(slow_then_shut, [(1,), (2,)], pool)
    assert "cancelled" in str(raised.value)


def test_a_tasks_own_error_passes_through_unchanged() -> None:
    # Not the executor's failure: the task's exception, as a serial run would raise it.
    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(TypeError):
        run_tasks(pow, [(2, 3), (2, "x")], pool)
    with pytest.raises(TypeError):
        run_tasks(pow, [(2, "x")], "serial")


def test_a_sweep_error_survives_pickling_and_is_a_document() -> None:
    error = SweepError("draws 1–5 of 10", 1, 2, BrokenProcessPool("gone"))
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is SweepError
    assert str(again) == str(error)
    assert again.task == error.task
    assert again.details() == error.details()
    document = error.document()
    assert document.error == "SweepError"
    assert document.details == {"task": "draws 1–5 of 10", "cause": "BrokenProcessPool"}


# --- a daemonic process: a multiprocessing pool's worker, a task queue's prefork worker ---


def _sweeps_in_this_process(executor: str | None) -> dict[str, Any]:
    """Run in a pool's (daemonic) worker: both sweeps on ``executor``, and the events
    kgxp logged. Module level, so that the spawned worker can import it."""
    import logging

    events: list[dict[str, Any]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            events.append(getattr(record, "kgxp", {}))

    root = logging.getLogger("kgxp")
    root.addHandler(Keep())
    root.setLevel(logging.INFO)
    example = kgxp.load_scenario(EXAMPLE)
    rounds = run_rounds(example, VARIANTS, executor=executor)
    odds = lottery_odds(example, draws=4, chunks=2, executor=executor)
    return {
        "rounds": {name: result.model_dump_json() for name, result in rounds.items()},
        "odds": odds.model_dump_json(),
        "events": [event for event in events if event.get("event") == "sweep.in_process"],
    }


def _sweep_on_a_pool_of_its_own() -> str:
    """Run in a pool's worker: a sweep on a process pool made there, which a daemonic
    process cannot start; the error's text, or what the sweep returned."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        try:
            return repr(run_tasks(pow, [(2, 3), (3, 2)], pool))
        except SweepError as error:
            return str(error)


def _daemonic_pool() -> Any:
    import multiprocessing

    return multiprocessing.get_context("spawn").Pool(1)  # its worker is daemonic


def test_the_default_executor_in_a_daemonic_process_runs_the_sweep_there(
    example: Scenario,
) -> None:
    # A service's task queue (Celery's prefork workers, a multiprocessing.Pool) runs kgxp in
    # daemonic processes, which may not start processes of their own: the default sweep
    # ran into that ("daemonic processes are not allowed to have children") and failed.
    # It now runs in the worker itself, as on a single core, and says so in the log.
    with _daemonic_pool() as pool:
        there = pool.apply(_sweeps_in_this_process, (None,))
    here = _sweeps_in_this_process("serial")
    assert there["rounds"] == here["rounds"]  # byte for byte (I12)
    assert there["odds"] == here["odds"]
    assert [event["reason"] for event in there["events"]] == ["daemonic process"] * 2
    assert {event["tasks"] for event in there["events"]} == {2}
    assert here["events"] == []  # serial was asked for: nothing to explain


def test_a_process_pool_made_in_a_daemonic_process_gets_a_hint_that_fits() -> None:
    with _daemonic_pool() as pool:
        said = pool.apply(_sweep_on_a_pool_of_its_own)
    assert said.startswith("the executor could not run task 1 (1 of 2): ")
    assert "daemonic" in said
    assert "executor='serial'" in said
    assert "shut down" not in said  # the generic hint, which did not fit


# --- a script without the main-module guard ----------------------------------------------

UNGUARDED = """
import threading, time
import kgxp

if {threads}:  # a thread of the script's own, alive through the sweep
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
scenario = kgxp.load_scenario({example!r})
odds = kgxp.lottery_odds(scenario, draws=4, chunks=2)  # at top level: no __main__ guard
print("done", odds == kgxp.lottery_odds(scenario, draws=4, chunks=2, executor="serial"))
"""


def _unguarded(tmp_path: Path, *, threads: bool) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "odds_script.py"
    script.write_text(UNGUARDED.format(example=str(EXAMPLE), threads=threads), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )


def test_a_single_threaded_script_without_the_main_guard_runs_its_sweep(tmp_path: Path) -> None:
    # A script alone in its process forks its workers, which do not import it again.
    done = _unguarded(tmp_path, threads=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "done True\n", "")


def test_a_script_without_the_main_guard_is_told_about_it(tmp_path: Path) -> None:
    # With a thread of its own, a script's local processes start by forkserver and import
    # the main script, which starts the sweep again while it is imported: each worker's
    # sweep fails, the worker dies, and the script's own sweep fails on a broken pool.
    # Both errors used to point elsewhere (a pool "shut down", a worker killed "for lack
    # of memory"); both now name the guard.
    done = _unguarded(tmp_path, threads=True)
    assert done.returncode == 1
    assert done.stdout == ""  # nothing of the sweep returned
    errors = [line for line in done.stderr.splitlines() if line.startswith("kgxp.exceptions.")]
    script_error = errors[-1]  # the last traceback is the script's own
    assert script_error.startswith(
        "kgxp.exceptions.SweepError: the executor could not run draws 1–2 of 4 (1 of 2): "
    )
    assert "[BrokenProcessPool:" in script_error
    assert 'if __name__ == "__main__":' in script_error
    # Each worker said why it died before dying (the workers' writes may interleave).
    assert "this worker process is importing the main script" in done.stderr


# --- a real Dask cluster ------------------------------------------------------------------

distributed = pytest.importorskip("distributed", reason="the 'distributed' extra (in dev)")


def test_a_closed_dask_client_is_a_sweep_error(example: Scenario) -> None:
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        client = distributed.Client(cluster)
        client.close()
        with pytest.raises(SweepError) as raised:
            lottery_odds(example, draws=4, executor=client)
    assert "closed" in str(raised.value)
    assert raised.value.task == "draw 1 of 4"


class _DieWhenATaskStarts(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker's process the moment a task starts executing there: a worker
    lost mid-task (to the kernel's out-of-memory killer, say), deterministically."""

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing":
            os._exit(1)


@pytest.fixture
def dying_cluster() -> Iterator[Any]:
    # allowed-failures 0: the scheduler gives up on a task after the first worker it
    # killed (the default retries it on three), as it would after a province-sized
    # task had killed every worker it was given.
    import cloudpickle
    import dask

    import tests.test_sweep_failures as this_module

    cloudpickle.register_pickle_by_value(this_module)  # the plugin reaches the workers
    try:
        with (
            dask.config.set({"distributed.scheduler.allowed-failures": 0}),
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.register_plugin(_DieWhenATaskStarts())
            yield client
    finally:
        cloudpickle.unregister_pickle_by_value(this_module)


def test_a_dask_worker_that_dies_mid_task_is_a_sweep_error(
    example: Scenario, dying_cluster: Any
) -> None:
    with pytest.raises(SweepError) as raised:
        run_rounds(example, VARIANTS, executor=dying_cluster)
    assert type(raised.value.__cause__).__name__ == "KilledWorker"
    assert raised.value.task.startswith("what-if round ")
    assert "memory" in str(raised.value)


class _DieOnce(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker's process as the first task of the whole cluster starts (the
    ``mark`` file says it happened): one worker lost, the others and its replacement
    carry on. (Checking for the file, then making it, let two workers starting at once
    both die, losing every copy: CI saw it.)"""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing":
            return
        try:  # created atomically: of two workers starting at once, only one dies
            os.close(os.open(self.mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os._exit(1)


def test_a_dask_worker_lost_once_does_not_lose_the_shared_county(
    example: Scenario, tmp_path: Path
) -> None:
    # The county is scattered once to every worker, not held by one: a worker lost once
    # (its tasks retried elsewhere, as when the county went with every task) must not
    # take the only copy with it, which cancelled every task of the sweep.
    import cloudpickle

    import tests.test_sweep_failures as this_module

    mark = tmp_path / "died"
    policy = Policy().evolve(tie_breakers=())
    cloudpickle.register_pickle_by_value(this_module)
    try:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.wait_for_workers(2)  # both hold the county before one is lost
            client.register_plugin(_DieOnce(str(mark)))
            odds = lottery_odds(example, policy, draws=8, executor=client)
    finally:
        cloudpickle.unregister_pickle_by_value(this_module)
    assert mark.exists()  # a worker was lost
    serial = lottery_odds(example, policy, draws=8, executor="serial")
    assert odds.model_dump_json() == serial.model_dump_json()
