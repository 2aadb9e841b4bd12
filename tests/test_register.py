"""The waiting register and re-competition as a real cycle (R7–R10): public functions only."""

from __future__ import annotations

from typing import Any

import pytest

import kgxp
from kgxp import Policy, Scenario, parse_scenario
from kgxp.checks.recompetition import verify_recompetition
from kgxp.waiting.payroll import payroll
from kgxp.waiting.recompetition_round import (
    RecompetitionOutcome,
    RecompetitionResult,
    apply_recompetition,
    recompetition_rows,
    run_recompetition,
)
from kgxp.waiting.register import (
    DismissalDecision,
    Register,
    RegisterError,
    add_vacancies,
    close_semester,
    record_decisions,
    record_departures,
    record_retirements,
    register_from_round,
    register_from_scenario,
)
from kgxp.waiting.state_machine import WaitingEvent, WaitingState
from tests.factories import post, school, teacher
from tests.test_simulate import PAY


def county(**changes: Any) -> Scenario:
    data = {
        "county": {"name": "模拟县", "synthetic": True},
        "competition_month": "2026-08",
        "staffing": {"total_posts": 2},
        "schools": [school("A", locality="rural"), school("B")],
        "posts": [post("A-CHN", "A", "语文", 1), post("B-CHN", "B", "语文", 1)],
        "teachers": [
            teacher("w", "A", score=90.0, pay=PAY, preferences=["A-CHN"]),
            teacher("v", "B", score=85.0, pay=PAY, preferences=["B-CHN"]),
            teacher("l", "A", score=80.0, pay=PAY, preferences=["A-CHN"]),
            teacher("d", "A", score=70.0, pay=PAY, preferences=["A-CHN"]),
        ],
    }
    data.update(changes)
    return parse_scenario(data)


def start(scenario: Scenario) -> Register:
    return register_from_round(scenario, kgxp.run_round(scenario))


def test_register_after_the_round_and_json_round_trip() -> None:
    register = start(county())
    assert str(register.semester) == "2026-autumn"
    assert register.waiting() == ("d", "l")
    entry = register.entry("l")
    assert entry.state is WaitingState.WAITING and entry.streak == 0 and not entry.due
    assert entry.school == "A" and entry.post is None  # assigned school (R7)
    assert entry.history[0].event is WaitingEvent.ROUND_NOT_PLACED and entry.history[0].rule == "R7"
    assert Register.model_validate_json(register.model_dump_json()) == register
    assert "entries" in Register.model_json_schema()["properties"]


def test_closing_a_semester_makes_the_round_due_and_forbids_skipping_it() -> None:
    policy = Policy()
    spring = close_semester(start(county()), policy)
    assert str(spring.semester) == "2026-spring"
    assert spring.due() == ("d", "l")
    assert spring.entry("l").streak == 1
    with pytest.raises(
        RegisterError,
        match=r"teacher d in state 'waiting' \(2026-spring\): illegal event 'term_end'",
    ):
        close_semester(spring, policy)  # R9: the re-competition comes first
    with pytest.raises(kgxp.KgxpError, match="teacher d"):
        payroll(spring, county(), policy)  # the outcome decides the pay


def test_recompetition_places_the_best_waiting_teacher_and_verifies() -> None:
    scenario, policy = county(), Policy()
    register = add_vacancies(close_semester(start(scenario), policy), {"A-CHN": 1})
    result = run_recompetition(scenario, register, policy)
    assert result.placed == {"l": "A-CHN"}
    assert verify_recompetition(scenario, register, result) == []
    assert RecompetitionResult.model_validate_json(result.model_dump_json()) == result
    assert recompetition_rows(result)[0][2:4] == ("继续待岗", "")  # d, in id order
    after = apply_recompetition(register, result, policy)
    assert after.entry("l").state is WaitingState.ON_POST and after.entry("l").post == "A-CHN"
    assert after.entry("d").state is WaitingState.CONTINUED_WAITING
    assert after.vacancies == {}
    with pytest.raises(RegisterError, match="another register"):
        apply_recompetition(after, result, policy)  # never twice


def _broken(result: RecompetitionResult, **by_teacher: dict[str, Any]) -> RecompetitionResult:
    outcomes = tuple(o.model_copy(update=by_teacher.get(o.teacher, {})) for o in result.outcomes)
    return result.model_copy(update={"outcomes": outcomes})


