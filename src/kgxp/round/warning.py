"""R15: the warning-talk list (诫勉谈话名单) — the bottom share of the composite evaluation.

Seed 002 (夷陵区): "对评价结果处于后5%的人员进行诫勉谈话". kgxp's reading, with the
parameters where counties differ:

- **Who is evaluated**: every teacher of the scenario, protected ones included (the
  evaluation is of the whole staff, not of the competition), by the composite score
  that ranks them (R15, exact).
- **Unit** (``Policy.warning_scope``): the county (default) or each school — a merged
  school's teachers count in the receiving school (R3).
- **How many**: ``k`` = ``Policy.warning_share`` × the unit's teachers, **rounded
  down**: "处于后5%" is read as "inside the bottom 5%", never more (a unit of fewer than
  20 teachers has nobody at 5%).
- **Ties at the boundary** (``Policy.warning_ties``): ``exclude`` (default) lists a
  teacher when at most ``k`` teachers of the unit score at or below them, so a tie
  straddling the boundary is left off whole — nobody is warned by a tie-breaker or a
  lottery, and the list never exceeds the share; ``include`` lists a teacher when fewer
  than ``k`` score strictly below them — the whole boundary tie is listed.

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> talks = warning_list(scenario, kgxp.Policy())
>>> len(talks) <= len(scenario.teachers) * 5 // 100
True
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.model.arguments import policy_argument, scenario_argument
from kgxp.model.building import builder
from kgxp.model.policy import Policy, WarningScope, WarningTies
from kgxp.model.result import WarningTalk
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teacher_columns
from kgxp.round.scoring import composite_scores

__all__ = ["COUNTY_UNIT", "warning_limit", "warning_list"]

COUNTY_UNIT = "county"

# Built without re-validation (values from the validated scenario and policy) and with
# one shared fields-set: a validated instance carried its own, ~600 bytes (issue 19).
_warning_talk = builder(
    WarningTalk, "teacher", "unit", "score", "from_bottom", "at_or_below", "unit_size", "limit"
)


def warning_limit(share: Decimal, unit_size: int) -> int:
    """``share`` × ``unit_size`` rounded down: how many a unit's bottom share holds.

    Counted exactly (as a fraction), not in the caller's decimal context: with a
    1-digit one, 0.3 × 25 = 7.5 rounded to 8 before it was rounded down (R15).
    """
    return math.floor(Fraction(share) * unit_size)


@in_kgxp_decimal_context
def warning_list(
    scenario: Scenario, policy: Policy, scores: Mapping[str, Decimal] | None = None
) -> tuple[WarningTalk, ...]:
    """R15's warning-talk list of ``scenario`` under ``policy``, sorted by unit, score and id.

    ``scores`` (teacher id -> composite score) may be passed when already computed
    (the engine's ranking); otherwise they are computed here.
    """
    scenario = scenario_argument(scenario)
    policy = policy_argument(policy, optional=False)
    columns = teacher_columns(scenario)  # read once per scenario, shared with verify
    if scores is None:
        scores = dict(zip(columns.ids, composite_scores(scenario.teachers, policy), strict=True))
    units: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    receiving = scenario.receiving_schools()
    county = policy.warning_scope is WarningScope.COUNTY
    for teacher_id, school in zip(columns.ids, columns.schools, strict=True):
        unit = COUNTY_UNIT if county else receiving.get(school, school)
        units[unit].append((scores[teacher_id], teacher_id))
    found: list[WarningTalk] = []
    for unit in sorted(units):
        found += _bottom(unit, units[unit], policy)
    return tuple(found)


def _bottom(unit: str, members: list[tuple[Decimal, str]], policy: Policy) -> list[WarningTalk]:
    size = len(members)
    limit = warning_limit(policy.warning_share, size)
    if limit == 0:
        return []
    # Only the lowest scores can be inside: count each distinct score, find the highest
    # score whose teachers can still be listed, and sort just the teachers at or below
    # it — not the whole unit (100,000 (Decimal, id) pairs in a county-wide unit).
    counts = Counter(score for score, _ in members)
    cutoff: Decimal | None = None
    lower = 0
    for score in sorted(counts):
        if lower >= limit:  # neither tie rule lists a teacher with `limit` strictly below
            break
        cutoff = score
        lower += counts[score]
    ranked = sorted(member for member in members if cutoff is not None and member[0] <= cutoff)
    values = [score for score, _ in ranked]
    listed = []
    for score, teacher_id in ranked:
        lower = bisect_left(values, score)
        at_or_below = bisect_right(values, score)
        inside = (
            at_or_below <= limit if policy.warning_ties is WarningTies.EXCLUDE else lower < limit
        )
        if not inside:
            break  # ascending scores: nobody further up is inside either
        listed.append(_warning_talk(teacher_id, unit, score, lower + 1, at_or_below, size, limit))
    return listed
