"""The JSON Schema of every document kgxp reads or writes (``kgxp schema NAME``).

A service or another language checks kgxp's files and responses against these:

- ``scenario``: scenario files (``load_scenario``; ``docs/scenario.schema.json``);
- ``policy``: policy files (``--policy FILE``, JSON; TOML has the same keys);
- ``result``: a round's ``result.json`` (``RoundResult``);
- ``comparison``: ``kgxp compare --format json`` (``Comparison``);
- ``simulation``: a simulation saved as JSON (``Simulation``);
- ``register``: the waiting register at a semester (``Register``, docs/semesters.md);
- ``recompetition``: a semester's re-competition result (``RecompetitionResult``);
- ``odds``: lottery odds (``kgxp odds --out``; ``LotteryOdds``, read back by
  ``LotteryOdds.from_json``);
- ``violations``: what ``verify`` and ``verify_simulation`` report, as a list;
- ``error``: any kgxp error as data (``KgxpError.document()``).

Input documents (scenario, policy) are described as they are read (``validation``
mode: defaults may be omitted); outputs as they are written (``serialization``).

>>> sorted(document_names())[:3]
['comparison', 'error', 'odds']
>>> json_schema("policy")["title"]
'Policy'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kgxp.checks.violation import violations_json_schema
from kgxp.exceptions import error_json_schema
from kgxp.files.scenario_json import scenario_json_schema
from kgxp.lottery.odds import LotteryOdds
from kgxp.model.policy import Policy
from kgxp.model.result import RoundResult
from kgxp.views.comparison import Comparison
from kgxp.waiting.recompetition_round import RecompetitionResult
from kgxp.waiting.register import Register
from kgxp.waiting.simulation import Simulation

__all__ = ["document_names", "json_schema"]

_SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "scenario": scenario_json_schema,
    "policy": lambda: Policy.model_json_schema(mode="validation"),
    "result": lambda: RoundResult.model_json_schema(mode="serialization"),
    "comparison": lambda: Comparison.model_json_schema(mode="serialization"),
    "simulation": lambda: Simulation.model_json_schema(mode="serialization"),
    "register": lambda: Register.model_json_schema(mode="serialization"),
    "recompetition": lambda: RecompetitionResult.model_json_schema(mode="serialization"),
    "odds": lambda: LotteryOdds.model_json_schema(mode="serialization"),
    "violations": violations_json_schema,
    "error": error_json_schema,
}


def document_names() -> list[str]:
    """The documents :func:`json_schema` knows, in the order of the module doc."""
    return list(_SCHEMAS)


def json_schema(document: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12, as pydantic writes it) of one kgxp document."""
    try:
        build = _SCHEMAS[document]
    except KeyError:
        raise KeyError(f"unknown document {document!r}; choose one of {document_names()}") from None
    schema = build()
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    return schema
