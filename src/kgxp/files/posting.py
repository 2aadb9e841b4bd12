"""Lists fit to post: title, 公示期, where to object, 落款; the print-ready HTML and sheet layout.

:func:`posting_text` gives the words around a list — the title (county, round,
list), the 公示期 as dates counted in working days (:mod:`kgxp.files.notice`), where
to raise an objection (复核/申诉) and the 落款 (issuing body, date). The same
words head the Excel sheet (:class:`SheetLayout`, applied by
:func:`kgxp.files.workbook.write_workbook`) and the HTML page
(:func:`posting_html`: A4 print CSS, header rows repeated on every printed page,
CJK-capable font stacks, every value escaped).

>>> import kgxp
>>> from datetime import date
>>> from kgxp.files.notice import PublicityNotice
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> notice = PublicityNotice(published_on=date(2026, 8, 24), contact="县教育局人事股 0915-0000000")
>>> text = posting_text(scenario, "待岗人员名单", notice)
>>> text.title
'紫阳县 (示例)2026年县管校聘待岗人员名单'
>>> text.lines[0]
'公示期：2026年8月24日至2026年8月28日（5个工作日）。'
>>> text.footer
('紫阳县 (示例)教育局', '2026年8月24日')
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date

import attrs

from kgxp.files.notice import PublicityNotice, publicity_period
from kgxp.i18n import DEFAULT_LOCALE, Texts, texts
from kgxp.model.scenario import Scenario

__all__ = ["PostingText", "SheetLayout", "display_width", "posting_html", "posting_text"]


@attrs.frozen
class PostingText:
    """The words around a posted list."""

    title: str
    lines: tuple[str, ...]
    footer: tuple[str, ...]


@attrs.frozen
class SheetLayout:
    """How a sheet is laid out for printing: the words around the table, number columns."""

    text: PostingText
    numeric: frozenset[int] = frozenset()
    number_formats: tuple[tuple[int, str], ...] = ()  # column → Excel number format


def posting_text(
    scenario: Scenario,
    list_title: str,
    notice: PublicityNotice | None = None,
    *,
    locale: str = DEFAULT_LOCALE,
) -> PostingText:
    """Title, 公示期 and objection lines, and 落款 of a list titled ``list_title``.

    Raises :class:`~kgxp.exceptions.CalendarYearError` when the 公示期 reaches a
    year the holiday calendar does not know yet.
    """
    notice = notice or PublicityNotice()
    tr = texts(locale)
    county = scenario.county.name
    round_title = notice.round_title or tr(
        "{year} teacher placement round", year=scenario.competition_month.year
    )
    title = tr("{county}{round}{title}", county=county, round=round_title, title=list_title)
    days = notice.working_days
    if notice.published_on is None:
        period = tr("Public notice: {days} working days from the day of posting.", days=days)
    else:
        first, last = publicity_period(notice.published_on, days)
        period = tr(
            "Public notice: {first} to {last} ({days} working days).",
            first=_date(tr, first),
            last=_date(tr, last),
            days=days,
        )
    contact = notice.contact or tr("the issuing office")
    objection = tr(
        "Objections may be raised with {contact} during the notice period, for review or appeal.",
        contact=contact,
    )
    issuer = notice.issuer or tr("{county} education bureau", county=county)
    when = _date(tr, notice.published_on) if notice.published_on else tr("    year   month   day")
    return PostingText(title=title, lines=(period, objection), footer=(issuer, when))


def _date(tr: Texts, day: date) -> str:
    return tr("{year}-{month:02d}-{day:02d}", year=day.year, month=day.month, day=day.day)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a sheet or terminal: CJK and full-width characters count two.

    >>> display_width("T00001 张三"), display_width("")
    (11, 0)
    """
    # Every character from U+2E80 (CJK radicals) on counts two: one more per match of
    # the class, counted by the regex engine rather than a Python step per character
    # (a publication measures 100,000s of cells: issue 19).
    if text.isascii():
        return len(text)
    return len(text) + len(_DOUBLE_WIDTH.findall(text))


_DOUBLE_WIDTH = re.compile("[\u2e80-\U0010ffff]")


MIN_WIDTH, MAX_WIDTH = 6, 48
LANDSCAPE_FROM = 110
"""A list whose columns (:func:`column_widths`) are wider than this prints in landscape."""


