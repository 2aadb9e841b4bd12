"""``verify``: the policy invariants (I1–I9, I12) checked on any :class:`~kgxp.result.RoundResult`.

A result may come from the engine, from a JSON file (a published 公示 list), or be
built by hand; :func:`verify` trusts none of it. It recomputes what the rules fix
— home schools (R3), the protected set (R4), the R5 split, the ranking (R12/R15)
— from the scenario and the result's own policy and seed, then checks every
claim of the result against them and against each other. It never raises on a
malformed result (unknown ids, missing posts, inconsistent seat tables): every
problem is reported as a :class:`Violation`. (What derives from the scenario alone —
its digest, the protected set, the ranking for a policy and seed — is computed once
per scenario object and shared with :func:`~kgxp.engine.run_round`, see
``kgxp._memo``: the same function of the same immutable input, not the result's word.)

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
I5   split (R5): ``in_school``/``cross_school`` equal :func:`~kgxp.split.split_seats`;
     each competitive round offers exactly the seats the split leaves it
I6   round order: ``home_school`` (R3); in-school placements at home, cross-school
     placements elsewhere; volunteers skip the in-school round
I7   no justified envy in each competitive round (weak stability, R12)
I8   adjustment by merit (R6): the adjustment round offers every remaining seat; no
     candidate left out while a lower-priority teacher was adjusted to a seat they
     could fill, or while such a seat stayed free
I9   waiting is last (R6, R7): only willing teachers are adjusted (when the policy
     requires it); a waiting teacher has no post and an existing, open school
I12  determinism: the digest is this scenario's; with ``rerun=True`` the engine,
     run again on the scenario with its records reversed, gives the same result
==== ==============================================================================

I10 (waiting pay) and I11 (dismissal review) are properties of the waiting
ledger, and I13 (monotonicity) of the mechanism across runs; they are not
properties of one round's result and are tested elsewhere.

When the result lists a teacher twice, every check but I1 looks at the first
outcome listed; outcomes of unknown teachers are reported by I1 only.

Typical use (the engine's result, or one reloaded from its published JSON)::

    from kgxp.engine import run_round
    from kgxp.verify import verify

    result = run_round(scenario)
    for violation in verify(scenario, result):
        print(violation)  # e.g. "I7: in round in_school, teacher T2 applied for ..."

>>> from kgxp.verify import Violation
>>> v = Violation("I9", "waiting teacher T3 has post A-CHN, round None", teacher="T3")
>>> print(v)
I9: waiting teacher T3 has post A-CHN, round None
>>> v.as_dict()["teacher"]
'T3'
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from operator import attrgetter, eq
from types import MappingProxyType
from typing import TypeVar

import attrs

from kgxp._gc import collector_paused
from kgxp.io import scenario_digest
from kgxp.policy import Policy, RoundKind, RoundSpec, Scope
from kgxp.protection import scenario_protected
from kgxp.ranking import Ranking, scenario_ranking
from kgxp.result import Outcome, PostSeats, RoundResult, Status
from kgxp.scenario import Post, Scenario, School, Teacher
from kgxp.scope import scope_unit
from kgxp.split import SeatSplit, own_candidates_by_post, split_seats

_T = TypeVar("_T")

__all__ = ["CHECKED_INVARIANTS", "Violation", "verify"]

CHECKED_INVARIANTS: tuple[str, ...] = ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9", "I12")
"""The invariant ids :func:`verify` checks, in report order."""

_STATUS_OF_KIND: Mapping[RoundKind, Status] = {
    RoundKind.IN_SCHOOL: Status.IN_SCHOOL,
    RoundKind.CROSS_SCHOOL: Status.CROSS_SCHOOL,
    RoundKind.ADJUSTMENT: Status.ADJUSTED,
}
_PLACED = frozenset(_STATUS_OF_KIND.values())
_COMPETITIVE = frozenset({RoundKind.IN_SCHOOL, RoundKind.CROSS_SCHOOL})
# Members the per-teacher loops compare with, bound once: on Python 3.11 each
# ``Status.X`` is a descriptor call (~0.2 µs), and the checks make several per teacher.
_WAITING, _PROTECTED = Status.WAITING, Status.PROTECTED
_IN_SCHOOL, _CROSS_SCHOOL = RoundKind.IN_SCHOOL, RoundKind.CROSS_SCHOOL
_ADJUSTMENT = RoundKind.ADJUSTMENT


def _read_only(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Violation:
    """One broken invariant, precise enough to find and fix.

    ``invariant`` is the id of the domain brief (``"I7"``); ``message`` says what
    is wrong using ids only (never names: results are published); ``teacher`` and
    ``post`` locate it when it concerns one; ``evidence`` holds the same facts
    machine-readably (rival, priority classes, seat counts…), read-only.
    """

    invariant: str
    message: str
    teacher: str | None = None
    post: str | None = None
    evidence: Mapping[str, object] = attrs.field(
        factory=dict, converter=_read_only, hash=False, repr=lambda m: repr(dict(m))
    )

    def __str__(self) -> str:
        return f"{self.invariant}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """A plain dict (JSON-friendly when the evidence is)."""
        return {
            "invariant": self.invariant,
            "message": self.message,
            "teacher": self.teacher,
            "post": self.post,
            "evidence": dict(self.evidence),
        }


def _sort_key(violation: Violation) -> tuple[int, str, str, str, str, str]:
    number = violation.invariant[1:]
    return (
        int(number) if number.isdigit() else 1_000,
        violation.invariant,
        violation.teacher or "",
        violation.post or "",
        violation.message,
        repr(sorted(violation.evidence.items(), key=lambda item: item[0])),
    )


def verify(scenario: Scenario, result: RoundResult, *, rerun: bool = False) -> list[Violation]:
    """Check ``result`` against the policy invariants for ``scenario``; ``[]`` when it holds.

    ``result.policy`` and ``result.seed`` are the policy and lottery seed the
    result claims; everything the rules derive from them is recomputed here.
    With ``rerun=True`` the engine is also run again (I12), on the scenario with
    its schools, posts and teachers in reverse order, and every difference is
    reported. Violations come sorted by invariant, teacher, post and message.
    Never raises because of the result: a check that cannot complete reports
    itself as a violation of its invariant.
    """
    with collector_paused():  # see kgxp._gc
        return _verify(scenario, result, rerun=rerun)


def _verify(scenario: Scenario, result: RoundResult, *, rerun: bool) -> list[Violation]:
    context = _Context(scenario, result)
    found: list[Violation] = []
    checks: list[tuple[str, Callable[[_Context], Iterable[Violation]]]] = [
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
    return sorted(found, key=_sort_key)


class _Context:
    """What the checks read, extracted once per :func:`verify` call.

    On a large county, verifying costs touching scattered objects (models, their
    ``__dict__``, dicts keyed by 100,000 ids) far more than computing. So each
    outcome is read once, by :class:`_Tally`, into lists the checks zip over, and
    teachers, posts and rounds are addressed by position rather than looked up by id:

    - an *entry* ``e`` is a scenario teacher with an outcome, and its first outcome
      (duplicates and unknown ids are I1's): ``entry_teachers[e]``,
      ``entry_outcomes[e]``, ``home[e]``, ``tally.round_of[e]``…
    - a post ``i`` is its position in ``scenario.posts``: ``post_list[i]``,
      ``rows_at[i]``, ``tally.holders[i]``…
    - a round ``k`` is its position in the plan.

    The checks visit entries in this order, not by id (:func:`verify` sorts what
    they find); those reading seat rows visit posts by id (:attr:`post_order`).
    """

    def __init__(self, scenario: Scenario, result: RoundResult) -> None:
        self.scenario = scenario
        self.result = result
        self.policy: Policy = result.policy
        self.schools: dict[str, School] = {s.id: s for s in scenario.schools}
        self.post_list: tuple[Post, ...] = scenario.posts
        self.post_index: dict[str, int] = {p.id: i for i, p in enumerate(scenario.posts)}
        self.plan: tuple[RoundSpec, ...] = tuple(result.policy.rounds)
        self.round_index: dict[str, int] = {}
        for k, spec in enumerate(self.plan):
            self.round_index.setdefault(spec.name, k)
        # Entry -> position in scenario.teachers; None when the outcomes are exactly one
        # per teacher in the scenario's order, so that entries are scenario positions.
        self.positions, self.entry_outcomes = _entries(scenario.teachers, result.outcomes)
        self.aligned = self.positions is None
        self.entry_teachers: Sequence[Teacher] = (
            scenario.teachers
            if self.positions is None
            else [scenario.teachers[j] for j in self.positions]
        )
        self.row: dict[str, PostSeats] = {}
        for row in result.posts:
            self.row.setdefault(row.post, row)
        self.rows_at: list[PostSeats | None] = [self.row.get(p.id) for p in scenario.posts]
        # Per-scope and per-round look-up tables, built on first use.
        self._units: dict[Scope, dict[str, str]] = {}
        self._offers: dict[int, dict[str, int]] = {}

    # --- derived from the scenario and the result's policy and seed -----------------

    @cached_property
    def teachers(self) -> dict[str, Teacher]:
        """Teacher id -> teacher (only I1 needs it, and only for a damaged result)."""
        return {t.id: t for t in self.scenario.teachers}

    @cached_property
    def roster(self) -> _Roster:
        return _Roster(self.scenario, self.policy, self.protected)

    def _per_entry(self, column: list[_T]) -> list[_T]:
        """A column of the roster (per scenario teacher) as a column per entry."""
        return column if self.positions is None else [column[j] for j in self.positions]

    @cached_property
    def home(self) -> list[str]:
        """R3: each entry's home school (the receiving school of a merged one)."""
        return self._per_entry(self.roster.home)

    @cached_property
    def protected(self) -> dict[str, tuple[str, ...]]:
        """R4: teacher id -> reasons, for every protected teacher."""
        return scenario_protected(self.scenario, self.policy)

    @cached_property
    def protected_at(self) -> list[tuple[str, ...] | None]:
        """Each entry's R4 reasons; ``None`` when R4 does not protect the teacher."""
        return self._per_entry(self.roster.protected)

    @cached_property
    def protected_entries(self) -> list[int]:
        """The entries R4 protects (a few percent of them)."""
        return [e for e, reasons in enumerate(self.protected_at) if reasons is not None]

    @cached_property
    def volunteer_at(self) -> list[bool]:
        """Whether each entry skips the in-school round (only when the policy allows it)."""
        return self._per_entry(self.roster.volunteer)

    @cached_property
    def fit(self) -> _Fit:
        return _Fit(self)

    @cached_property
    def entry_ids(self) -> list[str]:
        """Each entry's teacher id."""
        return self._per_entry(self.roster.ids)

    @cached_property
    def priority_at(self) -> list[int]:
        """Each entry's priority class (R12; lower is better)."""
        return list(map(self.ranking.priority_class.__getitem__, self.entry_ids))

    @cached_property
    def ranking(self) -> Ranking:
        return scenario_ranking(self.scenario, self.policy, self.result.seed)

    @cached_property
    def tally(self) -> _Tally:
        return _Tally(self)

    @cached_property
    def post_order(self) -> list[int]:
        """Post positions by post id: the checks that read seat rows visit them in this order,
        so that of several malformed rows, the one a failing check reports stays the same."""
        return sorted(range(len(self.post_list)), key=[p.id for p in self.post_list].__getitem__)

    @cached_property
    def posts_at_school(self) -> dict[str, list[Post]]:
        """School id -> its posts."""
        at_school: dict[str, list[Post]] = defaultdict(list)
        for post in self.post_list:
            at_school[post.school].append(post)
        return at_school

    @cached_property
    def own_candidates(self) -> dict[str, int]:
        """Per post id: its school's competing teachers of its subject (R5 ``shortage_first``).

        :func:`~kgxp.split.count_own_candidates` (protected teachers and volunteers do
        not compete in-school), counted from the roster rather than through a dict of
        every teacher's home (which took as long as the whole split).
        """
        roster = self.roster
        competing = zip(roster.home, roster.competing_subject, strict=True)
        return own_candidates_by_post(self.post_list, competing)

    @cached_property
    def split(self) -> list[SeatSplit]:
        """R5 recomputed, per post: remaining seats less reserved and R4 holders, own candidates."""
        r4_holders = [0] * len(self.post_list)
        post_at = self.tally.post_at
        for e in self.protected_entries:
            if post_at[e] >= 0:
                r4_holders[post_at[e]] += 1
        remaining = {
            p.id: p.seats - p.reserved - held
            for p, held in zip(self.post_list, r4_holders, strict=True)
        }
        split = split_seats(self.post_list, remaining, self.own_candidates, self.policy)
        return [split[p.id] for p in self.post_list]

    @cached_property
    def expected_offers(self) -> list[list[int]]:
        """Per round, per post: seats the plan should offer, given the outcomes' fills.

        In-school rounds offer the in-school seats left; cross-school rounds the
        cross-school seats left plus, when ``offer_unfilled_in_school_seats``, the
        in-school seats left; adjustment rounds every seat left (R6). A placement
        outside the in-school round takes a cross-school seat first.
        """
        fills = self.tally.fills
        offers = [[0] * len(self.post_list) for _ in self.plan]
        rounds = [(spec.kind, spec.offer_unfilled_in_school_seats) for spec in self.plan]
        for i, seats in enumerate(self.split):
            left_in, left_cross = seats.in_school, seats.cross_school
            for k, (kind, offer_unfilled) in enumerate(rounds):
                filled = fills[k][i]
                if kind is _IN_SCHOOL:
                    offers[k][i] = max(left_in, 0)
                    left_in -= filled
                    continue
                if kind is _CROSS_SCHOOL:
                    extra = left_in if offer_unfilled else 0
                    offers[k][i] = max(left_cross, 0) + max(extra, 0)
                else:
                    offers[k][i] = max(left_cross, 0) + max(left_in, 0)
                from_cross = min(filled, max(left_cross, 0))
                left_cross -= from_cross
                left_in -= filled - from_cross
        return offers

    # --- small helpers ---------------------------------------------------------------

    def units(self, scope: Scope) -> dict[str, str]:
        """School id -> unit at ``scope`` (R11), for every school of the scenario (built once)."""
        if scope not in self._units:
            self._units[scope] = {
                s: scope_unit(school, scope) for s, school in self.schools.items()
            }
        return self._units[scope]

    def offers(self, k: int) -> dict[str, int]:
        """Post id -> seats its seat row says round ``k`` offered (built once per round)."""
        if k not in self._offers:
            name = self.plan[k].name
            self._offers[k] = {
                post_id: row.offered.get(name, 0) for post_id, row in self.row.items()
            }
        return self._offers[k]


def _entries(
    teachers: tuple[Teacher, ...], outcomes: tuple[Outcome, ...]
) -> tuple[list[int] | None, Sequence[Outcome]]:
    """The positions in ``teachers`` of the teachers with an outcome (by id) and the
    first outcome of each; ``None`` and ``outcomes`` when the outcomes are exactly one
    per teacher, in the scenario's order.

    The engine lists outcomes by teacher id, the order of generated and published
    scenarios: then pairing them takes no dict of every teacher id.
    """
    if len(outcomes) == len(teachers) and all(
        map(eq, map(_teacher_of, outcomes), map(_id_of, teachers))
    ):
        return None, outcomes
    known = {t.id: j for j, t in enumerate(teachers)}
    first: dict[str, Outcome] = {}
    for outcome in outcomes:
        if outcome.teacher in known:
            first.setdefault(outcome.teacher, outcome)
    ids = sorted(first)
    return [known[teacher_id] for teacher_id in ids], [first[teacher_id] for teacher_id in ids]


_teacher_of = attrgetter("teacher")
_id_of = attrgetter("id")


class _Roster:
    """The scenario's teachers, read in one pass; per teacher, in the scenario's order:

    ``ids``; ``home``, the school whose in-school round they join (R3: the receiving school of
    a merged one); ``protected``, their R4 reasons, else ``None``; ``volunteer``,
    whether they skip the in-school round (when the policy allows it); and
    ``competing_subject``, the main subject of those who compete in-school, else ``None``.
    """

    def __init__(
        self, scenario: Scenario, policy: Policy, protected: Mapping[str, tuple[str, ...]]
    ) -> None:
        receiving = scenario.receiving_schools()
        allow_volunteers = policy.allow_voluntary_cross_school
        self.ids: list[str] = []
        self.home: list[str] = []
        self.protected: list[tuple[str, ...] | None] = []
        self.volunteer: list[bool] = []
        self.competing_subject: list[str | None] = []
        id_of, home, protected_of = self.ids.append, self.home.append, self.protected.append
        volunteer_of, subject_of = self.volunteer.append, self.competing_subject.append
        for teacher in scenario.teachers:
            teacher_id = teacher.id
            reasons = protected.get(teacher_id)
            volunteer = allow_volunteers and reasons is None and teacher.volunteers_cross_school
            id_of(teacher_id)
            home(receiving.get(teacher.school, teacher.school))
            protected_of(reasons)
            volunteer_of(volunteer)
            subject_of(teacher.main_subject if reasons is None and not volunteer else None)


# ``_Tally.post_at`` of an outcome without a post, and of one holding a post not in the scenario.
_NO_POST, _UNKNOWN_POST = -1, -2


class _Tally:
    """The entries' outcomes, read in one pass (see :class:`_Context`).

    Per entry: ``status``; ``round_of``, the plan position of the round that placed
    it (status placed, round of the plan), else -1; ``post_at``, the position of its
    post, else ``_NO_POST`` or ``_UNKNOWN_POST`` (both negative). Per round:
    ``placed_in``, the entries it placed, and ``fills``, per post, how many of them
    hold it. Per post: ``holders`` (any status) and ``protected_holders`` (status
    PROTECTED). And, since each outcome is read here anyway: ``home_differs``, the
    entries whose outcome names another home school (I6), and ``school_differs``,
    those holding a post of the scenario whose outcome names another school (I3).
    """

    def __init__(self, context: _Context) -> None:
        post_index, round_index, homes = context.post_index, context.round_index, context.home
        post_schools = [post.school for post in context.post_list]
        posts, rounds = len(post_schools), len(context.plan)
        self.status: list[Status] = []
        self.round_of: list[int] = []
        self.post_at: list[int] = []
        self.placed_in: list[list[int]] = [[] for _ in range(rounds)]
        self.fills: list[list[int]] = [[0] * posts for _ in range(rounds)]
        self.holders = [0] * posts
        self.protected_holders = [0] * posts
        self.home_differs: list[int] = []
        self.school_differs: set[int] = set()
        status_of, round_of, post_at = self.status.append, self.round_of.append, self.post_at.append
        placed_in, fills = self.placed_in, self.fills
        holders, protected_holders = self.holders, self.protected_holders
        for e, outcome in enumerate(context.entry_outcomes):
            status, post, name = outcome.status, outcome.post, outcome.round
            i = _NO_POST if post is None else post_index.get(post, _UNKNOWN_POST)
            k = -1 if name is None or status not in _PLACED else round_index.get(name, -1)
            status_of(status)
            round_of(k)
            post_at(i)
            if outcome.home_school != homes[e]:
                self.home_differs.append(e)
            if i >= 0:
                holders[i] += 1
                if status is _PROTECTED:
                    protected_holders[i] += 1
                if outcome.school != post_schools[i]:
                    self.school_differs.add(e)
            if k >= 0:
                placed_in[k].append(e)
                if i >= 0:
                    fills[k][i] += 1


class _Fit:
    """How each entry's post fits its teacher, in one pass over the teachers.

    ``qualified[e]``: whether the post (of the scenario) is of one of the teacher's
    subjects (I3). ``won_rank[e]``, for an entry a competitive round placed: how many
    of its preferences rank above the post it won there (all of them when it holds
    none), -1 for a post it did not apply for (I3, I7); -1 for other entries.
    """

    def __init__(self, context: _Context) -> None:
        tally, outcomes = context.tally, context.entry_outcomes
        post_ids = [post.id for post in context.post_list]
        post_subjects = [post.subject for post in context.post_list]
        competitive = [spec.kind in _COMPETITIVE for spec in context.plan]
        self.qualified = [False] * len(outcomes)
        self.won_rank = [-1] * len(outcomes)
        for e, (teacher, k, i) in enumerate(
            zip(context.entry_teachers, tally.round_of, tally.post_at, strict=True)
        ):
            if i >= 0:
                self.qualified[e] = post_subjects[i] in teacher.subjects
            if k < 0 or not competitive[k]:
                continue
            preferences = teacher.preferences
            if i == _NO_POST:
                self.won_rank[e] = len(preferences)
                continue
            won = post_ids[i] if i >= 0 else outcomes[e].post
            if won in preferences:
                self.won_rank[e] = preferences.index(won)


# --- I1 ----------------------------------------------------------------------------------


def check_conservation(context: _Context) -> list[Violation]:
    """I1: every scenario teacher has exactly one outcome (R7: nobody is lost)."""
    if context.aligned:
        return []  # one outcome per teacher, in the scenario's order
    found = []
    seen: Counter[str] = Counter(o.teacher for o in context.result.outcomes)
    for teacher_id, count in sorted(seen.items()):
        if teacher_id not in context.teachers:
            found.append(
                Violation(
                    "I1",
                    f"outcome for teacher {teacher_id}, who is not in the scenario",
                    teacher=teacher_id,
                    evidence={"outcomes": count},
                )
            )
        elif count > 1:
            found.append(
                Violation(
                    "I1",
                    f"teacher {teacher_id} has {count} outcomes",
                    teacher=teacher_id,
                    evidence={"outcomes": count},
                )
            )
    for teacher_id in sorted(set(context.teachers) - set(seen)):
        found.append(
            Violation(
                "I1",
                f"teacher {teacher_id} has no outcome",
                teacher=teacher_id,
                evidence={"outcomes": 0},
            )
        )
    return found


# --- I2 ----------------------------------------------------------------------------------


def check_capacity(context: _Context) -> list[Violation]:
    """I2: no post holds more than its seats less reserved ones (R2); the seat table is true."""
    found = []
    plan_names = set(context.round_index)
    if len(context.row) != len(context.result.posts) or not (
        context.row.keys() <= context.post_index.keys()
    ):
        found += _row_count_problems(context)
    tally = context.tally
    # (round name, per post the teachers it placed there), for `_row_agrees`
    fills = [(spec.name, tally.fills[k]) for k, spec in enumerate(context.plan)]
    for i in context.post_order:
        post, row, holders = context.post_list[i], context.rows_at[i], tally.holders[i]
        if holders > post.seats - post.reserved:
            found.append(
                Violation(
                    "I2",
                    f"post {post.id} is held by {holders} teachers but has {post.seats} seats, "
                    f"{post.reserved} reserved for new recruits (R2)",
                    post=post.id,
                    evidence={"holders": holders, "seats": post.seats, "reserved": post.reserved},
                )
            )
        if row is None:
            found.append(Violation("I2", f"post {post.id} has no seat row", post=post.id))
        elif not _row_agrees(i, post, row, tally.protected_holders[i], fills, plan_names):
            found += _row_problems(context, i, post, row, plan_names)
    return found


def _row_count_problems(context: _Context) -> list[Violation]:
    found = []
    rows = Counter(row.post for row in context.result.posts)
    for post_id, count in sorted(rows.items()):
        if post_id not in context.post_index:
            found.append(
                Violation(
                    "I2",
                    f"seat row for post {post_id}, which is not in the scenario",
                    post=post_id,
                    evidence={"rows": count},
                )
            )
        elif count > 1:
            found.append(
                Violation(
                    "I2",
                    f"post {post_id} has {count} seat rows",
                    post=post_id,
                    evidence={"rows": count},
                )
            )
    return found


def _row_agrees(
    i: int,
    post: Post,
    row: PostSeats,
    protected: int,
    fills: list[tuple[str, list[int]]],
    plan_names: set[str],
) -> bool:
    """Whether :func:`_row_problems` finds nothing, tested without building anything."""
    if (
        row.school != post.school
        or row.subject != post.subject
        or row.seats != post.seats
        or row.reserved != post.reserved
        or row.protected != protected
        or not plan_names.issuperset((*row.offered, *row.filled))
    ):
        return False
    filled_total = 0
    for name, filled_at in fills:
        filled = filled_at[i]
        filled_total += filled
        offered = row.offered.get(name, 0)
        if row.filled.get(name, 0) != filled or offered < 0 or offered < filled:
            return False
    return row.vacant == post.seats - post.reserved - protected - filled_total


def _row_problems(
    context: _Context, i: int, post: Post, row: PostSeats, plan_names: set[str]
) -> list[Violation]:
    found = []

    def wrong(field: str, stated: object, expected: object, why: str = "") -> None:
        found.append(
            Violation(
                "I2",
                f"seat row of post {post.id}: {field} is {stated}, expected {expected}{why}",
                post=post.id,
                evidence={"field": field, "stated": stated, "expected": expected},
            )
        )

    for field, expected in (
        ("school", post.school),
        ("subject", post.subject),
        ("seats", post.seats),
        ("reserved", post.reserved),
    ):
        stated = getattr(row, field)
        if stated != expected:
            wrong(field, stated, expected, " (scenario)")
    protected = context.tally.protected_holders[i]
    if row.protected != protected:
        wrong("protected", row.protected, protected, " (protected outcomes holding it)")
    unknown = {name for name in (*row.offered, *row.filled) if name not in plan_names}
    for name in sorted(unknown):
        found.append(
            Violation(
                "I2",
                f"seat row of post {post.id} names round {name}, which is not in the plan",
                post=post.id,
                evidence={"round": name},
            )
        )
    filled_total = 0
    for k, spec in enumerate(context.plan):
        filled = context.tally.fills[k][i]
        filled_total += filled
        stated = row.filled.get(spec.name, 0)
        if stated != filled:
            wrong(f"filled[{spec.name}]", stated, filled, " (outcomes placed by that round)")
        offered = row.offered.get(spec.name, 0)
        if offered < 0:
            wrong(f"offered[{spec.name}]", offered, "a count >= 0")
        elif offered < filled:
            found.append(
                Violation(
                    "I2",
                    f"round {spec.name} placed {filled} teachers at post {post.id} but offered "
                    f"{offered} seats",
                    post=post.id,
                    evidence={"round": spec.name, "offered": offered, "filled": filled},
                )
            )
    vacant = post.seats - post.reserved - protected - filled_total
    if row.vacant != vacant:
        wrong("vacant", row.vacant, vacant, " (seats - reserved - protected - filled)")
    return found


# --- I3 ----------------------------------------------------------------------------------


def check_eligibility(context: _Context) -> list[Violation]:
    """I3: a post of a qualified subject, inside the round's scope, among the preferences.

    The scope of in-school placements (the home school) is I6's check and the
    school of protected teachers I4's, so each fact is reported once.
    """
    found = []
    posts, home, tally, fit = context.post_list, context.home, context.tally, context.fit
    qualified, won_rank, school_differs = fit.qualified, fit.won_rank, tally.school_differs
    # Per round: the status its placements carry, the units a placement stays in (none
    # for the in-school round, whose scope is I6's), whether it is competitive.
    rounds = [
        (
            _STATUS_OF_KIND[spec.kind],
            None if spec.kind is _IN_SCHOOL else context.units(spec.scope),
            spec.kind in _COMPETITIVE,
        )
        for spec in context.plan
    ]
    # Test the common cases on the columns (a call, and reading the models again, per
    # teacher was most of I3's time) and leave the details of anything else to
    # `_eligibility_problems`.
    for e, (status, k, i) in enumerate(
        zip(tally.status, tally.round_of, tally.post_at, strict=True)
    ):
        if k >= 0:
            carried, units, competitive = rounds[k]
            if (
                carried is status
                and i >= 0
                and qualified[e]
                and e not in school_differs
                and (units is None or units.get(home[e]) == units.get(posts[i].school))
                and (not competitive or won_rank[e] >= 0)
            ):
                continue
        elif status not in _PLACED:
            if i == _NO_POST or status is _WAITING:
                continue
            if i >= 0 and qualified[e] and e not in school_differs:
                continue
        found += _eligibility_problems(context, e)
    return found


def _eligibility_problems(context: _Context, e: int) -> list[Violation]:
    found = []
    outcome, teacher = context.entry_outcomes[e], context.entry_teachers[e]
    teacher_id = outcome.teacher
    spec: RoundSpec | None = None
    if outcome.status in _PLACED:
        k = context.round_index.get(outcome.round) if outcome.round is not None else None
        if k is None:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} has status {outcome.status.value} but round "
                    f"{outcome.round} is not a round of the plan",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"status": outcome.status.value, "round": outcome.round},
                )
            )
        elif _STATUS_OF_KIND[context.plan[k].kind] is not outcome.status:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} has status {outcome.status.value} but was placed "
                    f"by round {outcome.round}, a {context.plan[k].kind.value} round",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={
                        "status": outcome.status.value,
                        "round": outcome.round,
                        "kind": context.plan[k].kind.value,
                    },
                )
            )
        else:
            spec = context.plan[k]
        if outcome.post is None:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} is placed without a post",
                    teacher=teacher_id,
                    evidence={"status": outcome.status.value},
                )
            )
    if outcome.post is None or outcome.status is _WAITING:
        return found  # a waiting teacher's post is I9's
    i = context.tally.post_at[e]
    if i < 0:
        found.append(
            Violation(
                "I3",
                f"teacher {teacher_id} holds post {outcome.post}, which is not in the scenario",
                teacher=teacher_id,
                post=outcome.post,
            )
        )
        return found
    found += _post_problems(context, teacher, outcome, context.home[e], context.post_list[i], spec)
    return found


