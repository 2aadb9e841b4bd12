"""Hypothesis strategies for kgxp: valid scenarios and policies, by construction.

Downstream services property-test their integrations the same way kgxp tests
itself::

    from hypothesis import given
    import kgxp, kgxp.testing

    @given(kgxp.testing.scenarios())
    def test_my_service_accepts_every_round(scenario):
        result = kgxp.run_round(scenario)
        assert kgxp.verify(scenario, result) == []

Needs Hypothesis (``pip install 'kgxp[testing]'``). Generated scenarios are small
(a few schools, up to ``max_teachers`` teachers) with deliberately crowded
features: few subjects so preferences overlap, integer scores in a narrow band
so ties are common, every protected circumstance, teachers near retirement,
merged schools, reserved and designated seats, unwilling teachers and
volunteers, empty and over-subscribed posts. Knobs: the competition month, the
subjects, the sizes, whether teachers carry pay; policies vary the round and the
waiting parameters (pay shares, limit, exit, term).

Importing this module registers a strategy for every public kgxp type, so
``st.from_type(kgxp.Scenario)`` (and ``RoundResult``, ``Policy``, ``Simulation``,
``YearMonth``…) draws valid values; installed kgxp also registers them through
Hypothesis's plugin entry point, without the import. There are strategies for
results (:func:`rounds`, :func:`results`, :func:`simulations`, :func:`comparisons`)
and for invalid input (:func:`invalid_scenario_data`: one known defect each).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from kgxp.exceptions import MissingExtraError

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as missing:  # kgxp's own error naming the extra, as everywhere else
    raise MissingExtraError("hypothesis", "testing", "kgxp.testing") from missing

from kgxp.model.months import YearMonth
from kgxp.model.policy import (
    CrossSchoolSeatChoice,
    Mechanism,
    Policy,
    RetirementVacancy,
    RoundKind,
    RoundSpec,
    Scope,
    SplitRounding,
    TieBreaker,
    WaitingExit,
    WaitingTermPay,
    WarningScope,
    WarningTies,
    YearEndBonusBasis,
)
from kgxp.model.result import (
    RoundResult,
)
from kgxp.model.retirement import months_to_retirement
from kgxp.model.scenario import (
    Circumstance,
    Scenario,
)
from kgxp.model.semester import Semester
from kgxp.round.engine import run_round
from kgxp.views.comparison import Comparison, compare
from kgxp.waiting.simulation import Simulation, simulate
from kgxp.waiting.state_machine import TeacherWaiting, WaitingEvent, legal_events, step

__all__ = [
    "DEFECTS",
    "comparisons",
    "invalid_scenario_data",
    "pay_data",
    "policies",
    "register_strategies",
    "results",
    "rounds",
    "scenario_data",
    "scenarios",
    "simulations",
    "waiting_histories",
]

COMPETITION_MONTH = YearMonth(2026, 8)
SUBJECTS = ("语文", "数学", "英语", "体育")


@st.composite
def scenario_data(
    draw: st.DrawFn,
    *,
    max_schools: int = 4,
    min_teachers: int = 1,
    max_teachers: int = 30,
    competition_month: YearMonth | None = COMPETITION_MONTH,
    subjects: Sequence[str] = SUBJECTS,
    pay: bool | None = False,
) -> dict[str, Any]:
    """A valid scenario as plain JSON-like data (mutate it to test bad input).

    ``competition_month`` ``None`` draws one (2020–2035); ``subjects`` are the
    subjects posts and teachers use (few: preferences overlap); ``pay`` ``True`` gives
    every teacher their pay components (§5, needed for the waiting ledger), ``None``
    draws it per teacher, ``False`` leaves it out.
    """
    if not subjects:
        raise ValueError("scenario_data needs at least one subject")
    subjects = tuple(subjects)
    month = competition_month or YearMonth(draw(st.integers(2020, 2035)), draw(st.integers(1, 12)))
    n_schools = draw(st.integers(1, max_schools))
    school_ids = [f"S{i}" for i in range(n_schools)]
    merged: dict[str, str] = {}
    if n_schools > 1 and draw(st.booleans()):
        merged[school_ids[-1]] = draw(st.sampled_from(school_ids[:-1]))  # R3
    schools = [
        {
            "id": sid,
            "name": f"学校{sid}",
            "segment": draw(st.sampled_from(["primary", "junior", "nine_year"])),
            "locality": draw(st.sampled_from(["urban", "rural"])),
            "enrolment": draw(st.integers(0, 2000)),
            "district": draw(st.sampled_from(["D1", "D2", None])),
            "community": draw(st.sampled_from(["C1", "C2"])),
            "merged_into": merged.get(sid),
        }
        for sid in school_ids
    ]
    posts = []
    for sid in school_ids:
        if sid in merged:
            continue
        for subject in draw(
            st.lists(st.sampled_from(subjects), min_size=1, max_size=3, unique=True)
        ):
            seats = draw(st.integers(0, 4))
            reserved = draw(st.integers(0, seats)) if draw(st.integers(0, 4)) == 0 else 0
            post: dict[str, Any] = {
                "id": f"{sid}-{subjects.index(subject)}",
                "school": sid,
                "subject": subject,
                "seats": seats,
                "reserved": reserved,
            }
            if draw(st.booleans()):
                post["cross_school_seats"] = draw(st.integers(0, seats - reserved))
            posts.append(post)
    n_teachers = draw(st.integers(min_teachers, max_teachers))
    teachers = [
        _teacher(draw, f"T{i:03d}", school_ids, posts, month, subjects, pay)
        for i in range(n_teachers)
    ]
    total = sum(p["seats"] for p in posts)
    return {
        "county": {"name": "性质县", "synthetic": True},
        "competition_month": str(month),
        "staffing": {"total_posts": total + draw(st.integers(0, 3))},
        "schools": schools,
        "posts": posts,
        "teachers": teachers,
    }


def _circumstances_of(sex: str) -> list[Circumstance]:
    """The circumstances a teacher of ``sex`` can be in (产假, 孕期, 哺乳期 are women's)."""
    female_only = {
        Circumstance.MATERNITY_LEAVE,
        Circumstance.PREGNANCY,
        Circumstance.BREASTFEEDING,
    }
    return [c for c in Circumstance if sex == "female" or c not in female_only]


def _teacher(
    draw: st.DrawFn,
    teacher_id: str,
    school_ids: list[str],
    posts: list[dict[str, Any]],
    month: YearMonth,
    all_subjects: tuple[str, ...],
    pay: bool | None,
) -> dict[str, Any]:
    subjects = draw(st.lists(st.sampled_from(all_subjects), min_size=1, max_size=2, unique=True))
    sex = draw(st.sampled_from(["male", "female"]))
    base = 60 if sex == "male" else 55
    # Births from 64 years before the competition put some teachers inside the R4
    # window; nobody retired yet, nobody under 24.
    birth = YearMonth(draw(st.integers(month.year - 64, month.year - 24)), draw(st.integers(1, 12)))
    while months_to_retirement(birth, base, month) < 0:
        birth = birth + 12
    service = YearMonth(min(birth.year + 22, month.year - 1), 9)
    eligible = [p["id"] for p in posts if p["subject"] in subjects]
    preferences = draw(st.permutations(eligible)) if eligible else []
    preferences = preferences[: draw(st.integers(0, len(preferences)))]
    teacher: dict[str, Any] = {
        "id": teacher_id,
        "name": f"教师{teacher_id}",
        "school": draw(st.sampled_from(school_ids)),
        "subjects": subjects,
        "performance": float(draw(st.integers(60, 64))),
        "sex": sex,
        "birth": str(birth),
        "service_start": str(service),
        "title": draw(st.sampled_from(["junior", "intermediate", "senior"])),
        "education": draw(st.sampled_from(["bachelor", "master"])),
        "key_teacher": draw(st.booleans()),
        "circumstances": (
            [draw(st.sampled_from(_circumstances_of(sex)))] if draw(st.integers(0, 5)) == 0 else []
        ),
        "willing_to_adjust": draw(st.integers(0, 4)) > 0,
        "volunteers_cross_school": draw(st.integers(0, 6)) == 0,
        "preferences": list(preferences),
    }
    if draw(st.integers(0, 5)) == 0:
        teacher["evaluation"] = {
            k: float(draw(st.integers(60, 66)))
            for k in ("student_rating", "peer_review", "quality_assessment", "school_evaluation")
        }
    else:
        teacher["score"] = float(draw(st.integers(60, 66)))  # narrow: many ties
    if pay or (pay is None and draw(st.booleans())):
        teacher["pay"] = draw(pay_data())
    return teacher


def pay_data() -> st.SearchStrategy[dict[str, str]]:
    """Monthly pay components in whole yuan (§5), a rural allowance sometimes."""
    yuan = st.integers(1000, 9000).map(lambda n: f"{n}.00")
    return st.fixed_dictionaries(
        {
            "basic_salary": yuan,
            "basic_performance": yuan,
            "incentive_performance": yuan,
            "year_end_bonus": st.integers(0, 30000).map(lambda n: f"{n}.00"),
            "rural_allowance": st.sampled_from(["0.00", "300.00", "800.00"]),
        }
    )


def scenarios(
    *,
    max_schools: int = 4,
    min_teachers: int = 1,
    max_teachers: int = 30,
    competition_month: YearMonth | None = COMPETITION_MONTH,
    subjects: Sequence[str] = SUBJECTS,
    pay: bool | None = False,
) -> st.SearchStrategy[Scenario]:
    """Valid :class:`~kgxp.model.scenario.Scenario` objects (knobs: :func:`scenario_data`)."""
    return scenario_data(
        max_schools=max_schools,
        min_teachers=min_teachers,
        max_teachers=max_teachers,
        competition_month=competition_month,
        subjects=subjects,
        pay=pay,
    ).map(Scenario.model_validate)


_PLANS = (
    (
        RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
        RoundSpec(name="cross_school", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COUNTY),
        RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.COUNTY),
    ),
    (
        RoundSpec(name="in_school", kind=RoundKind.IN_SCHOOL, scope=Scope.SCHOOL),
        RoundSpec(
            name="district",
            kind=RoundKind.CROSS_SCHOOL,
            scope=Scope.DISTRICT,
            offer_unfilled_in_school_seats=False,
        ),
        RoundSpec(name="community", kind=RoundKind.CROSS_SCHOOL, scope=Scope.COMMUNITY),
        RoundSpec(name="adjustment", kind=RoundKind.ADJUSTMENT, scope=Scope.DISTRICT),
    ),
)


