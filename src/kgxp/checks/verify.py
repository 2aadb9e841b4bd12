"""``verify``: the policy invariants (I1–I9, I12, I14, I15) checked on any :class:`~kgxp.model.result.RoundResult`.

A result may come from the engine, from a JSON file (a published 公示 list), or be
built by hand; :func:`verify` trusts none of it. It recomputes what the rules fix
— home schools (R3), the protected set (R4), the R5 split, the ranking (R12/R15)
— from the scenario and the result's own policy and seed, then checks every
claim of the result against them and against each other. It never raises on a
malformed result (unknown ids, missing posts, inconsistent seat tables): every
problem is reported as a :class:`Violation`. (What derives from the scenario alone —
its digest, the protected set, the ranking for a policy and seed — is computed once
per scenario object and shared with :func:`~kgxp.round.engine.run_round`, see
``kgxp._internal.memo``: the same function of the same immutable input, not the result's word.)

Each fact is checked by exactly one invariant, so that one corruption shows up
under one invariant id where it can:

==== ==============================================================================
I1   one outcome per scenario teacher: no duplicates, none missing, no unknown ids
I2   seat bookkeeping: holders within seats less reserved (R2); one seat row per post
     whose ``protected``/``filled``/``vacant`` agree with the outcomes;
     ``offered >= filled``; round names of the plan
I3   eligibility: known post, qualified subject, ``Outcome.school`` is the post's
     school, status and round agree with the plan, cross-school/adjustment posts in
     the round's scope unit (R11), competitive posts among the preferences (R12)
I4   protection (R4): exactly the protected teachers are PROTECTED, with their
     reasons, no round, a post at their home school — or no post, an R4 conflict,
     and no free seat of a qualified subject at home
I5   split (R5): ``in_school``/``cross_school`` equal :func:`~kgxp.round.split.split_seats`;
     each competitive round offers exactly the seats the split leaves it
I6   round order: ``home_school`` (R3); in-school placements at home, cross-school
     placements elsewhere; volunteers skip the in-school round
I7   no justified envy in each competitive round (weak stability, R12), except the
     policy-justified exceptions a targeted policy declares (R16, R17)
I8   adjustment by merit (R6): the adjustment round offers every remaining seat; no
     candidate left out while a lower-priority teacher was adjusted to a seat they
     could fill, or while such a seat stayed free; nobody adjusted outside their main
     subject while a seat of it stayed free or a lower-priority teacher could swap
I9   waiting is last (R6, R7): only willing teachers are adjusted (when the policy
     requires it); a waiting teacher has no post and an existing, open school
I12  determinism: the digest is this scenario's; every published field (composite
     scores, preference ranks, rivals and their scores, the deciding criterion,
     round counts) is what the rules derive (:mod:`kgxp.checks.published`); with
     ``rerun=True`` the engine, run again on the scenario with its records
     reversed, gives the same result
I14  R15 warning talks (kgxp's addition): ``warning_talks`` holds exactly the bottom
     share of each unit by composite score, under the policy's boundary-tie rule
I15  distributional targets (R16, R17): each declared target met, or not met and
     explained as infeasible; every declared exception a real envy pair
==== ==============================================================================

I10 (waiting pay) and I11 (dismissal review) are properties of the waiting
ledger, and I13 (monotonicity) of the mechanism across runs; they are not
properties of one round's result and are tested elsewhere.

When the result lists a teacher twice, every check but I1 looks at the first
outcome listed; outcomes of unknown teachers are reported by I1 only.

Typical use (the engine's result, or one reloaded from its published JSON)::

    from kgxp.round.engine import run_round
    from kgxp.checks.verify import verify

    result = run_round(scenario)
    for violation in verify(scenario, result):
        print(violation)  # e.g. "I7: in round in_school, teacher T2 applied for ..."

>>> from kgxp.checks.verify import Violation
>>> v = Violation("I9", "waiting teacher T3 has post A-CHN, round None", teacher="T3")
>>> print(v)
I9: waiting teacher T3 has post A-CHN, round None
>>> v.as_dict()["teacher"]
'T3'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.gc_pause import collector_paused
from kgxp.checks.adjustment import check_adjustment_by_merit
from kgxp.checks.conservation import check_capacity, check_conservation
from kgxp.checks.context import Context
from kgxp.checks.determinism import check_digest, check_rerun
from kgxp.checks.eligibility import check_eligibility, check_protection
from kgxp.checks.envy import check_no_justified_envy
from kgxp.checks.published import check_published_fields
from kgxp.checks.round_order import check_round_order, check_split
from kgxp.checks.targets import check_targets
from kgxp.checks.violation import Violation, violation_order
from kgxp.checks.waiting_last import check_waiting_is_last
from kgxp.checks.warning_list import check_warning_list
from kgxp.model.arguments import result_argument, scenario_argument
from kgxp.model.result import Outcome, OutcomeTable, RoundResult
from kgxp.model.scenario import Scenario

__all__ = ["CHECKED_INVARIANTS", "Violation", "verify"]

CHECKED_INVARIANTS: tuple[str, ...] = (
    "I1",
    "I2",
    "I3",
    "I4",
    "I5",
    "I6",
    "I7",
    "I8",
    "I9",
    "I12",
    "I14",
    "I15",
)
"""The invariant ids :func:`verify` checks, in report order."""


@in_kgxp_decimal_context
def verify(scenario: Scenario, result: RoundResult, *, rerun: bool = False) -> list[Violation]:
    """Check ``result`` against the policy invariants for ``scenario``; ``[]`` when it holds.

    ``result.policy`` and ``result.seed`` are the policy and lottery seed the
    result claims; everything the rules derive from them is recomputed here.
    With ``rerun=True`` the engine is also run again (I12), on the scenario with
    its schools, posts and teachers in reverse order, and every difference is
    reported. Violations come sorted by invariant, teacher, post and message.
    Never raises because of what the result holds: a check that cannot complete
    reports itself as a violation of its invariant. (What is not a ``RoundResult`` at
    all, such as its JSON as a ``dict``, is a ``TypeError``: ``RoundResult.from_json``
    reads one.)
    """
    scenario = scenario_argument(scenario)
    result = result_argument(result)  # anything else is no result to check: TypeError
    with collector_paused():  # see kgxp._internal.gc_pause
        return _verify(scenario, result, rerun=rerun)


def _verify(scenario: Scenario, result: RoundResult, *, rerun: bool) -> list[Violation]:
    # Outcomes given as a tuple may hold anything (a model_copy validates nothing): what
    # no check can read is reported (I1: every teacher has exactly one outcome).
    outcomes = result.outcomes
    if not isinstance(outcomes, OutcomeTable):
        for position, outcome in enumerate(outcomes):
            if not isinstance(outcome, Outcome):
                kind = type(outcome).__name__
                return [
                    Violation(
                        "I1",
                        f"the result's outcomes could not be read: item {position} is a "
                        f"{kind}, not an outcome",
                        evidence={"error": "not_an_outcome", "position": position, "type": kind},
                    )
                ]
    context = Context(scenario, result)
    found: list[Violation] = []
    checks: list[tuple[str, Callable[[Context], Iterable[Violation]]]] = [
        ("I1", check_conservation),
        ("I2", check_capacity),
        ("I3", check_eligibility),
        ("I4", check_protection),
        ("I5", check_split),
        ("I6", check_round_order),
        ("I7", check_no_justified_envy),
        ("I8", check_adjustment_by_merit),
        ("I9", check_waiting_is_last),
        ("I12", check_digest),
        ("I12", check_published_fields),
        ("I14", check_warning_list),
        ("I15", check_targets),
    ]
    if rerun:
        checks.append(("I12", check_rerun))
    for invariant, check in checks:
        try:
            found.extend(check(context))
        except Exception as error:  # a malformed result must be reported, not raised
            found.append(
                Violation(
                    invariant,
                    f"check {check.__name__} could not complete: {type(error).__name__}: {error}",
                    evidence={"error": type(error).__name__, "detail": str(error)},
                )
            )
    return sorted(found, key=violation_order)
