"""The report for the bureau (局务会): what the round did, in Chinese by default.

Counts per round and per outcome, movement against the seed's reference figures
(R14: 310 of 3,400 teachers moved school in 西安新城区), the 校际差异系数 before
and after the round against the national thresholds (§6), the 待定 teachers (R4
conflicts), the 诫勉谈话 list (R15) when there is one, and the waiting list (R7)
with the reason in words. Every sentence comes from the message catalogue
(:mod:`kgxp.i18n`); rule ids are gathered in the closing "依据" appendix, never in
the sentences. Rendered as text, Markdown or HTML (:mod:`kgxp.views.report_format`);
the HTML report shows the balance and movement as plots when matplotlib is
installed (``figures=True``).

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> result = kgxp.run_round(scenario)
>>> print(render_report(scenario, result, format="markdown").splitlines()[0])
# 紫阳县 (示例)2026年8月县管校聘竞聘上岗情况报告
>>> print(render_report(scenario, result, format="markdown", locale="en").splitlines()[0])
# 紫阳县 (示例): teacher placement round of 2026-08
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Final

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.gc_pause import collector_paused
from kgxp.files.published_lists import ListKind, list_kinds
from kgxp.files.wording import STATUS_MESSAGES, Wording, deciding_of
from kgxp.i18n import DEFAULT_LOCALE, N_, Texts
from kgxp.model.arguments import result_of, rows_argument, scenario_argument, switch_argument
from kgxp.model.policy import Mechanism
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id
from kgxp.round.applications import stated_no_preferences
from kgxp.views.appeal import (
    INDICATOR_NAMES,
    SEGMENT_NAMES,
    comparison_sections,
    render_comparison,
)
from kgxp.views.metrics import RoundMetrics, round_metrics, seat_counts
from kgxp.views.report_format import ReportFormat, ReportSection, ReportTable, render_sections
from kgxp.views.report_targets import targets_section
from kgxp.views.vocabulary import ROUND_KIND_NAMES, SCOPE_NAMES, Terms

__all__ = [
    "INDICATOR_NAMES",
    "SEED_CROSS_SCHOOL_SHARE",
    "ReportFormat",
    "ReportSection",
    "ReportTable",
    "comparison_sections",
    "render_comparison",
    "render_report",
    "report_sections",
]

SEED_CROSS_SCHOOL_SHARE = Decimal(310) / Decimal(3400)
"""Seed 003 (西安新城区): 310 of 3,400 teachers moved school, about 9.1% (R14; see docs)."""

# The appendix: which rule each part of the report rests on (ids live here, not in sentences).
_BASIS: Final[tuple[tuple[str, str], ...]] = (
    (N_("Placement in advance of protected teachers"), "R4"),
    (N_("Posts reserved for new recruits"), "R2"),
    (N_("In-school and cross-school rounds, 90% and 10% of the posts"), "R5"),
    (N_("Adjustment by the bureau"), "R6"),
    (N_("Waiting, shadow learning and stand-in practice"), "R7"),
    (N_("Teachers moving school, reference figures"), "R14"),
    (N_("Urban to rural moves"), "R16"),
    (N_("Warning talks for the bottom share"), "R15"),
    (N_("Inter-school coefficient of variation"), "§6"),
)


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
@in_kgxp_decimal_context
def report_sections(
    scenario: Scenario,
    result: RoundResult,
    *,
    waiting_rows: int = 15,
    locale: str = DEFAULT_LOCALE,
    warning_talks: Collection[str] | None = None,
    figures: bool = False,
    redact: bool = False,
) -> tuple[ReportSection, ...]:
    """The report as data: overview, rounds, outcomes and movement, balance, the declared
    targets (when the policy has any), 待定, 诫勉谈话,
    waiting, and the appendix of rules.

    ``figures=True`` adds inline SVG plots to the balance and movement sections
    (HTML only; needs ``kgxp[plot]``). ``redact=True`` names teachers by their ids, as
    :func:`~kgxp.write_results` does.
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    waiting_rows = rows_argument(waiting_rows, "waiting_rows")
    words = Wording(scenario, result, locale=locale, redact=switch_argument(redact, "redact"))
    tr = words.tr
    metrics = round_metrics(scenario, result)
    warned = sorted(
        warning_talks
        if warning_talks is not None
        else {talk.teacher for talk in result.warning_talks}
    )
    # Read from the outcome columns, no Outcome built (issue 19): the 待定 list here, the
    # waiting list and its reasons in _waiting.
    pending = [i for i, kind in enumerate(list_kinds(result)) if kind is ListKind.PENDING]
    sections = [
        _overview(scenario, result, Terms(locale)),
        _rounds(result, tr),
        _outcomes(result, metrics, len(pending), tr, figures, scenario, locale),
        _balance(metrics, tr, figures, locale),
    ]
    targets = targets_section(result, locale)
    if targets is not None:
        sections.append(targets)
    if pending:
        teachers, statuses, homes, reasons, protected_by = map(
            result.outcome_values, ("teacher", "status", "home_school", "reasons", "protected_by")
        )
        sections.append(
            ReportSection(
                tr("Protected teachers awaiting a post ({count})", count=len(pending)),
                (
                    tr(
                        "These teachers are entitled to placement in advance, but their "
                        "school has no free post of a subject they teach; the bureau decides."
                    ),
                ),
                ReportTable(
                    (tr("Teacher id"), tr("Name"), tr("Original school"), tr("Note")),
                    tuple(
                        (
                            teachers[i],
                            words.teacher(teachers[i]),
                            words.school(homes[i]),
                            words.why_of(statuses[i], reasons[i], protected_by[i]),
                        )
                        for i in pending
                    ),
                ),
            )
        )
    if warned:
        sections.append(
            ReportSection(
                tr("Warning talks ({count})", count=len(warned)),
                (tr(", ").join(f"{words.teacher(t)} ({t})" for t in warned),),
            )
        )
    sections.append(_waiting(scenario, result, words, waiting_rows))
    silent = _applications(scenario, result, words, waiting_rows)
    if silent is not None:
        sections.append(silent)
    sections.append(
        ReportSection(
            tr("Appendix: rules applied"),
            table=ReportTable(
                (tr("Part of the round"), tr("Rule")),
                tuple((tr(what), rule) for what, rule in _BASIS),
            ),
        )
    )
    return tuple(sections)


