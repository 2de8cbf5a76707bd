"""Tests for cvlib.stats.proportions against published values and the laws of the methods."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from cvlib.errors import CvlibWarning
from cvlib.stats import proportions, results
from cvlib.stats.proportions import METHODS, compare, interval
from cvlib.stats.results import Comparison, Estimate

# ---------------------------------------------------------------------------
# interval(): published values
# ---------------------------------------------------------------------------


def test_adjusted_wald_four_of_five():
    # Sauro & Lewis: 4 of 5 users complete a task, 95% adjusted-Wald interval
    # 0.360 to 0.980 (published to 3 decimals; Quantifying the User Experience,
    # and Tullis's worked example for Measuring the User Experience (Tullis & Albert),
    # http://www.measuringux.com/adjustedwald.htm, computed with z = 1.96:
    # "Lower Limit = 0.3596, Upper Limit = 0.9796 ... approximately 36% to 98%").
    # Tolerance: half a unit in the third decimal.
    est = interval(4, 5)
    assert est.ci_low == pytest.approx(0.360, abs=5e-4)
    assert est.ci_high == pytest.approx(0.980, abs=5e-4)
    assert est.estimate == 0.8  # raw share, not the adjusted centre 0.6696
    assert est.n == 5
    assert est.method == "adjusted-wald"
    assert est.confidence_level == 0.95


@pytest.mark.parametrize(
    ("successes", "n", "level", "low", "high"),
    [
        # R: binom.test(9, 24, 1/6) prints
        # "95 percent confidence interval: 0.1879929 0.5940636"
        # (R output reproduced in "r binom test confidence interval", 2020).
        (9, 24, 0.95, 0.1879929, 0.5940636),
        # R: binom.test(x = 542, n = 3611, conf.level = .90)[["conf.int"]] prints
        # "[1] 0.1403939 0.1602214"
        # (RPubs, https://rstudio-pubs-static.s3.amazonaws.com/226113_5099e70d9a3749d286a12740ee2fdbde.html).
        (542, 3611, 0.90, 0.1403939, 0.1602214),
        # R: binom.test(682, 925, p = 0.75), the ?binom.test example (Conover 1971),
        # "95 percent confidence interval: 0.7076683 0.7654066" -- as quoted in the
        # project brief; the printout itself was not found in the searched sources.
        (682, 925, 0.95, 0.7076683, 0.7654066),
    ],
)
def test_clopper_pearson_matches_r_binom_test(successes, n, level, low, high):
    # R prints 7 significant digits: tolerance half a unit in the last digit.
    est = interval(successes, n, method="clopper-pearson", confidence_level=level)
    assert est.ci_low == pytest.approx(low, abs=5e-8)
    assert est.ci_high == pytest.approx(high, abs=5e-8)


def test_clopper_pearson_tiny_share_matches_r():
    # R: binom.test(1, 1497, 0.0033, conf.level = 0.9) prints
    # "90 percent confidence interval: 3.426347e-05 3.164954e-03"
    # (R output reproduced in "r binom test confidence interval", 2020).
    est = interval(1, 1497, method="clopper-pearson", confidence_level=0.9)
    assert est.ci_low == pytest.approx(3.426347e-05, rel=2e-7)
    assert est.ci_high == pytest.approx(3.164954e-03, rel=2e-7)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3
        # (Wilson score without continuity correction), printed to 4 decimals;
        # the same values are checked in the R package propint
        # (m-Py/propint tests/testthat/test_Single_Proportion_CI.R).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
    ],
)
def test_wilson_matches_newcombe_1998(successes, n, low, high):
    est = interval(successes, n, method="wilson")
    assert est.ci_low == pytest.approx(low, abs=5e-5)
    assert est.ci_high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Printed by the R package ISCAM's one-proportion z test
        # (ISCAM4/ISCAM tests/testthat/_snaps/prop-tests.md):
        # "observed successes = 35, sample size = 50 ...
        #  95 % Confidence interval for pi: ( 0.5729798 ,  0.8270202 )"
        (35, 50, 0.5729798, 0.8270202),
        # "observed successes = 20, sample size = 50 ...
        #  95 % Confidence interval for pi: ( 0.2642097 ,  0.5357903 )"
        (20, 50, 0.2642097, 0.5357903),
    ],
)
def test_wald_matches_printed_values(successes, n, low, high):
    est = interval(successes, n, method="wald")
    assert est.ci_low == pytest.approx(low, abs=5e-8)
    assert est.ci_high == pytest.approx(high, abs=5e-8)


def test_wald_zero_width_warns():
    with pytest.warns(CvlibWarning, match="zero width"):
        est = interval(0, 10, method="wald")
    assert (est.ci_low, est.ci_high) == (0.0, 0.0)


def test_clopper_pearson_ends_are_exact():
    # At 0 successes the lower bound is 0 and the upper bound 1 - (alpha/2)^(1/n);
    # at n successes the mirror image (Clopper & Pearson, 1934).
    est = interval(0, 10, method="clopper-pearson")
    assert est.ci_low == 0.0
    assert est.ci_high == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-12)
    est = interval(10, 10, method="clopper-pearson")
    assert est.ci_high == 1.0
    assert est.ci_low == pytest.approx(0.025 ** (1 / 10), rel=1e-12)


def test_intervals_are_clipped_to_unit_range():
    est = interval(5, 5, method="adjusted-wald")
    assert est.ci_high == 1.0
    est = interval(0, 5, method="adjusted-wald")
    assert est.ci_low == 0.0


def test_one_sided_bounds():
    # A one-sided 95% bound is the matching bound of the two-sided 90% interval.
    two = interval(4, 5, confidence_level=0.90)
    greater = interval(4, 5, alternative="greater")
    less = interval(4, 5, alternative="less")
    assert greater.ci_low == pytest.approx(two.ci_low, rel=1e-12)
    assert greater.ci_high == 1.0
    assert less.ci_high == pytest.approx(two.ci_high, rel=1e-12)
    assert less.ci_low == 0.0


def test_result_is_a_frozen_estimate():
    est = interval(4, 5)
    assert isinstance(est, Estimate)
    with pytest.raises(AttributeError):
        est.estimate = 0.5
    assert set(est.to_dict()) == {
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "confidence_level",
        "method",
    }


# ---------------------------------------------------------------------------
# interval(): laws
# ---------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=500).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
levels = st.floats(min_value=0.5, max_value=0.999)


@settings(deadline=None)  # timing varies on shared CI machines
@given(counts, st.sampled_from(METHODS), levels)
def test_interval_contains_estimate_and_stays_in_range(xn, method, level):
    x, n = xn
    if method == "wald" and x in (0, n):
        with pytest.warns(CvlibWarning):
            est = interval(x, n, method=method, confidence_level=level)
    else:
        est = interval(x, n, method=method, confidence_level=level)
    assert 0.0 <= est.ci_low <= est.estimate <= est.ci_high <= 1.0


@settings(deadline=None)  # timing varies on shared CI machines
@given(counts, st.sampled_from(METHODS), levels)
def test_interval_mirrors_under_swapping_successes_and_failures(xn, method, level):
    x, n = xn
    assume(not (method == "wald" and x in (0, n)))
    a = interval(x, n, method=method, confidence_level=level)
    b = interval(n - x, n, method=method, confidence_level=level)
    assert a.ci_low == pytest.approx(1.0 - b.ci_high, abs=1e-12)
    assert a.ci_high == pytest.approx(1.0 - b.ci_low, abs=1e-12)


@settings(deadline=None)  # timing varies on shared CI machines
@given(counts, st.sampled_from(("wilson", "clopper-pearson")), levels, levels)
def test_higher_confidence_gives_nested_intervals(xn, method, l1, l2):
    x, n = xn
    lo, hi = sorted((l1, l2))
    narrow = interval(x, n, method=method, confidence_level=lo)
    wide = interval(x, n, method=method, confidence_level=hi)
    assert wide.ci_low <= narrow.ci_low + 1e-12
    assert wide.ci_high >= narrow.ci_high - 1e-12


# ---------------------------------------------------------------------------
# interval(): errors
# ---------------------------------------------------------------------------


def test_interval_rejects_bad_confidence_level():
    with pytest.raises(ValueError, match="confidence_level must be in \\(0, 1\\), got 1.5"):
        interval(4, 5, confidence_level=1.5)


def test_interval_rejects_unknown_method():
    with pytest.raises(ValueError, match="method must be one of .*got 'exact'"):
        interval(4, 5, method="exact")


def test_interval_rejects_unknown_alternative():
    with pytest.raises(ValueError, match="alternative"):
        interval(4, 5, alternative="bigger")


def test_interval_rejects_zero_trials():
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        interval(0, 0)


def test_interval_rejects_more_successes_than_trials():
    with pytest.raises(ValueError, match="successes must not exceed n"):
        interval(6, 5)


def test_interval_rejects_negative_and_fractional_counts():
    with pytest.raises(ValueError, match="successes must be >= 0, got -1"):
        interval(-1, 5)
    with pytest.raises(TypeError, match="successes must be an integer, got 2.5"):
        interval(2.5, 5)


# ---------------------------------------------------------------------------
# compare(): published values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        # (hybrid score, no continuity correction), printed to 4 decimals:
        # 56/70 - 48/80 -> 0.0524 to 0.3339; 9/10 - 3/10 -> 0.1705 to 0.8090.
        # The same values are checked in the R package propint
        # (m-Py/propint tests/testthat/test_Two_Independent_Props_CI.R).
        ((48, 80), (56, 70), 0.0524, 0.3339),
        ((3, 10), (9, 10), 0.1705, 0.8090),
    ],
)
def test_newcombe_interval_matches_newcombe_1998(before, after, low, high):
    res = compare(*before, *after)
    assert res.estimate == pytest.approx(after[0] / after[1] - before[0] / before[1])
    assert res.ci_low == pytest.approx(low, abs=5e-5)
    assert res.ci_high == pytest.approx(high, abs=5e-5)


def test_n_minus_1_test_hand_derivation():
    # Sauro & Lewis (2012), Quantifying the User Experience, ch. 5, use the table
    # design A 11/12 completed, design B 5/10 (they print Yates's chi-square 2.905,
    # p = 0.0883, for it). No printed N-1 result was found, so by hand from
    # Campbell (2007): chi2_{N-1} = (N-1)(ad-bc)^2 / (r1 r2 c1 c2)
    #   = 21 * (11*5 - 1*5)^2 / (12*10*16*6) = 52500 / 11520 = 4.557292,
    # z = sqrt(4.557292) = 2.134781, two-sided p = 2(1 - Phi(2.134781)) = 0.03278.
    res = compare(5, 10, 11, 12)
    assert res.statistic == pytest.approx(2.134781, abs=5e-7)
    assert res.p_value == pytest.approx(0.03278, abs=5e-6)
    assert res.estimate == pytest.approx(11 / 12 - 5 / 10)
    assert math.isnan(res.df)
    assert (res.n_before, res.n_after) == (10, 12)
    assert res.method == "N-1 two-proportion test; Newcombe hybrid score interval"


def test_compare_one_sided_p_values():
    two = compare(5, 10, 11, 12)
    greater = compare(5, 10, 11, 12, alternative="greater")
    less = compare(5, 10, 11, 12, alternative="less")
    assert greater.p_value == pytest.approx(two.p_value / 2, rel=1e-12)
    assert less.p_value == pytest.approx(1 - two.p_value / 2, rel=1e-12)
    assert greater.ci_high == 1.0 and less.ci_low == -1.0
    # The one-sided 95% lower bound is the two-sided 90% lower bound.
    ninety = compare(5, 10, 11, 12, confidence_level=0.90)
    assert greater.ci_low == pytest.approx(ninety.ci_low, rel=1e-12)
    assert less.ci_high == pytest.approx(ninety.ci_high, rel=1e-12)


def test_compare_all_same_outcome_gives_nan_p_value_with_warning():
    with pytest.warns(CvlibWarning, match="undefined"):
        res = compare(10, 10, 8, 8)
    assert math.isnan(res.p_value) and math.isnan(res.statistic)
    assert res.estimate == 0.0
    assert res.ci_low < 0.0 < res.ci_high  # the interval is still informative


def test_compare_warns_when_an_expected_count_is_below_one():
    # Pooled share 19/20: expected failures 10 * 0.05 = 0.5 < 1 (Campbell, 2007).
    with pytest.warns(CvlibWarning, match="Fisher-Irwin"):
        res = compare(9, 10, 10, 10)
    assert 0.0 < res.p_value < 1.0


def test_compare_returns_a_comparison():
    res = compare(48, 80, 56, 70)
    assert isinstance(res, Comparison)
    assert res.alternative == "two-sided"
    assert res.confidence_level == 0.95


# ---------------------------------------------------------------------------
# compare(): laws
# ---------------------------------------------------------------------------

# Tables with both outcomes present overall and expected counts of at least 1,
# so the test is defined and no warning is raised.
tables = st.tuples(counts, counts).filter(
    lambda t: (
        0 < t[0][0] + t[1][0] < t[0][1] + t[1][1]
        and min(t[0][1], t[1][1])
        * min(
            (t[0][0] + t[1][0]) / (t[0][1] + t[1][1]),
            1 - (t[0][0] + t[1][0]) / (t[0][1] + t[1][1]),
        )
        >= 1
    )
)


@settings(deadline=None)  # timing varies on shared CI machines
@given(tables)
def test_compare_is_antisymmetric_under_swapping(table):
    (x1, n1), (x2, n2) = table
    ab = compare(x1, n1, x2, n2)
    ba = compare(x2, n2, x1, n1)
    assert ba.estimate == pytest.approx(-ab.estimate, abs=1e-12)
    assert ba.statistic == pytest.approx(-ab.statistic, abs=1e-9)
    assert ba.p_value == pytest.approx(ab.p_value, rel=1e-9, abs=1e-15)
    assert ba.ci_low == pytest.approx(-ab.ci_high, abs=1e-12)
    assert ba.ci_high == pytest.approx(-ab.ci_low, abs=1e-12)


@settings(deadline=None)  # timing varies on shared CI machines
@given(tables)
def test_statistic_squared_is_the_n_minus_1_chi_square(table):
    # Independent check with scipy: z^2 = Pearson chi-square * (N - 1) / N (Campbell, 2007).
    (x1, n1), (x2, n2) = table
    res = compare(x1, n1, x2, n2)
    chi2 = stats.chi2_contingency(np.array([[x1, n1 - x1], [x2, n2 - x2]]), correction=False)[0]
    big_n = n1 + n2
    assert res.statistic**2 == pytest.approx(chi2 * (big_n - 1) / big_n, rel=1e-9, abs=1e-12)


@settings(deadline=None)  # timing varies on shared CI machines
@given(tables, levels)
def test_newcombe_interval_contains_the_difference(table, level):
    (x1, n1), (x2, n2) = table
    res = compare(x1, n1, x2, n2, confidence_level=level)
    assert -1.0 <= res.ci_low <= res.estimate <= res.ci_high <= 1.0
    assert 0.0 <= res.p_value <= 1.0


# ---------------------------------------------------------------------------
# compare(): errors
# ---------------------------------------------------------------------------


def test_compare_rejects_bad_confidence_level():
    with pytest.raises(ValueError, match="confidence_level"):
        compare(1, 5, 2, 5, confidence_level=0)


def test_compare_rejects_bad_alternative():
    with pytest.raises(ValueError, match="alternative must be one of"):
        compare(1, 5, 2, 5, alternative="larger")


def test_compare_names_the_bad_count():
    with pytest.raises(ValueError, match="successes_after must not exceed n_after"):
        compare(1, 5, 6, 5)
    with pytest.raises(ValueError, match="n_before must be >= 1, got 0"):
        compare(0, 0, 2, 5)
    with pytest.raises(TypeError, match="successes_before must be an integer"):
        compare("1", 5, 2, 5)


# ---------------------------------------------------------------------------
# score_test(): the Wilson score test of one share
# ---------------------------------------------------------------------------


def test_score_test_matches_r_prop_test():
    # R: prop.test(x = 60, n = 100, p = 0.5, correct = FALSE) prints
    # "X-squared = 4, df = 1, p-value = 0.0455" and
    # "95 percent confidence interval: 0.5020026 0.6905987"
    # (statscodes, https://www.statscodes.com/tests-and-intervals/one-proportion-tests-in-r/).
    # Tolerance: X-squared is exactly 4 (z = 0.1 / 0.05); the p-value and interval to
    # half a unit in R's last printed digit.
    res = proportions.score_test(60, 100, null=0.5)
    assert isinstance(res, results.Test)
    assert res.statistic**2 == pytest.approx(4.0, rel=1e-12)
    assert res.p_value == pytest.approx(0.0455, abs=5e-5)
    assert math.isnan(res.df)
    assert (res.null, res.alternative, res.method) == (0.5, "two-sided", "Wilson score test")
    # its dual, the Wilson interval, is the interval prop.test prints
    est = interval(60, 100, method="wilson")
    assert est.ci_low == pytest.approx(0.5020026, abs=5e-8)
    assert est.ci_high == pytest.approx(0.6905987, abs=5e-8)
    # one-sided p-values are the tails of the same z
    greater = proportions.score_test(60, 100, null=0.5, alternative="greater")
    less = proportions.score_test(60, 100, null=0.5, alternative="less")
    assert greater.p_value == pytest.approx(res.p_value / 2, rel=1e-12)
    assert less.p_value == pytest.approx(1 - res.p_value / 2, rel=1e-12)


@settings(deadline=None)  # timing varies on shared CI machines
@given(counts, st.floats(0.001, 0.999))
def test_score_test_is_the_chi_square_of_the_one_way_table(count, null):
    # Independent check with scipy: z^2 is Pearson's chi-square of observed (x, n - x)
    # against expected (n p0, n (1 - p0)), what prop.test(correct = FALSE) computes.
    x, n = count
    res = proportions.score_test(x, n, null=null)
    chi2 = stats.chisquare([x, n - x], [n * null, n * (1 - null)]).statistic
    assert res.statistic**2 == pytest.approx(chi2, rel=1e-9, abs=1e-12)
    assert res.p_value == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-9, abs=1e-15)


def test_score_test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"null must be in \(0, 1\), got 1.0"):
        proportions.score_test(3, 10, null=1.0)
    with pytest.raises(TypeError, match="null must be a number"):
        proportions.score_test(3, 10, null="0.5")
    with pytest.raises(TypeError):
        proportions.score_test(3, 10)  # null is required, and keyword only
    with pytest.raises(ValueError, match="successes must not exceed n"):
        proportions.score_test(11, 10, null=0.5)
    with pytest.raises(ValueError, match="alternative must be one of"):
        proportions.score_test(3, 10, null=0.5, alternative="two.sided")


# ---------------------------------------------------------------------------
# score_compare(): the Miettinen-Nurminen score test and interval
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 6
        # (Miettinen-Nurminen), his examples (a), (b) and (g), as reproduced in the
        # tests of the R package cicalc ("ci_prop_diff_mn matches the values in the
        # paper", GSK-Biostatistics/cicalc tests/testthat/test-prop_ci_mn.R):
        ((48, 80), (56, 70), 0.0528, 0.3382),  # (a) 56/70 - 48/80
        ((3, 10), (9, 10), 0.1700, 0.8406),  # (b) 9/10 - 3/10
        ((0, 20), (10, 10), 0.7156, 1.0000),  # (g) 10/10 - 0/20
        # Newcombe's example (d), 5/56 - 0/29, as asserted in the tests of the R
        # package ratesci (petelaud/ratesci tests/testthat/test3.R, "Newcombe RD
        # example (d) Miettinen-Nurminen": scoreci(5, 56, 0, 29, skew = F)):
        ((0, 29), (5, 56), -0.0326, 0.1933),
    ],
)
def test_score_compare_matches_newcombe_table_ii(before, after, low, high):
    # Newcombe prints 4 decimals: tolerance half a unit in the last one.
    res = proportions.score_compare(*before, *after)
    assert res.ci_low == pytest.approx(low, abs=5e-5)
    assert res.ci_high == pytest.approx(high, abs=5e-5)
    assert res.estimate == pytest.approx(after[0] / after[1] - before[0] / before[1])
    assert res.method == "Miettinen-Nurminen score test and interval"


def _brute_force_restricted(x_a, n_a, x_b, n_b, delta):
    """Constrained maximum likelihood by bounded scalar maximisation (no closed form)."""
    from scipy import optimize

    lo, hi = max(0.0, delta), min(1.0, 1.0 + delta)

    def negative_log_likelihood(p):
        q = p - delta
        total = 0.0
        for x, n, share in ((x_a, n_a, p), (x_b, n_b, q)):
            if x:
                total += x * math.log(max(share, 1e-300))
            if n - x:
                total += (n - x) * math.log(max(1.0 - share, 1e-300))
        return -total

    found = optimize.minimize_scalar(
        negative_log_likelihood, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
    )
    # the maximum can sit on an end of the admissible range
    best = min((lo, hi, found.x), key=negative_log_likelihood)
    return best, best - delta


@pytest.mark.parametrize("delta", [-0.6, -0.25, -0.1, 0.05, 0.3, 0.7])
def test_closed_form_restricted_estimates_maximise_the_likelihood(delta):
    # The closed-form cubic root (Farrington & Manning 1990) against a numerical
    # maximisation of the binomial likelihood under p_after - p_before = delta, on
    # every table with n up to 6 per group. Tolerance 1e-6 (the bounded optimiser's
    # precision in p is about sqrt of its tolerance on flat likelihoods).
    from cvlib.stats.score import _restricted

    for n_a, n_b in itertools.product(range(1, 7), repeat=2):
        for x_a, x_b in itertools.product(range(n_a + 1), range(n_b + 1)):
            got = _restricted(x_a, n_a, x_b, n_b, delta)
            want = _brute_force_restricted(x_a, n_a, x_b, n_b, delta)
            assert got[0] == pytest.approx(want[0], abs=1e-6), (x_a, n_a, x_b, n_b)
            assert got[0] - got[1] == pytest.approx(delta, abs=1e-12)


@settings(deadline=None)  # timing varies on shared CI machines
@given(tables)
def test_score_compare_at_zero_is_the_n_minus_1_test(table):
    # At null = 0 the restricted estimates are the pooled share, and z^2 is the 'N-1'
    # chi-square (Campbell 2007) that compare() reports. Tolerance: rounding only.
    (x1, n1), (x2, n2) = table
    assume(0 < x1 + x2 < n1 + n2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)  # compare's expected-count note
        old = compare(x1, n1, x2, n2)
    new = proportions.score_compare(x1, n1, x2, n2)
    assert new.statistic**2 == pytest.approx(old.statistic**2, rel=1e-12, abs=1e-300)
    assert new.statistic == pytest.approx(old.statistic, rel=1e-12, abs=1e-300)
    assert new.p_value == pytest.approx(old.p_value, rel=1e-10, abs=1e-300)


def test_score_compare_newcombe_example_a_p_value_is_compare_s():
    # 56/70 vs 48/80: compare()'s N-1 p-value, 0.0083 (its doctest), is the score test's.
    assert proportions.score_compare(48, 80, 56, 70).p_value == pytest.approx(
        compare(48, 80, 56, 70).p_value, rel=1e-12
    )


def test_score_compare_non_inferiority():
    # Non-inferiority with margin 0.1 (null = -margin, alternative "greater"): the
    # one-sided p-value is below 0.025 exactly when the two-sided 95% lower bound is
    # above -0.1; and the Farrington-Manning statistic (Farrington & Manning 1990,
    # eq. 1, no N/(N-1) factor) is the Miettinen-Nurminen one times sqrt(N/(N-1)).
    res = proportions.score_compare(48, 80, 56, 70, null=-0.1, alternative="greater")
    two_sided = proportions.score_compare(48, 80, 56, 70)
    assert res.ci_high == 1.0
    assert (res.p_value < 0.025) == (two_sided.ci_low > -0.1)
    p_a, p_b = _brute_force_restricted(56, 70, 48, 80, -0.1)
    fm = (56 / 70 - 48 / 80 + 0.1) / math.sqrt(p_a * (1 - p_a) / 70 + p_b * (1 - p_b) / 80)
    assert res.statistic * math.sqrt(150 / 149) == pytest.approx(fm, rel=1e-6)
    # at the lower bound itself the p-value is the tail
    at_bound = proportions.score_compare(
        48, 80, 56, 70, null=two_sided.ci_low, alternative="greater"
    )
    assert at_bound.p_value == pytest.approx(0.025, abs=1e-9)


def test_score_compare_edges():
    # All after and none before succeeded: the estimate is 1 and so is the upper bound.
    res = proportions.score_compare(0, 5, 5, 5)
    assert res.estimate == 1.0 and res.ci_high == 1.0 and 0.0 < res.ci_low < 1.0
    res = proportions.score_compare(4, 4, 0, 7)
    assert res.estimate == -1.0 and res.ci_low == -1.0 and -1.0 < res.ci_high < 0.0
    # one trial in each group, both failures: an interval strictly inside (-1, 1)
    res = proportions.score_compare(0, 1, 0, 1, null=0.2)
    assert -1.0 < res.ci_low < 0.0 < res.ci_high < 1.0
    assert 0.0 < res.p_value < 1.0


def test_score_compare_undefined_at_zero_warns_and_is_nan():
    with pytest.warns(CvlibWarning, match="undefined when every trial"):
        res = proportions.score_compare(10, 10, 20, 20)
    assert math.isnan(res.p_value) and math.isnan(res.statistic)
    assert res.estimate == 0.0 and res.ci_low < 0.0 < res.ci_high  # the interval is given
    # at any other null it is defined, without a warning (warnings are errors here)
    res = proportions.score_compare(10, 10, 20, 20, null=-0.1, alternative="greater")
    assert 0.0 < res.p_value < 1.0


def test_score_compare_one_sided_interval():
    res = proportions.score_compare(48, 80, 56, 70, alternative="greater")
    at_90 = proportions.score_compare(48, 80, 56, 70, confidence_level=0.90)
    assert res.ci_high == 1.0
    assert res.ci_low == pytest.approx(at_90.ci_low, abs=1e-11)
    res = proportions.score_compare(48, 80, 56, 70, alternative="less")
    assert res.ci_low == -1.0
    assert res.ci_high == pytest.approx(at_90.ci_high, abs=1e-11)


def test_score_compare_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"null must be in \(-1, 1\)"):
        proportions.score_compare(1, 5, 2, 5, null=-1.0)
    with pytest.raises(TypeError, match="null must be a number"):
        proportions.score_compare(1, 5, 2, 5, null=None)
    with pytest.raises(ValueError, match="confidence_level"):
        proportions.score_compare(1, 5, 2, 5, confidence_level=1.0)
    with pytest.raises(ValueError, match="successes_after must not exceed n_after"):
        proportions.score_compare(1, 5, 6, 5)
