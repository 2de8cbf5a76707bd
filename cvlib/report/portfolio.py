"""Across releases: the portfolio view of output against outcome, read from the releases' summaries.

The portfolio works on ``summary.json`` structures (``ReleaseEvaluation.to_dict()``),
so it can be built from a report folder without evaluating anything again.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from cvlib.report.labels import VERDICT_LABEL, VERDICT_SYMBOL, grade_text, validated_by_grade
from cvlib.report.present import Fragment, feature_names, render
from cvlib.verdicts.designs import GRADES

__all__ = [
    "INTRO",
    "OVER_TIME",
    "RANKED",
    "TITLE",
    "features_ranked",
    "page_notebook",
    "portfolio_frame",
    "portfolio_table",
    "release_summaries",
]

#: The page's texts; ``notebooks/portfolio.ipynb`` (the analyst's view of the same
#: functions) says the same, a test checks.
TITLE = "# Value validation across releases"
INTRO = (
    "Output is what the team shipped (features, effort); outcome is the value customers got "
    "(features whose value hypotheses were all validated). This page puts the two side by "
    "side for every release, and ranks the features by the value they were shown to deliver."
)
OVER_TIME = "## Output against outcome over time"
RANKED = (
    "## Features ranked by validated value\n\n"
    "Features whose every hypothesis was validated come first, ordered by the money value and "
    "hours of customer time they save (validated time-on-task hypotheses only); features "
    "without a hypothesis are not listed (their value is not defined)."
)


def release_summaries(workspace, summaries_dir: str = "") -> list[dict]:
    """The ``summary.json`` of every release, in release order.

    With ``summaries_dir`` (a ``cvlib report`` folder) the summaries written
    by the release reports are read (releases without one are left out);
    without it every release is evaluated here.
    """
    out = []
    for release_id in workspace.releases["release_id"]:
        if summaries_dir:
            path = Path(summaries_dir) / release_id / "summary.json"
            if path.is_file():
                out.append(json.loads(path.read_text(encoding="utf-8")))
        else:
            from cvlib.verdicts import evaluate_release

            out.append(evaluate_release(workspace, release_id).to_dict())
    return out


def _grade(h: dict) -> str | None:
    """A summary hypothesis's evidence grade (``None`` in a summary written before grades)."""
    return (h.get("evidence") or {}).get("grade")


def portfolio_frame(summaries: list[dict]):
    """A row per release: output (features, effort), outcome (validated, rate, economic value),
    and the validated hypotheses by evidence grade (``validated_<grade>``, one column per grade
    of :data:`cvlib.verdicts.designs.GRADES`; 0 for a summary without evidence)."""
    import pandas as pd

    rows = []
    for s in summaries:
        card = s["scorecard"]
        econ = s.get("economic_value") or {}
        validated = [_grade(h) for h in s.get("hypotheses", ()) if h["verdict"] == "validated"]
        rows.append(
            {
                "release_id": s["release_id"],
                "released_on": s["released_on"],
                "features_shipped": card["features_shipped"],
                "effort_points": card.get("effort_points"),
                "features_validated": card["features_validated"],
                "value_delivery_rate": card["value_delivery_rate"],
                "hours_saved_per_year": econ.get("hours_saved_per_year"),
                "value_per_year": econ.get("value_per_year"),
                **{f"validated_{g}": validated.count(g) for g in GRADES},
            }
        )
    return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))


_FRAME_COLUMNS = (
    "release_id", "released_on", "features_shipped", "effort_points", "features_validated",
    "value_delivery_rate", "hours_saved_per_year", "value_per_year",
    *(f"validated_{g}" for g in GRADES),
)  # fmt: skip


def _none(value):
    try:
        return None if value is None or math.isnan(float(value)) else float(value)
    except TypeError:
        return None


