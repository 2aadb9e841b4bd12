"""Stage 1: R3 transfers, R2 reserved seats, R4 protected pre-placement, R5 split.

Pure function of (scenario, policy, ranking). Protected teachers are placed at
their original school (the receiving school when theirs was merged, R3) in a
post of their main subject, else of another subject they are qualified for.
When no such seat is left, the result carries a :class:`~kgxp.model.result.Conflict`
(rule R4) instead of overfilling a post or crashing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import compress
from operator import itemgetter, not_

import attrs

from kgxp.model.policy import Policy
from kgxp.model.result import Conflict
from kgxp.model.scenario import Post, Scenario, Teacher
from kgxp.model.teacher_columns import teacher_columns
from kgxp.round.applications import not_applying_in_school
from kgxp.round.protection import scenario_protected
from kgxp.round.ranking import Ranking
from kgxp.round.split import SeatSplit, own_candidates_by_post, split_seats

__all__ = ["Prepared", "prepare", "protected_seats"]


@attrs.frozen
class Prepared:
    """What every later stage starts from."""

    home: Mapping[str, str]  # teacher id -> school whose in-school round they join (R3)
    protected: Mapping[str, tuple[str, ...]]  # teacher id -> R4 reasons
    protected_post: Mapping[str, str | None]  # teacher id -> post (None: conflict)
    conflicts: tuple[Conflict, ...]
    remaining: Mapping[str, int]  # post id -> seats less reserved (R2) and protected (R4)
    split: Mapping[str, SeatSplit]  # post id -> R5 split of the remaining seats
    volunteers: frozenset[str]  # teachers who skip the in-school round (policy permitting)


def prepare(scenario: Scenario, policy: Policy, ranking: Ranking) -> Prepared:
    receiving = scenario.receiving_schools()
    teachers = scenario.teachers
    # The teachers as columns, read once per scenario and shared with verify (at 100,000s
    # of teachers, reading the objects costs more than what is done with them; issue 19).
    columns = teacher_columns(scenario)
    ids, schools, subjects = columns.ids, columns.schools, columns.subjects
    homes = list(map(receiving.__getitem__, schools))
    home = dict(zip(ids, homes, strict=True))
    protected = scenario_protected(scenario, policy)
    protected_post, conflicts, free = protected_seats(
        scenario.posts,
        list(compress(teachers, map(protected.__contains__, ids))),
        home,
        protected,
        ranking.order,
    )
    volunteers = (
        frozenset(compress(ids, columns.volunteers)) - protected.keys()
        if policy.allow_voluntary_cross_school
        else frozenset()
    )
    # R5: a teacher who does not compete in-school is no school's own candidate.
    absent = not_applying_in_school(scenario, policy)
    skip = protected.keys() | volunteers | absent
    # R5 shortage_first: per post, its school's competing teachers of its subject, counted
    # from the columns as (home, main subject) of each who competes.
    own_candidates = own_candidates_by_post(
        scenario.posts,
        compress(
            zip(homes, map(itemgetter(0), subjects), strict=True),
            map(not_, map(skip.__contains__, ids)),
        ),
    )
    split = split_seats(scenario.posts, free, own_candidates, policy)
    return Prepared(
        home=home,
        protected=protected,
        protected_post=protected_post,
        conflicts=tuple(sorted(conflicts, key=lambda c: c.teacher)),
        remaining=free,
        split=split,
        volunteers=volunteers,
    )


def protected_seats(
    posts: Sequence[Post],
    teachers: Sequence[Teacher],
    home: Mapping[str, str],
    protected: Mapping[str, tuple[str, ...]],
    order: Mapping[str, int],
) -> tuple[dict[str, str | None], list[Conflict], dict[str, int]]:
    """R4: each protected teacher's seat, in ranking ``order`` (the better claims first);
    the conflicts (no seat left); the seats left free (R2: reserved seats withheld).

    The one part of ``prepare`` a lottery seed can change: only when protected teachers
    of one school tie and contend for its seats (``lottery_odds`` keeps one ``Prepared``
    per answer, and asks again only for such schools: a teacher claims seats at their
    home school only, so schools are independent).
    """
    free = {p.id: p.seats - p.reserved for p in posts}  # R2: reserved seats withheld
    posts_at: dict[str, list[Post]] = defaultdict(list)
    for post in sorted(posts, key=lambda p: p.id):
        posts_at[post.school].append(post)

    protected_post: dict[str, str | None] = {}
    conflicts: list[Conflict] = []
    by_rank = sorted((t for t in teachers if t.id in protected), key=lambda t: order[t.id])
    for teacher in by_rank:
        seat = _protected_seat(teacher, posts_at[home[teacher.id]], free)
        protected_post[teacher.id] = seat
        if seat is None:
            conflicts.append(
                Conflict(
                    rule="R4",
                    teacher=teacher.id,
                    school=home[teacher.id],
                    message="protected teacher has no free seat of a qualified subject at the "
                    "original school; kept protected without a post",
                )
            )
        else:
            free[seat] -= 1
    return protected_post, conflicts, free


def _protected_seat(teacher: Teacher, posts: list[Post], free: Mapping[str, int]) -> str | None:
    """R4 'corresponding post': main subject first, then listed preference, then most room."""
    subject_rank = {subject: k for k, subject in enumerate(teacher.subjects)}
    open_posts = [p for p in posts if p.subject in subject_rank and free[p.id] > 0]
    if not open_posts:
        return None
    if len(open_posts) == 1:  # the common case: nothing to choose between
        return open_posts[0].id
    preference = {post_id: k for k, post_id in enumerate(teacher.preferences)}
    best = min(
        open_posts,
        key=lambda p: (
            subject_rank[p.subject],
            preference.get(p.id, len(preference)),
            -free[p.id],
            p.id,
        ),
    )
    return best.id
