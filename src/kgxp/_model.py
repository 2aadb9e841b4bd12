"""The base every kgxp input/output model shares: frozen, strict about unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["FrozenModel", "Id", "NonEmptyStr"]


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
