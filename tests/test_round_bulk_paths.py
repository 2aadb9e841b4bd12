"""The round's bulk paths (issue 19: run_round) equal their one-at-a-time definitions.

``composite_scores`` weighs evaluation-scored teachers in one explicit exact context with
each weight × component made once per value; ``RankingBasis.ranking`` sorts one packed int
per teacher. Each must give exactly what the plain definition gives, written alike
(a score's text is published), including the corners a shortcut could get wrong.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import kgxp
from kgxp.round.ranking import _sort_by_weak_key_and_draw
from kgxp.round.scoring import composite_score, composite_scores
from tests.factories import scenario_data, teacher

# Components whose repr is unusual (exponent form, long digits) or whose sign is only in
# the repr (-0.0 == 0.0 and hash alike): a product kept by the float's value must not
# give a -0.0 teacher the product of 0.0, nor the other way round.
_COMPONENTS = [
    (0.0, 0.0, 0.0, 0.0),
    (-0.0, -0.0, -0.0, -0.0),
    (0.0, 0.0, 0.0, 0.0),
    (1e-05, 100.0, 33.333333333333336, 99.99),
    (85.0, 85.0, 85.0, 85.0),
    (85.0, 85.0, 85.0, 85.0),
    (0.1, 0.2, 0.30000000000000004, 77.5),
    (-0.0, 0.0, -0.0, 0.0),
]


@pytest.mark.parametrize(
    "weights",
    [
        None,
        {
            "student_rating": "0.1",
            "peer_review": "0.2",
            "quality_assessment": "0.3",
            "school_evaluation": "0.4",
        },
        {
            "student_rating": "0.333",
            "peer_review": "0.333",
            "quality_assessment": "0.334",
            "school_evaluation": "0",
        },
    ],
)
def test_bulk_composite_scores_are_the_one_by_one_scores_as_written(
    weights: dict[str, str] | None,
) -> None:
    data = scenario_data()
    data["teachers"] = [
        teacher(
            f"E{k}",
            "A",
            score=None,
            evaluation=dict(
                zip(
                    ("student_rating", "peer_review", "quality_assessment", "school_evaluation"),
                    values,
                    strict=True,
                )
            ),
        )
        for k, values in enumerate(_COMPONENTS)
    ] + [teacher("G1", "A", score=85.0), teacher("G2", "A", score=-0.0)]
    scenario = kgxp.parse_scenario(data)
    policy = kgxp.Policy() if weights is None else kgxp.Policy(evaluation_weights=weights)
    bulk = composite_scores(scenario.teachers, policy)
    single = [composite_score(t, policy) for t in scenario.teachers]
    assert [str(s) for s in bulk] == [str(s) for s in single]
    assert str(bulk[0]) == "0.00" and str(bulk[1]) == "-0.00"


def test_packed_sort_is_the_tuple_sort_even_when_two_draws_collide() -> None:
    # Ids given in reverse order: a sort that fell back on input order, not the id, when
    # weak key and draw are equal would put T3 before T1.
    ids = ["T3", "T2", "T1", "T0"]
    weak = [1, 0, 1, 0]
    lottery = [2**64 - 1, 5, 2**64 - 1, 7]  # T3 and T1 collide: same weak key, same draw
    expected = sorted(zip(weak, lottery, ids, strict=True))
    assert _sort_by_weak_key_and_draw(ids, weak, lottery) == (
        [i for _, _, i in expected],
        [w for w, _, _ in expected],
    )
    distinct = [2**64 - 1, 5, 0, 7]
    expected = sorted(zip(weak, distinct, ids, strict=True))
    assert _sort_by_weak_key_and_draw(ids, weak, distinct) == (
        [i for _, _, i in expected],
        [w for w, _, _ in expected],
    )
    assert _sort_by_weak_key_and_draw([], [], []) == ([], [])


def test_bulk_scores_keep_the_decimal_context_of_the_caller() -> None:
    # The exact context is explicit: the caller's (here a 5-digit one) is neither used
    # nor changed.
    from decimal import getcontext, localcontext

    data = scenario_data()
    data["teachers"] = [
        teacher(
            "E1",
            "A",
            score=None,
            evaluation={
                "student_rating": 33.333333333333336,
                "peer_review": 80.0,
                "quality_assessment": 90.5,
                "school_evaluation": 70.25,
            },
        )
    ]
    scenario = kgxp.parse_scenario(data)
    expected = composite_score(scenario.teachers[0], kgxp.Policy())
    with localcontext(prec=5):
        assert composite_scores(scenario.teachers, kgxp.Policy()) == [expected]
        assert getcontext().prec == 5
    assert expected == Decimal("68.5208333333333340")


@pytest.mark.parametrize("trap_invalid", [True, False])
def test_scores_do_not_depend_on_a_low_precision_caller_context(trap_invalid: bool) -> None:
    # R15: a score's text is published, so it must not depend on the caller's decimal
    # context. A 3-digit context (a notebook's, say) cannot hold 100.00 or 85.50: the
    # quantize that writes two places must run in the exact context too, not raise
    # InvalidOperation, nor give NaN when that trap is off.
    from decimal import InvalidOperation, localcontext

    data = scenario_data()
    data["teachers"] = [
        teacher(
            "E1",
            "A",
            score=None,
            evaluation={
                "student_rating": 100.0,
                "peer_review": 100.0,
                "quality_assessment": 100.0,
                "school_evaluation": 100.0,
            },
        ),
        teacher("G1", "A", score=85.5),
        teacher("G2", "A", score=100.0),
    ]
    scenario = kgxp.parse_scenario(data)
    policy = kgxp.Policy()
    expected = composite_scores(scenario.teachers, policy)
    assert [str(s) for s in expected] == ["100.00", "85.50", "100.00"]
    with localcontext(prec=3) as context:
        context.traps[InvalidOperation] = trap_invalid
        bulk = composite_scores(scenario.teachers, policy)
        single = [composite_score(t, policy) for t in scenario.teachers]
    assert [str(s) for s in bulk] == [str(s) for s in expected]
    assert [str(s) for s in single] == [str(s) for s in expected]
