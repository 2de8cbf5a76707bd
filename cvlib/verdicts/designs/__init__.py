"""Comparison designs: how a hypothesis's change is estimated, and how strong the evidence is.

One module per design, each a :class:`~cvlib.verdicts.designs.base.DesignSpec`
registered once. :func:`choose` picks, for ``comparison: auto`` (the
default), the strongest design the data allow: the interrupted time series
when the metric has a history (``nps``, ``churn``) and at least 12 whole
periods before the release; else before/after. A task study is a controlled
study (old and new version with the same study's participants); a hypothesis
that claims its target alone needs no comparison (``target_only``). A named
design whose data are missing gives ``insufficient_data`` with that reason.

Grades, strongest first: ``randomized``, ``time_series``, ``controlled_study``,
``before_after`` (association only), ``target_only``.
"""

from __future__ import annotations

from cvlib.verdicts.designs import before_after, simple, time_series
from cvlib.verdicts.designs.base import GRADES, DesignSpec, Effect, Evidence, registered

__all__ = ["GRADES", "DesignSpec", "Effect", "Evidence", "choose", "periods", "registered"]

_AUTO = (time_series.TIME_SERIES, before_after.BEFORE_AFTER)


def _candidates(h) -> tuple:
    spec = h.spec
    if h.kind == "level" or not spec.has_before:
        return (simple.TARGET_ONLY,)
    if spec.needs_task:
        return (simple.CONTROLLED_STUDY,)
    named = getattr(h, "comparison", "auto") or "auto"
    if named == "auto":
        return _AUTO
    return tuple(d for d in _AUTO if d.name == named) or (before_after.BEFORE_AFTER,)


def periods(h, ctx) -> tuple:
    """The further engine periods the designs that may judge ``h`` need."""
    return tuple(p for design in _candidates(h) for p in design.periods(h, ctx))


def choose(ctx, h, measured):
    """``(measurement, evidence, why)``: the measurement with the chosen design's effect as its
    comparison, the :class:`Evidence`, and, when a design named by ``comparison:`` cannot be
    applied, why (the verdict is then insufficient data)."""
    if getattr(h, "comparison", "auto") == "holdout" and h.kind != "level":
        return (
            measured,
            Evidence("holdout", "randomized"),
            "The holdout comparison is not computed by this version of cvlib yet (the "
            "exposures are validated); use comparison: auto or before_after meanwhile.",
        )
    candidates = _candidates(h)
    for design in candidates:
        found = design.apply(ctx, h, measured)
        if found is not None:
            changed, evidence = found
            return changed, evidence, None
    named = candidates[0]
    why = (
        f"The {named.name.replace('_', ' ')} design named by `comparison:` needs at least "
        f"{time_series.MIN_PRE} whole periods of data before the release, with data in every "
        "period of the window."
    )
    return measured, Evidence(named.name, named.grade), why
