"""The pay ledger (§5, R8, R9, R18, I10): hand-computed timelines, rounding, tracing.

The teacher of every timeline (per month unless said otherwise):

    basic salary 4,000.00 × 6 = 24,000.00 per semester
    basic performance 1,700.00 × 6 = 10,200.00
    incentive performance 700.00 × 6 = 4,200.00
    year-end bonus 12,000.00 per year, in the autumn semester only
    rural allowance 450.00 × 6 = 2,700.00 (at a rural school)

On post at a rural school: autumn 24,000 + 10,200 + 4,200 + 12,000 + 2,700 = 53,100.00;
spring 24,000 + 10,200 + 4,200 + 0 + 2,700 = 41,100.00.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from kgxp import Pay, Policy, Sex, Teacher, WaitingTermPay, YearMonth, preset
from kgxp.model.semester import Semester, Term
from kgxp.waiting.ledger import (
    LedgerError,
    LedgerLine,
    PayComponent,
    ledger_for,
    ledger_table,
    pay_lines,
    round_yuan,
    total,
)
from kgxp.waiting.state_machine import (
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    retirement_semester,
    step,
)

E = WaitingEvent
S = WaitingState
C = PayComponent
DEFAULT = Policy()
WUHAN = preset("wuhan_like")
PAY = Pay(
    basic_salary=Decimal("4000.00"),
    basic_performance=Decimal("1700.00"),
    incentive_performance=Decimal("700.00"),
    year_end_bonus=Decimal("12000.00"),
    rural_allowance=Decimal("450.00"),
)
AUTUMN_26 = Semester(2026, Term.AUTUMN)


def amounts(lines: list[LedgerLine]) -> dict[PayComponent, Decimal]:
    return {line.component: line.amount for line in lines}


def book(status: TeacherWaiting, policy: Policy = DEFAULT) -> list[LedgerLine]:
    return ledger_for("T1", status, PAY, policy, rural=True)


def run(
    plan: list[list[WaitingEvent]], policy: Policy = DEFAULT, start: Semester = AUTUMN_26
) -> list[tuple[TeacherWaiting, list[LedgerLine]]]:
    """Each item: the events at the start of a semester (a round's outcome), then its pay.

    Between items the semester ends (``term_end``) — the protocol kgxp.waiting documents.
    """
    status = TeacherWaiting.on_post(start.previous())
    booked = []
    for events in plan:
        status = step(status, E.TERM_END, policy)
        for event in events:
            status = step(status, event, policy)
        booked.append((status, ledger_for("T1", status, PAY, policy, rural=True)))
    return booked


# -- timelines -----------------------------------------------------------------------


def test_placed_at_once_keeps_full_pay() -> None:
    # I10: a round won changes nothing in the pay of an on-post teacher.
    with_round = run([[E.ROUND_PLACED], []])
    without = run([[], []])
    assert [lines for _, lines in with_round] == [lines for _, lines in without]
    autumn, spring = (lines for _, lines in with_round)
    assert amounts(autumn) == {
        C.BASIC_SALARY: Decimal("24000.00"),  # 4,000.00 × 6
        C.BASIC_PERFORMANCE: Decimal("10200.00"),  # 1,700.00 × 6
        C.INCENTIVE_PERFORMANCE: Decimal("4200.00"),  # 700.00 × 6
        C.YEAR_END_BONUS: Decimal("12000.00"),  # the whole bonus, autumn
        C.ALLOWANCES: Decimal("2700.00"),  # 450.00 × 6, rural school (R18)
    }
    assert total(autumn) == Decimal("53100.00")
    assert total(spring) == Decimal("41100.00")  # no bonus in spring
    assert all(line.share == 1 and line.parameter is None for line in autumn)
    assert [line.rule for line in autumn] == ["I10", "I10", "I10", "I10", "R18"]


def test_waiting_one_term_then_placed() -> None:
    (waiting, w_lines), (placed, p_lines) = run([[E.ROUND_NOT_PLACED], [E.ROUND_PLACED]])
    assert (waiting.state, placed.state) == (S.WAITING, S.ON_POST)
    # R8, 2026-autumn: 24,000.00 + 10,200.00 + 0 (no incentive) + 12,000.00 × 0.5 + 0 (no
    # allowances while waiting) = 40,200.00
    assert amounts(w_lines) == {
        C.BASIC_SALARY: Decimal("24000.00"),
        C.BASIC_PERFORMANCE: Decimal("10200.00"),
        C.INCENTIVE_PERFORMANCE: Decimal("0.00"),
        C.YEAR_END_BONUS: Decimal("6000.00"),
        C.ALLOWANCES: Decimal("0.00"),
    }
    assert total(w_lines) == Decimal("40200.00")
    assert {line.rule for line in w_lines} == {"R8"}
    assert [line.parameter for line in w_lines] == [
        "first_term_pay.basic_salary",
        "first_term_pay.basic_performance",
        "first_term_pay.incentive_performance",
        "first_term_pay.year_end_bonus",
        "first_term_pay.allowances",
    ]
    bonus = w_lines[3]
    assert (bonus.base, bonus.share) == (Decimal("12000.00"), Decimal("0.5"))
    # Back on post in 2026-spring: full spring pay, 41,100.00 (I10). Together 81,300.00.
    assert total(p_lines) == Decimal("41100.00")
    assert total(w_lines + p_lines) == Decimal("81300.00")


def test_three_years_of_waiting_then_dismissal_review() -> None:
    plan = [[E.ROUND_NOT_PLACED]] + [[E.ROUND_NOT_PLACED]] * 5 + [[E.ROUND_NOT_PLACED]]
    booked = run(plan)
    states = [status.state for status, _ in booked]
    assert states == [S.WAITING] + [S.CONTINUED_WAITING] * 5 + [S.DISMISSAL_REVIEW]
    # Not flagged while paid for semesters 1–6; streak 5 in the sixth (limit − 1).
    assert booked[5][0].streak == 5 and not booked[5][0].flagged
    assert booked[6][0].streak == 6 and str(booked[6][0].semester) == "2029-autumn"
    totals = [total(lines) for _, lines in booked]
    # 2026-autumn R8: 24,000 + 10,200 + 6,000 = 40,200.00.
    # Every continued semester R9: 24,000 + 10,200 = 34,200.00 — autumn too (bonus share 0).
    # Under review (2029-autumn): continued pay, 34,200.00.
    assert totals == [Decimal("40200.00")] + [Decimal("34200.00")] * 6
    # Six waiting semesters: 40,200 + 5 × 34,200 = 211,200.00.
    assert sum(totals[:6], Decimal(0)) == Decimal("211200.00")
    review = booked[6][1]
    assert {line.rule for line in review} == {"R9"}
    assert review[0].parameter == "continued_pay.basic_salary"
    assert amounts(review)[C.YEAR_END_BONUS] == Decimal("0.00")
    assert review[3].base == Decimal("12000.00") and review[3].share == 0


def test_refusing_an_adjusted_post_is_paid_as_waiting() -> None:
    [(status, lines)] = run([[E.REFUSED_ASSIGNED_POST]])
    assert status.state is S.WAITING
    assert total(lines) == Decimal("40200.00")  # R8, as for a lost round


def test_retirement_during_waiting_stops_pay() -> None:
    # A man born 1967-01 reaches 60y7m in 2027-08 (§4): the semester 2026-spring holds it.
    teacher = Teacher(
        id="T1",
        name="Retiring",
        school="S1",
        subjects=("math",),
        score=60,
        sex=Sex.MALE,
        birth=YearMonth(1967, 1),
        service_start=YearMonth(1988, 9),
        pay=PAY,
    )
    last = retirement_semester(teacher)
    assert last == Semester(2026, Term.SPRING)
    booked = run([[E.ROUND_NOT_PLACED], [E.ROUND_NOT_PLACED], [E.RETIREMENT_REACHED]])
    (_, autumn), (spring_status, spring), (retired, after) = booked
    assert spring_status.semester == last
    # 2026-autumn R8 40,200.00; 2026-spring R9 24,000 + 10,200 = 34,200.00; then nothing.
    assert (total(autumn), total(spring)) == (Decimal("40200.00"), Decimal("34200.00"))
    assert retired.state is S.RETIRED and after == []
    assert total(autumn + spring) == Decimal("74400.00")


def test_wuhan_like_seventy_percent_then_contract_end() -> None:
    booked = run([[E.ROUND_NOT_PLACED]] * 4, policy=WUHAN)
    assert [s.state for s, _ in booked] == [S.WAITING] + [S.CONTINUED_WAITING] * 3
    # 70% of basic salary and performance pay, no bonus, no allowances, every semester:
    # 24,000 × 0.7 = 16,800.00; 10,200 × 0.7 = 7,140.00; 4,200 × 0.7 = 2,940.00
    # total 26,880.00 (the autumn bonus share is 0).
    for _, lines in booked:
        assert amounts(lines) == {
            C.BASIC_SALARY: Decimal("16800.00"),
            C.BASIC_PERFORMANCE: Decimal("7140.00"),
            C.INCENTIVE_PERFORMANCE: Decimal("2940.00"),
            C.YEAR_END_BONUS: Decimal("0.00"),
            C.ALLOWANCES: Decimal("0.00"),
        }
    assert booked[0][1][0].parameter == "first_term_pay.basic_salary"
    assert booked[1][1][0].parameter == "continued_pay.basic_salary"
    assert sum((total(lines) for _, lines in booked), Decimal(0)) == Decimal("107520.00")  # × 4
    # The fourth waiting semester's end (two years) ends the contract: no pay after it.
    ended = step(booked[-1][0], E.TERM_END, WUHAN)
    assert ended.state is S.CONTRACT_ENDED and book(ended, WUHAN) == []


# -- rules, rounding, tracing --------------------------------------------------------


def test_rounding_is_half_up_per_line() -> None:
    pay = PAY.model_copy(update={"year_end_bonus": Decimal("12345.65")})
    lines = pay_lines("T1", pay, S.WAITING, AUTUMN_26, DEFAULT, rural=False)
    # 12,345.65 × 0.5 = 6,172.825 → 6,172.83 (half up; half-even would give 6,172.82)
    assert lines[3].amount == Decimal("6172.83")
    assert round_yuan(Decimal("0.005")) == Decimal("0.01")


def test_allowances_only_at_rural_schools_on_post() -> None:
    urban = pay_lines("T1", PAY, S.ON_POST, AUTUMN_26, DEFAULT, rural=False)
    assert amounts(urban)[C.ALLOWANCES] == Decimal("0.00") and urban[4].base == 0
    assert total(urban) == Decimal("50400.00")  # 53,100 − 2,700


def test_waiting_allowance_share_is_policy_data() -> None:
    policy = DEFAULT.evolve(
        first_term_pay=WaitingTermPay(year_end_bonus=Decimal("0.5"), allowances=Decimal("0.5"))
    )
    lines = pay_lines("T1", PAY, S.WAITING, AUTUMN_26, policy, rural=True)
    assert lines[4].amount == Decimal("1350.00")  # 2,700.00 × 0.5


def test_terminal_states_book_nothing() -> None:
    for state in (S.RETIRED, S.LEFT, S.CONTRACT_ENDED):
        assert pay_lines("T1", PAY, state, AUTUMN_26, DEFAULT, rural=True) == []


def test_no_pay_booked_while_a_round_is_pending() -> None:
    status = step(
        step(TeacherWaiting.on_post(AUTUMN_26), E.ROUND_NOT_PLACED, DEFAULT), E.TERM_END, DEFAULT
    )
    assert status.awaiting_round
    with pytest.raises(LedgerError, match=r"T1 in 2026-spring.*R9"):
        book(status)


def test_a_policy_breaking_the_bonus_cap_is_refused() -> None:
    # Policy validation forbids it; model_copy bypasses validation, the ledger does not.
    broken = DEFAULT.model_copy(
        update={"first_term_pay": WaitingTermPay(year_end_bonus=Decimal("0.6"))}
    )
    with pytest.raises(LedgerError, match="first_term_bonus_cap"):
        pay_lines("T1", PAY, S.WAITING, AUTUMN_26, broken, rural=False)


def test_lines_serialise_and_check_themselves() -> None:
    lines = pay_lines("T1", PAY, S.WAITING, AUTUMN_26, DEFAULT, rural=True)
    for line in lines:
        assert LedgerLine.model_validate_json(line.model_dump_json()) == line
    data = lines[3].model_dump(mode="json")
    assert (
        data["semester"] == "2026-autumn" and data["parameter"] == "first_term_pay.year_end_bonus"
    )
    with pytest.raises(ValidationError, match="rounded half up"):
        LedgerLine.model_validate({**data, "amount": "6000.01"})
    with pytest.raises(ValidationError, match="terminal"):
        LedgerLine.model_validate({**data, "state": "retired"})


def test_ledger_table() -> None:
    lines = pay_lines("T1", PAY, S.WAITING, AUTUMN_26, DEFAULT, rural=False)
    table = ledger_table(lines).splitlines()
    assert table[0].startswith("| teacher | semester |")
    assert table[5] == (
        "| T1 | 2026-autumn | waiting | year_end_bonus | 12000.00 | 0.5 | 6000.00 | R8 "
        "| first_term_pay.year_end_bonus |"
    )
