"""The balance metric's pure parts (domain §6, R12 均衡发展, R17): indicators and the CV.

The inter-school coefficient of variation (校际差异系数) follows the national
县域义务教育优质均衡发展督导评估办法 (2017): for schools i with enrolment P_i and
indicator X_i (per 100 pupils), P = Σ P_i, X̄ = Σ P_i X_i / P,
S = sqrt(Σ (P_i / P)(X_i − X̄)²), CV = S / X̄. The round uses the indicators to
steer a balanced placement and :mod:`kgxp.views.metrics` to report it, so both
live here, below them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

from kgxp.model.scenario import Teacher

__all__ = ["ART_AND_PE", "INDICATORS", "coefficient_of_variation", "cv_squared"]

ART_AND_PE = frozenset({"体育", "音乐", "美术"})
"""PE and art subjects (体音美): §6's indicator and seed 001's named shortage (R17)."""

INDICATORS: Mapping[str, Callable[[Teacher, str], bool]] = {
    "above_required_qualification": lambda t, _subject: t.above_required_qualification,
    "key_teachers": lambda t, _subject: t.key_teacher,
    "pe_and_art": lambda _t, subject: subject in ART_AND_PE,
}
"""§6's teacher indicators: does a teacher teaching ``subject`` count for it."""


def coefficient_of_variation(schools: Iterable[tuple[float, float]]) -> float | None:
    """CV of ``(enrolment, indicator count)`` pairs, the indicator taken per 100 pupils.

    ``None`` when no school has pupils or the mean is 0 (the CV is undefined).

    >>> round(coefficient_of_variation([(100, 4), (300, 6)]), 4)
    0.3464
    """
    rows = [(p, 100 * x / p) for p, x in schools if p > 0]
    total = sum(p for p, _ in rows)
    if not rows or total == 0:
        return None
    mean = sum(p * x for p, x in rows) / total
    if mean == 0:
        return None
    spread = math.sqrt(sum((p / total) * (x - mean) ** 2 for p, x in rows))
    return spread / mean


def cv_squared(enrolments: Sequence[int], counts: Sequence[int]) -> Fraction | None:
    """The exact square of §6's CV over schools of enrolment > 0 (``None``: no indicator teacher).

    >>> float(cv_squared([100, 300], [4, 6]))  # CV 0.3464...
    0.12
    """
    pupils = sum(enrolments)
    total = sum(counts)
    if pupils <= 0 or total <= 0:
        return None
    spread = sum(Fraction(y * y, p) for p, y in zip(enrolments, counts, strict=True))
    return Fraction(pupils) * spread / (total * total) - 1