def _post_problems(
    context: _Context,
    teacher: Teacher,
    outcome: Outcome,
    home: str,
    post: Post,
    spec: RoundSpec | None,
) -> list[Violation]:
    found = []
    tid, pid = teacher.id, post.id
    if post.subject not in teacher.subjects:
        found.append(
            Violation(
                "I3",
                f"teacher {tid} holds post {pid} of subject {post.subject}, not one of the "
                "teacher's subjects",
                teacher=tid,
                post=pid,
                evidence={"subject": post.subject, "qualified": list(teacher.subjects)},
            )
        )
    if outcome.school != post.school:
        found.append(
            Violation(
                "I3",
                f"outcome of teacher {tid} names school {outcome.school}, but post {pid} is at "
                f"school {post.school}",
                teacher=tid,
                post=pid,
                evidence={"stated": outcome.school, "expected": post.school},
            )
        )
    if spec is None:
        return found
    if spec.kind is not _IN_SCHOOL:
        units = context.units(spec.scope)
        home_unit, post_unit = units.get(home), units.get(post.school)
        if home_unit != post_unit:
            found.append(
                Violation(
                    "I3",
                    f"round {spec.name} ({spec.scope.value} scope) placed teacher {tid} of "
                    f"school {home} at post {pid} of school {post.school}, another "
                    f"{spec.scope.value} (R11)",
                    teacher=tid,
                    post=pid,
                    evidence={
                        "round": spec.name,
                        "scope": spec.scope.value,
                        "home_unit": home_unit,
                        "post_unit": post_unit,
                    },
                )
            )
    if spec.kind in _COMPETITIVE and pid not in teacher.preferences:
        found.append(
            Violation(
                "I3",
                f"round {spec.name} placed teacher {tid} at post {pid}, which the teacher did "
                "not apply for (R12)",
                teacher=tid,
                post=pid,
                evidence={"round": spec.name},
            )
        )
    return found


