"""The scenario: everything one 县管校聘 placement round needs as input.

A scenario is a frozen pydantic model. Field-level checks (types, ranges) run
when it is built; the cross-record checks of :mod:`kgxp.model.validation` (duplicate
ids, unknown references, staffing totals R1, merge cycles R3, …) run right
after, so every :class:`Scenario` that exists is valid. ``model_copy(update=...)``
bypasses pydantic validation, so every entry point that runs a scenario
validates it again; use :meth:`Scenario.evolve` for what-ifs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from kgxp._internal.frozen import FrozenModel, Id, NonEmptyStr, TextEnum
from kgxp._internal.rendering import html_of
from kgxp.exceptions import Problem, ScenarioError
from kgxp.model.building import raw_instance, share_fields_set, shared_fields_set
from kgxp.model.months import YearMonth
from kgxp.model.retirement import BASE_AGES
from kgxp.model.semester import Semester

__all__ = [
    "Circumstance",
    "County",
    "Education",
    "Evaluation",
    "IncomingWaiting",
    "Locality",
    "Pay",
    "Post",
    "Scenario",
    "School",
    "Segment",
    "Sex",
    "Staffing",
    "Teacher",
    "Title",
]

SCHEMA_VERSION = 1


class Segment(TextEnum):
    """School segment (学段)."""

    PRIMARY = "primary"  # 小学 (teaching points 教学点 included)
    JUNIOR = "junior"  # 初级中学 / 初中部
    NINE_YEAR = "nine_year"  # 九年制学校


class Locality(TextEnum):
    """Urban or rural, for R16 flows and R18 allowances."""

    URBAN = "urban"
    RURAL = "rural"


class Sex(TextEnum):
    MALE = "male"
    FEMALE = "female"


class Title(TextEnum):
    """Professional title (职称), ordered from lowest to highest; a tie-breaker."""

    NONE = "none"  # 未定级
    JUNIOR = "junior"  # 初级 (二级教师)
    INTERMEDIATE = "intermediate"  # 中级 (一级教师)
    SENIOR = "senior"  # 副高级 (高级教师)
    FULL_SENIOR = "full_senior"  # 正高级

    @property
    def rank(self) -> int:
        return _TITLE_RANK[self]


_TITLE_RANK = {t: i for i, t in enumerate(Title)}


class Education(TextEnum):
    """Highest education (学历), ordered from lowest to highest; a tie-breaker."""

    SECONDARY = "secondary"  # 中师 / 高中
    ASSOCIATE = "associate"  # 专科
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士

    @property
    def rank(self) -> int:
        return _EDUCATION_RANK[self]


_EDUCATION_RANK = {e: i for i, e in enumerate(Education)}


class Circumstance(TextEnum):
    """A teacher's situation in the competition month; which ones protect is policy (R4).

    The first four are the seed's protected list (seed 000); the rest are
    categories other counties protect, available to :class:`~kgxp.model.policy.Policy`.
    Nearness to retirement is not a circumstance: it is computed (R4, §4).
    """

    MATERNITY_LEAVE = "maternity_leave"  # 产假
    SERIOUS_SICK_LEAVE = "serious_sick_leave"  # 重病假
    VILLAGE_WORK_TEAM = "village_work_team"  # 脱贫攻坚驻村工作队
    AID_TIBET_YI = "aid_tibet_yi"  # 援藏援彝支教
    PREGNANCY = "pregnancy"  # 孕期
    BREASTFEEDING = "breastfeeding"  # 哺乳期
    AID_XINJIANG = "aid_xinjiang"  # 援疆
    SECONDMENT = "secondment"  # 借调 / 挂职


class County(FrozenModel):
    """The county (or district) running the round."""

    name: NonEmptyStr
    code: str | None = Field(default=None, description="administrative division code, if known")
    synthetic: bool = Field(
        default=False, description="true when the people in this scenario are made up"
    )
    note: str | None = None


class Staffing(FrozenModel):
    """R1: totals the posts must fit in.

    ``total_posts`` is the county staffing quota (编制总量, fixed by 县委编委) for the
    schools of this scenario; ``posts_by_level`` the post totals per level (岗位总量,
    fixed by 县人社局 per level). Posts' seats, reserved seats included, must fit both.
    """

    total_posts: int = Field(ge=0)
    posts_by_level: dict[NonEmptyStr, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


class School(FrozenModel):
    """A school. ``merged_into`` marks a school closed by layout adjustment (撤并, R3)."""

    id: Id
    name: NonEmptyStr
    segment: Segment
    locality: Locality
    enrolment: int = Field(ge=0, description="pupils enrolled, for the balance metric (§6)")
    district: Id | None = Field(default=None, description="学区 id (R11)")
    community: Id | None = Field(default=None, description="教共体 id (R17)")
    group: Id | None = Field(default=None, description="教育集团 id (seed 003)")
    merged_into: Id | None = Field(
        default=None,
        description="R3: the school the pupils flowed to; its in-school round takes this "
        "school's teachers. A merged school has no posts.",
    )


class Post(FrozenModel):
    """A post (岗位): seats for one subject at one school and level."""

    id: Id
    school: Id
    subject: NonEmptyStr
    level: NonEmptyStr = Field(
        default="standard", description="post level (层次) as the HR bureau counts it (R1)"
    )
    seats: int = Field(ge=0, le=10_000)
    reserved: int = Field(
        default=0, ge=0, description="R2: seats kept for this year's new recruits; never competed"
    )
    cross_school_seats: int | None = Field(
        default=None,
        ge=0,
        description="R5: seats designated for the cross-school round, used when the policy "
        "chooses designated cross-school seats",
    )


class Evaluation(FrozenModel):
    """R15 四维一体 composite evaluation components, each on a 0–100 scale."""

    student_rating: float = Field(ge=0, le=100, allow_inf_nan=False)
    peer_review: float = Field(ge=0, le=100, allow_inf_nan=False)
    quality_assessment: float = Field(ge=0, le=100, allow_inf_nan=False)
    school_evaluation: float = Field(ge=0, le=100, allow_inf_nan=False)


# Validated amounts by their text: pay comes as strings ("3880.00") among a few hundred
# distinct values, and pydantic's Decimal parsing and digit checks cost ~7 µs a Pay (a
# third of validating a county's teachers when half of them have pay). A Decimal is
# immutable, so equal texts can share the one validated value; other input, and any
# error, goes through pydantic.
_MONEY: dict[str, Decimal] = {}
_MONEY_LIMIT = 20_000


def _shared_money(value: Any, handler: ValidatorFunctionWrapHandler) -> Decimal:
    if type(value) is not str:
        validated: Decimal = handler(value)
        return validated
    known = _MONEY.get(value)
    if known is None:
        known = handler(value)
        if len(_MONEY) < _MONEY_LIMIT:
            _MONEY[value] = known
    return known


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False),
    WrapValidator(_shared_money),
]


class Pay(FrozenModel):
    """A teacher's pay components in yuan (county data, §5)."""

    basic_salary: Money = Field(description="基本工资, per month")
    basic_performance: Money = Field(description="基础性绩效, per month")
    incentive_performance: Money = Field(description="奖励性绩效, per month on average")
    year_end_bonus: Money = Field(description="年终质量奖, per year")
    rural_allowance: Money = Field(
        default=Decimal(0),
        description="R18: 乡镇工作津贴 + 交通补贴 + 乡村教师生活补贴, per month, paid while "
        "teaching at a rural school",
    )


