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
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

import attrs

from kgxp._internal.decimals import KGXP_DECIMAL_CONTEXT
from kgxp.model.balance import INDICATORS, cv_squared
from kgxp.model.policy import BalanceGoal, Policy
from kgxp.model.result import TargetReport
from kgxp.model.scenario import Locality, Scenario, Segment, Teacher
from kgxp.model.targets import cv_target_name

__all__ = [
    "CV_GOAL_UNITS",
    "BalanceTables",
    "CvSpec",
    "TargetSpec",
    "balance_tables",
    "cv_decimal",
    "cv_report",
    "explain_cv",
    "explain_target",
    "required_count",
]

URBAN_TO_RURAL = "urban_to_rural_share"
RURAL_SHORTAGE = "rural_shortage_fill_share"
TARGET_RULES: Mapping[str, str] = {URBAN_TO_RURAL: "R16", RURAL_SHORTAGE: "R17"}

CV_GOAL_UNITS = 1000
"""A CV target's round goal is its limit in thousandths (rounded down: never looser)."""


def required_count(share: Decimal, base: int) -> int:
    """The fewest whole teachers or seats that make ``count / base >= share``.

    Exactly (as a fraction), not in the caller's decimal context: with a 2-digit one
    0.5 × 291 was 1.5E+2 before the ceiling, 150 rather than 146 (R16, R17).
    """
    return math.ceil(Fraction(share) * base)


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
class CvSpec:
    """One declared CV target (R12, §6): an indicator's CV over a segment's schools at most ``limit``.

    ``schools`` are the segment's open schools with pupils (id order) and
    ``enrolments`` theirs; a teacher counts at the school of the post they hold
    after the round (protected teachers included), for the post's subject.
    """

    name: str
    indicator: str
    segment: Segment
    limit: Decimal
    schools: tuple[str, ...]
    enrolments: tuple[int, ...]
    rule: str = "R12"

    def counts(
        self,
        held: Iterable[tuple[Teacher, str]],
        school_of: Mapping[str, str],
        subject_of: Mapping[str, str],
    ) -> list[int]:
        """Each school's indicator count, ``held`` listing (teacher, post) after the round."""
        index = {s: i for i, s in enumerate(self.schools)}
        counts_it = INDICATORS[self.indicator]
        counts = [0] * len(self.schools)
        for teacher, post in held:
            i = index.get(school_of[post])
            if i is not None and counts_it(teacher, subject_of[post]):
                counts[i] += 1
        return counts

    def cv_squared(self, counts: Sequence[int]) -> Fraction | None:
        return cv_squared(self.enrolments, counts)

    @property
    def goal_units(self) -> int:
        """``limit`` in thousandths, rounded down (never looser): the round's CV goal.

        Exactly, not in the caller's decimal context (a 2-digit one made 0.456 460).
        """
        return math.floor(Fraction(self.limit) * CV_GOAL_UNITS)

    def met_by(self, counts: Sequence[int]) -> bool:
        """Exactly: is the CV defined and at most ``limit``?"""
        square = self.cv_squared(counts)
        return square is not None and square <= Fraction(self.limit) ** 2


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
    cv_targets: tuple[CvSpec, ...] = ()

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
        cv_targets=_cv_specs(scenario, policy),
    )


def _cv_specs(scenario: Scenario, policy: Policy) -> tuple[CvSpec, ...]:
    """One CV target per declared indicator and segment with schools, as §6's table rows."""
    limits = {
        Segment.PRIMARY: policy.cv_threshold_primary,
        Segment.JUNIOR: policy.cv_threshold_junior,
        Segment.NINE_YEAR: policy.cv_threshold_junior,
    }
    specs = []
    for segment in Segment:
        group = sorted(
            (s for s in scenario.schools if s.segment is segment and s.merged_into is None),
            key=lambda s: s.id,
        )
        group = [s for s in group if s.enrolment > 0]
        if not group:
            continue
        for indicator in policy.targets.cv_indicators:
            specs.append(
                CvSpec(
                    name=cv_target_name(indicator, segment),
                    indicator=indicator,
                    segment=segment,
                    limit=limits[segment],
                    schools=tuple(s.id for s in group),
                    enrolments=tuple(s.enrolment for s in group),
                )
            )
    return tuple(specs)


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


