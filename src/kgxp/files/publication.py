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

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kgxp._internal.extras import require
from kgxp.exceptions import OutputError
from kgxp.files.safe_output import safe_file_names, write_csv, write_workbook
from kgxp.files.scenario_json import StrPath
from kgxp.model.result import Outcome, RoundResult, Status
from kgxp.model.scenario import Scenario

__all__ = [
    "EXPORT_FORMATS",
    "OUTCOME_COLUMNS",
    "STATUS_NAMES",
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
    """One row per teacher (by teacher id) with names, posts and the deciding reason.

    Keys are the first items of :data:`OUTCOME_COLUMNS`; ``redact`` puts the id
    in ``name``.
    """
    teachers = {t.id: t for t in scenario.teachers}
    schools = {s.id: s.name for s in scenario.schools}
    posts = {p.id: p for p in scenario.posts}
    rows = []
    # By teacher id, not the result's order (which follows the input's): equal
    # scenarios give equal files whatever the order of their records (I12).
    for outcome in sorted(result.outcomes, key=lambda o: o.teacher):
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

    Schools come by id, teachers by post then score (highest
    first) then id; schools merged away (R3) and schools with no post held are
    left out. The waiting list (R7) names each teacher's assigned school.
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
    for school in sorted(scenario.schools, key=lambda s: s.id):  # by id: independent of input order
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
    return lists


def write_results(
    scenario: Scenario,
    result: RoundResult,
    out: StrPath,
    *,
    formats: Iterable[str] = EXPORT_FORMATS,
    redact: bool = False,
    overwrite: bool = False,
) -> list[Path]:
    """Write the result, the outcomes and the publication lists under ``out``; return the paths.

    ``formats`` is any of ``csv``, ``xlsx`` (needs ``kgxp[excel]``) and ``json``;
    ``result.json`` is always written. Unknown formats raise ``ValueError``
    before anything is written. A file that is already there is never replaced
    unless ``overwrite=True``: :class:`~kgxp.exceptions.OutputError` names it
    before anything is written. Rows and lists are ordered by id, so the files
    are byte-identical whatever the order of the scenario's records.
    """
    chosen = tuple(dict.fromkeys(formats))
    unknown = sorted(set(chosen) - set(EXPORT_FORMATS))
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; use csv, xlsx, json")
    if "xlsx" in chosen:
        require("xlsxwriter", "excel", "Writing .xlsx results")
    folder = Path(out)
    rows = outcome_rows(scenario, result, redact=redact)
    lists = publication_lists(scenario, result, redact=redact)
    outcome_header = [header for _, header in OUTCOME_COLUMNS]
    outcome_table = [[row[key] for key, _ in OUTCOME_COLUMNS] for row in rows]
    plan: list[tuple[Path, Callable[[Path], object]]] = [
        (folder / "result.json", lambda path: _write_text(path, result.to_json()))
    ]
    if "csv" in chosen:
        plan.append(
            (folder / "outcomes.csv", lambda path: write_csv(path, outcome_header, outcome_table))
        )
        names = safe_file_names([_list_name(item) for item in lists])
        for item, name in zip(lists, names, strict=True):
            plan.append((folder / "publication" / f"{name}.csv", _csv_writer(item)))
    if "json" in chosen:
        published = {
            item.key: {
                "title": item.title,
                "rows": [dict(zip(item.header, row, strict=True)) for row in item.rows],
            }
            for item in lists
        }
        plan.append((folder / "outcomes.json", lambda path: _write_text(path, _json(rows))))
        plan.append((folder / "publication.json", lambda path: _write_text(path, _json(published))))
    if "xlsx" in chosen:
        sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = [
            ("结果", outcome_header, outcome_table)
        ]
        sheets += [(_sheet_name(item), item.header, item.rows) for item in lists]
        plan.append((folder / "results.xlsx", lambda path: write_workbook(path, sheets)))
    _refuse_to_replace(folder, [path for path, _ in plan], overwrite=overwrite)
    written = []
    for path, write in plan:
        try:
            write(path)
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        written.append(path)
    return written


def _csv_writer(item: PublicationList) -> Callable[[Path], object]:
    return lambda path: write_csv(path, item.header, item.rows)


def _list_name(item: PublicationList) -> str:
    if item.key == "waiting":
        return _WAITING_TITLE
    return f"{item.key} {item.title.rsplit(' ', 1)[0]}"


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


def _sheet_name(item: PublicationList) -> str:
    return _WAITING_TITLE if item.key == "waiting" else item.title.rsplit(" ", 1)[0]


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
