"""The waiting state machine (R7–R10): one teacher's status, semester by semester.

Seed 000 (三、改变教师管理方式, 三是妥善处理落聘人员): those who lose the competition
wait one term (待岗, R7) on reduced pay (R8); when the term ends they compete for
the schools' vacant posts; whoever fails waits again (继续待岗, R9) on lower pay,
and competes again when that term ends; "连续三年内不能竞聘上岗成功的,按有关规定
处理,直至解聘" (R10). kgxp never dismisses anybody: it flags the case for review.

The model
---------
A :class:`TeacherWaiting` is a frozen record of one teacher's status in one
:class:`~kgxp.model.semester.Semester`. :func:`step` is a pure function
``(status, event, policy) -> status`` driven by :data:`TRANSITIONS`, a table held
as data (:func:`transition_table` prints it; ``docs/waiting.md`` includes it).

Time moves only with ``term_end``. Every other event happens *at a semester
boundary*, after ``term_end`` has moved the status into the new semester and
before that semester's pay is booked (:func:`kgxp.waiting.ledger.ledger_for`). One
semester of a simulation is therefore::

    status = step(status, WaitingEvent.TERM_END, policy)     # S ends, S+1 begins
    status = step(status, <round outcome, if any>, policy)   # the round at the boundary
    lines = ledger_for(teacher_id, status, pay, policy, rural=...)   # pay for S+1

The waiting streak (R10, I11)
-----------------------------
``streak`` counts the semesters a teacher has *completed* in waiting
(待岗, 继续待岗 or under dismissal review) since they last lost a post; **only
``term_end`` increments it**, and only in those states. Winning a post resets it.
The first waiting semester has ``streak == 0`` until it ends.

A waiting term lasts ``policy.waiting_term_semesters`` semesters. When ``term_end``
completes a term, ``awaiting_round`` becomes true: the teacher must compete again
(R9) before the next ``term_end`` (sending ``term_end`` first is illegal), and a
round outcome is legal only then.

The waiting exit is raised by the ``term_end`` that makes ``streak`` equal to
``policy.waiting_limit_semesters`` (6 by default: three years), never earlier:
the state becomes ``dismissal_review`` (``waiting_exit=dismissal_review``) or
``contract_ended`` (``waiting_exit=contract_end``, e.g. the Wuhan-like preset).
A teacher under review is paid as in continued waiting, keeps competing at the
end of each term (the round at the three-year mark included) and returns to
``on_post`` on winning one; a human decision to dismiss (or to move them out of
teaching) is ``left_service``.

Why winning a post returns to ``on_post`` (no ``placed`` state)
----------------------------------------------------------------
A teacher who wins a post after waiting is on post again: paid in full (I10),
able to lose a later round and start a new streak. A separate terminal
``placed`` state would either need its own full-pay rule (two states, one rule)
or drop the teacher from the ledger; ``on_post`` with the streak reset says the
same thing with one state. ``last_event`` and the status history record that the
teacher came back from waiting.

>>> from kgxp import Policy
>>> status = TeacherWaiting.on_post(Semester.parse("2026-autumn"))
>>> status = step(status, WaitingEvent.ROUND_NOT_PLACED, Policy())
>>> status.state, status.streak, str(status.streak_began)
(<WaitingState.WAITING: 'waiting'>, 0, '2026-autumn')
>>> status = step(status, WaitingEvent.TERM_END, Policy())
>>> str(status.semester), status.streak, status.awaiting_round
('2026-spring', 1, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs

from kgxp.exceptions import KgxpError
from kgxp.model.arguments import policy_argument
from kgxp.model.policy import Policy, WaitingExit
from kgxp.model.result import Outcome, Status
from kgxp.model.retirement import statutory_retirement
from kgxp.model.scenario import Teacher
from kgxp.model.semester import Semester

__all__ = [
    "TRANSITIONS",
    "Effect",
    "IllegalTransition",
    "TeacherWaiting",
    "Transition",
    "WaitingEvent",
    "WaitingState",
    "event_for_outcome",
    "legal_events",
    "replay",
    "retirement_semester",
    "step",
    "transition_table",
]


class WaitingState(StrEnum):
    """Where a teacher stands (R7–R10). The last three are terminal."""

    ON_POST = "on_post"  # holds a post: full pay (I10)
    WAITING = "waiting"  # 待岗, the first waiting term (R7, pay R8)
    CONTINUED_WAITING = "continued_waiting"  # 继续待岗 (R9)
    DISMISSAL_REVIEW = "dismissal_review"  # R10 flag: 按有关规定处理, 直至解聘; paid as R9
    RETIRED = "retired"  # reached statutory retirement (§4)
    LEFT = "left"  # left service: resignation, transfer out, or dismissal decided by a human
    CONTRACT_ENDED = "contract_ended"  # the limit reached under waiting_exit=contract_end

    # By identity, not set membership: an enum member hashes in Python (its name), and a
    # simulation asks these of every teacher several times a semester.
    @property
    def is_terminal(self) -> bool:
        return (
            self is WaitingState.RETIRED
            or self is WaitingState.LEFT
            or self is WaitingState.CONTRACT_ENDED
        )

    @property
    def is_waiting(self) -> bool:
        """Waiting in any form: these states count towards the streak and get waiting pay."""
        return (
            self is WaitingState.WAITING
            or self is WaitingState.CONTINUED_WAITING
            or self is WaitingState.DISMISSAL_REVIEW
        )


class WaitingEvent(StrEnum):
    """What can happen to a teacher. Only ``term_end`` moves time."""

    ROUND_PLACED = "round_placed"  # won (or kept) a post in a placement round or re-competition
    ROUND_NOT_PLACED = "round_not_placed"  # failed a round (R7) or a re-competition (R9)
    # declined an adjusted post (组织调剂, R6, I9): waits like a loser
    REFUSED_ASSIGNED_POST = "refused_assigned_post"
    TERM_END = "term_end"  # the current semester ended; the status moves into the next one
    RETIREMENT_REACHED = "retirement_reached"  # statutory retirement (§4)
    LEFT_SERVICE = "left_service"  # resigned, transferred out, or dismissed by a human decision


class Effect(StrEnum):
    """What a transition does to the status besides setting the state."""

    NONE = "none"  # nothing changes (an on-post teacher keeps a post)
    ADVANCE = "advance"  # move to the next semester
    BEGIN_STREAK = "begin_streak"  # a waiting streak starts in the current semester
    COUNT = "count"  # next semester; streak + 1; a completed term awaits a round; exit at limit
    NEW_TERM = "new_term"  # after the term's round: a new waiting term starts
    END_STREAK = "end_streak"  # after the term's round: the streak ends, back on post
    EXIT = "exit"  # a terminal state; the record is kept as it was

    @property
    def condition(self) -> str:
        """When the transition is legal (besides the state and event matching)."""
        return _CONDITIONS[self]


_TERM_OVER = "`awaiting_round`: the waiting term has ended"
_CONDITIONS: Final[Mapping[Effect, str]] = {
    Effect.NONE: "",
    Effect.ADVANCE: "",
    Effect.BEGIN_STREAK: "",
    Effect.COUNT: "not `awaiting_round`: an ended term's round was applied",
    Effect.NEW_TERM: _TERM_OVER,
    Effect.END_STREAK: _TERM_OVER,
    Effect.EXIT: "",
}


@attrs.frozen
class Transition:
    """One row of the transition table: the target state, the effect, the rule."""

    target: WaitingState
    effect: Effect
    rule: str
    note: str


def _t(target: WaitingState, effect: Effect, rule: str, note: str) -> Transition:
    return Transition(target, effect, rule, note)


_S = WaitingState
_E = WaitingEvent


def _waiting_rows(state: WaitingState, failed: WaitingState) -> dict[tuple[_S, _E], Transition]:
    review = state is _S.DISMISSAL_REVIEW
    keeps = "stays flagged, keeps competing" if review else "waits again"
    counted = {
        _S.WAITING: ("R7/R10", "a semester of the first term completed"),
        _S.CONTINUED_WAITING: ("R9/R10", "a semester of continued waiting completed"),
        _S.DISMISSAL_REVIEW: ("R10", "a semester under review completed; no second flag"),
    }[state]
    return {
        (state, _E.TERM_END): _t(state, Effect.COUNT, *counted),
        (state, _E.ROUND_PLACED): _t(
            _S.ON_POST, Effect.END_STREAK, "R9", "won a vacant post after the term"
        ),
        (state, _E.ROUND_NOT_PLACED): _t(failed, Effect.NEW_TERM, "R9", keeps),
        (state, _E.REFUSED_ASSIGNED_POST): _t(
            failed, Effect.NEW_TERM, "R6/R9", f"declined an adjusted post: {keeps}"
        ),
        (state, _E.RETIREMENT_REACHED): _t(_S.RETIRED, Effect.EXIT, "§4", "retired"),
        (state, _E.LEFT_SERVICE): _t(
            _S.LEFT,
            Effect.EXIT,
            "R10" if review else "—",
            "dismissed by a human decision, or left service" if review else "left service",
        ),
    }


TRANSITIONS: Final[Mapping[tuple[WaitingState, WaitingEvent], Transition]] = MappingProxyType(
    {
        (_S.ON_POST, _E.ROUND_PLACED): _t(_S.ON_POST, Effect.NONE, "R5/R6", "keeps or wins a post"),
        (_S.ON_POST, _E.ROUND_NOT_PLACED): _t(
            _S.WAITING, Effect.BEGIN_STREAK, "R7", "lost the round: first waiting term"
        ),
        (_S.ON_POST, _E.REFUSED_ASSIGNED_POST): _t(
            _S.WAITING, Effect.BEGIN_STREAK, "R6/I9", "declined an adjusted post: waits"
        ),
        (_S.ON_POST, _E.TERM_END): _t(_S.ON_POST, Effect.ADVANCE, "I10", "full pay continues"),
        (_S.ON_POST, _E.RETIREMENT_REACHED): _t(_S.RETIRED, Effect.EXIT, "§4", "retired"),
        (_S.ON_POST, _E.LEFT_SERVICE): _t(_S.LEFT, Effect.EXIT, "—", "left service"),
        **_waiting_rows(_S.WAITING, _S.CONTINUED_WAITING),
        **_waiting_rows(_S.CONTINUED_WAITING, _S.CONTINUED_WAITING),
        **_waiting_rows(_S.DISMISSAL_REVIEW, _S.DISMISSAL_REVIEW),
    }
)
"""(state, event) → :class:`Transition`. A pair not in the table is illegal; terminal
states have no rows."""


class IllegalTransition(KgxpError, ValueError):
    """An event that the transition table does not allow in the status it was sent to."""

    def __init__(self, state: WaitingState, event: WaitingEvent, reason: str) -> None:
        self.state = state
        self.event = event
        self.reason = reason
        super().__init__(
            f"illegal event {event.value!r} in waiting state {state.value!r}: {reason}"
        )

    def details(self) -> Mapping[str, str]:
        return {"state": self.state.value, "event": self.event.value, "reason": self.reason}


def _non_negative(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen
class TeacherWaiting:
    """One teacher's waiting status in one semester (immutable; :func:`step` makes the next).

    - ``state``: see :class:`WaitingState`.
    - ``semester``: the semester this status applies to (its pay is booked for it).
    - ``streak``: waiting semesters completed since the teacher last lost a post;
      incremented only by ``term_end`` in a waiting state, reset by winning a post.
    - ``terms_waited``: waiting terms completed in the current streak (the first
      term included).
    - ``term_semesters``: semesters completed of the current, unfinished term.
    - ``awaiting_round``: the term has ended and the teacher must compete (R9)
      before the next ``term_end``.
    - ``streak_began``: the first semester of the current streak.
    - ``last_event``: the event that produced this status (``None`` for a start).
    """

    state: WaitingState
    semester: Semester
    streak: int = attrs.field(default=0, validator=_non_negative)
    terms_waited: int = attrs.field(default=0, validator=_non_negative)
    term_semesters: int = attrs.field(default=0, validator=_non_negative)
    awaiting_round: bool = False
    streak_began: Semester | None = None
    last_event: WaitingEvent | None = None

    def __attrs_post_init__(self) -> None:
        if self.state is WaitingState.ON_POST and (
            self.streak or self.terms_waited or self.term_semesters or self.streak_began
        ):
            raise ValueError("an on-post teacher has no waiting streak")
        if self.awaiting_round and not self.state.is_waiting:
            raise ValueError(f"only a waiting teacher awaits a round, not {self.state.value!r}")

    @classmethod
    def on_post(cls, semester: Semester) -> TeacherWaiting:
        """A teacher holding a post in ``semester``: the usual starting status."""
        return cls(WaitingState.ON_POST, semester)

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal

    @property
    def flagged(self) -> bool:
        """R10: under dismissal review."""
        return self.state is WaitingState.DISMISSAL_REVIEW


def _limit_state(policy: Policy) -> WaitingState:
    if policy.waiting_exit is WaitingExit.CONTRACT_END:
        return WaitingState.CONTRACT_ENDED
    return WaitingState.DISMISSAL_REVIEW


def _apply(
    status: TeacherWaiting, event: WaitingEvent, rule: Transition, policy: Policy
) -> TeacherWaiting:
    effect = rule.effect
    state = rule.target
    if effect is Effect.NONE:
        return attrs.evolve(status, state=state, last_event=event)
    if effect is Effect.ADVANCE:
        return attrs.evolve(status, state=state, semester=status.semester.next(), last_event=event)
    if effect is Effect.BEGIN_STREAK:
        return TeacherWaiting(
            state, status.semester, streak_began=status.semester, last_event=event
        )
    if effect is Effect.EXIT:
        return attrs.evolve(status, state=state, awaiting_round=False, last_event=event)
    if effect in (Effect.NEW_TERM, Effect.END_STREAK) and not status.awaiting_round:
        raise IllegalTransition(
            status.state,
            event,
            f"a waiting teacher competes again only when the waiting term has ended (R9); "
            f"{status.term_semesters} of {policy.waiting_term_semesters} semester(s) of the "
            "current term completed",
        )
    if effect is Effect.END_STREAK:
        return TeacherWaiting(state, status.semester, last_event=event)
    if effect is Effect.NEW_TERM:
        return attrs.evolve(status, state=state, awaiting_round=False, last_event=event)
    # Effect.COUNT
    if status.awaiting_round:
        raise IllegalTransition(
            status.state,
            event,
            "the waiting term has ended: apply the outcome of the teacher's re-competition "
            "(round_placed, round_not_placed or refused_assigned_post) first (R9)",
        )
    streak = status.streak + 1
    term_semesters = status.term_semesters + 1
    terms_waited = status.terms_waited
    awaiting = term_semesters >= policy.waiting_term_semesters
    if awaiting:
        terms_waited += 1
        term_semesters = 0
    # I11: the exit is raised by the term_end that makes the streak equal to the limit.
    if (
        status.state is not WaitingState.DISMISSAL_REVIEW
        and streak == policy.waiting_limit_semesters
    ):
        state = _limit_state(policy)
        if state.is_terminal:
            awaiting = False
    return attrs.evolve(
        status,
        state=state,
        semester=status.semester.next(),
        streak=streak,
        terms_waited=terms_waited,
        term_semesters=term_semesters,
        awaiting_round=awaiting,
        last_event=event,
    )


def step(status: TeacherWaiting, event: WaitingEvent, policy: Policy) -> TeacherWaiting:
    """The status after ``event``, by :data:`TRANSITIONS` (pure; ``status`` is unchanged).

    Raises :class:`IllegalTransition` naming the state and the event when the
    table has no row for them (every event in a terminal state), or when the row's
    condition fails: a round outcome for a waiting teacher whose term has not ended,
    or ``term_end`` for one whose term ended and who has not competed yet.
    """
    policy = policy_argument(policy, optional=False)
    event = WaitingEvent(event)
    rule = TRANSITIONS.get((status.state, event))
    if rule is None:
        reason = (
            f"{status.state.value!r} is terminal"
            if status.state.is_terminal
            else "the transition table has no such row"
        )
        raise IllegalTransition(status.state, event, reason)
    return _apply(status, event, rule, policy)


def legal_events(status: TeacherWaiting) -> tuple[WaitingEvent, ...]:
    """The events :func:`step` accepts for ``status``, in :class:`WaitingEvent` order."""
    legal = []
    for event in WaitingEvent:
        rule = TRANSITIONS.get((status.state, event))
        if rule is None:
            continue
        if rule.effect in (Effect.NEW_TERM, Effect.END_STREAK) and not status.awaiting_round:
            continue
        if rule.effect is Effect.COUNT and status.awaiting_round:
            continue
        legal.append(event)
    return tuple(legal)


def replay(
    status: TeacherWaiting, events: Iterable[WaitingEvent], policy: Policy
) -> tuple[TeacherWaiting, ...]:
    """The statuses after each event in turn (``status`` itself not included)."""
    history = []
    for event in events:
        status = step(status, event, policy)
        history.append(status)
    return tuple(history)


def event_for_outcome(outcome: Outcome) -> WaitingEvent:
    """The event a placement round's :class:`~kgxp.model.result.Outcome` sends to the teacher.

    A post of any kind (protected, in-school, cross-school, adjusted) is
    ``round_placed``; waiting after declining adjustment (reason ``unwilling``,
    R6/I9) is ``refused_assigned_post``; any other waiting is ``round_not_placed``.
    """
    if outcome.status is not Status.WAITING:
        return WaitingEvent.ROUND_PLACED
    if any(reason.code == "unwilling" for reason in outcome.reasons):
        return WaitingEvent.REFUSED_ASSIGNED_POST
    return WaitingEvent.ROUND_NOT_PLACED


def retirement_semester(teacher: Teacher) -> Semester:
    """The semester holding the teacher's statutory retirement month (§4).

    The ledger works in whole semesters: a simulation typically sends
    ``retirement_reached`` at the boundary after this semester, so the last
    semester is paid in full.
    """
    return Semester.containing(statutory_retirement(teacher.birth, teacher.base_age).month)


def _target_text(row: Transition) -> str:
    if row.effect is Effect.COUNT and row.target is not WaitingState.DISMISSAL_REVIEW:
        return (
            f"`{row.target.value}`; at the limit `dismissal_review` "
            "(or `contract_ended` under `waiting_exit=contract_end`)"
        )
    return f"`{row.target.value}`"


def transition_table() -> str:
    """:data:`TRANSITIONS` as a Markdown table (``docs/waiting.md`` includes it)."""
    lines = [
        "| state | event | next state | effect | only when | rule | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for (state, event), row in TRANSITIONS.items():
        lines.append(
            f"| `{state.value}` | `{event.value}` | {_target_text(row)} | `{row.effect.value}` "
            f"| {row.effect.condition} | {row.rule} | {row.note} |"
        )
    terminal = ", ".join(f"`{s.value}`" for s in WaitingState if s.is_terminal)
    lines.append(f"| {terminal} | any | — (illegal) | | | | terminal states accept no event |")
    return "\n".join(lines)
