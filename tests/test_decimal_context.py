"""No result of kgxp depends on the caller's ``decimal`` context.

A notebook may set ``decimal.getcontext().prec = 3`` for its own tables; scores (R15),
seat splits (R5), pay shares (R8, §5), CVs (§6) and every figure published from them
must come out as in the default context, or a teacher's pay or post would depend on
what the analyst typed earlier. Each public entry point that computes is run on the
example county in the default context and again in low-precision contexts (traps
as set by default: an inexact quantize raises), and the outputs compared.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import localcontext
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp import Policy, Scenario

PRECISIONS = (1, 3, 6)


def _round(scenario: Scenario) -> str:
    return kgxp.run_round(scenario).to_json()


def _simulation(scenario: Scenario) -> Any:
    run = kgxp.simulate(scenario, semesters=4, seed=1)
    return run, kgxp.verify_simulation(scenario, run)


def _payroll(scenario: Scenario) -> Any:
    result = kgxp.run_round(scenario)
    register = kgxp.register_from_round(scenario, result)
    return kgxp.payroll(register, scenario, result.policy), kgxp.summarize(scenario)


def _lottery(scenario: Scenario) -> Any:
    return kgxp.lottery_odds(scenario, Policy(), draws=4, seed=7)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _views(scenario: Scenario) -> Any:
    result = kgxp.run_round(scenario)
    other = kgxp.run_round(scenario, policy=kgxp.preset("wuhan_like"))
    comparison = kgxp.compare(result, other, scenarios=(scenario, scenario))
    return (
        kgxp.round_metrics(scenario, result),
        kgxp.render_report(scenario, result, format="markdown"),
        kgxp.render_report(scenario, result, format="html", locale="en"),
        comparison,
        kgxp.render_comparison(comparison),
        kgxp.publication_lists(scenario, result),
        kgxp.outcome_rows(scenario, result),
    )


def _published(scenario: Scenario, folder: Path) -> dict[str, bytes]:
    result = kgxp.run_round(scenario)
    kgxp.write_results(scenario, result, folder, formats=("csv", "json", "html", "xlsx"))
    return _files(folder)


CASES: dict[str, Callable[[Scenario], Any]] = {
    "run_round": _round,
    "simulate and verify_simulation": _simulation,
    "ledger": _payroll,
    "lottery_odds": _lottery,
    "views": _views,
}


@pytest.fixture(scope="module")
def county(example_path: Path) -> Scenario:
    return kgxp.load_scenario(example_path)


@pytest.mark.parametrize("name", list(CASES))
def test_results_do_not_depend_on_the_callers_decimal_context(county: Scenario, name: str) -> None:
    compute = CASES[name]
    expected = compute(county.model_copy())
    for precision in PRECISIONS:
        # A fresh copy each time: a scenario remembers what it computed (its ranking).
        with localcontext(prec=precision):
            got = compute(county.model_copy())
        # By repr too: Decimal equality is numeric (80.5 == 80.50), the published text not.
        assert got == expected, precision
        assert repr(got) == repr(expected), precision


def test_published_files_do_not_depend_on_the_callers_decimal_context(
    county: Scenario, tmp_path: Path
) -> None:
    expected = _published(county.model_copy(), tmp_path / "default")
    for precision in PRECISIONS:
        with localcontext(prec=precision):
            got = _published(county.model_copy(), tmp_path / f"prec{precision}")
        assert got == expected, precision


def test_tasks_on_other_threads_compute_in_kgxp_context(
    county: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new thread's context is a copy of decimal.DefaultContext, which a program may
    # change: a what-if sweep on a thread pool must give the serial results.
    import decimal
    from concurrent.futures import ThreadPoolExecutor

    variants = {"default": Policy(), "wuhan": kgxp.preset("wuhan_like")}
    expected = kgxp.run_rounds(county.model_copy(), variants, executor="serial")
    odds = kgxp.lottery_odds(county.model_copy(), draws=4, seed=7, executor="serial")
    monkeypatch.setattr(decimal.DefaultContext, "prec", 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = kgxp.run_rounds(county.model_copy(), variants, executor=pool)
        assert kgxp.lottery_odds(county.model_copy(), draws=4, seed=7, executor=pool) == odds
    assert {k: r.to_json() for k, r in got.items()} == {k: r.to_json() for k, r in expected.items()}


def _precision() -> int:
    import decimal

    return decimal.getcontext().prec


def test_every_task_runs_in_kgxp_context(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the executors promise every task (sweeps, lottery batches), checked directly.
    import decimal
    from concurrent.futures import ThreadPoolExecutor

    from kgxp._internal.executors import run_tasks

    monkeypatch.setattr(decimal.DefaultContext, "prec", 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert run_tasks(_precision, [(), (), ()], pool) == [28, 28, 28]


def test_a_ledger_line_and_a_total_do_not_depend_on_the_callers_decimal_context(
    county: Scenario,
) -> None:
    # R8/§5: a line is checked as base × share rounded to the fen, and a total sums
    # lines, whoever does it (a notebook building or reading lines at prec=3 too).
    from kgxp.waiting.ledger import total

    result = kgxp.run_round(county)
    lines = kgxp.payroll(kgxp.register_from_round(county, result), county, result.policy)
    shared = [line for line in lines if 0 < line.share < 1]
    assert shared
    expected = total(lines)
    for precision in PRECISIONS:
        with localcontext(prec=precision):
            again = [kgxp.LedgerLine.model_validate(line.model_dump()) for line in shared]
            assert again == shared, precision
            assert total(lines) == expected, precision
