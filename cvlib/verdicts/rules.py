"""The verdict rules, shared by hypotheses and their segments.

The after-release confidence interval is *on the success side* when all of it
meets the target (lower-is-better metrics: ``ci_high <= target``; otherwise
``ci_low >= target``) and *on the failure side* when none of it does. In
order:

1. ``insufficient_data``: the measurement window is not complete (its last day
   is after ``data_through``), the data is absent, the after population is
   smaller than the metric's minimum, or the interval cannot be computed;
2. ``not_validated``: the interval is on the failure side, or on the success
   side while the change against before is ``worsened``;
3. ``inconclusive``: the interval contains the target, or it is on the success
   side while the change is ``unclear``;
4. ``validated``: on the success side and ``improved`` (or no before).
"""

from __future__ import annotations

import math
import warnings

from cvlib.errors import CvlibWarning
from cvlib.verdicts.results import Change

__all__ = [
    "MAX_NEEDED_FACTOR",
    "VERDICT_MEANING",
    "change_of",
    "direction",
    "insufficient",
    "needed_n",
    "side",
    "verdict",
]

VERDICT_MEANING = {
    "validated": "the promised value was delivered: the whole confidence interval meets the target",
    "not_validated": "the promised value was not delivered: the confidence interval misses the "
    "target, or the result is worse than before the release",
    "inconclusive": "the data cannot tell yet: the confidence interval contains the target, or "
    "there is no detectable improvement over before",
    "insufficient_data": "too little data, or the measurement window is not complete yet",
}
#: Beyond this multiple of the current sample, the reason of an inconclusive result adds
#: that the estimate is practically at the target.
MAX_NEEDED_FACTOR = 100


def side(after, target: float, lower_is_better: bool) -> str:
    """``success``, ``failure`` or ``neither``: where the after interval lies against the target."""
    if lower_is_better:
        if after.ci_high <= target:
            return "success"
        if after.ci_low > target:
            return "failure"
    else:
        if after.ci_low >= target:
            return "success"
        if after.ci_high < target:
            return "failure"
    return "neither"


def direction(ci_low, ci_high, no_change: float, lower_is_better: bool) -> str:
    """``improved``, ``worsened`` or ``unclear``: where the change interval lies vs. no change."""
    if ci_low is None or ci_high is None or math.isnan(ci_low) or math.isnan(ci_high):
        return "unclear"
    if ci_high < no_change:
        return "improved" if lower_is_better else "worsened"
    if ci_low > no_change:
        return "worsened" if lower_is_better else "improved"
    return "unclear"


def change_of(spec, measured) -> Change | None:
    """The :class:`Change` of a measurement (``None`` without a before sample)."""
    c = measured.comparison
    if c is not None:
        way = direction(c.ci_low, c.ci_high, spec.unit.no_change, spec.lower_is_better)
        return Change(
            c.estimate,
            c.ci_low,
            c.ci_high,
            c.p_value,
            way,
            c.method,
            pairs_dropped=measured.pairs_dropped,
        )
    if measured.change_undefined is not None:
        # a before sample exists but the comparison cannot be computed: the change is unclear
        return Change(
            None,
            None,
            None,
            None,
            "unclear",
            measured.change_undefined,
            pairs_dropped=measured.pairs_dropped,
        )
    return None


def insufficient(spec, measured, incomplete: str | None) -> tuple[str | None, str | None]:
    """Rule 1: ``("insufficient_data", why)``, or ``(None, None)`` when the other rules apply."""
    if incomplete is not None:
        return "insufficient_data", incomplete
    if measured.absent is not None:
        return "insufficient_data", measured.absent
    a = measured.after
    n = a.n if a is not None else measured.n
    if n < spec.min_n:
        return (
            "insufficient_data",
            f"Only {n} {spec.counts} after the release; at least {spec.min_n} are needed.",
        )
    if a is None or any(math.isnan(v) for v in (a.estimate, a.ci_low, a.ci_high)):
        why = measured.why or "the after-release values do not vary"
        return "insufficient_data", f"The confidence interval cannot be computed ({why})."
    return None, None


def verdict(after, change: Change | None, target: float, lower_is_better: bool, level: float):
    """Rules 2-4 on a computable after interval: ``(verdict, reason)``."""
    where = side(after, target, lower_is_better)
    pct = f"{level:.0%}"
    if where == "failure":
        return "not_validated", f"The whole {pct} confidence interval misses the target."
    way = None if change is None else change.direction
    if where == "success" and way == "worsened":
        return "not_validated", "Meets the target, but worse than before the release."
    if where == "neither":
        return (
            "inconclusive",
            f"The {pct} confidence interval contains the target: more data is needed to tell.",
        )
    if way == "unclear":
        return (
            "inconclusive",
            "Meets the target, but no detectable improvement over before the release "
            "(the 'before' may already have met it).",
        )
    return "validated", None


def needed_n(spec, h, measured, confidence_level: float) -> int | None:
    """About how many more after-release observations would likely settle an inconclusive
    result (80% power, the metric's :attr:`~cvlib.metrics.base.MetricSpec.plan`), or ``None``
    when the data give no effect to plan for."""
    a = measured.after
    where = side(a, h.target, spec.lower_is_better)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CvlibWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            total = spec.plan(h, measured, where, confidence_level)
    except (ValueError, ZeroDivisionError):
        return None
    if total is None or not math.isfinite(total):
        return None
    return max(int(math.ceil(total)) - int(a.n), 1)
