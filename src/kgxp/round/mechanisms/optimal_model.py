"""The CP-SAT model of :func:`~kgxp.round.mechanisms.optimal.max_weakly_stable`.

Units. After :mod:`.reduction`, the undecided candidates split into independent
components (no candidate or post shared); small components are pooled into one
:class:`Unit` so that each CP-SAT model is worth its fixed cost.

Model. For each application ``(c, k)`` to post ``p`` in class ``g``, weak
stability requires (Kwanashie & Manlove 2014)::

    cap_p * (1 - sum_{k' <= k} x[c, k'])  <=  #{holders of p in classes <= g, c excluded}

that is: ``c`` holds a post at position ``<= k``, or ``p`` is *closed at
g* (full, and every holder's class is ``<= g``; a holder in the same class
is a tie, and ties do not block). Written per pair the right-hand side
makes the model quadratic. Instead one literal ``closed[p, g]`` is shared
by all applicants of ``p`` in class ``g`` (in the spirit of the constraint
merging of Delorme et al. 2019) and linked along the post's class levels:

* per application, the clause ``x[c, 0] or ... or x[c, k] or closed[p, g]``;
* ``closed[p, g] -> closed[p, g']`` for the next level ``g' > g`` in use;
* ``closed[p, g] -> not x[c', p]`` for applicants in classes ``(g, g']``;
* the last ``closed`` of the chain implies ``full[p]``, which implies
  ``sum x[., p] >= cap_p``;
* ``upto[p, g] = upto[p, g_prev] + sum_{class in (g_prev, g]} x[., p]``
  and ``upto[p, g] >= cap_p * closed[p, g]``: redundant for the integer
  model, but it gives the LP relaxation the strength of the original
  constraint, and as a running count every ``x`` enters one equation.

So the model is linear in the total length of the lists.

The model comes with a complete hint (every variable's value in the hint
matching), copied into the proto at once by :func:`set_solution_hint`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from ortools.sat.python import cp_model

from kgxp.round.mechanisms.market import Market, Matching
from kgxp.round.mechanisms.reduction import Reduction

__all__ = [
    "POOL_VARIABLES",
    "Unit",
    "UnitModel",
    "build_unit_model",
    "independent_units",
    "set_solution_hint",
]

# Components are solved one model each, but a model costs about a
# millisecond even when trivial; small components are therefore pooled
# into one model until it holds this many application variables.
POOL_VARIABLES = 400


@attrs.define
class Unit:
    """One or more independent components, solved as one CP-SAT model."""

    candidates: list[int] = attrs.Factory(list)
    posts: list[int] = attrs.Factory(list)
    n_vars: int = 0


def independent_units(market: Market, red: Reduction) -> list[Unit]:
    """Group undecided candidates into independent components, then pool small ones."""
    n_posts = market.n_posts
    parent = list(range(n_posts))

    def find(p: int) -> int:
        root = p
        while parent[root] != root:
            root = parent[root]
        while parent[p] != root:
            parent[p], p = root, parent[p]
        return root

    post_of = red.post_of
    members: list[tuple[int, list[int]]] = []
    for c in range(market.n_candidates):
        if red.certain[c]:
            continue
        apps = red.alive_apps(c)
        if not apps:
            continue
        members.append((c, apps))
        root = find(post_of[apps[0]])
        for a in apps[1:]:
            other = find(post_of[a])
            if other != root:
                # Union by smaller index keeps the forest deterministic.
                if other < root:
                    root, other = other, root
                parent[other] = root

    components: dict[int, Unit] = {}
    seen_post = bytearray(n_posts)
    for c, apps in members:
        root = find(post_of[apps[0]])
        unit = components.get(root)
        if unit is None:
            unit = components[root] = Unit()
        unit.candidates.append(c)
        unit.n_vars += len(apps)
        for a in apps:
            p = post_of[a]
            if not seen_post[p]:
                seen_post[p] = 1
                unit.posts.append(p)

    ordered = sorted(components.values(), key=lambda u: (u.n_vars, u.candidates[0]))
    units: list[Unit] = []
    pool = Unit()
    for unit in ordered:
        if unit.n_vars >= POOL_VARIABLES:
            units.append(unit)
            continue
        pool.candidates.extend(unit.candidates)
        pool.posts.extend(unit.posts)
        pool.n_vars += unit.n_vars
        if pool.n_vars >= POOL_VARIABLES:
            units.append(pool)
            pool = Unit()
    if pool.candidates:
        units.append(pool)
    units.sort(key=lambda u: (u.n_vars, u.candidates[0]))
    return units


@attrs.define
class UnitModel:
    """A unit's CP-SAT model plus what is needed to read solutions back."""

    model: cp_model.CpModel
    apps: list[int]  # application of each x variable, in variable order
    xs: list[cp_model.IntVar]
    weight: int
    hint: list[int]  # one value per model variable, by index