def portfolio_table(frame, currency: str = "") -> Fragment:
    """The portfolio frame as an HTML table in human units, with the validated hypotheses
    counted by evidence grade."""
    rows = [
        {
            "release_id": r.release_id,
            "released_on": r.released_on,
            "features_shipped": r.features_shipped,
            "effort_points": _none(r.effort_points),
            "features_validated": r.features_validated,
            "value_delivery_rate": _none(r.value_delivery_rate),
            "hours_saved_per_year": _none(r.hours_saved_per_year),
            "value_per_year": _none(r.value_per_year),
            "by_grade": validated_by_grade(
                {g: int(getattr(r, f"validated_{g}", 0) or 0) for g in GRADES}
            ),
        }
        for r in frame.itertuples()
    ]
    return render("portfolio_table.html.j2", rows=rows, currency=currency)


def features_ranked(summaries: list[dict], workspace) -> Fragment:
    """Features ranked by validated value: validated hypotheses first, then money, hours saved;
    each hypothesis's verdict with its evidence grade."""
    names = feature_names(workspace)
    kinds = dict(
        zip(workspace.features["feature_id"], workspace.features["value_type"], strict=True)
    )
    features: dict = {}
    for s in summaries:
        for h in s["hypotheses"]:
            f = features.setdefault(
                h["feature_id"],
                {
                    "release_id": s["release_id"],
                    "validated": 0,
                    "hypotheses": 0,
                    "hours": 0.0,
                    "value": 0.0,
                    "verdicts": [],
                },
            )
            grade = grade_text(_grade(h))
            f["verdicts"].append(
                f"{h['id']}: {VERDICT_SYMBOL[h['verdict']]} {VERDICT_LABEL[h['verdict']]}"
                + (f" ({grade})" if grade else "")
            )
            f["hypotheses"] += 1
            f["validated"] += h["verdict"] == "validated"
            econ = h.get("economic_value") or {}
            f["hours"] += econ.get("hours_saved_per_year") or 0.0
            f["value"] += econ.get("value_per_year") or 0.0
    order = sorted(
        features.items(),
        key=lambda kv: (
            -(kv[1]["validated"] == kv[1]["hypotheses"]),
            -kv[1]["value"],
            -kv[1]["hours"],
            -kv[1]["validated"],
            kv[0],
        ),
    )
    rows = [
        dict(f, name=names.get(fid, fid), value_type=str(kinds.get(fid, "")).replace("_", " "))
        for fid, f in order
    ]
    return render("features_ranked.html.j2", rows=rows)


def page_notebook(workspace, summaries: list[dict], *, table_html: str | None = None):
    """The portfolio page as an executed notebook, built in this process without a kernel.

    Its cells are those of ``notebooks/portfolio.ipynb`` as the index shows them: the
    texts, the chart and table of output against outcome, the features ranked, from the
    releases' ``summaries`` (nothing is evaluated again); ``table_html`` (the release table
    of the index) goes after the introduction. The code cells have no source: the page
    is for reading (:func:`cvlib.report.html.export_html` hides code anyway).
    """
    import nbformat

    from cvlib.report.plots import portfolio_chart

    v4 = nbformat.v4

    def shown(obj):
        cell = v4.new_code_cell(source="")
        if hasattr(obj, "_repr_mimebundle_"):
            data, metadata = obj._repr_mimebundle_()
        else:
            data, metadata = {"text/html": obj._repr_html_(), "text/plain": repr(obj)}, {}
        cell.outputs = [v4.new_output("display_data", data=data, metadata=metadata)]
        return cell

    frame = portfolio_frame(summaries)
    cells = [v4.new_markdown_cell(f"{TITLE}\n\n{INTRO}")]
    if table_html is not None:
        cells.append(shown(Fragment(table_html)))
    cells += [
        v4.new_markdown_cell(OVER_TIME),
        shown(portfolio_chart(frame)),
        shown(portfolio_table(frame, workspace.settings.currency)),
        v4.new_markdown_cell(RANKED),
        shown(features_ranked(summaries, workspace)),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb
