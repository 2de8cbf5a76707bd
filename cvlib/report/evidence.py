"""The words of a verdict's evidence: changes in plain words, and what each design's checks say.

The report's fragments (:mod:`cvlib.report.present`) read these; they take
typed results (:class:`~cvlib.verdicts.results.HypothesisResult` and its
:class:`~cvlib.verdicts.designs.Evidence`) and return text, which the
templates escape.
"""

from __future__ import annotations

import math

from cvlib import metrics
from cvlib.metrics.units import percent
from cvlib.report.labels import format_value, grade_text
from cvlib.verdicts.results import Change

__all__ = [
    "against",
    "evidence_head",
    "evidence_lines",
    "finite",
    "forecast_label",
    "format_change",
    "p_text",
]


def format_change(metric: str, change, confidence_level: float) -> str:
    """The change against before in plain words, or an empty string without one.

    Examples
    --------
    >>> from cvlib.verdicts.results import Change
    >>> format_change("task_time", Change(0.25, 0.2, 0.3, 0.01, "improved", "t"), 0.95)
    'takes 0.25 times as long as before (75% less time; 95% CI 0.2 – 0.3 times): improved'
    >>> format_change("completion_rate", Change(0.052, 0.01, 0.09, 0.01, "improved", "n-1"), 0.95)
    '+5.2 percentage points against before (95% CI +1.0 to +9.0): improved'
    """
    if change is None or change.estimate is None:
        return ""
    unit = metrics.get(metric).unit
    return unit.describe_change(
        change.estimate,
        change.ci_low,
        change.ci_high,
        change.direction or "unclear",
        f"{confidence_level:.0%}",
    )


def finite(value) -> bool:
    return value is not None and math.isfinite(value)


def p_text(p) -> str:
    return "n/a" if p is None else f"{p:.2g}"


def evidence_head(result) -> dict | None:
    """The grade and design in words, and the design's caveat."""
    e = result.evidence
    if e is None:
        return None
    return {
        "grade": grade_text(e.grade),
        "design": e.design,
        "caveat": e.caveat,
    }


def forecast_label(result) -> str | None:
    """The ``Change`` line's label when the change is observed - forecast (a time series) or
    treatment - holdout."""
    e = result.evidence
    d = {} if e is None else e.diagnostics
    if e is not None and e.design == "holdout":
        return "Change against the holdout (treatment − holdout)"
    if "forecast" not in d:
        return None
    pre = d.get("pre_periods")
    since = f" from the {pre} periods before the release" if pre else ""
    return f"Change against the forecast{since} (observed − forecast)"


def against(text: str) -> str:
    """A change in words whose comparison is said elsewhere (the forecast, the placebo)."""
    return text.replace(" against before", "", 1)


def _as_change(spec, d) -> Change:
    """A diagnostics entry (``estimate``, ``ci_low``, ``ci_high``...) as a :class:`Change`."""
    from cvlib.verdicts.rules import direction

    way = direction(d.get("ci_low"), d.get("ci_high"), spec.unit.no_change, spec.lower_is_better)
    return Change(d.get("estimate"), d.get("ci_low"), d.get("ci_high"), d.get("p_value"), way, "")


