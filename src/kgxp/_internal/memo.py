"""Values derived from one live scenario, computed once per scenario (internal).

``run_round`` and ``verify`` each need the same values derived from the same
scenario — its digest (the whole scenario serialised, ~12 µs per teacher) and
the ranking of its teachers under a policy and seed (~8 µs per teacher) — so
verifying a round used to cost these twice.

A :class:`~kgxp.model.scenario.Scenario` is frozen all the way down (frozen models,
tuples), so a value derived from it stays true while it lives. Entries are keyed
by the scenario's identity, plus a ``key`` holding everything else the value
depends on (policy parameters, seed, and the one mutable container inside a
scenario, ``staffing.posts_by_level``), compared on every use. Each scenario
keeps one value per kind (the latest key), so memory stays bounded, and its
entries leave with it (weak reference): nothing is kept alive, and
``model_copy``/``evolve`` make new objects that start with nothing remembered.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["forget_all", "remembered"]

_Value = TypeVar("_Value")

# id(scenario) -> (weak reference to it, kind -> (key, value))
_MEMO: dict[int, tuple[weakref.ref[Any], dict[str, tuple[object, Any]]]] = {}


def remembered(scenario: object, kind: str, key: object, compute: Callable[[], _Value]) -> _Value:
    """``compute()``, or the value it gave for this scenario, ``kind`` and an equal ``key``."""
    ident = id(scenario)
    entry = _MEMO.get(ident)
    if entry is None or entry[0]() is not scenario:
        entry = (weakref.ref(scenario, lambda _: _MEMO.pop(ident, None)), {})
        _MEMO[ident] = entry
    values = entry[1]
    known = values.get(kind)
    if known is not None and known[0] == key:
        return cast(_Value, known[1])
    value = compute()
    values[kind] = (key, value)
    return value


def forget_all() -> None:
    """Drop every remembered value (for benchmarks that time the first computation)."""
    _MEMO.clear()
