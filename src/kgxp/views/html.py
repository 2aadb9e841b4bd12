"""Rich HTML for Jupyter: scenarios, rounds, comparisons and simulations at a glance.

Policy analysts run what-if rounds in notebooks; the ``_repr_html_`` methods of
:class:`~kgxp.model.scenario.Scenario`, :class:`~kgxp.model.result.RoundResult`,
:class:`~kgxp.views.comparison.Comparison` and :class:`~kgxp.waiting.simulation.Simulation` call
the functions here, so evaluating one of them in a cell shows its counts
instead of a wall of pydantic fields.

The output is a compact fragment: inline styles only (no external CSS or
JavaScript, so it survives nbviewer, GitHub and exported HTML), every value
passed through :func:`html.escape` (school and teacher names come from county
rosters and are not trusted), Chinese text kept as it is, and the same object
always renders to the same string (I12) — sorted rows, fixed number formats.

>>> import kgxp
>>> from kgxp.views.html import round_html
>>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
>>> round_html(result) == result._repr_html_()
True
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence

from kgxp._internal.rendering import register_html
from kgxp.lottery.odds import LotteryOdds
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.views.comparison import Comparison
from kgxp.views.metrics import BalanceRow
from kgxp.views.summary import summarize
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState

__all__ = ["comparison_html", "round_html", "scenario_html", "simulation_html"]

# One small style sheet per fragment, scoped to the fragment's class: no external
# CSS, and Jupyter's own table styling (which right-aligns everything) is overridden.
_STYLE = (
    "<style>.kgxp-repr{font-size:90%;line-height:1.35}"
    ".kgxp-repr table{border-collapse:collapse;margin:2px 0 6px 0}"
    ".kgxp-repr th,.kgxp-repr td{padding:1px 8px;border-bottom:1px solid #ddd;text-align:left}"
    ".kgxp-repr th{border-bottom-color:#999}.kgxp-repr .n{text-align:right}</style>"
)

# Waiting states shown in every simulation table, even when zero (R7, R9, R10).
_CORE_STATES = (
    WaitingState.ON_POST,
    WaitingState.WAITING,
    WaitingState.CONTINUED_WAITING,
    WaitingState.DISMISSAL_REVIEW,
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[int] = (),
) -> str:
    right = set(numeric)
    parts = ["<table><thead><tr>"]
    parts += [
        f'<th class="n">{_e(h)}</th>' if i in right else f"<th>{_e(h)}</th>"
        for i, h in enumerate(header)
    ]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        parts += [
            f'<td class="n">{_e(cell)}</td>' if i in right else f"<td>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        ]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block (plain HTML, no script): long tables stay out of the way."""
    return f"<details{' open' if open_ else ''}><summary>{_e(summary)}</summary>{body}</details>"


def _p(text: str) -> str:
    return f'<div style="margin:2px 0">{_e(text)}</div>'


def _title(text: str) -> str:
    return f"<strong>{_e(text)}</strong>"


def _box(parts: Iterable[str]) -> str:
    return _STYLE + '<div class="kgxp-repr">' + "".join(parts) + "</div>"


def _more(shown: int, total: int) -> str:
    return _p(f"… and {total - shown} more") if total > shown else ""


