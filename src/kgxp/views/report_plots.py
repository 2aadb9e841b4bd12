"""The report's plots as inline SVG: balance before/after and moves by locality.

Drawn with :mod:`kgxp.views.plots` when matplotlib is installed (``kgxp[plot]``),
and left out otherwise: a report never fails for want of a plot. The SVG keeps
its text as text (``svg.fonttype: none``), so the reader's browser draws the
Chinese labels in its own CJK font, and carries no date and fixed ids, so the
same round gives the same bytes (I12).
"""

from __future__ import annotations

import io
import re
from typing import Any

from kgxp._internal.extras import require
from kgxp.exceptions import MissingExtraError
from kgxp.i18n import DEFAULT_LOCALE

__all__ = ["figure_svg"]

_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "kgxp", "figure.dpi": 72}
_BROWSER_FONTS = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', "
    "'Hiragino Sans GB', 'WenQuanYi Micro Hei', sans-serif"
)


def figure_svg(kind: str, *args: Any, locale: str = DEFAULT_LOCALE) -> tuple[str, ...]:
    """``("balance", metrics)`` or ``("flows", result, scenario)`` as one SVG fragment, labelled
    in ``locale`` (the report's); ``()`` without matplotlib."""
    try:
        plt = require("matplotlib.pyplot", "plot", "report figures")
    except MissingExtraError:
        return ()
    from kgxp.views import plot_font, plots

    with plt.rc_context(_STYLE):
        if kind == "balance":
            ax = plots.plot_balance(args[0], locale=locale)
        elif kind == "flows":
            ax = plots.plot_flows(args[0], args[1], locale=locale)
        else:
            raise ValueError(f"unknown report figure {kind!r}")
        figure = ax.get_figure(root=True)
        if figure is None:  # cannot happen for the plots' own axes
            return ()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(figure)
    # Text stays text: the reader's browser draws it, in a Chinese font of the reader's
    # machine (the shipped subset is matplotlib's, unknown to the browser).
    svg = buffer.getvalue().replace(f"'{plot_font.FAMILY}'", _BROWSER_FONTS)
    # The XML prologue and DOCTYPE do not belong inside an HTML page.
    return (svg[svg.index("<svg") :] if "<svg" in svg else re.sub(r"<\?xml[^>]*>", "", svg),)
