"""Tests for cvlib.stats.worstrank: R's wilcox.test, Hanley and McNeil, and the worst-rank laws."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu, norm

from cvlib.errors import CvlibWarning
from cvlib.stats.worstrank import WorstRank, hanley_mcneil_variance, worst_rank_compare

# R's mtcars (Henderson and Velleman 1981): mpg of the 19 automatic (am = 0) and
# 13 manual (am = 1) cars, in data-set order.
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
       10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7,
       15.0, 21.4]  # fmt: skip
AM = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
      1, 1]  # fmt: skip
AUTOMATIC = [m for m, a in zip(MPG, AM, strict=True) if a == 0]
MANUAL = [m for m, a in zip(MPG, AM, strict=True) if a == 1]


def completed(values):
    return values, [False] * len(values)


def test_no_failures_matches_r_wilcox_test_with_ties():
    # R: wilcox.test(mpg ~ am, data = mtcars) prints
    # "W = 42, p-value = 0.001871" with the warning "cannot compute exact
    # p-value with ties" (normal approximation, continuity correction), e.g.
    # STHDA, "Unpaired Two-Samples Wilcoxon Test in R". R's x is am = 0, which
    # is `after` here (W counts pairs in which `after` is larger).
    r = worst_rank_compare(*completed(MANUAL), *completed(AUTOMATIC))
    assert r.statistic == 42.0
    assert r.p_value == pytest.approx(0.001871, abs=5e-7)
    assert r.probability == pytest.approx(1 - 42 / (19 * 13), abs=1e-15)
    assert (r.n_before, r.n_after, r.failed_before, r.failed_after) == (13, 19, 0, 0)


def test_hanley_mcneil_variance_matches_their_table():
    # Hanley and McNeil (1982), Radiology 143:29-36, Table 1: ratings 1..5 of 58
    # normal images (33, 6, 6, 11, 2) and 51 abnormal ones (3, 2, 2, 11, 33):
    # area 0.893, SE 0.032. Their SE uses Q1 and Q2 counted from the ratings;
    # the exponential approximation (the formula here) agrees to 0.001.
    normal = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2])
    abnormal = np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33])
    # lower is better here, so a higher rating is a lower "time" (6 - rating)
    r = worst_rank_compare(*completed(6 - normal), *completed(6 - abnormal))
    assert r.probability == pytest.approx(0.893, abs=5e-4)
    assert math.sqrt(hanley_mcneil_variance(r.probability, 51, 58)) == pytest.approx(
        0.032, abs=1e-3
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 30), min_size=2, max_size=40),
    st.lists(st.integers(1, 30), min_size=2, max_size=40),
)
def test_without_failures_it_is_the_plain_mann_whitney_test(before, after):
    if len(set(before + after)) == 1:
        return  # every value ties: covered by its own test
    r = worst_rank_compare(*completed(before), *completed(after))
    reference = mannwhitneyu(after, before, method="asymptotic", use_continuity=True)
    assert r.statistic == pytest.approx(float(reference.statistic))
    assert r.p_value == pytest.approx(float(reference.pvalue), rel=1e-10, abs=1e-15)
    pairs = np.subtract.outer(np.array(after), np.array(before))
    assert r.probability == pytest.approx(np.mean(pairs < 0) + 0.5 * np.mean(pairs == 0))


def test_a_failure_ranks_worse_than_every_time():
    # every before attempt is slow but completed; after is fast except one failure
    before = [900.0, 1000.0, 1100.0, 1200.0]
    after = [1.0, 2.0, 3.0, 4.0, 5.0]
    r = worst_rank_compare(before, [False] * 4, after, [False, False, True, False, False])
    assert r.probability == pytest.approx(4 / 5)  # the failed attempt loses every pair
    assert r.failed_after == 1
    # and replacing the failures by a time slower than every time changes nothing
    nan = math.nan
    times_b = [30.0, nan, 45.0, 50.0, nan, 38.0]
    times_a = [25.0, 31.0, nan, 29.0, 40.0]
    fails_b = [math.isnan(t) for t in times_b]
    fails_a = [math.isnan(t) for t in times_a]
    r = worst_rank_compare(times_b, fails_b, times_a, fails_a)
    slow = 1e6
    plain = worst_rank_compare(
        *completed([slow if f else t for t, f in zip(times_b, fails_b, strict=True)]),
        *completed([slow if f else t for t, f in zip(times_a, fails_a, strict=True)]),
    )
    assert dataclasses.replace(plain, failed_before=2, failed_after=1) == r


def test_failed_attempt_times_are_ignored():
    a = worst_rank_compare([10.0, 20.0, 5.0], [False, False, True], [12.0, 8.0], [False, False])
    b = worst_rank_compare([10.0, 20.0, -1.0], [False, False, True], [12.0, 8.0], [False, False])
    assert a == b


def test_newcombe_interval_solves_its_equation():
    r = worst_rank_compare(*completed(MANUAL), *completed(AUTOMATIC))
    m, n = r.n_before, r.n_after
    half = (m + n) / 2
    z = norm.isf(0.025)
    for bound in (r.ci_low, r.ci_high):
        v = hanley_mcneil_variance(bound, half, half) * half * half / (m * n)
        assert (r.probability - bound) ** 2 == pytest.approx(z * z * v, rel=1e-8)
    assert 0 < r.ci_low < r.probability < r.ci_high < 1


def test_newcombe_variance_equals_hanley_mcneil_for_equal_groups():
    # with m == n, N* = m and method 5's variance is Hanley and McNeil's
    for theta in (0.1, 0.5, 0.77, 0.95):
        lhs = (
            theta
            * (1 - theta)
            / 100
            * (1 + 9 * (1 - theta) / (2 - theta) + 9 * theta / (1 + theta))
        )
        assert hanley_mcneil_variance(theta, 10, 10) == pytest.approx(lhs, rel=1e-12)


def test_complete_separation_keeps_a_proper_interval():
    r = worst_rank_compare(*completed([50.0, 60.0, 70.0, 80.0]), *completed([10.0, 20.0, 30.0]))
    assert r.probability == 1.0 and r.ci_high == 1.0
    assert 0.0 < r.ci_low < 1.0
    half, z = 3.5, norm.isf(0.025)
    v = hanley_mcneil_variance(r.ci_low, half, half) * half * half / 12
    assert (1 - r.ci_low) ** 2 == pytest.approx(z * z * v, rel=1e-8)
    mirrored = worst_rank_compare(
        *completed([10.0, 20.0, 30.0]), *completed([50.0, 60.0, 70.0, 80.0])
    )
    assert mirrored.probability == 0.0 and mirrored.ci_low == 0.0
    assert mirrored.ci_high == pytest.approx(
        1 - r.ci_low, abs=1e-12
    )  # m and n only enter as m*n, m+n
    wider = worst_rank_compare(
        *completed([50.0, 60.0, 70.0, 80.0]), *completed([10.0, 20.0, 30.0]), confidence_level=0.99
    )
    assert wider.ci_low < r.ci_low


def test_everything_tied_gives_nan_p_value_with_a_warning():
    with pytest.warns(CvlibWarning, match="every outcome ties"):
        r = worst_rank_compare([1.0, 2.0], [True, True], [3.0], [True])
    assert math.isnan(r.p_value)
    assert r.probability == 0.5
    assert r.ci_low < 0.5 < r.ci_high


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="before_times and before_failed must have equal length"):
        worst_rank_compare([1.0, 2.0], [False], [1.0], [False])
    with pytest.raises(ValueError, match="after_times must be positive and finite"):
        worst_rank_compare([1.0], [False], [math.nan], [False])
    with pytest.raises(ValueError, match="after_times must contain at least one"):
        worst_rank_compare([1.0], [False], [], [])
    with pytest.raises(TypeError, match="before_failed"):
        worst_rank_compare([1.0], ["yes"], [1.0], [False])
    with pytest.raises(ValueError, match="confidence_level"):
        worst_rank_compare([1.0], [False], [2.0], [False], confidence_level=95)


def test_result_is_frozen_and_slotted():
    r = worst_rank_compare([10.0, 20.0], [False, True], [12.0, 8.0], [False, False])
    assert isinstance(r, WorstRank)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.p_value = 0.0
    assert not hasattr(r, "__dict__")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-5, 5).map(float), st.just(math.inf)), min_size=1, max_size=40)
)
def test_average_ranks_are_scipys_rankdata(values):
    # the reference: scipy.stats.rankdata's default (method="average"), ties and inf included
    from scipy.stats import rankdata

    from cvlib.stats.rank import average_ranks

    assert average_ranks(values).tolist() == rankdata(values).tolist()
