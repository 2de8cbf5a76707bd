"""Hypotheses -> verdicts -> :class:`ReleaseEvaluation` (the ``summary.json`` structure).

This is the one place verdicts are computed: the notebooks, the command line
and any later engine all call :func:`evaluate_release`.

Verdict rules
-------------
The after-release confidence interval is *on the success side* when all of it
meets the target (lower-is-better metrics: ``ci_high <= target``; otherwise
``ci_low >= target``) and *on the failure side* when none of it does. In
order:

1. ``insufficient_data``: the measurement window is not complete (its last day,
   release date + window_days - 1, is after ``data_through``), the data is
   absent, the after population is smaller than 5 (task metrics) or 20
   (adoption, nps, churn), or the interval cannot be computed;
2. ``not_validated``: the interval is on the failure side, or on the success
   side while the change against before is ``worsened``;
3. ``inconclusive``: the interval contains the target, or it is on the success
   side while the change is ``unclear``;
4. ``validated``: on the success side and ``improved`` (or no before).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.workspace import EVENT_TABLES, LOWER_IS_BETTER, TASK_METRICS, VALUE_TYPES, WINDOW_METRICS

__all__ = ["VERDICTS", "HypothesisResult", "ReleaseEvaluation", "evaluate_release"]

VERDICTS = ("validated", "not_validated", "inconclusive", "insufficient_data")
VERDICT_MEANING = {
    "validated": "the promised value was delivered: the whole confidence interval meets the target",
    "not_validated": "the promised value was not delivered: the confidence interval misses the target, "
    "or the result is worse than before the release",
    "inconclusive": "the data cannot tell yet: the confidence interval contains the target, or there is "
    "no detectable improvement over before",
    "insufficient_data": "too little data, or the measurement window is not complete yet",
}
MIN_N = {"task_time": 5, "completion_rate": 5, "error_rate": 5, "adoption": 20, "nps": 20, "churn": 20}
#: Beyond this multiple of the current sample, the reason of an inconclusive result adds
#: that the estimate is practically at the target.
MAX_NEEDED_FACTOR = 100
UNITS = {
    "task_time": "participants",
    "completion_rate": "attempts",
    "error_rate": "attempts",
    "adoption": "users",
    "nps": "responses",
    "churn": "accounts",
}


@dataclass(frozen=True)
class HypothesisResult:
    """The verdict on one hypothesis and the numbers behind it.

    Attributes
    ----------
    hypothesis : cvlib.Hypothesis
    release_id : str
    verdict : str
        One of :data:`VERDICTS`.
    reason : str or None
        Why, in words a stakeholder understands (``None`` when validated).
    flags : tuple of str
        ``low_adoption``, ``written_after_release``.
    after : cvlib.Estimate or None
        After-release estimate and interval (seconds, proportion or NPS points).
    before : dict or None
        ``{"estimate", "n"}`` of the before sample (same units).
    change : dict or None
        ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``p_value_holm``,
        ``direction``, ``method`` (ratio after/before for task_time, otherwise
        the difference after - before); ``pairs_dropped`` for paired designs.
    needed_n : int or None
        For inconclusive results, about how many more after-release
        observations would likely settle it.
    economic_value : dict or None
        ``hours_saved_per_year``, ``ci_low``, ``ci_high``, ``value_per_year``.
    segments : tuple of dict
        Per segment: ``segment``, ``estimate``, ``ci_low``, ``ci_high``, ``n``,
        ``verdict`` (and ``reason``, ``p_value_holm`` of its change).
    n : int
        Size of the after-release population (the unit of :data:`UNITS`).
    """

    hypothesis: object
    release_id: str
    verdict: str
    reason: str | None
    flags: tuple = ()
    after: object = None
    before: dict | None = None
    change: dict | None = None
    needed_n: int | None = None
    economic_value: dict | None = None
    segments: tuple = ()
    n: int = 0

    def to_dict(self) -> dict:
        """The hypothesis entry of ``summary.json`` (strict JSON: ``None`` for nan)."""
        h = self.hypothesis
        after = self.after
        data = {
            "id": h.id,
            "feature_id": h.feature_id,
            "metric": h.metric,
            "statement": h.statement,
            "target": h.target,
            "design": h.design,
            "verdict": self.verdict,
            "reason": self.reason,
            "flags": list(self.flags),
            "estimate": None if after is None else after.estimate,
            "ci_low": None if after is None else after.ci_low,
            "ci_high": None if after is None else after.ci_high,
            "n": self.n,
            "method": None if after is None else after.method,
            "before": self.before,
            "change": self.change,
            "needed_n": self.needed_n,
            "economic_value": self.economic_value,
            "segments": [
                {k: s[k] for k in ("segment", "estimate", "ci_low", "ci_high", "n", "verdict")}
                for s in self.segments
            ],
        }
        return _json_clean(data)


@dataclass(frozen=True)
class ReleaseEvaluation:
    """Verdicts for every hypothesis of one release, the scorecard and economic value.

    Attributes
    ----------
    release_id, release_name : str
    released_on, data_through : datetime.date
    confidence_level : float
    hypotheses : tuple of HypothesisResult
    scorecard : dict
        Output against outcome (see :func:`evaluate_release`).
    economic_value : dict or None
    currency : str
    features_without_hypothesis : tuple of dict
        ``feature_id``, ``name``, ``value_type`` of features whose value is not defined.
    sources : dict
    inputs_sha256, cvlib_version, generated_at : str
    """

    release_id: str
    release_name: str
    released_on: dt.date
    data_through: dt.date | None
    confidence_level: float
    hypotheses: tuple
    scorecard: dict
    economic_value: dict | None
    currency: str
    features_without_hypothesis: tuple
    sources: dict
    inputs_sha256: str
    cvlib_version: str
    generated_at: str = field(compare=False)

    def to_dict(self) -> dict:
        """Exactly the ``summary.json`` structure (strict JSON: no NaN, ``None`` instead)."""
        economic = None
        if self.economic_value is not None:
            economic = dict(self.economic_value, currency=self.currency)
        return _json_clean(
            {
                "release_id": self.release_id,
                "release_name": self.release_name,
                "released_on": self.released_on.isoformat(),
                "data_through": None if self.data_through is None else self.data_through.isoformat(),
                "confidence_level": self.confidence_level,
                "hypotheses": [h.to_dict() for h in self.hypotheses],
                "scorecard": self.scorecard,
                "economic_value": economic,
                "sources": self.sources,
                "inputs_sha256": self.inputs_sha256,
                "cvlib_version": self.cvlib_version,
                "generated_at": self.generated_at,
            }
        )

    def hypotheses_frame(self):
        """One row per hypothesis: id, feature, metric, verdict, estimate, CI, n, change."""
        import pandas as pd

        rows = []
        for r in self.hypotheses:
            d = r.to_dict()
            change = d["change"] or {}
            rows.append(
                {
                    "id": d["id"],
                    "feature_id": d["feature_id"],
                    "metric": d["metric"],
                    "target": d["target"],
                    "verdict": d["verdict"],
                    "estimate": d["estimate"],
                    "ci_low": d["ci_low"],
                    "ci_high": d["ci_high"],
                    "n": d["n"],
                    "change": change.get("estimate"),
                    "change_ci_low": change.get("ci_low"),
                    "change_ci_high": change.get("ci_high"),
                    "p_value_holm": change.get("p_value_holm"),
                    "direction": change.get("direction"),
                    "needed_n": d["needed_n"],
                    "flags": ", ".join(d["flags"]),
                    "reason": d["reason"],
                }
            )
        return pd.DataFrame(rows)


# ------------------------------------------------------------------ evaluation
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
    Per metric (data contract), with the workspace ``confidence_level``:

    - task_time: geometric mean of completed after-release attempts, t-interval
      on ln(seconds) (:func:`cvlib.stats.tasktime.geometric_mean`); a participant
      with several attempts in a phase contributes the mean of their log
      times. Change: ratio of geometric means after/before
      (:func:`cvlib.stats.tasktime.compare`, paired on ``participant_id`` exactly
      when ``design: paired``; participants without a completed attempt in
      both phases are dropped from the comparison and counted).
    - completion_rate, error_rate: share of all after-release attempts,
      adjusted-Wald interval; change: difference of proportions
      (:func:`cvlib.stats.proportions.compare`).
    - adoption: share of the users active in [release, release + window) with
      an event equal to the feature id in that window, Wilson interval.
    - nps: adjusted-Wald NPS of responses in the window; change against the
      window before the release (:func:`cvlib.stats.nps.compare`).
    - churn: share of accounts at risk at the release date that churned within
      the window, adjusted-Wald; change against the same rule at the release
      date - window.

    p-values of the changes are Holm-adjusted across the release's hypotheses
    (Holm 1979), and across segments within a hypothesis.

    Economic value (validated task_time hypotheses with ``tasks_per_month``):
    hours saved per year = (mean before - mean after) x tasks_per_month x 12 /
    3600, with arithmetic means of the participants' mean seconds of completed
    attempts (total time is mean x volume; a geometric mean would understate
    it) and the Welch (or paired t) interval of the difference of means. The
    release total sums the hypotheses; its interval adds the standard errors
    recovered from each interval in quadrature (the studies are independent
    samples), with Welch-Satterthwaite degrees of freedom, so a release with
    one such hypothesis reports that hypothesis's own interval.

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
    from cvlib.stats import multiplicity

    release = workspace.release(release_id)
    settings = workspace.settings
    context = _Context(workspace, release)
    hypotheses = workspace.hypotheses_for(release_id)

    # the engine queries run while the hypotheses measured on task times are evaluated
    finish = context.start_queries(hypotheses)
    try:
        early = {id(h): _evaluate_hypothesis(context, h, {}) for h in hypotheses if h.metric in TASK_METRICS}
    except BaseException:
        with contextlib.suppress(Exception):  # no query left running; this error is the one raised
            finish()
        raise
    prepared = finish()
    results = [early.get(id(h)) or _evaluate_hypothesis(context, h, prepared) for h in hypotheses]

    # Holm across the release's hypotheses that have a p-value
    p_values = [r.change["p_value"] if r.change and r.change.get("p_value") is not None else math.nan for r in results]
    if any(not math.isnan(p) for p in p_values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CvlibWarning)
            adjusted = multiplicity.adjust(p_values, method="holm")
        for r, p in zip(results, adjusted):
            if r.change is not None:
                r.change["p_value_holm"] = None if math.isnan(p) else float(p)

    features = workspace.features[workspace.features["release_id"] == release_id]
    scorecard = _scorecard(features, results)
    economic = _sum_economic(results, settings.confidence_level)
    with_h = {r.hypothesis.feature_id for r in results}
    without = tuple(
        {"feature_id": f, "name": n, "value_type": v}
        for f, n, v in zip(features["feature_id"], features["name"], features["value_type"])
        if f not in with_h
    )
    return ReleaseEvaluation(
        release_id=release_id,
        release_name=release["name"],
        released_on=release["released_on"],
        data_through=settings.data_through,
        confidence_level=settings.confidence_level,
        hypotheses=tuple(results),
        scorecard=scorecard,
        economic_value=economic,
        currency=settings.currency,
        features_without_hypothesis=without,
        sources={name: workspace.sources[name].display for name in sorted(workspace.sources)},
        inputs_sha256=release_inputs_sha256(workspace, hypotheses),
        cvlib_version=__version__,
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


class _Context:
    def __init__(self, workspace, release):
        self.prepared = {}
        self.ws = workspace
        self.settings = workspace.settings
        self.release = release
        self.cl = workspace.settings.confidence_level
        self.released_at = release["released_at"].to_pydatetime()
        self.released_on = release["released_on"]

    def window(self, h, *, shift_days=0):
        start = self.released_at + dt.timedelta(days=shift_days)
        return start, start + dt.timedelta(days=h.window_days)

    def start_queries(self, hypotheses):
        """Start the engine queries of every hypothesis of the release (one scan per table).

        Returns a function that waits for their results and keeps them.
        """
        from cvlib import aggregate

        tz = self.settings.timezone
        queries = {}
        adoption = [h for h in hypotheses if h.metric == "adoption"]
        if adoption and "events" in self.ws.sources:
            windows = [(h.id, *self.window(h), h.feature_id) for h in adoption]
            queries["adoption"] = (self.ws.sources["events"], windows, tz)
        nps = [h for h in hypotheses if h.metric == "nps"]
        if nps and "surveys" in self.ws.sources:
            windows = [(h.id, *self.window(h), None) for h in nps]
            windows += [(h.id + "\0before", *self.window(h, shift_days=-h.window_days), None) for h in nps]
            queries["nps"] = (self.ws.sources["surveys"], windows, tz)
        churn = [h for h in hypotheses if h.metric == "churn"]
        if churn and "accounts" in self.ws.sources:
            cutoffs = [(h.id, self.released_on, h.window_days) for h in churn]
            cutoffs += [
                (h.id + "\0before", self.released_on - dt.timedelta(days=h.window_days), h.window_days)
                for h in churn
            ]
            queries["churn"] = (self.ws.sources["accounts"], cutoffs)
        waiting = aggregate.release_counts_started(**queries) if queries else dict

        def finish():
            self.prepared = waiting()
            return self.prepared

        return finish


# -- the verdict rules, shared by hypotheses and segments
def _side(after, target, lower_is_better):
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


def _direction(change, no_change, lower_is_better):
    low, high = change["ci_low"], change["ci_high"]
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "unclear"
    if high < no_change:
        return "improved" if lower_is_better else "worsened"
    if low > no_change:
        return "worsened" if lower_is_better else "improved"
    return "unclear"


def _verdict(after, change, target, lower_is_better, level):
    """Apply rules 2-4 to a computable after interval; return (verdict, reason)."""
    side = _side(after, target, lower_is_better)
    pct = f"{level:.0%}"
    if side == "failure":
        return "not_validated", f"The whole {pct} confidence interval misses the target."
    direction = None if change is None else change["direction"]
    if side == "success" and direction == "worsened":
        return "not_validated", "Meets the target, but worse than before the release."
    if side == "neither":
        return "inconclusive", f"The {pct} confidence interval contains the target: more data is needed to tell."
    if direction == "unclear":
        return (
            "inconclusive",
            "Meets the target, but no detectable improvement over before the release "
            "(the 'before' may already have met it).",
        )
    return "validated", None


def _evaluate_hypothesis(ctx, h, prepared):
    lower = h.metric in LOWER_IS_BETTER
    flags = []
    if h.created_on is not None and h.created_on > ctx.released_on:
        flags.append("written_after_release")

    incomplete = None
    if h.metric in WINDOW_METRICS:
        last_day = ctx.released_on + dt.timedelta(days=h.window_days - 1)
        through = ctx.settings.data_through
        if through is None or last_day > through:
            shown = "no data yet" if through is None else through.isoformat()
            incomplete = (
                f"The {h.window_days}-day measurement window ends on {last_day.isoformat()}, "
                f"after the last complete day of data ({shown})."
            )

    measured = _MEASURE[h.metric](ctx, h, prepared)
    after, before, change, extra = measured.after, measured.before, measured.change, measured.extra

    if h.metric == "adoption" and after is not None and not math.isnan(after.estimate):
        if after.estimate < h.target / 2:
            flags.append("low_adoption")

    verdict, reason = _insufficient(h, measured, incomplete)
    needed = None
    if verdict is None:
        verdict, reason = _verdict(after, change, h.target, lower, ctx.cl)
        if verdict == "inconclusive":
            needed = _needed_n(h, measured, ctx.cl)
            if _side(after, h.target, lower) == "neither" and (
                needed is None or needed > MAX_NEEDED_FACTOR * max(after.n, 1)
            ):
                reason += " The estimate is practically at the target: no realistic amount of data would settle it."

    segments = _segments(ctx, h, measured, incomplete)
    economic = None
    if verdict == "validated" and h.metric == "task_time" and h.tasks_per_month is not None:
        economic = _economic(ctx, h, measured)

    result = HypothesisResult(
        hypothesis=h,
        release_id=ctx.release["release_id"],
        verdict=verdict,
        reason=reason,
        flags=tuple(flags),
        after=after,
        before=before,
        change=change,
        needed_n=needed,
        economic_value=economic,
        segments=tuple(segments),
        n=int(after.n) if after is not None else int(extra.get("n", 0)),
    )
    return result


def _insufficient(h, measured, incomplete):
    unit = UNITS[h.metric]
    if incomplete is not None:
        return "insufficient_data", incomplete
    if measured.absent is not None:
        return "insufficient_data", measured.absent
    n = measured.after.n if measured.after is not None else measured.extra.get("n", 0)
    if n < MIN_N[h.metric]:
        return (
            "insufficient_data",
            f"Only {n} {unit} after the release; at least {MIN_N[h.metric]} are needed.",
        )
    a = measured.after
    if a is None or any(math.isnan(v) for v in (a.estimate, a.ci_low, a.ci_high)):
        why = measured.extra.get("why", "the after-release values do not vary")
        return "insufficient_data", f"The confidence interval cannot be computed ({why})."
    return None, None


@dataclass
class _Measured:
    after: object = None
    before: dict | None = None
    change: dict | None = None
    absent: str | None = None
    extra: dict = field(default_factory=dict)


def _quiet(fn, *args, **kwargs):
    """Call a statistics function; undefined results come back as nan (their warning is
    turned into a verdict reason by the caller)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _change_dict(comparison, lower, no_change, extra=None):
    change = {
        "estimate": comparison.estimate,
        "ci_low": comparison.ci_low,
        "ci_high": comparison.ci_high,
        "p_value": comparison.p_value,
        "p_value_holm": None,
        "direction": None,
        "method": comparison.method,
    }
    change["direction"] = _direction(change, no_change, lower)
    if extra:
        change.update(extra)
    return change


