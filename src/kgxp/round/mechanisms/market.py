"""One competitive round as plain indices, and a matching of it.

The mechanisms work on integers only: the engine maps teacher and post ids to
indices, and the policy's scores, tie-breakers and lottery to a *priority
class* plus a strict *tiebreak* rank, before any mechanism runs. Keeping the
mechanisms ignorant of ids and policy keeps them small, fast and checkable in
isolation, and lets the same market be replayed bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from kgxp.exceptions import KgxpError

__all__ = ["UNMATCHED", "Market", "MarketError", "Matching"]

UNMATCHED = -1
"""The post index of a candidate who holds no post."""


class MarketError(KgxpError, ValueError):
    """A market, or a matching offered for one, is malformed.

    ``problems`` lists every problem found, so a caller can fix them in one
    pass instead of discovering them one exception at a time.
    """

    def __init__(self, problems: Iterable[str], *, summary: str = "invalid market") -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.summary = summary
        count = len(self.problems)
        head = f"{summary}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def _market_problems(
    capacities: tuple[int, ...],
    preferences: tuple[tuple[int, ...], ...],
    priority: tuple[tuple[int, ...], ...],
    tiebreak: tuple[int, ...],
) -> list[str]:
    problems: list[str] = []
    n_posts = len(capacities)
    n = len(preferences)
    problems.extend(
        f"capacities[{p}] is {cap}; a capacity cannot be negative"
        for p, cap in enumerate(capacities)
        if cap < 0
    )
    if len(priority) != n:
        problems.append(f"priority has {len(priority)} rows but there are {n} candidates")
    if len(tiebreak) != n:
        problems.append(f"tiebreak has {len(tiebreak)} entries but there are {n} candidates")
    for c, prefs in enumerate(preferences):
        # The builtins below run in C; only a candidate that fails them is
        # inspected entry by entry, so a valid market of 300,000 candidates
        # costs a few hundred milliseconds at most.
        if prefs and (min(prefs) < 0 or max(prefs) >= n_posts):
            problems.extend(
                f"preferences[{c}][{k}] is {p}, not a post index in [0, {n_posts})"
                for k, p in enumerate(prefs)
                if not 0 <= p < n_posts
            )
        if len(set(prefs)) != len(prefs):
            seen: set[int] = set()
            for k, p in enumerate(prefs):
                if p in seen:
                    problems.append(f"preferences[{c}][{k}] repeats post {p}")
                seen.add(p)
        if c < len(priority) and len(priority[c]) != len(prefs):
            problems.append(
                f"priority[{c}] has {len(priority[c])} entries but preferences[{c}] "
                f"has {len(prefs)}"
            )
    if len(set(tiebreak)) != len(tiebreak):
        first: dict[int, int] = {}
        for c, t in enumerate(tiebreak):
            if t in first:
                problems.append(
                    f"tiebreak[{c}] is {t}, the same as tiebreak[{first[t]}]; "
                    "tiebreak ranks must be distinct"
                )
            else:
                first[t] = c
    return problems


@attrs.frozen
class Market:
    """One round: who applies where, how many seats, and who comes first.

    ``preferences[c]`` ranks the posts candidate ``c`` accepts, best first.
    ``priority[c][k]`` is the class post ``preferences[c][k]`` gives ``c``
    (lower is better; equal classes are a genuine tie in the policy's
    scores). ``tiebreak[c]`` is ``c``'s strict rank for breaking those ties
    (lower wins); it already folds in the policy's tie-breakers and the
    seeded lottery. Storing the class per application rather than per
    candidate supports post-specific priorities at no cost to the usual
    master-list case.

    Construction validates everything and raises :class:`MarketError` with
    all problems at once.
    """

    capacities: tuple[int, ...]
    preferences: tuple[tuple[int, ...], ...]
    priority: tuple[tuple[int, ...], ...]
    tiebreak: tuple[int, ...]

    def __attrs_post_init__(self) -> None:
        problems = _market_problems(self.capacities, self.preferences, self.priority, self.tiebreak)
        if problems:
            raise MarketError(problems)

    @classmethod
    def build(
        cls,
        capacities: Iterable[int],
        preferences: Iterable[Iterable[int]],
        priority: Iterable[Iterable[int]],
        tiebreak: Iterable[int],
    ) -> Market:
        """Build a market from any sequences (lists, ranges, generators)."""
        return cls(
            capacities=tuple(capacities),
            preferences=tuple(tuple(row) for row in preferences),
            priority=tuple(tuple(row) for row in priority),
            tiebreak=tuple(tiebreak),
        )

    @classmethod
    def _trusted(
        cls,
        capacities: tuple[int, ...],
        preferences: tuple[tuple[int, ...], ...],
        priority: tuple[tuple[int, ...], ...],
        tiebreak: tuple[int, ...],
    ) -> Market:
        """Assemble a market the caller built valid by construction (no checks).

        For the engine, whose markets come from validated scenarios: indices from
        its own id maps, one class per application, distinct ranking positions.
        Checking them again cost a tenth of a round.
        """
        market = object.__new__(cls)
        for name, value in (
            ("capacities", capacities),
            ("preferences", preferences),
            ("priority", priority),
            ("tiebreak", tiebreak),
        ):
            object.__setattr__(market, name, value)
        return market

    @property
    def n_candidates(self) -> int:
        return len(self.preferences)

    @property
    def n_posts(self) -> int:
        return len(self.capacities)

    def is_strict(self) -> bool:
        """Whether no post sees two applicants in the same class.

        On a strict market the tiebreak never decides anything, weak and
        strict stability coincide, and deferred acceptance is already a
        maximum weakly stable matching.
        """
        seen: set[tuple[int, int]] = set()
        for prefs, classes in zip(self.preferences, self.priority, strict=True):
            for p, g in zip(prefs, classes, strict=True):
                if (p, g) in seen:
                    return False
                seen.add((p, g))
        return True


@attrs.frozen
class Matching:
    """Who holds which post: ``assignment[c]`` is a post index or ``UNMATCHED``.

    A matching is a value: equality and hashing look at ``assignment`` only.
    ``ranks`` and ``by_post`` are derived from it and the market when the
    matching is made (see :meth:`of`), so that reading them is free. A
    matching may be infeasible (a candidate on a post they did not ask for, a
    post over capacity): that is what :func:`~kgxp.round.mechanisms.check_matching`
    is for, and what tests build on purpose.
    """

    assignment: tuple[int, ...]
    ranks: tuple[int, ...] = attrs.field(eq=False, repr=False)
    """Per candidate, the position of their post in their preference list;
    ``-1`` when unmatched or when the post is not on the list."""
    by_post: tuple[tuple[int, ...], ...] = attrs.field(eq=False, repr=False)
    """Per post, the candidates holding it, in increasing index order."""

    @classmethod
    def of(cls, market: Market, assignment: Sequence[int]) -> Matching:
        """Make a matching of ``market`` from a per-candidate post list.

        Raises :class:`MarketError` when the assignment cannot even be read
        against the market (wrong length, post index out of range), and
        accepts anything else, feasible or not.
        """
        assignment = tuple(assignment)
        n_posts = market.n_posts
        problems: list[str] = []
        if len(assignment) != market.n_candidates:
            problems.append(
                f"assignment has {len(assignment)} entries but the market has "
                f"{market.n_candidates} candidates"
            )
        problems.extend(
            f"assignment[{c}] is {p}, neither a post index in [0, {n_posts}) nor {UNMATCHED}"
            for c, p in enumerate(assignment)
            if not UNMATCHED <= p < n_posts
        )
        if problems:
            raise MarketError(problems, summary="matching does not fit the market")
        ranks = [UNMATCHED] * len(assignment)
        for c, p in enumerate(assignment):
            if p != UNMATCHED:
                prefs = market.preferences[c]
                if p in prefs:
                    ranks[c] = prefs.index(p)
        return cls._trusted(assignment, ranks, n_posts)

    @classmethod
    def _trusted(cls, assignment: Sequence[int], ranks: Sequence[int], n_posts: int) -> Matching:
        """Assemble a matching whose ranks the caller already knows (no checks)."""
        holders: list[list[int]] = [[] for _ in range(n_posts)]
        for c, p in enumerate(assignment):
            if p != UNMATCHED:
                holders[p].append(c)
        return cls(
            assignment=tuple(assignment),
            ranks=tuple(ranks),
            by_post=tuple(tuple(h) for h in holders),
        )

    @property
    def size(self) -> int:
        """How many candidates hold a post."""
        return len(self.assignment) - self.assignment.count(UNMATCHED)

    @property
    def rank_sum(self) -> int:
        """Sum of matched candidates' preference positions (0 = first choice)."""
        return sum(r for r in self.ranks if r > 0)

    def holders(self, post: int) -> tuple[int, ...]:
        """The candidates holding ``post``, in increasing index order."""
        return self.by_post[post]

    def post_of(self, candidate: int) -> int | None:
        """The post ``candidate`` holds, or ``None``."""
        p = self.assignment[candidate]
        return None if p == UNMATCHED else p

    def rank_of(self, candidate: int) -> int | None:
        """Position of ``candidate``'s post in their list (0 = first), or ``None``."""
        r = self.ranks[candidate]
        return None if r == UNMATCHED else r
