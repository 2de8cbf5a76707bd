"""Each test a verdict uses is the exact dual of the interval the report draws.

A verdict decides a claim by a one-sided test at alpha = (1 - level) / 2; the
report draws the two-sided interval at ``level``. They agree when, for every
null value not within 1e-9 of a bound,

* the ``greater`` p-value is <= alpha exactly when the null is below ``ci_low``;
* the ``less`` p-value is <= alpha exactly when the null is above ``ci_high``.

This is checked at levels 0.90, 0.95 and 0.99 for:

* :func:`cvlib.stats.proportions.score_test` against the Wilson interval, and
  :func:`cvlib.stats.proportions.score_compare` against its own interval: on
  every table with n up to 15 per group (the full enumeration of
  ``score_compare`` is marked slow; the fast suite enumerates n up to 6) and on
  random larger ones;
* :func:`cvlib.stats.nps.test_target` against :func:`cvlib.stats.nps.from_counts`
  and ``nps.compare(null=)`` against its interval, on random counts;
* :func:`cvlib.stats.tasktime.test_target` against
  :func:`cvlib.stats.tasktime.geometric_mean` and ``tasktime.compare(null=)``
  (Welch and paired) against its interval, on random times.

Outside the verdict: :func:`cvlib.stats.rank.rank_compare`'s exact intervals
are order statistics of the Walsh averages or pairwise differences, so only a
few coverage levels are achievable; at other levels the interval and the exact
test need not be duals, and no verdict is decided by them. Likewise
:func:`cvlib.stats.proportions.compare` (N-1 test, Newcombe hybrid interval:
two methods) and the adjusted-Wald and Clopper-Pearson intervals of
:func:`cvlib.stats.proportions.interval` have no test here.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cvlib.errors import CvlibWarning
from cvlib.stats import nps, proportions, tasktime

LEVELS = (0.90, 0.95, 0.99)
NEAR = 1e-9  # nulls this close to a bound are not checked (the bound is a root)
SHARE_NULLS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
DIFFERENCE_NULLS = (-0.5, -0.2, -0.1, 0.0, 0.1, 0.2)


def assert_dual(p_greater, p_less, low, high, null, level, context=None):
    """The one-sided p-values at (1 - level)/2 agree with the interval's two sides."""
    if abs(null - low) <= NEAR or abs(null - high) <= NEAR:
        return
    alpha = (1.0 - level) / 2.0
    assert (p_greater <= alpha) == (null < low), (context, null, low, high, p_greater)
    assert (p_less <= alpha) == (null > high), (context, null, low, high, p_less)


# -- one share -------------------------------------------------------------------------


def check_score_test(x, n, null, level):
    est = proportions.interval(x, n, method="wilson", confidence_level=level)
    greater = proportions.score_test(x, n, null=null, alternative="greater")
    less = proportions.score_test(x, n, null=null, alternative="less")
    assert_dual(greater.p_value, less.p_value, est.ci_low, est.ci_high, null, level, (x, n))


@pytest.mark.parametrize("level", LEVELS)
def test_score_test_every_count_up_to_15(level):
    for n in range(1, 16):
        for x in range(n + 1):
            for null in SHARE_NULLS:
                check_score_test(x, n, null, level)


@settings(deadline=None)  # timing varies on shared CI machines
@given(
    st.integers(1, 10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.floats(1e-6, 1 - 1e-6),
    st.sampled_from(LEVELS),
)
def test_score_test_random(count, null, level):
    check_score_test(*count, null, level)


# -- a difference of two shares -----------------------------------------------------------


def check_score_compare(table, null, level, interval=None):
    x1, n1, x2, n2 = table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)  # undefined at 0 for 0/n vs 0/m
        if interval is None:
            interval = proportions.score_compare(*table, confidence_level=level)
        greater = proportions.score_compare(*table, null=null, alternative="greater")
        less = proportions.score_compare(*table, null=null, alternative="less")
    if math.isnan(greater.p_value):
        # 0/0 at null = 0 when every trial has the same outcome: the interval keeps 0
        assert null == 0.0 and x1 + x2 in (0, n1 + n2)
        assert interval.ci_low < 0.0 < interval.ci_high
        return
    assert_dual(
        greater.p_value, less.p_value, interval.ci_low, interval.ci_high, null, level, table
    )


