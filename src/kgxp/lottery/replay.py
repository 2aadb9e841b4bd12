"""One county's round replayed under many lottery seeds, placements only (internal).

What does a seed change? Only the lottery number of each teacher, and a lottery
number only orders teachers who tie on score and every tie-breaker (R12 抽签,
:mod:`kgxp.round.ranking`). So :class:`Replay` computes once, per scenario and
policy, everything the seed leaves alone — validation, scores and tie-breakers
(:class:`~kgxp.round.ranking.RankingBasis`), R3 home schools, R4 protection, the R5
split (kept per order of the protected teachers, the one way a seed reaches it), the
applications of every round — and per seed only re-ranks the tied teachers and
re-runs the matching that follows. The in-school round (R5) is a market per school:
a school where no two applicants tie is decided once for every seed.

Nothing here explains a placement (no ``Reason`` objects, no seat table): a draw
yields each teacher's status and post, the same as :func:`kgxp.run_round` gives for
that seed (tests/test_lottery.py compares them seed by seed, plan by plan).
The optimal mechanism (CP-SAT) has no such shortcut: a draw under it is a whole
``run_round``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from operator import itemgetter

import attrs

from kgxp.model.policy import Mechanism, Policy, RoundKind, RoundSpec
from kgxp.model.result import Status
from kgxp.model.scenario import Post, Scenario, Teacher
from kgxp.model.validation import check
from kgxp.round.adjustment import adjustment_placements
from kgxp.round.applications import default_in_school_applications
from kgxp.round.engine import run_round
from kgxp.round.prepare import Prepared, prepare, protected_seats
from kgxp.round.ranking import RankingBasis
from kgxp.round.scope import scope_unit

__all__ = ["STATUSES", "Draw", "Replay"]

STATUSES: tuple[Status, ...] = tuple(Status)
"""Status codes of a :data:`Draw`: the index into this tuple."""

Draw = list[tuple[int, int]]
"""Per teacher in id order: (index into :data:`STATUSES`, index of the post or -1)."""

_STATUS = {
    RoundKind.IN_SCHOOL: STATUSES.index(Status.IN_SCHOOL),
    RoundKind.CROSS_SCHOOL: STATUSES.index(Status.CROSS_SCHOOL),
    RoundKind.ADJUSTMENT: STATUSES.index(Status.ADJUSTED),
}
_FIRST = itemgetter(0)
_PROTECTED = STATUSES.index(Status.PROTECTED)
_WAITING = STATUSES.index(Status.WAITING)


class _InSchool:
    """The in-school round for one ``Prepared``: schools the draw cannot change, decided.

    In the others, only the order of the applicants changes from draw to draw.
    """

    def __init__(
        self,
        candidates: Sequence[Teacher],
        offered: Mapping[str, int],
        applied: Sequence[list[str]],
        home: Mapping[str, str],
        priority_class: Mapping[str, int],
        order: Mapping[str, int],
    ) -> None:
        by_school: dict[str, list[int]] = defaultdict(list)
        for k, (teacher, posts) in enumerate(zip(candidates, applied, strict=True)):
            if posts:
                by_school[home[teacher.id]].append(k)
        fixed: list[int] = []
        drawn: list[int] = []
        left = dict(offered)  # seats left once each school's fixed part is placed
        settled: dict[str, str] = {}
        for school in sorted(by_school):
            members = by_school[school]
            classes = [priority_class[candidates[k].id] for k in members]
            # No two applicants tie: the school's ranking, and so its matching, is the
            # same under every seed (the order among distinct classes never changes).
            if len(set(classes)) == len(classes):
                fixed.extend(members)
            else:
                drawn.extend(_settle(members, classes, candidates, applied, left, settled))
        self.fixed_placed = _match(
            [candidates[k].id for k in fixed], [applied[k] for k in fixed], offered, order
        )
        self.fixed_placed.update(settled)
        # What every draw matches again, read out of the candidates once, and the seats
        # it starts from (posts belong to one school: the fixed schools' are not read).
        self.offered = left
        self.drawn_ids = [candidates[k].id for k in drawn]
        self.drawn_applied = [applied[k] for k in drawn]

    def placed(self, order: Mapping[str, int]) -> dict[str, str]:
        placed = dict(self.fixed_placed)
        placed.update(_match(self.drawn_ids, self.drawn_applied, self.offered, order))
        return placed


def _settle(
    members: Sequence[int],
    classes: Sequence[int],
    candidates: Sequence[Teacher],
    applied: Sequence[list[str]],
    left: dict[str, int],
    settled: dict[str, str],
) -> list[int]:
    """Place a school's leading tie classes that no draw can change; return the rest.

    The matching takes the school's applicants class by class (best first), in drawn
    order inside a class. When, for every post, no more of a class's members want it
    first (among posts with a seat left) than it has seats left, each member gets that
    post whatever the order inside the class: the class is settled, its seats taken
    from ``left`` and its placements added to ``settled``. From the first class where
    that fails, the school is left to the draws (everything after depends on the order).
    """
    by_class: dict[int, list[int]] = defaultdict(list)
    for k, group in zip(members, classes, strict=True):
        by_class[group].append(k)
    ordered = sorted(by_class)
    for position, group in enumerate(ordered):
        first: list[tuple[int, str | None]] = [
            (k, next((p for p in applied[k] if left[p] > 0), None)) for k in by_class[group]
        ]
        wanted = Counter(post for _, post in first if post is not None)
        if any(count > left[post] for post, count in wanted.items()):
            return [k for rest in ordered[position:] for k in by_class[rest]]
        for k, post in first:
            if post is not None:
                left[post] -= 1
                settled[candidates[k].id] = post
    return []


def _match(
    ids: Sequence[str],
    applied: Sequence[list[str]],
    offered: Mapping[str, int],
    order: Mapping[str, int],
) -> dict[str, str]:
    """The round's deferred acceptance, computed as a serial dictatorship.

    Every post of a round ranks its applicants the same way — priority class, then the
    tie-broken order, which ``order`` is — so the stable matching is unique, and it is
    what taking the candidates best first, each to the first listed post with a seat
    left, gives. ``run_competitive_round``'s deferred acceptance finds the same matching
    (the differential tests compare them draw by draw). ``applied[k]`` lists the offered
    posts candidate ``ids[k]`` applies for, in preference order.
    """
    left = dict(offered)
    placed: dict[str, str] = {}
    keys = list(map(order.__getitem__, ids))
    for k in sorted(range(len(ids)), key=keys.__getitem__):
        for post_id in applied[k]:
            if left[post_id] > 0:
                left[post_id] -= 1
                placed[ids[k]] = post_id
                break
    return placed


@attrs.frozen
class _Prepared:
    """What a draw starts from, for one answer to R4 (see ``Replay._prepare``)."""

    prepared: Prepared
    in_school: _InSchool | None
    pool: list[Teacher]  # neither protected nor placed yet, in id order
    template: Draw  # protected teachers' outcomes; everyone else waiting until placed
    left_in: dict[str, int]  # in-school seats of each post (R5 split), copied per draw
    left_cross: dict[str, int]  # cross-school seats of each post


class Replay:
    """The placements of ``scenario`` under ``policy``, seed by seed (see the module doc)."""

    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        check(scenario)  # nothing is drawn for an invalid scenario, as in run_round
        self.scenario = scenario
        self.policy = policy
        self.teachers: list[Teacher] = sorted(scenario.teachers, key=lambda t: t.id)
        self.basis = RankingBasis.of(scenario.teachers, policy)
        self.priority_class = self.basis.priority_class()
        self.posts: dict[str, Post] = {p.id: p for p in scenario.posts}
        self.post_ids: list[str] = sorted(self.posts)
        self.post_index = {p: k for k, p in enumerate(self.post_ids)}
        self.school_of = {p.id: p.school for p in scenario.posts}
        self.units = {
            spec.name: {s.id: scope_unit(s, spec.scope) for s in scenario.schools}
            for spec in policy.rounds
        }
        self.locality = {s.id: s.locality for s in scenario.schools}
        self.row = {t.id: k for k, t in enumerate(self.teachers)}
        self._defaults = default_in_school_applications(scenario, policy)
        self._first: Prepared | None = None  # the first seed's, for what no seed changes
        self._contested: list[tuple[list[Post], list[Teacher]]] = []
        # round name -> teacher -> the posts they may apply for in it, when offered
        self._cross_applications: dict[str, dict[str, list[str]]] = {}
        # Per answer to R4 at the contested schools (who keeps a contested seat): its
        # Prepared and in-school round. One entry unless protected teachers tie.
        self._prepared: dict[tuple[tuple[str, str | None], ...], _Prepared] = {}

    def draw(self, seed: int) -> Draw:
        """Every teacher's (status, post) under ``seed``, in id order."""
        if self.policy.mechanism is not Mechanism.DEFERRED_ACCEPTANCE:
            return self._whole_round(seed)
        # Keys that compare as the ranking's order does: all a draw compares (see order_keys).
        order = self.basis.order_keys(seed)
        known = self._prepare(seed, order)
        prepared, in_school = known.prepared, known.in_school
        home = prepared.home
        pool = known.pool
        left_in, left_cross = dict(known.left_in), dict(known.left_cross)
        outcome = list(known.template)
        row, post_index = self.row, self.post_index
        for spec in self.policy.rounds:
            if spec.kind is RoundKind.IN_SCHOOL and in_school is not None:
                placed = in_school.placed(order)
            elif spec.kind is RoundKind.ADJUSTMENT:
                placed = self._adjust(spec, pool, left_in, left_cross, home, order)
            else:
                placed = self._cross(spec, pool, left_in, left_cross, home, order)
            if spec.kind is RoundKind.IN_SCHOOL:
                for post_id in placed.values():
                    left_in[post_id] -= 1
            else:  # cross-school seats first, then leftovers (as the engine books them)
                for post_id in placed.values():
                    if left_cross[post_id] > 0:
                        left_cross[post_id] -= 1
                    else:
                        left_in[post_id] -= 1
            status = _STATUS[spec.kind]
            for teacher_id, post_id in placed.items():
                outcome[row[teacher_id]] = (status, post_index[post_id])
            if placed:
                pool = [t for t in pool if t.id not in placed]
        return outcome

    def _whole_round(self, seed: int) -> Draw:
        result = run_round(self.scenario, policy=self.policy, seed=seed)
        index = self.post_index
        # Two columns of the result, no outcome object built per teacher and draw.
        return [
            (STATUSES.index(status), -1 if post is None else index[post])
            for status, post in zip(
                result.outcome_values("status"), result.outcome_values("post"), strict=True
            )
        ]

    def _prepare(self, seed: int, order: Mapping[str, int]) -> _Prepared:
        first = self._first
        if first is None:
            first = prepare(self.scenario, self.policy, self.basis.ranking(seed))
            # Contested schools before _first: a thread seeing _first sees them too.
            self._contested = self._contested_schools(first)
            self._first = first
        # R4 seats are the one part of prepare a seed can change, and only at a school
        # whose protected teachers tie with each other: key on the seats they get there.
        key: tuple[tuple[str, str | None], ...] = ()
        for posts, teachers in self._contested:
            seats, _, _ = protected_seats(posts, teachers, first.home, first.protected, order)
            key += tuple(sorted(seats.items(), key=_FIRST))
        known = self._prepared.get(key)
        if known is not None:
            return known
        prepared = prepare(self.scenario, self.policy, self.basis.ranking(seed))
        in_school = None
        specs = self.policy.rounds
        if specs and specs[0].kind is RoundKind.IN_SCHOOL:
            in_school = self._in_school_market(prepared, order)
        post_index = self.post_index
        template: Draw = []
        for teacher in self.teachers:
            if teacher.id in prepared.protected:
                seat = prepared.protected_post[teacher.id]
                template.append((_PROTECTED, -1 if seat is None else post_index[seat]))
            else:
                template.append((_WAITING, -1))
        pool = [t for t in self.teachers if t.id not in prepared.protected]
        made = _Prepared(
            prepared,
            in_school,
            pool,
            template,
            {p: s.in_school for p, s in prepared.split.items()},
            {p: s.cross_school for p, s in prepared.split.items()},
        )
        self._prepared[key] = made
        return made

    def _contested_schools(self, first: Prepared) -> list[tuple[list[Post], list[Teacher]]]:
        """Per school whose protected teachers tie, its posts and its protected teachers."""
        at: dict[str, list[Teacher]] = defaultdict(list)
        for teacher in self.teachers:
            if teacher.id in first.protected:
                at[first.home[teacher.id]].append(teacher)
        contested = []
        for school in sorted(at):
            classes = [self.priority_class[t.id] for t in at[school]]
            if len(set(classes)) < len(classes):
                posts = [p for p in self.posts.values() if p.school == school]
                contested.append((posts, at[school]))
        return contested

    def _in_school_market(self, prepared: Prepared, order: Mapping[str, int]) -> _InSchool:
        # As the engine's in-school round (R5): a school's own teachers, its in-school seats.
        home = prepared.home
        volunteers = prepared.volunteers
        candidates = [
            t for t in self.teachers if t.id not in prepared.protected and t.id not in volunteers
        ]
        offered = {p: n for p, n in prepared.split.items() if n.in_school > 0}
        seats = {p: s.in_school for p, s in offered.items()}
        offered_at: dict[str, set[str]] = defaultdict(set)
        for post_id in seats:
            offered_at[self.school_of[post_id]].add(post_id)
        none: set[str] = set()
        applied = []
        for teacher in candidates:
            own = offered_at.get(home[teacher.id], none)
            # R5: one who listed no own-school post applies to them, main subject first.
            listed = self._defaults.get(teacher.id, teacher.preferences)
            applied.append([p for p in listed if p in own])
        return _InSchool(candidates, seats, applied, home, self.priority_class, order)

    def _cross(
        self,
        spec: RoundSpec,
        pool: Sequence[Teacher],
        left_in: Mapping[str, int],
        left_cross: Mapping[str, int],
        home: Mapping[str, str],
        order: Mapping[str, int],
    ) -> dict[str, str]:
        # As the engine's cross-school round (R5, R11): other schools' posts in the unit.
        offered = {
            p: left_cross[p] + (left_in[p] if spec.offer_unfilled_in_school_seats else 0)
            for p in self.posts
        }
        offered = {p: n for p, n in offered.items() if n > 0}
        listed = self._cross_lists(spec, home)
        ids: list[str] = []
        applied: list[list[str]] = []
        for teacher in pool:
            posts = [p for p in listed[teacher.id] if p in offered]
            if posts:
                ids.append(teacher.id)
                applied.append(posts)
        return _match(ids, applied, offered, order)

    def _cross_lists(self, spec: RoundSpec, home: Mapping[str, str]) -> dict[str, list[str]]:
        """Per teacher, the preferences a cross-school round lets them apply for when
        offered (R5, R11: another school in the same scope unit), in preference order."""
        known = self._cross_applications.get(spec.name)
        if known is None:
            school_of = self.school_of
            unit = self.units[spec.name]
            known = {}
            for teacher in self.teachers:
                own = home[teacher.id]
                mine = unit[own]
                known[teacher.id] = [
                    p
                    for p in teacher.preferences
                    if p in school_of and unit[school_of[p]] == mine and school_of[p] != own
                ]
            self._cross_applications[spec.name] = known
        return known

    def _adjust(
        self,
        spec: RoundSpec,
        pool: Sequence[Teacher],
        left_in: Mapping[str, int],
        left_cross: Mapping[str, int],
        home: Mapping[str, str],
        order: Mapping[str, int],
    ) -> dict[str, str]:
        # As the engine's adjustment (R6): willing teachers, by performance then rank.
        requires = self.policy.adjustment_requires_willingness
        willing = [t for t in pool if t.willing_to_adjust or not requires]
        vacancies = {
            p: left_in[p] + left_cross[p] for p in self.posts if left_in[p] + left_cross[p] > 0
        }
        _, _, placed = adjustment_placements(
            willing,
            vacancies,
            self.posts,
            self.units[spec.name],
            home,
            lambda t: (-t.performance, order[t.id]),
            self.locality,
        )
        return placed
