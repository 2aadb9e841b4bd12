"""How a report reads in the terminal, in Markdown and in a browser: one structure, three renderings.

A report (of a round, or of a comparison after an appeal) is built once as data —
:class:`ReportSection` with paragraphs, a table, notes and, for HTML, figures —
and rendered by :func:`render_sections`, so the terminal, the Markdown archived
by the bureau and the HTML page always say the same thing. The HTML page prints
on A4 with CJK-capable font stacks.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Literal

import attrs

__all__ = ["ReportFormat", "ReportSection", "ReportTable", "render_sections"]

ReportFormat = Literal["text", "markdown", "html"]


@attrs.frozen
class ReportTable:
    """Rows of cells under a header; ``numeric`` marks right-aligned columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()


@attrs.frozen
class ReportSection:
    """A titled block: paragraphs, then an optional table, then closing notes.

    ``figures`` are trusted HTML fragments (inline SVG plots) shown in the HTML
    rendering only; every other text is escaped.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    table: ReportTable | None = None
    notes: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()


def render_sections(
    sections: Sequence[ReportSection], format: ReportFormat = "text", *, locale: str = "zh_CN"
) -> str:
    """``sections`` as plain text (CJK counted double width), Markdown or a whole HTML page."""
    if format == "html":
        return _html(sections, "zh-CN" if locale == "zh_CN" else "en")
    if format == "markdown":
        return _markdown(sections)
    if format == "text":
        return _text(sections)
    raise ValueError(f"unknown report format {format!r}; use text, markdown or html")


# Cells wider than this (terminal columns) may wrap; shorter ones (names, ids) never do.
_WRAP_FROM = 16

_CSS = (
    "@page{size:A4;margin:18mm 15mm}\n"
    'body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC",'
    '"Microsoft YaHei","微软雅黑","PingFang SC","Heiti SC",sans-serif;'
    "line-height:1.6;color:#111;max-width:60rem;margin:2rem auto;padding:0 1rem}\n"
    "h1{font-size:1.6rem;text-align:center}h2{font-size:1.2rem;border-bottom:1px solid #999;"
    "margin-top:1.6em;break-after:avoid}\n"
    "table{border-collapse:collapse;margin:0.5rem 0}\n"
    "thead{display:table-header-group}tr{break-inside:avoid}\n"
    "th,td{border:1px solid #999;padding:0.2rem 0.5rem;text-align:left;white-space:nowrap}\n"
    "td.text{white-space:normal;min-width:12em}\n"
    "th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "p.note{color:#444;font-size:0.9em}svg{max-width:100%;height:auto}\n"
    "@media print{body{margin:0;max-width:none}}\n"
)


def _text(sections: Sequence[ReportSection]) -> str:
    lines: list[str] = []
    for number, section in enumerate(sections):
        if number:
            lines.append("")
        lines.append(section.title)
        lines += [f"  {p}" if number else p for p in section.paragraphs]
        if section.table is not None:
            lines += _text_table(section.table)
        lines += [f"  {note}" for note in section.notes]
    return "\n".join(lines)


def _text_table(table: ReportTable) -> list[str]:
    widths = [
        max(_width(cell) for cell in column) + 2
        for column in zip(table.header, *table.rows, strict=True)
    ]
    out = []
    for row in (table.header, *table.rows):
        cells = [
            _pad_left(cell, width) if index in table.numeric else _pad(cell, width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append(("  " + "".join(cells)).rstrip())
    return out


def _markdown(sections: Sequence[ReportSection]) -> str:
    lines: list[str] = []
    for number, section in enumerate(sections):
        lines += [("# " if number == 0 else "## ") + section.title, ""]
        lines += [f"{_md(p.strip())}\n" for p in section.paragraphs]
        if section.table is not None:
            table = section.table
            lines.append("| " + " | ".join(_md(h) for h in table.header) + " |")
            lines.append(
                "|"
                + "|".join(
                    "---:" if index in table.numeric else "---"
                    for index in range(len(table.header))
                )
                + "|"
            )
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table.rows]
            lines.append("")
        lines += [f"{_md(note)}\n" for note in section.notes]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    # Pipes would split table cells; angle brackets would become HTML in most renderers.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _html(sections: Sequence[ReportSection], lang: str = "zh-CN") -> str:
    esc = html.escape
    body: list[str] = []
    for number, section in enumerate(sections):
        tag = "h1" if number == 0 else "h2"
        body.append(f"<{tag}>{esc(section.title)}</{tag}>")
        body += [f"<p>{esc(p.strip())}</p>" for p in section.paragraphs]
        if section.table is not None:
            table = section.table
            body.append("<table>")
            body.append(
                "<thead><tr>"
                + "".join(f"<th>{esc(h)}</th>" for h in table.header)
                + "</tr></thead>"
            )
            body.append("<tbody>")
            for row in table.rows:
                cells = "".join(
                    f'<td class="num">{esc(c)}</td>'
                    if i in table.numeric
                    else f'<td class="text">{esc(c)}</td>'
                    if _width(c) > _WRAP_FROM
                    else f"<td>{esc(c)}</td>"
                    for i, c in enumerate(row)
                )
                body.append(f"<tr>{cells}</tr>")
            body.append("</tbody></table>")
        body += [f'<p class="note">{esc(note)}</p>' for note in section.notes]
        body += section.figures
    title = esc(sections[0].title) if sections else "kgxp"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n"
        + _CSS
        + "</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


def _pad_left(text: str, width: int) -> str:
    return " " * max(0, width - _width(text) - 2) + text + "  "
