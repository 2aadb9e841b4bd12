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
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs

from kgxp._internal.extras import require
from kgxp._internal.frames import ColumnKind, typed_frame
from kgxp._internal.gc_pause import collector_paused
from kgxp.exceptions import OutputError
from kgxp.files.notice import PublicityNotice
from kgxp.files.posting import PostingText, SheetLayout, posting_html, posting_text
from kgxp.files.safe_output import (
    _FIXED_CREATED,
    excel_sheet_name,
    neutralise,
    safe_file_names,
    unique_sheet_name,
    write_csv,
)
from kgxp.files.safe_output import write_workbook as write_record
from kgxp.files.scenario_json import StrPath
from kgxp.files.sheet_style import SheetFormats, write_laid_out, write_plain
from kgxp.files.wording import STATUS_MESSAGES, Wording, deciding_reason
from kgxp.i18n import DEFAULT_LOCALE, N_, texts
from kgxp.model.result import Outcome, RoundResult, Status
from kgxp.model.scenario import Scenario

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

EXPORT_FORMATS = ("csv", "xlsx", "json", "html")

STATUS_NAMES: Mapping[Status, str] = {
    status: texts(DEFAULT_LOCALE)(message) for status, message in STATUS_MESSAGES.items()
}
"""How each outcome is named in published lists, in Chinese (R4, R5, R6, R7)."""

OUTCOME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("teacher", "教师编号"),
    ("name", "姓名"),
    ("home_school", "原学校编号"),
    ("home_school_name", "原学校"),
    ("subject", "任教学科"),
    ("score", "综合得分"),
    ("status", "结果"),
    ("status_name", "结果说明"),
    ("round", "轮次"),
    ("post", "岗位编号"),
    ("post_subject", "岗位学科"),
    ("school", "学校编号"),
    ("school_name", "学校"),
    ("preference_rank", "志愿序号"),
    ("protected_by", "保留原因"),
    ("rule", "规则"),
    ("reason", "原因"),
)
"""Fields of :func:`outcome_rows` and their Chinese headers in CSV and Excel.

``规则`` is the audit column: the rule id (R4…) behind the deciding reason, which
``原因`` states in words without it."""

Cell = str | int | Decimal
"""A published cell: text, or a number (序号, 综合得分) kept a number in every format."""


class ListKind(StrEnum):
    """The lists a 县管校聘 publication needs; every teacher is in exactly one outcome list."""

    PROTECTED = "protected"  # 提前聘用 (R4)
    IN_SCHOOL = "in_school"  # 校内竞聘上岗 (R5)
    CROSS_SCHOOL = "cross_school"  # 跨校竞聘上岗 (R5)
    ADJUSTED = "adjusted"  # 组织调剂 (R6)
    WAITING = "waiting"  # 待岗人员 (R7)
    PENDING = "pending"  # 待定: protected without a seat, a reported conflict (R4)
    WARNING_TALK = "warning_talk"  # 诫勉谈话: R15's bottom share, besides the outcome lists
    POLICY_EXCEPTION = "policy_exception"  # 政策性例外: claims set aside for targets (R16, R17)
    SCHOOL = "school"  # one school's whole list: everyone placed there or waiting from there


LIST_TITLES: Mapping[ListKind, str] = {
    ListKind.PROTECTED: N_("Teachers placed in advance"),
    ListKind.IN_SCHOOL: N_("Teachers placed in the in-school round"),
    ListKind.CROSS_SCHOOL: N_("Teachers placed in the cross-school round"),
    ListKind.ADJUSTED: N_("Teachers assigned by the bureau"),
    ListKind.WAITING: N_("Waiting list"),
    ListKind.PENDING: N_("Protected teachers awaiting a post"),
    ListKind.WARNING_TALK: N_("Teachers called to a warning talk"),
    ListKind.POLICY_EXCEPTION: N_("Claims set aside to meet the county's targets"),
    ListKind.SCHOOL: N_("{school}: results of the placement round"),
}
"""Each list's title as a message id (the county-wide lists, then a school's)."""

OUTCOME_LISTS: tuple[ListKind, ...] = (
    ListKind.PROTECTED,
    ListKind.IN_SCHOOL,
    ListKind.CROSS_SCHOOL,
    ListKind.ADJUSTED,
    ListKind.WAITING,
    ListKind.PENDING,
)
"""The county-wide lists that together name every teacher once."""

