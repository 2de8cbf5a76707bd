"""The claims a hypothesis makes, each a one-sided test, and its one p-value.

A hypothesis of kind

- ``level`` claims the target alone: the after-release value is past the
  target;
- ``improvement`` claims the target and a change better than before the
  release;
- ``non_inferiority`` claims the target and a change not worse than before by
  more than its ``margin``.

Each claim is a one-sided test at level α = (1 - ``confidence_level``) / 2 of
the null "not past the boundary" (the target; no change; the margin). Its
dual is the two-sided interval at ``confidence_level`` that the report draws:
the claim holds (p ≤ α) exactly when that interval lies wholly past the
boundary. A further test, *worse*, asks the opposite of the change claim:
worse than before (``improvement``) or worse than the margin
(``non_inferiority``); p ≤ α there decides ``not_validated`` whatever the
target side.

The hypothesis holds when all its claims hold: an intersection-union test
(Berger 1982), whose p-value is the largest p of the claims and whose level
is α without any adjustment between the claims.

References
----------
Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance
sampling. Technometrics, 24(4), 295-300.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cvlib.verdicts.results import json_clean

__all__ = ["KINDS", "Claim", "Tests", "alpha", "claims_of", "margin_words"]

#: The kinds of hypothesis (``kind:`` in ``hypotheses.yaml``).
KINDS = ("level", "improvement", "non_inferiority")


def alpha(confidence_level: float) -> float:
    """The one-sided level of each claim: (1 - ``confidence_level``) / 2.

    Examples
    --------
    >>> alpha(0.95)
    0.025
    """
    return round((1.0 - confidence_level) / 2.0, 12)


def percent_words(value: float) -> str:
    """A level in words ("2.5%").

    Examples
    --------
    >>> percent_words(0.025), percent_words(0.05)
    ('2.5%', '5%')
    """
    return f"{value * 100:.3g}%"


@dataclass(frozen=True, slots=True)
class Claim:
    """One one-sided test of a hypothesis.

    Attributes
    ----------
    name : {"target", "change", "worse"}
    null : float
        The boundary tested, in the units of the value (target) or of the
        change (a difference, or a ratio after / before).
    alternative : {"greater", "less"}
        The side the claim asserts.
    p_value : float or None
        One-sided p-value; ``None`` when the test cannot be computed.
    question : str
        The claim in words, with its test level.
    shown : bool
        Whether the claim holds at its level: decided by the two-sided interval
        the report draws (wholly past ``null``), the dual of ``p_value`` ≤ α.
    """

    name: str
    null: float
    alternative: str
    p_value: float | None
    question: str
    shown: bool = False

    def to_dict(self) -> dict:
        """``p_value``, ``null``, ``alternative``, ``question``."""
        return json_clean(
            {
                "p_value": self.p_value,
                "null": self.null,
                "alternative": self.alternative,
                "question": self.question,
            }
        )


@dataclass(frozen=True, slots=True)
class Tests:
    """The claims of one hypothesis and the test against it.

    Attributes
    ----------
    target : Claim
    change : Claim or None
        ``None`` for kind ``level`` and without a before sample.
    worse : Claim or None
        Worse than before, or than the margin; ``None`` when ``change`` is.
    alpha : float
        The one-sided level of each test.
    """

    target: Claim
    change: Claim | None
    worse: Claim | None
    alpha: float

    @property
    def p_value(self) -> float | None:
        """The intersection-union p-value: the largest p of the claims (``None`` when one of
        them cannot be computed)."""
        ps = [c.p_value for c in (self.target, self.change) if c is not None]
        if any(p is None for p in ps):
            return None
        return max(ps)

    @staticmethod
    def shown(claim: Claim | None) -> bool:
        """Whether ``claim`` holds at :attr:`alpha` (``False`` for none)."""
        return claim is not None and claim.shown

    def to_dict(self) -> dict:
        """``{"target": {...}, "change": {...} or None, "worse": {...} or None}``."""
        return {
            "target": self.target.to_dict(),
            "change": None if self.change is None else self.change.to_dict(),
            "worse": None if self.worse is None else self.worse.to_dict(),
        }


def margin_words(unit, margin: float) -> str:
    """A non-inferiority margin in words: points for differences, a percentage for ratios.

    Examples
    --------
    >>> from cvlib.metrics.units import NPS_POINTS, PROPORTION, SECONDS
    >>> margin_words(PROPORTION, 0.05), margin_words(NPS_POINTS, 5), margin_words(SECONDS, 1.1)
    ('5 percentage points', '5 points', '10%')
    """
    if unit.change == "ratio":
        return f"{margin - 1:.0%}"
    points = "percentage points" if unit.scale != 1 else "points"
    return f"{margin * unit.scale:.3g} {points}"


def _p(test, null: float, alternative: str) -> float | None:
    if test is None:
        return None
    p = float(test(null, alternative))
    return p if math.isfinite(p) else None


def _past(low, high, null: float, alternative: str, *, inclusive: bool) -> bool:
    """Whether the interval ``[low, high]`` lies wholly on the ``alternative`` side of ``null``."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return False
    if alternative == "greater":
        return low >= null if inclusive else low > null
    return high <= null if inclusive else high < null


