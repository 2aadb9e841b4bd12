"""R5: who applies for which posts of their own school in the in-school round.

Under 县管校聘 every teacher of a school competes in its in-school round (seed 000:
在剩余岗位中按照本校竞聘上岗90%…的原则分两批组织…教师竞聘上岗; the brief's R5: every
teacher of a school takes part in its in-school round). A teacher whose preferences
list none of their own school's posts therefore applies, by default, to the own
school's posts of their **main subject**, then of their other qualified subjects in
the order given (posts of one subject by id) — the same main-subject-first rule as R4
and R6. ``Policy.default_in_school_application = False`` keeps explicit applications
only: such a teacher skips the in-school round (``no_application``) and does not
count as an own candidate for ``shortage_first``.

A teacher's applications are one list, :func:`applied_posts`: the default list in front
of the stated preferences (which then hold only other schools' posts). Each round reads
its part of it: the engine's in-school round the own school's posts (from the default
list, when there is one), its cross-school rounds the other schools' posts (all stated);
``verify`` reads the whole list as the posts a teacher applied for (I3, I7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from kgxp._internal.memo import remembered
from kgxp.model.policy import Policy
from kgxp.model.scenario import Post, Scenario
from kgxp.model.teacher_columns import teacher_columns

__all__ = [
    "applied_posts",
    "default_in_school_applications",
    "not_applying_in_school",
    "stated_no_preferences",
]


def _listing_no_own_post(scenario: Scenario) -> Mapping[str, tuple[str, ...]]:
    """Teacher id -> their main-subject-first own-school posts, for every teacher whose
    preferences list none of their home school's posts (computed once per scenario)."""
    return remembered(scenario, "listing_no_own_post", None, lambda: _defaults(scenario))


def default_in_school_applications(
    scenario: Scenario, policy: Policy
) -> Mapping[str, tuple[str, ...]]:
    """Teacher id -> the own-school posts they apply to by default (R5), for every
    teacher who lists none of their home school's posts; empty when the policy asks
    for explicit applications (read-only)."""
    return _listing_no_own_post(scenario) if policy.default_in_school_application else {}


def not_applying_in_school(scenario: Scenario, policy: Policy) -> frozenset[str]:
    """Teachers who do not compete in the in-school round for want of an application:
    those listing no own-school post, when the policy asks for explicit applications
    (they count as no school's own candidates, ``shortage_first``); else nobody."""
    if policy.default_in_school_application:
        return frozenset()
    return frozenset(_listing_no_own_post(scenario))


def _defaults(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    receiving = scenario.receiving_schools()
    posts_at: dict[str, list[Post]] = defaultdict(list)
    for post in sorted(scenario.posts, key=lambda p: p.id):
        posts_at[post.school].append(post)
    # Each school's post ids once, not a set per teacher (issue 19: run_round).
    ids_at = {school: frozenset(p.id for p in posts) for school, posts in posts_at.items()}
    nothing: frozenset[str] = frozenset()
    found: dict[str, tuple[str, ...]] = {}
    columns = teacher_columns(scenario)  # read once per scenario, shared with verify
    for teacher_id, school, subjects, preferences in zip(
        columns.ids, columns.schools, columns.subjects, columns.preferences, strict=True
    ):
        home = receiving.get(school, school)
        if not ids_at.get(home, nothing).isdisjoint(preferences):
            continue  # stated in-school applications are used as stated
        found[teacher_id] = _main_subject_first(subjects, posts_at.get(home, []))
    return found


def _main_subject_first(subjects: Sequence[str], posts: Sequence[Post]) -> tuple[str, ...]:
    rank = {subject: k for k, subject in enumerate(subjects)}
    mine = [p for p in posts if p.subject in rank]
    return tuple(p.id for p in sorted(mine, key=lambda p: (rank[p.subject], p.id)))


def applied_posts(scenario: Scenario, policy: Policy) -> tuple[tuple[str, ...], ...]:
    """Per teacher of the scenario, in its order: the posts they apply to as the rounds
    read them (R5), their default in-school applications
    (:func:`default_in_school_applications`) in front of their stated preferences.

    From the teacher columns (no teacher object copied), remembered on the scenario;
    the columns' own tuple when nobody applies by default. A tuple either way: it is
    shared by every reader of the scenario.
    """
    defaults = default_in_school_applications(scenario, policy)
    columns = teacher_columns(scenario)  # shared with run_round, read once per scenario
    stated = columns.preferences
    if not defaults:
        return stated
    ids = columns.ids
    return remembered(
        scenario,
        "applied_posts",
        policy.default_in_school_application,
        lambda: tuple(
            [
                own + preferences if (own := defaults.get(teacher_id)) else preferences
                for teacher_id, preferences in zip(ids, stated, strict=True)
            ]
        ),
    )


def stated_no_preferences(scenario: Scenario) -> tuple[str, ...]:
    """Ids of the teachers who stated no preferences at all, sorted (for the report)."""
    return tuple(sorted(t.id for t in scenario.teachers if not t.preferences))
