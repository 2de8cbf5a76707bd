"""The worker processes of a ``cvlib report`` run, seen from the command's side.

:class:`WorkerPool` holds the run's workers (:class:`WorkerProcess`, each a
``python -m cvlib.report.worker`` process, :mod:`cvlib.report.worker`): some
started before the releases to build are known, each handed one release at
a time, killed with everything below it when a release times out.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from cvlib.report.forker import Forker

__all__ = ["WorkerPool", "WorkerProcess", "descendants", "kill_tree"]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started; a kernel of the run's forker exits with it."""
    for pid in [process.pid, *descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


class WorkerProcess:
    """A worker process (``python -m cvlib.report.worker``) that builds releases in turn.

    It starts warm (its kernel forker has imported what a report imports,
    and its first kernel is forked, before the first spec,
    :class:`cvlib.report.worker.Worker`); specs go to
    its stdin, one JSON line each, and its answers come back on its stdout.
    Its stderr goes to a temporary file, read when it dies.
    """

    def __init__(self, notebooks_dir: Path, forker: str | None = None) -> None:
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        argv = [sys.executable, "-m", "cvlib.report.worker", str(notebooks_dir), str(os.getpid())]
        self.process = subprocess.Popen(
            argv + ([forker] if forker else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=_environment(),
            text=True,
            encoding="utf-8",
        )
        self.alive = True
        self._expired = False

    def build(self, spec: dict, timeout: float | None) -> tuple[bool, str | None]:
        """Build one release; ``(True, None)``, or ``(False, reason and details)``.

        A release that takes longer than ``timeout`` seconds has the worker
        and its kernels killed (the worker is then dead, and a new one builds
        the next release).
        """
        timer = None
        if timeout is not None:
            timer = threading.Timer(timeout, self._expire)
            timer.daemon = True
            timer.start()
        try:
            self.process.stdin.write(json.dumps(spec) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        finally:
            if timer is not None:
                timer.cancel()
        if self._expired:
            self.alive = False
            return False, f"timed out after {timeout:g} s (its kernel was stopped)"
        if line:
            answer = json.loads(line)
            return answer["ok"], answer.get("error")
        self.alive = False
        status = self.process.wait()
        self._log.seek(0)
        detail = self._log.read().strip()
        return False, f"worker exited with status {status}" + (f"\n\n{detail}" if detail else "")

    def _expire(self) -> None:
        self._expired = True
        kill_tree(self.process)

    def finish(self) -> None:
        """Close the worker's input: it exits by itself (:meth:`close` waits for it)."""
        self.alive = False
        with contextlib.suppress(OSError):
            self.process.stdin.close()

    def close(self) -> None:
        """End the worker: its input closes, it stops a kernel it had started, and exits."""
        self.finish()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_tree(self.process)
        self.process.stdout.close()
        self._log.close()


def _environment() -> dict:
    """The environment of a worker and of the run's forker."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


class WorkerPool:
    """The run's worker processes (some started before the releases to build are known).

    They share one kernel forker (:class:`cvlib.report.forker.Forker`), started
    with the first worker and again if it dies: what a report imports is
    imported once per run, not once per worker.
    """

    def __init__(self, notebooks_dir: Path, count: int = 0) -> None:
        self.notebooks_dir = notebooks_dir
        self._forker: Forker | None = None
        self._lock = threading.Lock()
        self._ending: list[WorkerProcess] = []
        self._idle = [self._start() for _ in range(count)]

    def _start(self) -> WorkerProcess:
        with self._lock:
            if self._forker is None or not self._forker.alive:
                if self._forker is not None:
                    self._forker.close()
                self._forker = Forker(self.notebooks_dir, shared=True, env=_environment())
            address = self._forker.address
        return WorkerProcess(self.notebooks_dir, address)

    def take(self) -> WorkerProcess:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._start()

    def give_back(self, worker: WorkerProcess, *, last: bool = False) -> None:
        """Take back a worker; with ``last`` (no release is left for it) it ends at once.

        An ended worker exits while the index renders; :meth:`close` waits for it.
        """
        if not worker.alive or last:
            worker.finish()
            with self._lock:
                self._ending.append(worker)
            return
        with self._lock:
            self._idle.append(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._idle, self._ending = self._idle + self._ending, [], []
            forker, self._forker = self._forker, None
        try:
            for worker in workers:
                worker.close()
        finally:
            if forker is not None:
                forker.close()
