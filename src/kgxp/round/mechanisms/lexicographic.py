"""Lexicographic objectives for CP-SAT: several goals in a strict order of importance.

A goal is a linear expression over Boolean variables with integer coefficients,
to be maximised. "Goal 1, then goal 2, then ..." is solved in as few CP-SAT calls
as the integers allow: consecutive goals are folded into one weighted sum
``W_1 g_1 + W_2 g_2 + ...`` whose weights make every unit of an earlier goal
worth more than any difference in the later ones (``W_j > range of the rest``),
as long as the weights stay far inside 64-bit integers; a goal that would
overflow starts a new group, solved after the previous group's value is fixed
by a constraint. A goal's range is the sum of its coefficients' magnitudes
unless the caller states a tighter one (``Goal.bound``: say, one application
per candidate), which keeps the weights small enough to fold more goals into
one call; what must stay inside 64 bits is the *activity*, the sum of every
term's magnitude, which CP-SAT checks (``MODEL_INVALID`` from ``2**62`` on). Integer coefficients only (CP-SAT's objective is integral),
and every call is seeded, single-worker when asked and bounded by deterministic
time, so the same model gives the same solution on every run (I12).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from ortools.sat.python import cp_model

__all__ = ["WIDE_LIMIT", "Goal", "LexicographicOutcome", "solve_lexicographic"]

# Far below 2**63: CP-SAT also sums the objective's activity bounds.
_LIMIT = 2**58
# The most a caller may ask for (``solve_lexicographic(limit=...)``): CP-SAT refuses an
# objective whose activity reaches 2**62 (ortools 9.15, measured), so half of that.
WIDE_LIMIT = 2**61


@attrs.frozen
class Goal:
    """``sum(coefficients[i] * variables[i])``, to be maximised."""

    variables: Sequence[cp_model.IntVar]
    coefficients: Sequence[int]
    bound: int | None = None
    """A proven bound on the goal's range over the model's solutions, if tighter
    than the sum of the coefficients' magnitudes (an exact fold relies on it)."""

    @property
    def activity(self) -> int:
        """The sum of the coefficients' magnitudes: how far CP-SAT bounds the term."""
        return sum(abs(c) for c in self.coefficients)

    @property
    def span(self) -> int:
        """Largest possible difference between two values of the goal."""
        activity = self.activity
        return activity if self.bound is None else min(self.bound, activity)

    def expression(self) -> cp_model.LinearExprT:
        return cp_model.LinearExpr.weighted_sum(list(self.variables), list(self.coefficients))

    def value(self, solution: Sequence[int]) -> int:
        return sum(
            c * solution[v.index] for v, c in zip(self.variables, self.coefficients, strict=True)
        )


@attrs.frozen
class LexicographicOutcome:
    """The best solution found (``None``: none), and whether every group was proven."""

    solution: list[int] | None
    proven: bool
    deterministic_time: float
    wall_time: float
    calls: int


def _groups(goals: Sequence[Goal], limit: int = _LIMIT) -> list[list[tuple[Goal, int]]]:
    """Goals folded into weighted groups whose activity stays below ``limit``."""
    groups: list[list[tuple[Goal, int]]] = []
    # Build from the last goal backwards: its weight is 1, each earlier one's
    # weight exceeds everything that comes after it in its group (the weights'
    # telescoping product: sum of w_j * span_j over the later goals < w_i).
    current: list[tuple[Goal, int]] = []
    weight = 1
    activity = 0
    for goal in reversed(goals):
        # (+ 1: without stated bounds this is the product of (span + 1) reaching limit)
        if current and activity + weight * goal.activity + 1 >= limit:
            groups.append(current)
            current, weight, activity = [], 1, 0
        current.append((goal, weight))
        activity += weight * goal.activity
        weight *= goal.span + 1
    if current:
        groups.append(current)
    return [list(reversed(group)) for group in reversed(groups)]


def solve_lexicographic(
    model: cp_model.CpModel,
    goals: Sequence[Goal],
    solver: cp_model.CpSolver,
    budget: float,
    hint: Sequence[int] | None = None,
    limit: int | None = None,
) -> LexicographicOutcome:
    """Maximise ``goals`` in order on ``model`` within ``budget`` deterministic units.

    ``solver`` carries the caller's parameters (seed, workers); its time limit is
    set here. ``hint`` is a complete solution of ``model`` (one value per
    variable) or ``None``. Each group's value is fixed by a constraint before the
    next group is optimised, so ``model`` gains those constraints. When a group
    runs out of time its best value is kept (fixed as a lower bound) and the rest
    are still optimised with what time is left. ``limit`` bounds each call's
    objective activity (at most :data:`WIDE_LIMIT`; by default far less).
    """
    limit = _LIMIT if limit is None else limit
    if limit > WIDE_LIMIT:
        raise ValueError(f"limit {limit} above {WIDE_LIMIT}: CP-SAT would refuse the objective")
    best: list[int] | None = list(hint) if hint is not None else None
    proven = True
    det = wall = 0.0
    calls = 0
    for group in _groups(goals, limit):
        remaining = budget - det
        if remaining <= 0:
            proven = False
            break
        expression = cp_model.LinearExpr.weighted_sum(
            [goal.expression() for goal, _ in group], [weight for _, weight in group]
        )
        if best is not None:
            proto = model.proto
            proto.clear_solution_hint()
            proto.solution_hint.vars.extend(range(len(best)))
            proto.solution_hint.values.extend(best)
        model.maximize(expression)
        solver.parameters.max_deterministic_time = remaining
        status = solver.solve(model)
        calls += 1
        det += solver.deterministic_time
        wall += solver.wall_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proven = False
            if best is None:
                break
        else:
            found = list(solver.response_proto.solution)
            best = found[: len(model.proto.variables)]
            if status != cp_model.OPTIMAL:
                proven = False
        # Fix the group at the value reached before optimising the next one.
        value = sum(weight * goal.value(best) for goal, weight in group) if best else None
        if value is not None:
            model.add(expression >= value)
    return LexicographicOutcome(best, proven, det, wall, calls)
