"""The entry points' arguments: a wrong kind or value fails at once, in kgxp's own words.

``run_round``, ``run_rounds``, ``lottery_odds``, ``simulate`` and ``verify`` take values
from services and notebooks. Each bad one raises ``TypeError`` or ``ValueError`` with
a message naming the argument, before any round, draw or semester runs — never a
foreign ``AttributeError``, a ``ValidationError`` of the result after the work, or a
silent reading (``policy={}`` as the default policy, ``retirement_vacancies="no"`` as
yes).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgxp
from kgxp import Policy, lottery_odds, parse_scenario, run_round, run_rounds, simulate
from kgxp.model.semester import Semester
from tests.factories import scenario_data

SCENARIO = parse_scenario(scenario_data())
FIRST_RECOMPETITION = str(Semester.containing(SCENARIO.competition_month + 1) + 1)
POST = SCENARIO.posts[0].id

NOT_A_SEED = [-1, True, 7.0, "7", None, Decimal(7), np.True_, [7]]
NOT_A_SCENARIO = [None, {}, scenario_data(), "examples/ziyang_county.json"]
NOT_A_POLICY = [{}, {"in_school_share": "0.85"}, "default", 0.9]


class CountingPool(ThreadPoolExecutor):
    """A real thread pool that counts the tasks it was given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def never(*_: object) -> None:
    raise AssertionError("work started before the arguments were checked")


@pytest.mark.parametrize("seed", [s for s in NOT_A_SEED if s is not None])
def test_run_round_refuses_a_seed_that_is_not_a_whole_number_at_least_zero(seed: object) -> None:
    # I12: the seed is the only source of randomness and is published with the result.
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        run_round(SCENARIO, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [s for s in NOT_A_SEED if s is not None])
def test_run_rounds_and_simulate_refuse_it_before_any_work(seed: object) -> None:
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        run_rounds(SCENARIO, {"a": Policy()}, seed=seed, progress=never)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        simulate(SCENARIO, semesters=2, seed=seed, progress=never)  # type: ignore[arg-type]
    pool = CountingPool()
    with pool, pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        lottery_odds(SCENARIO, draws=2, seed=seed, executor=pool)  # type: ignore[arg-type]
    assert pool.submitted == 0


def test_a_numpy_integer_seed_is_the_plain_number_it_holds() -> None:
    expected = run_round(SCENARIO, seed=7)
    given_numpy = run_round(SCENARIO, seed=np.int64(7))  # type: ignore[arg-type]
    assert type(given_numpy.seed) is int
    assert given_numpy.to_json() == expected.to_json()


@pytest.mark.parametrize("scenario", NOT_A_SCENARIO)
def test_every_entry_point_refuses_what_is_not_a_scenario(scenario: object) -> None:
    calls: list[Callable[[], object]] = [
        lambda: run_round(scenario),  # type: ignore[arg-type]
        lambda: run_rounds(scenario, {"a": Policy()}, progress=never),  # type: ignore[arg-type]
        lambda: lottery_odds(scenario, draws=2, executor="serial"),  # type: ignore[arg-type]
        lambda: simulate(scenario, semesters=2, progress=never),  # type: ignore[arg-type]
        lambda: kgxp.verify(scenario, run_round(SCENARIO)),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"scenario must be a kgxp\.Scenario .*got "):
            call()


@pytest.mark.parametrize("policy", NOT_A_POLICY)
def test_every_entry_point_refuses_what_is_not_a_policy(policy: object) -> None:
    # {} used to run under the default policy without a word.
    calls: list[Callable[[], object]] = [
        lambda: run_round(SCENARIO, policy=policy),  # type: ignore[arg-type]
        lambda: run_rounds(SCENARIO, {"a": SCENARIO}, policy=policy, progress=never),  # type: ignore[arg-type]
        lambda: lottery_odds(SCENARIO, policy, draws=2, executor="serial"),  # type: ignore[arg-type]
        lambda: simulate(SCENARIO, policy, semesters=2, progress=never),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"policy must be a kgxp\.Policy .*got "):
            call()


def test_the_other_entry_points_taking_a_policy_refuse_what_is_not_one() -> None:
    from kgxp.views.balance import target_frontier
    from kgxp.waiting.register import register_from_round

    register = register_from_round(SCENARIO, run_round(SCENARIO))
    for policy in NOT_A_POLICY:
        with pytest.raises(TypeError, match=r"policy must be a kgxp\.Policy"):
            kgxp.summarize(SCENARIO, policy)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"policy must be a kgxp\.Policy"):
            target_frontier(SCENARIO, ["0.1"], policy=policy)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"policy must be a kgxp\.Policy"):
            kgxp.run_recompetition(SCENARIO, register, policy)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"scenario must be a kgxp\.Scenario"):
        kgxp.summarize(scenario_data())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        kgxp.run_recompetition(SCENARIO, register, seed=-2)


