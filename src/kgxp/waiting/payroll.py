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
from kgxp.model.scenario import Locality, Scenario
from kgxp.model.semester import Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.ledger import LedgerError, LedgerLine, PayComponent, ledger_for
from kgxp.waiting.register import Register, RegisterEntry, retirement_semesters
from kgxp.waiting.state_machine import WaitingState

__all__ = ["payroll"]


def payroll(register: Register, scenario: Scenario, policy: Policy) -> tuple[LedgerLine, ...]:
    """Every teacher's pay lines for ``register.semester``, in teacher-id order.

    Raises :class:`~kgxp.waiting.ledger.LedgerError` naming the teacher when a
    re-competition is still due, or when a register teacher is not in ``scenario``.
    """
    return Payroll(scenario, policy).book(register)


_new_line = constructor(LedgerLine)

# Per line, what the state alone decides (component, share, rule, parameter, readings)...
_Kind = tuple[PayComponent, Decimal, str, str | None, tuple[str, ...]]
# ...and what the teacher's pay does (base, amount), per component.
_Amounts = tuple[tuple[Decimal, Decimal], ...]


class Payroll:
    """:func:`payroll` for one scenario and policy, semester after semester (internal).

    A teacher's lines differ between semesters only by the state, whether the semester
    holds the year-end bonus and whether the school is rural: :func:`ledger_for` prices
    each such case once, and the lines of the others are built from it without
    validating again (a simulation books ~15 lines per teacher-year).
    """

    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        self.policy = policy
        self.teachers = {t.id: t for t in scenario.teachers}
        self.rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
        self.retiring = retirement_semesters(scenario)
        self.reading = f"retirement_vacancy={policy.retirement_vacancy.value}"
        self._kinds: dict[WaitingState, tuple[_Kind, ...]] = {}
        self._amounts: dict[tuple[str, WaitingState, bool, bool], _Amounts] = {}

    def book(self, register: Register) -> tuple[LedgerLine, ...]:
        """The lines of ``register.semester`` (see :func:`payroll`)."""
        semester = register.semester
        bonus = semester.holds_year_end_bonus
        teachers, rural, kinds, amounts = self.teachers, self.rural, self._kinds, self._amounts
        lines: list[LedgerLine] = []
        for entry in register.entries:
            state = entry.state
            if state.is_terminal:
                continue
            teacher = teachers.get(entry.teacher)
            if teacher is None:
                raise LedgerError(f"teacher {entry.teacher} of the register is not in the scenario")
            if teacher.pay is None:
                continue
            where = entry.school
            at_rural = bool(where and rural.get(where))
            key = (entry.teacher, state, bonus, at_rural)
            priced = amounts.get(key)
            if priced is None or entry.due:  # ledger_for refuses a due teacher: say so
                priced = amounts[key] = self._price(entry.teacher, entry, semester, at_rural)
            retiring = self.retiring[entry.teacher] == semester
            for (component, share, rule, parameter, readings), (base, amount) in zip(
                kinds[state], priced, strict=True
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
        self, teacher_id: str, entry: RegisterEntry, semester: Semester, rural: bool
    ) -> _Amounts:
        pay = self.teachers[teacher_id].pay
        if pay is None:  # book() skips those
            raise LedgerError(f"teacher {teacher_id} has no pay data")
        booked = ledger_for(teacher_id, entry.status(semester), pay, self.policy, rural=rural)
        self._kinds.setdefault(
            entry.state,
            tuple(
                (line.component, line.share, line.rule, line.parameter, line.readings)
                for line in booked
            ),
        )
        return tuple((line.base, line.amount) for line in booked)
