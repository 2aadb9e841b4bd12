"""Sweeps on a real Dask cluster (the ``distributed`` extra): byte-identical to a serial run.

The tests start their own local cluster — a scheduler and two worker processes,
as ``dask scheduler`` / ``dask worker`` would on a province's machines — and send
what-if rounds and lottery draws to it through a ``distributed.Client``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp import Policy, Scenario, lottery_odds, policy_grid, run_rounds
from tests.conftest import EXAMPLE

distributed = pytest.importorskip("distributed", reason="the 'distributed' extra (in dev)")


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


def test_the_cluster_has_two_worker_processes(client: distributed.Client) -> None:
    pids = client.run(os.getpid)  # worker address -> its process id
    assert len(pids) == 2
    assert len(set(pids.values())) == 2
    assert os.getpid() not in pids.values()


def _odds_and_steps(
    example: Scenario, policy: Policy, draws: int, client: distributed.Client, **options: Any
) -> tuple[kgxp.LotteryOdds, list[tuple[int, str]]]:
    """The odds of ``draws`` on ``client``, and the progress reported: (done, label)."""
    steps: list[tuple[int, str]] = []
    odds = lottery_odds(
        example,
        policy,
        draws=draws,
        executor=client,
        progress=lambda done, total, label: steps.append((done, label)),
        **options,
    )
    return odds, steps


def test_lottery_odds_on_the_cluster_equal_the_serial_run(
    client: distributed.Client, example: Scenario
) -> None:
    policy = Policy().evolve(tie_breakers=())  # the draw decides ties: odds vary
    serial = lottery_odds(example, policy, draws=12, executor="serial")
    clustered, steps = _odds_and_steps(example, policy, 12, client, chunks=4)
    assert clustered.model_dump_json() == serial.model_dump_json()
    assert [done for done, _ in steps] == [3, 6, 9, 12]  # counted as each task's come back
    assert serial.post_decided()


def test_run_rounds_on_the_cluster_equal_the_serial_run(
    client: distributed.Client, example: Scenario
) -> None:
    variants = {
        "baseline": Policy(),
        "cross-school 15%": Policy().evolve(in_school_share="0.85"),
        "by score": Policy().evolve(tie_breakers=()),
    }
    seen: list[str] = []
    clustered = run_rounds(
        example,
        variants,
        executor=client,
        progress=lambda done, total, label: seen.append(label),
    )
    serial = run_rounds(example, variants, executor="serial")
    assert list(clustered) == list(variants)
    assert seen == list(variants)
    for name in variants:
        assert clustered[name].to_json() == serial[name].to_json()


def test_a_policy_grid_on_the_cluster_equals_the_serial_run(
    client: distributed.Client, example: Scenario
) -> None:
    grid = policy_grid({"in_school_share": ["0.8", "0.9"], "tie_breakers": [(), ("seniority",)]})
    clustered = run_rounds(example, grid, executor=client)
    serial = run_rounds(example, grid, executor="serial")
    assert list(clustered) == list(grid)
    assert [r.to_json() for r in clustered.values()] == [r.to_json() for r in serial.values()]


def test_the_command_line_submits_to_a_scheduler(
    client: distributed.Client, example: Scenario, tmp_path: Path
) -> None:
    from kgxp.cli import main

    out = tmp_path / "odds.json"
    address = client.scheduler.address
    argv = ["odds", str(EXAMPLE), "--draws", "6", "--by-score", "--scheduler", address]
    assert main([*argv, "--out", str(out)]) == 0
    local = lottery_odds(example, Policy().evolve(tie_breakers=()), draws=6, executor="serial")
    assert out.read_text(encoding="utf-8") == local.model_dump_json() + "\n"


def test_the_draws_are_split_to_keep_every_worker_busy(example: Scenario) -> None:
    # A province's cluster has more workers than the 8 tasks the draws used to go out in:
    # by default they are split into at least as many tasks as the cluster runs at once
    # (here 12 worker threads), so none waits idle; the document is the same.
    policy = Policy().evolve(tie_breakers=())
    with (
        distributed.LocalCluster(
            n_workers=3, threads_per_worker=4, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as wide,
    ):
        odds, steps = _odds_and_steps(example, policy, 24, wide)
    assert [label for _, label in steps] == [  # 12 tasks
        f"draws {k + 1}–{k + 2} of 24" for k in range(0, 24, 2)
    ]
    serial = lottery_odds(example, policy, draws=24, executor="serial")
    assert odds.model_dump_json() == serial.model_dump_json()


def _marked(shared: list[int], k: int) -> tuple[int, int]:
    shared.append(k)
    return os.getpid(), len(shared)


def _size(shared: bytes, k: int) -> int:
    return len(shared) + k


def test_what_the_tasks_share_is_scattered_once(client: distributed.Client) -> None:
    from kgxp._internal.executors import run_tasks

    # Each worker holds one copy, which every task it runs is given: the marks of its
    # tasks add up on it.
    seen = run_tasks(_marked, [(k,) for k in range(8)], client, shared=list(range(100)))
    by_process: dict[int, list[int]] = {}
    for pid, size in seen:
        by_process.setdefault(pid, []).append(size)
    assert all(len(set(sizes)) == len(sizes) for sizes in by_process.values())
    # A county-sized value goes once, not inside every task: Dask would warn of a large
    # graph (an error in this suite) had it gone with each.
    big = bytes(20_000_000)
    assert run_tasks(_size, [(k,) for k in range(4)], client, shared=big) == [
        20_000_000 + k for k in range(4)
    ]
