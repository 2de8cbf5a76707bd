"""The verdict rules on small workspaces whose answers are known by hand.

Each case below is one release (``R1``, released 2026-03-02, time zone UTC,
confidence level 0.95, so every claim is a one-sided test at alpha = 0.025)
written into a temporary folder and evaluated with ``cvlib.evaluate_release``.
Shares are built from counts ("60 of 100 before"); the expected verdicts follow
from the Wilson interval of the after share and the Miettinen-Nurminen interval
of the change, and the reference values come from statsmodels and scipy
(``multipletests``, ``test_proportions_2indep``, ``mannwhitneyu``), never from
the cvlib function under test.

Tolerance: 1e-9 relative for the multiplicity adjustment and for counts
derived by hand; 1e-6 where statsmodels computes the same score test by
another route.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests

import cvlib

ALPHA = 0.025  # (1 - 0.95) / 2
HOURLY_COST = 50.0
START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # attempts are spaced a minute apart


# ---------------------------------------------------------------- building workspaces
def attempt(task, pid, phase, completed=True, seconds=60.0, errors=0, at=None):
    """One row of task_times.csv (``at``: minutes after START; ``None``: file order)."""
    return {
        "task": task,
        "pid": pid,
        "phase": phase,
        "completed": completed,
        "seconds": seconds if completed else None,
        "errors": errors,
        "at": at,
    }


def shares(task, before, after):
    """Rows of a completion study: ``before`` and ``after`` are (completed, participants)."""
    rows = []
    for phase, (hits, n) in (("before", before), ("after", after)):
        if n:
            rows += [attempt(task, f"{task}-{phase}-{i}", phase, i < hits) for i in range(n)]
    return rows


def times(task, before, after, failed_after=0):
    """Rows of a task-time study from lists of seconds (all completed), plus failures after."""
    rows = [attempt(task, f"{task}-b{i}", "before", seconds=s) for i, s in enumerate(before)]
    rows += [attempt(task, f"{task}-a{i}", "after", seconds=s) for i, s in enumerate(after)]
    rows += [attempt(task, f"{task}-f{i}", "after", completed=False) for i in range(failed_after)]
    return rows


def hyp(hid, metric="completion_rate", **keys):
    """A hypothesis entry; ``task`` defaults to the id for the task metrics."""
    if metric != "nps":
        keys.setdefault("task", hid)
    return {"id": hid, "metric": metric, **keys}


def _yaml(hypotheses) -> str:
    out = ["hypotheses:"]
    for h in hypotheses:
        out += [f"  - id: {h['id']}", f"    feature_id: F-{h['id']}", "    statement: Better."]
        out += [f"    {k}: {v}" for k, v in h.items() if k != "id"]
    return "\n".join(out) + "\n"


def _task_csv(rows) -> str:
    lines = ["release_id,task,participant_id,phase,seconds,completed,errors,segment,attempted_at"]
    for i, r in enumerate(rows):
        if isinstance(r["at"], str):  # written as given
            at = r["at"]
        else:
            at = START + dt.timedelta(minutes=i if r["at"] is None else r["at"])
            at = at.isoformat().replace("+00:00", "Z")
        seconds = "" if r["seconds"] is None else r["seconds"]
        lines.append(
            f"R1,{r['task']},{r['pid']},{r['phase']},{seconds},{str(r['completed']).lower()},"
            f"{r['errors']},all,{at}"
        )
    return "\n".join(lines) + "\n"


def build(root: Path, hypotheses, tasks=(), surveys=None, multiplicity=None) -> Path:
    """Write a one-release workspace (a feature per hypothesis) into ``root``."""
    settings = (
        "currency: EUR\nhourly_cost: 50\nconfidence_level: 0.95\ntimezone: UTC\n"
        "data_through: 2026-05-31\n"
    )
    if multiplicity is not None:
        settings += f"multiplicity: {multiplicity}\n"
    features = "feature_id,release_id,name,value_type\n" + "".join(
        f"F-{h['id']},R1,Feature {h['id']},efficiency\n" for h in hypotheses
    )
    files = {
        "workspace.yaml": settings,
        "releases.csv": "release_id,name,released_on\nR1,Release one,2026-03-02\n",
        "features.csv": features,
        "hypotheses.yaml": _yaml(hypotheses),
    }
    if tasks:
        files["task_times.csv"] = _task_csv(tasks)
    if surveys is not None:
        files["surveys.csv"] = "response_id,user_id,submitted_at,score\n" + "".join(
            f"S{i},{user},{at},{score}\n" for i, (user, at, score) in enumerate(surveys)
        )
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8", newline="")
    return root


def ml_mean(seconds) -> float:
    """The maximum likelihood mean of a log-normal sample."""
    logs = np.log(np.asarray(seconds, dtype=float))
    return float(np.exp(logs.mean() + logs.var(ddof=0) / 2))


def evaluate(root: Path, **options):
    return cvlib.evaluate_release(cvlib.load_workspace(root), "R1", **options)


# ---------------------------------------------------------------- the cases
def _eight():
    """Two clear improvements among eight hypotheses: five with no change at the target and
    one with too few participants to be tested."""
    hs = [hyp("H-a", target=0.6), hyp("H-b", target=0.6)]
    rows = shares("H-a", (60, 100), (74, 100)) + shares("H-b", (60, 100), (74, 100))
    for i in range(5):
        hs.append(hyp(f"H-flat{i}", target=0.5))
        rows += shares(f"H-flat{i}", (50, 100), (50, 100))
    hs.append(hyp("H-untested", target=0.5))
    rows += shares("H-untested", (5, 10), (3, 3))
    return hs, rows


def _planned_35():
    """35 after participants, planned_n 30. The five who failed come first in the file but
    attempted last: the first 30 by attempted_at all completed."""
    rows = shares("H-planned", (50, 100), (0, 0))
    for i in range(5):
        rows.append(attempt("H-planned", f"late{i}", "after", False, at=1000 + i))
    for i in range(30):
        rows.append(attempt("H-planned", f"early{i}", "after", at=500 + i))
    return [hyp("H-planned", target=0.8, planned_n=30)], rows


def _first_attempts():
    """10 participants after. A1 fails then succeeds (its success is written first in the
    file, attempted later, and with offsets under which the text sorts the other way);
    A2 fails twice then succeeds; A3 succeeds then fails; A4..A10 succeed once. Before: 10
    participants, 5 complete, B0 tries twice."""
    t = "H-first"
    rows = [
        attempt(t, "A1", "after", True, at="2026-03-10T09:00:00-05:00"),  # 14:00Z
        attempt(t, "A1", "after", False, errors=2, at="2026-03-10T12:40:00+02:00"),  # 10:40Z
        attempt(t, "A2", "after", False, errors=1, at=101),
        attempt(t, "A2", "after", False, at=301),
        attempt(t, "A2", "after", True, at=302),
        attempt(t, "A3", "after", True, at=102),
        attempt(t, "A3", "after", False, errors=3, at=303),
    ]
    rows += [attempt(t, f"A{i}", "after", at=100 + i) for i in range(4, 11)]
    rows += [attempt(t, f"B{i}", "before", i < 5, at=i) for i in range(10)]
    rows.append(attempt(t, "B0", "before", False, at=50))
    hs = [hyp(t, target=0.5), hyp("H-first-errors", "error_rate", task=t, target=0.5)]
    return hs, rows


# NPS: release 2026-03-02, 30-day window [2026-03-02, 2026-04-01) UTC, the same before it
NPS_AFTER_LATEST = {f"U{i:02d}": s for i, s in enumerate([9, 10, 8, 7, 3, 6] * 4)}  # 24 users
NPS_EARLIER = [  # earlier responses in the window by users who answered again
    ("U00", "2026-03-03T10:00:00Z", 0),
    ("U00", "2026-03-04T10:00:00Z", 5),
    ("U01", "2026-03-05T10:00:00Z", 2),
    ("U04", "2026-03-06T10:00:00Z", 10),
]


def _surveys():
    rows = list(NPS_EARLIER)
    rows += [
        (u, f"2026-03-{20 + i % 8}T12:00:00Z", s)
        for i, (u, s) in enumerate(NPS_AFTER_LATEST.items())
    ]
    rows += [(f"U{i:02d}", "2026-02-10T12:00:00Z", 6 + i % 5) for i in range(22)]  # before
    rows.append(("U00", "2026-02-09T12:00:00Z", 1))  # U00 answers twice before, too
    rows.append(("U03", "2026-04-01T00:00:00Z", 0))  # release + 30 days: outside the window
    return rows


NI = {"kind": "non_inferiority", "margin": 0.05, "target": 0.6}

CASES = {
    "worse": lambda: ([hyp("H-worse", target=0.7)], shares("H-worse", (90, 100), (70, 100))),
    "eight_none": _eight,
    "eight_holm": _eight,
    "eight_bh": _eight,
    "settle": lambda: (
        [
            hyp("H-settle", target=0.6, expected=0.7),
            hyp("H-never", target=0.6, expected=0.55),
            hyp("H-undeclared", target=0.6),
        ],
        shares("H-settle", (5, 10), (14, 20))
        + shares("H-never", (50, 100), (62, 100))
        + shares("H-undeclared", (50, 100), (62, 100)),
    ),
    "ni_validated": lambda: ([hyp("H-ni", **NI)], shares("H-ni", (150, 200), (160, 200))),
    "ni_inconclusive": lambda: ([hyp("H-ni", **NI)], shares("H-ni", (150, 200), (150, 200))),
    "ni_not_validated": lambda: ([hyp("H-ni", **NI)], shares("H-ni", (180, 200), (140, 200))),
    "level": lambda: (
        [
            hyp("H-level-share", kind="level", target=0.7),
            hyp("H-level-time", "task_time", kind="level", target=120),
        ],
        shares("H-level-share", (10, 20), (19, 20))
        + times("H-level-time", [200, 210, 190, 220, 205], [80, 85, 90, 75, 82]),
    ),
    "planned_12": lambda: (
        [hyp("H-planned", target=0.7, expected=0.9, planned_n=30)],
        shares("H-planned", (50, 100), (11, 12)),
    ),
    "planned_35": _planned_35,
    "first": _first_attempts,
    "nps": lambda: ([hyp("H-nps", "nps", target=0)], (), _surveys()),
    "failed": lambda: (
        [
            hyp("H-fail", "task_time", target=120),
            hyp("H-clean", "task_time", target=120),
        ],
        times("H-fail", [200, 210, 190, 220, 205], [80, 85, 90, 75, 82, 95], failed_after=2)
        + times("H-clean", [200, 210, 190, 220, 205], [80, 85, 90, 75, 82]),
    ),
    "economic": lambda: (
        [
            hyp("H-slow", "task_time", task="slow", target=60, tasks_per_month=1000),
            hyp(
                "H-slow-level",
                "task_time",
                task="slow",
                kind="level",
                target=200,
                tasks_per_month=1000,
            ),
        ],
        times("slow", [100, 110, 90, 105, 95], [150, 160, 140, 155, 145]),
    ),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Case name -> its ReleaseEvaluation."""
    out = {}
    for name, make in CASES.items():
        hs, rows, *rest = make()
        multiplicity = name.removeprefix("eight_") if name.startswith("eight_") else None
        root = build(
            tmp_path_factory.mktemp(name) / "ws", hs, rows, *rest, multiplicity=multiplicity
        )
        out[name] = evaluate(root)
    return out


