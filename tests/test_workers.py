"""``cvlib report``'s warm kernels and persistent workers (cvlib.report.kernel, .worker, .runner).

A worker process builds releases one after another, each in a kernel of its
own that started (and imported what a report imports) before its notebook
was known. These tests start real workers and kernels, so they are slow.
"""

import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from notebook_files import one_cell, printed
from workspace_files import write_workspace

from cvlib.report import pool, runner
from cvlib.report.kernel import NOTEBOOKS_DIR, RELEASE_NOTEBOOK, WARM_MODULES, Kernel, execute

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_warm_kernel_has_imported_what_a_report_needs_and_left_no_names(tmp_path):
    code = (
        "import sys, gc\n"
        f"print(all(m in sys.modules for m in {list(WARM_MODULES)!r}), "
        "gc.get_threshold(), sorted(n for n in dir() if not n.startswith('_') "
        "and n not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'sys', 'gc')))"
    )
    source, executed = one_cell(tmp_path, code), tmp_path / "out.ipynb"
    kernel = Kernel(tmp_path)
    execute(source, executed, {}, tmp_path, kernel=kernel)
    assert printed(executed) == "True (50000, 50, 100) []"
    assert not kernel.manager.has_kernel  # shut down once the notebook ran


def test_a_kernel_without_warm_up_imports_none_of_it(tmp_path):
    # the heavy modules are the warm list's own, not imported by ipykernel anyway
    heavy = [m for m in WARM_MODULES if m.split(".")[0] in ("pandas", "matplotlib", "cvlib")]
    source, executed = (
        one_cell(tmp_path, f"import sys\nprint([m for m in {heavy!r} if m in sys.modules])"),
        tmp_path / "out.ipynb",
    )
    execute(source, executed, {}, tmp_path, kernel=Kernel(tmp_path, warm=False))
    assert printed(executed) == "[]"


def test_a_kernel_that_ran_nothing_is_stopped_by_close(tmp_path):
    kernel = Kernel(tmp_path)
    pid = kernel.manager.provisioner.pid
    assert _alive(pid)
    kernel.close()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


class _Counted(pool.WorkerProcess):
    """The runner's worker, recording every worker process started."""

    started: list = []

    def __init__(self, notebooks_dir, forker=None):
        super().__init__(notebooks_dir, forker)
        _Counted.started.append(self.process)


@pytest.fixture
def counted(monkeypatch):
    _Counted.started = []
    monkeypatch.setattr(pool, "WorkerProcess", _Counted)
    return _Counted.started


