"""A scenario at a glance: counts by school, subject and protected category (R3, R2, R4).

:func:`summarize` counts; :func:`render_summary` says it, in Chinese by default
(the message catalogue, :mod:`kgxp.i18n`), with segments, localities and
protected categories in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

import attrs

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.i18n import DEFAULT_LOCALE
from kgxp.model.arguments import instance_argument, policy_argument, scenario_argument
from kgxp.model.policy import Policy
from kgxp.model.scenario import Scenario
from kgxp.round.protection import protection_reasons
from kgxp.round.scoring import composite_score
from kgxp.views.vocabulary import Terms

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


@in_kgxp_decimal_context
def summarize(scenario: Scenario, policy: Policy | None = None) -> ScenarioSummary:
    """Count the scenario; protection follows ``policy`` (the default policy if omitted)."""
    scenario = scenario_argument(scenario)
    policy = policy_argument(policy)
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


@in_kgxp_decimal_context
def render_summary(summary: ScenarioSummary, *, locale: str = DEFAULT_LOCALE) -> str:
    """A plain-text report (monospace; Chinese names are padded by display width), in
    Chinese by default or in English (``locale="en"``).

    >>> import kgxp
    >>> text = render_summary(summarize(kgxp.load_scenario("examples/ziyang_county.json")))
    >>> print(text.splitlines()[0])
    紫阳县 (示例) — 2026年8月竞聘，默认方案（模拟教师数据）
    """
    summary = instance_argument(summary, ScenarioSummary, "summary", "kgxp.summarize(scenario)")
    terms = Terms(locale)
    tr = terms.tr
    names = {row.school_id: row.name for row in summary.schools}
    year, month = summary.competition_month.split("-")
    lines = [
        tr(
            "{county} — competition of {month}, {policy}",
            county=summary.county,
            month=tr("{year}-{month:02d}", year=int(year), month=int(month)),
            policy=terms.policy(summary.policy),
        )
        + (tr(" (synthetic teachers)") if summary.synthetic else ""),
        tr(
            "{schools} schools, {teachers} teachers, {seats} posts ({reserved} reserved for new "
            "recruits, {competed} competed); staffing quota {staffing}.",
            schools=len(summary.schools),
            teachers=summary.teachers,
            seats=summary.seats,
            reserved=summary.reserved,
            competed=summary.competed_seats,
            staffing=summary.staffing_total,
        ),
        tr(
            "Placed in advance: {protected}; not willing to be assigned by the bureau: "
            "{unwilling}; sharing their score with another teacher: {tied}.",
            protected=summary.protected_teachers,
            unwilling=summary.unwilling_to_adjust,
            tied=summary.tied_scores,
        ),
        "",
        tr("Placed in advance, by category (a teacher may have several):"),
    ]
    lines += [
        f"  {_pad(terms.category(category), 24)}{count:>6}"
        for category, count in summary.protected_by_category.items()
    ] or ["  " + tr("(none)")]
    lines += [
        "",
        "  "
        + _pad(tr("Subject"), 12)
        + _right(tr("Teachers"), 9)
        + _right(tr("Posts"), 9)
        + _right(tr("Posts minus teachers"), 14),
    ]
    for subject, (teachers, seats) in summary.by_subject.items():
        lines.append(f"  {_pad(subject, 12)}{teachers:>9}{seats:>9}{seats - teachers:>+14}")
    columns = (
        (tr("School name"), 30),
        (tr("Segment"), 8),
        (tr("Urban or rural"), 10),
        (tr("Education community"), 10),
    )
    counts = (
        tr("Posts"),
        tr("Reserved for new recruits"),
        tr("Teachers"),
        tr("Placed in advance"),
    )
    lines += [
        "",
        "  "
        + "".join(_pad(label, width) for label, width in columns)
        + "".join(_right(label, _width(label) + 2) for label in counts),
    ]
    widths = [_width(label) + 2 for label in counts]
    for row in summary.schools:
        note = (
            "  " + tr("merged into {school}", school=names.get(row.merged_into, row.merged_into))
            if row.merged_into
            else ""
        )
        cells = (
            row.name,
            terms.segment(row.segment),
            terms.locality(row.locality),
            row.community or "-",
        )
        numbers = (row.seats, row.reserved, row.teachers, row.protected)
        lines.append(
            "  "
            + "".join(_pad(cell, width) for cell, (_, width) in zip(cells, columns, strict=True))
            + "".join(_right(str(n), w) for n, w in zip(numbers, widths, strict=True))
            + note
        )
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _right(text: str, width: int) -> str:
    return " " * max(1, width - _width(text)) + text


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))
