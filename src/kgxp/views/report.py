"""A readable report of a round for bureau staff: plain text, Markdown or HTML.

The report is built once as data (:class:`ReportSection` with paragraphs and
tables) and rendered three ways, so the terminal, a Markdown file for the
bureau's archive and an HTML page for a browser always say the same thing.

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> result = kgxp.run_round(scenario)
>>> print(render_report(scenario, result, format="markdown").splitlines()[0])
# 紫阳县 (示例): round of 2026-08
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

import attrs

from kgxp.model.result import Outcome, RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.round.applications import stated_no_preferences
from kgxp.views.comparison import Comparison
from kgxp.views.metrics import RoundMetrics, round_metrics

__all__ = [
    "SEED_CROSS_SCHOOL_SHARE",
    "ReportFormat",
    "ReportSection",
    "ReportTable",
    "comparison_sections",
    "render_comparison",
    "render_report",
    "report_sections",
]

ReportFormat = Literal["text", "markdown", "html"]

SEED_CROSS_SCHOOL_SHARE = Decimal(310) / Decimal(3400)
"""Seed 003 (西安新城区): 310 of 3,400 teachers moved school, about 9.1% (R14; see docs)."""

_WHY = {
    "outranked": "lost every post applied for to higher-ranked teachers",
    "no_application": "applied for no post in the round",
    "not_eligible": "no vacancy of a qualified subject in scope",
    "unwilling": "not willing to be adjusted (R6)",
    "lower_adjustment_priority": "vacancies of their subjects went to higher performance",
    "default_application": "listed no own-school post: applied to its posts, main subject first",
}


@attrs.frozen
class ReportTable:
    """Rows of cells under a header; ``numeric`` marks right-aligned columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()


@attrs.frozen
class ReportSection:
    """A titled block: paragraphs, then an optional table, then closing notes."""

    title: str
    paragraphs: tuple[str, ...] = ()
    table: ReportTable | None = None
    notes: tuple[str, ...] = ()


def _why(outcome: Outcome) -> str:
    codes = [r.code for r in outcome.reasons if r.code not in {"waiting", "placed"}]
    if not codes:
        return "—"
    last = codes[-1]
    return _WHY.get(last, last)


def report_sections(
    scenario: Scenario, result: RoundResult, *, waiting_rows: int = 15
) -> tuple[ReportSection, ...]:
    """The report as data: rounds, outcomes and movement, balance (§6), conflicts, waiting."""
    counts = result.counts()
    sections = [_overview(scenario, result), _rounds(result)]
    metrics = round_metrics(scenario, result)
    sections.append(
        ReportSection(
            "Outcomes",
            (
                ", ".join(f"{k} {v}" for k, v in counts.items()),
                f"Moved to another school: {metrics.moved_school} of {metrics.competing} "
                f"competing teachers ({metrics.moved_share:.1%}), "
                f"{metrics.moved_across_communities} of them into another community; seed 003 "
                f"reports 310 of 3,400 ({SEED_CROSS_SCHOOL_SHARE:.1%}); urban → rural "
                f"{metrics.urban_to_rural}, rural → urban {metrics.rural_to_urban} (R16)",
                f"Seats left vacant after adjustment: {metrics.vacant_seats}",
            ),
        )
    )
    sections.append(
        ReportSection(
            "Balance (校际差异系数, §6), before → after the round",
            table=ReportTable(
                ("segment", "indicator", "before", "after", "threshold", "after within"),
                tuple(
                    (
                        row.segment.value,
                        row.indicator,
                        _cv(row.before),
                        _cv(row.after),
                        str(row.threshold),
                        {True: "yes", False: "NO", None: "—"}[row.after_ok],
                    )
                    for row in metrics.balance
                ),
                numeric=frozenset({2, 3, 4}),
            ),
        )
    )
    if result.conflicts:
        sections.append(
            ReportSection(
                f"Conflicts ({len(result.conflicts)})",
                tuple(f"{c.rule} {c.teacher} at {c.school}: {c.message}" for c in result.conflicts),
            )
        )
    sections.append(_waiting(scenario, result, waiting_rows))
    sections.append(_applications(scenario, result, waiting_rows))
    sections.append(_warning_talks(scenario, result, waiting_rows))
    return tuple(sections)


