"""Results out: publication lists (公示名单) per school, outcome tables, CSV/Excel/JSON files.

After a round the bureau publishes, school by school, who holds which post and
how they got it, and county-wide who waits (待岗) and where they do their
跟岗学习/顶岗实践 (R7). :func:`publication_lists` builds those lists as data,
:func:`outcome_rows` one row per teacher with the reason behind the outcome, and
:func:`write_results` writes them:

- ``result.json`` — the whole :class:`~kgxp.model.result.RoundResult` (ids only, no names);
- ``outcomes.csv`` / ``.json`` — one row per teacher;
- ``publication/<school id> <school name>.csv`` and ``publication/待岗人员名单.csv``;
- ``publication.json`` — every list, keyed by school id;
- ``results.xlsx`` — the outcomes sheet, then one sheet per list.

``redact=True`` replaces every teacher's name with their id, for files leaving
the bureau. CSV files are UTF-8 with a BOM so that Excel shows the Chinese;
every file is byte-identical for the same scenario and result (the workbook's
timestamps are fixed).

>>> import tempfile, kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> result = kgxp.run_round(scenario)
>>> lists = publication_lists(scenario, result)
>>> lists[0].title
'紫阳小学 竞聘上岗人员名单'
>>> lists[0].header[:4]
('序号', '教师编号', '姓名', '原学校')
>>> with tempfile.TemporaryDirectory() as folder:
...     files = write_results(scenario, result, folder, formats=("csv",))
...     sorted({f.suffix for f in files})
['.csv', '.json']
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from kgxp._internal.extras import require
from kgxp.files.scenario_json import StrPath
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

EXPORT_FORMATS = ("csv", "xlsx", "json")

STATUS_NAMES: Mapping[Status, str] = {
    Status.PROTECTED: "保留原岗",
    Status.IN_SCHOOL: "校内竞聘",
    Status.CROSS_SCHOOL: "跨校竞聘",
    Status.ADJUSTED: "组织调剂",
    Status.WAITING: "待岗",
}
"""How each outcome is named in published lists (R4, R5, R6, R7)."""

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
"""Fields of :func:`outcome_rows` and their Chinese headers in CSV and Excel."""

_PUBLICATION_HEADER = (
    "序号",
    "教师编号",
    "姓名",
    "原学校",
    "任教学科",
    "综合得分",
    "聘用岗位",
    "聘用方式",
)
_WAITING_HEADER = ("序号", "教师编号", "姓名", "原学校", "任教学科", "综合得分", "跟岗学校", "原因")
_WAITING_TITLE = "待岗人员名单"
_EXCEPTIONS_TITLE = "政策性例外名单"
_EXCEPTIONS_HEADER = (
    "序号",
    "教师编号",
    "姓名",
    "原学校",
    "综合得分",
    "申请岗位",
    "该岗位去向",
    "所为目标",
)
TARGET_NAMES: Mapping[str, str] = {
    "urban_to_rural_share": "城区教师到农村学校任教比例",
    "rural_shortage_fill_share": "农村学校体音美岗位补足比例",
}
"""How each declared target (R16, R17) is named in the policy-exception list."""
# Excel's fixed epoch for a workbook's own dates: files stay byte-identical (I12).
_FIXED_TIME = "2000-01-01T00:00:00Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@attrs.frozen
class PublicationList:
    """One published list: a school's placed teachers, or the county's waiting teachers."""

    key: str  # the school id, or "waiting"
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def outcome_rows(
    scenario: Scenario, result: RoundResult, *, redact: bool = False
) -> list[dict[str, Any]]:
    """One row per teacher (in the result's order) with names, posts and the deciding reason.

    Keys are the first items of :data:`OUTCOME_COLUMNS`; ``redact`` puts the id
    in ``name``.
    """
    teachers = {t.id: t for t in scenario.teachers}
    schools = {s.id: s.name for s in scenario.schools}
    posts = {p.id: p for p in scenario.posts}
    rows = []
    for outcome in result.outcomes:
        teacher = teachers.get(outcome.teacher)
        post = posts.get(outcome.post) if outcome.post else None
        rule, reason = _deciding_reason(outcome)
        rows.append(
            {
                "teacher": outcome.teacher,
                "name": outcome.teacher if redact or teacher is None else teacher.name,
                "home_school": outcome.home_school,
                "home_school_name": schools.get(outcome.home_school, outcome.home_school),
                "subject": teacher.main_subject if teacher else "",
                "score": str(outcome.score),
                "status": str(outcome.status),
                "status_name": STATUS_NAMES[outcome.status],
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
                "protected_by": "、".join(outcome.protected_by),
                "rule": rule,
                "reason": reason,
            }
        )
    return rows


def _deciding_reason(outcome: Outcome) -> tuple[str, str]:
    """The last reason that is not a bare status, in words: what decided this outcome."""
    reasons = [r for r in outcome.reasons if r.code not in {"waiting"}] or list(outcome.reasons)
    if not reasons:
        return "", ""
    last = reasons[-1]
    words = last.code
    if last.rival:
        words += f": post {last.post} went to {last.rival}"
        if last.rival_score is not None:
            words += f" ({last.rival_score} vs {last.score}"
            words += f", decided by {last.decided_by})" if last.decided_by else ")"
    elif last.detail:
        words += f": {last.detail}"
    return last.rule, words


def outcomes_frame(scenario: Scenario, result: RoundResult, *, redact: bool = False) -> Any:
    """:func:`outcome_rows` as a pandas DataFrame (``pip install 'kgxp[notebook]'``)."""
    pd = require("pandas", "notebook", "outcomes_frame()")
    return pd.DataFrame(outcome_rows(scenario, result, redact=redact))


def publication_lists(
    scenario: Scenario, result: RoundResult, *, redact: bool = False
) -> list[PublicationList]:
    """Each school's list of teachers holding its posts, then the county's waiting list.

    Schools come in the scenario's order, teachers by post then score (highest
    first) then id; schools merged away (R3) and schools with no post held are
    left out. The waiting list (R7) names each teacher's assigned school. When the
    county's targets cost justified claims (R16, R17), a last list, key
    ``policy_exceptions``, names each: the teacher, the post they were entitled to,
    who holds it (or that it stayed empty), and the target it served.
    """
    teachers = {t.id: t for t in scenario.teachers}
    schools = {s.id: s.name for s in scenario.schools}
    posts = {p.id: p for p in scenario.posts}
    by_school: dict[str, list[Outcome]] = {}
    waiting = []
    for outcome in result.outcomes:
        if outcome.status is Status.WAITING:
            waiting.append(outcome)
        elif outcome.school is not None:
            by_school.setdefault(outcome.school, []).append(outcome)

    def name(teacher_id: str) -> str:
        teacher = teachers.get(teacher_id)
        return teacher_id if redact or teacher is None else teacher.name

    def person(number: int, o: Outcome) -> tuple[str, ...]:
        """The columns both kinds of list open with: who, from where, teaching what."""
        teacher = teachers.get(o.teacher)
        subject = teacher.main_subject if teacher else ""
        home = schools.get(o.home_school, o.home_school)
        return (str(number), o.teacher, name(o.teacher), home, subject, str(o.score))

    lists = []
    for school in scenario.schools:
        held = by_school.get(school.id)
        if not held:
            continue
        held.sort(key=lambda o: (o.post or "", -o.score, o.teacher))
        rows = tuple(
            (
                *person(number, o),
                f"{posts[o.post].subject} ({o.post})" if o.post in posts else (o.post or ""),
                STATUS_NAMES[o.status],
            )
            for number, o in enumerate(held, start=1)
        )
        lists.append(
            PublicationList(school.id, f"{school.name} 竞聘上岗人员名单", _PUBLICATION_HEADER, rows)
        )
    waiting.sort(key=lambda o: (o.home_school, -o.score, o.teacher))
    waiting_rows = tuple(
        (
            *person(number, o),
            schools.get(o.school, o.school) if o.school else "",
            _deciding_reason(o)[1],
        )
        for number, o in enumerate(waiting, start=1)
    )
    lists.append(PublicationList("waiting", _WAITING_TITLE, _WAITING_HEADER, waiting_rows))
    if result.exceptions:
        lists.append(_exception_list(result, schools, name))
    return lists


def _exception_list(
    result: RoundResult, schools: Mapping[str, str], name: Callable[[str], str]
) -> PublicationList:
    """The price of the county's targets, public (R16, R17): each claim set aside, and why."""
    outcomes = {o.teacher: o for o in result.outcomes}
    rows = []
    for number, e in enumerate(result.exceptions, start=1):
        o = outcomes.get(e.teacher)
        home = schools.get(o.home_school, o.home_school) if o else ""
        score = str(o.score) if o else ""
        went_to = "空缺" if e.holder is None else f"{name(e.holder)} ({e.holder})"
        targets = "、".join(TARGET_NAMES.get(t, t) for t in e.targets)
        rows.append(
            (str(number), e.teacher, name(e.teacher), home, score, e.post, went_to, targets)
        )
    return PublicationList("policy_exceptions", _EXCEPTIONS_TITLE, _EXCEPTIONS_HEADER, tuple(rows))


