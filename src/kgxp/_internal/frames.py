"""pandas DataFrames with real dtypes, the one way every kgxp ``to_frame()`` builds them.

Notebook users compute on frames: ``frame.score.mean()`` must work, ids and statuses
should group fast and print short. So every column gets a declared kind: numbers are
``float64`` (scores, yuan, shares: exact values stay in the documents, as ``Decimal``),
counts nullable ``Int64``, flags ``boolean``, ids and statuses ``category``, free text
``string``. Missing values are ``<NA>``, never ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from kgxp._internal.extras import require

__all__ = ["ColumnKind", "typed_frame"]

ColumnKind = Literal["category", "number", "count", "flag", "text"]

_DTYPE: Mapping[ColumnKind, str] = {
    "category": "category",
    "number": "float64",
    "count": "Int64",
    "flag": "boolean",
    "text": "string",
}


def typed_frame(
    rows: Iterable[Mapping[str, Any]], columns: Mapping[str, ColumnKind], feature: str
) -> Any:
    """A DataFrame of ``rows`` with exactly ``columns``, in that order, each of its kind.

    >>> frame = typed_frame([{"id": "T1", "score": "81.5"}], {"id": "category", "score": "number"}, "x")
    >>> [str(t) for t in frame.dtypes], frame.score.mean()
    (['category', 'float64'], np.float64(81.5))
    """
    pd = require("pandas", "notebook", feature)
    rows = list(rows)
    data = {name: [_plain(row.get(name)) for row in rows] for name in columns}
    frame = pd.DataFrame(data, columns=list(columns))
    for name, kind in columns.items():
        column = frame[name]
        if kind == "number":
            frame[name] = pd.to_numeric(column, errors="raise").astype("float64")
        else:
            frame[name] = column.astype(_DTYPE[kind])
    return frame


def _plain(value: Any) -> Any:
    """``None`` and ``""`` are missing; enum members become their text; Decimals stay exact
    until the column is converted."""
    if value is None or value == "":
        return None
    if isinstance(value, str):  # enum members, Semester and YearMonth: their plain text
        return str(value)
    return value
