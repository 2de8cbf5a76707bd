"""Figures from result objects, for the notebooks (imported lazily: it loads matplotlib).

Every figure is drawn on a fresh :class:`matplotlib.figure.Figure` (no pyplot
state, nothing displayed by accident) and returned as a :class:`Chart`: PNG
bytes plus alt text. A chart displays as an image in JupyterLab; nbconvert
writes the alt text into the ``<img>`` of the HTML (the report template
reads the ``alt`` metadata), and its plain-text form is the alt text, which
keeps stored notebook outputs stable for nbval.

Colours are the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), and
every verdict also has its own marker shape, so the charts read in greyscale
print.
"""

from __future__ import annotations

import base64
import io
import math

from cvlib import metrics
from cvlib.metrics.units import human_seconds
from cvlib.report.labels import VERDICT_LABEL, format_value

__all__ = [
    "PALETTE",
    "VERDICT_STYLE",
    "Chart",
    "figure",
    "forest",
    "hypothesis_chart",
    "portfolio_chart",
    "render",
    "seconds_axis",
]

PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
VERDICT_STYLE = {
    "validated": (PALETTE["green"], "o"),
    "not_validated": (PALETTE["vermillion"], "X"),
    "inconclusive": (PALETTE["orange"], "D"),
    "insufficient_data": (PALETTE["grey"], "s"),
}
_DPI = 100


class Chart:
    """A rendered figure: PNG bytes with alt text.

    Examples
    --------
    >>> c = Chart(b"\\x89PNG...", "Forest plot of 3 hypotheses")
    >>> c
    Chart: Forest plot of 3 hypotheses
    >>> sorted(c._repr_mimebundle_()[1]["image/png"])
    ['alt']
    """

    __slots__ = ("alt", "png")

    def __init__(self, png: bytes, alt: str):
        self.png = png
        self.alt = alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": repr(self)}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return f"Chart: {self.alt}"


def figure(width, height):
    """A bare Figure (no pyplot backend) with an Agg canvas.

    Charts place their axes by measured margins
    (:func:`_place`): a layout engine draws the whole figure once more just to
    measure it, which costs as much as the drawing itself.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def render(fig, alt: str) -> Chart:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return Chart(buffer.getvalue(), alt)


_PT = 1 / 72  # inches per point


def _text_width(fig, lines, size) -> float:
    """Width in inches of the widest of ``lines``, default font at ``size`` (points or a name)."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(size=size)
    widest = max(
        (renderer.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines),
        default=0.0,
    )
    return widest / fig.dpi


def _points(size) -> float:
    """A font size (points or a name such as ``"medium"``, the default text size) in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def _line_height(size, lines=1) -> float:
    """Height in inches of ``lines`` lines of text at ``size`` (matplotlib's 1.2 line spacing)."""
    return lines * 1.2 * _points(size) * _PT


# room below an x axis for its tick marks and one line of tick labels at `size` points
def _xtick_room(size) -> float:
    return (3.5 + 3.5) * _PT + _line_height(size)


def _place(fig, *, left, right, top, bottom, gap=0.0, rows=1):
    """Put the axes grid ``left``/``right``/``top``/``bottom`` inches from the figure's edges.

    ``gap`` is the room in inches between stacked rows (for each row's tick labels).
    """
    width, height = fig.get_size_inches()
    room = height - top - bottom - (rows - 1) * gap
    axis_height = max(room / rows, 0.1)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=gap / axis_height if rows > 1 else 0.0,
    )


#: Durations a reader says (seconds): the ticks of a time axis are taken from these,
#: coarse ones first, so that labels such as "16 min 40 s" never appear.
_TIME_TIERS = (
    (1, 10, 60, 600, 3600, 36000),
    (5, 30, 300, 1800, 18000),
    (2, 20, 120, 1200, 7200),
    (15, 45, 90, 180, 240, 900, 2700, 5400, 10800),
)