def all_tables(largest):
    groups = [(x, n) for n in range(1, largest + 1) for x in range(n + 1)]
    return [(x1, n1, x2, n2) for (x1, n1), (x2, n2) in itertools.product(groups, repeat=2)]


def check_all_tables(largest, level):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)
        for table in all_tables(largest):
            interval = proportions.score_compare(*table, confidence_level=level)
            assert -1.0 <= interval.ci_low <= interval.estimate <= interval.ci_high <= 1.0
            for null in DIFFERENCE_NULLS:
                check_score_compare(table, null, level, interval)


@pytest.mark.parametrize("level", LEVELS)
def test_score_compare_every_table_up_to_6(level):
    check_all_tables(6, level)


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_score_compare_every_table_up_to_15(level):
    # 18,225 tables x 6 nulls per level; 10 to 15 seconds per level.
    check_all_tables(15, level)


groups = st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(deadline=None)  # timing varies on shared CI machines
@given(groups, groups, st.floats(-0.99, 0.99), st.sampled_from(LEVELS))
def test_score_compare_random(before, after, null, level):
    check_score_compare((*before, *after), null, level)


# -- NPS -------------------------------------------------------------------------------

count_triples = st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400)).filter(
    lambda c: sum(c) > 0
)
methods = st.sampled_from(nps.METHODS)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples, st.floats(-100, 100), methods, st.sampled_from(LEVELS))
def test_nps_test_target(counts, null, method, level):
    _, variance = nps._moments(*counts, method)
    assume(variance > 0)  # trinomial with one category: a zero-width interval, nan test
    est = nps.from_counts(*counts, method=method, confidence_level=level)
    greater = nps.test_target(counts, null=null, method=method, alternative="greater")
    less = nps.test_target(counts, null=null, method=method, alternative="less")
    assert_dual(greater.p_value, less.p_value, est.ci_low, est.ci_high, null, level, counts)


@settings(deadline=None)  # timing varies on shared CI machines
@given(count_triples, count_triples, st.floats(-200, 200), methods, st.sampled_from(LEVELS))
def test_nps_compare(before, after, null, method, level):
    v1 = nps._moments(*before, method)[1]
    v2 = nps._moments(*after, method)[1]
    assume(v1 + v2 > 0)
    two_sided = nps.compare(before, after, method=method, confidence_level=level)
    greater = nps.compare(before, after, null=null, method=method, alternative="greater")
    less = nps.compare(before, after, null=null, method=method, alternative="less")
    assert_dual(greater.p_value, less.p_value, two_sided.ci_low, two_sided.ci_high, null, level)


# -- task time -------------------------------------------------------------------------

times = st.lists(st.floats(1.0, 3600.0), min_size=2, max_size=40)


def _spread(logs) -> bool:
    """Whether log-scale values vary (identical ones give a nan test and interval)."""
    return float(np.ptp(logs)) > 1e-6


@settings(deadline=None)  # timing varies on shared CI machines
@given(times, st.floats(0.5, 5000.0), st.sampled_from(LEVELS))
def test_tasktime_test_target(values, null, level):
    assume(_spread(np.log(values)))
    est = tasktime.geometric_mean(values, confidence_level=level)
    greater = tasktime.test_target(values, null=null, alternative="greater")
    less = tasktime.test_target(values, null=null, alternative="less")
    assert_dual(greater.p_value, less.p_value, est.ci_low, est.ci_high, null, level)


@settings(deadline=None)  # timing varies on shared CI machines
@given(times, times, st.floats(0.05, 20.0), st.booleans(), st.sampled_from(LEVELS))
def test_tasktime_compare(before, after, null, paired, level):
    if paired:
        size = min(len(before), len(after))
        before, after = before[:size], after[:size]
        assume(_spread(np.log(after) - np.log(before)))
    else:
        assume(_spread(np.log(before)) and _spread(np.log(after)))
    two_sided = tasktime.compare(before, after, paired=paired, confidence_level=level)
    greater = tasktime.compare(before, after, paired=paired, null=null, alternative="greater")
    less = tasktime.compare(before, after, paired=paired, null=null, alternative="less")
    assert_dual(greater.p_value, less.p_value, two_sided.ci_low, two_sided.ci_high, null, level)
