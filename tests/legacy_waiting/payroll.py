# ruff: noqa
# Reference: src/kgxp/waiting/payroll.py as it was before issue 19 made the simulation linear (frozen copy
# of commit 1425d07), used only by the differential tests of tests/test_cycle.py. Do not edit.
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
>>> from tests.legacy_waiting.register import register_from_round
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> register = register_from_round(scenario, kgxp.run_round(scenario))
>>> lines = payroll(register, scenario, kgxp.Policy())
>>> len(lines) == 5 * len(register.entries), {line.rule for line in lines} >= {"R8", "I10"}
(True, True)
"""

from __future__ import annotations

from kgxp.model.policy import Policy
from kgxp.model.scenario import Locality, Scenario
from tests.legacy_waiting.ledger import LedgerError, LedgerLine, ledger_for
from tests.legacy_waiting.register import Register
from tests.legacy_waiting.state_machine import retirement_semester

__all__ = ["payroll"]


def payroll(register: Register, scenario: Scenario, policy: Policy) -> tuple[LedgerLine, ...]:
    """Every teacher's pay lines for ``register.semester``, in teacher-id order.

    Raises :class:`~kgxp.waiting.ledger.LedgerError` naming the teacher when a
    re-competition is still due, or when a register teacher is not in ``scenario``.
    """
    teachers = {t.id: t for t in scenario.teachers}
    rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
    lines: list[LedgerLine] = []
    for entry in register.entries:
        if entry.state.is_terminal:
            continue
        teacher = teachers.get(entry.teacher)
        if teacher is None:
            raise LedgerError(f"teacher {entry.teacher} of the register is not in the scenario")
        if teacher.pay is None:
            continue
        where = entry.school
        booked = ledger_for(
            entry.teacher,
            entry.status(register.semester),
            teacher.pay,
            policy,
            rural=bool(where and rural.get(where)),
        )
        if retirement_semester(teacher) == register.semester:
            # Paid through the retirement semester: say which reading applied.
            reading = f"retirement_vacancy={policy.retirement_vacancy.value}"
            booked = [
                line.model_copy(update={"readings": (*line.readings, reading)}) for line in booked
            ]
        lines += booked
    return tuple(lines)
