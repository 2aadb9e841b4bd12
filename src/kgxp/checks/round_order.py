"""I5 (the R5 split of seats) and I6 (round order: home school, in-school before cross-school; R3, R5)."""

from __future__ import annotations

from kgxp.checks.context import COMPETITIVE, CROSS_SCHOOL, IN_SCHOOL, NO_POST, Context
from kgxp.checks.violation import Violation
from kgxp.model.policy import RoundSpec

__all__ = ["check_round_order", "check_split"]

# --- I5 ----------------------------------------------------------------------------------


def check_split(context: Context) -> list[Violation]:
    """I5: the R5 split of each post, and the seats each competitive round offers."""
    found = []
    split, offers = context.split, context.expected_offers
    competitive = [(k, spec) for k, spec in enumerate(context.plan) if spec.kind in COMPETITIVE]
    for i in context.post_order:
        post, row = context.post_list[i], context.rows_at[i]
        if row is None:
            continue  # I2 reports it
        expected = split[i]
        if (row.in_school, row.cross_school) != (expected.in_school, expected.cross_school):
            found.append(
                Violation(
                    "I5",
                    f"post {post.id} splits its seats {row.in_school} in-school / "
                    f"{row.cross_school} cross-school; the policy gives {expected.in_school} / "
                    f"{expected.cross_school}",
                    post=post.id,
                    evidence={
                        "stated": [row.in_school, row.cross_school],
                        "expected": [expected.in_school, expected.cross_school],
                    },
                )
            )
        for k, spec in competitive:
            stated, should = row.offered.get(spec.name, 0), offers[k][i]
            if stated != should:
                found.append(
                    Violation(
                        "I5",
                        f"round {spec.name} offered {stated} seats of post {post.id}; the split "
                        f"leaves it {should}",
                        post=post.id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
    return found


# --- I6 ----------------------------------------------------------------------------------


def check_round_order(context: Context) -> list[Violation]:
    """I6: in-school rounds place a school's own teachers (R3 included), cross-school ones others."""
    found = []
    outcomes, homes, tally = context.entry_outcomes, context.home, context.tally
    for e in tally.home_differs:
        outcome, home = outcomes[e], homes[e]
        found.append(
            Violation(
                "I6",
                f"outcome of teacher {outcome.teacher} names home school {outcome.home_school}; "
                f"the teacher's in-school round is school {home}'s (R3)",
                teacher=outcome.teacher,
                evidence={"stated": outcome.home_school, "expected": home},
            )
        )
    for k, spec in enumerate(context.plan):
        if spec.kind is IN_SCHOOL:
            found += _in_school_problems(context, spec, tally.placed_in[k])
        elif spec.kind is CROSS_SCHOOL:
            found += _cross_school_problems(context, spec, tally.placed_in[k])
    return found


def _in_school_problems(context: Context, spec: RoundSpec, placed: list[int]) -> list[Violation]:
    found = []
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    volunteer_at = context.volunteer_at
    for e in placed:
        i, home = post_at[e], homes[e]
        if i == NO_POST or not (volunteer_at[e] or (i >= 0 and posts[i].school != home)):
            continue
        outcome = context.entry_outcomes[e]
        teacher_id = outcome.teacher
        if volunteer_at[e]:
            found.append(
                Violation(
                    "I6",
                    f"volunteer {teacher_id} was placed by the in-school round {spec.name}, "
                    "which volunteers skip",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"round": spec.name},
                )
            )
        if i >= 0 and posts[i].school != home:
            post = posts[i]
            found.append(
                Violation(
                    "I6",
                    f"in-school round {spec.name} placed teacher {teacher_id} of school "
                    f"{home} at post {post.id} of school {post.school}",
                    teacher=teacher_id,
                    post=post.id,
                    evidence={
                        "round": spec.name,
                        "home_school": home,
                        "post_school": post.school,
                    },
                )
            )
    return found


def _cross_school_problems(context: Context, spec: RoundSpec, placed: list[int]) -> list[Violation]:

    found = []
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    for e in placed:
        i, home = post_at[e], homes[e]
        if i < 0 or posts[i].school != home:
            continue
        post, teacher_id = posts[i], context.entry_outcomes[e].teacher
        found.append(
            Violation(
                "I6",
                f"cross-school round {spec.name} placed teacher {teacher_id} at post "
                f"{post.id} of the teacher's own school {home}",
                teacher=teacher_id,
                post=post.id,
                evidence={"round": spec.name, "home_school": home},
            )
        )
    return found
