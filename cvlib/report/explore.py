"""Helpers for analysts exploring a workspace in JupyterLab (``notebooks/explore.ipynb``).

The distribution views draw with seaborn, which only the exploration notebook
needs: it is imported inside them (the ``lab`` and ``dev`` extras install it),
so the release report never loads it.
"""

from __future__ import annotations

import dataclasses
import warnings

from cvlib.metrics import adoption
from cvlib.report import plots

__all__ = ["adoption_over_time", "task_seconds", "task_time_distribution", "with_hypothesis"]

_PHASES = ("before", "after")


def with_hypothesis(workspace, hypothesis_id: str, **changes):
    """A copy of ``workspace`` in which one hypothesis has other settings (window, target ...).

    The files are not touched; :func:`cvlib.evaluate_release` on the copy
    re-runs the release with the changed hypothesis.
    """
    ids = [h.id for h in workspace.hypotheses]
    if hypothesis_id not in ids:
        raise KeyError(
            f"hypothesis {hypothesis_id!r} is not in hypotheses.yaml (known: {', '.join(ids)})"
        )
    hypotheses = [
        dataclasses.replace(h, **changes) if h.id == hypothesis_id else h
        for h in workspace.hypotheses
    ]
    return dataclasses.replace(workspace, hypotheses=hypotheses)


def task_seconds(workspace, release_id: str, task: str, phase: str):
    """Seconds of the completed attempts of a task in one phase (a numpy array)."""
    import numpy as np

    tt = workspace.task_times
    if tt is None:
        return np.array([], dtype=float)
    rows = tt[
        (tt["release_id"] == release_id)
        & (tt["task"] == task)
        & (tt["phase"] == phase)
        & tt["completed"]
    ]
    return rows["seconds"].to_numpy(dtype=float)


def task_time_distribution(workspace, release_id: str, task: str) -> plots.Chart:
    """Seconds of the completed attempts of ``task``, before and after the release, per segment.

    A box (quartiles, whiskers to 1.5 IQR) and every attempt as a point, on a
    log axis: task times are skewed, and the report compares their
    geometric means (the centre of the log scale). Failed attempts have no
    meaningful time and are left out, as in the report; the alt text says
    how many attempts each phase has.
    """
    import seaborn as sns

    tt = workspace.task_times
    if tt is None:
        raise ValueError("the workspace has no task_times.csv")
    rows = tt[(tt["release_id"] == release_id) & (tt["task"] == task)]
    if rows.empty:
        known = ", ".join(sorted(set(tt.loc[tt["release_id"] == release_id, "task"])))
        raise ValueError(f"no task_times rows of task {task!r} in {release_id} (tasks: {known})")
    done = rows[rows["completed"] & rows["seconds"].notna()].copy()
    by = "segment" if "segment" in done and done["segment"].notna().any() else "phase"
    if by == "segment":
        done["segment"] = done["segment"].fillna("(none)")
    groups = sorted(done[by].unique()) if by == "segment" else list(_PHASES)
    fig = plots.figure(7.5, 0.9 + 0.55 * len(groups) * (2 if by == "segment" else 1))
    ax = fig.add_subplot()
    style = {"data": done, "x": "seconds", "y": by, "order": groups, "ax": ax}
    if by == "segment":
        style |= {"hue": "phase", "hue_order": list(_PHASES)}
    with warnings.catch_warnings():
        # seaborn 0.13.2 passes boxplot(vert=...), which matplotlib 3.11 deprecates; its next
        # release passes orientation= (nothing here to change)
        warnings.filterwarnings("ignore", "vert: bool was deprecated", DeprecationWarning)
        sns.boxplot(**style, log_scale=True, showfliers=False, fill=False, legend=by == "segment")
    # no jitter: the same figure on every run (jitter draws from the global random state)
    sns.stripplot(**style, dodge=by == "segment", jitter=False, alpha=0.4, size=3, legend=False)
    seconds = done["seconds"]
    plots.seconds_axis(ax, float(seconds.min()) / 1.25, float(seconds.max()) * 1.25)
    ax.set_xlabel("time per completed attempt (log scale)")
    ax.set_ylabel(by)
    ax.set_title(f"Task “{task}”, release {release_id}", loc="left", fontsize=10)
    fig.tight_layout()
    counts = ", ".join(
        f"{phase} {int((done['phase'] == phase).sum())} of {int((rows['phase'] == phase).sum())}"
        for phase in _PHASES
    )
    alt = (
        f"Task time of “{task}” in release {release_id} by {by}: completed attempts "
        f"({counts} attempts), log scale"
    )
    return plots.render(fig, alt)


def adoption_over_time(workspace, release_id: str, feature_id: str, days: int = 30) -> plots.Chart:
    """Adoption of ``feature_id`` as the window grows, day by day after the release.

    The line is :func:`cvlib.metrics.adoption.by_day`: on day ``d``, the share
    of users active in the first ``d`` days who used the feature. Each
    adoption hypothesis of the feature is drawn as its target (dashed) and
    the day its window ends (dotted), where the line meets its estimate.
    """
    import seaborn as sns

    frame = adoption.by_day(workspace, release_id, feature_id, days)
    fig = plots.figure(7.5, 3.0)
    ax = fig.add_subplot()
    sns.lineplot(data=frame, x="day", y="share", ax=ax, color=plots.PALETTE["sky_blue"])
    for h in workspace.hypotheses_for(release_id):
        if h.feature_id == feature_id and h.spec is adoption.SPEC:
            ax.axhline(h.target, color=plots.PALETTE["orange"], linestyle="--", linewidth=1)
            if h.window_days is not None and h.window_days <= days:
                ax.axvline(h.window_days, color=plots.PALETTE["black"], linestyle=":", linewidth=1)
                ax.annotate(
                    h.id,
                    (h.window_days, h.target),
                    fontsize=8,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(f"days after the release of {release_id}")
    ax.set_ylabel(adoption.SPEC.label)
    ax.set_title(f"Adoption of {feature_id}", loc="left", fontsize=10)
    fig.tight_layout()
    last = frame.iloc[-1]
    alt = (
        f"Adoption of {feature_id} over the {days} days after release {release_id}: "
        f"{last['adopters']} of {last['active_users']} active users by day {days}"
    )
    return plots.render(fig, alt)
