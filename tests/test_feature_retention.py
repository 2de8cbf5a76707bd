"""feature_retention on a workspace whose every count is known by hand.

Release 2026.02 of the base workspace takes effect at 00:00 on 2026-02-16 in
Europe/Berlin; with ``window_days: 7`` the first window is [02-16, 02-23) and
the second [02-23, 03-02), so the measurement is complete when data_through is
2026-03-01 (released_on + 2w - 1). Confidence level 0.9 (the base workspace's).

Users of the events below, by design:

- a01..a15 use F-dark-mode in the first week and again in the second: retained;
- a16 uses it again at 03-02 00:00, the first instant after the second window: not;
- a17 uses it again at 03-01 23:59:59, the last second of it: retained;
- a19..a22 use it once, in the first week: not retained;
- b01 uses it only in the second week, c01 the day before the release and in the
  second week: not adopters (a18 has no events);
- d01 only logs in.

So 21 adopters, 16 retained. Segments: a01..a10 are smb and the others ent,
except a05, whose first event in the window (a login) is ent although the use
is smb: adopters count in the segment of their first event in the window, so
smb has 9 adopters, all retained, and ent 12, of whom 7 are retained.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from workspace_files import WORKSPACE_YAML, problem_at, problems_of, write_workspace

import cvlib
from cvlib import metrics

FEATURE = "F-dark-mode"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

HYPOTHESIS = """\
hypotheses:
  - id: H-dark-retention
    feature_id: F-dark-mode
    statement: Users who switch to dark mode keep it on.
    metric: feature_retention
    target: 0.5
    window_days: 7
"""


def _day(day: int, clock: str = "10:00:00") -> str:
    """A local timestamp ``day`` days after 2026-02-16 (in February or March, +01:00)."""
    month, dom = (2, 16 + day) if day < 13 else (3, day - 12)
    return f"2026-{month:02d}-{dom:02d}T{clock}+01:00"


def _events(adopters: range | None = None) -> str:
    rows = ["timestamp,user_id,event,segment"]

    def use(day, user, seg, clock="10:00:00", event=FEATURE):
        rows.append(f"{_day(day, clock)},{user},{event},{seg}")

    for i in adopters or range(1, 23):
        if i == 18:
            continue
        user = f"a{i:02d}"
        seg = "smb" if i <= 10 else "ent"
        if i == 5:
            use(0, user, "ent", "08:00:00", event="login")
        use(i % 7, user, seg)
        if i <= 15:
            use(7 + i % 7, user, seg)
        elif i == 16:
            use(14, user, seg, "00:00:00")
        elif i == 17:
            use(13, user, seg, "23:59:59")
    use(8, "b01", "smb")
    rows.append(f"2026-02-15T23:59:59+01:00,c01,{FEATURE},smb")
    use(9, "c01", "smb")
    use(2, "d01", "smb", event="login")
    use(20, "d01", "smb", event="login")  # data reach past the second window
    return "\n".join(rows) + "\n"


def _workspace(tmp_path, *, data_through="2026-03-01", adopters=None):
    root = write_workspace(
        tmp_path / "ws",
        {
            "workspace.yaml": WORKSPACE_YAML + f"data_through: {data_through}\n",
            "hypotheses.yaml": HYPOTHESIS,
            "events.csv": _events(adopters),
        },
    )
    return cvlib.load_workspace(root)


def _result(ws):
    (result,) = cvlib.evaluate_release(ws, "2026.02").hypotheses
    return result


def test_counts_adopters_and_their_return(tmp_path):
    r = _result(_workspace(tmp_path))
    assert (r.after.n, round(r.after.estimate * r.after.n)) == (21, 16)
    assert r.after.estimate == 16 / 21
    # statsmodels 0.15.0: proportion_confint(16, 21, alpha=0.1, method="wilson")
    # -> (0.5850520716907942, 0.8789744131396818)
    assert r.after.ci_low == pytest.approx(0.5850520716907942, abs=1e-12)
    assert r.after.ci_high == pytest.approx(0.8789744131396818, abs=1e-12)
    assert r.verdict == "validated"
    assert r.before is None and r.change is None


def test_segments_are_the_adopters_first_segment_in_the_window(tmp_path):
    r = _result(_workspace(tmp_path))
    by_segment = {s.segment: (s.n, round(s.estimate * s.n)) for s in r.segments}
    assert by_segment == {"ent": (12, 7), "smb": (9, 9)}
    ent = next(s for s in r.segments if s.segment == "ent")
    # statsmodels 0.15.0: proportion_confint(7, 12, alpha=0.1, method="wilson")
    # -> (0.3559810149005346, 0.7800221193082194)
    assert (ent.ci_low, ent.ci_high) == pytest.approx((0.3559810149005346, 0.7800221193082194))


def test_waits_for_the_second_window(tmp_path):
    r = _result(_workspace(tmp_path, data_through="2026-02-28"))
    assert r.verdict == "insufficient_data"
    assert "ends on 2026-03-01" in r.reason and "2026-02-28" in r.reason


def test_needs_twenty_adopters(tmp_path):
    r = _result(_workspace(tmp_path, adopters=range(1, 11)))
    assert r.after.n == 10
    assert r.verdict == "insufficient_data"
    assert "Only 10 adopters after the release; at least 20 are needed." in r.reason


def test_spec_declares_what_the_other_layers_read():
    spec = metrics.get("feature_retention")
    assert spec.table == "events" and spec.windowed and not spec.has_before
    assert not spec.lower_is_better and spec.min_n == 20 and spec.counts == "adopters"

    class H:
        window_days = 45

    assert spec.measured_days(H) == 90


def test_target_is_a_proportion(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        {"hypotheses.yaml": HYPOTHESIS.replace("target: 0.5", "target: 50")},
    )
    problem = problem_at(problems_of(root), "hypotheses.yaml", 6, "target")
    assert problem.message == (
        "expected a proportion from 0 to 1 for feature_retention (e.g. 0.8 for 80%), found 50"
    )


def test_sample_hypotheses_match_pandas():
    """The sample's retention counts, recomputed from events.csv with pandas."""
    import pandas as pd

    ws = cvlib.load_workspace(SAMPLE)
    events = pd.read_csv(SAMPLE / "events.csv", dtype=str)
    ts = pd.to_datetime(events["timestamp"], utc=True).dt.tz_convert("Europe/Berlin")
    checked = 0
    for h in ws.hypotheses:
        if h.metric != "feature_retention":
            continue
        release_id = ws.features.set_index("feature_id").loc[h.feature_id, "release_id"]
        start = pd.Timestamp(str(ws.release(release_id)["released_on"]), tz="Europe/Berlin")
        # calendar days in the workspace zone (a window may cross a summer-time change)
        stop, again_stop = (start + pd.DateOffset(days=k * h.window_days) for k in (1, 2))
        used = events["event"] == h.feature_id
        first = set(events.loc[used & (ts >= start) & (ts < stop), "user_id"])
        again = set(events.loc[used & (ts >= stop) & (ts < again_stop), "user_id"])
        (r,) = [
            r for r in cvlib.evaluate_release(ws, release_id).hypotheses if r.hypothesis.id == h.id
        ]
        assert r.after.n == len(first)
        assert math.isclose(r.after.estimate, len(first & again) / len(first), rel_tol=1e-12)
        checked += 1
    assert checked >= 2


