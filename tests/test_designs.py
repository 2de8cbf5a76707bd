"""Comparison designs end to end: the strongest design the data allow decides the change claim.

Workspaces are built here: NPS responses week by week from a known level (a
steady trend, or a step at the release), drawn with a fixed seed; a task
study; an adoption hypothesis. The statistics themselves are pinned to
published values in tests/test_timeseries.py; these tests check that the
verdict uses them: which design is chosen, that the claim reads its effect,
and the placebo and overlap checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import cvlib

RELEASE = dt.date(2026, 6, 1)  # a Monday; weekly periods end at the release


def _surveys(level, weeks_before=30, weeks_after=5, per_week=400, seed=7):
    """Responses of distinct users, ``per_week`` a week, the NPS of week ``k`` (k < 0 before
    the release) drawn around ``level(k)`` in points: promoters and detractors only."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(-weeks_before, weeks_after):
        p_promoter = (1 + level(k) / 100) / 2
        for i in range(per_week):
            day = RELEASE + dt.timedelta(days=7 * k + i % 7)
            score = 10 if rng.random() < p_promoter else 2
            rows.append((f"U{k + 100}-{i}", f"{day.isoformat()}T10:00:00Z", score))
    return rows


def _build(root: Path, hypotheses, surveys=(), releases=(), tasks=None) -> Path:
    releases = [("R1", RELEASE.isoformat()), *releases]
    files = {
        "workspace.yaml": "currency: EUR\nconfidence_level: 0.95\ntimezone: UTC\n"
        "data_through: 2026-08-31\nmultiplicity: none\n",
        "releases.csv": "release_id,name,released_on\n"
        + "".join(f"{r},Release {r},{d}\n" for r, d in releases),
        "features.csv": "feature_id,release_id,name,value_type\n"
        + "".join(f"F-{h['id']},R1,Feature,experience\n" for h in hypotheses),
        "hypotheses.yaml": "hypotheses:\n"
        + "".join(
            f"  - id: {h['id']}\n    feature_id: F-{h['id']}\n    statement: Better.\n"
            + "".join(f"    {k}: {v}\n" for k, v in h.items() if k != "id")
            for h in hypotheses
        ),
    }
    if surveys:
        files["surveys.csv"] = "response_id,user_id,submitted_at,score\n" + "".join(
            f"S{i},{u},{at},{s}\n" for i, (u, at, s) in enumerate(surveys)
        )
    if tasks is not None:
        files["task_times.csv"] = tasks
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _only(root: Path):
    (r,) = cvlib.evaluate_release(cvlib.load_workspace(root), "R1").hypotheses
    return r


NPS = {"metric": "nps", "target": -100 + 1, "window_days": 28}


def test_a_trend_without_a_release_effect_is_not_an_improvement(tmp_path):
    # NPS climbs 2.5 points a week, release or not: before/after sees a clear rise, the time
    # series forecasts it and finds no effect
    r = _only(_build(tmp_path / "ws", [{"id": "H", **NPS}], _surveys(lambda k: 2.5 * k)))
    e = r.evidence
    assert (e.design, e.grade) == ("interrupted_time_series", "time_series")
    naive = e.diagnostics["before_after"]
    assert naive["ci_low"] > 0  # before/after alone: "improved"
    assert e.effect.ci_low < 0 < e.effect.ci_high  # the time series: no effect
    assert r.change.estimate == pytest.approx(e.effect.estimate)  # the claim reads the design
    assert r.verdict != "validated"
    assert e.diagnostics["pre_periods"] >= 12
    assert "trend" in e.caveat


def test_a_step_at_the_release_is_found_by_the_time_series(tmp_path):
    r = _only(_build(tmp_path / "ws", [{"id": "H", **NPS}], _surveys(lambda k: 0 if k < 0 else 30)))
    e = r.evidence
    assert e.design == "interrupted_time_series"
    assert e.effect.ci_low > 10 and e.effect.ci_high < 50  # the true step is 30 points
    assert r.verdict == "validated"
    assert r.tests.change.p_value <= 0.025


def test_before_after_is_named_and_its_placebo_window_sees_the_trend(tmp_path):
    h = {"id": "H", **NPS, "comparison": "before_after"}
    r = _only(_build(tmp_path / "ws", [h], _surveys(lambda k: 2.5 * k)))
    e = r.evidence
    assert (e.design, e.grade) == ("before_after", "before_after")
    assert "cannot separate the feature" in e.caveat
    assert "placebo_change" in r.flags  # the window before already rose as much
    placebo = e.diagnostics["placebo_change"]
    assert placebo["ci_low"] > 0
    gap = e.diagnostics["real_minus_placebo"]
    assert gap["ci_low"] < 0 < gap["ci_high"]


def test_too_short_a_history_falls_back_to_before_after_or_waits_when_named(tmp_path):
    short = _surveys(lambda k: 10.0, weeks_before=8)
    auto = _only(_build(tmp_path / "auto", [{"id": "H", **NPS}], short))
    assert auto.evidence.design == "before_after"
    named = {"id": "H", **NPS, "comparison": "interrupted_time_series"}
    r = _only(_build(tmp_path / "named", [named], short))
    assert r.verdict == "insufficient_data"
    assert "12 whole periods" in r.reason


def test_other_releases_inside_the_windows_are_named(tmp_path):
    inside = ("R0", (RELEASE - dt.timedelta(days=10)).isoformat())  # in the before window
    later = ("R2", (RELEASE + dt.timedelta(days=50)).isoformat())  # after both windows
    h = {"id": "H", **NPS, "comparison": "before_after"}
    root = _build(tmp_path / "ws", [h], _surveys(lambda k: 10.0), releases=(inside, later))
    r = _only(root)
    assert "overlapping_release" in r.flags
    assert r.evidence.diagnostics["overlapping_releases"] == ["R0"]


def test_grades_of_a_task_study_and_of_a_target_alone(tmp_path):
    rows = ["release_id,task,participant_id,phase,seconds,completed"]
    rows += [f"R1,t,b{i},before,{100 + i},true" for i in range(8)]
    rows += [f"R1,t,a{i},after,{50 + i},true" for i in range(8)]
    hypotheses = [
        {"id": "T", "metric": "task_time", "task": "t", "target": 80},
        {"id": "L", "metric": "task_time", "task": "t", "target": 80, "kind": "level"},
    ]
    ws = cvlib.load_workspace(_build(tmp_path / "ws", hypotheses, tasks="\n".join(rows) + "\n"))
    got = {r.hypothesis.id: r.evidence for r in cvlib.evaluate_release(ws, "R1").hypotheses}
    assert (got["T"].design, got["T"].grade) == ("controlled_study", "controlled_study")
    assert got["T"].effect.estimate == pytest.approx(
        np.exp(np.mean(np.log(range(50, 58))) - np.mean(np.log(range(100, 108))))
    )
    assert (got["L"].design, got["L"].grade, got["L"].effect) == ("none", "target_only", None)
    summary = cvlib.evaluate_release(ws, "R1").to_dict()["hypotheses"][0]["evidence"]
    assert set(summary) == {"design", "grade", "effect", "diagnostics", "caveat"}


def test_a_named_holdout_is_not_replaced_by_another_design(tmp_path):
    h = {"id": "H", **NPS, "comparison": "holdout"}
    r = _only(_build(tmp_path / "ws", [h], _surveys(lambda k: 10.0)))
    assert r.verdict == "insufficient_data"
    assert "cannot be made: feature F-H has no user exposures in both groups" in r.reason
    assert r.evidence.grade == "randomized" and r.evidence.effect is None
