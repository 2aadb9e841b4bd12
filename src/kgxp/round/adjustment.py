"""R6 organisational adjustment (组织调剂): willing losers to the remaining vacancies.

Seed 000: "依据教师任教学科和教学业绩进行组织调剂" — by the subject taught and
teaching performance. A teacher may be assigned to a vacancy of any subject they
are qualified for, inside the round's scope unit; priority is teaching
performance, then the competition ranking (``Ranking.adjustment_key``).

Three phases:

1. **Who is placed** — the greedy algorithm on the transversal matroid: take
   teachers in priority order and keep each one if everyone kept so far plus them
   can still be seated (an augmenting path). This gives at once the largest
   number placed and no willing teacher left out while a lower-priority one takes
   a seat the first could fill (I8). Seats of one subject in one scope unit are
   interchangeable for this question, so the graph has one node per
   (unit, subject) pool rather than per post: small even for a province.
2. **Which subject** — the subject taught comes first: in priority order, each
   kept teacher is moved into their main subject whenever an alternating path
   that moves only lower-priority teachers (never out of the set kept) allows it,
   then fixed there. So a teacher sits in their main subject wherever the merit
   order allows, in another qualified subject only after that.
3. **Where** — OR-Tools min-cost flow seats exactly that set, each teacher in a
   pool of the subject tier phase 2 fixed (main subject, or any other qualified
   subject): a listed preference costs its rank; an unlisted post costs more.
   Balance — rural schools, the 体音美 shortage subjects (R12 均衡发展, R17) — only
   chooses among seats equally good for the teacher: posts of the same tier the
   teacher did not list.

Each placed teacher's reason says what decided the seat (``decided_by``):
``main_subject``; ``other_subject`` (no main-subject seat was left for them by
merit, and one other subject had a vacancy for them); ``balance`` (several of
their other subjects had vacancies and balance chose among them).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from heapq import heappop, heappush

import attrs

from kgxp.model.building import trusted
from kgxp.model.result import Reason, SolverStats
from kgxp.model.scenario import Locality, Post, Teacher
from kgxp.round.ranking import Ranking
from kgxp.round.scoring import ScoreKey, written_score_key

__all__ = ["AdjustmentOutcome", "adjustment_placements", "run_adjustment"]

MAIN_SUBJECT = "main_subject"
OTHER_SUBJECT = "other_subject"
BALANCE = "balance"
SHORTAGE_SUBJECTS = frozenset({"体育", "音乐", "美术"})
_UNLISTED = 1000  # any listed preference beats any unlisted post
_URBAN_PENALTY = 20
_NON_SHORTAGE_PENALTY = 10


@attrs.frozen
class AdjustmentOutcome:
    placed: Mapping[str, str]
    reasons: Mapping[str, tuple[Reason, ...]]
    solver: SolverStats


def run_adjustment(
    round_name: str,
    candidates: Sequence[Teacher],
    vacancies: Mapping[str, int],
    posts: Mapping[str, Post],
    unit_of_school: Mapping[str, str],
    home: Mapping[str, str],
    ranking: Ranking,
    locality: Mapping[str, Locality],
) -> AdjustmentOutcome:
    """Assign ``candidates`` (willing, unplaced) to ``vacancies`` (post id -> seats)."""
    people, options, placed = adjustment_placements(
        candidates, vacancies, posts, unit_of_school, home, ranking.adjustment_key, locality
    )
    reasons = _explain(round_name, people, placed, options, posts, ranking)
    solver = SolverStats(
        mechanism="greedy_matroid+main_subject_first+min_cost_flow",
        status="optimal",
        objective=len(placed),
        bound=len(placed),
    )
    return AdjustmentOutcome(placed=placed, reasons=reasons, solver=solver)


def adjustment_placements(
    candidates: Sequence[Teacher],
    vacancies: Mapping[str, int],
    posts: Mapping[str, Post],
    unit_of_school: Mapping[str, str],
    home: Mapping[str, str],
    priority: Callable[[Teacher], tuple[float, int]],
    locality: Mapping[str, Locality],
) -> tuple[list[Teacher], dict[str, list[tuple[str, str]]], dict[str, str]]:
    """Who is adjusted to which post, without reasons: the candidates in ``priority``
    order (R6: ``Ranking.adjustment_key``), each one's (unit, subject) options, the seats.

    ``run_adjustment`` explains these placements; ``lottery_odds`` needs only them.
    """
    pools: dict[tuple[str, str], int] = defaultdict(int)
    for post_id in sorted(vacancies):
        if vacancies[post_id] > 0:
            post = posts[post_id]
            pools[(unit_of_school[post.school], post.subject)] += vacancies[post_id]
    people = sorted(candidates, key=priority)
    options = {
        t.id: [
            (unit_of_school[home[t.id]], s)
            for s in t.subjects
            if pools.get((unit_of_school[home[t.id]], s), 0) > 0
        ]
        for t in people
    }
    chosen, state = _greedy_by_priority(people, options, pools)
    kept = set(chosen)
    kept_people = [t for t in people if t.id in kept]
    _main_subject_first(kept_people, options, pools, state)
    placed = _seat(kept_people, options, state.pool_of, vacancies, posts, unit_of_school, locality)
    return people, options, placed


def _greedy_by_priority(
    people: Sequence[Teacher],
    options: Mapping[str, list[tuple[str, str]]],
    capacity: Mapping[tuple[str, str], int],
) -> tuple[list[str], _Pools]:
    """Keep each teacher, in priority order, if an augmenting path seats them."""
    pools = _Pools(options)
    chosen: list[str] = []
    for teacher in people:
        path = _augmenting_path(teacher.id, options[teacher.id], options, capacity, pools)
        if path is None:
            continue
        for who, pool in path:
            pools.move(who, pool)
        chosen.append(teacher.id)
    return chosen, pools


def _main_subject_first(
    kept: Sequence[Teacher],
    options: Mapping[str, list[tuple[str, str]]],
    capacity: Mapping[tuple[str, str], int],
    pools: _Pools,
) -> None:
    """R6 "依据任教学科": move each kept teacher, in priority order, into their main subject
    when an alternating path moving only lower-priority kept teachers allows it; then fix
    them where they are. Nobody leaves the kept set, so phase 1's I8 guarantee stands."""
    movable: dict[str, list[tuple[str, str]]] = {who: list(found) for who, found in options.items()}
    for teacher in kept:
        who = teacher.id
        current = pools.pool_of[who]
        main = (current[0], teacher.subjects[0])
        if current != main and main in movable[who]:
            pools.remove(who)  # its seat in `current` is free for the path to end on
            path = _augmenting_path(who, [main], movable, capacity, pools)
            for mover, pool in path or [(who, current)]:
                pools.move(mover, pool)
        movable[who] = []  # fixed: later (lower-priority) teachers cannot move them
        pools.fix(who)


