"""Scenario files: JSON in and out, UTF-8, Chinese names intact, byte-stable.

Saving uses the models' field order (stable) and ``ensure_ascii=False``;
loading and saving a saved file gives the same bytes. Malformed files raise
:class:`~kgxp.exceptions.ScenarioError` naming the line and column, never a
bare ``JSONDecodeError`` or ``ValidationError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kgxp._internal.gc_pause import collector_paused
from kgxp._internal.json_decode import decode_json, not_an_object
from kgxp._internal.log import get_logger
from kgxp.exceptions import ScenarioError
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
    return _validated(decode_json(source) if isinstance(source, str | bytes) else source)


def load_scenario(path: StrPath) -> Scenario:
    """Read and validate a scenario file (JSON, UTF-8)."""
    # The file's bytes (200 MB for 300,000 teachers) are freed once decoded, before
    # validation builds the scenario beside the decoded data (issue 19: peak memory).
    return _validated(decode_json(Path(path).read_bytes()))


def _validated(data: Any) -> Scenario:
    if not isinstance(data, Mapping):
        raise ScenarioError([not_an_object(data)])
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
