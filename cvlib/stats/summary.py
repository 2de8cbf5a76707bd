"""Summary statistics and the t-tests that run on them: the layer a query engine feeds.

A :class:`SampleSummary` holds ``n``, the mean and ``m2`` (the sum of squared
deviations from the mean). That is all a t-test needs, so an engine can
aggregate millions of rows (or merge per-batch summaries with ``+``) and hand
the result to :func:`welch_test` or :func:`one_sample_test`. The raw-data
functions of :mod:`cvlib.stats.tasktime` go through this module.

Undefined results (fewer than two observations, zero variance) are ``nan``
with a :class:`~cvlib.errors.CvlibWarning`, never a placeholder value.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison
from cvlib.stats.validation import (
    as_float_array,
    check_alternative,
    check_confidence_level,
    check_count,
)

__all__ = ["SampleSummary", "one_sample_test", "welch_test"]

Alternative = Literal["two-sided", "less", "greater"]

_EPS = np.finfo(float).eps


def _check_real(value, name: str, *, allow_nan: bool = False) -> float:
    """Return ``value`` as a float; ``TypeError``/``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if math.isnan(value) and allow_nan:
        return value
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _check_n(value) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"n must be an integer, got {value!r}")
    return check_count(value, "n")


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """Count, mean and sum of squared deviations of a sample.

    Parameters
    ----------
    n : int
        Number of observations, ``>= 0``.
    mean : float
        Arithmetic mean. Must be finite when ``n >= 1``; for ``n == 0`` the
        mean is undefined and must be ``nan`` (or ``None``, stored as ``nan``).
    m2 : float
        Sum of squared deviations from the mean, ``sum((x - mean) ** 2)``;
        finite and ``>= 0``, and exactly 0 when ``n <= 1``.

    Attributes
    ----------
    n, mean, m2
        As given.
    variance : float
        Sample variance ``m2 / (n - 1)``; ``nan`` with a
        :class:`~cvlib.errors.CvlibWarning` when ``n < 2``.
    std : float
        Sample standard deviation ``sqrt(variance)``.

    Notes
    -----
    Two summaries are pooled with ``a + b`` by the parallel merge of Chan,
    Golub and LeVeque. With :math:`\\delta = \\bar x_b - \\bar x_a` and
    :math:`n = n_a + n_b`,

    .. math::

        \\bar x = \\bar x_a + \\delta \\, n_b / n, \\qquad
        M_2 = M_{2,a} + M_{2,b} + \\delta^2 \\, n_a n_b / n .

    The merge never forms ``sum_squares - sum**2 / n``, so it keeps its
    precision when the mean is large compared with the spread (task times in
    milliseconds since an epoch, revenue in cents). An empty summary
    (``n == 0``) is the identity of ``+``, and ``sum(summaries)`` works.

    References
    ----------
    .. [1] Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979). "Updating
       formulae and a pairwise algorithm for computing sample variances".
       Technical Report STAN-CS-79-773, Stanford University.
    .. [2] Chan, T. F., Golub, G. H. and LeVeque, R. J. (1983). "Algorithms for
       computing the sample variance: analysis and recommendations".
       *The American Statistician* 37(3), 242-247.

    Examples
    --------
    >>> from cvlib.stats.summary import SampleSummary
    >>> a = SampleSummary.from_values([55, 65, 75])
    >>> b = SampleSummary.from_values([62, 45, 135])
    >>> pooled = a + b
    >>> pooled.n, round(pooled.mean, 4), round(pooled.variance, 4)
    (6, 72.8333, 1028.1667)
    >>> whole = SampleSummary.from_values([55, 65, 75, 62, 45, 135])
    >>> round(whole.variance, 4)
    1028.1667
    """

    n: int
    mean: float
    m2: float

    def __post_init__(self) -> None:
        n = _check_n(self.n)
        if n == 0:
            if self.mean is not None and not (
                isinstance(self.mean, numbers.Real) and math.isnan(float(self.mean))
            ):
                raise ValueError(f"mean must be nan when n == 0, got {self.mean!r}")
            mean = math.nan
        else:
            mean = _check_real(self.mean, "mean")
        m2 = _check_real(self.m2, "m2")
        if m2 < 0:
            raise ValueError(f"m2 must be >= 0 (a sum of squared deviations), got {m2!r}")
        if n <= 1 and m2 != 0:
            raise ValueError(f"m2 must be 0 when n <= 1, got m2={m2!r} with n={n}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "m2", m2)

    # -- constructors -------------------------------------------------------------

    @classmethod
    def empty(cls) -> SampleSummary:
        """Return the summary of no observations (``n=0``, mean ``nan``, ``m2=0``).

        Examples
        --------
        >>> from cvlib.stats.summary import SampleSummary
        >>> SampleSummary.empty()
        SampleSummary(n=0, mean=nan, m2=0.0)
        """
        return cls(0, math.nan, 0.0)

    @classmethod
    def from_values(cls, x) -> SampleSummary:
        """Summarise raw values.

        Parameters
        ----------
        x : array_like of float
            One-dimensional finite values; may be empty.

        Returns
        -------
        SampleSummary
            ``n = len(x)``, the mean and ``m2``.

        Raises
        ------
        TypeError
            If ``x`` is not a sequence of numbers.
        ValueError
            If ``x`` is not one-dimensional or holds a non-finite value.

        Notes
        -----
        Corrected two-pass algorithm (Chan, Golub and LeVeque 1983):
        with :math:`d_i = x_i - \\bar x`,
        :math:`M_2 = \\sum d_i^2 - (\\sum d_i)^2 / n`, where the second term
        removes the rounding error left in the mean.

        Examples
        --------
        >>> from cvlib.stats.summary import SampleSummary
        >>> s = SampleSummary.from_values([2.0, 4.0, 9.0])
        >>> s.n, s.mean, s.m2
        (3, 5.0, 26.0)
        """
        values = as_float_array(x, "x")
        bad = ~np.isfinite(values)
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            raise ValueError(f"x must be finite, got {float(values[index])!r} at position {index}")
        n = int(values.size)
        if n == 0:
            return cls.empty()
        mean = float(np.mean(values))
        deviations = values - mean
        m2 = float(np.sum(deviations**2) - np.sum(deviations) ** 2 / n)
        if n == 1:
            m2 = 0.0
        return cls(n, mean, max(m2, 0.0))

    @classmethod
    def from_sums(cls, n, sum, sum_squares) -> SampleSummary:
        """Summarise from a count, a sum and a sum of squares.

        For systems that only export ``COUNT(x)``, ``SUM(x)`` and
        ``SUM(x * x)``.

        Parameters
        ----------
        n : int
            Number of observations, ``>= 0``.
        sum : float
            Sum of the values.
        sum_squares : float
            Sum of the squared values, ``>= 0``.

        Returns
        -------
        SampleSummary

        Raises
        ------
        TypeError, ValueError
            For a non-integer or negative ``n``, non-finite sums, a negative
            ``sum_squares``, or non-zero sums with ``n == 0``.

        Warns
        -----
        CvlibWarning
            When the subtraction below cancels so much that fewer than about
            eight significant digits of ``m2`` remain
            (``m2 < sqrt(eps) * sum_squares``).

        Notes
        -----
        :math:`\\bar x = S / n` and :math:`M_2 = Q - S^2 / n`. This textbook
        formula is **less precise** than :meth:`from_values` or pooling with
        ``+``: when the mean is large compared with the standard deviation, the
        two terms of the subtraction are nearly equal and their leading digits
        cancel (catastrophic cancellation; Chan, Golub and LeVeque 1983). A
        result that rounds below zero is set to 0. Prefer per-batch summaries
        merged with ``+`` when the source allows it.

        Examples
        --------
        >>> from cvlib.stats.summary import SampleSummary
        >>> s = SampleSummary.from_sums(3, 15.0, 101.0)
        >>> s.mean, s.m2
        (5.0, 26.0)
        """
        n = _check_n(n)
        total = _check_real(sum, "sum")
        squares = _check_real(sum_squares, "sum_squares")
        if squares < 0:
            raise ValueError(f"sum_squares must be >= 0, got {squares!r}")
        if n == 0:
            if total != 0 or squares != 0:
                raise ValueError(
                    f"sum and sum_squares must be 0 when n == 0, got {total!r} and {squares!r}"
                )
            return cls.empty()
        mean = total / n
        if n == 1:
            return cls(1, mean, 0.0)
        m2 = squares - total * total / n
        if m2 < math.sqrt(_EPS) * squares:
            warnings.warn(
                f"from_sums: sum_squares - sum**2/n cancels ({m2!r} left of {squares!r}); "
                "m2 keeps fewer than 8 significant digits. Use from_values or merge "
                "per-batch summaries with +.",
                CvlibWarning,
                stacklevel=2,
            )
        return cls(n, mean, max(m2, 0.0))

    # -- derived statistics ---------------------------------------------------------

    @property
    def variance(self) -> float:
        """Sample variance ``m2 / (n - 1)``; ``nan`` with a warning when ``n < 2``."""
        if self.n < 2:
            warnings.warn(
                f"variance needs at least 2 observations, got n={self.n}; returning nan",
                CvlibWarning,
                stacklevel=2,
            )
            return math.nan
        return self.m2 / (self.n - 1)

    @property
    def std(self) -> float:
        """Sample standard deviation; ``nan`` with a warning when ``n < 2``."""
        if self.n < 2:
            warnings.warn(
                f"std needs at least 2 observations, got n={self.n}; returning nan",
                CvlibWarning,
                stacklevel=2,
            )
            return math.nan
        return math.sqrt(self.m2 / (self.n - 1))

    # -- pooling ----------------------------------------------------------------------

    def __add__(self, other):
        if not isinstance(other, SampleSummary):
            return NotImplemented
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        m2 = self.m2 + other.m2 + delta * delta * (self.n * other.n / n)
        return SampleSummary(n, mean, m2)

    def __radd__(self, other):
        # Lets sum(summaries) start from the integer 0.
        if isinstance(other, numbers.Integral) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


def _check_summary(value, name: str) -> SampleSummary:
    if not isinstance(value, SampleSummary):
        raise TypeError(f"{name} must be a SampleSummary, got {type(value).__name__}")
    return value


def _t_comparison(
    *,
    estimate: float,
    null: float,
    se: float,
    df: float,
    confidence_level: float,
    alternative: str,
    n_before: int,
    n_after: int,
    method: str,
) -> Comparison:
    """Build a t-based Comparison: statistic, p-value and the matching interval."""
    # Student t distribution functions of scipy.special (what scipy.stats.t evaluates,
    # without importing scipy.stats): stdtr(df, x) = P(T <= x), stdtrit its inverse.
    from scipy.special import stdtr, stdtrit

    statistic = (estimate - null) / se
    if alternative == "two-sided":
        p_value = float(2.0 * stdtr(df, -abs(statistic)))
        quantile = float(stdtrit(df, 1.0 - (1.0 - confidence_level) / 2.0))
        ci_low, ci_high = estimate - quantile * se, estimate + quantile * se
    elif alternative == "less":
        p_value = float(stdtr(df, statistic))
        quantile = float(stdtrit(df, confidence_level))
        ci_low, ci_high = -math.inf, estimate + quantile * se
    else:
        p_value = float(stdtr(df, -statistic))
        quantile = float(stdtrit(df, confidence_level))
        ci_low, ci_high = estimate - quantile * se, math.inf
    return Comparison(
        estimate=float(estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=min(p_value, 1.0),
        statistic=float(statistic),
        df=float(df),
        n_before=n_before,
        n_after=n_after,
        confidence_level=confidence_level,
        method=method,
        alternative=alternative,
    )


def _undefined(estimate, *, confidence_level, alternative, n_before, n_after, method, why):
    warnings.warn(f"{why}; p-value and interval are nan", CvlibWarning, stacklevel=3)
    return Comparison(
        estimate=float(estimate),
        ci_low=math.nan,
        ci_high=math.nan,
        p_value=math.nan,
        statistic=math.nan,
        df=math.nan,
        n_before=n_before,
        n_after=n_after,
        confidence_level=confidence_level,
        method=method,
        alternative=alternative,
    )


def welch_test(
    before: SampleSummary,
    after: SampleSummary,
    *,
    null: float = 0.0,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> Comparison:
    """Welch's two-sample t-test of ``after.mean - before.mean`` on two summaries.

    Parameters
    ----------
    before, after : SampleSummary
        Independent samples before and after the change.
    null : float, default 0.0
        The difference ``after.mean - before.mean`` under the null hypothesis.
    confidence_level : float, default 0.95
        Coverage of the interval, in (0, 1).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: the after mean is smaller than the before mean
        (difference < 0); ``"greater"``: it is larger.

    Returns
    -------
    Comparison
        ``estimate`` = ``after.mean - before.mean``; ``ci_low``, ``ci_high`` its
        interval (one-sided, with an infinite bound, for ``"less"`` and
        ``"greater"``, as R's ``t.test``); ``p_value``; ``statistic`` = t;
        ``df`` = Welch-Satterthwaite degrees of freedom; ``n_before``,
        ``n_after``; ``confidence_level``; ``method``; ``alternative``.

    Raises
    ------
    TypeError
        If ``before`` or ``after`` is not a :class:`SampleSummary`.
    ValueError
        For a ``confidence_level`` outside (0, 1) or an unknown ``alternative``.

    Warns
    -----
    CvlibWarning
        When a group has fewer than 2 observations or both variances are zero
        (the statistic is then undefined): ``p_value``, ``statistic``, ``df`` and
        the interval are ``nan``; ``estimate`` is still the difference of the
        means (``nan`` if a group is empty).

    Notes
    -----
    With :math:`v_b = s_b^2 / n_b` and :math:`v_a = s_a^2 / n_a`,

    .. math::

        t = \\frac{\\bar x_a - \\bar x_b - \\Delta_0}{\\sqrt{v_a + v_b}}, \\qquad
        \\nu = \\frac{(v_a + v_b)^2}{v_a^2 / (n_a - 1) + v_b^2 / (n_b - 1)} .

    Two-sided: :math:`p = 2 P(T_\\nu > |t|)` and the interval is
    :math:`\\bar x_a - \\bar x_b \\pm t_{\\nu, 1-\\alpha/2} \\sqrt{v_a + v_b}` with
    :math:`\\alpha = 1 -` ``confidence_level``. One-sided: :math:`P(T_\\nu < t)`
    ("less") or :math:`P(T_\\nu > t)` ("greater") with the one-sided bound
    :math:`t_{\\nu, 1-\\alpha}`, :math:`\\Delta_0` = ``null``. The p-value is below
    :math:`\\alpha` exactly when the interval excludes ``null``. Both variances
    count as zero when the standard error is below ``10 * eps * max(|means|)``
    (R's "data are essentially constant").

    References
    ----------
    .. [1] Welch, B. L. (1947). "The generalization of 'Student's' problem when
       several different population variances are involved". *Biometrika*
       34(1-2), 28-35.
    .. [2] Satterthwaite, F. E. (1946). "An approximate distribution of
       estimates of variance components". *Biometrics Bulletin* 2(6), 110-114.

    Examples
    --------
    R's ``sleep`` data (``t.test(extra ~ group, data = sleep)``): group 1 minus
    group 2, so group 2 is ``before``.

    >>> from cvlib.stats.summary import SampleSummary, welch_test
    >>> g1 = SampleSummary.from_values([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    >>> g2 = SampleSummary.from_values([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    >>> r = welch_test(g2, g1)
    >>> round(r.estimate, 2), round(r.statistic, 4), round(r.df, 3), round(r.p_value, 5)
    (-1.58, -1.8608, 17.776, 0.07939)
    >>> round(r.ci_low, 4), round(r.ci_high, 4)
    (-3.3655, 0.2055)
    """
    before = _check_summary(before, "before")
    after = _check_summary(after, "after")
    null = _check_real(null, "null")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    method = "Welch two-sample t-test (after - before)"
    estimate = after.mean - before.mean
    common = {
        "confidence_level": confidence_level,
        "alternative": alternative,
        "n_before": before.n,
        "n_after": after.n,
        "method": method,
    }
    if before.n < 2 or after.n < 2:
        return _undefined(
            estimate,
            why=(
                "welch_test needs at least 2 observations in each group, "
                f"got n_before={before.n}, n_after={after.n}"
            ),
            **common,
        )
    v_before = before.m2 / (before.n - 1) / before.n
    v_after = after.m2 / (after.n - 1) / after.n
    se = math.sqrt(v_before + v_after)
    if se <= 10 * _EPS * max(abs(before.mean), abs(after.mean)):
        return _undefined(estimate, why="welch_test: both groups have zero variance", **common)
    df = (v_before + v_after) ** 2 / (v_before**2 / (before.n - 1) + v_after**2 / (after.n - 1))
    return _t_comparison(estimate=estimate, null=null, se=se, df=df, **common)


def one_sample_test(
    summary: SampleSummary,
    *,
    value: float = 0.0,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> Comparison:
    """One-sample t-test of ``mean == value``; a paired t-test on the differences.

    Parameters
    ----------
    summary : SampleSummary
        The sample; for a paired test, the summary of the differences
        ``after - before``.
    value : float, default 0.0
        Mean under the null hypothesis.
    confidence_level : float, default 0.95
        Coverage of the interval, in (0, 1).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: the mean is below ``value``; ``"greater"``: above.

    Returns
    -------
    Comparison
        ``estimate`` = the sample mean (the mean difference for paired data) and
        ``ci_low``, ``ci_high`` its interval (one-sided for ``"less"`` and
        ``"greater"``, as R's ``t.test``); ``p_value`` of the test against
        ``value``; ``statistic`` = t; ``df`` = n - 1; ``n_before`` = ``n_after``
        = n (pairs); ``confidence_level``; ``method``; ``alternative``.

    Raises
    ------
    TypeError
        If ``summary`` is not a :class:`SampleSummary` or ``value`` not a number.
    ValueError
        For a non-finite ``value``, a ``confidence_level`` outside (0, 1) or an
        unknown ``alternative``.

    Warns
    -----
    CvlibWarning
        When n < 2 or the variance is zero: everything but ``estimate`` is
        ``nan``.

    Notes
    -----
    .. math::

        t = \\frac{\\bar x - \\mu_0}{s / \\sqrt n}, \\qquad \\nu = n - 1,

    two-sided interval :math:`\\bar x \\pm t_{\\nu, 1-\\alpha/2}\\, s/\\sqrt n`, one-sided
    bounds with :math:`t_{\\nu, 1-\\alpha}`. The p-value is below :math:`\\alpha`
    exactly when the interval excludes ``value``. The variance counts as zero
    when :math:`s/\\sqrt n` is below ``10 * eps * |mean|``.

    References
    ----------
    .. [1] Student (1908). "The probable error of a mean". *Biometrika* 6(1),
       1-25.

    Examples
    --------
    Paired t-test on R's ``sleep`` data (``t.test(extra ~ group, data = sleep,
    paired = TRUE)`` is group 1 minus group 2):

    >>> from cvlib.stats.summary import SampleSummary, one_sample_test
    >>> g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> d = SampleSummary.from_values([a - b for a, b in zip(g1, g2)])
    >>> r = one_sample_test(d)
    >>> round(r.statistic, 4), r.df, round(r.p_value, 6)
    (-4.0621, 9.0, 0.002833)
    >>> round(r.ci_low, 4), round(r.ci_high, 4)
    (-2.4599, -0.7001)
    """
    summary = _check_summary(summary, "summary")
    value = _check_real(value, "value")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    common = {
        "confidence_level": confidence_level,
        "alternative": alternative,
        "n_before": summary.n,
        "n_after": summary.n,
        "method": f"one-sample t-test (mean = {value:g})",
    }
    if summary.n < 2:
        return _undefined(
            summary.mean,
            why=f"one_sample_test needs at least 2 observations, got n={summary.n}",
            **common,
        )
    se = math.sqrt(summary.m2 / (summary.n - 1) / summary.n)
    if se <= 10 * _EPS * abs(summary.mean):
        return _undefined(summary.mean, why="one_sample_test: zero variance", **common)
    return _t_comparison(
        estimate=summary.mean, null=value, se=se, df=float(summary.n - 1), **common
    )
