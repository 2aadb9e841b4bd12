"""I1 (one outcome per teacher) and I2 (seat bookkeeping, R2): nothing lost, nothing over capacity."""

from __future__ import annotations

from collections import Counter

from kgxp.checks.context import Context
from kgxp.checks.violation import Violation
from kgxp.model.result import PostSeats
from kgxp.model.scenario import Post

__all__ = ["check_capacity", "check_conservation"]

# --- I1 ----------------------------------------------------------------------------------


def check_conservation(context: Context) -> list[Violation]:
    """I1: every scenario teacher has exactly one outcome (R7: nobody is lost)."""
    if context.aligned:
        return []  # one outcome per teacher, in the scenario's order
    found = []
    seen: Counter[str] = Counter(o.teacher for o in context.result.outcomes)
    for teacher_id, count in sorted(seen.items()):
        if teacher_id not in context.teachers:
            found.append(
                Violation(
                    "I1",
                    f"outcome for teacher {teacher_id}, who is not in the scenario",
                    teacher=teacher_id,
                    evidence={"outcomes": count},
                )
            )
        elif count > 1:
            found.append(
                Violation(
                    "I1",
                    f"teacher {teacher_id} has {count} outcomes",
                    teacher=teacher_id,
                    evidence={"outcomes": count},
                )
            )
    for teacher_id in sorted(set(context.teachers) - set(seen)):
        found.append(
            Violation(
                "I1",
                f"teacher {teacher_id} has no outcome",
                teacher=teacher_id,
                evidence={"outcomes": 0},
            )
        )
    return found


# --- I2 ----------------------------------------------------------------------------------


def check_capacity(context: Context) -> list[Violation]:
    """I2: no post holds more than its seats less reserved ones (R2); the seat table is true."""
    found = []
    plan_names = set(context.round_index)
    if len(context.row) != len(context.result.posts) or not (
        context.row.keys() <= context.post_index.keys()
    ):
        found += _row_count_problems(context)
    tally = context.tally
    # (round name, per post the teachers it placed there), for `_row_agrees`
    fills = [(spec.name, tally.fills[k]) for k, spec in enumerate(context.plan)]
    for i in context.post_order:
        post, row, holders = context.post_list[i], context.rows_at[i], tally.holders[i]
        if holders > post.seats - post.reserved:
            found.append(
                Violation(
                    "I2",
                    f"post {post.id} is held by {holders} teachers but has {post.seats} seats, "
                    f"{post.reserved} reserved for new recruits (R2)",
                    post=post.id,
                    evidence={"holders": holders, "seats": post.seats, "reserved": post.reserved},
                )
            )
        if row is None:
            found.append(Violation("I2", f"post {post.id} has no seat row", post=post.id))
        elif not _row_agrees(i, post, row, tally.protected_holders[i], fills, plan_names):
            found += _row_problems(context, i, post, row, plan_names)
    return found


def _row_count_problems(context: Context) -> list[Violation]:
    found = []
    rows = Counter(row.post for row in context.result.posts)
    for post_id, count in sorted(rows.items()):
        if post_id not in context.post_index:
            found.append(
                Violation(
                    "I2",
                    f"seat row for post {post_id}, which is not in the scenario",
                    post=post_id,
                    evidence={"rows": count},
                )
            )
        elif count > 1:
            found.append(
                Violation(
                    "I2",
                    f"post {post_id} has {count} seat rows",
                    post=post_id,
                    evidence={"rows": count},
                )
            )
    return found


def _row_agrees(
    i: int,
    post: Post,
    row: PostSeats,
    protected: int,
    fills: list[tuple[str, list[int]]],
    plan_names: set[str],
) -> bool:
    """Whether :func:`_row_problems` finds nothing, tested without building anything."""
    if (
        row.school != post.school
        or row.subject != post.subject
        or row.seats != post.seats
        or row.reserved != post.reserved
        or row.protected != protected
        or not plan_names.issuperset((*row.offered, *row.filled))
    ):
        return False
    filled_total = 0
    for name, filled_at in fills:
        filled = filled_at[i]
        filled_total += filled
        offered = row.offered.get(name, 0)
        if row.filled.get(name, 0) != filled or offered < 0 or offered < filled:
            return False
    return row.vacant == post.seats - post.reserved - protected - filled_total


def _row_problems(
    context: Context, i: int, post: Post, row: PostSeats, plan_names: set[str]
) -> list[Violation]:

    found = []

    def wrong(field: str, stated: object, expected: object, why: str = "") -> None:
        found.append(
            Violation(
                "I2",
                f"seat row of post {post.id}: {field} is {stated}, expected {expected}{why}",
                post=post.id,
                evidence={"field": field, "stated": stated, "expected": expected},
            )
        )

    for field, expected in (
        ("school", post.school),
        ("subject", post.subject),
        ("seats", post.seats),
        ("reserved", post.reserved),
    ):
        stated = getattr(row, field)
        if stated != expected:
            wrong(field, stated, expected, " (scenario)")
    protected = context.tally.protected_holders[i]
    if row.protected != protected:
        wrong("protected", row.protected, protected, " (protected outcomes holding it)")
    unknown = {name for name in (*row.offered, *row.filled) if name not in plan_names}
    for name in sorted(unknown):
        found.append(
            Violation(
                "I2",
                f"seat row of post {post.id} names round {name}, which is not in the plan",
                post=post.id,
                evidence={"round": name},
            )
        )
    filled_total = 0
    for k, spec in enumerate(context.plan):
        filled = context.tally.fills[k][i]
        filled_total += filled
        stated = row.filled.get(spec.name, 0)
        if stated != filled:
            wrong(f"filled[{spec.name}]", stated, filled, " (outcomes placed by that round)")
        offered = row.offered.get(spec.name, 0)
        if offered < 0:
            wrong(f"offered[{spec.name}]", offered, "a count >= 0")
        elif offered < filled:
            found.append(
                Violation(
                    "I2",
                    f"round {spec.name} placed {filled} teachers at post {post.id} but offered "
                    f"{offered} seats",
                    post=post.id,
                    evidence={"round": spec.name, "offered": offered, "filled": filled},
                )
            )
    vacant = post.seats - post.reserved - protected - filled_total
    if row.vacant != vacant:
        wrong("vacant", row.vacant, vacant, " (seats - reserved - protected - filled)")
    return found
