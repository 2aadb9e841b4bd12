"""§6 balance metric against hand computation; movement and fill metrics on a hand-made round."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from kgxp import (
    CrossSchoolSeatChoice,
    Policy,
    coefficient_of_variation,
    parse_scenario,
    round_metrics,
    run_round,
)
from kgxp.model.scenario import Segment
from tests.factories import post, school, teacher


def test_cv_by_hand() -> None:
    # Schools: (P=100, 4 teachers) → X=4 per 100; (P=300, 6) → X=2. P=400,
    # X̄ = (100·4 + 300·2)/400 = 2.5; S² = ¼·(4−2.5)² + ¾·(2−2.5)² = 0.5625 + 0.1875 = 0.75;
    # CV = √0.75 / 2.5 = 0.34641.
    assert coefficient_of_variation([(100, 4), (300, 6)]) == pytest.approx(math.sqrt(0.75) / 2.5)


def test_cv_equal_schools_and_undefined_cases() -> None:
    assert coefficient_of_variation([(200, 4), (100, 2), (50, 1)]) == 0.0
    assert coefficient_of_variation([(0, 3), (100, 0)]) is None  # mean 0
    assert coefficient_of_variation([]) is None


def test_round_metrics_by_hand() -> None:
    scenario = parse_scenario(
        {
            "county": {"name": "均衡县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": 3},
            "schools": [
                school("U", locality="urban", enrolment=200, community="C1"),
                school("R", locality="rural", enrolment=100, community="C2"),
            ],
            "posts": [
                post("U-CHN", "U", "语文", 1),
                post("R-PE", "R", "体育", 1, cross_school_seats=1),
                post("R-CHN", "R", "语文", 1),
            ],
            "teachers": [
                teacher("u1", "U", score=90.0, key_teacher=True, preferences=["U-CHN"]),
                teacher(
                    "u2",
                    "U",
                    ("语文", "体育"),
                    score=80.0,
                    key_teacher=True,
                    preferences=["U-CHN", "R-PE"],
                ),
                teacher("r1", "R", score=70.0, preferences=["R-CHN"]),
            ],
        }
    )
    result = run_round(
        scenario, policy=Policy(cross_school_seat_choice=CrossSchoolSeatChoice.DESIGNATED)
    )
    metrics = round_metrics(scenario, result)
    # u2 loses U-CHN to u1 and wins R's cross-school 体育 seat: one urban → rural move.
    assert (metrics.moved_school, metrics.urban_to_rural, metrics.rural_to_urban) == (1, 1, 0)
    assert metrics.moved_across_communities == 1
    assert metrics.moved_share == pytest.approx(1 / 3)
    assert metrics.fill_rate == {"R": 1.0, "U": 1.0}
    key = next(b for b in metrics.balance if b.indicator == "key_teachers")
    # Before: U has 2 key teachers for 200 pupils (X=1), R none (X=0): X̄ = 200/300 = 2/3,
    # S² = ⅔(1−⅔)² + ⅓(⅔)² = 2/27 + 4/27 = 2/9 → CV = √(2/9)/(2/3) = 0.7071.
    # After: one key teacher at each school: X_U = 0.5, X_R = 1; X̄ = (100+100)/300 = 2/3;
    # S² = ⅔(0.5−⅔)² + ⅓(1−⅔)² = 1/54 + 1/27 = 1/18 → CV = √(1/18)/(2/3) = 0.3536.
    assert key.segment is Segment.PRIMARY
    assert key.before == pytest.approx(math.sqrt(2 / 9) / (2 / 3))
    assert key.after == pytest.approx(math.sqrt(1 / 18) / (2 / 3))
    assert (key.threshold, key.before_ok, key.after_ok) == (Decimal("0.50"), False, True)
