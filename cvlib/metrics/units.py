"""A metric's units: how its values and changes read, which targets make sense, the axis.

A :class:`Unit` is shared by the metrics measured alike (every share is a
proportion). Presentation reads it, so the words a report uses for a value
come from one place: ``1 min 41 s``, ``42.3%``, ``+12.3`` NPS points.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["NPS_POINTS", "PROPORTION", "SECONDS", "Unit", "human_seconds", "nps_points", "percent"]


def human_seconds(seconds) -> str:
    """Seconds in the units a person would say.

    Examples
    --------
    >>> human_seconds(101.3)
    '1 min 41 s'
    >>> human_seconds(7.25)
    '7.2 s'
    >>> human_seconds(45.6)
    '46 s'
    >>> human_seconds(120)
    '2 min'
    >>> human_seconds(1790.2)
    '29 min 50 s'
    >>> human_seconds(3725)
    '1 h 2 min'
    >>> human_seconds(float("nan"))
    'n/a'
    """
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 10:
        return f"{seconds:.1f} s"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, rest = divmod(round(seconds / 60), 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def percent(share, digits: int = 1) -> str:
    """A proportion in 0-1 as a percentage.

    Examples
    --------
    >>> percent(0.4234)
    '42.3%'
    >>> percent(0.4, 0)
    '40%'
    >>> percent(None)
    'n/a'
    """
    if share is None or not math.isfinite(share):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def nps_points(value) -> str:
    """An NPS (or NPS difference) in points, with its sign.

    Examples
    --------
    >>> nps_points(12.34)
    '+12.3'
    >>> nps_points(-4)
    '-4.0'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.1f}"


def _g(value) -> str:
    return "n/a" if value is None else f"{value:.2g}"


def _signed(value, scale=1) -> str:
    return "n/a" if value is None else f"{scale * value:+.1f}"


def _ratio_change(estimate, low, high, direction, level) -> str:
    less = 1 - estimate
    word = f"{less:.0%} less time" if less >= 0 else f"{-less:.0%} more time"
    return (
        f"takes {estimate:.2g} times as long as before ({word}; {level} CI {_g(low)} – {_g(high)} "
        f"times): {direction}"
    )


def _points_change(estimate, low, high, direction, level) -> str:
    return (
        f"{estimate:+.1f} NPS points against before ({level} CI {_signed(low)} to "
        f"{_signed(high)}): {direction}"
    )


def _share_change(estimate, low, high, direction, level) -> str:
    return (
        f"{100 * estimate:+.1f} percentage points against before "
        f"({level} CI {_signed(low, 100)} to {_signed(high, 100)}): {direction}"
    )


