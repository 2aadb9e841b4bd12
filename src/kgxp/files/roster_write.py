"""Rosters out: a scenario written as the roster it could have been read from.

:func:`write_roster` writes the layout of :mod:`kgxp.files.roster_layout`, values
in their Chinese names, so :func:`~kgxp.files.roster_read.read_roster` gives back
an equal scenario.

>>> import tempfile, kgxp
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> with tempfile.TemporaryDirectory() as folder:
...     path = write_roster(scenario, f"{folder}/roster.xlsx")
...     kgxp.read_roster(path) == scenario
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kgxp._internal.gc_pause import collector_paused
from kgxp.files.roster_layout import DEFAULT_COLUMNS, DEFAULT_SHEETS, MONTH_FIELDS, VALUE_NAMES
from kgxp.files.safe_output import write_csv, write_workbook
from kgxp.files.scenario_json import StrPath
from kgxp.model.arguments import scenario_argument
from kgxp.model.scenario import Scenario

__all__ = ["write_roster"]


def write_roster(scenario: Scenario, path: StrPath) -> Path:
    """Write ``scenario`` as a roster: an .xlsx workbook, or a CSV directory for any other path.

    Values are written in their Chinese names (``高级``, ``是``), with the default
    headers, so :func:`read_roster` gives back an equal scenario. CSV files are
    UTF-8 with a BOM so that Excel opens them with the Chinese intact.
    """
    scenario = scenario_argument(scenario)
    target = Path(path)
    # The rows are a list or two per teacher and preference, and no cycles: the
    # collector's passes over them (and the scenario) were three quarters of building
    # them at 100,000 teachers (docs/benchmarks.md).
    with collector_paused():
        tables = _roster_tables(scenario)
        if target.suffix.lower() == ".xlsx":
            write_workbook(
                target,
                [(DEFAULT_SHEETS[name], header, rows) for name, (header, rows) in tables.items()],
            )
            return target
        for name, (header, rows) in tables.items():
            write_csv(target / f"{DEFAULT_SHEETS[name]}.csv", header, rows)
    return target


# --- writing ---------------------------------------------------------------

_Rows = list[list[Any]]


def _roster_tables(scenario: Scenario) -> dict[str, tuple[list[str], _Rows]]:
    def headers(table: str, fields: Sequence[str]) -> list[str]:
        header_of = {field: header for header, field in DEFAULT_COLUMNS[table].items()}
        return [header_of[field] for field in fields]

    def name_of(field: str, value: Any) -> str:
        return VALUE_NAMES[field][value][0]

    def yes(flag: bool) -> str:
        return "是" if flag else "否"

    county: _Rows = [
        ["县名", scenario.county.name],
        ["区划代码", scenario.county.code or ""],
        ["合成数据", yes(scenario.county.synthetic)],
        ["说明", scenario.county.note or ""],
        ["竞聘月份", str(scenario.competition_month)],
        ["核定编制", scenario.staffing.total_posts],
        *(
            [f"核定编制:{level}", n]
            for level, n in sorted(scenario.staffing.posts_by_level.items())
        ),
    ]
    school_fields = ("id", "name", "segment", "locality", "enrolment", "district", "community",
                     "group", "merged_into")  # fmt: skip
    schools = [
        [s.id, s.name, name_of("segment", s.segment), name_of("locality", s.locality),
         s.enrolment, s.district or "", s.community or "", s.group or "", s.merged_into or ""]
        for s in scenario.schools
    ]  # fmt: skip
    post_fields = ("id", "school", "subject", "level", "seats", "reserved", "cross_school_seats")
    posts = [
        [p.id, p.school, p.subject, p.level, p.seats, p.reserved,
         "" if p.cross_school_seats is None else p.cross_school_seats]
        for p in scenario.posts
    ]  # fmt: skip
    teacher_fields = [f for f in DEFAULT_COLUMNS["teachers"].values() if f != "preferences"]
    teachers = [_teacher_row(t, teacher_fields, name_of, yes) for t in scenario.teachers]
    preferences = [
        [t.id, rank, post]
        for t in scenario.teachers
        for rank, post in enumerate(t.preferences, start=1)
    ]
    return {
        "county": (["项目", "值"], county),
        "schools": (headers("schools", school_fields), schools),
        "posts": (headers("posts", post_fields), posts),
        "teachers": (headers("teachers", teacher_fields), teachers),
        "preferences": (headers("preferences", ("teacher", "rank", "post")), preferences),
    }


def _teacher_row(
    teacher: Any,
    fields: Sequence[str],
    name_of: Callable[[str, Any], str],
    yes: Callable[[bool], str],
) -> list[Any]:
    row: list[Any] = []
    for field in fields:
        head, _, leaf = field.partition(".")
        value = getattr(teacher, head)
        if leaf:
            value = getattr(value, leaf) if value is not None else None
        if value is None:
            row.append("")
        elif field in {"sex", "title", "education"}:
            row.append(name_of(field, value))
        elif field == "circumstances":
            row.append("、".join(name_of(field, c) for c in value))
        elif field == "subjects":
            row.append("、".join(value))
        elif isinstance(value, bool):
            row.append(yes(value))
        elif isinstance(value, Decimal) or field in MONTH_FIELDS:
            row.append(str(value))
        else:
            row.append(value)
    return row
