"""run_rounds: several what-ifs of one county, the same seed, progress per round."""

from __future__ import annotations

import pytest

from kgxp import Policy, parse_scenario, run_round, run_rounds
from tests.factories import scenario_data


def test_each_variant_is_the_round_it_names() -> None:
    scenario = parse_scenario(scenario_data())
    wider = Policy().evolve(in_school_share="0.5")
    more_seats = scenario.with_post("A-CHN", seats=3)
    seen: list[tuple[int, int, str]] = []
    results = run_rounds(
        scenario,
        {"base": Policy(), "wider": wider, "seats": more_seats, "both": (more_seats, wider)},
        seed=11,
        progress=lambda done, total, label: seen.append((done, total, label)),
    )
    assert list(results) == ["base", "wider", "seats", "both"]
    assert results["base"] == run_round(scenario, seed=11)
    assert results["wider"] == run_round(scenario, policy=wider, seed=11)
    assert results["seats"] == run_round(more_seats, seed=11)
    assert results["both"] == run_round(more_seats, policy=wider, seed=11)
    assert seen == [(1, 4, "base"), (2, 4, "wider"), (3, 4, "seats"), (4, 4, "both")]


def test_default_seed_is_the_base_policys() -> None:
    scenario = parse_scenario(scenario_data())
    base = Policy().evolve(lottery_seed=5)
    results = run_rounds(scenario, {"x": scenario}, policy=base)
    assert results["x"].seed == 5


def test_bad_variants_fail_before_any_round() -> None:
    scenario = parse_scenario(scenario_data())
    calls: list[str] = []
    with pytest.raises(TypeError, match="variant 'oops' must be a Policy"):
        run_rounds(
            scenario,
            {"ok": Policy(), "oops": "0.85"},  # type: ignore[dict-item]
            progress=lambda done, total, label: calls.append(label),
        )
    assert calls == []
    with pytest.raises(ValueError, match="at least one variant"):
        run_rounds(scenario, {})


def test_every_executor_gives_the_same_bytes() -> None:
    from concurrent.futures import ThreadPoolExecutor

    scenario = parse_scenario(scenario_data())
    variants = {
        "baseline": Policy(),
        "by score": Policy().evolve(tie_breakers=()),
        "seed 3 scenario": scenario,
    }
    serial = run_rounds(scenario, variants, executor="serial")
    processes = run_rounds(scenario, variants)  # the default: local processes
    with ThreadPoolExecutor(2) as pool:
        threads = run_rounds(scenario, variants, executor=pool)
    for name in variants:
        assert processes[name].to_json() == serial[name].to_json()
        assert threads[name].to_json() == serial[name].to_json()
    assert list(processes) == list(variants)


def test_an_invalid_variant_fails_here_with_kgxps_error_before_any_round() -> None:
    from kgxp import Scenario, ScenarioError, Staffing

    scenario = parse_scenario(scenario_data())
    # Built without validation (as model_construct allows): R1 broken, caught by check().
    fields = {name: getattr(scenario, name) for name in Scenario.model_fields}
    staffing = Staffing(total_posts=1, posts_by_level={"standard": 1})
    broken = Scenario.model_construct(**{**fields, "staffing": staffing})
    calls: list[str] = []
    with pytest.raises(ScenarioError, match="above the staffing total"):
        run_rounds(
            scenario,
            {"ok": Policy(), "broken": broken},
            progress=lambda done, total, label: calls.append(label),
        )
    assert calls == []
    with pytest.raises(TypeError, match="executor must be"):
        run_rounds(scenario, {"ok": Policy()}, executor="threads")  # type: ignore[arg-type]