def _applications(scenario: Scenario, result: RoundResult, rows_shown: int) -> ReportSection:
    """R5: teachers who stated no preferences at all, and how the round read them."""
    silent = stated_no_preferences(scenario)
    default = result.policy.default_in_school_application
    how = (
        "each applied in the in-school round to the own school's posts of the main subject, "
        "then of other qualified subjects"
        if default
        else "explicit applications only: they skipped the competitive rounds"
    )
    outcome = {o.teacher: o for o in result.outcomes}
    names = {t.id: t.name for t in scenario.teachers}
    rows = tuple(
        (
            teacher_id,
            names[teacher_id],
            outcome[teacher_id].status.value if teacher_id in outcome else "?",
            outcome[teacher_id].post or "-" if teacher_id in outcome else "-",
        )
        for teacher_id in silent[:rows_shown]
    )
    notes = (f"… and {len(silent) - rows_shown} more",) if len(silent) > rows_shown else ()
    return ReportSection(
        f"Teachers who stated no preferences (R5), {len(silent)}",
        (how,) if silent else ("Every teacher stated at least one preference.",),
        ReportTable(("teacher", "name", "outcome", "post"), rows) if rows else None,
        notes,
    )


def _warning_talks(scenario: Scenario, result: RoundResult, rows_shown: int) -> ReportSection:
    """R15: the warning-talk list (诫勉谈话名单), the bottom share of the evaluation."""
    policy = result.policy
    talks = result.warning_talks
    names = {t.id: t.name for t in scenario.teachers}
    school_names = {s.id: s.name for s in scenario.schools}
    rows = tuple(
        (
            w.teacher,
            names.get(w.teacher, "?"),
            f"{w.score}",
            "county" if w.unit == "county" else school_names.get(w.unit, w.unit),
            f"{w.from_bottom} of {w.unit_size}",
        )
        for w in talks[:rows_shown]
    )
    notes = (f"… and {len(talks) - rows_shown} more",) if len(talks) > rows_shown else ()
    return ReportSection(
        f"Warning talks (诫勉谈话, R15), {len(talks)} teachers",
        (
            f"Bottom {policy.warning_share:%} of the composite evaluation per "
            f"{policy.warning_scope.value}, rounded down; a tie at the boundary is "
            f"{'left off' if policy.warning_ties.value == 'exclude' else 'listed whole'}.",
        ),
        ReportTable(
            ("teacher", "name", "score", "counted in", "place from bottom"),
            rows,
            numeric=frozenset({2}),
        )
        if rows
        else None,
        notes,
    )


def _overview(scenario: Scenario, result: RoundResult) -> ReportSection:
    posts = result.posts
    return ReportSection(
        f"{scenario.county.name}: round of {scenario.competition_month}",
        (
            f"policy {result.policy.name}, mechanism {result.policy.mechanism.value}, "
            f"seed {result.seed}",
            f"teachers {len(result.outcomes)}; seats {sum(p.seats for p in posts)} "
            f"(reserved R2 {sum(p.reserved for p in posts)}, protected R4 "
            f"{sum(p.protected for p in posts)}, in-school {sum(p.in_school for p in posts)}, "
            f"cross-school {sum(p.cross_school for p in posts)})",
        ),
    )


def _rounds(result: RoundResult) -> ReportSection:
    rows = []
    notes = []
    for stats in result.rounds:
        rows.append(
            (
                stats.name,
                stats.kind.value,
                stats.scope.value,
                str(stats.candidates),
                str(stats.seats_offered),
                str(stats.placed),
            )
        )
        solver = stats.solver
        if (
            solver is not None
            and solver.baseline_placed is not None
            and solver.mechanism != "deferred_acceptance"
        ):
            notes.append(
                f"{stats.name}: {solver.mechanism} {solver.status}, placed {solver.objective} "
                f"(deferred acceptance: {solver.baseline_placed}), bound {solver.bound}"
            )
    return ReportSection(
        "Rounds",
        table=ReportTable(
            ("round", "kind", "scope", "candidates", "seats", "placed"),
            tuple(rows),
            numeric=frozenset({3, 4, 5}),
        ),
        notes=tuple(notes),
    )


