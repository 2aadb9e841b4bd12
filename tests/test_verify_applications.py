"""verify reads a teacher's applications as the rounds read them (R5), on every path.

A teacher who lists no post of their own school applies in-school, by default, to its
posts of their main subject, then of their other subjects
(:func:`kgxp.round.applications.applied_posts`). I3 ("among the posts applied for")
tests that on the common path from the columns and, for an outcome with any other
fault, on a detailed path; I7 walks the same lists for envy. Each test here plants a
fault that only a check reading the default applications gets right, with the
outcomes in the scenario's order and reversed (the checks then pair them with
teachers by id).
"""

from __future__ import annotations

from kgxp import RoundResult, Scenario, parse_scenario, run_round
from kgxp.checks.verify import verify
from kgxp.model.policy import Policy
from kgxp.model.result import Outcome, Status
from kgxp.model.teacher_columns import teacher_columns
from kgxp.round.applications import applied_posts
from tests.factories import post, school, teacher
from tests.result_factories import with_outcomes


def _silent_county() -> Scenario:
    # School A: one 语文 and one 体育 seat, none of them cross-school. a1 (语文, 90) and
    # a3 (语文 + 体育, 80) state no preferences: a1 applies to A-CHN, a3 to A-CHN then A-PE.
    return parse_scenario(
        {
            "county": {"name": "手算县", "synthetic": True},
            "competition_month": "2026-08",
            "staffing": {"total_posts": 2},
            "schools": [school("A")],
            "posts": [post("A-CHN", "A", "语文", 1), post("A-PE", "A", "体育", 1)],
            "teachers": [
                teacher("a1", "A", score=90.0),
                teacher("a3", "A", ("语文", "体育"), score=80.0),
            ],
        }
    )


def _both_orders(result: RoundResult) -> tuple[RoundResult, RoundResult]:
    reversed_outcomes = tuple(reversed(result.outcomes))
    return result, result.model_copy(update={"outcomes": reversed_outcomes})


def _replaced(result: RoundResult, changed: Outcome) -> RoundResult:
    outcomes = tuple(changed if o.teacher == changed.teacher else o for o in result.outcomes)
    return result.model_copy(update={"outcomes": outcomes})


def test_applied_posts_put_the_default_in_front_of_the_stated() -> None:
    scenario = _silent_county()
    applied = applied_posts(scenario, Policy())
    assert applied == (("A-CHN",), ("A-CHN", "A-PE"))
    # Shared by every verify of the scenario (remembered): a tuple, like the columns, so
    # that no reader can change what the next one reads.
    assert isinstance(applied, tuple)
    assert applied is applied_posts(scenario, Policy())
    # Explicit applications only: what they stated (nothing), the columns' own tuple.
    explicit = applied_posts(scenario, Policy(default_in_school_application=False))
    assert explicit is teacher_columns(scenario).preferences
    assert explicit == ((), ())


def test_the_detailed_eligibility_path_reads_the_default_applications() -> None:
    # a3 won A-PE, its second default application. Its outcome is edited to name another
    # school than the post's: I3 reports that, and only that, from its detailed path, which
    # must not take A-PE for a post a3 did not apply for (a3 stated no preference).
    scenario = _silent_county()
    result = run_round(scenario)
    assert result.outcome("a3").post == "A-PE"
    assert result.outcome("a3").status is Status.IN_SCHOOL
    assert verify(scenario, result) == []
    elsewhere = result.outcome("a3").model_copy(update={"school": "B"})
    for broken in _both_orders(_replaced(result, elsewhere)):
        found = [v for v in verify(scenario, broken) if v.invariant == "I3"]
        assert [(v.teacher, v.evidence) for v in found] == [
            ("a3", {"stated": "B", "expected": "A"})
        ]


def test_a_post_outside_the_default_applications_is_still_caught() -> None:
    # a1 (语文 only, default application A-CHN) published at A-PE: I3 reports the subject
    # and that a1 did not apply for it, on the same detailed path.
    scenario = _silent_county()
    result = run_round(scenario)
    moved = result.outcome("a1").model_copy(update={"post": "A-PE"})
    for broken in _both_orders(_replaced(result, moved)):
        found = [v.message for v in verify(scenario, broken) if v.invariant == "I3"]
        assert any("not one of the teacher's subjects" in m for m in found)
        assert any("which the teacher did not apply for" in m for m in found)


def test_envy_reads_the_default_applications() -> None:
    # The round's seats swapped by merit: a3 (80) holds A-CHN, a1 (90) waits. a1 applied
    # for A-CHN only by default: I7 must find a1's envy of the lower-ranked a3 there.
    scenario = _silent_county()
    result = run_round(scenario)
    waiting = result.outcome("a1").model_copy(
        update={
            "status": Status.WAITING,
            "post": None,
            "round": None,
            "preference_rank": None,
            "reasons": (),
        }
    )
    seated = result.outcome("a3").model_copy(update={"post": "A-CHN", "preference_rank": None})
    split = {row.post: (row.in_school, row.cross_school) for row in result.posts}
    swapped = with_outcomes(scenario, result, waiting, seated, split=split)
    for broken in _both_orders(swapped):
        envy = [v for v in verify(scenario, broken) if v.invariant == "I7"]
        assert [(v.teacher, v.post, v.evidence["holder"]) for v in envy] == [("a1", "A-CHN", "a3")]
        assert envy[0].evidence["preference_rank"] == 0
