"""The base every kgxp input/output model shares: frozen, strict about unknown fields."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, StringConstraints
from pydantic_core import core_schema

__all__ = ["FrozenModel", "Id", "NonEmptyStr", "TextEnum"]


class FrozenModel(BaseModel):
    """Immutable pydantic model; unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=False,
        ser_json_inf_nan="strings",
    )


Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s]+$")]
"""A record id: 1–64 characters without whitespace (Chinese characters are allowed)."""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TextEnum(StrEnum):
    """A ``StrEnum`` that pydantic serialises as the string it is.

    Pydantic's enum serialiser reads each member's ``.value`` through Python's enum
    property, ~0.4 µs a read: a sixth of serialising a teacher (three enums each)
    for the scenario digest. A member is a ``str`` whose text is its value, so the
    plain string serialiser writes the same JSON from Rust. Validation, and
    ``model_dump()`` (members, not strings), are unchanged.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = cast(core_schema.EnumSchema, handler(source))
        schema["serialization"] = core_schema.simple_ser_schema("str")
        return schema
