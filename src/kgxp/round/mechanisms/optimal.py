"""Maximum weakly stable matching (MAX-HRT) with OR-Tools CP-SAT.

With ties in the posts' priorities, weakly stable matchings differ in size,
and finding the largest is NP-hard. Deferred acceptance after a lottery
tie-break is weakly stable but can leave seats empty that a different
resolution of the ties would fill; this module finds the largest weakly
stable matching and, among those, the one with the smallest sum of
preference ranks (lexicographically: size first, then ranks).

The model (weak stability as one clause per application plus one shared
``closed`` literal per post and class level, linear in the total length of the
lists) and the grouping into units are in :mod:`.optimal_model`.

Before modelling, :mod:`.reduction` settles what weak stability already
forces, and the undecided part splits into independent components (no
candidate or post shared). Each component is solved on its own, smallest
first: CP-SAT does not decompose a search, and proving a sum of independent
parts optimal is far harder than proving each part. Any combination of
per-component weakly stable solutions is weakly stable, so a component that
runs out of time keeps its best solution, or its part of the hint (deferred
acceptance by default), and the result is always a valid matching.

Determinism: one worker, a fixed seed and a *deterministic* time budget make
the same market give the same matching on every run and every machine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import attrs
from ortools.sat.python import cp_model

from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.round.mechanisms.lexicographic import Goal, LexicographicOutcome, solve_lexicographic
from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching
from kgxp.round.mechanisms.optimal_model import (
    POOL_VARIABLES,
    Unit,
    UnitModel,
    build_unit_model,
    independent_units,
    set_solution_hint,
)
from kgxp.round.mechanisms.reduction import Reduction, reduce_market
from kgxp.round.mechanisms.stability import blocking_pairs, check_matching

__all__ = ["ApplicationWeights", "OptimalResult", "OptimalStatus", "max_weakly_stable"]

# The model's building blocks moved to kgxp.round.mechanisms.optimal_model; their old
# private names stay importable from here.
_Unit = Unit
_UnitModel = UnitModel
_units = independent_units
_build_unit = build_unit_model
_set_hint = set_solution_hint
_POOL_VARIABLES = POOL_VARIABLES

ApplicationWeights = Sequence[Sequence[int]]
"""A secondary goal: ``weights[c][k]`` is what candidate ``c`` holding their
``k``-th choice adds to it (non-negative integers, to be maximised)."""

OptimalStatus = Literal["optimal", "feasible", "fallback", "infeasible"]


# Share of a unit's budget given to the lexicographic phase before falling
# back to maximising size alone (see _solve_unit).
_LEXICOGRAPHIC_SHARE = 0.5


@attrs.frozen
class OptimalResult:
    """What :func:`max_weakly_stable` found, and how sure it is.

    ``status``: ``"optimal"`` when both the size and, at that size, the rank
    sum are proven optimal; ``"feasible"`` when the time budget ran out
    first (``size_proven`` says whether at least the size is proven
    maximal, ``bound`` how far from it the size may otherwise be);
    ``"fallback"`` when some component produced no solution in time and kept
    its part of the hint; ``"infeasible"`` never happens for a valid hint
    (a weakly stable matching always exists) and would indicate a bug, in
    which case the hint's part is kept as well.

    ``objective`` is the number matched, ``bound`` a proven upper bound on
    it, ``rank_sum`` the sum of matched candidates' preference positions
    (0 = first choice). ``deterministic_time`` is CP-SAT's machine-independent
    effort measure, the unit of ``time_limit``; ``wall_time`` covers the
    whole call and ``solver_time`` the part spent inside CP-SAT (the rest is
    preprocessing and model building). ``decided`` counts candidates whose
    outcome preprocessing settled (matched to a known post, or unmatched,
    in every weakly stable matching); ``components`` counts the CP-SAT
    models solved (independent sub-problems, small ones pooled).
    """

    matching: Matching
    status: OptimalStatus
    objective: int
    bound: int
    rank_sum: int
    wall_time: float
    deterministic_time: float
    proven_optimal: bool
    timed_out: bool
    size_proven: bool = False
    solver_time: float = 0.0
    decided: int = 0
    components: int = 0
    goal_values: tuple[int, ...] = ()
    """Per secondary goal (``goals``), its value in ``matching``."""


def goal_value(goal: ApplicationWeights, matching: Matching) -> int:
    """What ``matching`` scores on one secondary goal."""
    return sum(goal[c][k] for c, k in enumerate(matching.ranks) if k >= 0)


@attrs.frozen
class _UnitOutcome:
    chosen: dict[int, int]  # candidate -> application index, for the matched
    bound: int  # proven upper bound on the unit's matched count
    status: str  # OPTIMAL, SIZE_OPTIMAL, FEASIBLE, FALLBACK or INFEASIBLE
    deterministic_time: float
    wall_time: float


def max_weakly_stable(
    market: Market,
    *,
    hint: Matching | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    preprocess: bool = True,
    goals: Sequence[ApplicationWeights] = (),
) -> OptimalResult:
    """The largest weakly stable matching, then the smallest rank sum at that size.

    ``hint`` must be a feasible weakly stable matching of ``market`` (it
    seeds the search and is what a component keeps if it runs out of time);
    by default it is :func:`~kgxp.round.mechanisms.deferred_acceptance`'s result,
    which always qualifies. A hint that does not qualify raises
    :class:`~kgxp.round.mechanisms.MarketError`.

    ``time_limit`` is a CP-SAT *deterministic* time budget shared by all
    components; ``seed`` and ``workers`` go to CP-SAT. With ``workers=1``
    (the default) the result is reproducible bit for bit; more workers may
    be faster but CP-SAT's parallel search is not deterministic.

    ``preprocess=False`` skips :mod:`.reduction` (and the shortcut for
    markets without ties) and hands the whole market to the solver: much
    slower, and meant for checking that preprocessing changes nothing.

    ``goals`` are secondary goals in order of importance (R12 均衡发展: the
    county's balance goals), each a weight per application. Without them the
    matching is the largest, then the smallest rank sum. With them, each
    component first finds that matching, then keeps its size and every goal at
    least at that matching's value (so the result is never worse than the
    plain optimum on any goal) and maximises the goals in order, then the
    smallest rank sum. Every candidate matching considered is weakly stable:
    balance comes only from choosing among them.

    Two tied teachers, each with a different first choice; the goal rewards
    teacher 0 taking post 1 (say, a rural post), which costs both their first
    choice but breaks no one's claim, since they are tied:

    >>> m = Market.build([1, 1], [[0, 1], [1, 0]], [[0, 0], [0, 0]], [0, 1])
    >>> max_weakly_stable(m).matching.assignment
    (0, 1)
    >>> max_weakly_stable(m, goals=[[[0, 1], [0, 0]]]).matching.assignment
    (1, 0)
    """
    started = time.perf_counter()
    hint_is_da = hint is None
    if hint is None:
        hint = deferred_acceptance(market)
    else:
        problems = check_matching(market, hint)
        problems.extend(
            f"candidate {bp.candidate} and post {bp.post} block the hint ({bp.reason})"
            for bp in blocking_pairs(market, hint, strict=False)[:20]
        )
        if problems:
            raise MarketError(problems, summary="hint is not a feasible weakly stable matching")

    if goals:
        problems = _goal_problems(market, goals)
        if problems:
            raise MarketError(problems, summary="goal weights do not fit the market")
    if preprocess and not goals and market.is_strict():
        # Without ties weak stability is stability: every stable matching has
        # the same size and the candidate-optimal one minimises every rank.
        da = hint if hint_is_da else deferred_acceptance(market)
        return OptimalResult(
            matching=da,
            status="optimal",
            objective=da.size,
            bound=da.size,
            rank_sum=da.rank_sum,
            wall_time=time.perf_counter() - started,
            deterministic_time=0.0,
            proven_optimal=True,
            timed_out=False,
            size_proven=True,
            decided=market.n_candidates,
            components=0,
        )

    red = reduce_market(market, propagate=preprocess)
    units = independent_units(market, red)
    n = market.n_candidates
    offsets = red.offsets
    post_of = red.post_of
    assignment = [UNMATCHED] * n
    ranks = [UNMATCHED] * n
    bound = 0
    for c in range(n):
        if red.certain[c]:
            a = red.last[c]
            assignment[c] = post_of[a]
            ranks[c] = a - offsets[c]
            bound += 1

    # Smallest units first, each allowed an equal share of what is left:
    # small units finish early and pass their unused time to larger ones.
    budget = time_limit
    spent = 0.0
    solver_time = 0.0
    statuses: set[str] = set()
    for i, unit in enumerate(units):
        share = max(budget, 0.0) / (len(units) - i)
        outcome = _solve_unit(market, red, unit, hint, share, seed, workers, goals)
        budget -= outcome.deterministic_time
        spent += outcome.deterministic_time
        solver_time += outcome.wall_time
        bound += outcome.bound
        statuses.add(outcome.status)
        for c, a in outcome.chosen.items():
            assignment[c] = post_of[a]
            ranks[c] = a - offsets[c]

    matching = Matching._trusted(assignment, ranks, market.n_posts)
    status: OptimalStatus
    if "INFEASIBLE" in statuses:
        status = "infeasible"
    elif "FALLBACK" in statuses:
        status = "fallback"
    elif statuses <= {"OPTIMAL"}:
        status = "optimal"
    else:
        status = "feasible"
    return OptimalResult(
        matching=matching,
        status=status,
        objective=matching.size,
        bound=max(bound, matching.size),
        rank_sum=matching.rank_sum,
        wall_time=time.perf_counter() - started,
        deterministic_time=spent,
        proven_optimal=status == "optimal",
        timed_out=not statuses <= {"OPTIMAL", "INFEASIBLE"},
        size_proven=statuses <= {"OPTIMAL", "SIZE_OPTIMAL"},
        solver_time=solver_time,
        decided=n - sum(len(u.candidates) for u in units),
        components=len(units),
        goal_values=tuple(goal_value(goal, matching) for goal in goals),
    )


def _goal_problems(market: Market, goals: Sequence[ApplicationWeights]) -> list[str]:
    problems: list[str] = []
    for j, goal in enumerate(goals):
        if len(goal) != market.n_candidates:
            problems.append(
                f"goals[{j}] has {len(goal)} rows but there are {market.n_candidates} candidates"
            )
            continue
        for c, (row, prefs) in enumerate(zip(goal, market.preferences, strict=True)):
            if len(row) != len(prefs):
                problems.append(
                    f"goals[{j}][{c}] has {len(row)} entries but preferences[{c}] has {len(prefs)}"
                )
            elif row and min(row) < 0:
                problems.append(f"goals[{j}][{c}] has a negative weight")
    return problems


def _solve_unit(
    market: Market,
    red: Reduction,
    unit: Unit,
    hint: Matching,
    budget: float,
    seed: int,
    workers: int,
    goals: Sequence[ApplicationWeights] = (),
) -> _UnitOutcome:
    """Solve one unit: lexicographic optimum first, size alone if that is too hard.

    Phase 1 maximises ``weight * size - rank sum``, which is exactly the
    lexicographic order "size, then ranks" (one more matched candidate gains
    ``weight``, more than any difference in rank sums can lose); CP-SAT
    proves it far faster than a rank phase under a size constraint. On a
    hard unit, though, the rank term slows the hunt for larger matchings,
    so if phase 1 does not finish within its share of the budget, phase 2
    spends the rest on size alone, starting from phase 1's best.
    """
    built = build_unit_model(market, red, unit, hint)
    model = built.model
    xs = built.xs
    apps = built.apps
    offsets = red.offsets
    candidate_of = red.candidate_of
    weight = built.weight
    set_solution_hint(model, built.hint)
    model.maximize(
        cp_model.LinearExpr.weighted_sum(
            xs, [weight - (a - offsets[candidate_of[a]]) for a in apps]
        )
    )
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    # The LP relaxation is what proves optimality here: level 2 also
    # linearises the implications and the enforced "full" constraints, and
    # adding every constraint up front avoids many rounds of lazy additions.
    # Together they cut solve times on large tied markets by 10x or more.
    params.linearization_level = 2
    params.add_lp_constraints_lazily = False
    params.max_deterministic_time = max(budget * _LEXICOGRAPHIC_SHARE, 0.0)
    status = solver.solve(model)
    det = solver.deterministic_time
    wall = solver.wall_time
    if status == cp_model.INFEASIBLE:
        return _UnitOutcome(
            _hinted_choice(red, apps, hint), len(unit.candidates), "INFEASIBLE", det, wall
        )
    best: list[int] | None = None
    bound = len(unit.candidates)
    outcome = "FALLBACK"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = list(solver.response_proto.solution)
        # objective = weight * size - ranks with 0 <= ranks < weight, so the
        # objective bound caps the size at ceil(bound / weight).
        bound = min(bound, -(-round(solver.best_objective_bound) // weight))
        outcome = "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"

    remaining = budget - det
    if outcome != "OPTIMAL" and remaining > 0:
        set_solution_hint(model, best if best is not None else built.hint)
        model.maximize(cp_model.LinearExpr.sum(xs))
        params.max_deterministic_time = remaining
        status = solver.solve(model)
        det += solver.deterministic_time
        wall += solver.wall_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = min(bound, round(solver.best_objective_bound))
            found = list(solver.response_proto.solution)
            # CP-SAT starts from the complete hint, so this never shrinks;
            # the check guards the invariant rather than trusting it.
            if best is None or _count(found, xs) >= _count(best, xs):
                best = found
            if status == cp_model.OPTIMAL and _count(best, xs) == bound:
                outcome = "SIZE_OPTIMAL"
            else:
                outcome = "FEASIBLE"

    if best is None:
        return _UnitOutcome(_hinted_choice(red, apps, hint), bound, "FALLBACK", det, wall)
    remaining = budget - det
    if goals and remaining > 0:
        balanced = _balance_unit(built, red, goals, best, solver, remaining)
        det += balanced.deterministic_time
        wall += balanced.wall_time
        if balanced.solution is not None:
            best = balanced.solution
        if not balanced.proven and outcome == "OPTIMAL":
            outcome = "SIZE_OPTIMAL"
    elif goals and outcome == "OPTIMAL":
        outcome = "SIZE_OPTIMAL"  # the goals were not optimised: not proven for them
    chosen = {candidate_of[a]: a for a, v in zip(apps, xs, strict=True) if best[v.index]}
    return _UnitOutcome(chosen, max(bound, len(chosen)), outcome, det, wall)


def _balance_unit(
    built: UnitModel,
    red: Reduction,
    goals: Sequence[ApplicationWeights],
    best: list[int],
    solver: cp_model.CpSolver,
    budget: float,
) -> LexicographicOutcome:
    """Among the unit's weakly stable matchings as large as ``best``, the most balanced.

    Every goal is held at least at ``best``'s value (``best`` is the plain
    optimum), so balancing never makes any goal worse than the optimal mechanism.
    """
    model, xs, apps = built.model, built.xs, built.apps
    offsets, candidate_of = red.offsets, red.candidate_of
    positions = [(candidate_of[a], a - offsets[candidate_of[a]]) for a in apps]
    model.add(cp_model.LinearExpr.sum(xs) >= _count(best, xs))
    levels: list[Goal] = []
    for goal in goals:
        weights = [goal[c][k] for c, k in positions]
        used = [(v, w) for v, w in zip(xs, weights, strict=True) if w]
        if used:
            level = Goal([v for v, _ in used], [w for _, w in used])
            model.add(level.expression() >= level.value(best))
            levels.append(level)
    levels.append(Goal(xs, [-k for _, k in positions]))  # then the smallest rank sum
    return solve_lexicographic(model, levels, solver, budget, hint=best)


def _count(solution: Sequence[int], xs: Sequence[cp_model.IntVar]) -> int:
    return sum(1 for v in xs if solution[v.index])


def _hinted_choice(red: Reduction, apps: list[int], hint: Matching) -> dict[int, int]:
    """The hint's part of a unit, as candidate -> application."""
    candidate_of = red.candidate_of
    post_of = red.post_of
    held = hint.assignment
    return {candidate_of[a]: a for a in apps if held[candidate_of[a]] == post_of[a]}
