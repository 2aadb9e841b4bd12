"""Outcomes in words: statuses, protected categories and the reasons behind an outcome.

A :class:`~kgxp.model.result.Reason` is data (a code, the round, the post, the
rival's score, what separated them); a teacher reads a sentence. The sentences
come from the message catalogue (:mod:`kgxp.i18n`), Chinese by default, and name
schools and subjects from the scenario; the rule id stays in the audit column
(``规则`` of ``outcomes.csv``), never in the sentence.

>>> import kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> result = kgxp.run_round(scenario)
>>> words = Wording(scenario, result)
>>> words.status(result.outcomes[0].status)
'校内竞聘上岗'
>>> Wording(scenario, result, locale="en").status(result.outcomes[0].status)
'Placed in the in-school round'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Final

from kgxp.i18n import DEFAULT_LOCALE, N_, texts
from kgxp.model.policy import RoundKind, TieBreaker
from kgxp.model.result import Outcome, Reason, RoundResult, Status
from kgxp.model.scenario import Scenario, Teacher
from kgxp.model.teacher_columns import teachers_by_id

__all__ = [
    "CATEGORY_MESSAGES",
    "ROUND_KIND_MESSAGES",
    "STATUS_MESSAGES",
    "Wording",
    "deciding_of",
    "deciding_reason",
]

STATUS_MESSAGES: Final[Mapping[Status, str]] = {
    Status.PROTECTED: N_("Placed in advance"),
    Status.IN_SCHOOL: N_("Placed in the in-school round"),
    Status.CROSS_SCHOOL: N_("Placed in the cross-school round"),
    Status.ADJUSTED: N_("Assigned by the bureau"),
    Status.WAITING: N_("Waiting for a post"),
}
"""Each outcome's name as a message id (R4, R5, R6, R7)."""

CATEGORY_MESSAGES: Final[Mapping[str, str]] = {
    "maternity_leave": N_("maternity leave"),
    "serious_sick_leave": N_("serious sick leave"),
    "village_work_team": N_("village work team"),
    "aid_tibet_yi": N_("aid-Tibet/aid-Yi teaching"),
    "pregnancy": N_("pregnancy"),
    "breastfeeding": N_("breast-feeding"),
    "aid_xinjiang": N_("aid-Xinjiang teaching"),
    "secondment": N_("secondment"),
    "near_retirement": N_("less than three years before retirement"),
}
"""Each protected category (R4) as a message id."""

ROUND_KIND_MESSAGES: Final[Mapping[RoundKind, str]] = {
    RoundKind.IN_SCHOOL: N_("in-school round"),
    RoundKind.CROSS_SCHOOL: N_("cross-school round"),
    RoundKind.ADJUSTMENT: N_("adjustment by the bureau"),
}
"""The kinds of round (R5, R6) as message ids."""

_TIE_BREAKERS: Final[Mapping[str, str]] = {
    TieBreaker.PERFORMANCE.value: N_("teaching performance"),
    TieBreaker.SENIORITY.value: N_("years of service"),
    TieBreaker.TITLE.value: N_("professional title"),
    TieBreaker.EDUCATION.value: N_("education"),
}


_COMPETITION_LOST = frozenset({"outranked", "no_application"})


def deciding_reason(outcome: Outcome) -> Reason | None:
    """The reason that decided ``outcome``: the last one that is not the bare waiting status."""
    return deciding_of(outcome.reasons)


def deciding_of(reasons: Sequence[Reason]) -> Reason | None:
    """:func:`deciding_reason` of an outcome with these reasons (read from its column)."""
    deciding = [r for r in reasons if r.code != "waiting"] or list(reasons)
    return deciding[-1] if deciding else None