def write_results(
    scenario: Scenario,
    result: RoundResult,
    out: StrPath,
    *,
    formats: Iterable[str] = EXPORT_FORMATS,
    redact: bool = False,
) -> list[Path]:
    """Write the result, the outcomes and the publication lists under ``out``; return the paths.

    ``formats`` is any of ``csv``, ``xlsx`` (needs ``kgxp[excel]``) and ``json``;
    ``result.json`` is always written. Unknown formats raise ``ValueError``
    before anything is written.
    """
    chosen = tuple(dict.fromkeys(formats))
    unknown = sorted(set(chosen) - set(EXPORT_FORMATS))
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; use csv, xlsx, json")
    if "xlsx" in chosen:
        require("openpyxl", "excel", "Writing .xlsx results")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    rows = outcome_rows(scenario, result, redact=redact)
    lists = publication_lists(scenario, result, redact=redact)
    outcome_header = [header for _, header in OUTCOME_COLUMNS]
    outcome_table = [[row[key] for key, _ in OUTCOME_COLUMNS] for row in rows]
    written = [_write_text(folder / "result.json", result.to_json())]
    if "csv" in chosen:
        written.append(_write_csv(folder / "outcomes.csv", outcome_header, outcome_table))
        for item in lists:
            file = folder / "publication" / f"{_file_name(item)}.csv"
            written.append(_write_csv(file, item.header, item.rows))
    if "json" in chosen:
        written.append(_write_text(folder / "outcomes.json", _json(rows)))
        published = {
            item.key: {
                "title": item.title,
                "rows": [dict(zip(item.header, row, strict=True)) for row in item.rows],
            }
            for item in lists
        }
        written.append(_write_text(folder / "publication.json", _json(published)))
    if "xlsx" in chosen:
        sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = [
            ("结果", outcome_header, outcome_table)
        ]
        sheets += [(_sheet_name(item), item.header, item.rows) for item in lists]
        written.append(write_workbook(folder / "results.xlsx", sheets))
    return written


