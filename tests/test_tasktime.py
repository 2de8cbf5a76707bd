"""Tests for cvlib.stats.tasktime: geometric_mean, compare, rank_compare.

Tolerances
----------
* Published values: half a unit in the last printed digit (MeasuringU prints
  whole seconds -> ``abs=0.5``; R's ``p-value = 0.1272`` -> ``abs=5e-5``).
* Exact Wilcoxon results are rationals and order statistics of the data: exact
  p-values are compared to R's printed digits, interval ends to the data's own
  decimals (``abs=1e-12``).
* Normal-approximation intervals and estimates are roots found by R's
  ``uniroot(tol = 1e-4)``; cvlib runs the same algorithm (Brent's zeroin) to the
  same tolerance, so printed R values are matched to ``abs=1e-4``.
* Identities (swap, scaling, agreement with scipy): relative 1e-9 or tighter.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cvlib.errors import CvlibWarning
from cvlib.stats import results, tasktime
from cvlib.stats.rank import rank_compare
from cvlib.stats.summary import SampleSummary, one_sample_test, welch_test
from cvlib.stats.tasktime import compare, geometric_mean

ALTERNATIVES = ("two-sided", "less", "greater")

# R ?wilcox.test, one-sample/paired example: Hollander & Wolfe (1973), p. 29f, Hamilton
# depression scale factor at the first (x) and second (y) visit.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# R ?wilcox.test, two-sample example: Hollander & Wolfe (1973), p. 69f, permeability
# constants at term (x) and at 12 to 26 weeks gestational age (y).
PERMEABILITY_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
PERMEABILITY_Y = [1.15, 0.88, 0.90, 0.74, 1.21]
# R datasets::airquality, Ozone (ppb) in May (Month 5) and August (Month 8) with the NAs
# dropped, as wilcox.test(Ozone ~ Month, subset = Month %in% c(5, 8)) sees them.
OZONE_MAY = [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4,
             32, 23, 45, 115, 37]  # fmt: skip
OZONE_AUGUST = [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9,
                45, 168, 73, 76, 118, 84, 85]  # fmt: skip
# Ruczinski, "Statistics for Laboratory Scientists (140.615): Permutation and
# Non-Parametric Tests", https://www.biostat.jhsph.edu/~iruczins/teaching/materials/code/pnp/c.pnp.html
JHSPH_PAIRED_X = [117.3, 100.1, 94.5, 135.5, 92.9, 118.9, 144.8, 103.9, 103.8, 153.6, 163.1]
JHSPH_PAIRED_Y = [145.9, 94.8, 108.0, 122.6, 130.2, 143.9, 149.9, 138.5, 91.7, 162.6, 202.5]
JHSPH_X = [43.3, 57.1, 35.0, 50.0, 38.2, 61.2]
JHSPH_Y = [51.9, 95.1, 90.0, 49.7, 101.5, 74.1, 84.5, 46.8, 75.1]
# CRAN fuzzyRankTests, tests/ranksum.R and tests/signrank.R, with R's printed output in
# tests/ranksum.Rout.save and tests/signrank.Rout.save (R 2.3.0). Ties -> normal approximation.
FUZZY_X = [1, 2, 3, 4, 4, 4, 5, 6, 7]
FUZZY_Y = [4, 5, 7, 7, 8, 9, 10, 11]
FUZZY_SIGNRANK = [-3, -2, -2, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 5, 6, 7]


# -- geometric_mean -------------------------------------------------------------------------


def test_geometric_mean_matches_measuringu():
    # Sauro (2006), "Graph and Calculator for Confidence Intervals for Task Times",
    # measuringu.com/time_intervals.php: times 55, 65, 75, 62, 45, 135 ->
    # "Average Time: 68 seconds, 95% CI (46, 101)" (whole seconds); also in Sauro & Lewis,
    # Quantifying the User Experience, ch. 3.
    result = geometric_mean([55, 65, 75, 62, 45, 135])
    assert result.estimate == pytest.approx(68, abs=0.5)
    assert result.ci_low == pytest.approx(46, abs=0.5)
    assert result.ci_high == pytest.approx(101, abs=0.5)
    assert result.n == 6
    assert result.confidence_level == 0.95
    assert result.method == "t-interval on ln(seconds), back-transformed"


def test_geometric_mean_is_the_back_transformed_one_sample_interval():
    times = [55, 65, 75, 62, 45, 135]
    logs = SampleSummary.from_values(np.log(times))
    log_interval = one_sample_test(logs, confidence_level=0.9)
    result = geometric_mean(times, confidence_level=0.9)
    assert result.estimate == pytest.approx(math.exp(logs.mean), rel=1e-15)
    assert result.ci_low == pytest.approx(math.exp(log_interval.ci_low), rel=1e-15)
    assert result.ci_high == pytest.approx(math.exp(log_interval.ci_high), rel=1e-15)
    assert result.confidence_level == 0.9


def test_geometric_mean_undefined_interval_warns():
    with pytest.warns(CvlibWarning, match=r"geometric_mean: .*at least 2 observations"):
        single = geometric_mean([42.0])
    assert single.estimate == pytest.approx(42.0, rel=1e-15)
    assert math.isnan(single.ci_low) and math.isnan(single.ci_high)
    with pytest.warns(CvlibWarning, match=r"geometric_mean: .*zero variance"):
        constant = geometric_mean([30.0, 30.0, 30.0])
    assert constant.estimate == pytest.approx(30.0, rel=1e-15)
    assert math.isnan(constant.ci_low)


# -- compare --------------------------------------------------------------------------------


def test_compare_goes_through_the_aggregate_layer():
    before = [55, 65, 75, 62, 45, 135]
    after = [40, 52, 61, 47, 38, 90]
    log_before = SampleSummary.from_values(np.log(before))
    log_after = SampleSummary.from_values(np.log(after))
    welch = welch_test(log_before, log_after, alternative="less")
    result = compare(before, after, alternative="less")
    assert result.estimate == pytest.approx(math.exp(welch.estimate), rel=1e-15)
    assert (result.p_value, result.statistic, result.df) == (
        welch.p_value,
        welch.statistic,
        welch.df,
    )
    assert result.ci_low == 0.0  # exp(-inf): one-sided interval (0, x]
    assert result.ci_high == pytest.approx(math.exp(welch.ci_high), rel=1e-15)
    paired_test = one_sample_test(SampleSummary.from_values(np.log(after) - np.log(before)))
    paired = compare(before, after, paired=True)
    assert paired.estimate == pytest.approx(math.exp(paired_test.estimate), rel=1e-15)
    assert paired.p_value == paired_test.p_value and paired.df == 5
    assert (paired.n_before, paired.n_after) == (6, 6)
    assert paired.method.startswith("paired t-test on ln(seconds)")
    assert result.method.startswith("Welch t-test on ln(seconds)")


def test_compare_ratio_equals_ratio_of_geometric_means():
    before = [55, 65, 75, 62, 45, 135]
    after = [40, 52, 61, 47, 38, 90]
    ratio = geometric_mean(after).estimate / geometric_mean(before).estimate
    assert compare(before, after).estimate == pytest.approx(ratio, rel=1e-12)
    assert compare(before, after, paired=True).estimate == pytest.approx(ratio, rel=1e-12)


def test_compare_paired_needs_equal_lengths_and_never_switches():
    with pytest.raises(ValueError, match=r"equal length .*got 3 and 2"):
        compare([1.0, 2.0, 3.0], [1.0, 2.0], paired=True)
    with pytest.raises(ValueError, match=r"equal length"):
        rank_compare([1.0, 2.0, 3.0], [1.0, 2.0], paired=True)
    with pytest.raises(TypeError, match=r"paired must be True or False, got 'yes'"):
        compare([1.0, 2.0], [1.0, 2.0], paired="yes")


@pytest.mark.parametrize("function", [compare, rank_compare])
def test_times_must_be_positive_finite_and_present(function):
    with pytest.raises(ValueError, match=r"before must be positive and finite .*position 1"):
        function([3.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"after must be positive and finite .*position 0"):
        function([3.0, 4.0], [-1.0, 2.0])
    with pytest.raises(ValueError, match=r"after must be positive and finite"):
        function([3.0, 4.0], [math.nan, 2.0])
    with pytest.raises(ValueError, match=r"before must be positive and finite"):
        function([math.inf, 4.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"before must contain at least one time"):
        function([], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"confidence_level must be in \(0, 1\), got 0"):
        function([1.0, 2.0], [1.0, 3.0], confidence_level=0)
    with pytest.raises(ValueError, match=r"alternative must be one of"):
        function([1.0, 2.0], [1.0, 3.0], alternative="two.sided")


def test_geometric_mean_rejects_bad_input():
    with pytest.raises(ValueError, match=r"times must be positive and finite"):
        geometric_mean([10.0, -3.0])
    with pytest.raises(ValueError, match=r"times must contain at least one time"):
        geometric_mean([])
    with pytest.raises(ValueError, match="confidence_level"):
        geometric_mean([1.0, 2.0], confidence_level=95)
    with pytest.raises(TypeError, match=r"times must be a sequence of numbers"):
        geometric_mean(["fast", "slow"])


def test_compare_undefined_cases_are_nan_with_warning():
    with pytest.warns(CvlibWarning, match=r"compare: .*at least 2 observations"):
        result = compare([50.0], [40.0, 45.0])
    assert math.isnan(result.p_value) and math.isnan(result.ci_low)
    with pytest.warns(CvlibWarning, match=r"compare: .*zero variance"):
        result = compare([50.0, 50.0], [40.0, 40.0])
    assert result.estimate == pytest.approx(0.8, rel=1e-12)
    assert math.isnan(result.p_value)
    with pytest.warns(CvlibWarning, match=r"compare: .*zero variance"):
        result = compare([50.0, 60.0], [40.0, 48.0], paired=True)  # every ratio is 0.8
    assert math.isnan(result.p_value)


# -- compare: properties --------------------------------------------------------------------

times = st.floats(min_value=1.0, max_value=3600.0, allow_nan=False, allow_infinity=False)
samples = st.lists(times, min_size=2, max_size=20)
levels = st.floats(min_value=0.5, max_value=0.999)


def _log_spread(values) -> bool:
    return float(np.std(np.log(values))) > 1e-3


@settings(deadline=None)
@given(before=samples, after=samples, level=levels, alternative=st.sampled_from(ALTERNATIVES))
def test_compare_p_value_and_interval_agree(before, after, level, alternative):
    assume(_log_spread(before) and _log_spread(after))
    result = compare(before, after, confidence_level=level, alternative=alternative)
    alpha = 1 - level
    assume(abs(result.p_value - alpha) > 1e-9)
    assert (result.p_value < alpha) == (result.ci_low > 1 or result.ci_high < 1)


@settings(deadline=None)
@given(pairs=st.lists(st.tuples(times, times), min_size=2, max_size=20), level=levels,
       alternative=st.sampled_from(ALTERNATIVES))  # fmt: skip
def test_paired_compare_p_value_and_interval_agree(pairs, level, alternative):
    before, after = (list(v) for v in zip(*pairs, strict=True))
    assume(_log_spread(np.array(after) / np.array(before)))
    result = compare(before, after, paired=True, confidence_level=level, alternative=alternative)
    alpha = 1 - level
    assume(abs(result.p_value - alpha) > 1e-9)
    assert (result.p_value < alpha) == (result.ci_low > 1 or result.ci_high < 1)


@settings(deadline=None)
@given(before=samples, after=samples, paired=st.booleans())
def test_swapping_before_and_after_inverts_the_ratio(before, after, paired):
    if paired:
        after = (after * len(before))[: len(before)]
        assume(_log_spread(np.array(after) / np.array(before)))
    assume(_log_spread(before) and _log_spread(after))
    forward = compare(before, after, paired=paired)
    backward = compare(after, before, paired=paired)
    assert forward.estimate * backward.estimate == pytest.approx(1.0, rel=1e-9)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-9, abs=1e-15)
    assert forward.ci_low == pytest.approx(1 / backward.ci_high, rel=1e-9)
    assert forward.ci_high == pytest.approx(1 / backward.ci_low, rel=1e-9)


@settings(deadline=None)
@given(before=samples, after=samples, factor=st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_all_times_leaves_ratio_and_p_value_unchanged(before, after, factor):
    assume(_log_spread(before) and _log_spread(after))
    original = compare(before, after)
    scaled = compare([factor * t for t in before], [factor * t for t in after])
    assert scaled.estimate == pytest.approx(original.estimate, rel=1e-9)
    assert scaled.p_value == pytest.approx(original.p_value, rel=1e-6, abs=1e-12)


# -- rank_compare: published values -------------------------------------------------------------
# R's x is `after` and R's y is `before`, because cvlib's shift is after - before.


def test_signed_rank_matches_r_depression_example():
    # R ?wilcox.test: wilcox.test(x, y, paired = TRUE, alternative = "greater")
    #   V = 40, p-value = 0.01953
    result = rank_compare(DEPRESSION_Y, DEPRESSION_X, paired=True, alternative="greater")
    assert result.statistic == 40
    assert result.p_value == pytest.approx(0.01953, abs=5e-6)
    assert result.method.startswith("Wilcoxon signed rank exact test")
    assert (result.n_before, result.n_after) == (9, 9)
    # R (?wilcox.test, R >= 4.0): wilcox.test(Pair(first, second) ~ 1, data = depression)
    #   V = 40, p-value = 0.03906
    two_sided = rank_compare(DEPRESSION_Y, DEPRESSION_X, paired=True)
    assert two_sided.p_value == pytest.approx(0.03906, abs=5e-6)


def test_signed_rank_interval_matches_hollander_wolfe():
    # CRAN exactRankTests, tests/exactRankTests-Ex.Rout.save (R 3.6.0), "Hollander & Wolfe,
    # p. 39, results p. 40 and p. 53": wilcox.exact(y, x, paired = TRUE, conf.int = TRUE)
    #   V = 5, p-value = 0.03906; 95 percent confidence interval: -0.786 -0.010;
    #   (pseudo)median -0.46
    # Without ties or zeros wilcox.exact and stats::wilcox.test use the same exact signed
    # rank distribution and the same Walsh-average order statistics.
    result = rank_compare(DEPRESSION_X, DEPRESSION_Y, paired=True)
    assert result.statistic == 5
    assert result.p_value == pytest.approx(0.03906, abs=5e-6)
    assert result.ci_low == pytest.approx(-0.786, abs=1e-12)
    assert result.ci_high == pytest.approx(-0.010, abs=1e-12)
    assert result.estimate == pytest.approx(-0.46, abs=1e-12)
    assert result.confidence_level == 0.95


def test_rank_sum_matches_r_permeability_example():
    # R ?wilcox.test: wilcox.test(x, y, alternative = "g")  ->  W = 35, p-value = 0.1272
    result = rank_compare(PERMEABILITY_Y, PERMEABILITY_X, alternative="greater")
    assert result.statistic == 35
    assert result.p_value == pytest.approx(0.1272, abs=5e-5)
    assert result.method.startswith("Wilcoxon rank sum exact test")
    assert result.ci_high == math.inf


def test_rank_sum_interval_matches_hollander_wolfe():
    # CRAN exactRankTests, tests/exactRankTests-Ex.Rout.save (R 3.6.0), "Hollander & Wolfe,
    # p. 110, results p. 111 and p. 126": wilcox.exact(y, x, conf.int = TRUE)
    #   W = 15, p-value = 0.2544; 95 percent confidence interval: -0.76  0.15;
    #   difference in location -0.305
    # Without ties this is stats::wilcox.test's exact interval (order statistics of the
    # pairwise differences at qwilcox(0.025, 5, 10)).
    result = rank_compare(PERMEABILITY_X, PERMEABILITY_Y)
    assert result.statistic == 15
    assert result.p_value == pytest.approx(0.2544, abs=5e-5)
    assert result.ci_low == pytest.approx(-0.76, abs=1e-12)
    assert result.ci_high == pytest.approx(0.15, abs=1e-12)
    assert result.estimate == pytest.approx(-0.305, abs=1e-12)


def test_rank_sum_with_ties_matches_r_airquality_example():
    # R ?wilcox.test: wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8))
    #   "Wilcoxon rank sum test with continuity correction"; W = 127.5, p-value = 0.0001208
    result = rank_compare(OZONE_AUGUST, OZONE_MAY)
    assert result.statistic == 127.5
    assert result.p_value == pytest.approx(0.0001208, abs=5e-8)
    assert result.method.startswith("Wilcoxon rank sum test with continuity correction")
    assert result.ci_low < result.estimate < result.ci_high < 0


def test_jhsph_rank_tests_match_r():
    # Ruczinski (jhsph page above), with d <- y - x:
    #   wilcox.test(d)                           V = 55, p-value = 0.05371
    #   wilcox.test(d, alternative = "greater")  V = 55, p-value = 0.02686
    #   wilcox.test(x, y)  (two-sample)          W = 8,  p-value = 0.02557
    paired = rank_compare(JHSPH_PAIRED_X, JHSPH_PAIRED_Y, paired=True)
    assert paired.statistic == 55
    assert paired.p_value == pytest.approx(0.05371, abs=5e-6)
    greater = rank_compare(JHSPH_PAIRED_X, JHSPH_PAIRED_Y, paired=True, alternative="greater")
    assert greater.p_value == pytest.approx(0.02686, abs=5e-6)
    two_sample = rank_compare(JHSPH_Y, JHSPH_X)
    assert two_sample.statistic == 8
    assert two_sample.p_value == pytest.approx(0.02557, abs=5e-6)


@pytest.mark.parametrize(
    ("alternative", "p_value", "ci_low", "ci_high", "estimate"),
    [
        # fuzzyRankTests tests/ranksum.Rout.save:
        # wilcox.test(x, y, conf.int = TRUE): W = 8, p-value = 0.007566,
        #   CI -6.000051 -1.000052, difference in location -3.999972
        ("two-sided", 0.007566, -6.000051, -1.000052, -3.999972),
        # wilcox.test(x, y, conf.int = TRUE, alt = "less"): W = 8, p-value = 0.003783,
        #   CI -Inf -1.999986, difference in location -3.999949
        ("less", 0.003783, -math.inf, -1.999986, -3.999949),
        # wilcox.test(x, y, conf.int = TRUE, alt = "great"): W = 8, p-value = 0.9972,
        #   CI -5.999985 Inf, difference in location -3.999996
        ("greater", 0.9972, -5.999985, math.inf, -3.999996),
    ],
)
def test_rank_sum_normal_approximation_interval_matches_r(
    alternative, p_value, ci_low, ci_high, estimate
):
    result = rank_compare(FUZZY_Y, FUZZY_X, alternative=alternative)
    assert result.statistic == 8
    assert result.p_value == pytest.approx(p_value, rel=5e-4)  # 4 significant digits
    assert result.ci_low == pytest.approx(ci_low, abs=1e-4)
    assert result.ci_high == pytest.approx(ci_high, abs=1e-4)
    assert result.estimate == pytest.approx(estimate, abs=1e-4)


@pytest.mark.parametrize(
    ("alternative", "p_value", "ci_low", "ci_high", "estimate"),
    [
        # fuzzyRankTests tests/signrank.Rout.save:
        # wilcox.test(x, conf.int = TRUE): V = 66.5, p-value = 0.03355,
        #   CI 0.4999542 4.5000543, (pseudo)median 2.500058
        ("two-sided", 0.03355, 0.4999542, 4.5000543, 2.500058),
        # wilcox.test(x, conf.int = TRUE, alt = "less"): p-value = 0.9862, CI -Inf 4.499937,
        #   (pseudo)median 2.500003
        ("less", 0.9862, -math.inf, 4.499937, 2.500003),
        # wilcox.test(x, conf.int = TRUE, alt = "great"): p-value = 0.01678, CI 0.5000073 Inf,
        #   (pseudo)median 2.500058
        ("greater", 0.01678, 0.5000073, math.inf, 2.500058),
    ],
)
def test_signed_rank_normal_approximation_interval_matches_r(
    alternative, p_value, ci_low, ci_high, estimate
):
    # wilcox.test(x) on differences x is wilcox.test(10 + x, rep(10, 16), paired = TRUE):
    # the differences (after - before) are exactly x, zeros included.
    before = [10.0] * len(FUZZY_SIGNRANK)
    after = [10.0 + v for v in FUZZY_SIGNRANK]
    result = rank_compare(before, after, paired=True, alternative=alternative)
    assert result.statistic == 66.5
    assert result.p_value == pytest.approx(p_value, rel=5e-4)  # 4 significant digits
    assert result.ci_low == pytest.approx(ci_low, abs=1e-4)
    assert result.ci_high == pytest.approx(ci_high, abs=1e-4)
    assert result.estimate == pytest.approx(estimate, abs=1e-4)
    assert result.method.startswith("Wilcoxon signed rank test with continuity correction")


# -- rank_compare: derived checks (R's code paths without a published printout) -------------


def test_unreachable_confidence_level_is_reported_like_r():
    # Derived from R's wilcox.test code: with 2 + 2 observations qwilcox(0.025, 2, 2) = 0 -> 1,
    # achieved alpha = 2 * pwilcox(0, 2, 2) = 1/3, so R warns and reports conf.level 2/3 with
    # the interval (smallest, largest difference).
    with pytest.warns(CvlibWarning, match=r"not achievable .*0\.6667"):
        result = rank_compare([1.0, 2.0], [3.0, 4.0])
    assert result.confidence_level == pytest.approx(2 / 3, rel=1e-12)
    assert (result.ci_low, result.ci_high) == (1.0, 3.0)
    assert result.p_value == pytest.approx(1 / 3, rel=1e-12)


def test_zero_confidence_interval_is_nan_not_a_point():
    # R would report the single difference as a 0% "interval"; cvlib reports nan.
    with pytest.warns(CvlibWarning, match="no interval with positive confidence"):
        result = rank_compare([2.0], [3.0])
    assert result.estimate == 1.0
    assert math.isnan(result.ci_low) and math.isnan(result.ci_high)
    assert result.confidence_level == 0.95


def test_rank_compare_degenerate_data_warns():
    with pytest.warns(CvlibWarning, match="every time is the same"):
        result = rank_compare([5.0, 5.0, 5.0], [5.0, 5.0])
    assert math.isnan(result.p_value) and math.isnan(result.estimate)
    with pytest.warns(CvlibWarning, match="every paired difference is zero"):
        result = rank_compare([5.0, 6.0], [5.0, 6.0], paired=True)
    assert math.isnan(result.p_value) and math.isnan(result.ci_low)
    with pytest.warns(CvlibWarning, match="all non-zero paired differences are equal"):
        result = rank_compare([5.0, 6.0, 7.0], [7.0, 8.0, 9.0], paired=True)
    assert result.estimate == 2.0 and math.isnan(result.ci_low)
    assert math.isfinite(result.p_value)


def _brute_force_rank_sum_p(after, before, alternative):
    pooled = np.concatenate([after, before])
    ranks = scipy.stats.rankdata(pooled)
    m = len(after)
    observed = ranks[:m].sum()
    sums = np.array([ranks[list(c)].sum() for c in itertools.combinations(range(len(pooled)), m)])
    upper, lower = np.mean(sums >= observed - 1e-9), np.mean(sums <= observed + 1e-9)
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    mean = m * (len(pooled) + 1) / 2
    return min(1.0, 2 * (upper if observed > mean else lower))


@settings(deadline=None, max_examples=40)
@given(
    values=st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=10,
                    unique=True),
    split=st.integers(min_value=1, max_value=9),
    alternative=st.sampled_from(ALTERNATIVES),
)  # fmt: skip
def test_exact_rank_sum_p_equals_permutation_enumeration(values, split, alternative):
    assume(split < len(values))
    before, after = np.array(values[:split], float), np.array(values[split:], float)
    with warnings.catch_warnings():
        # Explicit exception: tiny samples cannot reach 95% (a CvlibWarning about the
        # interval); this test is about the p-value only.
        warnings.simplefilter("ignore", CvlibWarning)
        result = rank_compare(before, after, alternative=alternative)
    expected = _brute_force_rank_sum_p(after, before, alternative)
    assert result.p_value == pytest.approx(expected, rel=1e-12)


positive = st.floats(min_value=1.0, max_value=100.0, allow_nan=False)


@settings(deadline=None)
@given(
    before=st.lists(positive, min_size=1, max_size=30),
    after=st.lists(positive, min_size=1, max_size=30),
    alternative=st.sampled_from(ALTERNATIVES),
    rounded=st.booleans(),
)
def test_rank_sum_p_value_agrees_with_scipy(before, after, alternative, rounded):
    if rounded:  # whole seconds: ties, hence the normal approximation
        before, after = [float(round(t)) for t in before], [float(round(t)) for t in after]
    ties = len(set(before + after)) < len(before) + len(after)
    assume(len(set(before + after)) > 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)  # interval warnings; p-value only here
        result = rank_compare(before, after, alternative=alternative)
    reference = scipy.stats.mannwhitneyu(
        after, before, alternative=alternative, use_continuity=True,
        method="asymptotic" if ties else "exact",
    )  # fmt: skip
    assert result.statistic == reference.statistic
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-14)


@settings(deadline=None)
@given(
    pairs=st.lists(st.tuples(positive, positive), min_size=1, max_size=30),
    alternative=st.sampled_from(ALTERNATIVES),
    rounded=st.booleans(),
)
def test_signed_rank_p_value_agrees_with_scipy(pairs, alternative, rounded):
    before = np.array([b for b, _ in pairs])
    after = np.array([a for _, a in pairs])
    if rounded:
        before, after = np.round(before), np.round(after)
    differences = after - before
    nonzero = differences[differences != 0]
    assume(nonzero.size > 0 and np.unique(nonzero).size > 1)
    exact = nonzero.size == differences.size and np.unique(np.abs(nonzero)).size == nonzero.size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)  # interval warnings; p-value only here
        result = rank_compare(before, after, paired=True, alternative=alternative)
    reference = scipy.stats.wilcoxon(
        differences, zero_method="wilcox", correction=True, alternative=alternative,
        method="exact" if exact else "approx",
    )  # fmt: skip
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-14)


@settings(deadline=None)
@given(data=st.data())
def test_rank_sum_swap_mirrors_shift_and_interval(data):
    # Exact path (distinct values): swapping before and after negates the Hodges-Lehmann
    # shift, mirrors the interval and keeps the two-sided p-value.
    values = data.draw(
        st.lists(st.integers(min_value=1, max_value=10_000), min_size=8, max_size=40, unique=True)
    )
    split = data.draw(st.integers(min_value=4, max_value=len(values) - 4))  # 95% reachable
    before, after = values[:split], values[split:]
    forward = rank_compare(before, after)
    backward = rank_compare(after, before)
    assert forward.estimate == pytest.approx(-backward.estimate, abs=1e-9)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-12)
    assert forward.ci_low == pytest.approx(-backward.ci_high, abs=1e-9)
    assert forward.ci_high == pytest.approx(-backward.ci_low, abs=1e-9)


@settings(deadline=None)
@given(
    before=st.lists(st.integers(min_value=1_000, max_value=2_000), min_size=6, max_size=40),
    magnitudes=st.lists(st.integers(min_value=1, max_value=999), min_size=6, max_size=40,
                        unique=True),
    signs=st.lists(st.booleans(), min_size=40, max_size=40),
)  # fmt: skip
def test_signed_rank_swap_mirrors_shift_and_interval(before, magnitudes, signs):
    # Distinct non-zero |after - before|: the exact path. Swapping negates the differences.
    n = min(len(before), len(magnitudes))
    before = before[:n]
    after = [b + (m if s else -m) for b, m, s in zip(before, magnitudes, signs, strict=False)]
    forward = rank_compare(before, after, paired=True)
    backward = rank_compare(after, before, paired=True)
    assert forward.method.startswith("Wilcoxon signed rank exact test")
    assert forward.estimate == pytest.approx(-backward.estimate, abs=1e-9)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-12)
    assert forward.ci_low == pytest.approx(-backward.ci_high, abs=1e-9)
    assert forward.ci_high == pytest.approx(-backward.ci_low, abs=1e-9)


# ---------------------------------------------------------------------------
# test_target() and compare(null=): tests of a target time and of a null ratio
# ---------------------------------------------------------------------------

# R: t.test(c(1.5, -2.0, 2.1, -2.2, 1.3, 3.2), mu = 0) prints
# "t = 0.71354, df = 5, p-value = 0.5074" and
# "95 percent confidence interval: -1.691676  2.991676"
# (statscodes, https://www.statscodes.com/tests-and-intervals/one-sample-t-tests-in-r/).
STATSCODES_LOGS = [1.5, -2.0, 2.1, -2.2, 1.3, 3.2]


@pytest.mark.parametrize("shift", [0.0, 4.0])
def test_test_target_matches_r_t_test_on_the_log_scale(shift):
    # The times are exp(data + shift) seconds and the target exp(shift) seconds, so
    # ln(times) - ln(target) is R's data: the same t, df and p-value for every shift.
    # Tolerance: half a unit in R's last printed digit.
    times = np.exp(np.array(STATSCODES_LOGS) + shift)
    res = tasktime.test_target(times, null=math.exp(shift))
    assert isinstance(res, results.Test)
    assert res.statistic == pytest.approx(0.71354, abs=5e-6)
    assert res.df == 5.0
    assert res.p_value == pytest.approx(0.5074, abs=5e-5)
    assert res.null == pytest.approx(math.exp(shift), rel=1e-15)
    est = geometric_mean(times)
    assert math.log(est.ci_low) - shift == pytest.approx(-1.691676, abs=5e-7)
    assert math.log(est.ci_high) - shift == pytest.approx(2.991676, abs=5e-7)


def test_test_target_at_the_interval_bounds_and_scale_invariance():
    times = [55, 65, 75, 62, 45, 135]
    est = geometric_mean(times, confidence_level=0.9)
    low = tasktime.test_target(times, null=est.ci_low, alternative="greater")
    high = tasktime.test_target(times, null=est.ci_high, alternative="less")
    assert low.p_value == pytest.approx(0.05, abs=1e-12)
    assert high.p_value == pytest.approx(0.05, abs=1e-12)
    minutes = tasktime.test_target([t / 60 for t in times], null=80 / 60)
    assert minutes.statistic == pytest.approx(
        tasktime.test_target(times, null=80).statistic, rel=1e-12
    )


def test_test_target_undefined_warns():
    with pytest.warns(CvlibWarning, match="test_target: one_sample_test"):
        res = tasktime.test_target([30.0], null=20)
    assert math.isnan(res.statistic) and math.isnan(res.p_value) and math.isnan(res.df)


def test_test_target_errors_name_the_argument():
    with pytest.raises(ValueError, match="null must be positive and finite"):
        tasktime.test_target([30.0, 40.0], null=0)
    with pytest.raises(TypeError, match="null must be a number"):
        tasktime.test_target([30.0, 40.0], null="30")
    with pytest.raises(ValueError, match="times must be positive"):
        tasktime.test_target([30.0, -1.0], null=30)


@pytest.mark.parametrize("paired", [False, True])
def test_compare_null_ratio(paired):
    # R's sleep data on the log scale: times exp(extra) seconds. Shifting the after
    # logs by ln(rho) and testing rho is the same t as the unshifted test of 1.
    g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    base = compare(np.exp(g2), np.exp(g1), paired=paired)
    moved = compare(np.exp(g2), np.exp(g1 + math.log(1.5)), paired=paired, null=1.5)
    assert moved.statistic == pytest.approx(base.statistic, rel=1e-9)
    assert moved.p_value == pytest.approx(base.p_value, rel=1e-9)
    assert moved.df == pytest.approx(base.df, rel=1e-12)
    # R: t.test(extra ~ group, data = sleep) t = -1.8608, p-value = 0.07939 (Welch);
    # paired = TRUE: t = -4.0621, p-value = 0.002833 (R's ?t.test example)
    want = (-4.0621, 0.002833) if paired else (-1.8608, 0.07939)
    assert base.statistic == pytest.approx(want[0], abs=5e-5)
    # the default keeps the old result, and the interval does not move with null
    assert compare(np.exp(g2), np.exp(g1), paired=paired, null=1.0) == base
    other = compare(np.exp(g2), np.exp(g1), paired=paired, null=0.5)
    assert (other.ci_low, other.ci_high) == (base.ci_low, base.ci_high)


def test_compare_null_errors():
    with pytest.raises(ValueError, match="null must be positive and finite"):
        compare([30.0, 40.0], [20.0, 25.0], null=-1.0)
    with pytest.raises(ValueError, match="null must be positive and finite"):
        compare([30.0, 40.0], [20.0, 25.0], null=math.inf)
