"""I8 (adjustment by merit, R6) on the case its swap search must get right.

A teacher adjusted outside their main subject while a lower-priority teacher holds a
main-subject seat and could take the first teacher's post instead is an I8 finding
(``main_subject_swap``), naming as rival the first such holder by id. The check
finds that holder per pool by bisecting the running maximum of the holders' adjustment
keys in id order; the test plants holders of higher priority, holders unable to teach
the post's subject, and able ones of lower priority, ranked and recorded so that
neither the lowest priority nor the first record is the first by id.
"""

from __future__ import annotations

import kgxp
from kgxp import RoundResult, Scenario
from kgxp.checks.verify import verify
from kgxp.model.result import Status
from tests.factories import post, scenario_data, school, teacher
from tests.result_factories import outcome, with_outcomes


def _county() -> Scenario:
    # b1 wins B-CHN in-school; the others (school B, all 语文 and 体育 but c5, 语文 only)
    # lose it and are adjusted to school A by teaching performance. The records are not in
    # id order: the rival named is the first by id, not by the order of the records.
    data = scenario_data()
    data["schools"] = [school("A"), school("B")]
    data["posts"] = [
        post("A-CHN", "A", "语文", 6),
        post("A-PE", "A", "体育", 1),
        post("B-CHN", "B", "语文", 1),
    ]
    both = ("语文", "体育")

    def loser(teacher_id: str, performance: float, subjects: tuple[str, ...] = both) -> object:
        return teacher(
            teacher_id, "B", subjects, score=60.0, performance=performance, preferences=["B-CHN"]
        )

    data["teachers"] = [
        teacher("b1", "B", score=90.0, preferences=["B-CHN"]),
        loser("b2", 90.0),
        loser("c6", 45.0),
        loser("c4", 98.0),
        loser("c3", 97.0),
        loser("c2", 96.0),
        loser("c1", 50.0),
        loser("c0", 95.0),
        loser("c5", 30.0, ("语文",)),
    ]
    data["staffing"] = {"total_posts": 8}
    return kgxp.parse_scenario(data)


def _moved(scenario: Scenario, result: RoundResult, **posts: str) -> RoundResult:
    split = {row.post: (row.in_school, row.cross_school) for row in result.posts}
    changed = [
        outcome(scenario, teacher_id, Status.ADJUSTED, "B", post=post_id, round="adjustment")
        for teacher_id, post_id in posts.items()
    ]
    return with_outcomes(scenario, result, *changed, split=split)


def test_the_swap_names_the_first_able_lower_priority_holder_by_id() -> None:
    scenario = _county()
    result = kgxp.run_round(scenario)
    assert verify(scenario, result) == []
    placed = {o.teacher: o.post for o in result.outcomes if o.status is Status.ADJUSTED}
    # By merit, 语文 first: c4, c3, c2, c0, b2 and c1 fill A-CHN; c6 is left A-PE, its
    # other subject; c5 (语文 only) waits.
    assert placed == dict.fromkeys(("b2", "c0", "c1", "c2", "c3", "c4"), "A-CHN") | {"c6": "A-PE"}
    # b2 (performance 90) moved to A-PE, c6 (45) to A-CHN. A-CHN's holders by id: c0
    # (95) ranks above b2, c1 (50) below, c2-c4 above again, c6 below: c1 is the rival
    # named, the first by id, though c6 ranks lower and comes first among the records.
    swapped = _moved(scenario, result, b2="A-PE", c6="A-CHN")
    position = {t.id: k for k, t in enumerate(scenario.teachers)}
    as_recorded = sorted(swapped.outcomes, key=lambda o: position[o.teacher])
    for broken in (swapped, swapped.model_copy(update={"outcomes": tuple(as_recorded)})):
        found = verify(scenario, broken)
        assert [(v.invariant, v.teacher, v.evidence["kind"]) for v in found] == [
            ("I8", "b2", "main_subject_swap")
        ]
        assert found[0].evidence["rival"] == "c1"
        assert "lower-priority teacher c1 held a seat of it" in found[0].message
