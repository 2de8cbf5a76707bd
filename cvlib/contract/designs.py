"""What a hypothesis's named comparison needs of the data: the exposures of a holdout.

``comparison: holdout`` compares the metric between the units of a feature's
treatment and holdout groups (``exposures``); until the feature has
exposures of the metric's unit in both groups, the hypothesis is a warning,
as a measurement still to come (:func:`comparison_warnings`).
"""

from __future__ import annotations

from cvlib.contract.hypotheses import HYPOTHESES_FILE
from cvlib.contract.problems import bounded
from cvlib.contract.tables import GROUPS, UNIT_OF_TABLE
from cvlib.errors import Problem

__all__ = ["EXPOSED", "and_", "comparison_warnings", "exposed"]

#: The columns of ``exposures`` that say which units of a feature are in which group.
EXPOSED = ("feature_id", "unit", "group")


def and_(words) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> and_(["treatment", "holdout"])
    'treatment and holdout'
    """
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def exposed(rows) -> dict | None:
    """Feature -> unit -> the groups it has exposures in, from the distinct rows of
    :data:`EXPOSED` (``None`` without exposures).

    Examples
    --------
    >>> found = exposed({("F1", "user", "treatment"), ("F1", "user", "holdout")})
    >>> sorted(found["F1"]["user"])
    ['holdout', 'treatment']
    """
    if rows is None:
        return None
    out: dict = {}
    for feature_id, unit, group in sorted(rows):
        out.setdefault(feature_id, {}).setdefault(unit, set()).add(group)
    return out


def comparison_warnings(hypotheses, exposed: dict | None, sources=None) -> list[Problem]:
    """Hypotheses naming ``comparison: holdout`` whose feature has no exposures of the
    metric's unit (:data:`~cvlib.contract.tables.UNIT_OF_TABLE`) in both groups yet, and
    hypotheses a holdout would judge whose table is on another engine than ``exposures``
    (one query joins the two).

    Parameters
    ----------
    hypotheses : list of Hypothesis
    exposed : dict or None
        Feature -> unit -> groups (:func:`exposed`); ``None`` without exposures.
    sources : dict of str to Source, optional
        The workspace's event-scale tables.

    Returns
    -------
    list of Problem
        One warning per such hypothesis, at the line where it starts.
    """
    out = []
    sources = sources or {}
    for h in hypotheses:
        spec = h.spec
        if spec.split is None or h.comparison not in ("auto", "holdout"):
            continue
        unit = UNIT_OF_TABLE[spec.table]
        units = (exposed or {}).get(h.feature_id, {})
        groups = units.get(unit, set())
        if set(GROUPS) <= groups:
            table, exposures = sources.get(spec.table), sources.get("exposures")
            if table is not None and exposures is not None:
                if table.engine_key != exposures.engine_key:
                    text = (
                        f"hypothesis {h.id}: its holdout comparison joins {table.display} with "
                        f"{exposures.display} in one query, so both must be on one engine "
                        "(declare them together under sources:); until then "
                        + (
                            "it is insufficient data"
                            if h.comparison == "holdout"
                            else "the next design judges it"
                        )
                    )
                    out.append(Problem(HYPOTHESES_FILE, h.line, None, bounded(text)))
            continue
        if h.comparison != "holdout":
            continue
        if groups:
            found = f"{and_(sorted(groups))} only"
        elif units:
            found = f"{and_(sorted(units))} exposures"
        else:
            found = "none yet"
        text = (
            f"hypothesis {h.id}: comparison holdout needs {unit} exposures of feature "
            f"{h.feature_id} in both groups ({and_(GROUPS)}), found {found}"
        )
        out.append(Problem(HYPOTHESES_FILE, h.line, None, bounded(text)))
    return out
