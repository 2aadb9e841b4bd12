"""A published baseline for minimum quotas (R16, R17): multi-stage deferred acceptance (MSDA).

Fragiadakis, Iwasaki, Troyan, Ueda and Yokoo, "Strategyproof matching with minimum
quotas" (ACM Transactions on Economics and Computation 4(1), article 6, 2016;
first circulated 2011-2012) meet schools' minimum quotas with strategyproof
mechanisms built from deferred acceptance. Their multi-stage DA (MSDA) is
nonwasteful but not fair (it may create justified envy): the trade-off kgxp's exact
model (:mod:`.targeted`) makes with the fewest envy pairs instead.

MSDA as the paper defines it. Students are ordered by an exogenous *precedence
list*. At each stage ``k`` let ``r_k`` be the sum of the minimum quotas still
unfilled; the ``r_k`` students lowest on the precedence list among those not yet
placed are *reserved*, and every other unplaced student takes part in
student-proposing deferred acceptance over the seats left (each school's remaining
maximum quota). Those students are placed for good; each school's maximum and
minimum quota fall by what it took (a minimum not below zero), and the next stage
reserves again. When a stage would release no one (the reserved students are all
that is left), the last deferred acceptance runs among them with each school's
maximum set to its remaining *minimum* quota, and the mechanism stops. Every stage
is ordinary deferred acceptance, which is why the rule stays strategyproof, and the
reserve guarantees that enough students are left to fill the minimums.

kgxp's reading, for its markets (the paper assumes every student accepts every
school and is placed; kgxp's teachers apply to a few posts and may stay unplaced):

* the precedence list is the county's merit order: best priority class, then the
  market's tiebreak (in kgxp's markets every post ranks a teacher in one class, so
  this is the ranking the round uses everywhere);
* only *quota candidates* are reserved: candidates who applied for a post whose
  minimum is still unfilled (in the paper's setting that is everyone); a candidate
  who could not fill a minimum is never held back;
* candidates the last stage leaves unplaced (possible only with short lists: no
  post they applied for kept a minimum seat for them) then apply by deferred
  acceptance to the seats still free, so no seat stays empty for want of them.

With full lists and enough candidates these reduce to the paper's rule, and the
minimums are met (a property test checks it). Ties within a class are broken by the
market's tiebreak, as in :func:`.deferred_acceptance`.

Sources. The paper (ACM TEAC 4(1), 2016; working-paper version July 2012): only
its abstract could be read from the machine this was written on. The stage rule
above is the one of an independent public implementation of single-type MSDA used
as a baseline in later work (GitHub TVidath/colloquim-project, ``MSDAlgorithm.java``;
a secondary source, no code taken: reserve the bottom ``r_k`` of the precedence
list, run deferred acceptance on the others with the remaining maximum quotas,
finish with deferred acceptance on the reserve at the remaining minimum quotas), and
it has the properties the abstract names (strategyproof, meets the minimums,
nonwasteful in the paper's setting, not fair). kgxp's first version of this module
was a reconstruction that fixed one *post* per stage under a common slack cap: not
this rule (the stages fix *students*, reserving the lowest on the precedence list).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching

__all__ = ["multi_stage_deferred_acceptance"]


def multi_stage_deferred_acceptance(market: Market, minimums: Sequence[int]) -> Matching:
    """MSDA (the paper's stage rule in kgxp's reading, see the module docstring).

    Post 0 (no minimum) and post 1 (minimum 1), one seat each. Candidate 0 ranks
    first and accepts both; candidate 1 accepts post 0 only. Deferred acceptance
    leaves post 1 empty. MSDA reserves one quota candidate for the minimum, the
    lowest on the precedence list among those who could fill it: candidate 0, the
    only one. Candidate 1 takes post 0 at the first stage; the second releases no
    one, and candidate 0 fills post 1's minimum (envying candidate 1 at post 0: the
    price of the minimum):

    >>> m = Market.build([1, 1], [[0, 1], [0]], [[0, 0], [1]], [0, 1])
    >>> multi_stage_deferred_acceptance(m, [0, 0]).assignment
    (0, -1)
    >>> multi_stage_deferred_acceptance(m, [0, 1]).assignment
    (1, 0)
    """
    n_posts = market.n_posts
    problems = []
    if len(minimums) != n_posts:
        problems.append(f"{len(minimums)} minimums for {n_posts} posts")
    else:
        problems += [
            f"minimums[{p}] is {m}, outside [0, capacity {market.capacities[p]}]"
            for p, m in enumerate(minimums)
            if not 0 <= m <= market.capacities[p]
        ]
    if problems:
        raise MarketError(problems, summary="minimum quotas do not fit the market")
    preferences = market.preferences
    precedence = sorted(
        range(market.n_candidates),
        key=lambda c: (min(market.priority[c], default=0), market.tiebreak[c]),
    )
    seats = list(market.capacities)  # remaining maximum quotas
    short = list(minimums)  # remaining minimum quotas
    assignment = [UNMATCHED] * market.n_candidates
    pending = precedence  # unplaced and not yet through a stage, in precedence order
    while pending:
        reserve = sum(short)
        reserved: set[int] = set()
        if reserve:
            for c in reversed(pending):
                if len(reserved) == reserve:
                    break
                if any(short[p] for p in preferences[c]):
                    reserved.add(c)
        released = [c for c in pending if c not in reserved]
        if not released:
            # The final stage: the reserve fills the minimums still open.
            placed = _deferred_acceptance(market, pending, short)
            _place(placed, assignment, seats, short)
            left = [c for c in pending if c not in placed]
            _place(_deferred_acceptance(market, left, seats), assignment, seats, short)
            break
        _place(_deferred_acceptance(market, released, seats), assignment, seats, short)
        pending = [c for c in pending if c in reserved]
    return Matching.of(market, assignment)


def _place(
    placed: dict[int, int], assignment: list[int], seats: list[int], short: list[int]
) -> None:
    """Fix a stage's outcome: its candidates placed, the posts' quotas reduced."""
    for c, p in placed.items():
        assignment[c] = p
        seats[p] -= 1
        if short[p]:
            short[p] -= 1


def _deferred_acceptance(
    market: Market, candidates: Iterable[int], caps: Sequence[int]
) -> dict[int, int]:
    """Candidate-proposing deferred acceptance of ``candidates``, post ``p`` taking at
    most ``caps[p]``, posts ordering applicants by ``(class, tiebreak)``."""
    preferences, priority, tiebreak = market.preferences, market.priority, market.tiebreak
    nxt: dict[int, int] = {}
    held: dict[int, list[tuple[int, int, int]]] = {}
    queue = sorted(candidates, reverse=True)
    for c in queue:
        nxt[c] = 0
    while queue:
        c = queue.pop()
        prefs = preferences[c]
        k = nxt[c]
        while k < len(prefs) and caps[prefs[k]] == 0:
            k += 1
        if k >= len(prefs):
            continue
        nxt[c] = k + 1
        p = prefs[k]
        pool = held.setdefault(p, [])
        pool.append((priority[c][k], tiebreak[c], c))
        if len(pool) > caps[p]:
            pool.sort()
            queue.append(pool.pop()[2])
    return {c: p for p, pool in held.items() for _, _, c in pool}
