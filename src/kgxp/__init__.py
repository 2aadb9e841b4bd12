"""kgxp — the 县管校聘 (county-managed, school-hired) teacher placement engine.

Data flows one way: a validated :class:`Scenario` and a :class:`Policy` go in,
results come out; both inputs are frozen, so a what-if is "change the input,
run again". Rule ids (R1…) and invariant ids (I1…) in the docs refer to the
domain rulebook.

>>> import kgxp
>>> kgxp.statutory_retirement(kgxp.YearMonth(1970, 1), 60).age
(61, 4)
"""

from kgxp._internal import moved as _moved
from kgxp._internal.executors import ClusterClient, Executor
from kgxp._internal.gc_pause import CollectorPause, set_collector_pause
from kgxp._internal.json_decode import decode_json
from kgxp._version import __version__
from kgxp.checks.recompetition import verify_recompetition
from kgxp.checks.simulation import verify_simulation
from kgxp.checks.verify import Violation, verify
from kgxp.checks.violation import ViolationDocument
from kgxp.exceptions import (
    CalendarYearError,
    ErrorDocument,
    KgxpError,
    MissingExtraError,
    OutputError,
    PolicyError,
    Problem,
    RosterWarning,
    ScenarioError,
    ScenarioMismatchError,
    SweepError,
)
from kgxp.files.notice import PublicityNotice, publicity_period
from kgxp.files.outcome_record import outcome_rows, outcomes_frame
from kgxp.files.payroll import write_dismissal_review, write_payroll
from kgxp.files.policy_file import load_policy, parse_policy
from kgxp.files.publication import write_results
from kgxp.files.published_lists import ListKind, PublicationList, publication_lists
from kgxp.files.roster_read import RosterReport, read_roster, read_roster_report
from kgxp.files.roster_sources import RosterLimits
from kgxp.files.roster_write import write_roster
from kgxp.files.scenario_json import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_json_schema,
)
from kgxp.i18n import texts
from kgxp.lottery.odds import (
    MAX_DRAWS,
    LotteryOdds,
    OddsShare,
    TeacherOdds,
    draw_seeds,
    lottery_odds,
)
from kgxp.model.months import YearMonth
from kgxp.model.policy import (
    BalanceGoal,
    CrossSchoolSeatChoice,
    DistributionalTargets,
    EvaluationWeights,
    Mechanism,
    ParameterInfo,
    Policy,
    RoundKind,
    RoundSpec,
    Scope,
    SplitRounding,
    TieBreaker,
    WaitingExit,
    WaitingTermPay,
    WarningScope,
    WarningTies,
    policy_table,
    preset,
    preset_names,
)
from kgxp.model.result import (
    Conflict,
    FrozenCounts,
    Outcome,
    OutcomeTable,
    PolicyException,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    SolverStats,
    Status,
    TargetReport,
    WarningTalk,
)
from kgxp.model.retirement import (
    StatutoryRetirement,
    months_to_retirement,
    statutory_retirement,
    within_retirement_window,
)
from kgxp.model.scenario import (
    Circumstance,
    County,
    Education,
    Evaluation,
    IncomingWaiting,
    Locality,
    Pay,
    Post,
    Scenario,
    School,
    Segment,
    Sex,
    Staffing,
    Teacher,
    Title,
)
from kgxp.model.semester import Semester, Term
from kgxp.model.validation import check, validate
from kgxp.round.engine import run_round
from kgxp.round.protection import NEAR_RETIREMENT, protection_reasons
from kgxp.round.scoring import composite_score
from kgxp.round.warning import warning_list
from kgxp.schemas import document_names, json_schema

# The documents' notebook displays (their ``_repr_html_``) are drawn by the views,
# which register them when imported: a model never imports the views that draw it.
from kgxp.views import html as _notebook_views  # noqa: F401
from kgxp.views.appeal import comparison_sections, render_comparison
from kgxp.views.comparison import Comparison, OutcomeChange, SeatChange, compare
from kgxp.views.metrics import BalanceRow, RoundMetrics, coefficient_of_variation, round_metrics
from kgxp.views.report import render_report, report_sections
from kgxp.views.report_format import ReportSection, ReportTable
from kgxp.views.summary import ScenarioSummary, SchoolCounts, render_summary, summarize
from kgxp.views.whatif import GRID_LIMIT, Variant, policy_grid, run_rounds
from kgxp.waiting.ledger import LedgerLine, LedgerLines, PayComponent, ledger_for, pay_lines
from kgxp.waiting.payroll import payroll
from kgxp.waiting.recompetition_round import (
    RecompetitionOutcome,
    RecompetitionResult,
    apply_recompetition,
    run_recompetition,
)
from kgxp.waiting.records import SemesterRecords
from kgxp.waiting.register import (
    DismissalDecision,
    Register,
    RegisterEntry,
    RegisterError,
    RegisterEvent,
    add_vacancies,
    close_semester,
    record_decisions,
    record_departures,
    record_retirements,
    register_from_round,
    register_from_scenario,
)
from kgxp.waiting.simulation import (
    MAX_SEMESTERS,
    SemesterRecord,
    SemesterSummary,
    Simulation,
    simulate,
)
from kgxp.waiting.state_machine import (
    IllegalTransition,
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    step,
    transition_table,
)

