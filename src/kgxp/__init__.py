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
from kgxp._version import __version__
from kgxp.checks.simulation import verify_simulation
from kgxp.checks.verify import Violation, verify
from kgxp.exceptions import (
    KgxpError,
    MissingExtraError,
    OutputError,
    Problem,
    RosterWarning,
    ScenarioError,
)
from kgxp.files.publication import (
    PublicationList,
    outcome_rows,
    outcomes_frame,
    publication_lists,
    write_results,
)
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
from kgxp.model.months import YearMonth
from kgxp.model.policy import (
    CrossSchoolSeatChoice,
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
    policy_table,
    preset,
    preset_names,
)
from kgxp.model.result import (
    Conflict,
    Outcome,
    PostSeats,
    Reason,
    RoundResult,
    RoundStats,
    SolverStats,
    Status,
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

# The documents' notebook displays (their ``_repr_html_``) are drawn by the views,
# which register them when imported: a model never imports the views that draw it.
from kgxp.views import html as _notebook_views  # noqa: F401
from kgxp.views.comparison import Comparison, OutcomeChange, SeatChange, compare
from kgxp.views.metrics import BalanceRow, RoundMetrics, coefficient_of_variation, round_metrics
from kgxp.views.report import (
    ReportSection,
    ReportTable,
    comparison_sections,
    render_comparison,
    render_report,
    report_sections,
)
from kgxp.views.summary import ScenarioSummary, SchoolCounts, render_summary, summarize
from kgxp.views.whatif import Variant, run_rounds
from kgxp.waiting.ledger import LedgerLine, PayComponent, ledger_for, pay_lines
from kgxp.waiting.simulation import SemesterRecord, SemesterSummary, Simulation, simulate
from kgxp.waiting.state_machine import (
    IllegalTransition,
    TeacherWaiting,
    WaitingEvent,
    WaitingState,
    step,
    transition_table,
)

__all__ = [
    "NEAR_RETIREMENT",
    "BalanceRow",
    "Circumstance",
    "Comparison",
    "Conflict",
    "County",
    "CrossSchoolSeatChoice",
    "Education",
    "Evaluation",
    "EvaluationWeights",
    "IllegalTransition",
    "KgxpError",
    "LedgerLine",
    "Locality",
    "Mechanism",
    "MissingExtraError",
    "Outcome",
    "OutcomeChange",
    "OutputError",
    "ParameterInfo",
    "Pay",
    "PayComponent",
    "Policy",
    "Post",
    "PostSeats",
    "Problem",
    "PublicationList",
    "Reason",
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
    "ScenarioSummary",
    "School",
    "SchoolCounts",
    "Scope",
    "SeatChange",
    "Segment",
    "Semester",
    "SemesterRecord",
    "SemesterSummary",
    "Sex",
    "Simulation",
    "SolverStats",
    "SplitRounding",
    "Staffing",
    "Status",
    "StatutoryRetirement",
    "Teacher",
    "TeacherWaiting",
    "Term",
    "TieBreaker",
    "Title",
    "Variant",
    "Violation",
    "WaitingEvent",
    "WaitingExit",
    "WaitingState",
    "WaitingTermPay",
    "YearMonth",
    "__version__",
    "check",
    "coefficient_of_variation",
    "compare",
    "comparison_sections",
    "composite_score",
    "dump_scenario",
    "ledger_for",
    "load_scenario",
    "months_to_retirement",
    "outcome_rows",
    "outcomes_frame",
    "parse_scenario",
    "pay_lines",
    "policy_table",
    "preset",
    "preset_names",
    "protection_reasons",
    "publication_lists",
    "read_roster",
    "read_roster_report",
    "render_comparison",
    "render_report",
    "render_summary",
    "report_sections",
    "round_metrics",
    "run_round",
    "run_rounds",
    "save_scenario",
    "scenario_json_schema",
    "simulate",
    "statutory_retirement",
    "step",
    "summarize",
    "transition_table",
    "validate",
    "verify",
    "verify_simulation",
    "within_retirement_window",
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
