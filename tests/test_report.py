"""``cvlib report``: the scheduled-run behaviour, through the real command line.

Each run starts real kernels (a few seconds per release), so these tests are
marked slow. They use the small two-release workspace of workspace_files.py
with hostile strings injected (a feature name and a ticket that are HTML).
"""

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from schemas import errors as schema_errors
from workspace_files import BASE, write_workspace

from cvlib.report.html import network_references
from cvlib.report.kernel import NOTEBOOKS_DIR, UnknownParameterError, check_parameters

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def hostile_workspace(root: Path) -> Path:
    features = BASE["features.csv"].replace("Report builder", SCRIPT)
    tickets = (
        BASE["tickets.csv"]
        + f'T3,2026-01-22T08:00:00Z,F-report-builder,complaint,"{IMG} mail me at a.b@example.com"\n'
    )
    return write_workspace(root, {"features.csv": features, "tickets.csv": tickets})


def cvlib_report(data, out, *args, env=None, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "cvlib", "report", str(data), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def statuses(out: Path) -> dict:
    return {e["release_id"]: e["status"] for e in json.loads((out / "index.json").read_text())}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A complete first run: (workspace, report folder, completed process)."""
    root = tmp_path_factory.mktemp("report")
    data = hostile_workspace(root / "ws")
    out = root / "reports"
    run = cvlib_report(data, out, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    return data, out, run


def test_first_run_writes_every_release_and_the_index(built):
    _data, out, run = built
    for release in ("2026.01", "2026.02"):
        for name in ("report.ipynb", "report.html", "summary.json", "run.json"):
            assert (out / release / name).is_file(), (release, name)
        summary = json.loads((out / release / "summary.json").read_text())
        assert summary["release_id"] == release
        assert schema_errors("summary", summary) == []
    assert re.search(r"^2026\.01: ok in \d+\.\d s$", run.stdout, re.MULTILINE), run.stdout
    assert re.search(r"^2026\.02: ok in \d+\.\d s$", run.stdout, re.MULTILINE), run.stdout
    assert "without encryption" not in run.stdout + run.stderr
    index = json.loads((out / "index.json").read_text())
    assert [e["release_id"] for e in index] == ["2026.01", "2026.02"]
    assert schema_errors("index", index) == []
    first = index[0]
    assert set(first) == {
        "release_id",
        "name",
        "released_on",
        "status",
        "report",
        "summary",
        "scorecard",
        "generated_at",
    }
    assert first["status"] == "ok" and first["report"] == "2026.01/report.html"
    assert first["scorecard"]["features_shipped"] == 1
    page = (out / "index.html").read_text()
    assert 'href="2026.01/report.html"' in page or "href='2026.01/report.html'" in page
    assert not list(out.glob(".tmp-*"))


def test_executed_notebook_records_absolute_parameters(built):
    data, out, _ = built
    nb = nbformat.read(out / "2026.01" / "report.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert f'data_dir = "{data.resolve()}"' in injected[0].source
    assert 'release_id = "2026.01"' in injected[0].source


def test_html_is_self_contained_titled_and_escaped(built):
    _, out, _ = built
    page = (out / "2026.01" / "report.html").read_text()
    assert network_references(page) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", page)
    assert re.search(r"<title>Ledgerly 2026\.01 January release: value validation</title>", page)
    assert "../index.html" in page
    # workspace strings are escaped, never live markup
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert IMG not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "a.b@example.com" not in page and "[email]" in page
    # no code cells or prompts
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|jp-InputPrompt|jp-OutputPrompt)', page)
    assert "load_workspace(" not in page
    index = (out / "index.html").read_text()
    assert SCRIPT not in index and network_references(index) == []


def test_reports_and_index_carry_the_evidence_grades_of_the_summaries(built):
    from cvlib.report.labels import GRADE_LABEL

    _, out, _ = built
    index = (out / "index.html").read_text()
    assert "hypotheses validated, by evidence" in index and "verdicts (evidence)" in index
    for release in ("2026.01", "2026.02"):
        summary = json.loads((out / release / "summary.json").read_text())
        page = (out / release / "report.html").read_text()
        grades = [GRADE_LABEL[h["evidence"]["grade"]] for h in summary["hypotheses"]]
        cells = re.findall(r"<td class=['\"]cvlib-evidence['\"]>([^<]*)</td>", page)
        assert cells == grades, release
        assert page.count("Evidence: <b>") == len(grades)
        for h in summary["hypotheses"]:
            assert f"{h['id']}: " in index  # listed with its verdict and grade


def test_unchanged_rerun_skips_and_force_rebuilds(built):
    data, out, _ = built
    before = (out / "2026.01" / "report.html").stat().st_mtime_ns
    index_before = (out / "index.html").stat().st_mtime_ns
    started = time.monotonic()
    run = cvlib_report(data, out)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 30
    assert (
        "2026.01: skipped (inputs, notebook, parameters and cvlib version unchanged)" in run.stdout
    )
    assert statuses(out) == {"2026.01": "skipped", "2026.02": "skipped"}
    assert (out / "2026.01" / "report.html").stat().st_mtime_ns == before
    # "ok" and "skipped" read the same in the index ("up to date"): the page is not rendered again
    assert (out / "index.html").stat().st_mtime_ns == index_before

    run = cvlib_report(data, out, "--force", "--release", "2026.01")
    assert run.returncode == 0, run.stderr
    assert re.search(r"^2026\.01: ok in", run.stdout, re.MULTILINE)
    assert "2026.02" not in run.stdout
    assert statuses(out) == {"2026.01": "ok", "2026.02": "skipped"}  # the index keeps every release


def test_changed_input_rebuilds_only_the_releases_that_read_it(built, tmp_path):
    data, out, _ = built
    copy_data, copy_out = tmp_path / "ws", tmp_path / "reports"
    shutil.copytree(data, copy_data)
    shutil.copytree(out, copy_out)
    # run.json records absolute paths: the copied folder is a new parameter set, so first
    # bring it up to date
    assert cvlib_report(copy_data, copy_out).returncode == 0
    with (copy_data / "task_times.csv").open("a", encoding="utf-8") as handle:
        handle.write("2026.01,generate-report,P05,after,140,true,0,SMB\n")
    run = cvlib_report(copy_data, copy_out)
    assert run.returncode == 0, run.stderr
    assert statuses(copy_out) == {"2026.01": "ok", "2026.02": "skipped"}


def failing_notebooks(tmp_path: Path, release_id: str) -> Path:
    """A copy of notebooks/ whose release report raises for one release."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(folder / "release_report.ipynb", as_version=4)
    nb.cells.insert(
        3,
        nbformat.v4.new_code_cell(
            f'if release_id == "{release_id}":\n'
            f'    raise RuntimeError("broken on purpose for {release_id}")'
        ),
    )
    nbformat.write(nb, folder / "release_report.ipynb")
    return folder


def test_an_index_that_failed_is_rendered_again_once_the_portfolio_works(built, tmp_path):
    # the index is rendered in the runner's process from the summaries: a summary the
    # portfolio cannot read fails the index alone (a fallback page lists the releases), and
    # the next run with a readable summary renders it again
    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    assert cvlib_report(data, copy_out).returncode == 0  # run.json records absolute paths
    summary = copy_out / "2026.01" / "summary.json"
    good = summary.read_bytes()
    broken = json.loads(good)
    del broken["scorecard"]
    summary.write_text(json.dumps(broken), encoding="utf-8")
    run = cvlib_report(data, copy_out)
    assert "2026.01: skipped" in run.stdout and "index: failed" in run.stdout, run.stdout
    assert "The portfolio could not be rendered" in (copy_out / "index.html").read_text()

    # the summary repaired: every input is the last good index's again
    summary.write_bytes(good)
    run = cvlib_report(data, copy_out)
    assert run.returncode == 0, run.stderr
    assert "index: portfolio ok" in run.stdout, run.stdout
    page = (copy_out / "index.html").read_text()
    assert "could not be rendered" not in page and "cvlib-index" in page


def test_the_index_starts_no_kernel_and_reads_the_summaries_only(built, tmp_path, monkeypatch):
    """The index page is built in the runner's process: no worker, no kernel, and no release
    evaluated again."""
    from cvlib.report import runner

    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    assert cvlib_report(data, copy_out).returncode == 0  # run.json records absolute paths
    (copy_out / "portfolio.run.json").unlink()  # render the index again

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker was started")

    def no_evaluation(*args, **kwargs):
        raise AssertionError("a release was evaluated")

    monkeypatch.setattr("cvlib.report.pool.WorkerProcess", no_worker)
    monkeypatch.setattr("cvlib.verdicts.evaluate_release", no_evaluation)
    monkeypatch.setattr("cvlib.verdicts.evaluate.evaluate_release", no_evaluation)
    lines = []
    summary = runner.run_reports(data, copy_out, log=lines.append)
    assert summary.index_error is None
    assert any(line.startswith("index: portfolio ok") for line in lines), lines
    page = (copy_out / "index.html").read_text(encoding="utf-8")
    assert "Features ranked by validated value" in page and "data:image/png;base64," in page
    nb = nbformat.read(copy_out / "portfolio.ipynb", as_version=4)
    assert any(o.get("data", {}).get("image/png") for c in nb.cells for o in c.get("outputs", []))


def test_the_portfolio_notebook_says_what_the_index_says():
    """notebooks/portfolio.ipynb is the analyst's view of the functions the index is built
    with: its texts are the index page's."""
    from cvlib.report import portfolio

    nb = nbformat.read(NOTEBOOKS_DIR / "portfolio.ipynb", as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert texts[0] == f"{portfolio.TITLE}\n\n{portfolio.INTRO}"
    assert portfolio.OVER_TIME in texts and portfolio.RANKED in texts
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("portfolio_frame", "portfolio_chart", "portfolio_table", "features_ranked"):
        assert name in code


def test_a_failing_release_keeps_its_previous_report_and_the_others_are_written(built, tmp_path):
    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    good = (copy_out / "2026.02" / "report.html").read_bytes()
    notebooks = failing_notebooks(tmp_path, "2026.02")
    run = cvlib_report(data, copy_out, env={"CVLIB_NOTEBOOKS": str(notebooks)})
    assert run.returncode == 1
    assert re.search(r"^2026\.01: ok in", run.stdout, re.MULTILINE)
    assert re.search(
        r"^2026\.02: failed after .*RuntimeError: broken on purpose for 2026\.02",
        run.stdout,
        re.MULTILINE,
    )
    assert "release 2026.02 failed" in run.stderr
    error = (copy_out / "2026.02.error.txt").read_text()
    assert "broken on purpose" in error and "previous report is kept" in error
    assert (copy_out / "2026.02" / "report.html").read_bytes() == good
    entries = json.loads((copy_out / "index.json").read_text())
    assert schema_errors("index", entries) == []
    index = {e["release_id"]: e for e in entries}
    assert index["2026.02"]["status"] == "failed"
    assert index["2026.02"]["report"] == "2026.02/report.html"
    assert index["2026.01"]["status"] == "ok"
    assert not list(copy_out.glob(".tmp-*"))

    # the next successful run removes the error file
    run = cvlib_report(data, copy_out, "--release", "2026.02", "--force")
    assert run.returncode == 0, run.stderr
    assert not (copy_out / "2026.02.error.txt").exists()


def test_usage_errors_exit_2(built, tmp_path):
    data, _out, _ = built
    run = cvlib_report(data, tmp_path / "r", "--release", "1999.01")
    assert run.returncode == 2
    assert "unknown release 1999.01" in run.stderr
    assert not (tmp_path / "r").exists()
    run = cvlib_report(data, tmp_path / "r", "--jobs", "0")
    assert run.returncode == 2 and "--jobs" in run.stderr
    run = cvlib_report(data, tmp_path / "r", "--timeout", "-3")
    assert run.returncode == 2 and "--timeout" in run.stderr


def test_an_invalid_workspace_exits_1_without_writing(tmp_path):
    data = write_workspace(tmp_path / "ws", {"releases.csv": None})
    run = cvlib_report(data, tmp_path / "r")
    assert run.returncode == 1
    assert "releases.csv" in run.stderr and "no report was written" in run.stderr
    assert not (tmp_path / "r").exists()


def test_a_second_run_on_the_same_folder_is_refused(built, tmp_path):
    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    with (copy_out / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        run = cvlib_report(data, copy_out, "--force")
    assert run.returncode == 1
    assert "another cvlib report run" in run.stderr and "nothing was changed" in run.stderr

    # two real runs at once: the one that comes second is refused while the first works
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cvlib",
            "report",
            str(data),
            "--out",
            str(copy_out),
            "--force",
            "--release",
            "2026.01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(lambda: list(copy_out.glob(".tmp-2026.01-*")))
    second = cvlib_report(data, copy_out, "--force")
    assert second.returncode == 1 and "another cvlib report run (pid" in second.stderr
    assert first.wait(timeout=300) == 0


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_a_killed_run_leaves_no_half_written_folder_and_the_next_run_cleans_up(built, tmp_path):
    data, _, _ = built
    out = tmp_path / "reports"
    process = subprocess.Popen(
        [sys.executable, "-m", "cvlib", "report", str(data), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(lambda: any(p.is_dir() and any(p.iterdir()) for p in out.glob(".tmp-2026.01-*")))
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(
        1.0
    )  # the worker dies with its parent (PR_SET_PDEATHSIG), its kernel with the worker
    assert not (out / "2026.01").exists()
    stale = list(out.glob(".tmp-*"))
    assert stale
    run = cvlib_report(data, out, "--release", "2026.01")
    assert run.returncode == 0, run.stderr
    assert "a temporary folder left by an interrupted run" in run.stdout
    assert not list(out.glob(".tmp-*"))
    assert (out / "2026.01" / "report.html").is_file()


def test_timeout_stops_the_release_and_keeps_the_previous_report(built, tmp_path):
    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    good = (copy_out / "2026.01" / "report.html").read_bytes()
    run = cvlib_report(data, copy_out, "--release", "2026.01", "--force", "--timeout", "0.5")
    assert run.returncode == 1
    assert "2026.01: failed after" in run.stdout and "timed out after 0.5 s" in run.stdout
    assert (copy_out / "2026.01" / "report.html").read_bytes() == good
    assert not list(copy_out.glob(".tmp-*"))


def test_unknown_notebook_parameters_are_an_error(tmp_path):
    with pytest.raises(UnknownParameterError, match="has no parameter releese_id"):
        check_parameters(NOTEBOOKS_DIR / "release_report.ipynb", {"releese_id": "2026.01"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "plain.ipynb")
    with pytest.raises(UnknownParameterError, match="no cell tagged 'parameters'"):
        check_parameters(tmp_path / "plain.ipynb", {"x": 2})


def _run_one_cell(tmp_path, code):
    """Run a one-cell notebook via cvlib's papermill call; the executed notebook, seconds taken."""
    from cvlib.report.kernel import execute

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    source, executed = tmp_path / "probe.ipynb", tmp_path / "probe-out.ipynb"
    nbformat.write(nb, source)
    started = time.monotonic()
    execute(source, executed, {}, tmp_path)
    return nbformat.read(executed, as_version=4), time.monotonic() - started


def _printed(run) -> str:
    return "".join(o.get("text", "") for o in run.cells[0].outputs).strip()


def test_report_kernels_start_tuned_for_a_batch_run_without_leaving_names(tmp_path):
    # cvlib.report.kernel._KERNEL_START: rare garbage collections, no final collection at exit,
    # and nothing added to the notebook's namespace
    run, _ = _run_one_cell(
        tmp_path, "import gc\nprint(gc.get_threshold(), sorted(n for n in dir() if 'cvlib' in n))"
    )
    assert _printed(run) == "(50000, 50, 100) []"


def test_a_kernel_that_does_not_exit_is_stopped_within_the_shutdown_wait(tmp_path):
    # cvlib.report.kernel.KERNEL_SHUTDOWN_WAIT: a kernel still alive after its shutdown request
    # (here a thread keeps it from exiting; in ipykernel 7.4 a race between its threads
    # does the same) gets SIGTERM after half the wait, not after jupyter_client's 2.5 s
    from cvlib.report.kernel import KERNEL_SHUTDOWN_WAIT

    run, seconds = _run_one_cell(
        tmp_path,
        "import os, threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,)).start()"
        "  # not a daemon: exit waits for it\n"
        "print(os.getpid())",
    )
    pid = int(_printed(run))
    # from papermill's start to the cell's end, as papermill recorded them
    took = (
        dt.datetime.fromisoformat(run.cells[0].metadata.papermill["end_time"])
        - dt.datetime.fromisoformat(run.metadata.papermill["start_time"])
    ).total_seconds()
    shutdown = seconds - took
    assert KERNEL_SHUTDOWN_WAIT / 2 <= shutdown < 2.0, shutdown
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_index_of_releases_without_a_report_yet_is_written(tmp_path):
    # every release asked for fails: the index (and its portfolio) still lists them all
    data = hostile_workspace(tmp_path / "ws")
    notebooks = failing_notebooks(tmp_path, "2026.01")
    run = cvlib_report(
        data, tmp_path / "r", "--release", "2026.01", env={"CVLIB_NOTEBOOKS": str(notebooks)}
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "index: failed" not in run.stdout, (
        run.stdout + run.stderr
    )
    entries = json.loads((tmp_path / "r" / "index.json").read_text())
    assert schema_errors("index", entries) == []
    assert [e["status"] for e in entries] == ["failed", "skipped"]
    assert "last run failed" in (tmp_path / "r" / "index.html").read_text()


def test_an_output_folder_that_is_a_file_is_a_usage_error(tmp_path):
    data = hostile_workspace(tmp_path / "ws")
    (tmp_path / "out").write_text("not a folder")
    run = cvlib_report(data, tmp_path / "out")
    assert run.returncode == 2
    assert (
        run.stderr == f"cvlib report: --out {tmp_path / 'out'}: expected a folder, found a file\n"
    )


def test_no_space_left_is_one_line_and_keeps_the_reports(built, tmp_path, monkeypatch, capsys):
    import errno

    from cvlib import cli
    from cvlib.report import runner

    data, out, _ = built
    copy_out = tmp_path / "reports"
    shutil.copytree(out, copy_out)
    before = (copy_out / "index.json").read_bytes()
    real = runner.write_atomic

    def full(path, text):
        if Path(path).name == "index.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, text)

    monkeypatch.setattr(runner, "write_atomic", full)
    status = cli.main(["report", str(data), "--out", str(copy_out)])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"cvlib report: could not write into {copy_out}: No space left on device "
        f"({copy_out / 'index.json'}); the reports already there are kept as they were"
    )
    assert (copy_out / "index.json").read_bytes() == before


def _definitions(out: Path, release_id: str) -> dict:
    summary = json.loads((out / release_id / "summary.json").read_text(encoding="utf-8"))
    return {h["id"]: h for h in summary["hypotheses"]}


def test_a_changed_definition_is_flagged_in_every_later_report(built, tmp_path):
    """The report compares each definition with the one its release was first reported
    under, and keeps flagging a change; --previous names the reports first published."""
    data, out, _ = built
    copy_data, copy_out = tmp_path / "ws", tmp_path / "reports"
    shutil.copytree(data, copy_data)
    shutil.copytree(out, copy_out)
    before = _definitions(out, "2026.01")["H-reports-time"]
    assert before["flags"] == [] or "definition_changed" not in before["flags"]
    hypotheses = copy_data / "hypotheses.yaml"
    text = hypotheses.read_text(encoding="utf-8")
    target = f"target: {before['target']:g}"
    assert target in text
    hypotheses.write_text(text.replace(target, "target: 999", 1), encoding="utf-8")

    assert cvlib_report(copy_data, copy_out).returncode == 0
    now = _definitions(copy_out, "2026.01")["H-reports-time"]
    assert "definition_changed" in now["flags"]
    assert now["definition_changes"] == [
        {"key": "target", "registered": before["target"], "now": 999.0}
    ]
    assert now["registered_definition"]["target"] == before["target"]
    # sticky: the next report still compares with the definition first reported
    assert cvlib_report(copy_data, copy_out, "--force").returncode == 0
    again = _definitions(copy_out, "2026.01")["H-reports-time"]
    assert again["definition_changes"] == now["definition_changes"]
    # a fresh report folder compares with the reports named by --previous
    fresh = tmp_path / "fresh"
    assert cvlib_report(copy_data, fresh, "--previous", str(out)).returncode == 0
    assert "definition_changed" in _definitions(fresh, "2026.01")["H-reports-time"]["flags"]
    # without it, a fresh folder has nothing to compare with
    alone = tmp_path / "alone"
    assert cvlib_report(copy_data, alone, "--release", "2026.01").returncode == 0
    assert "definition_changed" not in _definitions(alone, "2026.01")["H-reports-time"]["flags"]
