"""A broken invariant, as :func:`~kgxp.checks.verify.verify` reports it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["Violation", "violation_order"]


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
