"""The power functions of the t and normal tests, and their inversion (private to cvlib.stats).

statsmodels' ``TTestPower`` (one sample or pairs), ``TTestIndPower`` (equal
groups) and ``NormalIndPower``, evaluated with scipy.special without
importing statsmodels (:func:`power_at`), and a root finder that solves the
power equation for the sample size or the effect (:func:`solve`). The public
planning functions are in :mod:`cvlib.stats.power`.
"""

from __future__ import annotations

import math

from cvlib.stats.validation import check_probability

MIN_N = 2  # a t test needs at least two observations per group


def check_power(power, confidence_level: float) -> float:
    power = check_probability(power, "power", open_interval=True)
    alpha = 1.0 - confidence_level
    if power <= alpha:
        raise ValueError(
            f"power must exceed 1 - confidence_level = {alpha:g} (the power at no effect), "
            f"got {power!r}"
        )
    return power


def power_at(kind: str, effect: float, n: float, alpha: float, alternative: str) -> float:
    """The power of the test at effect size ``effect`` (positive) with ``n`` per group.

    The formulas of statsmodels' ``ttest_power`` (``TTestPower``: one sample or
    pairs, df = n - 1; ``TTestIndPower`` with equal groups: n/2 effective
    observations, df = 2n - 2) and ``normal_power`` (``NormalIndPower``,
    equal groups or one sample), evaluated with the same scipy.special
    functions statsmodels calls (``nctdtr``, ``stdtrit``, ``ndtr``, ``ndtri``)
    but without importing statsmodels, which costs half a second in a report
    that needs one sample size; ``tests/test_power.py`` checks every kind
    against statsmodels itself. Where ``nctdtr`` returns nan for a tail (some
    large noncentralities; statsmodels then returns nan), ``scipy.stats.nct``
    evaluates that tail with another algorithm, and a lower tail whose bound
    :math:`P(Z < -\\delta)` is below :math:`10^{-9}` of the power counts as 0.
    """
    from scipy.special import nctdtr, ndtr, ndtri, stdtrit

    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    if kind in ("normal", "normal1"):
        per = n if kind == "normal1" else n / 2.0
        shift = effect * math.sqrt(per)
        crit = -float(ndtri(tail))  # upper critical value, as norm.isf(tail)
        value = float(ndtr(shift - crit))
        if alternative == "two-sided":
            value += float(ndtr(-crit - shift))
        return value
    if kind == "paired":
        df, nc = n - 1.0, effect * math.sqrt(n)
    else:
        df, nc = 2.0 * n - 2.0, effect * math.sqrt(n / 2.0)
    crit = -float(stdtrit(df, tail))  # upper critical value, as t.isf(tail, df)
    value = 1.0 - float(nctdtr(df, nc, crit))
    if math.isnan(value):
        from scipy import stats

        value = float(stats.nct.sf(crit, df, nc))
    if alternative == "two-sided":
        far = float(nctdtr(df, nc, -crit))  # P(T < -crit): tiny for any real effect
        if math.isnan(far):
            from scipy import stats

            far = float(stats.nct.cdf(-crit, df, nc))
        if math.isnan(far) and float(ndtr(-nc)) <= 1e-9 * value:
            far = 0.0  # P(T < -crit) <= P(Z < -nc) = ndtr(-nc): below 1e-9 of the power
        value += far
    if math.isnan(value):
        raise RuntimeError(f"the power is not computable (effect size {effect!r}, n {n!r})")
    return value


def solve(kind: str, *, effect, n, alpha: float, power: float, alternative: str) -> float:
    """Solve the power equation for the missing one of ``effect`` and ``n``.

    The power function is statsmodels' (:func:`power_at`); the root is found
    here with a tight tolerance (``solve_power``'s own tolerance is coarser).
    """
    from scipy.optimize import brentq
    from scipy.special import ndtri

    if effect is None:

        def gap(x):
            return power_at(kind, x, n, alpha, alternative) - power

        low = 1e-9
        # Start near the normal-approximation answer so the search never
        # visits absurd noncentralities.
        per = n if kind in ("paired", "normal1") else n / 2.0
        z_alpha = ndtri(1.0 - (alpha / 2.0 if alternative == "two-sided" else alpha))
        guess = (z_alpha + max(0.0, ndtri(power))) / math.sqrt(per)
    else:

        def gap(x):
            return power_at(kind, effect, x, alpha, alternative) - power

        low = float(MIN_N)
        if gap(low) >= 0.0:
            return low
        guess = 2.0 * low
    high = max(guess, 2.0 * low)
    while gap(high) < 0.0:
        high *= 2.0
        if high > 1e12:
            raise RuntimeError("no solution of the power equation below 1e12")
    return brentq(gap, low, high, xtol=1e-12, rtol=1e-12)


def round_up(n: float) -> int:
    # Tolerate the root finder's last-digit noise (63.9999999 or 64.0000001 -> 64).
    return max(MIN_N, math.ceil(n - 1e-6))
