"""Plots for what-if analysis: seats per school, flows, balance (§6), waiting per semester.

Each function draws on ``ax`` when given (so plots compose into a user's own
figure) or on a new pyplot figure, and returns the Axes; none calls
``plt.show()`` — Jupyter shows the figure, a script saves it. matplotlib is
optional (``pip install 'kgxp[plot]'``): without it the functions raise
:class:`~kgxp.MissingExtraError`.

Labels: titles, axes and legends come from the message catalogue
(:mod:`kgxp.i18n`) in the plot's ``locale`` — Chinese by default, ``locale="en"``
for English. They render on any machine: kgxp ships a small font with exactly the
characters of those Chinese messages (:mod:`kgxp.views.plot_font`), which the
figure uses after an installed CJK font (:func:`cjk_font`), glyph by glyph. The
fonts are chosen once per figure (the font setting around the whole drawing), so
every label — ticks, legend, colourbar — keeps them when Jupyter draws the figure
later. School names come from the roster and need an installed CJK font; without
one, a school whose name the shipped font cannot draw is labelled by its id and
the figure carries a one-line hint (:data:`NO_CJK_HINT`), so matplotlib never
draws empty boxes or warns about missing glyphs. The data drawn is the same
either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, ParamSpec

from kgxp._internal.extras import require
from kgxp._internal.log import get_logger
from kgxp.i18n import DEFAULT_LOCALE, N_, texts
from kgxp.lottery.odds import LotteryOdds
from kgxp.model.arguments import result_argument, result_of, rows_argument, scenario_argument
from kgxp.model.result import RoundResult, Status
from kgxp.model.scenario import Locality, Scenario, Segment
from kgxp.model.semester import Semester, Term
from kgxp.views import plot_font
from kgxp.views.comparison import Comparison
from kgxp.views.metrics import BalanceRow, RoundMetrics
from kgxp.waiting.simulation import Simulation
from kgxp.waiting.state_machine import WaitingState

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CJK_FONTS",
    "FLOW_PAIRS",
    "NO_CJK_HINT",
    "SEAT_STACK",
    "cjk_font",
    "flows",
    "font_families",
    "plot_balance",
    "plot_flow_matrix",
    "plot_flows",
    "plot_lottery",
    "plot_seats",
    "plot_waiting",
    "seat_use",
]

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Arial Unicode MS",
)
"""Font families that cover simplified Chinese, in order of preference."""

NO_CJK_HINT = N_("No Chinese font installed (e.g. fonts-noto-cjk): schools shown by id")
"""The note (a message id) a figure carries when school names had to give way to ids."""

log = get_logger(__name__)
_P = ParamSpec("_P")
# The figure being drawn: its locale, and whether a name had to give way to an id.
_LOCALE: ContextVar[str] = ContextVar("kgxp_plot_locale", default=DEFAULT_LOCALE)
_IDS_SHOWN: ContextVar[list[bool]] = ContextVar("kgxp_plot_ids_shown")

# Seat use of a school, bottom to top; the bars add up to the school's seats (I2).
SEAT_STACK: tuple[tuple[str, str], ...] = (
    ("protected", N_("placed in advance")),  # R4
    ("in_school", N_("in-school round")),  # R5
    ("cross_school", N_("cross-school round")),  # R5
    ("adjusted", N_("adjustment by the bureau")),  # R6
    ("vacant", N_("vacant")),
    ("reserved", N_("reserved for new recruits")),  # R2
)

_INDICATORS = {
    "above_required_qualification": N_("above qualification"),
    "key_teachers": N_("key teachers"),
    "pe_and_art": N_("PE & art"),
}
_SEGMENTS = {
    Segment.PRIMARY: N_("primary"),
    Segment.JUNIOR: N_("junior middle"),
    Segment.NINE_YEAR: N_("nine-year"),
}
_LOCALITY = {Locality.URBAN: N_("urban"), Locality.RURAL: N_("rural")}
# A semester by its calendar year: the spring term of school year 2026 is 2027's.
_TERMS = {Term.AUTUMN: N_("autumn {year}"), Term.SPRING: N_("spring {year}")}
_WAITING = (
    (WaitingState.WAITING, N_("waiting")),  # R7
    (WaitingState.CONTINUED_WAITING, N_("continued waiting")),  # R9
    (WaitingState.DISMISSAL_REVIEW, N_("dismissal review")),  # R10
)


@cache
def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or ``None``.

    Looked up once per process in matplotlib's font list; install e.g.
    ``fonts-noto-cjk`` (then clear matplotlib's font cache) to get Chinese labels.
    """
    font_manager = require("matplotlib.font_manager", "plot", "kgxp.views.plots")
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _pyplot(feature: str) -> Any:
    return require("matplotlib.pyplot", "plot", feature)