def _waiting(scenario: Scenario, result: RoundResult, waiting_rows: int) -> ReportSection:
    names = {t.id: t.name for t in scenario.teachers}
    subjects = {t.id: t.main_subject for t in scenario.teachers}
    school_names = {s.id: s.name for s in scenario.schools}
    waiting = [o for o in result.outcomes if o.status is Status.WAITING]
    why = Counter(_why(o) for o in waiting)
    shown = sorted(waiting, key=lambda o: (-o.score, o.teacher))[:waiting_rows]
    rows = tuple(
        (
            o.teacher,
            names.get(o.teacher, "?"),
            subjects.get(o.teacher, "?"),
            f"{o.score}",
            school_names.get(o.home_school, o.home_school),
            school_names.get(o.school or "", o.school or "-"),
            _why(o),
        )
        for o in shown
    )
    notes = (f"… and {len(waiting) - waiting_rows} more",) if len(waiting) > waiting_rows else ()
    return ReportSection(
        f"Waiting (R7), {len(waiting)} teachers",
        tuple(f"{count} × {reason}" for reason, count in why.most_common()),
        ReportTable(
            (
                "teacher",
                "name",
                "subject",
                "score",
                "home school",
                "assigned for 跟岗/顶岗",
                "reason",
            ),
            rows,
            numeric=frozenset({3}),
        )
        if rows
        else None,
        notes,
    )


def render_report(
    scenario: Scenario,
    result: RoundResult,
    *,
    waiting_rows: int = 15,
    format: ReportFormat = "text",
) -> str:
    """The round's report: per-round counts, movement against the seed, balance, waiting list.

    ``format`` is ``"text"`` (terminal; CJK characters count double width),
    ``"markdown"`` or ``"html"`` (a whole page, every value escaped).
    """
    return _RENDERERS[format](report_sections(scenario, result, waiting_rows=waiting_rows))


def comparison_sections(comparison: Comparison, *, rows: int = 50) -> tuple[ReportSection, ...]:
    """A comparison (what-if or appeal) as report data: counts, changed outcomes, seats, balance."""
    same = []
    if comparison.same_scenario:
        same.append("same scenario")
    if comparison.same_policy:
        same.append("same policy")
    statuses = list(dict.fromkeys([*comparison.counts_before, *comparison.counts_after]))
    rounds = list(
        dict.fromkeys([*comparison.placed_per_round_before, *comparison.placed_per_round_after])
    )
    sections = [
        ReportSection(
            f"Comparison: {len(comparison.changed)} teachers changed outcome, "
            f"{len(comparison.seats)} posts changed holders",
            ("; ".join(same) or "different scenario and policy",),
        ),
        ReportSection(
            "Counts",
            table=ReportTable(
                ("", "before", "after", "change"),
                tuple(
                    _delta_row(
                        f"outcome {key}",
                        comparison.counts_before.get(key, 0),
                        comparison.counts_after.get(key, 0),
                    )
                    for key in statuses
                )
                + tuple(
                    _delta_row(
                        f"placed in round {key}",
                        comparison.placed_per_round_before.get(key, 0),
                        comparison.placed_per_round_after.get(key, 0),
                    )
                    for key in rounds
                ),
                numeric=frozenset({1, 2, 3}),
            ),
        ),
    ]
    changed = comparison.changed
    if changed:
        sections.append(
            ReportSection(
                "Changed outcomes",
                table=ReportTable(
                    ("teacher", "before", "after", "why (new reasons)"),
                    tuple(
                        (
                            c.teacher,
                            _place(c.before_status, c.before_post, c.before_school),
                            _place(c.after_status, c.after_post, c.after_school),
                            ", ".join(c.why),
                        )
                        for c in changed[:rows]
                    ),
                ),
                notes=(f"… and {len(changed) - rows} more",) if len(changed) > rows else (),
            )
        )
    if comparison.metrics_before is not None and comparison.metrics_after is not None:
        sections.append(_metrics_delta(comparison.metrics_before, comparison.metrics_after))
    return tuple(sections)


def _delta_row(key: str, before: int, after: int) -> tuple[str, ...]:
    return (key, str(before), str(after), _delta(before, after))


def _delta(before: int, after: int) -> str:
    return f"{after - before:+d}" if after != before else "0"


def _place(status: Status | None, post: str | None, school: str | None) -> str:
    if status is None:
        return "absent"
    return status.value if post is None else f"{status.value} {post} @ {school}"


