"""Calendar months, the granularity every date rule of the domain works at (R4, §4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

import attrs

from kgxp._internal.indexed_value import IndexedStringValue

__all__ = ["YearMonth"]

_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_JSON_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

# Months parsed so far, by their text (bounded: at most 9999 * 12 valid texts exist).
_PARSED: dict[str, YearMonth] = {}
_PARSED_LIMIT = 20_000


@attrs.frozen(order=False)
class YearMonth(IndexedStringValue):
    """A calendar month such as ``2026-08``; ordered, hashable, month arithmetic in whole months.

    >>> YearMonth(2026, 8) + 36
    YearMonth(year=2029, month=8)
    >>> YearMonth.parse("2031-05") - YearMonth.parse("1970-01")
    736
    """

    JSON_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "string",
        "pattern": _JSON_PATTERN,
        "description": "a calendar month, YYYY-MM",
        "examples": ["2026-08"],
    }
    EXPECTED: ClassVar[str] = "a month as a YYYY-MM string"

    year: int = attrs.field()
    month: int = attrs.field()
    # Derived once per instance (instances are shared, see ``parse``), not part of
    # equality or repr. The YYYY-MM text: the scenario digest serialises two months per
    # teacher, and formatting them on every call was a third of serialising a teacher.
    # The index: read by every comparison, validation, ranking and retirement check.
    _text: str = attrs.field(init=False, repr=False, eq=False, order=False)
    index: int = attrs.field(init=False, repr=False, eq=False, order=False)
    """Months since year 0, so differences are plain integer subtraction."""

    SERIALIZE: ClassVar[Callable[[Any], str]] = attrgetter("_text")  # called from pydantic-core

    @year.validator
    def _check_year(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 9999:
            raise ValueError(f"year must be between 1 and 9999, got {value}")

    @month.validator
    def _check_month(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 12:
            raise ValueError(f"month must be between 1 and 12, got {value}")

    def __attrs_post_init__(self) -> None:
        # After the validators, so only a valid year and month are derived from.
        object.__setattr__(self, "_text", f"{self.year:04d}-{self.month:02d}")
        object.__setattr__(self, "index", self.year * 12 + self.month - 1)

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """Parse ``YYYY-MM``; anything else raises ``ValueError``."""
        # Every teacher has two months (birth, service start) among a few hundred
        # distinct values: parsing each once made validating a county ~15% faster.
        # A YearMonth is frozen, so equal months can share one instance.
        known = _PARSED.get(text)
        if known is not None and cls is YearMonth:
            return known
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
        month = cls(int(match.group(1)), int(match.group(2)))
        if cls is YearMonth and len(_PARSED) < _PARSED_LIMIT:
            _PARSED[text] = month
        return month

    @classmethod
    def _coerce(cls, value: Any) -> YearMonth:
        # Pydantic's validator, called for two months per teacher: a text parsed before
        # takes one look-up here rather than three calls. Anything else as before.
        if type(value) is str and cls is YearMonth:
            known = _PARSED.get(value)
            if known is not None:
                return known
        return super()._coerce(value)

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        """Inverse of :attr:`index`."""
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    def __add__(self, months: int) -> YearMonth:
        if not isinstance(months, int):
            return NotImplemented
        return YearMonth.from_index(self.index + months)

    def __sub__(self, other: YearMonth) -> int:
        if not isinstance(other, YearMonth):
            return NotImplemented
        return self.index - other.index

    def __str__(self) -> str:
        return self._text
