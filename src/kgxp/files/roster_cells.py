"""Rosters in, one cell at a time: the forms a clerk types, and nothing read by guesswork.

:func:`convert` turns one cell of a roster into the value the scenario's JSON
holds, or raises ``ValueError`` with a message for the clerk (Chinese first).
The accepted forms are listed in docs/tables.md; what is refused, and why:

- a month typed as a plain number (Excel keeps ``1976.10`` as the number
  1976.1, the same as ``1976.1``): only text (``1976.10``, ``1976-10``,
  ``1976年10月``) or a real date cell says which month it is; and the text
  ``1976.1`` is refused too, since Excel shows the number 1976.10 that way;
- a date with a day that does not exist (``1980-10-45``);
- ``Infinity``, ``NaN``, exponents (``1e9999999``) and numbers of more than
  :data:`MAX_NUMBER_CHARS` characters in number cells: numbers are digits, one
  point and a sign, checked before any arithmetic (no hang, no overflow).

>>> convert("birth", "1976.10")
'1976-10'
>>> convert("birth", 1976.1)
Traceback (most recent call last):
...
ValueError: 月份不能填成数字 1976.1（Excel 会把 1976.10 存成 1976.1）：请把单元格设为文本后填 1976.10，或填 1976-10、1976年10月 (a month typed as a number is ambiguous; type it as text such as 1976-10)
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import filterfalse, repeat
from typing import Any

from kgxp.files.roster_layout import MONTH_FIELDS, VALUE_NAMES
from kgxp.files.safe_output import restore

__all__ = [
    "LEFT_OUT",
    "LIST_FIELDS",
    "MAX_NUMBER_CHARS",
    "convert",
    "convert_column",
    "converter",
    "reader",
]

MAX_NUMBER_CHARS = 30
"""Longest text read as a number (digits, thousands commas, point and sign)."""

LEFT_OUT: Any = type("LeftOut", (), {"__repr__": lambda self: "LEFT_OUT"})()
"""What :func:`convert_column` gives for a cell the record leaves out: blank, or wrong."""


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "f", ""}
_BOOLEAN_TEXT = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE - {""}, False), "": LEFT_OUT}
_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
_MONTH = re.compile(
    r"^\s*(\d{4})\s*(?:([-./年])\s*(\d{1,2})\s*月?|(\d{2}))\s*"
    r"(?:[-./]\s*(\d{1,2})\s*日?)?\s*$"
)
_quoted = operator.methodcaller("startswith", "'")
_has_quote = operator.methodcaller("__contains__", "'")
_is_text = str.__instancecheck__
_is_float = float.__instancecheck__
_non_empty = functools.partial(filter, None)
_ISO_MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")
# An amount _money returns unchanged: no sign, no leading zero, two decimals, below 10**15.
_CANONICAL_MONEY = re.compile(r"(?:0|[1-9][0-9]{0,14})\.[0-9]{2}")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
INTEGER_FIELDS = {
    "staffing.total_posts",
    "enrolment",
    "seats",
    "reserved",
    "cross_school_seats",
    "retirement_base_age",
    "rank",
}
_FLOAT_FIELDS = {"score", "performance"}
BOOL_FIELDS = {
    "county.synthetic",
    "key_teacher",
    "above_required_qualification",
    "willing_to_adjust",
    "volunteers_cross_school",
}
LIST_FIELDS = {"subjects", "preferences", "circumstances"}
_PLAIN_LIST_FIELDS = LIST_FIELDS - {"circumstances"}  # lists of names as typed
# The largest whole number a roster holds (seats, pupils): far beyond any county.
_LARGEST_INTEGER = 10**9
_LARGEST_FLOAT = 1e15  # as _decimal's bound on text


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(field: str, raw: Any) -> Any:
    """A cell's value as the scenario's JSON has it (``None`` when blank); ``ValueError`` if wrong."""
    return converter(field)(raw)


@functools.cache
def converter(field: str) -> Callable[[Any], Any]:
    """The function :func:`convert` applies to cells of ``field`` (chosen once per column)."""
    read = reader(field)
    is_list = field in LIST_FIELDS

    def convert_cell(raw: Any) -> Any:
        if raw is None or (raw.__class__ is str and not raw.strip()):
            return [] if is_list else None
        return read(raw)

    return convert_cell


def convert_column(
    field: str, raws: Sequence[Any]
) -> tuple[list[Any], list[tuple[int, ValueError]]]:
    """Every cell of a column of ``field``, as :func:`convert` reads each, and the failures.

    A blank cell gives ``[]`` in a list column and :data:`LEFT_OUT` elsewhere (the
    record leaves the field out); a cell :func:`convert` refuses gives
    :data:`LEFT_OUT` and its ``(index, error)`` pair, in order. The common columns
    (all text, all whole numbers, all numbers in range, all booleans) are read in a
    few passes in C; any other column, cell by cell, with the same readers.
    """
    read = reader(field)
    kinds = set(map(type, raws))
    if kinds == {str} and read is _text:
        stripped = list(map(str.strip, raws))
        # Blank cells (white space only) and the writer's formula guard, the only
        # cells that need more than the strip: usually none.
        if "" in stripped or any(map(_quoted, stripped)):
            for i in [i for i, text in enumerate(stripped) if not text or text[0] == "'"]:
                stripped[i] = restore(stripped[i]) if stripped[i] else LEFT_OUT
        return stripped, []
    if kinds == {str} and field in _PLAIN_LIST_FIELDS:
        # Names separated as a clerk types them, none guarded against formulas: what
        # reader's list rule gives (the parts hold no white space: it separates them).
        stripped = list(map(str.strip, raws))
        if not any(map(_has_quote, stripped)):
            parts = map(_SEPARATORS.split, stripped)
            return list(map(list, map(map, repeat(str.strip), map(_non_empty, parts)))), []
    if read is _integer or read is _number:
        numbers = _plain_numbers(raws, kinds, read is _integer)
        if numbers is not None:
            return numbers, []
    if kinds == {str} and read is _month:
        # The form kgxp writes and most clerks type, 1976-10, is already the value.
        stripped = list(map(str.strip, raws))
        if all(map(_ISO_MONTH.fullmatch, filter(None, stripped))):
            return [text or LEFT_OUT for text in stripped], []
    if kinds == {str} and read is _money:
        # Amounts as kgxp writes them (3360.00) are already the value _money gives.
        stripped = list(map(str.strip, raws))
        if all(map(_CANONICAL_MONEY.fullmatch, filter(None, stripped))):
            return [text or LEFT_OUT for text in stripped], []
    if kinds == {bool} and read is _boolean:
        return list(raws), []
    if kinds == {str} and read is _boolean:
        found = list(map(_BOOLEAN_TEXT.get, map(str.lower, map(str.strip, raws))))
        if None not in found:
            return found, []
    leaf = _enumerated_leaf(field)
    if kinds == {str} and leaf is not None:
        # The names as typed; a blank cell is left out before any look-up.
        lookup = {**_ENUM_LOOKUP[leaf], "": LEFT_OUT}
        found = list(map(lookup.get, map(str.strip, raws)))
        if None not in found:
            return found, []
    empty: Any = [] if field in LIST_FIELDS else LEFT_OUT
    values: list[Any] = []
    failed: list[tuple[int, ValueError]] = []
    keep, fail = values.append, failed.append
    for i, raw in enumerate(raws):
        if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
            keep([] if empty is not LEFT_OUT else LEFT_OUT)
            continue
        try:
            keep(read(raw))
        except ValueError as error:
            fail((i, error))
            keep(LEFT_OUT)
    return values, failed


def _plain_numbers(raws: Sequence[Any], kinds: set[type], whole: bool) -> list[Any] | None:
    """A column of number cells (and blank text) in range, read as :func:`_integer` (``whole``)
    or :func:`_number` would; ``None`` when any cell needs the cell-by-cell reading."""
    if not kinds <= {float, int, str}:
        return None
    # Exact types only (kinds), so isinstance is the class test, in C.
    numbers = list(filterfalse(_is_text, raws)) if str in kinds else raws
    if len(numbers) != len(raws) and any(map(str.strip, filter(_is_text, raws))):
        return None  # text that is not blank: digits typed as text, or a mistake
    if not numbers:
        return None
    if float in kinds and not all(map(math.isfinite, numbers)):
        return None
    low, high = min(numbers), max(numbers)
    if whole:
        if float in kinds and not all(map(float.is_integer, filter(_is_float, numbers))):
            return None
        if not (low >= -_LARGEST_INTEGER and high <= _LARGEST_INTEGER):
            return None
        return [LEFT_OUT if v.__class__ is str else int(v) for v in raws]
    if not (low > -_LARGEST_FLOAT and high < _LARGEST_FLOAT):
        return None
    return [LEFT_OUT if v.__class__ is str else float(v) for v in raws]


def _enumerated_leaf(field: str) -> str | None:
    """The name of the value list a cell of ``field`` is one of (:func:`reader`'s choice)."""
    if (
        field in BOOL_FIELDS
        or field in INTEGER_FIELDS
        or field in _FLOAT_FIELDS
        or field.startswith(("evaluation.", "pay."))
        or field in MONTH_FIELDS
        or field in LIST_FIELDS
    ):
        return None
    leaf = field.rsplit(".", 1)[-1]
    return leaf if leaf in VALUE_NAMES else None


def reader(field: str) -> Callable[[Any], Any]:
    """How a filled (non-blank) cell of ``field`` is read; ``ValueError`` when it cannot be."""
    leaf = field.rsplit(".", 1)[-1]
    if field in BOOL_FIELDS:
        return _boolean
    if field in INTEGER_FIELDS:
        return _integer
    if field in _FLOAT_FIELDS or field.startswith("evaluation."):
        return _number
    if field.startswith("pay."):
        return _money
    if field in MONTH_FIELDS:
        return _month
    if field == "circumstances":
        return lambda raw: [_enumerated(field, part) for part in _split(raw)]
    if leaf in VALUE_NAMES:
        return lambda raw: _enumerated(leaf, raw)
    if field in LIST_FIELDS:
        return lambda raw: [_text(part) for part in _split(raw)]
    return _text


def _money(raw: Any) -> str:
    value = _decimal(raw, "expected an amount in yuan")
    in_fen = value.quantize(Decimal("0.01"))
    if in_fen != value:
        # Never rounded silently: a fen is the smallest amount (§5).
        raise ValueError(f"an amount in yuan has at most two decimal places, got {raw!r}")
    return str(in_fen)


def _text(raw: Any) -> str:
    if raw.__class__ is str:  # the common case first: a roster is mostly text
        text: str = raw.strip()
        return restore(text) if text[:1] == "'" else text  # undo the writer's formula guard
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))  # Excel stores the id 1001 as the number 1001.0
    if isinstance(raw, str):
        return restore(raw.strip())  # undo the writer's guard against formulas
    return str(raw).strip()


