"""I14 (kgxp's addition to the brief's I1–I13): the R15 warning-talk list is exact.

Seed 002: "对评价结果处于后5%的人员进行诫勉谈话". The result's ``warning_talks`` must
hold exactly the teachers inside the policy's bottom share of each unit (the county,
or each school under ``WarningScope.SCHOOL``), by the composite score, with the
boundary-tie rule of ``Policy.warning_ties`` (see :mod:`kgxp.round.warning`), each
entry's figures right and no teacher twice. Counted here from the scores directly
(a teacher's count of teachers at or below their score), not through the engine's
list; only the limit, R15's one formula (share × unit size rounded down), is the
engine's ``warning_limit``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from itertools import compress
from typing import cast

from kgxp.checks.context import Context
from kgxp.checks.violation import Violation
from kgxp.model.policy import WarningScope, WarningTies
from kgxp.model.result import WarningTalk
from kgxp.round.warning import COUNTY_UNIT, warning_limit

__all__ = ["check_warning_list"]

_ID = "I14"


def check_warning_list(context: Context) -> list[Violation]:
    """I14: ``result.warning_talks`` is the R15 bottom share, no more, no less."""
    policy = context.policy
    ids = context.roster.ids
    # Every roster teacher is ranked: no score is None.
    scores = cast(list[Decimal], context.scores_of(ids))
    county = policy.warning_scope is WarningScope.COUNTY
    # Each teacher's unit: the county, or the school whose in-school round they join (R3:
    # a merged school's teachers count in the receiving one), as the roster has it.
    units: Sequence[str] = [COUNTY_UNIT] * len(ids) if county else context.roster.home
    # Per unit and score, how many of the unit have it: counted in C.
    scores_in: dict[str, Counter[Decimal]] = defaultdict(Counter)
    if county:
        if scores:
            scores_in[COUNTY_UNIT] = Counter(scores)
    else:
        for (unit, value), count in Counter(zip(units, scores, strict=True)).items():
            scores_in[unit][value] = count
    # Per unit, one pass over its distinct scores in order (how many score strictly
    # lower, how many at or below): the scores inside the bottom share are a prefix of
    # them, since both counts only grow.
    inside: dict[tuple[str, Decimal], tuple[int, int, int, int]] = {}
    for unit, counts in scores_in.items():
        size = sum(counts.values())
        limit = warning_limit(policy.warning_share, size)  # R15's one formula, exact
        if not limit:
            continue
        lower = 0
        for value in sorted(counts):
            at_or_below = lower + counts[value]
            within = (
                at_or_below <= limit
                if policy.warning_ties is WarningTies.EXCLUDE
                else lower < limit
            )
            if not within:
                break
            inside[(unit, value)] = (lower + 1, at_or_below, size, limit)
            lower = at_or_below
    # The teachers with a score inside, picked in C: (teacher, unit, score).
    pairs = zip(units, scores, strict=True)
    listed = compress(zip(ids, units, scores, strict=True), map(inside.__contains__, pairs))
    expected: dict[str, tuple[str, Decimal, int, int, int, int]] = {
        teacher_id: (unit, own, *inside[(unit, own)]) for teacher_id, unit, own in listed
    }
    found: list[Violation] = []
    seen: set[str] = set()
    for talk in context.result.warning_talks:
        if talk.teacher in seen:
            found.append(
                Violation(
                    _ID,
                    f"teacher {talk.teacher} is listed twice for a warning talk (R15)",
                    teacher=talk.teacher,
                )
            )
            continue
        seen.add(talk.teacher)
        fields = expected.get(talk.teacher)
        if fields is None:
            row = context.ranking.row.get(talk.teacher)  # the roster's order
            unit_of = "?" if row is None else units[row]
            found.append(
                Violation(
                    _ID,
                    f"teacher {talk.teacher} is listed for a warning talk but is not in the "
                    f"bottom {policy.warning_share} of unit {unit_of} (R15)",
                    teacher=talk.teacher,
                    evidence={"listed": talk.model_dump(mode="json")},
                )
            )
        elif not _same_talk(talk, talk.teacher, fields) and talk != (
            should := _talk(talk.teacher, fields)
        ):
            found.append(
                Violation(
                    _ID,
                    f"the warning-talk entry of teacher {talk.teacher} disagrees with the "
                    "scores (R15)",
                    teacher=talk.teacher,
                    evidence={
                        "listed": talk.model_dump(mode="json"),
                        "expected": should.model_dump(mode="json"),
                    },
                )
            )
    for teacher_id in sorted(expected.keys() - seen):
        should = _talk(teacher_id, expected[teacher_id])
        found.append(
            Violation(
                _ID,
                f"teacher {teacher_id} is in the bottom {policy.warning_share} of unit "
                f"{should.unit} ({should.at_or_below} of {should.unit_size} at or below "
                f"score {should.score}) but not listed for a warning talk (R15)",
                teacher=teacher_id,
                evidence={"expected": should.model_dump(mode="json")},
            )
        )
    return found


_FIELDS = ("teacher", "unit", "score", "from_bottom", "at_or_below", "unit_size", "limit")


def _talk(teacher_id: str, fields: tuple[str, Decimal, int, int, int, int]) -> WarningTalk:
    unit, own, from_bottom, at_or_below, size, limit = fields
    return WarningTalk(
        teacher=teacher_id,
        unit=unit,
        score=own,
        from_bottom=from_bottom,
        at_or_below=at_or_below,
        unit_size=size,
        limit=limit,
    )


def _same_talk(talk: WarningTalk, teacher_id: str, fields: tuple[object, ...]) -> bool:
    """Whether ``talk`` equals the entry ``fields`` describe, without building that entry:
    pydantic's equality, whose first test is this one of ``__dict__``."""
    return type(talk) is WarningTalk and talk.__dict__ == dict(
        zip(_FIELDS, (teacher_id, *fields), strict=True)
    )
