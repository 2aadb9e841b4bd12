"""The roster layout: tables, sheet names, Chinese column headers and cell values.

County bureaus keep their rosters (花名册) in spreadsheets: one workbook, or one
directory of CSV files, with up to five tables:

=============  ===========================  ==========================================
table          sheet / file                 one row per
=============  ===========================  ==========================================
``county``     ``县情`` / ``县情.csv``      setting (two columns: ``项目``, ``值``)
``schools``    ``学校`` / ``学校.csv``      school
``posts``      ``岗位`` / ``岗位.csv``      post
``teachers``   ``教师`` / ``教师.csv``      teacher
``preferences````志愿`` / ``志愿.csv``      teacher's choice (optional table)
=============  ===========================  ==========================================

English names work too (``teachers`` sheet, ``teachers.csv``), as do the
scenario's own field names as column headers. :data:`DEFAULT_COLUMNS` maps each
Chinese header to a field (``综合得分`` → ``score``); :data:`VALUE_NAMES` the
names people type for enumerated values (``男``/``女``, ``高级``).
:mod:`kgxp.files.roster_read` reads this layout, :mod:`kgxp.files.roster_write` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgxp.model.scenario import Circumstance, Education, Locality, Segment, Sex, Title

__all__ = [
    "DEFAULT_COLUMNS",
    "DEFAULT_SHEETS",
    "IGNORED_HEADERS",
    "TABLES",
    "VALUE_NAMES",
    "column_table",
]

TABLES = ("county", "schools", "posts", "teachers", "preferences")

DEFAULT_SHEETS: Mapping[str, str] = {
    "county": "县情",
    "schools": "学校",
    "posts": "岗位",
    "teachers": "教师",
    "preferences": "志愿",
}
"""Sheet (or CSV file stem) of each table; the table's English name works too."""

DEFAULT_COLUMNS: Mapping[str, Mapping[str, str]] = {
    "county": {
        "县名": "county.name",
        "区划代码": "county.code",
        "合成数据": "county.synthetic",
        "说明": "county.note",
        "竞聘月份": "competition_month",
        "核定编制": "staffing.total_posts",
    },
    "schools": {
        "学校编号": "id",
        "学校名称": "name",
        "学段": "segment",
        "城乡": "locality",
        "在校学生数": "enrolment",
        "学区": "district",
        "教共体": "community",
        "教育集团": "group",
        "并入学校": "merged_into",
    },
    "posts": {
        "岗位编号": "id",
        "学校编号": "school",
        "学科": "subject",
        "岗位层次": "level",
        "岗位数": "seats",
        "预留新招聘": "reserved",
        "跨校竞聘岗位数": "cross_school_seats",
    },
    "teachers": {
        "教师编号": "id",
        "姓名": "name",
        "学校": "school",
        "任教学科": "subjects",
        "综合得分": "score",
        "学生评教": "evaluation.student_rating",
        "同行评议": "evaluation.peer_review",
        "质量考核": "evaluation.quality_assessment",
        "学校考评": "evaluation.school_evaluation",
        "教学业绩": "performance",
        "性别": "sex",
        "出生年月": "birth",
        "退休基准年龄": "retirement_base_age",
        "参加工作时间": "service_start",
        "职称": "title",
        "学历": "education",
        "骨干教师": "key_teacher",
        "高于规定学历": "above_required_qualification",
        "特殊情形": "circumstances",
        "服从调剂": "willing_to_adjust",
        "自愿跨校": "volunteers_cross_school",
        "志愿": "preferences",
        "基本工资": "pay.basic_salary",
        "基础性绩效": "pay.basic_performance",
        "奖励性绩效": "pay.incentive_performance",
        "年终质量奖": "pay.year_end_bonus",
        "乡村津贴": "pay.rural_allowance",
    },
    "preferences": {
        "教师编号": "teacher",
        "志愿序号": "rank",
        "岗位编号": "post",
    },
}
"""Chinese column header → field, per table (``county`` maps setting names in its ``项目`` column).

In ``county``, a setting ``核定编制:<level>`` (or ``staffing.posts_by_level.<level>``)
gives the staffing of one post level (R1).
"""

# Chinese (and English) cell values of the enumerated fields; the first name is the one written.
VALUE_NAMES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "segment": {
        Segment.PRIMARY: ("小学", "教学点"),
        Segment.JUNIOR: ("初中", "初级中学"),
        Segment.NINE_YEAR: ("九年制", "九年一贯制"),
    },
    "locality": {
        Locality.URBAN: ("城区", "城镇", "县城"),
        Locality.RURAL: ("农村", "乡村", "乡镇"),
    },
    "sex": {Sex.MALE: ("男",), Sex.FEMALE: ("女",)},
    "title": {
        Title.NONE: ("未定级", "无"),
        Title.JUNIOR: ("二级", "二级教师", "三级", "初级"),
        Title.INTERMEDIATE: ("一级", "一级教师", "中级"),
        Title.SENIOR: ("高级", "高级教师", "副高级"),
        Title.FULL_SENIOR: ("正高级", "正高级教师"),
    },
    "education": {
        Education.SECONDARY: ("中专", "中师", "高中"),
        Education.ASSOCIATE: ("专科", "大专"),
        Education.BACHELOR: ("本科",),
        Education.MASTER: ("硕士", "研究生"),
        Education.DOCTOR: ("博士",),
    },
    "circumstances": {
        Circumstance.MATERNITY_LEAVE: ("产假",),
        Circumstance.SERIOUS_SICK_LEAVE: ("重病假", "病假"),
        Circumstance.VILLAGE_WORK_TEAM: ("驻村工作队", "驻村"),
        Circumstance.AID_TIBET_YI: ("援藏援彝", "援藏", "援彝"),
        Circumstance.PREGNANCY: ("孕期",),
        Circumstance.BREASTFEEDING: ("哺乳期",),
        Circumstance.AID_XINJIANG: ("援疆",),
        Circumstance.SECONDMENT: ("借调", "挂职"),
    },
}
"""Names accepted in cells of enumerated fields; the field's own value (``"rural"``) works too."""


IGNORED_HEADERS: tuple[str, ...] = (
    "备注",
    "序号",
    "联系电话",
    "电话",
    "身份证号",
    "说明",
    "remark",
    "note",
)
"""Column headers every table may carry that kgxp does not read (any other unknown header
is an error naming the closest known one; map a header to ``""`` to ignore it)."""

MONTH_FIELDS = {"competition_month", "birth", "service_start"}
"""Fields holding a month (``1970-03``)."""


def column_table(columns: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The header → field mapping as a Markdown table (the docs print it).

    >>> print(column_table().splitlines()[2])
    | county | 县名 | county.name |
    """
    merged = merge_columns(columns)
    lines = ["| table | header | field |", "| --- | --- | --- |"]
    for table in TABLES:
        lines += [f"| {table} | {header} | {field} |" for header, field in merged[table].items()]
    return "\n".join(lines)


def merge_columns(
    columns: Mapping[str, Mapping[str, str]] | None,
) -> dict[str, dict[str, str]]:
    merged = {table: dict(DEFAULT_COLUMNS[table]) for table in TABLES}
    for table, extra in (columns or {}).items():
        if table not in merged:
            raise ValueError(f"unknown roster table {table!r}; tables are {', '.join(TABLES)}")
        merged[table].update(extra)
    return merged