def scenario_html(scenario: Scenario, policy: Policy | None = None) -> str:
    """A scenario's counts (:func:`kgxp.summarize`): schools, subjects, protected categories.

    Protection (R4) depends on the policy; without one the default policy counts it.
    """
    summary = summarize(scenario, policy)
    merged = sum(row.merged_into is not None for row in summary.schools)
    parts = [
        _title(
            f"{summary.county} · competition month {summary.competition_month}"
            + (" · synthetic teachers" if summary.synthetic else "")
        ),
        _p(
            f"schools {len(summary.schools)} (merged R3: {merged}), teachers {summary.teachers}, "
            f"seats {summary.seats} (reserved R2: {summary.reserved}, competed "
            f"{summary.competed_seats}), staffing total R1: {summary.staffing_total}"
        ),
        _p(
            f"protected in advance (R4, policy {summary.policy}): {summary.protected_teachers}; "
            f"unwilling to be adjusted (R6): {summary.unwilling_to_adjust}; teachers with a "
            f"tied score: {summary.tied_scores}"
        ),
        _table(
            ("protected category (R4)", "teachers"),
            sorted(summary.protected_by_category.items()) or [("(none)", 0)],
            numeric=(1,),
        ),
        _details(
            f"Subjects ({len(summary.by_subject)})",
            _table(
                ("subject", "teachers", "seats", "seats − teachers"),
                (
                    (subject, teachers, seats, f"{seats - teachers:+d}")
                    for subject, (teachers, seats) in sorted(summary.by_subject.items())
                ),
                numeric=(1, 2, 3),
            ),
        ),
        _details(
            f"Schools ({len(summary.schools)})",
            _table(
                (
                    "school",
                    "name",
                    "segment",
                    "locality",
                    "community",
                    "seats",
                    "reserved",
                    "teachers",
                    "protected",
                    "note",
                ),
                (
                    (
                        row.school_id,
                        row.name,
                        row.segment,
                        row.locality,
                        row.community or "—",
                        row.seats,
                        row.reserved,
                        row.teachers,
                        row.protected,
                        f"merged into {row.merged_into} (R3)" if row.merged_into else "",
                    )
                    for row in sorted(summary.schools, key=lambda r: r.school_id)
                ),
                numeric=(5, 6, 7, 8),
            ),
        ),
    ]
    return _box(parts)


def round_html(result: RoundResult) -> str:
    """A round's outcomes: counts per status and round, solver stats, seats per school.

    The result holds ids only (no names), so schools are shown by id; the report
    (:func:`kgxp.render_report`) adds names from the scenario.
    """
    counts = result.counts()
    posts = result.posts
    vacant = sum(p.vacant for p in posts)
    parts = [
        _title(
            f"Placement round · policy {result.policy.name} · mechanism "
            f"{result.policy.mechanism.value} · seed {result.seed}"
        ),
        _p(
            f"teachers {len(result.outcomes)}; seats {sum(p.seats for p in posts)} (reserved R2 "
            f"{sum(p.reserved for p in posts)}, protected R4 {sum(p.protected for p in posts)}, "
            f"in-school {sum(p.in_school for p in posts)}, cross-school "
            f"{sum(p.cross_school for p in posts)}); vacant after every round: {vacant}"
        ),
        _table(list(counts), [list(counts.values())], numeric=range(len(counts))),
        _table(
            (
                "round",
                "kind",
                "scope",
                "candidates",
                "seats",
                "placed",
                "mechanism",
                "status",
                "bound",
                "optimal",
            ),
            (
                (
                    r.name,
                    r.kind.value,
                    r.scope.value,
                    r.candidates,
                    r.seats_offered,
                    r.placed,
                    r.solver.mechanism if r.solver else "—",
                    (r.solver.status + (" (timed out)" if r.solver.timed_out else ""))
                    if r.solver
                    else "—",
                    "—" if r.solver is None or r.solver.bound is None else r.solver.bound,
                    "—" if r.solver is None else ("yes" if r.solver.proven_optimal else "no"),
                )
                for r in result.rounds
            ),
            numeric=(3, 4, 5, 8),
        ),
    ]
    if result.conflicts:
        shown = result.conflicts[:20]
        parts.append(
            _details(
                f"Conflicts ({len(result.conflicts)})",
                _table(
                    ("rule", "teacher", "school", "message"),
                    ((c.rule, c.teacher, c.school, c.message) for c in shown),
                )
                + _more(len(shown), len(result.conflicts)),
            )
        )
    parts.append(_details(f"Seats per school ({len(_schools(result))})", _school_table(result)))
    return _box(parts)


def _schools(result: RoundResult) -> list[str]:
    return sorted({p.school for p in result.posts} | {o.home_school for o in result.outcomes})


