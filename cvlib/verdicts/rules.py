"""The verdict rules, shared by hypotheses and their segments.

Each hypothesis makes one to two claims (:mod:`cvlib.verdicts.claims`): its
target, and for kinds ``improvement`` and ``non_inferiority`` its change
against before. Each claim is a one-sided test at α = (1 -
``confidence_level``) / 2, the dual of the two-sided interval the report
draws. In order:

1. ``insufficient_data``: the measurement window is not complete (its last day
   is after ``data_through``), a planned sample is still being collected, the
   data is absent, the after population is smaller than the metric's minimum,
   or the interval cannot be computed;
2. ``not_validated``: the after interval lies wholly on the failure side of the
   target, or the change is shown worse than before (``improvement``) or than
   the margin (``non_inferiority``) at α, whatever the target side. A failed
   promise needs no protection against false discoveries of success, so these
   use the unadjusted tests;
3. ``inconclusive``: a claim is not shown at α;
4. ``validated``: every claim is shown at α, and the hypothesis's p-value (the
   largest of its claims', Berger 1982) adjusted for the release's hypotheses
   (:mod:`cvlib.verdicts.evaluate`) is at most α too. Otherwise it is
   ``inconclusive`` with a reason saying so.
"""

from __future__ import annotations

import math

from cvlib.metrics.base import BEFORE_RELEASE
from cvlib.verdicts.claims import margin_words
from cvlib.verdicts.results import Change

__all__ = [
    "VERDICT_MEANING",
    "change_of",
    "claimed",
    "direction",
    "insufficient",
    "not_after_adjustment",
    "side",
    "verdict",
]

VERDICT_MEANING = {
    "validated": "the promised value was delivered: every claim of the hypothesis is shown by a "
    "one-sided test at (1 - confidence level) / 2, the whole interval past the target (and past "
    "no change, or the margin), after adjusting for the release's hypotheses",
    "not_validated": "the promised value was not delivered: the whole confidence interval misses "
    "the target, or the result is shown worse than before the release (or than the margin)",
    "inconclusive": "the data cannot tell yet: the confidence interval contains the target, the "
    "change is not shown, or the result does not hold after adjusting for the release's "
    "hypotheses",
    "insufficient_data": "too little data, a planned study still collecting, or the measurement "
    "window is not complete yet",
}


def side(after, target: float, lower_is_better: bool) -> str:
    """``success``, ``failure`` or ``neither``: where the after interval lies against the target."""
    if lower_is_better:
        if after.ci_high <= target:
            return "success"
        if after.ci_low > target:
            return "failure"
    else:
        if after.ci_low >= target:
            return "success"
        if after.ci_high < target:
            return "failure"
    return "neither"


def direction(ci_low, ci_high, no_change: float, lower_is_better: bool) -> str:
    """``improved``, ``worsened`` or ``unclear``: where the change interval lies vs. no change."""
    if ci_low is None or ci_high is None or math.isnan(ci_low) or math.isnan(ci_high):
        return "unclear"
    if ci_high < no_change:
        return "improved" if lower_is_better else "worsened"
    if ci_low > no_change:
        return "worsened" if lower_is_better else "improved"
    return "unclear"


def change_of(spec, measured) -> Change | None:
    """The :class:`Change` of a measurement (``None`` without a before sample)."""
    c = measured.comparison
    if c is not None:
        way = direction(c.ci_low, c.ci_high, spec.unit.no_change, spec.lower_is_better)
        return Change(
            c.estimate,
            c.ci_low,
            c.ci_high,
            c.p_value,
            way,
            c.method,
            pairs_dropped=measured.pairs_dropped,
        )
    if measured.change_undefined is not None:
        # a before sample exists but the comparison cannot be computed: the change is unclear
        return Change(
            None,
            None,
            None,
            None,
            "unclear",
            measured.change_undefined,
            pairs_dropped=measured.pairs_dropped,
        )
    return None


def insufficient(spec, measured, incomplete: str | None) -> tuple[str | None, str | None]:
    """Rule 1: ``("insufficient_data", why)``, or ``(None, None)`` when the other rules apply."""
    if incomplete is not None:
        return "insufficient_data", incomplete
    if measured.pending is not None:
        return "insufficient_data", measured.pending.rstrip(".") + "."
    if measured.absent is not None:
        return "insufficient_data", measured.absent
    a = measured.after
    n = a.n if a is not None else measured.n
    if n < spec.min_n:
        return (
            "insufficient_data",
            f"Only {n} {spec.counts} after the release; at least {spec.min_n} are needed.",
        )
    if a is None or any(math.isnan(v) for v in (a.estimate, a.ci_low, a.ci_high)):
        why = measured.why or "the after-release values do not vary"
        return "insufficient_data", f"The confidence interval cannot be computed ({why})."
    return None, None


def _p(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2g}"


def verdict(h, measured, tests, confidence_level: float) -> tuple[str, str | None]:
    """Rules 2-4 before the adjustment for multiplicity, on a measurement with a computable
    after interval: ``(verdict, reason)``."""
    spec = h.spec
    after = measured.after
    pct = f"{confidence_level:.0%}"
    if side(after, h.target, spec.lower_is_better) == "failure":
        return "not_validated", f"The whole {pct} confidence interval misses the target."
    if tests.shown(tests.worse):
        if h.kind == "non_inferiority":
            return "not_validated", (
                f"Worse than {measured.baseline} by more than the margin "
                f"({margin_words(spec.unit, h.margin)}): one-sided p = {_p(tests.worse.p_value)}."
            )
        return "not_validated", (
            f"Worse than {measured.baseline}: one-sided p = {_p(tests.worse.p_value)}."
        )
    if not tests.shown(tests.target):
        return (
            "inconclusive",
            f"The {pct} confidence interval contains the target: more data is needed to tell.",
        )
    change = tests.change
    if change is not None and not tests.shown(change):
        if change.p_value is None:
            undefined = measured.change_undefined or "the outcomes do not vary"
            why = (
                "there is no before-release sample to compare with"
                if measured.before is None
                else f"the comparison is undefined: {undefined}"
            )
            return "inconclusive", (
                f"Meets the target, but the change against {measured.baseline} cannot be tested "
                f"({why})."
            )
        if h.kind == "non_inferiority":
            return "inconclusive", (
                "Meets the target, but the data cannot rule out that it is worse than "
                f"{measured.baseline} by more than the margin "
                f"({margin_words(spec.unit, h.margin)})."
            )
        if measured.baseline != BEFORE_RELEASE:
            return "inconclusive", (
                f"Meets the target, but no detectable improvement over {measured.baseline}."
            )
        return "inconclusive", (
            "Meets the target, but no detectable improvement over before the release "
            "(the 'before' may already have met it)."
        )
    return "validated", None


def claimed(h) -> str:
    """What a validated hypothesis of ``h``'s kind has shown, in words."""
    if h.kind == "improvement":
        return "Meets the target and improves"
    if h.kind == "non_inferiority":
        return "Meets the target and is not worse than the margin"
    return "Meets the target"


def not_after_adjustment(h, method_label: str, family_size: int, adjusted: float) -> str:
    """The reason of a hypothesis shown at α whose adjusted p-value is not."""
    others = "hypothesis" if family_size == 1 else f"{family_size} hypotheses"
    return (
        f"{claimed(h)}, but not after adjusting for the {others} of this "
        f"release: {method_label}-adjusted p = {adjusted:.2g}."
    )
