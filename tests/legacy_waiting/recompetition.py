# ruff: noqa
# Reference: src/kgxp/waiting/recompetition.py as it was before issue 19 made the simulation linear (frozen copy
# of commit 1425d07), used only by the differential tests of tests/test_cycle.py. Do not edit.
"""R9: at the end of a waiting term, waiting teachers compete again for vacant posts.

Seed 000: "待岗期满后,根据各学校空缺岗位,进行竞聘上岗。未竞聘上岗者,继续待岗" — they
compete for the vacant posts of every school; whoever fails keeps waiting (no
adjustment round follows). Each teacher applies to every vacancy of a subject
they are qualified for: first the posts they listed in the scenario, in their
order, then the others — main subject first, their home school first, then
their community, then by post id. Posts rank them as in the main round
(composite score, tie-breakers, lottery; :mod:`kgxp.round.ranking`), with the
policy's mechanism.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import attrs

from kgxp.model.policy import Policy, RoundKind, RoundSpec, Scope
from kgxp.model.result import Reason, SolverStats
from kgxp.model.scenario import Scenario, Teacher
from kgxp.round.competition import run_competitive_round
from kgxp.round.ranking import Ranking

__all__ = ["Recompetition", "applications", "recompete"]


@attrs.frozen
class Recompetition:
    """Who won which vacancy, why the others did not, and the mechanism's report."""

    placed: Mapping[str, str]  # teacher id -> post id
    reasons: Mapping[str, tuple[Reason, ...]]
    solver: SolverStats


def recompete(
    scenario: Scenario,
    waiting: Collection[str],
    vacancies: Mapping[str, int],
    policy: Policy,
    ranking: Ranking,
    *,
    name: str = "recompetition",
) -> Recompetition:
    """Match the ``waiting`` teachers to ``vacancies`` (post id -> seats) under R9."""
    open_posts = sorted(p for p, n in vacancies.items() if n > 0)
    applicants = applications(scenario, waiting, vacancies)
    spec = RoundSpec(name=name, kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY)
    outcome = run_competitive_round(
        spec,
        applicants,
        {p: vacancies[p] for p in open_posts},
        lambda teacher: list(teacher.preferences),  # built from open posts above
        ranking,
        policy.mechanism,
    )
    reasons = {
        teacher_id: tuple(r.model_copy(update={"rule": "R9"}) for r in found)
        for teacher_id, found in outcome.reasons.items()
    }
    return Recompetition(placed=outcome.placed, reasons=reasons, solver=outcome.solver)


def applications(
    scenario: Scenario, waiting: Collection[str], vacancies: Mapping[str, int]
) -> list[Teacher]:
    """The ``waiting`` teachers, in id order, each with the posts they apply for in this
    re-competition as ``preferences``: every open post of a subject they teach (R9)."""
    posts = {p.id: p for p in scenario.posts}
    schools = {s.id: s for s in scenario.schools}
    receiving = scenario.receiving_schools()
    open_posts = sorted(p for p, n in vacancies.items() if n > 0 and p in posts)
    applicants = []
    for teacher in sorted((t for t in scenario.teachers if t.id in waiting), key=lambda t: t.id):
        home = receiving[teacher.school]
        community = schools[home].community
        subject_rank = {s: k for k, s in enumerate(teacher.subjects)}
        listed = [p for p in teacher.preferences if p in posts and vacancies.get(p, 0) > 0]
        others = sorted(
            (p for p in open_posts if p not in listed and posts[p].subject in subject_rank),
            key=lambda p: (
                subject_rank[posts[p].subject],
                posts[p].school != home,
                schools[posts[p].school].community != community,
                p,
            ),
        )
        applicants.append(_applying(teacher, [*listed, *others]))
    return applicants


def _applying(teacher: Teacher, posts: list[str]) -> Teacher:
    # The application of this re-competition, in the shape the round code reads.
    return teacher.model_copy(update={"preferences": tuple(posts)})
