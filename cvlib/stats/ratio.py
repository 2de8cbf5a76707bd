r"""The sample-ratio check of a randomised holdout: were units assigned as planned?

A holdout that assigns units at random with planned shares (say 80% treated,
20% held out) should come out close to those shares. A sample-ratio mismatch
(SRM) -- counts far from the plan -- means the assignment or the logging lost
units unevenly, and any comparison of the groups is suspect whatever it shows.
The check is Pearson's chi-square goodness-of-fit test of the assigned counts
against the planned shares (Kohavi, Tang and Xu 2020, ch. 21; Fabijan et al.
2019).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Test
from cvlib.stats.validation import as_float_array

__all__ = ["sample_ratio_test"]

# Cochran's (1954) rule for the chi-square approximation: expected counts >= 5.
_MIN_EXPECTED = 5.0


def _counts(counts) -> np.ndarray:
    if isinstance(counts, str | bytes) or not hasattr(counts, "__len__"):
        raise TypeError(f"counts must be a sequence of unit counts, got {type(counts).__name__}")
    array = as_float_array(counts, "counts")
    if array.size < 2:
        raise ValueError(f"counts must hold at least two groups, got {array.size}")
    bad = ~np.isfinite(array) | (array < 0) | (array != np.round(array))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"counts must be non-negative integers, got {counts[i]!r} at position {i}")
    return array


def _shares(expected_shares, k: int) -> np.ndarray:
    if isinstance(expected_shares, str | bytes) or not hasattr(expected_shares, "__len__"):
        raise TypeError(
            "expected_shares must be a sequence of planned shares, "
            f"got {type(expected_shares).__name__}"
        )
    if any(isinstance(s, bool) or not isinstance(s, numbers.Real) for s in expected_shares):
        raise TypeError(f"expected_shares must hold numbers, got {list(expected_shares)!r}")
    shares = as_float_array(expected_shares, "expected_shares")
    if shares.size != k:
        raise ValueError(
            f"expected_shares must have one share per group of counts ({k}), got {shares.size}"
        )
    if not (np.isfinite(shares).all() and (shares > 0).all()):
        raise ValueError(f"expected_shares must be positive and finite, got {list(shares)!r}")
    total = float(shares.sum())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"expected_shares must sum to 1, got {list(shares)!r} (sum {total!r})")
    return shares / total


def sample_ratio_test(counts, *, expected_shares) -> Test:
    r"""Test assigned unit counts against the planned shares (sample-ratio mismatch).

    Parameters
    ----------
    counts : sequence of int
        Units assigned to each group (at least two groups), e.g.
        ``[treated, held_out]``.
    expected_shares : sequence of float
        The planned share of each group, in the order of ``counts``; positive,
        summing to 1 (within ``1e-6``), e.g. ``[0.8, 0.2]``.

    Returns
    -------
    Test
        ``statistic``
            Pearson's :math:`X^2` (not a z or t: it has no sign).
        ``p_value``
            Upper tail of :math:`\chi^2_{k-1}` at :math:`X^2`: small means
            the counts are unlikely under the planned shares.
        ``df``
            :math:`k - 1`.
        ``null``
            ``nan``: the null is the vector of planned shares, written in
            ``method``, not one number.
        ``alternative``
            ``"two-sided"``: any departure from the plan, in either direction.
        ``method``
            ``"pearson chi-square goodness of fit (planned shares ...)"``.

        With no units at all (every count 0) the test is undefined:
        ``statistic`` and ``p_value`` are ``nan`` with a
        :class:`~cvlib.errors.CvlibWarning`.

    Warns
    -----
    CvlibWarning
        When no unit was assigned, or when an expected count is below 5
        (the chi-square approximation is then unreliable; the result is
        still the chi-square test).

    Notes
    -----
    With :math:`N = \sum_i n_i` units and planned shares :math:`\pi_i`, the
    expected counts are :math:`E_i = N \pi_i` and

    .. math::

        X^2 = \sum_{i=1}^{k} \frac{(n_i - E_i)^2}{E_i}, \qquad
        p = P(\chi^2_{k-1} \ge X^2),

    the p-value from :func:`scipy.special.chdtrc` (the values of
    :func:`scipy.stats.chisquare`, asserted in the tests). A mismatch is usually judged
    on a strict threshold (Kohavi et al. use :math:`p < 0.0005`; many
    platforms 0.001), because the check runs on every experiment and a
    true mismatch usually gives a tiny p-value on large samples.

    The test asks whether the *assignment* worked, not whether the release
    did anything: a mismatch found here invalidates the holdout comparison,
    whatever its p-value.

    References
    ----------
    .. [1] Kohavi, R., Tang, D. and Xu, Y. (2020). *Trustworthy Online
       Controlled Experiments: A Practical Guide to A/B Testing*. Cambridge
       University Press, ch. 21 ("Sample Ratio Mismatch and Other
       Trust-Related Guardrail Metrics").
    .. [2] Fabijan, A., Gupchup, J., Gupta, S., Omhover, J., Qin, W.,
       Vermeer, L. and Dmitriev, P. (2019). "Diagnosing sample ratio
       mismatch in online controlled experiments: a taxonomy and rules of
       thumb for practitioners". *Proceedings of KDD 2019*, 2156-2164.
    .. [3] Pearson, K. (1900). "On the criterion that a given system of
       deviations from the probable ... ". *Philosophical Magazine* 50,
       157-175.

    Examples
    --------
    Kohavi et al.'s example of a 50/50 experiment: 821,588 control and
    815,482 treatment users, a ratio of 0.993 with a p-value of 1.8e-6:

    >>> from cvlib.stats.ratio import sample_ratio_test
    >>> r = sample_ratio_test([821_588, 815_482], expected_shares=[0.5, 0.5])
    >>> round(r.statistic, 2), f"{r.p_value:.1e}", r.df
    (22.77, '1.8e-06', 1.0)

    A planned 20% holdout that came out 30% of 1,000 units:

    >>> r = sample_ratio_test([700, 300], expected_shares=[0.8, 0.2])
    >>> round(r.statistic, 2), r.p_value < 0.001
    (62.5, True)
    """
    observed = _counts(counts)
    shares = _shares(expected_shares, observed.size)
    k = observed.size
    method = "pearson chi-square goodness of fit (planned shares {})".format(
        ", ".join(f"{s:g}" for s in shares)
    )
    total = float(observed.sum())
    if total == 0:
        warnings.warn(
            "sample_ratio_test: no unit was assigned (every count is 0); the test is undefined",
            CvlibWarning,
            stacklevel=2,
        )
        return Test(math.nan, math.nan, float(k - 1), math.nan, "two-sided", method)
    expected = total * shares
    if expected.min() < _MIN_EXPECTED:
        warnings.warn(
            f"sample_ratio_test: an expected count is {expected.min():.3g} (< 5); the "
            "chi-square approximation is unreliable at such counts",
            CvlibWarning,
            stacklevel=2,
        )
    # the upper tail of chi-square from scipy.special (what scipy.stats.chisquare computes),
    # without importing scipy.stats in a report's kernel
    from scipy.special import chdtrc

    statistic = float(((observed - expected) ** 2 / expected).sum())
    return Test(
        statistic=statistic,
        p_value=float(chdtrc(k - 1, statistic)),
        df=float(k - 1),
        null=math.nan,
        alternative="two-sided",
        method=method,
    )
