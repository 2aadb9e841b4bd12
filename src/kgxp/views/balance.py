"""均衡发展 per mechanism: balance goals, targets and their price side by side (R12, R16, R17, §6).

:func:`balance_comparison` runs nothing: it reads results already run (one per
mechanism, or per policy) and counts, for each, what the county's balance goals
and targets count (rural 体音美 seats filled, urban → rural moves, the §6 CV of
each teacher indicator after the round) and what it cost: justified-envy pairs
(I7's count, declared policy exceptions included) and preference ranks.
:func:`target_frontier` runs the targeted mechanism as the R16 target rises: the
price of each share. :func:`plot_frontier` and :func:`plot_cv_by_mechanism` draw
them (matplotlib, the ``plot`` extra).

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> results = {m: kgxp.run_round(scenario, policy=kgxp.Policy(mechanism=m))
...            for m in ("deferred_acceptance", "balanced")}
>>> rows = balance_comparison(scenario, results)
>>> [(r.label, r.envy_pairs) for r in rows]
[('deferred_acceptance', 0), ('balanced', 0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError

from kgxp._internal.extras import require
from kgxp._internal.frozen import FrozenModel
from kgxp._internal.gc_pause import collector_paused
from kgxp.checks.context import Context
from kgxp.checks.envy import all_justified_envy
from kgxp.exceptions import PolicyError
from kgxp.model.arguments import (
    mapping_argument,
    policy_argument,
    results_of,
    scenario_argument,
)
from kgxp.model.policy import DistributionalTargets, Mechanism, Policy, policy_problems
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id
from kgxp.round.balance import RURAL_SHORTAGE, URBAN_TO_RURAL, balance_tables
from kgxp.round.engine import run_round
from kgxp.views.metrics import BalanceRow, round_metrics

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "FrontierPoint",
    "MechanismBalance",
    "balance_comparison",
    "plot_cv_by_mechanism",
    "plot_frontier",
    "render_balance_table",
    "target_frontier",
]


class MechanismBalance(FrozenModel):
    """One result's balance goals, targets and price."""

    label: str
    mechanism: str
    placed: int = Field(description="teachers placed by a round (protected excluded)")
    rural_shortage_filled: int = Field(description="R17: rural 体音美 seats held after the round")
    rural_shortage_seats: int
    urban_to_rural: int = Field(description="R16: teachers of urban schools placed at rural ones")
    urban_teachers: int
    cv_after: dict[str, float | None] = Field(
        description="per §6 indicator, the worst segment's CV after the round"
    )
    cv_before: dict[str, float | None]
    envy_pairs: int = Field(description="justified-envy pairs, declared exceptions included")
    declared_exceptions: int
    rank_sum: int = Field(description="sum of placed teachers' preference positions (0 = first)")
    targets_met: str = Field(description="the policy's declared targets met, as 'met/declared'")


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
def balance_comparison(
    scenario: Scenario, results: Mapping[str, RoundResult]
) -> tuple[MechanismBalance, ...]:
    """One :class:`MechanismBalance` per result, in the mapping's order."""
    scenario = scenario_argument(scenario)
    mapping_argument(results, "results")
    # Each a round of this scenario (I12), every mismatch named in one error.
    named = results_of({f"results[{label!r}]": (scenario, r) for label, r in results.items()})
    rows = []
    for label, result in zip(results, named.values(), strict=True):
        receiving = scenario.receiving_schools()
        home = {t.id: receiving[t.school] for t in scenario.teachers}
        tables = balance_tables(scenario, result.policy, home)
        seats = sum(p.seats - p.reserved for p in scenario.posts if p.id in tables.shortage_posts)
        metrics = round_metrics(scenario, result)
        cv_before = _worst(metrics.balance, after=False)
        cv_after = _worst(metrics.balance, after=True)
        # The columns read without building an outcome (issue 19).
        ids, statuses, held_posts, ranks = (
            result.outcome_values(name) for name in ("teacher", "status", "post", "preference_rank")
        )
        placed = [
            (teacher, post, rank)
            for teacher, status, post, rank in zip(ids, statuses, held_posts, ranks, strict=True)
            if post is not None and status is not Status.PROTECTED
        ]
        filled = sum(1 for post in held_posts if post in tables.shortage_posts)
        moved = sum(
            1
            for teacher, post, _ in placed
            if teacher in tables.urban_home and tables.school_of.get(post or "") in tables.rural
        )
        # Counted here for every mechanism (MSDA and the others report no targets).
        reached = {URBAN_TO_RURAL: moved, RURAL_SHORTAGE: filled}
        met = sum(1 for t in tables.targets if reached[t.name] >= t.required)
        teachers = teachers_by_id(scenario)
        held = [
            (teachers[teacher], post)
            for teacher, post in zip(ids, held_posts, strict=True)
            if post is not None
        ]
        met += sum(
            1
            for c in tables.cv_targets
            if c.met_by(c.counts(held, tables.school_of, tables.subject_of))
        )
        rows.append(
            MechanismBalance(
                label=label,
                mechanism=result.policy.mechanism.value,
                placed=len(placed),
                rural_shortage_filled=filled,
                rural_shortage_seats=seats,
                urban_to_rural=moved,
                urban_teachers=len(tables.urban_home),
                cv_after=cv_after,
                cv_before=cv_before,
                envy_pairs=len(all_justified_envy(Context(scenario, result))),
                declared_exceptions=len(result.exceptions),
                rank_sum=sum(rank or 0 for _, _, rank in placed),
                targets_met=f"{met}/{len(tables.targets) + len(tables.cv_targets)}",
            )
        )
    return tuple(rows)