def _holdout_lines(h, d) -> list[str]:
    """A holdout's groups, its split against the plan, and the survey's response rates.

    Examples
    --------
    >>> from cvlib import Hypothesis
    >>> h = Hypothesis("H1", "F1", "s", "churn", 0.03, window_days=45)
    >>> for line in _holdout_lines(h, {"groups": {"treatment": {"estimate": 0.012, "n": 1109},
    ...     "holdout": {"estimate": 0.045, "n": 506}}, "assigned_units": {"treatment": 1200,
    ...     "holdout": 520}, "holdout_share_planned": 0.3, "holdout_share_observed": 0.3023,
    ...     "srm_p_value": 0.82}):
    ...     print(line)
    Treatment group: 1.2% (n = 1,109); holdout group: 4.5% (n = 506).
    Split: 520 of 1,720 assigned units held out (30.2%; planned 30.0%); sample-ratio test p = 0.82.
    """
    lines = []
    groups = d.get("groups")
    if groups:
        t, o = groups.get("treatment") or {}, groups.get("holdout") or {}
        if finite(t.get("estimate")) and finite(o.get("estimate")):
            lines.append(
                f"Treatment group: {format_value(h.metric, t['estimate'])} (n = {t['n']:,}); "
                f"holdout group: {format_value(h.metric, o['estimate'])} (n = {o['n']:,})."
            )
    units = d.get("assigned_units")
    if units and finite(d.get("holdout_share_observed")):
        total = units["treatment"] + units["holdout"]
        srm = d.get("srm_p_value")
        test = f"; sample-ratio test p = {p_text(srm)}" if finite(srm) else ""
        lines.append(
            f"Split: {units['holdout']:,} of {total:,} assigned units held out "
            f"({percent(d['holdout_share_observed'])}; planned "
            f"{percent(d['holdout_share_planned'])}){test}."
        )
    rates = d.get("response_rates")
    if rates:
        p = d.get("response_rate_p_value")
        lines.append(
            f"Response rates: {percent(rates['treatment'])} of treatment users answered, "
            f"{percent(rates['holdout'])} of holdout users"
            + (f" (p = {p_text(p)})." if finite(p) else ".")
        )
    return lines


def evidence_lines(result, confidence_level: float = 0.95) -> list[str]:
    """What the design's diagnostics say, a sentence each (text, escaped by the template).

    From the diagnostics present: the plain before/after change beside a
    time series' forecast-based one, its placebo dates' p-value, a
    before/after's placebo window and the change minus it, and the other
    releases inside the compared windows, named.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from cvlib import Hypothesis
    >>> from cvlib.verdicts.designs import Evidence
    >>> h = Hypothesis("H1", "F1", "s", "nps", 10, window_days=28)
    >>> e = Evidence("interrupted_time_series", "time_series", diagnostics={
    ...     "placebo_count": 24, "placebo_p_value": 0.04,
    ...     "before_after": {"estimate": 6.0, "ci_low": 2.0, "ci_high": 10.0},
    ...     "overlapping_releases": ["2026.02"]})
    >>> for line in evidence_lines(NS(hypothesis=h, evidence=e)):
    ...     print(line)
    Before/after alone would say: +6.0 NPS points against before (95% CI +2.0 to +10.0): improved.
    Placebo dates: the same estimate at 24 earlier dates without this release; p = 0.04 (the share of them with an effect at least as large, counting this one).
    Another release inside the compared windows: 2026.02.
    """  # noqa: E501
    e = result.evidence
    if e is None:
        return []
    h, d = result.hypothesis, e.diagnostics
    spec = h.spec
    lines = []
    if d.get("before_after"):
        alone = format_change(h.metric, _as_change(spec, d["before_after"]), confidence_level)
        if alone:
            lines.append(f"Before/after alone would say: {alone}.")
    lines.extend(_holdout_lines(h, d))
    count, p = d.get("placebo_count"), d.get("placebo_p_value")
    if count and finite(p):
        lines.append(
            f"Placebo dates: the same estimate at {count} earlier dates without this release; "
            f"p = {p_text(p)} (the share of them with an effect at least as large, counting "
            "this one)."
        )
    elif count is not None:
        from cvlib.stats.timeseries import MIN_PLACEBOS

        if count < MIN_PLACEBOS:
            lines.append(
                f"Placebo dates: {count} earlier dates, too few for a placebo p-value "
                f"(it needs {MIN_PLACEBOS})."
            )
    if d.get("placebo_change"):
        placebo = format_change(h.metric, _as_change(spec, d["placebo_change"]), confidence_level)
        if placebo:
            lines.append(
                "Placebo window (the before window against the window before it, where the "
                f"release cannot have acted): {placebo}."
            )
    if d.get("real_minus_placebo"):
        gap = format_change(h.metric, _as_change(spec, d["real_minus_placebo"]), confidence_level)
        if gap:
            lines.append(f"The change minus the placebo change: {against(gap)}.")
    others = list(d.get("overlapping_releases") or ())
    if others:
        word = "Another release" if len(others) == 1 else "Other releases"
        lines.append(f"{word} inside the compared windows: {', '.join(map(str, others))}.")
    return lines