def _undefined_change(method, extra=None):
    """A before sample exists but the comparison cannot be computed: the change is unclear
    (never treated as 'no before')."""
    change = {
        "estimate": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "p_value_holm": None,
        "direction": "unclear",
        "method": method,
    }
    change.update(extra or {})
    return change


# -- task metrics
def _task_rows(ctx, h):
    tt = ctx.ws.task_times
    if tt is None:
        return None
    rows = tt[(tt["release_id"] == ctx.release["release_id"]) & (tt["task"] == h.task)]
    return rows


def _participant_logs(rows, phase):
    done = rows[(rows["phase"] == phase) & rows["completed"] & rows["seconds"].notna()]
    logs = np.log(done["seconds"].to_numpy(dtype=float))
    import pandas as pd

    return pd.Series(logs, index=done["participant_id"].to_numpy()).groupby(level=0).mean()


def _measure_task_time(ctx, h, prepared, rows=None):
    from cvlib.stats import tasktime

    rows = _task_rows(ctx, h) if rows is None else rows
    if rows is None or rows.empty:
        return _Measured(absent=f"No task-time measurements for task '{h.task}' in this release yet.", extra={"n": 0})
    after_logs = _participant_logs(rows, "after")
    before_logs = _participant_logs(rows, "before")
    m = _Measured(extra={"n": len(after_logs), "after_logs": after_logs, "before_logs": before_logs})
    if len(after_logs) == 0:
        m.absent = "No completed task attempts after the release yet."
        return m
    if len(after_logs) >= 2:
        m.after = _quiet(tasktime.geometric_mean, np.exp(after_logs.to_numpy()), confidence_level=ctx.cl)
    else:
        m.extra["why"] = "a single participant"
    if len(before_logs) == 0:
        return m
    m.before = {"estimate": float(np.exp(before_logs.mean())), "n": int(len(before_logs))}
    if h.design == "paired":
        common = before_logs.index.intersection(after_logs.index)
        dropped = int(len(before_logs.index.union(after_logs.index)) - len(common))
        if len(common) < 2:
            m.change = _undefined_change(
                f"paired t-test on ln(seconds): {len(common)} complete pair(s), at least 2 are needed",
                {"pairs_dropped": dropped},
            )
            return m
        comparison = _quiet(
            tasktime.compare,
            np.exp(before_logs[common].to_numpy()),
            np.exp(after_logs[common].to_numpy()),
            paired=True,
            confidence_level=ctx.cl,
        )
        m.change = _change_dict(comparison, True, 1.0, {"pairs_dropped": dropped})
        m.extra["pairs"] = common
    else:
        if len(before_logs) < 2 or len(after_logs) < 2:
            m.change = _undefined_change(
                "Welch t-test on ln(seconds): at least 2 participants per phase are needed"
            )
            return m
        comparison = _quiet(
            tasktime.compare,
            np.exp(before_logs.to_numpy()),
            np.exp(after_logs.to_numpy()),
            confidence_level=ctx.cl,
        )
        m.change = _change_dict(comparison, True, 1.0)
    return m


