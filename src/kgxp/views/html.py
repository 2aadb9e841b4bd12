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

from collections import Counter

from kgxp._internal.rendering import register_html
from kgxp.files.wording import Wording
from kgxp.i18n import DEFAULT_LOCALE
from kgxp.lottery.odds import LotteryOdds
from kgxp.model.arguments import rows_argument
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.views import html_parts as frag
from kgxp.views.comparison import Comparison
from kgxp.views.html_comparison import comparison_html
from kgxp.views.metrics import seat_counts
from kgxp.views.summary import summarize
from kgxp.views.vocabulary import Terms
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState

__all__ = [
    "comparison_html",
    "lottery_html",
    "round_html",
    "scenario_html",
    "simulation_html",
]

# Waiting states shown in every simulation table, even when zero (R7, R9, R10).
_CORE_STATES = (
    WaitingState.ON_POST,
    WaitingState.WAITING,
    WaitingState.CONTINUED_WAITING,
    WaitingState.DISMISSAL_REVIEW,
)


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
        frag.title(title + (tr(" · synthetic teachers") if summary.synthetic else "")),
        frag.paragraph(
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
        frag.paragraph(
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
        frag.table(
            (tr("Protected category"), tr("Teachers")),
            [(terms.category(c), n) for c, n in sorted(summary.protected_by_category.items())]
            or [(tr("(none)"), 0)],
            numeric=(1,),
        ),
        frag.details(
            tr("Subjects ({count})", count=len(summary.by_subject)),
            frag.table(
                (tr("Subject"), tr("Teachers"), tr("Posts"), tr("Posts minus teachers")),
                (
                    (subject, teachers, seats, f"{seats - teachers:+d}")
                    for subject, (teachers, seats) in sorted(summary.by_subject.items())
                ),
                numeric=(1, 2, 3),
            ),
        ),
        frag.details(
            tr("Schools ({count})", count=len(summary.schools)),
            frag.table(
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
    return frag.box(parts)


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
        frag.title(
            tr(
                "Placement round · {policy} · {mechanism} · lottery seed {seed}",
                policy=terms.policy(result.policy.name),
                mechanism=terms.mechanism(result.policy.mechanism),
                seed=result.seed,
            )
        ),
        frag.paragraph(
            tr(
                "{teachers} teachers; {seats} posts ({reserved} reserved for new recruits, "
                "{protected} filled in advance, {in_school} in the in-school round, "
                "{cross_school} in the cross-school round); vacant after every round: {vacant}.",
                teachers=len(result.outcomes),
                **seat_counts(result),
                vacant=vacant,
            )
        ),
        frag.table(
            [terms.status(k) for k in counts],
            [list(counts.values())],
            numeric=range(len(counts)),
        ),
        frag.table(
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
        shown = result.conflicts[:20]
        outcomes = result.outcomes_of(c.teacher for c in shown)
        parts.append(
            frag.details(
                tr("Protected teachers awaiting a post ({count})", count=len(result.conflicts)),
                frag.table(
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
                + frag.more(tr, len(shown), len(result.conflicts)),
            )
        )
    parts.append(
        frag.details(
            tr("Posts per school ({count})", count=len(_schools(result))),
            _school_table(result, terms, labels),
        )
    )
    return frag.box(parts)


def _schools(result: RoundResult) -> list[str]:
    return sorted({p.school for p in result.posts} | set(result.outcome_values("home_school")))


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
    waiting = Counter(
        home
        for home, status in zip(
            result.outcome_values("home_school"), result.outcome_values("status"), strict=True
        )
        if status is Status.WAITING
    )
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
    return frag.table(
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
        frag.title(
            tr(
                "Simulation: {count} semesters from {first} · {policy} · lottery seed {seed}",
                count=len(simulation.semesters),
                first=first,
                policy=terms.policy(simulation.round.policy.name),
                seed=simulation.round.seed,
            )
        ),
        frag.paragraph(
            tr(
                "The round: {counts}",
                counts=tr(", ").join(
                    tr("{outcome} {count}", outcome=frag.status_word(terms, k), count=v)
                    for k, v in counts.items()
                ),
            )
        ),
        frag.paragraph(tr("Under dismissal review in the last semester: {count}", count=flagged)),
        frag.table(
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
    return frag.box(parts)


def lottery_html(odds: LotteryOdds, *, rows: int = 50, locale: str = DEFAULT_LOCALE) -> str:
    """Lottery odds: how many teachers' post the draw decides, then those teachers' odds."""
    rows = rows_argument(rows)
    terms = Terms(locale)
    tr = terms.tr
    decided = [t for t in odds.teachers if t.post_by_draw]
    # The closest calls first: a post the teacher gets about half the time.
    decided.sort(key=lambda t: (abs(t.placed.probability - 0.5), t.teacher))
    summary = odds.summary()
    percent = f"{odds.confidence:.0%}"
    parts = [
        frag.title(
            tr(
                "Lottery odds: {draws} draws from seed {seed} · {policy} · {teachers} teachers",
                draws=odds.draws,
                seed=odds.seed,
                policy=terms.policy(odds.policy.name),
                teachers=summary["teachers"],
            )
        ),
        frag.paragraph(
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
            frag.table(
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
                                outcome=frag.status_word(terms, s.value or ""),
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
        parts.append(frag.more(tr, len(shown), len(decided)))
    return frag.box(parts)


# The documents' ``_repr_html_`` find these through the registry (they sit below the views).
register_html(Scenario, scenario_html)
register_html(RoundResult, round_html)
register_html(Comparison, comparison_html)
register_html(Simulation, simulation_html)
register_html(LotteryOdds, lottery_html)
