"""Rows of a simulation kept compact, their pydantic models built when asked for (internal).

A simulation of 100,000 teachers over six semesters has 600,000 semester records and
1.49 million pay lines. As pydantic objects they were most of its memory and a third
of its time, though a semester's records are the register's entries (shared from one
semester to the next while nothing moves) and a teacher's five pay lines depend only on
the state, the semester's bonus and the school's locality (priced once each).
:class:`ColumnRows` is a read-only sequence over such segments: ``len``, indexing,
slicing (a tuple), iteration and equality behave as on the tuple of models it stands for,
each model built on access (not kept: the next access builds an equal one); ``rows()``
gives the fields as plain tuples, for checks that read the columns directly.

As a pydantic field it validates from a tuple (or JSON list) of the models and
serialises as that tuple did, byte for byte, with the same JSON schema; a plain tuple
put in by ``model_copy(update=...)`` serialises and is read the same way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from operator import index as as_index
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, overload

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from kgxp._internal.frozen import FrozenModel

__all__ = ["ColumnRows", "ModelSegment", "Segment"]

_Row = TypeVar("_Row", bound=FrozenModel)
_Row_co = TypeVar("_Row_co", bound=FrozenModel, covariant=True)


class Segment(Protocol[_Row_co]):
    """A run of rows held one way: their count, one model, all models, all field tuples."""

    def __len__(self) -> int: ...

    def model(self, position: int) -> _Row_co: ...

    def models(self) -> Iterator[_Row_co]: ...

    def rows(self) -> Iterator[tuple[Any, ...]]: ...


class ModelSegment(Generic[_Row]):
    """Rows given as models (read from JSON, built by a caller): kept as they are."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[_Row, ...]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def model(self, position: int) -> _Row:
        return self.items[position]

    def models(self) -> Iterator[_Row]:
        return iter(self.items)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        # A frozen model's __dict__ holds its fields in declaration order.
        return (tuple(item.__dict__.values()) for item in self.items)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ModelSegment, (self.items,))


class ColumnRows(Sequence[_Row]):
    """A read-only sequence of ``model`` rows held as segments (see the module docstring)."""

    model: ClassVar[type[FrozenModel]]
    __slots__ = ("_ends", "_segments")

    def __init__(self, segments: Iterable[Segment[_Row]] = ()) -> None:
        self._segments = tuple(s for s in segments if len(s))
        self._ends = list(accumulate(len(s) for s in self._segments))

    @classmethod
    def of(cls, rows: Iterable[_Row]) -> Self:
        """``rows`` as this sequence (itself when it is one already)."""
        if isinstance(rows, cls):
            return rows
        return cls((ModelSegment(tuple(rows)),))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row's field values in declaration order, without building the models."""
        for segment in self._segments:
            yield from segment.rows()

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, position: int) -> _Row: ...
    @overload
    def __getitem__(self, position: slice) -> tuple[_Row, ...]: ...
    def __getitem__(self, position: int | slice) -> _Row | tuple[_Row, ...]:
        if isinstance(position, slice):
            return tuple(self[i] for i in range(*position.indices(len(self))))
        i = as_index(position)
        size = len(self)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError(f"{type(self).__name__} index out of range")
        at = bisect_right(self._ends, i)
        return self._segments[at].model(i - (self._ends[at - 1] if at else 0))

    def __iter__(self) -> Iterator[_Row]:
        for segment in self._segments:
            yield from segment.models()

    def __eq__(self, other: object) -> bool:
        # Equal to any sequence of equal models, as the tuple it stands for was.
        if self is other:
            return True
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} × {self.model.__name__})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._segments,))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Read and written as tuple[model, ...] was: same JSON bytes, same JSON schema.
        as_tuple = handler.generate_schema(tuple[cls.model, ...])  # type: ignore[name-defined]
        read = core_schema.no_info_after_validator_function(cls.of, as_tuple)

        def kept(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
            # Not a union of the two: a bad record is then reported as the JSON path
            # reports it (records[0].teacher), not once per branch.
            return value if isinstance(value, cls) else validate(value)

        return core_schema.json_or_python_schema(
            json_schema=read,
            python_schema=core_schema.no_info_wrap_validator_function(kept, read),
            serialization=core_schema.plain_serializer_function_ser_schema(
                tuple, return_schema=as_tuple
            ),
        )
