"""I7 (no justified envy) on the cases its per-round tables must get right.

``check_no_justified_envy`` keeps, per post, the priority class of the worst teacher
each round placed there (the bar a candidate must beat), and names that teacher only
when it reports envy. Each test plants what those tables could get wrong: a
placement without a post (it holds no seat, so it raises no post's bar), and a tie
on the priority class between holders (the holder named is the one with the
highest id, whatever the order of the outcomes), but only among the holders of the
worst class (not a better one with a higher id).
"""

from __future__ import annotations

from decimal import Decimal

import kgxp
from kgxp import Policy, RoundResult, Scenario
from kgxp.checks.verify import verify
from kgxp.model.result import Status
from tests.factories import post, scenario_data, school, teacher
from tests.result_factories import with_outcomes

ALL_IN_SCHOOL = Policy(in_school_share=Decimal(1))


def _school_a(posts: list[dict[str, object]], teachers: list[dict[str, object]]) -> Scenario:
    data = scenario_data()
    data["schools"] = [school("A")]
    data["posts"] = posts
    data["teachers"] = teachers
    data["staffing"] = {"total_posts": sum(int(p["seats"]) for p in posts)}  # type: ignore[call-overload]
    return kgxp.parse_scenario(data)


def _split(result: RoundResult) -> dict[str, tuple[int, int]]:
    return {row.post: (row.in_school, row.cross_school) for row in result.posts}


def _exchanged(scenario: Scenario, result: RoundResult, one: str, other: str) -> RoundResult:
    """``result`` with the outcomes of teachers ``one`` and ``other`` exchanged (each
    published with the other's post and reasons), the seat split kept."""
    mine = result.outcome(one).model_copy(update={"teacher": other})
    theirs = result.outcome(other).model_copy(update={"teacher": one})
    return with_outcomes(scenario, result, mine, theirs, split=_split(result))


def test_a_placement_without_a_post_raises_no_posts_bar() -> None:
    # A-CHN, the scenario's last post, went to T1 (class 0); T2 (class 1) lost it fairly.
    # T3 (class 2) is published as placed in-school without a post: I3's finding, and a
    # seat of A-MAT left free (which T3 applied for). It holds no seat, so A-CHN's bar stays T1's class: T2 has
    # nothing to envy there.
    scenario = _school_a(
        [post("A-MAT", "A", "数学", 1), post("A-CHN", "A", "语文", 1)],
        [
            teacher("T1", "A", score=90.0, preferences=["A-CHN"]),
            teacher("T2", "A", score=80.0, preferences=["A-CHN"]),
            teacher("T3", "A", ("数学",), score=70.0, preferences=["A-MAT"]),
        ],
    )
    assert scenario.posts[-1].id == "A-CHN"
    result = kgxp.run_round(scenario, policy=ALL_IN_SCHOOL)
    assert verify(scenario, result) == []
    assert (result.outcome("T1").post, result.outcome("T2").status) == ("A-CHN", Status.WAITING)
    nowhere = result.outcome("T3").model_copy(update={"post": None, "school": None})
    broken = result.model_copy(
        update={"outcomes": tuple(nowhere if o.teacher == "T3" else o for o in result.outcomes)}
    )
    found = verify(scenario, broken)
    assert ("I3", "T3") in {(v.invariant, v.teacher) for v in found}
    # T3 itself, placed by the round at no post, envies A-MAT's free seat; nobody envies A-CHN.
    assert [(v.teacher, v.post) for v in found if v.invariant == "I7"] == [("T3", "A-MAT")]


def test_the_holder_named_is_the_worst_by_class_then_id() -> None:
    # T2 and T3 tie on everything the ranking compares but the lottery (one priority
    # class); T4 ranks below both. A result seating T3, T2 (listed in that order) and
    # T4 at A-CHN while T1, the best, waits: T1's envy names T4, the worst class; with
    # T4 gone, it names T3, the higher id of the tied pair.
    scenario = _school_a(
        [post("A-CHN", "A", "语文", 3)],
        [
            teacher("T1", "A", score=95.0, preferences=["A-CHN"]),
            teacher("T2", "A", score=80.0, preferences=["A-CHN"]),
            teacher("T3", "A", score=80.0, preferences=["A-CHN"]),
            teacher("T4", "A", score=60.0, preferences=["A-CHN"]),
        ],
    )
    result = kgxp.run_round(scenario, policy=ALL_IN_SCHOOL)
    assert verify(scenario, result) == []
    swapped = _exchanged(scenario, result, "T1", "T4")
    reordered = swapped.model_copy(update={"outcomes": tuple(reversed(swapped.outcomes))})
    for broken in (swapped, reordered):
        [envy] = [v for v in verify(scenario, broken) if v.invariant == "I7"]
        assert (envy.teacher, envy.evidence["holder"]) == ("T1", "T4")
    two_seats = _school_a(
        [post("A-CHN", "A", "语文", 2)],
        [
            teacher("T1", "A", score=95.0, preferences=["A-CHN"]),
            teacher("T2", "A", score=80.0, preferences=["A-CHN"]),
            teacher("T3", "A", score=80.0, preferences=["A-CHN"]),
        ],
    )
    result = kgxp.run_round(two_seats, policy=ALL_IN_SCHOOL)
    loser = next(o for o in result.outcomes if o.status is Status.WAITING)
    assert loser.teacher in ("T2", "T3")
    swapped = _exchanged(two_seats, result, "T1", loser.teacher)
    for broken in (swapped, swapped.model_copy(update={"outcomes": swapped.outcomes[::-1]})):
        [envy] = [v for v in verify(two_seats, broken) if v.invariant == "I7"]
        assert (envy.teacher, envy.evidence["holder"]) == ("T1", "T3")
        assert envy.evidence["holder_class"] == 1


def test_the_holder_named_is_of_the_worst_class_even_with_a_lower_id() -> None:
    # The name is looked up only for a violation, among the holders of the post's worst
    # class: T2 (60) of the worst class and T3 (80), of a better class and a higher id,
    # hold A-CHN while T1, the best, waits. T1's envy names T2, not the highest id.
    scenario = _school_a(
        [post("A-CHN", "A", "语文", 2)],
        [
            teacher("T1", "A", score=95.0, preferences=["A-CHN"]),
            teacher("T2", "A", score=60.0, preferences=["A-CHN"]),
            teacher("T3", "A", score=80.0, preferences=["A-CHN"]),
        ],
    )
    result = kgxp.run_round(scenario, policy=ALL_IN_SCHOOL)
    assert (result.outcome("T1").post, result.outcome("T2").status) == ("A-CHN", Status.WAITING)
    swapped = _exchanged(scenario, result, "T1", "T2")
    for broken in (swapped, swapped.model_copy(update={"outcomes": swapped.outcomes[::-1]})):
        [envy] = [v for v in verify(scenario, broken) if v.invariant == "I7"]
        assert (envy.teacher, envy.evidence["holder"]) == ("T1", "T2")
        assert envy.evidence["holder_class"] == 2
