"""R5: the remaining seats of each school become in-school or cross-school seats.

Remaining seats are a post's seats less reserved seats (R2) and seats taken
by protected teachers (R4). How many of a school's remaining seats become
cross-school seats follows ``Policy.split_rounding``:

- ``largest_remainder`` (default): the county total is the cross-school share
  of all remaining seats, rounded half up; each school gets the floor of its
  own share and the schools with the largest fractional remainders (ties: input
  order of schools sorted by id) get one more. The seed states the 90/10
  principle over the county's remaining posts, and this is the only rule that
  keeps the county total at the stated share; small schools (1–4 seats) keep
  their seats unless their remainder is among the largest.
- ``floor`` / ``ceil`` / ``half_up``: each school's share rounded on its own.

Which posts carry a school's cross-school seats follows
``Policy.cross_school_seat_choice``:

- ``shortage_first`` (default): first the posts whose subject has fewer own
  candidates than seats (the seats the school's own teachers cannot fill
  anyway, biggest shortage first), then the rest in proportion to the
  remaining seats (largest remainder). This opens vacancies to other schools
  without taking seats from the school's own teachers where it can be avoided.
- ``designated``: each post's ``cross_school_seats`` (capped at its remaining
  seats); the share does not apply.

All arithmetic is exact (``Decimal``) and ties are broken by id, so the split
is deterministic and independent of input order (I5, I12).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

import attrs

from kgxp._internal.decimals import EXACT_DECIMAL_CONTEXT
from kgxp.model.policy import CrossSchoolSeatChoice, Policy, SplitRounding
from kgxp.model.scenario import Post

__all__ = ["SeatSplit", "own_candidates_by_post", "split_seats"]


@attrs.frozen
class SeatSplit:
    in_school: int
    cross_school: int


def split_seats(
    posts: Sequence[Post],
    remaining: Mapping[str, int],
    own_candidates: Mapping[str, int],
    policy: Policy,
) -> dict[str, SeatSplit]:
    """Split each post's remaining seats (``remaining[post.id]``) between the two rounds.

    ``own_candidates[post.id]`` is the number of the school's own competing
    teachers whose main subject is the post's subject (used by ``shortage_first``).
    """
    # In a decimal context of its own: the caller's precision (a notebook's prec=2, say)
    # rounded 10% of 125 seats to 12 before the policy's rounding, and verify, recomputing
    # the split in the same context, agreed (R5, I5). Shares have a few digits and seat
    # counts are ints: at this precision products and sums are exact, and the
    # proportional quotas' divisions the same for equal fractions.
    with localcontext(EXACT_DECIMAL_CONTEXT):
        return _split_seats(posts, remaining, own_candidates, policy)


def _split_seats(
    posts: Sequence[Post],
    remaining: Mapping[str, int],
    own_candidates: Mapping[str, int],
    policy: Policy,
) -> dict[str, SeatSplit]:
    ordered = sorted(posts, key=lambda p: p.id)
    if policy.cross_school_seat_choice is CrossSchoolSeatChoice.DESIGNATED:
        return {
            p.id: _split(remaining[p.id], min(p.cross_school_seats or 0, remaining[p.id]))
            for p in ordered
        }
    by_school: dict[str, list[Post]] = defaultdict(list)
    for post in ordered:
        by_school[post.school].append(post)
    school_remaining = {s: sum(remaining[p.id] for p in ps) for s, ps in by_school.items()}
    cross_per_school = _school_totals(school_remaining, policy)
    result: dict[str, SeatSplit] = {}
    for school, school_posts in by_school.items():
        cross = _choose_posts(school_posts, remaining, own_candidates, cross_per_school[school])
        for post in school_posts:
            result[post.id] = _split(remaining[post.id], cross[post.id])
    return result


def own_candidates_by_post(
    posts: Iterable[Post], competing: Iterable[tuple[str, str | None]]
) -> Counter[str]:
    """Per post, how many of ``competing`` — (home school, main subject) of each teacher
    who competes in-school — match its school and subject (``None`` matches nothing)."""
    # Count (school, subject) pairs first: one pass over the teachers, then one over the
    # posts, rather than a list of posts looked up per teacher.
    pairs = Counter(competing)
    own: Counter[str] = Counter()
    for post in posts:
        count = pairs.get((post.school, post.subject))
        if count:
            own[post.id] = count
    return own


def _split(remaining: int, cross: int) -> SeatSplit:
    return SeatSplit(in_school=remaining - cross, cross_school=cross)


def _school_totals(school_remaining: Mapping[str, int], policy: Policy) -> dict[str, int]:
    share = policy.cross_school_share
    quotas = {s: share * n for s, n in school_remaining.items()}
    rounding = policy.split_rounding
    if rounding is not SplitRounding.LARGEST_REMAINDER:
        mode = {
            SplitRounding.FLOOR: ROUND_FLOOR,
            SplitRounding.CEIL: ROUND_CEILING,
            SplitRounding.HALF_UP: ROUND_HALF_UP,
        }[rounding]
        return {s: int(q.to_integral_value(rounding=mode)) for s, q in quotas.items()}
    total = int((share * sum(school_remaining.values())).to_integral_value(ROUND_HALF_UP))
    return _largest_remainder(quotas, total)


def _largest_remainder(quotas: Mapping[str, Decimal], total: int) -> dict[str, int]:
    """Hamilton's method: floors, then one more for the largest remainders (ties by key)."""
    floors = {k: int(q.to_integral_value(ROUND_FLOOR)) for k, q in quotas.items()}
    extra = total - sum(floors.values())
    by_remainder = sorted(quotas, key=lambda k: (-(quotas[k] - floors[k]), k))
    for key in by_remainder[: max(0, extra)]:
        floors[key] += 1
    return floors


def _choose_posts(
    posts: Sequence[Post],
    remaining: Mapping[str, int],
    own_candidates: Mapping[str, int],
    cross_total: int,
) -> dict[str, int]:
    cross = {p.id: 0 for p in posts}
    left = cross_total
    shortage = {p.id: remaining[p.id] - own_candidates.get(p.id, 0) for p in posts}
    for post in sorted(posts, key=lambda p: (-shortage[p.id], p.id)):
        if left == 0 or shortage[post.id] <= 0:
            break
        take = min(shortage[post.id], left)
        cross[post.id] = take
        left -= take
    if left > 0:
        room = {p.id: remaining[p.id] - cross[p.id] for p in posts}
        total_room = sum(room.values())
        if total_room:
            quotas = {k: Decimal(left) * v / total_room for k, v in room.items()}
            for key, n in _largest_remainder(quotas, left).items():
                cross[key] += n
    return cross
