"""Checks that a matching is feasible and that nobody has justified envy.

These are the verifier's tools: every matching a mechanism returns can be
re-checked here independently of how it was found. Both checks are linear in
the total length of the preference lists: for each post the worst holder is
found once, after which each application is tested in ``O(1)``.
"""

from __future__ import annotations

from typing import Literal

import attrs

from kgxp.round.mechanisms.deferred_acceptance import tiebreak_positions
from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching

__all__ = ["BlockingPair", "BlockingReason", "blocking_pairs", "check_matching"]

BlockingReason = Literal["free_seat", "outranks_holder"]


@attrs.frozen
class BlockingPair:
    """Candidate ``candidate`` and post ``post`` would both rather be together.

    ``reason`` says why the post would take the candidate: it has a free seat,
    or it holds ``holder``, whom the candidate outranks (the post's worst
    holder is named, so the report is deterministic).
    """

    candidate: int
    post: int
    reason: BlockingReason
    holder: int | None = None


def check_matching(market: Market, matching: Matching) -> list[str]:
    """Everything that makes ``matching`` infeasible for ``market``, in order.

    Feasible means: the assignment fits the market, every matched candidate
    holds a post on their own list, and no post holds more candidates than it
    has seats.
    """
    n = market.n_candidates
    n_posts = market.n_posts
    if len(matching.assignment) != n:
        return [f"the matching has {len(matching.assignment)} candidates but the market has {n}"]
    problems: list[str] = []
    counts = [0] * n_posts
    for c, p in enumerate(matching.assignment):
        if p == UNMATCHED:
            continue
        if not 0 <= p < n_posts:
            problems.append(f"candidate {c} is assigned to post {p}, which does not exist")
            continue
        counts[p] += 1
        if p not in market.preferences[c]:
            problems.append(
                f"candidate {c} is assigned to post {p}, which is not on their preference list"
            )
    problems.extend(
        f"post {p} holds {count} candidates but has {cap} seats"
        for p, (count, cap) in enumerate(zip(counts, market.capacities, strict=True))
        if count > cap
    )
    return problems


def blocking_pairs(market: Market, matching: Matching, *, strict: bool) -> list[BlockingPair]:
    """Every pair blocking ``matching``, by candidate then preference order.

    A pair ``(c, p)`` blocks when ``c`` finds ``p`` acceptable and prefers it
    to what ``c`` holds (anything beats being unmatched), and ``p`` either
    has a free seat or holds someone ``c`` outranks at ``p``.

    ``strict=True`` ranks applicants by ``(class, tiebreak)``: this is
    ordinary stability, which deferred acceptance guarantees.
    ``strict=False`` ranks by class alone, so only a *strictly* better class
    outranks a holder: this is weak stability, the right notion when equal
    classes are a genuine tie and the tiebreak is just a lottery.

    The matching should be feasible (see :func:`check_matching`). Where it is
    not, a holder who never applied to their post is treated as outranked
    by every applicant, and a candidate on a post off their list as
    unmatched, so that the report is still well defined.
    """
    n = market.n_candidates
    if len(matching.assignment) != n or len(matching.ranks) != n:
        raise MarketError(
            [f"the matching has {len(matching.assignment)} candidates but the market has {n}"],
            summary="matching does not fit the market",
        )
    preferences = market.preferences
    priority = market.priority
    assignment = matching.assignment
    ranks = matching.ranks
    capacities = market.capacities

    # Both orders become one int per application, lower is better; an
    # intruder (holder who did not apply) gets +infinity so anyone beats it.
    if strict:
        position = tiebreak_positions(market)

        def key(c: int, k: int) -> float:
            return priority[c][k] * n + position[c]
    else:

        def key(c: int, k: int) -> float:
            return priority[c][k]

    worst_key: list[float | None] = [None] * market.n_posts
    worst_holder: list[int] = [UNMATCHED] * market.n_posts
    counts = [0] * market.n_posts
    tiebreak = market.tiebreak
    for c, p in enumerate(assignment):
        if not 0 <= p < market.n_posts:
            continue
        counts[p] += 1
        k = ranks[c]
        value = key(c, k) if k != UNMATCHED else float("inf")
        current = worst_key[p]
        # Among equally bad holders the one with the worst tiebreak is named,
        # which makes the report independent of candidate numbering.
        if (
            current is None
            or value > current
            or (value == current and tiebreak[c] > tiebreak[worst_holder[p]])
        ):
            worst_key[p] = value
            worst_holder[p] = c

    found: list[BlockingPair] = []
    for c, prefs in enumerate(preferences):
        held = ranks[c]
        better = len(prefs) if held == UNMATCHED else held
        for k in range(better):
            p = prefs[k]
            if counts[p] < capacities[p]:
                found.append(BlockingPair(c, p, "free_seat"))
                continue
            bar = worst_key[p]
            if bar is not None and key(c, k) < bar:
                found.append(BlockingPair(c, p, "outranks_holder", worst_holder[p]))
    return found
