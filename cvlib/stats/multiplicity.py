"""Adjusting p-values for multiple comparisons (a release tests several hypotheses)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from cvlib.stats.validation import as_float_array, check_choice

__all__ = ["METHODS", "adjust"]

#: Methods accepted by :func:`adjust`.
METHODS = ("holm", "bh")


def adjust(p_values, *, method: Literal["holm", "bh"] = "holm") -> np.ndarray:
    r"""Adjust p-values for multiple comparisons, as R's ``p.adjust`` does.

    Parameters
    ----------
    p_values : array_like of float
        One-dimensional p-values in [0, 1]. ``nan`` entries (hypotheses that
        could not be tested) stay ``nan`` and are left out of the family: the
        number of tests :math:`m` counts only the other entries, as R's
        ``p.adjust`` with its default ``n`` does.
    method : {"holm", "bh"}, optional
        ``"holm"`` (default): Holm's step-down method, which controls the
        family-wise error rate under any dependence. ``"bh"``: Benjamini and
        Hochberg's step-up method, which controls the false discovery rate for
        independent or positively dependent tests.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (float), same shape and order as ``p_values``, each in
        [0, 1]; ``nan`` where the input was ``nan``. An empty input gives an
        empty array. Compare each with the unadjusted significance level.

    Raises
    ------
    TypeError
        If ``p_values`` is not a sequence of numbers.
    ValueError
        If ``p_values`` is not one-dimensional, holds a value outside [0, 1]
        (infinity included), or ``method`` is not one of its choices.

    Notes
    -----
    Sort the :math:`m` non-missing p-values, :math:`p_{(1)} \le \dots \le p_{(m)}`.

    * Holm (1979): :math:`\tilde p_{(i)} = \min\bigl(1, \max_{j \le i}\,(m - j + 1)\,p_{(j)}\bigr)`.
    * Benjamini and Hochberg (1995):
      :math:`\tilde p_{(i)} = \min\bigl(1, \min_{j \ge i}\,\tfrac{m}{j}\,p_{(j)}\bigr)`.

    Each adjusted value is then put back at its original position. These are
    the formulas of R's ``p.adjust(p, "holm")`` and ``p.adjust(p, "BH")``;
    ties get equal adjusted values. The BH values never exceed the Holm
    values, and both are monotone in the raw p-values.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. *Scandinavian Journal of Statistics*, 6(2), 65-70.
    .. [2] Benjamini, Y., & Hochberg, Y. (1995). Controlling the false
       discovery rate: a practical and powerful approach to multiple testing.
       *Journal of the Royal Statistical Society, Series B*, 57(1), 289-300.
    .. [3] R Core Team. ``p.adjust``, R package stats, R: A Language and
       Environment for Statistical Computing. https://www.R-project.org/

    Examples
    --------
    >>> from cvlib.stats.multiplicity import adjust
    >>> adjust([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> adjust([0.01, 0.04, 0.03, 0.005], method="bh").round(4).tolist()
    [0.02, 0.04, 0.04, 0.02]
    >>> adjust([0.01, float("nan"), 0.04]).tolist()
    [0.02, nan, 0.04]
    """
    p = as_float_array(p_values, "p_values")
    method = check_choice(method, "method", METHODS)
    present = ~np.isnan(p)
    outside = present & ((p < 0.0) | (p > 1.0))
    if outside.any():
        index = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"p_values must be in [0, 1] (or nan), got {float(p[index])!r} at position {index}"
        )

    adjusted = np.full(p.shape, np.nan)
    values = p[present]
    m = values.size
    if m == 0:
        return adjusted
    if method == "holm":
        order = np.argsort(values, kind="stable")
        factors = m - np.arange(m)  # m, m-1, ..., 1
        ordered = np.maximum.accumulate(factors * values[order])
    else:
        order = np.argsort(values, kind="stable")[::-1]  # largest first
        ranks = np.arange(m, 0, -1)  # m, m-1, ..., 1
        ordered = np.minimum.accumulate(m / ranks * values[order])
    result = np.empty(m)
    result[order] = np.minimum(1.0, ordered)
    adjusted[present] = result
    return adjusted
