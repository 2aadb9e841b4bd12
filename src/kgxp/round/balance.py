"""均衡发展 as an objective: balance goals and distributional targets of a round (R12, R16, R17, §6).

The balanced mechanism chooses, among the weakly stable matchings of a round
that place the most teachers, the one that serves the county's balance goals
best (``Policy.balance_goals``, in order); the targeted mechanism also meets
the county's declared minimums (``Policy.targets``) at the price of the fewest
justified-envy pairs. This module turns both into numbers per application
(what a teacher holding a post adds to each goal) and into per-round minimums,
for the mechanisms in :mod:`kgxp.round.mechanisms`, which know nothing of
schools or subjects.

Counting, shared with :mod:`kgxp.checks.targets`, which recomputes it:

* an urban → rural move (R16) is a teacher whose home school (R3) is urban
  placed, in any round, at a post of a rural school; the base is every teacher
  whose home school is urban. Seed 002 speaks of 专任教师 (full-time teachers); a
  scenario lists only teachers who compete, so all of them count.
* a rural shortage seat (R17) is a seat, less reserved ones (R2), of a post of a
  shortage subject at a rural school that is not merged away (R3); it is filled
  when a teacher holds it after the round, protected (R4) or placed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from kgxp.model.balance import INDICATORS
from kgxp.model.policy import BalanceGoal, Policy
from kgxp.model.scenario import Locality, Scenario, Teacher

__all__ = [
    "BalanceTables",
    "TargetSpec",
    "balance_tables",
    "explain_target",
    "required_count",
]

URBAN_TO_RURAL = "urban_to_rural_share"
RURAL_SHORTAGE = "rural_shortage_fill_share"
TARGET_RULES: Mapping[str, str] = {URBAN_TO_RURAL: "R16", RURAL_SHORTAGE: "R17"}


def required_count(share: Decimal, base: int) -> int:
    """The fewest whole teachers or seats that make ``count / base >= share``."""
    return math.ceil(share * base)


@attrs.frozen
class TargetSpec:
    """One declared target: its name, rule, share, and the base it is a share of."""

    name: str
    rule: str
    share: Decimal
    base: int

    @property
    def required(self) -> int:
        return required_count(self.share, self.base)


@attrs.frozen
class BalanceTables:
    """What a scenario and policy fix for balance, computed once per run."""

    school_of: Mapping[str, str]  # post -> school
    subject_of: Mapping[str, str]  # post -> subject
    rural: frozenset[str]  # rural schools
    urban_home: frozenset[str]  # teachers whose home school is urban
    shortage_posts: frozenset[str]  # posts of shortage subjects at open rural schools
    needy: frozenset[tuple[str, str]]  # (school, indicator) below its segment's mean
    goals: tuple[BalanceGoal, ...]
    targets: tuple[TargetSpec, ...]

    def weights(
        self, teachers: Sequence[Teacher], applied: Sequence[Sequence[str]]
    ) -> list[list[list[int]]]:
        """Per goal, per candidate, per application: what holding that post adds."""
        return [
            [self._goal_row(goal, t, posts) for t, posts in zip(teachers, applied, strict=True)]
            for goal in self.goals
        ]

    def _goal_row(self, goal: BalanceGoal, teacher: Teacher, posts: Sequence[str]) -> list[int]:
        if goal is BalanceGoal.RURAL_SHORTAGE:
            return [int(p in self.shortage_posts) for p in posts]
        if goal is BalanceGoal.URBAN_TO_RURAL:
            return self.move_row(teacher, posts)
        needy = self.needy
        return [
            sum(
                1
                for name, counts in INDICATORS.items()
                if (self.school_of[p], name) in needy and counts(teacher, self.subject_of[p])
            )
            for p in posts
        ]

    def move_row(self, teacher: Teacher, posts: Sequence[str]) -> list[int]:
        """R16: 1 for each post that would move an urban school's teacher to a rural school."""
        if teacher.id not in self.urban_home:
            return [0] * len(posts)
        return [int(self.school_of[p] in self.rural) for p in posts]

    def shortage_row(self, posts: Sequence[str]) -> list[int]:
        return [int(p in self.shortage_posts) for p in posts]


