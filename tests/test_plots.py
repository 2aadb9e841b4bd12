"""Plots (kgxp.plots): the bars are the counts, thresholds are drawn, the labels are Chinese
(the catalogue's; English on request) and draw without an installed CJK font."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt
from matplotlib.container import BarContainer

import kgxp
from kgxp import MissingExtraError, Scenario, compare, run_round, simulate
from kgxp.i18n import texts
from kgxp.model.result import RoundResult
from kgxp.views import plot_font, plots
from kgxp.views.metrics import round_metrics
from kgxp.waiting.simulation import Simulation
from tests.conftest import EXAMPLE
from tests.factories import scenario_data

tr = texts("zh_CN")


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def no_show(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("kgxp.plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


@pytest.fixture
def no_cjk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)


@pytest.fixture
def with_cjk(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretends a CJK font is installed; the figures are inspected, never drawn.
    monkeypatch.setattr(plots, "cjk_font", lambda: "DejaVu Sans")


@pytest.fixture(scope="module")
def example() -> Scenario:
    return kgxp.load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def result(example: Scenario) -> RoundResult:
    return run_round(example)


@pytest.fixture(scope="module")
def sim(example: Scenario) -> Simulation:
    return simulate(example, semesters=4)


def bars(ax: Any) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def heights(container: BarContainer) -> list[float]:
    return [float(patch.get_height()) for patch in container.patches]


def ticks(ax: Any) -> list[str]:
    return [label.get_text() for label in ax.get_xticklabels()]


def test_seats_stack_the_seat_use_of_every_school(
    no_cjk: None, example: Scenario, result: RoundResult
) -> None:
    ax = plots.plot_seats(result, example)
    containers = bars(ax)
    assert [c.get_label() for c in containers] == [tr(message) for _, message in plots.SEAT_STACK]
    schools = sorted({p.school for p in result.posts})
    assert ticks(ax) == schools  # ids: the roster's names need an installed CJK font
    use = plots.seat_use(result)
    for (key, _), container in zip(plots.SEAT_STACK, containers, strict=True):
        assert heights(container) == [use[s][key] for s in schools]
    totals = [sum(column) for column in zip(*map(heights, containers), strict=True)]
    assert totals == [sum(p.seats for p in result.posts if p.school == s) for s in schools]
    counts = result.counts()
    for status in ("protected", "in_school", "cross_school", "adjusted"):
        placed = sum(1 for o in result.outcomes if o.status.value == status and o.post)
        assert sum(heights(containers[[k for k, _ in plots.SEAT_STACK].index(status)])) == placed
        assert placed <= counts[status]
    vacant = containers[[k for k, _ in plots.SEAT_STACK].index("vacant")]
    assert sum(heights(vacant)) == sum(p.vacant for p in result.posts)


def test_labels_use_names_when_a_cjk_font_exists(
    with_cjk: None, example: Scenario, result: RoundResult
) -> None:
    ax = plots.plot_seats(result, example)
    names = {s.id: s.name for s in example.schools}
    assert ticks(ax) == [names[s] for s in sorted({p.school for p in result.posts})]
    assert ax.get_title() == "各校岗位使用情况"
    assert bars(ax)[0].get_label() == "提前聘用"


def test_the_font_is_chosen_once_for_every_label_of_a_figure(
    monkeypatch: pytest.MonkeyPatch, example: Scenario, result: RoundResult, sim: Simulation
) -> None:
    """Every text of the figure — ticks, legend, colourbar — keeps the CJK font after the
    plot returns (Jupyter draws later), and no fallback hint is added."""
    from matplotlib.text import Text

    monkeypatch.setattr(plots, "cjk_font", lambda: "DejaVu Serif")  # stands in for a CJK font
    metrics = round_metrics(example, result)
    for ax in (
        plots.plot_seats(result, example),
        plots.plot_flows(result, example),
        plots.plot_flow_matrix(result, example),
        plots.plot_balance(metrics),
        plots.plot_waiting(sim),
    ):
        # Not drawn: the stand-in font has no Chinese glyphs (matplotlib would warn).
        texts = [t for t in ax.figure.findobj(Text) if t.get_text()]
        assert len(texts) > 5
        families = {tuple(t.get_fontfamily()) for t in texts}
        assert families == {("DejaVu Serif", "DejaVu Sans", plot_font.FAMILY)}
        assert tr(plots.NO_CJK_HINT) not in [t.get_text() for t in texts]
    colourbar = plots.plot_flow_matrix(result, example).figure.axes[-1]
    assert colourbar.get_ylabel() == "人数"


def test_no_bar_touches_the_frame(
    no_cjk: None, example: Scenario, result: RoundResult, sim: Simulation
) -> None:
    from matplotlib.patches import Rectangle

    metrics = round_metrics(example, result)
    for ax in (
        plots.plot_seats(result, example),
        plots.plot_flows(result, example),
        plots.plot_balance(metrics),
        plots.plot_waiting(sim),
    ):
        tops = [p.get_y() + p.get_height() for p in ax.patches if isinstance(p, Rectangle)]
        assert tops
        assert max(tops) < ax.get_ylim()[1] * 0.97, ax.get_title()


def test_without_a_cjk_font_the_figure_says_how_to_get_one(
    no_cjk: None, result: RoundResult, example: Scenario
) -> None:
    ax = plots.plot_seats(result, example)
    assert tr(plots.NO_CJK_HINT) in [t.get_text() for t in ax.figure.texts]
    # Without school names to give way, there is nothing to say.
    ax = plots.plot_balance(round_metrics(example, result))
    assert tr(plots.NO_CJK_HINT) not in [t.get_text() for t in ax.figure.texts]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_figures_draw_without_warnings_and_without_a_cjk_font(
    no_cjk: None, example: Scenario, result: RoundResult, sim: Simulation, locale: str
) -> None:
    # filterwarnings=error: a missing glyph would fail here when the canvas is drawn.
    metrics = round_metrics(example, result)
    for ax in (
        plots.plot_seats(result, example, locale=locale),
        plots.plot_flows(result, example, locale=locale),
        plots.plot_flow_matrix(result, example, locale=locale),
        plots.plot_balance(metrics, locale=locale),
        plots.plot_waiting(sim, locale=locale),
    ):
        ax.figure.canvas.draw()
        shown = [t.get_text() for t in ax.texts] + ticks(ax) + [ax.get_title(), ax.get_ylabel()]
        # The shipped font draws every label (line breaks are layout, not glyphs).
        assert all(plot_font.covers(text.replace("\n", "")) for text in shown)
        chinese = any(ord(ch) >= 0x2E80 for ch in ax.get_title() + ax.get_ylabel())
        assert chinese == (locale == "zh_CN"), ax.get_title()


def test_the_shipped_font_covers_every_chinese_plot_label() -> None:
    # After changing a plot message or its translation: python -m kgxp.views.plot_font <noto>.
    missing = {ch for ch in plot_font.label_characters() if not plot_font.covers(ch)}
    assert missing == set(), "rebuild kgxp/views/fonts/kgxp-plot-sc.otf (kgxp.views.plot_font)"
    assert not plot_font.covers("紫阳")  # a subset: the roster's names are not in it


def test_a_chinese_label_the_shipped_font_lacks_would_fail_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The coverage check is trusted only once it catches a label the font cannot draw.
    real = plot_font.label_characters
    monkeypatch.setattr(plot_font, "label_characters", lambda: real() | {"鼹"})
    assert {ch for ch in plot_font.label_characters() if not plot_font.covers(ch)} == {"鼹"}


def test_the_report_svg_keeps_the_chinese_labels_as_text(
    no_cjk: None, example: Scenario, result: RoundResult
) -> None:
    from kgxp.views.report_plots import figure_svg

    metrics = round_metrics(example, result)
    (svg,) = figure_svg("balance", metrics)
    title = tr("Inter-school balance")
    assert f">{title}</text>" in svg  # text, drawn by the reader's browser in its CJK font
    assert "Noto Sans CJK SC" in svg and plot_font.FAMILY not in svg
    (english,) = figure_svg("balance", metrics, locale="en")
    assert ">Inter-school balance</text>" in english
    page = kgxp.render_report(example, result, format="html", figures=True)
    assert f">{title}</text>" in page and ">Moves by locality</text>" not in page


def test_chinese_ids_fall_back_to_numbers(no_cjk: None) -> None:
    data: Any = scenario_data()
    data["schools"][0]["id"] = "甲校"
    for post in data["posts"]:
        if post["school"] == "A":
            post["school"] = "甲校"
    for teacher in data["teachers"]:
        if teacher["school"] == "A":
            teacher["school"] = "甲校"
    data["schools"][0]["name"] = "紫阳小学"  # 紫 and 阳 are not in the shipped subset
    data["schools"][1]["name"] = "汉王小学"
    scenario = Scenario.model_validate(data)
    ax = plots.plot_seats(run_round(scenario), scenario)
    assert ticks(ax) == ["B", "#2"]  # sorted ids: "B" < "甲校"
    ax.figure.canvas.draw()
    # A name the shipped font can draw is shown as it is.
    data["schools"][1]["name"] = "学校B"
    scenario = Scenario.model_validate(data)
    assert ticks(plots.plot_seats(run_round(scenario), scenario)) == ["学校B", "#2"]


def test_flows_by_locality_match_the_metrics(
    no_cjk: None, example: Scenario, result: RoundResult
) -> None:
    ax = plots.plot_flows(result, example)
    (container,) = bars(ax)
    metrics = round_metrics(example, result)
    counts = dict(zip(plots.FLOW_PAIRS, heights(container), strict=True))
    urban, rural = kgxp.Locality.URBAN, kgxp.Locality.RURAL
    assert counts[(urban, rural)] == metrics.urban_to_rural  # R16
    assert counts[(rural, urban)] == metrics.rural_to_urban
    assert sum(counts.values()) == metrics.moved_school
    assert ticks(ax)[1] == "城区 → 农村"
    assert ticks(plots.plot_flows(result, example, locale="en"))[1] == "urban → rural"
    (target,) = [line for line in ax.lines if line.get_gid() == "r16-target"]
    locality = {s.id: s.locality for s in example.schools}
    urban_teachers = sum(locality[o.home_school] is urban for o in result.outcomes)
    expected = float(result.policy.urban_to_rural_share) * urban_teachers
    assert list(target.get_ydata()) == pytest.approx([expected, expected])


def test_flow_matrix_cells_are_moves(example: Scenario, result: RoundResult) -> None:
    ax = plots.plot_flow_matrix(result, example)
    moves = plots.flows(result)
    schools = sorted({s for pair in moves for s in pair})
    matrix = ax.images[0].get_array()
    assert matrix.shape == (len(schools), len(schools))
    assert int(matrix.sum()) == round_metrics(example, result).moved_school
    (home, school), n = sorted(moves.items())[0]
    assert matrix[schools.index(home), schools.index(school)] == n
    assert all(matrix[i, i] == 0 for i in range(len(schools)))  # a move changes school


def test_balance_bars_and_thresholds(no_cjk: None, example: Scenario, result: RoundResult) -> None:
    metrics = round_metrics(example, result)
    ax = plots.plot_balance(metrics)
    before, after = bars(ax)
    assert heights(before) == pytest.approx([r.before for r in metrics.balance])
    assert heights(after) == pytest.approx([r.after for r in metrics.balance])
    lines = {line.get_gid(): list(line.get_ydata()) for line in ax.lines}
    assert lines["threshold-primary"] == [0.5, 0.5]
    assert lines["threshold-junior"] == [0.45, 0.45]
    assert lines["threshold-nine_year"] == [0.45, 0.45]  # kgxp's reading (metrics docs)


def test_balance_of_a_comparison(no_cjk: None, example: Scenario, result: RoundResult) -> None:
    policy = result.policy.evolve(cv_threshold_primary="0.40", in_school_share="0.85")
    reform = run_round(example, policy=policy)
    change = compare(result, reform, scenarios=(example, example))
    assert change.metrics_before is not None
    assert change.metrics_after is not None
    ax = plots.plot_balance(change)
    a, b = bars(ax)
    assert heights(a) == pytest.approx([r.after for r in change.metrics_before.balance])
    assert heights(b) == pytest.approx([r.after for r in change.metrics_after.balance])
    lines = {line.get_gid(): list(line.get_ydata()) for line in ax.lines}
    assert lines["threshold-primary"] == [0.5, 0.5]  # a's policy sets the lines
    with pytest.raises(ValueError, match="scenarios="):
        plots.plot_balance(compare(result, reform))


def test_undefined_cv_has_no_bar(no_cjk: None) -> None:
    scenario = Scenario.model_validate(scenario_data())  # nobody is a key teacher: CV undefined
    metrics = round_metrics(scenario, run_round(scenario))
    ax = plots.plot_balance(metrics)
    keys = [r.indicator for r in metrics.balance]
    height = heights(bars(ax)[0])[keys.index("key_teachers")]
    assert height != height  # NaN: nothing drawn
    ax.figure.canvas.draw()


def test_waiting_per_semester(no_cjk: None, sim: Simulation) -> None:
    ax = plots.plot_waiting(sim)
    containers = bars(ax)
    assert [c.get_label() for c in containers] == ["待岗", "继续待岗", "解聘审查"]
    for container, state in zip(
        containers, ("waiting", "continued_waiting", "dismissal_review"), strict=True
    ):
        assert heights(container) == [s.states[state] for s in sim.summaries]
    first = sim.semesters[0]
    assert ticks(ax)[0] == f"{first.school_year}年秋"
    assert ticks(ax)[1] == f"{first.school_year + 1}年春"  # spring of the same school year
    english = plots.plot_waiting(sim, locale="en")
    assert ticks(english)[:2] == [f"autumn {first.school_year}", f"spring {first.school_year + 1}"]


def test_draws_on_the_given_axes(example: Scenario, result: RoundResult) -> None:
    _fig, (left, right) = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert plots.plot_seats(result, ax=left) is left
    assert plots.plot_flows(result, example, ax=right) is right
    assert plt.get_fignums() == before
    assert len(bars(left)) == len(plots.SEAT_STACK)


def test_missing_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, result: RoundResult
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtraError, match=r"kgxp\[plot\]") as error:
        plots.plot_seats(result)
    assert error.value.extra == "plot"
    assert isinstance(error.value, ImportError)


def test_cjk_font_lookup_is_a_known_family_or_none() -> None:
    font = plots.cjk_font()
    assert font is None or font in plots.CJK_FONTS


def test_lottery_plot_shows_the_teachers_the_draw_decides(no_cjk: None, example: Scenario) -> None:
    odds = kgxp.lottery_odds(
        example, kgxp.Policy().evolve(tie_breakers=()), draws=8, executor="serial"
    )
    ax = plots.plot_lottery(odds, limit=25)
    (container,) = bars(ax)
    decided = sorted(
        (t for t in odds.teachers if t.post_by_draw),
        key=lambda t: (abs(t.placed.probability - 0.5), t.teacher),
    )[:25]
    widths = [float(patch.get_width()) for patch in container.patches]
    assert widths == [t.placed.probability for t in decided]
    assert [label.get_text() for label in ax.get_yticklabels()] == [t.teacher for t in decided]
    assert ax.get_title() == tr(
        "Decided by the draw: {count} teachers ({draws} draws)",
        count=len(odds.post_decided()),
        draws=8,
    )
    english = plots.plot_lottery(odds, limit=25, locale="en").get_title()
    assert english.startswith(f"Decided by the draw: {len(odds.post_decided())} teachers")