def write_workbook(
    path: StrPath,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
) -> Path:
    """Write sheets ``(name, header, rows)`` to an .xlsx file, byte-identical for the same input.

    Sheet names are made valid for Excel (31 characters, no ``[]:*?/\\``) and
    unique; the header row is frozen.
    """
    openpyxl = require("openpyxl", "excel", "Writing .xlsx files")
    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, header, rows in sheets:
        sheet = book.create_sheet(_unique(_excel_sheet_name(name), used))
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(value) for value in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_fixed_zip(buffer.getvalue()))
    return target


def _cell(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _fixed_zip(data: bytes) -> bytes:
    """The same .xlsx with fixed entry times and document dates, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_TIME.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return buffer.getvalue()


def _excel_sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
    return cleaned[:31]


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate.lower() in used:
        suffix = f"~{number}"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


_COUNTY_LISTS = {"waiting": _WAITING_TITLE, "policy_exceptions": _EXCEPTIONS_TITLE}


def _sheet_name(item: PublicationList) -> str:
    return _COUNTY_LISTS.get(item.key) or item.title.rsplit(" ", 1)[0]


def _file_name(item: PublicationList) -> str:
    if item.key in _COUNTY_LISTS:
        return _COUNTY_LISTS[item.key]
    school = item.title.rsplit(" ", 1)[0]
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{item.key} {school}")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
