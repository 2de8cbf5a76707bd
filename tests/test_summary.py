"""Tests for cvlib.stats.summary: SampleSummary, welch_test, one_sample_test.

Tolerances
----------
* Values printed by R's ``t.test``: half a unit in the last printed digit
  (``t = -1.8608`` -> ``abs=5e-5``), since R rounds what it prints.
* Algebraic identities (pooling, duality): relative 1e-9 to 1e-12, stated per test.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison
from cvlib.stats.summary import SampleSummary, one_sample_test, welch_test

# R datasets::sleep, extra hours of sleep; group 1 and group 2 are paired by position (ID).
SLEEP_GROUP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# Ruczinski, "Statistics for Laboratory Scientists (140.615): Permutation and
# Non-Parametric Tests", https://www.biostat.jhsph.edu/~iruczins/teaching/materials/code/pnp/c.pnp.html
# (R output printed on the page).
JHSPH_PAIRED_X = [117.3, 100.1, 94.5, 135.5, 92.9, 118.9, 144.8, 103.9, 103.8, 153.6, 163.1]
JHSPH_PAIRED_Y = [145.9, 94.8, 108.0, 122.6, 130.2, 143.9, 149.9, 138.5, 91.7, 162.6, 202.5]
JHSPH_X = [43.3, 57.1, 35.0, 50.0, 38.2, 61.2]
JHSPH_Y = [51.9, 95.1, 90.0, 49.7, 101.5, 74.1, 84.5, 46.8, 75.1]

ALTERNATIVES = ("two-sided", "less", "greater")


# -- published reference values -------------------------------------------------------------


def test_welch_matches_r_sleep():
    # R: t.test(extra ~ group, data = sleep)   (Welch; estimate is group 1 - group 2)
    #   t = -1.8608, df = 17.776, p-value = 0.07939
    #   95 percent confidence interval: -3.3654832  0.2054832
    #   mean in group 1 0.75, mean in group 2 2.33
    # cvlib's estimate is after - before, so group 2 is `before` and group 1 `after`.
    result = welch_test(
        SampleSummary.from_values(SLEEP_GROUP2), SampleSummary.from_values(SLEEP_GROUP1)
    )
    assert isinstance(result, Comparison)
    assert result.estimate == pytest.approx(0.75 - 2.33, abs=1e-12)
    assert result.statistic == pytest.approx(-1.8608, abs=5e-5)
    assert result.df == pytest.approx(17.776, abs=5e-4)
    assert result.p_value == pytest.approx(0.07939, abs=5e-6)
    assert result.ci_low == pytest.approx(-3.3654832, abs=5e-8)
    assert result.ci_high == pytest.approx(0.2054832, abs=5e-8)
    assert (result.n_before, result.n_after) == (10, 10)
    assert result.confidence_level == 0.95
    assert result.alternative == "two-sided"


def test_paired_t_matches_r_sleep_through_one_sample_test():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE)  (group 1 - group 2)
    #   t = -4.0621, df = 9, p-value = 0.002833
    #   95 percent confidence interval: -2.4598858 -0.7001142
    #   mean difference -1.58
    differences = [a - b for a, b in zip(SLEEP_GROUP1, SLEEP_GROUP2, strict=True)]
    result = one_sample_test(SampleSummary.from_values(differences))
    assert result.estimate == pytest.approx(-1.58, abs=1e-12)
    assert result.statistic == pytest.approx(-4.0621, abs=5e-5)
    assert result.df == 9
    assert result.p_value == pytest.approx(0.002833, abs=5e-7)
    assert result.ci_low == pytest.approx(-2.4598858, abs=5e-8)
    assert result.ci_high == pytest.approx(-0.7001142, abs=5e-8)
    assert (result.n_before, result.n_after) == (10, 10)


def test_welch_matches_r_jhsph_two_sample():
    # R (jhsph page above): t.test(x, y)
    #   t = -3.3217, df = 12.416, p-value = 0.005835
    #   95 percent confidence interval: -44.368724  -9.297942
    #   mean of x 47.46667, mean of y 74.30000
    result = welch_test(SampleSummary.from_values(JHSPH_Y), SampleSummary.from_values(JHSPH_X))
    assert result.estimate == pytest.approx(47.46667 - 74.30000, abs=1e-5)
    assert result.statistic == pytest.approx(-3.3217, abs=5e-5)
    assert result.df == pytest.approx(12.416, abs=5e-4)
    assert result.p_value == pytest.approx(0.005835, abs=5e-7)
    assert result.ci_low == pytest.approx(-44.368724, abs=5e-7)
    assert result.ci_high == pytest.approx(-9.297942, abs=5e-7)


def test_paired_t_matches_r_jhsph():
    # R (jhsph page above): t.test(y, x, paired = TRUE)
    #   t = 2.5015, df = 10, p-value = 0.03137
    #   95 percent confidence interval: 1.611238 27.879671
    #   mean difference 14.74545
    differences = [b - a for a, b in zip(JHSPH_PAIRED_X, JHSPH_PAIRED_Y, strict=True)]
    result = one_sample_test(SampleSummary.from_values(differences))
    assert result.estimate == pytest.approx(14.74545, abs=5e-6)
    assert result.statistic == pytest.approx(2.5015, abs=5e-5)
    assert result.df == 10
    assert result.p_value == pytest.approx(0.03137, abs=5e-6)
    assert result.ci_low == pytest.approx(1.611238, abs=5e-7)
    assert result.ci_high == pytest.approx(27.879671, abs=5e-7)


# -- one-sided alternatives (derived from the two-sided results) -----------------------------


def test_one_sided_welch_follows_r_conventions():
    # Derived, not published: for a continuous t statistic p_less + p_greater = 1, the
    # two-sided p is twice the smaller one, and R's one-sided 95% bound is the matching
    # bound of the two-sided 90% interval, the other bound infinite.
    before = SampleSummary.from_values(SLEEP_GROUP2)
    after = SampleSummary.from_values(SLEEP_GROUP1)
    two = welch_test(before, after)
    less = welch_test(before, after, alternative="less")
    greater = welch_test(before, after, alternative="greater")
    ninety = welch_test(before, after, confidence_level=0.90)
    assert less.p_value + greater.p_value == pytest.approx(1.0, abs=1e-12)
    assert two.p_value == pytest.approx(2 * min(less.p_value, greater.p_value), rel=1e-12)
    assert less.ci_low == -math.inf
    assert less.ci_high == pytest.approx(ninety.ci_high, rel=1e-12)
    assert greater.ci_low == pytest.approx(ninety.ci_low, rel=1e-12)
    assert greater.ci_high == math.inf
    assert less.alternative == "less" and greater.alternative == "greater"


def test_one_sample_value_shifts_the_test_not_the_interval():
    summary = SampleSummary.from_values([1.0, 2.0, 4.0, 7.0])
    at_zero = one_sample_test(summary)
    at_two = one_sample_test(summary, value=2.0)
    assert at_two.estimate == at_zero.estimate == 3.5
    assert (at_two.ci_low, at_two.ci_high) == (at_zero.ci_low, at_zero.ci_high)
    assert at_two.statistic == pytest.approx((3.5 - 2.0) / (summary.std / 2), rel=1e-12)


# -- SampleSummary --------------------------------------------------------------------------


def test_from_values_and_from_sums_small_example():
    by_values = SampleSummary.from_values([2.0, 4.0, 9.0])
    by_sums = SampleSummary.from_sums(3, 15.0, 4.0 + 16.0 + 81.0)
    assert by_values == SampleSummary(3, 5.0, 26.0)
    assert by_sums == SampleSummary(3, 5.0, 26.0)
    assert by_values.variance == 13.0
    assert by_values.std == pytest.approx(math.sqrt(13.0), rel=1e-15)


def test_empty_summary_is_identity_of_pooling():
    empty = SampleSummary.empty()
    assert empty.n == 0 and math.isnan(empty.mean) and empty.m2 == 0.0
    assert SampleSummary.from_values([]).n == 0
    assert SampleSummary.from_sums(0, 0.0, 0.0).n == 0
    assert SampleSummary(0, None, 0.0).n == 0
    summary = SampleSummary.from_values([1.0, 2.0, 3.0])
    assert summary + empty == summary
    assert empty + summary == summary
    parts = [SampleSummary.from_values([1.0, 2.0]), SampleSummary.from_values([3.0])]
    assert sum(parts) == summary


def test_pooling_keeps_precision_where_sums_cancel():
    # Chan, Golub & LeVeque (1983): sum_squares - sum**2/n loses the leading digits when
    # the mean is large. Values 1e9 + (1, 2, 3, 4): m2 = 5 exactly.
    values = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]
    pooled = SampleSummary.from_values(values[:2]) + SampleSummary.from_values(values[2:])
    assert pooled.m2 == pytest.approx(5.0, rel=1e-12)
    assert SampleSummary.from_values(values).m2 == pytest.approx(5.0, rel=1e-12)
    total = sum(values)
    squares = sum(v * v for v in values)
    with pytest.warns(CvlibWarning, match="cancels"):
        by_sums = SampleSummary.from_sums(4, total, squares)
    assert by_sums.m2 != pytest.approx(5.0, rel=1e-3)  # the documented loss of precision


def test_variance_and_std_need_two_observations():
    single = SampleSummary.from_values([3.0])
    assert single.m2 == 0.0
    with pytest.warns(CvlibWarning, match="at least 2 observations, got n=1"):
        assert math.isnan(single.variance)
    with pytest.warns(CvlibWarning, match="at least 2 observations, got n=0"):
        assert math.isnan(SampleSummary.empty().std)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((-1, 0.0, 0.0), ValueError, r"n must be >= 0, got -1"),
        ((2.5, 0.0, 0.0), TypeError, r"n must be an integer, got 2.5"),
        ((True, 0.0, 0.0), TypeError, r"n must be an integer"),
        ((3, "5", 1.0), TypeError, r"mean must be a real number, got str"),
        ((3, math.inf, 1.0), ValueError, r"mean must be finite, got inf"),
        ((3, 1.0, -0.5), ValueError, r"m2 must be >= 0 .*got -0.5"),
        ((3, 1.0, math.nan), ValueError, r"m2 must be finite, got nan"),
        ((1, 1.0, 2.0), ValueError, r"m2 must be 0 when n <= 1"),
        ((0, 5.0, 0.0), ValueError, r"mean must be nan when n == 0, got 5.0"),
    ],
)
def test_sample_summary_rejects_bad_fields(args, error, match):
    with pytest.raises(error, match=match):
        SampleSummary(*args)


def test_from_values_rejects_non_finite_and_bad_shapes():
    with pytest.raises(ValueError, match=r"x must be finite, got nan at position 1"):
        SampleSummary.from_values([1.0, math.nan])
    with pytest.raises(ValueError, match=r"x must be one-dimensional"):
        SampleSummary.from_values([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"x must be a sequence of numbers"):
        SampleSummary.from_values(["a", "b"])


def test_from_sums_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"sum_squares must be >= 0, got -1.0"):
        SampleSummary.from_sums(2, 1.0, -1.0)
    with pytest.raises(ValueError, match=r"sum_squares must be finite"):
        SampleSummary.from_sums(2, 1.0, math.inf)
    with pytest.raises(TypeError, match=r"sum must be a real number"):
        SampleSummary.from_sums(2, None, 1.0)
    with pytest.raises(ValueError, match=r"must be 0 when n == 0"):
        SampleSummary.from_sums(0, 1.0, 1.0)


def test_summary_is_frozen_and_adds_only_summaries():
    summary = SampleSummary.from_values([1.0, 2.0])
    with pytest.raises(AttributeError):
        summary.n = 5
    with pytest.raises(TypeError):
        summary + 1.0  # the TypeError is the point


# -- errors and undefined results of the tests ----------------------------------------------


def test_tests_reject_bad_arguments():
    a = SampleSummary.from_values([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"before must be a SampleSummary, got list"):
        welch_test([1.0, 2.0], a)
    with pytest.raises(TypeError, match=r"after must be a SampleSummary"):
        welch_test(a, None)
    with pytest.raises(ValueError, match=r"confidence_level must be in \(0, 1\), got 1.5"):
        welch_test(a, a, confidence_level=1.5)
    with pytest.raises(TypeError, match="confidence_level"):
        one_sample_test(a, confidence_level="95%")
    with pytest.raises(ValueError, match="alternative must be one of"):
        one_sample_test(a, alternative="bigger")
    with pytest.raises(ValueError, match=r"value must be finite, got nan"):
        one_sample_test(a, value=math.nan)
    with pytest.raises(TypeError, match=r"summary must be a SampleSummary"):
        one_sample_test([1.0, 2.0])


def test_welch_with_too_few_observations_is_nan_with_warning():
    one = SampleSummary.from_values([4.0])
    three = SampleSummary.from_values([1.0, 2.0, 3.0])
    with pytest.warns(CvlibWarning, match=r"at least 2 observations in each group"):
        result = welch_test(three, one)
    assert result.estimate == 2.0  # the difference of means is defined
    for field in ("ci_low", "ci_high", "p_value", "statistic", "df"):
        assert math.isnan(getattr(result, field)), field
    with pytest.warns(CvlibWarning, match="at least 2 observations"):
        empty_case = welch_test(SampleSummary.empty(), three)
    assert math.isnan(empty_case.estimate)


def test_zero_variance_is_nan_with_warning_not_a_placeholder():
    constant = SampleSummary.from_values([5.0, 5.0, 5.0])
    other = SampleSummary.from_values([6.0, 6.0])
    with pytest.warns(CvlibWarning, match="zero variance"):
        result = welch_test(constant, other)
    assert result.estimate == 1.0
    assert math.isnan(result.p_value) and math.isnan(result.ci_low)
    with pytest.warns(CvlibWarning, match="zero variance"):
        paired = one_sample_test(constant)
    assert math.isnan(paired.p_value) and math.isnan(paired.ci_high)
    with pytest.warns(CvlibWarning, match=r"at least 2 observations, got n=1"):
        single = one_sample_test(SampleSummary.from_values([2.0]))
    assert single.estimate == 2.0 and math.isnan(single.p_value)


def test_welch_with_one_constant_group_uses_the_other_groups_df():
    # Welch-Satterthwaite with s_b = 0 reduces to n_a - 1 degrees of freedom.
    result = welch_test(SampleSummary.from_values([5.0, 5.0]), SampleSummary.from_values([1, 2, 4]))
    assert result.df == pytest.approx(2.0, rel=1e-12)
    assert math.isfinite(result.p_value)


# -- properties -----------------------------------------------------------------------------

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=2, max_size=25)
levels = st.floats(min_value=0.5, max_value=0.999)


def _spread(values) -> bool:
    return float(np.std(values)) > 1e-3


@settings(deadline=None)
@given(before=samples, after=samples, level=levels, alternative=st.sampled_from(ALTERNATIVES))
def test_welch_p_value_and_interval_agree(before, after, level, alternative):
    assume(_spread(before) and _spread(after))
    result = welch_test(
        SampleSummary.from_values(before),
        SampleSummary.from_values(after),
        confidence_level=level,
        alternative=alternative,
    )
    alpha = 1 - level
    assume(abs(result.p_value - alpha) > 1e-9)
    excludes_zero = result.ci_low > 0 or result.ci_high < 0
    assert (result.p_value < alpha) == excludes_zero


@settings(deadline=None)
@given(values=samples, value=finite, level=levels, alternative=st.sampled_from(ALTERNATIVES))
def test_one_sample_p_value_and_interval_agree(values, value, level, alternative):
    assume(_spread(values))
    result = one_sample_test(
        SampleSummary.from_values(values),
        value=value,
        confidence_level=level,
        alternative=alternative,
    )
    alpha = 1 - level
    assume(abs(result.p_value - alpha) > 1e-9)
    excludes_value = result.ci_low > value or result.ci_high < value
    assert (result.p_value < alpha) == excludes_value


@given(first=st.lists(finite, max_size=20), second=st.lists(finite, max_size=20))
def test_pooled_summaries_equal_summary_of_concatenation(first, second):
    pooled = SampleSummary.from_values(first) + SampleSummary.from_values(second)
    whole = SampleSummary.from_values(first + second)
    assert pooled.n == whole.n
    if whole.n == 0:
        assert math.isnan(pooled.mean)
        return
    scale = max(1.0, max(abs(v) for v in first + second))
    assert pooled.mean == pytest.approx(whole.mean, rel=1e-12, abs=1e-12 * scale)
    # m2 is a sum of n squared deviations: compare on the scale of n * scale**2.
    assert pooled.m2 == pytest.approx(whole.m2, rel=1e-9, abs=1e-11 * whole.n * scale**2)


@given(
    mean=st.floats(min_value=-100, max_value=100),
    deviations=st.lists(st.floats(min_value=-50, max_value=50), min_size=2, max_size=30),
)
def test_from_sums_matches_from_values_for_moderate_means(mean, deviations):
    values = [mean + d for d in deviations]
    exact = SampleSummary.from_values(values)
    total = math.fsum(values)
    squares = math.fsum(v * v for v in values)
    with warnings.catch_warnings():
        # Explicit exception: near-constant samples trigger the documented cancellation
        # warning; the test bounds the error instead.
        warnings.simplefilter("ignore", CvlibWarning)
        by_sums = SampleSummary.from_sums(len(values), total, squares)
    assert by_sums.n == exact.n
    assert by_sums.mean == pytest.approx(exact.mean, rel=1e-12, abs=1e-12)
    # The cancellation error of squares - total**2/n is a few eps * squares.
    assert by_sums.m2 == pytest.approx(exact.m2, rel=1e-9, abs=1e-13 * squares)
