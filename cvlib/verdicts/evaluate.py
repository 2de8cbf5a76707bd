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
import math
import warnings

from cvlib.errors import CvlibWarning
from cvlib.metrics.base import Context
from cvlib.verdicts import economic, rules
from cvlib.verdicts.inputs import release_inputs_sha256
from cvlib.verdicts.plan import start_queries
from cvlib.verdicts.results import FeatureRef, HypothesisResult, ReleaseEvaluation, SegmentResult
from cvlib.verdicts.scorecard import scorecard

__all__ = ["evaluate_release"]


def evaluate_release(workspace, release_id: str) -> ReleaseEvaluation:
    """Give every value hypothesis of a release its verdict, and score the release.

    Parameters
    ----------
    workspace : cvlib.Workspace
        From :func:`cvlib.load_workspace`.
    release_id : str
        A ``release_id`` of ``releases.csv``.

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

    p-values of the changes are Holm-adjusted across the release's hypotheses
    (Holm 1979), and across segments within a hypothesis.

    Economic value (validated hypotheses whose metric measures time saved,
    with ``tasks_per_month``): see :mod:`cvlib.verdicts.economic`.

    The scorecard counts ``features_shipped``, ``effort_points``,
    ``features_with_hypothesis``, ``features_validated`` (features with at
    least one hypothesis, all of them validated), ``hypotheses``, the count
    per verdict, ``value_delivery_rate`` = features_validated /
    features_shipped and ``by_value_type``.

    References
    ----------
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
    results = _holm([early.get(h.id) or _evaluate(ctx, h) for h in hypotheses])

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
            [r.economic_value for r in results], settings.confidence_level
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


def _holm_adjusted(changes) -> list[float]:
    """Holm-adjusted p-values of ``changes`` (nan where a change has no p-value)."""
    from cvlib.stats import multiplicity

    p_values = [c.p_value if c is not None and c.p_value is not None else math.nan for c in changes]
    if all(math.isnan(p) for p in p_values):
        return p_values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)
        return [float(p) for p in multiplicity.adjust(p_values, method="holm")]


def _with_holm(change, p_holm: float):
    if change is None:
        return None
    return dataclasses.replace(change, p_value_holm=None if math.isnan(p_holm) else p_holm)


def _holm(results: list[HypothesisResult]) -> list[HypothesisResult]:
    """The results with their changes' p-values Holm-adjusted across the release's hypotheses."""
    adjusted = _holm_adjusted([r.change for r in results])
    return [
        dataclasses.replace(r, change=_with_holm(r.change, p))
        for r, p in zip(results, adjusted, strict=True)
    ]


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


def _evaluate(ctx: Context, h) -> HypothesisResult:
    spec = h.spec
    flags = []
    if h.created_on is not None and h.created_on > ctx.released_on:
        flags.append("written_after_release")
    incomplete = _incomplete(ctx, h)
    measured = spec.measure(ctx, h)
    flags.extend(spec.flags(h, measured))
    after = measured.after
    change = rules.change_of(spec, measured)

    verdict, reason = rules.insufficient(spec, measured, incomplete)
    needed = None
    if verdict is None:
        verdict, reason = rules.verdict(
            after, change, h.target, spec.lower_is_better, ctx.confidence_level
        )
        if verdict == "inconclusive":
            needed = rules.needed_n(spec, h, measured, ctx.confidence_level)
            if rules.side(after, h.target, spec.lower_is_better) == "neither" and (
                needed is None or needed > rules.MAX_NEEDED_FACTOR * max(after.n, 1)
            ):
                reason += (
                    " The estimate is practically at the target: "
                    "no realistic amount of data would settle it."
                )

    value = None
    if verdict == "validated":
        value = economic.hypothesis_value(ctx, h, ctx.workspace.settings.hourly_cost)
    return HypothesisResult(
        hypothesis=h,
        release_id=ctx.release_id,
        verdict=verdict,
        reason=reason,
        flags=tuple(flags),
        after=after,
        before=measured.before,
        change=change,
        needed_n=needed,
        economic_value=value,
        segments=_segments(ctx, h, incomplete),
        n=int(after.n) if after is not None else int(measured.n),
    )


def _segments(ctx: Context, h, incomplete) -> tuple[SegmentResult, ...]:
    """Every segment's verdict, with the changes' p-values Holm-adjusted across the segments."""
    spec = h.spec
    parts = spec.segments(ctx, h)
    changes = [rules.change_of(spec, m) for _, m in parts]
    out = []
    for (segment, m), change, p_holm in zip(parts, changes, _holm_adjusted(changes), strict=True):
        change = _with_holm(change, p_holm)
        verdict, reason = rules.insufficient(spec, m, incomplete)
        if verdict is None:
            verdict, reason = rules.verdict(
                m.after, change, h.target, spec.lower_is_better, ctx.confidence_level
            )
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
                change=change,
            )
        )
    return tuple(out)
