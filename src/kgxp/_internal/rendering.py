"""Rich notebook displays, looked up by the type of the value shown (internal).

The documents (a scenario, a round's result, a simulation) sit below the views
that draw them, so a document's ``_repr_html_`` must not import the views. The
views register one renderer per type when they are imported (``import kgxp``
imports them), and the document asks this registry. With no renderer
registered, ``_repr_html_`` returns ``None`` and Jupyter shows the text repr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["html_of", "register_html"]

_T = TypeVar("_T")

_HTML: dict[type, Callable[[Any], str]] = {}


def register_html(kind: type[_T], render: Callable[[_T], str]) -> None:
    """Show values of ``kind`` (and its subclasses) in notebooks as ``render(value)``."""
    _HTML[kind] = render


def html_of(value: object) -> str | None:
    """The registered HTML of ``value``, or ``None`` where no view draws its type.

    >>> class Thing: ...
    >>> html_of(Thing()) is None
    True
    >>> register_html(Thing, lambda thing: "<b>thing</b>")
    >>> html_of(Thing())
    '<b>thing</b>'
    """
    for kind in type(value).__mro__:
        render = _HTML.get(kind)
        if render is not None:
            return render(value)
    return None
