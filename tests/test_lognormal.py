"""Tests for cvlib.stats.lognormal (generalized pivotal quantity intervals of log-normal means).

No published interval for the difference of two log-normal means, nor a
published GPQ interval of one mean with its data, was found to pin these
numbers to. What is checked instead: the one-sample Monte Carlo interval
against the same pivotal distribution integrated numerically (independent of
the simulation), on Olsson's (2005) published sample; the small-spread limit
(the t interval of the geometric mean); the coverage of the difference
interval by simulation; exact scale equivariance; and the undefined cases.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from cvlib.errors import CvlibWarning
from cvlib.stats.lognormal import MeanDifference, mean_difference, mean_interval
from cvlib.stats.tasktime import geometric_mean

# Olsson, U. (2005). Confidence intervals for the mean of a log-normal
# distribution. Journal of Statistics Education 13(1), Table 1: n = 40 draws
# from a log-normal with mu = 5, sigma = 1 (jse.amstat.org/v13n1/olsson.html).
OLSSON = [914.9, 1568.3, 50.5, 94.1, 199.5, 23.8, 70.5, 213.1, 44.1, 331.7, 139.3, 115.6, 38.4,
          357.1, 725.9, 253.2, 905.6, 155.4, 138.1, 95.2, 75.2, 275.0, 401.1, 653.8, 390.8, 483.5,
          62.6, 128.5, 81.5, 218.5, 308.2, 41.2, 60.3, 506.9, 221.8, 112.5, 93.7, 199.3, 210.6,
          39.2]  # fmt: skip


def gpq_quantile(times, p: float) -> float:
    """The p quantile of exp(T_mu + T_sigma2 / 2) by numerical integration over U^2.

    Given U^2 = u, T <= c exactly when the standard normal -Z is at most
    (ln c - ybar - (n-1) s^2 / (2u)) sqrt(n u / (n - 1)) / s, so
    P(T <= c) = E[Phi(...)] over u ~ chi-square(n - 1).
    """
    y = np.log(times)
    n, ybar, s = y.size, y.mean(), y.std(ddof=1)

    def cdf(c):
        def integrand(u):
            arg = (math.log(c) - ybar - (n - 1) * s * s / (2 * u)) * math.sqrt(n * u / (n - 1)) / s
            return stats.norm.cdf(arg) * stats.chi2.pdf(u, n - 1)

        return integrate.quad(integrand, 0, np.inf, epsabs=1e-12, limit=200)[0]

    return optimize.brentq(
        lambda c: cdf(c) - p, math.exp(ybar - 10 * s), math.exp(ybar + 10 * s * s + 10)
    )


def test_olsson_sample_is_transcribed_as_published():
    # Olsson (2005), Table 2: X mean 274.963, median 177.350, sd 310.343;
    # ln X mean 5.127, median 5.170, sd 1.004.
    x = np.array(OLSSON)
    assert x.size == 40
    assert (x.mean(), np.median(x), x.std(ddof=1)) == pytest.approx(
        (274.963, 177.350, 310.343),
        abs=6e-4,  # printed to 3 decimals
    )
    y = np.log(x)
    assert (y.mean(), np.median(y), y.std(ddof=1)) == pytest.approx((5.127, 5.170, 1.004), abs=5e-4)


def test_one_sample_interval_matches_the_integrated_pivot():
    # Monte Carlo with 100,000 draws against quadrature: within 1% of the width.
    r = mean_interval(OLSSON)
    low, high = gpq_quantile(OLSSON, 0.025), gpq_quantile(OLSSON, 0.975)
    width = high - low
    assert r.ci_low == pytest.approx(low, abs=0.01 * width)
    assert r.ci_high == pytest.approx(high, abs=0.01 * width)
    y = np.log(OLSSON)
    assert r.estimate == pytest.approx(math.exp(y.mean() + y.var(ddof=0) / 2), rel=1e-12)
    assert r.n == 40 and r.confidence_level == 0.95
    assert "100000 draws, seed 20030101" in r.method


def test_small_spread_gives_the_geometric_mean_t_interval():
    # With sigma -> 0, T = exp(T_mu + T_sigma2/2) -> exp(T_mu), the t pivot.
    rng = np.random.default_rng(7)
    times = np.exp(4.0 + 1e-4 * rng.standard_normal(24))
    r = mean_interval(times)
    g = geometric_mean(times)
    half = math.log(g.ci_high / g.estimate)
    assert math.log(r.ci_low) == pytest.approx(math.log(g.ci_low), abs=0.02 * half)
    assert math.log(r.ci_high) == pytest.approx(math.log(g.ci_high), abs=0.02 * half)


@pytest.mark.parametrize(("n_before", "n_after", "sigma"), [(24, 36, 0.6), (30, 30, 1.0)])
def test_difference_interval_covers_at_its_level(n_before, n_after, sigma):
    # 400 simulated studies (seed 11) with 4,000 draws each; the true
    # difference of means is exp(4 + s^2/2) - exp(3.8 + s^2/2). Binomial
    # standard error of the coverage ~0.011, so [0.92, 0.98] is ~2.7 SE.
    rng = np.random.default_rng(11)
    truth = math.exp(4.0 + sigma**2 / 2) - math.exp(3.8 + sigma**2 / 2)
    hits = 0
    for _ in range(400):
        before = np.exp(4.0 + sigma * rng.standard_normal(n_before))
        after = np.exp(3.8 + sigma * rng.standard_normal(n_after))
        r = mean_difference(before, after, draws=4000)
        hits += r.ci_low <= truth <= r.ci_high
    assert 0.92 <= hits / 400 <= 0.98


def test_difference_scales_exactly_and_is_reproducible():
    rng = np.random.default_rng(3)
    before = np.exp(4.0 + 0.7 * rng.standard_normal(24))
    after = np.exp(3.9 + 0.5 * rng.standard_normal(36))
    r = mean_difference(before, after)
    minutes = mean_difference(before / 60, after / 60)
    assert (minutes.estimate * 60, minutes.ci_low * 60, minutes.ci_high * 60) == pytest.approx(
        (r.estimate, r.ci_low, r.ci_high), rel=1e-12
    )
    assert mean_difference(before, after) == r
    other = mean_difference(before, after, seed=1)
    width = r.ci_high - r.ci_low
    assert other.ci_low == pytest.approx(r.ci_low, abs=0.02 * width)
    assert other.ci_high == pytest.approx(r.ci_high, abs=0.02 * width)
    plain_means = before.mean() - after.mean()
    assert r.ci_low < plain_means < r.ci_high


def test_same_samples_give_an_interval_around_zero():
    times = [55.0, 65.0, 75.0, 62.0, 45.0, 135.0, 48.0, 90.0, 71.0, 60.0]
    r = mean_difference(times, times)
    assert r.estimate == 0.0
    assert r.ci_low < 0.0 < r.ci_high
    assert -r.ci_low == pytest.approx(r.ci_high, rel=0.05)  # symmetric up to simulation error


def test_one_difference_bound_is_one_sample_when_the_other_is_exact():
    # An after sample with near-zero spread and many times is almost a constant:
    # the difference interval is the before interval shifted by that constant.
    rng = np.random.default_rng(5)
    after = np.full(500, 30.0) * np.exp(1e-6 * rng.standard_normal(500))
    r = mean_difference(OLSSON, after)
    one = mean_interval(OLSSON)
    width = one.ci_high - one.ci_low
    assert r.ci_low + 30.0 == pytest.approx(one.ci_low, abs=0.01 * width)
    assert r.ci_high + 30.0 == pytest.approx(one.ci_high, abs=0.01 * width)


def test_undefined_intervals_are_nan_with_a_warning():
    with pytest.warns(CvlibWarning, match="after has fewer than 2 times"):
        r = mean_difference([10.0, 20.0, 30.0], [15.0])
    assert math.isnan(r.ci_low) and math.isnan(r.ci_high)
    assert r.estimate == pytest.approx(
        math.exp(np.log([10, 20, 30]).mean() + np.log([10, 20, 30]).var() / 2) - 15.0
    )
    with pytest.warns(CvlibWarning, match="identical times"):
        e = mean_interval([12.0, 12.0, 12.0])
    assert e.estimate == pytest.approx(12.0) and math.isnan(e.ci_low)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="draws must be >= 1000"):
        mean_difference([1.0, 2.0], [1.0, 3.0], draws=10)
    with pytest.raises(TypeError, match="seed"):
        mean_difference([1.0, 2.0], [1.0, 3.0], seed=True)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        mean_interval([1.0, 2.0], seed=-1)
    with pytest.raises(ValueError, match="before must be positive"):
        mean_difference([1.0, -2.0], [1.0, 3.0])
    with pytest.raises(ValueError, match="confidence_level"):
        mean_interval([1.0, 2.0], confidence_level=0)
    with pytest.raises(TypeError):
        mean_difference([1.0, 2.0], [1.0, 3.0], 0.9)  # options are keyword-only


def test_result_is_frozen_and_slotted():
    r = mean_difference([10.0, 20.0, 30.0], [9.0, 18.0, 25.0], draws=1000)
    assert isinstance(r, MeanDifference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.estimate = 0.0
    assert not hasattr(r, "__dict__")
    assert (r.draws, r.seed) == (1000, 20030101)
