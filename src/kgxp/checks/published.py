"""I12, published fields: everything a 公示 list or report prints is what the rules derive.

A result read back from its published ``result.json`` could be edited: a composite
score, a preference rank, a rival, the criterion that decided between two
teachers, a round's counts. None of these change who holds which post, so the
placement invariants (I1–I9) do not see them, yet the publication lists print
them. This check recomputes each from the scenario and the result's own policy
and seed (the ranking of R12/R15, shared with the engine) and reports every
difference under I12 (the result is the one the engine gives for this input):

- ``Outcome.score`` and every ``Reason.score`` are the teacher's composite score (R15);
- ``Outcome.preference_rank`` is the post's position in the teacher's preferences
  (none when the post is not among them);
- a reason naming a ``rival``: the rival is another teacher of the scenario who
  holds that post, ``rival_score`` is the rival's composite score, and
  ``decided_by`` is ``score`` exactly when the two scores differ (R12);
- each round's ``placed`` agrees with the outcomes, ``seats_offered`` with
  the seats the plan offers it (R5, R6) given the outcomes, and ``candidates`` with
  who entered it: every teacher not protected whom no earlier round placed,
  less the volunteers in an in-school round (R5) and, when the policy requires
  willingness, the unwilling in an adjustment round (R6).
"""

from __future__ import annotations

from collections import Counter
from itertools import compress, repeat
from operator import is_, not_
from typing import TypeVar

from kgxp.checks.context import ADJUSTMENT, IN_SCHOOL, PROTECTED, Context
from kgxp.checks.violation import Violation
from kgxp.model.teacher_columns import teacher_columns
from kgxp.round.adjustment import BALANCE, MAIN_SUBJECT, OTHER_SUBJECT

__all__ = ["check_published_fields"]

_T = TypeVar("_T")


SEAT_CHOICES = frozenset({MAIN_SUBJECT, OTHER_SUBJECT, BALANCE})
"""The ``decided_by`` of an adjustment seat (R6), which has no rival."""


def check_published_fields(context: Context) -> list[Violation]:
    """I12: scores, ranks, rivals, deciding criteria and round counts as the rules derive them."""
    found: list[Violation] = []
    ranking = context.ranking
    score_of = ranking.score
    declared = {(e.teacher, e.post) for e in context.result.exceptions}
    # Read field by field (a result's OutcomeTable: its columns, no outcome objects built).
    posts = context.entry_values("post")
    rows = context.entry_rows("teacher", "score", "post", "preference_rank", "reasons")
    # Per entry, columns read in C rather than a dict of every teacher built per call:
    # the composite score (R15) and the preferences the teacher stated (R12; a default
    # in-school application, R5, is no stated preference, so it has no rank).
    expected_scores = context.scores_of(context.entry_ids)
    stated_prefs = context.per_entry(teacher_columns(context.scenario).preferences)
    holder: dict[str, str | None] | None = None  # rival id -> post held, built when needed
    ids = context.entry_ids
    row_of = ranking.row.get if context.positions is None else None
    for (teacher_id, score, post, preference_rank, reasons), expected, stated in zip(
        rows, expected_scores, stated_prefs, strict=True
    ):
        # `is` first: the engine publishes the ranking's own Decimal, and comparing two
        # Decimals reads both from memory (at 100,000 teachers, a cache miss each).
        if score is not expected and expected is not None and score != expected:
            found.append(_wrong(teacher_id, None, "composite score", score, expected))
        if stated and stated[0] == post:
            rank: int | None = 0  # most teachers win their first choice: one comparison
        else:
            rank = stated.index(post) if post in stated else None
        if preference_rank != rank:
            found.append(_wrong(teacher_id, post, "preference rank", preference_rank, rank))
        for reason in reasons:
            stated_own = reason.score
            if (
                stated_own is not expected
                and stated_own is not None
                and expected is not None
                and stated_own != expected
            ):
                found.append(
                    _wrong(teacher_id, reason.post, "reason's score", stated_own, expected)
                )
            code = reason.code
            if code == "policy_exception":
                continue  # a claim set aside on purpose, naming the holder: I7 and I15 check it
            rival = reason.rival
            if rival is None:
                # Without a rival, only the adjustment's seat choice (R6: main subject,
                # other subject, balance; checked by I8) may name what decided.
                decided_by = reason.decided_by
                if reason.rival_score is not None or (
                    decided_by is not None and not (code == "placed" and decided_by in SEAT_CHOICES)
                ):
                    found.append(
                        _wrong(
                            teacher_id,
                            reason.post,
                            "rival",
                            None,
                            "a rival for the score given",
                        )
                    )
                continue
            # The rival's score and post. Outcomes one per teacher in order: read at the
            # rival's row of the ranking (checked against the id), not from a dict of every
            # teacher's post.
            if row_of is not None and (j := row_of(rival)) is not None and ids[j] == rival:
                rival_score, rival_post = expected_scores[j], posts[j]
            else:
                if holder is None:
                    holder = dict(zip(ids, posts, strict=True))
                rival_score, rival_post = score_of.get(rival), holder.get(rival)
            # Each test of a reason naming a rival, made here once, each followed by what
            # it reports (tens of thousands of such reasons in a county: a call each would
            # cost more than the tests). The rival is another teacher of the scenario who
            # holds the post, with their score (`is` first: the engine publishes the
            # ranking's own Decimal).
            if rival_score is None or rival == teacher_id:
                found.append(
                    _wrong(
                        teacher_id, reason.post, "rival", rival, "another teacher of the scenario"
                    )
                )
                continue
            if rival_post != reason.post:
                found.append(
                    _wrong(teacher_id, reason.post, "rival's post", rival_post, reason.post)
                )
            if (claimed := reason.rival_score) is not rival_score and claimed != rival_score:
                found.append(_wrong(teacher_id, reason.post, "rival's score", claimed, rival_score))
            # Who won is the mechanism's business (I7); what separated the two is the
            # ranking's: the score when the scores differ, a tie-breaker or the lottery when
            # they do not (R12). A declared policy exception (R16, R17) is a claim set aside
            # on purpose, its rival may rank lower: I7 and I15 check the declaration, not this.
            decided_by = reason.decided_by
            if (
                decided_by is not None
                and expected is not None
                and (decided_by == "score") != (rival_score != expected)
                and (teacher_id, reason.post) not in declared
            ):
                criterion = "score" if rival_score != expected else "a tie-breaker or the lottery"
                found.append(
                    _wrong(teacher_id, reason.post, "deciding criterion", decided_by, criterion)
                )
    placed = Counter(name for name in context.entry_values("round") if name)
    offered = {
        spec.name: sum(seats)
        for spec, seats in zip(context.plan, context.expected_offers, strict=True)
    }
    entered = _candidates(context)
    for stats in context.result.rounds:
        for label, claimed, actual in (
            ("candidates", stats.candidates, entered.get(stats.name, 0)),
            ("placed", stats.placed, placed[stats.name]),
            ("seats_offered", stats.seats_offered, offered.get(stats.name, 0)),
        ):
            if claimed != actual:
                found.append(
                    Violation(
                        "I12",
                        f"round {stats.name} reports {label} {claimed}, but the outcomes and "
                        f"seat table give {actual}",
                        evidence={
                            "round": stats.name,
                            "field": label,
                            "claimed": claimed,
                            "actual": actual,
                        },
                    )
                )
    return found