def _school_table(result: RoundResult) -> str:
    round_names = [r.name for r in result.rounds]
    round_names += sorted({n for p in result.posts for n in p.filled} - set(round_names))
    seats: Counter[str] = Counter()
    reserved: Counter[str] = Counter()
    protected: Counter[str] = Counter()
    vacant: Counter[str] = Counter()
    filled: dict[str, Counter[str]] = {name: Counter() for name in round_names}
    for p in result.posts:
        seats[p.school] += p.seats
        reserved[p.school] += p.reserved
        protected[p.school] += p.protected
        vacant[p.school] += p.vacant
        for name, n in p.filled.items():
            filled[name][p.school] += n
    waiting = Counter(o.home_school for o in result.outcomes if o.status is Status.WAITING)
    rows = [
        (
            school,
            seats[school],
            reserved[school],
            protected[school],
            *(filled[name][school] for name in round_names),
            vacant[school],
            waiting[school],
        )
        for school in _schools(result)
    ]
    width = 4 + len(round_names) + 2
    return _table(
        (
            "school",
            "seats",
            "reserved (R2)",
            "protected (R4)",
            *(f"filled: {name}" for name in round_names),
            "vacant",
            "waiting from here (R7)",
        ),
        rows,
        numeric=range(1, width),
    )


def comparison_html(comparison: Comparison, *, rows: int = 50) -> str:
    """A what-if or an appeal: counts and balance before/after, who moved, which seats changed.

    At most ``rows`` changed outcomes and seat changes are listed; the counts
    above them are complete.
    """
    c = comparison
    same = [
        "same scenario" if c.same_scenario else "different scenario",
        "same policy" if c.same_policy else "different policy",
    ]
    statuses = list(dict.fromkeys([*c.counts_before, *c.counts_after]))
    rounds = list(dict.fromkeys([*c.placed_per_round_before, *c.placed_per_round_after]))
    count_rows = [
        (f"outcome {k}", b, a, _delta(b, a))
        for k in statuses
        for b, a in [(c.counts_before.get(k, 0), c.counts_after.get(k, 0))]
    ] + [
        (f"placed in round {k}", b, a, _delta(b, a))
        for k in rounds
        for b, a in [(c.placed_per_round_before.get(k, 0), c.placed_per_round_after.get(k, 0))]
    ]
    parts = [
        _title(
            f"Comparison: {len(c.changed)} teachers changed outcome, "
            f"{len(c.seats)} posts changed holders"
        ),
        _p("; ".join(same)),
        _table(("", "a (before)", "b (after)", "change"), count_rows, numeric=(1, 2, 3)),
    ]
    if c.metrics_before is not None and c.metrics_after is not None:
        a, b = c.metrics_before, c.metrics_after
        movement = [
            ("moved school", a.moved_school, b.moved_school),
            (
                "moved across communities (R17)",
                a.moved_across_communities,
                b.moved_across_communities,
            ),
            ("urban → rural (R16)", a.urban_to_rural, b.urban_to_rural),
            ("rural → urban", a.rural_to_urban, b.rural_to_urban),
            ("waiting (R7)", a.waiting, b.waiting),
            ("vacant seats", a.vacant_seats, b.vacant_seats),
        ]
        parts.append(
            _table(
                ("movement", "a", "b", "change"),
                ((k, x, y, _delta(x, y)) for k, x, y in movement),
                numeric=(1, 2, 3),
            )
        )
        parts.append(_balance_table(a.balance, b.balance))
    changed = c.changed[:rows]
    if c.changed:
        parts.append(
            _details(
                f"Changed outcomes ({len(c.changed)})",
                _table(
                    ("teacher", "a", "b", "why (reasons in b)"),
                    (
                        (
                            x.teacher,
                            _place(x.before_status, x.before_post, x.before_school),
                            _place(x.after_status, x.after_post, x.after_school),
                            ", ".join(x.why),
                        )
                        for x in changed
                    ),
                )
                + _more(len(changed), len(c.changed)),
                open_=len(c.changed) <= 10,
            )
        )
    seats = c.seats[:rows]
    if c.seats:
        parts.append(
            _details(
                f"Seat changes ({len(c.seats)})",
                _table(
                    ("post", "left", "joined"),
                    ((s.post, ", ".join(s.left), ", ".join(s.joined)) for s in seats),
                )
                + _more(len(seats), len(c.seats)),
            )
        )
    return _box(parts)


