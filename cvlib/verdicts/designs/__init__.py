"""Comparison designs: how a hypothesis's change is estimated, and how strong the evidence is.

One module per design, each a :class:`~cvlib.verdicts.designs.base.DesignSpec`
registered once. :func:`choose` picks, for ``comparison: auto`` (the
default), the strongest design the data allow: the holdout when the feature
has exposures of the metric's unit in both groups (and the metric is
compared between groups: ``nps``, ``churn``); the interrupted time series
when the metric has a history (``nps``, ``churn``) and at least 12 whole
periods before the release; else before/after. A task study is a controlled
study (old and new version with the same study's participants); a hypothesis
that claims its target alone needs no comparison (``target_only``), unless a
holdout judges its target on the treatment group. A named design whose data
are missing gives ``insufficient_data`` with that reason.

Grades, strongest first: ``randomized``, ``time_series``, ``controlled_study``,
``before_after`` (association only), ``target_only``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvlib.verdicts.designs import before_after, holdout, simple, time_series
from cvlib.verdicts.designs.base import GRADES, DesignSpec, Effect, Evidence, registered

__all__ = [
    "GRADES",
    "DesignSpec",
    "Effect",
    "Evidence",
    "Choice",
    "choose",
    "periods",
    "registered",
    "start_queries",
]

_AUTO = (time_series.TIME_SERIES, before_after.BEFORE_AFTER)


def _named(h) -> str:
    return getattr(h, "comparison", "auto") or "auto"


def _candidates(h, ctx) -> tuple:
    spec = h.spec
    named = _named(h)
    if named == "holdout":
        return (holdout.HOLDOUT,)
    with_holdout = ()
    if named == "auto" and holdout.unavailable(ctx, h) is None:
        with_holdout = (holdout.HOLDOUT,)
    if h.kind == "level" or not spec.has_before:
        return with_holdout + (simple.TARGET_ONLY,)
    if spec.needs_task:
        return (simple.CONTROLLED_STUDY,)
    if named == "auto":
        return with_holdout + _AUTO
    return tuple(d for d in _AUTO if d.name == named) or (before_after.BEFORE_AFTER,)


def periods(h, ctx) -> tuple:
    """The further engine periods the designs that may judge ``h`` need."""
    return tuple(p for design in _candidates(h, ctx) for p in design.periods(h, ctx))


def start_queries(ctx, hypotheses) -> list:
    """Start the designs' own queries (a holdout's join of the metric's table with the
    exposures); return the functions that wait for them (each: Period -> counts)."""
    waiting = []
    for h in hypotheses:
        if holdout.HOLDOUT in _candidates(h, ctx) and holdout.unavailable(ctx, h) is None:
            waiting.append(holdout.start(ctx, h))
    return waiting


@dataclass(frozen=True, slots=True)
class Choice:
    """The design chosen for a hypothesis.

    Attributes
    ----------
    measurement : Measurement
        With the design's effect as its ``comparison``.
    evidence : Evidence
    why : str or None
        When a design named by ``comparison:`` cannot be applied, why (the
        verdict is then insufficient data).
    segments : list or None
        The design's own ``(segment, measurement)`` pairs (``None``: the metric's).
    """

    measurement: object
    evidence: Evidence
    why: str | None = None
    segments: list | None = None


def choose(ctx, h, measured) -> Choice:
    """The :class:`Choice` of the strongest design the data allow (or the one named)."""
    candidates = _candidates(h, ctx)
    for design in candidates:
        found = design.apply(ctx, h, measured)
        if found is not None:
            return Choice(found[0], found[1], None, found[2] if len(found) > 2 else None)
    named = candidates[0]
    if named is holdout.HOLDOUT:
        why = (
            "The holdout comparison named by `comparison:` cannot be made: "
            + (
                holdout.unavailable(ctx, h)
                or holdout.empty_group(ctx, h)
                or "the holdout counts are missing"
            )
            + "."
        )
    else:
        why = (
            f"The {named.name.replace('_', ' ')} design named by `comparison:` needs at least "
            f"{time_series.MIN_PRE} whole periods of data before the release, with data in "
            "every period of the window."
        )
    return Choice(measured, Evidence(named.name, named.grade), why)