def _worst(rows: Sequence[BalanceRow], *, after: bool) -> dict[str, float | None]:
    """Per indicator, the largest CV over the segments (``None`` where none is defined)."""
    worst: dict[str, float | None] = {}
    for row in rows:
        value = row.after if after else row.before
        known = worst.get(row.indicator)
        worst[row.indicator] = (
            known if value is None else value if known is None else max(known, value)
        )
    return worst


def _cv(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_balance_table(rows: Sequence[MechanismBalance]) -> str:
    """The comparison as a Markdown table (the one in docs/balance.md).

    Rows named by their mechanism (one round per mechanism) are headed ``mechanism``;
    rows named otherwise (what-if rounds, a :func:`~kgxp.policy_grid`'s variants) are
    headed ``variant``, each with its mechanism in the next column.
    """
    indicators = list(rows[0].cv_after) if rows else []
    variants = any(r.label != r.mechanism for r in rows)
    header = [
        *(("variant", "mechanism") if variants else ("mechanism",)),
        "placed",
        "rural 体音美 filled",
        "urban → rural",
        *(f"CV {name}" for name in indicators),
        "envy pairs",
        "rank sum",
        "targets met",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        cells = [
            *((r.label, r.mechanism) if variants else (r.label,)),
            str(r.placed),
            f"{r.rural_shortage_filled}/{r.rural_shortage_seats}",
            f"{r.urban_to_rural} ({r.urban_to_rural / r.urban_teachers:.1%})"
            if r.urban_teachers
            else str(r.urban_to_rural),
            *(_cv(r.cv_after.get(name)) for name in indicators),
            str(r.envy_pairs),
            str(r.rank_sum),
            r.targets_met,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


class FrontierPoint(FrozenModel):
    """The targeted mechanism at one R16 share: required, achieved, and the price."""

    share: Decimal
    required: int
    achieved: int
    met: bool
    envy_pairs: int
    best_possible: int | None = None


def target_frontier(
    scenario: Scenario, shares: Sequence[Decimal | str], *, policy: Policy | None = None
) -> tuple[FrontierPoint, ...]:
    """Run the targeted mechanism at each R16 share (urban → rural moves, R16).

    Every share is checked before the first round runs, as the policy's own field checks
    it (a number or its text, from 0 to 1): :class:`~kgxp.exceptions.PolicyError` names
    a bad one. A float is read as written (``0.1`` is 10%, not its binary expansion).
    """
    scenario = scenario_argument(scenario)
    base = policy_argument(policy)
    if isinstance(shares, str | bytes) or not isinstance(shares, Sequence):
        raise TypeError(
            f"shares must be a sequence of shares, such as ['0.05', '0.10'], got {shares!r}"
        )
    plans: list[tuple[Decimal, DistributionalTargets]] = []
    for given in shares:
        try:
            targets = DistributionalTargets.model_validate(
                {
                    "urban_to_rural_share": given,
                    "rural_shortage_fill_share": base.targets.rural_shortage_fill_share,
                }
            )
        except ValidationError as error:
            raise PolicyError(policy_problems(error)) from None
        share = targets.urban_to_rural_share
        if share is None:  # None is "no target" to the policy: no point of a frontier
            raise ValueError("shares must be numbers from 0 to 1, got None")
        plans.append((share, targets))
    points = []
    for share, targets in plans:
        result = run_round(
            scenario, policy=base.evolve(mechanism=Mechanism.TARGETED, targets=targets)
        )
        report = next(t for t in result.targets if t.target == "urban_to_rural_share")
        points.append(
            FrontierPoint(
                share=share,
                required=report.required,
                achieved=report.achieved,
                met=report.met,
                envy_pairs=report.envy_pairs,
                best_possible=report.best_possible,
            )
        )
    return tuple(points)


def plot_frontier(points: Sequence[FrontierPoint], *, ax: Axes | None = None) -> Axes:
    """Envy pairs (the price) against the R16 share; unreachable shares marked with x."""
    plt = require("matplotlib.pyplot", "plot", "kgxp.views.balance.plot_frontier")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    met = [p for p in points if p.met]
    missed = [p for p in points if not p.met]
    ax.plot([float(p.share) * 100 for p in met], [p.envy_pairs for p in met], "o-", label="met")
    if missed:
        ax.plot(
            [float(p.share) * 100 for p in missed],
            [0] * len(missed),
            "x",
            color="red",
            label="infeasible (explained)",
        )
    ax.set_xlabel("R16 target: urban → rural moves, % of urban teachers")
    ax.set_ylabel("justified-envy pairs (policy exceptions)")
    ax.legend()
    return ax


def plot_cv_by_mechanism(
    rows: Sequence[MechanismBalance], threshold: float, *, ax: Axes | None = None
) -> Axes:
    """Worst-segment CV of each indicator: before the round, then after each mechanism."""
    plt = require("matplotlib.pyplot", "plot", "kgxp.views.balance.plot_cv_by_mechanism")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    indicators = list(rows[0].cv_after) if rows else []
    series = [("before", rows[0].cv_before if rows else {})] + [(r.label, r.cv_after) for r in rows]
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        ax.bar(
            [j + i * width for j in range(len(indicators))],
            [values.get(name) or 0.0 for name in indicators],
            width,
            label=label,
        )
    ax.axhline(threshold, color="black", linestyle="--", label=f"threshold {threshold}")
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(indicators))], indicators)
    ax.set_ylabel("CV (worst segment)")
    ax.legend(fontsize="small")
    return ax
