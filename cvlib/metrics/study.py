"""Task studies (``task_times``): the rows of a study, its plan, first attempts, segments.

Shared by the task metrics (:mod:`cvlib.metrics.task_time`,
:mod:`cvlib.metrics.completion_rate`, :mod:`cvlib.metrics.error_rate`).
Attempts are read in ``attempted_at`` order when the column holds any value,
in file order otherwise; a study with ``planned_n`` is measured on its first
``planned_n`` after-phase participants (pairs) and waits until they are in.
"""

from __future__ import annotations

from dataclasses import replace

from cvlib.metrics.base import Context, Measurement, Shares

__all__ = [
    "first_attempt_shares",
    "first_attempts",
    "participant_logs",
    "task_measure",
    "task_pending",
    "task_rows",
    "task_scope",
    "task_segments",
]


def _in_attempt_order(rows):
    """``rows`` in the order of ``attempted_at`` when the column holds any value (ties and
    empty values keep file order, empty ones last), in file order otherwise."""
    if "attempted_at" in rows.columns and rows["attempted_at"].notna().any():
        return rows.sort_values("attempted_at", kind="stable", na_position="last")
    return rows


def _planned_participants(rows, h):
    """The after-phase participants (pairs, for a paired design) in the order of their first
    attempt."""
    order = rows.loc[rows["phase"] == "after", "participant_id"].drop_duplicates()
    if h.design == "paired":
        before = set(rows.loc[rows["phase"] == "before", "participant_id"])
        order = order[order.isin(before)]
    return order


def task_rows(ctx: Context, h):
    """The task_times rows of the hypothesis's task in the release, in attempt order
    (``None`` without the table); with ``planned_n``, only the first ``planned_n``
    after-phase participants (pairs) and, for an independent design, every before row."""
    tt = ctx.workspace.task_times
    if tt is None:
        return None
    rows = _in_attempt_order(tt[(tt["release_id"] == ctx.release_id) & (tt["task"] == h.task)])
    if h.planned_n is None:
        return rows
    keep = rows["participant_id"].isin(set(_planned_participants(rows, h).iloc[: h.planned_n]))
    if h.design != "paired":
        keep |= rows["phase"] == "before"
    return rows[keep]


def task_pending(ctx: Context, h) -> str | None:
    """Why a task study with ``planned_n`` is not decided yet, or ``None``."""
    if h.planned_n is None:
        return None
    tt = ctx.workspace.task_times
    rows = None if tt is None else tt[(tt["release_id"] == ctx.release_id) & (tt["task"] == h.task)]
    have = 0 if rows is None else len(_planned_participants(rows, h))
    if have >= h.planned_n:
        return None
    what = "pairs of participants" if h.design == "paired" else "participants after the release"
    return (
        f"{have} of {h.planned_n} planned {what}: the study is decided once, "
        "when all of them are in."
    )


def first_attempts(rows):
    """Each participant's first attempt in each phase (``rows`` in attempt order), and how
    many later attempts were left out."""
    first = rows.drop_duplicates(["participant_id", "phase"], keep="first")
    return first, int(len(rows) - len(first))


def task_measure(measure_rows):
    """:attr:`MetricSpec.measure` of a task metric: ``measure_rows(ctx, h, rows)`` on the
    study's rows, marked pending while a planned sample is being collected."""

    def measure(ctx, h) -> Measurement:
        found = measure_rows(ctx, h, task_rows(ctx, h))
        pending = task_pending(ctx, h)
        return found if pending is None else replace(found, pending=pending)

    return measure


def first_attempt_shares(rows, hit) -> tuple[Shares, Shares, int]:
    """After and before :class:`Shares` of participants whose first attempt is a ``hit``
    (``hit(rows) -> boolean Series``), and the later attempts left out."""
    first, dropped = first_attempts(rows)
    shares = []
    for phase in ("after", "before"):
        part = first[first["phase"] == phase]
        shares.append(Shares(int(hit(part).sum()), int(len(part))))
    return shares[0], shares[1], dropped


def participant_logs(rows, phase: str):
    """A Series by participant: the mean ln(seconds) of their completed attempts in ``phase``."""
    import numpy as np
    import pandas as pd

    done = rows[(rows["phase"] == phase) & rows["completed"] & rows["seconds"].notna()]
    logs = np.log(done["seconds"].to_numpy(dtype=float))
    return pd.Series(logs, index=done["participant_id"].to_numpy()).groupby(level=0).mean()


def task_segments(ctx: Context, h, measure_rows) -> list:
    """:attr:`MetricSpec.segments` of a task metric: ``measure_rows(ctx, h, rows)`` per segment."""
    rows = task_rows(ctx, h)
    if rows is None or rows.empty or "segment" not in rows.columns:
        return []
    return [
        (segment, measure_rows(ctx, h, rows[rows["segment"] == segment]))
        for segment in sorted(rows["segment"].dropna().unique())
    ]


def task_scope(h) -> str:
    """:attr:`MetricSpec.scope` of a task metric."""
    return f"of the task “{h.task}”"
