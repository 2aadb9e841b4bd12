"""Payroll lines and the dismissal-review list as files for the payroll office and the bureau.

:func:`write_payroll` writes a semester's pay lines (:func:`kgxp.waiting.payroll.payroll`)
as CSV (UTF-8 with BOM, opens in Excel) or .xlsx, chosen by the file's suffix, with
Chinese headers; each line keeps the rule and the policy parameter it read, in
audit columns at the end. :func:`write_dismissal_review` writes the teachers under
dismissal review (R10) with an empty column for the human decision: kgxp never
dismisses anybody. Same input, byte-identical file.

>>> import kgxp, tempfile, pathlib
>>> from kgxp.waiting.register import register_from_round
>>> from kgxp.waiting.payroll import payroll
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> register = register_from_round(scenario, kgxp.run_round(scenario))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_payroll(payroll(register, scenario, kgxp.Policy()), scenario, folder / "pay.csv")
>>> path.read_text(encoding="utf-8-sig").splitlines()[0]
'学期,教师编号,姓名,状态,工资项目,全额(元),发放比例,发放金额(元),依据规则,政策参数'
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.exceptions import KgxpError
from kgxp.files.safe_output import write_csv
from kgxp.files.workbook import write_workbook
from kgxp.model.arguments import scenario_argument
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id
from kgxp.waiting.ledger import LedgerLine, PayComponent
from kgxp.waiting.register import Register, register_of
from kgxp.waiting.state_machine import WaitingState

__all__ = [
    "DISMISSAL_REVIEW_HEADER",
    "PAYROLL_HEADER",
    "dismissal_review_rows",
    "payroll_rows",
    "write_dismissal_review",
    "write_payroll",
]

StrPath = str | PathLike[str]

PAYROLL_HEADER = (
    "学期",
    "教师编号",
    "姓名",
    "状态",
    "工资项目",
    "全额(元)",
    "发放比例",
    "发放金额(元)",
    "依据规则",
    "政策参数",
)
DISMISSAL_REVIEW_HEADER = (
    "序号",
    "教师编号",
    "姓名",
    "原学校",
    "跟岗学校",
    "连续待岗学期数",
    "待岗起始学期",
    "处理决定(解聘/保留)",
    "决定人",
    "备注",
)

STATE_NAMES = {
    WaitingState.ON_POST: "在岗",
    WaitingState.WAITING: "待岗",
    WaitingState.CONTINUED_WAITING: "继续待岗",
    WaitingState.DISMISSAL_REVIEW: "待岗满三年待处理",
    WaitingState.RETIRED: "退休",
    WaitingState.LEFT: "离岗",
    WaitingState.CONTRACT_ENDED: "终止聘用",
}
COMPONENT_NAMES = {
    PayComponent.BASIC_SALARY: "基本工资",
    PayComponent.BASIC_PERFORMANCE: "基础性绩效",
    PayComponent.INCENTIVE_PERFORMANCE: "奖励性绩效",
    PayComponent.YEAR_END_BONUS: "年终质量奖",
    PayComponent.ALLOWANCES: "乡村教师补贴",
}


class ExportError(KgxpError, ValueError):
    """A file cannot be written as asked (an unknown suffix)."""


def payroll_rows(lines: Iterable[LedgerLine], scenario: Scenario) -> list[tuple[str, ...]]:
    """One row per pay line, in the order given: the columns of :data:`PAYROLL_HEADER`."""
    names = {t.id: t.name for t in scenario.teachers}
    return [
        (
            str(line.semester),
            line.teacher,
            names.get(line.teacher, ""),
            STATE_NAMES[line.state],
            COMPONENT_NAMES[line.component],
            str(line.base),
            str(line.share),
            str(line.amount),
            line.rule,
            line.parameter or "",
        )
        for line in lines
    ]


def dismissal_review_rows(register: Register, scenario: Scenario) -> list[tuple[str, ...]]:
    """The teachers under dismissal review (R10), in id order, decision columns empty."""
    scenario = scenario_argument(scenario)
    register = register_of(scenario, register)  # made from this scenario (I12)
    teachers = teachers_by_id(scenario)
    rows: list[tuple[str, ...]] = []
    for number, entry in enumerate(register.dismissal_review(), start=1):
        teacher = teachers.get(entry.teacher)
        rows.append(
            (
                str(number),
                entry.teacher,
                teacher.name if teacher else "",
                teacher.school if teacher else "",
                entry.school or "",
                str(entry.streak),
                str(entry.streak_began or ""),
                "",
                "",
                "",
            )
        )
    return rows


@in_kgxp_decimal_context
def write_payroll(lines: Iterable[LedgerLine], scenario: Scenario, path: StrPath) -> Path:
    """Write pay lines to ``path`` (``.csv`` or ``.xlsx``) with Chinese headers."""
    scenario = scenario_argument(scenario)
    return _write(Path(path), "工资明细", PAYROLL_HEADER, payroll_rows(lines, scenario))


@in_kgxp_decimal_context
def write_dismissal_review(register: Register, scenario: Scenario, path: StrPath) -> Path:
    """Write the dismissal-review list (R10) of ``register`` to ``path`` (``.csv``/``.xlsx``)."""
    rows = dismissal_review_rows(register, scenario)  # checks both, before anything is written
    return _write(Path(path), "待处理名单", DISMISSAL_REVIEW_HEADER, rows)


def _write(path: Path, sheet: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(path, header, rows)
    if suffix == ".xlsx":
        return write_workbook(path, [(sheet, header, rows)])
    raise ExportError(f"{path}: write .csv or .xlsx, not {suffix or 'a file without suffix'!r}")
