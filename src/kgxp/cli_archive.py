"""``kgxp archive …``: a county's cycle, semester by semester, kept in an archive.

ARCHIVE is a file path (a SQLite archive, e.g. ``county.kgxp.db`` next to the rosters) or
a database URL (``postgresql+psycopg://user@host/db``). The cycle (docs/semesters.md)::

    kgxp archive create county.kgxp.db
    kgxp archive round county.kgxp.db roster.xlsx        # summer round, autumn register and payroll
    kgxp archive payroll county.kgxp.db 2026-autumn 工资.xlsx
    kgxp archive close county.kgxp.db                    # the semester ends: spring register
    kgxp archive recompete county.kgxp.db                # spring re-competition and payroll
    kgxp archive review county.kgxp.db 2029-autumn 待处理名单.xlsx
    kgxp archive decide county.kgxp.db T00042 retain --by 县教体局
    kgxp archive history county.kgxp.db T00042
    kgxp archive check county.kgxp.db

Needs ``pip install 'kgxp[archive]'``. Exit status 0 on success, 1 when a check or
verify finds a problem, 2 on usage errors (see :mod:`kgxp.cli`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kgxp.checks.recompetition import verify_recompetition
from kgxp.checks.verify import verify
from kgxp.cli_options import seed_option
from kgxp.exceptions import KgxpError
from kgxp.files.payroll import STATE_NAMES, write_dismissal_review, write_payroll
from kgxp.model.policy import preset
from kgxp.model.semester import Semester
from kgxp.round.engine import run_round
from kgxp.waiting.payroll import payroll
from kgxp.waiting.recompetition_round import apply_recompetition, run_recompetition
from kgxp.waiting.register import (
    DismissalDecision,
    Register,
    add_vacancies,
    close_semester,
    record_decisions,
    record_retirements,
    register_from_round,
)

if TYPE_CHECKING:
    from kgxp.archive import Archive

__all__ = ["add_archive_commands"]


def add_archive_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``archive`` command and its sub-commands."""
    archive = commands.add_parser("archive", help="a county's semesters kept in an archive")
    sub = archive.add_subparsers(required=True, metavar="STEP")

    def step(name: str, help: str, handler: object) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help)
        parser.add_argument("archive", help="archive file (SQLite) or database URL")
        parser.set_defaults(handler=handler)
        return parser

    step("create", "create an archive (or bring it to the current schema)", _create)
    step("upgrade", "migrate an archive to the current schema", _create)
    placed = step("round", "run the placement round into the archive", _round)
    placed.add_argument("scenario", type=Path, help="scenario JSON, .xlsx roster or CSV directory")
    placed.add_argument("--policy", default="default", help="policy preset (default: default)")
    placed.add_argument("--seed", type=seed_option, default=None, help="lottery seed (抽签)")
    closing = step("close", "close the current semester: the next semester's register", _close)
    closing.add_argument(
        "--open",
        action="append",
        default=[],
        metavar="POST=SEATS",
        help="seats that open at the boundary (repeat); without it a retiree's seat opens",
    )
    step("recompete", "run the semester's re-competition (R9) and book its payroll", _recompete)
    pay = step("payroll", "export a semester's payroll lines (.csv or .xlsx)", _payroll)
    pay.add_argument("semester", help="e.g. 2026-autumn")
    pay.add_argument("out", type=Path)
    review = step("review", "export a semester's dismissal-review list (R10)", _review)
    review.add_argument("semester")
    review.add_argument("out", type=Path)
    decide = step("decide", "record a human decision on a dismissal review (R10)", _decide)
    decide.add_argument("teacher")
    decide.add_argument("decision", choices=["dismiss", "retain"])
    decide.add_argument("--by", required=True, help="who decided")
    decide.add_argument("--note", default="")
    history = step("history", "print a teacher's whole stored history", _history)
    history.add_argument("teacher")
    step("check", "check the archive's hash chain", _check)


def _url(text: str) -> str:
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def _open(args: argparse.Namespace) -> Archive:
    from kgxp.archive import Archive

    return Archive.open(_url(args.archive))


def _create(args: argparse.Namespace) -> int:
    from kgxp.archive import create_archive

    with create_archive(_url(args.archive)) as archive:
        print(f"档案库就绪 / archive ready: schema {archive.schema_version()}")
    return 0


