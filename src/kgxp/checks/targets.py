"""I15: declared distributional targets are met or explained, and their price is declared.

The targeted mechanism (R16, R17) may break I7 on purpose: each justified-envy
pair it creates is listed in ``RoundResult.exceptions``. This family checks that
bargain from the scenario and the outcomes, trusting none of the result's own
figures:

* every declared exception names declared targets and is a real justified-envy
  pair of its round (a declared pair that is not one would hide nothing, but a
  result must not claim a price it did not pay); I7 accepts exactly these;
* every declared target has one report whose base, required and achieved counts
  are recomputed here (counting as in :mod:`kgxp.round.balance`); a target
  reported met is met; a target not met is reported infeasible with an
  explanation (a feasible target must be met);
* every declared CV target (R12, §6) has one report whose CV is recomputed here
  with exact fractions from the outcomes (each teacher at the school of the post
  they hold, for its subject); met when at most the threshold; a target not met
  is reported infeasible with an explanation;
* no exceptions or target reports without a targeted policy declaring targets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from kgxp.checks.context import Context
from kgxp.checks.envy import all_justified_envy, declared_exceptions
from kgxp.checks.violation import Violation
from kgxp.model.policy import Mechanism
from kgxp.model.result import Status, TargetReport
from kgxp.round.balance import URBAN_TO_RURAL, BalanceTables, CvSpec, balance_tables, cv_decimal

__all__ = ["check_targets"]


def check_targets(context: Context) -> list[Violation]:
    """I15: targets met or explained; every policy exception declared and real."""
    result, policy = context.result, context.policy
    found: list[Violation] = []
    targeted = policy.mechanism is Mechanism.TARGETED
    accepted = declared_exceptions(context)
    for e in result.exceptions:
        if (e.round, e.teacher, e.post) not in accepted:
            found.append(
                Violation(
                    "I15",
                    f"teacher {e.teacher}'s exception at post {e.post} in round {e.round} names "
                    f"targets {list(e.targets)} the policy does not declare",
                    teacher=e.teacher,
                    post=e.post,
                    evidence={"targets": list(e.targets), "mechanism": policy.mechanism.value},
                )
            )
    if result.exceptions:
        real = {(v.evidence.get("round"), v.teacher, v.post) for v in all_justified_envy(context)}
        found.extend(
            Violation(
                "I15",
                f"teacher {e.teacher}'s declared exception at post {e.post} in round {e.round} "
                "is not a justified-envy pair",
                teacher=e.teacher,
                post=e.post,
                evidence={"round": e.round},
            )
            for e in result.exceptions
            if (e.round, e.teacher, e.post) not in real
        )
    declared_any = bool(policy.targets.declared())
    if not result.targets and not (targeted and declared_any):
        return found
    scenario = context.scenario
    receiving = scenario.receiving_schools()  # R3 home schools, from the scenario alone
    home = {t.id: receiving[t.school] for t in scenario.teachers}
    tables = balance_tables(scenario, policy, home)
    declared = tables.targets if targeted else ()
    declared_cv = tables.cv_targets if targeted else ()
    reports = Counter(r.target for r in result.targets)
    names = {t.name for t in declared} | {c.name for c in declared_cv}
    found.extend(
        Violation("I15", f"target {name} is reported but not declared by a targeted policy")
        for name in sorted(set(reports) - names)
    )
    found.extend(
        Violation("I15", f"target {name} is reported {count} times")
        for name, count in sorted(reports.items())
        if count > 1 and name in names
    )
    by_name = {r.target: r for r in result.targets}
    for target in declared:
        report = by_name.get(target.name)
        if report is None:
            found.append(Violation("I15", f"declared target {target.name} has no report"))
            continue
        achieved = _achieved(context, tables, target.name)
        claimed = (report.base, report.required, report.achieved)
        actual = (target.base, target.required, achieved)
        if claimed != actual:
            found.append(
                Violation(
                    "I15",
                    f"target {target.name}: the result reports base, required, achieved "
                    f"{claimed}; the scenario and outcomes give {actual}",
                    evidence={"reported": list(claimed), "recomputed": list(actual)},
                )
            )
        met = achieved >= target.required
        if report.met != met:
            found.append(
                Violation(
                    "I15",
                    f"target {target.name} is reported {'met' if report.met else 'not met'} "
                    f"with {achieved} of {target.required} required",
                    evidence={"achieved": achieved, "required": target.required},
                )
            )
        if not met and (report.feasible or not report.explanation):
            found.append(
                Violation(
                    "I15",
                    f"target {target.name} is not met ({achieved} of {target.required}) "
                    "and not explained as infeasible",
                    evidence={"achieved": achieved, "required": target.required},
                )
            )
        pairs = sum(1 for e in result.exceptions if target.name in e.targets)
        if report.envy_pairs != pairs:
            found.append(
                Violation(
                    "I15",
                    f"target {target.name} reports {report.envy_pairs} envy pairs; "
                    f"{pairs} exceptions name it",
                )
            )
    found.extend(_check_cv(context, tables, declared_cv, by_name))
    return found


def _check_cv(
    context: Context,
    tables: BalanceTables,
    declared: Sequence[CvSpec],
    by_name: Mapping[str, TargetReport],
) -> list[Violation]:
    """Each declared CV target: its CV recomputed exactly from the outcomes (R12, §6)."""
    result = context.result
    teachers = context.teachers
    held = [
        (teachers[o.teacher], o.post)
        for o in result.outcomes
        if o.post is not None and o.teacher in teachers and o.post in tables.school_of
    ]
    found = []
    for spec in declared:
        report = by_name.get(spec.name)
        if report is None:
            found.append(Violation("I15", f"declared target {spec.name} has no report"))
            continue
        square = spec.cv_squared(spec.counts(held, tables.school_of, tables.subject_of))
        met = spec.met_by(spec.counts(held, tables.school_of, tables.subject_of))
        claimed = (report.share, report.cv)
        actual = (spec.limit, cv_decimal(square))
        if claimed != actual:
            found.append(
                Violation(
                    "I15",
                    f"target {spec.name}: the result reports threshold and CV {claimed}; "
                    f"the scenario and outcomes give {actual}",
                    evidence={
                        "reported": [str(v) for v in claimed],
                        "recomputed": [str(v) for v in actual],
                    },
                )
            )
        if report.met != met:
            found.append(
                Violation(
                    "I15",
                    f"target {spec.name} is reported {'met' if report.met else 'not met'} with "
                    f"a CV of {cv_decimal(square)} against a threshold of {spec.limit}",
                    evidence={"cv": str(cv_decimal(square)), "threshold": str(spec.limit)},
                )
            )
        if not met and (report.feasible or not report.explanation):
            found.append(
                Violation(
                    "I15",
                    f"target {spec.name} is not met (CV {cv_decimal(square)} against "
                    f"{spec.limit}) and not explained as infeasible",
                )
            )
        pairs = sum(1 for e in result.exceptions if spec.name in e.targets)
        if report.envy_pairs != pairs:
            found.append(
                Violation(
                    "I15",
                    f"target {spec.name} reports {report.envy_pairs} envy pairs; "
                    f"{pairs} exceptions name it",
                )
            )
    return found


def _achieved(context: Context, tables: BalanceTables, name: str) -> int:
    school_of = tables.school_of
    count = 0
    for outcome in context.result.outcomes:
        post = outcome.post
        if post is None or post not in school_of:
            continue
        if name == URBAN_TO_RURAL:
            count += (
                outcome.status is not Status.PROTECTED
                and outcome.teacher in tables.urban_home
                and school_of[post] in tables.rural
            )
        else:
            count += post in tables.shortage_posts
    return count
