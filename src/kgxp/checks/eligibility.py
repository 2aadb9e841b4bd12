"""I3 (eligibility: post, subject, scope, preferences; R11, R12) and I4 (protection, R4)."""

from __future__ import annotations

from kgxp.checks.context import (
    COMPETITIVE,
    IN_SCHOOL,
    NO_POST,
    PLACED,
    PROTECTED,
    STATUS_OF_KIND,
    WAITING,
    Context,
)
from kgxp.checks.violation import Violation
from kgxp.model.policy import RoundSpec
from kgxp.model.result import Outcome
from kgxp.model.scenario import Post, Teacher

__all__ = ["check_eligibility", "check_protection"]

# --- I3 ----------------------------------------------------------------------------------


def check_eligibility(context: Context) -> list[Violation]:
    """I3: a post of a qualified subject, inside the round's scope, among the preferences.

    The scope of in-school placements (the home school) is I6's check and the
    school of protected teachers I4's, so each fact is reported once.
    """
    found = []
    posts, home, tally, fit = context.post_list, context.home, context.tally, context.fit
    qualified, won_rank, school_differs = fit.qualified, fit.won_rank, tally.school_differs
    # Per round: the status its placements carry, the units a placement stays in (none
    # for the in-school round, whose scope is I6's), whether it is competitive.
    rounds = [
        (
            STATUS_OF_KIND[spec.kind],
            None if spec.kind is IN_SCHOOL else context.units(spec.scope),
            spec.kind in COMPETITIVE,
        )
        for spec in context.plan
    ]
    # Test the common cases on the columns (a call, and reading the models again, per
    # teacher was most of I3's time) and leave the details of anything else to
    # `_eligibility_problems`.
    for e, (status, k, i) in enumerate(
        zip(tally.status, tally.round_of, tally.post_at, strict=True)
    ):
        if k >= 0:
            carried, units, competitive = rounds[k]
            if (
                carried is status
                and i >= 0
                and qualified[e]
                and e not in school_differs
                and (units is None or units.get(home[e]) == units.get(posts[i].school))
                and (not competitive or won_rank[e] >= 0)
            ):
                continue
        elif status not in PLACED:
            if i == NO_POST or status is WAITING:
                continue
            if i >= 0 and qualified[e] and e not in school_differs:
                continue
        found += _eligibility_problems(context, e)
    return found


def _eligibility_problems(context: Context, e: int) -> list[Violation]:
    found = []
    outcome, teacher = context.entry_outcomes[e], context.entry_teachers[e]
    teacher_id = outcome.teacher
    spec: RoundSpec | None = None
    if outcome.status in PLACED:
        k = context.round_index.get(outcome.round) if outcome.round is not None else None
        if k is None:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} has status {outcome.status.value} but round "
                    f"{outcome.round} is not a round of the plan",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"status": outcome.status.value, "round": outcome.round},
                )
            )
        elif STATUS_OF_KIND[context.plan[k].kind] is not outcome.status:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} has status {outcome.status.value} but was placed "
                    f"by round {outcome.round}, a {context.plan[k].kind.value} round",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={
                        "status": outcome.status.value,
                        "round": outcome.round,
                        "kind": context.plan[k].kind.value,
                    },
                )
            )
        else:
            spec = context.plan[k]
        if outcome.post is None:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} is placed without a post",
                    teacher=teacher_id,
                    evidence={"status": outcome.status.value},
                )
            )
    if outcome.post is None or outcome.status is WAITING:
        return found  # a waiting teacher's post is I9's
    i = context.tally.post_at[e]
    if i < 0:
        found.append(
            Violation(
                "I3",
                f"teacher {teacher_id} holds post {outcome.post}, which is not in the scenario",
                teacher=teacher_id,
                post=outcome.post,
            )
        )
        return found
    found += _post_problems(context, e, teacher, outcome, context.post_list[i], spec)
    return found


def _post_problems(
    context: Context,
    e: int,
    teacher: Teacher,
    outcome: Outcome,
    post: Post,
    spec: RoundSpec | None,
) -> list[Violation]:
    found = []
    home = context.home[e]
    tid, pid = teacher.id, post.id
    if post.subject not in teacher.subjects:
        found.append(
            Violation(
                "I3",
                f"teacher {tid} holds post {pid} of subject {post.subject}, not one of the "
                "teacher's subjects",
                teacher=tid,
                post=pid,
                evidence={"subject": post.subject, "qualified": list(teacher.subjects)},
            )
        )
    if outcome.school != post.school:
        found.append(
            Violation(
                "I3",
                f"outcome of teacher {tid} names school {outcome.school}, but post {pid} is at "
                f"school {post.school}",
                teacher=tid,
                post=pid,
                evidence={"stated": outcome.school, "expected": post.school},
            )
        )
    if spec is None:
        return found
    if spec.kind is not IN_SCHOOL:
        units = context.units(spec.scope)
        home_unit, post_unit = units.get(home), units.get(post.school)
        if home_unit != post_unit:
            found.append(
                Violation(
                    "I3",
                    f"round {spec.name} ({spec.scope.value} scope) placed teacher {tid} of "
                    f"school {home} at post {pid} of school {post.school}, another "
                    f"{spec.scope.value} (R11)",
                    teacher=tid,
                    post=pid,
                    evidence={
                        "round": spec.name,
                        "scope": spec.scope.value,
                        "home_unit": home_unit,
                        "post_unit": post_unit,
                    },
                )
            )
    if spec.kind in COMPETITIVE and pid not in context.entry_preferences[e]:
        found.append(
            Violation(
                "I3",
                f"round {spec.name} placed teacher {tid} at post {pid}, which the teacher did "
                "not apply for (R12)",
                teacher=tid,
                post=pid,
                evidence={"round": spec.name},
            )
        )
    return found


