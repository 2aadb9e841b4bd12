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
volunteers, empty and over-subscribed posts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from kgxp.model.months import YearMonth
from kgxp.model.policy import (
    CrossSchoolSeatChoice,
    Mechanism,
    Policy,
    RoundKind,
    RoundSpec,
    Scope,
    SplitRounding,
    TieBreaker,
)
from kgxp.model.retirement import months_to_retirement
from kgxp.model.scenario import Circumstance, Scenario
from kgxp.model.semester import Semester
from kgxp.waiting.state_machine import TeacherWaiting, WaitingEvent, legal_events, step

__all__ = ["policies", "scenario_data", "scenarios", "waiting_histories"]

COMPETITION_MONTH = YearMonth(2026, 8)
SUBJECTS = ("语文", "数学", "英语", "体育")


@st.composite
def scenario_data(
    draw: st.DrawFn,
    *,
    max_schools: int = 4,
    min_teachers: int = 1,
    max_teachers: int = 30,
) -> dict[str, Any]:
    """A valid scenario as plain JSON-like data (mutate it to test bad input)."""
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
            st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=3, unique=True)
        ):
            seats = draw(st.integers(0, 4))
            reserved = draw(st.integers(0, seats)) if draw(st.integers(0, 4)) == 0 else 0
            post: dict[str, Any] = {
                "id": f"{sid}-{SUBJECTS.index(subject)}",
                "school": sid,
                "subject": subject,
                "seats": seats,
                "reserved": reserved,
            }
            if draw(st.booleans()):
                post["cross_school_seats"] = draw(st.integers(0, seats - reserved))
            posts.append(post)
    n_teachers = draw(st.integers(min_teachers, max_teachers))
    teachers = [_teacher(draw, f"T{i:03d}", school_ids, posts) for i in range(n_teachers)]
    total = sum(p["seats"] for p in posts)
    return {
        "county": {"name": "性质县", "synthetic": True},
        "competition_month": str(COMPETITION_MONTH),
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
    draw: st.DrawFn, teacher_id: str, school_ids: list[str], posts: list[dict[str, Any]]
) -> dict[str, Any]:
    subjects = draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=2, unique=True))
    sex = draw(st.sampled_from(["male", "female"]))
    base = 60 if sex == "male" else 55
    # Birth years from 1962 put some teachers inside the R4 window; nobody retired yet.
    birth = YearMonth(draw(st.integers(1962, 2002)), draw(st.integers(1, 12)))
    while months_to_retirement(birth, base, COMPETITION_MONTH) <= 0:
        birth = birth + 12
    service = YearMonth(min(birth.year + 22, 2025), 9)
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
    return teacher


def scenarios(
    *, max_schools: int = 4, min_teachers: int = 1, max_teachers: int = 30
) -> st.SearchStrategy[Scenario]:
    """Valid :class:`~kgxp.model.scenario.Scenario` objects."""
    return scenario_data(
        max_schools=max_schools, min_teachers=min_teachers, max_teachers=max_teachers
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


@st.composite
def policies(draw: st.DrawFn, *, mechanisms: tuple[Mechanism, ...] = tuple(Mechanism)) -> Policy:
    """Valid policies varying the parameters that change a round's outcome."""
    return Policy(
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
