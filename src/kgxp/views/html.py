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

Every word comes from the message catalogue (:mod:`kgxp.i18n`): Chinese by
default — what a notebook shows through ``_repr_html_`` — and English with
``locale="en"`` on the functions here. Statuses, rounds, segments and mechanisms
are named in words (:class:`~kgxp.views.vocabulary.Terms`), never as enum values,
and rule ids appear only in the conflicts' ``依据`` column.

>>> import kgxp
>>> from kgxp.views.html import round_html
>>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
>>> round_html(result) == result._repr_html_()
True
>>> "<strong>竞聘结果" in round_html(result)
True
>>> "<strong>Placement round" in round_html(result, locale="en")
True
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from kgxp._internal.rendering import register_html
from kgxp.files.wording import Wording
from kgxp.i18n import DEFAULT_LOCALE, Texts
from kgxp.lottery.odds import LotteryOdds
from kgxp.model.policy import Policy, RoundKind
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.views.appeal import describe_outcome
from kgxp.views.comparison import Comparison
from kgxp.views.metrics import BalanceRow
from kgxp.views.summary import summarize
from kgxp.views.vocabulary import ROUND_KIND_NAMES, Terms
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState

__all__ = [
    "comparison_html",
    "lottery_html",
    "round_html",
    "scenario_html",
    "simulation_html",
]

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


def _more(tr: Texts, shown: int, total: int, *, posts: bool = False) -> str:
    if total <= shown:
        return ""
    if posts:
        return _p(tr("… and {count} more posts", count=total - shown))
    return _p(tr("… and {count} more", count=total - shown))


def scenario_html(
    scenario: Scenario, policy: Policy | None = None, *, locale: str = DEFAULT_LOCALE
) -> str:
    """A scenario's counts (:func:`kgxp.summarize`): schools, subjects, protected categories.

    Protection (R4) depends on the policy; without one the default policy counts it.
    """
    terms = Terms(locale)
    tr = terms.tr
    summary = summarize(scenario, policy)
    names = {row.school_id: row.name for row in summary.schools}
    merged = sum(row.merged_into is not None for row in summary.schools)
    year, month = summary.competition_month.split("-")
    title = tr(
        "{county} · competition of {month}",
        county=summary.county,
        month=tr("{year}-{month:02d}", year=int(year), month=int(month)),
    )
    parts = [
        _title(title + (tr(" · synthetic teachers") if summary.synthetic else "")),
        _p(
            tr(
                "{schools} schools ({merged} merged into another), {teachers} teachers, "
                "{seats} posts ({reserved} reserved for new recruits, {competed} competed); "
                "staffing quota {staffing}.",
                schools=len(summary.schools),
                merged=merged,
                teachers=summary.teachers,
                seats=summary.seats,
                reserved=summary.reserved,
                competed=summary.competed_seats,
                staffing=summary.staffing_total,
            )
        ),
        _p(
            tr(
                "Placed in advance under the {policy}: {protected}; not willing to be "
                "assigned by the bureau: {unwilling}; sharing their score with another "
                "teacher: {tied}.",
                policy=terms.policy(summary.policy),
                protected=summary.protected_teachers,
                unwilling=summary.unwilling_to_adjust,
                tied=summary.tied_scores,
            )
        ),
        _table(
            (tr("Protected category"), tr("Teachers")),
            [(terms.category(c), n) for c, n in sorted(summary.protected_by_category.items())]
            or [(tr("(none)"), 0)],
            numeric=(1,),
        ),
        _details(
            tr("Subjects ({count})", count=len(summary.by_subject)),
            _table(
                (tr("Subject"), tr("Teachers"), tr("Posts"), tr("Posts minus teachers")),
                (
                    (subject, teachers, seats, f"{seats - teachers:+d}")
                    for subject, (teachers, seats) in sorted(summary.by_subject.items())
                ),
                numeric=(1, 2, 3),
            ),
        ),
        _details(
            tr("Schools ({count})", count=len(summary.schools)),
            _table(
                (
                    tr("School id"),
                    tr("School name"),
                    tr("Segment"),
                    tr("Urban or rural"),
                    tr("Education community"),
                    tr("Posts"),
                    tr("Reserved for new recruits"),
                    tr("Teachers"),
                    tr("Placed in advance"),
                    tr("Note"),
                ),
                (
                    (
                        row.school_id,
                        row.name,
                        terms.segment(row.segment),
                        terms.locality(row.locality),
                        row.community or "—",
                        row.seats,
                        row.reserved,
                        row.teachers,
                        row.protected,
                        tr(
                            "merged into {school}",
                            school=names.get(row.merged_into, row.merged_into),
                        )
                        if row.merged_into
                        else "",
                    )
                    for row in sorted(summary.schools, key=lambda r: r.school_id)
                ),
                numeric=(5, 6, 7, 8),
            ),
        ),
    ]
    return _box(parts)