_Pool = tuple[str, str]  # (scope unit, subject)
_Signature = tuple[_Pool, ...]  # a teacher's options


class _Pools:
    """Who holds a seat of each pool so far, grouped by the holders' options.

    Holders with the same options can reach the same pools, so the search needs
    one of each group — the one with the smallest id, as a scan of the sorted
    holders would find — not a scan of every holder: a county-wide pool can
    hold thousands of teachers. Each group keeps its members (a set) and a heap
    of their ids; ids of teachers who moved on are dropped from the heap when
    they reach its top.
    """

    def __init__(self, options: Mapping[str, list[_Pool]]) -> None:
        self.signature = {who: tuple(pools) for who, pools in options.items()}
        self.pool_of: dict[str, _Pool] = {}
        self.held: dict[_Pool, int] = defaultdict(int)
        self.groups: dict[_Pool, dict[_Signature, tuple[set[str], list[str]]]] = defaultdict(dict)

    def move(self, who: str, pool: _Pool) -> None:
        signature = self.signature[who]
        previous = self.pool_of.get(who)
        if previous is not None:
            self.groups[previous][signature][0].discard(who)  # its heap entry goes stale
            self.held[previous] -= 1
        self.pool_of[who] = pool
        members, ids = self.groups[pool].setdefault(signature, (set(), []))
        members.add(who)
        heappush(ids, who)
        self.held[pool] += 1

    def remove(self, who: str) -> None:
        """Take ``who`` out of their pool (put back with :meth:`move`)."""
        pool = self.pool_of.pop(who)
        self.groups[pool][self.signature[who]][0].discard(who)  # its heap entry goes stale
        self.held[pool] -= 1

    def fix(self, who: str) -> None:
        """Keep ``who`` where they are: regrouped under the empty signature, which a
        search explores without moving anyone (their options read as none)."""
        pool = self.pool_of[who]
        self.remove(who)
        self.signature[who] = ()
        self.move(who, pool)

    def representatives(self, pool: _Pool) -> list[tuple[str, _Signature]]:
        """(smallest holder id, signature) of each group of the pool's holders, by id."""
        found = []
        for signature, (members, ids) in self.groups[pool].items():
            while ids and ids[0] not in members:
                heappop(ids)
            if ids:
                found.append((ids[0], signature))
        return sorted(found)


