"""Tests for cvlib.stats.ratio: published sample-ratio-mismatch examples and the argument checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvlib.errors import CvlibWarning
from cvlib.stats.ratio import sample_ratio_test


def test_kohavi_example_of_a_mismatch():
    # Kohavi, Tang and Xu (2020), Trustworthy Online Controlled Experiments, the
    # sample-ratio example also cited by Fabijan et al. (KDD 2019): a 50/50 design
    # with 821,588 control and 815,482 treatment users, "ratio 0.993 ... p-value
    # 1.8E-6" (Fabijan et al.: "a p < 1/500,000 event"). Tolerance: the two
    # printed digits.
    r = sample_ratio_test([821_588, 815_482], expected_shares=[0.5, 0.5])
    assert r.p_value == pytest.approx(1.8e-6, abs=0.05e-6)
    assert r.p_value < 1 / 500_000
    assert (r.df, r.alternative) == (1.0, "two-sided")
    assert math.isnan(r.null)
    assert "0.5, 0.5" in r.method


def test_wikipedia_example_of_a_mismatch():
    # en.wikipedia.org "Sample ratio mismatch", Example: 1,000 users split 50-50
    # came out 600 and 400; "Pearson's chi-squared goodness of fit test ... p-value
    # of 2.54 x 10^-10". X^2 = 2 * 100^2 / 500 = 40 by hand.
    r = sample_ratio_test([600, 400], expected_shares=[0.5, 0.5])
    assert r.statistic == pytest.approx(40.0, rel=1e-12)
    assert r.p_value == pytest.approx(2.54e-10, abs=0.005e-10)


def test_srm_calculator_example():
    # srm.osc.garden (SRM checker): 44,000 users in A and 45,000 in B on a 50/50
    # design give "a p-value of 0.0008". Tolerance: the printed digit.
    r = sample_ratio_test([44_000, 45_000], expected_shares=[0.5, 0.5])
    assert r.p_value == pytest.approx(0.0008, abs=0.00005)


def test_a_planned_20_percent_holdout_that_came_out_30_percent():
    # 1,000 units, planned 80/20: expected 800 and 200, observed 700 and 300.
    # X^2 = 100^2/800 + 100^2/200 = 62.5 by hand.
    r = sample_ratio_test([700, 300], expected_shares=[0.8, 0.2])
    assert r.statistic == pytest.approx(62.5, rel=1e-12)
    assert r.p_value < 0.001


def test_counts_on_plan_do_not_mismatch_and_three_groups_have_two_df():
    r = sample_ratio_test([800, 200], expected_shares=[0.8, 0.2])
    assert r.statistic == 0.0 and r.p_value == 1.0
    # R: chisq.test(c(340, 330, 330), p = c(1, 1, 1) / 3) prints
    # X-squared = 0.2, df = 2, p-value = 0.9048 (exp(-0.1), the chi-square(2) tail)
    r = sample_ratio_test([340, 330, 330], expected_shares=[1 / 3, 1 / 3, 1 / 3])
    assert r.df == 2.0
    assert r.statistic == pytest.approx(0.2, rel=1e-12)
    assert r.p_value == pytest.approx(math.exp(-0.1), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(100, 10_000), st.integers(100, 10_000), st.floats(0.05, 0.95))
def test_group_order_does_not_matter(a, b, share):
    one = sample_ratio_test([a, b], expected_shares=[share, 1 - share])
    two = sample_ratio_test([b, a], expected_shares=[1 - share, share])
    assert one.statistic == pytest.approx(two.statistic, rel=1e-9, abs=1e-12)
    assert one.p_value == pytest.approx(two.p_value, rel=1e-9, abs=1e-300)


def test_no_units_is_undefined_with_a_warning():
    with pytest.warns(CvlibWarning, match="no unit"):
        r = sample_ratio_test([0, 0], expected_shares=[0.5, 0.5])
    assert math.isnan(r.statistic) and math.isnan(r.p_value)


def test_small_expected_counts_warn():
    with pytest.warns(CvlibWarning, match="expected count"):
        r = sample_ratio_test([9, 1], expected_shares=[0.8, 0.2])
    assert 0 < r.p_value < 1


@pytest.mark.parametrize(
    ("counts", "shares", "error", "match"),
    [
        ([10], [1.0], ValueError, "at least two groups"),
        ([10, -1], [0.5, 0.5], ValueError, "non-negative integers"),
        ([10, 2.5], [0.5, 0.5], ValueError, "non-negative integers"),
        ([10, 10], [0.5, 0.4], ValueError, "sum to 1"),
        ([10, 10], [1.0, 0.0], ValueError, "positive"),
        ([10, 10, 10], [0.5, 0.5], ValueError, "one share per group"),
        ([10, 10], ["a", "b"], TypeError, "expected_shares"),
        ("10,10", [0.5, 0.5], TypeError, "counts"),
        (10, [0.5, 0.5], TypeError, "counts"),
    ],
)
def test_bad_arguments_are_named(counts, shares, error, match):
    with pytest.raises(error, match=match):
        sample_ratio_test(counts, expected_shares=shares)


def test_expected_shares_is_keyword_only():
    with pytest.raises(TypeError):
        sample_ratio_test([1, 2], [0.5, 0.5])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=5, max_value=100_000), min_size=2, max_size=4),
    st.integers(min_value=0, max_value=10_000),
)
def test_statistic_and_p_value_are_scipys_chisquare(counts, seed):
    # the test computes the upper tail with scipy.special.chdtrc; scipy.stats.chisquare is
    # the reference (Pearson's X^2 against the expected counts, k - 1 df)
    import numpy as np
    from scipy.stats import chisquare

    shares = np.random.default_rng(seed).dirichlet(np.ones(len(counts)) * 5)
    shares = shares / shares.sum()
    total = sum(counts)
    if (total * shares).min() < 5:
        return  # below Cochran's rule the test warns (test_small_expected_counts_warn)
    got = sample_ratio_test(counts, expected_shares=list(shares))
    want = chisquare(counts, f_exp=total * shares)
    assert got.statistic == pytest.approx(float(want.statistic), rel=1e-10)
    assert got.p_value == pytest.approx(float(want.pvalue), rel=1e-8, abs=1e-300)