# --- I4 ----------------------------------------------------------------------------------


def check_protection(context: _Context) -> list[Violation]:
    """I4: the R4 teachers, and only they, are placed in advance at their original school."""
    found = []
    r4_conflicts = {c.teacher for c in context.result.conflicts if c.rule == "R4"}
    outcomes, protected_at, status_of = (
        context.entry_outcomes,
        context.protected_at,
        context.tally.status,
    )
    for e in [e for e, status in enumerate(status_of) if status is _PROTECTED]:
        if not protected_at[e]:
            outcome = outcomes[e]
            found.append(
                Violation(
                    "I4",
                    f"teacher {outcome.teacher} is marked protected but no R4 category of "
                    "the policy applies",
                    teacher=outcome.teacher,
                    post=outcome.post,
                    evidence={"protected_by": list(outcome.protected_by)},
                )
            )
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    for e in context.protected_entries:
        reasons, outcome = protected_at[e] or (), outcomes[e]  # () never: e is protected
        if status_of[e] is not _PROTECTED:
            found.append(
                Violation(
                    "I4",
                    f"protected teacher {outcome.teacher} has status {outcome.status.value}; R4 "
                    "teachers take part in no competition",
                    teacher=outcome.teacher,
                    post=outcome.post,
                    evidence={"status": outcome.status.value, "reasons": list(reasons)},
                )
            )
            continue
        i = post_at[e]
        if (
            tuple(outcome.protected_by) == reasons
            and outcome.round is None
            and i >= 0
            and posts[i].school == homes[e]
        ):
            continue  # the common case, tested without a call
        found += _protected_problems(context, e, reasons, r4_conflicts)
    if r4_conflicts:
        found += _conflict_problems(context)
    return found


