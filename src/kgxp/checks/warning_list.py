"""I14 (kgxp's addition to the brief's I1–I13): the R15 warning-talk list is exact.

Seed 002: "对评价结果处于后5%的人员进行诫勉谈话". The result's ``warning_talks`` must
hold exactly the teachers inside the policy's bottom share of each unit (the county,
or each school under ``WarningScope.SCHOOL``), by the composite score, with the
boundary-tie rule of ``Policy.warning_ties`` (see :mod:`kgxp.round.warning`), each
entry's figures right and no teacher twice. Counted here from the scores directly
(a teacher's count of teachers at or below their score), not through the engine's
function.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_FLOOR, Decimal

from kgxp.checks.context import Context
from kgxp.checks.violation import Violation
from kgxp.model.policy import WarningScope, WarningTies
from kgxp.model.result import WarningTalk

__all__ = ["check_warning_list"]

_ID = "I14"


def check_warning_list(context: Context) -> list[Violation]:
    """I14: ``result.warning_talks`` is the R15 bottom share, no more, no less."""
    policy, scenario = context.policy, context.scenario
    score = context.ranking.score
    receiving = scenario.receiving_schools()
    county = policy.warning_scope is WarningScope.COUNTY
    unit_of = {
        t.id: "county" if county else receiving.get(t.school, t.school) for t in scenario.teachers
    }
    scores_in: dict[str, Counter[Decimal]] = defaultdict(Counter)
    for teacher_id, unit in unit_of.items():
        scores_in[unit][score[teacher_id]] += 1
    # Per unit and score, how many of the unit score strictly lower: one pass over the
    # unit's distinct scores in order, not one per teacher (at 100,000 teachers in one
    # county unit that was ~70 comparisons a teacher, most of verify's time).
    below: dict[str, dict[Decimal, int]] = {}
    sizes: dict[str, int] = {}
    limits: dict[str, int] = {}
    for unit, counts in scores_in.items():
        running = 0
        lower_of: dict[Decimal, int] = {}
        for value in sorted(counts):
            lower_of[value] = running
            running += counts[value]
        below[unit], sizes[unit] = lower_of, running
        limits[unit] = int((policy.warning_share * running).to_integral_value(ROUND_FLOOR))
    expected: dict[str, WarningTalk] = {}
    for teacher_id, unit in unit_of.items():
        counts = scores_in[unit]
        own = score[teacher_id]
        size, limit = sizes[unit], limits[unit]
        lower = below[unit][own]
        at_or_below = lower + counts[own]
        inside = (
            at_or_below <= limit if policy.warning_ties is WarningTies.EXCLUDE else lower < limit
        )
        if limit and inside:
            expected[teacher_id] = WarningTalk(
                teacher=teacher_id,
                unit=unit,
                score=own,
                from_bottom=lower + 1,
                at_or_below=at_or_below,
                unit_size=size,
                limit=limit,
            )
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
        should = expected.get(talk.teacher)
        if should is None:
            found.append(
                Violation(
                    _ID,
                    f"teacher {talk.teacher} is listed for a warning talk but is not in the "
                    f"bottom {policy.warning_share} of unit {unit_of.get(talk.teacher, '?')} (R15)",
                    teacher=talk.teacher,
                    evidence={"listed": talk.model_dump(mode="json")},
                )
            )
        elif talk != should:
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
        should = expected[teacher_id]
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
