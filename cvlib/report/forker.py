"""A process that has imported what a report kernel needs, and forks report kernels from it.

Started by a worker of ``cvlib report`` as ``python -m cvlib.report.forker``
in the notebooks' folder (:class:`Forker`). It imports ipykernel and
:data:`cvlib.report.kernel.WARM_MODULES` once, then reads one JSON request
per line on stdin (``{"argv": [...], "env": {...}, "cwd": ...}``: the
arguments of ``python -m ipykernel_launcher``, the environment and the
working directory of the kernel) and answers each with the pid of a child
forked to be that kernel (``{"pid": N}``); ``{"later": true}`` (no answer)
has it import :data:`~cvlib.report.kernel.LATER_MODULES` as well. A kernel
started this way skips the interpreter's start,
ipykernel's imports and the warm imports: about 0.8 s of CPU time each,
which is most of a report's start when two workers share two cores.

A child is what ``python -m ipykernel_launcher`` would have been: a session
of its own, stdin from ``/dev/null``, stdout to the forker's stderr, the
environment it was sent, fresh seeds for :mod:`random` and NumPy's global
generator, the garbage collector on. The forker holds no thread when it
forks (it refuses to fork if one was started) and dies with its parent;
its children are reaped as they exit (``SIGCHLD`` ignored), and a kernel
whose forker died exits by itself (ipykernel's parent poller).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

__all__ = ["ForkedProcess", "Forker", "die_with_parent", "main"]


class Forker:
    """A forker process, started by a worker (``python -m cvlib.report.forker``).

    Parameters
    ----------
    cwd : path
        The folder the forker, and every kernel it forks, runs in.
    """

    def __init__(self, cwd) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cvlib.report.forker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(cwd),
            text=True,
            encoding="utf-8",
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self, argv: list[str], env: dict, cwd: str) -> ForkedProcess:
        """A new kernel ``python -m ipykernel_launcher *argv`` with ``env`` in ``cwd``.

        Raises ``RuntimeError`` if the forker has died or could not fork.
        """
        try:
            self.process.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        answer = json.loads(line) if line else {"error": "the kernel forker exited"}
        if "pid" not in answer:
            raise RuntimeError(f"cannot start a report kernel: {answer['error']}")
        return ForkedProcess(int(answer["pid"]))

    def prepare_later(self) -> None:
        """Have the forker import :data:`~cvlib.report.kernel.LATER_MODULES` too (once).

        Asked by a worker when more releases follow: the imports then run
        while its current kernel runs a notebook, and every kernel forked
        afterwards has them.
        """
        try:
            self.process.stdin.write(json.dumps({"later": True}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # a dead forker is replaced at the next fork

    def close(self) -> None:
        """End the forker (its kernels keep running until they are shut down)."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


class ForkedProcess:
    """What jupyter_client's local provisioner needs of a ``Popen``, for a forked kernel.

    The kernel is the forker's child, not this process's: whether it runs is
    read from ``/proc`` (or by signal 0), and its exit status, which the
    forker's system reaps, is not known (0 once it has exited).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _runs(self.pid):
            self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def die_with_parent(parent_pid: int | None = None) -> None:
    """Die with the parent (Linux): a killed run leaves no orphan worker or forker behind.

    A parent that died before the signal was armed is caught by comparing
    the parent pid with the one the parent passed on its command line.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except OSError:  # pragma: no cover - not glibc
            pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the run that started this worker is gone


def _runs(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: signal 0
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _prepare() -> None:
    """Import what every kernel imports, as the kernel itself would have."""
    import gc

    gc.disable()  # enabled again in each child; no cyclic pass over the imports here
    # ipykernel's default, set before matplotlib reads it (as a kernel sets it before any import)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.kernelapp  # noqa: F401 - what ipykernel_launcher imports

    from cvlib.report.kernel import warm_up

    warm_up()
    gc.collect()
    gc.freeze()  # the imported objects are shared with the children, not copied by a gc pass


def _prepare_later() -> bool:
    """Import :data:`cvlib.report.kernel.LATER_MODULES` as well (returns ``False``: done)."""
    import gc

    from cvlib.report.kernel import LATER_MODULES, warm_up

    warm_up(LATER_MODULES)
    gc.collect()
    gc.freeze()
    return False


def _child(argv: list[str], env: dict, cwd: str, parent: int) -> None:
    """Become ``python -m ipykernel_launcher *argv`` (never returns)."""
    code = 1
    try:
        os.setsid()
        os.chdir(cwd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        os.environ.clear()
        os.environ.update(env, JPY_PARENT_PID=str(parent))
        if "numpy.random" in sys.modules:
            sys.modules["numpy.random"].seed()  # a fresh process would have drawn its own
        import gc

        gc.enable()
        # the default of parent_handle was read from JPY_PARENT_PID when the forker imported
        # ipykernel: given here, the kernel polls the forker and exits when it is gone
        sys.argv = ["ipykernel_launcher", *argv, f"--IPKernelApp.parent_handle={parent}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - printed, and the kernel exits with 1
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def main(parent_pid: str) -> NoReturn:
    """Forker process entry point (``python -m cvlib.report.forker PARENT_PID``)."""
    import threading

    die_with_parent(int(parent_pid))
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts its own entry back
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    _prepare()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they exit
    later = True
    for line in sys.stdin:
        if threading.active_count() > 1:
            answers.write(json.dumps({"error": "the forker started a thread"}) + "\n")
            continue
        request = json.loads(line)
        if request.get("later"):  # no answer
            later = later and _prepare_later()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            answers.close()
            _child(request["argv"], request["env"], request["cwd"], os.getppid())
        answers.write(json.dumps({"pid": pid}) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to clean up: no interpreter teardown of the imported modules


if __name__ == "__main__":  # a worker's kernel forker
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cvlib.report.forker PARENT_PID (a cvlib report worker's)")
    main(sys.argv[1])
