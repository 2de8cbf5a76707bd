"""Economic value: customer hours saved a year, and what they are worth.

For every hypothesis whose metric measures time saved per task
(:attr:`~cvlib.metrics.base.MetricSpec.saving`) and that states
``tasks_per_month``, whatever its verdict: hours saved per year = seconds
saved per task x tasks_per_month x 12 / 3600, with the interval of the
seconds saved scaled alike; the money value is the hours times the
workspace's ``hourly_cost``. Task times are skewed and studies are small, so
the interval of the seconds saved is the generalized pivotal quantity
interval of the difference of two log-normal means (Krishnamoorthy & Mathew
2003) for independent phases, and the BCa bootstrap of the mean paired
difference (Efron 1987) for a paired design, both with fixed seeds.

The release total sums every hypothesis's value, not only the validated
ones: valuing only the hypotheses whose estimate came out high would
overstate the total (the winner's curse). A task measured by several
hypotheses of the release is valued once (the first; the workspace warns
when their ``tasks_per_month`` differ). The total's interval is the
percentile interval of the sum of the studies' draws (independent studies:
the pivot of a sum is the sum of the pivots).

The total's interval is the percentile interval of the sum of the studies'
draws: for a paired study, the percentiles of its bootstrap distribution,
without the BCa correction its own interval has (the correction does not
carry over to a sum).

When the mean time saved (a difference of arithmetic means) and the
geometric-mean change point in opposite directions (a few long times
dominate the mean), the value carries a note.

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. Journal of the
American Statistical Association, 82(397), 171-185.

Krishnamoorthy, K., & Mathew, T. (2003). Inferences on the means of lognormal
distributions using generalized p-values and generalized confidence
intervals. Journal of Statistical Planning and Inference, 115(1), 103-121.
"""

from __future__ import annotations

from cvlib.verdicts.results import EconomicValue

__all__ = ["hypothesis_value", "release_value", "valued_once"]


def hypothesis_value(ctx, h, hourly_cost: float | None, change=None) -> EconomicValue | None:
    """The economic value of one hypothesis, or ``None`` when its metric or data give none.

    ``change`` is the hypothesis's :class:`~cvlib.verdicts.results.Change` (a ratio of
    geometric means), to say when it disagrees with the arithmetic saving in direction.
    """
    spec = h.spec
    if spec.saving is None or h.tasks_per_month is None:
        return None
    saving = spec.saving(ctx, h)
    if saving is None:
        return None
    scale = h.tasks_per_month * 12 / 3600
    hours = saving.seconds * scale
    return EconomicValue(
        hours_saved_per_year=float(hours),
        ci_low=float(saving.ci_low * scale),
        ci_high=float(saving.ci_high * scale),
        value_per_year=None if hourly_cost is None else float(hours * hourly_cost),
        method=saving.method,
        note=_disagreement(saving.seconds, change),
        draws=None if saving.draws is None else saving.draws * scale,
    )


def _disagreement(seconds: float, change) -> str | None:
    """A note when the mean time saved and the ratio of geometric means disagree in sign."""
    if change is None or change.estimate is None or seconds == 0 or change.estimate == 1:
        return None
    if (seconds > 0) == (change.estimate < 1):
        return None
    faster = "faster" if change.estimate < 1 else "slower"
    mean = "less" if seconds > 0 else "more"
    return (
        f"The typical (geometric-mean) time is {faster} than before, but the mean time is "
        f"{mean}: a few long times dominate the mean, and the money value follows the mean."
    )


def valued_once(results) -> list:
    """The economic values a release total sums: every hypothesis's, whatever its verdict
    (valuing only the validated ones would overstate, since those are the ones whose
    estimate came out high), with a task valued once however many hypotheses measure it
    (the first of them in ``hypotheses.yaml``)."""
    seen, parts = set(), []
    for r in results:
        if r.economic_value is None:
            continue
        key = (r.hypothesis.task, r.hypothesis.spec.table)
        if key in seen:
            continue
        seen.add(key)
        parts.append(r.economic_value)
    return parts


def release_value(parts, confidence_level: float) -> EconomicValue | None:
    """The sum of the hypotheses' economic values, with the percentile interval of the sum of
    their draws (see the module)."""
    import numpy as np

    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    total = sum(p.hours_saved_per_year for p in parts)
    if len(parts) == 1:
        low, high = parts[0].ci_low, parts[0].ci_high
    elif any(p.draws is None for p in parts):  # a part without an interval: the sum has none
        low = high = float("nan")
    else:
        size = min(len(p.draws) for p in parts)
        draws = sum(np.asarray(p.draws[:size], dtype=float) for p in parts)
        alpha = 1.0 - confidence_level
        low, high = (float(q) for q in np.quantile(draws, [alpha / 2, 1 - alpha / 2]))
    values = [p.value_per_year for p in parts]
    methods = sorted({p.method for p in parts if p.method})
    return EconomicValue(
        hours_saved_per_year=total,
        ci_low=float(low),
        ci_high=float(high),
        value_per_year=None if any(v is None for v in values) else sum(values),
        method="; ".join(methods) + ("" if len(parts) == 1 else "; total: percentiles of the sum"),
    )
