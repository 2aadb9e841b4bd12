"""kgxp's own ``decimal`` context, whatever the caller's (internal).

Scores (R15), seat shares (R5), pay shares (R8, §5) and CVs (§6) are ``Decimal``
arithmetic, and Python's ``decimal`` rounds every operation — a unary minus in a
sort key, a product, a ``quantize`` to the fen — in the *thread's current
context*. A notebook that set ``decimal.getcontext().prec = 3`` for its own tables
would otherwise get another waiting list order, pay of another amount, or an
``InvalidOperation`` from deep inside a semester's payroll.

:func:`in_kgxp_decimal_context` wraps each public entry point that computes:
it runs in :data:`KGXP_DECIMAL_CONTEXT` (Python's documented default: 28 digits,
half-even, the usual traps), a fresh copy per call, so nothing the caller set —
nor anything kgxp's arithmetic flags — crosses the boundary either way. Parts
that need more (exact sums of weights, R15) still open a context of their own
inside. tests/test_decimal_context.py runs the entry points under 1, 3 and 6 digits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import ParamSpec, TypeVar

__all__ = [
    "EXACT_DECIMAL_CONTEXT",
    "KGXP_DECIMAL_CONTEXT",
    "call_in_kgxp_decimal_context",
    "in_kgxp_decimal_context",
]


def _spelled_out(precision: int) -> Context:
    # Every attribute given: ``Context(prec=...)`` alone takes the others from
    # ``decimal.DefaultContext``, which a program may change (it is the template of
    # every new thread's context).
    return Context(
        prec=precision,
        rounding=ROUND_HALF_EVEN,
        Emin=-999_999,
        Emax=999_999,
        capitals=1,
        clamp=0,
        flags=[],
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


KGXP_DECIMAL_CONTEXT = _spelled_out(28)
"""The context kgxp computes in: Python's documented default, spelled out."""

EXACT_DECIMAL_CONTEXT = _spelled_out(200)
"""For sums and products that must be exact: weights × evaluation components (R15),
seat shares × seat counts (R5). Their operands have a few dozen digits at most."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def in_kgxp_decimal_context(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run in a fresh copy of :data:`KGXP_DECIMAL_CONTEXT`, then the
    caller's context restored."""

    @functools.wraps(function)
    def in_context(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return call_in_kgxp_decimal_context(function, *args, **kwargs)

    return in_context


def call_in_kgxp_decimal_context(
    function: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs
) -> _R:
    """``function(*args, **kwargs)`` in a fresh copy of :data:`KGXP_DECIMAL_CONTEXT`; a
    module-level function, so that a task submitted through it can be pickled."""
    with localcontext(KGXP_DECIMAL_CONTEXT):
        return function(*args, **kwargs)
