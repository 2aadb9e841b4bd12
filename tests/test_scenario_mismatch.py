"""A result given with a scenario it was not run on is refused, not mixed with it (I12).

Metrics, reports, publications, plots and the waiting register read the teachers,
schools and posts from the scenario and the outcomes from the result. Given the result
of another scenario — an edited file, a corrected record, another county — they used
to mix the two without a word (or fail on a foreign ``KeyError``): a report or a list
published with another county's numbers. Every result carries its scenario's digest,
so each of them now refuses the pair with :class:`kgxp.ScenarioMismatchError`, before
anything is made or written. ``verify`` reports the same as a violation (I12).
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kgxp
from kgxp import Problem, RoundResult, Scenario, ScenarioError, ScenarioMismatchError
from kgxp.archive import Archive, ArchiveError, create_archive
from kgxp.files.payroll import dismissal_review_rows
from kgxp.model.digest import scenario_digest
from kgxp.views.balance import balance_comparison
from kgxp.views.plots import plot_flow_matrix, plot_flows, plot_seats
from tests.conftest import EXAMPLE

SCENARIO = kgxp.load_scenario(EXAMPLE)
RESULT = kgxp.run_round(SCENARIO)
# The same county with three more seats at one post: another scenario, a plausible slip.
EDITED = SCENARIO.with_post(SCENARIO.posts[0].id, seats=SCENARIO.posts[0].seats + 3)


def _archived(scenario: Scenario, result: RoundResult, folder: Path) -> str:
    with create_archive(f"sqlite:///{folder / 'a.db'}") as archive, archive.writing() as writer:
        return writer.add_round(scenario, result)


def _outcomes_frame(scenario: Scenario, result: RoundResult) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # still checked until removed
        return kgxp.outcomes_frame(scenario, result)


CALLS: dict[str, Callable[[Scenario, RoundResult, Path], Any]] = {
    "round_metrics": lambda s, r, _: kgxp.round_metrics(s, r),
    "compare": lambda s, r, _: kgxp.compare(r, r, scenarios=(s, s)),
    "outcome_rows": lambda s, r, _: kgxp.outcome_rows(s, r),
    "outcomes_frame": lambda s, r, _: _outcomes_frame(s, r),
    "publication_lists": lambda s, r, _: kgxp.publication_lists(s, r),
    "write_results": lambda s, r, tmp: kgxp.write_results(s, r, tmp / "out", formats=["csv"]),
    "render_report": lambda s, r, _: kgxp.render_report(s, r),
    "report_sections": lambda s, r, _: kgxp.report_sections(s, r),
    "register_from_round": lambda s, r, _: kgxp.register_from_round(s, r),
    "balance_comparison": lambda s, r, _: balance_comparison(s, {"baseline": r}),
    "plot_flow_matrix": lambda s, r, _: plot_flow_matrix(r, s),
    "plot_flows": lambda s, r, _: plot_flows(r, s),
    "plot_seats": lambda s, r, _: plot_seats(r, s),
    # Methods, not found by the sweep below:
    "RoundResult.to_frame": lambda s, r, _: r.to_frame(s),
    "Archive.add_round": lambda s, r, tmp: _archived(s, r, tmp),
}
METHODS = {"RoundResult.to_frame", "Archive.add_round"}
# verify reports a mismatch as a violation (its job is to report), not as an error.
REPORTED_NOT_RAISED = {"verify"}


@pytest.mark.parametrize("function", sorted(CALLS))
def test_a_result_of_another_scenario_is_refused(function: str, tmp_path: Path) -> None:
    with pytest.raises(ScenarioMismatchError) as raised:
        CALLS[function](EDITED, RESULT, tmp_path)
    error = raised.value
    assert isinstance(error, ScenarioError)  # bad input: the CLI and a service say so
    assert str(error).startswith("result of another scenario: ")
    assert isinstance(error, ValueError)
    (problem, *more) = error.problems
    assert problem.field == "scenario_digest"
    assert problem.code == "scenario_mismatch"
    assert problem.rule == "I12"
    assert RESULT.scenario_digest[:12] in problem.message
    assert scenario_digest(EDITED)[:12] in problem.message
    assert "run the round again" in problem.message
    if function == "compare":  # both results were given with the edited scenario
        assert [p.record for p in error.problems] == ["a", "b"]
    elif function == "balance_comparison":
        assert problem.record == "results['baseline']"
    else:
        assert problem.record == "result" and not more
    assert not (tmp_path / "out").exists()  # nothing written
    if function == "Archive.add_round":  # nothing stored, not even the scenario
        with Archive.open(f"sqlite:///{tmp_path / 'a.db'}") as archive:
            assert archive.records() == []


@pytest.mark.parametrize("function", sorted(CALLS))
def test_the_scenario_the_round_ran_on_is_accepted_in_any_record_order(
    function: str, tmp_path: Path
) -> None:
    # The digest is of the canonical scenario: the same county read from a file whose
    # records come in another order is the scenario the round ran on.
    data = SCENARIO.model_dump(mode="json")
    data["teachers"].reverse()
    data["posts"].reverse()
    reordered = kgxp.parse_scenario(data)
    CALLS[function](reordered, RESULT, tmp_path)


def test_verify_reports_the_mismatch_as_i12() -> None:
    violations = kgxp.verify(EDITED, RESULT)
    assert "I12" in {v.invariant for v in violations}


def test_the_error_pickles_and_is_a_document() -> None:
    with pytest.raises(ScenarioMismatchError) as raised:
        kgxp.round_metrics(EDITED, RESULT)
    again = pickle.loads(pickle.dumps(raised.value))
    assert type(again) is ScenarioMismatchError
    assert str(again) == str(raised.value)
    document = raised.value.document()
    assert document.error == "ScenarioMismatchError"
    assert document.problems[0].code == "scenario_mismatch"


def _functions_taking_a_scenario_and(document: str) -> set[str]:
    """Every public function of kgxp's modules with a scenario and a ``document`` parameter
    (the checks themselves left out)."""
    found = set()
    for info in pkgutil.walk_packages(kgxp.__path__, "kgxp."):
        if (
            "._" in info.name
            or info.name.endswith("__main__")
            or ".archive.migrations" in info.name
        ):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            function = getattr(module, name)
            if not inspect.isfunction(function):
                continue
            # kgxp.model.arguments holds the checks of arguments themselves.
            if function.__module__ == "kgxp.model.arguments":
                continue
            kinds = [str(p.annotation) for p in inspect.signature(function).parameters.values()]
            if any("Scenario" in k for k in kinds) and any(document in k for k in kinds):
                found.add(name)
    return found


def test_every_function_taking_a_scenario_and_a_result_is_covered() -> None:
    # A new view, writer or register function that reads both is checked here too.
    assert (
        _functions_taking_a_scenario_and("RoundResult")
        == set(CALLS) - METHODS | REPORTED_NOT_RAISED
    )


@pytest.mark.parametrize("format", ["text", "markdown", "html"])
def test_a_redacted_report_names_teachers_by_id_from_the_scenario_itself(format: str) -> None:
    # `kgxp run --redact` used to render the report from a copy of the scenario with every
    # name replaced by the id: another scenario, by its digest. The report now redacts
    # itself, as the lists and the outcome record do.
    names = {t.name for t in SCENARIO.teachers}
    waiting = [o.teacher for o in RESULT.outcomes if o.status is kgxp.Status.WAITING]
    shown = kgxp.render_report(SCENARIO, RESULT, format=format, redact=True, waiting_rows=500)
    assert not {name for name in names if name in shown}
    assert all(teacher in shown for teacher in waiting)  # the waiting list, by id
    plain = kgxp.render_report(SCENARIO, RESULT, format=format, waiting_rows=500)
    assert any(name in plain for name in names)
    with pytest.raises(TypeError, match="redact must be True or False"):
        kgxp.report_sections(SCENARIO, RESULT, redact="yes")  # type: ignore[arg-type]


# --- the waiting register and its scenario -------------------------------------------------


def _the_mismatch(call: Callable[[], Any], record: str, summary: str) -> Problem:
    """The one problem of the :class:`ScenarioMismatchError` that ``call`` raises, which
    must name ``record``'s scenario digest under ``summary`` (what was mismatched: the
    error's first line is what a clerk and a service's log read first)."""
    with pytest.raises(ScenarioMismatchError) as raised:
        call()
    assert raised.value.summary == summary
    assert str(raised.value).startswith(f"{summary}: 1 problem\n")
    (problem,) = raised.value.problems
    assert (problem.record, problem.field, problem.code) == (
        record,
        "scenario_digest",
        "scenario_mismatch",
    )
    return problem


REGISTER = kgxp.register_from_round(SCENARIO, RESULT)
POLICY = kgxp.Policy()

REGISTER_CALLS: dict[str, Callable[[Scenario, Path], Any]] = {
    "run_recompetition": lambda s, _: kgxp.run_recompetition(s, REGISTER),
    "payroll": lambda s, _: kgxp.payroll(REGISTER, s, POLICY),
    "record_retirements": lambda s, _: kgxp.record_retirements(REGISTER, s, POLICY),
    "dismissal_review_rows": lambda s, _: dismissal_review_rows(REGISTER, s),
    "write_dismissal_review": lambda s, tmp: kgxp.write_dismissal_review(
        REGISTER, s, tmp / "review.csv"
    ),
}


@pytest.mark.parametrize("function", sorted(REGISTER_CALLS))
def test_a_register_of_another_scenario_is_refused(function: str, tmp_path: Path) -> None:
    # The register carries the digest of the scenario it was made from, as a result does;
    # the archive always pairs them so (Archive.scenario(register.scenario_digest)).
    problem = _the_mismatch(
        lambda: REGISTER_CALLS[function](EDITED, tmp_path),
        "register",
        "register of another scenario",
    )
    assert REGISTER.scenario_digest[:12] in problem.message
    assert not (tmp_path / "review.csv").exists()
    REGISTER_CALLS[function](SCENARIO, tmp_path)  # its own scenario: accepted


def test_verify_recompetition_reports_a_register_of_another_scenario() -> None:
    recompetition = kgxp.run_recompetition(SCENARIO, REGISTER)
    assert kgxp.verify_recompetition(SCENARIO, REGISTER, recompetition) == []
    found = kgxp.verify_recompetition(EDITED, REGISTER, recompetition)
    assert any("register was made from another scenario" in v.message for v in found)


def test_every_function_taking_a_scenario_and_a_register_is_covered() -> None:
    assert _functions_taking_a_scenario_and("Register") == set(REGISTER_CALLS) | {
        "verify_recompetition"  # reports, as verify does
    }


def test_the_archive_refuses_a_register_or_re_competition_whose_scenario_it_lacks(
    tmp_path: Path,
) -> None:
    # A register stored without its scenario could not be read with it again, years later
    # at an audit: the archive refuses it, as it refuses an appeal of a round it lacks.
    url = f"sqlite:///{tmp_path / 'a.db'}"
    recompetition = kgxp.run_recompetition(SCENARIO, REGISTER)
    with create_archive(url) as archive:
        with pytest.raises(ArchiveError, match="no stored scenario"), archive.writing() as w:
            w.add_register(REGISTER)
        with pytest.raises(ArchiveError, match="no stored scenario"), archive.writing() as w:
            w.add_recompetition(recompetition)
        assert archive.records() == []  # each refusal rolled its whole write back
        with archive.writing() as w:
            w.add_round(SCENARIO, RESULT)
            w.add_register(REGISTER)
            w.add_recompetition(recompetition)
        assert [r.kind for r in archive.records()] == [
            "scenario",
            "policy",
            "round",
            "register",
            "recompetition",
        ]


# --- a comparison and the scenario that names its teachers ------------------------------------

COMPARISON_CALLS: dict[str, Callable[[Scenario, kgxp.Comparison], Any]] = {
    "comparison_sections": lambda s, c: kgxp.comparison_sections(c, scenario=s),
    "render_comparison": lambda s, c: kgxp.render_comparison(c, scenario=s),
}


@pytest.mark.parametrize("function", sorted(COMPARISON_CALLS))
def test_a_comparison_is_named_only_by_a_scenario_of_its_rounds(function: str) -> None:
    # An appeal's notice names teachers from the scenario given: the re-run's (b) or the
    # published round's (a). Another county's would name other people, or ids.
    appeal = kgxp.run_round(EDITED, seed=RESULT.seed)
    comparison = kgxp.compare(RESULT, appeal)
    assert comparison.scenario_digests == (RESULT.scenario_digest, appeal.scenario_digest)
    COMPARISON_CALLS[function](EDITED, comparison)  # b's scenario
    COMPARISON_CALLS[function](SCENARIO, comparison)  # a's scenario
    other = SCENARIO.with_post(SCENARIO.posts[1].id, seats=SCENARIO.posts[1].seats + 1)
    _the_mismatch(
        lambda: COMPARISON_CALLS[function](other, comparison),
        "scenario",
        "scenario of neither compared round",
    )
    # A comparison read back from a file written before the digests were recorded
    # cannot be checked, and is named as before.
    older = comparison.model_copy(update={"scenario_digests": None})
    COMPARISON_CALLS[function](other, older)


def test_every_function_taking_a_scenario_and_a_comparison_is_covered() -> None:
    assert _functions_taking_a_scenario_and("Comparison") == set(COMPARISON_CALLS)
