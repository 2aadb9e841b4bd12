"""The result of a placement round: one outcome per teacher, with its reasons.

Everything here is a frozen pydantic model that serialises to JSON and back
unchanged, so a published round (公示) can be stored, reloaded, verified and
compared with a re-run after an appeal without a second computation. Nothing
non-deterministic is stored (no wall-clock times): the same scenario, policy
and seed give byte-identical JSON (I12).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.rendering import html_of
from kgxp.model.building import builder, trusted
from kgxp.model.document_json import ReadableDocument
from kgxp.model.outcome import Outcome, Outcomes, OutcomeTable, Reason, Status, json_rows
from kgxp.model.policy import Policy, RoundKind, Scope
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id

__all__ = [
    "Conflict",
    "FrozenCounts",
    "Outcome",
    "OutcomeTable",
    "PolicyException",
    "PostSeats",
    "Reason",
    "RoundResult",
    "RoundStats",
    "SolverStats",
    "Status",
    "TargetReport",
    "WarningTalk",
    "builder",
    "trusted",
]


class FrozenCounts(dict[str, int]):
    """A read-only ``dict`` of counts per round name, as :class:`PostSeats` holds them.

    It is a ``dict`` for reading (``==``, ``in``, ``items()``, ``json.dumps``) and
    serialises to the same JSON object, but every writing method raises
    ``TypeError``: the result is frozen, and equal counts are one shared object
    across posts (issue 19: a 100,000-teacher result's memory), so a write into one
    post's counts would otherwise change every post with the same counts.
    ``dict(counts)`` or ``counts.copy()`` gives a plain, writable copy.

    >>> counts = FrozenCounts({"in_school": 2})
    >>> counts == {"in_school": 2}, counts.copy() | {"cross_school": 1}
    (True, {'in_school': 2, 'cross_school': 1})
    >>> counts["in_school"] = 3
    Traceback (most recent call last):
    TypeError: FrozenCounts is read-only; dict(counts) makes a writable copy
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only; dict(counts) makes a writable copy")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only  # ``counts |= other`` would write in place

    def __hash__(self) -> int:  # type: ignore[override]  # frozen, so a PostSeats can be hashed
        return hash(frozenset(self.items()))

    def copy(self) -> dict[str, int]:
        """A plain, writable ``dict`` with the same counts."""
        return dict(self)

    def __copy__(self) -> FrozenCounts:
        return self  # immutable: a copy may be the same object

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenCounts:
        return self

    def __reduce__(self) -> tuple[type[FrozenCounts], tuple[dict[str, int]]]:
        # A dict subclass is otherwise unpickled by writing its items one by one.
        return (type(self), (dict(self),))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Validated as dict[str, int], then made read-only; serialised as that dict.
        return core_schema.no_info_after_validator_function(
            cls, handler.generate_schema(dict[str, int])
        )


class PostSeats(FrozenModel):
    """How a post's seats were used (R2, R4, R5; I2, I5)."""

    post: Id
    school: Id
    subject: str
    seats: int
    reserved: int
    protected: int
    in_school: int = Field(description="seats of the in-school round (R5)")
    cross_school: int = Field(description="seats of the cross-school round (R5)")
    offered: FrozenCounts = Field(description="seats offered per round name (read-only)")
    filled: FrozenCounts = Field(description="seats filled per round name (read-only)")
    vacant: int = Field(description="seats left empty after every round (reserved excluded)")


class SolverStats(FrozenModel):
    """What the mechanism of a round reports (deterministic quantities only)."""

    mechanism: str
    status: str
    objective: int = Field(description="teachers placed")
    bound: int | None = None
    deterministic_time: float | None = None
    proven_optimal: bool = True
    timed_out: bool = False
    baseline_placed: int | None = Field(
        default=None, description="what deferred acceptance places on the same market"
    )


class RoundStats(FrozenModel):
    """One round of the plan: who entered, what was offered, what was placed."""

    name: str
    kind: RoundKind
    scope: Scope
    candidates: int
    seats_offered: int
    placed: int
    solver: SolverStats | None = None


class WarningTalk(FrozenModel):
    """One teacher on R15's warning-talk list (诫勉谈话名单): in the bottom share of the
    composite evaluation (seed 002: 对评价结果处于后5%的人员进行诫勉谈话)."""

    teacher: Id
    unit: str = Field(description="'county', or the school id when counted per school")
    score: Decimal = Field(description="the composite score (R15), exact")
    from_bottom: int = Field(
        description="1 + how many teachers of the unit score strictly lower (ties share it)"
    )
    at_or_below: int = Field(description="teachers of the unit scoring at or below this score")
    unit_size: int = Field(description="teachers of the unit")
    limit: int = Field(description="the share times unit_size, rounded down")


class PolicyException(FrozenModel):
    """A justified-envy pair the county's targets forced: the published price of a policy.

    In round ``round`` teacher ``teacher`` applied for ``post`` above what they got,
    and the post kept a seat free (``kind="free_seat"``) or went to ``holder``, of a
    strictly lower priority class (``kind="outranks_holder"``): I7 would count it as
    justified envy. The targeted mechanism created it to meet ``targets`` (the
    names of :class:`~kgxp.model.policy.DistributionalTargets` fields enforced in
    that round); ``rules`` are their rule ids. ``verify`` accepts exactly the
    declared pairs.
    """

    round: str
    teacher: Id
    post: Id
    kind: str
    holder: Id | None = None
    targets: tuple[str, ...]
    rules: tuple[str, ...]


class TargetReport(FrozenModel):
    """One declared target after the round: required, achieved, and if not met, why.

    Counts are of teachers (R16 moves) or seats (R17), over ``base``. ``feasible``
    is ``False`` when no placement of the enforcing round could reach ``required``
    (stable or not, with the targets before it); ``best_possible`` is then the most
    the county can reach there and ``explanation`` says what would make it feasible.

    A CV target (R12, §6: an indicator's 校际差异系数 in one segment) has no counts
    (``base``, ``required`` and ``achieved`` are 0): ``share`` is its threshold,
    ``cv`` the CV after the round, and when it is not met ``best_cv`` the lowest CV
    a placement of the enforcing round was found to reach, with ``best_cv_proven``
    saying whether no placement of that round goes lower (to 0.001) or it is a bound.
    """

    target: str
    rule: str
    share: Decimal
    base: int
    required: int
    achieved: int
    met: bool
    feasible: bool
    round: str | None = Field(default=None, description="the round that enforced it")
    best_possible: int | None = None
    envy_pairs: int = Field(default=0, description="policy exceptions created in that round")
    explanation: str | None = None
    cv: Decimal | None = Field(
        default=None, description="CV targets: the CV after the round, to 4 decimals"
    )
    best_cv: Decimal | None = Field(
        default=None, description="CV targets not met: the lowest CV found reachable"
    )
    best_cv_proven: bool | None = Field(
        default=None,
        description=(
            "CV targets not met: true when best_cv is proven the lowest the enforcing "
            "round can reach (to 0.001), false when it is an upper bound"
        ),
    )


class Conflict(FrozenModel):
    """Something the rules could not honour, reported instead of silently worked around."""

    rule: str
    teacher: Id
    school: Id
    message: str


class RoundResult(ReadableDocument):
    """The whole round: outcomes sorted by teacher id, seat use sorted by post id."""

    document_name: ClassVar[str] = "result"

    scenario_digest: str = Field(description="SHA-256 of the scenario's canonical JSON")
    seed: int
    policy: Policy
    # From run_round and from_json an OutcomeTable (a read-only sequence of Outcome held
    # as columns); a tuple of Outcome when given one. No description: the JSON Schema
    # of result.json stays as it was.
    outcomes: Outcomes
    posts: tuple[PostSeats, ...]
    rounds: tuple[RoundStats, ...]
    conflicts: tuple[Conflict, ...] = ()
    warning_talks: tuple[WarningTalk, ...] = Field(
        default=(),
        description="R15 诫勉谈话名单: the bottom share of the composite evaluation, by unit, "
        "score and teacher id",
    )
    exceptions: tuple[PolicyException, ...] = Field(
        default=(), description="justified-envy pairs created to meet declared targets"
    )
    targets: tuple[TargetReport, ...] = Field(
        default=(), description="declared distributional targets and how far they were met"
    )

    def outcome(self, teacher_id: str) -> Outcome:
        """The outcome of one teacher (``KeyError`` if unknown)."""
        outcomes = self.outcomes
        try:
            if isinstance(outcomes, OutcomeTable):  # by bisection: see position_of
                return outcomes[outcomes.position_of(teacher_id)]
            return outcomes[self.outcome_values("teacher").index(teacher_id)]
        except ValueError:
            raise KeyError(teacher_id) from None

    def counts(self) -> dict[str, int]:
        """Teachers per status, every status present."""
        tally = Counter(self.outcome_values("status"))  # members, not .value
        return {status.value: tally[status] for status in Status}

    def outcome_values(self, field: str) -> Sequence[Any]:
        """One :class:`Outcome` field of every outcome, in order (``KeyError`` if no field).

        Read from the columns of an :class:`OutcomeTable` without building any outcome;
        from each object when the outcomes were given as a tuple.

        >>> import kgxp
        >>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
        >>> result.outcome_values("teacher")[:2]
        ('T00001', 'T00002')
        """
        outcomes = self.outcomes
        if isinstance(outcomes, OutcomeTable):
            return outcomes.column(field)
        if field not in Outcome.model_fields:
            raise KeyError(
                f"no outcome field {field!r}; the fields are {list(Outcome.model_fields)}"
            )
        return [getattr(outcome, field) for outcome in outcomes]

    def outcomes_of(self, teacher_ids: Iterable[str]) -> dict[str, Outcome]:
        """The outcomes of these teachers, by teacher id in the order given (ids without
        an outcome left out), each as :meth:`outcome` finds it: only these outcomes built
        (``{o.teacher: o for o in result.outcomes}`` builds every one).

        >>> import kgxp
        >>> result = kgxp.run_round(kgxp.load_scenario("examples/ziyang_county.json"))
        >>> found = result.outcomes_of(["T00002", "nobody"])
        >>> list(found), found["T00002"] == result.outcome("T00002")
        (['T00002'], True)
        """
        found: dict[str, Outcome] = {}
        for teacher_id in dict.fromkeys(teacher_ids):  # each id once, in the order given
            try:
                found[teacher_id] = self.outcome(teacher_id)
            except KeyError:
                continue
        return found

    def to_json(self) -> str:
        """Canonical JSON text (UTF-8 characters kept, final newline)."""
        # The dump is 100,000s of short-lived dicts: no collector passes over the heap
        # meanwhile (kgxp._internal.gc_pause).
        with collector_paused():
            rows = json_rows(self.outcomes) if isinstance(self.outcomes, OutcomeTable) else None
            if rows is None:
                data = self.model_dump(mode="json")
            else:
                # The outcomes written from the table's columns (what pydantic writes for
                # them, without building and dumping 100,000s of objects), in field order.
                rest = self.model_dump(mode="json", exclude={"outcomes"})
                data = {
                    name: rows if name == "outcomes" else rest[name]
                    for name in type(self).model_fields
                }
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    def to_frame(self, scenario: Scenario | None = None, *, redact: bool = False) -> Any:
        """One row per teacher as a pandas DataFrame with real dtypes (``kgxp[notebook]``).

        ``score`` is a number, ``preference_rank`` (1 = first choice) a nullable
        integer, ids, statuses and rounds are categories. With ``scenario``, the
        teacher's ``name`` (unless ``redact``) and the post's ``subject`` are added.
        ``reason``/``rule`` are the last reason's code and rule id. ``scenario`` must be the
        one the round ran on (:class:`~kgxp.exceptions.ScenarioMismatchError`, I12).
        """
        if scenario is not None:
            from kgxp.model.arguments import result_of  # it imports this module

            result_of(scenario, self)
        teachers = teachers_by_id(scenario) if scenario else {}
        subjects = {p.id: p.subject for p in scenario.posts} if scenario else {}
        rows = []
        # Read from the outcome columns: no outcome built (issue 19).
        fields = ("teacher", "home_school", "status", "round", "post", "school", "score")
        for teacher_id, home, status, name, post, school, score, rank, protected_by, reasons in zip(
            *map(self.outcome_values, (*fields, "preference_rank", "protected_by", "reasons")),
            strict=True,
        ):
            last = reasons[-1] if reasons else None
            teacher = teachers.get(teacher_id)
            rows.append(
                {
                    "teacher": teacher_id,
                    "name": teacher_id if redact or teacher is None else teacher.name,
                    "home_school": home,
                    "status": status,
                    "round": name,
                    "post": post,
                    "subject": subjects.get(post) if post else None,
                    "school": school,
                    "score": score,
                    "preference_rank": None if rank is None else rank + 1,
                    "protected_by": "、".join(protected_by),
                    "reason": last.code if last else None,
                    "rule": last.rule if last else None,
                }
            )
        columns: dict[str, ColumnKind] = {
            "teacher": "category",
            "name": "text",
            "home_school": "category",
            "status": "category",
            "round": "category",
            "post": "category",
            "subject": "category",
            "school": "category",
            "score": "number",
            "preference_rank": "count",
            "protected_by": "category",
            "reason": "category",
            "rule": "category",
        }
        if scenario is None:
            del columns["name"], columns["subject"]
        return typed_frame(rows, columns, "RoundResult.to_frame()")

    def __repr__(self) -> str:
        # A summary: the whole result is megabytes of text (details: .outcomes, .to_frame()).
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v)
        return (
            f"RoundResult(policy={self.policy.name!r}, seed={self.seed}, "
            f"teachers={len(self.outcomes)}: {counts}; posts={len(self.posts)}, "
            f"rounds={[r.name for r in self.rounds]}, conflicts={len(self.conflicts)}, "
            f"scenario_digest={self.scenario_digest[:12]!r}…)"
        )

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: counts per status and round, vacancies, seats per school."""
        return html_of(self)  # drawn by kgxp.views.html, registered there
