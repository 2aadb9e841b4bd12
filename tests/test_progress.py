"""Progress of simulate and lottery_odds (kgxp._internal.progress): reported step by step, never
changing the result."""

from __future__ import annotations

import importlib
import sys

import pytest

import kgxp
from kgxp import MissingExtraError, Scenario, simulate
from kgxp._internal.progress import Tracker
from kgxp.waiting.simulation import Simulation
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def plain(example: Scenario) -> Simulation:
    return simulate(example, semesters=3)


def test_callback_sees_every_step_up_to_the_total(example: Scenario, plain: Simulation) -> None:
    calls: list[tuple[int, int, str]] = []
    run = simulate(example, semesters=3, progress=lambda *call: calls.append(call))
    total = 1 + 3  # the placement round, then one step per semester
    assert [(done, n) for done, n, _ in calls] == [(k, total) for k in range(1, total + 1)]
    assert [label for *_, label in calls] == [
        "placement round",
        *(str(s) for s in plain.semesters),
    ]
    assert run == plain  # progress only observes (I12)
    assert run.model_dump_json() == plain.model_dump_json()


def test_tqdm_bar_reaches_the_total(
    example: Scenario, plain: Simulation, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    run = simulate(example, semesters=3, progress=True)
    assert run == plain
    err = capsys.readouterr().err
    assert "simulate" in err
    assert "4/4" in err  # the closed bar shows every step done


def test_false_reports_nothing(example: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    simulate(example, semesters=1, progress=False)
    assert "simulate:" not in capsys.readouterr().err


def test_missing_tqdm_names_the_extra_before_any_work(
    monkeypatch: pytest.MonkeyPatch, example: Scenario
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the round must not start when the bar cannot be shown")

    # Patch the module the function reads ``run_round`` from (not a deprecated stand-in).
    monkeypatch.setattr(importlib.import_module("kgxp.waiting.simulation"), "run_round", never)
    with pytest.raises(MissingExtraError, match=r"kgxp\[notebook\]") as error:
        simulate(example, semesters=2, progress=True)
    assert error.value.extra == "notebook"
    assert error.value.module == "tqdm.auto"


@pytest.mark.parametrize("wrong", ["yes", 1.5, None])
def test_progress_must_be_a_flag_or_a_callable(wrong: object) -> None:
    with pytest.raises(TypeError, match="progress must be"):
        Tracker.start(wrong, 3, "demo")  # type: ignore[arg-type]


def test_tracker_counts_and_closes_twice() -> None:
    calls: list[tuple[int, int, str]] = []
    tracker = Tracker.start(lambda *call: calls.append(call), 2, "demo")
    tracker.advance("a")
    tracker.advance("b")
    tracker.close()
    tracker.close()
    assert calls == [(1, 2, "a"), (2, 2, "b")]
    assert tracker.done == tracker.total == 2
    silent = Tracker.start(False, 1, "demo")
    silent.advance("x")
    assert silent.done == 1
    with pytest.raises(ValueError, match="total"):
        Tracker.start(False, -1, "demo")


class _FakeBar:
    def __init__(self) -> None:
        self.closed = 0

    def set_postfix_str(self, label: str, refresh: bool = False) -> None:
        pass

    def update(self, steps: int) -> None:
        pass

    def close(self) -> None:
        self.closed += 1


def test_the_bar_is_closed_when_the_run_fails() -> None:
    bar = _FakeBar()

    def failing_run() -> None:
        with Tracker(2, None, bar) as tracker:
            tracker.advance("round")
            raise RuntimeError("a round failed")

    with pytest.raises(RuntimeError, match="a round failed"):
        failing_run()
    assert bar.closed == 1


def test_bad_vacancies_fail_before_the_round(example: Scenario) -> None:
    steps: list[str] = []
    with pytest.raises(ValueError, match="unknown posts: NOPE"):
        simulate(
            example,
            semesters=2,
            vacancies={"2026-autumn": {"NOPE": 1}},
            progress=lambda done, total, label: steps.append(label),
        )
    assert steps == []  # nothing ran


# --- lottery_odds: progress per batch of draws -----------------------------------------------


def _free_policy() -> kgxp.Policy:
    # No tie-breakers: the draw decides some teachers, so the odds are not all certain.
    return kgxp.Policy().evolve(tie_breakers=())


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_lottery_odds_reports_each_batch_of_draws(example: Scenario, executor: str) -> None:
    calls: list[tuple[int, int, str]] = []
    odds = kgxp.lottery_odds(
        example,
        _free_policy(),
        draws=10,
        chunks=4,
        executor=executor,
        progress=lambda *call: calls.append(call),
    )
    # Counted in draws (what a service's job tracker shows: "8 of 10"), a step per
    # batch, in the draws' order whichever batch finished first.
    assert calls == [
        (3, 10, "draws 1–3 of 10"),
        (6, 10, "draws 4–6 of 10"),
        (8, 10, "draws 7–8 of 10"),
        (10, 10, "draws 9–10 of 10"),
    ]
    quiet = kgxp.lottery_odds(example, _free_policy(), draws=10, chunks=4, executor=executor)
    assert odds.model_dump_json() == quiet.model_dump_json()  # progress only observes (I12)


def test_lottery_odds_bar_counts_draws(
    example: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    kgxp.lottery_odds(example, _free_policy(), draws=4, chunks=2, executor="serial", progress=True)
    err = capsys.readouterr().err
    assert "lottery odds" in err
    assert "4/4" in err and "draw" in err


def test_lottery_odds_checks_progress_before_any_draw(
    monkeypatch: pytest.MonkeyPatch, example: Scenario
) -> None:
    with pytest.raises(TypeError, match="progress must be"):
        kgxp.lottery_odds(example, draws=2, executor="serial", progress="yes")  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no draw may start when the bar cannot be shown")

    monkeypatch.setattr(importlib.import_module("kgxp.lottery.odds"), "Replay", never)
    with pytest.raises(MissingExtraError, match=r"kgxp\[notebook\]"):
        kgxp.lottery_odds(example, draws=2, executor="serial", progress=True)