def _measure_task_share(ctx, h, prepared, rows=None, *, errors=False):
    from cvlib.stats import proportions

    rows = _task_rows(ctx, h) if rows is None else rows
    if rows is None or rows.empty:
        return _Measured(absent=f"No task attempts for task '{h.task}' in this release yet.", extra={"n": 0})
    if errors and "errors" not in rows.columns:
        return _Measured(absent="task_times.csv has no errors column, so the error rate cannot be measured.", extra={"n": 0})

    def counts(phase):
        part = rows[rows["phase"] == phase]
        hits = (part["errors"] >= 1).sum() if errors else part["completed"].sum()
        return int(hits), int(len(part))

    sa, na = counts("after")
    sb, nb = counts("before")
    return _share_measure(proportions, ctx.cl, sa, na, sb, nb, lower=errors, absent_text="No task attempts after the release yet.")


def _share_measure(proportions, cl, sa, na, sb, nb, *, lower, absent_text, method="adjusted-wald"):
    m = _Measured(extra={"n": na, "counts": (sa, na, sb, nb)})
    if na == 0:
        m.absent = absent_text
        return m
    m.after = _quiet(proportions.interval, sa, na, method=method, confidence_level=cl)
    if nb > 0:
        m.before = {"estimate": sb / nb, "n": nb}
        comparison = _quiet(proportions.compare, sb, nb, sa, na, confidence_level=cl)
        m.change = _change_dict(comparison, lower, 0.0)
    return m


