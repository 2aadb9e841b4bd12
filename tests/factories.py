"""Small hand-made scenarios as plain data, for tests to modify one field at a time."""

from __future__ import annotations

import copy
from typing import Any


def school(id: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "name": f"学校{id}",
        "segment": "primary",
        "locality": "rural",
        "enrolment": 300,
        "community": "C1",
    }
    data.update(overrides)
    return data


def post(
    id: str, school: str, subject: str = "语文", seats: int = 2, **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id, "school": school, "subject": subject, "seats": seats}
    data.update(overrides)
    return data


def teacher(
    id: str, school: str, subjects: tuple[str, ...] = ("语文",), **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "name": f"教师{id}",
        "school": school,
        "subjects": list(subjects),
        "score": 80.0,
        "sex": "female",
        "birth": "1985-06",
        "service_start": "2007-09",
        "preferences": [],
    }
    data.update(overrides)
    return data


BASE: dict[str, Any] = {
    "county": {"name": "测试县", "synthetic": True},
    "competition_month": "2026-08",
    "staffing": {"total_posts": 20, "posts_by_level": {"standard": 20}},
    "schools": [school("A", locality="urban"), school("B")],
    "posts": [
        post("A-CHN", "A", "语文", 2),
        post("A-MAT", "A", "数学", 1),
        post("B-CHN", "B", "语文", 2, reserved=1),
    ],
    "teachers": [
        teacher("T1", "A", preferences=["A-CHN", "B-CHN"]),
        teacher("T2", "A", ("数学", "语文"), preferences=["A-MAT", "A-CHN"]),
        teacher("T3", "B", preferences=["B-CHN", "A-CHN"]),
    ],
}


def scenario_data() -> dict[str, Any]:
    """A fresh deep copy of a small valid scenario (2 schools, 3 posts, 3 teachers)."""
    return copy.deepcopy(BASE)


def appeal_data(score_b: float) -> dict[str, Any]:
    """One seat, two teachers: a (85) and b, whose score may be mis-entered (an appeal, 复核)."""
    return {
        "county": {"name": "复核县", "synthetic": True},
        "competition_month": "2026-08",
        "staffing": {"total_posts": 1},
        "schools": [school("A")],
        "posts": [post("A-CHN", "A", "语文", 1)],
        "teachers": [
            teacher("a", "A", score=85.0, preferences=["A-CHN"]),
            teacher("b", "A", score=score_b, preferences=["A-CHN"]),
        ],
    }
