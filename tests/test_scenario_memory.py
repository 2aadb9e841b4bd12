"""A loaded scenario holds less and shares more, and nobody can tell but by its size.

Issue 19: a 300,000-teacher scenario took 1.2 GB, over half of it pydantic's
per-instance fields-sets. Teachers (and their pay and evaluation) given the same
fields now share one fields-set; these tests show that sharing is real and that
no copy, update or refused assignment can change what another teacher reports.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

import kgxp
from kgxp import Pay, Teacher
from tests.conftest import load_benchmark
from tests.factories import scenario_data, teacher

PAY = {
    "basic_salary": "3870.00",
    "basic_performance": "1630.00",
    "incentive_performance": "700.00",
    "year_end_bonus": "13000.00",
}
EVALUATION = {
    "student_rating": 80,
    "peer_review": 70,
    "quality_assessment": 60,
    "school_evaluation": 90,
}


def test_teachers_given_the_same_fields_share_one_fields_set(example_path: Path) -> None:
    teachers = kgxp.load_scenario(example_path).teachers
    every_field = set(Teacher.model_fields)
    assert all(t.model_fields_set == every_field for t in teachers)
    assert len({id(t.model_fields_set) for t in teachers}) == 1
    pays = [t.pay for t in teachers if t.pay is not None]
    assert len(pays) > 1 and len({id(p.model_fields_set) for p in pays}) == 1
    evaluations = [t.evaluation for t in teachers if t.evaluation is not None]
    assert len(evaluations) > 1 and len({id(e.model_fields_set) for e in evaluations}) == 1


def test_a_shared_fields_set_names_exactly_the_fields_given() -> None:
    data = scenario_data()
    data["teachers"][0]["pay"] = PAY  # no rural_allowance: its default
    data["teachers"][1]["pay"] = {**PAY, "rural_allowance": "460.00"}
    data["teachers"][2]["evaluation"] = EVALUATION
    t1, t2, t3 = kgxp.parse_scenario(data).teachers
    given = set(teacher("X", "A"))
    assert t1.model_fields_set == given | {"pay"}
    assert t2.model_fields_set is t1.model_fields_set
    assert t3.model_fields_set == given | {"evaluation"}
    assert t1.pay is not None and t2.pay is not None
    assert t1.pay.model_fields_set == set(PAY)
    assert t2.pay.model_fields_set == set(Pay.model_fields)
    # What the fields-set is for: dumping only what was given.
    assert t1.model_dump(exclude_unset=True).keys() == given | {"pay"}
    assert t1.pay.model_dump(exclude_unset=True).keys() == set(PAY)
    # Same as a teacher validated alone, whose set pydantic made (and sharing then replaced).
    alone = Teacher.model_validate({**teacher("X", "A"), "pay": PAY})
    assert alone.model_fields_set == t1.model_fields_set


def test_a_file_cannot_grow_the_shared_fields_sets_without_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Which optional fields a record gives is the file's choice: past the registry's
    # limit, records keep a fields-set of their own, still exactly the fields given.
    from kgxp.model import building

    monkeypatch.setattr(building, "_FIELDS_SETS", dict(building._FIELDS_SETS))
    full = len(building._FIELDS_SETS)
    monkeypatch.setattr(building, "_FIELDS_SETS_LIMIT", full)  # no room left
    data = scenario_data()
    data["teachers"][1]["performance"] = 85.0
    data["teachers"][2]["retirement_base_age"] = 60
    teachers = kgxp.parse_scenario(data).teachers
    assert len(building._FIELDS_SETS) == full
    for record, loaded in zip(data["teachers"], teachers, strict=True):
        assert loaded.model_fields_set == set(record)
    assert teachers[1].model_fields_set is not teachers[2].model_fields_set


def test_no_copy_or_assignment_changes_a_shared_fields_set() -> None:
    first, second, _ = kgxp.parse_scenario(scenario_data()).teachers
    shared = first.model_fields_set
    assert second.model_fields_set is shared
    before = set(shared)
    changed = first.model_copy(update={"pay": Pay.model_validate(PAY), "title": "senior"})
    assert changed.model_fields_set == before | {"pay", "title"}
    assert shared == before and second.model_fields_set == before
    for copied in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert copied == first and copied.model_fields_set == before
    with pytest.raises(ValidationError):
        first.score = 1.0  # type: ignore[misc]
    assert shared == before
    evolved = kgxp.parse_scenario(scenario_data()).with_teacher("T1", score=Decimal("91.5"))
    assert evolved.teachers[0].score == 91.5
    assert evolved.teachers[1].model_fields_set == before
    # with_teacher validates the changed record from its full dump, every field given.
    assert evolved.teachers[0].model_fields_set == set(Teacher.model_fields)


def test_decoding_shares_repeated_strings(example_path: Path) -> None:
    # The decoded file is alive while the scenario is built: its repeated ids, subjects
    # and enum values are shared objects (380 MB rather than 690 for 300,000 teachers).
    # Shared, not one object each: jiter's string cache is a fixed-size table, hashed
    # differently in every process, whose slots a colliding string takes over, so a
    # value now and then gets another copy (worst of 300 processes on the example
    # county: 2.4% of one field's occurrences; two values colliding on one slot can
    # copy one field throughout). Without the cache every occurrence is its own object.
    from kgxp._internal.json_decode import decode_json

    records = decode_json(example_path.read_bytes())["teachers"]
    values = [r["school"] for r in records] + [r["sex"] for r in records]
    values += [subject for r in records for subject in r["subjects"]]
    assert len(values) > 8_000 and len(set(values)) < 100
    assert len({id(text) for text in values}) <= len(values) // 2


@pytest.mark.parametrize(
    ("given", "message", "code"),
    [
        (58, "Value error, must be one of [50, 55, 60] (§4), got 58", "value_error"),
        (True, "Value error, must be one of [50, 55, 60] (§4), got 1", "value_error"),
        (
            "x",
            "Input should be a valid integer, unable to parse string as an integer",
            "int_parsing",
        ),
        (
            55.5,
            "Input should be a valid integer, got a number with a fractional part",
            "int_from_float",
        ),
    ],
)
def test_a_wrong_base_age_is_reported_as_before(given: object, message: str, code: str) -> None:
    # The base-age check moved inside the optional (no Python call for the usual null):
    # the same located problem, word for word.
    data = scenario_data()
    data["teachers"][1]["retirement_base_age"] = given
    with pytest.raises(kgxp.ScenarioError) as caught:
        kgxp.parse_scenario(data)
    [problem] = caught.value.problems
    assert (problem.record, problem.field, problem.record_id) == (
        "teachers[1]",
        "retirement_base_age",
        "T2",
    )
    assert (problem.message, problem.code) == (message, code)


def test_a_known_base_age_or_none_is_accepted() -> None:
    data = scenario_data()
    data["teachers"][0]["retirement_base_age"] = "55"
    data["teachers"][1]["retirement_base_age"] = 60
    first, second, third = kgxp.parse_scenario(data).teachers
    assert (first.retirement_base_age, second.retirement_base_age) == (55, 60)
    assert third.retirement_base_age is None and third.base_age == 55


def _pydantics_own(pay: dict[str, object]) -> Pay:
    return Pay.model_validate(pay)  # Pay itself always validates through pydantic


def _teachers_pay(pay: Mapping[str, object]) -> Pay:
    validated = Teacher.model_validate({**teacher("X", "A"), "pay": pay}).pay
    assert validated is not None
    return validated


@pytest.mark.parametrize(
    "pay",
    [PAY, {**PAY, "rural_allowance": "460.00"}, {**PAY, "rural_allowance": "0"}],
)
def test_a_pay_of_known_amounts_is_the_one_pydantic_builds(pay: dict[str, object]) -> None:
    from kgxp.model.scenario import _pay_of_known_amounts

    reference = _pydantics_own(pay)  # its amounts are now known texts
    built = _pay_of_known_amounts(dict(pay))
    assert built is not None  # built at once, without pydantic
    for candidate in (built, _teachers_pay(dict(pay)), _teachers_pay(OrderedDict(pay))):
        assert list(candidate.__dict__.items()) == list(reference.__dict__.items())
        assert candidate.model_fields_set == reference.model_fields_set == set(pay)
        assert (candidate.__pydantic_extra__, candidate.__pydantic_private__) == (None, None)
        assert candidate == reference and repr(candidate) == repr(reference)
        assert candidate.model_dump_json() == reference.model_dump_json()
        assert candidate.model_dump(exclude_unset=True) == reference.model_dump(exclude_unset=True)
    # Not for what it has not seen or cannot take as it is: pydantic's path decides.
    assert _pay_of_known_amounts({**PAY, "basic_salary": "3870.01"}) is None
    assert _pay_of_known_amounts({**PAY, "basic_salary": 3870}) is None
    assert _pay_of_known_amounts({**PAY, "bonus": "0"}) is None


def test_pays_and_teachers_built_directly_are_filled_without_warnings() -> None:
    # Pay(...) fills the instance it creates: the shortcut lives on the teacher's field.
    _pydantics_own(PAY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pay = Pay(**PAY)  # type: ignore[arg-type]
        made = Teacher(**{**teacher("X", "A"), "pay": dict(PAY)})
    assert pay.basic_salary == Decimal("3870.00") and pay.rural_allowance == 0
    assert made.pay == pay


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"basic_salary": "-1"}, "basic_salary", "greater_than_equal"),
        ({"year_end_bonus": "1.001"}, "year_end_bonus", "decimal_max_places"),
        ({"rural_allowance": "x"}, "rural_allowance", "decimal_parsing"),
        ({"bonus": "3870.00"}, "bonus", "extra_forbidden"),
        ({"basic_salary": None}, "basic_salary", "decimal_type"),
    ],
)
def test_a_pay_with_one_bad_amount_among_known_ones_is_refused_as_before(
    change: dict[str, object], field: str, code: str
) -> None:
    _pydantics_own({**PAY, "rural_allowance": "460.00"})  # every other text known
    for given in (OrderedDict({**PAY, **change}), {**PAY, **change}):
        with pytest.raises(ValidationError) as caught:
            _teachers_pay(given)
        assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("pay", field), code)]


def test_a_pay_missing_an_amount_is_refused_as_before() -> None:
    _pydantics_own(PAY)
    partial = {name: text for name, text in PAY.items() if name != "year_end_bonus"}
    for given in (partial, {**partial, "rural_allowance": "460.00"}):
        with pytest.raises(ValidationError) as caught:
            _teachers_pay(given)
        assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
            (("pay", "year_end_bonus"), "missing")
        ]


@pytest.mark.parametrize("limit", [256, 1, 0])
def test_the_teacher_screen_clears_exactly_the_teachers_without_preference_problems(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # The screen looks preferences up in the posts of the teacher's subjects (kept for a
    # bounded number of subject sets, beyond which it maps each post to its subject):
    # it must clear a teacher exactly when the full check finds nothing.
    from kgxp.model import teacher_validation

    monkeypatch.setattr(teacher_validation, "_QUALIFIED_SETS_LIMIT", limit)
    data = scenario_data()  # posts A-CHN, B-CHN (语文), A-MAT (数学)
    cases = [
        (("语文",), ["A-CHN", "B-CHN"], True),
        (("数学", "语文"), ["A-MAT", "B-CHN"], True),
        (("语文", "数学"), ["B-CHN", "A-MAT", "A-CHN"], True),
        (("数学",), [], True),
        (("语文",), ["A-CHN", "A-MAT"], False),  # not qualified for 数学
        (("数学", "体育"), ["A-MAT", "B-CHN"], False),
        (("语文",), ["A-CHN", "NOPE"], False),  # unknown post
        (("体育",), ["A-CHN"], False),  # a subject no post has
        (("语文",), ["B-CHN", "B-CHN"], False),  # listed twice
    ]
    teachers = [
        Teacher.model_validate(teacher(f"T{i}", "A", subjects, preferences=preferences))
        for i, (subjects, preferences, _) in enumerate(cases)
    ]
    scenario = kgxp.parse_scenario(data)
    school_ids = {s.id for s in scenario.schools}
    subject_of = {p.id: p.subject for p in scenario.posts}
    month = scenario.competition_month
    suspects = teacher_validation._not_plainly_valid(teachers, school_ids, month.index, subject_of)
    assert suspects == [i for i, (_, _, clear) in enumerate(cases) if not clear]
    for index, (_, _, clear) in enumerate(cases):
        found = teacher_validation._teacher_problems(
            index, teachers[index], school_ids, month, subject_of
        )
        assert bool(found) is not clear


def test_load_memory_benchmark_prints_a_row_per_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = load_benchmark("load_memory.py")
    module.main(["--teachers", "300", "--repeat", "2"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 300 |")]
    assert len(rows) == 2
    assert all(float(row.split("|")[-2].replace(",", "")) > 0 for row in rows)