# A teacher's pay read from a file whose amounts are all texts validated before (see
# _MONEY) is built at once, in one call into Python rather than pydantic's model build
# and a call per amount: ~40% of the cost of validating a pay (issue 19, 50,000 pays in a
# county of 100,000 teachers). The instance is the one pydantic builds (same
# ``__dict__`` in field order, fields-set, no extra); anything else — another key, a
# number, a text not seen yet, any error — goes through pydantic as before. On the
# teacher's field, not on Pay itself: ``Pay(...)`` must fill the instance it creates.
def _pay_from_known_amounts(value: Any, handler: ValidatorFunctionWrapHandler) -> Pay:
    if type(value) is dict:
        known = _pay_of_known_amounts(value)
        if known is not None:
            return known
    validated: Pay = handler(value)
    return validated


# Read from the model, so that the shortcut cannot drift from it: the four required
# amounts, and the one optional, the R18 allowance, with its default.
_PAY_NAMES = tuple(name for name, field in Pay.model_fields.items() if field.is_required())
(_PAY_ALLOWANCE,) = (name for name, field in Pay.model_fields.items() if not field.is_required())
_PAY_DEFAULT_ALLOWANCE = Pay.model_fields[_PAY_ALLOWANCE].default
if tuple(Pay.model_fields) != (*_PAY_NAMES, _PAY_ALLOWANCE):  # pragma: no cover - model edit
    raise RuntimeError("the pay shortcut builds __dict__ with the allowance last")


