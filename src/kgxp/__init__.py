"""kgxp — the 县管校聘 (county-managed, school-hired) teacher placement engine.

Data flows one way: a validated :class:`Scenario` and a :class:`Policy` go in,
results come out; both inputs are frozen, so a what-if is "change the input,
run again". Rule ids (R1…) and invariant ids (I1…) in the docs refer to the
domain rulebook.

>>> import kgxp
>>> kgxp.statutory_retirement(kgxp.YearMonth(1970, 1), 60).age
(61, 4)
"""

from kgxp._version import __version__
from kgxp.exceptions import KgxpError, Problem, ScenarioError
from kgxp.io import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_json_schema,
)
from kgxp.months import YearMonth
from kgxp.policy import (
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
from kgxp.protection import NEAR_RETIREMENT, protection_reasons
from kgxp.retirement import (
    StatutoryRetirement,
    months_to_retirement,
    statutory_retirement,
    within_retirement_window,
)
from kgxp.scenario import (
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
from kgxp.scoring import composite_score
from kgxp.summary import ScenarioSummary, SchoolCounts, render_summary, summarize
from kgxp.validation import check, validate

__all__ = [
    "NEAR_RETIREMENT",
    "Circumstance",
    "County",
    "CrossSchoolSeatChoice",
    "Education",
    "Evaluation",
    "EvaluationWeights",
    "KgxpError",
    "Locality",
    "Mechanism",
    "ParameterInfo",
    "Pay",
    "Policy",
    "Post",
    "Problem",
    "RoundKind",
    "RoundSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioSummary",
    "School",
    "SchoolCounts",
    "Scope",
    "Segment",
    "Sex",
    "SplitRounding",
    "Staffing",
    "StatutoryRetirement",
    "Teacher",
    "TieBreaker",
    "Title",
    "WaitingExit",
    "WaitingTermPay",
    "YearMonth",
    "__version__",
    "check",
    "composite_score",
    "dump_scenario",
    "load_scenario",
    "months_to_retirement",
    "parse_scenario",
    "policy_table",
    "preset",
    "preset_names",
    "protection_reasons",
    "render_summary",
    "save_scenario",
    "scenario_json_schema",
    "statutory_retirement",
    "summarize",
    "validate",
    "within_retirement_window",
]
