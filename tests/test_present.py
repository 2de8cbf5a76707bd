"""HTML fragments from the Jinja templates: autoescaped, whatever the data hold; the evidence
grade beside every verdict."""

import dataclasses
import re

import pytest
from workspace_files import write_workspace

from cvlib.report import labels, portfolio, present
from cvlib.report.present import release_index_html
from cvlib.report.runner import _fallback_index
from cvlib.verdicts.designs import GRADES
from cvlib.verdicts.designs.before_after import CAVEAT as BEFORE_AFTER_CAVEAT
from cvlib.verdicts.results import Change

SCRIPT = "<script>alert(1)</script>"
ENTRY = {
    "release_id": "r1",
    "name": SCRIPT,
    "released_on": "2026-01-01",
    "status": "failed",
    "report": None,
    "summary": None,
    "scorecard": None,
    "generated_at": None,
    "error": "boom",
}


def test_release_index_escapes_names():
    table = release_index_html([ENTRY], product=SCRIPT)
    assert SCRIPT not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "<a href='r1.error.txt'>last run failed</a>" in table


def test_fallback_index_holds_the_table_and_the_escaped_reason():
    page = _fallback_index([ENTRY], SCRIPT, f"kernel died {SCRIPT}")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert SCRIPT not in page
    assert page.count("<table class='cvlib-index'>") == 1  # the table, not its escaped text
    assert "The portfolio could not be rendered: kernel died &lt;script&gt;" in page


def test_result_objects_show_as_escaped_tables():
    from cvlib.stats.results import Estimate

    table = Estimate(0.5, 0.4, 0.6, 10, 0.95, "wilson <b>")._repr_html_()
    assert "<th>ci_low</th>" in table and "<td>0.4</td>" in table
    assert "wilson &lt;b&gt;" in table and "<b>" not in table