def one(ev, hid):
    """The summary.json entry and the result of hypothesis ``hid``."""
    (r,) = [r for r in ev.hypotheses if r.hypothesis.id == hid]
    return r.to_dict(), r


# ---------------------------------------------------------------- worse than before
def test_significantly_worse_is_not_validated_even_at_the_target(cases):
    d, r = one(cases["worse"], "H-worse")
    assert d["verdict"] == "not_validated"
    assert re.search(r"worse than before", d["reason"], re.I)
    assert d["tests"]["worse"]["p_value"] <= ALPHA
    assert d["ci_low"] < 0.7 < d["ci_high"]  # the target alone would be inconclusive
    # Miettinen-Nurminen score test of p_after - p_before >= 0 (statsmodels: method "score")
    ref = sm_proportion.test_proportions_2indep(
        70, 100, 90, 100, value=0, method="score", compare="diff", alternative="smaller"
    )
    assert d["tests"]["worse"]["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)


# ---------------------------------------------------------------- multiplicity
def test_each_hypothesis_on_its_own_validates_both_improvements(cases):
    ev = cases["eight_none"]
    for hid in ("H-a", "H-b"):
        d, _ = one(ev, hid)
        assert d["verdict"] == "validated", d["reason"]
        assert d["p_value"] <= ALPHA
        assert d["p_value_adjusted"] == d["p_value"]
        assert d["multiplicity"] == {"method": "none", "family_size": 8}


@pytest.mark.parametrize(
    ("case", "method", "label"),
    [("eight_holm", "holm", "Holm"), ("eight_bh", "fdr_bh", "Benjamini-Hochberg")],
)
def test_the_adjustment_takes_the_validations_away(cases, case, method, label):
    ev = cases[case]
    family = [1.0 if r.p_value is None else r.p_value for r in ev.hypotheses]
    reference = multipletests(family, alpha=2 * ALPHA, method=method)[1]
    for r, want in zip(ev.hypotheses, reference, strict=True):
        d = r.to_dict()
        assert d["multiplicity"] == {"method": case.removeprefix("eight_"), "family_size": 8}
        if d["p_value"] is None:
            assert d["p_value_adjusted"] is None
        else:
            assert d["p_value_adjusted"] == pytest.approx(want, rel=1e-9)
    for hid in ("H-a", "H-b"):
        d, _ = one(ev, hid)
        assert d["p_value"] <= ALPHA < d["p_value_adjusted"]
        assert d["verdict"] == "inconclusive"
        pattern = (
            rf"^Meets the target and improves, but not after adjusting for the 8 hypotheses "
            rf"of this release: {label}-adjusted p = {d['p_value_adjusted']:.2g}\.$"
        )
        assert re.match(pattern, d["reason"]), d["reason"]
        # segments are judged unadjusted and say so: the one segment holds every row
        (segment,) = d["segments"]
        assert segment["exploratory"] is True
        assert (segment["verdict"], segment["p_value"]) == ("validated", d["p_value"])


def test_an_untested_sibling_counts_in_the_family(cases):
    for case in ("eight_none", "eight_holm", "eight_bh"):
        d, _ = one(cases[case], "H-untested")
        assert d["verdict"] == "insufficient_data"
        assert (d["p_value"], d["p_value_adjusted"], d["tests"]) == (None, None, None)
        assert d["multiplicity"]["family_size"] == 8


def test_the_hypothesis_p_value_is_the_largest_of_its_claims(cases):
    d, _ = one(cases["eight_none"], "H-a")
    tests = d["tests"]
    assert d["p_value"] == max(tests["target"]["p_value"], tests["change"]["p_value"])
    # Wilson score test of 74/100 against 0.6, by hand
    z = (0.74 - 0.6) / math.sqrt(0.6 * 0.4 / 100)
    assert tests["target"]["p_value"] == pytest.approx(stats.norm.sf(z), rel=1e-9)


def test_p_values_agree_with_the_intervals_for_every_claim(cases):
    checked = 0
    for ev in cases.values():
        for r in ev.hypotheses:
            if r.tests is None:
                continue
            for claim in (r.tests.target, r.tests.change, r.tests.worse):
                if claim is None or claim.p_value is None:
                    continue
                checked += 1
                where = f"{r.hypothesis.id} {claim.name}: p = {claim.p_value}"
                assert (claim.p_value <= ALPHA) == claim.shown, where
    assert checked >= 40


# A target at the edge of the metric's range: the interval is clipped to that edge whatever the
# data, so touching it does not meet the target (the test's p-value is above alpha there).
@pytest.mark.parametrize("case", ["no completions", "every attempt an error", "all detractors"])
def test_a_target_at_the_edge_of_the_range_keeps_the_duality(tmp_path, case):
    surveys, rows = None, ()
    if case == "no completions":  # target 0: at least no one completes
        h = hyp("H-edge", kind="level", target=0.0)
        rows = shares("H-edge", (0, 0), (0, 10))
    elif case == "every attempt an error":  # target 1: at most everyone has an error
        h = hyp("H-edge", "error_rate", kind="level", target=1.0)
        rows = [attempt("H-edge", f"p{i}", "after", errors=1) for i in range(10)]
    else:  # NPS target -100: at least all detractors
        h = hyp("H-edge", "nps", kind="level", target=-100)
        surveys = [(f"V{i}", "2026-03-10T10:00:00Z", 0) for i in range(25)]
    ev = evaluate(build(tmp_path / "ws", [h], rows, surveys, multiplicity="none"))
    (r,) = ev.hypotheses
    assert (r.tests.target.p_value <= ALPHA) == r.tests.target.shown
    assert r.verdict != "validated" or r.p_value <= ALPHA


# ---------------------------------------------------------------- planning
def test_a_before_sample_too_small_for_the_expected_change_is_not_settleable(cases):
    d, _ = one(cases["settle"], "H-settle")
    assert d["verdict"] == "inconclusive"
    assert "not_settleable" in d["flags"]
    assert d["needed_n"] is None
    assert re.search(r"\b10 participants before the release\b", d["planning_reason"])
    assert re.search(r"no amount of data", d["planning_reason"])


def test_an_expected_value_short_of_the_target_is_not_settleable(cases):
    d, _ = one(cases["settle"], "H-never")
    assert d["verdict"] == "inconclusive"
    assert "not_settleable" in d["flags"]
    assert d["needed_n"] is None
    assert re.search(r"target is not met.*no amount of data", d["planning_reason"])


def test_without_expected_there_is_no_plan(cases):
    d, _ = one(cases["settle"], "H-undeclared")
    assert d["verdict"] == "inconclusive"
    assert d["needed_n"] is None
    assert "not_settleable" not in d["flags"]
    assert re.search(r"Declare `expected:`", d["planning_reason"])


# ---------------------------------------------------------------- non-inferiority
@pytest.mark.parametrize(
    ("case", "verdict", "pattern"),
    [
        ("ni_validated", "validated", None),
        ("ni_inconclusive", "inconclusive", r"cannot rule out.*worse.*more than the margin"),
        ("ni_not_validated", "not_validated", r"worse than before.*more than the margin"),
    ],
)
def test_non_inferiority_with_a_margin_of_five_points(cases, case, verdict, pattern):
    d, _ = one(cases[case], "H-ni")
    assert d["verdict"] == verdict, d["reason"]
    assert d["ci_low"] >= 0.6  # the target is met in all three
    assert (d["tests"]["change"]["null"], d["tests"]["worse"]["null"]) == (-0.05, -0.05)
    if pattern is None:
        assert d["reason"] is None
        assert d["change"]["ci_low"] > -0.05
    else:
        assert re.search(pattern, d["reason"], re.I | re.S), d["reason"]
        assert re.search(r"5 percentage points", d["reason"])
    if verdict == "not_validated":
        assert d["tests"]["worse"]["p_value"] <= ALPHA


# ---------------------------------------------------------------- kinds
@pytest.mark.parametrize("hid", ["H-level-share", "H-level-time"])
def test_a_level_hypothesis_makes_no_change_claim(cases, hid):
    d, r = one(cases["level"], hid)
    assert d["before"] is not None and d["change"] is not None  # the before is measured
    assert (r.tests.change, r.tests.worse) == (None, None)
    assert (d["tests"]["change"], d["tests"]["worse"]) == (None, None)
    assert d["p_value"] == d["tests"]["target"]["p_value"]
    assert d["verdict"] == "validated", d["reason"]


# ---------------------------------------------------------------- planned sample
def test_a_planned_study_waits_for_its_participants(cases):
    d, _ = one(cases["planned_12"], "H-planned")
    assert d["verdict"] == "insufficient_data"
    assert re.search(r"\b12 of 30 planned participants", d["reason"])
    assert isinstance(d["needed_n"], int) and d["needed_n"] > 0


def test_a_planned_study_is_decided_on_its_first_participants_in_attempt_order(cases, tmp_path):
    d, _ = one(cases["planned_35"], "H-planned")
    assert (d["n"], d["estimate"]) == (30, 1.0)  # the 30 who attempted first all completed
    assert d["verdict"] == "validated", d["reason"]
    # the same study on all 35 participants, or on the first 30 rows of the file, is not
    hs, rows = _planned_35()
    hs[0].pop("planned_n")
    everyone = one(evaluate(build(tmp_path / "all", hs, rows)), "H-planned")[0]
    assert (everyone["n"], everyone["verdict"]) == (35, "inconclusive")
    hs, rows = _planned_35()
    for r in rows:
        r["at"] = None  # attempted in file order: the five failures are among the first 30
    first_in_file = one(evaluate(build(tmp_path / "file", hs, rows)), "H-planned")[0]
    assert (first_in_file["n"], first_in_file["estimate"]) == (30, 25 / 30)
    assert first_in_file["verdict"] == "inconclusive"
    # the planned study is complete: a plan can only be for a repeat study
    hs[0]["expected"] = 0.95
    complete = one(evaluate(build(tmp_path / "expected", hs, rows)), "H-planned")[0]
    assert complete["needed_n"] is None
    assert re.search(r"planned study is complete: a repeat study", complete["planning_reason"])


# ---------------------------------------------------------------- units of analysis
def test_task_rates_count_each_participants_first_attempt(cases):
    d, _ = one(cases["first"], "H-first")
    assert (d["n"], d["estimate"]) == (10, 0.8)  # A1, A2 failed first; A3 succeeded first
    assert d["before"] == {"estimate": 0.5, "n": 10}
    assert d["dropped"] == 5  # A1: 1, A2: 2, A3: 1, B0: 1
    assert re.search(r"later attempts", d["dropped_what"])
    errors, _ = one(cases["first"], "H-first-errors")
    assert (errors["n"], errors["estimate"], errors["dropped"]) == (10, 0.2, 5)


def test_nps_counts_each_users_latest_response_in_the_window(cases):
    d, _ = one(cases["nps"], "H-nps")
    scores = list(NPS_AFTER_LATEST.values())
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    assert d["n"] == len(scores) == 24
    assert d["estimate"] == pytest.approx(100 * (promoters - detractors) / 24, rel=1e-9)
    assert d["dropped"] == len(NPS_EARLIER) == 4
    assert d["before"]["n"] == 22  # U00's two responses before the release count once


# ---------------------------------------------------------------- task time
def test_failed_attempts_give_a_worst_rank_sensitivity(cases):
    d, _ = one(cases["failed"], "H-fail")
    assert "failed_attempts" in d["flags"]
    s = d["sensitivity"]
    assert 0.0 <= s["probability"] <= 1.0
    assert (s["failed_before"], s["failed_after"], s["n_after"]) == (0, 2, 8)
    # P(after better) + P(tie) / 2 with failures ranked worse than every time: scipy's U of
    # the before group counts the pairs where before is slower, ties a half
    before = [200, 210, 190, 220, 205]
    after = [80, 85, 90, 75, 82, 95, math.inf, math.inf]
    u = stats.mannwhitneyu(before, after).statistic
    assert s["probability"] == pytest.approx(u / (len(before) * len(after)), rel=1e-9)
    clean, _ = one(cases["failed"], "H-clean")
    assert "failed_attempts" not in clean["flags"]
    assert clean["sensitivity"] is None


def test_economic_value_of_a_task_time_hypothesis_not_validated(cases):
    ev = cases["economic"]
    d, _ = one(ev, "H-slow")
    assert d["verdict"] == "not_validated"
    # seconds saved: the difference of the maximum likelihood log-normal means
    # exp(mean(ln t) + var(ln t, ddof=0) / 2) (cvlib.stats.lognormal.mean_difference)
    hours = (ml_mean([100, 110, 90, 105, 95]) - ml_mean([150, 160, 140, 155, 145])) * 1000 / 300
    value = d["economic_value"]
    assert value["hours_saved_per_year"] == pytest.approx(hours, rel=1e-9)
    assert value["value_per_year"] == pytest.approx(hours * HOURLY_COST, rel=1e-9)
    assert value["ci_low"] <= hours <= value["ci_high"]


def test_a_task_measured_twice_is_valued_once_in_the_release_total(cases):
    ev = cases["economic"]
    first, _ = one(ev, "H-slow")
    second, _ = one(ev, "H-slow-level")
    assert second["economic_value"] is not None
    total = ev.to_dict()["economic_value"]
    for key in ("hours_saved_per_year", "ci_low", "ci_high", "value_per_year"):
        assert total[key] == pytest.approx(first["economic_value"][key], rel=1e-9), key
    assert total["currency"] == "EUR"


# ---------------------------------------------------------------- registered definitions
def test_a_changed_target_is_flagged_and_the_registration_sticks(tmp_path):
    rows = shares("H-def", (50, 100), (70, 100))
    registered = evaluate(build(tmp_path / "v1", [hyp("H-def", target=0.5)], rows)).to_dict()
    (entry,) = registered["hypotheses"]
    assert entry["registered_definition"]["target"] == 0.5
    assert "definition_changed" not in entry["flags"]

    moved = build(tmp_path / "v2", [hyp("H-def", target=0.6)], rows)
    second = evaluate(moved, previous=registered).to_dict()
    (entry,) = second["hypotheses"]
    assert "definition_changed" in entry["flags"]
    assert entry["definition_changes"] == [{"key": "target", "registered": 0.5, "now": 0.6}]
    assert entry["registered_definition"]["target"] == 0.5
    assert entry["definition"]["target"] == 0.6

    # again, from the second report (as a file): the flag and the registration stay
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(second), encoding="utf-8")
    third = evaluate(moved, previous=path).to_dict()
    (entry,) = third["hypotheses"]
    assert "definition_changed" in entry["flags"]
    assert entry["definition_changes"] == [{"key": "target", "registered": 0.5, "now": 0.6}]
    assert entry["registered_definition"]["target"] == 0.5

    # moved back to the registered target: nothing to flag
    back = build(tmp_path / "v3", [hyp("H-def", target=0.5)], rows)
    (entry,) = evaluate(back, previous=third).to_dict()["hypotheses"]
    assert ("definition_changed" in entry["flags"], entry["definition_changes"]) == (False, [])
    # a summary that does not exist is no previous report
    (entry,) = evaluate(moved, previous=tmp_path / "missing.json").to_dict()["hypotheses"]
    assert entry["registered_definition"]["target"] == 0.6


