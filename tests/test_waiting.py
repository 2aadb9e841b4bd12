"""The waiting state machine (R7–R10, I11): timelines, illegal events, the table, a model test."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kgxp import Pay, Policy, WaitingExit, WaitingTermPay, preset
from kgxp.model.result import Outcome, Reason, Status
from kgxp.model.semester import Semester, Term
from kgxp.waiting.ledger import LedgerError, PayComponent, ledger_for
from kgxp.waiting.state_machine import (
    TRANSITIONS,
    IllegalTransition,
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    event_for_outcome,
    legal_events,
    replay,
    step,
    transition_table,
)
from tests.conftest import ROOT

E = WaitingEvent
S = WaitingState
DEFAULT = Policy()
WUHAN = preset("wuhan_like")
START = Semester(2026, Term.AUTUMN)  # the first waiting semester: the round ran in 2026-08
EXITS = {S.DISMISSAL_REVIEW, S.CONTRACT_ENDED}  # the two waiting exits at the limit (R10)
EXIT_EVENTS = (E.RETIREMENT_REACHED, E.LEFT_SERVICE)


def lose_round(policy: Policy = DEFAULT) -> TeacherWaiting:
    """An on-post teacher who lost the round held at the start of 2026-autumn."""
    return step(TeacherWaiting.on_post(START), E.ROUND_NOT_PLACED, policy)


def fail_semesters(status: TeacherWaiting, count: int, policy: Policy) -> TeacherWaiting:
    """``count`` semesters of waiting, each ended by a failed re-competition when one is due."""
    for _ in range(count):
        status = step(status, E.TERM_END, policy)
        if status.awaiting_round:
            status = step(status, E.ROUND_NOT_PLACED, policy)
    return status


# -- timelines -----------------------------------------------------------------------


def test_placed_at_once_stays_on_post() -> None:
    status = TeacherWaiting.on_post(Semester(2025, Term.SPRING))
    status = step(status, E.TERM_END, DEFAULT)
    status = step(status, E.ROUND_PLACED, DEFAULT)
    assert status == TeacherWaiting(S.ON_POST, START, last_event=E.ROUND_PLACED)


def test_losing_begins_a_streak_in_the_current_semester() -> None:
    status = lose_round()
    assert (status.state, status.semester, status.streak, status.streak_began) == (
        S.WAITING,
        START,
        0,
        START,
    )
    assert not status.awaiting_round


def test_waiting_one_term_then_placed() -> None:
    status = step(lose_round(), E.TERM_END, DEFAULT)
    # The first term (one semester) is over: the teacher must compete again (R9).
    assert status.state is S.WAITING and status.awaiting_round
    assert (status.streak, status.terms_waited, status.semester) == (1, 1, START + 1)
    status = step(status, E.ROUND_PLACED, DEFAULT)
    assert status == TeacherWaiting(S.ON_POST, START + 1, last_event=E.ROUND_PLACED)


def test_failed_recompetition_is_continued_waiting() -> None:
    status = step(step(lose_round(), E.TERM_END, DEFAULT), E.ROUND_NOT_PLACED, DEFAULT)
    assert status.state is S.CONTINUED_WAITING and not status.awaiting_round
    assert status.streak == 1 and status.streak_began == START


@pytest.mark.parametrize("policy", [DEFAULT, WUHAN], ids=["default", "wuhan_like"])
def test_exit_exactly_at_the_limit(policy: Policy) -> None:
    limit = policy.waiting_limit_semesters
    exit_state = S.CONTRACT_ENDED if policy is WUHAN else S.DISMISSAL_REVIEW
    # limit − 1 completed semesters: still waiting, not flagged (I11: never earlier).
    before = fail_semesters(lose_round(policy), limit - 1, policy)
    assert before.state is S.CONTINUED_WAITING and before.streak == limit - 1
    assert not before.flagged
    # The term_end that completes the limit-th semester raises the exit.
    at = step(before, E.TERM_END, policy)
    assert at.streak == limit and at.state is exit_state
    assert at.semester == START + limit
    assert at.streak_began == START


def test_dismissal_review_after_three_years_and_beyond() -> None:
    # waiting 2026-autumn, continued ×5 (2026-spring … 2028-spring): 6 semesters = 3 years.
    status = lose_round()
    history = [status.state]
    for _ in range(5):
        status = step(status, E.TERM_END, DEFAULT)
        status = step(status, E.ROUND_NOT_PLACED, DEFAULT)
        history.append(status.state)
    assert history == [S.WAITING] + [S.CONTINUED_WAITING] * 5
    assert status.streak == 5 and not status.flagged  # limit − 1
    status = step(status, E.TERM_END, DEFAULT)
    assert status.flagged and status.streak == 6  # limit
    assert str(status.semester) == "2029-autumn" and status.awaiting_round
    # Still competing: failing keeps the flag; the streak goes on, no second flag (limit + 1).
    status = step(status, E.ROUND_NOT_PLACED, DEFAULT)
    status = step(status, E.TERM_END, DEFAULT)
    assert status.state is S.DISMISSAL_REVIEW and status.streak == 7
    # Winning a post clears the flag and the streak.
    status = step(status, E.ROUND_PLACED, DEFAULT)
    assert status == TeacherWaiting(
        S.ON_POST, Semester(2029, Term.SPRING), last_event=E.ROUND_PLACED
    )


def test_human_dismissal_is_left_service() -> None:
    status = fail_semesters(lose_round(), 6, DEFAULT)
    assert status.flagged
    status = step(status, E.LEFT_SERVICE, DEFAULT)
    assert status.state is S.LEFT and status.is_terminal
    assert TRANSITIONS[(S.DISMISSAL_REVIEW, E.LEFT_SERVICE)].rule == "R10"


def test_refusing_an_adjusted_post_means_waiting() -> None:
    status = step(TeacherWaiting.on_post(START), E.REFUSED_ASSIGNED_POST, DEFAULT)
    assert status.state is S.WAITING and status.last_event is E.REFUSED_ASSIGNED_POST
    status = step(step(status, E.TERM_END, DEFAULT), E.REFUSED_ASSIGNED_POST, DEFAULT)
    assert status.state is S.CONTINUED_WAITING


def test_retirement_during_waiting_is_terminal() -> None:
    status = fail_semesters(lose_round(), 1, DEFAULT)
    status = step(status, E.RETIREMENT_REACHED, DEFAULT)
    assert status.state is S.RETIRED and status.streak == 1
    with pytest.raises(IllegalTransition, match="'term_end' in waiting state 'retired'"):
        step(status, E.TERM_END, DEFAULT)


def test_wuhan_like_contract_ends_after_two_years() -> None:
    status = fail_semesters(lose_round(WUHAN), 3, WUHAN)
    assert status.state is S.CONTINUED_WAITING and status.streak == 3
    status = step(status, E.TERM_END, WUHAN)
    assert status.state is S.CONTRACT_ENDED and status.streak == 4
    assert not status.awaiting_round  # terminal: no re-competition
    assert legal_events(status) == ()


def test_two_semester_terms_compete_every_other_semester() -> None:
    policy = Policy(waiting_term_semesters=2)
    status = step(lose_round(policy), E.TERM_END, policy)
    assert status.state is S.WAITING and not status.awaiting_round  # mid-term
    with pytest.raises(IllegalTransition, match="1 of 2 semester"):
        step(status, E.ROUND_PLACED, policy)
    status = step(status, E.TERM_END, policy)
    assert status.awaiting_round and status.terms_waited == 1 and status.streak == 2
    status = step(status, E.ROUND_NOT_PLACED, policy)
    assert status.state is S.CONTINUED_WAITING


def test_limit_inside_a_long_term_flags_mid_term() -> None:
    # Terms of 3 semesters, a one-year limit: the flag comes at 2 semesters, mid-term.
    policy = Policy(waiting_term_semesters=3, waiting_limit_years=1)
    status = fail_semesters(lose_round(policy), 2, policy)
    assert status.flagged and status.streak == 2 and not status.awaiting_round


def test_replay_gives_each_status() -> None:
    events = [E.ROUND_NOT_PLACED, E.TERM_END, E.ROUND_PLACED, E.TERM_END]
    history = replay(TeacherWaiting.on_post(START), events, DEFAULT)
    assert [s.state for s in history] == [S.WAITING, S.WAITING, S.ON_POST, S.ON_POST]
    assert [str(s.semester) for s in history][-1] == "2027-autumn"


# -- illegal events ------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.RETIRED, S.LEFT, S.CONTRACT_ENDED])
@pytest.mark.parametrize("event", list(WaitingEvent))
def test_terminal_states_accept_nothing(state: WaitingState, event: WaitingEvent) -> None:
    with pytest.raises(IllegalTransition) as info:
        step(TeacherWaiting(state, START), event, DEFAULT)
    message = str(info.value)
    assert f"'{event.value}'" in message and f"'{state.value}'" in message
    assert "terminal" in message
    assert (info.value.state, info.value.event) == (state, event)
    assert isinstance(info.value, ValueError)


def test_term_end_before_the_due_round_is_illegal() -> None:
    status = step(lose_round(), E.TERM_END, DEFAULT)
    with pytest.raises(IllegalTransition, match=r"'term_end' in waiting state 'waiting'.*R9"):
        step(status, E.TERM_END, DEFAULT)


@pytest.mark.parametrize("event", [E.ROUND_PLACED, E.ROUND_NOT_PLACED, E.REFUSED_ASSIGNED_POST])
def test_round_outcome_mid_term_is_illegal(event: WaitingEvent) -> None:
    with pytest.raises(IllegalTransition, match=f"'{event.value}' in waiting state 'waiting'"):
        step(lose_round(), event, DEFAULT)


def test_every_live_state_has_a_row_for_every_event() -> None:
    live = [s for s in WaitingState if not s.is_terminal]
    assert set(TRANSITIONS) == {(s, e) for s in live for e in WaitingEvent}


# -- the table in the docs -----------------------------------------------------------


def test_transition_table_in_docs_is_current() -> None:
    text = (ROOT / "docs" / "waiting.md").read_text(encoding="utf-8")
    assert transition_table() in text, "paste kgxp.waiting.transition_table() into docs/waiting.md"


def test_transition_table_lists_every_row() -> None:
    table = transition_table()
    assert len(table.splitlines()) == 2 + len(TRANSITIONS) + 1


# -- from a round's outcome ----------------------------------------------------------


def _outcome(status: Status, *codes: str) -> Outcome:
    reasons = tuple(Reason(rule="R7", code=code) for code in codes)
    return Outcome(
        teacher="T1", status=status, home_school="S1", score=Decimal(70), reasons=reasons
    )


def test_event_for_outcome() -> None:
    assert event_for_outcome(_outcome(Status.IN_SCHOOL, "placed")) is E.ROUND_PLACED
    assert event_for_outcome(_outcome(Status.PROTECTED, "protected")) is E.ROUND_PLACED
    assert event_for_outcome(_outcome(Status.WAITING, "outranked", "waiting")) is (
        E.ROUND_NOT_PLACED
    )
    assert event_for_outcome(_outcome(Status.WAITING, "unwilling", "waiting")) is (
        E.REFUSED_ASSIGNED_POST
    )


# -- the stateful model test ---------------------------------------------------------

POLICIES = [
    DEFAULT,
    WUHAN,
    Policy(name="two-semester terms", waiting_term_semesters=2, waiting_limit_years=2),
    Policy(
        name="long terms, short limit",
        waiting_term_semesters=3,
        waiting_limit_years=1,
        first_term_pay=WaitingTermPay(year_end_bonus=Decimal("0.3"), allowances=Decimal("0.5")),
        continued_pay=WaitingTermPay(basic_salary=Decimal("0.8"), basic_performance=Decimal("0.9")),
    ),
]
money = st.decimals(min_value=0, max_value=99_999, places=2, allow_nan=False, allow_infinity=False)
pays = st.builds(
    Pay,
    basic_salary=money,
    basic_performance=money,
    incentive_performance=money,
    year_end_bonus=money,
    rural_allowance=money,
)


@attrs.define
class Model:
    """An independent, plain re-statement of R7–R10 to check step() against."""

    state: WaitingState
    semester: Semester
    streak: int = 0
    in_term: int = 0
    terms: int = 0
    due: bool = False
    began: Semester | None = None

    def next(self, event: WaitingEvent, policy: Policy) -> Model | None:
        """The model after ``event``, or None when the event is illegal."""
        if self.state in (S.RETIRED, S.LEFT, S.CONTRACT_ENDED):
            return None
        if event is E.RETIREMENT_REACHED:
            return attrs.evolve(self, state=S.RETIRED, due=False)
        if event is E.LEFT_SERVICE:
            return attrs.evolve(self, state=S.LEFT, due=False)
        if self.state is S.ON_POST:
            if event is E.TERM_END:
                return attrs.evolve(self, semester=self.semester + 1)
            if event is E.ROUND_PLACED:
                return attrs.evolve(self)
            return Model(S.WAITING, self.semester, began=self.semester)
        # waiting, continued waiting or dismissal review
        if event is E.TERM_END:
            if self.due:
                return None
            new = attrs.evolve(
                self, semester=self.semester + 1, streak=self.streak + 1, in_term=self.in_term + 1
            )
            if new.in_term == policy.waiting_term_semesters:
                new.in_term, new.terms, new.due = 0, new.terms + 1, True
            if (
                self.state is not S.DISMISSAL_REVIEW
                and new.streak == policy.waiting_limit_semesters
            ):
                if policy.waiting_exit is WaitingExit.CONTRACT_END:
                    new.state, new.due = S.CONTRACT_ENDED, False
                else:
                    new.state = S.DISMISSAL_REVIEW
            return new
        if not self.due:
            return None
        if event is E.ROUND_PLACED:
            return Model(S.ON_POST, self.semester)
        failed = S.DISMISSAL_REVIEW if self.state is S.DISMISSAL_REVIEW else S.CONTINUED_WAITING
        return attrs.evolve(self, state=failed, due=False)


def expected_share(state: WaitingState, component: PayComponent, policy: Policy) -> Decimal:
    if state is S.ON_POST:
        return Decimal(1)
    shares = policy.first_term_pay if state is S.WAITING else policy.continued_pay
    return Decimal(getattr(shares, component.value))


def expected_base(pay: Pay, component: PayComponent, semester: Semester, rural: bool) -> Decimal:
    monthly = {
        PayComponent.BASIC_SALARY: pay.basic_salary,
        PayComponent.BASIC_PERFORMANCE: pay.basic_performance,
        PayComponent.INCENTIVE_PERFORMANCE: pay.incentive_performance,
        PayComponent.ALLOWANCES: pay.rural_allowance if rural else Decimal(0),
    }
    if component is PayComponent.YEAR_END_BONUS:
        return pay.year_end_bonus if semester.term is Term.AUTUMN else Decimal(0)
    return monthly[component] * 6


class WaitingMachine(RuleBasedStateMachine):
    """Random event sequences, legal and illegal, under several policies."""

    policy: Policy
    pay: Pay
    rural: bool
    status: TeacherWaiting
    model: Model
    paid: Decimal
    expected_paid: Decimal

    @initialize(
        policy=st.sampled_from(POLICIES),
        pay=pays,
        rural=st.booleans(),
        year=st.integers(2000, 2100),
        term=st.sampled_from(Term),
    )
    def start(self, policy: Policy, pay: Pay, rural: bool, year: int, term: Term) -> None:
        self.policy, self.pay, self.rural = policy, pay, rural
        self.status = TeacherWaiting.on_post(Semester(year, term))
        self.model = Model(S.ON_POST, self.status.semester)
        self.paid = self.expected_paid = Decimal(0)

    def send(self, event: WaitingEvent) -> None:
        expected = self.model.next(event, self.policy)
        assert (event in legal_events(self.status)) == (expected is not None)
        if expected is None:
            with pytest.raises(IllegalTransition) as info:
                step(self.status, event, self.policy)
            assert f"'{event.value}'" in str(info.value)
            assert f"'{self.status.state.value}'" in str(info.value)
            return
        before = self.status
        after = step(before, event, self.policy)
        assert (after.state, after.semester, after.streak) == (
            expected.state,
            expected.semester,
            expected.streak,
        )
        assert (after.terms_waited, after.term_semesters, after.awaiting_round) == (
            expected.terms,
            expected.in_term,
            expected.due,
        )
        assert after.streak_began == expected.began and after.last_event is event
        # I11: the exit is raised exactly by the term_end that makes the streak reach the limit.
        raised = after.state in EXITS and before.state not in EXITS
        reaches = (
            event is E.TERM_END
            and before.state.is_waiting
            and before.state is not S.DISMISSAL_REVIEW
            and after.streak == self.policy.waiting_limit_semesters
        )
        assert raised == reaches
        self.status, self.model = after, expected

    def book(self) -> None:
        """Book the current semester's pay and check it against the state's rule (I10)."""
        if self.status.awaiting_round:
            with pytest.raises(LedgerError, match="R9"):
                ledger_for("T1", self.status, self.pay, self.policy, rural=self.rural)
            return
        lines = ledger_for("T1", self.status, self.pay, self.policy, rural=self.rural)
        if self.status.is_terminal:
            assert lines == []
            return
        assert [line.component for line in lines] == list(PayComponent)
        semester_total = Decimal(0)
        for line in lines:
            base = expected_base(self.pay, line.component, self.status.semester, self.rural)
            share = expected_share(self.status.state, line.component, self.policy)
            amount = (base * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert (line.base, line.share, line.amount) == (base, share, amount)
            assert line.amount <= line.base  # I10: never more than full pay; equal on post
            if self.status.state is S.ON_POST:
                assert line.amount == base and line.parameter is None
            elif line.component is PayComponent.YEAR_END_BONUS and self.status.state is S.WAITING:
                assert line.share <= self.policy.first_term_bonus_cap  # R8
            semester_total += amount
        self.paid += sum((line.amount for line in lines), Decimal(0))
        self.expected_paid += semester_total

    @rule(outcome=st.sampled_from(["fail"] * 6 + ["placed", "refused"]))
    def semester(self, outcome: str) -> None:
        """Book the semester, end it, and apply a round outcome when one is due."""
        if self.status.is_terminal or self.status.awaiting_round:
            return
        self.book()
        self.send(E.TERM_END)
        if self.status.is_terminal:
            return
        event = {
            "fail": E.ROUND_NOT_PLACED,
            "placed": E.ROUND_PLACED,
            "refused": E.REFUSED_ASSIGNED_POST,
        }[outcome]
        if self.status.awaiting_round or self.status.state is S.ON_POST:
            self.send(event)

    @rule(event=st.sampled_from([e for e in WaitingEvent if e not in EXIT_EVENTS]))
    def any_event(self, event: WaitingEvent) -> None:
        self.send(event)

    @rule(roll=st.integers(0, 9), event=st.sampled_from(EXIT_EVENTS))
    def exit_sometimes(self, roll: int, event: WaitingEvent) -> None:
        if roll == 0 or self.status.is_terminal:
            self.send(event)

    @rule()
    def book_only(self) -> None:
        self.book()

    @invariant()
    def never_flagged_early(self) -> None:
        if self.status.streak < self.policy.waiting_limit_semesters:
            assert self.status.state not in EXITS

    @invariant()
    def on_post_has_no_streak(self) -> None:
        if self.status.state is S.ON_POST:
            assert self.status.streak == 0 and self.status.streak_began is None

    @invariant()
    def ledger_sums_match_rules(self) -> None:
        assert self.paid == self.expected_paid


TestWaitingMachine = WaitingMachine.TestCase
TestWaitingMachine.settings = settings(deadline=None, stateful_step_count=40)


def test_inconsistent_statuses_are_rejected() -> None:
    with pytest.raises(ValueError, match="no waiting streak"):
        TeacherWaiting(S.ON_POST, START, streak=2)
    with pytest.raises(ValueError, match="awaits a round"):
        TeacherWaiting(S.RETIRED, START, awaiting_round=True)
    with pytest.raises(ValueError, match="streak must be >= 0"):
        TeacherWaiting(S.WAITING, START, streak=-1)