def cv_decimal(square: Fraction | None) -> Decimal | None:
    """The CV of an exact CV², to 4 decimals (half to even), for reports."""
    if square is None:
        return None
    # In a context of its own (the default 28 digits), not the caller's: a 3-digit one
    # could not write 0.378 to 4 decimals (InvalidOperation).
    with localcontext(KGXP_DECIMAL_CONTEXT):
        exact = Decimal(square.numerator) / Decimal(square.denominator)
        return exact.sqrt().quantize(Decimal("0.0001"))


def cv_report(
    spec: CvSpec,
    counts: Sequence[int],
    round_name: str | None,
    found: tuple[bool, Fraction | None] | None,
    envy_pairs: int,
    proven: bool = False,
) -> TargetReport:
    """A CV target after every round: ``counts`` are the final ones; ``found`` the
    enforcing round's findings (met there, and its CV² or the lowest reachable), if any;
    ``proven``: the search showed that no placement of the round goes lower (to
    :data:`~kgxp.round.mechanisms.targeted.CV_STEP`).

    ``best_cv`` is reached by a placement, so it is an upper bound on how low the
    CV can go; the explanation says whether it is also proven the lowest.
    """
    square = spec.cv_squared(counts)
    met = spec.met_by(counts)
    lowest = square if found is None or found[1] is None else found[1]
    if square is not None and lowest is not None:
        lowest = min(lowest, square)
    proof = None if found is None or not proven else found[1]
    # Proven only when the round's proven floor is what the county ends with: adjustment
    # below it, or a round that met the target, leave the lowest a bound.
    best_proven = (
        proof is not None and lowest is not None and not (found and found[0]) and lowest >= proof
    )
    return TargetReport(
        target=spec.name,
        rule=spec.rule,
        share=spec.limit,
        base=0,
        required=0,
        achieved=0,
        met=met,
        feasible=met,
        round=round_name,
        envy_pairs=envy_pairs,
        explanation=None
        if met
        else explain_cv(
            spec,
            round_name,
            square,
            lowest,
            found is not None and found[0],
            proven=proof,
        ),
        cv=cv_decimal(square),
        best_cv=None if met else cv_decimal(lowest),
        best_cv_proven=None if met else best_proven,
    )


def explain_cv(
    spec: CvSpec,
    round_name: str | None,
    now: Fraction | None,
    lowest: Fraction | None,
    met_in_round: bool,
    proven: Fraction | None = None,
) -> str:
    """Why a CV target was not met, how close the county gets, what would make it feasible.

    ``lowest`` is the lowest CV² a placement was found to reach. ``proven`` is the
    enforcing round's lowest CV² when its search showed that none of the round's
    placements goes lower by more than its step (0.001); ``None`` labels the figure
    a bound: the search is bounded in time, and a lower CV may exist.
    """
    need = (
        f"{spec.name} ({spec.rule}) asks the CV of {spec.indicator} over the "
        f"{spec.segment.value} schools to be at most {spec.limit}"
    )
    reached = "undefined (no such teacher)" if now is None else str(cv_decimal(now))
    if round_name is None:
        return (
            f"{need}; the round plan has no cross-school round to enforce it in, and the "
            f"placement reaches {reached}: add a cross-school round"
        )
    if met_in_round:
        return (
            f"{need}; round {round_name} met it, but the adjustment that follows (R6) moved "
            f"the CV to {reached}"
        )
    best = "undefined" if lowest is None else str(cv_decimal(lowest))
    if proven is not None and lowest is not None and lowest < proven:
        # The proof covers the round alone; adjustment (R6) then brought the CV lower.
        how = (
            f"an upper bound: round {round_name} alone is proven unable to go below "
            f"{cv_decimal(proven)} (to 0.001), and the adjustment that follows it "
            f"brought the CV lower"
        )
    elif proven is not None:
        how = f"proven the lowest round {round_name} can reach, to 0.001"
    else:
        how = (
            f"an upper bound, not proven the lowest: the search of round {round_name} "
            f"is bounded in time and a lower CV may exist"
        )
    return (
        f"{need}; the lowest CV the county was found to reach is {best} ({how}; now "
        f"{reached}), with round {round_name} pushed as far as its seats and applications "
        f"allow, whatever the price in envy. Feasible with a threshold of at least {best}, "
        f"or with more cross-school seats at the schools short of such teachers and more "
        f"of them applying there"
    )
