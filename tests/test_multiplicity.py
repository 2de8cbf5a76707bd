"""Tests for cvlib.stats.multiplicity.adjust against R's p.adjust."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from cvlib.stats.multiplicity import adjust

# R 4.5.2 p.adjust output with digits = 17, as recorded in the pystatistics test
# suite ("Tests for p_adjust() matching R p.adjust()"); each value is also
# re-derived by hand below. Tolerance 1e-12 (floating point only).
PV1 = [0.001, 0.01, 0.05, 0.1, 0.5, 0.9]
# p.adjust(PV1, "holm"): sorted already, factors 6..1:
# 0.006, 0.05, 0.2, 0.3, min(1, 1.0), max(1.0, 0.9) -> 1.0
R_HOLM_1 = [0.006, 0.05, 0.2, 0.3, 1.0, 1.0]
# p.adjust(PV1, "BH"): m/i * p = 0.006, 0.03, 0.1, 0.15, 0.6, 0.9 (already monotone)
R_BH_1 = [0.006, 0.03, 0.1, 0.15, 0.6, 0.9]

PV2 = [0.01, 0.04, 0.03, 0.005]
# p.adjust(PV2, "holm"): sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 ->
# 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06, back in input order:
R_HOLM_2 = [0.03, 0.06, 0.06, 0.02]
# p.adjust(PV2, "BH"): from the largest, 0.04*4/4, 0.03*4/3, 0.01*4/2, 0.005*4/1 ->
# 0.04, 0.04, 0.02, 0.02 (running min), back in input order:
R_BH_2 = [0.02, 0.04, 0.04, 0.02]


@pytest.mark.parametrize(
    ("p", "method", "expected"),
    [
        (PV1, "holm", R_HOLM_1),
        (PV1, "bh", R_BH_1),
        (PV2, "holm", R_HOLM_2),
        (PV2, "bh", R_BH_2),
    ],
)
def test_matches_r_p_adjust(p, method, expected):
    np.testing.assert_allclose(adjust(p, method=method), expected, rtol=1e-12, atol=0)


def test_default_method_is_holm():
    np.testing.assert_array_equal(adjust(PV2), adjust(PV2, method="holm"))


def test_nan_entries_stay_nan_and_leave_the_family():
    # R's p.adjust (src/library/stats/R/p.adjust.R) drops NAs before its default
    # n = length(p) is evaluated, so the family is the non-missing p-values:
    # p.adjust(c(0.01, NA, 0.04), "holm") -> 0.02 NA 0.04 (m = 2, by hand:
    # 2 * 0.01 = 0.02, max(0.02, 1 * 0.04) = 0.04); "BH" -> 0.02 NA 0.04
    # (0.04 * 2/2 = 0.04, min(0.04, 0.01 * 2/1) = 0.02).
    out = adjust([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.04], rtol=1e-12)
    out = adjust([0.01, np.nan, 0.04], method="bh")
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.04], rtol=1e-12)


def test_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995, JRSS B 57:289-300), worked example: 15 hypotheses;
    # at q = 0.05 the FDR procedure rejects the four smallest p-values, while a
    # Bonferroni-type procedure rejects three. The list is as reproduced in a
    # public implementation's docstring (some reproductions print 0.5719 for
    # the 0.6719 entry; no decision depends on it).
    p = [
        0.0201,
        0.7590,
        0.0344,
        0.0278,
        0.0095,
        0.0298,
        0.6719,
        1.0000,
        0.0001,
        0.4262,
        0.0004,
        0.6528,
        0.3240,
        0.0459,
        0.0019,
    ]
    rejected_bh = adjust(p, method="bh") <= 0.05
    assert rejected_bh.sum() == 4
    assert sorted(np.asarray(p)[rejected_bh]) == [0.0001, 0.0004, 0.0019, 0.0095]
    # Holm by hand: 15*0.0001, 14*0.0004, 13*0.0019 = 0.0247 <= 0.05, 12*0.0095 = 0.114.
    assert (adjust(p, method="holm") <= 0.05).sum() == 3


def test_returns_numpy_array_and_handles_empty_input():
    out = adjust([])
    assert isinstance(out, np.ndarray) and out.size == 0
    assert isinstance(adjust((0.5,)), np.ndarray)
    assert adjust([0.2]).tolist() == [0.2]  # one test: nothing to adjust
    assert np.isnan(adjust([np.nan, np.nan])).all()


# ---------------------------------------------------------------------------
# laws
# ---------------------------------------------------------------------------

p_lists = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=40)


@settings(deadline=None)  # timing varies on shared CI machines
@given(p_lists, st.sampled_from(["holm", "bh"]))
def test_agrees_with_statsmodels_multipletests(p, method):
    # Independent implementation: statsmodels' multipletests ("holm", "fdr_bh").
    expected = multipletests(p, method={"holm": "holm", "bh": "fdr_bh"}[method])[1]
    np.testing.assert_allclose(adjust(p, method=method), expected, rtol=1e-12, atol=1e-15)


@settings(deadline=None)  # timing varies on shared CI machines
@given(p_lists)
def test_bh_never_exceeds_holm_and_both_are_at_least_the_raw_p(p):
    holm = adjust(p, method="holm")
    bh = adjust(p, method="bh")
    assert np.all(bh <= holm + 1e-15)
    assert np.all(bh >= np.asarray(p) - 1e-15)
    assert np.all((holm >= 0) & (holm <= 1) & (bh >= 0) & (bh <= 1))


@settings(deadline=None)  # timing varies on shared CI machines
@given(p_lists, st.sampled_from(["holm", "bh"]))
def test_adjusted_p_values_are_monotone_in_the_raw_p_values(p, method):
    raw = np.asarray(p)
    out = adjust(p, method=method)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-15)


@settings(deadline=None)  # timing varies on shared CI machines
@given(p_lists, st.sampled_from(["holm", "bh"]), st.randoms(use_true_random=False))
def test_permutation_equivariance(p, method, rng):
    perm = list(range(len(p)))
    rng.shuffle(perm)
    shuffled = [p[i] for i in perm]
    np.testing.assert_allclose(adjust(shuffled, method=method), adjust(p, method=method)[perm])


@settings(deadline=None)  # timing varies on shared CI machines
@given(p_lists, st.lists(st.booleans(), min_size=40, max_size=40), st.sampled_from(["holm", "bh"]))
def test_nan_entries_equal_adjusting_the_rest_alone(p, mask, method):
    p = np.asarray(p)
    missing = np.asarray(mask[: p.size])
    with_nan = np.where(missing, np.nan, p)
    out = adjust(with_nan, method=method)
    assert np.array_equal(np.isnan(out), missing)
    np.testing.assert_allclose(out[~missing], adjust(p[~missing], method=method))


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


def test_rejects_unknown_method():
    with pytest.raises(ValueError, match="method must be one of holm, bh, got 'BH'"):
        adjust([0.1], method="BH")


def test_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match="p_values must be in \\[0, 1\\].*got 1.5 at position 1"):
        adjust([0.1, 1.5])
    with pytest.raises(ValueError, match="p_values must be in"):
        adjust([0.1, np.inf])


def test_rejects_wrong_shape_and_type():
    with pytest.raises(ValueError, match="p_values must be one-dimensional"):
        adjust([[0.1, 0.2]])
    with pytest.raises(TypeError, match="p_values must be a sequence of numbers"):
        adjust(["a", "b"])