@pytest.mark.parametrize("result", [None, {}, "{}", SCENARIO])
def test_verify_refuses_what_is_not_a_result(result: object) -> None:
    with pytest.raises(TypeError, match=r"result must be a kgxp\.RoundResult .*got "):
        kgxp.verify(SCENARIO, result)  # type: ignore[arg-type]


@pytest.mark.parametrize("variants", [[Policy()], (("a", Policy()),), "baseline", None])
def test_run_rounds_refuses_variants_that_are_not_a_mapping(variants: object) -> None:
    with pytest.raises(TypeError, match="variants must be a mapping"):
        run_rounds(SCENARIO, variants, progress=never)  # type: ignore[arg-type]


@pytest.mark.parametrize("chunks", [0, -3, 2.5, "2", True])
def test_lottery_odds_refuses_a_chunk_count_that_is_not_positive_and_whole(chunks: object) -> None:
    # 0 used to mean 8 and -3 to mean 1, silently.
    pool = CountingPool()
    with pool, pytest.raises(ValueError, match="chunks must be a positive whole number"):
        lottery_odds(SCENARIO, draws=4, chunks=chunks, executor=pool)  # type: ignore[arg-type]
    assert pool.submitted == 0


@pytest.mark.parametrize("confidence", ["0.9", None, Decimal("NaN"), float("nan"), [0.9]])
def test_lottery_odds_refuses_a_confidence_that_is_not_a_number(confidence: object) -> None:
    with pytest.raises(ValueError, match="confidence must lie strictly between 0 and 1"):
        lottery_odds(SCENARIO, draws=2, confidence=confidence, executor="serial")  # type: ignore[arg-type]


def test_lottery_odds_takes_a_decimal_or_numpy_confidence_as_the_number() -> None:
    plain = lottery_odds(SCENARIO, draws=3, confidence=0.9, executor="serial")
    for level in (Decimal("0.9"), np.float64(0.9)):
        other = lottery_odds(SCENARIO, draws=3, confidence=level, executor="serial")  # type: ignore[arg-type]
        assert other.model_dump_json() == plain.model_dump_json()


def test_lottery_odds_refuses_more_draws_than_it_can_sensibly_run_before_drawing_a_seed() -> None:
    # 10**9 draws used to hash a billion seeds into a list before anything else.
    with pytest.raises(
        ValueError, match=r"draws must be a positive whole number, at most 1,000,000"
    ):
        lottery_odds(SCENARIO, draws=10**9, executor="serial")


@pytest.mark.parametrize("semesters", [0, -1, 2.5, "3", True, 10**6])
def test_simulate_refuses_a_semester_count_that_is_not_positive_whole_and_bounded(
    semesters: object,
) -> None:
    with pytest.raises(ValueError, match="semesters must be a positive whole number"):
        simulate(SCENARIO, semesters=semesters, progress=never)  # type: ignore[arg-type]


def test_simulate_refuses_a_horizon_past_the_last_semester_kgxp_can_name() -> None:
    data = {**scenario_data(), "competition_month": "9990-08"}
    for teacher in data["teachers"]:
        teacher["birth"], teacher["service_start"] = "9960-01", "9985-09"
    late = parse_scenario(data)
    with pytest.raises(ValueError, match="runs past 9998-spring"):
        simulate(late, semesters=40, progress=never)


@pytest.mark.parametrize("switch", ["no", 0, 1, None, "False"])
def test_simulate_refuses_a_retirement_switch_that_is_not_true_or_false(switch: object) -> None:
    # "no" used to be read as yes.
    with pytest.raises(TypeError, match="retirement_vacancies must be True or False"):
        simulate(SCENARIO, semesters=2, retirement_vacancies=switch, progress=never)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("vacancies", "message"),
    [
        ([1, 2], "vacancies must be a mapping"),
        ({FIRST_RECOMPETITION: [POST]}, f"vacancies for {FIRST_RECOMPETITION} must be a mapping"),
        ({FIRST_RECOMPETITION: {POST: -5}}, f"seats at {POST} in {FIRST_RECOMPETITION}"),
        ({FIRST_RECOMPETITION: {POST: 1.5}}, f"seats at {POST} in {FIRST_RECOMPETITION}"),
        ({FIRST_RECOMPETITION: {POST: "2"}}, f"seats at {POST} in {FIRST_RECOMPETITION}"),
        ({FIRST_RECOMPETITION: {POST: True}}, f"seats at {POST} in {FIRST_RECOMPETITION}"),
        ({FIRST_RECOMPETITION: {POST: 10**12}}, f"seats at {POST} in {FIRST_RECOMPETITION}"),
        ({FIRST_RECOMPETITION: {7: 1}}, "vacancies name unknown posts: 7"),
        (
            {FIRST_RECOMPETITION: {POST: 1}, Semester.parse(FIRST_RECOMPETITION): {POST: 2}},
            f"vacancies give {FIRST_RECOMPETITION} twice",
        ),
    ],
)
def test_simulate_refuses_a_bad_vacancy_table_before_the_round(
    vacancies: object, message: str
) -> None:
    # 1.5 seats used to run the round, then fail as "fills more seats than are open";
    # "2" failed with a foreign TypeError, -5 after the round, 10**12 not at all (R1: no
    # post opens more seats than the county's staffing total).
    with pytest.raises((TypeError, ValueError), match=message):
        simulate(SCENARIO, semesters=3, vacancies=vacancies, progress=never)  # type: ignore[arg-type]