def build_unit_model(market: Market, red: Reduction, unit: Unit, hint: Matching) -> UnitModel:
    """The unit's model (see the module docstring), with a complete hint."""
    model = cp_model.CpModel()
    offsets = red.offsets
    post_of = red.post_of
    candidate_of = red.candidate_of
    level = red.level
    alive = red.alive
    forced = red.forced
    last = red.last
    capacities = market.capacities
    hinted = hint.assignment
    hint_values: list[int] = []

    x: dict[int, cp_model.IntVar] = {}
    at_post: dict[int, list[int]] = {p: [] for p in unit.posts}
    cand_apps: list[list[int]] = []
    weight = 1
    for c in unit.candidates:
        apps = [a for a in range(offsets[c], last[c] + 1) if alive[a]]
        cand_apps.append(apps)
        weight += apps[-1] - offsets[c]
        lits = []
        held = hinted[c]
        for a in apps:
            v = model.new_bool_var("")
            hint_values.append(post_of[a] == held)
            x[a] = v
            lits.append(v)
            at_post[post_of[a]].append(a)
        if forced[c]:
            model.add_exactly_one(lits)
        elif len(lits) > 1:
            model.add_at_most_one(lits)

    # What the hint does at each post decides the hint of its literals.
    room: dict[int, int] = {}
    hint_full: dict[int, bool] = {}
    hint_worst: dict[int, int] = {}
    for p in unit.posts:
        count = red.certain_at[p]
        worst = -1
        for a in at_post[p]:
            if hinted[candidate_of[a]] == p:
                count += 1
                worst = max(worst, level[a])
        room[p] = capacities[p] - red.certain_at[p]
        hint_full[p] = count == capacities[p]
        hint_worst[p] = worst

    closed: dict[tuple[int, int], cp_model.IntVar] = {}
    for c, apps in zip(unit.candidates, cand_apps, strict=True):
        prefix: list[cp_model.IntVar] = []
        # A forced candidate holds one of its alive applications, so the
        # constraint of its last one is already met.
        stop = last[c] if forced[c] else offsets[c + 1]
        for a in apps:
            if a >= stop:
                break
            prefix.append(x[a])
            p = post_of[a]
            key = (p, level[a])
            lit = closed.get(key)
            if lit is None:
                lit = closed[key] = model.new_bool_var("")
                hint_values.append(hint_full[p] and hint_worst[p] <= key[1])
            model.add_bool_or([*prefix, lit])

    needed: dict[int, list[int]] = {}
    for p, j in closed:
        needed.setdefault(p, []).append(j)
    for p in unit.posts:
        apps = at_post[p]
        seats = room[p]
        total = cp_model.LinearExpr.sum([x[a] for a in apps])
        if len(apps) > seats:
            model.add(total <= seats)
        levels = needed.get(p)
        if not levels:
            continue
        levels.sort()
        full = model.new_bool_var("")
        hint_values.append(hint_full[p])
        model.add(total >= seats).only_enforce_if(full)
        apps.sort(key=level.__getitem__)
        i = 0
        hinted_below = 0
        below: cp_model.IntVar | None = None
        for idx, j in enumerate(levels):
            lit = closed[(p, j)]
            upper = levels[idx + 1] if idx + 1 < len(levels) else None
            start = i
            while i < len(apps) and level[apps[i]] <= j:
                hinted_below += hinted[candidate_of[apps[i]]] == p
                i += 1
            # Holders in classes <= j, as a running count so that every x
            # enters one equation (linear size, however many levels).
            upto = model.new_int_var(0, i, "")
            hint_values.append(hinted_below)
            segment = cp_model.LinearExpr.sum([x[a] for a in apps[start:i]])
            model.add(upto == (segment if below is None else below + segment))
            model.add(upto >= seats * lit)
            below = upto
            k = i
            while k < len(apps) and (upper is None or level[apps[k]] <= upper):
                model.add_implication(lit, ~x[apps[k]])
                k += 1
            model.add_implication(lit, full if upper is None else closed[(p, upper)])

    return UnitModel(
        model=model, apps=list(x), xs=list(x.values()), weight=weight, hint=hint_values
    )


def set_solution_hint(model: cp_model.CpModel, values: Sequence[int]) -> None:
    # One bulk copy instead of a Python call per variable (add_hint costs
    # tens of microseconds each, which adds up to seconds at this scale).
    proto = model.proto
    proto.clear_solution_hint()
    hint = proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