def round_html(result: RoundResult, *, locale: str = DEFAULT_LOCALE) -> str:
    """A round's outcomes: counts per outcome and round, how each round was matched, seats
    per school.

    The result holds ids only (no names), so schools are shown by id; the report
    (:func:`kgxp.render_report`) adds names from the scenario.
    """
    terms = Terms(locale)
    tr = terms.tr
    counts = result.counts()
    posts = result.posts
    vacant = sum(p.vacant for p in posts)
    labels = terms.rounds(result.rounds)
    parts = [
        _title(
            tr(
                "Placement round · {policy} · {mechanism} · lottery seed {seed}",
                policy=terms.policy(result.policy.name),
                mechanism=terms.mechanism(result.policy.mechanism),
                seed=result.seed,
            )
        ),
        _p(
            tr(
                "{teachers} teachers; {seats} posts ({reserved} reserved for new recruits, "
                "{protected} filled in advance, {in_school} in the in-school round, "
                "{cross_school} in the cross-school round); vacant after every round: {vacant}.",
                teachers=len(result.outcomes),
                seats=sum(p.seats for p in posts),
                reserved=sum(p.reserved for p in posts),
                protected=sum(p.protected for p in posts),
                in_school=sum(p.in_school for p in posts),
                cross_school=sum(p.cross_school for p in posts),
                vacant=vacant,
            )
        ),
        _table(
            [terms.status(k) for k in counts],
            [list(counts.values())],
            numeric=range(len(counts)),
        ),
        _table(
            (
                tr("Round"),
                tr("Scope"),
                tr("Candidates"),
                tr("Posts offered"),
                tr("Placed"),
                tr("Matching"),
                tr("Solver result"),
                tr("Upper bound"),
                tr("Proven best"),
            ),
            (
                (
                    labels[r.name],
                    terms.scope(r.scope),
                    r.candidates,
                    r.seats_offered,
                    r.placed,
                    terms.mechanism(r.solver.mechanism) if r.solver else "—",
                    (
                        terms.solver_status(r.solver.status)
                        + (tr(" (time ran out)") if r.solver.timed_out else "")
                    )
                    if r.solver
                    else "—",
                    "—" if r.solver is None or r.solver.bound is None else r.solver.bound,
                    "—" if r.solver is None else terms.yes_no(r.solver.proven_optimal),
                )
                for r in result.rounds
            ),
            numeric=(2, 3, 4, 7),
        ),
    ]
    if result.conflicts:
        words = Wording(None, result, locale=locale)
        outcomes = {o.teacher: o for o in result.outcomes}
        shown = result.conflicts[:20]
        parts.append(
            _details(
                tr("Protected teachers awaiting a post ({count})", count=len(result.conflicts)),
                _table(
                    (tr("Teacher id"), tr("Original school"), tr("Note"), tr("Rule")),
                    (
                        (
                            c.teacher,
                            c.school,
                            words.why(outcomes[c.teacher]) if c.teacher in outcomes else "",
                            c.rule,
                        )
                        for c in shown
                    ),
                )
                + _more(tr, len(shown), len(result.conflicts)),
            )
        )
    parts.append(
        _details(
            tr("Posts per school ({count})", count=len(_schools(result))),
            _school_table(result, terms, labels),
        )
    )
    return _box(parts)


def _schools(result: RoundResult) -> list[str]:
    return sorted({p.school for p in result.posts} | {o.home_school for o in result.outcomes})


def _school_table(result: RoundResult, terms: Terms, labels: dict[str, str]) -> str:
    tr = terms.tr
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
            tr("School id"),
            tr("Posts"),
            tr("Reserved for new recruits"),
            tr("Placed in advance"),
            *(tr("Filled: {round}", round=labels.get(name, name)) for name in round_names),
            tr("Vacant"),
            tr("Waiting from this school"),
        ),
        rows,
        numeric=range(1, width),
    )


