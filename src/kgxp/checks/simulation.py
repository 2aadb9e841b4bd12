"""I10 and I11 checked on a :class:`~kgxp.waiting.simulation.Simulation` (any: computed or reloaded).

- **I10 pay**: every ledger line's base is the teacher's own pay for that
  component and semester (monthly × 6, the year-end bonus in autumn, the R18
  allowance only at a rural school) and its share is exactly the rule of the
  teacher's state: 1 on post (pay unchanged), ``first_term_pay`` in the first
  waiting term (R8, within ``first_term_bonus_cap``), ``continued_pay`` in
  continued waiting and under review (R9); no pay in a terminal state; five
  lines per paid teacher and semester.
- **I11 dismissal review**: a teacher is flagged (``dismissal_review``, or
  ``contract_ended`` under ``waiting_exit=contract_end``) only with a waiting
  streak at the policy's limit or beyond, and never still plain waiting at it;
  the streak grows by one per waiting semester and restarts at 0 after a post.

Each violation is a :class:`~kgxp.checks.verify.Violation` naming the invariant,
teacher and semester.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.checks.violation import Violation
from kgxp.model.arguments import instance_argument, scenario_argument
from kgxp.model.policy import Policy, WaitingTermPay
from kgxp.model.scenario import Locality, Scenario
from kgxp.model.semester import Semester
from kgxp.model.teacher_columns import teachers_by_id
from kgxp.waiting.ledger import LedgerLines, PayComponent, round_yuan, semester_base
from kgxp.waiting.records import SemesterRecords
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState

__all__ = ["verify_simulation"]

_FIELD = {
    PayComponent.BASIC_SALARY: "basic_salary",
    PayComponent.BASIC_PERFORMANCE: "basic_performance",
    PayComponent.INCENTIVE_PERFORMANCE: "incentive_performance",
    PayComponent.YEAR_END_BONUS: "year_end_bonus",
    PayComponent.ALLOWANCES: "allowances",
}
_FLAGGED = {WaitingState.DISMISSAL_REVIEW, WaitingState.CONTRACT_ENDED}
_WAITING = {WaitingState.WAITING, WaitingState.CONTINUED_WAITING, WaitingState.DISMISSAL_REVIEW}


@in_kgxp_decimal_context
def verify_simulation(scenario: Scenario, simulation: Simulation) -> list[Violation]:
    """Violations of I10 and I11 in ``simulation`` of ``scenario`` (``[]`` when both hold)."""
    scenario = scenario_argument(scenario)
    simulation = instance_argument(simulation, Simulation, "simulation", "kgxp.simulate(scenario)")
    policy = simulation.round.policy
    violations = _check_pay(scenario, simulation, policy) + _check_flags(simulation, policy)
    return sorted(violations, key=lambda v: (v.invariant, v.teacher or "", v.message))


def _expected_share(state: WaitingState, component: PayComponent, policy: Policy) -> Decimal:
    if state is WaitingState.ON_POST:
        return Decimal(1)
    term: WaitingTermPay = (
        policy.first_term_pay if state is WaitingState.WAITING else policy.continued_pay
    )
    return Decimal(getattr(term, _FIELD[component]))


def _check_pay(scenario: Scenario, simulation: Simulation, policy: Policy) -> list[Violation]:
    found: list[Violation] = []
    teachers = teachers_by_id(scenario)
    rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
    # Read as columns (field tuples, kgxp.waiting.columns): no model is built for a check.
    records = SemesterRecords.of(simulation.records)
    # (teacher, semester) -> the record's (state, school)
    held = {(r[0], r[1]): (r[2], r[6]) for r in records.rows()}
    lines_per: dict[tuple[str, Semester], int] = defaultdict(int)
    if policy.first_term_pay.year_end_bonus > policy.first_term_bonus_cap:
        found.append(Violation("I10", "the first-term bonus share exceeds its cap (R8)"))
    for teacher_id, semester, state, component, paid_base, paid_share, amount, *_ in LedgerLines.of(
        simulation.ledger
    ).rows():
        key = (teacher_id, semester)
        lines_per[key] += 1
        record = held.get(key)
        teacher = teachers.get(teacher_id)
        where = f"teacher {teacher_id} in {semester}, {component.value}"
        if record is None or teacher is None or teacher.pay is None:
            found.append(
                Violation(
                    "I10",
                    f"{where}: pay booked with no record of the teacher",
                    teacher=teacher_id,
                )
            )
            continue
        held_state, school = record
        if held_state.is_terminal or held_state is not state:
            found.append(
                Violation(
                    "I10",
                    f"{where}: booked as {state.value} but the teacher is {held_state.value}",
                    teacher=teacher_id,
                )
            )
            continue
        base = semester_base(
            teacher.pay,
            component,
            semester,
            rural=bool(school and rural.get(school)),
            bonus_basis=policy.year_end_bonus_basis,
        )
        share = _expected_share(held_state, component, policy)
        if paid_base != base or paid_share != share or amount != round_yuan(base * share):
            found.append(
                Violation(
                    "I10",
                    f"{where}: paid {amount} (base {paid_base} × share {paid_share}); the "
                    f"rule of {held_state.value} gives {round_yuan(base * share)} "
                    f"(base {base} × share {share})",
                    teacher=teacher_id,
                    evidence={"expected": str(round_yuan(base * share)), "paid": str(amount)},
                )
            )
    for teacher_id, semester, state, *_ in records.rows():
        teacher = teachers.get(teacher_id)
        expected = 0 if state.is_terminal or teacher is None or teacher.pay is None else 5
        booked = lines_per.get((teacher_id, semester), 0)
        if booked != expected:
            found.append(
                Violation(
                    "I10",
                    f"teacher {teacher_id} in {semester}: {booked} pay lines, expected {expected}",
                    teacher=teacher_id,
                )
            )
    return found


def _check_flags(simulation: Simulation, policy: Policy) -> list[Violation]:
    found: list[Violation] = []
    limit = policy.waiting_limit_semesters
    # teacher -> (semester, state, streak, flagged) per record, read from the columns
    by_teacher: dict[str, list[tuple[Semester, WaitingState, int, bool]]] = defaultdict(list)
    for teacher, semester, state, streak, flagged, *_ in SemesterRecords.of(
        simulation.records
    ).rows():
        by_teacher[teacher].append((semester, state, streak, flagged))
    for teacher, timeline in by_teacher.items():
        timeline.sort(key=lambda r: r[0])
        previous: tuple[Semester, WaitingState, int, bool] | None = None
        for record in timeline:
            semester, state, streak, flagged = record
            where = f"teacher {teacher} in {semester}"
            if state in _FLAGGED and streak < limit:
                found.append(
                    Violation(
                        "I11",
                        f"{where}: {state.value} with a waiting "
                        f"streak of {streak}, before the limit {limit}",
                        teacher=teacher,
                    )
                )
            if state in {WaitingState.WAITING, WaitingState.CONTINUED_WAITING} and (
                streak >= limit
            ):
                found.append(
                    Violation(
                        "I11",
                        f"{where}: still {state.value} at a streak of {streak}; the limit is {limit}",
                        teacher=teacher,
                    )
                )
            if flagged != (state is WaitingState.DISMISSAL_REVIEW):
                found.append(
                    Violation(
                        "I11",
                        f"{where}: flag {flagged} disagrees with state {state.value}",
                        teacher=teacher,
                    )
                )
            if previous is not None and previous[1] in _WAITING and state in _WAITING:
                if streak != previous[2] + 1:
                    found.append(
                        Violation(
                            "I11",
                            f"{where}: streak {streak} after {previous[2]} the semester before",
                            teacher=teacher,
                        )
                    )
            elif state is WaitingState.WAITING and streak != 0:
                found.append(
                    Violation(
                        "I11",
                        f"{where}: a new waiting streak starts at 0, not {streak}",
                        teacher=teacher,
                    )
                )
            previous = record
    return found