def test_verify_recompetition_catches_broken_results() -> None:
    scenario, policy = county(), Policy()
    register = add_vacancies(close_semester(start(scenario), policy), {"A-CHN": 1})
    result = run_recompetition(scenario, register, policy)

    def invariants(broken: RecompetitionResult) -> set[str]:
        return {v.invariant for v in verify_recompetition(scenario, register, broken)}

    # the weaker teacher takes the seat: justified envy (I7)
    assert "I7" in invariants(
        _broken(result, l={"post": None, "school": None}, d={"post": "A-CHN", "school": "A"})
    )
    # a post nobody could apply for (I3), two winners for one seat (I2)
    assert "I3" in invariants(_broken(result, d={"post": "B-CHN", "school": "B"}))
    assert "I2" in invariants(_broken(result, d={"post": "A-CHN", "school": "A"}))
    # a due teacher left out, or one who was not due (I1)
    dropped = result.model_copy(update={"outcomes": result.outcomes[1:]})
    assert "I1" in invariants(dropped)
    extra = RecompetitionOutcome(teacher="w", score=result.outcomes[0].score, applied=())
    assert "I1" in invariants(result.model_copy(update={"outcomes": (*result.outcomes, extra)}))
    # a loser with a school but no post (I9), a seat that stayed free (I7)
    assert "I9" in invariants(_broken(result, d={"school": "A"}))
    assert "I7" in invariants(_broken(result, l={"post": None, "school": None}))


def test_dismissal_review_and_human_decisions() -> None:
    scenario, policy = county(), Policy()
    register = start(scenario)
    for _ in range(policy.waiting_limit_semesters):
        register = close_semester(register, policy)
        if register.due():
            register = apply_recompetition(
                register, run_recompetition(scenario, register, policy), policy
            )
    assert [e.teacher for e in register.dismissal_review()] == ["d", "l"]  # R10 after 3 years
    assert register.entry("d").streak == policy.waiting_limit_semesters
    with pytest.raises(RegisterError, match=r"teacher w in state 'on_post'.*illegal decision"):
        record_decisions(
            register, [DismissalDecision(teacher="w", decision="dismiss", decided_by="局")], policy
        )
    decided = record_decisions(
        register,
        [
            DismissalDecision(teacher="d", decision="dismiss", decided_by="县教体局"),
            DismissalDecision(teacher="l", decision="retain", decided_by="县教体局"),
        ],
        policy,
    )
    assert decided.entry("d").state is WaitingState.LEFT
    assert decided.entry("l").state is WaitingState.DISMISSAL_REVIEW
    assert decided.entry("l").history[-1].source == "decision by 县教体局: retain"
    assert payroll(decided, scenario, policy) == tuple(
        line for line in payroll(register, scenario, policy) if line.teacher != "d"
    )


def test_departures_reopen_seats_and_unknown_teachers_fail() -> None:
    policy = Policy()
    register = start(county())
    left = record_departures(register, ["w"], policy)
    assert left.entry("w").state is WaitingState.LEFT and left.vacancies == {"A-CHN": 1}
    with pytest.raises(RegisterError, match="nobody"):
        record_departures(register, ["nobody"], policy)
    with pytest.raises(RegisterError, match="terminal"):
        record_departures(left, ["w"], policy)


def test_retirement_opens_the_seat() -> None:
    old = teacher(
        "r",
        "A",
        score=60.0,
        pay=PAY,
        sex="male",
        birth="1967-01",
        service_start="1988-09",
        preferences=["A-CHN"],
    )
    scenario = county(
        teachers=[*county().model_dump(mode="json")["teachers"], old],
        posts=[post("A-CHN", "A", "语文", 2), post("B-CHN", "B", "语文", 1)],
        staffing={"total_posts": 3},
    )
    policy = Policy(protect_near_retirement=False)
    register = start(scenario)
    assert register.entry("r").state is WaitingState.ON_POST
    spring = record_retirements(close_semester(register, policy), scenario, policy)
    assert spring.entry("r").state is WaitingState.ON_POST  # retires 2027-08: paid to the end
    spring = apply_recompetition(spring, run_recompetition(scenario, spring, policy), policy)
    after = record_retirements(close_semester(spring, policy), scenario, policy)
    assert after.entry("r").state is WaitingState.RETIRED and after.entry("r").post is None
    assert after.entry("r").history[-1].rule == "§4"
    assert after.vacancies == {"A-CHN": 1}


