"""A comparison (a what-if, or an appeal re-run) as notebook HTML: counts, balance, changes.

The ``_repr_html_`` of :class:`~kgxp.views.comparison.Comparison` (registered by
:mod:`kgxp.views.html`); Chinese by default, English with ``locale="en"``. The
changed outcomes carry the reasons in words as the appeal notice does
(:func:`kgxp.render_comparison`), with posts by id (a comparison holds no scenario).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from kgxp.files.wording import Wording
from kgxp.i18n import DEFAULT_LOCALE, Texts
from kgxp.model.arguments import rows_argument
from kgxp.model.policy import RoundKind
from kgxp.views import html_parts as frag
from kgxp.views.appeal import describe_outcome
from kgxp.views.comparison import Comparison
from kgxp.views.metrics import BalanceRow
from kgxp.views.vocabulary import ROUND_KIND_NAMES, Terms

__all__ = ["comparison_html"]


def comparison_html(comparison: Comparison, *, rows: int = 50, locale: str = DEFAULT_LOCALE) -> str:
    """A what-if or an appeal: counts and balance before/after, who moved, which seats changed.

    At most ``rows`` changed outcomes and seat changes are listed; the counts
    above them are complete. The reasons are the appeal notice's
    (:func:`kgxp.render_comparison`), with posts by id.
    """
    rows = rows_argument(rows)
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
        (frag.status_word(terms, k), b, a, frag.delta(b, a))
        for k in statuses
        for b, a in [(c.counts_before.get(k, 0), c.counts_after.get(k, 0))]
    ] + [
        (tr("Placed in the {round}", round=labels[k]), b, a, frag.delta(b, a))
        for k in rounds
        for b, a in [(c.placed_per_round_before.get(k, 0), c.placed_per_round_after.get(k, 0))]
    ]
    parts = [
        frag.title(
            tr(
                "Comparison: {teachers} teachers changed outcome, {posts} posts changed holders",
                teachers=len(c.changed),
                posts=len(c.seats),
            )
        ),
        frag.paragraph(tr("; ").join(same)),
        frag.table(
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
            frag.table(
                (tr("Movement"), "a", "b", tr("Change")),
                ((k, x, y, frag.delta(x, y)) for k, x, y in movement),
                numeric=(1, 2, 3),
            )
        )
        parts.append(_balance_table(terms, a.balance, b.balance))
    changed = c.changed[:rows]
    if c.changed:
        parts.append(
            frag.details(
                tr("Changed outcomes ({count})", count=len(c.changed)),
                frag.table(
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
                + frag.more(tr, len(changed), len(c.changed)),
                open_=len(c.changed) <= 10,
            )
        )
    seats = c.seats[:rows]
    if c.seats:
        parts.append(
            frag.details(
                tr("Posts whose holders changed ({count})", count=len(c.seats)),
                frag.table(
                    (tr("Post"), tr("Left"), tr("Joined")),
                    ((s.post, tr(", ").join(s.left), tr(", ").join(s.joined)) for s in seats),
                )
                + frag.more(tr, len(seats), len(c.seats), posts=True),
            )
        )
    return frag.box(parts)


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
                frag.cv_text(x.after if x else None),
                frag.cv_text(y.after if y else None),
                str(ref.threshold),
                _ok(tr, y.after_ok if y else None),
            )
        )
    return frag.table(
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
