"""The outcome record: one row per teacher, the deciding reason in words, its rule id apart.

``outcomes.csv``, ``outcomes.json`` and ``results.xlsx`` (written by
:func:`kgxp.files.publication.write_results`) hold these rows; the ``规则`` audit
column keeps the rule id (R4…) out of the ``原因`` sentence a teacher reads.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.gc_pause import collector_paused
from kgxp.files.wording import STATUS_MESSAGES, Wording, deciding_of
from kgxp.i18n import DEFAULT_LOCALE, texts
from kgxp.model.arguments import result_of, scenario_argument
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id

__all__ = ["OUTCOME_COLUMNS", "STATUS_NAMES", "outcome_rows", "outcomes_frame"]

STATUS_NAMES: Mapping[Status, str] = {
    status: texts(DEFAULT_LOCALE)(message) for status, message in STATUS_MESSAGES.items()
}
"""How each outcome is named in published lists, in Chinese (R4, R5, R6, R7)."""

OUTCOME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("teacher", "教师编号"),
    ("name", "姓名"),
    ("home_school", "原学校编号"),
    ("home_school_name", "原学校"),
    ("subject", "任教学科"),
    ("score", "综合得分"),
    ("status", "结果"),
    ("status_name", "结果说明"),
    ("round", "轮次"),
    ("post", "岗位编号"),
    ("post_subject", "岗位学科"),
    ("school", "学校编号"),
    ("school_name", "学校"),
    ("preference_rank", "志愿序号"),
    ("protected_by", "保留原因"),
    ("rule", "规则"),
    ("reason", "原因"),
)
"""Fields of :func:`outcome_rows` and their Chinese headers in CSV and Excel.

``规则`` is the audit column: the rule id (R4…) behind the deciding reason, which
``原因`` states in words without it."""


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
@in_kgxp_decimal_context
def outcome_rows(
    scenario: Scenario,
    result: RoundResult,
    *,
    redact: bool = False,
    locale: str = DEFAULT_LOCALE,
) -> list[dict[str, Any]]:
    """One row per teacher (by teacher id) with names, posts and the deciding reason.

    Keys are the first items of :data:`OUTCOME_COLUMNS`; ``redact`` puts the id
    in ``name``. ``reason`` is the deciding reason in words (``locale``), ``rule``
    its rule id (the audit column).
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    teachers = teachers_by_id(scenario)
    posts = {p.id: p for p in scenario.posts}
    words = Wording(scenario, result, locale=locale)
    # Read from the outcome columns, no outcome built (issue 19).
    fields: tuple[str, ...] = ("teacher", "status", "home_school", "post", "school", "round")
    fields += ("score", "protected_by", "preference_rank", "reasons")
    ids, statuses, homes, held_posts, held_schools, rounds, scores, protected, ranks, reasons = map(
        result.outcome_values, fields
    )
    rows = []
    # By teacher id, not the result's order (which follows the input's): equal
    # scenarios give equal files whatever the order of their records (I12).
    for i in sorted(range(len(ids)), key=ids.__getitem__):
        teacher_id, status, home = ids[i], statuses[i], homes[i]
        post_id, school = held_posts[i], held_schools[i]
        teacher = teachers.get(teacher_id)
        post = posts.get(post_id) if post_id else None
        deciding = deciding_of(reasons[i])
        rows.append(
            {
                "teacher": teacher_id,
                "name": teacher_id if redact else words.teacher(teacher_id),
                "home_school": home,
                "home_school_name": words.school(home),
                "subject": teacher.main_subject if teacher else "",
                "score": str(scores[i]),
                "status": str(status),
                "status_name": words.status(status),
                "round": rounds[i] or "",
                "post": post_id or "",
                "post_subject": post.subject if post else "",
                "school": school or "",
                "school_name": words.school(school),
                "preference_rank": "" if ranks[i] is None else ranks[i] + 1,
                "protected_by": words.categories(protected[i]),
                "rule": deciding.rule if deciding else "",
                "reason": words.why_of(status, reasons[i], protected[i]),
            }
        )
    return rows


@in_kgxp_decimal_context
def outcomes_frame(scenario: Scenario, result: RoundResult, *, redact: bool = False) -> Any:
    """Deprecated: use ``result.to_frame(scenario)`` (one name for every frame).

    Until removed: :func:`outcome_rows` as a DataFrame, with numbers as numbers.
    """
    # outcome_rows checks these too, but a wrong one should fail before the warning.
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    warnings.warn(
        "outcomes_frame(scenario, result) is deprecated; use result.to_frame(scenario)",
        DeprecationWarning,
        stacklevel=2,
    )
    columns: dict[str, ColumnKind] = {name: "category" for name, _ in OUTCOME_COLUMNS}
    columns |= {"name": "text", "score": "number", "preference_rank": "count", "reason": "text"}
    return typed_frame(outcome_rows(scenario, result, redact=redact), columns, "outcomes_frame()")
