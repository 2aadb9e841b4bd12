"""A readable report of a round, for the demo and for bureau staff (plain text)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from kgxp.metrics import round_metrics
from kgxp.result import Outcome, RoundResult, Status
from kgxp.scenario import Scenario

__all__ = ["SEED_CROSS_SCHOOL_SHARE", "render_report"]

SEED_CROSS_SCHOOL_SHARE = Decimal(310) / Decimal(3400)
"""Seed 003 (西安新城区): 310 of 3,400 teachers moved school, about 9.1% (R14; see docs)."""

_WHY = {
    "outranked": "lost every post applied for to higher-ranked teachers",
    "no_application": "applied for no post in the round",
    "not_eligible": "no vacancy of a qualified subject in scope",
    "unwilling": "not willing to be adjusted (R6)",
    "lower_adjustment_priority": "vacancies of their subjects went to higher performance",
}


def _why(outcome: Outcome) -> str:
    codes = [r.code for r in outcome.reasons if r.code not in {"waiting", "placed"}]
    if not codes:
        return "—"
    last = codes[-1]
    return _WHY.get(last, last)


def render_report(scenario: Scenario, result: RoundResult, *, waiting_rows: int = 15) -> str:
    """Per-round counts, the cross-school share against the seed's figure, the waiting list."""
    names = {t.id: t.name for t in scenario.teachers}
    subjects = {t.id: t.main_subject for t in scenario.teachers}
    school_names = {s.id: s.name for s in scenario.schools}
    counts = result.counts()
    total = sum(counts.values())
    seats = sum(p.seats for p in result.posts)
    reserved = sum(p.reserved for p in result.posts)
    lines = [
        f"{scenario.county.name} — round of {scenario.competition_month}, policy "
        f"{result.policy.name}, mechanism {result.policy.mechanism.value}, seed {result.seed}",
        f"teachers {total}; seats {seats} (reserved R2 {reserved}, protected R4 "
        f"{sum(p.protected for p in result.posts)}, in-school {sum(p.in_school for p in result.posts)}, "
        f"cross-school {sum(p.cross_school for p in result.posts)})",
        "",
        f"  {'round':<24}{'kind':<14}{'scope':<10}{'candidates':>11}{'seats':>7}{'placed':>8}",
    ]
    for stats in result.rounds:
        lines.append(
            f"  {stats.name:<24}{stats.kind.value:<14}{stats.scope.value:<10}"
            f"{stats.candidates:>11}{stats.seats_offered:>7}{stats.placed:>8}"
        )
        solver = stats.solver
        if (
            solver is not None
            and solver.baseline_placed is not None
            and (solver.mechanism != "deferred_acceptance")
        ):
            lines.append(
                f"  {'':<24}{solver.mechanism}: {solver.status}, placed {solver.objective} "
                f"(deferred acceptance: {solver.baseline_placed}), bound {solver.bound}"
            )
    lines += ["", "Outcomes: " + ", ".join(f"{k} {v}" for k, v in counts.items())]
    metrics = round_metrics(scenario, result)
    lines.append(
        f"Moved to another school: {metrics.moved_school} of {metrics.competing} competing "
        f"teachers ({metrics.moved_share:.1%}), {metrics.moved_across_communities} of them into "
        f"another community; seed 003 reports 310 of 3,400 ({SEED_CROSS_SCHOOL_SHARE:.1%}); "
        f"urban → rural {metrics.urban_to_rural}, rural → urban {metrics.rural_to_urban} (R16)"
    )
    vacant = sum(p.vacant for p in result.posts)
    lines.append(f"Seats left vacant after adjustment: {vacant}")
    lines += ["", "Balance (校际差异系数, §6), before → after the round:"]
    for row in metrics.balance:
        flag = "" if row.after_ok in (True, None) else f"  above {row.threshold}"
        lines.append(
            f"  {row.segment.value:<10}{row.indicator:<30}{_cv(row.before):>7} → "
            f"{_cv(row.after):<7}{flag}".rstrip()
        )
    if result.conflicts:
        lines += ["", f"Conflicts ({len(result.conflicts)}):"]
        lines += [f"  {c.rule} {c.teacher} at {c.school}: {c.message}" for c in result.conflicts]
    waiting = [o for o in result.outcomes if o.status is Status.WAITING]
    why = Counter(_why(o) for o in waiting)
    lines += ["", f"Waiting (R7), {len(waiting)} teachers:"]
    lines += [f"  {count:>5}  {reason}" for reason, count in why.most_common()]
    if waiting:
        lines += [
            "",
            f"  {'teacher':<9}{'name':<8}{'subject':<10}{'score':>7}  {'home school':<20}"
            f"{'assigned for 跟岗/顶岗':<20}reason",
        ]
        shown = sorted(waiting, key=lambda o: (-o.score, o.teacher))[:waiting_rows]
        for o in shown:
            lines.append(
                f"  {o.teacher:<9}{_pad(names.get(o.teacher, '?'), 8)}"
                f"{_pad(subjects.get(o.teacher, '?'), 10)}{o.score:>7}  "
                f"{_pad(school_names.get(o.home_school, o.home_school), 20)}"
                f"{_pad(school_names.get(o.school or '', o.school or '-'), 20)}{_why(o)}"
            )
        if len(waiting) > waiting_rows:
            lines.append(f"  … and {len(waiting) - waiting_rows} more")
    return "\n".join(lines)


def _cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _pad(text: str, width: int) -> str:
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - shown)