# --- I4 ----------------------------------------------------------------------------------


def check_protection(context: Context) -> list[Violation]:
    """I4: the R4 teachers, and only they, are placed in advance at their original school."""
    found = []
    r4_conflicts = {c.teacher for c in context.result.conflicts if c.rule == "R4"}
    outcomes, protected_at, status_of = (
        context.entry_outcomes,
        context.protected_at,
        context.tally.status,
    )
    for e in [e for e, status in enumerate(status_of) if status is PROTECTED]:
        if not protected_at[e]:
            outcome = outcomes[e]
            found.append(
                Violation(
                    "I4",
                    f"teacher {outcome.teacher} is marked protected but no R4 category of "
                    "the policy applies",
                    teacher=outcome.teacher,
                    post=outcome.post,
                    evidence={"protected_by": list(outcome.protected_by)},
                )
            )
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    for e in context.protected_entries:
        reasons, outcome = protected_at[e] or (), outcomes[e]  # () never: e is protected
        if status_of[e] is not PROTECTED:
            found.append(
                Violation(
                    "I4",
                    f"protected teacher {outcome.teacher} has status {outcome.status.value}; R4 "
                    "teachers take part in no competition",
                    teacher=outcome.teacher,
                    post=outcome.post,
                    evidence={"status": outcome.status.value, "reasons": list(reasons)},
                )
            )
            continue
        i = post_at[e]
        if (
            tuple(outcome.protected_by) == reasons
            and outcome.round is None
            and i >= 0
            and posts[i].school == homes[e]
        ):
            continue  # the common case, tested without a call
        found += _protected_problems(context, e, reasons, r4_conflicts)
    if r4_conflicts:
        found += _conflict_problems(context)
    return found


def _protected_problems(
    context: Context, e: int, reasons: tuple[str, ...], r4_conflicts: set[str]
) -> list[Violation]:

    found = []
    outcome = context.entry_outcomes[e]
    teacher_id = outcome.teacher
    home = context.home[e]
    if tuple(outcome.protected_by) != reasons:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} lists protected_by "
                f"{list(outcome.protected_by)}, the policy gives {list(reasons)}",
                teacher=teacher_id,
                evidence={"stated": list(outcome.protected_by), "expected": list(reasons)},
            )
        )
    if outcome.round is not None:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} names round {outcome.round}; R4 placement "
                "comes before every round",
                teacher=teacher_id,
                evidence={"round": outcome.round},
            )
        )
    if outcome.post is None:
        if teacher_id not in r4_conflicts:
            found.append(
                Violation(
                    "I4",
                    f"protected teacher {teacher_id} has no post and no R4 conflict explains it",
                    teacher=teacher_id,
                )
            )
        subjects = context.entry_teachers[e].subjects
        protected_holders = context.tally.protected_holders
        for post in context.posts_at_school.get(home, ()):
            if post.subject not in subjects:
                continue
            free = post.seats - post.reserved - protected_holders[context.post_index[post.id]]
            if free > 0:
                found.append(
                    Violation(
                        "I4",
                        f"protected teacher {teacher_id} has no post while post {post.id} of "
                        f"the home school had {free} seat(s) not taken by protected teachers",
                        teacher=teacher_id,
                        post=post.id,
                        evidence={"free": free, "home_school": home},
                    )
                )
        return found
    i = context.tally.post_at[e]
    held = context.post_list[i] if i >= 0 else None
    if held is not None and held.school != home:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} holds post {held.id} at school {held.school}, "
                f"not at the original school {home}",
                teacher=teacher_id,
                post=held.id,
                evidence={"post_school": held.school, "home_school": home},
            )
        )
    return found


def _conflict_problems(context: Context) -> list[Violation]:
    """R4 conflicts must name protected teachers left without a post."""
    found = []
    # Conflicts name protected teachers: their outcomes are all this needs.
    outcome_of = {
        context.entry_teachers[e].id: context.entry_outcomes[e] for e in context.protected_entries
    }
    for conflict in sorted(context.result.conflicts, key=lambda c: (c.teacher, c.message)):
        if conflict.rule != "R4":
            continue
        held = outcome_of.get(conflict.teacher)
        if conflict.teacher not in context.protected or (
            held is not None and held.post is not None
        ):
            found.append(
                Violation(
                    "I4",
                    f"R4 conflict for teacher {conflict.teacher}, who is not a protected teacher "
                    "left without a post",
                    teacher=conflict.teacher,
                    evidence={"school": conflict.school},
                )
            )
    return found
