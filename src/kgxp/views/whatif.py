"""Several what-if rounds of one county at once, with the same lottery seed.

An analyst compares a baseline with a handful of variants — a larger
cross-school share (R5), another protected category (R4), a school with more
seats. :func:`run_rounds` runs them all, reports progress per round, and
returns the results by name, ready for :func:`kgxp.compare`. Every round uses
the same seed, so what differs between two results comes from the change, not
from a different draw of the lottery (抽签, I12).

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> results = run_rounds(scenario, {
...     "baseline": kgxp.Policy(),
...     "cross-school 15%": kgxp.Policy().evolve(in_school_share="0.85"),
... })
>>> [name for name in results]
['baseline', 'cross-school 15%']
>>> results["cross-school 15%"].counts()["cross_school"] > results["baseline"].counts()["cross_school"]
True

A grid of policies — every combination of a few parameters' values — is
:func:`policy_grid`, named variants for :func:`run_rounds`:

>>> grid = policy_grid({"in_school_share": ["0.85", "0.9"], "tie_breakers": [(), ("performance",)]})
>>> list(grid)[:2]
['in_school_share=0.85, tie_breakers=[]', 'in_school_share=0.85, tie_breakers=["performance"]']
>>> len(run_rounds(scenario, grid, executor="serial"))
4
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.executors import Executor, run_tasks
from kgxp._internal.progress import Progress, Tracker
from kgxp.exceptions import PolicyError, Problem
from kgxp.model.arguments import (
    mapping_argument,
    policy_argument,
    scenario_argument,
    seed_argument,
    whole_argument,
)
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.validation import check
from kgxp.round.engine import run_round

__all__ = ["GRID_LIMIT", "Variant", "policy_grid", "run_rounds"]

Variant = Policy | Scenario | tuple[Scenario, Policy]
"""A what-if: a policy (on the base scenario), a scenario (under the base policy), or both."""

GRID_LIMIT = 10_000
"""The most policies :func:`policy_grid` makes unless told otherwise: each is a whole round."""


@in_kgxp_decimal_context
def run_rounds(
    scenario: Scenario,
    variants: Mapping[str, Variant],
    *,
    policy: Policy | None = None,
    seed: int | None = None,
    progress: Progress = False,
    executor: Executor = None,
) -> dict[str, RoundResult]:
    """Run each variant's round, in the mapping's order; results keyed by the same names.

    ``policy`` is the base policy (default: :class:`~kgxp.Policy`'s defaults) for
    variants that give only a scenario; ``seed`` defaults to the base policy's
    lottery seed and is used by every round. ``progress`` reports one step per
    round (:mod:`kgxp._internal.progress`). Variants are checked before any round runs.

    ``executor`` runs the rounds (:mod:`kgxp._internal.executors`): ``None`` local
    processes, ``"serial"`` this process, a ``concurrent.futures.Executor`` or a Dask
    ``distributed.Client``; the results are the same on each, byte for byte.
    """
    scenario = scenario_argument(scenario)
    base = policy_argument(policy)
    chosen = base.lottery_seed if seed is None else seed_argument(seed)
    plan: list[tuple[str, Scenario, Policy]] = []
    mapping_argument(variants, "variants")  # a list of variants has no names: TypeError
    for name, variant in variants.items():
        if isinstance(variant, Policy):
            plan.append((name, scenario, variant))
        elif isinstance(variant, Scenario):
            plan.append((name, variant, base))
        elif (
            isinstance(variant, tuple)
            and len(variant) == 2
            and isinstance(variant[0], Scenario)
            and isinstance(variant[1], Policy)
        ):
            plan.append((name, variant[0], variant[1]))
        else:
            raise TypeError(
                f"variant {name!r} must be a Policy, a Scenario or a (Scenario, Policy) pair, "
                f"got {type(variant).__name__}"
            )
    if not plan:
        raise ValueError("run_rounds needs at least one variant")
    # Every scenario is validated here, so a bad one raises kgxp's own error in this
    # process before any round is sent anywhere (nothing half-run).
    for _, variant_scenario, _ in plan:
        check(variant_scenario)
    # The distinct scenarios are sent once, not with every round: a grid of policies on
    # one county sent the whole county with each of them.
    distinct = {id(variant_scenario): variant_scenario for _, variant_scenario, _ in plan}
    place = {identity: k for k, identity in enumerate(distinct)}  # -> its place in shared
    with Tracker.start(progress, len(plan), "what-if rounds") as tracker:
        done = run_tasks(
            _one_round,
            [
                (place[id(variant_scenario)], variant_policy, chosen)
                for _, variant_scenario, variant_policy in plan
            ],
            executor,
            shared=tuple(distinct.values()),
            done=lambda k: tracker.advance(plan[k][0]),
            task_name=lambda k: f"what-if round {plan[k][0]!r}",
        )
    return {name: result for (name, _, _), result in zip(plan, done, strict=True)}


def _one_round(
    scenarios: tuple[Scenario, ...], which: int, policy: Policy, seed: int
) -> RoundResult:
    """One variant's round (a module-level function: a worker process can run it)."""
    return run_round(scenarios[which], policy=policy, seed=seed)


def policy_grid(
    axes: Mapping[str, Iterable[Any]],
    *,
    base: Policy | None = None,
    limit: int = GRID_LIMIT,
) -> dict[str, Policy]:
    """Every combination of ``axes``' values (policy parameter -> values) as named policies.

    The variants :func:`run_rounds` takes: each is ``base`` (default: the default
    policy) with one value of every axis, named ``"parameter=value, …"`` in the axes'
    order, values as in the policy's JSON; the first axis varies slowest, each axis in
    the order of its values. So a grid of what-if rounds is
    ``run_rounds(scenario, policy_grid(axes), executor=...)`` — on local processes or a
    cluster (docs/sweeps.md).

    Everything is checked before any policy is returned, nothing is half-made:
    an unknown parameter, a value the policy refuses (each located at its axis and
    place in it) or a combination it refuses (named by the variant) raise one
    :class:`~kgxp.exceptions.PolicyError` listing them all. An axis that is not a
    list of values (a string, a mapping) is a ``TypeError``; an empty axis, two values
    of an axis that make the same policy, or more than ``limit`` combinations is a
    ``ValueError``.

    >>> grid = policy_grid({"mechanism": ["deferred_acceptance", "optimal"]})
    >>> {name: policy.mechanism.value for name, policy in grid.items()}
    {'mechanism=deferred_acceptance': 'deferred_acceptance', 'mechanism=optimal': 'optimal'}
    """
    mapping_argument(axes, "axes")
    chosen = policy_argument(base, "base")
    most = whole_argument(limit, "limit")
    if not axes:
        raise ValueError("policy_grid needs at least one parameter to vary")
    fields = type(chosen).model_fields
    unknown = sorted(str(name) for name in axes if name not in fields)
    if unknown:
        raise PolicyError(
            (
                Problem("policy_grid", name, "unknown policy parameter", code="unknown_parameter")
                for name in unknown
            ),
            summary="invalid policy grid",
        )
    values = {name: _axis_values(name, axis) for name, axis in axes.items()}
    size = math.prod(map(len, values.values()))
    if size > most:
        raise ValueError(
            f"the grid has {size:,} combinations, more than limit={most:,}: each is a whole "
            "round; vary fewer parameters or values, or raise limit"
        )
    problems: dict[Problem, tuple[int, ...]] = {}  # each once, with its place in the grid
    made: dict[Policy, str] = {}
    grid: dict[str, Policy] = {}
    parameters = tuple(values)
    for combination in itertools.product(*(range(len(axis)) for axis in values.values())):
        changes = {p: values[p][k] for p, k in zip(parameters, combination, strict=True)}
        try:
            policy = chosen.evolve(**changes)
        except PolicyError as error:
            # A problem of one parameter is placed at its value ("in_school_share[2]"), said
            # once however many combinations hold it; one of the whole policy (values
            # refused together) at the variant.
            places = dict(zip(parameters, combination, strict=True))
            for problem in error.problems:
                placed = _placed(problem, places, changes)
                parameter = problem.field.partition(".")[0]
                problems.setdefault(
                    placed,
                    (0, parameters.index(parameter), places[parameter])
                    if parameter in places
                    else (1, len(problems)),
                )
            continue
        name = ", ".join(f"{p}={_written(policy, p)}" for p in parameters)
        if policy in made:  # "0.9" and "0.90", say: one policy under two names
            raise ValueError(
                f"the grid makes one policy twice: {made[policy]!r} and {name!r} (two values "
                "of an axis are the same after validation)"
            )
        made[policy] = name
        grid[name] = policy
    if problems:  # by axis and place, then the variants refused, in grid order
        raise PolicyError(sorted(problems, key=problems.__getitem__), summary="invalid policy grid")
    return grid


def _axis_values(name: str, axis: object) -> list[Any]:
    """An axis's values as a list; a string or a mapping would be read letter by letter or
    key by key, a silent misread, so they are refused."""
    if isinstance(axis, str | bytes | Mapping) or not isinstance(axis, Iterable):
        raise TypeError(
            f"axis {name!r} must be a list of values, got {type(axis).__name__}"
            + (f" (write [{axis!r}] for a single value)" if isinstance(axis, str) else "")
        )
    values = list(axis)
    if not values:
        raise ValueError(f"axis {name!r} has no values")
    return values


def _written(policy: Policy, name: str) -> str:
    """How a parameter's value reads in a variant's name: its JSON, a string bare."""
    return _raw_word(policy.model_dump(mode="json", include={name})[name])


def _placed(problem: Problem, places: Mapping[str, int], changes: Mapping[str, Any]) -> Problem:
    """``problem`` of one combination's policy, placed in the grid (see policy_grid)."""
    parameter = problem.field.partition(".")[0]
    if parameter in places:
        field = f"{parameter}[{places[parameter]}]{problem.field[len(parameter) :]}"
        return Problem("policy_grid", field, problem.message, rule=problem.rule, code=problem.code)
    variant = ", ".join(f"{p}={_raw_word(value)}" for p, value in changes.items())
    return Problem(
        "policy_grid",
        problem.field,
        problem.message,
        record_id=variant,
        rule=problem.rule,
        code=problem.code,
    )


def _raw_word(value: object) -> str:
    """A value in a variant's name: a string bare, anything else as compact JSON (a value
    as given, for a variant refused, may hold what JSON has no form for: as text)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
