"""R15: the composite score that posts rank candidates by.

A teacher's given ``score`` is used as is; otherwise the four 四维一体 evaluation
components are combined with the policy's weights. Either way the result is the
exact ``Decimal`` of the value given (the shortest decimal text of the number read,
e.g. ``85.124``), never rounded: a score of 85.124 ranks above 85.12, and only truly
equal scores reach the tie-breakers (never float noise either). Values with fewer
than two decimal places are written with two (``85`` → ``85.00``): the same value,
the same text as before for the common case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from typing import Final

from kgxp._internal.decimals import EXACT_DECIMAL_CONTEXT
from kgxp.model.arguments import policy_argument
from kgxp.model.policy import Policy
from kgxp.model.scenario import Teacher

__all__ = ["ScoreKey", "composite_score", "composite_scores", "written_score_key"]

_CENT: Final = Decimal("0.01")
_ONE: Final = Decimal(1)
# Weights (any number of places) times components (up to 17 significant digits) in
# EXACT_DECIMAL_CONTEXT, every step, the quantize to two places included: never the
# caller's, whose precision (a notebook's prec=3, say) could not hold 100.00 and would
# raise, or give NaN with that trap off (R15: a score's text is published).


def _exact(value: Decimal) -> Decimal:
    """``value`` unchanged, written with at least two decimal places."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return value.quantize(_CENT, context=EXACT_DECIMAL_CONTEXT)  # only appends zeros: exact
    return value


ScoreKey = tuple[int, tuple[int, ...], int | str]
"""A score as written: sign, digits, exponent (:meth:`decimal.Decimal.as_tuple`)."""


def written_score_key(score: Decimal) -> ScoreKey:
    """A key equal only for scores written alike: reasons shared between teachers key on it.

    ``Decimal('0.00') == Decimal('-0.00') == Decimal('0.000')``, but a reason states
    its teacher's score as written, and the JSON tells them apart.
    """
    sign, digits, exponent = score.as_tuple()
    return sign, digits, exponent


def composite_score(teacher: Teacher, policy: Policy) -> Decimal:
    """The R15 composite score of ``teacher`` under ``policy``.

    >>> from kgxp import Evaluation, Policy, Sex, Teacher, YearMonth
    >>> t = Teacher(id="T1", name="王芳", school="S1", subjects=("语文",), sex=Sex.FEMALE,
    ...             birth=YearMonth(1990, 3), service_start=YearMonth(2012, 9),
    ...             evaluation=Evaluation(student_rating=90, peer_review=80,
    ...                                   quality_assessment=85, school_evaluation=88))
    >>> composite_score(t, Policy())
    Decimal('85.75')
    >>> composite_score(t.model_copy(update={"score": 85.124}), Policy())
    Decimal('85.124')
    """
    policy = policy_argument(policy, optional=False)
    if teacher.score is not None:
        return _exact(Decimal(repr(teacher.score)))
    evaluation = teacher.evaluation
    assert evaluation is not None  # Teacher's own validator guarantees one of the two
    weights = policy.evaluation_weights
    with localcontext(EXACT_DECIMAL_CONTEXT):
        total = (
            weights.student_rating * Decimal(repr(evaluation.student_rating))
            + weights.peer_review * Decimal(repr(evaluation.peer_review))
            + weights.quality_assessment * Decimal(repr(evaluation.quality_assessment))
            + weights.school_evaluation * Decimal(repr(evaluation.school_evaluation))
        )
    # Trailing zeros of the products (0.25 × 90.0 = 22.500) carry no information.
    return _exact(_without_trailing_zeros(total))


def _without_trailing_zeros(value: Decimal) -> Decimal:
    with localcontext(EXACT_DECIMAL_CONTEXT):
        # normalize() writes 100 as 1E+2; an integer keeps its plain form.
        return (
            value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        )


def composite_scores(teachers: Sequence[Teacher], policy: Policy) -> list[Decimal]:
    """:func:`composite_score` of each teacher, in order, computed in bulk.

    The same numbers; given scores (the common case) are converted inline rather
    than through a call per teacher, and each distinct score once: a county has a
    few hundred distinct scores among its thousands of teachers.
    """
    known: dict[float, Decimal] = {}

    def convert(value: float) -> Decimal:
        exact = _exact(Decimal(repr(value)))
        if value:  # not zero: 0.0 and -0.0 are one key but quantize to '0.00' and '-0.00'
            known[value] = exact
        return exact

    weigh = _weigher(policy)
    return [
        (known.get(score) or convert(score)) if (score := t.score) is not None else weigh(t)
        for t in teachers
    ]


def _weigher(policy: Policy) -> Callable[[Teacher], Decimal]:
    """:func:`composite_score` of a teacher scored by evaluation, for many teachers.

    The same sums in an explicit exact context (no ``localcontext`` per teacher), each
    weight times component computed once per distinct component value (a county has a
    few hundred).
    """
    exact = EXACT_DECIMAL_CONTEXT.copy()
    add = exact.add
    weights = policy.evaluation_weights
    factors = (
        weights.student_rating,
        weights.peer_review,
        weights.quality_assessment,
        weights.school_evaluation,
    )
    # Per component, value -> weight × value. Keyed by the float, except zero: 0.0 and
    # -0.0 are one key but not one repr, and the repr is what is multiplied.
    products: tuple[dict[float, Decimal], ...] = ({}, {}, {}, {})
    one, two, three, four = (known.get for known in products)

    def weighed(value: float, part: int) -> Decimal:
        product = exact.multiply(factors[part], Decimal(repr(value)))
        if value:
            products[part][value] = product
        return product

    def weigh(teacher: Teacher) -> Decimal:
        evaluation = teacher.evaluation
        assert evaluation is not None  # Teacher's own validator guarantees one of the two
        a, b, c, d = (
            evaluation.student_rating,
            evaluation.peer_review,
            evaluation.quality_assessment,
            evaluation.school_evaluation,
        )
        total = add(
            add(add(one(a) or weighed(a, 0), two(b) or weighed(b, 1)), three(c) or weighed(c, 2)),
            four(d) or weighed(d, 3),
        )
        # _without_trailing_zeros, in the exact context.
        return _exact(
            total.quantize(_ONE, context=exact)
            if total == total.to_integral_value(context=exact)
            else total.normalize(exact)
        )

    return weigh