_SHARES = tuple(Decimal(s) for s in ("0", "0.5", "0.7", "0.8", "1"))


@st.composite
def _waiting_parameters(draw: st.DrawFn) -> dict[str, Any]:
    """R7–R10: pay shares while waiting (within R8's bonus cap), limit, exit, term."""
    cap = draw(st.sampled_from(_SHARES))

    def term_pay(bonus_cap: Decimal) -> WaitingTermPay:
        return WaitingTermPay(
            basic_salary=draw(st.sampled_from(_SHARES)),
            basic_performance=draw(st.sampled_from(_SHARES)),
            incentive_performance=draw(st.sampled_from(_SHARES)),
            year_end_bonus=draw(st.sampled_from([s for s in _SHARES if s <= bonus_cap])),
            allowances=draw(st.sampled_from(_SHARES)),
        )

    return {
        "first_term_bonus_cap": cap,
        "first_term_pay": term_pay(cap),
        "continued_pay": term_pay(Decimal(1)),
        "waiting_limit_years": draw(st.integers(1, 4)),
        "waiting_exit": draw(st.sampled_from(list(WaitingExit))),
        "waiting_term_semesters": draw(st.integers(1, 2)),
    }


@st.composite
def policies(
    draw: st.DrawFn,
    *,
    mechanisms: tuple[Mechanism, ...] = tuple(Mechanism),
    vary_waiting: bool = True,
) -> Policy:
    """Valid policies varying the parameters that change a round's outcome and, with
    ``vary_waiting``, the waiting pay and limits (R7–R10)."""
    waiting = draw(_waiting_parameters()) if vary_waiting else {}
    return Policy(
        **waiting,
        in_school_share=Decimal(draw(st.integers(50, 100))) / 100,
        split_rounding=draw(st.sampled_from(list(SplitRounding))),
        cross_school_seat_choice=draw(st.sampled_from(list(CrossSchoolSeatChoice))),
        protected_circumstances=tuple(draw(st.sets(st.sampled_from(list(Circumstance))))),
        protect_near_retirement=draw(st.booleans()),
        tie_breakers=tuple(draw(st.permutations(list(TieBreaker)))[: draw(st.integers(0, 4))]),
        lottery_seed=draw(st.integers(0, 1000)),
        mechanism=draw(st.sampled_from(list(mechanisms))),
        allow_voluntary_cross_school=draw(st.booleans()),
        adjustment_requires_willingness=draw(st.booleans()),
        rounds=draw(st.sampled_from(_PLANS)),
        default_in_school_application=draw(st.booleans()),
        # Up to 30%, so that the small generated counties have warning talks to check.
        warning_share=Decimal(draw(st.integers(0, 30))) / 100,
        warning_scope=draw(st.sampled_from(list(WarningScope))),
        warning_ties=draw(st.sampled_from(list(WarningTies))),
        year_end_bonus_basis=draw(st.sampled_from(list(YearEndBonusBasis))),
        retirement_vacancy=draw(st.sampled_from(list(RetirementVacancy))),
    )


