"""A scenario at a glance: counts by school, subject and protected category (R3, R2, R4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

import attrs

from kgxp.model.policy import Policy
from kgxp.model.scenario import Scenario
from kgxp.round.protection import protection_reasons
from kgxp.round.scoring import composite_score

__all__ = ["ScenarioSummary", "SchoolCounts", "render_summary", "summarize"]


@attrs.frozen
class SchoolCounts:
    """One school's row: seats and the teachers who compete in its in-school round (R3)."""

    school_id: str
    name: str
    segment: str
    locality: str
    community: str | None
    seats: int
    reserved: int
    teachers: int
    protected: int
    merged_into: str | None


@attrs.frozen
class ScenarioSummary:
    """Counts that let a bureau check a scenario before running it."""

    county: str
    synthetic: bool
    competition_month: str
    policy: str
    schools: tuple[SchoolCounts, ...]
    teachers: int
    seats: int
    reserved: int
    staffing_total: int
    by_subject: Mapping[str, tuple[int, int]]  # subject -> (teachers with it as main, seats)
    protected_by_category: Mapping[str, int]
    protected_teachers: int
    unwilling_to_adjust: int
    tied_scores: int  # teachers sharing their composite score with someone else

    @property
    def competed_seats(self) -> int:
        return self.seats - self.reserved


def summarize(scenario: Scenario, policy: Policy | None = None) -> ScenarioSummary:
    """Count the scenario; protection follows ``policy`` (the default policy if omitted)."""
    policy = policy or Policy()
    receiving = scenario.receiving_schools()
    month = scenario.competition_month
    seats: Counter[str] = Counter()
    reserved: Counter[str] = Counter()
    subject_seats: Counter[str] = Counter()
    for post in scenario.posts:
        seats[post.school] += post.seats
        reserved[post.school] += post.reserved
        subject_seats[post.subject] += post.seats
    teachers: Counter[str] = Counter()
    protected: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    subject_teachers: Counter[str] = Counter()
    scores: Counter[Decimal] = Counter()
    for teacher in scenario.teachers:
        home = receiving[teacher.school]
        teachers[home] += 1
        subject_teachers[teacher.main_subject] += 1
        scores[composite_score(teacher, policy)] += 1
        reasons = protection_reasons(teacher, month, policy)
        if reasons:
            protected[home] += 1
            by_category.update(reasons)
    rows = tuple(
        SchoolCounts(
            school_id=s.id,
            name=s.name,
            segment=s.segment.value,
            locality=s.locality.value,
            community=s.community,
            seats=seats[s.id],
            reserved=reserved[s.id],
            teachers=teachers[s.id],
            protected=protected[s.id],
            merged_into=s.merged_into,
        )
        for s in scenario.schools
    )
    subjects = sorted(set(subject_seats) | set(subject_teachers))
    return ScenarioSummary(
        county=scenario.county.name,
        synthetic=scenario.county.synthetic,
        competition_month=str(month),
        policy=policy.name,
        schools=rows,
        teachers=len(scenario.teachers),
        seats=sum(seats.values()),
        reserved=sum(reserved.values()),
        staffing_total=scenario.staffing.total_posts,
        by_subject={s: (subject_teachers[s], subject_seats[s]) for s in subjects},
        protected_by_category=dict(sorted(by_category.items())),
        protected_teachers=sum(protected.values()),
        unwilling_to_adjust=sum(not t.willing_to_adjust for t in scenario.teachers),
        tied_scores=sum(n for n in scores.values() if n > 1),
    )


def render_summary(summary: ScenarioSummary) -> str:
    """A plain-text report (monospace; Chinese names are padded by display width)."""
    lines = [
        f"{summary.county} — competition month {summary.competition_month}, "
        f"policy {summary.policy}" + (" (synthetic teachers)" if summary.synthetic else ""),
        f"schools {len(summary.schools)}, teachers {summary.teachers}, seats {summary.seats} "
        f"(reserved for new recruits {summary.reserved}, competed {summary.competed_seats}), "
        f"staffing total {summary.staffing_total}",
        f"protected in advance (R4): {summary.protected_teachers}; unwilling to be adjusted "
        f"(R6): {summary.unwilling_to_adjust}; teachers with a tied score: {summary.tied_scores}",
        "",
        "Protected by category (a teacher may have several):",
    ]
    lines += [
        f"  {category:<22}{count:>6}" for category, count in summary.protected_by_category.items()
    ] or ["  (none)"]
    lines += ["", f"  {'subject':<10}{'teachers':>9}{'seats':>7}{'balance':>9}"]
    for subject, (teachers, seats) in summary.by_subject.items():
        lines.append(f"  {_pad(subject, 10)}{teachers:>9}{seats:>7}{seats - teachers:>+9}")
    lines += [
        "",
        f"  {'school':<30}{'seg':<10}{'loc':<6}{'comm':<6}"
        f"{'seats':>6}{'resv':>5}{'teach':>6}{'prot':>5}",
    ]
    for row in summary.schools:
        note = f"  merged into {row.merged_into} (R3)" if row.merged_into else ""
        lines.append(
            f"  {_pad(row.name, 30)}{row.segment:<10}{row.locality:<6}{row.community or '-':<6}"
            f"{row.seats:>6}{row.reserved:>5}{row.teachers:>6}{row.protected:>5}{note}"
        )
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    # CJK characters take two terminal columns.
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - shown)
