"""Result types shared by the whole package: estimates, comparisons and tests.

Results hold plain numbers with stable field names; presentation (rounding,
percent signs, units) belongs to the notebooks, never to the result.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

__all__ = ["Comparison", "Estimate", "NPSEstimate", "Test"]


class _ResultMixin:
    __slots__ = ()

    def to_dict(self) -> dict:
        """Return the fields as a plain ``dict`` (field name -> value)."""
        return asdict(self)

    def to_frame(self):
        """Return a one-row :class:`pandas.DataFrame` with one column per field."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])

    def _repr_html_(self) -> str:
        """The fields as a two-column table (pandas' HTML, values escaped), for notebooks."""
        shown = {
            f.name: f"{v:.6g}" if isinstance(v, float) and math.isfinite(v) else str(v)
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }
        import pandas as pd

        name = type(self).__name__
        index = pd.Index(list(shown), name="field")
        return pd.DataFrame({name: list(shown.values())}, index=index).to_html()


@dataclass(frozen=True, slots=True)
class Estimate(_ResultMixin):
    """A point estimate with its confidence interval.

    Attributes
    ----------
    estimate : float
        The raw sample value (share, NPS, geometric mean...). For adjusted
        interval methods only the interval uses the adjustment.
    ci_low, ci_high : float
        Confidence interval bounds, clipped to the metric's range.
    n : int
        Raw number of observations.
    confidence_level : float
        Coverage of the interval, in (0, 1).
    method : str
        Name of the method that produced the interval.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    confidence_level: float
    method: str


@dataclass(frozen=True, slots=True)
class NPSEstimate(Estimate):
    """A Net Promoter Score (in points, -100 to 100) with its interval and counts.

    Attributes
    ----------
    promoters, passives, detractors : int
        Counts of scores 9-10, 7-8 and 0-6.
    """

    promoters: int
    passives: int
    detractors: int


@dataclass(frozen=True, slots=True)
class Comparison(_ResultMixin):
    """A before/after comparison.

    Attributes
    ----------
    estimate : float
        The effect (difference after - before, or ratio after / before; see
        ``method``).
    ci_low, ci_high : float
        Confidence interval of the effect.
    p_value : float
        p-value of the test of no effect against ``alternative``.
    statistic : float
        Test statistic (t, z, ...), ``nan`` where not applicable.
    df : float
        Degrees of freedom, ``nan`` where not applicable.
    n_before, n_after : int
        Number of observations in each group (pairs: both equal the pairs).
    confidence_level : float
        Coverage of the interval.
    method : str
        Name of the method.
    alternative : str
        ``two-sided``, ``less`` or ``greater`` (after compared to before).
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    statistic: float
    df: float
    n_before: int
    n_after: int
    confidence_level: float
    method: str
    alternative: str


@dataclass(frozen=True, slots=True)
class Test(_ResultMixin):
    """A test of one null value: what a verdict decides a claim by.

    The functions that return it have an interval that is its exact dual: the
    null is outside the two-sided interval at level ``1 - alpha`` on the low
    side exactly when the ``greater`` p-value is below ``alpha / 2``, and on the
    high side exactly when the ``less`` p-value is.

    Attributes
    ----------
    statistic : float
        The test statistic, z or t (positive when the estimate is above
        ``null``); ``nan`` when undefined.
    p_value : float
        p-value against ``alternative``; ``nan`` when undefined.
    df : float
        Degrees of freedom of a t test; ``nan`` for z tests.
    null : float
        The null value tested, in the estimate's units (a share, NPS points,
        seconds).
    alternative : str
        ``two-sided``, ``less`` or ``greater``: the alternative to the null.
    method : str
        Name of the test.
    """

    # pytest collects classes named Test* from the modules that import this one;
    # this tells it the class is not a test case.
    __test__ = False

    statistic: float
    p_value: float
    df: float
    null: float
    alternative: str
    method: str