# ---------------------------------------------------------------- edge cases a reader found
def test_expected_before_any_data_is_insufficient_with_a_plan_reason(tmp_path):
    # a task with no rows yet, and an NPS window without responses: nothing to plan with
    other = times("other", [60] * 6, [50] * 6)
    h_time = hyp("T", "task_time", target=100, expected=50)
    h_nps = hyp("N", "nps", target=10, expected=30)
    surveys = [("U1", "2026-02-01T10:00:00Z", 9)]
    ev = evaluate(build(tmp_path / "ws", [h_time, h_nps], other, surveys))
    for r in ev.hypotheses:
        assert r.verdict == "insufficient_data", r.hypothesis.id
        assert r.needed_n is None and r.planning.reason, r.hypothesis.id


def test_an_nps_margin_beyond_100_points_plans_normally(tmp_path):
    # before and after alike (10/10/10): a 150-point margin is easily shown not worse
    surveys = [(f"B{i}", "2026-02-10T10:00:00Z", s) for i, s in enumerate([10, 8, 0] * 10)]
    surveys += [(f"A{i}", "2026-03-10T10:00:00Z", s) for i, s in enumerate([10, 8, 0] * 10)]
    h = hyp("N", "nps", target=-50, kind="non_inferiority", margin=150, expected=10)
    (r,) = evaluate(build(tmp_path / "ws", [h], surveys=surveys)).hypotheses
    assert "not_settleable" not in r.flags
    assert r.planning is None or "no amount of data" not in (r.planning.reason or "")


