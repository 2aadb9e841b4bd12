"""R4: which teachers are placed in advance at their original school, and why."""

from __future__ import annotations

from typing import Final

from kgxp.months import YearMonth
from kgxp.policy import Policy
from kgxp.retirement import within_retirement_window
from kgxp.scenario import Teacher

__all__ = ["NEAR_RETIREMENT", "protection_reasons"]

NEAR_RETIREMENT: Final = "near_retirement"
"""The computed R4 category: less than the retirement window from statutory retirement."""


def protection_reasons(
    teacher: Teacher, competition_month: YearMonth, policy: Policy
) -> tuple[str, ...]:
    """The R4 categories that protect ``teacher`` (empty if none), in a stable order.

    Circumstances count only when the policy lists them; the retirement window
    uses the 2025 statutory age (§4) with the teacher's base age.
    """
    reasons = [c.value for c in teacher.circumstances if c in policy.protected_circumstances]
    if policy.protect_near_retirement and within_retirement_window(
        teacher.birth, teacher.base_age, competition_month, policy.retirement_window_months
    ):
        reasons.append(NEAR_RETIREMENT)
    return tuple(reasons)
