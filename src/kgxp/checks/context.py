"""What the checks of a round's result read, extracted once per :func:`~kgxp.checks.verify.verify` call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from operator import attrgetter, eq, is_
from typing import Any, TypeVar

from kgxp.model.policy import Policy, RoundKind, RoundSpec, Scope
from kgxp.model.result import Outcome, OutcomeTable, PostSeats, RoundResult, Status
from kgxp.model.scenario import Post, Scenario, School, Teacher
from kgxp.model.teacher_columns import teacher_columns, teachers_by_id
from kgxp.round.applications import applied_posts, not_applying_in_school
from kgxp.round.protection import scenario_protected
from kgxp.round.ranking import Ranking, scenario_ranking
from kgxp.round.scope import scope_unit
from kgxp.round.split import SeatSplit, own_candidates_by_post, split_seats

__all__ = [
    "ADJUSTMENT",
    "COMPETITIVE",
    "CROSS_SCHOOL",
    "IN_SCHOOL",
    "NO_POST",
    "PLACED",
    "PROTECTED",
    "STATUS_OF_KIND",
    "WAITING",
    "Context",
]

_T = TypeVar("_T")

STATUS_OF_KIND: Mapping[RoundKind, Status] = {
    RoundKind.IN_SCHOOL: Status.IN_SCHOOL,
    RoundKind.CROSS_SCHOOL: Status.CROSS_SCHOOL,
    RoundKind.ADJUSTMENT: Status.ADJUSTED,
}
PLACED = frozenset(STATUS_OF_KIND.values())
COMPETITIVE = frozenset({RoundKind.IN_SCHOOL, RoundKind.CROSS_SCHOOL})
# Members the per-teacher loops compare with, bound once: on Python 3.11 each
# ``Status.X`` is a descriptor call (~0.2 µs), and the checks make several per teacher.
WAITING, PROTECTED = Status.WAITING, Status.PROTECTED
IN_SCHOOL, CROSS_SCHOOL = RoundKind.IN_SCHOOL, RoundKind.CROSS_SCHOOL
ADJUSTMENT = RoundKind.ADJUSTMENT


class Context:
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
        self.positions, self.entry_outcomes = _entries(
            teacher_columns(scenario).ids, result.outcomes
        )
        self.aligned = self.positions is None
        # The teachers as the scenario states them: what a teacher applied for is
        # `entry_preferences` (R5's default in-school applications included), not theirs.
        teachers = scenario.teachers
        self.entry_teachers: Sequence[Teacher] = (
            teachers if self.positions is None else [teachers[j] for j in self.positions]
        )
        self.row: dict[str, PostSeats] = {}
        for row in result.posts:
            self.row.setdefault(row.post, row)
        self.rows_at: list[PostSeats | None] = [self.row.get(p.id) for p in scenario.posts]
        # Per-scope and per-round look-up tables, built on first use.
        self._units: dict[Scope, dict[str, str]] = {}
        self._offers: dict[int, dict[str, int]] = {}
        self._entry_values: dict[str, list[Any]] = {}

    # --- derived from the scenario and the result's policy and seed -----------------

    @cached_property
    def teachers(self) -> Mapping[str, Teacher]:
        """Teacher id -> teacher (I1 for a damaged result; the CV targets, R12)."""
        return teachers_by_id(self.scenario)

    @cached_property
    def roster(self) -> _Roster:
        return _Roster(self.scenario, self.policy, self.protected)

    def scores_of(self, ids: Sequence[str]) -> list[Decimal | None]:
        """Each id's composite score (R15) in the ranking (``None`` when it has none).

        The ranking's scores are keyed by the very id objects of the scenario's teachers,
        in their order: when ``ids`` are those, its values are the answer in one step,
        without a look-up per id (at 100,000 teachers a tenth of a check).
        """
        score_of = self.ranking.score
        if len(score_of) == len(ids) and all(map(is_, score_of, ids)):
            return list(score_of.values())
        return list(map(score_of.get, ids))

    def per_entry(self, column: Sequence[_T]) -> Sequence[_T]:
        """A column per scenario teacher (the roster's, the teacher columns') as one per entry
        (the column itself when the entries are the scenario's teachers: never modify it)."""
        return column if self.positions is None else [column[j] for j in self.positions]

    @cached_property
    def home(self) -> Sequence[str]:
        """R3: each entry's home school (the receiving school of a merged one)."""
        return self.per_entry(self.roster.home)

    @cached_property
    def protected(self) -> dict[str, tuple[str, ...]]:
        """R4: teacher id -> reasons, for every protected teacher."""
        return scenario_protected(self.scenario, self.policy)

    @cached_property
    def protected_at(self) -> Sequence[tuple[str, ...] | None]:
        """Each entry's R4 reasons; ``None`` when R4 does not protect the teacher."""
        return self.per_entry(self.roster.protected)

    @cached_property
    def protected_entries(self) -> list[int]:
        """The entries R4 protects (a few percent of them)."""
        return [e for e, reasons in enumerate(self.protected_at) if reasons is not None]

    @cached_property
    def volunteer_at(self) -> Sequence[bool]:
        """Whether each entry skips the in-school round (only when the policy allows it)."""
        return self.per_entry(self.roster.volunteer)

    @cached_property
    def fit(self) -> _Fit:
        return _Fit(self)

    @cached_property
    def entry_subjects(self) -> Sequence[tuple[str, ...]]:
        """Each entry's teacher's subjects, main subject first."""
        return self.per_entry(teacher_columns(self.scenario).subjects)

    @cached_property
    def entry_preferences(self) -> Sequence[tuple[str, ...]]:
        """Each entry's applications as the rounds read them (R5's default in-school
        applications first): :func:`~kgxp.round.applications.applied_posts`, the
        engine's reading of the input. Whom a round placed is checked against it (I3,
        I7); the stated preferences alone are what the 公示 ranks (I12)."""
        return self.per_entry(applied_posts(self.scenario, self.policy))

    @cached_property
    def entry_ids(self) -> Sequence[str]:
        """Each entry's teacher id."""
        return self.per_entry(self.roster.ids)

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

        :func:`~kgxp.round.split.own_candidates_by_post` of the roster's competing teachers
        (protected teachers, volunteers and, under explicit applications, those listing no
        own-school post do not compete in-school): (home, main subject) per teacher, as the
        engine's ``prepare`` counts them, not through a dict of every teacher's home.
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
                if kind is IN_SCHOOL:
                    offers[k][i] = max(left_in, 0)
                    left_in -= filled
                    continue
                if kind is CROSS_SCHOOL:
                    extra = left_in if offer_unfilled else 0
                    offers[k][i] = max(left_cross, 0) + max(extra, 0)
                else:
                    offers[k][i] = max(left_cross, 0) + max(left_in, 0)
                from_cross = min(filled, max(left_cross, 0))
                left_cross -= from_cross
                left_in -= filled - from_cross
        return offers

    # --- the entries' outcomes, field by field ---------------------------------------

    def entry_values(self, field: str) -> Sequence[Any]:
        """One :class:`~kgxp.model.result.Outcome` field of every entry's outcome, by entry.

        A column of the result's :class:`~kgxp.model.result.OutcomeTable` (no outcome
        object built), or read once from each object when the outcomes are a tuple.
        """
        outcomes = self.entry_outcomes
        if isinstance(outcomes, OutcomeTable):
            return outcomes.column(field)
        values = self._entry_values.get(field)
        if values is None:
            if field not in Outcome.model_fields:
                raise KeyError(f"no outcome field {field!r}")
            values = self._entry_values[field] = [getattr(o, field) for o in outcomes]
        return values

    def entry_rows(self, *fields: str) -> Iterator[tuple[Any, ...]]:
        """Per entry, the tuple of these fields of its outcome (one pass, no object built
        for a table)."""
        outcomes = self.entry_outcomes
        if isinstance(outcomes, OutcomeTable):
            return zip(*map(outcomes.column, fields), strict=True)
        read = attrgetter(*fields)
        if len(fields) == 1:
            return ((read(o),) for o in outcomes)
        return map(read, outcomes)

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
    teachers: Sequence[str], outcomes: Sequence[Outcome]
) -> tuple[list[int] | None, Sequence[Outcome]]:
    """The positions in ``teachers`` (ids) of the teachers with an outcome (by id) and the
    first outcome of each; ``None`` and ``outcomes`` when the outcomes are exactly one
    per teacher, in the scenario's order.

    The engine lists outcomes by teacher id, the order of generated and published
    scenarios: then pairing them takes no dict of every teacher id. An
    :class:`OutcomeTable` is read by its columns (its entries are a table too).
    """
    table = outcomes if isinstance(outcomes, OutcomeTable) else None
    ids: Sequence[str] = (
        table.column("teacher") if table is not None else list(map(_teacher_of, outcomes))
    )
    if len(ids) == len(teachers) and all(map(eq, ids, teachers)):
        return None, outcomes
    known = {teacher_id: j for j, teacher_id in enumerate(teachers)}
    first: dict[str, int] = {}  # teacher id -> position of its first outcome
    for position, teacher_id in enumerate(ids):
        if teacher_id in known:
            first.setdefault(teacher_id, position)
    ordered = sorted(first)
    picked = [first[teacher_id] for teacher_id in ordered]
    entries = table.take(picked) if table is not None else [outcomes[p] for p in picked]
    return [known[teacher_id] for teacher_id in ordered], entries


