"""Report kernels forked from a worker's forker (cvlib.report.forker).

A forked kernel must be what ``python -m ipykernel_launcher`` would have
been, warm: its own session, its own working directory and environment,
its own random seeds, the garbage collector on. These tests start real
forkers and kernels, so they are slow.
"""

import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from notebook_files import one_cell

from cvlib.report.forker import ForkedProcess, Forker, ForkerClient
from cvlib.report.kernel import WARM_MODULES, Kernel, execute
from cvlib.report.worker import Worker

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, code: str, kernel: Kernel, name: str = "out") -> str:
    executed = tmp_path / f"{name}.ipynb"
    execute(one_cell(tmp_path, code), executed, {}, tmp_path, kernel=kernel)
    cell = nbformat.read(executed, as_version=4).cells[0]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    return "".join(o.get("text", "") for o in cell.outputs).strip()


def _gone(pid: int, seconds: float = 10) -> bool:
    process = ForkedProcess(pid)
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.poll() is not None


@pytest.fixture
def forker(tmp_path):
    forker = Forker(tmp_path)
    yield forker
    forker.close()


def test_a_forked_kernel_is_warm_and_a_process_of_its_own(tmp_path, forker, monkeypatch):
    monkeypatch.setenv("CVLIB_PROBE", "sent")
    work = tmp_path / "work"
    work.mkdir()
    code = (
        "import os, sys, gc\n"
        f"print(all(m in sys.modules for m in {list(WARM_MODULES)!r}), gc.isenabled(), "
        "gc.get_threshold(), os.getsid(0) == os.getpid(), os.getcwd(), "
        "os.environ.get('CVLIB_PROBE'), os.environ['JPY_PARENT_PID'], "
        "os.environ['MPLBACKEND'], '' in sys.path)"
    )
    kernel = Kernel(work, forker=forker)
    pid = kernel.manager.provisioner.pid
    assert pid != forker.process.pid
    printed = _run(work, code, kernel)
    assert printed == (
        f"True True (50000, 50, 100) True {work} sent {forker.process.pid} "
        "module://matplotlib_inline.backend_inline True"
    )
    assert _gone(pid)  # shut down once the notebook ran


def test_two_forked_kernels_draw_different_random_numbers(tmp_path, forker):
    code = "import random, numpy\nprint(random.random(), numpy.random.random())"
    first = _run(tmp_path, code, Kernel(tmp_path, forker=forker), "first")
    second = _run(tmp_path, code, Kernel(tmp_path, forker=forker), "second")
    assert len(first.split()) == 2 and len(second.split()) == 2
    for a, b in zip(first.split(), second.split(), strict=True):
        assert a != b  # a copied generator would repeat its parent's draws


def test_a_forked_kernel_exits_with_its_forker(tmp_path, forker):
    kernel = Kernel(tmp_path, forker=forker)
    pid = kernel.manager.provisioner.pid
    assert kernel.alive
    forker.process.send_signal(signal.SIGKILL)
    forker.process.wait()
    assert _gone(pid)  # ipykernel's parent poller sees the forker gone
    assert not kernel.alive
    with pytest.raises(
        RuntimeError, match="cannot start a report kernel: the kernel forker exited"
    ):
        forker.fork(["-f", str(tmp_path / "k.json")], dict(os.environ), str(tmp_path))
    kernel.close()


def test_a_worker_whose_forker_died_builds_with_a_new_one(tmp_path):
    worker = Worker(tmp_path)
    try:
        first = worker.forker
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        assert _gone(worker.kernel.manager.provisioner.pid)
        kernel = worker._kernel()
        assert worker.forker is not first and worker.forker.alive
        assert _run(tmp_path, "print(6 * 7)", kernel) == "42"
    finally:
        worker.close()
    assert worker.forker.process.returncode == 0  # it ended at the end of its input


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_share_a_listening_forker(tmp_path):
    forker = Forker(tmp_path, shared=True)
    try:
        first, second = ForkerClient(forker.address), ForkerClient(forker.address)
        kernels = [Kernel(tmp_path, forker=client) for client in (first, second)]
        pids = [kernel.manager.provisioner.pid for kernel in kernels]
        assert pids[0] != pids[1] and {_parent(pid) for pid in pids} == {forker.process.pid}
        assert _run(tmp_path, "print(6 * 7)", kernels[1], "second") == "42"
        kernels[0].close()
        assert all(_gone(pid) for pid in pids)
        first.close()
        second.close()
    finally:
        forker.close()
    with pytest.raises(OSError):
        ForkerClient(forker.address)  # nothing listens there any more