def _protected_problems(
    context: _Context, e: int, reasons: tuple[str, ...], r4_conflicts: set[str]
) -> list[Violation]:
    found = []
    outcome = context.entry_outcomes[e]
    teacher_id = outcome.teacher
    home = context.home[e]
    if tuple(outcome.protected_by) != reasons:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} lists protected_by "
                f"{list(outcome.protected_by)}, the policy gives {list(reasons)}",
                teacher=teacher_id,
                evidence={"stated": list(outcome.protected_by), "expected": list(reasons)},
            )
        )
    if outcome.round is not None:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} names round {outcome.round}; R4 placement "
                "comes before every round",
                teacher=teacher_id,
                evidence={"round": outcome.round},
            )
        )
    if outcome.post is None:
        if teacher_id not in r4_conflicts:
            found.append(
                Violation(
                    "I4",
                    f"protected teacher {teacher_id} has no post and no R4 conflict explains it",
                    teacher=teacher_id,
                )
            )
        subjects = context.entry_teachers[e].subjects
        protected_holders = context.tally.protected_holders
        for post in context.posts_at_school.get(home, ()):
            if post.subject not in subjects:
                continue
            free = post.seats - post.reserved - protected_holders[context.post_index[post.id]]
            if free > 0:
                found.append(
                    Violation(
                        "I4",
                        f"protected teacher {teacher_id} has no post while post {post.id} of "
                        f"the home school had {free} seat(s) not taken by protected teachers",
                        teacher=teacher_id,
                        post=post.id,
                        evidence={"free": free, "home_school": home},
                    )
                )
        return found
    i = context.tally.post_at[e]
    held = context.post_list[i] if i >= 0 else None
    if held is not None and held.school != home:
        found.append(
            Violation(
                "I4",
                f"protected teacher {teacher_id} holds post {held.id} at school {held.school}, "
                f"not at the original school {home}",
                teacher=teacher_id,
                post=held.id,
                evidence={"post_school": held.school, "home_school": home},
            )
        )
    return found