def balance_tables(scenario: Scenario, policy: Policy, home: Mapping[str, str]) -> BalanceTables:
    """The balance tables of ``scenario`` under ``policy``; ``home`` is each teacher's R3 school."""
    schools = {s.id: s for s in scenario.schools}
    rural = frozenset(s.id for s in scenario.schools if s.locality is Locality.RURAL)
    urban_home = frozenset(t.id for t in scenario.teachers if home[t.id] not in rural)
    shortage = set(policy.shortage_subjects)
    shortage_posts = frozenset(
        p.id
        for p in scenario.posts
        if p.subject in shortage and p.school in rural and schools[p.school].merged_into is None
    )
    targets: list[TargetSpec] = []
    declared = policy.targets
    if declared.urban_to_rural_share is not None:
        targets.append(
            TargetSpec(URBAN_TO_RURAL, "R16", declared.urban_to_rural_share, len(urban_home))
        )
    if declared.rural_shortage_fill_share is not None:
        seats = sum(p.seats - p.reserved for p in scenario.posts if p.id in shortage_posts)
        targets.append(TargetSpec(RURAL_SHORTAGE, "R17", declared.rural_shortage_fill_share, seats))
    return BalanceTables(
        school_of={p.id: p.school for p in scenario.posts},
        subject_of={p.id: p.subject for p in scenario.posts},
        rural=rural,
        urban_home=urban_home,
        shortage_posts=shortage_posts,
        needy=_needy(scenario, home),
        goals=policy.balance_goals,
        targets=tuple(targets),
    )


def _needy(scenario: Scenario, home: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    """(school, indicator) pairs whose density before the round is below the segment's mean.

    Moving an indicator's teachers into such schools pulls the §6 spread toward
    the mean: a linear stand-in for the CV, which is not linear in a placement.
    """
    counts: defaultdict[tuple[str, str], int] = defaultdict(int)
    for teacher in scenario.teachers:
        for name, counts_it in INDICATORS.items():
            if counts_it(teacher, teacher.main_subject):
                counts[(home[teacher.id], name)] += 1
    open_schools = [s for s in scenario.schools if s.merged_into is None and s.enrolment > 0]
    needy: set[tuple[str, str]] = set()
    for name in INDICATORS:
        by_segment: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
        for s in open_schools:
            by_segment[s.segment.value].append((s.id, s.enrolment))
        for group in by_segment.values():
            pupils = sum(e for _, e in group)
            total = sum(counts[(sid, name)] for sid, _ in group)
            # density_i < mean  <=>  count_i / enrolment_i < total / pupils (integers only)
            needy.update(
                (sid, name) for sid, e in group if counts[(sid, name)] * pupils < total * e
            )
    return frozenset(needy)


_LEVERS: Mapping[str, str] = {
    URBAN_TO_RURAL: "more cross-school seats at rural schools (a lower in_school_share, or "
    "designated cross-school seats there) and more urban teachers applying for them",
    RURAL_SHORTAGE: "more cross-school seats of shortage subjects at rural schools, or more "
    "teachers qualified in those subjects applying for them",
}


def explain_target(spec: TargetSpec, round_name: str | None, best: int | None) -> str:
    """Why a declared target was not met, how close the county gets, what would make it feasible."""
    need = f"{spec.name} ({spec.rule}) needs {spec.required} of {spec.base} ({spec.share:.1%})"
    reach = best or 0
    share = f"{reach / spec.base:.1%}" if spec.base else "0.0%"
    if round_name is None:
        return (
            f"{need}; the round plan has no cross-school round to enforce it in, and the "
            f"placement reaches {reach} ({share}): add a cross-school round"
        )
    return (
        f"{need}; the most the county reaches is {reach} ({share}), with round {round_name} "
        f"pushed as far as its seats and applications allow, whatever the price in envy. "
        f"Feasible with a target of at most {share}, or with {_LEVERS[spec.name]}"
    )