def _measure_completion(ctx, h, prepared, rows=None):
    return _measure_task_share(ctx, h, prepared, rows)


def _measure_errors(ctx, h, prepared, rows=None):
    return _measure_task_share(ctx, h, prepared, rows, errors=True)


def _measure_adoption(ctx, h, prepared, counts=None):
    from cvlib.stats import proportions

    if counts is None:
        if "adoption" not in prepared:
            return _Measured(absent="There are no usage events in this workspace.", extra={"n": 0})
        counts = prepared["adoption"][h.id]
        users, adopters = counts["users"], counts["adopters"]
    else:
        users, adopters = counts
    m = _Measured(extra={"n": users})
    if users == 0:
        m.absent = "No users were active in the measurement window."
        return m
    m.after = _quiet(proportions.interval, adopters, users, method="wilson", confidence_level=ctx.cl)
    return m


def _measure_nps(ctx, h, prepared, counts=None):
    from cvlib.stats import nps

    if counts is None:
        if "nps" not in prepared:
            return _Measured(absent="There are no survey responses in this workspace.", extra={"n": 0})
        after_counts = prepared["nps"][h.id]["counts"]
        before_counts = prepared["nps"][h.id + "\0before"]["counts"]
    else:
        after_counts, before_counts = counts
    n = sum(after_counts)
    m = _Measured(extra={"n": n})
    if n == 0:
        m.absent = "No survey responses in the measurement window."
        return m
    m.after = _quiet(nps.from_counts, *after_counts, confidence_level=ctx.cl)
    if sum(before_counts) > 0:
        before = _quiet(nps.from_counts, *before_counts, confidence_level=ctx.cl)
        m.before = {"estimate": before.estimate, "n": before.n}
        comparison = _quiet(nps.compare, before, m.after, confidence_level=ctx.cl)
        m.change = _change_dict(comparison, False, 0.0)
    return m


