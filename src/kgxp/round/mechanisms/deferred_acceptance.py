"""Candidate-proposing deferred acceptance on the tie-broken market.

Posts order applicants strictly by ``(priority class, tiebreak)``. Under that
order deferred acceptance gives the candidate-optimal stable matching: no
candidate does better in any stable matching, and no candidate can gain by
misreporting. Because the tie-broken order refines the class order, the result
is also weakly stable for the tied market, which makes it both the default
outcome and a guaranteed-feasible starting point for :mod:`.optimal`.

The loop is written for size (hundreds of thousands of candidates): each
application is looked at at most once, each post keeps its holders in a heap
so the worst one is evicted in ``O(log capacity)``, and there is no recursion
and no copying.
"""

from __future__ import annotations

from heapq import heappush, heapreplace

from kgxp.round.mechanisms.market import UNMATCHED, Market, Matching

__all__ = ["deferred_acceptance", "tiebreak_positions"]


def tiebreak_positions(market: Market) -> list[int]:
    """Per candidate, their position ``0..n-1`` in increasing tiebreak order.

    Tiebreak values are arbitrary distinct ints; dense positions let class
    and tiebreak be packed into one int key, ``class * n + position``, which
    sorts exactly like the pair ``(class, tiebreak)`` (positions lie in
    ``[0, n)`` and Python ints do not overflow) and gives the position back
    as ``key mod n``. Comparing ints is several times cheaper than comparing
    tuples, and a post's heap can then hold bare ints.
    """
    order = sorted(range(market.n_candidates), key=market.tiebreak.__getitem__)
    position = [0] * len(order)
    for i, c in enumerate(order):
        position[c] = i
    return position


def deferred_acceptance(market: Market) -> Matching:
    """The candidate-optimal stable matching under the ``(class, tiebreak)`` order.

    Linear in the total length of the preference lists, up to a
    ``log(capacity)`` factor per application. Keys are computed when an
    application is made rather than for every application up front: the
    same O(1) per application, but unread lists cost nothing.
    """
    n = market.n_candidates
    capacities = market.capacities
    preferences = market.preferences
    priority = market.priority
    position = tiebreak_positions(market)
    by_position = [0] * n
    for c, t in enumerate(position):
        by_position[t] = c

    # A post's heap holds the negated keys of its holders, so heap[0] is the
    # worst holder: the one an applicant must beat.
    heaps: list[list[int]] = [[] for _ in capacities]
    assignment = [UNMATCHED] * n
    ranks = [UNMATCHED] * n
    next_choice = [0] * n
    # The outcome does not depend on the order of proposals; a stack keeps
    # the loop free of deque overhead, and reversing makes candidate 0 go
    # first, which is easier to follow when debugging.
    free = list(range(n - 1, -1, -1))
    while free:
        c = free.pop()
        prefs = preferences[c]
        classes = priority[c]
        t = position[c]
        k = next_choice[c]
        length = len(prefs)
        while k < length:
            p = prefs[k]
            heap = heaps[p]
            cap = capacities[p]
            k += 1
            if len(heap) < cap:
                heappush(heap, -(classes[k - 1] * n + t))
                assignment[c] = p
                ranks[c] = k - 1
                break
            if cap == 0:
                continue
            key = classes[k - 1] * n + t
            worst = -heap[0]
            if key < worst:
                heapreplace(heap, -key)
                assignment[c] = p
                ranks[c] = k - 1
                evicted = by_position[worst % n]
                assignment[evicted] = UNMATCHED
                ranks[evicted] = UNMATCHED
                free.append(evicted)
                break
        next_choice[c] = k
    return Matching._trusted(assignment, ranks, len(capacities))
