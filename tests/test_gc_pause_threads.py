"""The garbage-collector pause under real threads (docs/service.md).

By default (``"auto"``) kgxp pauses the process-wide collector only when the calling
thread is the only one: a threaded service keeps collecting while rounds run. Under
``"always"`` concurrent pauses share one and the collector is back on when the last
ends. Either way results are the same.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import kgxp
from kgxp._internal.gc_pause import collector_paused
from kgxp.testing import scenarios
from tests.factories import scenario_data

WORKERS = 4


@pytest.fixture
def setting() -> Iterator[None]:
    previous = kgxp.set_collector_pause("auto")
    assert gc.isenabled()
    yield
    kgxp.set_collector_pause(previous)
    assert gc.isenabled()


class Watcher:
    """A thread sampling ``gc.isenabled()`` while others run rounds."""

    def __init__(self) -> None:
        self.samples: list[bool] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(gc.isenabled())
            self.stop.wait(0.0005)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def rounds_in_threads(scenario: kgxp.Scenario) -> list[str]:
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda seed: kgxp.run_round(scenario, seed=seed), [3] * WORKERS))
    return [r.to_json() for r in results]


@pytest.mark.usefixtures("setting")
def test_auto_never_pauses_while_other_threads_run(example_path: Path) -> None:
    scenario = kgxp.load_scenario(example_path)
    with Watcher() as watcher:
        outputs = rounds_in_threads(scenario)
    assert len(watcher.samples) > 10
    assert all(watcher.samples), "a multi-threaded program lost its collector"
    assert len(set(outputs)) == 1
    assert outputs[0] == kgxp.run_round(scenario, seed=3).to_json()


@pytest.mark.usefixtures("setting")
def test_auto_pauses_a_single_threaded_program() -> None:
    # Threads left by earlier tests (a Dask client's, say) may end at any moment, even
    # between a count taken here and the pause's own: the pause decides by the threads
    # alive at its entry. Alone before it means alone at entry (only a live thread could
    # start another); another thread inside it was alive at entry (threads do not
    # come back). A thread ending in between leaves either answer right.
    alone = threading.active_count() == 1
    with collector_paused():
        paused = not gc.isenabled()
        crowded = threading.active_count() > 1
    if alone:
        assert paused
    if crowded:
        assert not paused
    with Watcher(), collector_paused():  # a second thread is alive: no pause
        assert gc.isenabled()


@pytest.mark.usefixtures("setting")
def test_always_shares_one_pause_between_threads_and_restores_the_collector() -> None:
    kgxp.set_collector_pause("always")
    scenario = kgxp.parse_scenario(scenario_data())
    inside: list[bool] = []
    barrier = threading.Barrier(WORKERS)

    def overlapping(_: int) -> str:
        with collector_paused():
            barrier.wait(timeout=10)  # all threads are inside their pause at once
            inside.append(gc.isenabled())
            result = kgxp.run_round(scenario).to_json()
            barrier.wait(timeout=10)
        return result

    with ThreadPoolExecutor(WORKERS) as pool:
        outputs = list(pool.map(overlapping, range(WORKERS)))
    assert inside == [False] * WORKERS
    assert gc.isenabled()
    assert len(set(outputs)) == 1


@pytest.mark.usefixtures("setting")
def test_never_leaves_the_collector_alone() -> None:
    kgxp.set_collector_pause("never")
    with collector_paused():
        assert gc.isenabled()
    with pytest.raises(ValueError, match="one of"):
        kgxp.set_collector_pause("sometimes")  # type: ignore[arg-type]


def test_generated_rounds_are_identical_with_and_without_the_pause() -> None:
    from hypothesis import given, settings

    @settings(max_examples=15, deadline=None)
    @given(scenarios(max_teachers=15))
    def check(scenario: kgxp.Scenario) -> None:
        previous = kgxp.set_collector_pause("never")
        try:
            plain = kgxp.run_round(scenario).to_json()
        finally:
            kgxp.set_collector_pause("always")
        try:
            paused = kgxp.run_round(scenario).to_json()
        finally:
            kgxp.set_collector_pause(previous)
        assert plain == paused

    check()