_CLIENT = """
import sys, time
from pathlib import Path
import nbformat
from cvlib.report.forker import ForkerClient
from cvlib.report.kernel import Kernel, execute

address, folder = sys.argv[1], Path(sys.argv[2])
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import os\\nos.write(2, b'written by the kernel to fd 2\\\\n')")])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, folder / "probe.ipynb")
client = ForkerClient(address)
first = Kernel(folder, forker=client)
execute(folder / "probe.ipynb", folder / "out.ipynb", {}, folder, kernel=first)
kernel = Kernel(folder, forker=client)
print(kernel.manager.provisioner.pid, flush=True)
time.sleep(600)
"""


def test_a_shared_forkers_kernel_writes_to_its_worker_and_exits_with_it(tmp_path):
    import subprocess
    import sys

    forker = Forker(tmp_path, shared=True)
    try:
        with open(tmp_path / "client.err", "w") as err:
            client = subprocess.Popen(
                [sys.executable, "-c", _CLIENT, forker.address, str(tmp_path)],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        kernel = int(client.stdout.readline())
        assert _parent(kernel) == forker.process.pid
        assert "written by the kernel to fd 2" in (tmp_path / "client.err").read_text()
        client.send_signal(signal.SIGKILL)
        client.wait()
        client.stdout.close()
        assert _gone(kernel, 5)  # its worker is gone: so is it, while the forker runs on
        assert forker.alive
    finally:
        forker.close()


def _raw(address: str):
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(address)
    return sock, sock.makefile("r", encoding="utf-8")


def test_a_bad_request_is_answered_with_an_error_and_the_forker_serves_on(tmp_path):
    import json

    forker = Forker(tmp_path, shared=True)
    try:
        sock, answers = _raw(forker.address)
        request = {"argv": [], "env": {}, "cwd": str(tmp_path), "stdio": True}  # fds missing
        sock.sendall((json.dumps(request) + "\n").encode())
        assert json.loads(answers.readline()) == {
            "error": "ValueError: a request for the sender's stdout and stderr came without them"
        }
        client = ForkerClient(forker.address)
        assert _run(tmp_path, "print(6 * 7)", Kernel(tmp_path, forker=client)) == "42"
        client.close()
        sock.close()
    finally:
        forker.close()


def test_the_forker_kills_the_kernels_of_a_worker_whose_connection_ends(tmp_path):
    import json

    forker = Forker(tmp_path, shared=True)
    try:
        sock, answers = _raw(forker.address)
        # a kernel that does not watch its worker: only the forker can end it
        request = {"argv": ["-f", str(tmp_path / "k.json")], "env": dict(os.environ)}
        sock.sendall((json.dumps(dict(request, cwd=str(tmp_path))) + "\n").encode())
        pid = json.loads(answers.readline())["pid"]
        time.sleep(1)
        assert not _gone(pid, 0)
        answers.close()
        sock.close()  # as a killed worker's connection ends
        assert _gone(pid, 5)
        assert forker.alive
    finally:
        forker.close()


def test_the_forker_has_imported_the_kernels_debugger_without_a_warning(tmp_path, capfd):
    # every kernel imports its debugger (debugpy, 40 ms) as it starts: the forker did, once,
    # without debugpy's warning about frozen modules on the command's stderr (the forker is
    # started here, after capfd, so that its stderr is captured)
    forker = Forker(tmp_path)
    try:
        kernel = Kernel(tmp_path, forker=forker)  # forked once the forker's imports are done
        maps = Path(f"/proc/{forker.process.pid}/maps").read_text()
        kernel.close()
    finally:
        forker.close()
    import debugpy

    compiled = [p.name for p in Path(debugpy.__file__).parent.rglob("pydevd_cython*.so")]
    assert compiled  # the debugger's compiled part, which its import loads, is installed
    assert any(name in maps for name in compiled)
    assert "Debugger warning" not in capfd.readouterr().err


def test_a_forked_kernel_has_what_the_forkers_imports_put_in_the_environment(tmp_path, forker):
    # debugpy sets PYDEVD_USE_FRAME_EVAL as it is imported: a kernel that imported it
    # itself has it in its environment, so one whose forker imported it must have it too
    code = "import os\nprint(sorted((k, v) for k, v in os.environ.items() if 'PYDEVD' in k))"
    launched = _run(tmp_path, code, Kernel(tmp_path, warm=False), "launched")
    forked = _run(tmp_path, code, Kernel(tmp_path, forker=forker), "forked")
    assert "PYDEVD_USE_FRAME_EVAL" in launched  # there is something to compare
    assert forked == launched
