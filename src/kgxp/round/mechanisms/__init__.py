"""Markets and the mechanisms that match them.

A :class:`Market` is one competitive round reduced to indices: candidates'
ranked lists of posts, seats per post, and each post's priority classes with
a strict tiebreak. :func:`deferred_acceptance` gives the candidate-optimal
stable matching under the tie-broken order; :func:`max_weakly_stable` finds
the largest matching that respects the priority classes with ties left
genuine (with ``goals``, the most balanced of the largest, R12);
:func:`fewest_envy` meets distributional targets at the price of the fewest
justified-envy pairs (R16, R17); :func:`blocking_pairs` and :func:`check_matching` verify any
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
    from kgxp.round.mechanisms.optimal import (
        ApplicationWeights,
        OptimalResult,
        OptimalStatus,
        max_weakly_stable,
    )
    from kgxp.round.mechanisms.targeted import Target, TargetCheck, TargetedResult, fewest_envy

__all__ = [
    "UNMATCHED",
    "ApplicationWeights",
    "BlockingPair",
    "BlockingReason",
    "Market",
    "MarketError",
    "Matching",
    "OptimalResult",
    "OptimalStatus",
    "Reduction",
    "Target",
    "TargetCheck",
    "TargetedResult",
    "blocking_pairs",
    "check_matching",
    "deferred_acceptance",
    "fewest_envy",
    "max_weakly_stable",
    "reduce_market",
]

_LAZY = frozenset({"ApplicationWeights", "OptimalResult", "OptimalStatus", "max_weakly_stable"})
_LAZY_TARGETED = frozenset({"Target", "TargetCheck", "TargetedResult", "fewest_envy"})


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from kgxp.round.mechanisms import optimal

        return getattr(optimal, name)
    if name in _LAZY_TARGETED:
        from kgxp.round.mechanisms import targeted

        return getattr(targeted, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