def _measure_churn(ctx, h, prepared, counts=None):
    from cvlib.stats import proportions

    if counts is None:
        if "churn" not in prepared:
            return _Measured(absent="There are no accounts in this workspace.", extra={"n": 0})
        a = prepared["churn"][h.id]
        b = prepared["churn"][h.id + "\0before"]
        sa, na, sb, nb = a["churned"], a["accounts"], b["churned"], b["accounts"]
    else:
        sa, na, sb, nb = counts
    return _share_measure(proportions, ctx.cl, sa, na, sb, nb, lower=True, absent_text="No customer accounts were active at the release date.")


_MEASURE = {
    "task_time": _measure_task_time,
    "completion_rate": _measure_completion,
    "error_rate": _measure_errors,
    "adoption": _measure_adoption,
    "nps": _measure_nps,
    "churn": _measure_churn,
}


# -- segments
def _segments(ctx, h, measured, incomplete):
    lower = h.metric in LOWER_IS_BETTER
    parts = []
    if h.metric in TASK_METRICS:
        rows = _task_rows(ctx, h)
        if rows is None or rows.empty or "segment" not in rows.columns:
            return []
        for segment in sorted(rows["segment"].dropna().unique()):
            parts.append((segment, _MEASURE[h.metric](ctx, h, None, rows[rows["segment"] == segment])))
    elif h.metric == "adoption" and "adoption" in ctx.prepared:
        for segment, counts in sorted(ctx.prepared["adoption"][h.id]["segments"].items()):
            parts.append((segment, _measure_adoption(ctx, h, None, counts)))
    elif h.metric == "nps" and "nps" in ctx.prepared:
        after = ctx.prepared["nps"][h.id]["segments"]
        before = ctx.prepared["nps"][h.id + "\0before"]["segments"]
        for segment in sorted(after):
            parts.append((segment, _measure_nps(ctx, h, None, (after[segment], before.get(segment, (0, 0, 0))))))
    elif h.metric == "churn" and "churn" in ctx.prepared:
        after = ctx.prepared["churn"][h.id]["segments"]
        before = ctx.prepared["churn"][h.id + "\0before"]["segments"]
        for segment in sorted(after):
            sa = after[segment]
            sb = before.get(segment, (0, 0))
            parts.append((segment, _measure_churn(ctx, h, None, (sa[1], sa[0], sb[1], sb[0]))))
    if not parts:
        return []
    from cvlib.stats import multiplicity

    p_values = [m.change["p_value"] if m.change and m.change["p_value"] is not None else math.nan for _, m in parts]
    adjusted = [math.nan] * len(parts)
    if any(not math.isnan(p) for p in p_values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CvlibWarning)
            adjusted = list(multiplicity.adjust(p_values, method="holm"))
    out = []
    for (segment, m), p_holm in zip(parts, adjusted):
        if m.change is not None:
            m.change["p_value_holm"] = None if math.isnan(p_holm) else float(p_holm)
        verdict, reason = _insufficient(h, m, incomplete)
        if verdict is None:
            verdict, reason = _verdict(m.after, m.change, h.target, lower, ctx.cl)
        a = m.after
        out.append(
            {
                "segment": str(segment),
                "estimate": None if a is None else a.estimate,
                "ci_low": None if a is None else a.ci_low,
                "ci_high": None if a is None else a.ci_high,
                "n": int(a.n) if a is not None else int(m.extra.get("n", 0)),
                "verdict": verdict,
                "reason": reason,
                "change": m.change,
            }
        )
    return out


