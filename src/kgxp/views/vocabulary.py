"""The words for kgxp's own terms: statuses, rounds, scopes, mechanisms, segments, semesters.

The model keeps enum values (``in_school``, ``nine_year``, ``continued_waiting``)
and the solvers report their own names (``optimal``, ``min_cost_flow``); people
read words. :class:`Terms` names each of them in one locale from the message
catalogue (:mod:`kgxp.i18n`), so that the notebook views, the summary, the
report and the appeal notice say the same thing the same way, and no snake_case
value reaches a reader. A value the catalogue does not know (a round or policy
named by the user) is shown as it was given.

>>> terms = Terms()
>>> terms.segment("nine_year"), terms.mechanism("deferred_acceptance")
('九年制', '延迟接受算法')
>>> from kgxp.model.semester import Semester
>>> terms.semester(Semester.parse("2026-spring"))
'2026—2027学年第二学期'
>>> Terms("en").semester(Semester.parse("2026-autumn"))
'2026–27, autumn term'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

from kgxp.files.wording import CATEGORY_MESSAGES, ROUND_KIND_MESSAGES, STATUS_MESSAGES
from kgxp.i18n import DEFAULT_LOCALE, N_, texts
from kgxp.model.policy import Mechanism, RoundKind, Scope
from kgxp.model.result import RoundStats, Status
from kgxp.model.scenario import Locality, Segment
from kgxp.model.semester import Semester, Term
from kgxp.waiting.state_machine import WaitingState

__all__ = [
    "INDICATOR_NAMES",
    "MECHANISM_NAMES",
    "ROUND_KIND_NAMES",
    "SCOPE_NAMES",
    "SEGMENT_NAMES",
    "Terms",
]

INDICATOR_NAMES: Final[Mapping[str, str]] = {
    "above_required_qualification": N_("teachers above the required qualification"),
    "key_teachers": N_("county-level or higher key teachers"),
    "pe_and_art": N_("PE, music and art teachers"),
}
"""The §6 indicators of :mod:`kgxp.views.metrics` as people name them (message ids)."""

SEGMENT_NAMES: Final[Mapping[Segment, str]] = {
    Segment.PRIMARY: N_("primary"),
    Segment.JUNIOR: N_("junior middle"),
    Segment.NINE_YEAR: N_("nine-year"),
}
"""School segments (学段) as message ids."""

SCOPE_NAMES: Final[Mapping[Scope, str]] = {
    Scope.SCHOOL: N_("school"),
    Scope.DISTRICT: N_("school district"),
    Scope.COMMUNITY: N_("education community"),
    Scope.GROUP: N_("education group"),
    Scope.COUNTY: N_("county"),
}
"""Where a round's candidates may go (the round's scope) as message ids."""

MECHANISM_NAMES: Final[Mapping[str, str]] = {
    Mechanism.DEFERRED_ACCEPTANCE.value: N_("deferred acceptance"),
    Mechanism.OPTIMAL.value: N_("largest stable matching"),
    Mechanism.BALANCED.value: N_("largest stable matching, then balance between schools"),
    Mechanism.TARGETED.value: N_("stable matching with the county's declared targets"),
    Mechanism.MSDA.value: N_("deferred acceptance with minimum quotas"),
    # The adjustment's own solver (kgxp.round.adjustment).
    "greedy_matroid+main_subject_first+min_cost_flow": N_(
        "assignment by the bureau: main subject first, then fewest moves"
    ),
}
"""How a round was matched (a policy's mechanism, or a round's solver) as message ids."""

ROUND_KIND_NAMES: Final[Mapping[RoundKind, str]] = ROUND_KIND_MESSAGES
"""The kinds of round as message ids (the publication's own words for them)."""

_SOLVER_STATUS: Final[Mapping[str, str]] = {
    "optimal": N_("proven best"),
    "size_optimal": N_("proven largest"),
    "feasible": N_("best found in the time allowed"),
    "fallback": N_("time ran out: deferred acceptance kept"),
    "infeasible": N_("no solution"),
}
_LOCALITIES: Final[Mapping[Locality, str]] = {
    Locality.URBAN: N_("urban"),
    Locality.RURAL: N_("rural"),
}
_WAITING_STATES: Final[Mapping[WaitingState, str]] = {
    WaitingState.ON_POST: N_("on a post"),
    WaitingState.WAITING: N_("waiting"),
    WaitingState.CONTINUED_WAITING: N_("continued waiting"),
    WaitingState.DISMISSAL_REVIEW: N_("dismissal review"),
    WaitingState.RETIRED: N_("retired"),
    WaitingState.LEFT: N_("left service"),
    WaitingState.CONTRACT_ENDED: N_("contract ended"),
}
_PRESETS: Final[Mapping[str, str]] = {
    "default": N_("default policy"),
    "two_level_three_rounds": N_("two-level, three-round plan"),
    "wuhan_like": N_("Wuhan-style policy"),
}
_TERMS: Final[Mapping[Term, str]] = {
    Term.AUTUMN: N_("{start}–{end}, autumn term"),
    Term.SPRING: N_("{start}–{end}, spring term"),
}


class Terms:
    """kgxp's terms in one locale (``zh_CN`` by default, or ``en``)."""

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = locale
        self.tr = texts(locale)

    def _name(self, messages: Mapping[str, str], value: str) -> str:
        message = messages.get(value)
        return self.tr(message) if message is not None else value

    def status(self, status: Status | str) -> str:
        """An outcome (``in_school`` → 校内竞聘上岗)."""
        return self.tr(STATUS_MESSAGES[Status(status)])

    def category(self, code: str) -> str:
        """A protected category (``maternity_leave`` → 产假)."""
        return self._name(CATEGORY_MESSAGES, code)

    def segment(self, segment: Segment | str) -> str:
        return self.tr(SEGMENT_NAMES[Segment(segment)])

    def locality(self, locality: Locality | str) -> str:
        return self.tr(_LOCALITIES[Locality(locality)])

    def indicator(self, indicator: str) -> str:
        """A §6 indicator (``key_teachers`` → 县级及以上骨干教师)."""
        return self._name(INDICATOR_NAMES, indicator)

    def scope(self, scope: Scope) -> str:
        return self.tr(SCOPE_NAMES[scope])

    def mechanism(self, mechanism: str) -> str:
        """A policy's mechanism or a round's solver; an unknown solver name as given."""
        return self._name(MECHANISM_NAMES, str(mechanism))

    def solver_status(self, status: str) -> str:
        return self._name(_SOLVER_STATUS, status)

    def waiting_state(self, state: WaitingState | str) -> str:
        return self.tr(_WAITING_STATES[WaitingState(state)])

    def policy(self, name: str) -> str:
        """A preset policy in words; a policy the user named keeps its name."""
        return self._name(_PRESETS, name)

    def semester(self, semester: Semester) -> str:
        """A semester as a school names it: its school year and term."""
        start = semester.school_year
        end = start + 1 if self.locale == "zh_CN" else f"{(start + 1) % 100:02d}"
        return self.tr(_TERMS[semester.term], start=start, end=end)

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return "—"
        return self.tr("yes") if value else self.tr("no")

    def rounds(self, rounds: Iterable[RoundStats]) -> dict[str, str]:
        """Each round's name → its label: the kind of round, with its scope where two rounds
        share a kind (跨校竞聘（学区）, 跨校竞聘（全县）)."""
        rounds = list(rounds)
        kinds = Counter(r.kind for r in rounds)
        return {
            r.name: self.tr(ROUND_KIND_NAMES[r.kind])
            if kinds[r.kind] == 1
            else self.tr(
                "{round} ({scope})",
                round=self.tr(ROUND_KIND_NAMES[r.kind]),
                scope=self.scope(r.scope),
            )
            for r in rounds
        }