__all__ = [
    "GRID_LIMIT",
    "MAX_DRAWS",
    "MAX_SEMESTERS",
    "NEAR_RETIREMENT",
    "BalanceGoal",
    "BalanceRow",
    "CalendarYearError",
    "Circumstance",
    "ClusterClient",
    "CollectorPause",
    "Comparison",
    "Conflict",
    "County",
    "CrossSchoolSeatChoice",
    "DismissalDecision",
    "DistributionalTargets",
    "Education",
    "ErrorDocument",
    "Evaluation",
    "EvaluationWeights",
    "Executor",
    "FrozenCounts",
    "IllegalTransition",
    "IncomingWaiting",
    "KgxpError",
    "LedgerLine",
    "LedgerLines",
    "ListKind",
    "Locality",
    "LotteryOdds",
    "Mechanism",
    "MissingExtraError",
    "OddsShare",
    "Outcome",
    "OutcomeChange",
    "OutcomeTable",
    "OutputError",
    "ParameterInfo",
    "Pay",
    "PayComponent",
    "Policy",
    "PolicyError",
    "PolicyException",
    "Post",
    "PostSeats",
    "Problem",
    "PublicationList",
    "PublicityNotice",
    "Reason",
    "RecompetitionOutcome",
    "RecompetitionResult",
    "Register",
    "RegisterEntry",
    "RegisterError",
    "RegisterEvent",
    "ReportSection",
    "ReportTable",
    "RosterLimits",
    "RosterReport",
    "RosterWarning",
    "RoundKind",
    "RoundMetrics",
    "RoundResult",
    "RoundSpec",
    "RoundStats",
    "Scenario",
    "ScenarioError",
    "ScenarioMismatchError",
    "ScenarioSummary",
    "School",
    "SchoolCounts",
    "Scope",
    "SeatChange",
    "Segment",
    "Semester",
    "SemesterRecord",
    "SemesterRecords",
    "SemesterSummary",
    "Sex",
    "Simulation",
    "SolverStats",
    "SplitRounding",
    "Staffing",
    "Status",
    "StatutoryRetirement",
    "SweepError",
    "TargetReport",
    "Teacher",
    "TeacherOdds",
    "TeacherWaiting",
    "Term",
    "TieBreaker",
    "Title",
    "Variant",
    "Violation",
    "ViolationDocument",
    "WaitingEvent",
    "WaitingExit",
    "WaitingState",
    "WaitingTermPay",
    "WarningScope",
    "WarningTalk",
    "WarningTies",
    "YearMonth",
    "__version__",
    "add_vacancies",
    "apply_recompetition",
    "check",
    "close_semester",
    "coefficient_of_variation",
    "compare",
    "comparison_sections",
    "composite_score",
    "decode_json",
    "document_names",
    "draw_seeds",
    "dump_scenario",
    "json_schema",
    "ledger_for",
    "load_policy",
    "load_scenario",
    "lottery_odds",
    "months_to_retirement",
    "outcome_rows",
    "outcomes_frame",
    "parse_policy",
    "parse_scenario",
    "pay_lines",
    "payroll",
    "policy_grid",
    "policy_table",
    "preset",
    "preset_names",
    "protection_reasons",
    "publication_lists",
    "publicity_period",
    "read_roster",
    "read_roster_report",
    "record_decisions",
    "record_departures",
    "record_retirements",
    "register_from_round",
    "register_from_scenario",
    "render_comparison",
    "render_report",
    "render_summary",
    "report_sections",
    "round_metrics",
    "run_recompetition",
    "run_round",
    "run_rounds",
    "save_scenario",
    "scenario_json_schema",
    "set_collector_pause",
    "simulate",
    "statutory_retirement",
    "step",
    "summarize",
    "texts",
    "transition_table",
    "validate",
    "verify",
    "verify_recompetition",
    "verify_simulation",
    "warning_list",
    "within_retirement_window",
    "write_dismissal_review",
    "write_payroll",
    "write_results",
    "write_roster",
]


# Old module paths (``kgxp.ledger``, ``kgxp.engine``…) keep working, deprecated, for one release.
_moved.install()


def __getattr__(name: str) -> object:
    stand_in = _moved.moved_module(name)
    if stand_in is None:
        raise AttributeError(f"module 'kgxp' has no attribute {name!r}")
    return stand_in