TWO_WINDOWS = """\
hypotheses:
  - id: H-dark-week
    feature_id: F-dark-mode
    statement: Dark mode users come back to it the week after.
    metric: feature_retention
    target: 0.5
    window_days: 7
  - id: H-dark-fortnight
    feature_id: F-dark-mode
    statement: Dark mode users come back to it the fortnight after.
    metric: feature_retention
    target: 0.5
    window_days: 14
"""

# Windows from 2026-02-16 00:00 (+01:00): w=7 [02-16, 02-23) then [02-23, 03-02);
# w=14 [02-16, 03-02) then [03-02, 03-16). One query serves both (one window start).
# x1: at the release instant and at 02-23 00:00 -> w7 adopter, retained; w14 adopter, not
# x2: 02-22 23:59:59 and 03-08 -> w7 adopter, not retained; w14 adopter, retained
# x3: 02-15 23:59:59 and 02-23 12:00 -> w7 not an adopter; w14 adopter, not retained
# x4 (empty segment): 02-17 and 02-24 -> w7 adopter, retained; w14 adopter, not retained
BOUNDARY_EVENTS = """\
timestamp,user_id,event,segment
2026-02-16T00:00:00+01:00,x1,F-dark-mode,smb
2026-02-23T00:00:00+01:00,x1,F-dark-mode,smb
2026-02-22T23:59:59+01:00,x2,F-dark-mode,smb
2026-03-08T10:00:00+01:00,x2,F-dark-mode,smb
2026-02-15T23:59:59+01:00,x3,F-dark-mode,ent
2026-02-23T12:00:00+01:00,x3,F-dark-mode,ent
2026-02-17T10:00:00+01:00,x4,F-dark-mode,
2026-02-24T10:00:00+01:00,x4,F-dark-mode,
2026-03-20T10:00:00+01:00,x5,login,smb
"""


def test_window_bounds_and_two_windows_in_one_query(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        {
            "workspace.yaml": WORKSPACE_YAML + "data_through: 2026-03-15\n",
            "hypotheses.yaml": TWO_WINDOWS,
            "events.csv": BOUNDARY_EVENTS,
        },
    )
    results = {
        r.hypothesis.id: r
        for r in cvlib.evaluate_release(cvlib.load_workspace(root), "2026.02").hypotheses
    }

    def counts(r):
        return r.after.n, round(r.after.estimate * r.after.n)

    def segments(r):
        return {s.segment: (s.n, round(s.estimate * s.n)) for s in r.segments}

    week, fortnight = results["H-dark-week"], results["H-dark-fortnight"]
    assert counts(week) == (3, 2)
    assert counts(fortnight) == (4, 1)
    # x4's empty segment counts overall only
    assert segments(week) == {"smb": (2, 1)}
    assert segments(fortnight) == {"ent": (1, 0), "smb": (2, 1)}
    assert week.verdict == fortnight.verdict == "insufficient_data"  # fewer than 20 adopters
