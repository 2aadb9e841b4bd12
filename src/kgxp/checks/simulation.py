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

from kgxp.checks.violation import Violation
from kgxp.model.policy import Policy, WaitingTermPay
from kgxp.model.scenario import Locality, Scenario
from kgxp.waiting.ledger import PayComponent, round_yuan, semester_base
from kgxp.waiting.simulation import SemesterRecord, Simulation
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


def verify_simulation(scenario: Scenario, simulation: Simulation) -> list[Violation]:
    """Violations of I10 and I11 in ``simulation`` of ``scenario`` (``[]`` when both hold)."""
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
    teachers = {t.id: t for t in scenario.teachers}
    rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
    records = {(r.teacher, str(r.semester)): r for r in simulation.records}
    lines_per: dict[tuple[str, str], int] = defaultdict(int)
    if policy.first_term_pay.year_end_bonus > policy.first_term_bonus_cap:
        found.append(Violation("I10", "the first-term bonus share exceeds its cap (R8)"))
    for line in simulation.ledger:
        key = (line.teacher, str(line.semester))
        lines_per[key] += 1
        record = records.get(key)
        teacher = teachers.get(line.teacher)
        where = f"teacher {line.teacher} in {line.semester}, {line.component.value}"
        if record is None or teacher is None or teacher.pay is None:
            found.append(
                Violation(
                    "I10",
                    f"{where}: pay booked with no record of the teacher",
                    teacher=line.teacher,
                )
            )
            continue
        if record.state.is_terminal or record.state is not line.state:
            found.append(
                Violation(
                    "I10",
                    f"{where}: booked as {line.state.value} but the "
                    f"teacher is {record.state.value}",
                    teacher=line.teacher,
                )
            )
            continue
        base = semester_base(
            teacher.pay,
            line.component,
            line.semester,
            rural=bool(record.school and rural.get(record.school)),
            bonus_basis=policy.year_end_bonus_basis,
        )
        share = _expected_share(record.state, line.component, policy)
        if line.base != base or line.share != share or line.amount != round_yuan(base * share):
            found.append(
                Violation(
                    "I10",
                    f"{where}: paid {line.amount} (base {line.base} × share {line.share}); the "
                    f"rule of {record.state.value} gives {round_yuan(base * share)} "
                    f"(base {base} × share {share})",
                    teacher=line.teacher,
                    evidence={"expected": str(round_yuan(base * share)), "paid": str(line.amount)},
                )
            )
    for record in simulation.records:
        key = (record.teacher, str(record.semester))
        teacher = teachers.get(record.teacher)
        expected = 0 if record.state.is_terminal or teacher is None or teacher.pay is None else 5
        if lines_per.get(key, 0) != expected:
            found.append(
                Violation(
                    "I10",
                    f"teacher {record.teacher} in {record.semester}: "
                    f"{lines_per.get(key, 0)} pay lines, expected {expected}",
                    teacher=record.teacher,
                )
            )
    return found


def _check_flags(simulation: Simulation, policy: Policy) -> list[Violation]:
    found: list[Violation] = []
    limit = policy.waiting_limit_semesters
    by_teacher: dict[str, list[SemesterRecord]] = defaultdict(list)
    for record in simulation.records:
        by_teacher[record.teacher].append(record)
    for teacher, timeline in by_teacher.items():
        timeline.sort(key=lambda r: r.semester)
        previous: SemesterRecord | None = None
        for record in timeline:
            where = f"teacher {teacher} in {record.semester}"
            if record.state in _FLAGGED and record.streak < limit:
                found.append(
                    Violation(
                        "I11",
                        f"{where}: {record.state.value} with a waiting "
                        f"streak of {record.streak}, before the limit {limit}",
                        teacher=teacher,
                    )
                )
            if record.state in {WaitingState.WAITING, WaitingState.CONTINUED_WAITING} and (
                record.streak >= limit
            ):
                found.append(
                    Violation(
                        "I11",
                        f"{where}: still {record.state.value} at a "
                        f"streak of {record.streak}; the limit is {limit}",
                        teacher=teacher,
                    )
                )
            if record.flagged != (record.state is WaitingState.DISMISSAL_REVIEW):
                found.append(
                    Violation(
                        "I11",
                        f"{where}: flag {record.flagged} disagrees with state {record.state.value}",
                        teacher=teacher,
                    )
                )
            if previous is not None and previous.state in _WAITING and record.state in _WAITING:
                if record.streak != previous.streak + 1:
                    found.append(
                        Violation(
                            "I11",
                            f"{where}: streak {record.streak} after "
                            f"{previous.streak} the semester before",
                            teacher=teacher,
                        )
                    )
            elif record.state is WaitingState.WAITING and record.streak != 0:
                found.append(
                    Violation(
                        "I11",
                        f"{where}: a new waiting streak starts at 0, not {record.streak}",
                        teacher=teacher,
                    )
                )
            previous = record
    return found
