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

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from types import MappingProxyType

import attrs

from kgxp._gc import collector_paused
from kgxp.io import scenario_digest
from kgxp.policy import Policy, RoundKind, RoundSpec, Scope
from kgxp.protection import scenario_protected
from kgxp.ranking import Ranking, scenario_ranking
from kgxp.result import Outcome, PostSeats, RoundResult, Status
from kgxp.scenario import Post, Scenario, School, Teacher
from kgxp.scope import scope_unit
from kgxp.split import SeatSplit, count_own_candidates, split_seats

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
    """Indexes built once per :func:`verify` call (dicts, counters: no quadratic scans)."""

    def __init__(self, scenario: Scenario, result: RoundResult) -> None:
        self.scenario = scenario
        self.result = result
        self.policy: Policy = result.policy
        self.teachers: dict[str, Teacher] = {t.id: t for t in scenario.teachers}
        self.posts: dict[str, Post] = {p.id: p for p in scenario.posts}
        self.schools: dict[str, School] = {s.id: s for s in scenario.schools}
        self.plan: tuple[RoundSpec, ...] = tuple(result.policy.rounds)
        self.round_index: dict[str, int] = {}
        for k, spec in enumerate(self.plan):
            self.round_index.setdefault(spec.name, k)
        # First outcome of each known teacher (duplicates and unknown ids are I1's).
        self.outcome: dict[str, Outcome] = {}
        for outcome in result.outcomes:
            if outcome.teacher in self.teachers:
                self.outcome.setdefault(outcome.teacher, outcome)
        self.ids: list[str] = sorted(self.outcome)
        self.row: dict[str, PostSeats] = {}
        for row in result.posts:
            self.row.setdefault(row.post, row)
        # Per-scope and per-round look-up tables, built on first use: the checks run
        # per teacher and per application, so each look-up must be one dict access.
        self._units: dict[Scope, dict[str, str]] = {}
        self._offers: dict[str, dict[str, int]] = {}
        self._round_fills: dict[str, dict[str, int]] = {}

    # --- derived from the scenario and the result's policy and seed -----------------

    @cached_property
    def home(self) -> dict[str, str]:
        """R3: each teacher's home school (the receiving school of a merged one)."""
        receiving = self.scenario.receiving_schools()
        return {t.id: receiving.get(t.school, t.school) for t in self.scenario.teachers}

    @cached_property
    def protected(self) -> dict[str, tuple[str, ...]]:
        """R4: teacher id -> reasons, for every protected teacher."""
        return scenario_protected(self.scenario, self.policy)

    @cached_property
    def volunteers(self) -> frozenset[str]:
        """Teachers who skip the in-school round (only when the policy allows it)."""
        if not self.policy.allow_voluntary_cross_school:
            return frozenset()
        return frozenset(
            t.id
            for t in self.scenario.teachers
            if t.volunteers_cross_school and t.id not in self.protected
        )

    @cached_property
    def ranking(self) -> Ranking:
        return scenario_ranking(self.scenario, self.policy, self.result.seed)

    @cached_property
    def placement(self) -> dict[str, tuple[int, RoundSpec]]:
        """Teacher id -> (plan index, round) for outcomes placed by a round of the plan."""
        placed: dict[str, tuple[int, RoundSpec]] = {}
        for teacher_id, outcome in self.outcome.items():
            if outcome.status in _PLACED and outcome.round in self.round_index:
                k = self.round_index[outcome.round]
                placed[teacher_id] = (k, self.plan[k])
        return placed

    @cached_property
    def fills(self) -> Counter[tuple[str, str]]:
        """(round name, post id) -> teachers the outcomes place there in that round."""
        counts: Counter[tuple[str, str]] = Counter()
        for teacher_id, (_, spec) in self.placement.items():
            post = self.outcome[teacher_id].post
            if post is not None:
                counts[(spec.name, post)] += 1
        return counts

    @cached_property
    def holders(self) -> Counter[str]:
        """Post id -> outcomes holding it, any status."""
        return Counter(o.post for o in self.outcome.values() if o.post is not None)

    @cached_property
    def protected_holders(self) -> Counter[str]:
        """Post id -> outcomes holding it with status PROTECTED."""
        return Counter(
            o.post for o in self.outcome.values() if o.post is not None and o.status is _PROTECTED
        )

    @cached_property
    def split(self) -> dict[str, SeatSplit]:
        """R5 recomputed: remaining seats less reserved and R4 holders, own candidates."""
        r4_holders: Counter[str] = Counter()
        for teacher_id in self.protected:
            outcome = self.outcome.get(teacher_id)
            if outcome is not None and outcome.post is not None:
                r4_holders[outcome.post] += 1
        remaining = {p.id: p.seats - p.reserved - r4_holders[p.id] for p in self.scenario.posts}
        own = count_own_candidates(
            self.scenario.posts,
            self.scenario.teachers,
            self.home,
            self.protected.keys() | self.volunteers,
        )
        return split_seats(self.scenario.posts, remaining, own, self.policy)

    @cached_property
    def expected_offers(self) -> dict[tuple[str, str], int]:
        """(round name, post id) -> seats the plan should offer, given the outcomes' fills.

        In-school rounds offer the in-school seats left; cross-school rounds the
        cross-school seats left plus, when ``offer_unfilled_in_school_seats``, the
        in-school seats left; adjustment rounds every seat left (R6). A placement
        outside the in-school round takes a cross-school seat first.
        """
        offers: dict[tuple[str, str], int] = {}
        fills = [self.round_fills(spec.name) for spec in self.plan]
        for post_id, seats in self.split.items():
            left_in, left_cross = seats.in_school, seats.cross_school
            for spec, round_fills in zip(self.plan, fills, strict=True):
                filled = round_fills.get(post_id, 0)
                if spec.kind is _IN_SCHOOL:
                    offers[(spec.name, post_id)] = max(left_in, 0)
                    left_in -= filled
                    continue
                if spec.kind is _CROSS_SCHOOL:
                    extra = left_in if spec.offer_unfilled_in_school_seats else 0
                    offers[(spec.name, post_id)] = max(left_cross, 0) + max(extra, 0)
                else:
                    offers[(spec.name, post_id)] = max(left_cross, 0) + max(left_in, 0)
                from_cross = min(filled, max(left_cross, 0))
                left_cross -= from_cross
                left_in -= filled - from_cross
        return offers

    # --- small helpers ---------------------------------------------------------------

    def unit(self, school_id: str, scope: Scope) -> str | None:
        """The school's unit at ``scope`` (R11); ``None`` for an unknown school."""
        return self.units(scope).get(school_id)

    def units(self, scope: Scope) -> dict[str, str]:
        """School id -> unit at ``scope``, for every school of the scenario (built once)."""
        if scope not in self._units:
            self._units[scope] = {
                s: scope_unit(school, scope) for s, school in self.schools.items()
            }
        return self._units[scope]

    def offered(self, round_name: str, post_id: str) -> int:
        return self.offers(round_name).get(post_id, 0)

    def offers(self, round_name: str) -> dict[str, int]:
        """Post id -> seats the seat table says round ``round_name`` offered (built once)."""
        if round_name not in self._offers:
            self._offers[round_name] = {
                post_id: row.offered.get(round_name, 0) for post_id, row in self.row.items()
            }
        return self._offers[round_name]

    def round_fills(self, round_name: str) -> dict[str, int]:
        """Post id -> teachers the outcomes place there in round ``round_name``."""
        if not self._round_fills:
            for (name, post_id), count in self.fills.items():
                self._round_fills.setdefault(name, {})[post_id] = count
        return self._round_fills.get(round_name, {})

    def candidates(self, index: int) -> list[str]:
        """The ids, sorted, of the teachers who enter round ``index`` (see :meth:`is_candidate`)."""
        in_school = self.plan[index].kind is _IN_SCHOOL
        protected, volunteers, placement = self.protected, self.volunteers, self.placement
        return [
            teacher_id
            for teacher_id in self.ids
            if teacher_id not in protected
            and not (in_school and teacher_id in volunteers)
            and (teacher_id not in placement or placement[teacher_id][0] >= index)
        ]

    def is_candidate(self, teacher_id: str, index: int) -> bool:
        """Whether the teacher enters round ``index`` of the plan (before willingness)."""
        if teacher_id in self.protected or teacher_id not in self.outcome:
            return False
        spec = self.plan[index]
        if spec.kind is _IN_SCHOOL and teacher_id in self.volunteers:
            return False
        placed = self.placement.get(teacher_id)
        return placed is None or placed[0] >= index


