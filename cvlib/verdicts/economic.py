"""Economic value: customer hours saved a year, and what they are worth.

For a validated hypothesis whose metric measures time saved per task
(:attr:`~cvlib.metrics.base.MetricSpec.saving`) and that states
``tasks_per_month``: hours saved per year = seconds saved per task x
tasks_per_month x 12 / 3600, with the interval of the seconds saved scaled
alike; the money value is the hours times the workspace's ``hourly_cost``.

The release total sums its hypotheses; its interval adds the standard errors
recovered from each interval in quadrature (the studies are independent
samples), with Welch-Satterthwaite degrees of freedom (Satterthwaite 1946),
so a release with one such hypothesis reports that hypothesis's own interval.

References
----------
Satterthwaite, F. E. (1946). An approximate distribution of estimates of
variance components. Biometrics Bulletin, 2(6), 110-114.
"""

from __future__ import annotations

import math

from cvlib.verdicts.results import EconomicValue

__all__ = ["hypothesis_value", "release_value"]


def hypothesis_value(ctx, h, hourly_cost: float | None) -> EconomicValue | None:
    """The economic value of one hypothesis, or ``None`` when its metric or data give none."""
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
        df=float(saving.df),
    )


def release_value(parts, confidence_level: float) -> EconomicValue | None:
    """The sum of the hypotheses' economic values, with its interval (see the module)."""
    from scipy.special import ndtri, stdtrit

    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    total = sum(p.hours_saved_per_year for p in parts)
    variances, terms = 0.0, 0.0
    for p in parts:
        t = stdtrit(p.df, 0.5 + confidence_level / 2)
        se2 = ((p.ci_high - p.ci_low) / (2 * t)) ** 2
        variances += se2
        terms += se2**2 / p.df
    df = variances**2 / terms if terms > 0 else math.inf
    quantile = (
        stdtrit(df, 0.5 + confidence_level / 2)
        if math.isfinite(df)
        else ndtri(0.5 + confidence_level / 2)
    )
    half = float(quantile) * math.sqrt(variances)
    values = [p.value_per_year for p in parts]
    return EconomicValue(
        hours_saved_per_year=total,
        ci_low=float(total - half),
        ci_high=float(total + half),
        value_per_year=None if any(v is None for v in values) else sum(values),
        df=df,
    )