def _overview(scenario: Scenario, result: RoundResult, terms: Terms) -> ReportSection:
    tr = terms.tr
    month = scenario.competition_month
    return ReportSection(
        tr(
            "{county}: teacher placement round of {month}",
            county=scenario.county.name,
            month=tr("{year}-{month:02d}", year=month.year, month=month.month),
        ),
        (
            tr(
                "Policy {policy}, matching by {mechanism}, lottery seed {seed}.",
                policy=terms.policy(result.policy.name),
                mechanism=terms.mechanism(result.policy.mechanism),
                seed=result.seed,
            ),
            tr(
                "{teachers} teachers took part; {seats} posts: {reserved} reserved for new "
                "recruits, {protected} filled in advance by protected teachers, {in_school} "
                "in the in-school round and {cross_school} in the cross-school round.",
                teachers=len(result.outcomes),
                **seat_counts(result),
            ),
        ),
    )


def _rounds(result: RoundResult, tr: Texts) -> ReportSection:
    rows = []
    notes = []
    for stats in result.rounds:
        rows.append(
            (
                tr(ROUND_KIND_NAMES[stats.kind]),
                tr(SCOPE_NAMES[stats.scope]),
                str(stats.candidates),
                str(stats.seats_offered),
                str(stats.placed),
            )
        )
        solver = stats.solver
        if (
            solver is not None
            and solver.baseline_placed is not None
            and solver.mechanism != Mechanism.DEFERRED_ACCEPTANCE.value
        ):
            notes.append(
                tr(
                    "{round}: the largest stable matching placed {placed} teachers "
                    "(deferred acceptance: {baseline}).",
                    round=tr(ROUND_KIND_NAMES[stats.kind]),
                    placed=solver.objective,
                    baseline=solver.baseline_placed,
                )
            )
    return ReportSection(
        tr("Rounds"),
        table=ReportTable(
            (tr("Round"), tr("Scope"), tr("Candidates"), tr("Posts offered"), tr("Placed")),
            tuple(rows),
            numeric=frozenset({2, 3, 4}),
        ),
        notes=tuple(notes),
    )


