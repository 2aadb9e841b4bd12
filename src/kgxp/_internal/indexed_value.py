"""Shared behaviour of kgxp's calendar values (``YearMonth``, ``Semester``).

Both are frozen attrs classes that order by an integer ``index`` and travel as
one string (``"2026-08"``, ``"2026-autumn"``) in pydantic models and JSON. The
comparisons are written out rather than generated: attrs' generated ordering
builds tuples through generic code and dominated validation of large counties.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["IndexedStringValue"]


class IndexedStringValue:
    """Mixin: ordering by ``index``; pydantic validates from and serialises to ``str``.

    Subclasses define ``index``, ``parse``, ``__str__``, ``JSON_SCHEMA`` (the
    published schema of the string form) and ``EXPECTED`` (how to write one), and
    may set ``SERIALIZE``, the serialiser pydantic calls (default ``str``), to a
    C-level callable that skips the Python ``__str__``.
    """

    JSON_SCHEMA: ClassVar[dict[str, Any]]
    EXPECTED: ClassVar[str]
    SERIALIZE: ClassVar[Callable[[Any], str]] = str

    @property
    def index(self) -> int:
        raise NotImplementedError

    @classmethod
    def parse(cls, text: str) -> Self:
        raise NotImplementedError

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.index < other.index

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.index <= other.index

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.index > other.index

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.index >= other.index

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.SERIALIZE),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(cls.JSON_SCHEMA)

    @classmethod
    def _coerce(cls, value: Any) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        raise ValueError(f"expected {cls.EXPECTED}, got {type(value).__name__}")
