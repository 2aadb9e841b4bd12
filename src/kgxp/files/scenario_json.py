"""Scenario files: JSON in and out, UTF-8, Chinese names intact, byte-stable.

Saving uses the models' field order (stable) and ``ensure_ascii=False``;
loading and saving a saved file gives the same bytes. Malformed files raise
:class:`~kgxp.exceptions.ScenarioError` naming the line and column, never a
bare ``JSONDecodeError`` or ``ValidationError``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import jiter
from pydantic import ValidationError

from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.log import get_logger
from kgxp.exceptions import Problem, ScenarioError
from kgxp.files.nesting import nesting_problem
from kgxp.model.arguments import scenario_argument
from kgxp.model.scenario import Scenario
from kgxp.model.validation import problems_beside_field_errors, problems_from_validation_error

__all__ = [
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "save_scenario",
    "scenario_json_schema",
]

log = get_logger(__name__)

StrPath = str | PathLike[str]


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as JSON text, one record per line.

    Top-level fields in model order, each record of ``schools``, ``posts`` and
    ``teachers`` on its own line (readable, diff-friendly), non-ASCII characters
    kept, final newline. Loading and dumping again gives the same text.
    """
    scenario = scenario_argument(scenario)
    parts = []
    for key, value in scenario.model_dump(mode="json").items():
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = ",\n".join(f"    {_compact(record)}" for record in value)
            parts.append(f"  {name}: [\n{rows}\n  ]")
        else:
            parts.append(f"  {name}: {_compact(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def save_scenario(scenario: Scenario, path: StrPath) -> None:
    """Write :func:`dump_scenario` to ``path`` as UTF-8."""
    Path(path).write_text(dump_scenario(scenario), encoding="utf-8")


def parse_scenario(source: str | bytes | Mapping[str, Any]) -> Scenario:
    """Validate a scenario from JSON text, UTF-8 bytes or already-decoded data.

    Every problem — field-level and cross-record — is reported in one
    :class:`~kgxp.exceptions.ScenarioError`.
    """
    return _validated(_decode(source) if isinstance(source, str | bytes) else source)


def load_scenario(path: StrPath) -> Scenario:
    """Read and validate a scenario file (JSON, UTF-8)."""
    # The file's bytes (200 MB for 300,000 teachers) are freed once decoded, before
    # validation builds the scenario beside the decoded data (issue 19: peak memory).
    return _validated(_decode(Path(path).read_bytes()))


def _validated(data: Any) -> Scenario:
    if not isinstance(data, Mapping):
        raise ScenarioError(
            [
                Problem(
                    "file",
                    "(top level)",
                    f"expected a JSON object, got {_json_type(data)}",
                    code="not_an_object",
                )
            ]
        )
    try:
        # Validation builds a few dozen objects per teacher and no reference cycles;
        # with the collector running, its full passes over a heap that holds the input
        # data too took ~45% of parsing 100,000 teachers (see kgxp._internal.gc_pause).
        with collector_paused():
            scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = problems_from_validation_error(error, data)
        raise ScenarioError([*problems, *problems_beside_field_errors(data)]) from None
    log.debug(
        "scenario.parsed",
        schools=len(scenario.schools),
        posts=len(scenario.posts),
        teachers=len(scenario.teachers),
    )
    return scenario


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (also published as ``docs/scenario.schema.json``)."""
    return Scenario.model_json_schema(mode="validation")


def _decode(source: str | bytes) -> Any:
    data = _fast_decode(source)
    return _checked_decode(source) if data is _UNDECIDED else data


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


def _checked_decode(source: str | bytes) -> Any:
    """Decode with the standard library, reporting the first problem as kgxp's own error."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ScenarioError(
                [Problem("file", f"byte {error.start}", "not valid UTF-8", code="not_utf8")]
            ) from None
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


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
