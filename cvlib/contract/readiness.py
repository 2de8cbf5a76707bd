"""Warnings on a loaded workspace: hypotheses that cannot be measured yet, tasks valued twice.

They are warnings, not problems: the workspace loads, and the report says
which hypotheses wait for data (:func:`measurement_warnings`).
"""

from __future__ import annotations

from cvlib.contract.hypotheses import HYPOTHESES_FILE
from cvlib.contract.problems import bounded
from cvlib.contract.tables import TABLES
from cvlib.errors import Problem

__all__ = ["measurement_warnings", "valued_twice"]


def measurement_warnings(ws, frames: dict) -> list[Problem]:
    """Hypotheses whose data is not there yet: no task rows, or no data on or after the release."""
    released = dict(zip(ws.releases["release_id"], ws.releases["released_at"], strict=True))
    release_of = dict(zip(ws.features["feature_id"], ws.features["release_id"], strict=True))
    out = []
    for h in ws.hypotheses:
        spec = h.spec
        release_id = release_of.get(h.feature_id)
        start = released.get(release_id)
        where = (HYPOTHESES_FILE, h.line, None)
        if spec.needs_task:
            rows = frames.get(spec.table)
            if (
                rows is None
                or not ((rows["release_id"] == release_id) & (rows["task"] == h.task)).any()
            ):
                text = (
                    f"hypothesis {h.id}: no {spec.table} rows yet for task {h.task!r} "
                    f"in release {release_id}"
                )
                out.append(Problem(*where, text))
            continue
        if not spec.data_after_release:
            continue
        column = TABLES[spec.table].time_columns[0]
        prof = ws.profiles.get(spec.table)
        latest = prof.latest.get(column) if prof is not None else None
        if latest is None or start is None or latest < start.to_pydatetime():
            out.append(
                Problem(
                    *where,
                    f"hypothesis {h.id}: no {spec.table} on or after the release date "
                    f"of {release_id} yet",
                )
            )
    out.extend(valued_twice(ws.hypotheses, release_of))
    return [Problem(p.file, p.line, p.column, bounded(p.message)) for p in out]


def valued_twice(hypotheses, release_of: dict) -> list[Problem]:
    """Hypotheses that value the same task of a release with different ``tasks_per_month``
    (the task is valued once, by the first of them)."""
    first: dict = {}
    out = []
    for h in hypotheses:
        if h.spec.saving is None or h.tasks_per_month is None:
            continue
        key = (release_of.get(h.feature_id), h.task)
        earlier = first.setdefault(key, h)
        if earlier is not h and earlier.tasks_per_month != h.tasks_per_month:
            out.append(
                Problem(
                    HYPOTHESES_FILE,
                    h.line,
                    "tasks_per_month",
                    f"hypothesis {h.id}: task {h.task!r} of release {key[0]} is valued once, "
                    f"with the tasks_per_month of {earlier.id} ({earlier.tasks_per_month:g}), "
                    f"not this one ({h.tasks_per_month:g})",
                )
            )
    return out
