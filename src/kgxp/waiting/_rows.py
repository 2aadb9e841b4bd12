"""Frozen models built from values already valid, without pydantic validation (internal).

A simulation of 100,000 teachers books ~1.5 million ledger lines, 600,000 semester
records and re-writes the register every semester, each from values a validated
scenario and policy already hold (ids, Decimals, enum members). Validating them
again was a fifth of the run. :func:`constructor` is the engine's fast builder
(:func:`kgxp.model.building.builder`) naming every field in declaration order: the
instance is written as a validated one would be (same ``__dict__``, so equal and
serialised to the same JSON), and the instances share one fields-set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kgxp._internal.frozen import FrozenModel
from kgxp.model.building import builder

__all__ = ["constructor"]

_Model = TypeVar("_Model", bound=FrozenModel)


def constructor(model: type[_Model]) -> Callable[..., _Model]:
    """``build(*values)``: an instance of ``model`` with every field, in declaration order."""
    return builder(model, *model.model_fields)
