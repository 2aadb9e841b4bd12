"""Sound preprocessing for maximum weakly stable matching.

Every weakly stable matching satisfies, for each application ``(c, k)`` of
candidate ``c`` to post ``p = preferences[c][k]`` in class ``g``::

    c holds a post at position <= k   or   p is *closed at g*,

where *closed at g* means: ``p`` is full and every holder's class is ``<= g``.
Three rules decide many of these constraints before any search:

* **Rule A (cannot close).** ``p`` cannot be closed at ``g`` if fewer than
  ``capacity`` candidates other than ``c`` could still hold it with a class
  ``<= g``, or if some candidate *certainly* holds ``p`` with a class worse
  than ``g``. Then ``c`` must hold a post at position ``<= k``: ``c`` is
  *forced* (matched in every weakly stable matching) and its later
  applications are dropped. This applies to dropped applications too: their
  constraint still has to hold.
* **Rule C (first choices fill the room).** An undecided candidate whose
  first remaining application is to ``p``, in class ``g``, holds ``p``
  whenever ``p`` is not closed at ``g``, which is the case as soon as anyone
  in a worse class holds ``p``. So if such candidates in classes better
  than ``h`` already fill the seats certain holders leave free, nobody in
  class ``h`` or worse can hold ``p``: those applications are dropped.
  With no free seat left this is the plain "saturated post" rule.

A candidate is *certain* when forced with one application left: that
application is in every weakly stable matching. The rules feed each other
(drops lower counts, which triggers rule A, which creates certain holders
and first choices, which trigger rule C) and run to a fixpoint. They extend
the hospital- and resident-oriented preprocessing of Delorme et al. (EJOR
2019) to many-to-one markets with strict candidate lists.

Soundness is what matters: only consequences of weak stability and capacity
are drawn, so the set of weakly stable matchings is unchanged (tests check
this against brute-force enumeration). On large master-list markets the
rules settle about nine candidates in ten, which is what makes exact
optimisation fast.

Cost: rule A keeps, per post, pointers over its class levels that only move
forward (counts only fall); rule C keeps a running sum that tells when its
cut can move, and rescans a post's levels only then. Everything else is
constant work per dropped application, so the total is linear in the
length of the lists up to the (small) number of times a cut moves.
"""

from __future__ import annotations

from kgxp.round.mechanisms.market import Market

__all__ = ["Reduction", "reduce_market"]


class Reduction:
    """What preprocessing proved, indexed by application.

    Applications are numbered candidate by candidate: candidate ``c``'s
    ``k``-th choice is application ``offsets[c] + k``.

    ``alive[a]``: application ``a`` may still be used. ``forced[c]``: ``c``
    holds a post in every weakly stable matching. ``last[c]``: for a forced
    candidate, their last alive application (the stability constraint of
    every application from there on is already satisfied); for the others,
    their last application. ``certain[c]``: forced with one alive
    application. ``level[a]``: dense rank of ``a``'s class among the classes
    of all applications to the same post (0 = best class at that post).
    ``certain_at[p]``: how many certain candidates hold ``p``.
    """

    __slots__ = (
        "alive",
        "candidate_of",
        "certain",
        "certain_at",
        "forced",
        "last",
        "level",
        "n_levels",
        "offsets",
        "post_of",
    )

    def __init__(
        self,
        offsets: list[int],
        candidate_of: list[int],
        post_of: list[int],
        level: list[int],
        n_levels: list[int],
    ) -> None:
        n = len(offsets) - 1
        self.offsets = offsets
        self.candidate_of = candidate_of
        self.post_of = post_of
        self.level = level
        self.n_levels = n_levels
        self.alive = bytearray(b"\x01") * offsets[n]
        self.forced = bytearray(n)
        self.certain = bytearray(n)
        self.last = [offsets[c + 1] - 1 for c in range(n)]
        self.certain_at = [0] * len(n_levels)

    def alive_apps(self, candidate: int) -> list[int]:
        """The candidate's alive applications, best first."""
        alive = self.alive
        return [a for a in range(self.offsets[candidate], self.last[candidate] + 1) if alive[a]]


