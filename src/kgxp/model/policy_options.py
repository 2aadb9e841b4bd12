"""The choices a :class:`~kgxp.model.policy.Policy` is made of: its enumerations, the
round plan's :class:`RoundSpec`, the evaluation weights, the waiting-term pay shares
and the presets' round plans.

Each is re-exported by :mod:`kgxp.model.policy` (import from there or from ``kgxp``);
the policy model itself, its parameter table and presets live there.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from kgxp._internal.frozen import FrozenModel, NonEmptyStr

__all__ = [
    "DEFAULT_PLAN",
    "TWO_LEVEL_THREE_ROUND_PLAN",
    "BalanceGoal",
    "CrossSchoolSeatChoice",
    "EvaluationWeights",
    "Mechanism",
    "RetirementVacancy",
    "RoundKind",
    "RoundSpec",
    "Scope",
    "Share",
    "SplitRounding",
    "TieBreaker",
    "WaitingExit",
    "WaitingTermPay",
    "WarningScope",
    "WarningTies",
    "YearEndBonusBasis",
]

Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class SplitRounding(StrEnum):
    """How R5's cross-school share becomes whole seats.

    ``floor``/``ceil``/``half_up`` round each school's cross-school seat count
    on its own; ``largest_remainder`` (the default) fixes the county total at
    the share of all remaining seats, rounded half up, and gives the extra seats to
    the schools with the largest fractional remainders (Hamilton's method).
    """

    FLOOR = "floor"
    CEIL = "ceil"
    HALF_UP = "half_up"
    LARGEST_REMAINDER = "largest_remainder"


class CrossSchoolSeatChoice(StrEnum):
    """Which of a school's seats become cross-school seats (R5)."""

    SHORTAGE_FIRST = "shortage_first"  # subjects with fewer own candidates than seats first
    DESIGNATED = "designated"  # the posts' `cross_school_seats`


class TieBreaker(StrEnum):
    """Orders equal composite scores; a seeded lottery (抽签) always comes last."""

    PERFORMANCE = "performance"  # higher teaching performance first
    SENIORITY = "seniority"  # earlier service start first
    TITLE = "title"  # higher title first
    EDUCATION = "education"  # higher education first


class Mechanism(StrEnum):
    """How a competitive round is matched."""

    DEFERRED_ACCEPTANCE = "deferred_acceptance"  # teacher-proposing, strict after tie-breaking
    OPTIMAL = "optimal"  # CP-SAT: largest weakly-stable matching when scores tie
    BALANCED = "balanced"  # optimal, then the balance goals among weakly-stable matchings
    TARGETED = "targeted"  # balanced, plus the targets at the price of fewest envy pairs
    # Comparison only: multi-stage deferred acceptance for minimum quotas (Fragiadakis
    # et al. 2016) on the R17 target; its envy is undeclared, verify's I7 reports it.
    MSDA = "msda"


class BalanceGoal(StrEnum):
    """A county balance goal (R12 均衡发展), pursued among weakly stable matchings.

    Each counts, per placement of a competitive round: ``rural_shortage`` a seat of a
    shortage subject (``Policy.shortage_subjects``) at a rural school (R17);
    ``urban_to_rural`` a teacher of an urban school placed at a rural one (R16);
    ``indicators`` each §6 teacher indicator the teacher carries into a school whose
    density of it (per 100 pupils, before the round) is below its segment's mean.
    """

    RURAL_SHORTAGE = "rural_shortage"
    URBAN_TO_RURAL = "urban_to_rural"
    INDICATORS = "indicators"


class RoundKind(StrEnum):
    IN_SCHOOL = "in_school"  # 本校竞聘 (R5)
    CROSS_SCHOOL = "cross_school"  # 跨校竞聘 (R5)
    ADJUSTMENT = "adjustment"  # 组织调剂 (R6)


class Scope(StrEnum):
    """The unit inside which a round moves teachers (R11)."""

    SCHOOL = "school"
    DISTRICT = "district"  # 学区
    COMMUNITY = "community"  # 教共体
    GROUP = "group"  # 教育集团
    COUNTY = "county"


class WarningScope(StrEnum):
    """Among whom R15's bottom share (诫勉谈话) is counted."""

    COUNTY = "county"  # all the county's teachers of the scenario
    SCHOOL = "school"  # each school's own teachers (a merged school's in the receiving one, R3)


class WarningTies(StrEnum):
    """How teachers tied at the boundary of R15's bottom share count.

    With ``k`` = share × teachers of the unit, rounded down: ``exclude`` (default) lists a
    teacher when at most ``k`` teachers score at or below them — a tie straddling the
    boundary is left off whole, so nobody is warned by a tie-breaker or lottery and the
    list never exceeds the share; ``include`` lists a teacher when fewer than ``k``
    score strictly below them — the whole boundary tie is listed, which may exceed it.
    """

    EXCLUDE = "exclude"
    INCLUDE = "include"


class YearEndBonusBasis(StrEnum):
    """How the yearly 年终质量奖 is booked per semester (R8 reads it for the first term).

    The seed says the first waiting term pays 不高于50%的年终质量奖 and names no semester.
    ``autumn_semester`` (default): the whole yearly bonus is booked in the autumn
    semester, which holds the calendar year end — so a first waiting term that falls in
    spring books no share of it. ``half_each_semester``: each semester books half the
    yearly bonus (autumn the half rounded to the fen, spring the rest), so a first
    waiting term gets its share of half the bonus whichever semester it falls in.
    """

    AUTUMN_SEMESTER = "autumn_semester"
    HALF_EACH_SEMESTER = "half_each_semester"


class RetirementVacancy(StrEnum):
    """When a retiring on-post teacher's seat opens to the re-competition (§4, R9).

    ``next_semester`` (default): the teacher serves, and is paid, through the semester
    holding the retirement month; the seat opens at the next semester's
    re-competition. ``same_semester``: the teacher leaves at the start of the semester
    holding the retirement month (unpaid for it) and the seat opens at that semester's
    re-competition. The seeds say neither.
    """

    NEXT_SEMESTER = "next_semester"
    SAME_SEMESTER = "same_semester"


class WaitingExit(StrEnum):
    """What happens when the waiting streak reaches the policy's length (R10)."""

    DISMISSAL_REVIEW = "dismissal_review"  # 按有关规定处理, 直至解聘: flagged, never automatic
    CONTRACT_END = "contract_end"  # e.g. the Wuhan-like variant


class RoundSpec(FrozenModel):
    """One round of a round plan (R5, R6, R11, R13)."""

    name: NonEmptyStr
    kind: RoundKind
    scope: Scope = Scope.COUNTY
    offer_unfilled_in_school_seats: bool = Field(
        default=True,
        description="cross-school rounds also offer in-school seats left empty",
    )

    @model_validator(mode="after")
    def _in_school_is_school_scoped(self) -> Self:
        if self.kind is RoundKind.IN_SCHOOL and self.scope is not Scope.SCHOOL:
            raise ValueError("an in-school round is scoped to the school")
        return self


class EvaluationWeights(FrozenModel):
    """R15 四维一体 weights; county data (the seed names the four parts, not the weights)."""

    student_rating: Share = Decimal("0.25")
    peer_review: Share = Decimal("0.25")
    quality_assessment: Share = Decimal("0.25")
    school_evaluation: Share = Decimal("0.25")

    @model_validator(mode="after")
    def _sum_to_one(self) -> Self:
        total = (
            self.student_rating
            + self.peer_review
            + self.quality_assessment
            + self.school_evaluation
        )
        if total != 1:
            raise ValueError(f"weights must sum to 1, got {total}")
        return self


class WaitingTermPay(FrozenModel):
    """Shares of each pay component paid during a waiting term (R8, R9).

    The seed lists what is paid (basic salary, basic performance pay, at most half
    the year-end bonus in the first term) and what is not (incentive performance
    pay); allowances (R18) are tied to teaching at a rural school, which a waiting
    teacher does not do, so they are not paid by default.
    """

    basic_salary: Share = Decimal(1)
    basic_performance: Share = Decimal(1)
    incentive_performance: Share = Decimal(0)
    year_end_bonus: Share = Decimal(0)
    allowances: Share = Decimal(0)


DEFAULT_PLAN: tuple[RoundSpec, ...] = (
    RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
    RoundSpec(name="cross_school", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),
    RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.COUNTY),
)

# R13 "两层三轮": levels school and district; rounds in-school, cross-school in the
# district, district adjustment. The seed does not spell the reading out.
TWO_LEVEL_THREE_ROUND_PLAN: tuple[RoundSpec, ...] = (
    RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
    RoundSpec(name="cross_school_district", kind=RoundKind.CROSS_SCHOOL, scope=Scope.DISTRICT),
    RoundSpec(name="district_adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.DISTRICT),
)
