"""A semester's payroll from the register (R8, R9, R18, I10), for the payroll office.

:func:`payroll` prices every teacher of a :class:`~kgxp.waiting.register.Register` in
the register's semester with :func:`kgxp.waiting.ledger.ledger_for`: on post in full
(rural allowances only at a rural school, R18), the first waiting term by
``policy.first_term_pay`` (R8), continued waiting and dismissal review by
``policy.continued_pay`` (R9); each line names the rule and the policy parameter it
read. Teachers without pay data in the scenario get no lines; terminal states none.

A semester's pay is booked after its re-competition (a teacher whose term has ended
and who has not competed yet cannot be priced: the outcome decides the state) and
before :func:`~kgxp.waiting.register.close_semester`.

>>> import kgxp
>>> from kgxp.waiting.register import register_from_round
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> register = register_from_round(scenario, kgxp.run_round(scenario))
>>> lines = payroll(register, scenario, kgxp.Policy())
>>> len(lines) == 5 * len(register.entries), {line.rule for line in lines} >= {"R8", "I10"}
(True, True)
"""

from __future__ import annotations

from decimal import Decimal

from kgxp.model.policy import Policy
from kgxp.model.scenario import Locality, Pay, Scenario
from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.ledger import (
    LedgerError,
    LedgerLine,
    LineKind,
    in_range,
    ledger_for,
    line_kinds,
    pay_lines,
    round_yuan,
    semester_base,
)
from kgxp.waiting.register import Register, retirement_semesters
from kgxp.waiting.state_machine import WaitingState

__all__ = ["payroll"]


def payroll(register: Register, scenario: Scenario, policy: Policy) -> tuple[LedgerLine, ...]:
    """Every teacher's pay lines for ``register.semester``, in teacher-id order.

    Raises :class:`~kgxp.waiting.ledger.LedgerError` naming the teacher when a
    re-competition is still due, or when a register teacher is not in ``scenario``.
    """
    return Payroll(scenario, policy).book(register)


_new_line = constructor(LedgerLine)

# Per component, the (base, amount) of one teacher's line.
_Amounts = tuple[tuple[Decimal, Decimal], ...]


class Payroll:
    """:func:`payroll` for one scenario and policy, semester after semester (internal).

    A teacher's lines differ between semesters only by the state, whether the semester
    holds the year-end bonus and whether the school is rural: each such case is priced
    once (:func:`~kgxp.waiting.ledger.semester_base`, share and rounding as
    :func:`~kgxp.waiting.ledger.pay_lines`), and the lines are built from it without
    validating again (a simulation books ~15 lines per teacher-year). A base or share out
    of range (a pay or policy built around validation) goes through ``pay_lines``, which
    refuses it as before.
    """

    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        self.policy = policy
        self.teachers = {t.id: t for t in scenario.teachers}
        self.rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
        self.retiring = retirement_semesters(scenario)
        self.reading = f"retirement_vacancy={policy.retirement_vacancy.value}"
        self._kinds: dict[WaitingState, tuple[LineKind, ...]] = {}
        self._amounts: dict[tuple[str, WaitingState, bool, bool], _Amounts] = {}

    def book(self, register: Register) -> tuple[LedgerLine, ...]:
        """The lines of ``register.semester`` (see :func:`payroll`)."""
        semester = register.semester
        bonus = semester.holds_year_end_bonus
        teachers, rural, amounts = self.teachers, self.rural, self._amounts
        lines: list[LedgerLine] = []
        for entry in register.entries:
            state = entry.state
            if state.is_terminal:
                continue
            teacher = teachers.get(entry.teacher)
            if teacher is None:
                raise LedgerError(f"teacher {entry.teacher} of the register is not in the scenario")
            pay = teacher.pay
            if pay is None:
                continue
            where = entry.school
            at_rural = bool(where and rural.get(where))
            if entry.due:  # ledger_for refuses it, naming the teacher and the semester
                ledger_for(entry.teacher, entry.status(semester), pay, self.policy, rural=at_rural)
            kinds = self._kinds.get(state)
            if kinds is None:
                kinds = self._kinds[state] = line_kinds(state, self.policy)
            key = (entry.teacher, state, bonus, at_rural)
            priced = amounts.get(key)
            if priced is None:
                priced = self._price(pay, kinds, semester, at_rural)
                checked = zip(kinds, priced, strict=True)
                if not all(in_range(base, kind[1]) for kind, (base, _) in checked):
                    # out of range: pay_lines validates, and refuses, as before
                    pay_lines(entry.teacher, pay, state, semester, self.policy, rural=at_rural)
                amounts[key] = priced
            retiring = self.retiring[entry.teacher] == semester
            for (component, share, rule, parameter, readings), (base, amount) in zip(
                kinds, priced, strict=True
            ):
                if retiring:
                    # Paid through the retirement semester: say which reading applied.
                    readings = (*readings, self.reading)
                lines.append(
                    _new_line(
                        entry.teacher,
                        semester,
                        state,
                        component,
                        base,
                        share,
                        amount,
                        rule,
                        parameter,
                        readings,
                    )
                )
        return tuple(lines)

    def _price(
        self, pay: Pay, kinds: tuple[LineKind, ...], semester: Semester, rural: bool
    ) -> _Amounts:
        basis = self.policy.year_end_bonus_basis
        priced = []
        for component, share, *_ in kinds:
            base = semester_base(pay, component, semester, rural=rural, bonus_basis=basis)
            priced.append((base, round_yuan(base * share)))
        return tuple(priced)