# --- I1 ----------------------------------------------------------------------------------


def check_conservation(context: _Context) -> list[Violation]:
    """I1: every scenario teacher has exactly one outcome (R7: nobody is lost)."""
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
    rows = Counter(row.post for row in context.result.posts)
    for post_id, count in sorted(rows.items()):
        if post_id not in context.posts:
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
    for post_id in sorted(context.posts):
        post = context.posts[post_id]
        capacity = post.seats - post.reserved
        holders = context.holders[post_id]
        if holders > capacity:
            found.append(
                Violation(
                    "I2",
                    f"post {post_id} is held by {holders} teachers but has {post.seats} seats, "
                    f"{post.reserved} reserved for new recruits (R2)",
                    post=post_id,
                    evidence={"holders": holders, "seats": post.seats, "reserved": post.reserved},
                )
            )
        row = context.row.get(post_id)
        if row is None:
            found.append(Violation("I2", f"post {post_id} has no seat row", post=post_id))
            continue
        found += _row_problems(context, post, row, plan_names)
    return found


def _row_problems(
    context: _Context, post: Post, row: PostSeats, plan_names: set[str]
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
    protected = context.protected_holders[post.id]
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
    for spec in context.plan:
        filled = context.round_fills(spec.name).get(post.id, 0)
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
    for teacher_id in context.ids:
        outcome = context.outcome[teacher_id]
        teacher = context.teachers[teacher_id]
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
            continue  # a waiting teacher's post is I9's
        post = context.posts.get(outcome.post)
        if post is None:
            found.append(
                Violation(
                    "I3",
                    f"teacher {teacher_id} holds post {outcome.post}, which is not in the scenario",
                    teacher=teacher_id,
                    post=outcome.post,
                )
            )
            continue
        found += _post_problems(context, teacher, outcome, post, spec)
    return found


def _post_problems(
    context: _Context, teacher: Teacher, outcome: Outcome, post: Post, spec: RoundSpec | None
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
    home = context.home[tid]
    if spec.kind is not _IN_SCHOOL:
        home_unit, post_unit = context.unit(home, spec.scope), context.unit(post.school, spec.scope)
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
    for teacher_id in context.ids:
        outcome = context.outcome[teacher_id]
        reasons = context.protected.get(teacher_id)
        if not reasons:
            if outcome.status is _PROTECTED:
                found.append(
                    Violation(
                        "I4",
                        f"teacher {teacher_id} is marked protected but no R4 category of the "
                        "policy applies",
                        teacher=teacher_id,
                        post=outcome.post,
                        evidence={"protected_by": list(outcome.protected_by)},
                    )
                )
            continue
        if outcome.status is not _PROTECTED:
            found.append(
                Violation(
                    "I4",
                    f"protected teacher {teacher_id} has status {outcome.status.value}; R4 "
                    "teachers take part in no competition",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"status": outcome.status.value, "reasons": list(reasons)},
                )
            )
            continue
        found += _protected_problems(context, teacher_id, outcome, reasons, r4_conflicts)
    for conflict in sorted(context.result.conflicts, key=lambda c: (c.teacher, c.message)):
        if conflict.rule != "R4":
            continue
        held = context.outcome.get(conflict.teacher)
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


def _protected_problems(
    context: _Context,
    teacher_id: str,
    outcome: Outcome,
    reasons: tuple[str, ...],
    r4_conflicts: set[str],
) -> list[Violation]:
    found = []
    home = context.home[teacher_id]
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
        teacher = context.teachers[teacher_id]
        for post in sorted(context.posts.values(), key=lambda p: p.id):
            if post.school != home or post.subject not in teacher.subjects:
                continue
            free = post.seats - post.reserved - context.protected_holders[post.id]
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
    held = context.posts.get(outcome.post)
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


# --- I5 ----------------------------------------------------------------------------------


def check_split(context: _Context) -> list[Violation]:
    """I5: the R5 split of each post, and the seats each competitive round offers."""
    found = []
    split = context.split
    offers = context.expected_offers
    for post_id in sorted(context.posts):
        row = context.row.get(post_id)
        if row is None:
            continue  # I2 reports it
        expected = split[post_id]
        if (row.in_school, row.cross_school) != (expected.in_school, expected.cross_school):
            found.append(
                Violation(
                    "I5",
                    f"post {post_id} splits its seats {row.in_school} in-school / "
                    f"{row.cross_school} cross-school; the policy gives {expected.in_school} / "
                    f"{expected.cross_school}",
                    post=post_id,
                    evidence={
                        "stated": [row.in_school, row.cross_school],
                        "expected": [expected.in_school, expected.cross_school],
                    },
                )
            )
        for spec in context.plan:
            if spec.kind not in _COMPETITIVE:
                continue
            stated, should = row.offered.get(spec.name, 0), offers[(spec.name, post_id)]
            if stated != should:
                found.append(
                    Violation(
                        "I5",
                        f"round {spec.name} offered {stated} seats of post {post_id}; the split "
                        f"leaves it {should}",
                        post=post_id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
    return found


# --- I6 ----------------------------------------------------------------------------------


def check_round_order(context: _Context) -> list[Violation]:
    """I6: in-school rounds place a school's own teachers (R3 included), cross-school ones others."""
    found = []
    for teacher_id in context.ids:
        outcome = context.outcome[teacher_id]
        home = context.home[teacher_id]
        if outcome.home_school != home:
            found.append(
                Violation(
                    "I6",
                    f"outcome of teacher {teacher_id} names home school {outcome.home_school}; "
                    f"the teacher's in-school round is school {home}'s (R3)",
                    teacher=teacher_id,
                    evidence={"stated": outcome.home_school, "expected": home},
                )
            )
        placed = context.placement.get(teacher_id)
        if placed is None or outcome.post is None:
            continue
        spec = placed[1]
        post = context.posts.get(outcome.post)
        if spec.kind is _IN_SCHOOL:
            if teacher_id in context.volunteers:
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
            if post is not None and post.school != home:
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
        elif spec.kind is _CROSS_SCHOOL and post is not None and post.school == home:
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
    priority = context.ranking.priority_class
    worst: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)  # round -> post -> holder
    for teacher_id, (_, spec) in context.placement.items():
        post_id = context.outcome[teacher_id].post
        if spec.kind not in _COMPETITIVE or post_id is None:
            continue
        entry = (priority[teacher_id], teacher_id)
        current = worst[spec.name].get(post_id)
        if current is None or entry > current:
            worst[spec.name][post_id] = entry
    for index, spec in enumerate(context.plan):
        if spec.kind not in _COMPETITIVE:
            continue
        envy = _RoundEnvy(context, index, spec, worst[spec.name])
        found += envy.violations(context.candidates(index))
    return found


class _RoundEnvy:
    """I7 for one competitive round: its look-up tables, built once, not per teacher."""

    def __init__(
        self,
        context: _Context,
        index: int,
        spec: RoundSpec,
        worst: Mapping[str, tuple[int, str]],
    ) -> None:
        self.context = context
        self.index = index
        self.spec = spec
        self.units = context.units(spec.scope)
        fills = context.round_fills(spec.name)
        # Post id -> (school, its unit, seats offered, filled, worst holder) for each post
        # of the scenario the round offered seats at: one look-up per application, since
        # `violations` walks every application of every candidate.
        self.offered_posts: dict[str, tuple[str, str | None, int, int, tuple[int, str] | None]]
        self.offered_posts = {
            post_id: (
                post.school,
                self.units.get(post.school),
                offered,
                fills.get(post_id, 0),
                worst.get(post_id),
            )
            for post_id, offered in context.offers(spec.name).items()
            if offered > 0 and (post := context.posts.get(post_id)) is not None
        }

    def violations(self, teacher_ids: Iterable[str]) -> list[Violation]:
        """The justified envy of each of ``teacher_ids`` (the round's candidates), in order."""
        # One loop over all candidates, look-ups held in locals, rather than a call and
        # a list per candidate (~11,000 candidates and ~22,000 applications for 10,000
        # teachers); together with `offered_posts`, a fifth of I7's time.
        context = self.context
        teachers, placement, outcome = context.teachers, context.placement, context.outcome
        home_of, priority_class = context.home, context.ranking.priority_class
        units, offered_posts = self.units, self.offered_posts
        index, in_school = self.index, self.spec.kind is _IN_SCHOOL
        found: list[Violation] = []
        for teacher_id in teacher_ids:
            preferences = teachers[teacher_id].preferences
            placed = placement.get(teacher_id)
            won = outcome[teacher_id].post if placed is not None and placed[0] == index else None
            if won is None:
                above = len(preferences)
            elif won in preferences:
                above = preferences.index(won)
            else:
                continue  # placed at a post not applied for: I3's finding, no order to compare
            if above == 0:
                continue  # won their first choice (or applied for nothing): nothing to envy
            home = home_of[teacher_id]
            own_class = priority_class[teacher_id]
            home_unit = units.get(home)
            for rank in range(above):
                post_id = preferences[rank]
                entry = offered_posts.get(post_id)
                if entry is None:
                    continue  # not a post of the scenario, or no seat of this round
                school, unit, offered, filled, holder = entry
                if not (school == home if in_school else school != home and unit == home_unit):
                    continue  # outside the round's scope for this teacher
                if filled < offered:
                    found.append(
                        self._free_seat(teacher_id, post_id, rank, won, own_class, offered, filled)
                    )
                elif holder is not None and holder[0] > own_class:
                    found.append(self._outranks(teacher_id, post_id, rank, won, own_class, holder))
        return found

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
    offers = context.expected_offers
    for index, spec in enumerate(context.plan):
        if spec.kind is not _ADJUSTMENT:
            continue
        for post_id in sorted(context.posts):
            row = context.row.get(post_id)
            if row is None:
                continue
            stated, should = row.offered.get(spec.name, 0), offers[(spec.name, post_id)]
            if stated != should:
                found.append(
                    Violation(
                        "I8",
                        f"adjustment round {spec.name} offered {stated} seats of post {post_id}, "
                        f"but {should} remained (R6)",
                        post=post_id,
                        evidence={"round": spec.name, "stated": stated, "expected": should},
                    )
                )
        found += _adjustment_merit(context, index, spec)
    return found


def _adjustment_merit(context: _Context, index: int, spec: RoundSpec) -> list[Violation]:
    ranking = context.ranking
    units = context.units(spec.scope)
    pool_worst: dict[tuple[str | None, str], tuple[tuple[float, int], str, str]] = {}
    for teacher_id, (k, _) in context.placement.items():
        if k != index:
            continue
        post = context.posts.get(context.outcome[teacher_id].post or "")
        if post is None:
            continue
        pool = (units.get(post.school), post.subject)
        entry = (ranking.adjustment_key(context.teachers[teacher_id]), teacher_id, post.id)
        current = pool_worst.get(pool)
        if current is None or entry > current:
            pool_worst[pool] = entry
    pool_free: dict[tuple[str | None, str], list[tuple[str, int]]] = defaultdict(list)
    offers, fills = context.offers(spec.name), context.round_fills(spec.name)
    for post_id in sorted(context.posts):
        free = offers.get(post_id, 0) - fills.get(post_id, 0)
        if free > 0:
            post = context.posts[post_id]
            pool_free[(units.get(post.school), post.subject)].append((post_id, free))
    need_willing = context.policy.adjustment_requires_willingness
    found = []
    for teacher_id in context.candidates(index):
        teacher = context.teachers[teacher_id]
        if need_willing and not teacher.willing_to_adjust:
            continue
        placed = context.placement.get(teacher_id)
        if placed is not None and placed[0] == index:
            continue
        key = ranking.adjustment_key(teacher)
        unit = units.get(context.home[teacher_id])
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
    need_willing = context.policy.adjustment_requires_willingness
    for teacher_id in context.ids:
        outcome = context.outcome[teacher_id]
        teacher = context.teachers[teacher_id]
        placed = context.placement.get(teacher_id)
        if (
            placed is not None
            and placed[1].kind is _ADJUSTMENT
            and need_willing
            and not teacher.willing_to_adjust
        ):
            found.append(
                Violation(
                    "I9",
                    f"teacher {teacher_id}, not willing to accept adjustment, was adjusted by "
                    f"round {placed[1].name} to post {outcome.post} (R6)",
                    teacher=teacher_id,
                    post=outcome.post,
                    evidence={"round": placed[1].name, "willing_to_adjust": False},
                )
            )
        if outcome.status is not _WAITING:
            continue
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
