"""Holdout: the metric of a feature's treatment units against its randomly held-out units.

When a feature was kept from a random share of its units (``exposures``:
``group`` ``treatment`` or ``holdout``; ``features.csv`` ``holdout_share``),
both groups live through the same window after the release, so anything else
that changed over time touches both alike: the difference treatment -
holdout estimates what the feature did (Kohavi, Tang & Xu 2020, ch. 2-3).

- **Counts.** One query joins the metric's table with the feature's units
  assigned before the window ends (units assigned later are left out), on the
  engine where both live: NPS of the responses of treatment users against
  holdout users in the window (each user's latest response), churn of the
  treatment accounts at risk at the release against the holdout's. The
  difference, its interval and its test are the metric's two-sample methods
  (the Miettinen-Nurminen score interval for churn; the adjusted-Wald
  difference of two NPS). The target claim is judged on the treatment group.
- **Sample-ratio check.** Pearson's chi-square goodness-of-fit test of the
  assigned units per group against ``holdout_share``
  (:func:`cvlib.stats.ratio.sample_ratio_test`). p < :data:`SRM_LEVEL` gives
  flag ``sample_ratio_mismatch`` and an ``inconclusive`` verdict: the split
  is not what was planned, so the groups may differ in more than the feature.
- **Response rates (NPS).** Respondents select themselves: when the share of
  assigned users who answered differs between the groups (a two-proportion
  score test at the workspace level), flag ``response_rate_differs``.

References
----------
Kohavi, R., Tang, D., & Xu, Y. (2020). Trustworthy Online Controlled
Experiments: A Practical Guide to A/B Testing. Cambridge University Press
(ch. 21 on sample-ratio mismatch).

Fabijan, A., et al. (2019). Diagnosing sample ratio mismatch in online
controlled experiments. Proceedings of KDD 2019, 2156-2164.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from cvlib.contract.tables import GROUPS, UNIT_OF_TABLE
from cvlib.engine import sql
from cvlib.metrics.base import HOLDOUT_GROUP, quiet
from cvlib.verdicts.designs.base import DesignSpec, Effect, Evidence, register
from cvlib.verdicts.designs.simple import measured_effect

__all__ = ["HOLDOUT", "SRM_LEVEL", "Split", "empty_group", "start", "unavailable"]

#: A sample-ratio test p-value below this is a mismatch (Kohavi et al. 2020 use 0.0005; many
#: platforms 0.001).
SRM_LEVEL = 0.001


@dataclass(frozen=True, slots=True)
class Split:
    """A holdout's counts: the metric's counts per group and the units assigned to each."""

    treatment: object
    holdout: object
    assigned_treatment: int
    assigned_holdout: int


def _period(h, ctx):
    from cvlib.metrics.base import Period

    return Period(h.id, "holdout", ctx.window(h.window_days), h.feature_id)


def holdout_share(ctx, feature_id: str) -> float | None:
    """The feature's planned holdout share (``None`` when not given)."""
    features = ctx.workspace.features
    if "holdout_share" not in features.columns:
        return None
    found = features.loc[features["feature_id"] == feature_id, "holdout_share"]
    if found.empty:
        return None
    value = float(found.iloc[0])
    return value if math.isfinite(value) else None


def unavailable(ctx, h) -> str | None:
    """Why the holdout cannot judge ``h`` (``None`` when it can)."""
    spec = h.spec
    ws = ctx.workspace
    if spec.split is None:
        return f"the {spec.label} is not compared between a holdout's groups"
    unit = UNIT_OF_TABLE[spec.table]
    groups = (ws.exposed or {}).get(h.feature_id, {}).get(unit, set())
    if not set(GROUPS) <= groups:
        return (
            f"feature {h.feature_id} has no {unit} exposures in both groups (treatment and holdout)"
        )
    table, exposures = ws.sources.get(spec.table), ws.sources.get("exposures")
    if table is None or exposures is None:
        return f"the workspace has no {spec.table} table"
    if table.engine_key != exposures.engine_key:
        return (
            f"{table.display} and {exposures.display} are on different engines, and one query "
            "joins them"
        )
    if holdout_share(ctx, h.feature_id) is None:
        return f"feature {h.feature_id} has no holdout_share in features.csv"
    return None


def empty_group(ctx, h) -> str | None:
    """Why the holdout's counts cannot compare the groups: a group with nobody counted in the
    window (``None`` when both have someone, or before the counts are in)."""
    split = ctx.aggregates.get(_period(h, ctx))
    if split is None:
        return None
    spec = h.spec
    for group, counts, assigned in (
        ("treatment", split.treatment, split.assigned_treatment),
        ("holdout", split.holdout, split.assigned_holdout),
    ):
        if counts.n == 0:
            return (
                f"the {group} group has no {spec.counts} in the window (of its {assigned:,} "
                f"assigned units of feature {h.feature_id}, none is counted in "
                f"{spec.table})"
            )
    return None


def _units_sql(x, feature_id: str, unit: str, stop) -> str:
    """The feature's units of ``unit`` assigned before ``stop``: ``uid``, ``grp`` (a unit is in
    one group of a feature, a rule of the contract)."""
    assigned = sql.quote_ident("assigned_at")
    return (
        "SELECT uid, min(grp) AS grp FROM ("
        f"SELECT {x.text('unit_id')} AS uid, {x.text('group')} AS grp FROM {x.name} "
        f"WHERE {x.text('feature_id')} = {sql.sql_string(feature_id)} "
        f"AND {x.text('unit')} = {sql.sql_string(unit)} "
        f"AND {assigned} < {x.at('assigned_at', stop)}) AS e GROUP BY uid"
    )


def start(ctx, h):
    """Start the holdout queries of ``h``; return a function that waits for them:
    ``{Period: Split}``."""
    from cvlib.engine.scan import scan_pair

    spec = h.spec
    ws = ctx.workspace
    period = _period(h, ctx)
    unit = UNIT_OF_TABLE[spec.table]
    with scan_pair(ws.sources[spec.table], ws.sources["exposures"], ws.settings.timezone) as (
        scan,
        x,
    ):
        units = _units_sql(x, h.feature_id, unit, period.window.stop)
        has_segment = scan.has("segment")
        rows = scan.start(spec.split(scan, units, period.window))
        assigned = scan.start(f"SELECT grp, count(*) AS units FROM ({units}) AS g GROUP BY grp")

    def finish() -> dict:
        found, per_group = rows(), {r["grp"]: int(r["units"] or 0) for r in assigned()}
        counts = {
            g: spec.split_counts([r for r in found if r["grp"] == g], has_segment) for g in GROUPS
        }
        split = Split(
            counts["treatment"],
            counts["holdout"],
            per_group.get("treatment", 0),
            per_group.get("holdout", 0),
        )
        return {period: split}

    return finish


def _response_rates(ctx, split: Split, diagnostics: dict, flags: list) -> None:
    """The share of assigned users who answered, per group, and their two-proportion test."""
    from cvlib.stats import proportions

    t, h = split.assigned_treatment, split.assigned_holdout
    answered_t, answered_h = split.treatment.n, split.holdout.n
    if not (t and h) or answered_t > t or answered_h > h:
        return  # respondents not all among the assigned units: no rate to compare
    diagnostics["response_rates"] = {"treatment": answered_t / t, "holdout": answered_h / h}
    test = quiet(
        proportions.score_compare,
        answered_h,
        h,
        answered_t,
        t,
        confidence_level=ctx.confidence_level,
    )
    diagnostics["response_rate_p_value"] = test.p_value
    if math.isfinite(test.p_value) and test.p_value < 1 - ctx.confidence_level:
        flags.append("response_rate_differs")


