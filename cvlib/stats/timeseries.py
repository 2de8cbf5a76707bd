r"""Interrupted time series: a release's effect on a metric measured period by period.

Where no holdout exists, the counterfactual is the metric's own history: a
level and a linear trend (plus the steps of other releases) are fitted to the
periods before the release and carried forward over the hypothesis's window;
the effect is the weighted mean of observed minus forecast over the window
(segmented regression, Wagner et al. 2002; Lopez Bernal, Cummins and
Gasparrini 2017). The fit is weighted least squares with Newey-West standard
errors, since period-to-period noise is usually autocorrelated.

:func:`interrupted` gives the estimate, its interval and p-value;
:func:`placebo` the same estimate at earlier, fake release dates and the
real one's rank among them (Abadie 2021); :func:`merge_sparse` pools
adjacent periods too small to weigh alone. The Newey-West covariance is in
numpy: statsmodels' HAC fit gives the same numbers (tested) but costs a
report kernel seconds to import.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.results import _ResultMixin
from cvlib.stats.validation import (
    as_float_array,
    check_confidence_level,
    check_count,
    check_positive_finite,
)

__all__ = [
    "ITSResult",
    "MergedSeries",
    "PlaceboResult",
    "interrupted",
    "merge_sparse",
    "newey_west_lag",
    "placebo",
]

# Abadie (2021): with fewer than 19 placebos the smallest attainable rank
# p-value is above 0.05, so the test could never reject at that level.
MIN_PLACEBOS = 19


@dataclass(frozen=True, slots=True)
class ITSResult(_ResultMixin):
    """The effect of a release estimated from an interrupted time series.

    Attributes
    ----------
    estimate : float
        Weighted mean over the window of observed minus forecast, in the
        metric's units (NPS points, a share...).
    ci_low, ci_high, p_value : float
        Interval (t with ``df``) and two-sided t test of no effect; ``nan``
        when the standard error is 0.
    standard_error : float
        Of ``estimate``: forecast and window errors combined.
    df : float
        Residual degrees of freedom of the pre-period fit, ``pre_periods - k``.
    hac_lag : int
        Maximum lag of the Newey-West (Bartlett) covariance.
    pre_periods, window_periods : int
        Periods fitted before the release, and periods in the window.
    forecast : tuple of float
        The counterfactual of each window period.
    confidence_level : float
        Coverage of the interval.
    method : str
        The model and the variance.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    standard_error: float
    df: float
    hac_lag: int
    pre_periods: int
    window_periods: int
    forecast: tuple
    confidence_level: float
    method: str


@dataclass(frozen=True, slots=True)
class PlaceboResult(_ResultMixin):
    """The real estimate ranked among estimates at earlier, fake release dates.

    Attributes
    ----------
    estimate : float
        The estimate at the real release (as :func:`interrupted`).
    placebo_estimates : tuple of float
        The estimate at each placebo date, in date order.
    placebo_indices : tuple of int
        The period index of each placebo date (its first window period).
    n_placebos : int
        ``len(placebo_estimates)``.
    p_value : float
        :math:`(1 + \\#\\{|e_p| \\ge |e|\\}) / (1 + n)`; ``nan`` (with a
        warning) when ``n_placebos < 19``.
    release_index, window_periods, min_pre : int
        As given.
    method : str
        Name of the procedure.
    """

    estimate: float
    placebo_estimates: tuple
    placebo_indices: tuple
    n_placebos: int
    p_value: float
    release_index: int
    window_periods: int
    min_pre: int
    method: str


@dataclass(frozen=True, slots=True)
class MergedSeries(_ResultMixin):
    """A series after :func:`merge_sparse`.

    Attributes
    ----------
    values, weights : tuple of float
        Weighted mean value and summed weight of each merged period.
    times : tuple of float
        Weighted mean position of each merged period (original indices).
    groups : tuple of tuple of int
        The original period indices in each merged period.
    """

    values: tuple
    weights: tuple
    times: tuple
    groups: tuple


