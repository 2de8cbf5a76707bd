"""Before/after: the window after the release against the window of the same length before it.

It is an association: the comparison cannot separate the feature from
anything else that changed between the two windows (a trend, a season,
another release). Two checks say when that is likely:

- **placebo window**: the same comparison one window earlier,
  ``[release - 2w, release - w)`` against ``[release - w, release)``. When that
  placebo change is significant (its interval excludes no change) in the same
  direction as the real one, flag ``placebo_change``: the metric was already
  moving. ``real - placebo`` is reported beside it, with an interval whose
  variance adds the two (an approximation: the two changes share the window
  before the release);
- **overlapping releases**: flag ``overlapping_release``, naming them, when
  another release's date falls inside the before or the after window.
"""

from __future__ import annotations

import math

from cvlib.verdicts.designs.base import DesignSpec, Evidence, register
from cvlib.verdicts.designs.simple import measured_effect

__all__ = ["BEFORE_AFTER", "CAVEAT", "overlapping", "placebo_period"]

CAVEAT = (
    "Before/after compares the window after the release with the one before it: it cannot "
    "separate the feature from anything else that changed over time."
)


def placebo_period(h, ctx):
    """The window before the before window."""
    from cvlib.metrics.base import Period

    after = ctx.window(h.window_days)
    return Period(h.id, "placebo", after.preceding().preceding())


def _periods(h, ctx) -> tuple:
    spec = h.spec
    if not spec.windowed or spec.compare_counts is None:
        return ()
    return (placebo_period(h, ctx),)


def overlapping(ctx, h) -> list[str]:
    """Other releases whose date falls inside the hypothesis's before or after window."""
    after = ctx.window(h.window_days)
    low, high = after.preceding().start.date(), after.stop.date()
    releases = ctx.workspace.releases
    return [
        str(rid)
        for rid, day in zip(releases["release_id"], releases["released_on"], strict=True)
        if rid != ctx.release_id and low <= day < high
    ]


def _apply(ctx, h, measured):
    spec = h.spec
    flags, diagnostics = [], {}
    others = overlapping(ctx, h)
    if others:
        flags.append("overlapping_release")
        diagnostics["overlapping_releases"] = others
    real = measured.comparison
    if spec.compare_counts is not None and real is not None:
        from cvlib.metrics.base import same_window_before

        before_period = same_window_before(h, ctx)[1]
        earlier = ctx.aggregates.get(placebo_period(h, ctx))
        later = ctx.aggregates.get(before_period)
        if earlier is not None and later is not None:
            placebo = spec.compare_counts(ctx, later, earlier).comparison
            if placebo is not None and all(
                v is not None and math.isfinite(v) for v in (placebo.ci_low, placebo.ci_high)
            ):
                no_change = spec.unit.no_change
                same_way = (placebo.estimate - no_change) * (real.estimate - no_change) > 0
                shown = placebo.ci_low > no_change or placebo.ci_high < no_change
                if shown and same_way:
                    flags.append("placebo_change")
                from scipy.special import ndtri

                # the standard errors recovered from the two intervals' half-widths
                z = float(ndtri(0.5 + ctx.confidence_level / 2))
                se = math.hypot(real.ci_high - real.ci_low, placebo.ci_high - placebo.ci_low)
                se /= 2 * z
                gap = real.estimate - placebo.estimate
                diagnostics["placebo_change"] = {
                    "estimate": placebo.estimate,
                    "ci_low": placebo.ci_low,
                    "ci_high": placebo.ci_high,
                    "p_value": placebo.p_value,
                }
                diagnostics["real_minus_placebo"] = {
                    "estimate": gap,
                    "ci_low": gap - z * se,
                    "ci_high": gap + z * se,
                }
    evidence = Evidence(
        "before_after",
        "before_after",
        measured_effect(measured),
        diagnostics,
        tuple(flags),
        CAVEAT,
    )
    return measured, evidence


BEFORE_AFTER = register(DesignSpec("before_after", "before_after", _periods, _apply))
