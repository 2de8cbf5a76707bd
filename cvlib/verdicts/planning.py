"""Planning a sample that would settle a hypothesis, honestly.

The plan assumes the value the team declared it expects after the release
(``expected:``), never the value observed so far: planning from the observed
effect ("observed power") only restates the p-value (Hoenig & Heisey 2001).
For each claim of the hypothesis (:mod:`cvlib.verdicts.claims`) the metric's
:attr:`~cvlib.metrics.base.MetricSpec.plan` gives the after-release sample
for 80% power of its one-sided test at α, with the before sample fixed at the
size it has (it can no longer grow); the plan is the largest of them, so
each claim has at least 80% power.

A number is given only where the sample can still grow: a task study still
running, or a window not complete yet. A complete window gives the size a
repeat study would need. When no after-release sample reaches 80% power (the
before sample is too small for the expected change) the hypothesis is flagged
``not_settleable``.

References
----------
Hoenig, J. M., & Heisey, D. M. (2001). The abuse of power: the pervasive
fallacy of power calculations for data analysis. The American Statistician,
55(1), 19-24.
"""

from __future__ import annotations

import math

from cvlib.verdicts import claims
from cvlib.verdicts.results import Planning

__all__ = ["POWER", "plan"]

#: The power every plan aims at.
POWER = 0.8

DECLARE = (
    "Declare `expected:` (the value expected after the release) to plan a sample that would "
    "settle it."
)


def _what(claim, h) -> str:
    if claim.name == "target":
        return "the target is not met"
    if h.kind == "non_inferiority":
        return "it is worse than before the release by more than the margin"
    return "it is no better than before the release"


def _expected_past(h, measured, claim) -> bool | None:
    """Whether the expected value lies past the claim's null: the target, or (a change claim)
    the null change from the before value; ``None`` without a before value to compare with."""
    value = h.expected
    if claim.name != "target":
        before = measured.before
        if before is None or before.estimate is None:
            return None
        if h.spec.unit.change == "ratio":
            value = h.expected / before.estimate if before.estimate > 0 else math.nan
        else:
            value = h.expected - before.estimate
    if not math.isfinite(value):
        return None
    return value > claim.null if claim.alternative == "greater" else value < claim.null


def plan(h, measured, tests, incomplete: str | None, confidence_level: float) -> Planning:
    """The :class:`~cvlib.verdicts.results.Planning` of a hypothesis not yet decided."""
    spec = h.spec
    if h.expected is None:
        return Planning(None, DECLARE)
    if tests is None:
        tests = claims.claims_of(h, measured, confidence_level)
    shown = spec.unit.format(h.expected)
    nothing = Planning(None, "The data give nothing to plan with yet (no spread, or no data).")
    plans = []
    for claim in (tests.target, tests.change):
        if claim is None:
            continue
        past = _expected_past(h, measured, claim)
        if past is None:
            return nothing
        if not past:
            return Planning(
                None,
                f"At the expected value ({shown}) {_what(claim, h)}: no amount of data "
                "would validate the hypothesis.",
                max_power=0.0,
            )
        try:
            found = spec.plan(h, measured, claim, confidence_level)
        except ValueError:
            found = None
        if found is None:
            return nothing
        plans.append(found)
    max_power = min(p.max_power for p in plans)
    if any(not math.isfinite(p.n_after) for p in plans):
        before = measured.before
        return Planning(
            None,
            f"With {before.n} {spec.counts} before the release, no amount of data after it can "
            f"show the {'non-inferiority' if h.kind == 'non_inferiority' else 'improvement'} "
            f"at the expected value ({shown}): its power is at most {max_power:.0%}.",
            max_power=max_power,
        )
    total = int(math.ceil(max(p.n_after for p in plans)))
    after = measured.after
    now = int(after.n) if after is not None else int(measured.n)
    closed = (spec.windowed and incomplete is None) or (
        h.planned_n is not None and measured.pending is None
    )
    if closed:
        study = "window" if spec.windowed else "planned study"
        return Planning(
            None,
            f"The {study} is complete: a repeat study would need about {total:,} {spec.counts} "
            f"after the release for {POWER:.0%} power at the expected value ({shown}).",
            max_power=max_power,
        )
    needed = max(total - now, 0)
    if h.planned_n is not None:  # still collecting: decided at planned_n, whatever the plan
        enough = "gives" if h.planned_n >= total else "does not give"
        return Planning(
            needed,
            f"The planned {h.planned_n} {enough} {POWER:.0%} power at the expected value "
            f"({shown}): about {total:,} {spec.counts} after the release would.",
            max_power=max_power,
        )
    if needed == 0:
        return Planning(
            0,
            f"The sample already has {POWER:.0%} power at the expected value ({shown}): the true "
            "value is probably further from it than expected.",
            max_power=max_power,
        )
    fixed = ", with the before sample fixed at its size" if tests.change is not None else ""
    return Planning(
        needed,
        f"For {POWER:.0%} power at the expected value ({shown}){fixed}.",
        max_power=max_power,
    )