@dataclass(frozen=True, slots=True)
class Unit:
    """How a metric's values read, which targets are possible, and its chart axis.

    Attributes
    ----------
    name : str
    format : callable
        A value in human units (``None`` or nan: ``n/a``).
    change : {"ratio", "difference"}
        How the change against before is measured (after / before or
        after - before); :attr:`no_change` is 1 or 0 accordingly.
    describe_change : callable
        ``describe_change(estimate, ci_low, ci_high, direction, level)``: the
        change in plain words.
    target_range : (float, float, bool)
        Lowest and highest possible target, and whether the lowest is
        excluded.
    target_words : str
        The range in words, for the message of a target outside it
        (``{metric}`` is replaced by the metric's name).
    axis : str
        The chart axis ("percent"); values are plotted times :attr:`scale`.
    scale : float
    log_axis : bool
        Whether charts use a log axis (times).
    margin_range : (float, float)
        Lowest and highest non-inferiority margin, both excluded, in the
        units of the change (a difference, or a ratio after / before).
    margin_words : str
        The range in words, for the message of a margin outside it
        (``{metric}`` is replaced by the metric's name).
    """

    name: str
    format: Callable[[object], str]
    change: str
    describe_change: Callable[..., str]
    target_range: tuple[float, float, bool]
    target_words: str
    axis: str
    scale: float = 1.0
    log_axis: bool = False
    margin_range: tuple[float, float] = (0.0, math.inf)
    margin_words: str = "a margin > 0 for {metric}"

    @property
    def no_change(self) -> float:
        """The change that means none: 1 for a ratio, 0 for a difference."""
        return 1.0 if self.change == "ratio" else 0.0

    def target_problem(self, metric: str, target: float) -> str | None:
        """Why ``target`` is impossible for ``metric``, or ``None``.

        Examples
        --------
        >>> PROPORTION.target_problem("adoption", 30)
        'expected a proportion from 0 to 1 for adoption (e.g. 0.8 for 80%), found 30'
        >>> SECONDS.target_problem("task_time", 120) is None
        True
        """
        low, high, open_low = self.target_range
        if (target > low if open_low else target >= low) and target <= high:
            return None
        return f"expected {self.target_words.format(metric=metric)}, found {target:g}"

    def margin_problem(self, metric: str, margin: float) -> str | None:
        """Why ``margin`` is impossible as a non-inferiority margin of ``metric``, or ``None``.

        The margin is in the units of the change: an absolute difference for
        proportions and NPS points, a ratio after / before for times. Both
        ends of :attr:`margin_range` are excluded (a margin of 0, or a ratio
        of 1, would be a claim of improvement; an infinite one claims nothing).

        Examples
        --------
        >>> PROPORTION.margin_problem("completion_rate", 0.05) is None
        True
        >>> PROPORTION.margin_problem("completion_rate", 5)
        'expected a margin in (0, 1) for completion_rate, a difference of proportions (0.05 for 5 points), found 5'
        >>> SECONDS.margin_problem("task_time", 0.9)
        'expected a margin > 1 for task_time, a ratio after / before (1.1 for at most 10% slower), found 0.9'
        """  # noqa: E501
        low, high = self.margin_range
        if low < margin < high:
            return None
        return f"expected {self.margin_words.format(metric=metric)}, found {margin:g}"

    def margin_null(self, margin: float, lower_is_better: bool) -> float:
        """The null value of the change for a non-inferiority claim with ``margin``.

        A non-inferiority test rejects "after is worse than before by
        ``margin`` or more"; this is the change at that boundary.

        Parameters
        ----------
        margin : float
            The margin, in the units of the change (:meth:`margin_problem`).
        lower_is_better : bool
            Whether a lower value of the metric is better.

        Returns
        -------
        float
            For a difference (``no_change`` 0): ``no_change - margin`` when
            higher is better, ``no_change + margin`` when lower is better. For
            a ratio after / before: ``margin`` when lower is better (after
            takes ``margin`` times as long), ``1 / margin`` otherwise.

        Examples
        --------
        >>> PROPORTION.margin_null(0.05, lower_is_better=False)
        -0.05
        >>> PROPORTION.margin_null(0.05, lower_is_better=True)
        0.05
        >>> NPS_POINTS.margin_null(5, lower_is_better=False)
        -5.0
        >>> SECONDS.margin_null(1.1, lower_is_better=True)
        1.1
        >>> round(SECONDS.margin_null(1.25, lower_is_better=False), 6)
        0.8
        """
        low, high = self.margin_range
        if not low < margin < high:
            raise ValueError(f"margin must be in ({low:g}, {high:g}), got {margin!r}")
        if self.change == "ratio":
            return float(margin) if lower_is_better else 1.0 / margin
        return self.no_change + margin if lower_is_better else self.no_change - margin


SECONDS = Unit(
    "seconds",
    human_seconds,
    "ratio",
    _ratio_change,
    (0.0, math.inf, True),
    "a target in seconds > 0 for {metric}",
    "time (log scale)",
    log_axis=True,
    margin_range=(1.0, math.inf),
    margin_words="a margin > 1 for {metric}, a ratio after / before (1.1 for at most 10% slower)",
)
PROPORTION = Unit(
    "proportion",
    percent,
    "difference",
    _share_change,
    (0.0, 1.0, False),
    "a proportion from 0 to 1 for {metric} (e.g. 0.8 for 80%)",
    "percent",
    scale=100.0,
    margin_range=(0.0, 1.0),
    margin_words="a margin in (0, 1) for {metric}, a difference of proportions (0.05 for 5 points)",
)
NPS_POINTS = Unit(
    "NPS points",
    nps_points,
    "difference",
    _points_change,
    (-100.0, 100.0, False),
    "NPS points from -100 to 100",
    "NPS points",
    margin_range=(0.0, 200.0),
    margin_words="a margin in (0, 200) NPS points",
)
