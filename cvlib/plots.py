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

__all__ = ["PALETTE", "VERDICT_STYLE", "Chart", "forest", "hypothesis_chart", "portfolio_chart"]

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


def _figure(width, height):
    from matplotlib.figure import Figure  # a bare Figure needs no pyplot backend

    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


def _render(fig, alt: str) -> Chart:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return Chart(buffer.getvalue(), alt)


def _seconds_axis(ax):
    """Log axis labelled in human units (1, 2 and 5 of each decade: "50 s", "2 min")."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from cvlib.present import human_seconds

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: human_seconds(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _fmt(metric, value):
    from cvlib.present import format_value

    return format_value(metric, value)


def _axis_scale(metric):
    """Values are plotted in display units: seconds, percent, NPS points."""
    return 100.0 if metric not in ("task_time", "nps") else 1.0


_UNIT = {"task_time": "time (log scale)", "nps": "NPS points"}


def forest(ev) -> Chart:
    """Every hypothesis's after-release CI against its target, one row each (own scale per row).

    Rows are small panels because hypotheses are measured in different units;
    each has the target as a dashed line and the verdict as colour and marker.
    """
    from cvlib.present import VERDICT_LABEL

    results = [r for r in ev.hypotheses]
    rows = max(len(results), 1)
    fig = _figure(7.5, 0.75 * rows + 0.6)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    described = []
    for ax, r in zip(axes, results):
        h = r.hypothesis
        scale = _axis_scale(h.metric)
        colour, marker = VERDICT_STYLE[r.verdict]
        ax.axvline(h.target * scale, color=PALETTE["black"], linestyle="--", linewidth=1)
        after = r.after
        values = [h.target * scale]
        if after is not None and after.estimate is not None and math.isfinite(after.estimate):
            lo, hi = after.ci_low, after.ci_high
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                ax.plot([lo * scale, hi * scale], [0, 0], color=colour, linewidth=3, solid_capstyle="butt")
                values += [lo * scale, hi * scale]
            ax.plot([after.estimate * scale], [0], marker=marker, color=colour, markersize=9,
                    markeredgecolor=PALETTE["black"])
            values.append(after.estimate * scale)
            described.append(f"{h.id} {_fmt(h.metric, after.estimate)} against target {_fmt(h.metric, h.target)}, "
                             f"{VERDICT_LABEL[r.verdict]}")
        else:
            described.append(f"{h.id} no estimate, {VERDICT_LABEL[r.verdict]}")
        if h.metric == "task_time" and min(values) > 0:
            _seconds_axis(ax)
        low, high = min(values), max(values)
        pad = (high - low) * 0.15 or abs(high) * 0.1 or 1
        if ax.get_xscale() == "log":
            ax.set_xlim(low / 1.3, high * 1.3)
        else:
            ax.set_xlim(low - pad, high + pad)
        ax.set_yticks([])
        ax.set_ylabel(f"{h.id}\n{_UNIT.get(h.metric, 'percent')}", rotation=0, ha="right", va="center",
                      fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.text(1.01, 0.5, f"{VERDICT_LABEL[r.verdict]}", transform=ax.transAxes, fontsize=8, va="center",
                color=colour if r.verdict != "insufficient_data" else PALETTE["black"])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    if not results:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "no hypotheses", ha="center", va="center")
    fig.suptitle(f"Release {ev.release_id}: after-release {ev.confidence_level:.0%} CI against target (dashed)",
                 fontsize=10)
    alt = (f"Forest plot of {len(results)} hypotheses of release {ev.release_id}, each interval against its "
           f"target: " + "; ".join(described) + ".")
    return _render(fig, alt)


def hypothesis_chart(result, workspace, ev) -> Chart:
    """The chart of one hypothesis.

    task_time: completed attempts before and after on a log axis, the
    geometric means and the target line. Other metrics: the before and after
    estimates (with the after CI) against the target line.
    """
    h = result.hypothesis
    if h.metric == "task_time" and workspace.task_times is not None:
        return _task_time_chart(result, workspace, ev)
    return _estimate_chart(result, ev)


def _task_time_chart(result, workspace, ev) -> Chart:
    import numpy as np

    from cvlib.present import VERDICT_LABEL, human_seconds

    h = result.hypothesis
    tt = workspace.task_times
    rows = tt[(tt["release_id"] == result.release_id) & (tt["task"] == h.task) & tt["completed"]]
    fig = _figure(7.0, 2.6)
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only; fixed so the image is reproducible
    described = []
    for y, phase, colour in ((1, "before", PALETTE["sky_blue"]), (0, "after", PALETTE["blue"])):
        seconds = rows.loc[rows["phase"] == phase, "seconds"].to_numpy(dtype=float)
        seconds = seconds[np.isfinite(seconds) & (seconds > 0)]
        if seconds.size == 0:
            continue
        ax.scatter(seconds, y + rng.uniform(-0.18, 0.18, seconds.size), s=12, alpha=0.6, color=colour,
                   edgecolors="none", label=f"{phase} (attempts)")
        gm = float(np.exp(np.log(seconds).mean()))
        ax.plot([gm, gm], [y - 0.3, y + 0.3], color=PALETTE["black"], linewidth=2.5)
        described.append(f"{phase}: {seconds.size} attempts, geometric mean {human_seconds(gm)}")
    after = result.after
    if after is not None and after.ci_low is not None and math.isfinite(after.ci_low):
        ax.plot([after.ci_low, after.ci_high], [-0.42, -0.42], color=VERDICT_STYLE[result.verdict][0], linewidth=4,
                label=f"after {ev.confidence_level:.0%} CI")
    ax.axvline(h.target, color=PALETTE["vermillion"], linestyle="--", linewidth=1.5,
               label=f"target {human_seconds(h.target)}")
    _seconds_axis(ax)
    ax.set_yticks([0, 1], ["after", "before"])
    ax.set_ylim(-0.7, 1.5)
    ax.set_xlabel("time per completed attempt (log scale); black bars: geometric means")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title(f"{h.id}: time on task {h.task}", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    alt = (f"Time on task {h.task} for {h.id} on a log scale: " + "; ".join(described) +
           f"; target {human_seconds(h.target)}; verdict {VERDICT_LABEL[result.verdict]}.")
    return _render(fig, alt)


def _estimate_chart(result, ev) -> Chart:
    from cvlib.present import METRIC_LABEL, VERDICT_LABEL

    h = result.hypothesis
    scale = _axis_scale(h.metric)
    fig = _figure(7.0, 2.0)
    ax = fig.subplots()
    described = []
    if result.before and result.before.get("estimate") is not None:
        b = result.before["estimate"]
        ax.plot([b * scale], [1], marker="o", color=PALETTE["sky_blue"], markersize=9,
                markeredgecolor=PALETTE["black"])
        described.append(f"before {_fmt(h.metric, b)}")
    after = result.after
    colour, marker = VERDICT_STYLE[result.verdict]
    if after is not None and after.estimate is not None and math.isfinite(after.estimate):
        if after.ci_low is not None and math.isfinite(after.ci_low):
            ax.plot([after.ci_low * scale, after.ci_high * scale], [0, 0], color=colour, linewidth=4)
            ci = f" ({ev.confidence_level:.0%} CI {_fmt(h.metric, after.ci_low)} to {_fmt(h.metric, after.ci_high)})"
        else:
            ci = ""
        ax.plot([after.estimate * scale], [0], marker=marker, color=colour, markersize=10,
                markeredgecolor=PALETTE["black"])
        described.append(f"after {_fmt(h.metric, after.estimate)}{ci}")
    ax.axvline(h.target * scale, color=PALETTE["vermillion"], linestyle="--", linewidth=1.5)
    ax.set_yticks([0, 1], ["after", "before"])
    ax.set_ylim(-0.6, 1.6)
    ax.set_xlabel(f"{METRIC_LABEL[h.metric]} ({_UNIT.get(h.metric, 'percent')}); dashed: target")
    ax.set_title(f"{h.id}: {METRIC_LABEL[h.metric]}", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    alt = (f"{METRIC_LABEL[h.metric].capitalize()} for {h.id}: " + ("; ".join(described) or "no estimate") +
           f"; target {_fmt(h.metric, h.target)}; verdict {VERDICT_LABEL[result.verdict]}.")
    return _render(fig, alt)


def portfolio_chart(frame) -> Chart:
    """Output against outcome over time, from a frame with one row per release.

    ``frame`` columns: ``release_id``, ``released_on``, ``features_shipped``,
    ``features_validated``, ``value_delivery_rate``.
    """
    fig = _figure(7.5, 3.2)
    ax = fig.subplots()
    x = list(range(len(frame)))
    ax.bar([i - 0.2 for i in x], frame["features_shipped"], width=0.4, color=PALETTE["sky_blue"],
           label="features shipped (output)", edgecolor=PALETTE["black"])
    ax.bar([i + 0.2 for i in x], frame["features_validated"], width=0.4, color=PALETTE["green"], hatch="//",
           label="features validated (outcome)", edgecolor=PALETTE["black"])
    ax.set_xticks(x, [f"{r}\n{d}" for r, d in zip(frame["release_id"], frame["released_on"])], fontsize=8)
    ax.set_ylabel("features")
    ax2 = ax.twinx()
    rate = [None if v is None else 100 * v for v in frame["value_delivery_rate"]]
    ax2.plot(x, rate, color=PALETTE["vermillion"], marker="D", label="value delivery rate (%)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("value delivery rate (%)")
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, -0.22), ncols=3, fontsize=8, frameon=False)
    ax.set_title("Output against outcome by release", fontsize=10)
    described = "; ".join(
        f"{r}: {s} shipped, {v} validated" for r, s, v in
        zip(frame["release_id"], frame["features_shipped"], frame["features_validated"])
    )
    return _render(fig, f"Bar chart of features shipped and validated per release with the value delivery "
                        f"rate as a line: {described}.")
