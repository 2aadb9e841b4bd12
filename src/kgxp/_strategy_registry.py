"""Hypothesis strategies for every public kgxp type, registered for ``st.from_type``.

The strategies themselves are :mod:`kgxp.testing`'s; this module maps each public type
to one. :func:`register_strategies` runs when :mod:`kgxp.testing` is imported, and through
Hypothesis's ``hypothesis`` entry point when kgxp is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from kgxp.checks.violation import Violation, ViolationDocument
from kgxp.exceptions import ErrorDocument, Problem, ScenarioError
from kgxp.files.published_lists import PublicationList, publication_lists
from kgxp.files.scenario_json import parse_scenario
from kgxp.lottery.odds import LotteryOdds, TeacherOdds, lottery_odds
from kgxp.model.months import YearMonth
from kgxp.model.policy import (
    DistributionalTargets,
    EvaluationWeights,
    Mechanism,
    ParameterInfo,
    Policy,
    RoundSpec,
    WaitingTermPay,
)
from kgxp.model.result import (
    Conflict,
    Outcome,
    OutcomeTable,
    PolicyException,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    SolverStats,
    TargetReport,
    WarningTalk,
)
from kgxp.model.retirement import StatutoryRetirement, statutory_retirement
from kgxp.model.scenario import (
    County,
    Evaluation,
    IncomingWaiting,
    Pay,
    Post,
    Scenario,
    School,
    Staffing,
    Teacher,
)
from kgxp.model.semester import Semester
from kgxp.round.warning import warning_list
from kgxp.testing import (
    comparisons,
    invalid_scenario_data,
    pay_data,
    policies,
    rounds,
    scenarios,
    simulations,
    waiting_histories,
)
from kgxp.views.comparison import Comparison, OutcomeChange, SeatChange
from kgxp.views.metrics import BalanceRow, RoundMetrics, round_metrics
from kgxp.views.report import ReportSection, ReportTable, report_sections
from kgxp.views.summary import ScenarioSummary, SchoolCounts, summarize
from kgxp.waiting.ledger import LedgerLine, LedgerLines
from kgxp.waiting.recompetition_round import (
    RecompetitionOutcome,
    RecompetitionResult,
    run_recompetition,
)
from kgxp.waiting.records import SemesterRecords
from kgxp.waiting.register import (
    DismissalDecision,
    Register,
    RegisterEntry,
    close_semester,
    register_from_round,
)
from kgxp.waiting.simulation import SemesterRecord, SemesterSummary, Simulation
from kgxp.waiting.state_machine import TeacherWaiting, WaitingEvent, step

__all__ = ["register_strategies"]


_T = TypeVar("_T")


def _one_of(
    source: st.SearchStrategy[Any], items: Callable[[Any], Sequence[_T]]
) -> st.SearchStrategy[_T]:
    """One of the ``items`` of a drawn value (a teacher of a scenario, an outcome of a result)."""
    return source.map(items).filter(bool).flatmap(lambda found: st.sampled_from(list(found)))


def _registry() -> dict[type, st.SearchStrategy[Any]]:
    small = scenarios(max_teachers=8)
    paid = scenarios(max_teachers=8, pay=True)
    round_pairs = rounds(small)
    done = round_pairs.map(lambda pair: pair[1])
    simulated = simulations(max_semesters=3)
    ids = st.from_regex(r"[A-Z][0-9]{1,3}", fullmatch=True)
    _shares = st.integers(0, 100).map(lambda n: Decimal(n) / 100)
    registers = round_pairs.map(lambda pair: register_from_round(*pair))
    recompeted = round_pairs.map(_recompeted)
    odds = st.builds(
        lambda s, p, n: lottery_odds(s, p, draws=n, executor="serial"),
        small,
        policies(),
        st.integers(1, 3),
    )
    return {
        YearMonth: st.builds(YearMonth, st.integers(1950, 2100), st.integers(1, 12)),
        Semester: st.builds(
            lambda year, term: Semester.parse(f"{year}-{term}"),
            st.integers(1990, 2100),
            st.sampled_from(["autumn", "spring"]),
        ),
        Scenario: scenarios(),
        County: small.map(lambda s: s.county),
        Staffing: small.map(lambda s: s.staffing),
        School: _one_of(small, lambda s: s.schools),
        Post: _one_of(small, lambda s: s.posts),
        Teacher: _one_of(paid, lambda s: s.teachers),
        Pay: pay_data().map(Pay.model_validate),
        Evaluation: st.fixed_dictionaries(
            {
                k: st.integers(0, 100).map(float)
                for k in (
                    "student_rating",
                    "peer_review",
                    "quality_assessment",
                    "school_evaluation",
                )
            }
        ).map(Evaluation.model_validate),
        Policy: policies(),
        RoundSpec: _one_of(policies(), lambda p: p.rounds),
        EvaluationWeights: st.sampled_from(
            [
                EvaluationWeights(),
                EvaluationWeights.model_validate(
                    {
                        "student_rating": "0.4",
                        "peer_review": "0.2",
                        "quality_assessment": "0.2",
                        "school_evaluation": "0.2",
                    }
                ),
            ]
        ),
        WaitingTermPay: policies().map(lambda p: p.continued_pay),
        ParameterInfo: st.sampled_from(Policy.parameters()),
        StatutoryRetirement: st.builds(
            statutory_retirement,
            st.builds(YearMonth, st.integers(1950, 2005), st.integers(1, 12)),
            st.sampled_from([50, 55, 60]),
        ),
        RoundResult: done,
        Outcome: _one_of(done, lambda r: r.outcomes),
        OutcomeTable: done.map(lambda r: r.outcomes),  # the engine's columns
        Reason: _one_of(done, lambda r: [x for o in r.outcomes for x in o.reasons]),
        PostSeats: _one_of(done, lambda r: r.posts),
        RoundStats: _one_of(done, lambda r: r.rounds),
        SolverStats: st.builds(
            SolverStats,
            mechanism=st.sampled_from([m.value for m in Mechanism]),
            status=st.sampled_from(["OPTIMAL", "FEASIBLE"]),
            objective=st.integers(0, 100),
        ),
        Conflict: st.builds(
            Conflict,
            rule=st.just("R3"),
            teacher=ids,
            school=ids,
            message=st.just("no seat left at the receiving school"),
        ),
        Simulation: simulated.map(lambda pair: pair[1]),
        SemesterRecord: _one_of(simulated, lambda pair: pair[1].records),
        SemesterSummary: _one_of(simulated, lambda pair: pair[1].summaries),
        LedgerLine: _one_of(simulated, lambda pair: pair[1].ledger),
        SemesterRecords: simulated.map(lambda pair: pair[1].records),
        LedgerLines: simulated.map(lambda pair: pair[1].ledger),
        TeacherWaiting: waiting_histories().map(_replay),
        Comparison: comparisons(),
        OutcomeChange: _one_of(comparisons(), lambda c: c.changed),
        SeatChange: _one_of(comparisons(), lambda c: c.seats),
        RoundMetrics: round_pairs.map(lambda pair: round_metrics(*pair)),
        BalanceRow: _one_of(round_pairs, lambda pair: round_metrics(*pair).balance),
        ScenarioSummary: small.map(summarize),
        SchoolCounts: _one_of(small.map(summarize), lambda s: s.schools),
        ReportSection: _one_of(round_pairs, lambda pair: report_sections(*pair)),
        ReportTable: _one_of(
            round_pairs, lambda pair: [sec.table for sec in report_sections(*pair) if sec.table]
        ),
        PublicationList: _one_of(round_pairs, lambda pair: publication_lists(*pair)),
        Violation: st.builds(
            Violation,
            invariant=st.sampled_from([f"I{n}" for n in range(1, 14)]),
            message=st.text(min_size=1, max_size=40),
            teacher=st.none() | ids,
            post=st.none() | ids,
        ),
        ViolationDocument: st.builds(
            lambda v: v.document(),
            st.builds(Violation, invariant=st.just("I1"), message=st.just("lost"), teacher=ids),
        ),
        Problem: st.builds(
            Problem,
            record=st.sampled_from(["file", "scenario", "teachers[0]", "posts[1]"]),
            field=st.sampled_from(["school", "seats", "score", "(top level)"]),
            message=st.text(min_size=1, max_size=40),
            record_id=st.none() | ids,
            rule=st.none() | st.sampled_from(["R1", "R2", "R3"]),
        ),
        ErrorDocument: invalid_scenario_data().map(_error_document),
        WarningTalk: _one_of(
            small, lambda s: warning_list(s, Policy().evolve(warning_share="0.5"))
        ),
        Register: registers,
        RegisterEntry: _one_of(registers, lambda r: r.entries),
        RecompetitionResult: recompeted,
        RecompetitionOutcome: _one_of(recompeted, lambda r: r.outcomes),
        IncomingWaiting: _one_of(registers, _incoming),
        DistributionalTargets: st.builds(
            DistributionalTargets,
            urban_to_rural_share=st.none() | _shares,
            rural_shortage_fill_share=st.none() | _shares,
        ),
        PolicyException: st.builds(
            PolicyException,
            round=st.sampled_from(["cross_school", "in_school"]),
            teacher=ids,
            post=ids,
            kind=st.sampled_from(["free_seat", "outranks_holder"]),
            holder=st.none() | ids,
            targets=st.just(("urban_to_rural_share",)),
            rules=st.just(("R16",)),
        ),
        TargetReport: st.builds(
            TargetReport,
            target=st.sampled_from(["urban_to_rural_share", "rural_shortage_fill_share"]),
            rule=st.sampled_from(["R16", "R17"]),
            share=_shares,
            base=st.integers(0, 500),
            required=st.integers(0, 500),
            achieved=st.integers(0, 500),
            met=st.booleans(),
            feasible=st.booleans(),
        ),
        LotteryOdds: odds,
        TeacherOdds: _one_of(odds, lambda o: o.teachers),
        DismissalDecision: st.builds(
            DismissalDecision,
            teacher=ids,
            decision=st.sampled_from(["dismiss", "retain"]),
            decided_by=st.sampled_from(["县教体局局务会", "bureau"]),
            note=st.text(max_size=20),
        ),
    }


def _recompeted(pair: tuple[Scenario, RoundResult]) -> RecompetitionResult:
    scenario, result = pair
    policy = Policy()
    register = close_semester(register_from_round(scenario, result), policy)
    return run_recompetition(scenario, register, policy, seed=0)


def _incoming(register: Register) -> list[IncomingWaiting]:
    return [
        IncomingWaiting(
            teacher=entry.teacher,
            state="waiting",
            streak=entry.streak,
            since=register.semester,
            school=entry.school,
        )
        for entry in register.entries
        if entry.state.is_waiting
    ]


def _replay(history: tuple[TeacherWaiting, tuple[WaitingEvent, ...]]) -> TeacherWaiting:
    status, events = history
    policy = Policy()
    for event in events:
        status = step(status, event, policy)
    return status


def _error_document(case: tuple[dict[str, Any], str]) -> ErrorDocument:
    try:
        parse_scenario(case[0])
    except ScenarioError as error:
        return error.document()
    raise AssertionError(f"the defect {case[1]!r} was accepted")


def register_strategies() -> None:
    """Register a strategy for every public kgxp type with Hypothesis (idempotent).

    Called on import of this module, and by Hypothesis itself through the
    ``hypothesis`` entry point when kgxp is installed.
    """
    for kind, strategy in _registry().items():
        st.register_type_strategy(kind, strategy)
