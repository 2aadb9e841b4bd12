"""I14 (the R15 warning-talk list) on the cases its counting shortcuts must get right.

``check_warning_list`` counts each unit's scores once, takes the scores inside the
bottom share as a prefix of the unit's sorted scores, and compares a listed entry
with the expected figures before building the expected entry. Each test plants what
a shortcut could miss: the boundary tie (left off whole, or listed whole), a merged
school counted in the receiving one, an entry naming the wrong unit, and a listed id
that is no teacher of the scenario.
"""

from __future__ import annotations

from decimal import Decimal

import kgxp
from kgxp import Policy, RoundResult, Scenario
from kgxp.checks.context import Context
from kgxp.checks.verify import Violation, verify
from kgxp.checks.warning_list import check_warning_list
from kgxp.round.warning import warning_limit
from tests.factories import post, scenario_data, school, teacher


def _county(scores: list[float]) -> Scenario:
    # Schools A and B, and M merged into A (R3): t00-t09 at A, t10-t14 at M, the rest at B.
    data = scenario_data()
    data["schools"] = [school("A"), school("B"), school("M", merged_into="A")]
    data["posts"] = [post("A-CHN", "A", "语文", 40), post("B-CHN", "B", "语文", 40)]
    data["teachers"] = [
        teacher(f"t{k:02d}", "A" if k < 10 else "M" if k < 15 else "B", score=s, preferences=[])
        for k, s in enumerate(scores)
    ]
    data["staffing"] = {"total_posts": 80}
    return kgxp.parse_scenario(data)


def _with_talks(result: RoundResult, *talks: object) -> RoundResult:
    return result.model_copy(update={"warning_talks": tuple(talks)})


def _found(scenario: Scenario, result: RoundResult) -> list[tuple[str, str | None]]:
    return [(v.invariant, v.teacher) for v in verify(scenario, result)]


def _only(found: list[Violation]) -> Violation:
    [violation] = found
    return violation


def test_a_boundary_tie_is_left_off_whole_and_listing_part_of_it_is_caught() -> None:
    # 40 teachers, 10% = 4. Scores 50, 51, 52, then t03-t05 tied at 53: six at or below
    # 53 > 4, so the tie is left off (exclude) and the list is t00-t02; listing t03 is
    # caught, as is leaving out t02, the last score before the tie.
    scores = [50.0, 51.0, 52.0, 53.0, 53.0, 53.0] + [60.0 + k for k in range(34)]
    scenario = _county(scores)
    policy = Policy(warning_share=Decimal("0.1"))
    result = kgxp.run_round(scenario, policy=policy)
    talks = result.warning_talks
    assert [w.teacher for w in talks] == ["t00", "t01", "t02"]
    assert verify(scenario, result) == []
    extra = talks[2].model_copy(
        update={"teacher": "t03", "score": Decimal("53.00"), "from_bottom": 4, "at_or_below": 6}
    )
    padded = _with_talks(result, *talks, extra)
    violation = _only(verify(scenario, padded))
    assert (violation.invariant, violation.teacher) == ("I14", "t03")
    assert "not in the bottom 0.1 of unit county" in violation.message
    assert _found(scenario, _with_talks(result, *talks[:2])) == [("I14", "t02")]


def test_a_boundary_tie_listed_whole_must_be_listed_whole() -> None:
    # The same county with ties included: three score below 53 < 4, so t03-t05 are all
    # listed (six entries); leaving out any one of the tie is caught.
    scores = [50.0, 51.0, 52.0, 53.0, 53.0, 53.0] + [60.0 + k for k in range(34)]
    scenario = _county(scores)
    policy = Policy(warning_share=Decimal("0.1"), warning_ties="include")
    result = kgxp.run_round(scenario, policy=policy)
    talks = result.warning_talks
    assert [w.teacher for w in talks] == ["t00", "t01", "t02", "t03", "t04", "t05"]
    assert [(w.from_bottom, w.at_or_below) for w in talks[3:]] == [(4, 6)] * 3
    assert verify(scenario, result) == []
    for left_out in range(3, 6):
        kept = talks[:left_out] + talks[left_out + 1 :]
        assert _found(scenario, _with_talks(result, *kept)) == [("I14", talks[left_out].teacher)]


