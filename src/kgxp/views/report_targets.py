"""The report's section on the county's declared targets (均衡发展目标): met, how close, at what price.

A county that declares targets (urban → rural moves, R16; rural 体音美 posts filled,
R17; an indicator's 校际差异系数 at most a threshold, R12 and domain §6) reads here, in the report's language,
what each required, what the placement reached, whether it is met, the claims set
aside for it (the policy exceptions, listed by name in the 公示), and for a target
not met the most the county can reach — the level at which it would be feasible.
The sentences are built from the result's figures through the catalogue; the
result's ``explanation`` field (English, for the audit trail) is not shown.

>>> import kgxp
>>> from kgxp.views.report_targets import targets_section
>>> scenario = kgxp.load_scenario("examples/ziyang_county.json")
>>> policy = kgxp.Policy(
...     mechanism=kgxp.Mechanism.TARGETED,
...     targets=kgxp.DistributionalTargets(urban_to_rural_share="0.05"),
... )
>>> section = targets_section(kgxp.run_round(scenario, policy=policy), "zh_CN")
>>> section.title, section.table.header[:3]
('县域均衡发展目标', ('目标', '要求', '实际'))
"""

from __future__ import annotations

from decimal import Decimal

from kgxp.files.published_lists import target_name
from kgxp.i18n import Texts, texts
from kgxp.model.result import RoundResult, TargetReport
from kgxp.views.report_format import ReportSection, ReportTable

__all__ = ["targets_section"]

_CV_RULE = "R12"  # the rule a CV target (§6) serves: its report has a CV, no counts


def targets_section(result: RoundResult, locale: str) -> ReportSection | None:
    """The section, or ``None`` when the policy declared no target."""
    if not result.targets:
        return None
    tr = texts(locale)
    # A claim set aside serves every target enforced in its round: counted per target
    # from the exceptions themselves, and once in the total.
    claims = {
        report.target: sum(1 for e in result.exceptions if report.target in e.targets)
        for report in result.targets
    }
    rows = tuple(_row(report, claims[report.target], tr) for report in result.targets)
    missed = [report for report in result.targets if not report.met]
    notes = tuple(_feasible_at(report, tr) for report in missed)
    price = len(result.exceptions)
    paragraphs = (
        tr(
            "{met} of {declared} declared targets met; {claims} claims set aside to meet them "
            "(listed by name in the publication).",
            met=len(result.targets) - len(missed),
            declared=len(result.targets),
            claims=price,
        ),
    )
    return ReportSection(
        tr("The county's balance targets"),
        paragraphs,
        ReportTable(
            (
                tr("Target"),
                tr("Required"),
                tr("Reached"),
                tr("Met"),
                tr("Claims set aside"),
                tr("Most reachable"),
            ),
            rows,
            numeric=frozenset({4}),
        ),
        notes,
    )


def _row(report: TargetReport, claims: int, tr: Texts) -> tuple[str, ...]:
    if report.rule == _CV_RULE:  # a CV target has no counts
        required = tr("CV at most {limit}", limit=_cv(report.share))
        reached = tr("CV {value}", value=_cv(report.cv)) if report.cv is not None else "—"
        best = _cv(report.best_cv) if report.best_cv is not None else "—"
    else:
        required = tr(
            "{required} of {base} ({share})",
            required=report.required,
            base=report.base,
            share=_share(report.share),
        )
        reached = tr("{achieved} of {base}", achieved=report.achieved, base=report.base)
        best = str(report.best_possible) if report.best_possible is not None else "—"
    met = tr("yes") if report.met else tr("no")
    return (target_name(report.target, tr), required, reached, met, str(claims), best)


def _feasible_at(report: TargetReport, tr: Texts) -> str:
    name = target_name(report.target, tr)
    if report.best_cv is not None:
        if report.best_cv_proven:
            return tr(
                "{target}: not met; no placement of the round reaches a CV below {best}, so a "
                "threshold of at least {best} would be feasible.",
                target=name,
                best=_cv(report.best_cv),
            )
        return tr(
            "{target}: not met; the lowest CV found is {best} (a lower one may exist), so a "
            "threshold of at least {best} would be feasible.",
            target=name,
            best=_cv(report.best_cv),
        )
    if report.best_possible is not None and report.base:
        return tr(
            "{target}: not met; the most the county reaches is {best} of {base} ({share}), so a "
            "target of at most {share} would be feasible.",
            target=name,
            best=report.best_possible,
            base=report.base,
            share=_share(Decimal(report.best_possible) / Decimal(report.base)),
        )
    return tr("{target}: not met.", target=name)


def _cv(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _share(value: Decimal) -> str:
    return f"{value:.1%}"
