"""Hypotheses -> verdicts -> :class:`ReleaseEvaluation` (the ``summary.json`` structure).

This is the one place verdicts are computed: the notebooks, the command line
and every engine call :func:`evaluate_release`. Each hypothesis is measured
by its metric (:mod:`cvlib.metrics`); the rules of :mod:`cvlib.verdicts.rules`
turn the measurement into a verdict.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

from cvlib.metrics.base import Context
from cvlib.verdicts import claims, definitions, designs, economic, planning, rules
from cvlib.verdicts.inputs import release_inputs_sha256
from cvlib.verdicts.plan import start_queries
from cvlib.verdicts.results import (
    FeatureRef,
    HypothesisResult,
    Multiplicity,
    Planning,
    ReleaseEvaluation,
    SegmentResult,
)
from cvlib.verdicts.scorecard import scorecard

__all__ = ["evaluate_release"]


def evaluate_release(workspace, release_id: str, *, previous=None) -> ReleaseEvaluation:
    """Give every value hypothesis of a release its verdict, and score the release.

    Parameters
    ----------
    workspace : cvlib.Workspace
        From :func:`cvlib.load_workspace`.
    release_id : str
        A ``release_id`` of ``releases.csv``.
    previous : str, pathlib.Path, dict or None, optional
        The release's previous ``summary.json`` (a path, or its content): each
        hypothesis's definition is compared with the one registered there
        (:mod:`cvlib.verdicts.definitions`). A missing file is no previous report.

    Returns
    -------
    ReleaseEvaluation
        ``.to_dict()`` is the ``summary.json`` structure.

    Notes
    -----
    Each hypothesis is measured by its metric, with the workspace
    ``confidence_level`` (the methods are in each metric's module of
    :mod:`cvlib.metrics`), and judged by the rules of
    :mod:`cvlib.verdicts.rules` (``docs/verdicts.md``).

    Each hypothesis's claims are one-sided tests at α = (1 -
    ``confidence_level``) / 2 (:mod:`cvlib.verdicts.claims`); its p-value is
    the largest of its claims' (Berger 1982). These p-values are adjusted
    across every hypothesis declared for the release, by the workspace's
    ``multiplicity`` (Holm 1979 by default; Benjamini & Hochberg 1995; or
    none). A hypothesis that cannot be tested yet counts as p = 1, so the
    family never changes and a published decision is never withdrawn when a
    sibling's data arrive. Validated needs the adjusted p-value at most α;
    not validated uses the unadjusted tests. Segments are judged by the same
    rules, unadjusted, and are exploratory.

    Economic value (every hypothesis whose metric measures time saved, with
    ``tasks_per_month``, whatever its verdict): see :mod:`cvlib.verdicts.economic`.

    The scorecard counts ``features_shipped``, ``effort_points``,
    ``features_with_hypothesis``, ``features_validated`` (features with at
    least one hypothesis, all of them validated), ``hypotheses``, the count
    per verdict, ``value_delivery_rate`` = features_validated /
    features_shipped and ``by_value_type``.

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    Journal of the Royal Statistical Society B, 57(1), 289-300.

    Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance
    sampling. Technometrics, 24(4), 295-300.

    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics, 6(2), 65-70.

    Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.).
    Morgan Kaufmann.

    Examples
    --------
    >>> import cvlib, tempfile
    >>> from cvlib.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ws = cvlib.load_workspace(write_sample(tmp + "/ws"))
    ...     ev = cvlib.evaluate_release(ws, ws.releases["release_id"].iloc[0])
    >>> sorted(ev.to_dict())[:3]
    ['confidence_level', 'cvlib_version', 'data_through']
    """
    from cvlib import __version__

    release = workspace.release(release_id)
    settings = workspace.settings
    ctx = Context(
        workspace=workspace,
        release_id=release_id,
        released_at=release["released_at"].to_pydatetime(),
        released_on=release["released_on"],
        confidence_level=settings.confidence_level,
    )
    hypotheses = workspace.hypotheses_for(release_id)

    # the engine queries run while the hypotheses measured without the engine are evaluated
    finish = start_queries(ctx, hypotheses)
    try:
        early = {h.id: _evaluate(ctx, h) for h in hypotheses if h.spec.aggregate is None}
    except BaseException:
        with contextlib.suppress(Exception):  # no query left running; this error is the one raised
            finish()
        raise
    finish()
    results = _adjusted(
        [early.get(h.id) or _evaluate(ctx, h) for h in hypotheses],
        settings.multiplicity,
        claims.alpha(settings.confidence_level),
    )
    results = definitions.with_registered(results, previous)

    features = workspace.features[workspace.features["release_id"] == release_id]
    with_h = {r.hypothesis.feature_id for r in results}
    without = tuple(
        FeatureRef(f, n, v)
        for f, n, v in zip(
            features["feature_id"], features["name"], features["value_type"], strict=True
        )
        if f not in with_h
    )
    return ReleaseEvaluation(
        release_id=release_id,
        release_name=release["name"],
        released_on=release["released_on"],
        data_through=settings.data_through,
        confidence_level=settings.confidence_level,
        hypotheses=tuple(results),
        scorecard=scorecard(features, results),
        economic_value=economic.release_value(
            economic.valued_once(results), settings.confidence_level
        ),
        currency=settings.currency,
        features_without_hypothesis=without,
        sources={name: workspace.sources[name].display for name in sorted(workspace.sources)},
        inputs_sha256=release_inputs_sha256(workspace, hypotheses),
        cvlib_version=__version__,
        generated_at=dt.datetime.now(dt.UTC)
        .replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
    )


def _adjusted(results: list[HypothesisResult], method: str, level: float):
    """The results with their p-values adjusted across every hypothesis of the release
    (an untested one counts as p = 1, so the family is fixed) and the validated ones whose
    adjusted p-value exceeds ``level`` made inconclusive."""
    from cvlib.stats import multiplicity

    family = [1.0 if r.p_value is None else r.p_value for r in results]
    if method == "none" or not family:
        adjusted = family
    else:
        adjusted = [float(p) for p in multiplicity.adjust(family, method=method)]
    about = Multiplicity(method, len(results))
    out = []
    for r, p in zip(results, adjusted, strict=True):
        changes = {"multiplicity": about, "p_value_adjusted": None if r.p_value is None else p}
        # the interval decided it; the adjustment can only take a validation away (the
        # tolerance keeps a bound exactly at the boundary, whose p is α, validated)
        if r.verdict == "validated" and p > level * (1 + 1e-9) and method != "none":
            changes["verdict"] = "inconclusive"
            changes["reason"] = rules.not_after_adjustment(
                r.hypothesis, about.label, len(family), p
            )
        out.append(dataclasses.replace(r, **changes))
    return out


#: The planning reason of a holdout not yet decided: its sample grows in both groups.
HOLDOUT_PLANNING = (
    "A holdout grows in both groups at its planned share: run it longer, or hold out more "
    "units, to narrow the difference (the after-release plan with a fixed before sample does "
    "not apply)."
)


def _incomplete(ctx: Context, h) -> str | None:
    """Why the measurement window is not complete yet, or ``None``."""
    spec = h.spec
    if not spec.windowed:
        return None
    days = spec.measured_days(h)
    last_day = ctx.released_on + dt.timedelta(days=days - 1)
    through = ctx.workspace.settings.data_through
    if through is not None and last_day <= through:
        return None
    shown = "no data yet" if through is None else through.isoformat()
    return (
        f"The {days}-day measurement window ends on {last_day.isoformat()}, "
        f"after the last complete day of data ({shown})."
    )


def _judged(ctx: Context, h, measured, incomplete):
    """``(verdict, reason, tests)`` of a measurement by the unadjusted rules."""
    verdict, reason = rules.insufficient(h.spec, measured, incomplete)
    if verdict is not None:
        return verdict, reason, None
    tests = claims.claims_of(h, measured, ctx.confidence_level)
    verdict, reason = rules.verdict(h, measured, tests, ctx.confidence_level)
    return verdict, reason, tests


def _evaluate(ctx: Context, h) -> HypothesisResult:
    spec = h.spec
    flags = []
    if h.created_on is not None and h.created_on > ctx.released_on:
        flags.append("written_after_release")
    incomplete = _incomplete(ctx, h)
    measured = spec.measure(ctx, h)
    flags.extend(spec.flags(h, measured))
    own = measured  # the metric's own before/after, for the segments
    chosen = designs.choose(ctx, h, measured)
    measured, evidence = chosen.measurement, chosen.evidence
    flags.extend(evidence.flags)
    after = measured.after
    change = rules.change_of(spec, measured)
    verdict, reason, tests = _judged(ctx, h, measured, incomplete or chosen.why)
    overrule = evidence.overrule
    if overrule is not None and verdict != "insufficient_data":
        verdict, reason = "inconclusive", overrule  # more data cannot mend the design
    plan = None
    if overrule is not None and verdict == "inconclusive":
        plan = Planning(None, "More data cannot settle it: " + overrule[0].lower() + overrule[1:])
    elif verdict in ("inconclusive", "insufficient_data") and evidence.design == "holdout":
        plan = Planning(None, HOLDOUT_PLANNING)
    elif verdict in ("inconclusive", "insufficient_data"):
        plan = planning.plan(h, measured, tests, incomplete, ctx.confidence_level)
        if not plan.settleable:
            flags.append("not_settleable")
    return HypothesisResult(
        hypothesis=h,
        release_id=ctx.release_id,
        verdict=verdict,
        reason=reason,
        flags=tuple(flags),
        after=after,
        before=own.before,  # the window before the release, whatever the design compared
        change=change,
        needed_n=None if plan is None else plan.needed_n,
        economic_value=economic.hypothesis_value(
            ctx, h, ctx.workspace.settings.hourly_cost, change
        ),
        # a planned study still collecting decides no segment either
        segments=_segments(ctx, h, incomplete or own.pending, chosen.segments, overrule),
        n=int(after.n) if after is not None else int(measured.n),
        tests=tests,
        p_value=None if tests is None else tests.p_value,
        planning=plan,
        dropped=measured.dropped,
        dropped_what=measured.dropped_what,
        sensitivity=measured.sensitivity,
        evidence=evidence,
    )


def _segments(
    ctx: Context, h, incomplete, measured=None, overrule=None
) -> tuple[SegmentResult, ...]:
    """Every segment's verdict by the hypothesis's rules, unadjusted (exploratory): the
    design's own segment measurements (``measured``), else the metric's; a design's
    ``overrule`` holds for every segment too."""
    spec = h.spec
    out = []
    for segment, m in spec.segments(ctx, h) if measured is None else measured:
        verdict, reason, tests = _judged(ctx, h, m, incomplete)
        if overrule is not None and verdict != "insufficient_data":
            verdict, reason = "inconclusive", overrule
        a = m.after
        out.append(
            SegmentResult(
                segment=str(segment),
                estimate=None if a is None else a.estimate,
                ci_low=None if a is None else a.ci_low,
                ci_high=None if a is None else a.ci_high,
                n=int(a.n) if a is not None else int(m.n),
                verdict=verdict,
                reason=reason,
                change=rules.change_of(spec, m),
                p_value=None if tests is None else tests.p_value,
            )
        )
    return tuple(out)
