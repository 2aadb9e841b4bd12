"""What changed between two rounds: a what-if, or an appeal (复核/申诉) against the published one.

``compare(a, b)`` takes two :class:`~kgxp.model.result.RoundResult` (of the same
county, possibly different scenarios or policies) and returns who moved where
and why, whose seats changed holders, and counts per status and per round.
Given the scenarios too (``compare(a, b, scenarios=(sa, sb))``) it adds each
round's :class:`~kgxp.views.metrics.RoundMetrics`: movement, fill rates and the
校际差异系数 (§6) of ``a`` and of ``b``.
An appeal is a re-run with the corrected record compared with the published
round::

    corrected = scenario.evolve(teachers=...)   # the corrected score
    change = compare(published, run_round(corrected, policy=published.policy,
                                          seed=published.seed))
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.rendering import html_of
from kgxp.model.arguments import result_argument, results_of, scenario_argument
from kgxp.model.document_json import ReadableDocument
from kgxp.model.policy import RoundKind
from kgxp.model.result import Reason, RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.views.metrics import RoundMetrics, round_metrics

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
    before_score: Decimal | None = None
    after_score: Decimal | None = None
    reasons: tuple[Reason, ...] = Field(
        default=(), description="the new outcome's reasons (rounds, rivals, scores), in order"
    )
    protected_by: tuple[str, ...] = Field(
        default=(), description="the new outcome's protected categories (R4)"
    )


class SeatChange(FrozenModel):
    """A post whose holders changed."""

    post: Id
    left: tuple[Id, ...] = Field(description="holders in a, not in b")
    joined: tuple[Id, ...] = Field(description="holders in b, not in a")


class Comparison(ReadableDocument):
    """Differences from round ``a`` to round ``b``."""

    document_name: ClassVar[str] = "comparison"

    same_scenario: bool
    same_policy: bool
    changed: tuple[OutcomeChange, ...]
    seats: tuple[SeatChange, ...]
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    placed_per_round_before: dict[str, int]
    placed_per_round_after: dict[str, int]
    metrics_before: RoundMetrics | None = Field(
        default=None, description="movement and balance (§6) of a, when its scenario was given"
    )
    metrics_after: RoundMetrics | None = Field(
        default=None, description="movement and balance (§6) of b, when its scenario was given"
    )
    round_kinds: dict[str, RoundKind] = Field(
        default_factory=dict, description="the kind of each round of a and b, by round name"
    )
    scenario_digests: tuple[str, str] | None = Field(
        default=None,
        description="the scenario digests of a and b (I12): the scenarios that may name their "
        "teachers; none in a comparison written before kgxp recorded them",
    )

    def to_frame(self) -> Any:
        """``changed`` as a pandas DataFrame with categorical ids and statuses; ``why`` is the
        new outcome's reason codes joined by ``、`` (``pip install 'kgxp[notebook]'``)."""
        rows = [
            c.model_dump(exclude={"reasons"})
            | {"why": "、".join(c.why), "protected_by": "、".join(c.protected_by)}
            for c in self.changed
        ]
        columns: dict[str, ColumnKind] = {
            name: "category" for name in OutcomeChange.model_fields if name != "reasons"
        }
        columns |= {"before_score": "number", "after_score": "number"}
        return typed_frame(rows, columns, "Comparison.to_frame()")

    def frame(self) -> Any:
        """Deprecated: use :meth:`to_frame` (one name for every frame)."""
        warnings.warn(
            "Comparison.frame() is deprecated; use Comparison.to_frame()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_frame()

    def __repr__(self) -> str:
        # A summary; details: .changed, .seats, .to_frame().
        return (
            f"Comparison(changed={len(self.changed)}, seats={len(self.seats)}, "
            f"same_scenario={self.same_scenario}, same_policy={self.same_policy}, "
            f"before={self.counts_before}, after={self.counts_after})"
        )

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: counts and balance before/after, changed outcomes, seats."""
        return html_of(self)  # drawn by kgxp.views.html, registered there


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
@in_kgxp_decimal_context
def compare(
    a: RoundResult,
    b: RoundResult,
    *,
    scenarios: tuple[Scenario, Scenario] | None = None,
) -> Comparison:
    """Who moved where and why between ``a`` and ``b`` (records in id order).

    ``scenarios`` are the scenarios ``a`` and ``b`` were run on; with them the
    comparison also holds both rounds' metrics (balance before/after, §6).
    """
    a = result_argument(a, "a")
    b = result_argument(b, "b")
    if scenarios is not None:  # each the scenario its round ran on (I12)
        if not isinstance(scenarios, tuple | list) or len(scenarios) != 2:
            raise TypeError(
                "scenarios must be a pair (the scenario of a, the scenario of b), got "
                f"{type(scenarios).__name__}"
            )
        scenario_a, scenario_b = (scenario_argument(s, "scenarios") for s in scenarios)
        results_of({"a": (scenario_a, a), "b": (scenario_b, b)})
    # Where each teacher ended, from the columns: only changed outcomes are built (issue 19).
    before, after = _places(a), _places(b)
    changed = []
    for teacher in sorted(before.keys() | after.keys()):
        was, now = before.get(teacher), after.get(teacher)
        # (status, post, school) before and after; None for a teacher only one result has.
        if (was[1:] if was else None) != (now[1:] if now else None):
            x = a.outcomes[was[0]] if was else None
            y = b.outcomes[now[0]] if now else None
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
                    before_score=x.score if x else None,
                    after_score=y.score if y else None,
                    reasons=y.reasons if y else (),
                    protected_by=y.protected_by if y else (),
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
        metrics_before=round_metrics(scenarios[0], a) if scenarios else None,
        metrics_after=round_metrics(scenarios[1], b) if scenarios else None,
        round_kinds={r.name: r.kind for r in (*a.rounds, *b.rounds)},
        scenario_digests=(a.scenario_digest, b.scenario_digest),
    )


def _places(result: RoundResult) -> dict[str, tuple[int, Status, str | None, str | None]]:
    """Per teacher id: the position of their outcome, its status, post and school (the
    last outcome of an id, as a dict of the outcomes keeps)."""
    columns = (result.outcome_values(name) for name in ("teacher", "status", "post", "school"))
    return {
        teacher: (position, status, post, school)
        for position, (teacher, status, post, school) in enumerate(zip(*columns, strict=True))
    }


def _holders(result: RoundResult) -> dict[str, set[str]]:
    holders: dict[str, set[str]] = defaultdict(set)
    posts, teachers = result.outcome_values("post"), result.outcome_values("teacher")
    for post, teacher in zip(posts, teachers, strict=True):
        if post is not None:
            holders[post].add(teacher)
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