def test_segments_wait_for_a_planned_study_too(tmp_path):
    rows = shares("P", (20, 40), (15, 15))
    (r,) = evaluate(build(tmp_path / "ws", [hyp("P", target=0.5, planned_n=30)], rows)).hypotheses
    assert r.verdict == "insufficient_data"
    assert r.segments and all(s.verdict == "insufficient_data" for s in r.segments)
    assert all("15 of 30" in s.reason for s in r.segments)


def test_failed_attempts_are_flagged_without_a_before_phase(tmp_path):
    rows = [attempt("T", f"a{i}", "after", seconds=50.0) for i in range(5)]
    rows += [attempt("T", f"f{i}", "after", completed=False, seconds=None) for i in range(5)]
    h = hyp("T", "task_time", target=100, kind="level")
    (r,) = evaluate(build(tmp_path / "ws", [h], rows)).hypotheses
    assert "failed_attempts" in r.flags


def test_a_saving_without_spread_is_still_valued(tmp_path):
    # every pair exactly 10 s faster: the bootstrap distribution is that one value
    rows = [attempt("T", f"p{i}", "before", seconds=60.0 + i) for i in range(8)]
    rows += [attempt("T", f"p{i}", "after", seconds=50.0 + i) for i in range(8)]
    h = hyp("T", "task_time", target=100, design="paired", tasks_per_month=100)
    (r,) = evaluate(build(tmp_path / "ws", [h], rows)).hypotheses
    hours = 10 * 100 * 12 / 3600
    e = r.economic_value
    assert (e.hours_saved_per_year, e.ci_low, e.ci_high) == pytest.approx((hours,) * 3)
