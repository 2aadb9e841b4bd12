"""A broken invariant, as :func:`~kgxp.checks.verify.verify` reports it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
from pydantic import Field, JsonValue, TypeAdapter

from kgxp._internal.frozen import FrozenModel

__all__ = ["Violation", "ViolationDocument", "violation_order", "violations_json_schema"]


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

    def document(self) -> ViolationDocument:
        """This violation as a pydantic document (JSON with a published schema)."""
        return ViolationDocument.model_validate(self.as_dict())

    def to_json(self) -> str:
        """:meth:`document` as JSON."""
        return self.document().model_dump_json()


class ViolationDocument(FrozenModel):
    """A :class:`Violation` as data: what ``verify`` results look like on the wire."""

    invariant: str = Field(description="the broken invariant's id (I1–I13)")
    message: str = Field(description="what is wrong, in ids (never names)")
    teacher: str | None = None
    post: str | None = None
    evidence: dict[str, JsonValue] = Field(
        default_factory=dict, description="the same facts machine-readably"
    )


VIOLATIONS: TypeAdapter[list[ViolationDocument]] = TypeAdapter(list[ViolationDocument])
"""A list of violations, as ``verify`` and ``verify_simulation`` return them, on the wire."""


def violations_json_schema() -> dict[str, object]:
    """The JSON Schema of a list of violations (``kgxp schema violations``)."""
    return VIOLATIONS.json_schema(mode="serialization")


def violation_order(violation: Violation) -> tuple[int, str, str, str, str, str]:
    number = violation.invariant[1:]
    return (
        int(number) if number.isdigit() else 1_000,
        violation.invariant,
        violation.teacher or "",
        violation.post or "",
        violation.message,
        repr(sorted(violation.evidence.items(), key=lambda item: item[0])),
    )
