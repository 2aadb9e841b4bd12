"""The report's section on declared targets (R16, R17, R12/§6): Chinese first, counted right."""

from __future__ import annotations

from decimal import Decimal

import pytest

import kgxp
from kgxp import DistributionalTargets, Mechanism, Policy, RoundResult, Scenario, run_round
from kgxp.i18n import LOCALES
from kgxp.views.report import render_report
from kgxp.views.report_targets import targets_section
from tests.conftest import EXAMPLE
from tests.test_views_locale import _pieces, assert_reads_as


def _targeted(urban: str, rural: str = "0.7") -> tuple[Scenario, RoundResult]:
    scenario = kgxp.load_scenario(EXAMPLE)
    policy = Policy(
        mechanism=Mechanism.TARGETED,
        targets=DistributionalTargets(urban_to_rural_share=urban, rural_shortage_fill_share=rural),
    )
    return scenario, run_round(scenario, policy=policy)


@pytest.fixture(scope="module")
def missed() -> tuple[Scenario, RoundResult]:
    # Half the urban teachers moving to rural schools: more than the round can reach.
    return _targeted("0.5")


def test_no_section_without_declared_targets() -> None:
    scenario = kgxp.load_scenario(EXAMPLE)
    result = run_round(scenario)
    assert targets_section(result, "zh_CN") is None
    assert "县域均衡发展目标" not in render_report(scenario, result)


def test_a_missed_target_says_how_close_the_county_gets(
    missed: tuple[Scenario, RoundResult],
) -> None:
    scenario, result = missed
    urban = next(t for t in result.targets if t.target == "urban_to_rural_share")
    assert not urban.met and urban.best_possible is not None
    section = targets_section(result, "zh_CN")
    assert section is not None and section.table is not None
    row = next(r for r in section.table.rows if r[0] == "城区教师到农村学校任教比例")
    assert row[1] == f"{urban.required}/{urban.base}（50.0%）"
    assert row[2] == f"{urban.achieved}/{urban.base}"
    assert row[3] == "否" and row[5] == str(urban.best_possible)
    share = f"{Decimal(urban.best_possible) / Decimal(urban.base):.1%}"
    assert any(f"目标不高于{share}时可以达成" in note for note in section.notes)
    text = render_report(scenario, result, format="markdown")
    assert "## 县域均衡发展目标" in text


def test_claims_are_counted_per_target_and_once_in_all() -> None:
    # Both targets are enforced in one round: each claim set aside serves both, and the
    # total is the number of claims, not the sum over targets.
    _, result = _targeted("0.05")
    assert result.exceptions
    section = targets_section(result, "en")
    assert section is not None and section.table is not None
    for report, row in zip(result.targets, section.table.rows, strict=True):
        assert row[4] == str(sum(1 for e in result.exceptions if report.target in e.targets))
    assert f"{len(result.exceptions)} claims set aside" in section.paragraphs[0]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_section_reads_as_words(missed: tuple[Scenario, RoundResult], locale: str) -> None:
    scenario, result = missed
    html = render_report(scenario, result, format="html", locale=locale)
    assert_reads_as(locale, _pieces(html))


def test_a_missed_cv_target_says_whether_its_lowest_is_proven() -> None:
    from tests.test_cv_targets_county import cv_county, cv_policy

    county = cv_county()
    result = run_round(county, policy=cv_policy("0.4"))
    (report,) = result.targets
    assert report.best_cv_proven is True
    section = targets_section(result, "zh_CN")
    assert section is not None and section.table is not None
    assert section.table.rows[0][1:4] == ("差异系数不高于0.400", "差异系数1.000", "否")
    assert section.notes[0].endswith(
        "本轮任何聘用方案的差异系数都不低于0.500，目标不低于0.500时可以达成。"
    )
    bound = result.model_copy(
        update={"targets": (report.model_copy(update={"best_cv_proven": False}),)}
    )
    unproven = targets_section(bound, "zh_CN")
    assert unproven is not None and "可能还有更低的" in unproven.notes[0]
