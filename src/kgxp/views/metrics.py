"""Balance and movement metrics of a round (domain §6, R12 均衡发展, R14, R16).

The inter-school coefficient of variation (校际差异系数) follows the national
县域义务教育优质均衡发展督导评估办法 (2017): for schools i with enrolment P_i and
indicator X_i (per 100 pupils), P = Σ P_i, X̄ = Σ P_i X_i / P,
S = sqrt(Σ (P_i / P)(X_i − X̄)²), CV = S / X̄. kgxp computes it for the three
teacher indicators a placement changes — teachers above the required
qualification, county-level-or-above key teachers (骨干), and PE and art
(体育, 音乐, 美术) teachers, each per 100 pupils — before the round (teachers at
their home school, R3) and after it (at the school of their post; waiting
teachers teach nowhere). Schools with no pupils are left out. Each segment
(primary, junior, nine-year) is its own group; the thresholds are the policy's
(primary ≤ 0.50, junior and nine-year ≤ 0.45 — nine-year schools are held to
the junior threshold, kgxp's reading). The indicators and the formula live in
:mod:`kgxp.model.balance` (the round steers by them too); they are re-exported here.
"""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from pydantic import Field

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.frozen import FrozenModel
from kgxp._internal.gc_pause import collector_paused
from kgxp.model.arguments import result_of, scenario_argument
from kgxp.model.balance import ART_AND_PE, INDICATORS, coefficient_of_variation, cv_squared
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Locality, Scenario, Segment, Teacher
from kgxp.model.teacher_columns import teachers_by_id

__all__ = [
    "ART_AND_PE",
    "BalanceRow",
    "RoundMetrics",
    "coefficient_of_variation",
    "round_metrics",
    "seat_counts",
]


class BalanceRow(FrozenModel):
    """One indicator in one segment: CV before and after the round, and the threshold."""

    segment: Segment
    indicator: str
    schools: int
    before: float | None
    after: float | None
    threshold: Decimal
    before_ok: bool | None
    after_ok: bool | None


class RoundMetrics(FrozenModel):
    """Movement and balance of one round."""

    competing: int = Field(description="teachers who were not protected")
    moved_school: int = Field(description="placed at a school other than their home school")
    moved_share: float
    moved_across_communities: int = Field(description="of those, into another 教共体/group")
    urban_to_rural: int = Field(description="R16: moved from an urban to a rural school")
    rural_to_urban: int
    waiting: int
    vacant_seats: int
    fill_rate: dict[str, float] = Field(description="per school: filled / competed seats")
    balance: tuple[BalanceRow, ...]


def seat_counts(result: RoundResult) -> dict[str, int]:
    """The county's seats by how they were filled, as the overview sentences name them."""
    posts = result.posts
    return {
        "seats": sum(p.seats for p in posts),
        "reserved": sum(p.reserved for p in posts),
        "protected": sum(p.protected for p in posts),
        "in_school": sum(p.in_school for p in posts),
        "cross_school": sum(p.cross_school for p in posts),
    }


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
@in_kgxp_decimal_context
def round_metrics(scenario: Scenario, result: RoundResult) -> RoundMetrics:
    """Movement, fill rates and the §6 balance metric of ``result`` for ``scenario``."""
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    schools = {s.id: s for s in scenario.schools}
    teachers = teachers_by_id(scenario)
    posts = {p.id: p for p in scenario.posts}
    receiving = scenario.receiving_schools()
    moved = across = urban_rural = rural_urban = 0
    # The columns the metrics need, read without building an outcome (issue 19).
    ids, statuses, homes, held_posts, held_schools = (
        result.outcome_values(name)
        for name in ("teacher", "status", "home_school", "post", "school")
    )
    for status, home_id, post, school_id in zip(
        statuses, homes, held_posts, held_schools, strict=True
    ):
        if post is None or status is Status.PROTECTED:
            continue
        home, school = schools[home_id], schools[school_id or ""]
        if school.id == home.id:
            continue
        moved += 1
        if (school.community or school.group) != (home.community or home.group):
            across += 1
        if home.locality is Locality.URBAN and school.locality is Locality.RURAL:
            urban_rural += 1
        if home.locality is Locality.RURAL and school.locality is Locality.URBAN:
            rural_urban += 1
    counts = result.counts()
    competing = len(result.outcomes) - counts[Status.PROTECTED.value]
    fill: Counter[str] = Counter()
    competed: Counter[str] = Counter()
    for row in result.posts:
        competed[row.school] += row.seats - row.reserved
        fill[row.school] += row.seats - row.reserved - row.vacant
    before = [(receiving[t.school], t, t.main_subject) for t in scenario.teachers]
    after = [
        (school_id or "", teachers[teacher], posts[post].subject)
        for teacher, post, school_id in zip(ids, held_posts, held_schools, strict=True)
        if post is not None and teacher in teachers and post in posts
    ]
    return RoundMetrics(
        competing=competing,
        moved_school=moved,
        moved_share=moved / competing if competing else 0.0,
        moved_across_communities=across,
        urban_to_rural=urban_rural,
        rural_to_urban=rural_urban,
        waiting=counts[Status.WAITING.value],
        vacant_seats=sum(row.vacant for row in result.posts),
        fill_rate={s: fill[s] / competed[s] for s in sorted(competed) if competed[s]},
        balance=_balance(scenario, result, before, after),
    )


def _balance(
    scenario: Scenario,
    result: RoundResult,
    before: list[tuple[str, Teacher, str]],
    after: list[tuple[str, Teacher, str]],
) -> tuple[BalanceRow, ...]:
    policy = result.policy
    threshold = {
        Segment.PRIMARY: policy.cv_threshold_primary,
        Segment.JUNIOR: policy.cv_threshold_junior,
        Segment.NINE_YEAR: policy.cv_threshold_junior,
    }
    open_schools = [s for s in scenario.schools if s.merged_into is None]
    # Each indicator's teachers per school, before and after, counted once for every segment.
    counted = {
        name: [
            Counter(school for school, t, subject in placed if counts_it(t, subject))
            for placed in (before, after)
        ]
        for name, counts_it in INDICATORS.items()
    }
    rows = []
    for segment in Segment:
        group = [s for s in open_schools if s.segment is segment]
        if not group:
            continue
        # Schools without pupils are left out (their indicator per 100 pupils is undefined).
        enrolments = [s.enrolment for s in group if s.enrolment > 0]
        taught = [s.id for s in group if s.enrolment > 0]
        # Judged exactly, CV² against the threshold's square, as the round's own CV targets
        # are (R17): a CV of exactly 0.5 meets ≤ 0.50, where the float it is published as
        # might read a bit above it.
        limit = Fraction(threshold[segment]) ** 2
        for name in INDICATORS:
            squares = [
                cv_squared(enrolments, [count[school] for school in taught]) if taught else None
                for count in counted[name]
            ]
            cvs = [None if square is None else math.sqrt(square) for square in squares]
            rows.append(
                BalanceRow(
                    segment=segment,
                    indicator=name,
                    schools=len(group),
                    before=cvs[0],
                    after=cvs[1],
                    threshold=threshold[segment],
                    before_ok=None if squares[0] is None else squares[0] <= limit,
                    after_ok=None if squares[1] is None else squares[1] <= limit,
                )
            )
    return tuple(rows)
