"""An appeal re-run (复核/申诉) as a Chinese notice: who changed, from what to what, and why.

:func:`kgxp.compare` of the published round and its re-run with the corrected
record gives the changes as data; :func:`comparison_sections` turns them into a
notice a bureau can post: how many teachers' outcomes changed, a table with each
teacher's published outcome, the outcome after review and the reason chain in
words (rounds, posts, the score that decided), the counts before and after, the
posts whose holders changed and, when the scenarios were given, the 校际差异系数
before and after. Works for any comparison (a what-if too), in Chinese by
default, English with ``locale="en"``.

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> published = kgxp.run_round(scenario)
>>> corrected = scenario.with_teacher("T01979", score=99)  # a mis-entered score, corrected
>>> rerun = kgxp.run_round(corrected, policy=published.policy, seed=published.seed)
>>> text = render_comparison(kgxp.compare(published, rerun), scenario=corrected)
>>> print(text.splitlines()[0])
复核结果通知
>>> print(text.splitlines()[1][:13])
经复核，3名教师的竞聘结果
"""

from __future__ import annotations

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.exceptions import ScenarioMismatchError
from kgxp.files.wording import STATUS_MESSAGES, Wording
from kgxp.i18n import DEFAULT_LOCALE, Texts
from kgxp.model.arguments import (
    instance_argument,
    rows_argument,
    scenario_argument,
    scenario_mismatch,
)
from kgxp.model.digest import scenario_digest
from kgxp.model.result import Status
from kgxp.model.scenario import Scenario
from kgxp.views.comparison import Comparison, OutcomeChange
from kgxp.views.metrics import RoundMetrics
from kgxp.views.report_format import ReportFormat, ReportSection, ReportTable, render_sections
from kgxp.views.vocabulary import INDICATOR_NAMES, SEGMENT_NAMES

__all__ = [
    "INDICATOR_NAMES",
    "SEGMENT_NAMES",
    "comparison_sections",
    "describe_outcome",
    "render_comparison",
]


@in_kgxp_decimal_context
def comparison_sections(
    comparison: Comparison,
    *,
    rows: int = 50,
    scenario: Scenario | None = None,
    locale: str = DEFAULT_LOCALE,
) -> tuple[ReportSection, ...]:
    """The comparison as a notice: changed outcomes with reasons, counts, posts, balance.

    ``scenario`` (the re-run's) names teachers, schools and posts; without it they
    are named by id. It must be the scenario of one of the two rounds (the re-run's, or
    the published round's): :class:`~kgxp.exceptions.ScenarioMismatchError` otherwise.
    """
    comparison = instance_argument(comparison, Comparison, "comparison", "kgxp.compare(a, b)")
    scenario = None if scenario is None else scenario_argument(scenario)
    digests = comparison.scenario_digests
    # The published round's scenario (a) names its teachers too; any other is b's or none.
    if scenario is not None and digests is not None and scenario_digest(scenario) != digests[0]:
        problem = scenario_mismatch(
            scenario,
            digests[1],
            "scenario",
            "the re-run (b) was run on another scenario, and so was the published round (a)",
            "give the scenario of the re-run, which names its teachers",
        )
        if problem is not None:
            raise ScenarioMismatchError([problem], summary="scenario of neither compared round")
    rows = rows_argument(rows)
    words = Wording(scenario, comparison.round_kinds, locale=locale)
    tr = words.tr
    changed = comparison.changed
    summary = [
        tr(
            "After review, the outcome of {teachers} teachers changed and {posts} posts "
            "changed holders; every other outcome stands.",
            teachers=len(changed),
            posts=len(comparison.seats),
        )
    ]
    if not comparison.same_policy:
        summary.append(tr("The two rounds were run under different policies."))
    sections = [ReportSection(tr("Result of the review"), tuple(summary))]
    if changed:
        sections.append(
            ReportSection(
                tr("Changed outcomes"),
                table=ReportTable(
                    (
                        tr("Teacher id"),
                        tr("Name"),
                        tr("Published outcome"),
                        tr("Outcome after review"),
                        tr("Why"),
                    ),
                    tuple(
                        (
                            c.teacher,
                            words.teacher(c.teacher),
                            describe_outcome(words, c, before=True),
                            describe_outcome(words, c, before=False),
                            tr("; ").join(words.reason(r, c.protected_by) for r in c.reasons)
                            or "—",
                        )
                        for c in changed[:rows]
                    ),
                ),
                notes=(tr("… and {count} more", count=len(changed) - rows),)
                if len(changed) > rows
                else (),
            )
        )
    sections.append(_counts(comparison, tr))
    if comparison.seats:
        sections.append(
            ReportSection(
                tr("Posts whose holders changed"),
                table=ReportTable(
                    (tr("Post"), tr("Left"), tr("Joined")),
                    tuple(
                        (
                            words.post(s.post),
                            tr(", ").join(words.teacher(t) for t in s.left) or "—",
                            tr(", ").join(words.teacher(t) for t in s.joined) or "—",
                        )
                        for s in comparison.seats[:rows]
                    ),
                ),
            )
        )
    if comparison.metrics_before is not None and comparison.metrics_after is not None:
        sections.append(_balance(comparison.metrics_before, comparison.metrics_after, tr))
    return tuple(sections)