def column_widths(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Each column's width in characters: its longest cell (or title) and a margin, bounded."""
    return _bounded_widths(header, _widest_cells(rows, len(header)))


def _bounded_widths(header: Sequence[str], widest: Sequence[int]) -> list[int]:
    return [
        min(MAX_WIDTH, max(MIN_WIDTH, max(display_width(title), longest) + 2))
        for title, longest in zip(header, widest, strict=True)
    ]


def _widest_cells(rows: Sequence[Sequence[object]], columns: int) -> list[int]:
    """Per column, the display width of its widest cell as shown (0 without rows)."""
    # Each distinct text measured once (a column of a list repeats its schools, subjects,
    # statuses and reasons: issue 19); a short row's missing cells are empty.
    return [
        max(map(display_width, {_shown(row[i]) if i < len(row) else "" for row in rows}), default=0)
        for i in range(columns)
    ]


def _shown(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


# Official notices are set in a Song/Ming serif (宋体/仿宋) with the title in a Hei sans;
# the stacks name the free Noto/Source Han CJK fonts first, then Windows and macOS ones.
_SERIF = (
    '"Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", "SimSun", "宋体", '
    '"Songti SC", "STSong", serif'
)
_SANS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", '
    '"微软雅黑", "PingFang SC", "Heiti SC", sans-serif'
)
_CSS = f"""\
@page {{ size: A4; margin: 18mm 15mm 20mm 15mm; }}
@page landscape {{ size: A4 landscape; margin: 15mm 15mm 18mm 15mm; }}
body {{ font-family: {_SERIF}; font-size: 11pt; line-height: 1.5; color: #000; }}
section.landscape {{ page: landscape; }}
section.landscape td.mid {{ white-space: nowrap; }}
@media screen {{
  body {{ margin: 1.5rem auto; padding: 0 1rem; }}
  section {{ max-width: 190mm; margin: 0 auto 3rem; }}
  section.landscape {{ max-width: 277mm; }}
}}
h1 {{ font-family: {_SANS}; font-size: 18pt; text-align: center; margin: 0 0 0.6em; }}
p.notice {{ text-indent: 2em; margin: 0.2em 0; }}
table {{ width: 100%; border-collapse: collapse; margin: 0.8em 0; }}
thead {{ display: table-header-group; }}
th {{ font-family: {_SANS}; font-weight: bold; background: #eee; }}
th, td {{ border: 0.75pt solid #000; padding: 2pt 4pt; text-align: center; }}
th, td.short {{ white-space: nowrap; }}
td.text {{ text-align: left; }}
td.mid {{ min-width: 6em; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
.footer {{ text-align: right; margin-top: 2em; padding-right: 2em; }}
.footer p {{ margin: 0.2em 0; }}
section + section {{ break-before: page; page-break-before: always; }}
@media print {{ th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }} }}
"""

# Columns of short values (序号, 姓名, 编号, 学科) never wrap; columns of long text
# (reasons, notes) are left-aligned and get most of the width; school names in between
# wrap only when the page is too narrow.
_SHORT_UPTO = 10
_LEFT_FROM = 30
_WIDE_SHARE = 40  # percent of the table's width for its long-text columns


def posting_html(
    pages: Sequence[tuple[PostingText, Sequence[str], Sequence[Sequence[object]], frozenset[int]]],
    *,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """A print-ready page of one or more lists ``(text, header, rows, numeric columns)``.

    Each list starts on a new printed page; its header row repeats on every page.
    """
    esc = html.escape
    body: list[str] = []
    for text, header, rows, numeric in pages:
        # As the workbook's sheet: a list too wide for A4 portrait prints in landscape.
        widest = _widest_cells(rows, len(header))
        wide_page = sum(_bounded_widths(header, widest)) > LANDSCAPE_FROM
        body.append('<section class="landscape">' if wide_page else "<section>")
        body.append(f"<h1>{esc(text.title)}</h1>")
        body += [f'<p class="notice">{esc(line)}</p>' for line in text.lines]
        # Columns of long text (reasons, notes) share most of the width and wrap; the
        # others (序号, names, ids, schools) keep to one line.
        # (A list's cells are text, ints and Decimals, shown as ``str`` shows them.)
        wide = [i for i, width in enumerate(widest) if width > _LEFT_FROM]
        short = {i for i, width in enumerate(widest) if width <= _SHORT_UPTO}
        body.append("<table>")
        if wide:
            share = f"{_WIDE_SHARE // len(wide)}%"
            body.append(
                "<colgroup>"
                + "".join(
                    f'<col style="width:{share}">' if i in wide else "<col>"
                    for i in range(len(header))
                )
                + "</colgroup>"
            )
        body.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead>")
        body.append("<tbody>")
        for row in rows:
            cells = []
            for index, value in enumerate(row):
                shown = esc(str(value))
                if index in numeric:
                    cells.append(f'<td class="num">{shown}</td>')
                elif index in wide:
                    cells.append(f'<td class="text">{shown}</td>')
                elif index in short:
                    cells.append(f'<td class="short">{shown}</td>')
                else:
                    cells.append(f'<td class="mid">{shown}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        body.append("</tbody></table>")
        body.append('<div class="footer">' + "".join(f"<p>{esc(f)}</p>" for f in text.footer))
        body.append("</div></section>")
    title = esc(pages[0][0].title) if pages else ""
    lang = "zh-CN" if locale == "zh_CN" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
