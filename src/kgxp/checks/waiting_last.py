"""I9: waiting is last (R6, R7): only the unplaced wait, and where they may."""

from __future__ import annotations

from kgxp.checks.context import ADJUSTMENT, WAITING, Context
from kgxp.checks.violation import Violation

__all__ = ["check_waiting_is_last"]

# --- I9 ----------------------------------------------------------------------------------


def check_waiting_is_last(context: Context) -> list[Violation]:
    """I9: adjustment only of willing candidates (R6); waiting means no post (R7)."""
    found = []
    outcomes, tally = context.entry_outcomes, context.tally
    if context.policy.adjustment_requires_willingness:
        for index, spec in enumerate(context.plan):
            if spec.kind is not ADJUSTMENT:
                continue
            for e in tally.placed_in[index]:
                if context.entry_teachers[e].willing_to_adjust:
                    continue
                outcome = outcomes[e]
                found.append(
                    Violation(
                        "I9",
                        f"teacher {outcome.teacher}, not willing to accept adjustment, was "
                        f"adjusted by round {spec.name} to post {outcome.post} (R6)",
                        teacher=outcome.teacher,
                        post=outcome.post,
                        evidence={"round": spec.name, "willing_to_adjust": False},
                    )
                )
    # Read field by field (a result's OutcomeTable: its columns, no outcome objects built).
    for status, teacher_id, post, name, shadow in zip(
        tally.status,
        *map(context.entry_values, ("teacher", "post", "round", "school")),
        strict=True,
    ):
        if status is not WAITING:
            continue
        if post is not None or name is not None:
            found.append(
                Violation(
                    "I9",
                    f"waiting teacher {teacher_id} has post {post}, round "
                    f"{name}; waiting means unplaced after every round",
                    teacher=teacher_id,
                    post=post,
                    evidence={"post": post, "round": name},
                )
            )
        school = context.schools.get(shadow or "")
        if school is None or school.merged_into is not None:
            found.append(
                Violation(
                    "I9",
                    f"waiting teacher {teacher_id} is assigned school {shadow} for "
                    "shadow learning, which is "
                    + ("not an open school" if school is not None else "not in the scenario")
                    + " (R7)",
                    teacher=teacher_id,
                    evidence={"school": shadow},
                )
            )
    return found
