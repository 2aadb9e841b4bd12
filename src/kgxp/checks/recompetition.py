"""``verify_recompetition``: a re-competition's result (R9) checked against its register.

Like :func:`kgxp.verify` for a placement round, it trusts nothing the result
claims: it recomputes the due teachers and open seats from the register, each
teacher's applications from the scenario (every open post of a subject they
teach, :func:`kgxp.waiting.recompetition.applications`) and the ranking from the
result's policy and seed, and reports every disagreement as a
:class:`~kgxp.checks.violation.Violation` (never raises on a malformed result):

==== ==============================================================================
I1   exactly the register's due teachers competed, each once (R9); the digests
     name this scenario and this register
I2   capacity: the seats offered are the register's vacancies; no post holds more
     winners than it offered
I3   eligibility: a post won is an open post of a subject the teacher teaches, among
     the posts they applied for (the applications the rules give), at its school
I7   no justified envy: no teacher lost a post they ranked above their outcome to a
     winner of a strictly lower priority class, or while a seat of it stayed free
I9   waiting is last: a teacher who won no post has none and keeps waiting
==== ==============================================================================

>>> import kgxp
>>> from kgxp.waiting.register import register_from_round, close_semester
>>> from kgxp.waiting.recompetition_round import run_recompetition
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> register = close_semester(register_from_round(scenario, kgxp.run_round(scenario)), kgxp.Policy())
>>> verify_recompetition(scenario, register, run_recompetition(scenario, register))
[]
"""

from __future__ import annotations

from collections import Counter

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp.checks.violation import Violation, violation_order
from kgxp.model.arguments import scenario_argument
from kgxp.model.digest import scenario_digest
from kgxp.model.scenario import Scenario
from kgxp.round.ranking import scenario_ranking
from kgxp.waiting.recompetition import applications
from kgxp.waiting.recompetition_round import RecompetitionOutcome, RecompetitionResult
from kgxp.waiting.register import Register, register_argument

__all__ = ["verify_recompetition"]


@in_kgxp_decimal_context
def verify_recompetition(
    scenario: Scenario, register: Register, result: RecompetitionResult
) -> list[Violation]:
    """Violations of the re-competition's invariants (``[]`` when it holds); see the module."""
    scenario = scenario_argument(scenario)
    register = register_argument(register)
    found: list[Violation] = []
    try:
        found += _check(scenario, register, result)
    except Exception as error:  # a malformed result is reported, not raised
        found.append(Violation("I1", f"check could not complete: {type(error).__name__}: {error}"))
    return sorted(found, key=violation_order)


def _check(scenario: Scenario, register: Register, result: RecompetitionResult) -> list[Violation]:
    found: list[Violation] = []
    digest = scenario_digest(scenario)
    if result.scenario_digest != digest:
        found.append(Violation("I1", "the result names another scenario (digest differs)"))
    if register.scenario_digest != digest:
        found.append(
            Violation("I1", "the register was made from another scenario (digest differs)")
        )
    if result.register_digest != register.digest:
        found.append(Violation("I1", "the result was run on another register (digest differs)"))
    if result.semester != register.semester:
        found.append(
            Violation("I1", f"result of {result.semester}, register of {register.semester}")
        )
    due = set(register.due())
    listed = Counter(o.teacher for o in result.outcomes)
    for teacher, n in sorted(listed.items()):
        if n > 1:
            found.append(Violation("I1", f"teacher {teacher} competed {n} times", teacher=teacher))
        if teacher not in due:
            found.append(
                Violation(
                    "I1",
                    f"teacher {teacher} competed but no re-competition was due for them (R9)",
                    teacher=teacher,
                )
            )
    for teacher in sorted(due - set(listed)):
        found.append(
            Violation(
                "I1",
                f"teacher {teacher} was due to compete (R9) but has no outcome",
                teacher=teacher,
            )
        )

    offered = register.vacancies
    if dict(result.vacancies) != dict(offered):
        found.append(
            Violation(
                "I2",
                "the seats offered differ from the register's vacancies",
                evidence={"offered": dict(result.vacancies), "register": dict(offered)},
            )
        )
    winners = Counter(o.post for o in result.outcomes if o.post is not None)
    for post, n in sorted(winners.items()):
        if n > offered.get(post, 0):
            found.append(
                Violation(
                    "I2",
                    f"post {post}: {n} winner(s) for {offered.get(post, 0)} open seat(s)",
                    post=post,
                )
            )

    posts = {p.id: p for p in scenario.posts}
    competing = sorted(due & set(listed))
    applied = {t.id: t.preferences for t in applications(scenario, competing, offered)}
    first: dict[str, RecompetitionOutcome] = {}
    for outcome in result.outcomes:
        first.setdefault(outcome.teacher, outcome)
    for teacher in competing:
        outcome = first[teacher]
        if outcome.applied != applied[teacher]:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher}: applications {list(outcome.applied)} are not the ones "
                    f"the rules give ({list(applied[teacher])})",
                    teacher=teacher,
                )
            )
        if outcome.post is None:
            if outcome.school is not None:
                found.append(
                    Violation(
                        "I9", f"teacher {teacher} won no post but has a school", teacher=teacher
                    )
                )
            continue
        won_post = posts.get(outcome.post)
        if won_post is None or outcome.post not in applied[teacher]:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher} won post {outcome.post}, which they could not apply for",
                    teacher=teacher,
                    post=outcome.post,
                )
            )
        elif outcome.school != won_post.school:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher}: school {outcome.school} is not post {won_post.id}'s school",
                    teacher=teacher,
                    post=won_post.id,
                )
            )

    ranking = scenario_ranking(scenario, result.policy, result.seed)
    klass = ranking.priority_class
    holders: dict[str, list[str]] = {}
    for teacher in competing:
        won = first[teacher].post
        if won is not None:
            holders.setdefault(won, []).append(teacher)
    for teacher in competing:
        won = first[teacher].post
        for post in applied[teacher]:
            if post == won:
                break
            taken = holders.get(post, [])
            if len(taken) < offered.get(post, 0):
                found.append(
                    Violation(
                        "I7",
                        f"teacher {teacher} applied for post {post}, which kept a free seat",
                        teacher=teacher,
                        post=post,
                    )
                )
                continue
            weaker = [h for h in taken if klass[h] > klass[teacher]]
            if weaker:
                found.append(
                    Violation(
                        "I7",
                        f"teacher {teacher} lost post {post} to {min(weaker)}, who ranks lower",
                        teacher=teacher,
                        post=post,
                        evidence={"rival": min(weaker)},
                    )
                )
    return found