# -- planning for inconclusive results
def _needed_n(h, measured, cl):
    """About how many more after-release observations would likely settle an inconclusive
    result (80% power), or None when the data give no effect to plan for."""
    from cvlib.stats import power

    a = measured.after
    side = _side(a, h.target, h.metric in LOWER_IS_BETTER)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CvlibWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            if side == "neither":
                # distinguish the after-release value from the target
                if h.metric == "task_time":
                    logs = measured.extra["after_logs"].to_numpy()
                    sd = float(np.std(logs, ddof=1))
                    ratio = a.estimate / h.target
                    if ratio == 1 or not sd > 0:
                        return None
                    total = power.task_time_sample_size(ratio, sd, paired=True, confidence_level=cl)
                elif h.metric == "nps":
                    total = power.nps_sample_size_vs_target(a, h.target, confidence_level=cl)
                else:
                    total = power.proportion_sample_size_vs_target(a.estimate, h.target, confidence_level=cl)
            else:
                # meets the target, but the change against before is unclear
                if measured.before is None:
                    return None
                if h.metric == "task_time":
                    ratio = measured.change["estimate"]
                    sd = _change_sd_log(h, measured)
                    if ratio is None or ratio == 1 or not sd > 0:
                        return None
                    total = power.task_time_sample_size(ratio, sd, paired=h.design == "paired", confidence_level=cl)
                elif h.metric == "nps":
                    return None
                else:
                    b = measured.before["estimate"]
                    if b == a.estimate:
                        return None
                    total = power.proportion_sample_size(b, a.estimate, confidence_level=cl)
    except (ValueError, ZeroDivisionError):
        return None
    if total is None or not math.isfinite(total):
        return None
    return max(int(math.ceil(total)) - int(a.n), 1)