def _outcomes(
    result: RoundResult,
    metrics: RoundMetrics,
    pending: int,
    tr: Texts,
    figures: bool,
    scenario: Scenario,
    locale: str,
) -> ReportSection:
    counts = result.counts()
    rows = [(tr(STATUS_MESSAGES[status]), str(counts[status.value])) for status in Status]
    if pending:
        rows[0] = (rows[0][0], str(counts[Status.PROTECTED.value] - pending))
        rows.append((tr("Awaiting a decision"), str(pending)))
    rows.append((tr("Total"), str(len(result.outcomes))))
    share, seed_share = f"{metrics.moved_share:.1%}", f"{SEED_CROSS_SCHOOL_SHARE:.1%}"
    return ReportSection(
        tr("Outcomes and movement"),
        (
            tr(
                "{moved} of {competing} competing teachers ({share}) now hold a post at "
                "another school, {across} of them in another education community; the "
                "reference county reports {seed_moved} of {seed_total} ({seed_share}).",
                moved=metrics.moved_school,
                competing=metrics.competing,
                share=share,
                across=metrics.moved_across_communities,
                seed_moved=310,
                seed_total=3400,
                seed_share=seed_share,
            ),
            tr(
                "Urban to rural: {urban_rural}; rural to urban: {rural_urban}. Posts left "
                "vacant after adjustment: {vacant}.",
                urban_rural=metrics.urban_to_rural,
                rural_urban=metrics.rural_to_urban,
                vacant=metrics.vacant_seats,
            ),
        ),
        ReportTable((tr("Outcome"), tr("Teachers")), tuple(rows), numeric=frozenset({1})),
        figures=_figure("flows", result, scenario, locale=locale) if figures else (),
    )


def _balance(metrics: RoundMetrics, tr: Texts, figures: bool, locale: str) -> ReportSection:
    verdict = {True: tr("met"), False: tr("not met"), None: "—"}
    failing = [row for row in metrics.balance if row.after_ok is False]
    return ReportSection(
        tr("Inter-school balance before and after the round"),
        (
            tr(
                "The inter-school coefficient of variation of each indicator, per 100 pupils, "
                "against the national threshold (primary at most 0.50, junior middle at most "
                "0.45)."
            ),
        ),
        ReportTable(
            (
                tr("Segment"),
                tr("Indicator"),
                tr("Before"),
                tr("After"),
                tr("Threshold"),
                tr("After the round"),
            ),
            tuple(
                (
                    tr(SEGMENT_NAMES[row.segment]),
                    tr(INDICATOR_NAMES[row.indicator])
                    if row.indicator in INDICATOR_NAMES
                    else row.indicator,
                    _cv(row.before),
                    _cv(row.after),
                    str(row.threshold),
                    verdict[row.after_ok],
                )
                for row in metrics.balance
            ),
            numeric=frozenset({2, 3, 4}),
        ),
        notes=(
            tr("{count} indicators are above the threshold after the round.", count=len(failing)),
        )
        if failing
        else (),
        figures=_figure("balance", metrics, locale=locale) if figures else (),
    )