def _candidates(context: Context) -> dict[str, int]:
    """Round name -> how many teachers entered it, as the engine builds its pool (R4-R6).

    Every teacher not protected stays in the pool until the round that places them,
    which they still entered; an in-school round leaves out the volunteers (R5), an
    adjustment round the unwilling when the policy requires willingness (R6). Who is
    protected and who was placed where are read from the outcomes (I4 and I7 check
    those), and a teacher without an outcome (I1's) counts as R4 says and never placed,
    so that each of those faults is reported once, by its own invariant.
    """
    policy = context.policy
    teachers = context.scenario.teachers
    columns = teacher_columns(context.scenario)  # shared with run_round
    tally = context.tally
    positions = context.positions
    if positions is None:  # every teacher an entry, in order: the columns are the tally's
        protected = list(map(is_, tally.status, repeat(PROTECTED)))
        round_of = tally.round_of
    else:
        protected = [reasons is not None for reasons in context.roster.protected]
        round_of = [-1] * len(teachers)
        for j, status, k in zip(positions, tally.status, tally.round_of, strict=True):
            protected[j] = status is PROTECTED
            round_of[j] = k
    # Per placing round (-1: never placed), the unprotected teachers it took out of the
    # pool, and how many of them were volunteers or unwilling; then walk the plan. Counted
    # in C (compress, Counter): a Python step per teacher was most of this.
    unprotected = list(map(not_, protected))
    rounds_left = list(compress(round_of, unprotected))
    placed_by = Counter(rounds_left)
    volunteers_by, unwilling_by = Counter[int](), Counter[int]()
    if policy.allow_voluntary_cross_school:
        volunteering = compress(columns.volunteers, unprotected)
        volunteers_by = Counter(compress(rounds_left, volunteering))
    if policy.adjustment_requires_willingness:
        refusing = map(not_, compress(columns.willing, unprotected))
        unwilling_by = Counter(compress(rounds_left, refusing))
    pool = sum(placed_by.values())
    volunteers, unwilling = sum(volunteers_by.values()), sum(unwilling_by.values())
    entered: dict[str, int] = {}
    for k, spec in enumerate(context.plan):
        if spec.kind is IN_SCHOOL:
            count = pool - volunteers
        elif spec.kind is ADJUSTMENT:
            count = pool - unwilling
        else:
            count = pool
        entered.setdefault(spec.name, count)
        pool -= placed_by[k]
        volunteers -= volunteers_by[k]
        unwilling -= unwilling_by[k]
    return entered


def _wrong(
    teacher: str, post: str | None, what: str, claimed: object, expected: object
) -> Violation:
    return Violation(
        "I12",
        f"teacher {teacher}: published {what} is {claimed}, the rules give {expected}",
        teacher=teacher,
        post=post,
        evidence={"field": what, "claimed": str(claimed), "expected": str(expected)},
    )