def test_simulate_takes_numpy_seat_counts_as_the_numbers() -> None:
    plain = simulate(SCENARIO, semesters=3, vacancies={FIRST_RECOMPETITION: {POST: 1}})
    given_numpy = simulate(
        SCENARIO,
        semesters=3,
        vacancies={FIRST_RECOMPETITION: {POST: np.int64(1)}},  # type: ignore[dict-item]
    )
    assert given_numpy.model_dump_json() == plain.model_dump_json()


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.integers(max_value=-1),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.booleans(),
        st.decimals(allow_nan=True),
        st.lists(st.integers(), max_size=2),
    )
)
def test_no_bad_seed_reaches_the_engine(seed: object) -> None:
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        run_round(SCENARIO, seed=seed)  # type: ignore[arg-type]


def test_views_refuse_a_negative_row_count_which_would_drop_the_last_rows() -> None:
    # [:rows] with rows=-1 listed all but the last changed teacher, and the notice still
    # said "… and N more" with a wrong N: a teacher left out of a published notice.
    from kgxp.views.html import lottery_html
    from kgxp.views.html_comparison import comparison_html
    from kgxp.views.plots import plot_lottery

    result = run_round(SCENARIO)
    other = run_round(SCENARIO, seed=5)
    comparison = kgxp.compare(result, other)
    odds = lottery_odds(SCENARIO, draws=2, executor="serial")
    calls: dict[str, Callable[[object], object]] = {
        "rows": lambda n: kgxp.render_comparison(comparison, rows=n),  # type: ignore[arg-type]
        "rows ": lambda n: comparison_html(comparison, rows=n),  # type: ignore[arg-type]
        "rows  ": lambda n: lottery_html(odds, rows=n),  # type: ignore[arg-type]
        "limit": lambda n: plot_lottery(odds, limit=n),  # type: ignore[arg-type]
        "waiting_rows": lambda n: kgxp.render_report(SCENARIO, result, waiting_rows=n),  # type: ignore[arg-type]
    }
    for name, call in calls.items():
        for bad in (-1, 2.5, "3", True):
            with pytest.raises(ValueError, match=f"{name.strip()} must be a whole number ≥ 0"):
                call(bad)
        call(0)  # nothing listed: the counts above the list stay complete


def _documents() -> dict[str, object]:
    """A valid instance of each kind of document the public functions take."""
    from kgxp.waiting.register import register_from_round

    result = run_round(SCENARIO)
    register = register_from_round(SCENARIO, result)
    return {
        "Scenario": SCENARIO,
        "RoundResult": result,
        "Policy": Policy(),
        "Register": register,
        "Comparison": kgxp.compare(result, result),
        "Simulation": simulate(SCENARIO, semesters=2),
        "LotteryOdds": lottery_odds(SCENARIO, draws=2, executor="serial"),
        "ScenarioSummary": kgxp.summarize(SCENARIO),
    }


DOCUMENTS = _documents()


def _other_arguments(tmp: Path) -> dict[str, object]:
    """A valid value of each other type a public function's required parameter has."""
    from kgxp.waiting.state_machine import TeacherWaiting, WaitingState

    teacher = SCENARIO.teachers[0]
    register = DOCUMENTS["Register"]
    return {
        "StrPath": tmp / "out",
        "str": teacher.id,
        "bool": False,
        "Teacher": teacher,
        "Pay": teacher.pay,
        "Semester": register.semester,  # type: ignore[attr-defined]
        "YearMonth": SCENARIO.competition_month,
        "WaitingState": WaitingState.WAITING,
        "WaitingEvent": kgxp.WaitingEvent.TERM_END,
        "TeacherWaiting": TeacherWaiting(WaitingState.WAITING, register.semester),  # type: ignore[attr-defined]
        "RecompetitionResult": kgxp.run_recompetition(SCENARIO, register),  # type: ignore[arg-type]
        "Mapping[str, Variant]": {"a": Policy()},
        "Mapping[str, Iterable[Any]]": {"lottery_seed": [1, 2]},
        "Mapping[str, int]": {},
        "Iterable[str]": [],
        "Iterable[DismissalDecision]": [],
        "Iterable[LedgerLine]": [],
    }


