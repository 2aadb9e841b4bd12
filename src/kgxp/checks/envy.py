"""I7: no justified envy in a competitive round (weak stability, R12)."""

from __future__ import annotations

import math
from collections import defaultdict

from kgxp.checks.context import COMPETITIVE, IN_SCHOOL, Context
from kgxp.checks.violation import Violation
from kgxp.model.policy import Mechanism, RoundSpec

__all__ = ["all_justified_envy", "check_no_justified_envy", "declared_exceptions"]

# --- I7 ----------------------------------------------------------------------------------


def check_no_justified_envy(context: Context) -> list[Violation]:
    """I7: weak stability of each competitive round (R12 择优 + 双向选择).

    A candidate of round r envies, among the posts they applied for and r offers
    in its scope, those ranked above the post they won in r (all of them when r
    did not place them). Envy is justified when the post kept a seat of r free,
    or holds from r a teacher of a strictly worse priority class.

    A pair the result declares as a policy-justified exception (R16/R17: the
    price of a declared target, :class:`~kgxp.model.result.PolicyException`) is
    accepted when the result's policy is the targeted mechanism and declares the
    targets the exception names; I15 (:mod:`kgxp.checks.targets`) checks that
    every declared pair is real and every target is met or explained. Any other
    envy is reported.
    """
    accepted = declared_exceptions(context)
    return [
        v
        for v in all_justified_envy(context)
        if (v.evidence.get("round"), v.teacher, v.post) not in accepted
    ]


def all_justified_envy(context: Context) -> list[Violation]:
    """Every justified-envy pair of every competitive round, declared or not."""
    found = []
    for index, spec in enumerate(context.plan):
        if spec.kind in COMPETITIVE:
            found += _RoundEnvy(context, index, spec).violations()
    return found


def declared_exceptions(context: Context) -> set[tuple[str, str, str]]:
    """(round, teacher, post) of the exceptions the result's policy can justify."""
    policy = context.policy
    if policy.mechanism is not Mechanism.TARGETED:
        return set()
    declared = policy.targets.declared()
    return {
        (e.round, e.teacher, e.post)
        for e in context.result.exceptions
        if e.targets and set(e.targets) <= declared
    }


class _RoundEnvy:
    """I7 for one competitive round: its look-up tables, built once, not per teacher."""

    def __init__(self, context: Context, index: int, spec: RoundSpec) -> None:
        self.context = context
        self.index = index
        self.spec = spec
        self.units = units = context.units(spec.scope)
        self.fills = context.tally.fills[index]
        self.worst_class = self._worst_classes()
        self._worst_ids: list[str] | None = None  # built for the first violation naming one
        # For each post of the scenario the round offered seats at, (bar, school,
        # seats offered): a candidate of priority class c in the post's scope has
        # justified envy for it iff c < bar; the bar is infinite while the post keeps a
        # seat free, else the class of its worst holder (-1: none). Grouped by the key
        # of the scope a candidate must share (the school in-school, else the unit) and
        # by post id: `violations` looks up every application of every candidate, and
        # a school's or unit's table is small, so the look-up rarely leaves the cache.
        # The seat rows are read by post position (a post without a row offers nothing).
        self.bars: dict[str | None, dict[str, tuple[float, str, int, int]]] = defaultdict(dict)
        in_school = spec.kind is IN_SCHOOL
        name, posts, fills, worst = spec.name, context.post_list, self.fills, self.worst_class
        for i, row in enumerate(context.rows_at):
            if row is None or not (offered := row.offered.get(name, 0)) > 0:
                continue
            post = posts[i]
            school = post.school
            bar = math.inf if fills[i] < offered else worst[i]
            key = school if in_school else units.get(school)
            self.bars[key][post.id] = (bar, school, offered, i)

    def _worst_classes(self) -> list[int]:
        """Per post: the priority class of the worst teacher the round placed there; -1
        when none."""
        context = self.context
        placed = context.tally.placed_in[self.index]
        posts = len(context.post_list)
        # Two spare slots at the end, where the negative post positions of an entry
        # without a post (-1) or with one not in the scenario (-2) land: no test per entry.
        worst = [-1] * (posts + 2)
        at = map(context.tally.post_at.__getitem__, placed)
        for i, own_class in zip(at, map(context.priority_at.__getitem__, placed), strict=True):
            if own_class > worst[i]:
                worst[i] = own_class
        del worst[posts:]
        return worst

    def worst_id(self, i: int) -> str:
        """The id of the worst teacher the round placed at post ``i`` (the highest
        (class, id)); "" when none.

        Built for the first violation naming a holder, on :attr:`worst_class`: the
        highest id among each post's holders of its worst class. Not kept beside the
        classes while they are built: every check pays for those, and a valid result
        names no holder.
        """
        if self._worst_ids is None:
            context = self.context
            priority, ids = context.priority_at, context.entry_ids
            post_at, worst_class = context.tally.post_at, self.worst_class
            worst_id = [""] * len(context.post_list)
            for e in context.tally.placed_in[self.index]:
                k = post_at[e]
                if k >= 0 and priority[e] == worst_class[k] and ids[e] > worst_id[k]:
                    worst_id[k] = ids[e]
            self._worst_ids = worst_id
        return self._worst_ids[i]

    def violations(self) -> list[Violation]:
        """The justified envy of each candidate of the round."""
        # One loop over all entries, look-ups held in locals, rather than a call and
        # a list per candidate: it walks every application of every candidate.
        context = self.context
        applied, homes = context.entry_preferences, context.home
        posts = context.entry_values("post")  # a column of an OutcomeTable: no object built
        ids, priority = context.entry_ids, context.priority_at
        units, bars = self.units, self.bars
        index, in_school = self.index, self.spec.kind is IN_SCHOOL
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
                above, won = won_rank, posts[e]
            else:
                above, won = len(applied[e]), None
                if above == 0:
                    continue  # applied for nothing
            home, own_class = homes[e], priority[e]
            in_scope = bars.get(home if in_school else units.get(home), nothing)
            preferences = applied[e]
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
        holder = (self.worst_class[i], self.worst_id(i))
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
