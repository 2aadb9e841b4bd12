"""R5 split: rounding rules on small schools and the choice of cross-school posts (hand-computed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kgxp import CrossSchoolSeatChoice, Policy, Post, SplitRounding
from kgxp.round.split import SeatSplit, split_seats


def posts_with(seats: dict[str, int]) -> list[Post]:
    """One 语文 post per school, ``S<n>-CHN``."""
    return [
        Post(id=f"{school}-CHN", school=school, subject="语文", seats=n)
        for school, n in seats.items()
    ]


SMALL = {"S1": 1, "S2": 2, "S3": 3, "S4": 4, "S5": 5}


@pytest.mark.parametrize(
    ("rounding", "cross"),
    [
        # 10% of 1..5 seats is 0.1..0.5.
        (SplitRounding.FLOOR, {"S1": 0, "S2": 0, "S3": 0, "S4": 0, "S5": 0}),
        (SplitRounding.CEIL, {"S1": 1, "S2": 1, "S3": 1, "S4": 1, "S5": 1}),
        (SplitRounding.HALF_UP, {"S1": 0, "S2": 0, "S3": 0, "S4": 0, "S5": 1}),
        # County total: 10% of 15 = 1.5 → 2; the two largest remainders are 0.5 (S5) and 0.4 (S4).
        (SplitRounding.LARGEST_REMAINDER, {"S1": 0, "S2": 0, "S3": 0, "S4": 1, "S5": 1}),
    ],
)
def test_rounding_of_small_schools(rounding: SplitRounding, cross: dict[str, int]) -> None:
    posts = posts_with(SMALL)
    policy = Policy(split_rounding=rounding)
    split = split_seats(posts, {p.id: p.seats for p in posts}, {}, policy)
    assert {p.school: split[p.id].cross_school for p in posts} == cross
    for post in posts:
        assert split[post.id].in_school + split[post.id].cross_school == post.seats


def test_largest_remainder_ties_go_to_the_smaller_id() -> None:
    posts = posts_with({"S1": 5, "S2": 5, "S3": 5})  # 0.5 each, total 1.5 → 2
    split = split_seats(posts, {p.id: 5 for p in posts}, {}, Policy())
    assert [split[p.id].cross_school for p in posts] == [1, 1, 0]


def test_share_is_exact_decimal_arithmetic() -> None:
    # 0.29 × 100 is 28.999999999999996 in floats; floor must still give 29.
    posts = posts_with({"S1": 100})
    policy = Policy(in_school_share=Decimal("0.71"), split_rounding=SplitRounding.FLOOR)
    assert split_seats(posts, {"S1-CHN": 100}, {}, policy)["S1-CHN"] == SeatSplit(71, 29)


def test_shortage_first_then_proportional() -> None:
    posts = [
        Post(id="A-CHN", school="A", subject="语文", seats=10),
        Post(id="A-MAT", school="A", subject="数学", seats=6),
        Post(id="A-PE", school="A", subject="体育", seats=4),
    ]
    remaining = {"A-CHN": 10, "A-MAT": 6, "A-PE": 4}
    own = {"A-CHN": 12, "A-MAT": 6, "A-PE": 3}  # 体育 is one teacher short
    policy = Policy(in_school_share=Decimal("0.8"))  # 20% of 20 = 4 cross-school seats
    split = split_seats(posts, remaining, own, policy)
    # 1 seat for the 体育 shortage, then 3 in proportion to the room left (10, 6, 3):
    # quotas 1.579, 0.947, 0.474 → floors 1, 0, 0 → remainders .947 (MAT), .579 (CHN) get 1 each.
    assert {k: v.cross_school for k, v in split.items()} == {"A-CHN": 2, "A-MAT": 1, "A-PE": 1}


def test_designated_seats_are_used_and_capped() -> None:
    posts = [
        Post(id="A-CHN", school="A", subject="语文", seats=4, cross_school_seats=2),
        Post(id="A-MAT", school="A", subject="数学", seats=3, cross_school_seats=3),
        Post(id="A-PE", school="A", subject="体育", seats=2),
    ]
    remaining = {"A-CHN": 4, "A-MAT": 1, "A-PE": 2}  # two 数学 seats went to protected teachers
    policy = Policy(cross_school_seat_choice=CrossSchoolSeatChoice.DESIGNATED)
    split = split_seats(posts, remaining, {}, policy)
    assert split == {"A-CHN": SeatSplit(2, 2), "A-MAT": SeatSplit(0, 1), "A-PE": SeatSplit(2, 0)}


@pytest.mark.parametrize("rounding", list(SplitRounding))
def test_share_is_exact_whatever_the_callers_decimal_context(rounding: SplitRounding) -> None:
    # R5/I5: 10% of S1's 125 seats is 12.5, of S2's 5 seats 0.5. In a caller's 2-digit
    # decimal context (a notebook's, say) 12.5 was 12 before the policy's rounding, and
    # the county total 13 went the wrong way. The split must not depend on the caller's
    # context: verify recomputes it alike, so it could not tell.
    from decimal import localcontext

    posts = [
        Post(id="S1-CHN", school="S1", subject="语文", seats=118),
        Post(id="S1-MAT", school="S1", subject="数学", seats=7),
        Post(id="S2-CHN", school="S2", subject="语文", seats=5),
    ]
    remaining = {p.id: p.seats for p in posts}
    own = {"S1-CHN": 110, "S1-MAT": 7, "S2-CHN": 5}
    policy = Policy(split_rounding=rounding)
    expected = split_seats(posts, remaining, own, policy)
    assert sum(s.cross_school for s in expected.values()) in (12, 13, 14)
    with localcontext(prec=2):
        assert split_seats(posts, remaining, own, policy) == expected