def _change_sd_log(h, measured):
    """SD for planning the before/after comparison: of the log differences when paired,
    otherwise the pooled within-phase SD of the participants' log times."""
    after, before = measured.extra["after_logs"], measured.extra["before_logs"]
    if h.design == "paired":
        common = before.index.intersection(after.index)
        return float(np.std(after[common].to_numpy() - before[common].to_numpy(), ddof=1))
    na, nb = len(after), len(before)
    pooled = ((na - 1) * np.var(after.to_numpy(), ddof=1) + (nb - 1) * np.var(before.to_numpy(), ddof=1)) / (na + nb - 2)
    return float(np.sqrt(pooled))


# -- economic value
def _participant_means(rows, phase):
    done = rows[(rows["phase"] == phase) & rows["completed"] & rows["seconds"].notna()]
    return done.groupby("participant_id")["seconds"].mean()


def _economic(ctx, h, measured):
    from cvlib.stats.summary import SampleSummary, one_sample_test, welch_test

    rows = _task_rows(ctx, h)
    before = _participant_means(rows, "before")
    after = _participant_means(rows, "after")
    if h.design == "paired":
        common = before.index.intersection(after.index)
        if len(common) < 2:
            return None
        diff = before[common].to_numpy() - after[common].to_numpy()
        test = _quiet(one_sample_test, SampleSummary.from_values(diff), confidence_level=ctx.cl)
        saved, low, high, df = test.estimate, test.ci_low, test.ci_high, test.df
    else:
        if len(before) < 2 or len(after) < 2:
            return None
        test = _quiet(
            welch_test,
            SampleSummary.from_values(before.to_numpy()),
            SampleSummary.from_values(after.to_numpy()),
            confidence_level=ctx.cl,
        )
        # welch_test(before, after) estimates mean(after) - mean(before); time saved is its negative
        saved, low, high, df = -test.estimate, -test.ci_high, -test.ci_low, test.df
    scale = h.tasks_per_month * 12 / 3600
    hourly = ctx.settings.hourly_cost
    hours = saved * scale
    return {
        "hours_saved_per_year": float(hours),
        "ci_low": float(low * scale),
        "ci_high": float(high * scale),
        "value_per_year": None if hourly is None else float(hours * hourly),
        "_df": float(df),
    }


def _sum_economic(results, cl):
    """Sum the hypotheses' hours saved; interval from the standard errors in quadrature with
    Welch-Satterthwaite degrees of freedom (one hypothesis gives back its own interval)."""
    from scipy.special import ndtri, stdtrit

    parts = [r.economic_value for r in results if r.economic_value is not None]
    if not parts:
        return None
    total = sum(p["hours_saved_per_year"] for p in parts)
    variances, terms = 0.0, 0.0
    for p in parts:
        t = stdtrit(p["_df"], 0.5 + cl / 2)
        se2 = ((p["ci_high"] - p["ci_low"]) / (2 * t)) ** 2
        variances += se2
        terms += se2**2 / p["_df"]
    df = variances**2 / terms if terms > 0 else math.inf
    half = float(stdtrit(df, 0.5 + cl / 2) if math.isfinite(df) else ndtri(0.5 + cl / 2)) * math.sqrt(variances)
    values = [p["value_per_year"] for p in parts]
    return {
        "hours_saved_per_year": total,
        "ci_low": float(total - half),
        "ci_high": float(total + half),
        "value_per_year": None if any(v is None for v in values) else sum(values),
    }


# -- scorecard
def _scorecard(features, results):
    by_feature: dict[str, list[str]] = {}
    for r in results:
        by_feature.setdefault(r.hypothesis.feature_id, []).append(r.verdict)
    validated = {f for f, verdicts in by_feature.items() if verdicts and all(v == "validated" for v in verdicts)}
    effort = features["effort_points"]
    shipped = int(len(features))
    card = {
        "features_shipped": shipped,
        "effort_points": None if effort.isna().all() else float(effort.sum()),
        "features_with_hypothesis": int(sum(f in by_feature for f in features["feature_id"])),
        "features_validated": int(sum(f in validated for f in features["feature_id"])),
        "hypotheses": len(results),
    }
    for verdict in VERDICTS:
        card[verdict] = sum(r.verdict == verdict for r in results)
    card["value_delivery_rate"] = None if shipped == 0 else card["features_validated"] / shipped
    by_type = {}
    for value_type in VALUE_TYPES:
        part = features[features["value_type"] == value_type]
        if part.empty:
            continue
        by_type[value_type] = {
            "features_shipped": int(len(part)),
            "features_validated": int(sum(f in validated for f in part["feature_id"])),
            "effort_points": None if part["effort_points"].isna().all() else float(part["effort_points"].sum()),
        }
    card["by_value_type"] = by_type
    return card


