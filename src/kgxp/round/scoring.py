"""R15: the composite score that posts rank candidates by.

A teacher's given ``score`` is used as is; otherwise the four 四维一体 evaluation
components are combined with the policy's weights. Either way the result is a
``Decimal`` rounded half-up to two places, so equal scores compare equal
exactly (ties are decided by the policy's tie-breakers, never by float noise).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from kgxp.model.policy import Policy
from kgxp.model.scenario import Teacher

__all__ = ["composite_score", "composite_scores"]

_CENT: Final = Decimal("0.01")


def composite_score(teacher: Teacher, policy: Policy) -> Decimal:
    """The R15 composite score of ``teacher`` under ``policy``.

    >>> from kgxp import Evaluation, Policy, Sex, Teacher, YearMonth
    >>> t = Teacher(id="T1", name="王芳", school="S1", subjects=("语文",), sex=Sex.FEMALE,
    ...             birth=YearMonth(1990, 3), service_start=YearMonth(2012, 9),
    ...             evaluation=Evaluation(student_rating=90, peer_review=80,
    ...                                   quality_assessment=85, school_evaluation=88))
    >>> composite_score(t, Policy())
    Decimal('85.75')
    """
    if teacher.score is not None:
        return Decimal(repr(teacher.score)).quantize(_CENT, ROUND_HALF_UP)
    evaluation = teacher.evaluation
    assert evaluation is not None  # Teacher's own validator guarantees one of the two
    weights = policy.evaluation_weights
    total = (
        weights.student_rating * Decimal(repr(evaluation.student_rating))
        + weights.peer_review * Decimal(repr(evaluation.peer_review))
        + weights.quality_assessment * Decimal(repr(evaluation.quality_assessment))
        + weights.school_evaluation * Decimal(repr(evaluation.school_evaluation))
    )
    return total.quantize(_CENT, ROUND_HALF_UP)


def composite_scores(teachers: Sequence[Teacher], policy: Policy) -> list[Decimal]:
    """:func:`composite_score` of each teacher, in order, computed in bulk.

    The same numbers; given scores (the common case) are converted inline rather
    than through a call per teacher, and each distinct score once: a county has a
    few hundred distinct scores among its thousands of teachers.
    """
    known: dict[float, Decimal] = {}

    def convert(value: float) -> Decimal:
        exact = Decimal(repr(value)).quantize(_CENT, ROUND_HALF_UP)
        if value:  # not zero: 0.0 and -0.0 are one key but quantize to '0.00' and '-0.00'
            known[value] = exact
        return exact

    return [
        (known.get(score) or convert(score))
        if (score := t.score) is not None
        else composite_score(t, policy)
        for t in teachers
    ]