@st.composite
def waiting_histories(
    draw: st.DrawFn, policy: Policy | None = None, *, max_events: int = 40
) -> tuple[TeacherWaiting, tuple[WaitingEvent, ...]]:
    """A start status (on post) and a sequence of events legal one after the other.

    Round outcomes are drawn mostly as losses so that long waiting streaks — and
    the R10 limit — are reached often; exits (retirement, leaving) are rare.
    """
    policy = policy or Policy()
    start = TeacherWaiting.on_post(
        Semester.parse(draw(st.sampled_from(["2026-autumn", "2027-spring"])))
    )
    status, events = start, []
    for _ in range(draw(st.integers(0, max_events))):
        options = list(legal_events(status))
        if not options:
            break
        weights = [
            1
            if e in {WaitingEvent.RETIREMENT_REACHED, WaitingEvent.LEFT_SERVICE}
            else 8
            if e in {WaitingEvent.ROUND_NOT_PLACED, WaitingEvent.TERM_END}
            else 3
            for e in options
        ]
        event = options[_pick(weights, draw(st.integers(0, sum(weights) - 1)))]
        status = step(status, event, policy)
        events.append(event)
    return start, tuple(events)


def _pick(weights: list[int], n: int) -> int:
    for index, weight in enumerate(weights):
        if n < weight:
            return index
        n -= weight
    return len(weights) - 1