def test_per_school_a_merged_schools_teachers_count_in_the_receiving_school() -> None:
    # Per school, 10%: A counts its own ten and M's five (R3), 15 → 1; B 25 → 2. M's
    # t10 scores lowest of all, so A's entry is t10's, with unit A, never M.
    scores = [70.0 + k for k in range(10)] + [40.0 + k for k in range(5)]
    scores += [60.0 + k for k in range(25)]
    scenario = _county(scores)
    policy = Policy(warning_share=Decimal("0.1"), warning_scope="school")
    result = kgxp.run_round(scenario, policy=policy)
    talks = result.warning_talks
    assert [(w.unit, w.teacher, w.unit_size, w.limit) for w in talks] == [
        ("A", "t10", 15, 1),
        ("B", "t15", 25, 2),
        ("B", "t16", 25, 2),
    ]
    assert verify(scenario, result) == []
    # An entry naming the merged school as its unit disagrees with the scores.
    moved = talks[0].model_copy(update={"unit": "M"})
    violation = _only(verify(scenario, _with_talks(result, moved, *talks[1:])))
    assert (violation.invariant, violation.teacher) == ("I14", "t10")
    assert violation.evidence["expected"]["unit"] == "A"  # type: ignore[index]
    # A teacher of M listed beside t10 is not in A's bottom share, and is told so by unit A.
    extra = talks[0].model_copy(update={"teacher": "t11", "score": Decimal("41.00")})
    violation = _only(verify(scenario, _with_talks(result, *talks, extra)))
    assert (violation.teacher, violation.message) == (
        "t11",
        "teacher t11 is listed for a warning talk but is not in the bottom 0.1 of unit A (R15)",
    )


def test_a_listed_id_that_is_no_teacher_of_the_scenario() -> None:
    scenario = _county([50.0 + k for k in range(40)])
    result = kgxp.run_round(scenario)
    ghost = result.warning_talks[0].model_copy(update={"teacher": "GHOST"})
    for policy in (Policy(), Policy(warning_scope="school")):
        again = kgxp.run_round(scenario, policy=policy)
        violation = _only(verify(scenario, _with_talks(again, *again.warning_talks, ghost)))
        assert (violation.invariant, violation.teacher) == ("I14", "GHOST")
        assert "of unit ? (R15)" in violation.message


def test_the_bottom_share_is_counted_exactly_whatever_the_callers_decimal_context() -> None:
    # R15: 30% of 25 teachers is 7.5, so 7 are warned. In a caller's 1-digit decimal
    # context (a notebook's, say) 0.3 × 25 rounds to 8 before it is rounded down: the
    # engine listed 8 and the check, counting in the same context, agreed. Both must
    # count exactly, and the check must catch the eighth entry whatever the context.
    from decimal import localcontext

    scenario = _county([60.0 + k for k in range(25)])
    policy = Policy(warning_share=Decimal("0.3"))
    expected = kgxp.run_round(scenario, policy=policy)
    assert len(expected.warning_talks) == 7
    assert {t.limit for t in expected.warning_talks} == {7}
    eighth = expected.warning_talks[-1].model_copy(
        update={"teacher": "t07", "score": Decimal("67.00"), "from_bottom": 8, "at_or_below": 8}
    )
    broken = _with_talks(expected, *expected.warning_talks, eighth)
    with localcontext(prec=1):
        result = kgxp.run_round(scenario, policy=policy)
        assert result.warning_talks == expected.warning_talks
        assert ("I14", "t07") in _found(scenario, broken)
        assert not [v for v in verify(scenario, expected) if v.invariant == "I14"]
        # The entry points compute in kgxp's own context whatever the caller's; the limit
        # itself, which the engine and the check share, is exact in any context, and the
        # check called directly still catches the eighth entry.
        assert warning_limit(Decimal("0.3"), 25) == 7
        found = check_warning_list(Context(scenario.model_copy(), broken))
        assert [v.teacher for v in found] == ["t07"]
