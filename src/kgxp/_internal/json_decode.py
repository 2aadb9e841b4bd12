"""JSON decoded as kgxp reads its files: nothing silently misread, nothing unbounded.

``json.loads`` (and pydantic's JSON path) let the last of a key given twice in one
object win without a word: a hand-edited or hostile file would be read as something
its author may not have meant. Every JSON document kgxp reads — scenario and policy
files, each document it writes read back by its ``from_json``
(:mod:`kgxp.model.document_json`), a service's request — goes through
:func:`decode_json`, which refuses that and every other unreadable input with kgxp's
own located error.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import jiter

from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.nesting import NESTING_LIMIT, nested_deeper_than, nesting_problem
from kgxp.exceptions import Problem, ScenarioError

__all__ = ["decode_json", "not_an_object", "utf8_text"]


def decode_json(
    source: str | bytes,
    *,
    error: type[ScenarioError] = ScenarioError,
    summary: str | None = None,
) -> Any:
    """JSON text or UTF-8 bytes decoded as kgxp reads every file it is given.

    As ``json.loads``, except that what would be misread or would not finish is refused,
    every problem located, as ``error`` (a :class:`~kgxp.exceptions.ScenarioError`
    subclass; with ``summary`` if given): a key given twice in one object (JSON lets the
    last win, silently: code ``duplicate_key``, the object's ``id`` named), invalid
    UTF-8 (``not_utf8``, the byte), malformed JSON (``malformed_json``, line and
    column), nesting past what the parser follows (``nested_too_deeply``, where it
    starts). A leading byte-order mark is dropped. Scenario and policy files and every
    document kgxp writes, read back, go through it; so can a service's request bodies
    before they are validated (``examples/service/app.py``).

    >>> decode_json('{"teacher": "T1", "score": 81.5}')
    {'teacher': 'T1', 'score': 81.5}
    >>> decode_json('{"score": 81.5, "score": 95}')
    Traceback (most recent call last):
    kgxp.exceptions.ScenarioError: invalid scenario: 1 problem
      - file.score: 同一对象中键重复出现（JSON 会默默采用最后一个） (key given twice in one object)
    """
    if isinstance(source, bytearray):
        source = bytes(source)
    if not isinstance(source, str | bytes):
        raise TypeError(f"source must be JSON text or UTF-8 bytes, got {type(source).__name__}")
    if not (isinstance(error, type) and issubclass(error, ScenarioError)):
        raise TypeError(f"error must be ScenarioError or a subclass, got {error!r}")
    data = _fast_decode(source)
    if data is not _UNDECIDED:
        return data
    try:
        return _checked_decode(source)
    except ScenarioError as found:
        if error is ScenarioError and summary is None:
            raise
        problems = found.problems
        raise (error(problems, summary=summary) if summary else error(problems)) from None


_UNDECIDED = object()
_BOM = "\ufeff".encode()


def _fast_decode(source: str | bytes) -> Any:
    """The decoded document when jiter accepts it, else ``_UNDECIDED``.

    jiter (pydantic's JSON parser) reads the bytes as they are and refuses a key given
    twice in one object itself: 0.43–0.58 CPU s for a 100,000-teacher file, where the
    standard ``json`` module with a Python hook per object (and the UTF-8 decoding before
    it) took 0.70–0.95 s (issue 19, measured on a loaded machine). Whatever it refuses — malformed JSON, invalid
    UTF-8, a duplicate key, lone surrogate escapes, nesting past its limit of 200 —
    goes to :func:`_checked_decode`, which accepts or reports exactly as before;
    what it accepts, it decodes as ``json.loads`` does (tests/test_io.py compares them).
    """
    if isinstance(source, str):
        try:
            source = source.encode()
        except UnicodeEncodeError:  # lone surrogates: the standard decoder's business
            return _UNDECIDED
    elif source.startswith(_BOM):  # what decoding with "utf-8-sig" drops
        source = source[len(_BOM) :]
    try:
        # Millions of objects and no cycles: see the collector note in _checked_decode.
        # Every string cached, not only keys: the ids, subjects and enum values repeated
        # on every teacher are then shared objects (jiter's cache is a fixed-size table:
        # a colliding string now and then makes a second copy), so the decoded data,
        # alive while the scenario is built, takes 380 MB rather than 690 for 300,000
        # teachers; the look-ups cost what freeing the copies saved (issue 19, measured
        # side by side).
        with collector_paused():
            return jiter.from_json(source, catch_duplicate_keys=True, cache_mode="all")
    except ValueError:
        return _UNDECIDED


def not_an_object(data: Any, wanted: str = "a JSON object") -> Problem:
    """The problem of a decoded document that is not an object (every kgxp document is
    one): ``"expected a JSON object, got an array"``, code ``not_an_object``."""
    kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(data), "a number"
    )
    return Problem("file", "(top level)", f"expected {wanted}, got {kind}", code="not_an_object")


def utf8_text(source: str | bytes, error: type[ScenarioError] = ScenarioError) -> str:
    """``source`` as text: bytes decoded as UTF-8 (a leading byte-order mark dropped), or
    refused as ``error`` naming the first byte that is not UTF-8 (code ``not_utf8``)."""
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        problem = Problem("file", f"byte {bad.start}", "not valid UTF-8", code="not_utf8")
        raise error([problem]) from None


def _checked_decode(source: str | bytes) -> Any:
    """Decode with the standard library, reporting the first problem as kgxp's own error."""
    source = utf8_text(source)
    # Past jiter's depth the standard parser would follow as deep as the Python running
    # it does (kgxp._internal.nesting): refused here the same on every version.
    if nested_deeper_than(source, NESTING_LIMIT):
        raise ScenarioError([nesting_problem(source)])
    duplicates: list[Problem] = []
    try:
        # Decoding makes millions of dicts, lists and strings and no cycles; with the
        # collector running, its passes over them took 1.14 s of decoding a 100,000-teacher
        # county, against 0.36 s paused (issue 19; see kgxp._internal.gc_pause).
        with collector_paused():
            data = json.loads(source, object_pairs_hook=_refusing_duplicates(duplicates))
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [
                Problem(
                    "file",
                    f"line {error.lineno}, column {error.colno}",
                    error.msg,
                    code="malformed_json",
                )
            ]
        ) from None
    except RecursionError:
        raise ScenarioError([nesting_problem(source)]) from None
    except ValueError as error:
        # Numbers too long to convert.
        raise ScenarioError(
            [
                Problem(
                    "file", "(document)", str(error) or type(error).__name__, code="malformed_json"
                )
            ]
        ) from None
    if duplicates:
        raise ScenarioError(duplicates[:50])
    return data


def _refusing_duplicates(found: list[Problem]) -> Any:
    """An ``object_pairs_hook`` noting every key given twice in one object (JSON lets the last win)."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data = dict(pairs)
        if len(data) != len(pairs):
            counts = Counter(key for key, _ in pairs)
            twice = sorted(key for key, count in counts.items() if count > 1)
            owner = data.get("id")
            found.append(
                Problem(
                    "file",
                    ", ".join(twice),
                    f"同一对象中键重复出现（JSON 会默默采用最后一个）"
                    f"{f'，记录 {owner}' if isinstance(owner, str) else ''} "
                    f"(key given twice in one object{f' (id {owner})' if isinstance(owner, str) else ''})",
                    record_id=owner if isinstance(owner, str) else None,
                    code="duplicate_key",
                )
            )
        return data

    return hook