def _conflict_problems(context: _Context) -> list[Violation]:
    """R4 conflicts must name protected teachers left without a post."""
    found = []
    # Conflicts name protected teachers: their outcomes are all this needs.
    outcome_of = {
        context.entry_teachers[e].id: context.entry_outcomes[e] for e in context.protected_entries
    }
    for conflict in sorted(context.result.conflicts, key=lambda c: (c.teacher, c.message)):
        if conflict.rule != "R4":
            continue
        held = outcome_of.get(conflict.teacher)
        if conflict.teacher not in context.protected or (
            held is not None and held.post is not None
        ):
            found.append(
                Violation(
                    "I4",
                    f"R4 conflict for teacher {conflict.teacher}, who is not a protected teacher "
                    "left without a post",
                    teacher=conflict.teacher,
                    evidence={"school": conflict.school},
                )
            )
    return found


# --- I5 ----------------------------------------------------------------------------------


def check_split(context: _Context) -> list[Violation]:
    """I5: the R5 split of each post, and the seats each competitive round offers."""
    found = []
    split, offers = context.split, context.expected_offers
    competitive = [(k, spec) for k, spec in enumerate(context.plan) if spec.kind in _COMPETITIVE]
    for i in context.post_order:
        post, row = context.post_list[i], context.rows_at[i]
        if row is None:
            continue  # I2 reports it
        expected = split[i]
        if (row.in_school, row.cross_school) != (expected.in_school, expected.cross_school):
            found.append(
                Violation(
                    "I5",
                    f"post {post.id} splits its seats {row.in_school} in-school / "
                    f"{row.cross_school} cross-school; the policy gives {expected.in_school} / "
                    f"{expected.cross_school}",
                    post=post.id,
                    evidence={
                        "stated": [row.in_school, row.cross_school],
                        "expected": [expected.in_school, expected.cross_school],
                    },
                )
            )
        for k, spec in competitive:
            stated, should = row.offered.get(spec.name, 0), offers[k][i]
            if stated != should:
                found.append(
                    Violation(
                        "I5",
                        f"round {spec.name} offered {stated} seats of post {post.id}; the split "
                        f"leaves it {should}",
                        post=post.id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
    return found


# --- I6 ----------------------------------------------------------------------------------


def check_round_order(context: _Context) -> list[Violation]:
    """I6: in-school rounds place a school's own teachers (R3 included), cross-school ones others."""
    found = []
    outcomes, homes, tally = context.entry_outcomes, context.home, context.tally
    for e in tally.home_differs:
        outcome, home = outcomes[e], homes[e]
        found.append(
            Violation(
                "I6",
                f"outcome of teacher {outcome.teacher} names home school {outcome.home_school}; "
                f"the teacher's in-school round is school {home}'s (R3)",
                teacher=outcome.teacher,
                evidence={"stated": outcome.home_school, "expected": home},
            )
        )
    for k, spec in enumerate(context.plan):
        if spec.kind is _IN_SCHOOL:
            found += _in_school_problems(context, spec, tally.placed_in[k])
        elif spec.kind is _CROSS_SCHOOL:
            found += _cross_school_problems(context, spec, tally.placed_in[k])
    return found


def _in_school_problems(context: _Context, spec: RoundSpec, placed: list[int]) -> list[Violation]:
    found = []
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    volunteer_at = context.volunteer_at
    for e in placed:
        i, home = post_at[e], homes[e]
        if i == _NO_POST or not (volunteer_at[e] or (i >= 0 and posts[i].school != home)):
            continue
        outcome = context.entry_outcomes[e]
        teacher_id = outcome.teacher
        if volunteer_at[e]:
            found.append(
                Violation(
                    "I6",
                    f"volunteer {teacher_id} was placed by the in-school round {spec.name}, "
                    "which volunteers skip",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"round": spec.name},
                )
            )
        if i >= 0 and posts[i].school != home:
            post = posts[i]
            found.append(
                Violation(
                    "I6",
                    f"in-school round {spec.name} placed teacher {teacher_id} of school "
                    f"{home} at post {post.id} of school {post.school}",
                    teacher=teacher_id,
                    post=post.id,
                    evidence={
                        "round": spec.name,
                        "home_school": home,
                        "post_school": post.school,
                    },
                )
            )
    return found


def _cross_school_problems(
    context: _Context, spec: RoundSpec, placed: list[int]
) -> list[Violation]:
    found = []
    posts, homes, post_at = context.post_list, context.home, context.tally.post_at
    for e in placed:
        i, home = post_at[e], homes[e]
        if i < 0 or posts[i].school != home:
            continue
        post, teacher_id = posts[i], context.entry_outcomes[e].teacher
        found.append(
            Violation(
                "I6",
                f"cross-school round {spec.name} placed teacher {teacher_id} at post "
                f"{post.id} of the teacher's own school {home}",
                teacher=teacher_id,
                post=post.id,
                evidence={"round": spec.name, "home_school": home},
            )
        )
    return found


# --- I7 ----------------------------------------------------------------------------------


def check_no_justified_envy(context: _Context) -> list[Violation]:
    """I7: weak stability of each competitive round (R12 择优 + 双向选择).

    A candidate of round r envies, among the posts they applied for and r offers
    in its scope, those ranked above the post they won in r (all of them when r
    did not place them). Envy is justified when the post kept a seat of r free,
    or holds from r a teacher of a strictly worse priority class.
    """
    found = []
    for index, spec in enumerate(context.plan):
        if spec.kind in _COMPETITIVE:
            found += _RoundEnvy(context, index, spec).violations()
    return found


class _RoundEnvy:
    """I7 for one competitive round: its look-up tables, built once, not per teacher."""

    def __init__(self, context: _Context, index: int, spec: RoundSpec) -> None:
        self.context = context
        self.index = index
        self.spec = spec
        self.units = units = context.units(spec.scope)
        self.fills = context.tally.fills[index]
        self.worst_class, self.worst_id = self._worst_holders()
        # For each post of the scenario the round offered seats at, (bar, school,
        # seats offered): a candidate of priority class c in the post's scope has
        # justified envy for it iff c < bar; the bar is infinite while the post keeps a
        # seat free, else the class of its worst holder (-1: none). Grouped by the key
        # of the scope a candidate must share (the school in-school, else the unit) and
        # by post id: `violations` looks up every application of every candidate, and
        # a school's or unit's table is small, so the look-up rarely leaves the cache.
        self.bars: dict[str | None, dict[str, tuple[float, str, int, int]]] = defaultdict(dict)
        in_school = spec.kind is _IN_SCHOOL
        for post_id, offered in context.offers(index).items():
            if offered > 0 and (i := context.post_index.get(post_id)) is not None:
                school = context.post_list[i].school
                bar = math.inf if self.fills[i] < offered else self.worst_class[i]
                key = school if in_school else units.get(school)
                self.bars[key][post_id] = (bar, school, offered, i)

    def _worst_holders(self) -> tuple[list[int], list[str]]:
        """Per post: the priority class and id of the worst teacher the round placed
        there (the highest (class, id)); -1 and "" when none."""
        context = self.context
        priority, ids, post_at = context.priority_at, context.entry_ids, context.tally.post_at
        worst_class, worst_id = [-1] * len(context.post_list), [""] * len(context.post_list)
        for e in context.tally.placed_in[self.index]:
            i = post_at[e]
            if i < 0:
                continue
            own_class = priority[e]
            if own_class > worst_class[i] or (own_class == worst_class[i] and ids[e] > worst_id[i]):
                worst_class[i], worst_id[i] = own_class, ids[e]
        return worst_class, worst_id

    def violations(self) -> list[Violation]:
        """The justified envy of each candidate of the round."""
        # One loop over all entries, look-ups held in locals, rather than a call and
        # a list per candidate: it walks every application of every candidate.
        context = self.context
        teachers, outcomes, homes = context.entry_teachers, context.entry_outcomes, context.home
        ids, priority = context.entry_ids, context.priority_at
        units, bars = self.units, self.bars
        index, in_school = self.index, self.spec.kind is _IN_SCHOOL
        nothing: dict[str, tuple[float, str, int, int]] = {}
        found: list[Violation] = []
        for e, (reasons, volunteer, k, won_rank) in enumerate(
            zip(
                context.protected_at,
                context.volunteer_at,
                context.tally.round_of,
                context.fit.won_rank,
                strict=True,
            )
        ):
            if reasons is not None or (in_school and volunteer) or 0 <= k < index:
                continue  # not a candidate: protected, volunteer, or placed by an earlier round
            if k == index:
                # -1: placed at a post not applied for, I3's finding, no order to compare
                if won_rank <= 0:
                    continue  # won their first choice (or applied for nothing): nothing to envy
                above, won = won_rank, outcomes[e].post
            else:
                above, won = len(teachers[e].preferences), None
                if above == 0:
                    continue  # applied for nothing
            home, own_class = homes[e], priority[e]
            in_scope = bars.get(home if in_school else units.get(home), nothing)
            preferences = teachers[e].preferences
            for rank in range(above):
                entry = in_scope.get(preferences[rank])
                if entry is None or own_class >= entry[0]:
                    continue  # no seat of the round in scope there, or nothing to envy
                if in_school or entry[1] != home:
                    found.append(self._envy(ids[e], preferences[rank], rank, won, own_class, entry))
        return found

    def _envy(
        self,
        teacher_id: str,
        post_id: str,
        rank: int,
        won: str | None,
        own_class: int,
        entry: tuple[float, str, int, int],
    ) -> Violation:
        _, _, offered, i = entry
        filled = self.fills[i]
        if filled < offered:
            return self._free_seat(teacher_id, post_id, rank, won, own_class, offered, filled)
        holder = (self.worst_class[i], self.worst_id[i])
        return self._outranks(teacher_id, post_id, rank, won, own_class, holder)

    def _free_seat(
        self,
        teacher_id: str,
        post_id: str,
        rank: int,
        won: str | None,
        own_class: int,
        offered: int,
        filled: int,
    ) -> Violation:
        return Violation(
            "I7",
            f"in round {self.spec.name}, teacher {teacher_id} applied for post {post_id} "
            f"(choice {rank + 1}), eligible, and it kept {offered - filled} seat(s) free",
            teacher=teacher_id,
            post=post_id,
            evidence={
                **self._base(rank, won, own_class),
                "kind": "free_seat",
                "offered": offered,
                "filled": filled,
            },
        )

    def _outranks(
        self,
        teacher_id: str,
        post_id: str,
        rank: int,
        won: str | None,
        own_class: int,
        holder: tuple[int, str],
    ) -> Violation:
        return Violation(
            "I7",
            f"in round {self.spec.name}, teacher {teacher_id} applied for post {post_id} "
            f"(choice {rank + 1}), which went to teacher {holder[1]} of a lower "
            f"priority class ({holder[0]} > {own_class})",
            teacher=teacher_id,
            post=post_id,
            evidence={
                **self._base(rank, won, own_class),
                "kind": "outranks_holder",
                "holder": holder[1],
                "holder_class": holder[0],
            },
        )

    def _base(self, rank: int, won: str | None, own_class: int) -> dict[str, object]:
        return {
            "round": self.spec.name,
            "preference_rank": rank,
            "won": won,
            "teacher_class": own_class,
        }


# --- I8 ----------------------------------------------------------------------------------


def check_adjustment_by_merit(context: _Context) -> list[Violation]:
    """I8: R6 assigns the remaining vacancies by subject and teaching performance.

    For each adjustment round: it offers every seat still unfilled (R6 "where
    vacancies remain"); and no candidate it leaves unplaced could fill a seat
    that was adjusted to a teacher of lower adjustment priority
    (:meth:`~kgxp.ranking.Ranking.adjustment_key`) or that the round left free.
    Seats of one subject in one scope unit are interchangeable here.
    """
    found = []
    for index, spec in enumerate(context.plan):
        if spec.kind is not _ADJUSTMENT:
            continue
        should_offer = context.expected_offers[index]
        for i in context.post_order:
            post, row = context.post_list[i], context.rows_at[i]
            if row is None:
                continue
            stated, should = row.offered.get(spec.name, 0), should_offer[i]
            if stated != should:
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} offered {stated} seats of post {post.id}, "
                        f"but {should} remained (R6)",
                        post=post.id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
        found += _adjustment_merit(context, index, spec)
    return found