def _axes(ax: Axes | None, feature: str, size: tuple[float, float]) -> Axes:
    plt = _pyplot(feature)
    if ax is not None:
        return ax
    _figure, new = plt.subplots(figsize=size, layout="constrained")
    return new  # type: ignore[no-any-return]


def font_families() -> list[str]:
    """The fonts of every text of a figure, in order: an installed CJK font if any,
    matplotlib's DejaVu Sans, then the shipped font of the plots' Chinese labels."""
    font = cjk_font()
    return [*([font] if font else []), "DejaVu Sans", plot_font.register()]


@contextmanager
def _figure_fonts() -> Iterator[None]:
    """The figure's fonts (:func:`font_families`) for everything drawn inside."""
    matplotlib = require("matplotlib", "plot", "kgxp.views.plots")
    # Concrete family names, not "sans-serif": a text keeps them, so the figure still
    # uses the fonts when Jupyter draws it, after the context has ended; matplotlib
    # takes each glyph from the first family that has it.
    settings = {"font.family": font_families()}
    # rc_context restricted to the keys set here: matplotlib's own rc_context restores
    # *every* setting on exit, so when the first figure of a session is drawn inside
    # it, it undoes what the notebook backend set up then (interactive mode) and the
    # next figures are never shown.
    saved = {key: matplotlib.rcParams[key] for key in settings}
    matplotlib.rcParams.update(settings)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


def _plot(draw: Callable[_P, Axes]) -> Callable[_P, Axes]:
    """A plot function drawn inside :func:`_figure_fonts` in its ``locale``, with the hint
    when a school had to be shown by id."""

    @wraps(draw)
    def drawn(*args: _P.args, **kwargs: _P.kwargs) -> Axes:
        locale = str(kwargs.get("locale", DEFAULT_LOCALE))
        texts(locale)  # an unknown locale: UnknownLocaleError before anything is drawn
        locale_token = _LOCALE.set(locale)
        ids_token = _IDS_SHOWN.set([])
        try:
            with _figure_fonts():
                ax = draw(*args, **kwargs)
                _keep_fonts(ax)
                if _IDS_SHOWN.get():
                    log.info("plots.no_cjk_font", plot=draw.__name__)
                    # A figure-level label, so constrained layout makes room for it (under
                    # the tick labels, not over them); once per figure.
                    figure = ax.figure
                    hint = _say(NO_CJK_HINT)
                    if not any(t.get_text() == hint for t in figure.texts):
                        figure.supxlabel(hint, fontsize=6, color="0.45")
        finally:
            _IDS_SHOWN.reset(ids_token)
            _LOCALE.reset(locale_token)
        return ax

    return drawn


def _keep_fonts(ax: Axes) -> None:
    """Texts the axes had before the drawing (a user's own ``ax``: its first tick labels,
    which ``set_xticks`` relabels in place) take the figure's fonts too."""
    from matplotlib.text import Text

    families = font_families()
    for text in ax.findobj(Text):
        if list(text.get_fontfamily()) != families:
            text.set_fontfamily(families)


def _say(message: str, **fields: object) -> str:
    """The catalogue's text of ``message`` in the figure's locale (kgxp.i18n)."""
    return texts(_LOCALE.get())(message, **fields)


def _drawable(text: str) -> bool:
    # A character no font has would be drawn as a box, with a warning.
    return cjk_font() is not None or plot_font.covers(text)


def _instead_of_name() -> None:
    shown = _IDS_SHOWN.get(None)
    if shown is not None:
        shown.append(True)


