"""The building blocks of kgxp's notebook HTML: escaped tables, collapsible blocks, one style.

Used by :mod:`kgxp.views.html` and :mod:`kgxp.views.html_comparison`; every value
goes through :func:`html.escape` (names come from rosters and are not trusted).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from kgxp.i18n import Texts
from kgxp.views.vocabulary import Terms

__all__ = [
    "STYLE",
    "box",
    "cv_text",
    "delta",
    "details",
    "escape",
    "more",
    "paragraph",
    "status_word",
    "table",
    "title",
]

# One small style sheet per fragment, scoped to the fragment's class: no external
# CSS, and Jupyter's own table styling (which right-aligns everything) is overridden.
STYLE = (
    "<style>.kgxp-repr{font-size:90%;line-height:1.35}"
    ".kgxp-repr table{border-collapse:collapse;margin:2px 0 6px 0}"
    ".kgxp-repr th,.kgxp-repr td{padding:1px 8px;border-bottom:1px solid #ddd;text-align:left}"
    ".kgxp-repr th{border-bottom-color:#999}.kgxp-repr .n{text-align:right}</style>"
)


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[int] = (),
) -> str:
    right = set(numeric)
    parts = ["<table><thead><tr>"]
    parts += [
        f'<th class="n">{escape(h)}</th>' if i in right else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    ]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        parts += [
            f'<td class="n">{escape(cell)}</td>' if i in right else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        ]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block (plain HTML, no script): long tables stay out of the way."""
    return (
        f"<details{' open' if open_ else ''}><summary>{escape(summary)}</summary>{body}</details>"
    )


def paragraph(text: str) -> str:
    return f'<div style="margin:2px 0">{escape(text)}</div>'


def title(text: str) -> str:
    return f"<strong>{escape(text)}</strong>"


def box(parts: Iterable[str]) -> str:
    return STYLE + '<div class="kgxp-repr">' + "".join(parts) + "</div>"


def more(tr: Texts, shown: int, total: int, *, posts: bool = False) -> str:
    if total <= shown:
        return ""
    if posts:
        return paragraph(tr("… and {count} more posts", count=total - shown))
    return paragraph(tr("… and {count} more", count=total - shown))


def status_word(terms: Terms, value: str) -> str:
    try:
        return terms.status(value)
    except ValueError:  # not an outcome kgxp knows (a newer result): as given
        return value


def cv_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def delta(before: int, after: int) -> str:
    return f"{after - before:+d}" if after != before else "0"