def _pay_of_known_amounts(value: dict[Any, Any]) -> Pay | None:
    given = len(value)
    if given == len(_PAY_NAMES) + 1:
        allowance_text = value.get(_PAY_ALLOWANCE)
        if type(allowance_text) is not str:
            return None
        allowance = _MONEY.get(allowance_text)
        if allowance is None:
            return None
        names = _EVERY_PAY_FIELD
    elif given == len(_PAY_NAMES):
        allowance = _PAY_DEFAULT_ALLOWANCE
        names = _REQUIRED_PAY_FIELDS
    else:
        return None
    amounts: dict[str, Decimal] = {}
    for name in _PAY_NAMES:
        text = value.get(name)
        if type(text) is not str:
            return None
        amount = _MONEY.get(text)
        if amount is None:
            return None
        amounts[name] = amount
    amounts[_PAY_ALLOWANCE] = allowance
    return raw_instance(Pay, amounts, names)


# Inside the optional, so the usual ``null`` is accepted without a call into Python.
TeacherPay = Annotated[Pay, WrapValidator(_pay_from_known_amounts)]


def _known_base_age(value: int) -> int:
    if value not in BASE_AGES:
        raise ValueError(f"must be one of {sorted(BASE_AGES)} (§4), got {value}")
    return value


# Checked inside the optional, so the usual ``null`` (the default by sex) is accepted in
# pydantic-core without a call into Python per teacher; same message and location.
BaseAge = Annotated[int, AfterValidator(_known_base_age)]


class Teacher(FrozenModel):
    """A teacher taking part in the round (directly or as a protected teacher, R4)."""

    id: Id
    name: NonEmptyStr
    school: Id = Field(
        description="current school; a merged school's teachers compete at the "
        "receiving school (R3)"
    )
    subjects: tuple[NonEmptyStr, ...] = Field(
        min_length=1, description="qualified subjects; the first is the main subject taught"
    )
    score: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="composite score (R15); computed from `evaluation` with the policy's "
        "weights when absent",
    )
    evaluation: Evaluation | None = None
    performance: float = Field(
        default=0,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="teaching performance (教学业绩), 0–100: adjustment order (R6), a tie-breaker",
    )
    sex: Sex
    birth: YearMonth
    retirement_base_age: BaseAge | None = Field(
        default=None,
        description="statutory base age (60, 55 or 50); default by sex from the policy (§4)",
    )
    service_start: YearMonth = Field(description="参加工作时间: start of service, for seniority")
    title: Title = Title.NONE
    education: Education = Education.BACHELOR
    key_teacher: bool = Field(default=False, description="county-level or above 骨干 (§6)")
    above_required_qualification: bool = Field(
        default=False, description="holds more than the required qualification (§6)"
    )
    circumstances: tuple[Circumstance, ...] = ()  # sorted and unique: see _whole_record
    willing_to_adjust: bool = Field(default=True, description="R6: accepts 组织调剂")
    volunteers_cross_school: bool = Field(
        default=False,
        description="applies to the cross-school round without entering the in-school round, "
        "where the policy allows it",
    )
    preferences: tuple[Id, ...] = Field(
        default=(),
        description="ranked post ids (双向选择, R12): own-school posts are used by the in-school "
        "round, other schools' posts by the cross-school round",
    )
    pay: TeacherPay | None = None

    # One validator for the whole record rather than one more per field: pydantic-core
    # calls each from Rust for every teacher, and the call costs more than the check.
    @model_validator(mode="after")
    def _whole_record(self) -> Self:
        if self.score is None and self.evaluation is None:
            raise ValueError("a teacher needs a composite `score` or its `evaluation` components")
        # Sets serialise in hash order, which changes between processes; sorted
        # tuples keep saved files byte-identical (I12). Most teachers have none.
        if len(self.circumstances) > 1:
            object.__setattr__(self, "circumstances", tuple(sorted(set(self.circumstances))))
        _share_fields_sets(self)
        return self

    @property
    def main_subject(self) -> str:
        return self.subjects[0]

    @property
    def base_age(self) -> int:
        """Statutory base age: the per-teacher override, else 60 for men and 55 for women (§4)."""
        if self.retirement_base_age is not None:
            return self.retirement_base_age
        return 60 if self.sex is Sex.MALE else 55


