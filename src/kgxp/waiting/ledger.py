"""The pay ledger: what a teacher is paid in one semester, line by line, with its source.

Each :class:`LedgerLine` is one pay component of one teacher in one semester:
the full amount for the semester (``base``), the share applied (``share``), the
amount paid, the rule (R8, R9, I10, R18) and the dotted :class:`~kgxp.model.policy.Policy`
parameter it read (``first_term_pay.year_end_bonus``), so every yuan traces back to
one parameter and one policy sentence.

Rules (domain §5):

- ``on_post`` — every component in full (I10: on-post pay is unchanged); the rural
  allowances only at a rural school (R18). No policy parameter is read.
- ``waiting`` — the first waiting term: ``policy.first_term_pay`` (R8: basic salary,
  basic performance pay and at most ``first_term_bonus_cap`` of the year-end bonus;
  no incentive pay).
- ``continued_waiting`` and ``dismissal_review`` — ``policy.continued_pay`` (R9: basic
  salary and basic performance pay only). A teacher under review is paid as in
  continued waiting until a human decides (R10).
- terminal states (``retired``, ``left``, ``contract_ended``) — no lines.

``base`` is the monthly amount × 6 (months per semester); the yearly year-end bonus
by ``policy.year_end_bonus_basis`` — all of it in the autumn semester (which holds the
calendar year end, see :mod:`kgxp.model.semester`) and 0 in spring (the default, so a
first waiting term in spring books no share), or half in each semester — and the
monthly rural allowance × 6 when ``rural`` (else 0: R18 pays it only at
rural schools). ``amount`` is ``base × share`` rounded to the fen (0.01 yuan) with
``ROUND_HALF_UP``, line by line; a semester's pay is the sum of its lines. A line's
``readings`` name the readings (not the seed's words) that shaped it: the year-end bonus
line carries ``year_end_bonus_basis=…``; a simulation marks a retiree's lines in the
semester holding the retirement month ``retirement_vacancy=next_semester``.

Why :func:`kgxp.waiting.step` does not return pay lines
-------------------------------------------------------
The issue sketched ``step(state, event, policy) -> (new_state, ledger_lines)``.
kgxp keeps the two apart: ``step`` returns the new status only, and
:func:`ledger_for` prices a status. Pay needs inputs the state machine does not
(the teacher's :class:`~kgxp.model.scenario.Pay`, whether their school is rural, their
id); several events can fall in one semester (``term_end`` then a round's outcome)
while pay is booked once per semester, so a lines-returning ``step`` would return
empty lists for most events and invite double booking; and the two invariants
are tested on their own: I11 on ``step`` alone, I10 on :func:`pay_lines` alone. A
ledger can also be recomputed from stored statuses without replaying events.

>>> from decimal import Decimal
>>> from kgxp import Pay, Policy
>>> from kgxp.model.semester import Semester
>>> from kgxp.waiting.state_machine import WaitingState
>>> pay = Pay(basic_salary="4000.00", basic_performance="1700.00",
...           incentive_performance="700.00", year_end_bonus="12000.00")
>>> lines = pay_lines("T1", pay, WaitingState.WAITING, Semester.parse("2026-autumn"),
...                   Policy(), rural=False)
>>> [(line.component.value, str(line.amount)) for line in lines if line.amount]
[('basic_salary', '24000.00'), ('basic_performance', '10200.00'), ('year_end_bonus', '6000.00')]
>>> total(lines), lines[3].parameter
(Decimal('40200.00'), 'first_term_pay.year_end_bonus')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Self

from pydantic import Field, model_validator

from kgxp._internal.decimals import KGXP_DECIMAL_CONTEXT, in_kgxp_decimal_context
from kgxp._internal.frozen import FrozenModel, Id
from kgxp.exceptions import KgxpError
from kgxp.model.arguments import policy_argument
from kgxp.model.policy import Policy, WaitingTermPay, YearEndBonusBasis
from kgxp.model.scenario import Pay
from kgxp.model.semester import MONTHS_PER_SEMESTER, Semester
from kgxp.waiting._rows import constructor
from kgxp.waiting.columns import ColumnRows
from kgxp.waiting.state_machine import TeacherWaiting, WaitingState

__all__ = [
    "CENT",
    "LedgerError",
    "LedgerLine",
    "LedgerLines",
    "PayComponent",
    "ledger_for",
    "ledger_table",
    "pay_lines",
    "round_yuan",
    "semester_base",
    "total",
]

CENT: Final = Decimal("0.01")
_PAY_CONTEXT: Final = KGXP_DECIMAL_CONTEXT.copy()


class PayComponent(StrEnum):
    """The pay components of domain §5; the names match :class:`~kgxp.model.policy.WaitingTermPay`."""

    BASIC_SALARY = "basic_salary"  # 基本工资, monthly
    BASIC_PERFORMANCE = "basic_performance"  # 基础性绩效, monthly
    INCENTIVE_PERFORMANCE = "incentive_performance"  # 奖励性绩效, monthly on average
    YEAR_END_BONUS = "year_end_bonus"  # 年终质量奖, yearly, in the autumn semester
    ALLOWANCES = "allowances"  # R18 rural allowances, monthly, at rural schools only


class LedgerError(KgxpError, ValueError):
    """A ledger cannot be booked as asked (a pending round, a policy breaking R8's cap)."""


def round_yuan(value: Decimal) -> Decimal:
    """``value`` rounded to the fen (2 places) with ``ROUND_HALF_UP``.

    >>> round_yuan(Decimal("6172.825")), round_yuan(Decimal("0.004"))
    (Decimal('6172.83'), Decimal('0.00'))
    """
    # In a context of its own: called per line, and directly by callers whose context
    # (a notebook's prec=3) could not hold the amount.
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_PAY_CONTEXT)


