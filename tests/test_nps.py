"""Tests for cvlib.stats.nps.

No printed numerical example of the adjusted-Wald NPS interval or test was
found in the sources (Rocks, 2016; MeasuringU articles by Lewis & Sauro), so
the reference values below are derived by hand from the published formulas,
with every step in the comment, and the formulas are checked against
independent identities (the variance of the -1/0/+1 scores, Engelhardt's
closed form).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvlib.errors import CvlibWarning
from cvlib.stats import nps, results
from cvlib.stats.nps import compare, from_counts, score
from cvlib.stats.results import Comparison, NPSEstimate

Z95 = 1.959963984540054  # Phi^{-1}(0.975)


# ---------------------------------------------------------------------------
# from_counts() / score(): hand-derived values
# ---------------------------------------------------------------------------


def test_adjusted_wald_hand_derivation():
    # Hand derivation from the adjusted-Wald recipe (Rocks, 2016; Lewis & Sauro,
    # MeasuringU "Confidence intervals for Net Promoter Scores"): 20 promoters,
    # 10 passives, 10 detractors, n = 40, raw NPS = 100 * (20 - 10) / 40 = 25.
    #   n_adj = 40 + 3 = 43
    #   p_adj = (20 + 0.75) / 43 = 0.4825581,  d_adj = (10 + 0.75) / 43 = 0.25
    #   NPS_adj = 0.2325581
    #   Var = (0.4825581 + 0.25 - 0.2325581^2) / 43 = 0.6784749 / 43 = 0.01577848
    #   se = 0.1256124;  z = 1.959964;  z * se = 0.2461958
    #   CI = 100 * (0.2325581 -/+ 0.2461958) = -1.364 to 47.875 points
    est = from_counts(20, 10, 10)
    assert est.estimate == 25.0
    assert est.ci_low == pytest.approx(-1.364, abs=5e-4)
    assert est.ci_high == pytest.approx(47.875, abs=5e-4)
    assert (est.promoters, est.passives, est.detractors, est.n) == (20, 10, 10, 40)
    assert est.method == "adjusted-wald"


def test_trinomial_hand_derivation():
    # Plain Wald on the raw shares: p = 0.5, d = 0.25, NPS = 0.25,
    #   Var = (0.5 + 0.25 - 0.25^2) / 40 = 0.6875 / 40 = 0.0171875, se = 0.1311011,
    #   CI = 100 * (0.25 -/+ 1.959964 * 0.1311011) = -0.695 to 50.695 points.
    est = from_counts(20, 10, 10, method="trinomial")
    assert est.ci_low == pytest.approx(-0.695, abs=5e-4)
    assert est.ci_high == pytest.approx(50.695, abs=5e-4)


def test_adjusted_wald_is_clipped_to_the_nps_range():
    # 5 promoters of 5: n_adj = 8, p_adj = 5.75/8, d_adj = 0.75/8, NPS_adj = 0.625,
    # Var = (6.5/8 - 0.390625)/8 = 0.0527344, upper = 100*(0.625 + 1.959964*0.2296397)
    # = 107.5 -> clipped to 100; lower = 17.491.
    est = from_counts(5, 0, 0)
    assert est.estimate == 100.0
    assert est.ci_high == 100.0
    assert est.ci_low == pytest.approx(17.491, abs=5e-4)


def test_trinomial_degenerate_sample_warns():
    with pytest.warns(CvlibWarning, match="zero width"):
        est = from_counts(7, 0, 0, method="trinomial")
    assert (est.ci_low, est.ci_high) == (100.0, 100.0)


def test_one_sided_bounds():
    two = from_counts(20, 10, 10, confidence_level=0.90)
    greater = from_counts(20, 10, 10, alternative="greater")
    less = from_counts(20, 10, 10, alternative="less")
    assert greater.ci_low == pytest.approx(two.ci_low, rel=1e-12)
    assert greater.ci_high == 100.0
    assert less.ci_high == pytest.approx(two.ci_high, rel=1e-12)
    assert less.ci_low == -100.0


def test_score_classifies_at_the_category_boundaries():
    est = score([0, 6, 7, 8, 9, 10])
    assert (est.promoters, est.passives, est.detractors) == (2, 2, 2)
    assert est.estimate == 0.0


def test_score_goes_through_from_counts():
    answers = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]
    assert score(answers) == from_counts(5, 2, 3)
    assert score(np.array(answers), method="trinomial", confidence_level=0.9) == from_counts(
        5, 2, 3, method="trinomial", confidence_level=0.9
    )


def test_score_accepts_integral_floats():
    assert score([10.0, 9.0, 3.0]) == from_counts(2, 0, 1)


def test_result_type():
    est = from_counts(20, 10, 10)
    assert isinstance(est, NPSEstimate)
    assert list(est.to_dict()) == [
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "confidence_level",
        "method",
        "promoters",
        "passives",
        "detractors",
    ]


# ---------------------------------------------------------------------------
# laws
# ---------------------------------------------------------------------------

count_triples = st.tuples(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300)).filter(
    lambda c: sum(c) > 0
)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples)
def test_trinomial_variance_is_that_of_the_mean_score(counts):
    # The trinomial interval is the Wald interval of the mean of the scores
    # +1 (promoter), 0 (passive), -1 (detractor), with the population variance.
    pro, pas, det = counts
    x = np.repeat([1.0, 0.0, -1.0], [pro, pas, det])
    half = 100 * Z95 * math.sqrt(np.var(x) / x.size)
    centre = 100 * x.mean()
    if np.var(x) == 0:
        with pytest.warns(CvlibWarning):
            est = from_counts(pro, pas, det, method="trinomial")
    else:
        est = from_counts(pro, pas, det, method="trinomial")
    assert est.ci_low == pytest.approx(max(-100.0, centre - half), abs=1e-9)
    assert est.ci_high == pytest.approx(min(100.0, centre + half), abs=1e-9)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples)
def test_adjusted_variance_matches_engelhardt_closed_form(counts):
    # Engelhardt (2016, "Net Promoter Score confidence intervals 2: maths and
    # stats"): Var(p - d) = (p(1-p) + d(1-d) + 2pd) / n, here on the adjusted
    # shares and n + 3.
    pro, pas, det = counts
    n_adj = sum(counts) + 3
    p, d = (pro + 0.75) / n_adj, (det + 0.75) / n_adj
    se = math.sqrt((p * (1 - p) + d * (1 - d) + 2 * p * d) / n_adj)
    est = from_counts(pro, pas, det)
    assert est.ci_low == pytest.approx(max(-100.0, 100 * (p - d - Z95 * se)), abs=1e-9)
    assert est.ci_high == pytest.approx(min(100.0, 100 * (p - d + Z95 * se)), abs=1e-9)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples)
def test_swapping_promoters_and_detractors_mirrors_the_interval(counts):
    pro, pas, det = counts
    a = from_counts(pro, pas, det)
    b = from_counts(det, pas, pro)
    assert b.estimate == pytest.approx(-a.estimate, abs=1e-12)
    assert b.ci_low == pytest.approx(-a.ci_high, abs=1e-9)
    assert b.ci_high == pytest.approx(-a.ci_low, abs=1e-9)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples)
def test_adjusted_wald_interval_contains_the_raw_nps_for_non_tiny_samples(counts):
    est = from_counts(*counts)
    assert -100.0 <= est.ci_low <= est.ci_high <= 100.0
    if est.n >= 10:
        assert est.ci_low <= est.estimate <= est.ci_high


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([9, 11], "scores must be integers from 0 to 10, got 11.0 at position 1"),
        ([9, -1], "got -1.0 at position 1"),
        ([7.5], "got 7.5 at position 0"),
        ([9, float("nan")], "drop missing answers first"),
        ([], "at least one score"),
    ],
)
def test_score_rejects_bad_answers(answers, message):
    with pytest.raises(ValueError, match=message):
        score(answers)


def test_score_rejects_non_numbers():
    with pytest.raises(TypeError, match="scores must be a sequence of numbers"):
        score(["nine", "ten"])


def test_from_counts_errors():
    with pytest.raises(ValueError, match="at least 1, got 0 responses"):
        from_counts(0, 0, 0)
    with pytest.raises(ValueError, match="detractors must be >= 0, got -2"):
        from_counts(1, 1, -2)
    with pytest.raises(TypeError, match="promoters must be an integer"):
        from_counts(1.5, 1, 1)
    with pytest.raises(ValueError, match="confidence_level must be in \\(0, 1\\)"):
        from_counts(1, 1, 1, confidence_level=95)
    with pytest.raises(ValueError, match="method must be one of adjusted-wald, trinomial"):
        from_counts(1, 1, 1, method="bootstrap")


# ---------------------------------------------------------------------------
# compare()
# ---------------------------------------------------------------------------


def test_compare_hand_derivation():
    # before (10 promoters, 10 passives, 20 detractors), after (20, 10, 10).
    # Raw NPS -25 and +25: difference 50 points.
    # Adjusted (n_adj = 43): NPS_adj after = 0.2325581, before = -0.2325581,
    # both with Var = 0.01577848 (see test_adjusted_wald_hand_derivation), so
    #   diff_adj = 0.4651163, se = sqrt(2 * 0.01577848) = 0.1776428,
    #   z = 0.4651163 / 0.1776428 = 2.618267, p = 2 (1 - Phi(2.618267)) = 0.008838,
    #   CI = 100 * (0.4651163 -/+ 1.959964 * 0.1776428) = 11.694 to 81.329 points.
    res = compare((10, 10, 20), (20, 10, 10))
    assert res.estimate == 50.0
    assert res.statistic == pytest.approx(2.618267, abs=5e-6)
    assert res.p_value == pytest.approx(0.008838, abs=5e-6)
    assert res.ci_low == pytest.approx(11.694, abs=5e-4)
    assert res.ci_high == pytest.approx(81.329, abs=5e-4)
    assert (res.n_before, res.n_after) == (40, 40)
    assert math.isnan(res.df)
    assert res.method == "adjusted-wald z test"
    assert isinstance(res, Comparison)


def test_compare_accepts_scores_estimates_and_count_tuples():
    before = [10, 9, 6, 3, 8, 0, 7, 9]
    after = [10, 10, 9, 9, 8, 6, 9, 10, 7]
    by_scores = compare(before, after)
    by_estimates = compare(score(before), score(after, method="trinomial"))
    est_b, est_a = score(before), score(after)
    by_counts = compare(
        (est_b.promoters, est_b.passives, est_b.detractors),
        (est_a.promoters, est_a.passives, est_a.detractors),
    )
    assert by_scores == by_estimates == by_counts


def test_compare_trinomial_degenerate_groups_warn():
    with pytest.warns(CvlibWarning, match="undefined"):
        res = compare((0, 0, 5), (5, 0, 0), method="trinomial")
    assert math.isnan(res.p_value) and math.isnan(res.statistic)
    assert res.estimate == 200.0


def test_compare_one_sided():
    two = compare((10, 10, 20), (20, 10, 10))
    greater = compare((10, 10, 20), (20, 10, 10), alternative="greater")
    assert greater.p_value == pytest.approx(two.p_value / 2, rel=1e-12)
    assert greater.ci_high == 200.0
    less = compare((10, 10, 20), (20, 10, 10), alternative="less")
    assert less.p_value == pytest.approx(1 - two.p_value / 2, rel=1e-12)
    assert less.ci_low == -200.0


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples, count_triples)
def test_compare_is_antisymmetric_under_swapping(before, after):
    ab = compare(before, after)
    ba = compare(after, before)
    assert ba.estimate == pytest.approx(-ab.estimate, abs=1e-9)
    assert ba.statistic == pytest.approx(-ab.statistic, abs=1e-9)
    assert ba.p_value == pytest.approx(ab.p_value, rel=1e-9, abs=1e-15)
    assert ba.ci_low == pytest.approx(-ab.ci_high, abs=1e-9)
    assert ba.ci_high == pytest.approx(-ab.ci_low, abs=1e-9)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples, count_triples, st.floats(0.5, 0.99))
def test_compare_p_value_and_interval_agree(before, after, level):
    # Same centre and standard error: p < alpha exactly when 0 is outside the CI.
    res = compare(before, after, confidence_level=level)
    alpha = 1 - level
    margin = 1e-9
    if res.p_value < alpha - margin:
        assert res.ci_low > 0 or res.ci_high < 0
    elif res.p_value > alpha + margin:
        assert res.ci_low <= 0 <= res.ci_high


def test_compare_errors_name_the_group():
    with pytest.raises(ValueError, match="after must be integers from 0 to 10"):
        compare([9, 10], [9, 12])
    with pytest.raises(ValueError, match="before as a tuple must be"):
        compare((1, 2), (1, 2, 3))
    with pytest.raises(ValueError, match="before\\[detractors\\] must be >= 0"):
        compare((1, 2, -3), (1, 2, 3))
    with pytest.raises(ValueError, match="before must hold at least 1 response"):
        compare((0, 0, 0), (1, 2, 3))
    with pytest.raises(ValueError, match="confidence_level"):
        compare((1, 2, 3), (1, 2, 3), confidence_level=1.0)
    with pytest.raises(ValueError, match="alternative"):
        compare((1, 2, 3), (1, 2, 3), alternative="up")


# ---------------------------------------------------------------------------
# test_target() and compare(null=): the tests whose duals are the intervals
# ---------------------------------------------------------------------------


def test_test_target_hand_derived():
    # 20 promoters, 10 passives, 10 detractors (n = 40), adjusted-Wald: n~ = 43,
    # p~ = 20.75/43, d~ = 10.75/43, c = 10/43 = 0.2325581, v = (31.5/43 - (10/43)^2)/43
    # = 0.01577848, sqrt(v) = 0.1256124; against a target of 10 points:
    # z = (0.2325581 - 0.1) / 0.1256124 = 1.0553. Tolerance: rounding only (the
    # 4-decimal value to half a unit in its last digit).
    c = 10 / 43
    v = (31.5 / 43 - c * c) / 43
    res = nps.test_target((20, 10, 10), null=10, alternative="greater")
    assert isinstance(res, results.Test)
    assert res.statistic == pytest.approx((c - 0.1) / math.sqrt(v), rel=1e-12)
    assert res.statistic == pytest.approx(1.0553, abs=5e-5)
    assert res.p_value == pytest.approx(0.5 * math.erfc(res.statistic / math.sqrt(2)), rel=1e-12)
    assert (res.null, res.alternative, res.method) == (10.0, "greater", "adjusted-wald z test")
    assert math.isnan(res.df)


def test_test_target_accepts_scores_and_estimates():
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]
    by_scores = nps.test_target(scores, null=-5)
    by_estimate = nps.test_target(score(scores), null=-5)
    by_counts = nps.test_target((5, 2, 3), null=-5)
    assert by_scores == by_estimate == by_counts


def test_test_target_at_the_interval_bounds():
    est = from_counts(20, 10, 10, confidence_level=0.9)
    low = nps.test_target((20, 10, 10), null=est.ci_low, alternative="greater")
    high = nps.test_target((20, 10, 10), null=est.ci_high, alternative="less")
    assert low.p_value == pytest.approx(0.05, abs=1e-12)
    assert high.p_value == pytest.approx(0.05, abs=1e-12)


def test_test_target_undefined_trinomial_warns():
    with pytest.warns(CvlibWarning, match="variance is 0"):
        res = nps.test_target((5, 0, 0), null=50, method="trinomial")
    assert math.isnan(res.statistic) and math.isnan(res.p_value)


def test_test_target_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"null must be in \[-100, 100\]"):
        nps.test_target((1, 1, 1), null=101)
    with pytest.raises(TypeError, match="null must be a number"):
        nps.test_target((1, 1, 1), null="10")
    with pytest.raises(TypeError):
        nps.test_target((1, 1, 1))  # null is required
    with pytest.raises(ValueError, match="counts as a tuple"):
        nps.test_target((1, 1), null=0)
    with pytest.raises(ValueError, match="method must be one of"):
        nps.test_target((1, 1, 1), null=0, method="wald")


def test_compare_null_shifts_the_test_only():
    base = compare((10, 10, 20), (20, 10, 10))
    shifted = compare((10, 10, 20), (20, 10, 10), null=20)
    se = (base.ci_high - base.ci_low) / (2 * Z95) / 100
    assert shifted.statistic == pytest.approx(base.statistic - 0.2 / se, rel=1e-9)
    assert (shifted.ci_low, shifted.ci_high, shifted.estimate) == (
        base.ci_low,
        base.ci_high,
        base.estimate,
    )
    # the default keeps the old result
    assert compare((10, 10, 20), (20, 10, 10), null=0.0) == base
    with pytest.raises(ValueError, match=r"null must be in \[-200, 200\]"):
        compare((10, 10, 20), (20, 10, 10), null=-250)
