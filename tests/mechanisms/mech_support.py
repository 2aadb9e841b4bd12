"""Shared test support for kgxp.mechanisms: market strategies and brute force.

The brute-force checkers are deliberately naive (quadratic, enumerative) and
written from the definitions, so they share no code or shortcuts with the
library they check.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from hypothesis import strategies as st

from kgxp.round.mechanisms import UNMATCHED, Market


@st.composite
def markets(
    draw: st.DrawFn,
    *,
    max_candidates: int = 8,
    max_posts: int = 4,
    max_len: int = 3,
    max_capacity: int = 2,
    n_classes: int = 2,
    post_specific: bool = False,
) -> Market:
    """Random markets; few classes means many ties.

    ``post_specific`` draws a class per application instead of one per
    candidate (a master list).
    """
    n_posts = draw(st.integers(1, max_posts))
    capacities = draw(st.lists(st.integers(0, max_capacity), min_size=n_posts, max_size=n_posts))
    n = draw(st.integers(0, max_candidates))
    preferences = [
        draw(st.lists(st.integers(0, n_posts - 1), unique=True, max_size=min(max_len, n_posts)))
        for _ in range(n)
    ]
    if post_specific:
        priority = [
            draw(st.lists(st.integers(0, n_classes - 1), min_size=len(p), max_size=len(p)))
            for p in preferences
        ]
    else:
        classes = draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
        priority = [[g] * len(p) for g, p in zip(classes, preferences, strict=True)]
    # Sparse, shifted tiebreak values: the library must not assume 0..n-1.
    order = draw(st.permutations(range(n)))
    tiebreak = [3 * t - 5 for t in order]
    return Market.build(capacities, preferences, priority, tiebreak)


@st.composite
def strict_markets(
    draw: st.DrawFn, *, max_candidates: int = 30, max_posts: int = 10, max_len: int = 5
) -> Market:
    """Markets where every post ranks its applicants strictly (post-specific)."""
    n_posts = draw(st.integers(1, max_posts))
    capacities = draw(st.lists(st.integers(1, 3), min_size=n_posts, max_size=n_posts))
    n = draw(st.integers(1, max_candidates))
    preferences = [
        draw(
            st.lists(
                st.integers(0, n_posts - 1), unique=True, min_size=1, max_size=min(max_len, n_posts)
            )
        )
        for _ in range(n)
    ]
    # Each post's ranking of all candidates is a random permutation; the
    # class is the candidate's position in it, so classes never tie.
    rankings = [draw(st.permutations(range(n))) for _ in range(n_posts)]
    priority = [[rankings[p][c] for p in prefs] for c, prefs in enumerate(preferences)]
    tiebreak = list(range(n))
    return Market.build(capacities, preferences, priority, tiebreak)


def post_key(market: Market, c: int, p: int, *, strict: bool) -> tuple[int, ...]:
    """How post p ranks applicant c (lower is better), from the raw fields."""
    k = market.preferences[c].index(p)
    g = market.priority[c][k]
    return (g, market.tiebreak[c]) if strict else (g,)


def prefers(market: Market, c: int, p: int, current: int) -> bool:
    """Whether candidate c would rather have post p than `current`."""
    prefs = market.preferences[c]
    if p not in prefs:
        return False
    if current == UNMATCHED or current not in prefs:
        return True
    return prefs.index(p) < prefs.index(current)


def brute_blocking(
    market: Market, assignment: Sequence[int], *, strict: bool
) -> set[tuple[int, int, str]]:
    """All blocking (candidate, post, reason) triples, straight from the definition."""
    found: set[tuple[int, int, str]] = set()
    for c in range(market.n_candidates):
        for p in market.preferences[c]:
            if not prefers(market, c, p, assignment[c]):
                continue
            holders = [h for h in range(market.n_candidates) if assignment[h] == p]
            if len(holders) < market.capacities[p]:
                found.add((c, p, "free_seat"))
                continue
            mine = post_key(market, c, p, strict=strict)
            if any(
                p not in market.preferences[h] or post_key(market, h, p, strict=strict) > mine
                for h in holders
            ):
                found.add((c, p, "outranks_holder"))
    return found


def feasible(market: Market, assignment: Sequence[int]) -> bool:
    counts = [0] * market.n_posts
    for c, p in enumerate(assignment):
        if p != UNMATCHED:
            if p not in market.preferences[c]:
                return False
            counts[p] += 1
    return all(k <= cap for k, cap in zip(counts, market.capacities, strict=True))


def all_matchings(market: Market) -> Iterator[tuple[int, ...]]:
    """Every feasible assignment (exponential: tiny markets only)."""
    options = [(UNMATCHED, *prefs) for prefs in market.preferences]
    for assignment in itertools.product(*options):
        if feasible(market, assignment):
            yield assignment


def stable_matchings(market: Market, *, strict: bool) -> list[tuple[int, ...]]:
    return [a for a in all_matchings(market) if not brute_blocking(market, a, strict=strict)]


def size(assignment: Sequence[int]) -> int:
    return sum(1 for p in assignment if p != UNMATCHED)


def rank_sum(market: Market, assignment: Sequence[int]) -> int:
    return sum(market.preferences[c].index(p) for c, p in enumerate(assignment) if p != UNMATCHED)


def rank(market: Market, assignment: Sequence[int], c: int) -> int:
    """Position of c's post in their list; unmatched ranks after every post."""
    p = assignment[c]
    return len(market.preferences[c]) if p == UNMATCHED else market.preferences[c].index(p)