# --- results ---------------------------------------------------------------------------


def rounds(
    scenario_strategy: st.SearchStrategy[Scenario] | None = None,
    policy_strategy: st.SearchStrategy[Policy] | None = None,
) -> st.SearchStrategy[tuple[Scenario, RoundResult]]:
    """A scenario and the round kgxp computes for it (under a drawn policy and seed)."""
    if scenario_strategy is None:
        scenario_strategy = scenarios(max_teachers=12)
    if policy_strategy is None:
        policy_strategy = policies()

    def run(scenario: Scenario, policy: Policy, seed: int) -> tuple[Scenario, RoundResult]:
        return scenario, run_round(scenario, policy=policy, seed=seed)

    return st.builds(run, scenario_strategy, policy_strategy, st.integers(0, 1000))


def results(**knobs: Any) -> st.SearchStrategy[RoundResult]:
    """:class:`~kgxp.model.result.RoundResult` objects as kgxp computes them."""
    return rounds(**knobs).map(lambda pair: pair[1])


def simulations(
    scenario_strategy: st.SearchStrategy[Scenario] | None = None,
    policy_strategy: st.SearchStrategy[Policy] | None = None,
    *,
    max_semesters: int = 4,
) -> st.SearchStrategy[tuple[Scenario, Simulation]]:
    """A scenario (with pay, so the ledger has lines) and its simulation."""
    if scenario_strategy is None:
        scenario_strategy = scenarios(max_teachers=10, pay=True)
    if policy_strategy is None:
        policy_strategy = policies()
    return st.builds(
        lambda scenario, policy, semesters: (
            scenario,
            simulate(scenario, policy, semesters=semesters),
        ),
        scenario_strategy,
        policy_strategy,
        st.integers(1, max_semesters),
    )


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    """Two rounds of one scenario under two drawn policies, compared (with metrics)."""
    scenario = draw(scenarios(max_teachers=12))
    a = run_round(scenario, policy=draw(policies()))
    b = run_round(scenario, policy=draw(policies()))
    return compare(a, b, scenarios=(scenario, scenario))


