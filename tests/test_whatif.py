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
