"""The 公示 lists as data: county-wide per kind, then one per school, every teacher once.

After a round the bureau posts who was placed in advance (提前聘用, R4), who won a
post in the in-school and the cross-school round (R5), whom it assigned (组织调剂,
R6), who waits and where they do their 跟岗学习/顶岗实践 (待岗, R7), which protected
teachers await a post (待定: the reported conflicts), who is called to a warning
talk (诫勉谈话, R15) and which claims were set aside for the county's targets.
:func:`publication_lists` builds those lists — headers and titles from the
message catalogue (:mod:`kgxp.i18n`), Chinese by default; numbers (序号,
综合得分) stay numbers. :mod:`kgxp.files.publication` writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs

from kgxp._internal.decimals import in_kgxp_decimal_context
from kgxp._internal.gc_pause import collector_paused
from kgxp.files.wording import Wording
from kgxp.i18n import DEFAULT_LOCALE, N_, Texts
from kgxp.model.arguments import result_of, scenario_argument
from kgxp.model.result import Outcome, RoundResult, Status
from kgxp.model.scenario import Scenario
from kgxp.model.teacher_columns import teachers_by_id

__all__ = [
    "LIST_OUTCOME",
    "LIST_TITLES",
    "OUTCOME_LISTS",
    "TARGET_NAMES",
    "Cell",
    "ListKind",
    "PublicationList",
    "list_kind",
    "list_kinds",
    "mask_name",
    "publication_lists",
    "target_name",
]

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
    "cv_above_required_qualification_primary": N_(
        "Balance between primary schools (coefficient of variation) of teachers above the required qualification"
    ),
    "cv_above_required_qualification_junior": N_(
        "Balance between junior middle schools (coefficient of variation) of teachers above the required qualification"
    ),
    "cv_above_required_qualification_nine_year": N_(
        "Balance between nine-year schools (coefficient of variation) of teachers above the required qualification"
    ),
    "cv_key_teachers_primary": N_(
        "Balance between primary schools (coefficient of variation) of key teachers"
    ),
    "cv_key_teachers_junior": N_(
        "Balance between junior middle schools (coefficient of variation) of key teachers"
    ),
    "cv_key_teachers_nine_year": N_(
        "Balance between nine-year schools (coefficient of variation) of key teachers"
    ),
    "cv_pe_and_art_primary": N_(
        "Balance between primary schools (coefficient of variation) of PE and art teachers"
    ),
    "cv_pe_and_art_junior": N_(
        "Balance between junior middle schools (coefficient of variation) of PE and art teachers"
    ),
    "cv_pe_and_art_nine_year": N_(
        "Balance between nine-year schools (coefficient of variation) of PE and art teachers"
    ),
}
"""How each declared target (R16, R17; R12's CV targets) is named in the policy-exception list."""


def target_name(target: str, tr: Texts) -> str:
    """A declared target's name in words (:data:`TARGET_NAMES`), or its key if it has none."""
    key = TARGET_NAMES.get(target)
    return tr(key) if key is not None else target


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


def mask_name(name: str) -> str:
    """A name as published with masking: ``张*明``, ``李*``, ``欧阳**华``."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def list_kind(outcome: Outcome) -> ListKind:
    """The county-wide list that names this teacher (a protected teacher without a seat: 待定)."""
    return _list_kind(outcome.status, outcome.post)


def list_kinds(result: RoundResult) -> list[ListKind]:
    """:func:`list_kind` of every outcome, in order, read from the status and post
    columns (no outcome built: :meth:`~kgxp.RoundResult.outcome_values`)."""
    return list(map(_list_kind, result.outcome_values("status"), result.outcome_values("post")))


def _list_kind(status: Status, post: str | None) -> ListKind:
    if status is Status.PROTECTED and post is None:
        return ListKind.PENDING
    return _KIND_OF_STATUS[status]


@collector_paused()  # 100,000s of rows, no cycles: kgxp._internal.gc_pause
@in_kgxp_decimal_context
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
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    words = Wording(scenario, result, locale=locale)
    tr = words.tr
    teachers = teachers_by_id(scenario)
    posts = {p.id: p for p in scenario.posts}
    warned = frozenset(
        warning_talks
        if warning_talks is not None
        else (talk.teacher for talk in result.warning_talks)
    )

    outcome_names = {kind: tr(message) for kind, message in LIST_OUTCOME.items()}

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

    # Every outcome by its position, read from the columns: no outcome built (issue 19).
    ids, statuses, homes, held_posts, held_schools, scores, protected, reasons = map(
        result.outcome_values,
        ("teacher", "status", "home_school", "post", "school", "score", "protected_by", "reasons"),
    )
    kinds = list(map(_list_kind, statuses, held_posts))  # list_kinds, from these columns

    # A waiting or pending teacher is on their county list and their school's: the
    # reason, words picked and formatted, is written once for both.
    whys: dict[int, str] = {}

    def why(i: int) -> str:
        found = whys.get(i)
        if found is None:
            found = whys[i] = words.why_of(statuses[i], reasons[i], protected[i])
        return found

    def row(kind: ListKind, number: int, i: int) -> dict[str, Cell]:
        teacher_id, school = ids[i], held_schools[i]
        cells: dict[str, Cell] = {
            _NUMBER: number,
            _NAME: name(teacher_id),
            _ID: teacher_id,
            _HOME: words.school(homes[i]),
            _SUBJECT: subject(teacher_id),
            _SCORE: scores[i],
            _SCHOOL: words.school(school),
            _POST: post_subject(held_posts[i]),
            _CATEGORY: words.categories(protected[i]),
        }
        outcome_kind = kinds[i]
        if kind is ListKind.WAITING:
            cells[_ASSIGNED] = words.school(school)
            cells[_REASON] = why(i)
        if kind is ListKind.PENDING:
            cells[_NOTE] = why(i)
        if kind is ListKind.SCHOOL:
            cells[_OUTCOME] = outcome_names[outcome_kind]
            if outcome_kind is ListKind.WAITING:
                cells[_POST] = tr("Shadow learning at {school}", school=words.school(school))
                cells[_NOTE] = why(i)
            elif outcome_kind is ListKind.PENDING:
                cells[_NOTE] = why(i)
            elif outcome_kind is ListKind.PROTECTED:
                cells[_NOTE] = cells[_CATEGORY]
            else:
                cells[_NOTE] = ""
        return cells

    def build(
        kind: ListKind, key: str, title: str, chosen: list[int], school: str | None = None
    ) -> PublicationList:
        columns = [c for c in _COLUMNS[kind] if not (hide_ids and c == _ID)]
        rows = tuple(
            tuple(cells[c] for c in columns)
            for cells in (row(kind, n, i) for n, i in enumerate(chosen, start=1))
        )
        return PublicationList(
            key=key,
            title=title,
            header=tuple(tr(c) for c in columns),
            rows=rows,
            kind=kind,
            school=school,
            teachers=tuple(ids[i] for i in chosen),
            numeric=frozenset(i for i, c in enumerate(columns) if c in _NUMERIC),
        )

    def county_order(kind: ListKind) -> Callable[[int], tuple[Any, ...]]:
        if kind in _LISTED_AT_HOME or kind is ListKind.WARNING_TALK:
            return lambda i: (homes[i], -scores[i], ids[i])
        return lambda i: (held_schools[i] or "", held_posts[i] or "", -scores[i], ids[i])

    def school_order(i: int) -> tuple[Any, ...]:
        return (_SCHOOL_ORDER[kinds[i]], held_posts[i] or "", -scores[i], ids[i])

    by_kind: dict[ListKind, list[int]] = {kind: [] for kind in ListKind}
    by_school: dict[str, list[int]] = {}
    for i, kind in enumerate(kinds):
        by_kind[kind].append(i)
        if ids[i] in warned:
            by_kind[ListKind.WARNING_TALK].append(i)
        listed_at = homes[i] if kind in _LISTED_AT_HOME else held_schools[i]
        by_school.setdefault(listed_at or homes[i], []).append(i)

    lists = []
    for kind in (*OUTCOME_LISTS, ListKind.WARNING_TALK):
        chosen = sorted(by_kind[kind], key=county_order(kind))
        if chosen:
            lists.append(build(kind, kind.value, tr(LIST_TITLES[kind]), chosen))
    if result.exceptions:
        lists.append(_exception_list(result, words, name, hide_ids))
    for school_id in sorted(by_school):
        chosen = sorted(by_school[school_id], key=school_order)
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
    outcomes = result.outcomes_of(e.teacher for e in result.exceptions)
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
            _TARGET: tr("; ").join(target_name(t, tr) for t in e.targets),
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
