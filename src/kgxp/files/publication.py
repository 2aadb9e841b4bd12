"""Results out: the 公示 lists, county-wide and per school, and the outcome record, as files.

After a round the bureau posts who was placed in advance (提前聘用, R4), who won a
post in the in-school and the cross-school round (R5), whom it assigned (组织调剂,
R6), who waits and where they do their 跟岗学习/顶岗实践 (待岗, R7), which protected
teachers await a post (待定: the reported conflicts) and, once rounds report it,
who is called to a warning talk (诫勉谈话, R15). :func:`publication_lists` builds
those lists as data — county-wide, then one per school, every teacher in exactly
one of each — in Chinese by default (:mod:`kgxp.i18n`); :func:`outcome_rows` gives
one row per teacher with the deciding reason in words and its rule id in the
audit column; :func:`write_results` writes them all (see there for the files):
CSV (UTF-8 with a BOM, so that Excel shows the Chinese), print-ready HTML and
xlsx with the title, 公示期, objection contact and 落款 of
:class:`~kgxp.files.notice.PublicityNotice`, and JSON.

Every file is byte-identical for the same scenario, result and notice, whatever
the order of the input records (I12; the workbook's timestamps are fixed).
``redact=True`` publishes ids instead of names, ``mask_names=True`` names like
``张*明``, ``hide_ids=True`` leaves the teacher ids out.

>>> import tempfile, kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> result = kgxp.run_round(scenario)
>>> lists = publication_lists(scenario, result)
>>> [item.title for item in lists[:2]]
['提前聘用人员名单', '校内竞聘上岗人员名单']
>>> lists[1].header
('序号', '姓名', '教师编号', '原学校', '任教学科', '综合得分', '聘用学校', '聘用岗位')
>>> with tempfile.TemporaryDirectory() as folder:
...     files = write_results(scenario, result, folder, formats=("csv",))
...     sorted({f.suffix for f in files})
['.csv', '.json']
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.extras import require
from kgxp._internal.gc_pause import collector_paused
from kgxp.exceptions import OutputError
from kgxp.files.notice import PublicityNotice
from kgxp.files.outcome_record import OUTCOME_COLUMNS, STATUS_NAMES, outcome_rows, outcomes_frame
from kgxp.files.posting import PostingText, SheetLayout, posting_html, posting_text
from kgxp.files.published_lists import (  # noqa: F401 (list_kind, mask_name… stay importable from here)
    LIST_OUTCOME,
    LIST_TITLES,
    OUTCOME_LISTS,
    TARGET_NAMES,
    Cell,
    ListKind,
    PublicationList,
    list_kind,
    mask_name,
    publication_lists,
)
from kgxp.files.safe_output import safe_file_names, write_csv
from kgxp.files.safe_output import write_workbook as write_record
from kgxp.files.scenario_json import StrPath
from kgxp.files.workbook import Sheet, write_workbook
from kgxp.i18n import DEFAULT_LOCALE, texts
from kgxp.model.arguments import result_of, scenario_argument
from kgxp.model.result import RoundResult
from kgxp.model.scenario import Scenario

# The lists, the record and the workbook writer live in their own modules
# (published_lists, outcome_record, workbook); their names stay importable from here.
__all__ = [
    "EXPORT_FORMATS",
    "OUTCOME_COLUMNS",
    "STATUS_NAMES",
    "TARGET_NAMES",
    "PublicationList",
    "outcome_rows",
    "outcomes_frame",
    "publication_lists",
    "write_results",
    "write_workbook",
]

EXPORT_FORMATS = ("csv", "xlsx", "json", "html", "print")
"""What :func:`write_results` can write: ``xlsx`` is the record (``results.xlsx``),
``print`` the print-ready 公示 workbook (``公示名单.xlsx``)."""


@in_kgxp_decimal_context
def write_results(
    scenario: Scenario,
    result: RoundResult,
    out: StrPath,
    *,
    formats: Iterable[str] = EXPORT_FORMATS,
    redact: bool = False,
    mask_names: bool = False,
    hide_ids: bool = False,
    notice: PublicityNotice | None = None,
    warning_talks: Collection[str] | None = None,
    locale: str = DEFAULT_LOCALE,
    overwrite: bool = False,
) -> list[Path]:
    """Write the result, the outcomes and the publication lists under ``out``; return the paths.

    ``formats`` is any of ``csv``, ``xlsx`` (the record; needs ``kgxp[excel]``),
    ``json``, ``html`` and ``print`` (the print-ready workbook; needs ``kgxp[excel]``); ``result.json`` is always written. ``notice`` gives the 公示期, the
    objection contact and the 落款 of the posted lists. Unknown formats (a
    ``ValueError``) and a 公示期 in a year the holiday calendar does not know
    (:class:`~kgxp.exceptions.CalendarYearError`) are raised before anything is
    written. A file already there is never replaced unless ``overwrite=True``:
    :class:`~kgxp.exceptions.OutputError` names it before anything is written.
    Files:

    - ``outcomes.csv``/``.json``, ``results.xlsx`` (``xlsx``): one row per teacher (the record);
    - ``publication/<list>.csv``/``.html``: each county-wide list, then each school's
      (``<school id>_<name>``); ``publication/公示名单.html`` all county-wide lists in
      one printable page; ``公示名单.xlsx`` (``print``) every list as a print-ready sheet;
    - ``publication.json``: every list with its title and the notice.
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    chosen = tuple(dict.fromkeys(formats))
    unknown = sorted(set(chosen) - set(EXPORT_FORMATS))
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; use {', '.join(EXPORT_FORMATS)}"
        )
    if "xlsx" in chosen or "print" in chosen:  # both checked before anything is written
        require("xlsxwriter", "excel", "Writing .xlsx results")
    # Lists, rows and cells are many small objects and no cycles: see kgxp._internal.gc_pause.
    with collector_paused():
        tr = texts(locale)
        all_lists = tr("All lists")  # the file name of the county's whole 公示
        # Every format but the record carries the 公示 lists; the record alone needs none.
        lists = (
            publication_lists(
                scenario,
                result,
                redact=redact,
                mask_names=mask_names,
                hide_ids=hide_ids,
                warning_talks=warning_talks,
                locale=locale,
            )
            if set(chosen) - {"xlsx"}
            else []
        )
        words = {
            (item.kind, item.key): posting_text(scenario, item.title, notice, locale=locale)
            for item in lists
        }
        folder = Path(out)
        stems = _stems(lists, scenario)
        _refuse_to_replace(
            folder, _planned(folder, chosen, lists, stems, all_lists), overwrite=overwrite
        )
        folder.mkdir(parents=True, exist_ok=True)
        rows = outcome_rows(scenario, result, redact=redact, locale=locale)
        outcome_header = [header for _, header in OUTCOME_COLUMNS]
        outcome_table = [[row[key] for key, _ in OUTCOME_COLUMNS] for row in rows]
        written = [_write_text(folder / "result.json", result.to_json())]
        if "csv" in chosen:
            written.append(write_csv(folder / "outcomes.csv", outcome_header, outcome_table))
            for item in lists:
                file = folder / "publication" / f"{stems[item.kind, item.key]}.csv"
                written.append(write_csv(file, item.header, item.rows))
        if "html" in chosen:
            page = folder / "publication"
            page.mkdir(parents=True, exist_ok=True)
            for item in lists:
                text = words[item.kind, item.key]
                written.append(
                    _write_text(
                        page / f"{stems[item.kind, item.key]}.html",
                        posting_html([(text, item.header, item.rows, item.numeric)], locale=locale),
                    )
                )
            county = [
                (words[i.kind, i.key], i.header, i.rows, i.numeric)
                for i in lists
                if i.kind is not ListKind.SCHOOL
            ]
            if county:
                written.append(
                    _write_text(page / f"{all_lists}.html", posting_html(county, locale=locale))
                )
        if "json" in chosen:
            written.append(_write_text(folder / "outcomes.json", _json(rows)))
            written.append(
                _write_text(folder / "publication.json", _json(_published(lists, words, notice)))
            )
        if "xlsx" in chosen:
            # The record's score is text in CSV and JSON (exact); in the workbook a number.
            score_at = [key for key, _ in OUTCOME_COLUMNS].index("score")
            record = [
                [float(Decimal(v)) if i == score_at else v for i, v in enumerate(row)]
                for row in outcome_table
            ]
            # The whole record, one row per teacher: the fast writer (guards formulas itself).
            written.append(
                write_record(folder / "results.xlsx", [("结果", outcome_header, record)])
            )
        if "print" in chosen:
            # Its own format: formatted cells go through XlsxWriter's Python (~7 µs each),
            # 24 CPU s at 100,000 teachers, which an analyst's record export need not pay.
            sheets: list[Sheet] = []
            for item in lists:
                layout = SheetLayout(
                    words[item.kind, item.key],
                    numeric=item.numeric,
                    number_formats=tuple(
                        (i, "0" if i == 0 else "0.00") for i in sorted(item.numeric)
                    ),
                )
                sheets.append((_sheet_name(item, scenario), item.header, item.rows, layout))
            written.append(write_workbook(folder / f"{all_lists}.xlsx", sheets))
        return written


