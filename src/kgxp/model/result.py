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
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.rendering import html_of
from kgxp.model.policy import Policy, RoundKind, Scope
from kgxp.model.scenario import Scenario

__all__ = [
    "Conflict",
    "FrozenCounts",
    "Outcome",
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


class Status(StrEnum):
    """A teacher's outcome (I1: exactly one each)."""

    PROTECTED = "protected"  # R4: placed in advance at the original school
    IN_SCHOOL = "in_school"  # R5: won a post in the in-school round
    CROSS_SCHOOL = "cross_school"  # R5: won a post in a cross-school round
    ADJUSTED = "adjusted"  # R6: assigned by the bureau to a vacancy
    WAITING = "waiting"  # R7: no post; 待岗 at an assigned school


class Reason(FrozenModel):
    """One machine-readable reason behind an outcome.

    ``code`` values: ``protected``, ``protected_without_seat``, ``placed``,
    ``outranked`` (a post applied for went to ``rival``), ``no_application``
    (applied for no post offered in that round), ``unwilling`` (R6: declined
    adjustment), ``not_eligible`` (no vacancy of a qualified subject in scope),
    ``lower_adjustment_priority``, ``waiting``, ``policy_exception`` (a claim to
    ``post`` set aside to meet the county's declared targets, named in ``detail``;
    see :class:`PolicyException`).
    """

    rule: str
    code: str
    round: str | None = None
    post: Id | None = None
    rival: Id | None = Field(default=None, description="the teacher who took the post")
    score: Decimal | None = Field(default=None, description="this teacher's composite score")
    rival_score: Decimal | None = None
    decided_by: str | None = Field(
        default=None,
        description="a loss: 'score', a tie-breaker name, 'lottery' or 'max_placement'; an "
        "R6 adjustment: 'main_subject', 'other_subject' or 'balance'",
    )
    detail: str | None = None


class Outcome(FrozenModel):
    """What happened to one teacher, and why."""

    teacher: Id
    status: Status
    home_school: Id = Field(description="the school whose in-school round the teacher joined (R3)")
    post: Id | None = None
    school: Id | None = Field(
        default=None,
        description="the post's school; for a waiting teacher, the school assigned for "
        "跟岗学习/顶岗实践 (R7)",
    )
    round: str | None = Field(default=None, description="name of the round that placed them")
    score: Decimal
    protected_by: tuple[str, ...] = ()
    preference_rank: int | None = Field(
        default=None, description="0-based position of the post in the teacher's preferences"
    )
    reasons: tuple[Reason, ...] = ()


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


_Model = TypeVar("_Model", bound=FrozenModel)

_REQUIRED = object()  # marks a field without default in ``_FIELD_DEFAULTS``

# Per model the engine builds in bulk: every field with its default, in declaration
# order (so ``__dict__``, ``repr`` and equality match a validated instance).
_FIELD_DEFAULTS: dict[type[FrozenModel], dict[str, Any]] = {
    model: {
        name: _REQUIRED if field.is_required() else field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
    }
    for model in (Reason, Outcome, PostSeats, WarningTalk)
}
_REQUIRED_FIELDS = {
    model: frozenset(name for name, default in defaults.items() if default is _REQUIRED)
    for model, defaults in _FIELD_DEFAULTS.items()
}


def trusted(model: type[_Model], **values: Any) -> _Model:
    """``model(**values)`` without pydantic validation, for values that are already valid.

    The engine builds a :class:`Reason` or two and an :class:`Outcome` per teacher
    from a validated :class:`~kgxp.model.scenario.Scenario` and policy: ids from its
    records, ``Decimal`` scores, :class:`Status` members, tuples. Validating them
    again cost ~6 µs per model (``model_construct`` is slower still, ~12 µs) —
    about a third of a whole round. The instance has the same ``__dict__``
    (every field, declaration order) and fields-set as a validated one, so it is
    equal to it and serialises to the same JSON. Unknown or missing fields are
    still errors. Only for the models listed in ``_FIELD_DEFAULTS``.
    """
    defaults, count, required = _SPECS[model]
    fields = {**defaults, **values}  # keys keep the declaration order of ``defaults``
    if len(fields) != count or not required <= values.keys():
        unknown = sorted(values.keys() - defaults.keys())
        missing = sorted(required - values.keys())
        raise TypeError(f"{model.__name__}: unknown fields {unknown}, missing fields {missing}")
    instance = _new_object(model)
    # What BaseModel.model_construct sets, minus its per-field alias and default handling.
    _set_dict(instance, fields)
    _set_fields_set(instance, _shared_fields_set(values.keys()))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def builder(model: type[_Model], *names: str) -> Callable[..., _Model]:
    """A fast :func:`trusted` for one call shape: ``builder(Reason, "rule", "code")("R5", "placed")``.

    The engine builds a few hundred thousand reasons and outcomes per 100,000
    teachers, always with the same few shapes. For one shape the returned
    function writes the instance's ``__dict__`` as one literal, every field in
    declaration order (defaults for the fields not named), the way
    ``dataclasses`` and ``attrs`` generate ``__init__``: ~40% cheaper than
    :func:`trusted`, which merges and checks keyword dicts on every call. The
    names are checked once, here (unknown or missing required fields are a
    ``TypeError``), and the instances are exactly :func:`trusted`'s. Any frozen
    model can be built so (the waiting package's rows, :mod:`kgxp.waiting._rows`).
    """
    defaults = _field_defaults(model)
    unknown = sorted(set(names) - defaults.keys())
    missing = sorted({n for n, value in defaults.items() if value is _REQUIRED} - set(names))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown or missing or repeated:
        raise TypeError(
            f"{model.__name__}: unknown fields {unknown}, missing fields {missing}, "
            f"repeated fields {repeated}"
        )
    # Only identifiers and constants reach the generated source: field names are
    # checked above against the model's own, values are parameters or named defaults.
    namespace: dict[str, Any] = {
        "_fields_set": _shared_fields_set(names),
        "_model": model,
        "_new": _new_object,
        "_set_dict": _set_dict,
        "_set_fields_set": _set_fields_set,
        "_set_extra": _set_extra,
        "_set_private": _set_private,
        **{f"_default_{name}": value for name, value in defaults.items()},
    }
    entries = ", ".join(
        f"{name!r}: {name if name in names else f'_default_{name}'}" for name in defaults
    )
    source = (
        f"def build({', '.join(names)}):\n"
        "    instance = _new(_model)\n"
        f"    _set_dict(instance, {{{entries}}})\n"
        "    _set_fields_set(instance, _fields_set)\n"
        "    _set_extra(instance, None)\n"
        "    _set_private(instance, None)\n"
        "    return instance\n"
    )
    exec(source, namespace)
    build: Callable[..., _Model] = namespace["build"]
    build.__qualname__ = f"builder({model.__name__}, {', '.join(names)})"
    return build


# One fields-set per set of names, shared by every instance built with it. A set of
# five to ten names costs 470-730 bytes, more than the instance's ``__dict__``: one per
# Reason and Outcome was over half of a 100,000-teacher result's memory (issue 19).
# Sharing is safe because the models are frozen: pydantic mutates a fields-set only
# on attribute assignment (refused) and gives ``model_copy`` and ``copy`` their own
# copy before adding to it (tests/test_speed_internals.py checks both).
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _field_defaults(model: type[FrozenModel]) -> dict[str, Any]:
    """``model``'s fields with their defaults in declaration order (any frozen model)."""
    defaults = _FIELD_DEFAULTS.get(model)
    if defaults is None:
        defaults = {
            name: _REQUIRED if field.is_required() else field.get_default(call_default_factory=True)
            for name, field in model.model_fields.items()
        }
    return defaults


def _shared_fields_set(names: Iterable[str]) -> set[str]:
    key = frozenset(names)
    shared = _FIELDS_SETS.get(key)
    if shared is None:
        shared = _FIELDS_SETS[key] = set(key)
    return shared


# One look-up per call: (defaults, how many fields, required names) of each model.
_SPECS = {
    model: (defaults, len(defaults), _REQUIRED_FIELDS[model])
    for model, defaults in _FIELD_DEFAULTS.items()
}

# BaseModel keeps ``__dict__`` and these in slots; their descriptors set them directly,
# without the generic ``object.__setattr__`` look-up (a quarter of the cost of ``trusted``).
_new_object = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class RoundResult(FrozenModel):
    """The whole round: outcomes sorted by teacher id, seat use sorted by post id."""

    scenario_digest: str = Field(description="SHA-256 of the scenario's canonical JSON")
    seed: int
    policy: Policy
    outcomes: tuple[Outcome, ...]
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
        for outcome in self.outcomes:
            if outcome.teacher == teacher_id:
                return outcome
        raise KeyError(teacher_id)

    def counts(self) -> dict[str, int]:
        """Teachers per status, every status present."""
        tally = Counter(outcome.status for outcome in self.outcomes)  # members, not .value
        return {status.value: tally[status] for status in Status}

    def to_json(self) -> str:
        """Canonical JSON text (UTF-8 characters kept, final newline)."""
        return (
            json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
            + "\n"
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RoundResult:
        return cls.model_validate_json(text)

    def to_frame(self, scenario: Scenario | None = None, *, redact: bool = False) -> Any:
        """One row per teacher as a pandas DataFrame with real dtypes (``kgxp[notebook]``).

        ``score`` is a number, ``preference_rank`` (1 = first choice) a nullable
        integer, ids, statuses and rounds are categories. With ``scenario``, the
        teacher's ``name`` (unless ``redact``) and the post's ``subject`` are added.
        ``reason``/``rule`` are the last reason's code and rule id.
        """
        teachers = {t.id: t for t in scenario.teachers} if scenario else {}
        subjects = {p.id: p.subject for p in scenario.posts} if scenario else {}
        rows = []
        for o in self.outcomes:
            last = o.reasons[-1] if o.reasons else None
            teacher = teachers.get(o.teacher)
            rows.append(
                {
                    "teacher": o.teacher,
                    "name": o.teacher if redact or teacher is None else teacher.name,
                    "home_school": o.home_school,
                    "status": o.status,
                    "round": o.round,
                    "post": o.post,
                    "subject": subjects.get(o.post) if o.post else None,
                    "school": o.school,
                    "score": o.score,
                    "preference_rank": None if o.preference_rank is None else o.preference_rank + 1,
                    "protected_by": "、".join(o.protected_by),
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
