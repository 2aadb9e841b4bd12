"""Cross-record validation of a scenario: every problem, at once, naming record and field.

Field-level checks (types, ranges) are pydantic's; this module checks what
needs several records at once — ids, merges, posts, staffing totals, incoming
waiting teachers — and each teacher against the scenario through
:mod:`kgxp.model.teacher_validation`. Codes are stable strings a UI can group by.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.log import get_logger
from kgxp._internal.memo import remembered
from kgxp.exceptions import Problem, ScenarioError
from kgxp.model.arguments import scenario_argument

# The per-teacher checks moved to kgxp.model.teacher_validation; their old private
# names stay importable from here.
from kgxp.model.teacher_validation import _FEMALE_ONLY as _FEMALE_ONLY
from kgxp.model.teacher_validation import _YOUNGEST_BASE_MONTHS as _YOUNGEST_BASE_MONTHS
from kgxp.model.teacher_validation import _YOUNGEST_SERVICE_MONTHS as _YOUNGEST_SERVICE_MONTHS
from kgxp.model.teacher_validation import _not_plainly_valid as _not_plainly_valid
from kgxp.model.teacher_validation import _preference_problems as _preference_problems
from kgxp.model.teacher_validation import _teacher_problems as _teacher_problems
from kgxp.model.teacher_validation import teacher_problems

if TYPE_CHECKING:
    from kgxp.model.months import YearMonth
    from kgxp.model.scenario import Scenario

__all__ = ["check", "problems_from_validation_error", "raise_for_problems", "validate"]

log = get_logger(__name__)

_check_teachers = teacher_problems


@in_kgxp_decimal_context
def validate(scenario: Scenario) -> list[Problem]:
    """All cross-record problems of ``scenario`` (empty when valid).

    Useful on scenarios built with ``model_copy`` or ``model_construct``, which
    skip pydantic validation; :class:`~kgxp.model.scenario.Scenario` runs it on construction.
    """
    scenario = scenario_argument(scenario)
    # Once per scenario: construction validates, and so does every run of it (a
    # model_copy may have skipped construction). A scenario cannot change, so the
    # answer cannot either; the key guards its one mutable container (kgxp._internal.memo).
    levels = tuple(scenario.staffing.posts_by_level.items())
    return list(remembered(scenario, "problems", levels, lambda: _problems(scenario)))


def _problems(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_not_empty(scenario)
    problems += _check_unique_ids(scenario)
    school_ids = {s.id for s in scenario.schools}
    problems += _check_merges(scenario, school_ids)
    problems += _check_posts(scenario, school_ids)
    problems += _check_staffing(scenario)
    problems += teacher_problems(scenario, school_ids)
    problems += _check_incoming_waiting(scenario, school_ids)
    return problems


def _check_incoming_waiting(scenario: Scenario, school_ids: set[str]) -> list[Problem]:
    """Teachers who come in waiting (R7, R9, R10): known, once each, a consistent streak."""
    if not scenario.waiting:
        return []
    problems: list[Problem] = []
    teacher_ids = {t.id for t in scenario.teachers}
    seen: set[str] = set()
    for index, entry in enumerate(scenario.waiting):
        where = f"waiting[{index}]"

        def problem(
            field: str,
            message: str,
            code: str,
            rule: str | None = None,
            where: str = where,
            teacher: str = entry.teacher,
        ) -> Problem:
            return Problem(where, field, message, record_id=teacher, rule=rule, code=code)

        if entry.teacher not in teacher_ids:
            problems.append(problem("teacher", "no teacher with this id", "unknown_id"))
        if entry.teacher in seen:
            problems.append(problem("teacher", "listed twice as waiting", "duplicate_id"))
        seen.add(entry.teacher)
        if entry.school is not None and entry.school not in school_ids:
            problems.append(problem("school", f"unknown school {entry.school!r}", "unknown_id"))
        if entry.state == "waiting" and entry.terms > 0:
            problems.append(
                problem(
                    "terms",
                    "a teacher in the first waiting term has completed no term",
                    "inconsistent_waiting",
                    "R7",
                )
            )
        if entry.state == "continued_waiting" and entry.terms == 0:
            problems.append(
                problem(
                    "terms",
                    "continued waiting follows a completed term (terms >= 1)",
                    "inconsistent_waiting",
                    "R9",
                )
            )
        if entry.due and entry.term_semesters:
            problems.append(
                problem(
                    "term_semesters",
                    "a teacher whose term has ended has no semester of a new term",
                    "inconsistent_waiting",
                    "R9",
                )
            )
        if entry.streak < entry.terms:
            problems.append(
                problem(
                    "streak",
                    f"a streak of {entry.streak} semester(s) cannot hold {entry.terms} term(s)",
                    "inconsistent_waiting",
                    "R10",
                )
            )
    return problems


@in_kgxp_decimal_context
def check(scenario: Scenario) -> None:
    """Raise :class:`~kgxp.exceptions.ScenarioError` listing every problem, if any."""
    raise_for_problems(scenario)  # validate() checks that it is a Scenario


def raise_for_problems(scenario: Scenario) -> None:
    problems = validate(scenario)
    if problems:
        log.info("scenario.invalid", problems=len(problems), codes=sorted(set(_codes(problems))))
        raise ScenarioError(problems)


def _codes(problems: Iterable[Problem]) -> Iterable[str]:
    return (p.code for p in problems)


def _check_not_empty(scenario: Scenario) -> list[Problem]:
    return [
        Problem("scenario", name, f"the county has no {name}", code="empty")
        for name in ("schools", "posts", "teachers")
        if not getattr(scenario, name)
    ]


def _check_unique_ids(scenario: Scenario) -> list[Problem]:
    problems = []
    for collection in ("schools", "posts", "teachers"):
        records = getattr(scenario, collection)
        if len({record.id for record in records}) == len(records):
            continue  # the common case, in one pass that builds no messages
        first_seen: dict[str, int] = {}
        for index, record in enumerate(records):
            if record.id in first_seen:
                problems.append(
                    Problem(
                        f"{collection}[{index}]",
                        "id",
                        f"duplicate id, first used by {collection}[{first_seen[record.id]}]",
                        record_id=record.id,
                        code="duplicate_id",
                    )
                )
            else:
                first_seen[record.id] = index
    return problems


def _check_merges(scenario: Scenario, school_ids: set[str]) -> list[Problem]:
    problems = []
    target = {s.id: s.merged_into for s in scenario.schools if s.merged_into is not None}
    index_of = {s.id: i for i, s in enumerate(scenario.schools)}
    for index, school in enumerate(scenario.schools):
        into = school.merged_into
        if into is None:
            continue
        where = f"schools[{index}]"
        if into == school.id:
            problems.append(
                Problem(
                    where,
                    "merged_into",
                    "a school cannot be merged into itself",
                    record_id=school.id,
                    rule="R3",
                    code="merge_into_self",
                )
            )
        elif into not in school_ids:
            problems.append(
                Problem(
                    where,
                    "merged_into",
                    f"unknown school {into!r}",
                    record_id=school.id,
                    rule="R3",
                    code="unknown_reference",
                )
            )
    # Merges form a functional graph; walk each chain once, and report a cycle
    # once, on its earliest school in input order (self-merges are reported above).
    done: set[str] = set()
    for school in scenario.schools:
        path: list[str] = []
        on_path: set[str] = set()
        current = school.id
        while current in target and current not in done and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = target[current]
        if current in on_path:
            cycle = path[path.index(current) :]
            if len(cycle) > 1:
                first = min(cycle, key=index_of.__getitem__)
                loop = " → ".join([*_rotate(cycle, first), first])
                problems.append(
                    Problem(
                        f"schools[{index_of[first]}]",
                        "merged_into",
                        f"merges form a cycle: {loop}",
                        record_id=first,
                        rule="R3",
                        code="merge_cycle",
                    )
                )
        done.update(path)
    return problems


def _rotate(cycle: list[str], first: str) -> list[str]:
    at = cycle.index(first)
    return cycle[at:] + cycle[:at]


def _check_posts(scenario: Scenario, school_ids: set[str]) -> list[Problem]:
    problems = []
    merged = {s.id for s in scenario.schools if s.merged_into is not None}
    for index, post in enumerate(scenario.posts):
        where = f"posts[{index}]"
        if post.school not in school_ids:
            problems.append(
                Problem(
                    where,
                    "school",
                    f"unknown school {post.school!r}",
                    record_id=post.id,
                    code="unknown_reference",
                )
            )
        elif post.school in merged:
            problems.append(
                Problem(
                    where,
                    "school",
                    f"school {post.school!r} is merged into another school and "
                    "has no posts of its own",
                    record_id=post.id,
                    rule="R3",
                    code="post_at_merged_school",
                )
            )
        if post.reserved > post.seats:
            problems.append(
                Problem(
                    where,
                    "reserved",
                    f"{post.reserved} reserved seats exceed the post's {post.seats} seats",
                    record_id=post.id,
                    rule="R2",
                    code="reserved_above_seats",
                )
            )
        elif post.cross_school_seats is not None and (
            post.cross_school_seats > post.seats - post.reserved
        ):
            problems.append(
                Problem(
                    where,
                    "cross_school_seats",
                    f"{post.cross_school_seats} designated cross-school seats "
                    f"exceed the {post.seats - post.reserved} competed seats",
                    record_id=post.id,
                    rule="R5",
                    code="designated_above_competed",
                )
            )
    return problems


def _check_staffing(scenario: Scenario) -> list[Problem]:
    problems = []
    staffing = scenario.staffing
    total = sum(post.seats for post in scenario.posts)
    if total > staffing.total_posts:
        problems.append(
            Problem(
                "staffing",
                "total_posts",
                f"posts hold {total} seats, above the staffing total {staffing.total_posts}",
                rule="R1",
                code="staffing_exceeded",
            )
        )
    if staffing.posts_by_level:
        by_level: Counter[str] = Counter()
        for index, post in enumerate(scenario.posts):
            if post.level not in staffing.posts_by_level:
                problems.append(
                    Problem(
                        f"posts[{index}]",
                        "level",
                        f"level {post.level!r} has no post total in staffing.posts_by_level",
                        record_id=post.id,
                        rule="R1",
                        code="unknown_level",
                    )
                )
            by_level[post.level] += post.seats
        for level, limit in staffing.posts_by_level.items():
            if by_level[level] > limit:
                problems.append(
                    Problem(
                        "staffing",
                        f"posts_by_level[{level}]",
                        f"posts of level {level!r} hold {by_level[level]} "
                        f"seats, above its total {limit}",
                        rule="R1",
                        code="level_total_exceeded",
                    )
                )
    return problems


def problems_from_validation_error(
    error: ValidationError, data: Any = None, *, document: str = "scenario", id_key: str = "id"
) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` records naming record, id and field.

    A :class:`ScenarioError` raised by the cross-record checks comes through
    pydantic wrapped; its problems are returned as they are. ``document`` names the
    whole document (a problem outside its records), ``id_key`` the key holding a
    record's id (``"teacher"`` in a result's outcomes and in lottery odds).
    """
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioError):
            problems.extend(cause.problems)
            continue
        loc = item["loc"]
        record, field = _split_location(loc, document)
        record_id = _record_id(data, loc, id_key)
        problems.append(Problem(record, field, item["msg"], record_id=record_id, code=item["type"]))
    return problems