_KIND_OF_STATUS = {
    Status.PROTECTED: ListKind.PROTECTED,
    Status.IN_SCHOOL: ListKind.IN_SCHOOL,
    Status.CROSS_SCHOOL: ListKind.CROSS_SCHOOL,
    Status.ADJUSTED: ListKind.ADJUSTED,
    Status.WAITING: ListKind.WAITING,
}

_NUMBER, _NAME, _ID = N_("No."), N_("Name"), N_("Teacher id")
_HOME, _SUBJECT, _SCORE = N_("Original school"), N_("Subject"), N_("Score")
_SCHOOL, _POST, _CATEGORY = N_("School"), N_("Post"), N_("Category")
_ASSIGNED, _REASON, _OUTCOME, _NOTE = (
    N_("School for shadow learning"),
    N_("Reason"),
    N_("Outcome"),
    N_("Note"),
)
_APPLIED, _HELD_BY, _TARGET = (
    N_("Post applied for"),
    N_("The post went to"),
    N_("Target served"),
)
TARGET_NAMES: Mapping[str, str] = {
    "urban_to_rural_share": N_("Share of urban teachers moving to rural schools"),
    "rural_shortage_fill_share": N_("Share of rural PE, music and art posts filled"),
}
"""How each declared target (R16, R17) is named in the policy-exception list."""
_COLUMNS: Mapping[ListKind, tuple[str, ...]] = {
    ListKind.PROTECTED: (_NUMBER, _NAME, _ID, _SCHOOL, _SUBJECT, _POST, _CATEGORY),
    ListKind.IN_SCHOOL: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE, _SCHOOL, _POST),
    ListKind.CROSS_SCHOOL: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE, _SCHOOL, _POST),
    ListKind.ADJUSTED: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE, _SCHOOL, _POST),
    ListKind.WAITING: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE, _ASSIGNED, _REASON),
    ListKind.PENDING: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _CATEGORY, _NOTE),
    ListKind.WARNING_TALK: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE),
    ListKind.POLICY_EXCEPTION: (_NUMBER, _NAME, _ID, _HOME, _SCORE, _APPLIED, _HELD_BY, _TARGET),
    ListKind.SCHOOL: (_NUMBER, _NAME, _ID, _HOME, _SUBJECT, _SCORE, _OUTCOME, _POST, _NOTE),
}
_NUMERIC = frozenset({_NUMBER, _SCORE})
# A school's list: placements first, in the order of the rounds, then who waits or awaits.
_SCHOOL_ORDER = {kind: rank for rank, kind in enumerate(OUTCOME_LISTS)}


@attrs.frozen
class PublicationList:
    """One published list: a county-wide list of one kind, or one school's list.

    ``key`` is the kind's value for a county-wide list and the school id for a
    school's; ``teachers`` holds the teacher of each row (also when ids are hidden);
    ``numeric`` the columns that hold numbers.
    """

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kind: ListKind = ListKind.SCHOOL
    school: str | None = None
    teachers: tuple[str, ...] = ()
    numeric: frozenset[int] = frozenset()


def outcome_rows(
    scenario: Scenario,
    result: RoundResult,
    *,
    redact: bool = False,
    locale: str = DEFAULT_LOCALE,
) -> list[dict[str, Any]]:
    """One row per teacher (by teacher id) with names, posts and the deciding reason.

    Keys are the first items of :data:`OUTCOME_COLUMNS`; ``redact`` puts the id
    in ``name``. ``reason`` is the deciding reason in words (``locale``), ``rule``
    its rule id (the audit column).
    """
    teachers = {t.id: t for t in scenario.teachers}
    schools = {s.id: s.name for s in scenario.schools}
    posts = {p.id: p for p in scenario.posts}
    words = Wording(scenario, result, locale=locale)
    rows = []
    # By teacher id, not the result's order (which follows the input's): equal
    # scenarios give equal files whatever the order of their records (I12).
    for outcome in sorted(result.outcomes, key=lambda o: o.teacher):
        teacher = teachers.get(outcome.teacher)
        post = posts.get(outcome.post) if outcome.post else None
        deciding = deciding_reason(outcome)
        rows.append(
            {
                "teacher": outcome.teacher,
                "name": outcome.teacher if redact or teacher is None else teacher.name,
                "home_school": outcome.home_school,
                "home_school_name": schools.get(outcome.home_school, outcome.home_school),
                "subject": teacher.main_subject if teacher else "",
                "score": str(outcome.score),
                "status": str(outcome.status),
                "status_name": words.status(outcome.status),
                "round": outcome.round or "",
                "post": outcome.post or "",
                "post_subject": post.subject if post else "",
                "school": outcome.school or "",
                "school_name": schools.get(outcome.school, outcome.school)
                if outcome.school
                else "",
                "preference_rank": ""
                if outcome.preference_rank is None
                else outcome.preference_rank + 1,
                "protected_by": words.categories(outcome.protected_by),
                "rule": deciding.rule if deciding else "",
                "reason": words.why(outcome),
            }
        )
    return rows