def _adjustment_merit(context: _Context, index: int, spec: RoundSpec) -> list[Violation]:
    ranking = context.ranking
    units = context.units(spec.scope)
    posts, teachers, tally = context.post_list, context.entry_teachers, context.tally
    pool_worst: dict[tuple[str | None, str], tuple[tuple[float, int], str, str]] = {}
    for e in tally.placed_in[index]:
        i = tally.post_at[e]
        if i < 0:
            continue
        post, teacher = posts[i], teachers[e]
        pool = (units.get(post.school), post.subject)
        entry = (ranking.adjustment_key(teacher), teacher.id, post.id)
        current = pool_worst.get(pool)
        if current is None or entry > current:
            pool_worst[pool] = entry
    pool_free: dict[tuple[str | None, str], list[tuple[str, int]]] = defaultdict(list)
    offers = context.offers(index)
    for post, filled in zip(posts, tally.fills[index], strict=True):
        free = offers.get(post.id, 0) - filled
        if free > 0:
            pool_free[(units.get(post.school), post.subject)].append((post.id, free))
    need_willing = context.policy.adjustment_requires_willingness
    found = []
    for e, (reasons, k) in enumerate(zip(context.protected_at, tally.round_of, strict=True)):
        if reasons is not None or 0 <= k <= index:
            continue  # not a candidate (protected, or placed earlier), or placed by this round
        teacher = teachers[e]
        if need_willing and not teacher.willing_to_adjust:
            continue
        teacher_id = teacher.id
        key = ranking.adjustment_key(teacher)
        unit = units.get(context.home[e])
        for subject in dict.fromkeys(teacher.subjects):
            rival = pool_worst.get((unit, subject))
            if rival is not None and rival[0] > key:
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} left teacher {teacher_id} unplaced but "
                        f"adjusted teacher {rival[1]}, of lower adjustment priority, to post "
                        f"{rival[2]} ({subject}) that teacher {teacher_id} could fill",
                        teacher=teacher_id,
                        post=rival[2],
                        evidence={
                            "round": spec.name,
                            "kind": "lower_priority_adjusted",
                            "rival": rival[1],
                            "teacher_key": list(key),
                            "rival_key": list(rival[0]),
                            "subject": subject,
                        },
                    )
                )
            for post_id, free in pool_free.get((unit, subject), ()):
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} left teacher {teacher_id} unplaced while "
                        f"post {post_id} ({subject}) kept {free} seat(s) free",
                        teacher=teacher_id,
                        post=post_id,
                        evidence={
                            "round": spec.name,
                            "kind": "free_seat",
                            "free": free,
                            "subject": subject,
                        },
                    )
                )
    return found


