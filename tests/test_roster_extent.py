"""The extent check's last filled row is the plain definition, in order or not.

``roster_sources._last_filled_row`` reads the last filled cell from the file's
tail and confirms it with one scan for a larger number; these tests hold it to
the plain definition (every filled cell's row number read, the largest kept) on
sheet XML with rows in and out of order, leading zeros, formatting-only cells,
references of more than seven digits and tails that hold no filled cell.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kgxp.files.roster_sources import _FILLED_ROW, _above, _last_filled_row


def _plain(xml: bytes) -> int:
    return max(map(int, _FILLED_ROW.findall(xml)), default=0)


_CELL = st.tuples(
    st.sampled_from(["A", "B", "Z", "AA", "XFD"]),
    st.one_of(st.integers(1, 30), st.integers(1, 10**7 - 1), st.integers(10**7, 10**9)),
    st.integers(0, 2),  # leading zeros
    st.sampled_from(["value", "text", "formatting only"]),
)


def _xml(cells: list[tuple[str, int, int, str]]) -> bytes:
    parts = []
    for column, row, zeros, kind in cells:
        reference = f"{column}{'0' * zeros}{row}"
        if kind == "value":
            parts.append(f'<row r="{row}"><c r="{reference}"><v>1</v></c></row>')
        elif kind == "text":
            parts.append(f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c>')
        else:
            parts.append(f'<c r="{reference}" s="1"/>')
    return ("<sheetData>" + "".join(parts) + "</sheetData>").encode()


@settings(max_examples=400, deadline=None)
@given(cells=st.lists(_CELL, max_size=12), ordered=st.booleans(), tail=st.integers(1, 400))
def test_the_last_filled_row_is_the_largest_number_of_a_filled_cell(
    cells: list[tuple[str, int, int, str]], ordered: bool, tail: int
) -> None:
    if ordered:
        cells = sorted(cells, key=lambda cell: cell[1])
    xml = _xml(cells)
    assert _last_filled_row(xml, tail) == _plain(xml)
    assert _last_filled_row(xml) == _plain(xml)


@settings(max_examples=300, deadline=None)
@given(number=st.integers(0, 10**7), other=st.integers(0, 10**8), zeros=st.integers(0, 3))
def test_the_pattern_above_a_number_matches_exactly_the_larger_ones(
    number: int, other: int, zeros: int
) -> None:
    text = ("0" * zeros + str(other)).encode()
    assert (re.fullmatch(_above(number), text) is not None) == (other > number)


def test_formatting_down_to_the_last_row_does_not_count() -> None:
    filled = b'<row r="2"><c r="A2"><v>1</v></c></row>'
    formatted = b"".join(b'<row r="%d"><c r="A%d" s="1"/></row>' % (r, r) for r in range(3, 5000))
    assert _last_filled_row(filled + formatted, tail=1024) == 2
    assert _last_filled_row(formatted + filled, tail=1024) == 2