def _report_processes() -> list[int]:
    """This test's processes of a report run: workers, the forker, kernels (forked from it)."""
    found = []
    for pid in pool.descendants(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"cvlib.report" in command and _alive(pid):
            found.append(pid)
    return found


def _none_left(seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _report_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _report_processes()


def _statuses(summary) -> dict:
    return {r.release_id: r.status for r in summary.releases}


def _quiet(line):
    pass


def test_one_worker_builds_every_release_in_turn_and_leaves_no_process(tmp_path, counted):
    data = write_workspace(tmp_path / "ws")
    summary = runner.run_reports(data, tmp_path / "out", jobs=1, log=_quiet, progress=False)
    assert _statuses(summary) == {"2026.01": "ok", "2026.02": "ok"}
    assert len(counted) == 1  # one worker for both releases, each in a kernel of its own
    for release in ("2026.01", "2026.02"):
        assert (tmp_path / "out" / release / "report.html").is_file()
    assert counted[0].returncode == 0  # it ended at the end of its input
    assert _none_left()  # no worker, forker or kernel


def test_a_timed_out_release_kills_its_worker_and_the_next_one_still_builds(tmp_path, counted):
    # a copy of the packaged notebooks whose report sleeps for release 2026.01 only
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    nb = nbformat.read(notebooks / RELEASE_NOTEBOOK, as_version=4)
    where = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(
        where + 1,
        nbformat.v4.new_code_cell('import time\ntime.sleep(600 if release_id == "2026.01" else 0)'),
    )
    nbformat.write(nb, notebooks / RELEASE_NOTEBOOK)
    data = write_workspace(tmp_path / "ws")
    summary = runner.run_reports(
        data,
        tmp_path / "out",
        jobs=1,
        timeout=20,
        notebooks_dir=notebooks,
        log=_quiet,
        progress=False,
    )
    outcomes = {r.release_id: r for r in summary.releases}
    assert outcomes["2026.01"].status == "failed"
    assert "timed out after 20 s" in outcomes["2026.01"].reason
    assert outcomes["2026.02"].status == "ok"
    assert (tmp_path / "out" / "2026.02" / "report.html").is_file()
    assert len(counted) == 2  # the killed worker was replaced
    assert counted[0].returncode == -9
    assert _none_left()


def test_workers_started_early_are_stopped_when_the_workspace_is_invalid(tmp_path, counted):
    from cvlib.errors import DataError

    data = write_workspace(tmp_path / "ws", {"features.csv": "feature_id,name\n"})
    with pytest.raises(DataError):
        runner.run_reports(data, tmp_path / "out", jobs=2, log=_quiet, progress=False)
    assert len(counted) == 2  # started before the workspace was read, as a forced run does
    for process in counted:
        assert process.poll() is not None
    assert _none_left()
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")


def test_a_worker_builds_a_release_without_loading_pyarrow_or_numpy(tmp_path):
    # papermill's optional HDFS handler would import pyarrow (and numpy) in every worker;
    # the worker's files are local, and its kernel, a process of its own, still has both
    data = write_workspace(tmp_path / "ws")
    out = tmp_path / "2026.01"
    out.mkdir()
    spec = {
        "notebook": str(NOTEBOOKS_DIR / RELEASE_NOTEBOOK),
        "tmp_dir": str(out),
        "parameters": {"data_dir": str(data), "release_id": "2026.01", "out_dir": str(out)},
        "next": False,
    }
    worker = pool.WorkerProcess(NOTEBOOKS_DIR)
    try:
        assert worker.build(spec, timeout=120) == (True, None)
        maps = Path(f"/proc/{worker.process.pid}/maps").read_text()
    finally:
        worker.close()
    assert "zmq" in maps  # the shared libraries the worker loaded are listed
    assert "/pyarrow/" not in maps and "/numpy/" not in maps
    assert (out / "summary.json").is_file()


def test_a_kernel_is_seen_to_exit_within_milliseconds_of_its_shutdown(tmp_path, monkeypatch):
    # jupyter_client looks every 0.1 s whether a kernel has exited after its shutdown request;
    # a report kernel exits within a few milliseconds, so each release waited for the next look
    import jupyter_client.manager

    from cvlib.report import kernel as kernel_module

    looks = []
    wait = jupyter_client.manager.KernelManager._async_wait

    async def recorded(self, pollinterval=0.1):
        looks.append(pollinterval)
        await wait(self, pollinterval=pollinterval)

    monkeypatch.setattr(jupyter_client.manager.KernelManager, "_async_wait", recorded)
    source, executed = one_cell(tmp_path, "print(1)"), tmp_path / "out.ipynb"
    execute(source, executed, {}, tmp_path, kernel=Kernel(tmp_path, warm=False))
    assert printed(executed) == "1"
    assert looks and set(looks) == {kernel_module._EXIT_POLL}
    looks.clear()
    Kernel(tmp_path, warm=False).close()  # one that ran nothing is killed, and waited for alike
    assert looks and set(looks) == {kernel_module._EXIT_POLL}
    assert kernel_module._EXIT_POLL <= 0.01


def test_a_report_kernels_client_tries_again_to_connect_within_milliseconds(tmp_path):
    # a kernel forked a moment ago binds its sockets some 50 ms later: a client that connected
    # first tries again after ZeroMQ's reconnect interval, 0.1 s unless set
    import zmq

    kernel = Kernel(tmp_path, warm=False)
    client = kernel.manager.client()
    try:
        for channel in (client.shell_channel, client.iopub_channel, client.control_channel):
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL) == 5
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL_MAX) == 100
    finally:
        client.stop_channels()
        kernel.close()