# --- I9 ----------------------------------------------------------------------------------


def check_waiting_is_last(context: _Context) -> list[Violation]:
    """I9: adjustment only of willing candidates (R6); waiting means no post (R7)."""
    found = []
    outcomes, tally = context.entry_outcomes, context.tally
    if context.policy.adjustment_requires_willingness:
        for index, spec in enumerate(context.plan):
            if spec.kind is not _ADJUSTMENT:
                continue
            for e in tally.placed_in[index]:
                if context.entry_teachers[e].willing_to_adjust:
                    continue
                outcome = outcomes[e]
                found.append(
                    Violation(
                        "I9",
                        f"teacher {outcome.teacher}, not willing to accept adjustment, was "
                        f"adjusted by round {spec.name} to post {outcome.post} (R6)",
                        teacher=outcome.teacher,
                        post=outcome.post,
                        evidence={"round": spec.name, "willing_to_adjust": False},
                    )
                )
    for e, status in enumerate(tally.status):
        if status is not _WAITING:
            continue
        outcome = outcomes[e]
        teacher_id = outcome.teacher
        if outcome.post is not None or outcome.round is not None:
            found.append(
                Violation(
                    "I9",
                    f"waiting teacher {teacher_id} has post {outcome.post}, round "
                    f"{outcome.round}; waiting means unplaced after every round",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"post": outcome.post, "round": outcome.round},
                )
            )
        school = context.schools.get(outcome.school or "")
        if school is None or school.merged_into is not None:
            found.append(
                Violation(
                    "I9",
                    f"waiting teacher {teacher_id} is assigned school {outcome.school} for "
                    "shadow learning, which is "
                    + ("not an open school" if school is not None else "not in the scenario")
                    + " (R7)",
                    teacher=teacher_id,
                    evidence={"school": outcome.school},
                )
            )
    return found