def _published(
    lists: Sequence[PublicationList],
    words: Mapping[tuple[ListKind, str], PostingText],
    notice: PublicityNotice | None,
) -> dict[str, Any]:
    def as_json(item: PublicationList) -> dict[str, Any]:
        text = words[item.kind, item.key]
        return {
            "title": text.title,
            "notice": list(text.lines),
            "footer": list(text.footer),
            "rows": [
                dict(zip(item.header, (_plain(v) for v in row), strict=True)) for row in item.rows
            ],
        }

    return {
        "notice": (notice or PublicityNotice()).model_dump(mode="json"),
        "county": {i.key: as_json(i) for i in lists if i.kind is not ListKind.SCHOOL},
        "schools": {i.key: as_json(i) for i in lists if i.kind is ListKind.SCHOOL},
    }


def _plain(value: Cell) -> str | int:
    return str(value) if isinstance(value, Decimal) else value


def _sheet_name(item: PublicationList, scenario: Scenario) -> str:
    if item.kind is not ListKind.SCHOOL:
        return item.title
    names = {school.id: school.name for school in scenario.schools}
    return names.get(item.key, item.key)


def _stems(lists: Sequence[PublicationList], scenario: Scenario) -> dict[tuple[ListKind, str], str]:
    """File names (without suffix) of the lists: the title, or ``<school id>_<school name>``."""
    names = {school.id: school.name for school in scenario.schools}
    stems = {}
    for item in lists:
        school = item.kind is ListKind.SCHOOL
        stem = f"{item.key} {names.get(item.key, '')}" if school else item.title
        stems[item.kind, item.key] = re.sub(r'[\\/:*?"<>|\s]+', "_", stem.strip())
    # Bounded, safe and unique ignoring case: two schools never overwrite each other.
    return dict(zip(stems, safe_file_names(list(stems.values())), strict=True))


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def _json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, byte for byte, for the JSON
    files' values (text, ints, ``None``, lists and dicts with text keys; no floats).

    Python's encoder writes indented JSON in pure Python (≈ 5 CPU s for the 100,000
    teachers' ``outcomes.json`` and ``publication.json``); pydantic-core's Rust encoder
    writes the same bytes (two spaces a level, items ended by ``,`` and a new line, keys
    by ``": "``, characters kept, the same escapes: tests/test_publication_json.py).
    Text it cannot encode (a lone surrogate) goes to Python's, which fails as before.
    """
    try:
        return to_json(value, indent=2).decode("utf-8")
    except PydanticSerializationError:
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)


def _planned(
    folder: Path,
    chosen: Collection[str],
    lists: Sequence[PublicationList],
    stems: Mapping[tuple[ListKind, str], str],
    all_lists: str,
) -> list[Path]:
    """Every file :func:`write_results` is about to write (checked before writing any)."""
    paths = [folder / "result.json"]
    page = folder / "publication"
    if "csv" in chosen:
        paths += [folder / "outcomes.csv", *(page / f"{stem}.csv" for stem in stems.values())]
    if "html" in chosen:
        paths += [page / f"{stem}.html" for stem in stems.values()]
        paths.append(page / f"{all_lists}.html")
    if "json" in chosen:
        paths += [folder / "outcomes.json", folder / "publication.json"]
    if "xlsx" in chosen:
        paths.append(folder / "results.xlsx")
    if "print" in chosen:
        paths.append(folder / f"{all_lists}.xlsx")
    return paths


def _refuse_to_replace(folder: Path, paths: Sequence[Path], *, overwrite: bool) -> None:
    """Nothing is written when ``out`` is a file or, unless ``overwrite``, a target exists."""
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{parent} is a file, not a folder: results need a folder")
    if overwrite:
        return
    existing = [str(path) for path in paths if path.exists() or path.is_symlink()]
    if existing:
        raise OutputError(
            f"{len(existing)} file(s) already exist and are not replaced "
            f"(pass overwrite=True, or --overwrite): {', '.join(existing[:3])}"
        )