def reduce_market(market: Market, *, propagate: bool = True) -> Reduction:
    """Run the rules to their fixpoint (see the module docstring).

    ``propagate=False`` only builds the indexing and decides nothing: the
    solver then sees the whole market, which is how tests check the model
    independently of the preprocessing.
    """
    n = market.n_candidates
    capacities = market.capacities
    n_posts = len(capacities)
    offsets = [0] * (n + 1)
    candidate_of: list[int] = []
    post_of: list[int] = []
    for c, prefs in enumerate(market.preferences):
        offsets[c + 1] = offsets[c] + len(prefs)
        candidate_of.extend([c] * len(prefs))
        post_of.extend(prefs)
    classes = [g for row in market.priority for g in row]
    n_apps = offsets[n]

    # Per post, its applications sorted by class and cut into levels; the
    # levels of all posts share one flat numbering so per-level state lives
    # in flat lists (a list of lists per post would double the work).
    by_post: list[list[int]] = [[] for _ in range(n_posts)]
    for a, p in enumerate(post_of):
        by_post[p].append(a)
    level = [0] * n_apps
    n_levels = [0] * n_posts
    level_base = [0] * (n_posts + 1)  # first flat level id of each post
    level_start: list[int] = []  # per flat level: index of its first app in `ordered`
    ordered: list[int] = []  # all applications, post by post, best class first
    level_alive: list[int] = []  # per flat level: alive applications in it
    key = classes.__getitem__
    for p in range(n_posts):
        apps = by_post[p]
        apps.sort(key=key)
        level_base[p] = len(level_start)
        previous = None
        j = -1
        for a in apps:
            g = classes[a]
            if g != previous:
                previous = g
                j += 1
                level_start.append(len(ordered))
                level_alive.append(0)
            level[a] = j
            level_alive[-1] += 1
            ordered.append(a)
        n_levels[p] = j + 1
    level_base[n_posts] = len(level_start)
    level_start.append(len(ordered))
    del by_post

    red = Reduction(offsets, candidate_of, post_of, level, n_levels)
    if not propagate:
        return red
    alive = red.alive
    forced = red.forced
    certain = red.certain
    last = red.last
    certain_at = red.certain_at
    n_alive = [offsets[c + 1] - offsets[c] for c in range(n)]
    room = list(capacities)  # seats not taken by certain holders

    # Pointers, as numbers of levels already passed, per post:
    #   ptr_alive: levels j whose count C(<=j) <= cap; alive applications
    #              there fired rule A (the candidate's own application is
    #              among the C, so "fewer than cap others" is C <= cap);
    #   ptr_dead:  levels with C(<=j) <= cap - 1; dropped applications fire;
    #   ptr_worst: levels below the worst certain holder's level; all fire.
    # C(<= ptr - 1) is kept alongside so advancing is O(1) per level.
    ptr_alive = [0] * n_posts
    ptr_dead = [0] * n_posts
    ptr_worst = [0] * n_posts
    below_alive = [0] * n_posts
    below_dead = [0] * n_posts

    # Rule C state. first[c] is c's first alive application; must[l] counts
    # undecided candidates whose first alive application lies in flat level
    # l; cut[p] is the level from which p's applications are dropped (it
    # only moves down). The cut can move only when must(< cut - 1) >= room,
    # so that sum is kept up to date and levels are rescanned only then.
    # A dropped application's stability constraint needs no model: p is
    # then closed at its class (if it were not, every "must" candidate
    # below the cut would hold p, and together they overfill it).
    first = offsets[:n]
    must = [0] * len(level_alive)
    for c in range(n):
        if offsets[c + 1] > offsets[c]:
            a = offsets[c]
            must[level_base[post_of[a]] + level[a]] += 1
    cut = list(n_levels)
    must_below = [
        sum(must[level_base[p] : level_base[p] + max(n_levels[p] - 1, 0)]) for p in range(n_posts)
    ]

    # Work is driven by two stacks instead of recursion (chains of forced
    # candidates can be as long as the market).
    pending_posts = list(range(n_posts - 1, -1, -1))
    pending = bytearray(b"\x01") * n_posts
    new_certain: list[int] = []

    def touch(p: int) -> None:
        if not pending[p]:
            pending[p] = 1
            pending_posts.append(p)

    def add_must(p: int, j: int, delta: int) -> None:
        must[level_base[p] + j] += delta
        if j < cut[p] - 1:
            must_below[p] += delta
            if must_below[p] >= room[p]:
                touch(p)

    def drop(a: int) -> None:
        """Mark application ``a`` dead and update its post's counts."""
        alive[a] = 0
        c = candidate_of[a]
        n_alive[c] -= 1
        p = post_of[a]
        j = level[a]
        level_alive[level_base[p] + j] -= 1
        if j < ptr_alive[p]:
            below_alive[p] -= 1
        if j < ptr_dead[p]:
            below_dead[p] -= 1
        # Only a death at or below a pointer can let that pointer advance.
        if j <= ptr_alive[p] or j <= ptr_dead[p]:
            touch(p)
        if a == first[c]:
            add_must(p, j, -1)
            end = offsets[c + 1]
            b = a + 1
            while b < end and not alive[b]:
                b += 1
            first[c] = b
            if b < end:
                add_must(post_of[b], level[b], 1)

    def settle(c: int) -> None:
        """After ``c`` lost applications: tighten ``last`` and detect certainty."""
        if not forced[c]:
            return
        b = last[c]
        start = offsets[c]
        while b >= start and not alive[b]:
            b -= 1
        if b < start:
            raise AssertionError("reduction contradiction: a forced candidate lost every post")
        last[c] = b
        if n_alive[c] == 1 and not certain[c]:
            certain[c] = 1
            add_must(post_of[b], level[b], -1)
            new_certain.append(b)

    def fire(a: int) -> None:
        """Rule A for application ``a``: its candidate must do at least this well."""
        c = candidate_of[a]
        if a > last[c] or (forced[c] and a == last[c]):
            return
        forced[c] = 1
        for b in range(a + 1, last[c] + 1):
            if alive[b]:
                drop(b)
        last[c] = a
        settle(c)

    while pending_posts or new_certain:
        while new_certain:
            a = new_certain.pop()
            p = post_of[a]
            certain_at[p] += 1
            room[p] -= 1
            if room[p] < 0:
                raise AssertionError("reduction contradiction: post over capacity")
            if must_below[p] >= room[p]:
                touch(p)
            base = level_base[p]
            # Rule A via the worst certain holder: levels strictly better
            # than its level cannot be closed.
            target = level[a]
            while ptr_worst[p] < target:
                j = ptr_worst[p]
                ptr_worst[p] = j + 1
                for i in range(level_start[base + j], level_start[base + j + 1]):
                    fire(ordered[i])
        if not pending_posts:
            continue
        p = pending_posts.pop()
        pending[p] = 0
        cap = capacities[p]
        base = level_base[p]
        top = n_levels[p]
        j = ptr_alive[p]
        while j < top and below_alive[p] + level_alive[base + j] <= cap:
            below_alive[p] += level_alive[base + j]
            for i in range(level_start[base + j], level_start[base + j + 1]):
                b = ordered[i]
                if alive[b]:
                    fire(b)
            j += 1
            ptr_alive[p] = j
        j = ptr_dead[p]
        while j < top and below_dead[p] + level_alive[base + j] <= cap - 1:
            below_dead[p] += level_alive[base + j]
            for i in range(level_start[base + j], level_start[base + j + 1]):
                b = ordered[i]
                if not alive[b]:
                    fire(b)
            j += 1
            ptr_dead[p] = j
        stop = cut[p]
        seats = room[p]
        if stop > 0 and must_below[p] >= seats:
            # Rule C: the first level whose better levels' "must" fill the room.
            total = 0
            j = 0
            while total < seats:
                total += must[base + j]
                j += 1
            cut[p] = j
            must_below[p] = sum(must[base : base + max(j - 1, 0)])
            for i in range(level_start[base + j], level_start[base + stop]):
                b = ordered[i]
                if alive[b] and not certain[candidate_of[b]]:
                    drop(b)
                    settle(candidate_of[b])
    return red
