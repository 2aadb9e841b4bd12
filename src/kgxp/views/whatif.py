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
"""

from __future__ import annotations

from collections.abc import Mapping

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.executors import Executor, run_tasks
from kgxp._internal.progress import Progress, Tracker
from kgxp.model.arguments import (
    mapping_argument,
    policy_argument,
    scenario_argument,
    seed_argument,
)
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.validation import check
from kgxp.round.engine import run_round

__all__ = ["Variant", "run_rounds"]

Variant = Policy | Scenario | tuple[Scenario, Policy]
"""A what-if: a policy (on the base scenario), a scenario (under the base policy), or both."""


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
    with Tracker.start(progress, len(plan), "what-if rounds") as tracker:
        done = run_tasks(
            _one_round,
            [
                (variant_scenario, variant_policy, chosen)
                for _, variant_scenario, variant_policy in plan
            ],
            executor,
            done=lambda k: tracker.advance(plan[k][0]),
            task_name=lambda k: f"what-if round {plan[k][0]!r}",
        )
    return {name: result for (name, _, _), result in zip(plan, done, strict=True)}


def _one_round(scenario: Scenario, policy: Policy, seed: int) -> RoundResult:
    """One variant's round (a module-level function: a worker process can run it)."""
    return run_round(scenario, policy=policy, seed=seed)