def describe_outcome(words: Wording, change: OutcomeChange, *, before: bool) -> str:
    """The outcome of ``change`` before (published) or after, in words: the outcome, the
    post or the school of shadow learning, and the score."""
    tr = words.tr
    status = change.before_status if before else change.after_status
    post = change.before_post if before else change.after_post
    school = change.before_school if before else change.after_school
    score = change.before_score if before else change.after_score
    if status is None:
        return tr("not in this round")
    said = tr(STATUS_MESSAGES[status])
    if status is Status.WAITING:
        said = tr(
            "{status} (shadow learning at {school})", status=said, school=words.school(school)
        )
    elif post is not None:
        said = tr("{status}: {post}", status=said, post=words.post(post))
    elif status is Status.PROTECTED:
        said = tr("Awaiting a decision")
    return said if score is None else tr("{outcome}, score {score}", outcome=said, score=score)


def _counts(comparison: Comparison, tr: Texts) -> ReportSection:
    rows = []
    for status in Status:
        before = comparison.counts_before.get(status.value, 0)
        after = comparison.counts_after.get(status.value, 0)
        rows.append((tr(STATUS_MESSAGES[status]), str(before), str(after), _delta(before, after)))
    return ReportSection(
        tr("Teachers per outcome"),
        table=ReportTable(
            (tr("Outcome"), tr("Published"), tr("After review"), tr("Change")),
            tuple(rows),
            numeric=frozenset({1, 2, 3}),
        ),
    )


def _balance(before: RoundMetrics, after: RoundMetrics, tr: Texts) -> ReportSection:
    later = {(r.segment, r.indicator): r for r in after.balance}
    return ReportSection(
        tr("Inter-school balance, published and after review"),
        (
            tr(
                "Teachers at another school: {before} → {after}; waiting: {waiting_before} → "
                "{waiting_after}; vacant posts: {vacant_before} → {vacant_after}.",
                before=before.moved_school,
                after=after.moved_school,
                waiting_before=before.waiting,
                waiting_after=after.waiting,
                vacant_before=before.vacant_seats,
                vacant_after=after.vacant_seats,
            ),
        ),
        ReportTable(
            (tr("Segment"), tr("Indicator"), tr("Published"), tr("After review"), tr("Threshold")),
            tuple(
                (
                    tr(SEGMENT_NAMES[row.segment]),
                    tr(INDICATOR_NAMES[row.indicator])
                    if row.indicator in INDICATOR_NAMES
                    else row.indicator,
                    _cv(row.after),
                    _cv(later[(row.segment, row.indicator)].after)
                    if (row.segment, row.indicator) in later
                    else "—",
                    str(row.threshold),
                )
                for row in before.balance
            ),
            numeric=frozenset({2, 3, 4}),
        ),
    )


@in_kgxp_decimal_context
def render_comparison(
    comparison: Comparison,
    *,
    rows: int = 50,
    format: ReportFormat = "text",
    scenario: Scenario | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """The comparison as a notice (text, Markdown or HTML): the first ``rows`` changes."""
    sections = comparison_sections(comparison, rows=rows, scenario=scenario, locale=locale)
    return render_sections(sections, format, locale=locale)


def _delta(before: int, after: int) -> str:
    return f"{after - before:+d}" if after != before else "0"


def _cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
