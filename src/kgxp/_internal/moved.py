"""Module paths of kgxp 0.x before the layered layout, kept working for one release.

kgxp's modules moved into layers (``kgxp.model``, ``kgxp.round``, ``kgxp.waiting``,
``kgxp.checks``, ``kgxp.files``, ``kgxp.views``). Code that imported a module by
its old path (``from kgxp.ledger import pay_lines``, ``import kgxp.verify``) still
works: each old path is a stand-in module that finds the name in the new modules
and warns with a :class:`DeprecationWarning` saying where to import it from. Nothing is imported until a name is used, so the stand-ins cost nothing.
The stand-ins are removed in the release after next (see CHANGELOG).

>>> import warnings
>>> install()
>>> import kgxp.ledger
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     kgxp.ledger.pay_lines.__module__
'kgxp.waiting.ledger'
>>> print(caught[0].message)
kgxp.ledger is deprecated: import pay_lines from kgxp.waiting.ledger (or from kgxp)
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["MOVED", "install", "moved_module"]

MOVED: Mapping[str, tuple[str, ...]] = {
    "kgxp.adjustment": ("kgxp.round.adjustment",),
    "kgxp.compare": ("kgxp.views.comparison",),
    "kgxp.competition": ("kgxp.round.competition",),
    "kgxp.engine": ("kgxp.round.engine",),
    "kgxp.export": ("kgxp.files.publication",),
    "kgxp.html": ("kgxp.views.html",),
    "kgxp.io": ("kgxp.files.scenario_json", "kgxp.model.digest"),
    "kgxp.ledger": ("kgxp.waiting.ledger",),
    "kgxp.mechanisms": ("kgxp.round.mechanisms",),
    "kgxp.mechanisms.deferred_acceptance": ("kgxp.round.mechanisms.deferred_acceptance",),
    "kgxp.mechanisms.market": ("kgxp.round.mechanisms.market",),
    "kgxp.mechanisms.optimal": ("kgxp.round.mechanisms.optimal",),
    "kgxp.mechanisms.reduction": ("kgxp.round.mechanisms.reduction",),
    "kgxp.mechanisms.stability": ("kgxp.round.mechanisms.stability",),
    "kgxp.metrics": ("kgxp.views.metrics",),
    "kgxp.months": ("kgxp.model.months",),
    "kgxp.plots": ("kgxp.views.plots",),
    "kgxp.policy": ("kgxp.model.policy",),
    "kgxp.prepare": ("kgxp.round.prepare",),
    "kgxp.progress": ("kgxp._internal.progress",),
    "kgxp.protection": ("kgxp.round.protection",),
    "kgxp.ranking": ("kgxp.round.ranking",),
    "kgxp.recompetition": ("kgxp.waiting.recompetition",),
    "kgxp.report": ("kgxp.views.report",),
    "kgxp.result": ("kgxp.model.result",),
    "kgxp.retirement": ("kgxp.model.retirement",),
    "kgxp.scenario": ("kgxp.model.scenario",),
    "kgxp.scope": ("kgxp.round.scope",),
    "kgxp.scoring": ("kgxp.round.scoring",),
    "kgxp.semester": ("kgxp.model.semester",),
    "kgxp.simulate": ("kgxp.waiting.simulation",),
    "kgxp.split": ("kgxp.round.split",),
    "kgxp.summary": ("kgxp.views.summary",),
    "kgxp.tables": (
        "kgxp.files.roster_read",
        "kgxp.files.roster_write",
        "kgxp.files.roster_layout",
    ),
    "kgxp.validation": ("kgxp.model.validation",),
    "kgxp.verify": ("kgxp.checks.verify", "kgxp.checks.violation"),
    "kgxp.verify_simulation": ("kgxp.checks.simulation",),
    "kgxp.whatif": ("kgxp.views.whatif",),
}
"""Old module path → the modules that now hold its names, searched in order."""


class _MovedModule(types.ModuleType):
    """A stand-in for an old module path: names are looked up in the new modules."""

    def __init__(self, old: str, new: tuple[str, ...]) -> None:
        super().__init__(old, f"Deprecated: moved to {', '.join(new)}.")
        self.__dict__["_kgxp_new"] = new

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # module protocol probes (__path__, __file__…) are not names
            raise AttributeError(name)
        for new in self.__dict__["_kgxp_new"]:
            module = importlib.import_module(new)
            if hasattr(module, name):
                warnings.warn(
                    f"{self.__name__} is deprecated: import {name} from {new} (or from kgxp)",
                    DeprecationWarning,
                    stacklevel=2,
                )
                return getattr(module, name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        names: set[str] = set()
        for new in self.__dict__["_kgxp_new"]:
            names.update(getattr(importlib.import_module(new), "__all__", ()))
        return sorted(names)


def install() -> None:
    """Register the stand-ins, so ``import kgxp.ledger`` finds one (idempotent)."""
    for old, new in MOVED.items():
        if old not in sys.modules:
            sys.modules[old] = _MovedModule(old, new)


def moved_module(name: str) -> types.ModuleType | None:
    """The stand-in for ``kgxp.<name>`` (``kgxp.ledger`` as an attribute), if it moved."""
    return sys.modules.get(f"kgxp.{name}") if f"kgxp.{name}" in MOVED else None