def comparison_html(comparison: Comparison, *, rows: int = 50, locale: str = DEFAULT_LOCALE) -> str:
    """A what-if or an appeal: counts and balance before/after, who moved, which seats changed.

    At most ``rows`` changed outcomes and seat changes are listed; the counts
    above them are complete. The reasons are the appeal notice's
    (:func:`kgxp.render_comparison`), with posts by id.
    """
    c = comparison
    terms = Terms(locale)
    tr = terms.tr
    words = Wording(None, c.round_kinds, locale=locale)
    same = [
        tr("same scenario") if c.same_scenario else tr("different scenario"),
        tr("same policy") if c.same_policy else tr("different policy"),
    ]
    statuses = list(dict.fromkeys([*c.counts_before, *c.counts_after]))
    rounds = list(dict.fromkeys([*c.placed_per_round_before, *c.placed_per_round_after]))
    labels = _round_labels(terms, c.round_kinds, rounds)
    count_rows = [
        (_status(terms, k), b, a, _delta(b, a))
        for k in statuses
        for b, a in [(c.counts_before.get(k, 0), c.counts_after.get(k, 0))]
    ] + [
        (tr("Placed in the {round}", round=labels[k]), b, a, _delta(b, a))
        for k in rounds
        for b, a in [(c.placed_per_round_before.get(k, 0), c.placed_per_round_after.get(k, 0))]
    ]
    parts = [
        _title(
            tr(
                "Comparison: {teachers} teachers changed outcome, {posts} posts changed holders",
                teachers=len(c.changed),
                posts=len(c.seats),
            )
        ),
        _p(tr("; ").join(same)),
        _table(
            ("", tr("a (before)"), tr("b (after)"), tr("Change")), count_rows, numeric=(1, 2, 3)
        ),
    ]
    if c.metrics_before is not None and c.metrics_after is not None:
        a, b = c.metrics_before, c.metrics_after
        movement = [
            (tr("Teachers at another school"), a.moved_school, b.moved_school),
            (
                tr("Moved to another education community"),
                a.moved_across_communities,
                b.moved_across_communities,
            ),
            (tr("Urban to rural"), a.urban_to_rural, b.urban_to_rural),
            (tr("Rural to urban"), a.rural_to_urban, b.rural_to_urban),
            (tr("Waiting for a post"), a.waiting, b.waiting),
            (tr("Vacant posts"), a.vacant_seats, b.vacant_seats),
        ]
        parts.append(
            _table(
                (tr("Movement"), "a", "b", tr("Change")),
                ((k, x, y, _delta(x, y)) for k, x, y in movement),
                numeric=(1, 2, 3),
            )
        )
        parts.append(_balance_table(terms, a.balance, b.balance))
    changed = c.changed[:rows]
    if c.changed:
        parts.append(
            _details(
                tr("Changed outcomes ({count})", count=len(c.changed)),
                _table(
                    (tr("Teacher id"), "a", "b", tr("Why (the reasons in b)")),
                    (
                        (
                            x.teacher,
                            describe_outcome(words, x, before=True),
                            describe_outcome(words, x, before=False),
                            tr("; ").join(words.reason(r, x.protected_by) for r in x.reasons)
                            or "—",
                        )
                        for x in changed
                    ),
                )
                + _more(tr, len(changed), len(c.changed)),
                open_=len(c.changed) <= 10,
            )
        )
    seats = c.seats[:rows]
    if c.seats:
        parts.append(
            _details(
                tr("Posts whose holders changed ({count})", count=len(c.seats)),
                _table(
                    (tr("Post"), tr("Left"), tr("Joined")),
                    ((s.post, tr(", ").join(s.left), tr(", ").join(s.joined)) for s in seats),
                )
                + _more(tr, len(seats), len(c.seats), posts=True),
            )
        )
    return _box(parts)


def _round_labels(
    terms: Terms, kinds: Mapping[str, RoundKind], names: Iterable[str]
) -> dict[str, str]:
    """Round names → the kind of round in words, numbered where two rounds share a kind."""
    names = list(names)
    per_kind: Counter[RoundKind] = Counter(kinds[n] for n in names if n in kinds)
    seen: Counter[RoundKind] = Counter()
    labels = {}
    for name in names:
        kind = kinds.get(name)
        if kind is None:
            labels[name] = name  # a round the comparison does not know: as named
            continue
        seen[kind] += 1
        label = terms.tr(ROUND_KIND_NAMES[kind])
        labels[name] = (
            label
            if per_kind[kind] == 1
            else terms.tr("{round} ({number})", round=label, number=seen[kind])
        )
    return labels


def _status(terms: Terms, value: str) -> str:
    try:
        return terms.status(value)
    except ValueError:  # not an outcome kgxp knows (a newer result): as given
        return value