def _time_ticks(low: float, high: float) -> list[float]:
    """Tick positions (seconds) between ``low`` and ``high``: round durations, 2 to 6 of them.

    >>> _time_ticks(40, 2400)
    [60, 120, 300, 600, 1200, 1800]
    >>> _time_ticks(150, 350)
    [180, 240, 300]
    >>> _time_ticks(95, 130)
    [100, 110, 120, 130]
    """
    chosen: list[float] = []
    for tier in _TIME_TIERS:
        more = sorted(chosen + [t for t in tier if low <= t <= high])
        if len(more) > 6 and len(chosen) >= 2:
            break
        chosen = more
    if len(chosen) >= 3:
        return chosen
    # a narrow range: evenly spaced round steps
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        first = math.ceil(low / step) * step
        ticks = [first + k * step for k in range(int((high - first) // step) + 1)]
        if len(ticks) <= 5:  # fewer than the round ones: "1 min 20 s" labels are long
            return ticks if len(ticks) >= 2 else sorted(set(chosen + ticks))
    return chosen


def _tick_seconds(value) -> str:
    return f"{value:g} s" if value < 10 and float(value).is_integer() else human_seconds(value)


def seconds_axis(ax, low: float, high: float):
    """Log x axis from ``low`` to ``high`` seconds, labelled in round units ("30 s", "2 min")."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator(_time_ticks(low, high)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick_seconds(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _fmt(metric, value):
    return format_value(metric, value)


def _unit(metric):
    """The metric's unit: values are plotted in display units (seconds, percent, NPS points)."""
    return metrics.get(metric).unit


def _verdict_words(r) -> str:
    """The verdict beside a row of the forest plot; a result the multiplicity adjustment
    held back says so."""
    if r.adjusted_away:
        return f"{VERDICT_LABEL[r.verdict]} (adjusted)"
    return VERDICT_LABEL[r.verdict]


def forest(ev) -> Chart:
    """Every hypothesis's after-release CI against its target, one row each (own scale per row).

    Rows are small panels because hypotheses are measured in different units;
    each has the target as a dashed line and the verdict as colour and marker.
    """
    results = list(ev.hypotheses)
    rows = max(len(results), 1)
    fig = figure(7.5, 0.75 * rows + 0.6)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    described = []
    for ax, r in zip(axes, results, strict=True):
        h = r.hypothesis
        unit = _unit(h.metric)
        scale = unit.scale
        colour, marker = VERDICT_STYLE[r.verdict]
        ax.axvline(h.target * scale, color=PALETTE["black"], linestyle="--", linewidth=1)
        after = r.after
        values = [h.target * scale]
        if after is not None and after.estimate is not None and math.isfinite(after.estimate):
            lo, hi = after.ci_low, after.ci_high
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                ax.plot(
                    [lo * scale, hi * scale],
                    [0, 0],
                    color=colour,
                    linewidth=3,
                    solid_capstyle="butt",
                )
                values += [lo * scale, hi * scale]
            ax.plot(
                [after.estimate * scale],
                [0],
                marker=marker,
                color=colour,
                markersize=9,
                markeredgecolor=PALETTE["black"],
            )
            values.append(after.estimate * scale)
            described.append(
                f"{h.id} {_fmt(h.metric, after.estimate)} against target "
                f"{_fmt(h.metric, h.target)}, {_verdict_words(r)}"
            )
        else:
            described.append(f"{h.id} no estimate, {_verdict_words(r)}")
        low, high = min(values), max(values)
        if unit.log_axis and low > 0:
            seconds_axis(ax, low / 1.3, high * 1.3)
        else:
            pad = (high - low) * 0.15 or abs(high) * 0.1 or 1
            ax.set_xlim(low - pad, high + pad)
        ax.set_yticks([])
        ax.set_ylabel(f"{h.id}\n{unit.axis}", rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.text(
            1.01,
            0.5,
            _verdict_words(r),
            transform=ax.transAxes,
            fontsize=8,
            va="center",
            color=colour if r.verdict != "insufficient_data" else PALETTE["black"],
        )
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    if not results:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "no hypotheses", ha="center", va="center")
    fig.suptitle(
        f"Release {ev.release_id}: after-release {ev.confidence_level:.0%} CI "
        "against target (dashed)",
        fontsize=10,
    )
    labels = [line for r in results for line in (r.hypothesis.id, _unit(r.hypothesis.metric).axis)]
    verdicts = [_verdict_words(r) for r in results]
    _place(
        fig,
        left=_text_width(fig, labels, 8) + 0.2,
        right=_text_width(fig, verdicts, 8) + 0.15,
        top=_line_height(10) + 0.2,
        bottom=_xtick_room(8) + 0.08,
        gap=_xtick_room(8) + 0.15,
        rows=rows,
    )
    alt = (
        f"Forest plot of {len(results)} hypotheses of release {ev.release_id}, "
        "each interval against its target: " + "; ".join(described) + "."
    )
    return render(fig, alt)


def hypothesis_chart(result, workspace, ev) -> Chart:
    """The chart of one hypothesis.

    Metrics charted by their attempts (``chart="attempts"``: times on task):
    completed attempts before and after on a log axis, the geometric means
    and the target line. Other metrics: the before and after estimates (with
    the after CI) against the target line.
    """
    h = result.hypothesis
    if h.spec.chart == "attempts" and workspace.task_times is not None:
        return _task_time_chart(result, workspace, ev)
    return _estimate_chart(result, ev)


def _task_time_chart(result, workspace, ev) -> Chart:
    import numpy as np

    h = result.hypothesis
    tt = workspace.task_times
    rows = tt[(tt["release_id"] == result.release_id) & (tt["task"] == h.task) & tt["completed"]]
    fig = figure(7.0, 2.6)
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only; fixed so the image is reproducible
    described = []
    shown = []  # every time drawn: the axis spans them
    for y, phase, colour in ((1, "before", PALETTE["sky_blue"]), (0, "after", PALETTE["blue"])):
        seconds = rows.loc[rows["phase"] == phase, "seconds"].to_numpy(dtype=float)
        seconds = seconds[np.isfinite(seconds) & (seconds > 0)]
        if seconds.size == 0:
            continue
        ax.scatter(
            seconds,
            y + rng.uniform(-0.18, 0.18, seconds.size),
            s=12,
            alpha=0.6,
            color=colour,
            edgecolors="none",
            label=f"{phase} (attempts)",
        )
        shown.extend(seconds.tolist())
        gm = float(np.exp(np.log(seconds).mean()))
        ax.plot([gm, gm], [y - 0.3, y + 0.3], color=PALETTE["black"], linewidth=2.5)
        described.append(f"{phase}: {seconds.size} attempts, geometric mean {human_seconds(gm)}")
    after = result.after
    if after is not None and after.ci_low is not None and math.isfinite(after.ci_low):
        ax.plot(
            [after.ci_low, after.ci_high],
            [-0.42, -0.42],
            color=VERDICT_STYLE[result.verdict][0],
            linewidth=4,
            label=f"after {ev.confidence_level:.0%} CI",
        )
        shown.extend([after.ci_low, after.ci_high])
    ax.axvline(
        h.target,
        color=PALETTE["vermillion"],
        linestyle="--",
        linewidth=1.5,
        label=f"target {human_seconds(h.target)}",
    )
    shown = [x for x in [*shown, h.target] if math.isfinite(x) and x > 0]
    seconds_axis(ax, min(shown) / 1.25, max(shown) * 1.25)
    ax.set_yticks([0, 1], ["after", "before"])
    ax.set_ylim(-0.7, 1.5)
    ax.set_xlabel("time per completed attempt (log scale); black bars: geometric means")
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title(f"{h.id}: time on task {h.task}", fontsize=10)
    # the legend's width: its labels, the handle (2 font sizes), the gap (0.8) and the
    # border (2 x 0.4)
    keys = _text_width(fig, [t.get_text() for t in legend.get_texts()], 8) + 3.6 * 8 * _PT
    _estimate_place(fig, right=keys + 0.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    alt = (
        f"Time on task {h.task} for {h.id} on a log scale: "
        + "; ".join(described)
        + f"; target {human_seconds(h.target)}; verdict {VERDICT_LABEL[result.verdict]}."
    )
    return render(fig, alt)


def _estimate_place(fig, *, right):
    """Margins of a one-hypothesis chart: "before"/"after" on the left, an x label, a title."""
    tick = (3.5 + 3.5) * _PT  # tick mark and its pad
    _place(
        fig,
        left=_text_width(fig, ["before", "after"], "medium") + tick + 0.12,
        right=right,
        top=_line_height(10) + 0.15,
        bottom=_xtick_room("medium") + 4 * _PT + _line_height("medium") + 0.08,
    )


def _estimate_chart(result, ev) -> Chart:
    h = result.hypothesis
    spec = h.spec
    scale = spec.unit.scale
    fig = figure(7.0, 2.0)
    ax = fig.subplots()
    described = []
    if result.before is not None and result.before.estimate is not None:
        b = result.before.estimate
        ax.plot(
            [b * scale],
            [1],
            marker="o",
            color=PALETTE["sky_blue"],
            markersize=9,
            markeredgecolor=PALETTE["black"],
        )
        described.append(f"before {_fmt(h.metric, b)}")
    after = result.after
    colour, marker = VERDICT_STYLE[result.verdict]
    if after is not None and after.estimate is not None and math.isfinite(after.estimate):
        if after.ci_low is not None and math.isfinite(after.ci_low):
            ax.plot(
                [after.ci_low * scale, after.ci_high * scale], [0, 0], color=colour, linewidth=4
            )
            ci = (
                f" ({ev.confidence_level:.0%} CI {_fmt(h.metric, after.ci_low)} "
                f"to {_fmt(h.metric, after.ci_high)})"
            )
        else:
            ci = ""
        ax.plot(
            [after.estimate * scale],
            [0],
            marker=marker,
            color=colour,
            markersize=10,
            markeredgecolor=PALETTE["black"],
        )
        described.append(f"after {_fmt(h.metric, after.estimate)}{ci}")
    ax.axvline(h.target * scale, color=PALETTE["vermillion"], linestyle="--", linewidth=1.5)
    if spec.has_before:
        ax.set_yticks([0, 1], ["after", "before"])
        ax.set_ylim(-0.6, 1.6)
    else:  # the feature did not exist before: no empty "before" row
        ax.set_yticks([0], ["after"])
        ax.set_ylim(-0.8, 0.8)
    ax.set_xlabel(f"{spec.label} ({spec.unit.axis}); dashed: target")
    ax.set_title(f"{h.id}: {spec.label}", fontsize=10)
    _estimate_place(fig, right=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    alt = (
        f"{spec.label.capitalize()} for {h.id}: "
        + ("; ".join(described) or "no estimate")
        + f"; target {_fmt(h.metric, h.target)}; verdict {VERDICT_LABEL[result.verdict]}."
    )
    return render(fig, alt)


def portfolio_chart(frame) -> Chart:
    """Output against outcome over time, from a frame with one row per release.

    ``frame`` columns: ``release_id``, ``released_on``, ``features_shipped``,
    ``features_validated``, ``value_delivery_rate``.
    """
    fig = figure(7.5, 3.2)
    ax = fig.subplots()
    x = list(range(len(frame)))
    ax.bar(
        [i - 0.2 for i in x],
        frame["features_shipped"],
        width=0.4,
        color=PALETTE["sky_blue"],
        label="features shipped (output)",
        edgecolor=PALETTE["black"],
    )
    ax.bar(
        [i + 0.2 for i in x],
        frame["features_validated"],
        width=0.4,
        color=PALETTE["green"],
        hatch="//",
        label="features validated (outcome)",
        edgecolor=PALETTE["black"],
    )
    ax.set_xticks(
        x,
        [f"{r}\n{d}" for r, d in zip(frame["release_id"], frame["released_on"], strict=True)],
        fontsize=8,
    )
    ax.set_ylabel("features")
    ax2 = ax.twinx()
    rate = [None if v is None else 100 * v for v in frame["value_delivery_rate"]]
    ax2.plot(x, rate, color=PALETTE["vermillion"], marker="D", label="value delivery rate (%)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("value delivery rate (%)")
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncols=3,
        fontsize=8,
        frameon=False,
    )
    ax.set_title("Output against outcome by release", fontsize=10)
    # margins: y tick labels (whole counts; percent up to 100) and the axis labels at the sides,
    # two lines of release labels and the legend's row below
    tick = (3.5 + 3.5 + 4) * _PT  # tick mark, its pad, the label's pad
    most = max([int(v) for v in frame["features_shipped"]] + [1])
    side = _line_height("medium") + tick + 0.12
    _place(
        fig,
        left=_text_width(fig, [str(most + 1)], "medium") + side,
        right=_text_width(fig, ["100"], "medium") + side,
        top=_line_height(10) + 0.15,
        bottom=_xtick_room(8) + _line_height(8) + _line_height(8) + 0.3,
    )
    described = "; ".join(
        f"{r}: {s} shipped, {v} validated"
        for r, s, v in zip(
            frame["release_id"],
            frame["features_shipped"],
            frame["features_validated"],
            strict=True,
        )
    )
    return render(
        fig,
        f"Bar chart of features shipped and validated per release with the value delivery "
        f"rate as a line: {described}.",
    )