def claims_of(h, measured, confidence_level: float) -> Tests:
    """The tests of hypothesis ``h`` on a measurement (its after interval may be absent: the
    claims are then not shown).

    A claim is shown when its interval lies wholly past its null: the after
    interval against the target (a bound equal to the target meets it), the
    change interval against no change or the margin (strictly past it).
    """
    spec = h.spec
    unit = spec.unit
    level = alpha(confidence_level)
    at = f" One-sided test at {percent_words(level)}."
    better, worse_side = ("less", "greater") if spec.lower_is_better else ("greater", "less")
    scope = spec.scope(h)
    where = f" {scope}" if scope else ""
    past = "below" if spec.lower_is_better else "above"
    a = measured.after
    low, high, _ = unit.target_range
    # a bound equal to the target meets it, except at the edge of the metric's range, where the
    # interval is clipped and touches the edge whatever the data (0 of 10 completed "meets" 0%)
    at_edge = h.target in (low, high)
    target = Claim(
        "target",
        h.target,
        better,
        _p(measured.target_test, h.target, better),
        f"Is the {spec.label}{where}{_group(measured)} {past} {unit.format(h.target)}?{at}",
        a is not None and _past(a.ci_low, a.ci_high, h.target, better, inclusive=not at_edge),
    )
    if h.kind == "level":
        return Tests(target, None, None, level)
    than = measured.baseline
    lower, higher = ("shorter", "longer") if unit.change == "ratio" else ("lower", "higher")
    better_word, worse_word = (lower, higher) if spec.lower_is_better else (higher, lower)
    if h.kind == "non_inferiority":
        null = unit.margin_null(h.margin, spec.lower_is_better)
        words = margin_words(unit, h.margin)
        change_q = f"Is it at most {words} {worse_word} than {than}?{at}"
        worse_q = f"Is it more than {words} {worse_word} than {than}?{at}"
    else:
        null = unit.no_change
        change_q = f"Is it {better_word} than {than}?{at}"
        worse_q = f"Is it {worse_word} than {than}?{at}"
    c = measured.comparison
    low, high = (None, None) if c is None else (c.ci_low, c.ci_high)
    change = Claim(
        "change",
        null,
        better,
        _p(measured.change_test, null, better),
        change_q,
        _past(low, high, null, better, inclusive=False),
    )
    worse = Claim(
        "worse",
        null,
        worse_side,
        _p(measured.change_test, null, worse_side),
        worse_q,
        _past(low, high, null, worse_side, inclusive=False),
    )
    return Tests(target, change, worse, level)


def _group(measured) -> str:
    """`` of the treatment group`` when a holdout judges the target on that group."""
    from cvlib.metrics.base import HOLDOUT_GROUP

    return " of the treatment group" if measured.baseline == HOLDOUT_GROUP else ""
