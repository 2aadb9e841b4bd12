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

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.model.arguments import policy_argument, scenario_argument
from kgxp.model.policy import Policy
from kgxp.model.scenario import Locality, Pay, Scenario
from kgxp.model.semester import Semester
from kgxp.waiting.ledger import (
    LedgerError,
    LedgerLine,
    LineKind,
    PayComponent,
    PricedLine,
    PricedSegment,
    in_range,
    ledger_for,
    line_kinds,
    pay_lines,
    round_yuan,
    semester_base,
)
from kgxp.waiting.register import Register, register_of, retirement_positions
from kgxp.waiting.state_machine import WaitingState

__all__ = ["payroll"]


@in_kgxp_decimal_context
def payroll(register: Register, scenario: Scenario, policy: Policy) -> tuple[LedgerLine, ...]:
    """Every teacher's pay lines for ``register.semester``, in teacher-id order.

    Raises :class:`~kgxp.waiting.ledger.LedgerError` naming the teacher when a
    re-competition is still due, or when a register teacher is not in ``scenario``.
    """
    scenario = scenario_argument(scenario)
    register = register_of(scenario, register)  # made from this scenario (I12)
    policy = policy_argument(policy, optional=False)
    return Payroll(scenario, policy).book(register)


_ZERO = Decimal("0.00")
_UNKNOWN: int = -1  # a register teacher the scenario does not have
# The Pay field each component's base reads (semester_base).
_PAY_FIELD = {
    PayComponent.BASIC_SALARY: "basic_salary",
    PayComponent.BASIC_PERFORMANCE: "basic_performance",
    PayComponent.INCENTIVE_PERFORMANCE: "incentive_performance",
    PayComponent.YEAR_END_BONUS: "year_end_bonus",
    PayComponent.ALLOWANCES: "rural_allowance",
}


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
        self.rural = {s.id: s.locality is Locality.RURAL for s in scenario.schools}
        self.retiring = retirement_positions(scenario)
        self.reading = f"retirement_vacancy={policy.retirement_vacancy.value}"
        # Teachers paid alike (same amounts of every component) are priced once: a teacher's
        # scale is the number of their pay's values, None without pay data.
        scales: dict[tuple[object, ...], int] = {}
        self.scale: dict[str, int | None] = {}
        self._pays: list[Pay] = []
        for t in scenario.teachers:
            if t.pay is None:
                self.scale[t.id] = None
                continue
            # Equal amounts of other exponents price alike (every base is quantized), but -0
            # and 0 do not (the sign is written): a pay with a signed amount keys as written.
            values = tuple(t.pay.__dict__.values())
            key = values if min(values) > 0 else tuple(map(str, values))
            found = scales.setdefault(key, len(scales))
            if found == len(self._pays):
                self._pays.append(t.pay)
            self.scale[t.id] = found
        self._kinds: dict[WaitingState, tuple[LineKind, ...]] = {}
        self._blocks: dict[tuple[int, int, bool, bool, bool], tuple[PricedLine, ...]] = {}
        self._retiring_by_position: dict[int, frozenset[str]] | None = None
        self._lines: dict[tuple[object, ...], tuple[Decimal, Decimal]] = {}
        # id of a block (kept alive in _blocks) -> the sum of its amounts
        self._totals: dict[int, Decimal] = {}

    def book(self, register: Register) -> tuple[LedgerLine, ...]:
        """The lines of ``register.semester`` (see :func:`payroll`)."""
        return tuple(self.book_segment(register).models())

    def book_segment(self, register: Register) -> PricedSegment:
        """:meth:`book`'s lines as a segment of a simulation's ledger: per paid teacher the
        state and the priced lines, shared by the teachers and semesters priced alike."""
        semester = register.semester
        bonus = semester.holds_year_end_bonus
        retiring_now = self._retiring_in(semester.index)
        scale_of, rural, blocks = self.scale, self.rural, self._blocks
        retired, left, ended = WaitingState.RETIRED, WaitingState.LEFT, WaitingState.CONTRACT_ENDED
        paid: list[str] = []
        states: list[WaitingState] = []
        priced: list[tuple[PricedLine, ...]] = []
        for entry in register.entries:
            state = entry.state
            if state is retired or state is left or state is ended:  # terminal: no pay
                continue
            teacher = entry.teacher
            scale = scale_of.get(teacher, _UNKNOWN)
            if scale is None:
                continue
            if scale < 0:
                raise LedgerError(f"teacher {teacher} of the register is not in the scenario")
            where = entry.school
            at_rural = bool(where and rural.get(where))
            if entry.due:  # ledger_for refuses it, naming the teacher and the semester
                pay = self._pays[scale]
                ledger_for(teacher, entry.status(semester), pay, self.policy, rural=at_rural)
            # The state by id: an enum member hashes in Python, an int in C.
            key = (scale, id(state), bonus, at_rural, teacher in retiring_now)
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = self._block(teacher, state, key, semester)
                self._totals[id(block)] = sum((line[3] for line in block), start=_ZERO)
            paid.append(teacher)
            states.append(state)
            priced.append(block)
        return PricedSegment(semester, paid, states, priced)

    def paid(self, segment: PricedSegment) -> Decimal:
        """The sum of a segment's amounts, from each priced block's total (booked here).

        Sums of 2-place amounts are exact (Decimal's 28 digits): the order does not matter.
        """
        return sum(map(self._totals.__getitem__, map(id, segment.priced)), start=_ZERO)

    def _retiring_in(self, position: int) -> frozenset[str]:
        """The teachers whose retirement semester is the one at ``position``."""
        if self._retiring_by_position is None:
            by_position: dict[int, set[str]] = {}
            for teacher, at in self.retiring.items():
                by_position.setdefault(at, set()).add(teacher)
            self._retiring_by_position = {k: frozenset(v) for k, v in by_position.items()}
        return self._retiring_by_position.get(position, frozenset())

    def _block(
        self,
        teacher_id: str,
        state: WaitingState,
        key: tuple[int, int, bool, bool, bool],
        semester: Semester,
    ) -> tuple[PricedLine, ...]:
        scale, _, bonus, rural, retiring = key
        kinds = self._kinds.get(state)
        if kinds is None:
            kinds = self._kinds[state] = line_kinds(state, self.policy)
        pay = self._pays[scale]
        basis = self.policy.year_end_bonus_basis
        block = []
        for component, share, rule, parameter, readings in kinds:
            # A component's base reads one amount of the pay (semester_base): teachers of
            # different scales share most of them, so each (amount, case, share) is priced once.
            value: Decimal = pay.__dict__[_PAY_FIELD[component]]
            # Equal Decimals of other exponents price alike (the base is quantized); -0 and
            # 0 do not (the sign is written), hence the signs in the key.
            amount_key = (
                component,
                value,
                value.is_signed(),
                bonus,
                rural,
                share,
                share.is_signed(),
            )
            priced = self._lines.get(amount_key)
            if priced is None:
                base = semester_base(pay, component, semester, rural=rural, bonus_basis=basis)
                if not in_range(base, share):
                    # out of range: pay_lines validates, and refuses, as before
                    pay_lines(teacher_id, pay, state, semester, self.policy, rural=rural)
                priced = self._lines[amount_key] = (base, round_yuan(base * share))
            if retiring:
                # Paid through the retirement semester: say which reading applied.
                readings = (*readings, self.reading)
            block.append((component, priced[0], share, priced[1], rule, parameter, readings))
        return tuple(block)
