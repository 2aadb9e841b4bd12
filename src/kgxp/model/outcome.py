"""One teacher's outcome of a round, with its reasons, and the table holding a round's outcomes.

A :class:`~kgxp.model.result.RoundResult` holds its outcomes as an
:class:`OutcomeTable`: one column per :class:`Outcome` field rather than one
object per teacher, a read-only sequence that builds each :class:`Outcome` when it
is read (issue 19: a 100,000-teacher result's memory, and the time to build and
read back 100,000 objects). Outcomes given as a tuple (``model_copy``, a
:class:`~kgxp.model.result.RoundResult` built by hand) are kept as given.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from itertools import chain, islice
from operator import attrgetter, itemgetter, le
from typing import Annotated, Any, TypeVar, overload

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from kgxp._internal.frozen import FrozenModel, Id
from kgxp._internal.gc_pause import collector_paused
from kgxp.model.building import row_builder, shared_fields_set
from kgxp.model.document_json import DECODED_DOCUMENT

__all__ = ["COLUMNS", "Outcome", "OutcomeTable", "Outcomes", "Reason", "Status", "json_rows"]


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


# The fields of an Outcome in declaration order: the table's columns, and the keys of
# its JSON object (checked below against the model, so the two cannot drift apart).
COLUMNS = (
    "teacher",
    "status",
    "home_school",
    "post",
    "school",
    "round",
    "score",
    "protected_by",
    "preference_rank",
    "reasons",
)
if tuple(Outcome.model_fields) != COLUMNS:  # pragma: no cover - a model edit without this one
    raise RuntimeError(f"OutcomeTable columns {COLUMNS} differ from Outcome's fields")


# One row as the Outcome it stands for (equal to a validated one): every field in
# declaration order, then the fields-set the row was given.
_outcome = row_builder(Outcome)


class OutcomeTable(Sequence[Outcome]):
    """A round's outcomes held as columns: a read-only sequence of :class:`Outcome`.

    ``RoundResult.outcomes`` from :func:`~kgxp.run_round` or
    :meth:`~kgxp.RoundResult.from_json` is one: ``len``, iteration, indexing and
    slicing (a tuple) give :class:`Outcome` objects, built on access and equal to
    the validated ones; it equals another table or a tuple of the same outcomes, and
    hashes, pickles and serialises like that tuple. :meth:`column` reads one field of
    every outcome without building any (what :func:`~kgxp.verify` does).
    ``tuple(table)`` is the tuple of outcomes.

    >>> table = OutcomeTable([Outcome(teacher="T1", status="waiting", home_school="S1",
    ...                               school="S1", score=Decimal("80.5"))])
    >>> len(table), table[0].status.value, table.column("score")
    (1, 'waiting', (Decimal('80.5'),))
    >>> table == (table[0],), table[:1] == (table[0],)
    (True, True)
    """

    __slots__ = ("_columns", "_fields_sets", "_ids_sorted", "_plain", "_shapes")

    _columns: tuple[tuple[Any, ...], ...]
    _shapes: tuple[int, ...]
    _fields_sets: tuple[set[str], ...]
    _plain: bool
    _ids_sorted: bool | None

    def __init__(self, outcomes: Iterable[Outcome] = ()) -> None:
        """The table of ``outcomes``, in their order (each field read as the object holds it)."""
        rows = list(outcomes)
        for position, outcome in enumerate(rows):
            if not isinstance(outcome, Outcome):
                raise TypeError(
                    f"OutcomeTable holds Outcome objects; item {position} is a "
                    f"{type(outcome).__name__}"
                )
        self._set(*_columns_of(rows), plain=False)

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[Any]],
        shapes: Sequence[int] | None = None,
        fields: Sequence[Iterable[str]] = (COLUMNS,),
    ) -> OutcomeTable:
        """A table of values that are already valid, not validated (as
        :func:`~kgxp.model.building.trusted` builds a model): what the engine fills.

        ``columns`` maps every :class:`Outcome` field to its value per outcome;
        ``fields[shapes[i]]`` are the fields outcome ``i`` was given explicitly (its
        ``model_fields_set``; by default every field). Unknown, missing or uneven
        columns, or a status that is not a :class:`Status` member, are a ``TypeError``.

        >>> columns = {name: [None] for name in COLUMNS} | {"status": [Status.WAITING]}
        >>> table = OutcomeTable.from_columns(columns)
        >>> len(table), table.column("post")
        (1, (None,))
        """
        unknown = sorted(columns.keys() - set(COLUMNS))
        missing = [name for name in COLUMNS if name not in columns]
        lengths = {len(values) for values in columns.values()}
        count = lengths.pop() if len(lengths) == 1 else 0
        if shapes is None:
            shapes = (0,) * count
        if unknown or missing or lengths or len(shapes) != count:
            raise TypeError(
                f"OutcomeTable.from_columns: unknown columns {unknown}, missing columns "
                f"{missing}, or columns and shapes of different lengths"
            )
        # Statuses are compared by identity downstream (verify, the views): an equal text
        # in their place would be misread silently, so it is refused here (one pass in C).
        if not set(map(type, columns["status"])) <= {Status}:
            raise TypeError("OutcomeTable.from_columns: every status must be a Status member")
        fields_sets = tuple(shared_fields_set(names) for names in fields)
        if not all(set(names) <= set(COLUMNS) for names in fields_sets) or not all(
            0 <= shape < len(fields_sets) for shape in set(shapes)
        ):
            raise TypeError("OutcomeTable.from_columns: a shape names no outcome fields")
        return cls._made(
            tuple(tuple(columns[name]) for name in COLUMNS),
            tuple(shapes),
            fields_sets,
            plain=True,
        )

    @classmethod
    def _made(
        cls,
        columns: tuple[tuple[Any, ...], ...],
        shapes: tuple[int, ...],
        fields_sets: tuple[set[str], ...],
        *,
        plain: bool,
    ) -> OutcomeTable:
        """A table holding these columns as they are (every constructor but ``__init__``'s
        validation ends here). ``plain``: the values are of their fields' types."""
        table = cls.__new__(cls)
        table._set(columns, shapes, fields_sets, plain=plain)
        return table

    def _set(
        self,
        columns: tuple[tuple[Any, ...], ...],
        shapes: tuple[int, ...],
        fields_sets: tuple[set[str], ...],
        *,
        plain: bool,
    ) -> None:
        self._columns, self._shapes, self._fields_sets, self._plain = (
            columns,
            shapes,
            fields_sets,
            plain,
        )
        self._ids_sorted = None  # found on the first look-up by id

    def position_of(self, teacher_id: str) -> int:
        """Where the first outcome of ``teacher_id`` is (``ValueError`` if none).

        By bisection when the teacher column is in id order, as the engine's always is
        (checked once per table), so that looking every teacher up one by one is not
        quadratic; otherwise by a scan, as ``tuple.index``.
        """
        ids = self._columns[0]
        if self._ids_sorted is None:
            self._ids_sorted = all(map(le, ids, islice(ids, 1, None)))
        if not self._ids_sorted:
            return ids.index(teacher_id)
        at = bisect_left(ids, teacher_id)
        if at < len(ids) and ids[at] == teacher_id:
            return at
        raise ValueError(f"{teacher_id!r} has no outcome")

    # --- reading ----------------------------------------------------------------------

    def column(self, name: str) -> tuple[Any, ...]:
        """One field of every outcome, in order: ``table.column("post")`` (no object built)."""
        try:
            return self._columns[COLUMNS.index(name)]
        except ValueError:
            raise KeyError(f"no outcome field {name!r}; the fields are {list(COLUMNS)}") from None

    def __len__(self) -> int:
        return len(self._shapes)

    def __iter__(self) -> Iterator[Outcome]:
        return map(_outcome, *self._columns, map(self._fields_sets.__getitem__, self._shapes))

    def __reversed__(self) -> Iterator[Outcome]:
        columns = [reversed(column) for column in self._columns]
        return map(_outcome, *columns, map(self._fields_sets.__getitem__, reversed(self._shapes)))

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Outcome, ...]: ...

    def __getitem__(self, index: int | slice) -> Outcome | tuple[Outcome, ...]:
        if isinstance(index, slice):
            columns = [column[index] for column in self._columns]
            shapes = map(self._fields_sets.__getitem__, self._shapes[index])
            return tuple(map(_outcome, *columns, shapes))
        shape = self._shapes[index]  # IndexError, and negative indices, as a tuple's
        teacher, status, home, post, school, name, score, by, rank, reasons = self._columns
        return _outcome(
            teacher[index],
            status[index],
            home[index],
            post[index],
            school[index],
            name[index],
            score[index],
            by[index],
            rank[index],
            reasons[index],
            self._fields_sets[shape],
        )

    def take(self, positions: Iterable[int]) -> OutcomeTable:
        """The table of the outcomes at ``positions``, in that order (no object built)."""
        picked = list(positions)
        return OutcomeTable._made(
            tuple(tuple(map(column.__getitem__, picked)) for column in self._columns),
            tuple(map(self._shapes.__getitem__, picked)),
            self._fields_sets,
            plain=self._plain,
        )

    # --- as the tuple it replaces -------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OutcomeTable):
            # Outcomes are equal when their fields are (pydantic ignores fields-sets).
            return self._columns == other._columns
        if isinstance(other, tuple):
            return len(other) == len(self) and all(map(_equal, self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # equal to the tuple of the same outcomes: the same hash

    def __repr__(self) -> str:
        return (
            f"OutcomeTable({list(self)!r})"
            if len(self) <= 3
            else (f"OutcomeTable(<{len(self)} outcomes: {self[0]!r}, …>)")
        )

    def __copy__(self) -> OutcomeTable:
        return self  # immutable: a copy may be the same object

    def __deepcopy__(self, memo: dict[int, object]) -> OutcomeTable:
        return self

    def __reduce__(self) -> tuple[Callable[..., OutcomeTable], tuple[Any, ...]]:
        packed = _packed_reasons(self._columns[_REASONS])
        if packed is None:  # a reason of another type: pickled as the objects it is
            return (_restored, (self._columns, self._shapes, self._fields_sets, self._plain))
        columns = self._columns[:_REASONS] + self._columns[_REASONS + 1 :]
        return (_unpacked, (columns, packed, self._shapes, self._fields_sets, self._plain))


def _restored(
    columns: tuple[tuple[Any, ...], ...],
    shapes: tuple[int, ...],
    fields_sets: tuple[set[str], ...],
    plain: bool,
) -> OutcomeTable:
    """A pickled table back (its fields-sets shared again with the ones built here)."""
    return OutcomeTable._made(
        columns, shapes, tuple(map(shared_fields_set, fields_sets)), plain=plain
    )


# A table goes to and from worker processes and clusters (run_rounds, Dask) pickled.
# Pickled as objects, its ~130,000 distinct reasons for 100,000 teachers were 20 MB
# and 0.8 s each way, most of it pydantic's per-object state (a dict and a fields-set
# each). They go as rows of values instead, with the fields-sets by index and each
# outcome's reason tuple by index into the distinct tuples, as the engine shares
# them; they come back as equal reasons, shared as before: 11 MB, 0.26 s to pack and
# pickle, 0.2 s back (issue 19: sweeps).
_REASONS = COLUMNS.index("reasons")
_Item = TypeVar("_Item")
_reason = row_builder(Reason)

_PackedReasons = tuple[
    tuple[int, ...],  # per outcome: its reason tuple, by index into the distinct ones
    tuple[tuple[int, ...], ...],  # the distinct reason tuples: reasons by index
    tuple[tuple[Any, ...], ...],  # the distinct reasons: field values, declaration order
    tuple[int, ...],  # per distinct reason: its fields-set, by index
    tuple[set[str], ...],  # the fields-sets
]


def _packed_reasons(column: tuple[tuple[Reason, ...], ...]) -> _PackedReasons | None:
    """The reasons column as rows of values (see above); None if a reason is not a
    plain :class:`Reason` (a subclass would come back as its base)."""
    with collector_paused():  # 100,000s of new tuples, no cycles
        distinct = _distinct(column)
        tuple_at = {id(reasons): at for at, reasons in enumerate(distinct)}
        objects = _distinct(list(chain.from_iterable(distinct)))
        if set(map(type, objects)) - {Reason}:
            return None
        # Every field, in declaration order: how pydantic and kgxp.model.building fill a
        # model's __dict__ (validated, constructed, copied), the order _reason takes.
        fields = list(map(_FIELDS, objects))
        reason_at = {id(reason): at for at, reason in enumerate(objects)}
        given = list(map(_FIELDS_SET, objects))
        fields_sets = _distinct(given)
        shape_at = {id(names): at for at, names in enumerate(fields_sets)}
        return (
            tuple(map(tuple_at.__getitem__, map(id, column))),
            tuple(tuple(map(reason_at.__getitem__, map(id, reasons))) for reasons in distinct),
            tuple(map(tuple, map(dict.values, fields))),
            tuple(map(shape_at.__getitem__, map(id, given))),
            tuple(fields_sets),
        )


def _distinct(items: Sequence[_Item]) -> list[_Item]:
    """The distinct objects of ``items`` (by identity), in order of first appearance: a
    dict keyed by id keeps its first insertion's place, and map and zip run in C, with
    no Python frame per item."""
    return list(dict(zip(map(id, items), items, strict=True)).values())


def _unpacked(
    columns: tuple[tuple[Any, ...], ...],
    packed: _PackedReasons,
    shapes: tuple[int, ...],
    fields_sets: tuple[set[str], ...],
    plain: bool,
) -> OutcomeTable:
    """A table pickled with its reasons as rows of values, back."""
    at, distinct, values, reason_shapes, reason_sets = packed
    given = tuple(map(shared_fields_set, reason_sets))
    with collector_paused():  # 100,000s of new objects, no cycles (kgxp._internal.gc_pause)
        reasons = tuple(
            map(_reason, *zip(*values, strict=True), map(given.__getitem__, reason_shapes))
        )
        tuples = [tuple(map(reasons.__getitem__, indices)) for indices in distinct]
        column = tuple(map(tuples.__getitem__, at))
    return _restored((*columns[:_REASONS], column, *columns[_REASONS:]), shapes, fields_sets, plain)


def _equal(first: Outcome, second: object) -> bool:
    return first == second


def _columns_of(
    outcomes: Sequence[Outcome],
) -> tuple[tuple[tuple[Any, ...], ...], tuple[int, ...], tuple[set[str], ...]]:
    """The columns, per-row shapes and shared fields-sets of these outcome objects."""
    # map and itemgetter run in C: no Python frame per outcome (issue 19: reading a result).
    fields = list(map(_FIELDS, outcomes))
    try:
        columns = tuple(tuple(map(itemgetter(name), fields)) for name in COLUMNS)
    except KeyError as missing:
        raise TypeError(f"an Outcome without field {missing}: not a table row") from None
    given = list(map(_FIELDS_SET, outcomes))
    if given and set(map(len, given)) == {len(COLUMNS)}:  # every field: a result kgxp wrote
        return columns, (0,) * len(given), (shared_fields_set(COLUMNS),)
    # Outcomes given the same fields share one fields-set (kgxp.model.building's).
    shape_of: dict[frozenset[str] | None, int] = {}  # None: every field
    fields_sets: list[set[str]] = []
    shapes: list[int] = []
    for names in given:
        key = None if len(names) == len(COLUMNS) else frozenset(names)
        shape = shape_of.get(key)
        if shape is None:
            shape = shape_of[key] = len(fields_sets)
            fields_sets.append(shared_fields_set(COLUMNS if key is None else key))
        shapes.append(shape)
    return columns, tuple(shapes), tuple(fields_sets)


_FIELDS = attrgetter("__dict__")
_FIELDS_SET = attrgetter("__pydantic_fields_set__")


def _table_of_validated(outcomes: tuple[Outcome, ...]) -> OutcomeTable:
    """The table of outcomes pydantic validated from JSON (types known: fast JSON path)."""
    return OutcomeTable._made(*_columns_of(outcomes), plain=True)


def _table_kept(
    value: Any, validate: core_schema.ValidatorFunctionWrapHandler, info: core_schema.ValidationInfo
) -> Any:
    """Python input: a table as it is, anything else as a tuple of outcomes (as given);
    the outcomes of a document read from its JSON (:func:`~kgxp.model.document_json.
    read_document`) as the table pydantic's JSON path makes."""
    if isinstance(value, OutcomeTable):
        return value
    if info.context is DECODED_DOCUMENT:
        return _table_of_validated(validate(value))
    return validate(value)


_STATUS_TEXT = {status: status.value for status in Status}
# The Reason fields pydantic writes as text (Decimal); the others are str or None.
_DECIMAL_REASON_FIELDS = tuple(
    name
    for name, field in Reason.model_fields.items()
    if field.annotation in (Decimal, Decimal | None)
)


def json_rows(table: OutcomeTable) -> list[dict[str, Any]] | None:
    """The outcomes as ``model_dump(mode="json")`` writes them, read from the columns;
    ``None`` when the table's values are not known to be of their fields' types
    (a table of objects given by hand: pydantic must write those).

    Keys in declaration order, values as pydantic's serialisers write them (``str``
    of a ``Decimal``, a status's value, lists for tuples): tests compare both on every
    kind of outcome. Only for ``json.dumps`` (:meth:`~kgxp.RoundResult.to_json`):
    the dict of a reason appears once per outcome holding it.
    """
    if not table._plain:
        return None
    reason_json: dict[int, dict[str, Any]] = {}  # by identity: the columns keep each alive
    decimal_fields = _DECIMAL_REASON_FIELDS

    def written(reason: Reason) -> dict[str, Any]:
        found = reason_json.get(id(reason))
        if found is None:
            found = reason_json[id(reason)] = reason.__dict__.copy()
            for name in decimal_fields:
                if found[name] is not None:
                    found[name] = str(found[name])
        return found

    status_text = _STATUS_TEXT
    return [
        {
            "teacher": teacher,
            "status": status_text[status],
            "home_school": home,
            "post": post,
            "school": school,
            "round": name,
            "score": str(score),
            "protected_by": list(by),
            "preference_rank": rank,
            "reasons": list(map(written, reasons)),
        }
        for teacher, status, home, post, school, name, score, by, rank, reasons in zip(
            *table._columns, strict=True
        )
    ]


def _as_objects(value: Any) -> Any:
    """A table as the tuple of its outcomes, for pydantic's own serialiser to write
    (the same JSON and dumps as before, whatever the dump's options); anything else
    as it is."""
    if not isinstance(value, OutcomeTable):
        return value
    # 100,000s of new objects: with the collector running, its passes over the whole
    # heap (the scenario too) cost several times building them (kgxp._internal.gc_pause).
    with collector_paused():
        return tuple(value)


class _AsOutcomeTable:
    """Pydantic's schema of ``RoundResult.outcomes`` (see :data:`Outcomes`)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        objects = handler.generate_schema(tuple[Outcome, ...])
        return core_schema.json_or_python_schema(
            json_schema=core_schema.no_info_after_validator_function(_table_of_validated, objects),
            python_schema=core_schema.with_info_wrap_validator_function(_table_kept, objects),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _as_objects, return_schema=objects
            ),
        )


Outcomes = Annotated[Sequence[Outcome], _AsOutcomeTable()]
"""``RoundResult.outcomes``: an :class:`OutcomeTable`, or a tuple of :class:`Outcome`.

Read from JSON it is a table; from Python, a table is kept as it is and anything
else validated as a tuple of outcomes, as before. Either way it serialises to the
same JSON array of outcome objects.
"""