def _round(args: argparse.Namespace) -> int:
    from kgxp.cli import _load

    scenario = _load(args.scenario)
    policy = preset(args.policy)
    result = run_round(scenario, policy=policy, seed=args.seed)
    violations = verify(scenario, result)
    if violations:
        for violation in violations:
            print(f"  {violation}")
        return 1
    register = register_from_round(scenario, result)
    with _open(args) as archive, archive.writing() as w:
        key = w.add_round(scenario, result)
        w.add_register(register)
        w.add_payroll(register.semester, payroll(register, scenario, policy))
    print(f"竞聘结果已存档 / round stored: {key[:12]}")
    _print_register_counts(register)
    return 0


def _close(args: argparse.Namespace) -> int:
    seats: dict[str, int] = {}
    for item in args.open:
        post, _, n = item.partition("=")
        if not post or not n.isdigit():
            raise KgxpError(f"--open wants POST=SEATS, not {item!r}")
        seats[post] = seats.get(post, 0) + int(n)
    with _open(args) as archive:
        _, result = archive.latest_round()
        register = archive.latest_register()
        scenario = archive.scenario(register.scenario_digest)
        unknown = sorted(set(seats) - {p.id for p in scenario.posts})
        if unknown:
            raise KgxpError(f"--open names unknown posts: {', '.join(unknown)}")
        policy = result.policy
        register = close_semester(register, policy)
        register = record_retirements(register, scenario, policy, reopen_seats=not seats)
        register = add_vacancies(register, seats)
        with archive.writing() as w:
            w.add_register(register)
    print(f"学期已结束 / semester closed: now {register.semester}")
    print(f"  待竞聘 / due to re-compete: {len(register.due())}")
    return 0


def _recompete(args: argparse.Namespace) -> int:
    with _open(args) as archive:
        _, placed = archive.latest_round()
        register = archive.latest_register()
        scenario = archive.scenario(register.scenario_digest)
        policy = placed.policy
        result = run_recompetition(scenario, register, policy, seed=placed.seed)
        violations = verify_recompetition(scenario, register, result)
        if violations:
            for violation in violations:
                print(f"  {violation}")
            return 1
        register = apply_recompetition(register, result, policy)
        with archive.writing() as w:
            w.add_recompetition(result)
            w.add_register(register)
            w.add_payroll(register.semester, payroll(register, scenario, policy))
    print(f"{register.semester} 竞聘上岗 / placed: {len(result.placed)} of {len(result.outcomes)}")
    _print_register_counts(register)
    return 0


def _payroll(args: argparse.Namespace) -> int:
    with _open(args) as archive:
        semester = Semester.parse(args.semester)
        register = archive.register_at(semester)
        lines = archive.payroll(semester)
        write_payroll(lines, archive.scenario(register.scenario_digest), args.out)
    print(f"工资明细 / payroll: {len(lines)} lines → {args.out}")
    return 0


def _review(args: argparse.Namespace) -> int:
    with _open(args) as archive:
        register = archive.register_at(Semester.parse(args.semester))
        scenario = archive.scenario(register.scenario_digest)
        write_dismissal_review(register, scenario, args.out)
    print(f"待处理名单 / dismissal review: {len(register.dismissal_review())} → {args.out}")
    return 0


def _decide(args: argparse.Namespace) -> int:
    decision = DismissalDecision(
        teacher=args.teacher, decision=args.decision, decided_by=args.by, note=args.note
    )
    with _open(args) as archive:
        _, placed = archive.latest_round()
        register = record_decisions(archive.latest_register(), [decision], placed.policy)
        with archive.writing() as w:
            w.add_decisions(register.semester, [decision])
            w.add_register(register)
    print(f"决定已记录 / decision recorded: {args.teacher} {args.decision}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with _open(args) as archive:
        history = archive.teacher_history(args.teacher)
    print(f"教师 {history.teacher} 的记录 / history")
    for semester, entry in history.entries:
        where = entry.post or entry.school or ""
        print(f"  {semester}  {STATE_NAMES[entry.state]}  连续待岗 {entry.streak}  {where}")
    for name, post in history.recompetitions:
        print(f"  {name}: {post or '未竞聘上岗'}")
    for decision in history.decisions:
        print(f"  决定 / decision: {decision.decision} ({decision.decided_by})")
    return 0


def _check(args: argparse.Namespace) -> int:
    with _open(args) as archive:
        problems = archive.check_chain()
        count = len(archive.records())
    if problems:
        print(f"档案被改动 / the archive was edited: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  record {problem.seq}: {problem.message}")
        return 1
    print(f"哈希链完整 / hash chain intact: {count} records")
    return 0


def _print_register_counts(register: Register) -> None:
    print(
        f"  {register.semester}: 待岗 / waiting {len(register.waiting())}, "
        f"待处理 / dismissal review {len(register.dismissal_review())}"
    )