class Wording:
    """Sentences about one round's outcomes, in one locale."""

    def __init__(
        self,
        scenario: Scenario | None,
        result: RoundResult | Mapping[str, RoundKind],
        *,
        locale: str = DEFAULT_LOCALE,
        redact: bool = False,
    ) -> None:
        """``result`` names the rounds (or give their kinds by name); without a
        ``scenario``, teachers, schools and posts are named by id; with ``redact``,
        teachers are."""
        self.tr = texts(locale)
        self.locale = locale
        self._scenario = None if redact else scenario  # read only for teachers' names
        # Looked up once, not once a teacher.
        self._status_names = {status: self.tr(STATUS_MESSAGES[status]) for status in Status}
        self._schools = {s.id: s.name for s in scenario.schools} if scenario else {}
        self._posts = {p.id: (p.school, p.subject) for p in scenario.posts} if scenario else {}
        self._kinds = (
            {r.name: r.kind for r in result.rounds}
            if isinstance(result, RoundResult)
            else dict(result)
        )

    def status(self, status: Status) -> str:
        return self._status_names[status]

    def teacher(self, teacher_id: str) -> str:
        """A teacher's name; the id itself for an id the scenario does not hold."""
        teacher = self._teachers.get(teacher_id)
        return teacher_id if teacher is None else teacher.name

    @cached_property
    def _teachers(self) -> Mapping[str, Teacher]:
        # The scenario's shared table, on first need: most wordings name no teacher (and a
        # redacted one names none).
        return {} if self._scenario is None else teachers_by_id(self._scenario)

    def school(self, school_id: str | None) -> str:
        if school_id is None:
            return ""
        return self._schools.get(school_id, school_id)

    def post(self, post_id: str | None) -> str:
        """A post as people name it: school and subject (``紫阳中学 语文``)."""
        if post_id is None:
            return ""
        if post_id not in self._posts:
            return post_id
        school, subject = self._posts[post_id]
        return self.tr("{school} {subject}", school=self.school(school), subject=subject)

    def categories(self, codes: Iterable[str]) -> str:
        names = [self.tr(CATEGORY_MESSAGES[c]) if c in CATEGORY_MESSAGES else c for c in codes]
        # Most teachers have none: no catalogue look-up for the empty text (a row per teacher).
        return self.tr(", ").join(names) if names else ""

    def round(self, name: str | None) -> str:
        kind = self._kinds.get(name or "")
        return self.tr(ROUND_KIND_MESSAGES[kind]) if kind is not None else (name or "")

    def reason(self, reason: Reason, protected_by: Iterable[str] = ()) -> str:
        """One reason as a sentence (``protected_by``: the outcome's protected categories)."""
        tr = self.tr
        code = reason.code
        where = self.round(reason.round)
        if code == "protected":
            return tr(
                "Placed in advance at the original school ({categories})",
                categories=self.categories(protected_by),
            )
        if code == "protected_without_seat":
            return tr(
                "Entitled to placement in advance ({categories}), but the original school has "
                "no free post of a subject they teach; to be decided by the bureau",
                categories=self.categories(protected_by),
            )
        if code == "placed":
            # R6: which seat the adjustment chose (the subject taught first, balance last).
            if reason.decided_by == "main_subject":
                return tr(
                    "{round}: placed in {post}, a post of the main subject",
                    round=where,
                    post=self.post(reason.post),
                )
            if reason.decided_by == "other_subject":
                return tr(
                    "{round}: placed in {post}, a post of another subject they teach "
                    "(no post of the main subject was left for them)",
                    round=where,
                    post=self.post(reason.post),
                )
            if reason.decided_by == "balance":
                return tr(
                    "{round}: placed in {post}; among equally suitable posts, the one that "
                    "serves a rural school or a shortage subject",
                    round=where,
                    post=self.post(reason.post),
                )
            return tr("{round}: placed in {post}", round=where, post=self.post(reason.post))
        if code == "policy_exception":
            return tr(
                "{round}: the claim to {post} was set aside to meet the county's declared "
                "targets (published as a policy exception)",
                round=where,
                post=self.post(reason.post),
            )
        if code == "default_application":
            return tr(
                "{round}: listed no post of the own school, so applied to its posts of the "
                "main subject, then of the other subjects they teach",
                round=where,
            )
        if code == "outranked":
            return self._outranked(reason, where)
        if code == "no_application":
            return tr("{round}: applied for none of the posts offered", round=where)
        if code == "unwilling":
            return tr("Not willing to accept adjustment by the bureau")
        if code == "not_eligible":
            return tr("Adjustment: no vacancy of a subject they are qualified to teach")
        if code == "lower_adjustment_priority":
            return tr(
                "Adjustment: the vacancies of their subjects went to teachers with higher "
                "teaching performance"
            )
        if code == "waiting":
            return tr("Waits one semester, learning and standing in at the assigned school")
        return tr("Other reason")

    def _outranked(self, reason: Reason, where: str) -> str:
        tr = self.tr
        post = self.post(reason.post)
        decided = reason.decided_by
        if reason.rival_score is None or decided is None:
            return tr("{round}: not placed in {post}", round=where, post=post)
        fields = {"round": where, "post": post, "score": reason.score, "bar": reason.rival_score}
        if decided == "score":
            return tr(
                "{round}: {post} went to teachers with higher scores "
                "(lowest placed {bar}, own score {score})",
                **fields,
            )
        if decided == "lottery":
            return tr(
                "{round}: {post}: equal score ({score}) and equal on every tie-breaker; "
                "the drawing of lots placed them after",
                **fields,
            )
        if decided == "max_placement":
            return tr(
                "{round}: {post}: equal score ({score}); the post went to the other teacher "
                "so that more teachers hold a post",
                **fields,
            )
        criterion = _TIE_BREAKERS.get(decided)
        return tr(
            "{round}: {post}: equal score ({score}), ranked after by {criterion}",
            criterion=tr(criterion) if criterion else decided,
            **fields,
        )

    def why(self, outcome: Outcome) -> str:
        """What decided ``outcome``, in words ("" when it has no reason).

        For a waiting teacher: the last post they lost in a competitive round (or
        that they applied for none), then why the adjustment did not place them;
        otherwise the deciding reason alone.
        """
        return self.why_of(outcome.status, outcome.reasons, outcome.protected_by)

    def why_of(self, status: Status, reasons: Sequence[Reason], protected_by: Sequence[str]) -> str:
        """:meth:`why` of an outcome with these fields (read from the outcome columns)."""
        reason = deciding_of(reasons)
        if reason is None:
            return ""
        said = [reason]
        if status is Status.WAITING:
            # The last post lost to a higher-ranked teacher says most; else "applied for none".
            lost = [r for r in reasons if r.code == "outranked"] or [
                r for r in reasons if r.code in _COMPETITION_LOST
            ]
            if lost and lost[-1] is not reason:
                said.insert(0, lost[-1])
        return self.tr("; ").join(self.reason(r, protected_by) for r in said)

    def chain(self, outcome: Outcome) -> str:
        """Every reason of ``outcome``, in order, as one text."""
        return self.tr("; ").join(self.reason(r, outcome.protected_by) for r in outcome.reasons)