def outcomes_frame(scenario: Scenario, result: RoundResult, *, redact: bool = False) -> Any:
    """Deprecated: use ``result.to_frame(scenario)`` (one name for every frame).

    Until removed: :func:`outcome_rows` as a DataFrame, with numbers as numbers.
    """
    warnings.warn(
        "outcomes_frame(scenario, result) is deprecated; use result.to_frame(scenario)",
        DeprecationWarning,
        stacklevel=2,
    )
    columns: dict[str, ColumnKind] = {name: "category" for name, _ in OUTCOME_COLUMNS}
    columns |= {"name": "text", "score": "number", "preference_rank": "count", "reason": "text"}
    return typed_frame(outcome_rows(scenario, result, redact=redact), columns, "outcomes_frame()")


def mask_name(name: str) -> str:
    """A name as published with masking: ``张*明``, ``李*``, ``欧阳**华``."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def list_kind(outcome: Outcome) -> ListKind:
    """The county-wide list that names this teacher (a protected teacher without a seat: 待定)."""
    if outcome.status is Status.PROTECTED and outcome.post is None:
        return ListKind.PENDING
    return _KIND_OF_STATUS[outcome.status]


def publication_lists(
    scenario: Scenario,
    result: RoundResult,
    *,
    redact: bool = False,
    mask_names: bool = False,
    hide_ids: bool = False,
    warning_talks: Collection[str] | None = None,
    locale: str = DEFAULT_LOCALE,
) -> list[PublicationList]:
    """The county-wide lists (every kind with a teacher in it), then one list per school.

    Together the county-wide outcome lists (:data:`OUTCOME_LISTS`) name every
    teacher exactly once, and so do the school lists: a placed teacher in the
    school of the post, a waiting or pending teacher in the home school (R3: the
    receiving school for a merged one). The 诫勉谈话 list (R15) comes on top: its
    teachers are ``warning_talks``, or the result's own ``warning_talks`` once
    rounds report them. Rows are sorted by school id, post, score (highest first)
    and teacher id, so the order of input records changes nothing (I12).
    ``redact`` publishes ids instead of names, ``mask_names`` names like ``张*明``,
    ``hide_ids`` leaves the teacher-id column out.
    """
    words = Wording(scenario, result, locale=locale)
    tr = words.tr
    teachers = {t.id: t for t in scenario.teachers}
    posts = {p.id: p for p in scenario.posts}
    warned = frozenset(
        warning_talks
        if warning_talks is not None
        else (talk.teacher for talk in result.warning_talks)
    )

    def name(teacher_id: str) -> str:
        teacher = teachers.get(teacher_id)
        if redact or teacher is None:
            return teacher_id
        return mask_name(teacher.name) if mask_names else teacher.name

    def subject(teacher_id: str) -> str:
        teacher = teachers.get(teacher_id)
        return teacher.main_subject if teacher else ""

    def post_subject(post_id: str | None) -> str:
        return posts[post_id].subject if post_id in posts else (post_id or "")

    def row(kind: ListKind, number: int, o: Outcome) -> dict[str, Cell]:
        cells: dict[str, Cell] = {
            _NUMBER: number,
            _NAME: name(o.teacher),
            _ID: o.teacher,
            _HOME: words.school(o.home_school),
            _SUBJECT: subject(o.teacher),
            _SCORE: o.score,
            _SCHOOL: words.school(o.school),
            _POST: post_subject(o.post),
            _CATEGORY: words.categories(o.protected_by),
        }
        outcome_kind = list_kind(o)
        if kind is ListKind.WAITING:
            cells[_ASSIGNED] = words.school(o.school)
            cells[_REASON] = words.why(o)
        if kind is ListKind.PENDING:
            cells[_NOTE] = words.why(o)
        if kind is ListKind.SCHOOL:
            cells[_OUTCOME] = tr(LIST_OUTCOME[outcome_kind])
            if outcome_kind is ListKind.WAITING:
                cells[_POST] = tr("Shadow learning at {school}", school=words.school(o.school))
                cells[_NOTE] = words.why(o)
            elif outcome_kind is ListKind.PENDING:
                cells[_NOTE] = words.why(o)
            elif outcome_kind is ListKind.PROTECTED:
                cells[_NOTE] = cells[_CATEGORY]
            else:
                cells[_NOTE] = ""
        return cells

    def build(
        kind: ListKind, key: str, title: str, chosen: list[Outcome], school: str | None = None
    ) -> PublicationList:
        columns = [c for c in _COLUMNS[kind] if not (hide_ids and c == _ID)]
        rows = tuple(
            tuple(cells[c] for c in columns)
            for cells in (row(kind, n, o) for n, o in enumerate(chosen, start=1))
        )
        return PublicationList(
            key=key,
            title=title,
            header=tuple(tr(c) for c in columns),
            rows=rows,
            kind=kind,
            school=school,
            teachers=tuple(o.teacher for o in chosen),
            numeric=frozenset(i for i, c in enumerate(columns) if c in _NUMERIC),
        )

    by_kind: dict[ListKind, list[Outcome]] = {kind: [] for kind in ListKind}
    by_school: dict[str, list[Outcome]] = {}
    for outcome in result.outcomes:
        kind = list_kind(outcome)
        by_kind[kind].append(outcome)
        if outcome.teacher in warned:
            by_kind[ListKind.WARNING_TALK].append(outcome)
        listed_at = outcome.home_school if kind in _LISTED_AT_HOME else outcome.school
        by_school.setdefault(listed_at or outcome.home_school, []).append(outcome)

    lists = []
    for kind in (*OUTCOME_LISTS, ListKind.WARNING_TALK):
        chosen = sorted(by_kind[kind], key=_county_order(kind))
        if chosen:
            lists.append(build(kind, kind.value, tr(LIST_TITLES[kind]), chosen))
    if result.exceptions:
        lists.append(_exception_list(result, words, name, hide_ids))
    for school_id in sorted(by_school):
        chosen = sorted(by_school[school_id], key=_school_order)
        title = tr(LIST_TITLES[ListKind.SCHOOL], school=words.school(school_id))
        lists.append(build(ListKind.SCHOOL, school_id, title, chosen, school_id))
    return lists


def _exception_list(
    result: RoundResult, words: Wording, name: Callable[[str], str], hide_ids: bool
) -> PublicationList:
    """The price of the county's targets, public (R16, R17): each claim set aside, and why."""
    tr = words.tr
    kind = ListKind.POLICY_EXCEPTION
    columns = [c for c in _COLUMNS[kind] if not (hide_ids and c == _ID)]
    outcomes = {o.teacher: o for o in result.outcomes}
    rows = []
    for number, e in enumerate(result.exceptions, start=1):
        o = outcomes.get(e.teacher)
        cells: dict[str, Cell] = {
            _NUMBER: number,
            _NAME: name(e.teacher),
            _ID: e.teacher,
            _HOME: words.school(o.home_school) if o else "",
            _SCORE: o.score if o else "",
            _APPLIED: words.post(e.post),
            _HELD_BY: tr("left vacant") if e.holder is None else name(e.holder),
            _TARGET: tr("; ").join(tr(TARGET_NAMES.get(t, t)) for t in e.targets),
        }
        rows.append(tuple(cells[c] for c in columns))
    return PublicationList(
        key=kind.value,
        title=tr(LIST_TITLES[kind]),
        header=tuple(tr(c) for c in columns),
        rows=tuple(rows),
        kind=kind,
        teachers=tuple(e.teacher for e in result.exceptions),
        numeric=frozenset(i for i, c in enumerate(columns) if c in _NUMERIC),
    )


