"""JSON and TOML nested too deeply to parse: hostile input, refused with its place.

Python's parsers follow nesting recursively, up to the interpreter's recursion limit
(``sys.getrecursionlimit()``, 1,000 by default, less what the caller's stack already
uses), and raise ``RecursionError`` beyond it. No kgxp file comes near: a scenario
nests 4 levels, a policy 3. So a file the parser cannot follow is not a mistyped file
but a hostile one (or not kgxp's); kgxp refuses it with code ``nested_too_deeply`` and
the line and column where the nesting first passes :data:`NESTING_REPORTED_AT` levels,
and the command line exits 2 (docs/security.md).

Finding that place scans the text, which costs about as much as parsing it, so it is
done only once the parser has given up: reading a good file costs nothing more.

How deep "too deep" is must not depend on the Python that runs kgxp: the standard JSON
parser follows 995 levels on Python 3.11, 1,497 on 3.12 and 9,998 on 3.13, so the same
file was data on one and refused on another (and, truncated, "malformed" on 3.13 only).
kgxp's JSON limit is :data:`NESTING_LIMIT`, the depth jiter (its fast parser) follows;
a file jiter refuses goes to the standard parser only if :func:`nested_deeper_than`
that limit finds it is not.
"""

from __future__ import annotations

import re
from itertools import accumulate

from kgxp.exceptions import Problem

__all__ = [
    "NESTED_TOO_DEEPLY",
    "NESTING_LIMIT",
    "NESTING_REPORTED_AT",
    "nested_deeper_than",
    "nesting_problem",
]

NESTED_TOO_DEEPLY = "nested_too_deeply"
"""The ``Problem.code`` of a file nested deeper than the parser follows."""

NESTING_REPORTED_AT = 100
"""The depth whose first crossing the error points at (no kgxp file nests past 5)."""

NESTING_LIMIT = 201
"""The deepest JSON kgxp reads, on every Python: jiter's own limit (tests/test_io.py checks
that both of kgxp's parsers agree on it)."""

# A JSON or TOML string (double or single quoted; brackets inside do not nest), else a
# bracket or a newline (to count lines). Written without nested repetition so that an
# unterminated quote costs linear time.
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|[\[\]{}\n]')
_OPENING, _CLOSING = frozenset("[{"), frozenset("]}")


def nested_deeper_than(text: str, depth: int) -> bool:
    """Whether JSON ``text`` opens more than ``depth`` brackets at once (strings aside).

    Every file jiter refuses passes here, a key given twice or a lone surrogate escape as
    well as deep nesting, so it works on bytes in C where :func:`nesting_problem`'s
    located scan steps through every string in Python: 0.45 s against 2.2-2.3 s for a
    100,000-teacher file, whose key given twice is then refused in 1.7 s (3.4-3.5 s with
    the located scan; 1.3 s with no depth check, before the limit was kgxp's own).
    """
    data = text.encode("utf-8", "surrogatepass")
    # Escaped backslashes, then escaped quotes, out: every quote left opens or closes a
    # string. Then only the quotes and brackets are kept, the strings (runs of them at
    # once) dropped, and what is left is the brackets outside the strings.
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _STRINGS.sub(b"", data.translate(None, _NOT_QUOTES_OR_BRACKETS))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > depth


_NOT_QUOTES_OR_BRACKETS = bytes(sorted(set(range(256)) - set(b'"[]{}')))
# Possessive: a run of strings in one match, none tried again (linear time).
_STRINGS = re.compile(rb'(?:"[^"]*+")++')
_STEP = [0] * 256  # per byte: how a bracket moves the depth (a stray quote: not at all)
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def nesting_problem(text: str) -> Problem:
    """The located problem of ``text``, which the parser found nested too deeply."""
    return Problem(
        "file",
        _crossing(text, NESTING_REPORTED_AT) or "(document)",
        f"嵌套超过 {NESTING_REPORTED_AT} 层，超出解析器能跟随的深度，不是 kgxp 文件 "
        f"(nested more than {NESTING_REPORTED_AT} levels deep, beyond what the parser "
        "follows: not a kgxp file)",
        code=NESTED_TOO_DEEPLY,
    )


def _crossing(text: str, depth: int) -> str | None:
    """Where (line and column) ``text`` first opens its ``depth + 1``-th level, if it does."""
    level, line, line_start = 0, 1, 0
    for token in _TOKEN.finditer(text):
        kind = token.group()
        if kind in _OPENING:
            level += 1
            if level > depth:
                return f"line {line}, column {token.start() - line_start + 1}"
        elif kind in _CLOSING:
            level -= 1
        elif kind == "\n":
            line, line_start = line + 1, token.end()
    return None