def _share_fields_sets(teacher: Teacher) -> None:
    # A teacher's own fields-sets were five times its fields (issue 19: see
    # kgxp.model.building.share_fields_set).
    share_fields_set(teacher)
    if teacher.pay is not None:
        share_fields_set(teacher.pay)
    if teacher.evaluation is not None:
        share_fields_set(teacher.evaluation)


_EVERY_PAY_FIELD = shared_fields_set(Pay.model_fields)
_REQUIRED_PAY_FIELDS = shared_fields_set(_PAY_NAMES)


class IncomingWaiting(FrozenModel):
    """A teacher who enters this scenario already waiting (R7, R9, R10): a next semester's
    re-competition is an ordinary scenario whose waiting teachers say where they stand.

    ``streak`` counts the waiting semesters completed (the register's streak), ``terms``
    the waiting terms completed, ``term_semesters`` the semesters completed of the
    current term; ``due`` says the term has ended and the teacher competes in this
    scenario's re-competition (R9). ``since`` is the first semester of the streak
    (``"2026-autumn"``) and ``school`` the school assigned for 跟岗学习/顶岗实践 (R7).
    """

    teacher: Id
    state: Literal["waiting", "continued_waiting", "dismissal_review"]
    streak: int = Field(ge=0, le=1000)
    terms: int = Field(default=0, ge=0, le=1000)
    term_semesters: int = Field(default=0, ge=0, le=1000)
    due: bool = True
    since: Semester
    school: Id | None = None


def _unvalidated(current: Any, value: Any) -> Any:
    """``value`` with every record that is not one of ``current``'s own as plain data.

    pydantic accepts a model instance as it is, without validating it again, and
    ``model_copy(update=...)`` builds one without validating (the appeal recipe in
    docs/round.md does): a record so built must be validated like one read from a
    file. Unchanged records (the very objects of ``current``) are kept, so the
    cost is that of the changed records only.
    """
    if isinstance(value, FrozenModel):
        return value if value is current else _as_data(value)
    if isinstance(value, list | tuple) and isinstance(current, tuple):
        kept = {id(record) for record in current}
        return [
            item if id(item) in kept or not isinstance(item, FrozenModel) else _as_data(item)
            for item in value
        ]
    return value


def _as_data(value: Any) -> Any:
    """A model's fields as they are stored (not serialised: a bad value stays as it is)."""
    if isinstance(value, FrozenModel):
        return {name: _as_data(item) for name, item in value.__dict__.items()}
    if isinstance(value, list | tuple):
        return [_as_data(item) for item in value]
    return value