def _school_labels(ids: Sequence[str], scenario: Scenario | None) -> list[str]:
    names = {s.id: s.name for s in scenario.schools} if scenario else {}
    labels = []
    for number, school in enumerate(ids, start=1):
        name = names.get(school, school)
        if _drawable(name):
            labels.append(name)
            continue
        _instead_of_name()
        labels.append(school if _drawable(school) else f"#{number}")
    return labels


def seat_use(result: RoundResult) -> dict[str, dict[str, int]]:
    """Per school id (sorted), seats by use: the outcome statuses holding them, vacant, reserved.

    The numbers :func:`plot_seats` stacks; each school's values add up to its seats.
    """
    schools = sorted({p.school for p in result.posts})
    use = {school: dict.fromkeys((key for key, _ in SEAT_STACK), 0) for school in schools}
    school_of_post = {p.post: p.school for p in result.posts}
    posts, statuses = result.outcome_values("post"), result.outcome_values("status")
    for post, status in zip(posts, statuses, strict=True):
        if post is not None and post in school_of_post:
            use[school_of_post[post]][status.value] += 1
    for p in result.posts:
        use[p.school]["vacant"] += p.vacant
        use[p.school]["reserved"] += p.reserved
    return use


@_plot
def plot_seats(
    result: RoundResult,
    scenario: Scenario | None = None,
    *,
    ax: Axes | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Axes:
    """Stacked bars per school: who holds its seats after the round (R2, R4, R5, R6), and vacancies.

    One bar container per use (labels in :data:`SEAT_STACK`), one bar per school
    in id order; with ``scenario`` the schools are labelled by name when a CJK
    font is available.
    """
    if scenario is None:
        result = result_argument(result)
    else:  # its names label the schools: the scenario the round ran on (I12)
        result = result_of(scenario_argument(scenario), result)
    use = seat_use(result)
    schools = list(use)
    ax = _axes(ax, "plot_seats()", (max(6.0, 0.28 * len(schools) + 2), 4.0))
    x = list(range(len(schools)))
    bottom = [0] * len(schools)
    for key, message in SEAT_STACK:
        heights = [use[school][key] for school in schools]
        ax.bar(x, heights, bottom=bottom, label=_say(message), width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylim(0, max([*bottom, 1]) * 1.15)  # headroom: see plot_waiting
    ax.set_xticks(x, _school_labels(schools, scenario), rotation=90, fontsize=7)
    ax.set_ylabel(_say("seats"))
    ax.set_title(_say("Seats per school after the round"))
    ax.legend(fontsize=7)
    return ax


FLOW_PAIRS = (
    (Locality.URBAN, Locality.URBAN),
    (Locality.URBAN, Locality.RURAL),
    (Locality.RURAL, Locality.URBAN),
    (Locality.RURAL, Locality.RURAL),
)


def flows(result: RoundResult) -> Counter[tuple[str, str]]:
    """Moves from home school to post school, for teachers placed at another school.

    Protected teachers (R4) stay put and are not counted, as in
    :func:`kgxp.round_metrics`.
    """
    moves: Counter[tuple[str, str]] = Counter()
    columns = (result.outcome_values(name) for name in ("status", "post", "school", "home_school"))
    for status, post, school, home in zip(*columns, strict=True):
        if post is None or status is Status.PROTECTED or school is None:
            continue
        if school != home:
            moves[(home, school)] += 1
    return moves


@_plot
def plot_flows(
    result: RoundResult, scenario: Scenario, *, ax: Axes | None = None, locale: str = DEFAULT_LOCALE
) -> Axes:
    """Bars of moves by locality pair (urban → rural is R16's flow), with R16's target.

    The target line over the urban → rural bar is the policy's
    ``urban_to_rural_share`` of the teachers whose home school is urban.
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    ax = _axes(ax, "plot_flows()", (6.0, 4.0))
    locality = {s.id: s.locality for s in scenario.schools}
    pairs: Counter[tuple[Locality, Locality]] = Counter()
    for (home, school), n in flows(result).items():
        pairs[(locality[home], locality[school])] += n
    x = list(range(len(FLOW_PAIRS)))
    labels = [f"{_say(_LOCALITY[a])} → {_say(_LOCALITY[b])}" for a, b in FLOW_PAIRS]
    bars = ax.bar(x, [pairs[p] for p in FLOW_PAIRS], label=_say("moves"))
    ax.bar_label(bars)
    urban = sum(locality[home] is Locality.URBAN for home in result.outcome_values("home_school"))
    target = float(result.policy.urban_to_rural_share) * urban
    at = FLOW_PAIRS.index((Locality.URBAN, Locality.RURAL))
    share = f"{result.policy.urban_to_rural_share:.0%}"
    ax.plot(
        [at - 0.45, at + 0.45],
        [target, target],
        color="black",
        linestyle="--",
        gid="r16-target",
        label=_say("target: {share} of urban teachers", share=share),
    )
    ax.set_xticks(x, labels)
    ax.set_ylabel(_say("teachers placed at another school"))
    ax.set_title(_say("Moves by locality"))
    ax.legend(fontsize=8)
    return ax


@_plot
def plot_flow_matrix(
    result: RoundResult, scenario: Scenario, *, ax: Axes | None = None, locale: str = DEFAULT_LOCALE
) -> Axes:
    """Heatmap of moves from home school (rows) to post school (columns).

    Only schools that send or receive someone are shown, in id order; cell
    values are teacher counts (``ax.images[0].get_array()``).
    """
    scenario = scenario_argument(scenario)
    result = result_of(scenario, result)  # of this scenario (I12)
    moves = flows(result)
    schools = sorted({s for pair in moves for s in pair})
    index = {s: i for i, s in enumerate(schools)}
    matrix = [[0] * len(schools) for _ in schools]
    for (home, school), n in moves.items():
        matrix[index[home]][index[school]] = n
    side = max(4.0, 0.22 * len(schools) + 2)
    ax = _axes(ax, "plot_flow_matrix()", (side + 1, side))
    image = ax.imshow(matrix, cmap="Blues", aspect="equal", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label=_say("teachers"))
    labels = _school_labels(schools, scenario)
    ticks = list(range(len(schools)))
    ax.set_xticks(ticks, labels, rotation=90, fontsize=6)
    ax.set_yticks(ticks, labels, fontsize=6)
    ax.set_xlabel(_say("to (post school)"))
    ax.set_ylabel(_say("from (home school)"))
    ax.set_title(_say("Moves between schools"))
    return ax


def _balance_series(
    source: RoundMetrics | Comparison,
) -> tuple[list[BalanceRow], list[tuple[str, list[float | None]]]]:
    if isinstance(source, RoundMetrics):
        rows = list(source.balance)
        return rows, [
            (_say("before the round"), [r.before for r in rows]),
            (_say("after the round"), [r.after for r in rows]),
        ]
    if source.metrics_before is None or source.metrics_after is None:
        raise ValueError(
            "this comparison has no metrics: compare(a, b, scenarios=(scenario_a, scenario_b))"
        )
    rows = list(source.metrics_before.balance)
    after = {(r.segment, r.indicator): r.after for r in source.metrics_after.balance}
    return rows, [
        (_say("a (after round)"), [r.after for r in rows]),
        (_say("b (after round)"), [after.get((r.segment, r.indicator)) for r in rows]),
    ]


@_plot
def plot_balance(
    source: RoundMetrics | Comparison, *, ax: Axes | None = None, locale: str = DEFAULT_LOCALE
) -> Axes:
    """校际差异系数 (§6) per segment and indicator, two bars each, with the thresholds.

    From :class:`~kgxp.RoundMetrics`: before and after the round. From a
    :class:`~kgxp.Comparison` made with ``scenarios=``: round ``a`` against round
    ``b`` (each after its round). A dashed line over each segment's bars marks the
    policy's threshold (round ``a``'s policy for a comparison; primary ≤ 0.50, junior
    and nine-year ≤ 0.45); its gid is ``threshold-<segment>``. An undefined CV (no
    pupils, or a zero mean) has no bar.
    """
    rows, series = _balance_series(source)
    ax = _axes(ax, "plot_balance()", (max(6.0, 0.9 * len(rows) + 2), 4.0))
    width = 0.8 / max(1, len(series))
    x = list(range(len(rows)))
    for number, (label, values) in enumerate(series):
        offset = (number - (len(series) - 1) / 2) * width
        ax.bar(
            [i + offset for i in x],
            [float("nan") if v is None else v for v in values],
            width=width,
            label=label,
        )
    for segment in dict.fromkeys(r.segment for r in rows):
        span = [i for i, r in enumerate(rows) if r.segment is segment]
        threshold = float(rows[span[0]].threshold)
        ax.plot(
            [span[0] - 0.45, span[-1] + 0.45],
            [threshold, threshold],
            color="firebrick",
            linestyle="--",
            gid=f"threshold-{segment.value}",
            label=f"≤ {threshold:.2f} ({_say(_SEGMENTS[segment])})",
        )
    ax.set_xticks(
        x,
        [f"{_say(_SEGMENTS[r.segment])}\n{_say(_INDICATORS[r.indicator])}" for r in rows],
        fontsize=8,
    )
    ax.set_ylabel(_say("coefficient of variation"))
    ax.set_title(_say("Inter-school balance"))
    ax.legend(fontsize=7)
    return ax


@_plot
def plot_waiting(
    simulation: Simulation, *, ax: Axes | None = None, locale: str = DEFAULT_LOCALE
) -> Axes:
    """Stacked bars per semester: waiting (R7), continued waiting (R9), dismissal review (R10)."""
    summaries = simulation.summaries
    ax = _axes(ax, "plot_waiting()", (max(5.0, 0.8 * len(summaries) + 2), 4.0))
    x = list(range(len(summaries)))
    bottom = [0] * len(summaries)
    for state, message in _WAITING:
        heights = [s.states.get(state.value, 0) for s in summaries]
        ax.bar(x, heights, bottom=bottom, label=_say(message))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    # Headroom above the highest stack for the legend: empty segments at the top of a
    # stack pin the axis there (matplotlib's sticky bar edges) and the bar met the frame.
    ax.set_ylim(0, max([*bottom, 1]) * 1.25)
    ax.set_xticks(x, [_semester(s.semester) for s in summaries], rotation=30, fontsize=8)
    ax.set_ylabel(_say("teachers"))
    ax.set_title(_say("Waiting per semester"))
    ax.legend(fontsize=8)
    return ax


@_plot
def plot_lottery(
    odds: LotteryOdds,
    *,
    ax: Axes | None = None,
    limit: int = 40,
    locale: str = DEFAULT_LOCALE,
) -> Axes:
    """The teachers whose fate the draw decides: each one's chance of a post, with its interval.

    One horizontal bar per teacher whose post differs between draws (at most ``limit``,
    the closest calls first), the chance of any post as the bar and the Wilson interval
    as the error bar; a teacher whose post changes but who always gets one sits at 1.
    """
    limit = rows_argument(limit, "limit")
    decided = sorted(
        (t for t in odds.teachers if t.post_by_draw),
        key=lambda t: (abs(t.placed.probability - 0.5), t.teacher),
    )[:limit]
    ax = _axes(ax, "plot_lottery()", (6.0, max(2.5, 0.22 * len(decided) + 1.2)))
    y = list(range(len(decided)))
    chance = [t.placed.probability for t in decided]
    below = [t.placed.probability - t.placed.low for t in decided]
    above = [t.placed.high - t.placed.probability for t in decided]
    ax.barh(y, chance, xerr=[below, above], color="#4c72b0", ecolor="#333", capsize=2)
    ax.set_yticks(
        y,
        [_teacher_label(t.teacher, k) for k, t in enumerate(decided)],
        fontsize=7,
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(_say("chance of a post over the draws"))
    ax.set_title(
        _say(
            "Decided by the draw: {count} teachers ({draws} draws)",
            count=len(odds.post_decided()),
            draws=odds.draws,
        )
    )
    return ax


def _teacher_label(teacher: str, number: int) -> str:
    if _drawable(teacher):
        return teacher
    _instead_of_name()
    return f"#{number}"


def _semester(semester: Semester) -> str:
    year = semester.school_year + (1 if semester.term is Term.SPRING else 0)
    return _say(_TERMS[semester.term], year=year)
