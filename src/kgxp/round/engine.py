"""``run_round``: one whole 县管校聘 competition, stage by stage (R1–R13).

1. prepare — R3 home schools, R2 reserved seats, R4 protected pre-placement, R5 split
2. the round plan (``Policy.rounds``), in order:
   - in-school round: each school's own teachers for its in-school seats (R5)
   - cross-school round(s): those still unplaced (and volunteers, if allowed) for
     other schools' cross-school seats — plus in-school seats left empty, if the
     round says so — inside the round's scope unit (R5, R11, R13)
   - adjustment: willing teachers to the remaining vacancies (R6)
3. waiting — everyone else, each with a school for 跟岗学习/顶岗实践 (R7)

Every stage is a pure function of immutable data; the result is sorted by id and
holds no wall-clock data, so the same scenario, policy and seed give
byte-identical JSON whatever the order of the input records (I12).

The plan's steps live in :mod:`kgxp.round.plan_state` (:class:`PlanState`), the
result's assembly — outcomes, the seat table, target reports — in
:mod:`kgxp.round.result_assembly`; this module runs them in order.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.log import get_logger
from kgxp.model.arguments import policy_argument, scenario_argument, seed_argument
from kgxp.model.policy import Mechanism, Policy, RoundKind
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario
from kgxp.model.validation import check
from kgxp.round.objectives import run_balanced, run_targeted
from kgxp.round.plan_state import PlanState
from kgxp.round.prepare import prepare
from kgxp.round.ranking import scenario_ranking
from kgxp.round.result_assembly import _rank as _rank
from kgxp.round.result_assembly import assemble_result

__all__ = ["run_round"]

log = get_logger(__name__)

# The plan's state and the result's assembly live in kgxp.round.plan_state and
# kgxp.round.result_assembly; the old private names stay importable from here.
_RoundState = PlanState


@in_kgxp_decimal_context
def run_round(
    scenario: Scenario, *, policy: Policy | None = None, seed: int | None = None
) -> RoundResult:
    """Run one placement round of ``scenario`` under ``policy`` (default: ``Policy()``).

    ``seed`` is the lottery seed (default: ``policy.lottery_seed``), a whole number
    ≥ 0. The arguments are checked first (``TypeError`` or ``ValueError`` naming the
    one that is wrong: :mod:`kgxp.model.arguments`), then the scenario
    (:class:`~kgxp.exceptions.ScenarioError` lists every problem; nothing is run on
    an invalid scenario).

    >>> import kgxp
    >>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
    >>> sum(result.counts().values()) == 2431
    True
    """
    scenario = scenario_argument(scenario)
    policy = policy_argument(policy)
    seed = policy.lottery_seed if seed is None else seed_argument(seed)
    with (
        collector_paused()
    ):  # see kgxp._internal.gc_pause: a quarter to a third of the time otherwise
        return _run(scenario, policy, seed)


def _run(scenario: Scenario, policy: Policy, seed: int) -> RoundResult:
    started = time.perf_counter()
    check(scenario)
    ranking = scenario_ranking(scenario, policy, seed)
    prepared = prepare(scenario, policy, ranking)
    log.info(
        "round.prepared",
        teachers=len(scenario.teachers),
        protected=len(prepared.protected),
        conflicts=len(prepared.conflicts),
        seconds=round(time.perf_counter() - started, 4),
    )

    def run_plan(
        goals: Mapping[str, int] | None = None,
        mechanisms: Mapping[RoundKind, Mechanism] | None = None,
        start: PlanState | None = None,
        head_only: bool = False,
        warm: Mapping[str, str] | None = None,
    ) -> PlanState:
        """The plan, or its leading in-school round (``head_only``), from ``start`` if given."""
        if start is None:
            state = PlanState(scenario, policy, prepared, ranking, goals, mechanisms)
            state.warm = warm
        else:
            state = start.fork(goals, mechanisms, warm)
        for spec in policy.rounds[state.done :]:
            if head_only and spec.kind is not RoundKind.IN_SCHOOL:
                break
            state.run(spec)
        return state

    if policy.mechanism is Mechanism.TARGETED:
        state = run_targeted(run_plan)
    elif policy.mechanism is Mechanism.BALANCED:
        state = run_balanced(run_plan)
    else:
        state = run_plan()
    result = assemble_result(state, seed)
    log.info(
        "round.finished",
        **result.counts(),
        seconds=round(time.perf_counter() - started, 4),
    )
    return result
