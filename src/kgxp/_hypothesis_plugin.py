"""Hypothesis's entry point for kgxp (``[project.entry-points.hypothesis]`` in pyproject).

Hypothesis runs this hook at the end of its own import, so ``st.from_type(kgxp.Scenario)``
works in a test suite that never imports :mod:`kgxp.testing`. The hook only imports
:mod:`kgxp.testing`, which registers the strategies when it is imported: nothing is
imported at module level here, because ``import kgxp.testing`` itself imports
hypothesis, and a hook that imported the registry directly would meet the registry
half-imported (an import cycle).
"""

from __future__ import annotations

__all__ = ["setup"]


def setup() -> None:
    """Register kgxp's strategies with Hypothesis (by importing :mod:`kgxp.testing`)."""
    import kgxp.testing  # noqa: F401  (registers on import; idempotent)
