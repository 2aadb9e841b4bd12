"""I12: the result's digest is its scenario's, and the engine gives the same result again."""

from __future__ import annotations

from kgxp.checks.context import Context
from kgxp.checks.violation import Violation
from kgxp.model.digest import scenario_digest

__all__ = ["check_digest", "check_rerun"]

# --- I12 ---------------------------------------------------------------------------------


def check_digest(context: Context) -> list[Violation]:
    """I12: the result says which scenario it is for; it must be this one."""
    digest = scenario_digest(context.scenario)
    if context.result.scenario_digest == digest:
        return []
    return [
        Violation(
            "I12",
            "the result is for a different scenario (scenario digest differs)",
            evidence={"stated": context.result.scenario_digest, "expected": digest},
        )
    ]


def check_rerun(context: Context) -> list[Violation]:
    """I12: the engine, run again on the records in reverse order, gives this very result."""
    from kgxp.round.engine import run_round  # the engine imports much; verify stays light

    scenario = context.scenario
    shuffled = scenario.evolve(
        schools=tuple(reversed(scenario.schools)),
        posts=tuple(reversed(scenario.posts)),
        teachers=tuple(reversed(scenario.teachers)),
    )
    again = run_round(shuffled, policy=context.result.policy, seed=context.result.seed)
    stated = {o.teacher: o.model_dump(mode="json") for o in reversed(context.result.outcomes)}
    fresh = {o.teacher: o.model_dump(mode="json") for o in again.outcomes}
    found = []
    for teacher_id in sorted(set(stated) | set(fresh)):
        mine, theirs = stated.get(teacher_id), fresh.get(teacher_id)
        if mine == theirs:
            continue
        if mine is None or theirs is None:
            where = "the re-run" if theirs is None else "this result"
            found.append(
                Violation(
                    "I12", f"teacher {teacher_id} has no outcome in {where}", teacher=teacher_id
                )
            )
            continue
        fields = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        found.append(
            Violation(
                "I12",
                f"re-running gives teacher {teacher_id} a different outcome ({', '.join(fields)})",
                teacher=teacher_id,
                post=theirs.get("post") if isinstance(theirs.get("post"), str) else None,
                evidence={
                    "fields": fields,
                    "stated": {k: mine.get(k) for k in fields},
                    "rerun": {k: theirs.get(k) for k in fields},
                },
            )
        )
    if again.to_json() != context.result.to_json():
        found.append(
            Violation(
                "I12",
                "re-running on the reversed records does not give byte-identical JSON",
                evidence={
                    "differs": sorted(
                        k
                        for k in (
                            "scenario_digest",
                            "seed",
                            "policy",
                            "outcomes",
                            "posts",
                            "rounds",
                            "conflicts",
                        )
                        if getattr(again, k) != getattr(context.result, k)
                    )
                },
            )
        )
    return found
