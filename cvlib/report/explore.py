"""Helpers for analysts exploring a workspace in JupyterLab (``notebooks/explore.ipynb``)."""

from __future__ import annotations

import dataclasses

__all__ = ["task_seconds", "with_hypothesis"]


def with_hypothesis(workspace, hypothesis_id: str, **changes):
    """A copy of ``workspace`` in which one hypothesis has other settings (window, target, design ...).

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
