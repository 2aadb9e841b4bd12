"""One teacher's record against the scenario: school, dates, retirement, circumstances,
preferences (R4, I3).

:func:`teacher_problems` runs on every validation of a scenario
(:mod:`kgxp.model.validation`, which re-exports it), so a cheap sufficient test
first clears the plainly valid teachers and only the rest are checked in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kgxp.exceptions import Problem
from kgxp.model.retirement import BASE_AGES, months_to_retirement, statutory_retirement
from kgxp.model.scenario import Circumstance, Sex

if TYPE_CHECKING:
    from kgxp.model.months import YearMonth
    from kgxp.model.scenario import Scenario, Teacher

__all__ = ["teacher_problems"]


def teacher_problems(scenario: Scenario, school_ids: set[str]) -> list[Problem]:
    """Every problem of the scenario's teachers, teacher by teacher in input order."""
    problems: list[Problem] = []
    month = scenario.competition_month
    teachers = scenario.teachers
    subject_of = {post.id: post.subject for post in scenario.posts}
    for index in _not_plainly_valid(teachers, school_ids, month.index, subject_of):
        problems += _teacher_problems(index, teachers[index], school_ids, month, subject_of)
    return problems


# The youngest statutory base age (§4): a teacher younger than it in the competition
# month cannot have reached retirement, whatever their base age and delay.
_YOUNGEST_BASE_MONTHS = min(BASE_AGES) * 12
# Service starting before 18 is implausible for a teacher (and would lengthen the
# seniority R4 and the adjustment order count): a typo in one of the two months.
_YOUNGEST_SERVICE_MONTHS = 18 * 12
# Circumstances only a woman can be in (R4 protects them): on a man's record they are
# a typo, and would protect him. Paternity leave (陪产假) is not one of them.
_FEMALE_ONLY = {
    Circumstance.MATERNITY_LEAVE: "产假",
    Circumstance.PREGNANCY: "孕期",
    Circumstance.BREASTFEEDING: "哺乳期",
}


# Distinct sets of subjects whose posts the screen keeps (each up to a county's posts);
# teachers with any other set of subjects are screened post by post.
_QUALIFIED_SETS_LIMIT = 256


def _not_plainly_valid(
    teachers: Sequence[Teacher],
    school_ids: set[str],
    month_index: int,
    subject_of: Mapping[str, str],
) -> list[int]:
    """Indices of the teachers a cheap sufficient test cannot clear (they may have a problem).

    Runs over every teacher on every validation (each run of a scenario validates it
    again), so it avoids the retirement computation for teachers far from it and
    builds no messages; :func:`_teacher_problems` is the reference and reports.
    One loop with its look-ups bound to locals: a function call per teacher was
    5–15% of it (less for large counties, where reading the teachers dominates).
    """
    subject_get = subject_of.get
    # Born after this month: younger than the youngest base age in the competition month.
    born_young = month_index - _YOUNGEST_BASE_MONTHS
    # The posts a teacher may list (R12: known posts; I3: of a subject they teach), per set
    # of subjects taught (a few dozen in a county):
    # a preference is then one look-up in C, where mapping each post to its subject and
    # the subject set built twice per teacher was over half of this loop (issue 19). A
    # post is in it exactly when it is known and of one of the subjects.
    posts_of: dict[str, set[str]] = {}
    for post_id, subject in subject_of.items():
        posts_of.setdefault(subject, set()).add(post_id)
    qualified_for: dict[tuple[str, ...], frozenset[str]] = {}
    suspects = []
    for index, teacher in enumerate(teachers):
        birth = teacher.birth.index
        subjects = teacher.subjects
        preferences = teacher.preferences
        qualified = qualified_for.get(subjects)
        if qualified is None and len(qualified_for) < _QUALIFIED_SETS_LIMIT:
            qualified = qualified_for[subjects] = frozenset().union(
                *(posts_of.get(subject, ()) for subject in subjects)
            )
        if (
            teacher.school in school_ids
            and birth + _YOUNGEST_SERVICE_MONTHS <= teacher.service_start.index <= month_index
            and not (
                teacher.circumstances
                and teacher.sex is Sex.MALE
                and _FEMALE_ONLY.keys() & set(teacher.circumstances)
            )
            # Statutory age is base age plus a delay >= 0: younger than the base age is enough.
            and (birth > born_young or birth + teacher.base_age * 12 > month_index)
            and (len(subjects) < 2 or len(set(subjects)) == len(subjects))
            and len(set(preferences)) == len(preferences)
            # An unknown post (None) or one of a subject the teacher does not teach fails.
            # In C (map, set) rather than a generator: a Python step per preference (five
            # to eight a teacher) was a tenth of the cross-record checks of a county.
            and (
                qualified.issuperset(preferences)
                if qualified is not None
                else set(map(subject_get, preferences)).issubset(subjects)
            )
        ):
            continue
        suspects.append(index)
    return suspects