Yuan = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class LedgerLine(FrozenModel):
    """One pay component of one teacher in one semester, and where its amount came from.

    ``amount`` is ``base × share`` rounded to 2 places with ``ROUND_HALF_UP``;
    the model checks it, so a ledger read back from JSON is consistent too.
    """

    teacher: Id
    semester: Semester
    state: WaitingState
    component: PayComponent
    base: Yuan = Field(description="the full amount for the semester")
    share: Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="the share paid: the policy's value while waiting, 1 on post"
    )
    amount: Yuan = Field(description="base × share, 2 places, ROUND_HALF_UP")
    rule: str = Field(description="R8, R9, I10 (on post) or R18 (on-post allowances)")
    parameter: str | None = Field(
        description="the dotted Policy field read, e.g. first_term_pay.year_end_bonus; "
        "None on post (the teacher's own pay, unchanged)"
    )
    readings: tuple[str, ...] = Field(
        default=(),
        description="the readings of the policy that shaped this line, as parameter=value "
        "(year_end_bonus_basis on the bonus line; retirement_vacancy in a retirement semester)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.state.is_terminal:
            raise ValueError(f"no pay is booked in the terminal state {self.state.value!r}")
        # R8/§5: base × share in kgxp's decimal context, whoever validates the line (a
        # notebook at prec=3 would round the product before round_yuan sees it).
        expected = round_yuan(_PAY_CONTEXT.multiply(self.base, self.share))
        if self.amount != expected:
            raise ValueError(
                f"amount {self.amount} is not base {self.base} × share {self.share} "
                f"rounded half up ({expected})"
            )
        return self


def semester_base(
    pay: Pay,
    component: PayComponent,
    semester: Semester,
    *,
    rural: bool,
    bonus_basis: YearEndBonusBasis = YearEndBonusBasis.AUTUMN_SEMESTER,
) -> Decimal:
    """The full amount of one component for one semester (before any share).

    Monthly components × 6; the year-end bonus by ``bonus_basis``: all in the autumn
    semester (which holds the year end) and 0 in spring, or half in each (autumn the
    half rounded to the fen, spring the rest, so a year adds up exactly); the rural
    allowance × 6 when ``rural``, else 0 (R18).
    """
    months = Decimal(MONTHS_PER_SEMESTER)
    if component is PayComponent.BASIC_SALARY:
        base = pay.basic_salary * months
    elif component is PayComponent.BASIC_PERFORMANCE:
        base = pay.basic_performance * months
    elif component is PayComponent.INCENTIVE_PERFORMANCE:
        base = pay.incentive_performance * months
    elif component is PayComponent.YEAR_END_BONUS:
        if bonus_basis is YearEndBonusBasis.HALF_EACH_SEMESTER:
            autumn = round_yuan(pay.year_end_bonus / 2)
            base = autumn if semester.holds_year_end_bonus else pay.year_end_bonus - autumn
        else:
            base = pay.year_end_bonus if semester.holds_year_end_bonus else Decimal(0)
    else:
        base = pay.rural_allowance * months if rural else Decimal(0)
    return round_yuan(base)


def _waiting_rule(state: WaitingState, policy: Policy) -> tuple[str, str, WaitingTermPay]:
    if state is WaitingState.WAITING:
        if policy.first_term_pay.year_end_bonus > policy.first_term_bonus_cap:
            # Policy validation forbids this; model_copy(update=...) can bypass it.
            raise LedgerError(
                f"first_term_pay.year_end_bonus {policy.first_term_pay.year_end_bonus} exceeds "
                f"first_term_bonus_cap {policy.first_term_bonus_cap} (R8, I10)"
            )
        return "R8", "first_term_pay", policy.first_term_pay
    return "R9", "continued_pay", policy.continued_pay


LineKind = tuple[PayComponent, Decimal, str, str | None, tuple[str, ...]]
"""What the state and the policy decide of a line: component, share, rule, parameter, readings."""


def line_kinds(state: WaitingState, policy: Policy) -> tuple[LineKind, ...]:
    """Per :class:`PayComponent`, the share, rule, parameter and readings of a non-terminal
    ``state``'s line under ``policy`` (the teacher's pay gives the base)."""
    basis = policy.year_end_bonus_basis
    kinds = []
    for component in PayComponent:
        if state is WaitingState.ON_POST:
            share = Decimal(1)
            rule = "R18" if component is PayComponent.ALLOWANCES else "I10"
            parameter = None
        else:
            rule, group, shares = _waiting_rule(state, policy)
            share = getattr(shares, component.value)
            parameter = f"{group}.{component.value}"
        readings = (
            (f"year_end_bonus_basis={basis.value}",)
            if component is PayComponent.YEAR_END_BONUS
            else ()
        )
        kinds.append((component, share, rule, parameter, readings))
    return tuple(kinds)


@in_kgxp_decimal_context
def pay_lines(
    teacher_id: str,
    pay: Pay,
    state: WaitingState,
    semester: Semester,
    policy: Policy,
    *,
    rural: bool,
) -> list[LedgerLine]:
    """The ledger lines of one teacher in one semester, one per :class:`PayComponent`.

    ``rural`` says whether the teacher's school this semester is rural (R18).
    Terminal states give no lines. See the module docstring for the rules.
    """
    policy = policy_argument(policy, optional=False)
    state = WaitingState(state)
    if state.is_terminal:
        return []
    lines = []
    basis = policy.year_end_bonus_basis
    for component, share, rule, parameter, readings in line_kinds(state, policy):
        base = semester_base(pay, component, semester, rural=rural, bonus_basis=basis)
        values = (
            teacher_id,
            semester,
            state,
            component,
            base,
            share,
            round_yuan(base * share),
            rule,
            parameter,
            readings,
        )
        # The amount is base × share rounded as the model checks; validating again only
        # matters for a pay or policy built around validation (model_copy(update=...)).
        lines.append(
            _new_line(*values)
            if in_range(base, share)
            else LedgerLine.model_validate(dict(zip(_FIELDS, values, strict=True)))
        )
    return lines


def in_range(base: Decimal, share: Decimal) -> bool:
    """What :class:`LedgerLine` requires of a base and a share (finite, ≥ 0, share ≤ 1)."""
    return base.is_finite() and base >= 0 and share.is_finite() and 0 <= share <= 1


_new_line = constructor(LedgerLine)
_FIELDS = tuple(LedgerLine.model_fields)


PricedLine = tuple[PayComponent, Decimal, Decimal, Decimal, str, str | None, tuple[str, ...]]
"""A line without its teacher, semester and state: component, base, share, amount, rule,
parameter, readings."""


class PricedSegment:
    """One semester's lines as, per paid teacher, the state and the priced lines (shared
    between the teachers and semesters priced alike); valid already, not validated again."""

    __slots__ = ("priced", "semester", "states", "teachers")

    def __init__(
        self,
        semester: Semester,
        teachers: list[str],
        states: list[WaitingState],
        priced: list[tuple[PricedLine, ...]],
    ) -> None:
        self.semester = semester
        self.teachers = teachers
        self.states = states
        self.priced = priced

    def __len__(self) -> int:
        # Every paid teacher has one line per component (pay_lines).
        return len(self.teachers) * len(PayComponent)

    def model(self, position: int) -> LedgerLine:
        teacher, component = divmod(position, len(PayComponent))
        return _new_line(
            self.teachers[teacher],
            self.semester,
            self.states[teacher],
            *self.priced[teacher][component],
        )

    def models(self) -> Iterator[LedgerLine]:
        return (_new_line(*row) for row in self.rows())

    def rows(self) -> Iterator[tuple[Any, ...]]:
        semester = self.semester
        for teacher, state, lines in zip(self.teachers, self.states, self.priced, strict=True):
            for line in lines:
                yield (teacher, semester, state, *line)

    def __reduce__(self) -> tuple[Any, ...]:
        return (PricedSegment, (self.semester, self.teachers, self.states, self.priced))


class LedgerLines(ColumnRows[LedgerLine]):
    """:class:`LedgerLine` rows, semester after semester, built on access.

    A read-only sequence: ``len``, indexing, slicing (a tuple), iteration and ``==``
    as the tuple of lines it replaces; ``tuple(ledger)`` gives that tuple.
    """

    model = LedgerLine
    __slots__ = ()

    def for_teacher(self, teacher_id: str) -> list[LedgerLine]:
        """One teacher's lines, in order (only theirs are built)."""
        return [_new_line(*row) for row in self.rows() if row[0] == teacher_id]


@in_kgxp_decimal_context
def ledger_for(
    teacher_id: str, status: TeacherWaiting, pay: Pay, policy: Policy, *, rural: bool
) -> list[LedgerLine]:
    """:func:`pay_lines` for ``status.state`` in ``status.semester``.

    Raises :class:`LedgerError` while ``status.awaiting_round``: the teacher's
    waiting term has ended and the re-competition's outcome decides the state the
    new semester is paid in (R9), so apply it with :func:`kgxp.waiting.step` first.
    """
    policy = policy_argument(policy, optional=False)
    if status.awaiting_round:
        raise LedgerError(
            f"teacher {teacher_id} in {status.semester}: the waiting term has ended and the "
            "re-competition's outcome is not applied yet (R9); step() it before booking pay"
        )
    return pay_lines(teacher_id, pay, status.state, status.semester, policy, rural=rural)


@in_kgxp_decimal_context
def total(lines: Iterable[LedgerLine]) -> Decimal:
    """The sum of the lines' amounts (2 places)."""
    return round_yuan(sum((line.amount for line in lines), Decimal(0)))


def ledger_table(lines: Iterable[LedgerLine]) -> str:
    """The lines as a Markdown table, in the order given."""
    rows = [
        "| teacher | semester | state | component | base | share | amount | rule | parameter |",
        "|---|---|---|---|---:|---:|---:|---|---|",
    ]
    for line in lines:
        rows.append(
            f"| {line.teacher} | {line.semester} | {line.state.value} | {line.component.value} "
            f"| {line.base} | {line.share} | {line.amount} | {line.rule} "
            f"| {line.parameter or '—'} |"
        )
    return "\n".join(rows)