def _document_parameters() -> list[tuple[str, str]]:
    """(function, parameter) for every public function's parameter typed as a document."""
    import inspect

    kinds = set(_documents())
    found = []
    for name in kgxp.__all__:
        function = getattr(kgxp, name)
        if not inspect.isfunction(function):
            continue
        for parameter in inspect.signature(function).parameters.values():
            kind = str(parameter.annotation).removesuffix(" | None")
            if kind in kinds:
                found.append((name, parameter.name))
    return found


@pytest.mark.parametrize(("function", "parameter"), _document_parameters())
def test_every_public_function_refuses_a_dict_where_it_takes_a_document(
    function: str, parameter: str, tmp_path: Path
) -> None:
    # A service holds JSON: kgxp.validate(data) or compare(a_dict, b_dict) is the likely
    # slip. It used to end in a foreign AttributeError ("'dict' object has no attribute
    # 'staffing'") or a weak-reference TypeError, far from the argument.
    import inspect

    call = getattr(kgxp, function)
    given = {**DOCUMENTS, **_other_arguments(tmp_path)}
    arguments: dict[str, object] = {}
    for each in inspect.signature(call).parameters.values():
        kind = str(each.annotation).removesuffix(" | None")
        if each.name == parameter:
            arguments[each.name] = {}
        elif each.default is inspect.Parameter.empty:
            if kind not in given:
                pytest.fail(f"{function}: give the test a {kind} for {each.name}")
            arguments[each.name] = given[kind]
    with pytest.raises(TypeError, match=rf"^{parameter} must be a kgxp\.\w+ \(.+\), got dict$"):
        call(**arguments)


def test_the_sweep_of_document_parameters_covers_the_entry_points() -> None:
    covered = set(_document_parameters())
    for expected in [
        ("run_round", "scenario"),
        ("validate", "scenario"),
        ("compare", "a"),
        ("render_report", "result"),
        ("payroll", "register"),
        ("verify_simulation", "simulation"),
        ("render_summary", "summary"),
    ]:
        assert expected in covered


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((5, 3), "successes must be a whole number from 0 to trials"),
        ((-1, 3), "successes must be a whole number from 0 to trials"),
        ((1.5, 3), "successes must be a whole number from 0 to trials"),
        ((1, 2.5), "trials must be a positive whole number"),
        ((0, 0), "trials must be a positive whole number"),
        ((1, 3, 1.5), "confidence must lie strictly between 0 and 1"),
        ((1, 3, "x"), "confidence must lie strictly between 0 and 1"),
    ],
)
def test_wilson_interval_refuses_what_is_no_proportion(
    arguments: tuple[object, ...], message: str
) -> None:
    # (5, 3) and (-1, 3) failed as "math domain error", (1.5, 3) gave an interval.
    from kgxp.lottery.odds import wilson_interval

    with pytest.raises(ValueError, match=message):
        wilson_interval(*arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "draws"), [(-1, 2), (0, -3), (0, 2.0), (0, 10**9)])
def test_draw_seeds_refuses_a_seed_or_count_lottery_odds_would_refuse(
    seed: object, draws: object
) -> None:
    with pytest.raises(ValueError, match="must be a"):
        kgxp.draw_seeds(seed, draws)  # type: ignore[arg-type]
    assert kgxp.draw_seeds(0, 0) == []


@pytest.mark.parametrize(
    ("shares", "error", "message"),
    [
        ("0.1", TypeError, "shares must be a sequence of shares"),
        (["0.1", "abc"], kgxp.PolicyError, "urban_to_rural_share"),
        (["0.1", "2"], kgxp.PolicyError, "urban_to_rural_share"),
        (["0.1", None], ValueError, "shares must be numbers from 0 to 1, got None"),
    ],
)
def test_target_frontier_checks_every_share_before_the_first_round(
    shares: object, error: type[Exception], message: str
) -> None:
    # "abc" raised decimal.InvalidOperation and "2" a pydantic ValidationError, each after
    # the rounds of the shares before it had run; a bare string was read character by
    # character.
    from kgxp.views.balance import target_frontier

    with pytest.raises(error, match=message):
        target_frontier(SCENARIO, shares)  # type: ignore[arg-type]


def test_target_frontier_reads_a_float_share_as_written() -> None:
    from kgxp.views.balance import target_frontier

    (point,) = target_frontier(SCENARIO, [0.1])
    assert point.share == Decimal("0.1")
