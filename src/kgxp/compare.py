"""What changed between two rounds: a what-if, or an appeal (复核/申诉) against the published one.

``compare(a, b)`` takes two :class:`~kgxp.result.RoundResult` (of the same
county, possibly different scenarios or policies) and returns who moved where
and why, whose seats changed holders, and counts per status and per round.
An appeal is a re-run with the corrected record compared with the published
round::

    corrected = scenario.evolve(teachers=...)   # the corrected score
    change = compare(published, run_round(corrected, policy=published.policy,
                                          seed=published.seed))
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import Field

from kgxp._model import FrozenModel, Id
from kgxp.result import Outcome, RoundResult, Status

__all__ = ["Comparison", "OutcomeChange", "SeatChange", "compare"]


class OutcomeChange(FrozenModel):
    """A teacher whose outcome differs (status, post or school), with the new reasons."""

    teacher: Id
    before_status: Status | None
    before_post: Id | None
    before_school: Id | None
    after_status: Status | None
    after_post: Id | None
    after_school: Id | None
    why: tuple[str, ...] = Field(description="reason codes of the new outcome, in order")


class SeatChange(FrozenModel):
    """A post whose holders changed."""

    post: Id
    left: tuple[Id, ...] = Field(description="holders in a, not in b")
    joined: tuple[Id, ...] = Field(description="holders in b, not in a")


class Comparison(FrozenModel):
    """Differences from round ``a`` to round ``b``."""

    same_scenario: bool
    same_policy: bool
    changed: tuple[OutcomeChange, ...]
    seats: tuple[SeatChange, ...]
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    placed_per_round_before: dict[str, int]
    placed_per_round_after: dict[str, int]

    def frame(self) -> Any:
        """``changed`` as a pandas DataFrame (``pip install 'kgxp[notebook]'``)."""
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Comparison.frame() needs pandas: pip install 'kgxp[notebook]'"
            ) from error
        return pd.DataFrame([c.model_dump(mode="json") for c in self.changed])


def compare(a: RoundResult, b: RoundResult) -> Comparison:
    """Who moved where and why between ``a`` and ``b`` (records in id order)."""
    before = {o.teacher: o for o in a.outcomes}
    after = {o.teacher: o for o in b.outcomes}
    changed = []
    for teacher in sorted(set(before) | set(after)):
        x, y = before.get(teacher), after.get(teacher)
        if _where(x) != _where(y):
            changed.append(
                OutcomeChange(
                    teacher=teacher,
                    before_status=x.status if x else None,
                    before_post=x.post if x else None,
                    before_school=x.school if x else None,
                    after_status=y.status if y else None,
                    after_post=y.post if y else None,
                    after_school=y.school if y else None,
                    why=tuple(r.code for r in y.reasons) if y else (),
                )
            )
    return Comparison(
        same_scenario=a.scenario_digest == b.scenario_digest,
        same_policy=a.policy == b.policy,
        changed=tuple(changed),
        seats=_seat_changes(a, b),
        counts_before=a.counts(),
        counts_after=b.counts(),
        placed_per_round_before={r.name: r.placed for r in a.rounds},
        placed_per_round_after={r.name: r.placed for r in b.rounds},
    )


def _where(outcome: Outcome | None) -> tuple[object, ...] | None:
    if outcome is None:
        return None
    return (outcome.status, outcome.post, outcome.school)


def _holders(result: RoundResult) -> dict[str, set[str]]:
    holders: dict[str, set[str]] = defaultdict(set)
    for outcome in result.outcomes:
        if outcome.post is not None:
            holders[outcome.post].add(outcome.teacher)
    return holders


def _seat_changes(a: RoundResult, b: RoundResult) -> tuple[SeatChange, ...]:
    first, second = _holders(a), _holders(b)
    changes = []
    for post in sorted(set(first) | set(second)):
        left = first.get(post, set()) - second.get(post, set())
        joined = second.get(post, set()) - first.get(post, set())
        if left or joined:
            changes.append(
                SeatChange(post=post, left=tuple(sorted(left)), joined=tuple(sorted(joined)))
            )
    return tuple(changes)
