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
from decimal import Decimal
from fractions import Fraction
from numbers import Real

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

    ``None`` when no school has pupils or the mean is 0 (the CV is undefined). The same
    number, to the last bit, whatever the order of the schools and on every Python: the
    square root of the exact CV² (as :func:`cv_squared`), within a unit in the last place
    of the true value. A value that is not a finite number raises ``ValueError``.

    >>> round(coefficient_of_variation([(100, 4), (300, 6)]), 4)
    0.3464
    >>> coefficient_of_variation([(390, 12), (390, 4)])  # exactly at the primary threshold
    0.5
    """
    exact = _exact_square(schools)
    if exact is None:
        return None
    square, mean_below_zero = exact
    # float(Fraction) and math.sqrt are each correctly rounded: one number everywhere.
    root = math.sqrt(square)
    return -root if mean_below_zero else root


def _exact_square(schools: Iterable[tuple[float, float]]) -> tuple[Fraction, bool] | None:
    """The exact CV² of ``(enrolment, indicator count)`` pairs, and whether the mean is < 0.

    Schools without pupils are left out; ``None`` when none is left or the mean is 0.
    §6's CV² = S² / X̄² is, with X_i = 100 x_i / P_i and T = Σ x_i,
    P · Σ (x_i² / P_i) / T² − 1 (as :func:`cv_squared`, which takes integers): in
    fractions, so that the number does not depend on the order of the schools as a float
    sum's last bits do (and did across Python versions: 3.12 compensates ``sum``).
    """
    pupils = Fraction(0)
    total = Fraction(0)
    spread = Fraction(0)
    for enrolment, count in schools:
        p, x = _exact_pair(enrolment, count)
        if p <= 0:
            continue
        pupils += p
        total += x
        spread += x * x / p
    if pupils == 0 or total == 0:
        return None
    return pupils * spread / (total * total) - 1, total < 0


def _exact_pair(enrolment: object, count: object) -> tuple[Fraction, Fraction]:
    """A school's pair as exact fractions, or ``ValueError`` naming it."""
    try:
        return _exact(enrolment), _exact(count)
    except ValueError:
        raise ValueError(
            "a school's enrolment and indicator count must be finite numbers, "
            f"got ({enrolment!r}, {count!r})"
        ) from None


def _exact(value: object) -> Fraction:
    # Fraction reads an int, a float or a Decimal exactly, and refuses nan and inf; a
    # string it would parse ("300") is refused here, as a float sum refused it.
    if isinstance(value, Real | Decimal) and not isinstance(value, bool):
        try:
            return Fraction(value)  # type: ignore[arg-type]
        except OverflowError:  # inf
            pass
    raise ValueError(value)


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