# -- reproducibility
def _used_sources(workspace, hypotheses):
    """Names of the event-scale tables the release reads."""
    metrics = {h.metric for h in hypotheses}
    names = {table for metric, table in (("adoption", "events"), ("nps", "surveys"), ("churn", "accounts"))
             if metric in metrics}
    names.add("surveys")  # comments about the features are shown in the report
    if workspace.settings.data_through_source != "workspace.yaml":
        # data_through (window completeness) is then the latest date of every event-scale table
        names.update(EVENT_TABLES)
    return sorted(n for n in names if n in workspace.sources)


def _used_files(workspace, hypotheses):
    """The workspace files (relative paths) the release reads, CSV sources included."""
    root = workspace.root
    names = ["workspace.yaml", "releases.csv", "features.csv", "hypotheses.yaml", "tickets.csv"]
    metrics = {h.metric for h in hypotheses}
    if metrics & set(TASK_METRICS):
        names.append("task_times.csv")
    for name in _used_sources(workspace, hypotheses):
        source = workspace.sources[name]
        if source.kind == "csv":
            names.append(_relative(source.path, root))
    return sorted({n for n in names if (root / n).is_file()})


# Parquet sources up to this total size are hashed by content, larger ones by path, size and mtime.
CONTENT_HASH_LIMIT = 64 * 1024**2


def release_inputs_sha256(workspace, hypotheses) -> str:
    """SHA-256 identifying everything a release reads (see :func:`inputs_sha256`)."""
    from cvlib.aggregate import profile
    from cvlib.workspace import _TIME_COLUMNS

    used = [workspace.sources[n] for n in _used_sources(workspace, hypotheses)]
    fingerprints = {}
    for source in used:
        if source.kind == "connection":
            prof = workspace.profiles.get(source.name)
            if prof is None:
                prof = profile(source, _TIME_COLUMNS[source.name], workspace.settings.timezone)
            latest = [prof.latest[c].isoformat() if prof.latest.get(c) else "" for c in _TIME_COLUMNS[source.name]]
            fingerprints[source.name] = "|".join([str(prof.rows), *latest])
    return inputs_sha256(workspace.root, _used_files(workspace, hypotheses),
                         sources=[s for s in used if s.kind != "csv"], fingerprints=fingerprints)


def _relative(path, root) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path(root).resolve())).replace("\\", "/")
    except ValueError:
        return str(path.resolve())


def inputs_sha256(root: Path, relative_paths, *, sources=(), fingerprints=None) -> str:
    """SHA-256 over the inputs of a release.

    Files (sorted by relative path) contribute each path's UTF-8 bytes, a NUL,
    its size, a NUL and its bytes. Each Parquet source (by name) then adds its
    files the same way while their total size is at most
    ``CONTENT_HASH_LIMIT`` (64 MiB), and above it each file's path, size and
    modification time (nanoseconds) instead of its bytes. A connection table
    adds its fingerprint (row count and latest instants, from
    ``fingerprints``), so new rows in a live warehouse change the hash.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / "a.csv").write_text("x\\n1\\n")
    ...     inputs_sha256(pathlib.Path(tmp), ["a.csv"]) == inputs_sha256(pathlib.Path(tmp), ["a.csv"])
    True
    """
    digest = hashlib.sha256()

    def add_file(rel, path, *, content=True):
        stat = path.stat()
        digest.update(rel.replace("\\", "/").encode("utf-8") + b"\0")
        digest.update(str(stat.st_size).encode() + b"\0")
        if not content:
            digest.update(str(stat.st_mtime_ns).encode() + b"\0")
            return
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)

    for rel in sorted(relative_paths):
        add_file(rel, Path(root) / rel)
    for source in sorted(sources, key=lambda s: s.name):
        digest.update(f"source {source.name} {source.kind} {source.display}".encode() + b"\0")
        if source.kind == "parquet":
            files = source.files()
            content = sum(f.stat().st_size for f in files) <= CONTENT_HASH_LIMIT
            for path in files:
                add_file(_relative(path, root), path, content=content)
        else:
            digest.update(str((fingerprints or {}).get(source.name, "")).encode("utf-8") + b"\0")
    return digest.hexdigest()


def _json_clean(value):
    """Replace nan/inf by None, numpy scalars by Python ones, drop private keys."""
    if isinstance(value, dict):
        return {k: _json_clean(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [_json_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value