# --- invalid input -----------------------------------------------------------------------


def _unknown_school(data: dict[str, Any]) -> None:
    data["teachers"][0]["school"] = "NO-SUCH-SCHOOL"


def _duplicate_teacher(data: dict[str, Any]) -> None:
    data["teachers"].append(copy.deepcopy(data["teachers"][0]))


def _negative_seats(data: dict[str, Any]) -> None:
    data["posts"][0]["seats"] = -1


def _reserved_above_seats(data: dict[str, Any]) -> None:
    data["posts"][0]["reserved"] = data["posts"][0]["seats"] + 1


def _bad_month(data: dict[str, Any]) -> None:
    data["competition_month"] = "2026-13"


def _score_not_a_number(data: dict[str, Any]) -> None:
    teacher = data["teachers"][0]
    teacher.pop("evaluation", None)
    teacher["score"] = "high"


def _missing_teachers(data: dict[str, Any]) -> None:
    del data["teachers"]


def _staffing_exceeded(data: dict[str, Any]) -> None:
    data["staffing"]["total_posts"] = sum(p["seats"] for p in data["posts"]) - 1


DEFECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown_reference": _unknown_school,
    "duplicate_id": _duplicate_teacher,
    "greater_than_equal": _negative_seats,
    "reserved_above_seats": _reserved_above_seats,
    "value_error": _bad_month,
    "float_parsing": _score_not_a_number,
    "missing": _missing_teachers,
    "staffing_exceeded": _staffing_exceeded,
}
"""Problem code → a defect that makes a valid scenario invalid with that code (among others)."""


@st.composite
def invalid_scenario_data(
    draw: st.DrawFn, *, defects: Sequence[str] = tuple(DEFECTS)
) -> tuple[dict[str, Any], str]:
    """Scenario data with one known defect, and the problem code kgxp must report for it.

    For a service's bad-input path: ``kgxp.parse_scenario(data)`` raises a
    :class:`~kgxp.exceptions.ScenarioError` whose ``codes()`` include the code.
    """
    code = draw(st.sampled_from(list(defects)))
    data = draw(scenario_data(max_teachers=8))
    if code == "staffing_exceeded":
        assume(sum(p["seats"] for p in data["posts"]) > 0)
    DEFECTS[code](data)
    return data, code


# Registration with Hypothesis lives beside this module (it names every public type);
# imported last, as it draws on the strategies above.
from kgxp._strategy_registry import register_strategies  # noqa: E402

register_strategies()