def newey_west_lag(n: int) -> int:
    r"""The default Newey-West lag: :math:`\max(1, \lfloor 4 (n/100)^{2/9} \rfloor)`.

    Parameters
    ----------
    n : int
        Number of periods fitted, ``>= 1``.

    Returns
    -------
    int
        The maximum lag of the Bartlett kernel: the rule of Newey and West
        (1994), held at 1 or more so that first-order autocorrelation is
        always allowed for.

    References
    ----------
    .. [1] Newey, W. K. and West, K. D. (1994). "Automatic lag selection in
       covariance matrix estimation". *Review of Economic Studies* 61(4),
       631-653.

    Examples
    --------
    >>> from cvlib.stats.timeseries import newey_west_lag
    >>> newey_west_lag(30), newey_west_lag(100), newey_west_lag(5)
    (3, 4, 2)
    """
    n = check_count(n, "n", minimum=1)
    return max(1, math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def _reject(bad, array, message: str) -> None:
    """Raise ``ValueError(message, got <value> at position <i>)`` at the first ``bad``."""
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{message}, got {float(array[i])!r} at position {i}")


def _series(values, weights) -> tuple[np.ndarray, np.ndarray]:
    y = as_float_array(values, "values")
    w = as_float_array(weights, "weights")
    if w.size != y.size:
        raise ValueError(
            f"values and weights must have equal length (one weight per period), "
            f"got {y.size} and {w.size}"
        )
    _reject(~np.isfinite(y), y, "values must be finite")
    _reject(
        ~np.isfinite(w) | (w <= 0),
        w,
        "weights must be positive and finite (merge sparse periods with merge_sparse)",
    )
    return y, w


def _times(times, n: int) -> np.ndarray:
    if times is None:
        return np.arange(n, dtype=float)
    t = as_float_array(times, "times")
    if t.size != n:
        raise ValueError(f"times must have one position per period ({n}), got {t.size}")
    if not (np.isfinite(t).all() and (np.diff(t) > 0).all()):
        raise ValueError("times must be finite and strictly increasing")
    return t


def _indicator_matrix(indicators, n: int) -> np.ndarray:
    if indicators is None:
        return np.empty((n, 0))
    try:
        m = np.asarray(indicators, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"indicators must be 0/1 columns: {exc}") from None
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2 or m.shape[0] != n:
        raise ValueError(
            f"indicators must have one row per period ({n} rows, one column per other "
            f"release), got shape {m.shape}"
        )
    if not np.isin(m, (0.0, 1.0)).all():
        raise ValueError("indicators must hold only 0 and 1 (1 from that release's period on)")
    return m


def _fit(y, w, t, ind, pre: int, window: int, lag: int | None = None):
    """Fit the pre-period and forecast the window: a dict, or None if an indicator
    switches only in the window. With ``lag``, also the Newey-West covariance."""
    stop = pre + window
    keep = []
    for j in range(ind.shape[1]):
        if np.all(ind[:stop, j] == ind[0, j]):
            continue  # constant over the fit and the window: no information, no effect
        if np.all(ind[:pre, j] == ind[0, j]):
            return None
        keep.append(j)
    x = np.column_stack([np.ones(stop), t[:stop] - t[pre], ind[:stop, keep]])
    xp, sw, k = x[:pre], np.sqrt(w[:pre]), x.shape[1]
    if np.linalg.matrix_rank(xp * sw[:, None]) < k:
        raise ValueError(
            "indicators are collinear with each other, the level or the trend over the "
            "pre-period: the model cannot be fitted"
        )
    ww = w[pre:stop]
    share = ww / ww.sum()
    beta = np.linalg.lstsq(xp * sw[:, None], y[:pre] * sw, rcond=None)[0]
    forecast = x[pre:stop] @ beta
    out = {"estimate": float(share @ (y[pre:stop] - forecast)), "forecast": forecast,
           "xbar": share @ x[pre:stop], "k": k, "ww": ww}  # fmt: skip
    if lag is not None and pre > k:
        # the whitened residuals sqrt(w) e have variance sigma^2 (the scale)
        u = y[:pre] * sw - (xp * sw[:, None]) @ beta
        out |= {"cov": _newey_west(xp * sw[:, None], u, lag), "u": u, "df": float(pre - k)}
    return out


def _newey_west(x, u, lag: int) -> np.ndarray:
    """Newey-West covariance, Bartlett weights, times n/(n-k) (statsmodels' HAC)."""
    n, k = x.shape
    scores = x * u[:, None]
    meat = scores.T @ scores
    for j in range(1, min(lag, n - 1) + 1):
        part = scores[j:].T @ scores[:-j]
        meat += (1.0 - j / (lag + 1.0)) * (part + part.T)
    bread = np.linalg.inv(x.T @ x)
    return bread @ meat @ bread * n / (n - k)


def _window_noise_variance(u, df: float, lag: int, ww: np.ndarray) -> float:
    """Variance of the weighted window mean of errors e_j = u_j / sqrt(w_j): sigma^2 and
    the autocovariances of u up to ``lag`` (divisor df), Bartlett weights 1 - l/(lag+1)."""
    gamma = np.zeros(ww.size)
    for d in range(min(lag, ww.size - 1, u.size - 1) + 1):
        gamma[d] = (1.0 - d / (lag + 1.0)) * float(u[d:] @ u[: u.size - d]) / df
    dist = np.abs(np.subtract.outer(np.arange(ww.size), np.arange(ww.size)))
    root = np.sqrt(ww)
    return max(float(root @ gamma[dist] @ root), 0.0) / ww.sum() ** 2


def interrupted(
    values,
    weights,
    *,
    pre_periods: int,
    window_periods: int,
    indicators=None,
    times=None,
    confidence_level: float = 0.95,
    hac_lag: int | None = None,
    window_variances=None,
) -> ITSResult:
    r"""Estimate a release's effect by segmented regression on the periods before it.

    Parameters
    ----------
    values : sequence of float
        The metric in each period, in time order (weekly NPS in points, the
        churn share of each month...).
    weights : sequence of float
        The sample size behind each period's value, positive (merge empty or
        tiny periods first, :func:`merge_sparse`).
    pre_periods : int
        The first ``pre_periods`` periods are before the release; the model
        is fitted on them only. At least ``k + 1`` where ``k = 2 +`` the
        number of indicator columns.
    window_periods : int
        The next ``window_periods`` periods are the hypothesis's window after
        the release. Later periods, if any, are ignored.
    indicators : array-like of 0/1, optional
        One row per period and one column per other release: 1 from that
        release's period on. Fitted on the pre-period, so each column must
        switch within it; a column constant over the pre-period and the
        window is dropped (it changes nothing); one that switches only in
        the window cannot be fitted and raises ``ValueError``.
    times : sequence of float, optional
        Position of each period on the time axis (default ``0, 1, 2, ...``);
        :func:`merge_sparse` returns them for merged periods.
    confidence_level : float, default 0.95
        Coverage of the two-sided interval.
    hac_lag : int, optional
        Maximum lag of the Newey-West covariance, ``>= 0`` (0: White's
        heteroskedasticity-robust covariance). Default
        :func:`newey_west_lag` of ``pre_periods``.
    window_variances : sequence of float, optional
        The variance of each window period's value around its true level,
        e.g. :math:`p(1-p)/n` for a share when sampling is the only source
        of period noise. Default: estimated from the pre-period residuals,
        :math:`\hat\sigma^2 / w_j` with their autocovariances up to
        ``hac_lag`` (which also covers period-to-period fluctuation beyond
        sampling).

    Returns
    -------
    ITSResult
        Every field described at :class:`ITSResult`. A zero standard error
        (below ``1e-10`` times the largest absolute value: an exact line and
        no window noise) gives a ``nan`` interval and p-value, with a
        :class:`~cvlib.errors.CvlibWarning`.

    Notes
    -----
    With :math:`x_i = (1, t_i - t_R, d_{i1}, \dots)` (level, trend from the
    release time :math:`t_R`, indicators), :math:`\hat\beta` minimises
    :math:`\sum_{i < P} w_i (y_i - x_i^\top\beta)^2` over the :math:`P`
    pre-periods. The window's forecasts are :math:`\hat y_j = x_j^\top
    \hat\beta`, and with window shares :math:`a_j = w_j / \sum_j w_j`

    .. math::

        \hat\delta = \sum_j a_j (y_j - \hat y_j) = \bar y - \bar x^\top\hat\beta,
        \qquad
        \widehat{\mathrm{Var}}(\hat\delta) = \bar x^\top \hat V \bar x
        + \sum_{j,l} a_j a_l \widehat{\mathrm{Cov}}(e_j, e_l),

    where :math:`\bar x = \sum_j a_j x_j` and :math:`\hat V` is the
    Newey-West covariance of :math:`\hat\beta` (Bartlett kernel, lag
    ``hac_lag``, factor :math:`P / (P - k)`). The second term is the
    window's own noise: :math:`\sum_j a_j^2 v_j` for given
    ``window_variances`` :math:`v_j`; by default
    :math:`\hat\gamma_{|j-l|} b_{|j-l|} / \sqrt{w_j w_l}` from the
    autocovariances :math:`\hat\gamma` of the whitened pre-period residuals
    :math:`\sqrt{w_i}\,\hat e_i` (divisor :math:`P - k`) and the Bartlett
    weights :math:`b_l = 1 - l/(L+1)`, so at lag 0 it is
    :math:`\hat\sigma^2 / \sum_j w_j`. The interval is :math:`\hat\delta
    \pm t_{P-k} \,\mathrm{SE}` and :math:`p = 2 P(T_{P-k} \ge
    |\hat\delta| / \mathrm{SE})`.

    :math:`\hat\delta` is :math:`\beta_2 + \beta_3 \bar s` of the full
    segmented model :math:`y = \beta_0 + \beta_1 t + \beta_2 D + \beta_3 D
    s` on pre-period and window (:math:`D` the window, :math:`s` time since
    the release): the window's own level and slope leave the pre-period fit
    alone, so fitting the pre-period only loses nothing.

    Newey-West errors are biased down on short series: with 30 pre-periods
    the default lag (3) covers about 90% at a nominal 95% even for white
    noise, and less under strong autocorrelation; with the window's
    sampling variances given (and little noise beyond sampling) about 94%.
    The design also assumes the pre-period trend would have continued.

    References
    ----------
    .. [1] Wagner, A. K., Soumerai, S. B., Zhang, F. and Ross-Degnan, D.
       (2002). "Segmented regression analysis of interrupted time series
       studies in medication use research". *Journal of Clinical Pharmacy
       and Therapeutics* 27(4), 299-309.
    .. [2] Lopez Bernal, J., Cummins, S. and Gasparrini, A. (2017).
       "Interrupted time series regression for the evaluation of public
       health interventions: a tutorial". *International Journal of
       Epidemiology* 46(1), 348-355.
    .. [3] Newey, W. K. and West, K. D. (1987). "A simple, positive
       semi-definite, heteroskedasticity and autocorrelation consistent
       covariance matrix". *Econometrica* 55(3), 703-708.
    .. [4] Newey, W. K. and West, K. D. (1994). "Automatic lag selection in
       covariance matrix estimation". *Review of Economic Studies* 61(4),
       631-653.

    Examples
    --------
    California's cigarette sales (packs per head, 1970-2000; Abadie,
    Diamond and Hainmueller 2010), Proposition 99 from 1989: a line fitted
    to 1970-1988 falls 1.78 packs a year, and 1989-2000 average 28.3 packs
    below it.

    >>> from cvlib.stats.timeseries import interrupted
    >>> sales = [123.0, 121.0, 123.5, 124.4, 126.7, 127.1, 128.0, 126.4, 126.1,
    ...          121.9, 120.2, 118.6, 115.4, 110.8, 104.8, 102.8, 99.7, 97.5, 90.1,
    ...          82.4, 77.8, 68.7, 67.5, 63.4, 58.6, 56.4, 54.5, 53.8, 52.3, 47.2, 41.6]
    >>> r = interrupted(sales, [1.0] * 31, pre_periods=19, window_periods=12)
    >>> round(r.estimate, 2), r.hac_lag, r.df
    (-28.28, 2, 17.0)
    >>> round(r.forecast[0], 2)
    98.42
    """
    level = check_confidence_level(confidence_level)
    y, w = _series(values, weights)
    ind = _indicator_matrix(indicators, y.size)
    t = _times(times, y.size)
    pre = check_count(pre_periods, "pre_periods", minimum=3)
    window = check_count(window_periods, "window_periods", minimum=1)
    if pre + window > y.size:
        raise ValueError(
            f"pre_periods + window_periods must be <= the number of periods ({y.size}), "
            f"got {pre} + {window}"
        )
    lag = newey_west_lag(pre) if hac_lag is None else check_count(hac_lag, "hac_lag")
    if window_variances is not None:
        v = as_float_array(window_variances, "window_variances")
        if v.size != window:
            raise ValueError(
                f"window_variances must have one variance per window period ({window}), "
                f"got {v.size}"
            )
        _reject(~np.isfinite(v) | (v < 0), v, "window_variances must be non-negative and finite")
    fit = _fit(y, w, t, ind, pre, window, lag)
    if fit is None:
        raise ValueError(
            "indicators: a column is constant over the pre-period but switches within the "
            "window (a release inside the window): its effect cannot be fitted on the "
            "pre-period"
        )
    if pre - fit["k"] < 1:
        raise ValueError(
            f"pre_periods must exceed the {fit['k']} fitted coefficients (level, trend and "
            f"indicators), got {pre}"
        )
    forecast_var = float(fit["xbar"] @ fit["cov"] @ fit["xbar"])
    if window_variances is None:
        noise_var = _window_noise_variance(fit["u"], fit["df"], lag, fit["ww"])
        noise = "window noise from the pre-period residuals"
    else:
        share = fit["ww"] / fit["ww"].sum()
        noise_var = float(share**2 @ v)
        noise = "given window variances"
    se, df, estimate = math.sqrt(max(forecast_var, 0.0) + noise_var), fit["df"], fit["estimate"]
    method = (
        f"segmented regression (WLS level + trend, {pre} pre-periods, Newey-West lag {lag}; "
        f"{noise})"
    )
    from scipy.special import stdtr, stdtrit  # Student's t, without importing scipy.stats

    # numerically zero: an exact line leaves rounding residuals of order 1e-16
    if se > 1e-10 * max(1.0, float(np.abs(y[: pre + window]).max())):
        q = float(stdtrit(df, 0.5 + level / 2.0))
        low, high = estimate - q * se, estimate + q * se
        p = float(2.0 * stdtr(df, -abs(estimate) / se))
    else:
        warnings.warn(
            "interrupted: the standard error is 0 (the pre-period lies on an exact line and "
            "the window has no noise); the interval and p-value are undefined",
            CvlibWarning,
            stacklevel=2,
        )
        low = high = p = math.nan
        se = 0.0
    return ITSResult(
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        p_value=p,
        standard_error=se,
        df=df,
        hac_lag=lag,
        pre_periods=pre,
        window_periods=window,
        forecast=tuple(float(f) for f in fit["forecast"]),
        confidence_level=level,
        method=method,
    )


def placebo(
    values,
    weights,
    *,
    release_index: int,
    window_periods: int,
    min_pre: int = 12,
    indicators=None,
    times=None,
) -> PlaceboResult:
    r"""Rank the real estimate among the same estimates at earlier, fake release dates.

    Parameters
    ----------
    values, weights : sequence of float
        The metric and the sample size of each period, as for :func:`interrupted`.
    release_index : int
        Index of the release's first period (periods before it precede the release).
    window_periods : int
        Periods in the window after each (real or placebo) release.
    min_pre : int, default 12
        Fewest periods a placebo date must leave before it, ``>= 3``.
    indicators, times : optional
        As for :func:`interrupted`. A placebo date at which an indicator is
        constant over the pre-period but switches within the window (another
        release inside the placebo's window) is skipped: its estimate would
        carry that release's effect.

    Returns
    -------
    PlaceboResult
        ``estimate`` (the real one), ``placebo_estimates`` and
        ``placebo_indices`` (every date ``r`` with ``min_pre <= r`` and
        ``r + window_periods <= release_index``, so that no placebo window
        reaches the release), ``n_placebos``, ``p_value``,
        ``release_index``, ``window_periods``, ``min_pre``, ``method``.

    Warns
    -----
    CvlibWarning
        With fewer than 19 placebos ``p_value`` is ``nan``: :math:`1/(1+n)` > 0.05.

    Notes
    -----
    Each placebo date :math:`r` refits the level and trend on periods
    :math:`0..r-1` and estimates the effect :math:`e_r` over
    :math:`r..r+W-1`, exactly as :func:`interrupted` does at the real date.
    With :math:`n` placebos and the real estimate :math:`e`,

    .. math::

        p = \frac{1 + \#\{r : |e_r| \ge |e|\}}{1 + n},

    the rank p-value of Abadie (2021): how unusual the real estimate is among
    estimates at dates where nothing was released. It assumes the placebo
    dates are like the real one; their windows overlap (not independent draws).

    References
    ----------
    .. [1] Abadie, A. (2021). "Using synthetic controls: feasibility, data
       requirements, and methodological aspects". *Journal of Economic
       Literature* 59(2), 391-425.

    Examples
    --------
    A flat series with a step of 3 at period 40; 26 placebo dates (12 to 37):

    >>> from cvlib.stats.timeseries import placebo
    >>> noise = [0.4, -0.3, 0.1, -0.5, 0.2, 0.3, -0.1, -0.4, 0.5, 0.0] * 5
    >>> series = [10 + e + (3 if i >= 40 else 0) for i, e in enumerate(noise)]
    >>> r = placebo(series, [1.0] * 50, release_index=40, window_periods=3)
    >>> r.n_placebos, round(r.estimate, 2), round(r.p_value, 4)
    (26, 3.04, 0.037)
    """
    y, w = _series(values, weights)
    ind = _indicator_matrix(indicators, y.size)
    t = _times(times, y.size)
    release = check_count(release_index, "release_index", minimum=3)
    window = check_count(window_periods, "window_periods", minimum=1)
    first = check_count(min_pre, "min_pre", minimum=3)
    real = interrupted(
        y, w, pre_periods=release, window_periods=window, indicators=indicators, times=t
    )
    fits = {r: _fit(y, w, t, ind, r, window) for r in range(first, release - window + 1)}
    indices = [r for r, fit in fits.items() if fit is not None and r > fit["k"]]
    estimates = [fits[r]["estimate"] for r in indices]
    n = len(estimates)
    if n >= MIN_PLACEBOS:
        larger = int(np.sum(np.abs(estimates) >= abs(real.estimate) * (1 - 1e-12)))
        p = (1 + larger) / (1 + n)
    else:
        warnings.warn(
            f"placebo: {n} placebo dates (fewer than {MIN_PLACEBOS}); the rank p-value is "
            "undefined (lengthen the pre-period or lower min_pre)",
            CvlibWarning,
            stacklevel=2,
        )
        p = math.nan
    return PlaceboResult(
        estimate=real.estimate,
        placebo_estimates=tuple(float(e) for e in estimates),
        placebo_indices=tuple(indices),
        n_placebos=n,
        p_value=p,
        release_index=release,
        window_periods=window,
        min_pre=first,
        method="in-time placebos (Abadie 2021 rank p-value of |effect|)",
    )


def merge_sparse(values, weights, *, min_weight, boundaries=()) -> MergedSeries:
    r"""Merge adjacent periods whose weight is below ``min_weight``.

    Parameters
    ----------
    values, weights : sequence of float
        The metric and the sample size of each period, in time order;
        weights ``>= 0`` (an empty period has weight 0 and any finite value,
        or ``nan``).
    min_weight : float
        The weight a period needs to stand alone, ``> 0``.
    boundaries : sequence of int, default ()
        Period indices at which a merged period must start: pass the
        release's index (and the window's end) so that no merged period
        straddles the release.

    Returns
    -------
    MergedSeries
        See its attributes. Pass ``times`` on to :func:`interrupted`; the
        release's new index is that of the group starting at it.

    Warns
    -----
    CvlibWarning
        When a stretch between two boundaries weighs less than
        ``min_weight`` in all: it is kept as one period below the minimum.

    Notes
    -----
    Within each stretch between boundaries, periods are taken in order and
    accumulated until their summed weight reaches ``min_weight``; the
    accumulated group becomes one period with value
    :math:`\sum w_i y_i / \sum w_i` and weight :math:`\sum w_i`. A period
    that already reaches ``min_weight`` stays alone. A remainder at the end
    of a stretch that stays below ``min_weight`` joins the group before it.
    The weighted mean is what the pooled sample gives (for a share: pooled
    successes over pooled units), so the weights keep their meaning.

    Examples
    --------
    >>> from cvlib.stats.timeseries import merge_sparse
    >>> m = merge_sparse([0.5, 0.1, 0.3, 0.4], [100, 10, 30, 100], min_weight=40)
    >>> m.groups, m.weights
    (((0,), (1, 2), (3,)), (100.0, 40.0, 100.0))
    >>> round(m.values[1], 4), m.times[1]
    (0.25, 1.75)
    """
    y = as_float_array(values, "values")
    w = as_float_array(weights, "weights")
    if w.size != y.size:
        raise ValueError(f"values and weights must have equal length, got {y.size} and {w.size}")
    _reject(~np.isfinite(w) | (w < 0), w, "weights must be non-negative and finite")
    _reject(~np.isfinite(y) & (w > 0), y, "values must be finite where the weight is positive")
    min_weight = check_positive_finite(min_weight, "min_weight")
    cuts = sorted({check_count(b, "boundaries", minimum=0) for b in boundaries})
    if any(b > y.size for b in cuts):
        raise ValueError(f"boundaries must be <= the number of periods ({y.size}), got {cuts}")
    edges = [0, *[b for b in cuts if 0 < b < y.size], y.size]
    groups: list[list[int]] = []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        stretch: list[list[int]] = []
        current: list[int] = []
        for i in range(start, stop):
            current.append(i)
            if w[current].sum() >= min_weight:
                stretch.append(current)
                current = []
        if current:
            if stretch:
                stretch[-1].extend(current)
            else:
                warnings.warn(
                    f"merge_sparse: periods {start}..{stop - 1} weigh {w[current].sum():g} in "
                    f"all, below min_weight {min_weight:g}; kept as one period",
                    CvlibWarning,
                    stacklevel=2,
                )
                stretch.append(current)
        groups.extend(stretch)
    sums = [float(w[g].sum()) for g in groups]
    means = [
        (float(w[g] @ np.where(w[g] > 0, y[g], 0.0)) / total, float(w[g] @ g) / total)
        if total > 0
        else (math.nan, float(np.mean(g)))  # a stretch of empty periods only
        for g, total in zip(groups, sums, strict=True)
    ]
    return MergedSeries(
        values=tuple(v for v, _ in means),
        weights=tuple(sums),
        times=tuple(t for _, t in means),
        groups=tuple(tuple(g) for g in groups),
    )