def _split_location(loc: Sequence[int | str], document: str) -> tuple[str, str]:
    if len(loc) >= 2 and isinstance(loc[1], int):
        record = f"{loc[0]}[{loc[1]}]"
        rest = loc[2:]
    elif loc:
        record, rest = document, loc
    else:
        return document, "(whole record)"
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return record, field or "(whole record)"


def _record_id(data: Any, loc: Sequence[int | str], id_key: str) -> str | None:
    if len(loc) < 2 or not isinstance(data, Mapping) or not isinstance(loc[1], int):
        return None
    records = data.get(loc[0])
    if (
        isinstance(records, Sequence)
        and not isinstance(records, str | bytes)
        and 0 <= loc[1] < len(records)
    ):
        record = records[loc[1]]
        record_id = record.get(id_key) if isinstance(record, Mapping) else None
        return str(record_id) if record_id is not None else None
    return None


def group_by_code(problems: Iterable[Problem]) -> Mapping[str, list[Problem]]:
    """Problems grouped by code, codes in first-seen order (for reports)."""
    groups: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[problem.code].append(problem)
    return groups


_REFERENCE_CODES = {"unknown_reference", "unqualified_preference"}


def problems_beside_field_errors(data: Mapping[str, Any]) -> list[Problem]:
    """Cross-record problems among the records that passed their field checks.

    pydantic stops before the cross-record checks when any field is wrong, so a
    file with one bad score would hide a hundred unknown post ids until the score
    was fixed. This runs the cross-record checks on the records that are valid on
    their own, with their original indices, and leaves out what is only an echo of
    a record already reported: a reference to a record that exists but is invalid,
    an "empty" collection whose records are all invalid. Totals (R1) count the
    valid records only, so they may under-report; they never report falsely.
    Returns nothing when a top-level field (month, staffing, county) is wrong.
    """
    from kgxp.model.scenario import County, Post, Scenario, School, Staffing, Teacher

    try:
        county = County.model_validate(data.get("county"))
        staffing = Staffing.model_validate(data.get("staffing"))
        competition_month = _month_of(data.get("competition_month"))
    except (ValidationError, ValueError, TypeError):
        return []
    kept: dict[str, list[tuple[int, Any]]] = {}
    invalid_ids: set[str] = set()
    partial = False
    models: dict[str, Any] = {"schools": School, "posts": Post, "teachers": Teacher}
    for collection, model in models.items():
        records = data.get(collection)
        if not isinstance(records, Sequence) or isinstance(records, str | bytes):
            return []
        kept[collection] = []
        for index, record in enumerate(records):
            try:
                kept[collection].append((index, model.model_validate(record)))
            except ValidationError:
                partial = True
                if isinstance(record, Mapping) and isinstance(record.get("id"), str):
                    invalid_ids.add(record["id"])
    if not partial:
        return []
    scenario = Scenario.model_construct(
        county=county,
        competition_month=competition_month,
        staffing=staffing,
        schools=tuple(record for _, record in kept["schools"]),
        posts=tuple(record for _, record in kept["posts"]),
        teachers=tuple(record for _, record in kept["teachers"]),
    )
    original = {
        f"{name}[{position}]": f"{name}[{index}]"
        for name, pairs in kept.items()
        for position, (index, _) in enumerate(pairs)
    }
    found = []
    for problem in _problems(scenario):
        if problem.code == "empty" and len(data.get(problem.field) or ()) > 0:
            continue
        if problem.code in _REFERENCE_CODES and any(
            repr(i) in problem.message for i in invalid_ids
        ):
            continue
        found.append(
            dataclasses.replace(problem, record=original.get(problem.record, problem.record))
        )
    return found


def _month_of(value: Any) -> YearMonth:
    from kgxp.model.months import YearMonth

    if isinstance(value, YearMonth):
        return value
    if not isinstance(value, str):
        raise TypeError("competition_month is not a string")
    return YearMonth.parse(value)