def _split(raw: Any) -> list[str]:
    return [part for part in _SEPARATORS.split(_text(raw)) if part]


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw.__class__ is str:
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    text = _text(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected 是 or 否, got {raw!r}")


def _decimal(raw: Any, expected: str) -> Decimal:
    """A finite decimal from a number cell or plain digits; never ``inf``, ``NaN`` or an exponent."""
    value = _any_decimal(raw, expected)
    if value.adjusted() >= 15:  # a quadrillion: no score, count or amount of a county
        raise ValueError(f"数值过大 (number too large), got {_shown(raw)}")
    return value


def _any_decimal(raw: Any, expected: str) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"{expected}, got {raw!r}")
    if isinstance(raw, int):
        if abs(raw) > 10**MAX_NUMBER_CHARS:
            raise ValueError(f"数值过大 (number too large), got {raw!r}")
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"{expected}, got {raw!r}")
        return Decimal(repr(raw))
    text = str(raw).strip().replace(",", "")
    if len(text) > MAX_NUMBER_CHARS or not _PLAIN_NUMBER.match(text):
        raise ValueError(f"{expected}, got {_shown(raw)}")
    return Decimal(text)


def _shown(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "…'"


def _integer(raw: Any) -> int:
    # A number cell (calamine gives floats): exact when whole and in range, no Decimal needed.
    if raw.__class__ is float and raw.is_integer() and abs(raw) <= _LARGEST_INTEGER:
        return int(raw)
    value = _decimal(raw, "expected a whole number")
    if value != value.to_integral_value() or abs(value) > _LARGEST_INTEGER:
        raise ValueError(f"expected a whole number, got {_shown(raw)}")
    return int(value)


def _number(raw: Any) -> float:
    if raw.__class__ is float and -_LARGEST_FLOAT < raw < _LARGEST_FLOAT:  # finite, in range
        return raw
    return float(_decimal(raw, "expected a number"))


def _month(raw: Any) -> str:
    if isinstance(raw, dt.date):  # an Excel date cell (datetime is a date too)
        return f"{raw.year:04d}-{raw.month:02d}"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise ValueError(
            f"月份不能填成数字 {raw!r}（Excel 会把 1976.10 存成 1976.1）：请把单元格设为文本后填 "
            "1976.10，或填 1976-10、1976年10月 (a month typed as a number is ambiguous; "
            "type it as text such as 1976-10)"
        )
    text = _text(raw)
    match = _MONTH.match(text)
    if not match:
        raise ValueError(
            f"expected a month such as 1975-03, 1975.03 or 1975年3月, got {_shown(raw)}"
        )
    year, separator, month_text, packed, day = match.groups()
    if separator == "." and month_text == "1":
        raise ValueError(
            f"月份 {text!r} 有歧义：可能是 1 月，也可能是 Excel 把 10 月显示成 .1；请填 "
            f"{year}.01 或 {year}.10 (ambiguous: January or October shown by Excel as .1)"
        )
    month = int(month_text or packed)
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1–12 in {raw!r}")
    if day is not None and not 1 <= int(day) <= calendar.monthrange(int(year), month)[1]:
        raise ValueError(
            f"日期 {text!r} 中的第 {int(day)} 日不存在 (day {int(day)} does not exist in {text!r})"
        )
    return f"{year}-{month:02d}"


_ENUM_LOOKUP: Mapping[str, Mapping[str, str]] = {
    field: {
        **{str(value): str(value) for value in names},
        **{name: str(value) for value, aliases in names.items() for name in aliases},
    }
    for field, names in VALUE_NAMES.items()
}


def _enumerated(field: str, raw: Any) -> str:
    text = _text(raw)
    lookup = _ENUM_LOOKUP[field]
    if text in lookup:
        return lookup[text]
    if text.lower() in lookup:
        return lookup[text.lower()]
    accepted = "、".join(names[0] for names in VALUE_NAMES[field].values())
    raise ValueError(f"unknown value {_shown(text)}; expected one of {accepted}")