def _augmenting_path(
    start: str,
    targets: Sequence[tuple[str, str]],
    options: Mapping[str, list[tuple[str, str]]],
    capacity: Mapping[tuple[str, str], int],
    pools: _Pools,
) -> list[tuple[str, tuple[str, str]]] | None:
    """BFS from ``start`` (entering one of ``targets``) over pools, moving holders along
    their ``options``; returns the (teacher, new pool) moves, or None."""
    came_from: dict[tuple[str, str], tuple[str, tuple[str, str] | None]] = {}
    queue: deque[tuple[str, tuple[str, str] | None]] = deque([(start, None)])
    # Holders with the same options can reach the same pools: explore one of each.
    explored: set[tuple[tuple[str, str], ...]] = set()
    while queue:
        who, via = queue.popleft()
        for pool in targets if via is None else options[who]:
            if pool in came_from:
                continue
            came_from[pool] = (who, via)
            if pools.held[pool] < capacity[pool]:
                moves = []
                current: tuple[str, str] | None = pool
                while current is not None:
                    mover, previous = came_from[current]
                    moves.append((mover, current))
                    current = previous
                return moves
            for holder, signature in pools.representatives(pool):
                if signature not in explored:
                    explored.add(signature)
                    queue.append((holder, pool))
    return None


def _seat(
    chosen: Sequence[Teacher],
    options: Mapping[str, list[tuple[str, str]]],
    pool_of: Mapping[str, tuple[str, str]],
    vacancies: Mapping[str, int],
    posts: Mapping[str, Post],
    unit_of_school: Mapping[str, str],
    locality: Mapping[str, Locality],
) -> dict[str, str]:
    """Min-cost flow from the chosen teachers to concrete posts; every chosen one is seated.

    Arcs: source → teacher; teacher → listed post (cost = preference rank);
    teacher → (unit, subject) pool (cost ``_UNLISTED``); pool → post (balance
    cost); post → sink (its vacancies). A teacher's arcs reach only the subjects of
    the tier :func:`_main_subject_first` fixed (their main subject, or their other
    subjects), so balance never outweighs the subject taught; ``pool_of`` is a
    seating within those tiers, so one exists. Node and arc order follow sorted ids,
    so the solution is the same on every run (I12).
    """
    if not chosen:
        return {}
    teachers = sorted(chosen, key=lambda t: t.id)
    post_ids = sorted(p for p, n in vacancies.items() if n > 0)
    units = {pool_of[t.id][0] for t in teachers}
    pools = sorted(
        {(unit_of_school[posts[p].school], posts[p].subject) for p in post_ids}
        & {(u, s) for t in teachers for u in units for s in t.subjects}
    )
    counter = iter(range(2 + len(teachers) + len(pools) + len(post_ids)))
    source, sink = next(counter), next(counter)
    teacher_node = {t.id: next(counter) for t in teachers}
    pool_node = {pool: next(counter) for pool in pools}
    post_node = {p: next(counter) for p in post_ids}

    from ortools.graph.python import min_cost_flow  # OR-Tools loads only when a round adjusts

    flow = min_cost_flow.SimpleMinCostFlow()
    direct: list[tuple[int, str, str]] = []  # (arc, teacher, post)
    via_pool: list[tuple[int, str, tuple[str, str]]] = []  # (arc, teacher, pool)
    for teacher in teachers:
        unit, subject_now = pool_of[teacher.id]
        in_main = subject_now == teacher.subjects[0]
        tier = {s for _, s in options[teacher.id] if (s == teacher.subjects[0]) == in_main}
        flow.add_arc_with_capacity_and_unit_cost(source, teacher_node[teacher.id], 1, 0)
        for rank, post_id in enumerate(teacher.preferences):
            post = posts.get(post_id)
            if (
                post_id in post_node
                and post is not None
                and post.subject in tier
                and unit_of_school[post.school] == unit
            ):
                arc = flow.add_arc_with_capacity_and_unit_cost(
                    teacher_node[teacher.id], post_node[post_id], 1, rank
                )
                direct.append((arc, teacher.id, post_id))
        for subject in teacher.subjects:
            pool = (unit, subject)
            if pool in pool_node and subject in tier:
                arc = flow.add_arc_with_capacity_and_unit_cost(
                    teacher_node[teacher.id], pool_node[pool], 1, _UNLISTED
                )
                via_pool.append((arc, teacher.id, pool))
    pool_posts: list[tuple[int, tuple[str, str], str]] = []  # (arc, pool, post)
    for post_id in post_ids:
        post = posts[post_id]
        pool = (unit_of_school[post.school], post.subject)
        if pool in pool_node:
            arc = flow.add_arc_with_capacity_and_unit_cost(
                pool_node[pool],
                post_node[post_id],
                vacancies[post_id],
                _balance_cost(post, locality),
            )
            pool_posts.append((arc, pool, post_id))
        flow.add_arc_with_capacity_and_unit_cost(post_node[post_id], sink, vacancies[post_id], 0)
    flow.set_node_supply(source, len(teachers))
    flow.set_node_supply(sink, -len(teachers))
    status = flow.solve()
    if status != flow.OPTIMAL:
        # Phase 1 proved that a seating exists, so this is a bug, not bad input.
        raise RuntimeError(f"adjustment seating failed: min-cost-flow status {status}")

    placed = {t: post_id for arc, t, post_id in direct if flow.flow(arc)}
    # A pool's flow is split over posts; hand its seats to its teachers in id order.
    seats_in_pool: dict[tuple[str, str], list[str]] = defaultdict(list)
    for arc, pool, post_id in pool_posts:
        seats_in_pool[pool] += [post_id] * flow.flow(arc)
    for arc, t, pool in via_pool:
        if flow.flow(arc):
            placed[t] = seats_in_pool[pool].pop(0)
    return placed