# --- I12 ---------------------------------------------------------------------------------


def check_digest(context: _Context) -> list[Violation]:
    """I12: the result says which scenario it is for; it must be this one."""
    digest = scenario_digest(context.scenario)
    if context.result.scenario_digest == digest:
        return []
    return [
        Violation(
            "I12",
            "the result is for a different scenario (scenario digest differs)",
            evidence={"stated": context.result.scenario_digest, "expected": digest},
        )
    ]


def check_rerun(context: _Context) -> list[Violation]:
    """I12: the engine, run again on the records in reverse order, gives this very result."""
    from kgxp.engine import run_round  # the engine imports much; verify stays light

    scenario = context.scenario
    shuffled = scenario.evolve(
        schools=tuple(reversed(scenario.schools)),
        posts=tuple(reversed(scenario.posts)),
        teachers=tuple(reversed(scenario.teachers)),
    )
    again = run_round(shuffled, policy=context.result.policy, seed=context.result.seed)
    stated = {o.teacher: o.model_dump(mode="json") for o in reversed(context.result.outcomes)}
    fresh = {o.teacher: o.model_dump(mode="json") for o in again.outcomes}
    found = []
    for teacher_id in sorted(set(stated) | set(fresh)):
        mine, theirs = stated.get(teacher_id), fresh.get(teacher_id)
        if mine == theirs:
            continue
        if mine is None or theirs is None:
            where = "the re-run" if theirs is None else "this result"
            found.append(
                Violation(
                    "I12", f"teacher {teacher_id} has no outcome in {where}", teacher=teacher_id
                )
            )
            continue
        fields = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        found.append(
            Violation(
                "I12",
                f"re-running gives teacher {teacher_id} a different outcome ({', '.join(fields)})",
                teacher=teacher_id,
                post=theirs.get("post") if isinstance(theirs.get("post"), str) else None,
                evidence={
                    "fields": fields,
                    "stated": {k: mine.get(k) for k in fields},
                    "rerun": {k: theirs.get(k) for k in fields},
                },
            )
        )
    if again.to_json() != context.result.to_json():
        found.append(
            Violation(
                "I12",
                "re-running on the reversed records does not give byte-identical JSON",
                evidence={
                    "differs": sorted(
                        k
                        for k in (
                            "scenario_digest",
                            "seed",
                            "policy",
                            "outcomes",
                            "posts",
                            "rounds",
                            "conflicts",
                        )
                        if getattr(again, k) != getattr(context.result, k)
                    )
                },
            )
        )
    return found
