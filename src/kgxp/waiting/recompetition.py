"""R9: at the end of a waiting term, waiting teachers compete again for vacant posts.

Seed 000: "待岗期满后,根据各学校空缺岗位,进行竞聘上岗。未竞聘上岗者,继续待岗" — they
compete for the vacant posts of every school; whoever fails keeps waiting (no
adjustment round follows). Each teacher applies to every vacancy of a subject
they are qualified for: first the posts they listed in the scenario, in their
order, then the others — main subject first, their home school first, then
their community, then by post id. Posts rank them as in the main round
(composite score, tie-breakers, lottery; :mod:`kgxp.round.ranking`), with the
policy's mechanism.

Why deferred acceptance needs no application lists here
-------------------------------------------------------
Every post ranks the re-competition's teachers by the same strict order (the
ranking's ``order``). Under one common order, teacher-proposing deferred acceptance
has a single stable matching, the one serial dictatorship gives: in ranking order,
each teacher takes the first post of their list with a seat left.
:func:`placements` computes it from :class:`VacancyIndex` — open posts indexed once
per re-competition by school, community and subject, each index read with a
pointer that only moves forward past filled posts (seats only fill) — in time linear
in teachers and posts, where the lists themselves are teachers × posts of their
subjects. The CP-SAT mechanisms (optimal, balanced, targeted) read whole lists:
:func:`recompete` builds them, from the same index.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import attrs

from kgxp.model.policy import Mechanism, Policy, RoundKind, RoundSpec, Scope
from kgxp.model.result import Reason, SolverStats
from kgxp.model.scenario import Scenario, Teacher
from kgxp.round.competition import run_competitive_round
from kgxp.round.ranking import Ranking

__all__ = [
    "Recompetition",
    "VacancyIndex",
    "applications",
    "deferred_acceptance_stats",
    "matched_without_lists",
    "placements",
    "recompete",
]

# The mechanisms that read whole application lists (CP-SAT); the others give deferred
# acceptance in a re-competition (no targets there: MSDA is deferred acceptance).
_SOLVED = frozenset({Mechanism.OPTIMAL, Mechanism.BALANCED, Mechanism.TARGETED})


@attrs.frozen
class Recompetition:
    """Who won which vacancy, why the others did not, and the mechanism's report."""

    placed: Mapping[str, str]  # teacher id -> post id
    reasons: Mapping[str, tuple[Reason, ...]]
    solver: SolverStats


class VacancyIndex:
    """The open posts of one re-competition (post id -> seats > 0), indexed once.

    ``by_subject[s]``, ``by_school[(school, s)]`` and ``by_community[(community, s)]``
    hold post ids in id order; a teacher's list beyond their own preferences is, per
    subject, their home school's posts, then their community's, then the rest.
    """

    def __init__(self, scenario: Scenario, vacancies: Mapping[str, int]) -> None:
        posts = {p.id: p for p in scenario.posts}
        self.community = {s.id: s.community for s in scenario.schools}
        self.receiving = scenario.receiving_schools()
        self.seats = {p: n for p, n in sorted(vacancies.items()) if n > 0 and p in posts}
        self.school = {p: posts[p].school for p in self.seats}
        self.subject = {p: posts[p].subject for p in self.seats}
        self.by_subject: dict[str, list[str]] = {}
        self.by_school: dict[tuple[str, str], list[str]] = {}
        self.by_community: dict[tuple[str | None, str], list[str]] = {}
        for p in self.seats:  # id order
            subject, school = self.subject[p], self.school[p]
            self.by_subject.setdefault(subject, []).append(p)
            self.by_school.setdefault((school, subject), []).append(p)
            self.by_community.setdefault((self.community[school], subject), []).append(p)

    def home(self, teacher: Teacher) -> tuple[str, str | None]:
        """The school whose posts the teacher applies to first (R3), and its community."""
        home = self.receiving[teacher.school]
        return home, self.community[home]

    def applied(self, teacher: Teacher) -> list[str]:
        """The posts ``teacher`` applies for, in order (see the module docstring)."""
        seats, school, community = self.seats, self.school, self.community
        listed = [p for p in teacher.preferences if p in seats]
        taken = set(listed)
        home, own = self.home(teacher)
        others: list[str] = []
        for subject in _subject_order(teacher):
            others += self.by_school.get((home, subject), ())
            others += (p for p in self.by_community.get((own, subject), ()) if school[p] != home)
            others += (p for p in self.by_subject.get(subject, ()) if community[school[p]] != own)
        return [*listed, *(p for p in others if p not in taken)]


