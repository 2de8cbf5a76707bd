"""Tests for cvlib.stats.planning against published calculators and the power formulas."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.power import TTestPower

from cvlib.stats.planning import Plan, nps_after_n, proportion_after_n, time_after_n

# Tolerances: sample sizes are whole numbers and must match exactly; powers
# computed from closed forms to 1e-12, powers quoted from R to its 7 printed digits.


def smallest_equal_groups(plan_for, start: int = 2) -> int:
    """The smallest k such that a fixed before sample of k needs at most k after:
    the equal-groups sample size that the published two-sample formulas give."""
    k = start
    while plan_for(k).n_after > k:
        k += 1
    return k


# ---------------------------------------------------------------------------
# shares
# ---------------------------------------------------------------------------


def test_one_share_matches_the_one_sided_calculator():
    # powerandsamplesize.com, "Test 1 Proportion: 1-Sample, 1-Sided" (Chow, Shao and
    # Wang 2008, p. 85), null and alternative variances:
    # p=0.05, p0=0.02, alpha=0.05, beta=0.20 -> ceiling(n) # 191.
    # One-sided alpha 0.05 is confidence_level 0.90 here.
    plan = proportion_after_n(0.05, null=0.02, confidence_level=0.90)
    assert plan.n_after == 191.0
    assert plan.max_power == 1.0
    assert plan.achieved_power >= 0.8


def test_fixed_before_share_reduces_to_the_non_inferiority_calculator():
    # powerandsamplesize.com, "Compare 2 Proportions: 2-Sample Non-Inferiority or
    # Superiority" (Chow, Shao and Wang 2008, p. 90): pA=0.85, pB=0.65,
    # delta=-0.10, kappa=1, alpha=0.05, beta=0.20 -> ceiling(nB) # 25 per group.
    # With the before sample fixed at k, the smallest k that needs at most k
    # after is that equal-groups answer.
    def plan_for(k):
        return proportion_after_n(
            0.85, null=-0.10, p_before=0.65, n_before=k, confidence_level=0.90
        )

    assert smallest_equal_groups(plan_for) == 25


def test_five_of_ten_before_is_not_settleable():
    # Before 5/10, after expected 0.70, null difference 0: even an unbounded
    # after sample leaves the before variance 0.25/10, so the power is at most
    # Phi(0.2 / sqrt(0.025) - 1.959964) = Phi(-0.6950) = 0.2435.
    plan = proportion_after_n(0.70, null=0.0, p_before=0.5, n_before=10)
    assert plan.n_after == math.inf
    ceiling = norm.cdf(0.2 / math.sqrt(0.25 / 10) - norm.isf(0.025))
    assert plan.max_power == pytest.approx(ceiling, abs=1e-12)
    assert plan.max_power == pytest.approx(0.2435, abs=1e-4)
    assert plan.achieved_power == plan.max_power


def test_fixed_before_share_matches_its_closed_form():
    plan = proportion_after_n(0.70, null=0.0, p_before=0.5, n_before=100)
    z = norm.isf(0.025) + norm.ppf(0.8)
    exact = 0.21 / ((0.2 / z) ** 2 - 0.25 / 100)  # 80.885...
    assert plan.n_after == math.ceil(exact) == 81
    assert plan.achieved_power == pytest.approx(
        norm.cdf(0.2 / math.sqrt(0.0025 + 0.21 / 81) - norm.isf(0.025)), abs=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.3),
    st.integers(5, 2000),
    st.floats(0.5, 0.95),
)
def test_fixed_before_share_is_the_smallest_n(p_before, lift, n_before, power):
    expected = min(p_before + lift, 0.99)
    plan = proportion_after_n(expected, null=0.0, p_before=p_before, n_before=n_before, power=power)
    vb = p_before * (1 - p_before) / n_before
    va = expected * (1 - expected)
    z = norm.isf(0.025)

    def achieved(n):
        return norm.cdf((expected - p_before) / math.sqrt(vb + va / n) - z)

    assert plan.max_power == pytest.approx(norm.cdf((expected - p_before) / math.sqrt(vb) - z))
    if plan.max_power <= power:
        assert plan.n_after == math.inf
    else:
        n = int(plan.n_after)
        assert achieved(n) >= power
        assert n == 2 or achieved(n - 1) < power
        # a larger before sample never needs more after
        assert (
            proportion_after_n(
                expected, null=0.0, p_before=p_before, n_before=2 * n_before, power=power
            ).n_after
            <= plan.n_after
        )


def test_a_claim_below_the_null_plans_the_lower_side():
    up = proportion_after_n(0.30, null=0.0, p_before=0.5, n_before=200, alternative="less")
    down = proportion_after_n(0.70, null=0.0, p_before=0.5, n_before=200)
    assert up.n_after == down.n_after  # p(1-p) and the distance are the same


# ---------------------------------------------------------------------------
# NPS
# ---------------------------------------------------------------------------


def test_nps_against_a_target_matches_the_one_sample_calculator():
    # powerandsamplesize.com, "Test 1 Proportion: 1-Sample Non-Inferiority or
    # Superiority" (Chow, Shao and Wang 2008, p. 86), alternative variance only:
    # p=0.5, p0=0.3, delta=-0.1, alpha=0.05, beta=0.20 -> ceiling(n) # 18.
    # The same z test on a mean with variance 0.25 and distance 0.3 = 30 points.
    assert nps_after_n(50, null=20, variance=0.25, confidence_level=0.90).n_after == 18.0


def test_nps_fixed_before_matches_its_closed_form():
    plan = nps_after_n(30, null=0, variance=0.41, nps_before=10, variance_before=0.45, n_before=150)
    z = norm.isf(0.025) + norm.ppf(0.8)
    exact = 0.41 / ((0.2 / z) ** 2 - 0.45 / 150)
    assert plan.n_after == math.ceil(exact)
    assert plan.max_power == pytest.approx(norm.cdf(0.2 / math.sqrt(0.003) - norm.isf(0.025)))


def test_nps_non_inferiority_uses_the_margin():
    # not worse by more than 5 points: expected equal to before is on the success side
    plan = nps_after_n(20, null=-5, variance=0.4, nps_before=20, variance_before=0.4, n_before=2000)
    assert math.isfinite(plan.n_after)
    with pytest.raises(ValueError, match="expected"):
        nps_after_n(20, null=0, variance=0.4, nps_before=20, variance_before=0.4, n_before=2000)


# ---------------------------------------------------------------------------
# task times
# ---------------------------------------------------------------------------


def test_time_against_a_target_matches_gpower():
    # G*Power 3 user guide, "Means: Difference from constant (one sample case)":
    # d = 0.625, one tail, alpha .05, power .95 -> N = 30 (df 29, noncentrality
    # 3.423266). One-sided alpha .05 is confidence_level 0.90.
    plan = time_after_n(-0.625, sd_log=1.0, confidence_level=0.90, power=0.95)
    assert plan.n_after == 30.0
    assert time_after_n(-0.625, sd_log=1.0, confidence_level=0.90, power=0.95, paired=True) == (
        dataclasses.replace(
            plan,
            method=plan.method.replace("ln(seconds) against a target", "pairs (log differences)"),
        )
    )


def test_time_with_a_fixed_before_sample_matches_r_power_t_test():
    # R, ?power.t.test: power.t.test(n = 20, delta = 1) prints
    # "power = 0.8689528" (two-sample t, sd 1, sig.level 0.05, one tail counted,
    # i.e. one-sided at 0.025). With equal n and sd, Welch's df is 2n - 2.
    plan = time_after_n(-1.0, sd_log=1.0, sd_log_before=1.0, n_before=20, power=0.868)
    assert plan.n_after == 20.0
    assert plan.achieved_power == pytest.approx(0.8689528, abs=5e-8)

    # power.t.test(power = .90, delta = 1) -> n = 22.02110 per group: 23 whole.
    def plan_for(k):
        return time_after_n(-1.0, sd_log=1.0, sd_log_before=1.0, n_before=k, power=0.9)

    assert smallest_equal_groups(plan_for) == 23


def test_time_ceiling_is_the_one_sample_test_of_the_before_mean():
    plan = time_after_n(math.log(0.8), sd_log=0.5, sd_log_before=0.5, n_before=30)
    d = -math.log(0.8) / 0.5
    expected = TTestPower().power(effect_size=d, nobs=30, alpha=0.025, alternative="larger")
    assert plan.max_power == pytest.approx(expected, abs=1e-10)
    assert plan.n_after == math.inf


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 1.5), st.floats(0.5, 0.95))
def test_time_against_a_target_agrees_with_statsmodels(d, power):
    plan = time_after_n(-d, sd_log=1.0, power=power)
    engine = TTestPower()
    n = int(plan.n_after)
    assert engine.power(effect_size=d, nobs=n, alpha=0.025, alternative="larger") >= power - 1e-9
    if n > 2:
        assert engine.power(effect_size=d, nobs=n - 1, alpha=0.025, alternative="larger") < power


def test_time_bigger_before_sample_needs_fewer_after():
    sizes = [
        time_after_n(math.log(0.8), sd_log=0.5, sd_log_before=0.5, n_before=k).n_after
        for k in (60, 120, 480)
    ]
    assert sizes[0] > sizes[1] > sizes[2] > 0


# ---------------------------------------------------------------------------
# arguments and the result type
# ---------------------------------------------------------------------------


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="expected must lie above"):
        proportion_after_n(0.6, null=0.7)
    with pytest.raises(ValueError, match="expected must lie below"):
        time_after_n(0.1, sd_log=0.5)
    with pytest.raises(ValueError, match="n_before missing"):
        proportion_after_n(0.7, null=0.0, p_before=0.5)
    with pytest.raises(ValueError, match="paired"):
        time_after_n(-0.2, sd_log=0.5, sd_log_before=0.5, n_before=20, paired=True)
    with pytest.raises(ValueError, match="alternative"):
        proportion_after_n(0.8, null=0.7, alternative="two-sided")
    with pytest.raises(ValueError, match="confidence_level"):
        proportion_after_n(0.8, null=0.7, confidence_level=1.5)
    with pytest.raises(ValueError, match="power must exceed"):
        proportion_after_n(0.8, null=0.7, power=0.01)
    with pytest.raises(ValueError, match="null must be a target share"):
        proportion_after_n(0.8, null=0.0)
    with pytest.raises(ValueError, match="variance must be at most 1"):
        nps_after_n(30, null=20, variance=2.0)
    with pytest.raises(TypeError, match="expected"):
        proportion_after_n("0.8", null=0.7)
    with pytest.raises(TypeError, match="n_before"):
        proportion_after_n(0.8, null=0.0, p_before=0.5, n_before=10.5)
    with pytest.raises(TypeError, match="paired"):
        time_after_n(-0.2, sd_log=0.5, paired=1)
    with pytest.raises(TypeError):
        proportion_after_n(0.8, 0.7)  # options are keyword-only


def test_plan_is_a_frozen_slotted_result():
    plan = proportion_after_n(0.85, null=0.80)
    assert isinstance(plan, Plan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.n_after = 1.0
    assert not hasattr(plan, "__dict__")
    assert set(plan.to_dict()) == {
        "n_after",
        "max_power",
        "achieved_power",
        "power",
        "confidence_level",
        "method",
    }