def _balance_table(terms: Terms, a: Sequence[BalanceRow], b: Sequence[BalanceRow]) -> str:
    tr = terms.tr
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
                terms.segment(key[0]),
                terms.indicator(key[1]),
                _cv(x.after if x else None),
                _cv(y.after if y else None),
                str(ref.threshold),
                _ok(tr, y.after_ok if y else None),
            )
        )
    return _table(
        (
            tr("Segment"),
            tr("Indicator"),
            tr("Inter-school coefficient of variation, a"),
            tr("Inter-school coefficient of variation, b"),
            tr("Threshold"),
            tr("b within the threshold"),
        ),
        rows,
        numeric=(2, 3, 4),
    )


def _ok(tr: Texts, value: bool | None) -> str:
    if value is None:
        return "—"
    return tr("met") if value else tr("not met")


def simulation_html(simulation: Simulation, *, locale: str = DEFAULT_LOCALE) -> str:
    """A simulation: the round's counts, then one row per semester (R7–R10)."""
    terms = Terms(locale)
    tr = terms.tr
    summaries = simulation.summaries
    states = [
        s
        for s in WaitingState
        if s in _CORE_STATES or any(x.states.get(s.value, 0) for x in summaries)
    ]
    first = terms.semester(simulation.semesters[0]) if simulation.semesters else "—"
    counts = simulation.round.counts()
    flagged = sum(x.states.get(WaitingState.DISMISSAL_REVIEW.value, 0) for x in summaries[-1:])
    parts = [
        _title(
            tr(
                "Simulation: {count} semesters from {first} · {policy} · lottery seed {seed}",
                count=len(simulation.semesters),
                first=first,
                policy=terms.policy(simulation.round.policy.name),
                seed=simulation.round.seed,
            )
        ),
        _p(
            tr(
                "The round: {counts}",
                counts=tr(", ").join(
                    tr("{outcome} {count}", outcome=_status(terms, k), count=v)
                    for k, v in counts.items()
                ),
            )
        ),
        _p(tr("Under dismissal review in the last semester: {count}", count=flagged)),
        _table(
            (
                tr("Semester"),
                *(terms.waiting_state(s) for s in states),
                tr("Competed again"),
                tr("Placed"),
                tr("Vacancies"),
                tr("Newly retired"),
                tr("Paid (yuan)"),
            ),
            (
                (
                    terms.semester(x.semester),
                    *(x.states.get(s.value, 0) for s in states),
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


def lottery_html(odds: LotteryOdds, *, rows: int = 50, locale: str = DEFAULT_LOCALE) -> str:
    """Lottery odds: how many teachers' post the draw decides, then those teachers' odds."""
    terms = Terms(locale)
    tr = terms.tr
    decided = [t for t in odds.teachers if t.post_by_draw]
    # The closest calls first: a post the teacher gets about half the time.
    decided.sort(key=lambda t: (abs(t.placed.probability - 0.5), t.teacher))
    summary = odds.summary()
    percent = f"{odds.confidence:.0%}"
    parts = [
        _title(
            tr(
                "Lottery odds: {draws} draws from seed {seed} · {policy} · {teachers} teachers",
                draws=odds.draws,
                seed=odds.seed,
                policy=terms.policy(odds.policy.name),
                teachers=summary["teachers"],
            )
        ),
        _p(
            tr(
                "The draw decides the post of {post} teachers, the outcome (which round, or "
                "waiting) of {status}, and whether {placement} get a post at all.",
                post=summary["post_decided"],
                status=summary["status_decided"],
                placement=summary["placement_decided"],
            )
        ),
    ]
    if decided:
        shown = decided[:rows]
        parts.append(
            _table(
                (
                    tr("Teacher id"),
                    tr("Chance of a post"),
                    tr("{percent} interval", percent=percent),
                    tr("Most frequent post"),
                    tr("Share"),
                    tr("Posts seen"),
                    tr("Outcomes"),
                ),
                (
                    (
                        t.teacher,
                        f"{t.placed.probability:.3f}",
                        f"{t.placed.low:.3f}–{t.placed.high:.3f}",
                        t.posts[0].value or tr("no post"),
                        f"{t.posts[0].probability:.3f}",
                        len(t.posts),
                        tr(", ").join(
                            tr(
                                "{outcome} {share}",
                                outcome=_status(terms, s.value or ""),
                                share=format(s.probability, ".2f"),
                            )
                            for s in t.statuses
                        ),
                    )
                    for t in shown
                ),
                numeric=(1, 4, 5),
            )
        )
        parts.append(_more(tr, len(shown), len(decided)))
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


register_html(LotteryOdds, lottery_html)