LIST_OUTCOME: Mapping[ListKind, str] = {
    ListKind.PROTECTED: N_("Placed in advance"),
    ListKind.IN_SCHOOL: N_("Placed in the in-school round"),
    ListKind.CROSS_SCHOOL: N_("Placed in the cross-school round"),
    ListKind.ADJUSTED: N_("Assigned by the bureau"),
    ListKind.WAITING: N_("Waiting for a post"),
    ListKind.PENDING: N_("Awaiting a decision"),
}
"""A teacher's outcome as a school's list names it."""

_LISTED_AT_HOME = frozenset({ListKind.WAITING, ListKind.PENDING})


def _county_order(kind: ListKind) -> Callable[[Outcome], tuple[Any, ...]]:
    if kind in _LISTED_AT_HOME or kind is ListKind.WARNING_TALK:
        return lambda o: (o.home_school, -o.score, o.teacher)
    return lambda o: (o.school or "", o.post or "", -o.score, o.teacher)


def _school_order(o: Outcome) -> tuple[Any, ...]:
    return (_SCHOOL_ORDER[list_kind(o)], o.post or "", -o.score, o.teacher)


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

    ``formats`` is any of ``csv``, ``xlsx`` (needs ``kgxp[excel]``), ``json`` and
    ``html``; ``result.json`` is always written. ``notice`` gives the 公示期, the
    objection contact and the 落款 of the posted lists. Unknown formats (a
    ``ValueError``) and a 公示期 in a year the holiday calendar does not know
    (:class:`~kgxp.exceptions.CalendarYearError`) are raised before anything is
    written. A file already there is never replaced unless ``overwrite=True``:
    :class:`~kgxp.exceptions.OutputError` names it before anything is written.
    Files:

    - ``outcomes.csv``/``.json``, ``results.xlsx``: one row per teacher (the record);
    - ``publication/<list>.csv``/``.html``: each county-wide list, then each school's
      (``<school id>_<name>``); ``publication/公示名单.html`` all county-wide lists in
      one printable page; ``公示名单.xlsx`` every list as a print-ready sheet;
    - ``publication.json``: every list with its title and the notice.
    """
    chosen = tuple(dict.fromkeys(formats))
    unknown = sorted(set(chosen) - set(EXPORT_FORMATS))
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; use {', '.join(EXPORT_FORMATS)}"
        )
    if "xlsx" in chosen:  # both checked before anything is written
        require("xlsxwriter", "excel", "Writing .xlsx results")
    tr = texts(locale)
    all_lists = tr("All lists")  # the file name of the county's whole 公示
    lists = publication_lists(
        scenario,
        result,
        redact=redact,
        mask_names=mask_names,
        hide_ids=hide_ids,
        warning_talks=warning_talks,
        locale=locale,
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
        written.append(write_record(folder / "results.xlsx", [("结果", outcome_header, record)]))
        sheets: list[Sheet] = []
        for item in lists:
            layout = SheetLayout(
                words[item.kind, item.key],
                numeric=item.numeric,
                number_formats=tuple((i, "0" if i == 0 else "0.00") for i in sorted(item.numeric)),
            )
            sheets.append((_sheet_name(item, scenario), item.header, item.rows, layout))
        written.append(write_workbook(folder / f"{all_lists}.xlsx", sheets))
    return written


Sheet = (
    tuple[str, Sequence[str], Sequence[Sequence[Any]]]
    | tuple[str, Sequence[str], Sequence[Sequence[Any]], SheetLayout]
)
"""A sheet for :func:`write_workbook`: name, header, rows, and optionally its print layout."""


def write_workbook(path: StrPath, sheets: Sequence[Sheet]) -> Path:
    """Write sheets ``(name, header, rows[, layout])`` to an .xlsx file, byte-identical for the same input.

    Sheet names are made valid for Excel (31 characters, no ``[]:*?/\\``) and
    unique; the header row is frozen. A sheet with a
    :class:`~kgxp.files.posting.SheetLayout` is laid out for printing
    (:mod:`kgxp.files.sheet_style`). Numbers (``int``, ``Decimal``) stay numbers;
    text is written as text (never a formula or a link) after the formula guard
    (:func:`kgxp.files.safe_output.neutralise`). Written with XlsxWriter.
    """
    xlsxwriter = require("xlsxwriter", "excel", "Writing .xlsx files")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # XlsxWriter makes an object or two per cell, and no cycles: the collector's passes
    # over them would be wasted.
    with collector_paused():
        book = xlsxwriter.Workbook(
            str(target),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        book.set_properties({"created": _FIXED_CREATED})
        formats = SheetFormats(book)
        used: set[str] = set()
        for name, header, rows, *layout in sheets:
            sheet = book.add_worksheet(unique_sheet_name(excel_sheet_name(name), used))
            title = [neutralise(str(h)) for h in header]
            cells = [[_cell(v) for v in row] for row in rows]
            if layout:
                write_laid_out(sheet, formats, title, cells, layout[0])
            else:
                write_plain(sheet, title, cells)
        book.close()
    return target


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


def _cell(value: Any) -> Any:
    # A Decimal score becomes an Excel number (scores have two places: exact in a double);
    # text goes through the formula guard, as in every file kgxp writes (OWASP CSV injection).
    if isinstance(value, str):
        return neutralise(value)
    return float(value) if isinstance(value, Decimal) else value


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
        paths += [folder / "results.xlsx", folder / f"{all_lists}.xlsx"]
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
