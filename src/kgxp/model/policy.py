"""Policy as data: every rule parameter of the domain, with its default and source.

A :class:`Policy` is frozen. A what-if is a new policy::

    >>> from kgxp import Policy
    >>> base = Policy()
    >>> wider = base.evolve(in_school_share="0.85")
    >>> base.in_school_share, wider.in_school_share
    (Decimal('0.9'), Decimal('0.85'))

Each field carries the rule id it parameterises and the sentence of the seed
it comes from; :meth:`Policy.parameters` lists them (the docs' parameter table
is generated from it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Self

import attrs
from pydantic import AfterValidator, ConfigDict, Field, ValidationError, model_validator

from kgxp._internal.frozen import FrozenModel, NonEmptyStr
from kgxp.exceptions import PolicyError, Problem
from kgxp.model.policy_options import (
    DEFAULT_PLAN,
    TWO_LEVEL_THREE_ROUND_PLAN,
    BalanceGoal,
    CrossSchoolSeatChoice,
    EvaluationWeights,
    Mechanism,
    RetirementVacancy,
    RoundKind,
    RoundSpec,
    Scope,
    Share,
    SplitRounding,
    TieBreaker,
    WaitingExit,
    WaitingTermPay,
    WarningScope,
    WarningTies,
    YearEndBonusBasis,
)
from kgxp.model.scenario import Circumstance
from kgxp.model.targets import DistributionalTargets

__all__ = [
    "BalanceGoal",
    "CrossSchoolSeatChoice",
    "DistributionalTargets",
    "EvaluationWeights",
    "Mechanism",
    "ParameterInfo",
    "Policy",
    "RetirementVacancy",
    "RoundKind",
    "RoundSpec",
    "Scope",
    "SplitRounding",
    "TieBreaker",
    "WaitingExit",
    "WaitingTermPay",
    "WarningScope",
    "WarningTies",
    "YearEndBonusBasis",
    "policy_problems",
    "policy_table",
    "preset",
    "preset_names",
]

SEED_000 = "seed 000 (县教体局经验做法, 县管校聘 procedure)"
SEED_001 = "seed 001 (紫阳县教共体实施方案)"
SEED_002 = "seed 002 (夷陵区义务教育均衡)"
SEED_003 = "seed 003 (西安新城区 区管校聘)"
BRIEF = "domain brief"


def _meta(rule: str, source: str) -> dict[str, Any]:
    return {"rule": rule, "source": source}


def _sorted_unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(set(values)))


def _distinct(values: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(set(values)) != len(values):
        raise ValueError("each tie-breaker may appear once")
    return values


class Policy(FrozenModel):
    """Every rule parameter of a 县管校聘 round; defaults follow seed 000."""

    # Defaults go through the same normalisation as given values, so a default
    # policy and the same policy loaded from JSON serialise byte-identically.
    model_config = ConfigDict(validate_default=True)

    name: NonEmptyStr = Field(default="default", description="preset or label, for reports")

    # R4 protected pre-placement
    protected_circumstances: Annotated[tuple[Circumstance, ...], AfterValidator(_sorted_unique)] = (
        Field(
            default=(
                Circumstance.MATERNITY_LEAVE,
                Circumstance.SERIOUS_SICK_LEAVE,
                Circumstance.VILLAGE_WORK_TEAM,
                Circumstance.AID_TIBET_YI,
            ),
            description="circumstances placed in advance at their original school",
            json_schema_extra=_meta(
                "R4", f"{SEED_000}: 休产假、重病假、脱贫攻坚驻村工作队队员、援藏援彝支教人员"
            ),
        )
    )
    protect_near_retirement: bool = Field(
        default=True,
        description="protect teachers within the retirement window in the competition month",
        json_schema_extra=_meta("R4", f"{SEED_000}: 竞聘上岗当年当月距离法定退休年龄不足三年"),
    )
    retirement_window_months: int = Field(
        default=36,
        ge=0,
        le=120,
        description="'less than three years': months from the competition month to retirement",
        json_schema_extra=_meta("R4", f"{SEED_000}: 不足三年; month granularity per {BRIEF} §4"),
    )

    # R5 split
    in_school_share: Share = Field(
        default=Decimal("0.9"),
        description="share of the remaining seats competed in the in-school round; the rest "
        "go to the cross-school round",
        json_schema_extra=_meta("R5", f"{SEED_000}: 本校竞聘上岗90%、跨校竞聘上岗10%"),
    )
    split_rounding: SplitRounding = Field(
        default=SplitRounding.LARGEST_REMAINDER,
        description="how the cross-school share becomes whole seats",
        json_schema_extra=_meta("R5", f"{BRIEF}: rounding is a policy parameter"),
    )
    cross_school_seat_choice: CrossSchoolSeatChoice = Field(
        default=CrossSchoolSeatChoice.SHORTAGE_FIRST,
        description="which posts' seats become cross-school seats",
        json_schema_extra=_meta("R5", f"{BRIEF}: the choice of posts is a policy parameter"),
    )

    # Rounds (R5, R6, R11, R13) and matching (R12)
    rounds: tuple[RoundSpec, ...] = Field(
        default=DEFAULT_PLAN,
        min_length=1,
        description="the round plan, run in order",
        json_schema_extra=_meta("R5/R6/R11/R13", f"{SEED_000}: 分两批; {SEED_003}: 两层三轮"),
    )
    mechanism: Mechanism = Field(
        default=Mechanism.DEFERRED_ACCEPTANCE,
        description="matching mechanism of competitive rounds",
        json_schema_extra=_meta("R12", f"{SEED_003}: 择优聘任、双向选择"),
    )
    default_in_school_application: bool = Field(
        default=True,
        description="a teacher who lists no post of their own school applies in the in-school "
        "round to its posts of their main subject, then other qualified subjects; false: "
        "explicit applications only",
        json_schema_extra=_meta(
            "R5",
            f"{SEED_000}: 按照本校竞聘上岗90%…的原则分两批组织…教师竞聘上岗 (every teacher competes)",
        ),
    )
    allow_voluntary_cross_school: bool = Field(
        default=False,
        description="teachers who volunteer may skip the in-school round and enter the "
        "cross-school round directly",
        json_schema_extra=_meta("R5", f"{BRIEF}: voluntary cross-school applicants"),
    )

    # Ranking (R15) and tie-breaking
    evaluation_weights: EvaluationWeights = Field(
        default_factory=EvaluationWeights,
        description="weights of the four evaluation components in the composite score",
        json_schema_extra=_meta("R15", f"{SEED_002}: 学生评教、同行互评、质量考核和学校评价"),
    )
    tie_breakers: Annotated[tuple[TieBreaker, ...], AfterValidator(_distinct)] = Field(
        default=(
            TieBreaker.PERFORMANCE,
            TieBreaker.SENIORITY,
            TieBreaker.TITLE,
            TieBreaker.EDUCATION,
        ),
        description="order of tie-breakers for equal composite scores, before the lottery",
        json_schema_extra=_meta("R12", f"{BRIEF}: tie-breaking, local practice"),
    )
    lottery_seed: int = Field(
        default=0,
        ge=0,
        description="seed of the final lottery (抽签); the only source of randomness",
        json_schema_extra=_meta("I12", f"{BRIEF}: randomness only from an explicit seed"),
    )
    warning_share: Share = Field(
        default=Decimal("0.05"),
        description="bottom share of the composite evaluation that receives a warning talk",
        json_schema_extra=_meta("R15", f"{SEED_002}: 评价结果处于后5%的人员进行诫勉谈话"),
    )

    warning_scope: WarningScope = Field(
        default=WarningScope.COUNTY,
        description="count the bottom share among the county's teachers or within each school",
        json_schema_extra=_meta(
            "R15", f"{SEED_002}: 评价结果处于后5%的人员 (the seed names no unit)"
        ),
    )
    warning_ties: WarningTies = Field(
        default=WarningTies.EXCLUDE,
        description="whether a tie straddling the bottom share's boundary is left off or listed",
        json_schema_extra=_meta("R15", f"{SEED_002}: 后5% (the seed says nothing of ties)"),
    )

    # R6 adjustment
    adjustment_requires_willingness: bool = Field(
        default=True,
        description="only teachers willing to be adjusted take part in the adjustment round",
        json_schema_extra=_meta("R6", f"{SEED_000}: 本人愿意服从组织调剂的"),
    )

    # R7–R10 waiting
    waiting_term_semesters: int = Field(
        default=1,
        ge=1,
        le=4,
        description="length of one waiting term",
        json_schema_extra=_meta("R7", f"{SEED_000}: 待岗时间为一学期"),
    )
    first_term_pay: WaitingTermPay = Field(
        default=WaitingTermPay(year_end_bonus=Decimal("0.5")),
        description="pay shares in the first waiting term",
        json_schema_extra=_meta(
            "R8", f"{SEED_000}: 只发放基本工资、基础性绩效和不高于50%的年终质量奖, 不发放奖励性绩效"
        ),
    )
    first_term_bonus_cap: Share = Field(
        default=Decimal("0.5"),
        description="ceiling on the first term's year-end bonus share",
        json_schema_extra=_meta("R8", f"{SEED_000}: 不高于50%的年终质量奖"),
    )
    year_end_bonus_basis: YearEndBonusBasis = Field(
        default=YearEndBonusBasis.AUTUMN_SEMESTER,
        description="the yearly bonus booked in the autumn semester (a first waiting term in "
        "spring then gets no share) or half in each semester",
        json_schema_extra=_meta(
            "R8", f"{SEED_000}: 不高于50%的年终质量奖 (no semester named: kgxp's reading)"
        ),
    )
    retirement_vacancy: RetirementVacancy = Field(
        default=RetirementVacancy.NEXT_SEMESTER,
        description="a retiree's seat opens at the re-competition after the semester holding "
        "the retirement month, or at that semester's own",
        json_schema_extra=_meta(
            "R9",
            f"{SEED_000}: 根据各学校空缺岗位,进行竞聘上岗 (when a retiree's seat opens: "
            "kgxp's reading)",
        ),
    )
    continued_pay: WaitingTermPay = Field(
        default=WaitingTermPay(),
        description="pay shares in continued waiting terms",
        json_schema_extra=_meta("R9", f"{SEED_000}: 继续待岗期间只发放基本工资、基础性绩效"),
    )
    waiting_limit_years: int = Field(
        default=3,
        ge=1,
        le=10,
        description="consecutive years without a post before the waiting exit applies",
        json_schema_extra=_meta("R10", f"{SEED_000}: 连续三年内不能竞聘上岗成功的"),
    )
    waiting_exit: WaitingExit = Field(
        default=WaitingExit.DISMISSAL_REVIEW,
        description="what the engine flags when the waiting limit is reached",
        json_schema_extra=_meta("R10", f"{SEED_000}: 按有关规定处理, 直至解聘"),
    )

    # Balance (§6, R16)
    cv_threshold_primary: Share = Field(
        default=Decimal("0.50"),
        description="maximum inter-school coefficient of variation, primary",
        json_schema_extra=_meta("§6", "县域义务教育优质均衡发展督导评估办法 (2017)"),
    )
    cv_threshold_junior: Share = Field(
        default=Decimal("0.45"),
        description="maximum inter-school coefficient of variation, junior middle",
        json_schema_extra=_meta("§6", "县域义务教育优质均衡发展督导评估办法 (2017)"),
    )
    urban_to_rural_share: Share = Field(
        default=Decimal("0.10"),
        description="yearly share of urban full-time teachers to teach in rural schools (report)",
        json_schema_extra=_meta(
            "R16", f"{SEED_002}: 每年城区义务教育学校10%的专任教师必须到农村学校交流任教"
        ),
    )

    balance_goals: tuple[BalanceGoal, ...] = Field(
        default=(BalanceGoal.RURAL_SHORTAGE, BalanceGoal.URBAN_TO_RURAL, BalanceGoal.INDICATORS),
        description="balance goals of the balanced and targeted mechanisms, most important "
        "first (after placing the most teachers, before preference ranks)",
        json_schema_extra=_meta(
            "R12/R16/R17/§6",
            f"{SEED_003}: 均衡发展; {SEED_002}: 到农村学校交流任教; {SEED_001}: 体音美",
        ),
    )
    shortage_subjects: Annotated[tuple[NonEmptyStr, ...], AfterValidator(_sorted_unique)] = Field(
        default=("体育", "美术", "音乐"),
        description="subjects in short supply at rural schools (balance goal and target)",
        json_schema_extra=_meta("R17", f"{SEED_001}: 解决体音美等紧缺学科教师不足问题"),
    )
    targets: DistributionalTargets = Field(
        default_factory=DistributionalTargets,
        description="minimums (R16, R17) and CV ceilings (R12, §6) the targeted mechanism "
        "meets at a published price",
        json_schema_extra=_meta(
            "R12/R16/R17", f"{SEED_002}: 每年城区…10%的专任教师必须到农村学校; {SEED_003}: 均衡发展"
        ),
    )

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        problems = []
        if self.first_term_pay.year_end_bonus > self.first_term_bonus_cap:
            problems.append(
                f"first_term_pay.year_end_bonus {self.first_term_pay.year_end_bonus} exceeds "
                f"first_term_bonus_cap {self.first_term_bonus_cap} (R8)"
            )
        names = [r.name for r in self.rounds]
        if len(set(names)) != len(names):
            problems.append("round names must be distinct")
        kinds = [r.kind for r in self.rounds]
        if kinds.count(RoundKind.IN_SCHOOL) > 1:
            problems.append("a plan has at most one in-school round")
        if RoundKind.IN_SCHOOL in kinds and kinds[0] is not RoundKind.IN_SCHOOL:
            problems.append("the in-school round comes first (R5: 分两批, in that order)")
        if len(set(self.balance_goals)) != len(self.balance_goals):
            problems.append("each balance goal may appear once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def cross_school_share(self) -> Decimal:
        return 1 - self.in_school_share

    @property
    def waiting_limit_semesters(self) -> int:
        return self.waiting_limit_years * 2

    def evolve(self, **changes: Any) -> Policy:
        """A new, validated policy with ``changes`` applied; this one is unchanged.

        Raises :class:`~kgxp.exceptions.PolicyError` listing every bad or unknown
        parameter (never pydantic's ``ValidationError``):

        >>> from kgxp import PolicyError
        >>> try:
        ...     Policy().evolve(in_school_share="1.5")
        ... except PolicyError as error:
        ...     print(error.problems[0].field, error.problems[0].code)
        in_school_share less_than_equal
        """
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise PolicyError(
                Problem("policy", name, "unknown policy parameter", code="unknown_parameter")
                for name in unknown
            )
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        try:
            return type(self).model_validate(data)
        except ValidationError as error:
            raise PolicyError(policy_problems(error)) from None

    @classmethod
    def parameters(cls) -> list[ParameterInfo]:
        """Every parameter with its rule id, source and default, in declaration order."""
        default = cls()
        rows = []
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            rows.append(
                ParameterInfo(
                    name=name,
                    default=getattr(default, name),
                    rule=str(extra.get("rule", "")),
                    source=str(extra.get("source", "")),
                    description=field.description or "",
                )
            )
        return rows

    @classmethod
    def preset(cls, name: str) -> Policy:
        """A named preset: see :func:`preset_names`."""
        return preset(name)


@attrs.frozen
class ParameterInfo:
    """One row of the policy parameter table."""

    name: str
    default: object
    rule: str
    source: str
    description: str


def _default() -> Policy:
    return Policy(name="default")


def _two_level_three_rounds() -> Policy:
    return Policy(name="two_level_three_rounds", rounds=TWO_LEVEL_THREE_ROUND_PLAN)


def _wuhan_like() -> Policy:
    # Reported elsewhere, not in the seeds: 70% of basic salary and performance pay
    # while waiting, the contract ended after two years.
    seventy = Decimal("0.7")
    waiting = WaitingTermPay(
        basic_salary=seventy,
        basic_performance=seventy,
        incentive_performance=seventy,
        year_end_bonus=Decimal(0),
    )
    return Policy(
        name="wuhan_like",
        first_term_pay=waiting,
        continued_pay=waiting,
        waiting_limit_years=2,
        waiting_exit=WaitingExit.CONTRACT_END,
    )


_PRESETS: Mapping[str, Callable[[], Policy]] = {
    "default": _default,
    "two_level_three_rounds": _two_level_three_rounds,
    "wuhan_like": _wuhan_like,
}


def policy_table(policy: Policy | None = None) -> str:
    """The parameters of ``policy`` (default: the default policy) as a Markdown table."""
    from kgxp.model.arguments import policy_argument  # below this module: no cycle at import

    policy = policy_argument(policy)
    lines = [
        "| parameter | value | rule | source | meaning |",
        "|---|---|---|---|---|",
    ]
    for row in Policy.parameters():
        value = policy.model_dump(mode="json", include={row.name})[row.name]
        shown = json.dumps(value, ensure_ascii=False).replace("|", "\\|")
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(
            f"| `{row.name}` | `{shown}` | {row.rule} | {row.source} | {row.description} |"
        )
    return "\n".join(lines)


def policy_problems(error: ValidationError) -> list[Problem]:
    """pydantic's errors about a policy as located :class:`Problem` records."""
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "(whole policy)"
        problems.append(Problem("policy", field, item["msg"], code=item["type"]))
    return problems


def preset_names() -> list[str]:
    """Names accepted by :func:`preset`."""
    return list(_PRESETS)


def preset(name: str) -> Policy:
    """A named policy preset.

    - ``default``: seed 000 as written (90%/10%, the four protected circumstances
      plus the retirement window, one-semester terms, three-year limit).
    - ``two_level_three_rounds``: seed 003's 两层三轮 read as in-school → cross-school
      inside the district → district adjustment (R13).
    - ``wuhan_like``: 70% of basic salary and performance pay while waiting, the
      contract ended after two years.
    """
    try:
        factory = _PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose one of {preset_names()}") from None
    return factory()