def _balance_table(a: Sequence[BalanceRow], b: Sequence[BalanceRow]) -> str:
    after = {(r.segment, r.indicator): r for r in b}
    keys = list(dict.fromkeys([*((r.segment, r.indicator) for r in a), *after]))
    rows_a = {(r.segment, r.indicator): r for r in a}
    rows = []
    for key in keys:
        x, y = rows_a.get(key), after.get(key)
        ref = x or y
        assert ref is not None
        rows.append(
            (
                key[0].value,
                key[1],
                _cv(x.after if x else None),
                _cv(y.after if y else None),
                str(ref.threshold),
                _ok(y.after_ok if y else None),
            )
        )
    return _table(
        ("segment", "indicator", "CV a (§6)", "CV b (§6)", "threshold", "b within"),
        rows,
        numeric=(2, 3, 4),
    )


def _ok(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: "—"}[value]


def simulation_html(simulation: Simulation) -> str:
    """A simulation: the round's counts, then one row per semester (R7–R10)."""
    summaries = simulation.summaries
    states = [
        s.value
        for s in WaitingState
        if s in _CORE_STATES or any(x.states.get(s.value, 0) for x in summaries)
    ]
    first = str(simulation.semesters[0]) if simulation.semesters else "—"
    counts = simulation.round.counts()
    flagged = sum(x.states.get(WaitingState.DISMISSAL_REVIEW.value, 0) for x in summaries[-1:])
    parts = [
        _title(
            f"Simulation: {len(simulation.semesters)} semesters from {first} · policy "
            f"{simulation.round.policy.name} · seed {simulation.round.seed}"
        ),
        _p("round: " + ", ".join(f"{k} {v}" for k, v in counts.items())),
        _p(f"under dismissal review (R10) in the last semester: {flagged}"),
        _table(
            (
                "semester",
                *states,
                "competed (R9)",
                "placed",
                "vacancies",
                "newly retired",
                "paid (yuan)",
            ),
            (
                (
                    str(x.semester),
                    *(x.states.get(s, 0) for s in states),
                    x.competed,
                    x.placed,
                    x.vacancies,
                    x.retired,
                    x.paid,
                )
                for x in summaries
            ),
            numeric=range(1, len(states) + 6),
        ),
    ]
    return _box(parts)


def lottery_html(odds: LotteryOdds, *, rows: int = 50) -> str:
    """Lottery odds: how many teachers' post the draw decides, then those teachers' odds."""
    decided = [t for t in odds.teachers if t.post_by_draw]
    # The closest calls first: a post the teacher gets about half the time.
    decided.sort(key=lambda t: (abs(t.placed.probability - 0.5), t.teacher))
    summary = odds.summary()
    percent = f"{odds.confidence:.0%}"
    parts = [
        _title(
            f"抽签 Lottery odds: {odds.draws} draws from seed {odds.seed} · policy "
            f"{odds.policy.name} · {summary['teachers']} teachers"
        ),
        _p(
            f"the draw decides the post of {summary['post_decided']} teachers, the status "
            f"(round or waiting) of {summary['status_decided']}, and whether "
            f"{summary['placement_decided']} get a post at all"
        ),
    ]
    if decided:
        shown = decided[:rows]
        parts.append(
            _table(
                (
                    "teacher",
                    "P(post)",
                    f"{percent} interval",
                    "most frequent post",
                    "share",
                    "posts seen",
                    "statuses",
                ),
                (
                    (
                        t.teacher,
                        f"{t.placed.probability:.3f}",
                        f"{t.placed.low:.3f}–{t.placed.high:.3f}",
                        t.posts[0].value or "no post",
                        f"{t.posts[0].probability:.3f}",
                        len(t.posts),
                        ", ".join(f"{s.value} {s.probability:.2f}" for s in t.statuses),
                    )
                    for t in shown
                ),
                numeric=(1, 4, 5),
            )
        )
        parts.append(_more(len(shown), len(decided)))
    return _box(parts)


# The documents' ``_repr_html_`` find these through the registry (they sit below the views).
register_html(Scenario, scenario_html)
register_html(RoundResult, round_html)
register_html(Comparison, comparison_html)
register_html(Simulation, simulation_html)


def _cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _delta(before: int, after: int) -> str:
    return f"{after - before:+d}" if after != before else "0"


def _place(status: Status | None, post: str | None, school: str | None) -> str:
    if status is None:
        return "absent"
    return status.value if post is None else f"{status.value} {post} @ {school}"


register_html(LotteryOdds, lottery_html)