class Scenario(FrozenModel):
    """One county's placement round, as input.

    >>> from kgxp import Scenario
    >>> Scenario.model_json_schema()["title"]
    'Scenario'
    """

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    county: County
    competition_month: YearMonth = Field(description="month of the competition (R4)")
    staffing: Staffing
    schools: tuple[School, ...]
    posts: tuple[Post, ...]
    # Omitted from the file and the digest when empty, so scenarios without waiting
    # teachers keep their bytes and digests.
    waiting: tuple[IncomingWaiting, ...] = Field(
        default=(),
        exclude_if=lambda value: not value,
        description="teachers who come in waiting (a next semester's re-competition, R9)",
    )
    teachers: tuple[Teacher, ...]

    @model_validator(mode="after")
    def _cross_record_checks(self) -> Self:
        from kgxp.model.validation import raise_for_problems

        raise_for_problems(self)
        return self

    def evolve(self, **changes: Any) -> Scenario:
        """A changed copy, validated like a new scenario (the what-if primitive).

        Raises :class:`~kgxp.exceptions.ScenarioError` listing every problem.
        """
        from kgxp._internal.gc_pause import collector_paused
        from kgxp.model.validation import problems_from_validation_error

        unknown = set(changes) - set(type(self).model_fields)
        if unknown:
            raise TypeError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(
            {name: _unvalidated(getattr(self, name), value) for name, value in changes.items()}
        )
        try:
            with collector_paused():  # as in kgxp.parse_scenario
                return type(self).model_validate(data)
        except ValidationError as error:
            raise ScenarioError(problems_from_validation_error(error, data)) from None

    def with_teacher(self, teacher_id: str, **changes: Any) -> Scenario:
        """A copy with one teacher's fields changed (an appeal's corrected record), validated.

        >>> import kgxp
        >>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
        >>> scenario.with_teacher("T00001", score=91.5).teachers[0].score
        91.5
        >>> scenario.with_teacher("T00001", score=150)
        Traceback (most recent call last):
        ...
        kgxp.exceptions.ScenarioError: invalid scenario: 1 problem
          - teachers[0] (id=T00001).score: Input should be less than or equal to 100
        """
        return self._with_record("teachers", teacher_id, changes)

    def with_post(self, post_id: str, **changes: Any) -> Scenario:
        """A copy with one post's fields changed (``seats=3``), validated like a new scenario."""
        return self._with_record("posts", post_id, changes)

    def with_school(self, school_id: str, **changes: Any) -> Scenario:
        """A copy with one school's fields changed (``merged_into="S01"``), validated."""
        return self._with_record("schools", school_id, changes)

    def _with_record(self, collection: str, record_id: str, changes: dict[str, Any]) -> Scenario:
        records: tuple[School | Post | Teacher, ...] = getattr(self, collection)
        model = type(records[0]) if records else None
        index = next((i for i, r in enumerate(records) if r.id == record_id), None)
        if index is None or model is None:
            raise ScenarioError(
                [Problem(collection, "id", f"no record with id {record_id!r}", code="unknown_id")]
            )
        unknown = set(changes) - set(model.model_fields)
        if unknown:
            raise TypeError(f"unknown {model.__name__} field(s): {', '.join(sorted(unknown))}")
        # Through a dict, so the changed record is validated as if it were read from a file.
        data = {**records[index].model_dump(), **changes}
        try:
            changed = model.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(
                Problem(
                    f"{collection}[{index}]",
                    ".".join(str(part) for part in item["loc"]) or "(whole record)",
                    item["msg"],
                    record_id=record_id,
                    code=item["type"],
                )
                for item in error.errors(include_url=False)
            ) from None
        return self.evolve(**{collection: (*records[:index], changed, *records[index + 1 :])})

    def __repr__(self) -> str:
        # A summary: a county's scenario is megabytes of text (details: .teachers, …).
        return (
            f"Scenario(county={self.county.name!r}, competition_month='{self.competition_month}', "
            f"schools={len(self.schools)}, posts={len(self.posts)}, "
            f"teachers={len(self.teachers)}, staffing={self.staffing.total_posts})"
        )

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: counts by school, subject and protected category."""
        return html_of(self)  # drawn by kgxp.views.html, registered there

    def receiving_schools(self) -> dict[str, str]:
        """R3: for every school id, the school whose in-school round its teachers join.

        A school closed by layout adjustment hands its teachers to the school its
        pupils flowed to (following chains of merges); others map to themselves.
        """
        into = {s.id: s.merged_into for s in self.schools}
        resolved: dict[str, str] = {}
        for school in self.schools:
            current, seen = school.id, {school.id}
            while (nxt := into.get(current)) is not None and nxt not in seen:
                seen.add(nxt)
                current = nxt
            resolved[school.id] = current
        return resolved