def _teacher_problems(
    index: int,
    teacher: Teacher,
    school_ids: set[str],
    month: YearMonth,
    subject_of: Mapping[str, str],
) -> list[Problem]:
    """Every problem of one teacher, in the order they are reported."""
    found: list[tuple[str, str, str, str | None]] = []  # field, message, code, rule
    if teacher.school not in school_ids:
        found.append(("school", f"unknown school {teacher.school!r}", "unknown_reference", None))
    if len(set(teacher.subjects)) != len(teacher.subjects):
        found.append(("subjects", "a subject is listed twice", "duplicate_subject", None))
    if teacher.birth >= month:
        found.append(
            (
                "birth",
                f"{teacher.birth} is not before the competition month {month}",
                "date_after_competition",
                None,
            )
        )
    elif months_to_retirement(teacher.birth, teacher.base_age, month) < 0:
        # A teacher who reaches the age *in* the competition month is still in service
        # that month and protected (R4); only an earlier retirement month is an error.
        retired = statutory_retirement(teacher.birth, teacher.base_age).month
        found.append(
            (
                "birth",
                f"{teacher.name} reached the statutory retirement age (base "
                f"{teacher.base_age}) in {retired}, before the competition month {month}: "
                "remove the teacher from the roster, or correct the birth month or "
                "retirement_base_age",
                "past_retirement",
                "R4",
            )
        )
    if teacher.service_start > month:
        found.append(
            (
                "service_start",
                f"{teacher.service_start} is after the competition month {month}",
                "date_after_competition",
                None,
            )
        )
    if teacher.service_start <= teacher.birth:
        found.append(("service_start", "service starts before birth", "implausible_date", None))
    elif teacher.service_start.index < teacher.birth.index + _YOUNGEST_SERVICE_MONTHS:
        found.append(
            (
                "service_start",
                f"参加工作时间 {teacher.service_start} 时未满 18 周岁（出生 {teacher.birth}），"
                "请核对 (service starts before the age of 18: check both months)",
                "implausible_date",
                None,
            )
        )
    if teacher.sex is Sex.MALE:
        for circumstance in sorted(_FEMALE_ONLY.keys() & set(teacher.circumstances)):
            found.append(
                (
                    "circumstances",
                    f"男教师不能登记“{_FEMALE_ONLY[circumstance]}”（陪产假另是一回事，不属于保留原岗情形），"
                    f"请核对性别或特殊情形 (a male teacher recorded with {circumstance})",
                    "implausible_circumstance",
                    "R4",
                )
            )
    if teacher.preferences:
        found += _preference_problems(teacher.preferences, set(teacher.subjects), subject_of)
    return [
        Problem(f"teachers[{index}]", field, message, record_id=teacher.id, rule=rule, code=code)
        for field, message, code, rule in found
    ]


def _preference_problems(
    preferences: Sequence[str], qualified: set[str], subject_of: Mapping[str, str]
) -> list[tuple[str, str, str, str | None]]:
    found: list[tuple[str, str, str, str | None]] = []
    seen: set[str] = set()
    for k, post_id in enumerate(preferences):
        field = f"preferences[{k}]"
        if post_id in seen:
            found.append((field, f"post {post_id!r} is listed twice", "duplicate_preference", None))
            continue
        seen.add(post_id)
        subject = subject_of.get(post_id)
        if subject is None:
            found.append((field, f"unknown post {post_id!r}", "unknown_reference", None))
        elif subject not in qualified:
            found.append(
                (
                    field,
                    f"post {post_id!r} is for {subject}, which the teacher is not "
                    "qualified to teach",
                    "unqualified_preference",
                    "I3",
                )
            )
    return found