def _balance_cost(post: Post, locality: Mapping[str, Locality]) -> int:
    cost = 0 if locality[post.school] is Locality.RURAL else _URBAN_PENALTY
    return cost + (0 if post.subject in SHORTAGE_SUBJECTS else _NON_SHORTAGE_PENALTY)


def _seat_basis(teacher: Teacher, post: Post, options: Mapping[str, list[tuple[str, str]]]) -> str:
    """What decided an adjusted teacher's seat: ``main_subject``; ``other_subject`` (one
    other subject had a vacancy for them); ``balance`` (several did: balance chose)."""
    main = teacher.subjects[0]
    if post.subject == main:
        return MAIN_SUBJECT
    others = {subject for _, subject in options[teacher.id] if subject != main}
    return BALANCE if len(others) > 1 else OTHER_SUBJECT


def _explain(
    round_name: str,
    people: Sequence[Teacher],
    placed: Mapping[str, str],
    options: Mapping[str, list[tuple[str, str]]],
    posts: Mapping[str, Post],
    ranking: Ranking,
) -> dict[str, tuple[Reason, ...]]:
    reasons: dict[str, tuple[Reason, ...]] = {}
    # The teachers left unplaced share one (frozen) reason per code and score (issue 19:
    # the result's memory); keyed by the digits and exponent, not the value, so 0.00
    # and -0.00 stay apart as in the JSON.
    unplaced: dict[tuple[bool, ScoreKey], tuple[Reason, ...]] = {}
    for teacher in people:
        score = ranking.score[teacher.id]
        if teacher.id in placed:
            reasons[teacher.id] = (
                trusted(
                    Reason,
                    rule="R6",
                    code="placed",
                    round=round_name,
                    post=placed[teacher.id],
                    score=score,
                    decided_by=_seat_basis(teacher, posts[placed[teacher.id]], options),
                    detail=f"performance {teacher.performance:g}",
                ),
            )
        else:
            eligible = bool(options[teacher.id])
            key = (eligible, written_score_key(score))
            found = unplaced.get(key)
            if found is None:
                found = unplaced[key] = (
                    trusted(
                        Reason,
                        rule="R6",
                        code="lower_adjustment_priority",
                        round=round_name,
                        score=score,
                        detail="the vacancies of their subjects went to teachers with higher "
                        "teaching performance",
                    )
                    if eligible
                    else trusted(
                        Reason,
                        rule="R6",
                        code="not_eligible",
                        round=round_name,
                        score=score,
                        detail="no vacancy of a qualified subject in scope",
                    ),
                )
            reasons[teacher.id] = found
    return reasons
