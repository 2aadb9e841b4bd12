"""Policy files: a :class:`~kgxp.model.policy.Policy` written as JSON or TOML.

A bureau keeps its own parameters in a file next to its rosters (``kgxp run
roster.xlsx --policy our_county.toml``). Keys are the policy's parameters
(``kgxp policy`` lists them); anything left out keeps the default. Bad files raise
:class:`~kgxp.exceptions.PolicyError` with every problem located, never a bare
``JSONDecodeError``, ``TOMLDecodeError`` or ``ValidationError``.

>>> parse_policy('in_school_share = "0.85"\\nlottery_seed = 7', format="toml").lottery_seed
7
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from kgxp._internal.json_decode import decode_json, not_an_object, utf8_text
from kgxp._internal.nesting import nesting_problem
from kgxp.exceptions import PolicyError, Problem
from kgxp.files.scenario_json import StrPath
from kgxp.model.policy import Policy, policy_problems

__all__ = ["load_policy", "parse_policy"]

PolicyFormat = Literal["json", "toml"]


def parse_policy(
    source: str | bytes | Mapping[str, Any], *, format: PolicyFormat = "json"
) -> Policy:
    """A policy from JSON or TOML text (or decoded data), validated."""
    data = _decode(source, format) if isinstance(source, str | bytes) else source
    if not isinstance(data, Mapping):
        raise PolicyError([not_an_object(data, "an object of parameters")])
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        raise PolicyError(policy_problems(error)) from None


def load_policy(path: StrPath) -> Policy:
    """Read a policy file: TOML when it ends in ``.toml``, JSON otherwise."""
    file = Path(path)
    fmt: PolicyFormat = "toml" if file.suffix.lower() == ".toml" else "json"
    return parse_policy(file.read_bytes(), format=fmt)


def _decode(source: str | bytes, fmt: PolicyFormat) -> Any:
    if fmt == "json":  # a key given twice refused, as in every JSON file kgxp reads
        return decode_json(source, error=PolicyError)
    source = utf8_text(source, PolicyError)
    try:
        return tomllib.loads(source)  # TOML refuses a key given twice itself
    except tomllib.TOMLDecodeError as error:
        raise PolicyError([Problem("file", "(toml)", str(error), code="malformed_toml")]) from None
    except RecursionError:
        raise PolicyError([nesting_problem(source)]) from None