def mismatch_reason(split: Split, share: float, p_value: float) -> str:
    """The reason of an inconclusive verdict under a sample-ratio mismatch.

    Examples
    --------
    >>> print(mismatch_reason(Split(None, None, 700, 300), 0.2, 2.7e-15))
    The holdout's split is not what was planned: 300 of 1,000 assigned units (30.0%) are in the holdout against a planned 20.0% (sample-ratio test p = 2.7e-15 < 0.001), so the groups may differ in more than the feature.
    """  # noqa: E501
    total = split.assigned_treatment + split.assigned_holdout
    observed = split.assigned_holdout / total
    return (
        f"The holdout's split is not what was planned: {split.assigned_holdout:,} of {total:,} "
        f"assigned units ({observed:.1%}) are in the holdout against a planned {share:.1%} "
        f"(sample-ratio test p = {p_value:.2g} < {SRM_LEVEL:g}), so the groups may differ in "
        "more than the feature."
    )


def _apply(ctx, h, measured):
    from cvlib.stats.ratio import sample_ratio_test

    spec = h.spec
    split = ctx.aggregates.get(_period(h, ctx))
    if split is None or unavailable(ctx, h) is not None or empty_group(ctx, h) is not None:
        return None
    share = holdout_share(ctx, h.feature_id)
    total = split.assigned_treatment + split.assigned_holdout
    diagnostics = {
        "holdout_share_planned": share,
        "holdout_share_observed": split.assigned_holdout / total if total else None,
        "assigned_units": {
            "treatment": split.assigned_treatment,
            "holdout": split.assigned_holdout,
        },
        "srm_p_value": None,
    }
    flags, overrule = [], None
    if total:
        srm = quiet(
            sample_ratio_test,
            [split.assigned_treatment, split.assigned_holdout],
            expected_shares=[1.0 - share, share],
        )
        diagnostics["srm_p_value"] = srm.p_value
        if math.isfinite(srm.p_value) and srm.p_value < SRM_LEVEL:
            flags.append("sample_ratio_mismatch")
            overrule = mismatch_reason(split, share, srm.p_value)
    if spec.table == "surveys":
        _response_rates(ctx, split, diagnostics, flags)
    before_after = measured_effect(measured)
    if before_after is not None:
        diagnostics["before_after"] = before_after.to_dict()
    changed = spec.compare_counts(ctx, split.treatment, split.holdout)
    held = spec.compare_counts(ctx, split.holdout, type(split.holdout)())
    diagnostics["groups"] = {
        name: {"estimate": None if m.after is None else m.after.estimate, "n": m.n}
        for name, m in (("treatment", changed), ("holdout", held))
    }
    changed = dataclasses.replace(changed, baseline=HOLDOUT_GROUP)
    if held.dropped:  # the unit of analysis left out earlier observations in both groups
        changed = dataclasses.replace(
            changed,
            dropped=(changed.dropped or 0) + held.dropped,
            dropped_what=changed.dropped_what or held.dropped_what,
        )
    if not h.spec.has_before or h.kind == "level":
        changed = dataclasses.replace(changed, comparison=None, change_test=None, before=None)
    c = changed.comparison
    effect = None if c is None else Effect(c.estimate, c.ci_low, c.ci_high, c.p_value, c.method)
    # a level claim compares nothing: its target is judged on the treatment group
    grade = "randomized" if effect is not None else "target_only"
    evidence = Evidence(
        "holdout", grade, effect, diagnostics, tuple(flags), None, overrule=overrule
    )
    segments = [
        (s, spec.compare_counts(ctx, counts, split.holdout.segments.get(s, type(counts)())))
        for s, counts in sorted(split.treatment.segments.items())
    ]
    return changed, evidence, segments


def _no_periods(h, ctx) -> tuple:
    return ()


HOLDOUT = register(DesignSpec("holdout", "randomized", _no_periods, _apply))
