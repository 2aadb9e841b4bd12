"""A published baseline for minimum quotas: multi-stage deferred acceptance (MSDA).

Fragiadakis, Iwasaki, Troyan, Ueda and Yokoo, "Strategyproof matching with minimum
quotas" (ACM TEAC 4(1), 2016) meet schools' minimum quotas with strategyproof
mechanisms built from deferred acceptance; their multi-stage DA (MSDA) is
nonwasteful but not fair (it may create justified envy), the trade-off kgxp's exact
model (:mod:`.targeted`) makes with the fewest envy pairs instead. kgxp implements
MSDA as a *comparison* mechanism, in this reading (the paper's model assumes every
student accepts every school and must be placed; kgxp's teachers apply to a few
posts and may be left unplaced, so the count of spare candidates is taken over the
candidates who could fill a minimum quota at all):

* ``minimums[p]`` is post ``p``'s minimum quota; *quota candidates* are the
  candidates who applied for some post with a minimum; the slack
  ``λ = #quota candidates − Σ minimums`` is how many of them may go elsewhere
  (or beyond a minimum) without making the minimums unreachable;
* posts are taken in a fixed order (posts without a minimum first, then by index);
  at stage ``k`` deferred acceptance runs over the candidates and posts not yet
  fixed, every post ``p`` accepting at most ``minimums[p] + λ`` quota candidates
  (and up to its capacity in all); ``p_k``'s holders are then fixed, and ``λ``
  shrinks by the quota candidates it took beyond its minimum;
* while ``λ`` is unchanged the caps are too, and the previous stage's outcome, less
  the fixed post and its holders, is what deferred acceptance gives the rest, so
  it is only re-run when ``λ`` changes (tests compare with a re-run every stage).

Each stage is deferred acceptance with a substitutable choice (a cap on one type
of candidate), so the rule is strategyproof like the paper's; it meets the minimums
when every quota candidate accepts every post with a minimum, and otherwise gets as
close as the applications allow. Ties are broken by the market's tiebreak, as in
:func:`.deferred_acceptance`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching

__all__ = ["multi_stage_deferred_acceptance"]


def multi_stage_deferred_acceptance(
    market: Market, minimums: Sequence[int], *, rerun_every_stage: bool = False
) -> Matching:
    """MSDA (kgxp's reading, see the module docstring) for per-post ``minimums``.

    ``rerun_every_stage=True`` runs deferred acceptance at every stage, as the
    definition reads, instead of only when ``λ`` changes: slower, and meant for
    checking that the shortcut changes nothing.

    Post 0 (no minimum) and post 1 (minimum 1), one seat each. Candidate 0 ranks
    first and accepts both; candidate 1 accepts post 0 only. Deferred acceptance
    leaves post 1 empty; MSDA's slack is λ = 1 quota candidate − 1 minimum = 0, so
    post 0 may take no quota candidate, and candidate 0 goes to post 1 (envying
    candidate 1 at post 0: the price of the minimum):

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
    quota = [any(minimums[p] > 0 for p in prefs) for prefs in market.preferences]
    slack = sum(quota) - sum(minimums)
    order = sorted(range(n_posts), key=lambda p: (minimums[p] > 0, p))
    assignment = [UNMATCHED] * market.n_candidates
    open_posts = set(range(n_posts))
    free = set(range(market.n_candidates))
    current: list[int] = []
    ran_with: int | None = None
    for post in order:
        if rerun_every_stage or slack != ran_with:  # the caps changed: deferred acceptance again
            caps = {p: max(minimums[p] + slack, 0) for p in open_posts}
            current = _capped_da(market, free, open_posts, caps, quota)
            ran_with = slack
        held = [c for c in free if current[c] == post]
        for c in held:
            assignment[c] = post
        free.difference_update(held)
        open_posts.discard(post)
        slack -= max(sum(quota[c] for c in held) - minimums[post], 0)
    return Matching.of(market, assignment)


def _capped_da(
    market: Market,
    candidates: set[int],
    posts: set[int],
    caps: dict[int, int],
    quota: Sequence[bool],
) -> list[int]:
    """Deferred acceptance of ``candidates`` over ``posts``; post p takes at most
    ``caps[p]`` quota candidates (and its capacity in all)."""
    preferences, priority, tiebreak = market.preferences, market.priority, market.tiebreak
    capacities = market.capacities
    nxt = dict.fromkeys(candidates, 0)
    held: dict[int, list[tuple[tuple[int, int], int]]] = {p: [] for p in posts}
    queue = sorted(candidates, reverse=True)
    result = [UNMATCHED] * market.n_candidates
    while queue:
        c = queue.pop()
        prefs = preferences[c]
        k = nxt[c]
        while k < len(prefs) and prefs[k] not in posts:
            k += 1
        if k >= len(prefs):
            continue
        nxt[c] = k + 1
        p = prefs[k]
        pool = sorted([*held[p], ((priority[c][k], tiebreak[c]), c)])
        kept: list[tuple[tuple[int, int], int]] = []
        typed = 0
        limit = caps.get(p)
        for entry in pool:
            who = entry[1]
            full = len(kept) >= capacities[p]
            if full or (quota[who] and limit is not None and typed >= limit):
                queue.append(who)
            else:
                kept.append(entry)
                typed += quota[who]
        held[p] = kept
    for p, entries in held.items():
        for _, c in entries:
            result[c] = p
    return result
