"""Distributional targets at a stated price: the fewest justified-envy pairs (CP-SAT).

A county may declare minimums that merit and preferences alone do not reach
(R16: urban teachers moved to rural schools; R17: rural 体音美 seats filled).
Stability is then relaxed exactly as far as the targets require: the model
keeps the weak-stability constraint of every application (see
:mod:`.optimal`) but lets a literal ``envy[c, k]`` satisfy it, and minimises
how many such literals are true. Each true one is a *justified-envy pair*
(candidate ``c`` applied for post ``p`` above what they got, and ``p`` keeps a
seat free or holds someone of a strictly worse class): the price of the
policy, which the caller publishes as a policy-justified exception.

Objective, lexicographically (:mod:`.lexicographic`): fewest envy pairs, then
most candidates placed, then the secondary goals in order, then the smallest
rank sum. Targets are hard constraints. Before the main model, each target is
checked in order with stability ignored altogether (a matching of the
applications within capacities, holding the targets already kept): if even
that cannot reach its minimum, the target is *infeasible* in this market, it
is dropped, and the best value reachable is reported, so the caller can say
how close the county can get rather than raise.

CV targets (:mod:`.cv_target`: an indicator's inter-school CV at most a
limit, domain §6) are hard constraints too, checked after the count targets
in the same way; one out of reach is dropped and the lowest CV reachable is
searched by bisection (:class:`CvCheck`).

Determinism: a fixed seed, one worker by default, deterministic time limits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from fractions import Fraction

import attrs
from ortools.sat.python import cp_model

from kgxp.round.mechanisms.cv_target import (
    CvTarget,
    add_cv_constraint,
    cv_squared,
    indicator_counts,
)
from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.round.mechanisms.lexicographic import WIDE_LIMIT, Goal, solve_lexicographic
from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching
from kgxp.round.mechanisms.optimal import ApplicationWeights, goal_value, max_weakly_stable
from kgxp.round.mechanisms.stability import BlockingPair, blocking_pairs, check_matching

__all__ = ["CvCheck", "CvTarget", "Target", "TargetCheck", "TargetedResult", "fewest_envy"]

# Share of the budget the feasibility checks may use, all targets together.
_FEASIBILITY_SHARE = 0.2

CV_STEP = Fraction(1, 1000)
"""Resolution of the search for the lowest CV a matching reaches (see ``CvCheck``)."""
# Bisection steps per CV target out of reach: 2**-12 of the range is below CV_STEP.
_CV_SEARCH_STEPS = 12


@attrs.frozen
class Target:
    """A minimum on ``sum(weights[c][k])`` over the applications the matching uses."""

    name: str
    weights: ApplicationWeights
    minimum: int


@attrs.frozen
class TargetCheck:
    """One target in one market: required, reached, and the best reachable at all.

    ``feasible`` is ``False`` when no matching within capacities (stable or not,
    holding the targets listed before it) reaches ``minimum``; ``best_possible`` is
    then the most it can reach, and the target was left out of the model.
    ``proven`` is ``False`` when the feasibility check ran out of time without
    deciding; the target is then treated as infeasible (kgxp does not pay a
    price for a target it cannot show it meets).
    """

    name: str
    minimum: int
    reached: int
    best_possible: int
    feasible: bool
    proven: bool = True


@attrs.frozen
class CvCheck:
    """One CV target in one market: the CV reached, and the lowest found if it is out of reach.

    CVs are exact squares (``cv_squared``; ``None``: undefined). ``feasible`` is
    ``False`` when no matching within capacities (stable or not, holding the
    count targets and the CV targets listed before it) was found to meet
    ``limit``; ``best_possible`` is then the lowest CV² a matching was found to
    reach, and ``proven`` says whether the search showed that nothing lower by
    more than :data:`CV_STEP` is reachable and that ``limit`` is out of reach.
    """

    name: str
    limit: Fraction
    reached: Fraction | None
    best_possible: Fraction | None
    feasible: bool
    proven: bool = True


@attrs.frozen
class TargetedResult:
    """The matching, its justified-envy pairs (weak: strictly better class) and targets."""

    matching: Matching
    envy: tuple[BlockingPair, ...]
    targets: tuple[TargetCheck, ...]
    status: str  # "optimal", "feasible" (time ran out) or "fallback" (no solution: hint)
    deterministic_time: float
    wall_time: float
    cv: tuple[CvCheck, ...] = ()


def fewest_envy(
    market: Market,
    targets: Sequence[Target],
    *,
    goals: Sequence[ApplicationWeights] = (),
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    cv_targets: Sequence[CvTarget] = (),
    warm: Matching | None = None,
) -> TargetedResult:
    """A matching meeting every feasible target with the fewest justified-envy pairs.

    ``cv_targets`` are CV ceilings held the same way (:class:`CvTarget`).
    ``warm`` is an earlier answer on the same market (say, for higher minimums):
    if it meets every count target kept (and no CV target is kept), the search
    starts from it, as a complete solution, and is told that the fewest pairs are
    at most its own. Both are facts about this model, so the optimum's value is
    unchanged; which of several equally good matchings is returned may differ.
    Without feasible targets (none given, or none reachable) this is
    :func:`~kgxp.round.mechanisms.max_weakly_stable` with ``goals``: no envy at
    all. ``time_limit`` is a deterministic budget for the whole call.

    Two teachers, one seat each at post 0 (their first choice) and post 1; teacher
    0 outranks teacher 1. A target that teacher 0 hold post 1 costs one envy pair
    (teacher 0 envies teacher 1 at post 0):

    >>> m = Market.build([1, 1], [[0, 1], [0, 1]], [[0, 0], [1, 1]], [0, 1])
    >>> r = fewest_envy(m, [Target("move", [[0, 1], [0, 0]], 1)])
    >>> r.matching.assignment, [(p.candidate, p.post) for p in r.envy]
    ((1, 0), [(0, 0)])
    """
    started = time.perf_counter()
    problems = [
        f"target {t.name!r}: {p}" for t in targets for p in _weight_problems(market, t.weights)
    ]
    problems += [f"target {t.name!r}: minimum {t.minimum} < 0" for t in targets if t.minimum < 0]
    problems += [
        f"CV target {t.name!r}: {p}" for t in cv_targets for p in t.problems(market.preferences)
    ]
    if problems:
        raise MarketError(problems, summary="targets do not fit the market")
    budget = time_limit * _FEASIBILITY_SHARE
    checks, kept, det = _feasibility(
        market, targets, budget / (1 + bool(cv_targets)), seed, workers
    )
    cv_checks, kept_cv, spent = _cv_feasibility(
        market, kept, cv_targets, max(budget - det, 0.0), seed, workers
    )
    det += spent
    hint = deferred_acceptance(market)
    if not kept and not kept_cv:
        optimal = max_weakly_stable(
            market,
            hint=hint,
            time_limit=max(time_limit - det, 0.0),
            seed=seed,
            workers=workers,
            goals=goals,
        )
        matching = optimal.matching
        status: str = "optimal" if optimal.status == "optimal" else optimal.status
        det += optimal.deterministic_time
    else:
        start = warm if warm is not None and _meets(market, warm, kept, kept_cv) else None
        matching, status, spent = _solve(
            market,
            kept,
            kept_cv,
            goals,
            start or hint,
            max(time_limit - det, 0.0),
            seed,
            workers,
            complete=start is not None,
        )
        det += spent
    envy = tuple(blocking_pairs(market, matching, strict=False))
    reached = tuple(
        attrs.evolve(check, reached=goal_value(weights, matching))
        for check, weights in zip(checks, [t.weights for t in targets], strict=True)
    )
    reached_cv = tuple(
        attrs.evolve(
            check, reached=cv_squared(target.enrolments, indicator_counts(target, matching))
        )
        for check, target in zip(cv_checks, cv_targets, strict=True)
    )
    return TargetedResult(
        matching=matching,
        envy=envy,
        targets=reached,
        cv=reached_cv,
        status=status,
        deterministic_time=det,
        wall_time=time.perf_counter() - started,
    )


def _weight_problems(market: Market, weights: ApplicationWeights) -> list[str]:
    if len(weights) != market.n_candidates:
        return [f"{len(weights)} rows of weights for {market.n_candidates} candidates"]
    return [
        f"weights[{c}] has {len(row)} entries, preferences[{c}] has {len(prefs)}"
        for c, (row, prefs) in enumerate(zip(weights, market.preferences, strict=True))
        if len(row) != len(prefs)
    ]


def _base_model(market: Market) -> tuple[cp_model.CpModel, list[list[cp_model.IntVar]]]:
    """Application variables, one post per candidate, capacities."""
    model = cp_model.CpModel()
    x = [[model.new_bool_var("") for _ in prefs] for prefs in market.preferences]
    at_post: list[list[cp_model.IntVar]] = [[] for _ in range(market.n_posts)]
    for c, prefs in enumerate(market.preferences):
        if len(prefs) > 1:
            model.add_at_most_one(x[c])
        for k, p in enumerate(prefs):
            at_post[p].append(x[c][k])
    for p, holders in enumerate(at_post):
        if len(holders) > market.capacities[p]:
            model.add(cp_model.LinearExpr.sum(holders) <= market.capacities[p])
    return model, x


def _target_goal(x: list[list[cp_model.IntVar]], weights: ApplicationWeights) -> Goal:
    pairs = [
        (v, w)
        for row, ws in zip(x, weights, strict=True)
        for v, w in zip(row, ws, strict=True)
        if w
    ]
    return Goal([v for v, _ in pairs], [w for _, w in pairs])


def _params(solver: cp_model.CpSolver, seed: int, workers: int) -> None:
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers


def _feasibility(
    market: Market, targets: Sequence[Target], budget: float, seed: int, workers: int
) -> tuple[list[TargetCheck], list[Target], float]:
    """Each target in order: reachable by some matching holding the ones kept before it?"""
    checks: list[TargetCheck] = []
    kept: list[Target] = []
    spent = 0.0
    for i, target in enumerate(targets):
        if target.minimum == 0:
            checks.append(TargetCheck(target.name, 0, 0, 0, True))
            continue
        model, x = _base_model(market)
        for earlier in kept:
            goal = _target_goal(x, earlier.weights)
            if goal.variables:
                model.add(goal.expression() >= earlier.minimum)
        goal = _target_goal(x, target.weights)
        if not goal.variables:
            checks.append(TargetCheck(target.name, target.minimum, 0, 0, False))
            continue
        model.maximize(goal.expression())
        solver = cp_model.CpSolver()
        _params(solver, seed, workers)
        solver.parameters.max_deterministic_time = max(budget - spent, 0.0) / (len(targets) - i)
        status = solver.solve(model)
        spent += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = round(solver.objective_value)
            bound = round(solver.best_objective_bound)
        else:
            found = bound = 0
        feasible = found >= target.minimum
        proven = feasible or status == cp_model.OPTIMAL or bound < target.minimum
        checks.append(TargetCheck(target.name, target.minimum, 0, found, feasible, proven))
        if feasible:
            kept.append(target)
    return checks, kept, spent


def _cv_feasibility(
    market: Market,
    counts: Sequence[Target],
    cv_targets: Sequence[CvTarget],
    budget: float,
    seed: int,
    workers: int,
) -> tuple[list[CvCheck], list[CvTarget], float]:
    """Each CV target in order: met by some matching holding the targets kept before it?

    One out of reach is searched for the lowest CV reachable: bisection on the
    limit, on a grid of :data:`CV_STEP`, between the target's limit and the CV
    of a matching holding only the earlier targets.
    """
    checks: list[CvCheck] = []
    kept: list[CvTarget] = []
    spent = 0.0
    for i, target in enumerate(cv_targets):
        share = max(budget - spent, 0.0) / (len(cv_targets) - i) / (_CV_SEARCH_STEPS + 2)
        found, infeasible, used = _satisfy(market, counts, [*kept, target], share, seed, workers)
        spent += used
        if found is not None:
            checks.append(CvCheck(target.name, target.limit, None, None, True))
            kept.append(target)
            continue
        best, proven, used = _lowest_cv(market, counts, kept, target, share, seed, workers)
        spent += used
        checks.append(CvCheck(target.name, target.limit, None, best, False, proven and infeasible))
    return checks, kept, spent


def _lowest_cv(
    market: Market,
    counts: Sequence[Target],
    kept: Sequence[CvTarget],
    target: CvTarget,
    share: float,
    seed: int,
    workers: int,
) -> tuple[Fraction | None, bool, float]:
    """The lowest CV² found for ``target`` (out of reach at its limit), proven or not, time.

    Bisection between the limit and the CV of a matching holding only the other
    targets; a limit tried and not met moves the lower end, a matching found
    moves the upper end to its own CV. Proven when every failed attempt was
    proven infeasible and the ends meet within :data:`CV_STEP`.
    """
    free, _, spent = _satisfy(market, counts, kept, share, seed, workers)
    if free is None:
        return None, False, spent
    best = cv_squared(target.enrolments, indicator_counts(target, free))
    if best is None:
        return None, False, spent
    low, high = target.limit, _grid_above(best)
    proven = True
    for _ in range(_CV_SEARCH_STEPS):
        if high - low <= CV_STEP:
            break
        middle = min(max(_grid_above(((low + high) / 2) ** 2), low + CV_STEP), high - CV_STEP)
        found, infeasible, used = _satisfy(
            market, counts, [*kept, attrs.evolve(target, limit=middle)], share, seed, workers
        )
        spent += used
        if found is None:
            low, proven = middle, proven and infeasible
            continue
        square = cv_squared(target.enrolments, indicator_counts(target, found))
        assert square is not None  # the constraint keeps an indicator teacher
        best = min(best, square)
        high = _grid_above(best)
    return best, proven and high - low <= CV_STEP, spent


def _grid_above(square: Fraction) -> Fraction:
    """The smallest multiple of :data:`CV_STEP` whose square is at least ``square``."""
    units = math.ceil(square / CV_STEP**2)  # k * CV_STEP >= sqrt(square) <=> k**2 >= units
    k = math.isqrt(units)
    return (k + (k * k < units)) * CV_STEP


def _satisfy(
    market: Market,
    counts: Sequence[Target],
    cv_targets: Sequence[CvTarget],
    budget: float,
    seed: int,
    workers: int,
) -> tuple[Matching | None, bool, float]:
    """Some matching within capacities meeting every target (stability ignored).

    Returns the matching (``None``: none found), whether none exists (proven),
    and the deterministic time spent.
    """
    model, x = _base_model(market)
    for target in counts:
        goal = _target_goal(x, target.weights)
        if goal.variables:
            model.add(goal.expression() >= target.minimum)
    for cv in cv_targets:
        add_cv_constraint(model, x, cv)
    solver = cp_model.CpSolver()
    _params(solver, seed, workers)
    solver.parameters.max_deterministic_time = budget
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = [solver.value(v) for row in x for v in row]
        return _matching_of(market, x, solution), False, solver.deterministic_time
    return None, status == cp_model.INFEASIBLE, solver.deterministic_time


def _matching_of(
    market: Market, x: Sequence[Sequence[cp_model.IntVar]], values: Sequence[int]
) -> Matching:
    """The matching of application values listed row by row (``x``'s order)."""
    assignment = [UNMATCHED] * market.n_candidates
    flat = iter(values)
    for c, (prefs, row) in enumerate(zip(market.preferences, x, strict=True)):
        for p, _ in zip(prefs, row, strict=True):
            if next(flat):
                assignment[c] = p
    return Matching.of(market, assignment)


def _meets(
    market: Market, warm: Matching, targets: Sequence[Target], cv_targets: Sequence[CvTarget]
) -> bool:
    """Is ``warm`` a solution of the main model: feasible and every count target met?

    With CV targets it is never used: the model's CV constraint is the exact one
    rounded up, so a matching meeting the exact CV may still break it.
    """
    return (
        not cv_targets
        and check_matching(market, warm) == []
        and all(goal_value(t.weights, warm) >= t.minimum for t in targets)
    )


def _solve(
    market: Market,
    targets: Sequence[Target],
    cv_targets: Sequence[CvTarget],
    goals: Sequence[ApplicationWeights],
    hint: Matching,
    budget: float,
    seed: int,
    workers: int,
    complete: bool = False,
) -> tuple[Matching, str, float]:
    """The main model: targets as constraints, envy literals minimised (see module doc).

    ``complete``: ``hint`` is a solution of this model (:func:`_meets`); every
    variable is hinted from it and its envy pairs bound the fewest.
    """
    model, x = _base_model(market)
    for target in targets:
        goal = _target_goal(x, target.weights)
        model.add(goal.expression() >= target.minimum)
    for cv in cv_targets:
        add_cv_constraint(model, x, cv)
    # Per (post, class): closed[p, g] means p is full and holds no one worse than g.
    levels: dict[int, set[int]] = {}
    for prefs, classes in zip(market.preferences, market.priority, strict=True):
        for p, g in zip(prefs, classes, strict=True):
            levels.setdefault(p, set()).add(g)
    closed: dict[tuple[int, int], cp_model.IntVar] = {}
    by_class: dict[int, dict[int, list[cp_model.IntVar]]] = {}
    for c, (prefs, classes) in enumerate(zip(market.preferences, market.priority, strict=True)):
        for k, (p, g) in enumerate(zip(prefs, classes, strict=True)):
            by_class.setdefault(p, {}).setdefault(g, []).append(x[c][k])
    for p, classes_at in sorted(by_class.items()):
        cap = market.capacities[p]
        running: cp_model.IntVar | None = None
        count = 0
        for g in sorted(classes_at):
            count += len(classes_at[g])
            upto = model.new_int_var(0, count, "")
            segment = cp_model.LinearExpr.sum(classes_at[g])
            model.add(upto == (segment if running is None else running + segment))
            lit = closed[(p, g)] = model.new_bool_var("")
            model.add(upto >= cap).only_enforce_if(lit)
            running = upto
            if complete:
                held = sum(1 for c in hint.by_post[p] if _class_at(market, c, p) <= g)
                model.add_hint(upto, held)
                model.add_hint(lit, held >= cap)
    envy: list[cp_model.IntVar] = []
    envied = (
        {(b.candidate, b.post) for b in blocking_pairs(market, hint, strict=False)}
        if complete
        else set()
    )
    for c, (prefs, classes) in enumerate(zip(market.preferences, market.priority, strict=True)):
        for k, (p, g) in enumerate(zip(prefs, classes, strict=True)):
            e = model.new_bool_var("")
            envy.append(e)
            model.add_bool_or([*x[c][: k + 1], closed[(p, g)], e])
            if complete:
                model.add_hint(e, (c, p) in envied)
    if complete:
        # The hint is a solution with len(envied) pairs: the fewest are no more.
        model.add(cp_model.LinearExpr.sum(envy) <= len(envied))
    xs = [v for row in x for v in row]
    for v, held in zip(
        xs,
        [p == hint.assignment[c] for c, prefs in enumerate(market.preferences) for p in prefs],
        strict=True,
    ):
        model.add_hint(v, held)
    # Each candidate holds at most one application, so a goal over the applications
    # ranges over at most the sum, per candidate, of its row's extreme weights: far
    # less than the sum of every weight. With these bounds the whole objective folds
    # into one exact weighted sum (one CP-SAT call, not one for the envy pairs and a
    # second for the rest, which also paid presolve twice). Not with CV targets: that
    # model is rarely proven within its budget, and a folded objective then finds
    # worse envy counts than a first call spent on the envy pairs alone (34 against
    # 20 on the 10,000-teacher benchmark county, measured).
    fold = not cv_targets
    rows = [list(range(len(prefs))) for prefs in market.preferences]

    def bound(weights: ApplicationWeights) -> int | None:
        return _row_range(weights) if fold else None

    goals_in_order = [
        Goal(envy, [-1] * len(envy)),
        Goal(xs, [1] * len(xs), bound=bound([[1] * len(r) for r in rows])),
        *(
            attrs.evolve(g, bound=bound(weights))
            for g, weights in ((_target_goal(x, weights), weights) for weights in goals)
            if g.variables
        ),
        Goal(xs, [-k for r in rows for k in r], bound=bound([[-k for k in r] for r in rows])),
    ]
    solver = cp_model.CpSolver()
    _params(solver, seed, workers)
    solver.parameters.linearization_level = 2
    # Symmetry detection finds only small orbits here (tied candidates with equal
    # lists) and its breaking constraints slow the LP-driven proof: on the
    # 10,000-teacher benchmark county it costs about a third of the CPU time.
    solver.parameters.symmetry_level = 0
    limit = WIDE_LIMIT if fold else None
    outcome = solve_lexicographic(model, goals_in_order, solver, budget, limit=limit)
    if outcome.solution is None:
        return hint, "fallback", outcome.deterministic_time
    solution = outcome.solution
    assignment = [UNMATCHED] * market.n_candidates
    for c, (prefs, row) in enumerate(zip(market.preferences, x, strict=True)):
        for p, v in zip(prefs, row, strict=True):
            if solution[v.index]:
                assignment[c] = p
    status = "optimal" if outcome.proven else "feasible"
    return Matching.of(market, assignment), status, outcome.deterministic_time


def _row_range(weights: ApplicationWeights) -> int:
    """The range of ``sum(weights[c][k])`` over matchings: one application per candidate.

    A candidate adds one of its row's weights or nothing, so the goal lies between
    the sum of the rows' most negative choices and the sum of their most positive.
    """
    return sum(max(0, *row) - min(0, *row) for row in weights if row)


def _class_at(market: Market, candidate: int, post: int) -> int:
    """The class ``post`` gives ``candidate`` (who applied for it)."""
    return market.priority[candidate][market.preferences[candidate].index(post)]