def _metrics_delta(before: RoundMetrics, after: RoundMetrics) -> ReportSection:
    after_rows = {(r.segment, r.indicator): r for r in after.balance}
    return ReportSection(
        "Movement and balance (§6)",
        (
            f"moved school {before.moved_school} → {after.moved_school}; urban → rural (R16) "
            f"{before.urban_to_rural} → {after.urban_to_rural}; waiting {before.waiting} → "
            f"{after.waiting}; vacant seats {before.vacant_seats} → {after.vacant_seats}",
        ),
        ReportTable(
            ("segment", "indicator", "CV after a", "CV after b", "threshold"),
            tuple(
                (
                    row.segment.value,
                    row.indicator,
                    _cv(row.after),
                    _cv(after_rows[(row.segment, row.indicator)].after)
                    if (row.segment, row.indicator) in after_rows
                    else "—",
                    str(row.threshold),
                )
                for row in before.balance
            ),
            numeric=frozenset({2, 3, 4}),
        ),
    )


def render_comparison(
    comparison: Comparison, *, rows: int = 50, format: ReportFormat = "text"
) -> str:
    """A comparison for people: counts before/after, the first ``rows`` changed outcomes, balance."""
    return _RENDERERS[format](comparison_sections(comparison, rows=rows))


def _text(sections: Sequence[ReportSection]) -> str:
    lines: list[str] = []
    for number, section in enumerate(sections):
        if number:
            lines.append("")
        lines.append(section.title if number == 0 else f"{section.title}:")
        lines += [f"  {p}" if number else p for p in section.paragraphs]
        if section.table is not None:
            lines += _text_table(section.table)
        lines += [f"  {note}" for note in section.notes]
    return "\n".join(lines)


def _text_table(table: ReportTable) -> list[str]:
    widths = [
        max(_width(cell) for cell in column) + 2
        for column in zip(table.header, *table.rows, strict=True)
    ]
    out = []
    for row in (table.header, *table.rows):
        cells = [
            _pad_left(cell, width) if index in table.numeric else _pad(cell, width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append(("  " + "".join(cells)).rstrip())
    return out


def _markdown(sections: Sequence[ReportSection]) -> str:
    lines: list[str] = []
    for number, section in enumerate(sections):
        lines += [("# " if number == 0 else "## ") + section.title, ""]
        lines += [f"{_md(p.strip())}\n" for p in section.paragraphs]
        if section.table is not None:
            table = section.table
            lines.append("| " + " | ".join(_md(h) for h in table.header) + " |")
            lines.append(
                "|"
                + "|".join(
                    "---:" if index in table.numeric else "---"
                    for index in range(len(table.header))
                )
                + "|"
            )
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table.rows]
            lines.append("")
        lines += [f"{_md(note)}\n" for note in section.notes]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    # Pipes would split table cells; angle brackets would become HTML in most renderers.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _html(sections: Sequence[ReportSection]) -> str:
    esc = html.escape
    body: list[str] = []
    for number, section in enumerate(sections):
        tag = "h1" if number == 0 else "h2"
        body.append(f"<{tag}>{esc(section.title)}</{tag}>")
        body += [f"<p>{esc(p.strip())}</p>" for p in section.paragraphs]
        if section.table is not None:
            table = section.table
            body.append("<table>")
            body.append(
                "<thead><tr>"
                + "".join(f"<th>{esc(h)}</th>" for h in table.header)
                + "</tr></thead>"
            )
            body.append("<tbody>")
            for row in table.rows:
                cells = "".join(
                    f'<td class="num">{esc(c)}</td>' if i in table.numeric else f"<td>{esc(c)}</td>"
                    for i, c in enumerate(row)
                )
                body.append(f"<tr>{cells}</tr>")
            body.append("</tbody></table>")
        body += [f"<p>{esc(note)}</p>" for note in section.notes]
    title = esc(sections[0].title) if sections else "kgxp report"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n"
        "body{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}\n"
        "table{border-collapse:collapse;margin:0.5rem 0}\n"
        "th,td{border:1px solid #ccc;padding:0.2rem 0.5rem;text-align:left}\n"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
        "</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


_RENDERERS = {"text": _text, "markdown": _markdown, "html": _html}


def _cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


def _pad_left(text: str, width: int) -> str:
    return " " * max(0, width - _width(text) - 2) + text + "  "