# ------------------------------------------------------------------ the evidence behind verdicts
TIME_SERIES = {
    "pre_periods": 20,
    "window_periods": 4,
    "hac_lag": 2,
    "forecast": [20.0, 20.5, 21.0, 21.5],
    "placebo_count": 24,
    "placebo_p_value": 0.04,
    "before_after": {"estimate": 6.0, "ci_low": 2.0, "ci_high": 10.0, "p_value": 0.003},
    "overlapping_releases": ["2026.01", SCRIPT],
}
BEFORE_AFTER = {
    "placebo_change": {"estimate": 4.0, "ci_low": 1.0, "ci_high": 7.0, "p_value": 0.01},
    "real_minus_placebo": {"estimate": 2.5, "ci_low": -1.5, "ci_high": 6.5},
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """The small test workspace and its release 2026.02 (target only, before/after twice)."""
    import cvlib

    ws = cvlib.load_workspace(write_workspace(tmp_path_factory.mktemp("present") / "ws"))
    return ws, cvlib.evaluate_release(ws, "2026.02")


def _by_metric(ev, metric):
    return next(r for r in ev.hypotheses if r.hypothesis.metric == metric)


def _with(result, **changes):
    return dataclasses.replace(result, evidence=dataclasses.replace(result.evidence, **changes))


def test_every_grade_has_words_and_every_design_flag_a_text():
    assert set(labels.GRADE_LABEL) == set(GRADES) == set(labels.GRADE_BY)
    assert labels.grade_text("randomized") == "randomized holdout"
    assert labels.grade_text("before_after") == "before/after (association only)"
    for flag in ("placebo_change", "overlapping_release", "placebo_effects"):
        assert labels.flag_text(flag) != flag
        assert "_" not in labels.flag_text(flag)


def test_validated_counted_by_grade_strongest_first():
    counts = {"target_only": 2, "controlled_study": 2, "time_series": 1, None: 1}
    assert labels.validated_by_grade(counts) == (
        "6 validated: 1 by an interrupted time series, 2 by a controlled study, "
        "2 on the target alone, 1 without a recorded design"
    )
    assert (
        labels.validated_by_grade({"randomized": 3}) == "3 validated, all by a randomized holdout"
    )
    assert labels.validated_by_grade({}) == ""


def test_the_verdict_table_has_an_evidence_grade_in_every_row(evaluated):
    _ws, ev = evaluated
    table = present.verdict_table(ev).html
    assert "<th scope='col'>evidence</th>" in table
    cells = re.findall(r"<td class='cvlib-evidence'>([^<]*)</td>", table)
    assert len(cells) == len(ev.hypotheses) == 3
    assert cells == [labels.GRADE_LABEL[r.evidence.grade] for r in ev.hypotheses]
    assert "target only" in cells and "before/after (association only)" in cells


def test_a_before_after_section_gives_its_grade_caveat_placebo_and_overlapping_releases(evaluated):
    _ws, ev = evaluated
    result = _by_metric(ev, "nps")
    result = _with(result, diagnostics=dict(BEFORE_AFTER, overlapping_releases=[SCRIPT]))
    page = present.hypothesis_section(result, ev).html
    assert (
        "<p class='cvlib-evidence'>Evidence: <b>before/after (association only)</b> "
        "(design <code>before_after</code>). " + BEFORE_AFTER_CAVEAT + "</p>"
    ) in page
    assert "cannot separate the feature from anything else that changed over time" in page
    assert "Placebo window (the before window against the window before it" in page
    level = f"{ev.confidence_level:.0%} CI"  # the test workspace's: 90%
    assert f"+4.0 NPS points against before ({level} +1.0 to +7.0): improved." in page
    assert f"The change minus the placebo change: +2.5 NPS points ({level} -1.5 to +6.5)" in page
    assert "Another release inside the compared windows: &lt;script&gt;" in page
    assert SCRIPT not in page


def test_a_time_series_section_says_what_before_after_alone_would_and_its_placebo_dates(evaluated):
    _ws, ev = evaluated
    result = dataclasses.replace(
        _by_metric(ev, "nps"), change=Change(-1.0, -3.0, 1.0, 0.4, "unclear", "forecast")
    )
    result = _with(
        result,
        design="interrupted_time_series",
        grade="time_series",
        diagnostics=TIME_SERIES,
        caveat="The time series assumes the trend before the release would have gone on.",
    )
    page = present.hypothesis_section(result, ev).html
    assert (
        "Evidence: <b>interrupted time series</b> (design <code>interrupted_time_series</code>)"
        in page
    )
    assert "would have gone on.</p>" in page
    # the Change line is the design's effect, against the forecast rather than before
    change = re.search(r"<p>(Change[^<]*)</p>", page).group(1)
    assert change.startswith("Change against the forecast from the 20 periods before the release")
    assert "against before" not in change
    level = f"{ev.confidence_level:.0%} CI"
    assert (
        "<p>Before/after alone would say: +6.0 NPS points against before "
        f"({level} +2.0 to +10.0): improved.</p>"
    ) in page
    assert "the same estimate at 24 earlier dates without this release; p = 0.04" in page
    assert "Other releases inside the compared windows: 2026.01, &lt;script&gt;" in page
    few = _with(result, diagnostics=dict(TIME_SERIES, placebo_count=5, placebo_p_value=None))
    assert "5 earlier dates, too few for a placebo p-value (it needs 19)" in str(
        present.hypothesis_section(few, ev)
    )


def test_a_section_without_a_comparison_says_target_only_and_no_caveat(evaluated):
    _ws, ev = evaluated
    result = _by_metric(ev, "adoption")
    page = present.hypothesis_section(result, ev).html
    assert "Evidence: <b>target only</b> (design <code>none</code>).</p>" in page
    assert "Before/after alone" not in page and "Placebo" not in page


def test_the_executive_summary_counts_the_validated_by_grade(evaluated):
    _ws, ev = evaluated
    grades = ("time_series", "controlled_study", "controlled_study")
    hypotheses = tuple(
        _with(dataclasses.replace(r, verdict="validated"), grade=g)
        for r, g in zip(ev.hypotheses, grades, strict=True)
    )
    summary = present.executive_summary(dataclasses.replace(ev, hypotheses=hypotheses)).html
    assert (
        "<li>Evidence: 3 validated: 1 by an interrupted time series, 2 by a controlled study.</li>"
    ) in summary
    assert "Evidence:" not in present.executive_summary(ev).html  # nothing validated


def test_the_portfolio_shows_grades_and_renders_summaries_without_evidence(evaluated):
    ws, ev = evaluated
    summary = ev.to_dict()
    summary["hypotheses"][0]["verdict"] = "validated"
    frame = portfolio.portfolio_frame([summary])
    assert frame.loc[0, "validated_target_only"] == 1
    assert "<td class='cvlib-evidence'>1 validated, on the target alone</td>" in (
        portfolio.portfolio_table(frame).html
    )
    ranked = portfolio.features_ranked([summary], ws).html
    assert "H-dark-adoption: ✔ validated (target only)" in ranked
    assert "H-dark-nps: … insufficient data (before/after (association only))" in ranked
    old = json_copy(summary)
    for h in old["hypotheses"]:
        del h["evidence"]
    assert (
        "<td class='cvlib-evidence'>–</td>"
        in portfolio.portfolio_table(portfolio.portfolio_frame([old])).html
    )
    assert (
        "H-dark-adoption: ✔ validated; H-dark-nps: … insufficient data</td>"
        in portfolio.features_ranked([old], ws).html
    )


def json_copy(value):
    import json

    return json.loads(json.dumps(value))
