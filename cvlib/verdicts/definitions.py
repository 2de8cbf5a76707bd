"""Pre-registered definitions: a hypothesis is judged by what it said before its data came in.

Each hypothesis's definition (:meth:`cvlib.Hypothesis.definition`: metric,
task, target, kind, margin, window, expected, planned_n, design) is written
to ``summary.json`` with the definition it was first reported under
(``registered_definition``). When the release's report is built again, each
definition is compared with the registered one of the previous
``summary.json``; any difference gives flag ``definition_changed`` and names
the old and new values. The registered definition is carried forward, so the
flag stays until the definition is changed back: moving a target after the
data are seen is visible in every later report.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

from cvlib.errors import CvlibWarning

__all__ = ["FLAG", "registered_definitions", "with_registered"]

FLAG = "definition_changed"


def registered_definitions(previous) -> dict:
    """Hypothesis id -> the registered definition in a previous ``summary.json``
    (a path, or its parsed content); empty when there is none or it cannot be read (with a
    :class:`~cvlib.errors.CvlibWarning` for a file that is not a summary)."""
    if previous is None or previous == "":
        return {}
    if isinstance(previous, str | Path):
        path = Path(previous)
        if not path.is_file():
            return {}
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warnings.warn(
                f"{path}: not a readable summary.json ({exc}); definitions are not compared",
                CvlibWarning,
                stacklevel=3,
            )
            return {}
    out = {}
    for h in previous.get("hypotheses") or () if isinstance(previous, dict) else ():
        if not isinstance(h, dict) or not isinstance(h.get("id"), str):
            continue
        found = h.get("registered_definition") or h.get("definition")
        if isinstance(found, dict):
            out[h["id"]] = found
    return out


def _changes(registered: dict, now: dict) -> tuple:
    keys = list(now) + [k for k in registered if k not in now]
    return tuple(
        (k, registered.get(k), now.get(k)) for k in keys if registered.get(k) != now.get(k)
    )


def with_registered(results, previous) -> list:
    """``results`` with their registered definitions, and flag ``definition_changed`` with the
    differences where the definition is not the registered one."""
    known = registered_definitions(previous)
    out = []
    for r in results:
        now = r.hypothesis.definition()
        first = known.get(r.hypothesis.id, now)
        changes = _changes(first, now)
        flags = r.flags + ((FLAG,) if changes else ())
        out.append(
            dataclasses.replace(
                r, registered_definition=first, definition_changes=changes, flags=flags
            )
        )
    return out