_teacher_of = attrgetter("teacher")


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
        absent = not_applying_in_school(scenario, policy)  # R5: explicit applications only
        columns = teacher_columns(scenario)  # shared with run_round, read once per scenario
        self.ids: tuple[str, ...] = columns.ids
        self.home: list[str] = []
        self.protected: list[tuple[str, ...] | None] = []
        self.volunteer: list[bool] = []
        self.competing_subject: list[str | None] = []
        home, protected_of = self.home.append, self.protected.append
        volunteer_of, subject_of = self.volunteer.append, self.competing_subject.append
        for teacher_id, school, subjects, volunteers in zip(
            columns.ids, columns.schools, columns.subjects, columns.volunteers, strict=True
        ):
            reasons = protected.get(teacher_id)
            volunteer = allow_volunteers and reasons is None and volunteers
            home(receiving.get(school, school))
            protected_of(reasons)
            volunteer_of(volunteer)
            competes = reasons is None and not volunteer and teacher_id not in absent
            subject_of(subjects[0] if competes else None)


# ``_Tally.post_at`` of an outcome without a post, and of one holding a post not in the scenario.
NO_POST, _UNKNOWN_POST = -1, -2


class _Tally:
    """The entries' outcomes, read in one pass (see :class:`Context`).

    Per entry: ``status``; ``round_of``, the plan position of the round that placed
    it (status placed, round of the plan), else -1; ``post_at``, the position of its
    post, else ``NO_POST`` or ``_UNKNOWN_POST`` (both negative). Per round:
    ``placed_in``, the entries it placed, and ``fills``, per post, how many of them
    hold it. Per post: ``holders`` (any status) and ``protected_holders`` (status
    PROTECTED). And, since each outcome is read here anyway: ``home_differs``, the
    entries whose outcome names another home school (I6), and ``school_differs``,
    those holding a post of the scenario whose outcome names another school (I3).
    """

    def __init__(self, context: Context) -> None:
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
        for e, (status, post, name, home_school, school) in enumerate(
            context.entry_rows("status", "post", "round", "home_school", "school")
        ):
            i = NO_POST if post is None else post_index.get(post, _UNKNOWN_POST)
            k = -1 if name is None or status not in PLACED else round_index.get(name, -1)
            status_of(status)
            round_of(k)
            post_at(i)
            if home_school != homes[e]:
                self.home_differs.append(e)
            if i >= 0:
                holders[i] += 1
                if status is PROTECTED:
                    protected_holders[i] += 1
                if school != post_schools[i]:
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

    def __init__(self, context: Context) -> None:
        tally, outcomes = context.tally, context.entry_outcomes
        stated_posts = context.entry_values("post")
        post_ids = [post.id for post in context.post_list]
        post_subjects = [post.subject for post in context.post_list]
        competitive = [spec.kind in COMPETITIVE for spec in context.plan]
        self.qualified = [False] * len(outcomes)
        self.won_rank = [-1] * len(outcomes)
        for e, (subjects, preferences, k, i) in enumerate(
            zip(
                context.entry_subjects,
                context.entry_preferences,
                tally.round_of,
                tally.post_at,
                strict=True,
            )
        ):
            if i >= 0:
                self.qualified[e] = post_subjects[i] in subjects
            if k < 0 or not competitive[k]:
                continue
            if i == NO_POST:
                self.won_rank[e] = len(preferences)
                continue
            won = post_ids[i] if i >= 0 else stated_posts[e]
            if won in preferences:
                self.won_rank[e] = preferences.index(won)