def test_a_scenario_can_carry_waiting_teachers_into_a_recompetition() -> None:
    scenario = county(
        competition_month="2027-02",
        waiting=[
            {
                "teacher": "l",
                "state": "continued_waiting",
                "streak": 3,
                "terms": 3,
                "since": "2025-autumn",
            },
            {"teacher": "d", "state": "waiting", "streak": 1, "since": "2026-autumn", "due": True},
        ],
    )
    assert kgxp.parse_scenario(kgxp.dump_scenario(scenario)) == scenario
    register = register_from_scenario(scenario)
    assert str(register.semester) == "2026-spring" and register.due() == ("d", "l")
    assert register.vacancies == {"A-CHN": 1, "B-CHN": 1}
    result = run_recompetition(scenario, register, Policy())
    assert verify_recompetition(scenario, register, result) == []
    assert sorted(result.placed) == ["d", "l"]
    with pytest.raises(kgxp.ScenarioError, match="listed twice"):
        county(
            waiting=[{"teacher": "l", "state": "waiting", "streak": 0, "since": "2026-autumn"}] * 2
        )


def test_scenarios_without_waiting_keep_their_digest_and_file() -> None:
    scenario = county()
    assert '"waiting"' not in kgxp.dump_scenario(scenario)
    assert "waiting" not in scenario.model_dump(mode="json")


def test_payroll_and_dismissal_review_files(tmp_path: Any) -> None:
    import openpyxl

    scenario, policy = county(), Policy()
    register = start(scenario)
    lines = payroll(register, scenario, policy)
    csv_path = kgxp.write_payroll(lines, scenario, tmp_path / "pay.csv")
    rows = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("学期,教师编号,姓名,状态,工资项目")
    # l waits its first term in autumn: half the year-end bonus, by R8's parameter
    assert (
        "2026-autumn,l,教师l,待岗,年终质量奖,12000.00,0.5,6000.00,R8,first_term_pay.year_end_bonus"
        in rows
    )
    first = kgxp.write_payroll(lines, scenario, tmp_path / "a.xlsx").read_bytes()
    assert kgxp.write_payroll(lines, scenario, tmp_path / "b.xlsx").read_bytes() == first
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert sheet["H1"].value == "发放金额(元)" and sheet.max_row == len(lines) + 1
    with pytest.raises(kgxp.KgxpError, match=r"\.csv or \.xlsx"):
        kgxp.write_payroll(lines, scenario, tmp_path / "pay.txt")
    for _ in range(policy.waiting_limit_semesters):
        register = close_semester(register, policy)
        if register.due():
            register = apply_recompetition(
                register, run_recompetition(scenario, register, policy), policy
            )
    review = kgxp.write_dismissal_review(register, scenario, tmp_path / "review.csv")
    lines_out = review.read_text(encoding="utf-8-sig").splitlines()
    assert lines_out[0].startswith("序号,教师编号,姓名,原学校,跟岗学校,连续待岗学期数")
    assert [row.split(",")[1] for row in lines_out[1:]] == ["d", "l"]


@pytest.mark.parametrize("order", ["validated", "reversed"])
def test_retirements_found_by_bisection_equal_the_frozen_scan(order: str) -> None:
    """record_retirements looks only at the teachers past their retirement semester (found by
    bisection in the id-ordered entries); entries out of that order (a register built without
    validation) are all looked at. Both retire exactly whom the frozen copy's full scan did."""
    from tests.conftest import EXAMPLE
    from tests.legacy_waiting import register as old

    example = kgxp.load_scenario(EXAMPLE)
    policy = Policy()
    result = kgxp.run_round(example)
    registers = [register_from_round(example, result), old.register_from_round(example, result)]

    def arranged(register: Any) -> Any:
        # Nobody competes here: an ended term is set back (not due) so the semester can close.
        entries = tuple(
            e.model_copy(update={"due": False}) if e.due else e for e in register.entries
        )
        return register.model_copy(
            update={"entries": entries[::-1] if order == "reversed" else entries}
        )

    retired = 0
    for _ in range(12):  # six years: teachers within three years of retirement retire
        closed = [
            close_semester(arranged(registers[0]), policy),
            old.close_semester(arranged(registers[1]), policy),
        ]
        registers = [
            record_retirements(closed[0], example, policy),
            old.record_retirements(closed[1], example, policy),
        ]
        assert registers[0].model_dump_json() == registers[1].model_dump_json()
        retired += sum(
            a is not b for a, b in zip(closed[0].entries, registers[0].entries, strict=True)
        )
    assert retired > 20
