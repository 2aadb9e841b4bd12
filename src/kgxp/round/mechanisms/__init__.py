"""Markets and the mechanisms that match them.

A :class:`Market` is one competitive round reduced to indices: candidates'
ranked lists of posts, seats per post, and each post's priority classes with
a strict tiebreak. :func:`deferred_acceptance` gives the candidate-optimal
stable matching under the tie-broken order; :func:`max_weakly_stable` finds
the largest matching that respects the priority classes with ties left
genuine; :func:`blocking_pairs` and :func:`check_matching` verify any
matching independently of how it was found.

The CP-SAT names (:func:`max_weakly_stable`, :class:`OptimalResult`) are
loaded on first use, so importing the package does not import OR-Tools,
which takes longer than everything else here put together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgxp.round.mechanisms.deferred_acceptance import deferred_acceptance
from kgxp.round.mechanisms.market import UNMATCHED, Market, MarketError, Matching
from kgxp.round.mechanisms.reduction import Reduction, reduce_market
from kgxp.round.mechanisms.stability import (
    BlockingPair,
    BlockingReason,
    blocking_pairs,
    check_matching,
)

if TYPE_CHECKING:
    from kgxp.round.mechanisms.optimal import OptimalResult, OptimalStatus, max_weakly_stable

__all__ = [
    "UNMATCHED",
    "BlockingPair",
    "BlockingReason",
    "Market",
    "MarketError",
    "Matching",
    "OptimalResult",
    "OptimalStatus",
    "Reduction",
    "blocking_pairs",
    "check_matching",
    "deferred_acceptance",
    "max_weakly_stable",
    "reduce_market",
]

_LAZY = frozenset({"OptimalResult", "OptimalStatus", "max_weakly_stable"})


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from kgxp.round.mechanisms import optimal

        return getattr(optimal, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
