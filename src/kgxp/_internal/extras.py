"""Optional dependencies: import them on first use, or say which extra installs them.

kgxp's core needs only pydantic, ortools, attrs and structlog. Tables, plots
and progress bars use packages a service may not want; a missing one raises
:class:`MissingExtraError` naming the ``pip install`` line, never a bare
``ImportError`` from deep inside.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kgxp.exceptions import MissingExtraError

__all__ = ["require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``extra``.

    >>> require("json", "notebook", "this example").__name__
    'json'
    >>> require("no_such_module_kgxp", "excel", "Reading .xlsx rosters")
    Traceback (most recent call last):
    ...
    kgxp.exceptions.MissingExtraError: Reading .xlsx rosters needs the optional package 'no_such_module_kgxp': pip install 'kgxp[excel]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtraError(module, extra, feature) from error
