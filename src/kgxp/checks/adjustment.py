"""I8: the adjustment round seats willing losers by merit (R6)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from itertools import accumulate

from kgxp.checks.context import ADJUSTMENT, Context
from kgxp.checks.violation import Violation
from kgxp.model.policy import RoundSpec

__all__ = ["check_adjustment_by_merit"]

# --- I8 ----------------------------------------------------------------------------------


def check_adjustment_by_merit(context: Context) -> list[Violation]:
    """I8: R6 assigns the remaining vacancies by subject and teaching performance.

    For each adjustment round: it offers every seat still unfilled (R6 "where
    vacancies remain"); and no candidate it leaves unplaced could fill a seat
    that was adjusted to a teacher of lower adjustment priority
    (:meth:`~kgxp.round.ranking.Ranking.adjustment_key`) or that the round left free.
    Seats of one subject in one scope unit are interchangeable here. And the subject
    taught comes first (seed 000: 依据教师任教学科): no teacher is adjusted outside their
    main subject while a seat of it stayed free in their unit, or while a lower-priority
    teacher holds one and could take the first teacher's seat instead (a swap).
    """
    found = []
    for index, spec in enumerate(context.plan):
        if spec.kind is not ADJUSTMENT:
            continue
        should_offer = context.expected_offers[index]
        for i in context.post_order:
            post, row = context.post_list[i], context.rows_at[i]
            if row is None:
                continue
            stated, should = row.offered.get(spec.name, 0), should_offer[i]
            if stated != should:
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} offered {stated} seats of post {post.id}, "
                        f"but {should} remained (R6)",
                        post=post.id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
        found += _adjustment_merit(context, index, spec)
    return found


def _main_subject_first(
    context: Context,
    index: int,
    spec: RoundSpec,
    pool_free: dict[tuple[str | None, str], list[tuple[str, int]]],
) -> list[Violation]:
    """R6 依据任教学科: an adjusted teacher outside their main subject could not have had it."""
    ranking = context.ranking
    units = context.units(spec.scope)
    posts, teachers, tally = context.post_list, context.entry_teachers, context.tally
    holders: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for e in tally.placed_in[index]:
        i = tally.post_at[e]
        if i >= 0:
            holders[(units.get(posts[i].school), posts[i].subject)].append(e)
    swaps = _Swaps(context, holders)
    found = []
    for e in tally.placed_in[index]:
        i = tally.post_at[e]
        teacher = teachers[e]
        if i < 0 or posts[i].subject == teacher.subjects[0]:
            continue
        main = (units.get(context.home[e]), teacher.subjects[0])
        free = pool_free.get(main)
        # The first holder of a main-subject seat, by id, of lower priority and able to
        # teach the post's subject (only asked when no main-subject seat stayed free).
        swap = (
            None if free else swaps.first(main, posts[i].subject, ranking.adjustment_key(teacher))
        )
        if free or swap:
            found.append(
                Violation(
                    "I8",
                    f"adjustment round {spec.name} seated teacher {teacher.id} at post "
                    f"{posts[i].id} ({posts[i].subject}), outside their main subject "
                    f"{teacher.subjects[0]}, while "
                    + (
                        f"post {free[0][0]} of it kept a seat free"
                        if free
                        else f"lower-priority teacher {swap} held a seat of it and could take "
                        f"post {posts[i].id} instead"
                    )
                    + " (R6)",
                    teacher=teacher.id,
                    post=posts[i].id,
                    evidence={
                        "round": spec.name,
                        "kind": "main_subject_free" if free else "main_subject_swap",
                        "main_subject": teacher.subjects[0],
                        **({"rival": swap} if swap and not free else {}),
                    },
                )
            )
    return found


class _Swaps:
    """Per pool (unit, subject) of the adjustment round and subject to swap to: its holders
    who teach that subject, by id, with their adjustment keys and the running maximum of
    those keys, built on first use. The first holder (by id) whose key exceeds a teacher's
    is then a bisection of the running maximum, not a sort and a scan per teacher."""

    def __init__(self, context: Context, holders: dict[tuple[str | None, str], list[int]]) -> None:
        self.context = context
        self.holders = holders
        self.tables: dict[
            tuple[str | None, str, str], tuple[list[str], list[tuple[float, int]]]
        ] = {}

    def first(
        self, pool: tuple[str | None, str], subject: str, key: tuple[float, int]
    ) -> str | None:
        table = self.tables.get((*pool, subject))
        if table is None:
            table = self.tables[(*pool, subject)] = self._table(pool, subject)
        ids, running = table
        j = bisect_right(running, key)
        return ids[j] if j < len(ids) else None

    def _table(
        self, pool: tuple[str | None, str], subject: str
    ) -> tuple[list[str], list[tuple[float, int]]]:
        teachers, ranking = self.context.entry_teachers, self.context.ranking
        able = sorted(
            (teachers[h].id, ranking.adjustment_key(teachers[h]))
            for h in self.holders.get(pool, ())
            if subject in teachers[h].subjects
        )
        ids = [teacher_id for teacher_id, _ in able]
        running = list(accumulate((key for _, key in able), max))
        return ids, running


def _adjustment_merit(context: Context, index: int, spec: RoundSpec) -> list[Violation]:
    ranking = context.ranking
    units = context.units(spec.scope)
    posts, teachers, tally = context.post_list, context.entry_teachers, context.tally
    pool_worst: dict[tuple[str | None, str], tuple[tuple[float, int], str, str]] = {}
    for e in tally.placed_in[index]:
        i = tally.post_at[e]
        if i < 0:
            continue
        post, teacher = posts[i], teachers[e]
        pool = (units.get(post.school), post.subject)
        entry = (ranking.adjustment_key(teacher), teacher.id, post.id)
        current = pool_worst.get(pool)
        if current is None or entry > current:
            pool_worst[pool] = entry
    pool_free: dict[tuple[str | None, str], list[tuple[str, int]]] = defaultdict(list)
    offers = context.offers(index)
    for post, filled in zip(posts, tally.fills[index], strict=True):
        free = offers.get(post.id, 0) - filled
        if free > 0:
            pool_free[(units.get(post.school), post.subject)].append((post.id, free))
    found = _main_subject_first(context, index, spec, pool_free)
    need_willing = context.policy.adjustment_requires_willingness
    for e, (reasons, k) in enumerate(zip(context.protected_at, tally.round_of, strict=True)):
        if reasons is not None or 0 <= k <= index:
            continue  # not a candidate (protected, or placed earlier), or placed by this round
        teacher = teachers[e]
        if need_willing and not teacher.willing_to_adjust:
            continue
        teacher_id = teacher.id
        key = ranking.adjustment_key(teacher)
        unit = units.get(context.home[e])
        for subject in dict.fromkeys(teacher.subjects):
            rival = pool_worst.get((unit, subject))
            if rival is not None and rival[0] > key:
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} left teacher {teacher_id} unplaced but "
                        f"adjusted teacher {rival[1]}, of lower adjustment priority, to post "
                        f"{rival[2]} ({subject}) that teacher {teacher_id} could fill",
                        teacher=teacher_id,
                        post=rival[2],
                        evidence={
                            "round": spec.name,
                            "kind": "lower_priority_adjusted",
                            "rival": rival[1],
                            "teacher_key": list(key),
                            "rival_key": list(rival[0]),
                            "subject": subject,
                        },
                    )
                )
            for post_id, free in pool_free.get((unit, subject), ()):
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} left teacher {teacher_id} unplaced while "
                        f"post {post_id} ({subject}) kept {free} seat(s) free",
                        teacher=teacher_id,
                        post=post_id,
                        evidence={
                            "round": spec.name,
                            "kind": "free_seat",
                            "free": free,
                            "subject": subject,
                        },
                    )
                )
    return found
