"""The analyst's views of notebooks/explore.ipynb, and the report kernel's import path.

The day-by-day adoption counts are checked against pandas on the sample's
``events.csv`` (an independent computation of the definition in
``cvlib/metrics/adoption.py``), and against the release evaluation itself.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import cvlib
from cvlib.metrics import adoption
from cvlib.report import explore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
RELEASE, FEATURE, HYPOTHESIS = "2026.02", "F-approval-flows", "H-approvals-adoption"


@pytest.fixture(scope="module")
def workspace():
    return cvlib.load_workspace(SAMPLE)


def _by_pandas(release_day: str, feature: str, days: int) -> tuple[int, int]:
    """Active users and adopters in the first ``days`` days, from events.csv with pandas."""
    events = pd.read_csv(SAMPLE / "events.csv", dtype=str)
    ts = pd.to_datetime(events["timestamp"], utc=True).dt.tz_convert("Europe/Berlin")
    start = pd.Timestamp(release_day, tz="Europe/Berlin")
    inside = events[(ts >= start) & (ts < start + pd.Timedelta(days=days))]
    users = inside["user_id"].nunique()
    adopters = inside.loc[inside["event"] == feature, "user_id"].nunique()
    return users, adopters


def test_adoption_by_day_counts_as_pandas_does(workspace):
    frame = adoption.by_day(workspace, RELEASE, FEATURE, days=30)
    released_on = workspace.release(RELEASE)["released_on"]
    assert list(frame["day"]) == list(range(1, 31))
    assert frame["date"].iloc[0] == released_on
    for day in (1, 7, 30):
        row = frame[frame["day"] == day].iloc[0]
        assert (row["active_users"], row["adopters"]) == _by_pandas(str(released_on), FEATURE, day)
        assert row["share"] == row["adopters"] / row["active_users"]
    # never fewer users or adopters as the window grows
    assert frame["active_users"].is_monotonic_increasing
    assert frame["adopters"].is_monotonic_increasing


def test_adoption_by_day_meets_the_hypothesis_estimate(workspace):
    (result,) = [
        r
        for r in cvlib.evaluate_release(workspace, RELEASE).hypotheses
        if r.hypothesis.id == HYPOTHESIS
    ]
    days = result.hypothesis.window_days
    row = adoption.by_day(workspace, RELEASE, FEATURE, days=days).iloc[-1]
    assert row["active_users"] == result.after.n
    assert row["share"] == pytest.approx(result.after.estimate, rel=1e-12)


def test_adoption_by_day_rejects_bad_days(workspace):
    with pytest.raises(ValueError, match="days must be from 1 to 365, got 0"):
        adoption.by_day(workspace, RELEASE, FEATURE, days=0)
    with pytest.raises(KeyError, match="release_id '1999.01' is not in releases.csv"):
        adoption.by_day(workspace, "1999.01", FEATURE)


def test_task_time_distribution_counts_every_attempt(workspace):
    task = workspace.hypotheses_for(RELEASE)[0].task
    chart = explore.task_time_distribution(workspace, RELEASE, task)
    assert chart.png.startswith(b"\x89PNG")
    tt = pd.read_csv(SAMPLE / "task_times.csv", dtype={"release_id": str})
    rows = tt[(tt["release_id"] == RELEASE) & (tt["task"] == task)]
    for phase in ("before", "after"):
        attempts = rows[rows["phase"] == phase]
        done = int(attempts["completed"].astype(str).str.lower().eq("true").sum())
        assert f"{phase} {done} of {len(attempts)}" in chart.alt
    assert "by segment" in chart.alt


def test_task_time_distribution_names_the_known_tasks(workspace):
    with pytest.raises(
        ValueError, match=r"no task_times rows of task 'nope' in 2026\.02 \(tasks: "
    ):
        explore.task_time_distribution(workspace, RELEASE, "nope")


def test_adoption_over_time_describes_the_last_day(workspace):
    chart = explore.adoption_over_time(workspace, RELEASE, FEATURE, days=45)
    users, adopters = _by_pandas(str(workspace.release(RELEASE)["released_on"]), FEATURE, 45)
    assert chart.png.startswith(b"\x89PNG")
    assert f"{adopters} of {users} active users by day 45" in chart.alt


def test_the_release_report_never_imports_seaborn(tmp_path):
    """Every code cell of the packaged release notebook, run in a fresh interpreter."""
    from cvlib.report.kernel import NOTEBOOKS_DIR, RELEASE_NOTEBOOK

    cells = json.loads((NOTEBOOKS_DIR / RELEASE_NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert any("evaluate_release" in c for c in code)
    script = textwrap.dedent(
        f"""
        import json, sys
        import matplotlib
        matplotlib.use("Agg")
        namespace = {{}}
        cells = json.loads(sys.argv[1])
        exec(cells[0], namespace)  # the parameters cell
        namespace.update(data_dir={str(SAMPLE)!r}, out_dir={str(tmp_path)!r})
        for cell in cells[1:]:
            exec(cell, namespace)
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "seaborn")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "summary.json").is_file()
