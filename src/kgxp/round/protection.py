"""R4: which teachers are placed in advance at their original school, and why."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from kgxp._internal.memo import remembered
from kgxp.model.arguments import policy_argument
from kgxp.model.months import YearMonth
from kgxp.model.policy import Policy
from kgxp.model.retirement import BASE_AGES, within_retirement_window
from kgxp.model.scenario import Scenario, Teacher

__all__ = ["NEAR_RETIREMENT", "protected_teachers", "protection_reasons", "scenario_protected"]

NEAR_RETIREMENT: Final = "near_retirement"
"""The computed R4 category: less than the retirement window from statutory retirement."""


def protection_reasons(
    teacher: Teacher, competition_month: YearMonth, policy: Policy
) -> tuple[str, ...]:
    """The R4 categories that protect ``teacher`` (empty if none), in a stable order.

    Circumstances count only when the policy lists them; the retirement window
    uses the 2025 statutory age (§4) with the teacher's base age.
    """
    policy = policy_argument(policy, optional=False)
    reasons = [c.value for c in teacher.circumstances if c in policy.protected_circumstances]
    if policy.protect_near_retirement and within_retirement_window(
        teacher.birth, teacher.base_age, competition_month, policy.retirement_window_months
    ):
        reasons.append(NEAR_RETIREMENT)
    return tuple(reasons)


def scenario_protected(scenario: Scenario, policy: Policy) -> dict[str, tuple[str, ...]]:
    """:func:`protected_teachers` of a scenario, once per scenario and policy (``run_round``
    and ``verify`` both need it; see :mod:`kgxp._internal.memo`). Shared: treat it as read-only.
    """
    return remembered(
        scenario,
        "protected",
        policy,
        lambda: protected_teachers(scenario.teachers, scenario.competition_month, policy),
    )


def protected_teachers(
    teachers: Iterable[Teacher], competition_month: YearMonth, policy: Policy
) -> dict[str, tuple[str, ...]]:
    """R4 for a whole scenario: teacher id -> :func:`protection_reasons`, protected ones only.

    Most teachers have no circumstance and are years from retirement; one
    comparison of birth months rules them out before the per-teacher check.
    """
    # Statutory age >= the youngest base age (the delay is never negative), so a
    # teacher born in this month or later is at least the window from retirement.
    born_after = competition_month.index + policy.retirement_window_months - min(BASE_AGES) * 12
    near = policy.protect_near_retirement
    return {
        t.id: reasons
        for t in teachers
        if (t.circumstances or (near and t.birth.index < born_after))
        and (reasons := protection_reasons(t, competition_month, policy))
    }
