"""The distributional targets a county declares for the targeted mechanism (R12, R16, R17, §6).

Part of :class:`kgxp.Policy` (``Policy.targets``); kept apart because the
policy module is long and the targets are one topic: minimums the targeted
mechanism meets at the price of the fewest justified-envy pairs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator

from kgxp._internal.frozen import FrozenModel
from kgxp.model.scenario import Segment

__all__ = ["CvIndicator", "DistributionalTargets", "cv_target_name"]

Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]

CvIndicator = Literal["above_required_qualification", "key_teachers", "pe_and_art"]
"""A §6 teacher indicator a placement changes (``kgxp.model.balance.INDICATORS``)."""


def cv_target_name(indicator: str, segment: Segment) -> str:
    """The name of the CV target on ``indicator`` over ``segment``'s schools.

    >>> cv_target_name("key_teachers", Segment.PRIMARY)
    'cv_key_teachers_primary'
    """
    return f"cv_{indicator}_{segment.value}"


class DistributionalTargets(FrozenModel):
    """Minimums a county declares beyond what merit and preferences reach (``None``: none).

    Met by the ``targeted`` mechanism in the plan's first cross-school round, at the
    price of the fewest justified-envy pairs, each published as a policy-justified
    exception. ``urban_to_rural_share``: urban → rural moves as a share of the
    teachers of urban schools (R16, Yiling's 10%). ``rural_shortage_fill_share``:
    seats (less reserved ones) of shortage-subject posts at rural schools held after
    the round, as a share of those seats (R17). ``cv_indicators``: §6 teacher
    indicators whose inter-school CV (校际差异系数) after the round must be at most
    the national threshold of each segment (``Policy.cv_threshold_primary``,
    ``cv_threshold_junior``; nine-year schools take the junior one), one target
    per indicator and segment (R12). Checked in this order: a target that cannot
    be met together with the ones before it is reported, not enforced.

    >>> DistributionalTargets(cv_indicators=["pe_and_art"]).cv_indicators
    ('pe_and_art',)
    """

    urban_to_rural_share: Share | None = Field(
        default=None,
        description="R16: minimum urban → rural moves, share of urban schools' teachers",
    )
    rural_shortage_fill_share: Share | None = Field(
        default=None,
        description="R17: minimum share of rural shortage-subject seats filled",
    )
    cv_indicators: tuple[CvIndicator, ...] = Field(
        default=(),
        description="R12, §6: indicators whose CV per segment must be at most the threshold",
    )

    @field_validator("cv_indicators")
    @classmethod
    def _distinct(cls, value: tuple[CvIndicator, ...]) -> tuple[CvIndicator, ...]:
        if len(set(value)) != len(value):
            raise ValueError("an indicator is listed twice")
        return value

    def declared(self) -> frozenset[str]:
        """Every target name these declarations can produce (CV targets: every segment).

        >>> sorted(DistributionalTargets(urban_to_rural_share="0.1").declared())
        ['urban_to_rural_share']
        """
        names = {
            name
            for name in ("urban_to_rural_share", "rural_shortage_fill_share")
            if getattr(self, name) is not None
        }
        names.update(cv_target_name(i, s) for i in self.cv_indicators for s in Segment)
        return frozenset(names)
