"""How the balanced and targeted mechanisms use whole runs of the round plan (R12, R16, R17).

Both mechanisms optimise inside each competitive round (:mod:`kgxp.round.balance`,
:mod:`kgxp.round.mechanisms`), but what the county counts is the placement after
every round, and rounds feed each other: a different in-school winner changes who
enters the cross-school round, and adjustment (R6) follows. So each mechanism runs
the plan more than once and keeps the run the county prefers; every run is
deterministic, so the choice is too (I12). The engine hands in ``run_plan``, which
runs the whole plan with per-target goals for the target round and per-round-kind
mechanism overrides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Protocol, TypeVar

import attrs

from kgxp._internal.log import get_logger
from kgxp.model.policy import Mechanism, RoundKind
from kgxp.model.result import PolicyException
from kgxp.round.balance import CV_GOAL_UNITS, BalanceTables
from kgxp.round.competition import CvOutcome, TargetOutcome

__all__ = ["PlanRun", "RunPlan", "run_balanced", "run_targeted"]

log = get_logger(__name__)

# Runs spent lowering an over-met target's round goal (see run_targeted).
_DESCENT_STEPS = 2
# Runs spent tightening a CV target that adjustment pushed back above its limit.
_CV_STEPS = 2

_OPTIMAL = dict.fromkeys(RoundKind, Mechanism.OPTIMAL)
# Balance only where teachers move between schools: the in-school round picks the
# optimal winners, so the cross-school round sees the optimal plan's candidates.
_BALANCED_ACROSS = {RoundKind.IN_SCHOOL: Mechanism.OPTIMAL}


class PlanRun(Protocol):
    """What a finished run of the plan tells these strategies."""

    balance: BalanceTables | None
    target_round: str | None
    target_outcomes: tuple[TargetOutcome, ...]
    cv_outcomes: tuple[CvOutcome, ...]
    exceptions: tuple[PolicyException, ...]
    infeasible: Mapping[str, int]
    cv_infeasible: Mapping[str, CvOutcome]

    done: int

    def counted(self, target: str) -> int: ...

    def placed_in(self, round_name: str) -> Mapping[str, str]: ...

    def cv_met(self, target: str) -> bool: ...

    def cv_squared(self, target: str) -> Fraction | None: ...

    def county_goals(self) -> tuple[int, ...]: ...


Run = TypeVar("Run", bound=PlanRun)


class RunPlan(Protocol[Run]):
    """Runs the whole plan: ``goals`` per enforced target, ``mechanisms`` per round kind."""

    def __call__(
        self,
        goals: Mapping[str, int] | None = None,
        mechanisms: Mapping[RoundKind, Mechanism] | None = None,
        start: Run | None = None,
        head_only: bool = False,
        warm: Mapping[str, str] | None = None,
    ) -> Run: ...


def _dominates(mine: Sequence[int], theirs: Sequence[int]) -> bool:
    return all(a >= b for a, b in zip(mine, theirs, strict=True))


def run_balanced(run_plan: RunPlan[Run], head: Run | None = None) -> Run:
    """The balanced mechanism: never worse than the optimal one on the whole county.

    In each competitive round the balanced solution is as large as the optimal one
    and at least as good on every goal (``max_weakly_stable`` with goals). Across
    rounds that need not add up: a different winner changes who enters the next
    round, and adjustment follows. So the in-school round is run once, optimally
    (``head``), and the rest of the plan twice from it — balanced and optimal; the
    balanced run is kept if it places as many teachers as the optimal one and is at
    least as good on every goal county-wide (``county_goals``), otherwise the optimal
    placement, weakly stable in every round too, is the result (its rounds' solver
    statistics say ``optimal``). Sharing the in-school round keeps the cost under two
    optimal runs; balancing inside the in-school round as well was tried and lost
    placements county-wide on generated counties more often than it gained.
    """
    if head is None:
        head = run_plan(mechanisms=_OPTIMAL, head_only=True)
    optimal = run_plan(mechanisms=_OPTIMAL, start=head)
    balanced = run_plan(mechanisms=_BALANCED_ACROSS, start=head)
    floor = optimal.county_goals()
    if _dominates(balanced.county_goals(), floor):
        return balanced
    log.info("round.balanced_fallback", optimal=list(floor))
    return optimal


def run_targeted(run_plan: RunPlan[Run]) -> Run:
    """The targeted mechanism: the plan run until the price of the targets is as low as found.

    Targets are enforced in the first cross-school round, as a count to reach by its
    end; adjustment comes after and can only add, but the round cannot see ahead to
    it. Every run shares the optimal in-school round. So: (1) the balanced placement (:func:`run_balanced`); a target it meets
    costs nothing. (2) The others enforced at their required count; one the round
    cannot reach is enforced at the most the round can reach, in case adjustment
    adds the rest. (3) A target still not met is infeasible: it is dropped (no price
    for a target not met) and reported with the best count reached. (4) A target met
    with room to spare has its round goal lowered by the surplus, kept while every
    target is still met and the envy pairs do not grow.

    A CV target (§6) the balanced placement misses is enforced at its threshold
    (its round goal: the limit in thousandths, rounded down); the round drops one it
    cannot meet. Adjustment may move a CV either way, so a CV target met in the
    round and missed at the end has its round limit lowered by the overshoot and
    the plan is run again (at most ``_CV_STEPS`` times); one still missed is
    dropped (no price for a target not met) and reported with what the round found.
    """
    head = run_plan(mechanisms=_OPTIMAL, head_only=True)
    free = run_balanced(run_plan, head)
    tables = free.balance
    if tables is None or free.target_round is None:
        return free
    specs = {t.name: t for t in tables.targets}
    goals = {n: t.required for n, t in specs.items() if free.counted(n) < t.required}
    cv_goals = {c.name: c.goal_units for c in tables.cv_targets if not free.cv_met(c.name)}
    if not goals and not cv_goals:
        return free

    target_round = free.target_round
    last: list[Run] = []

    def run(goals: Mapping[str, int]) -> Run:
        # Each run's search starts from the previous run's round placement when it
        # is a solution of the new model (a lowered goal, a target dropped): the
        # fewest envy pairs are the same, found sooner; see fewest_envy's warm.
        warm = last[-1].placed_in(target_round) if last else None
        ran = run_plan({**goals, **cv_goals}, _BALANCED_ACROSS, start=head, warm=warm)
        last[:] = [ran]
        return ran

    state = run(goals)
    reach = {o.spec.name: o.already + o.best_possible for o in state.target_outcomes}
    short = {n: reach[n] for n in goals if n in reach and reach[n] < goals[n]}
    if short:
        goals.update(short)
        state = run(goals)
    infeasible = {n: state.counted(n) for n in goals if state.counted(n) < specs[n].required}
    if infeasible:
        goals = {n: g for n, g in goals.items() if n not in infeasible}
        state = run(goals)
    cv_infeasible: dict[str, CvOutcome] = {}
    tightened = 0
    held_in_round: set[str] = set()  # met by the round at some limit, undone by adjustment
    # Ends: each pass tightens (at most _CV_STEPS passes) or drops at least one target.
    while missed := [n for n in cv_goals if not state.cv_met(n)]:
        found = {o.spec.name: o for o in state.cv_outcomes}
        held_in_round.update(n for n, o in found.items() if o.feasible)
        tighten = tightened < _CV_STEPS
        rerun = False
        for name in missed:
            outcome = found.get(name)
            final = state.cv_squared(name)
            if not tighten or outcome is None or not outcome.feasible or final is None:
                # Out of reach, or still missed: it costs nothing, and is reported.
                if outcome is not None:
                    rerun = rerun or outcome.feasible
                    # Reported as the round meeting it if any run's round did.
                    cv_infeasible[name] = attrs.evolve(outcome, feasible=name in held_in_round)
                del cv_goals[name]
            else:  # met in the round, undone by adjustment: tighten by the overshoot
                overshoot = math.sqrt(final) - cv_goals[name] / CV_GOAL_UNITS
                cv_goals[name] -= max(math.ceil(overshoot * CV_GOAL_UNITS), 1)
                rerun = True
        tightened += tighten
        if not rerun:  # only targets the round never held were dropped: nothing changes
            break
        state = run(goals)
    for _ in range(_DESCENT_STEPS if goals else 0):
        surplus = {n: state.counted(n) - specs[n].required for n in goals}
        if not any(v > 0 for v in surplus.values()):
            break
        lower = {n: g - max(surplus[n], 0) for n, g in goals.items()}
        attempt = run(lower)
        if (
            len(attempt.exceptions) > len(state.exceptions)
            or any(attempt.counted(n) < t.required for n, t in specs.items() if n not in infeasible)
            or not all(attempt.cv_met(n) for n in cv_goals)
        ):
            break
        goals, state = lower, attempt
    state.infeasible = infeasible
    state.cv_infeasible = cv_infeasible
    return state
