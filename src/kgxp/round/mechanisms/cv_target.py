"""A CV target as a CP-SAT constraint: an indicator's inter-school spread at most a threshold.

R12's 均衡发展 is measured as domain §6 says: the enrolment-weighted coefficient
of variation (校际差异系数) of a teacher indicator over a segment's schools. With school
``i``'s enrolment ``P_i`` and indicator count ``y_i`` (teachers, an integer a
placement changes), ``Y = Σ y_i`` and ``P = Σ P_i``, the indicator per 100
pupils is ``100 y_i / P_i``, its mean ``100 Y / P``, and::

    CV² = P · Σ (y_i² / P_i) / Y² − 1,   so   CV ≤ t  ⇔  P · Σ y_i² / P_i ≤ (1 + t²) · Y²

(``Y > 0``; with no indicator teacher at all the CV is undefined, and a
target on it is not met). The CV is not linear in a placement, but each
``y_i`` ranges over a few integers (what the school had before the round plus
the round's applicants who would add to it), so ``y_i² / P_i`` is tabulated per
school and read with an element constraint, and ``Y²`` is one multiplication
equality. With ``1 + t² = a / b`` the constraint is, in integers::

    Σ_i ceil(K · b · P · y_i² / P_i)  ≤  a · K · Y²

Every term is rounded *up*, so the constraint never accepts a CV above ``t``;
it may reject a placement whose CV is below ``t`` by less than a margin that
shrinks with the scale ``K`` (chosen as large as keeps every sum far inside 64
bits). Whether a result meets a target is then decided with exact fractions
(:func:`cv_squared`), never with the rounded table.

The caller (:mod:`.targeted`) knows nothing of schools: a target lists, per
candidate and application, the school the application adds one indicator
teacher to (``-1``: none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import attrs
from ortools.sat.python import cp_model

from kgxp.model.balance import cv_squared
from kgxp.round.mechanisms.market import Matching

__all__ = ["CvTarget", "add_cv_constraint", "cv_squared", "indicator_counts"]

# Every integer in the constraint stays below this: CP-SAT sums activity bounds.
_LIMIT = 2**56


@attrs.frozen
class CvTarget:
    """``CV ≤ limit`` over schools with ``enrolments`` (all > 0) and counts ``fixed`` + the round's.

    ``adds[c][k]`` is the school index candidate ``c``'s ``k``-th application adds
    one indicator teacher to, or ``-1`` when it adds none.
    """

    name: str
    enrolments: tuple[int, ...]
    fixed: tuple[int, ...]
    adds: Sequence[Sequence[int]]
    limit: Fraction

    def problems(self, preferences: Sequence[Sequence[int]]) -> list[str]:
        """What makes the target unusable with these preferences (empty: nothing)."""
        found = []
        if len(self.enrolments) != len(self.fixed):
            found.append(f"{len(self.enrolments)} enrolments for {len(self.fixed)} counts")
        found += [
            f"school {i} has enrolment {p} <= 0" for i, p in enumerate(self.enrolments) if p <= 0
        ]
        found += [f"school {i} has count {y} < 0" for i, y in enumerate(self.fixed) if y < 0]
        if self.limit < 0:
            found.append(f"limit {self.limit} < 0")
        if len(self.adds) != len(preferences):
            return [*found, f"{len(self.adds)} rows of schools for {len(preferences)} candidates"]
        n = len(self.enrolments)
        for c, (row, prefs) in enumerate(zip(self.adds, preferences, strict=True)):
            if len(row) != len(prefs):
                found.append(f"adds[{c}] has {len(row)} entries, preferences[{c}] {len(prefs)}")
            found += [f"adds[{c}] names school {i} of {n}" for i in row if not -1 <= i < n]
        return found

    def meets(self, counts: Sequence[int]) -> bool:
        """Exactly: is the CV of ``counts`` defined and at most ``limit``?"""
        square = cv_squared(self.enrolments, counts)
        return square is not None and square <= self.limit**2


def indicator_counts(target: CvTarget, matching: Matching) -> list[int]:
    """Each school's count after ``matching``: before the round plus the round's additions."""
    counts = list(target.fixed)
    for c, k in enumerate(matching.ranks):
        if k >= 0 and (i := target.adds[c][k]) >= 0:
            counts[i] += 1
    return counts


def add_cv_constraint(
    model: cp_model.CpModel, x: Sequence[Sequence[cp_model.IntVar]], target: CvTarget
) -> None:
    """Constrain ``model`` (application literals ``x``) so that the CV is at most the limit."""
    one_plus = 1 + target.limit**2
    a, b = one_plus.numerator, one_plus.denominator
    pupils = sum(target.enrolments)
    n = len(target.enrolments)
    added: list[list[cp_model.IntVar]] = [[] for _ in range(n)]
    for row, literals in zip(target.adds, x, strict=True):
        for i, literal in zip(row, literals, strict=True):
            if i >= 0:
                added[i].append(literal)
    most = [y + len(lits) for y, lits in zip(target.fixed, added, strict=True)]
    top = sum(most)
    # Scale: as large as keeps both sides of the inequality below _LIMIT.
    largest = (
        b * pupils * sum(Fraction(m * m, p) for m, p in zip(most, target.enrolments, strict=True))
    )
    bound = max(math.ceil(largest) + n, a * max(top, 1) ** 2)
    scale = max(1, 2 ** max(0, (_LIMIT // bound).bit_length() - 1))
    constant = Fraction(0)
    terms: list[cp_model.LinearExprT] = []
    for y, p, lits in zip(target.fixed, target.enrolments, added, strict=True):
        exact = [scale * b * pupils * Fraction((y + v) ** 2, p) for v in range(len(lits) + 1)]
        if not lits:
            constant += exact[0]
            continue
        table = [math.ceil(e) for e in exact]
        term = model.new_int_var(table[0], table[-1], "")
        model.add_element(cp_model.LinearExpr.sum(lits), table, term)
        terms.append(term)
    total = model.new_int_var(sum(target.fixed), top, "")
    model.add(
        total == sum(target.fixed) + cp_model.LinearExpr.sum([v for lits in added for v in lits])
    )
    model.add(total >= 1)  # the CV of no indicator teacher is undefined
    square = model.new_int_var(0, top * top, "")
    model.add_multiplication_equality(square, [total, total])
    model.add(cp_model.LinearExpr.sum(terms) + math.ceil(constant) <= a * scale * square)
