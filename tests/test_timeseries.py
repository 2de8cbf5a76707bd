"""Tests for cvlib.stats.timeseries: a published worked example, statsmodels' HAC on the same
design, a hand-written Newey-West, the segmented-model identity, and coverage by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from cvlib.errors import CvlibWarning
from cvlib.stats.timeseries import (
    ITSResult,
    interrupted,
    merge_sparse,
    newey_west_lag,
    placebo,
)

# California's per-capita cigarette sales (packs), 1970-2000, from Abadie, Diamond and
# Hainmueller (2010, JASA) as distributed with their synthetic-control data (the
# California column of MLAB_data / smoking.csv). Proposition 99 took effect in 1989.
CALIFORNIA = [123.0, 121.0, 123.5, 124.4, 126.7, 127.1, 128.0, 126.4, 126.1, 121.9, 120.2,
              118.6, 115.4, 110.8, 104.8, 102.8, 99.7, 97.5, 90.1, 82.4, 77.8, 68.7, 67.5,
              63.4, 58.6, 56.4, 54.5, 53.8, 52.3, 47.2, 41.6]  # fmt: skip
PRE, WINDOW = 19, 12  # 1970-1988, 1989-2000


def test_proposition_99_matches_the_published_trend_extrapolation():
    # Mendez, C. "Comparative case studies of California's Proposition 99, in R"
    # (carlos-mendez.org/post/r_causalpolicy_workshop/slides): "A linear fit on
    # 1970-1988 (beta = -1.78 packs/year, R^2 = 0.74) extended forward; the gap to
    # observed averages -28.3 packs." Tolerance: half the last printed digit.
    r = interrupted(CALIFORNIA, [1.0] * 31, pre_periods=PRE, window_periods=WINDOW)
    assert r.estimate == pytest.approx(-28.3, abs=0.05)
    slope = r.forecast[1] - r.forecast[0]
    assert slope == pytest.approx(-1.78, abs=0.005)
    # the forecast is the pre-period line: R^2 of the same fit (0.7346 here: the
    # slides print 0.74, so the tolerance is one unit of the printed digit)
    y = np.array(CALIFORNIA[:PRE])
    line = r.forecast[0] + slope * (np.arange(PRE) - PRE)
    r2 = 1 - np.sum((y - line) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 == pytest.approx(0.74, abs=0.01)
    assert (r.pre_periods, r.window_periods, r.df, r.hac_lag) == (19, 12, 17.0, 2)
    assert len(r.forecast) == 12
    assert r.ci_low < r.estimate < r.ci_high < 0 and r.p_value < 0.001


def _statsmodels_hac(y, w, pre, window, lag):
    """The same design fitted by statsmodels directly (a cross-check of the plumbing)."""
    import statsmodels.api as sm

    t = np.arange(len(y), dtype=float) - pre
    x = np.column_stack([np.ones(len(y)), t])
    fit = sm.WLS(y[:pre], x[:pre], weights=w[:pre]).fit(
        cov_type="HAC", cov_kwds={"maxlags": lag, "use_correction": True}
    )
    share = w[pre : pre + window] / w[pre : pre + window].sum()
    xbar = share @ x[pre : pre + window]
    return fit, xbar


def test_forecast_variance_is_statsmodels_wls_hac_on_the_same_design():
    # Plumbing check, not an outside reference: with zero window variances the
    # standard error is sqrt(xbar' V xbar) with V statsmodels' WLS HAC covariance.
    rng = np.random.default_rng(7)
    y = np.array(CALIFORNIA)
    w = rng.uniform(50, 150, y.size)
    for lag in (0, 1, 2, 4):
        r = interrupted(
            y, w, pre_periods=PRE, window_periods=WINDOW, hac_lag=lag,
            window_variances=[0.0] * WINDOW,
        )  # fmt: skip
        fit, xbar = _statsmodels_hac(y, w, PRE, WINDOW, lag)
        assert r.standard_error == pytest.approx(
            math.sqrt(xbar @ fit.cov_params() @ xbar), rel=1e-10
        )
        assert r.estimate == pytest.approx(
            float(w[PRE:] @ (y[PRE:] - fit.predict(np.column_stack([np.ones(12), np.arange(12)]))))
            / w[PRE:].sum(),
            rel=1e-10,
        )
        assert r.df == fit.df_resid == PRE - 2


def test_newey_west_by_hand():
    # Newey and West (1987) written out: (X'WX)^-1 S (X'WX)^-1 * n/(n-k),
    # S = sum over lags l <= L of (1 - l/(L+1)) (G_l + G_l'), G_l = sum_i s_i s_{i-l}',
    # scores s_i = w_i x_i e_i; compared with what interrupted uses.
    rng = np.random.default_rng(3)
    n, lag = 25, 3
    y = 2 + 0.1 * np.arange(n + 4) + rng.normal(size=n + 4)
    w = rng.uniform(1, 3, n + 4)
    x = np.column_stack([np.ones(n), np.arange(n) - n])
    bread = np.linalg.inv(x.T @ (w[:n, None] * x))
    beta = bread @ x.T @ (w[:n] * y[:n])
    scores = x * (w[:n] * (y[:n] - x @ beta))[:, None]
    meat = scores.T @ scores
    for lag_l in range(1, lag + 1):
        g = scores[lag_l:].T @ scores[:-lag_l]
        meat += (1 - lag_l / (lag + 1)) * (g + g.T)
    v = bread @ meat @ bread * n / (n - 2)
    xbar = (w[n:] / w[n:].sum()) @ np.column_stack([np.ones(4), np.arange(4)])
    r = interrupted(y, w, pre_periods=n, window_periods=4, hac_lag=lag, window_variances=[0] * 4)
    assert r.standard_error == pytest.approx(math.sqrt(xbar @ v @ xbar), rel=1e-10)


def test_estimate_is_the_full_segmented_model_combination():
    # y = b0 + b1 t + b2 D + b3 D s on pre-period and window together (weighted):
    # the window's own level and slope leave b0, b1 to the pre-period, and
    # delta = b2 + b3 * weighted mean of s over the window.
    rng = np.random.default_rng(11)
    n, m = 20, 6
    t = np.arange(n + m, dtype=float)
    y = 1 + 0.2 * t + rng.normal(size=n + m)
    w = rng.uniform(10, 40, n + m)
    d = (t >= n).astype(float)
    s = d * (t - n)
    x = np.column_stack([np.ones(n + m), t, d, s])
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
    sbar = w[n:] @ s[n:] / w[n:].sum()
    r = interrupted(y, w, pre_periods=n, window_periods=m)
    assert r.estimate == pytest.approx(beta[2] + beta[3] * sbar, rel=1e-9)


def test_default_window_noise_at_lag_zero_is_residual_variance_over_summed_weights():
    rng = np.random.default_rng(5)
    y = rng.normal(size=34) + 0.05 * np.arange(34)
    w = rng.uniform(1, 5, 34)
    r = interrupted(y, w, pre_periods=30, window_periods=4, hac_lag=0)
    given = interrupted(y, w, pre_periods=30, window_periods=4, hac_lag=0, window_variances=[0] * 4)
    import statsmodels.api as sm

    x = np.column_stack([np.ones(30), np.arange(30) - 30])
    scale = sm.WLS(y[:30], x, weights=w[:30]).fit().scale
    assert r.standard_error**2 - given.standard_error**2 == pytest.approx(
        scale / w[30:].sum(), rel=1e-10
    )


def test_interval_and_p_value_are_dual():
    rng = np.random.default_rng(2)
    y = rng.normal(size=40) + np.r_[np.zeros(32), np.full(8, 1.2)]
    r = interrupted(y, [1] * 40, pre_periods=32, window_periods=8, confidence_level=0.9)
    q = stats.t.ppf(0.95, r.df)
    assert r.ci_high - r.estimate == pytest.approx(q * r.standard_error, rel=1e-12)
    at_edge = 2 * stats.t.sf(q, r.df)
    assert at_edge == pytest.approx(0.1, rel=1e-9)
    assert (r.p_value < 0.1) == (r.ci_low > 0 or r.ci_high < 0)
    assert isinstance(r, ITSResult) and r.confidence_level == 0.9


def _binomial_series(rng, *, pre, window, step, rho, sd_ar):
    """Counts per period: share = trend + AR(1) deviation (+ step in the window), n ~ 300-500."""
    a = np.empty(pre + window)
    a[0] = rng.normal() * sd_ar / math.sqrt(1 - rho**2)
    for i in range(1, pre + window):
        a[i] = rho * a[i - 1] + rng.normal() * sd_ar
    p = 0.20 + 0.002 * np.arange(pre + window) + a
    p[pre:] += step
    n = rng.integers(300, 500, pre + window)
    y = rng.binomial(n, p) / n
    return y, n


def test_intervals_cover_a_known_step():
    # 1,000 counts-level series: 30 pre periods, a trend, AR(1) variation of the
    # true share (rho 0.3, sd 0.005) on top of binomial sampling (sd about 0.02),
    # 4 window periods with a true step of 3 points; the window's variances are its
    # sampling variances p(1-p)/n. (Measured over 5,000 series: about 94.0%.)
    rng = np.random.default_rng(20260)
    covered = 0
    for _ in range(1000):
        y, n = _binomial_series(rng, pre=30, window=4, step=0.03, rho=0.3, sd_ar=0.005)
        wv = (y * (1 - y) / n)[30:]
        r = interrupted(y, n, pre_periods=30, window_periods=4, window_variances=wv)
        covered += r.ci_low <= 0.03 <= r.ci_high
    assert covered >= 935


def test_no_effect_on_a_trend_while_a_naive_before_after_is_significant():
    # A rising share and no release effect: the segmented-regression interval
    # holds 0 at about the nominal rate, while the before/after comparison of the
    # pooled shares (two-proportion z test) calls the trend an effect in most series
    # (82% of these 400).
    rng = np.random.default_rng(99)
    holds, naive = 0, 0
    runs = 400
    for _ in range(runs):
        y, n = _binomial_series(rng, pre=30, window=4, step=0.0, rho=0.3, sd_ar=0.005)
        wv = (y * (1 - y) / n)[30:]
        r = interrupted(y, n, pre_periods=30, window_periods=4, window_variances=wv)
        holds += r.ci_low <= 0 <= r.ci_high
        k = y * n
        p1, n1 = k[:30].sum() / n[:30].sum(), n[:30].sum()
        p2, n2 = k[30:].sum() / n[30:].sum(), n[30:].sum()
        pool = (k.sum()) / n.sum()
        z = (p2 - p1) / math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        naive += 2 * stats.norm.sf(abs(z)) < 0.05
    assert 0.91 * runs <= holds <= 0.98 * runs
    assert naive >= 0.75 * runs


def test_newey_west_lag_rule():
    # floor(4 (n/100)^(2/9)), at least 1
    assert [newey_west_lag(n) for n in (1, 5, 19, 30, 100, 1000)] == [1, 2, 2, 3, 4, 6]


def test_indicators_fit_another_release_and_constant_ones_are_dropped():
    t = np.arange(40, dtype=float)
    other = (t >= 15).astype(float)
    y = 3 + 0.1 * t + 2.0 * other + np.r_[np.zeros(34), np.full(6, 1.0)]
    y = y + np.tile([0.05, -0.05], 20)
    r = interrupted(y, [1] * 40, pre_periods=34, window_periods=6, indicators=other)
    assert r.estimate == pytest.approx(1.0, abs=0.05)
    naive = interrupted(y, [1] * 40, pre_periods=34, window_periods=6)
    assert abs(naive.estimate - 1.0) > 0.5  # ignoring the other release misleads
    later = (t >= 39).astype(float)  # a release inside the window cannot be fitted
    with pytest.raises(ValueError, match="indicators"):
        interrupted(y, [1] * 40, pre_periods=34, window_periods=6, indicators=later)
    after = np.zeros(40)  # after the window (here: never): changes nothing
    same = interrupted(
        y, [1] * 40, pre_periods=34, window_periods=6, indicators=np.column_stack([other, after])
    )
    assert same.estimate == pytest.approx(r.estimate, rel=1e-12)
    with pytest.raises(ValueError, match="collinear"):
        interrupted(y, [1] * 40, pre_periods=34, window_periods=6,
                    indicators=np.column_stack([other, other]))  # fmt: skip


def test_exact_line_gives_nan_with_a_warning():
    y = 1 + 0.5 * np.arange(20.0)
    with pytest.warns(CvlibWarning, match="standard error is 0"):
        r = interrupted(y, [1] * 20, pre_periods=16, window_periods=4, window_variances=[0] * 4)
    assert r.estimate == pytest.approx(0, abs=1e-12)
    assert math.isnan(r.p_value) and math.isnan(r.ci_low)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weights": [1] * 9}, ValueError, "equal length"),
        ({"weights": [0] + [1] * 9}, ValueError, "weights must be positive"),
        ({"values": [math.nan] + [1.0] * 9}, ValueError, "values must be finite"),
        ({"pre_periods": 2}, ValueError, "pre_periods"),
        ({"pre_periods": 8, "window_periods": 3}, ValueError, "pre_periods \\+ window_periods"),
        ({"window_periods": 0}, ValueError, "window_periods"),
        ({"confidence_level": 1.5}, ValueError, "confidence_level"),
        ({"hac_lag": -1}, ValueError, "hac_lag"),
        ({"hac_lag": 1.5}, TypeError, "hac_lag"),
        ({"window_variances": [1.0]}, ValueError, "window_variances"),
        ({"window_variances": [-1.0, 1.0]}, ValueError, "window_variances"),
        ({"indicators": [2] * 10}, ValueError, "indicators"),
        ({"indicators": [[0, 1]] * 9}, ValueError, "indicators"),
        ({"times": [0, 1, 2, 3, 5, 4, 6, 7, 8, 9]}, ValueError, "times"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"values": [float(i % 3) for i in range(10)], "weights": [1] * 10,
            "pre_periods": 8, "window_periods": 2} | kwargs  # fmt: skip
    values, weights = args.pop("values"), args.pop("weights")
    with pytest.raises(error, match=match):
        interrupted(values, weights, **args)


def test_placebo_p_value_is_the_rank_among_placebos():
    rng = np.random.default_rng(4)
    y = 5 + 0.05 * np.arange(60) + rng.normal(size=60) * 0.3
    y[50:] += 2.0
    r = placebo(y, [1] * 60, release_index=50, window_periods=4, min_pre=12)
    assert r.placebo_indices == tuple(range(12, 47))
    assert r.n_placebos == 35
    real = interrupted(y, [1] * 60, pre_periods=50, window_periods=4)
    assert r.estimate == real.estimate
    larger = sum(abs(e) >= abs(r.estimate) for e in r.placebo_estimates)
    assert r.p_value == (1 + larger) / 36
    assert r.p_value == 1 / 36  # the step is larger than every placebo
    first = interrupted(y[:16], [1] * 16, pre_periods=12, window_periods=4)
    assert r.placebo_estimates[0] == pytest.approx(first.estimate, rel=1e-12)


def test_placebo_with_no_effect_is_not_small_and_too_few_is_nan():
    rng = np.random.default_rng(8)
    y = 5 + rng.normal(size=60)
    r = placebo(y, [1] * 60, release_index=50, window_periods=4)
    assert r.p_value > 0.05
    with pytest.warns(CvlibWarning, match="fewer than 19"):
        few = placebo(y[:34], [1] * 34, release_index=30, window_periods=4)
    assert few.n_placebos == 15 and math.isnan(few.p_value)


def test_placebo_skips_dates_with_another_release_inside_their_window():
    t = np.arange(60, dtype=float)
    other = (t >= 30).astype(float)
    y = 5 + 0.01 * t + other + np.tile([0.1, -0.2, 0.1], 20)
    r = placebo(y, [1] * 60, release_index=50, window_periods=4, indicators=other)
    # dates 27..30 put the switch at 30 in the window with a pre-period of zeros
    assert not set(range(27, 31)) & set(r.placebo_indices)
    assert r.n_placebos == 35 - 4


def test_merge_sparse_pools_small_periods_and_respects_boundaries():
    m = merge_sparse([0.2, 0.4, 0.6, 0.3, 0.5], [10, 10, 100, 5, 50], min_weight=20)
    assert m.groups == ((0, 1), (2,), (3, 4))
    assert m.weights == (20.0, 100.0, 55.0)
    assert m.values[2] == pytest.approx((5 * 0.3 + 50 * 0.5) / 55)
    assert m.times[2] == pytest.approx((5 * 3 + 50 * 4) / 55)
    cut = merge_sparse([0.2, 0.4, 0.6, 0.3, 0.5], [10, 10, 100, 5, 50], min_weight=20,
                       boundaries=[3])  # fmt: skip
    assert cut.groups == ((0, 1), (2,), (3, 4))
    with pytest.warns(CvlibWarning, match="periods 0..0 weigh 15"):
        split = merge_sparse([1.0, 2.0, 3.0, 4.0], [15] * 4, min_weight=20, boundaries=[1])
    assert split.groups == ((0,), (1, 2, 3))  # a stretch below the minimum stays alone
    # a remainder below the minimum joins the group before it; empty periods count 0
    tail = merge_sparse([1.0, math.nan, 2.0], [30, 0, 5], min_weight=20)
    assert tail.groups == ((0, 1, 2),) and tail.values[0] == pytest.approx(40 / 35)


def test_merge_sparse_warns_and_checks():
    with pytest.warns(CvlibWarning, match="below min_weight"):
        merge_sparse([1.0, 2.0], [1, 1], min_weight=5)
    with pytest.raises(ValueError, match="min_weight"):
        merge_sparse([1.0], [1], min_weight=0)
    with pytest.raises(TypeError, match="min_weight"):
        merge_sparse([1.0], [1], min_weight="5")
    with pytest.raises(ValueError, match="weights"):
        merge_sparse([1.0], [-1], min_weight=1)
    with pytest.raises(ValueError, match="boundaries"):
        merge_sparse([1.0], [1], min_weight=1, boundaries=[3])


def test_merged_times_feed_interrupted():
    rng = np.random.default_rng(12)
    n = rng.integers(1, 60, 40).astype(float)
    y = 0.3 + 0.001 * np.arange(40) + rng.normal(size=40) * 0.01
    m = merge_sparse(y, n, min_weight=40, boundaries=[32])
    release = next(i for i, g in enumerate(m.groups) if g[0] == 32)
    r = interrupted(m.values, m.weights, pre_periods=release,
                    window_periods=len(m.groups) - release, times=m.times)  # fmt: skip
    assert abs(r.estimate) < 4 * r.standard_error