def _subject_order(teacher: Teacher) -> list[str]:
    # A subject listed twice ranks at its last place, as a {subject: rank} map keeps it.
    rank = {s: k for k, s in enumerate(teacher.subjects)}
    return sorted(rank, key=rank.__getitem__)


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
    found, _ = _recompete(scenario, waiting, vacancies, policy, ranking, name)
    return found


def _recompete(
    scenario: Scenario,
    waiting: Collection[str],
    vacancies: Mapping[str, int],
    policy: Policy,
    ranking: Ranking,
    name: str,
) -> tuple[Recompetition, list[Teacher]]:
    """:func:`recompete` and the applications it matched (:func:`applications`)."""
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
    return Recompetition(placed=outcome.placed, reasons=reasons, solver=outcome.solver), applicants


def applications(
    scenario: Scenario, waiting: Collection[str], vacancies: Mapping[str, int]
) -> list[Teacher]:
    """The ``waiting`` teachers, in id order, each with the posts they apply for in this
    re-competition as ``preferences``: every open post of a subject they teach (R9)."""
    index = VacancyIndex(scenario, vacancies)
    competing = set(waiting)
    return [
        _applying(teacher, index.applied(teacher))
        for teacher in sorted((t for t in scenario.teachers if t.id in competing), key=_by_id)
    ]


def _by_id(teacher: Teacher) -> str:
    return teacher.id


def _applying(teacher: Teacher, posts: list[str]) -> Teacher:
    # The application of this re-competition, in the shape the round code reads.
    return teacher.model_copy(update={"preferences": tuple(posts)})


def placements(
    index: VacancyIndex, teachers: Iterable[Teacher], ranking: Ranking
) -> dict[str, str]:
    """Deferred acceptance's matching of a re-competition without its lists (see above):
    teacher id -> post won, for ``teachers`` competing for ``index``'s seats."""
    remaining = dict(index.seats)
    # Per list, how far its posts are known to be full: seats only fill, so it only moves on.
    start: dict[tuple[str | None, ...], int] = {}

    def first_open(key: tuple[str | None, ...], posts: list[str]) -> str | None:
        k = start.get(key, 0)
        while k < len(posts) and not remaining[posts[k]]:
            k += 1
        start[key] = k
        return posts[k] if k < len(posts) else None

    won: dict[str, str] = {}
    order = ranking.order
    for teacher in sorted(teachers, key=lambda t: order[t.id]):
        post = next((p for p in teacher.preferences if remaining.get(p)), None)
        if post is None:
            home, own = index.home(teacher)
            for subject in _subject_order(teacher):
                # Each group's first open post: the earlier groups (home school, then its
                # community) are full by then, so a wider list's first open post lies outside.
                post = (
                    first_open(("school", home, subject), index.by_school.get((home, subject), []))
                    or first_open(
                        ("community", own, subject), index.by_community.get((own, subject), [])
                    )
                    or first_open(("subject", subject), index.by_subject.get(subject, []))
                )
                if post is not None:
                    break
        if post is not None:
            remaining[post] -= 1
            won[teacher.id] = post
    return won


def matched_without_lists(mechanism: Mechanism, index: VacancyIndex) -> bool:
    """Whether the re-competition's mechanism gives deferred acceptance (:func:`placements`):
    all but the CP-SAT mechanisms, and those too when no seat is open."""
    return mechanism not in _SOLVED or not index.seats


def deferred_acceptance_stats(placed: int) -> SolverStats:
    """The solver report of a re-competition matched by deferred acceptance."""
    return SolverStats(
        mechanism=Mechanism.DEFERRED_ACCEPTANCE.value,
        status="optimal",
        objective=placed,
        bound=None,
        baseline_placed=placed,
    )