def _waiting(
    scenario: Scenario, result: RoundResult, words: Wording, waiting_rows: int
) -> ReportSection:
    """R7: everyone the rounds left unplaced, the reasons counted, the best-scored shown."""
    tr = words.tr
    # From the outcome columns: the reasons of every waiting teacher are counted, and the
    # rows shown are read, without building an Outcome per teacher (issue 19).
    teachers, statuses, scores, homes, schools, reasons, protected_by = map(
        result.outcome_values,
        ("teacher", "status", "score", "home_school", "school", "reasons", "protected_by"),
    )
    waiting = [i for i, status in enumerate(statuses) if status is Status.WAITING]
    why = Counter(
        words.reason(reason, protected_by[i])
        for i in waiting
        if (reason := deciding_of(reasons[i])) is not None and reason.code != "outranked"
    )
    shown = sorted(waiting, key=lambda i: (-scores[i], teachers[i]))[:waiting_rows]
    roster = teachers_by_id(scenario)  # the scenario's shared table, as words.teacher reads
    rows = tuple(
        (
            teachers[i],
            words.teacher(teachers[i]),
            "" if (teacher := roster.get(teachers[i])) is None else teacher.main_subject,
            f"{scores[i]}",
            words.school(homes[i]),
            words.school(schools[i]),
            words.why_of(statuses[i], reasons[i], protected_by[i]),
        )
        for i in shown
    )
    more = len(waiting) - waiting_rows
    return ReportSection(
        tr("Waiting list: {count} teachers", count=len(waiting)),
        tuple(
            tr("{count} × {reason}", count=count, reason=reason)
            for reason, count in sorted(why.items(), key=lambda item: (-item[1], item[0]))
        ),
        ReportTable(
            (
                tr("Teacher id"),
                tr("Name"),
                tr("Subject"),
                tr("Score"),
                tr("Original school"),
                tr("School for shadow learning"),
                tr("Reason"),
            ),
            rows,
            numeric=frozenset({3}),
        )
        if rows
        else None,
        (tr("… and {count} more", count=more),) if more > 0 else (),
    )


def _figure(kind: str, *args: object, locale: str) -> tuple[str, ...]:
    from kgxp.views.report_plots import figure_svg

    return figure_svg(kind, *args, locale=locale)


@in_kgxp_decimal_context
def render_report(
    scenario: Scenario,
    result: RoundResult,
    *,
    waiting_rows: int = 15,
    format: ReportFormat = "text",
    locale: str = DEFAULT_LOCALE,
    warning_talks: Collection[str] | None = None,
    figures: bool = False,
    redact: bool = False,
) -> str:
    """The round's report: rounds, outcomes and movement against the seed, balance, 待定,
    诫勉谈话, the waiting list, and the rules applied.

    ``format`` is ``"text"`` (terminal; CJK characters count double width),
    ``"markdown"`` or ``"html"`` (a whole page, every value escaped; with
    ``figures=True`` and matplotlib installed, plots of balance and movement).
    ``redact=True`` names teachers by their ids.
    """
    sections = report_sections(
        scenario,
        result,
        waiting_rows=waiting_rows,
        locale=locale,
        warning_talks=warning_talks,
        figures=figures and format == "html",
        redact=redact,
    )
    return render_sections(sections, format, locale=locale)


def _cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _applications(
    scenario: Scenario,
    result: RoundResult,
    words: Wording,
    rows_shown: int,
) -> ReportSection | None:
    """R5: the teachers who stated no preferences at all, and how the round read them."""
    silent = stated_no_preferences(scenario)
    if not silent:
        return None
    tr = words.tr
    how = (
        tr(
            "Each took part in the own school's in-school round, applying to its posts of "
            "the main subject, then of the other subjects they teach."
        )
        if result.policy.default_in_school_application
        else tr("Only posts applied for count: they took part in no competitive round.")
    )
    shown = silent[:rows_shown]
    outcome = result.outcomes_of(shown)
    rows = tuple(
        (teacher_id, words.teacher(teacher_id), words.why(outcome[teacher_id]))
        for teacher_id in shown
        if teacher_id in outcome
    )
    return ReportSection(
        tr("Teachers who stated no preferences ({count})", count=len(silent)),
        (how,),
        ReportTable((tr("Teacher id"), tr("Name"), tr("Note")), rows),
    )
