"""A process that has imported what a report kernel needs, and forks report kernels from it.

``python -m cvlib.report.forker PARENT_PID [--listen FD]`` (:class:`Forker`)
imports ipykernel and :data:`cvlib.report.kernel.WARM_MODULES` once, then
reads JSON requests, one per line: ``{"argv": [...], "env": {...}, "cwd":
..., "watch": PID}`` (the arguments of ``python -m ipykernel_launcher``, the
environment and working directory of the kernel, and the process it serves)
is answered with the pid of a child forked to be that kernel (``{"pid":
N}``); ``{"later": true}`` (no answer) has it import
:data:`~cvlib.report.kernel.LATER_MODULES` as well. Requests come on its
stdin, answered on its stdout, and, with ``--listen``, from any number of
workers connected to its Unix socket (:class:`ForkerClient`): ``cvlib
report`` starts one forker for all its workers. It ends at the end of its
stdin. A kernel started this way skips the interpreter's start, ipykernel's
imports and the warm imports: about 1 s of CPU time each.

A child is what ``python -m ipykernel_launcher`` would have been: a session
of its own, stdin from ``/dev/null``, stdout and stderr those of the process
it serves (sent with the request over the socket; the forker's otherwise),
the environment it was sent (and what the forker's imports added to the
forker's, as they would have to its own), fresh seeds for :mod:`random` and
NumPy's global generator, the garbage collector on. It exits when the process it
serves exits (it watches that process; and when a worker's connection ends,
the forker kills the worker's kernels that still run, with their process
groups) and when the forker does (ipykernel's parent poller; a forker at the
end of its stdin kills the kernels that still run). The forker starts no
Python thread (it refuses to fork if one was started), ignores Ctrl-C (the
command it serves handles it), dies with its parent and reaps its children
as they exit (``SIGCHLD`` ignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

__all__ = ["ForkedProcess", "Forker", "ForkerClient", "die_with_parent", "main"]


class _Channel:
    """Requests to a forker and its answers, over a pipe pair or a socket."""

    def __init__(self, reader, writer, sock: socket.socket | None = None) -> None:
        self.reader, self.writer, self.sock = reader, writer, sock
        self.broken = False

    def send(self, request: dict, *, fds: list[int] = ()) -> None:
        line = (json.dumps(request) + "\n").encode("utf-8")
        try:
            if self.sock is not None:
                sent = socket.send_fds(self.sock, [line], list(fds)) if fds else 0
                self.sock.sendall(line[sent:])
            else:
                self.writer.write(line.decode("utf-8"))
                self.writer.flush()
        except OSError:  # BrokenPipeError, ConnectionResetError: the forker is gone
            self.broken = True

    def fork(self, argv: list[str], env: dict, cwd: str) -> ForkedProcess:
        request = {"argv": argv, "env": env, "cwd": cwd, "watch": os.getpid()}
        if self.sock is not None:  # the kernel writes where this process writes
            request["stdio"] = True
            self.send(request, fds=[1, 2])
        else:
            self.send(request)
        line = ""
        if not self.broken:
            try:
                line = self.reader.readline()
            except OSError:
                line = ""
        if not line:
            self.broken = True
        answer = json.loads(line) if line else {"error": "the kernel forker exited"}
        if "pid" not in answer:
            raise RuntimeError(f"cannot start a report kernel: {answer['error']}")
        return ForkedProcess(int(answer["pid"]))


class _Requester:
    """What a worker asks of a forker (:class:`Forker`, :class:`ForkerClient`)."""

    _channel: _Channel

    def fork(self, argv: list[str], env: dict, cwd: str) -> ForkedProcess:
        """A new kernel ``python -m ipykernel_launcher *argv`` with ``env`` in ``cwd``.

        Raises ``RuntimeError`` if the forker has died or could not fork.
        """
        return self._channel.fork(argv, env, cwd)

    def prepare_later(self) -> None:
        """Have the forker import :data:`~cvlib.report.kernel.LATER_MODULES` too (once).

        Asked by a worker when more releases follow: the imports then run
        while its current kernel runs a notebook, and every kernel forked
        afterwards has them. A dead forker is replaced at the next fork.
        """
        self._channel.send({"later": True})


class Forker(_Requester):
    """A forker process (``python -m cvlib.report.forker``), started by this process.

    Parameters
    ----------
    cwd : path
        The forker's working directory.
    shared : bool
        Listen on a Unix socket (:attr:`address`, in a private temporary
        folder) for the workers' requests (:class:`ForkerClient`), besides
        this process's.
    env : dict, optional
        The forker's environment (this process's by default).
    """

    def __init__(self, cwd, *, shared: bool = False, env: dict | None = None) -> None:
        argv = [sys.executable, "-m", "cvlib.report.forker", str(os.getpid())]
        self._folder = self.address = None
        listener = None
        if shared:
            self._folder = tempfile.TemporaryDirectory(prefix="cvlib-forker-")
            self.address = os.path.join(self._folder.name, "socket")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.address)
            listener.listen(64)
            argv += ["--listen", str(listener.fileno())]
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=str(cwd),
                env=env,
                pass_fds=(listener.fileno(),) if listener else (),
                text=True,
                encoding="utf-8",
            )
        finally:
            if listener is not None:
                listener.close()  # the forker holds it now
        self._channel = _Channel(self.process.stdout, self.process.stdin)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self._channel.broken

    def close(self) -> None:
        """End the forker (its kernels keep running until they are shut down)."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        if self._folder is not None:
            self._folder.cleanup()


class ForkerClient(_Requester):
    """A connection to a shared :class:`Forker` at ``address`` (a worker's).

    Raises ``OSError`` if nothing listens there. Its kernels write to this
    process's stdout and stderr, and exit when this process does.
    """

    def __init__(self, address: str) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(address)
        except OSError:
            self._sock.close()
            raise
        self._reader = self._sock.makefile("r", encoding="utf-8")
        self._channel = _Channel(self._reader, None, self._sock)

    @property
    def alive(self) -> bool:
        return not self._channel.broken

    def close(self) -> None:
        self._reader.close()
        self._sock.close()


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


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command (state, ppid, ...); ``None`` if gone.

    Raises ``OSError`` where there is no ``/proc``.
    """
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None


def _runs(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        fields = _stat(pid)
    except OSError:  # no /proc: signal 0
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return fields is not None and fields[0] not in ("Z", "X")


#: What the forker's imports added to its environment (:func:`_prepare`), given to every kernel.
_IMPORTS_ENV: dict = {}


@contextlib.contextmanager
def _noting_environment():
    """Note in :data:`_IMPORTS_ENV` what the imports made inside write into the environment
    (debugpy: ``PYDEVD_USE_FRAME_EVAL``): a kernel that made them itself has it in its
    environment, so a forked one gets it too."""
    before = dict(os.environ)
    yield
    _IMPORTS_ENV.update((k, v) for k, v in os.environ.items() if before.get(k) != v)


def _prepare() -> None:
    """Import what every kernel imports, as the kernel itself would have."""
    import gc

    gc.disable()  # enabled again in each child; no cyclic pass over the imports here
    # ipykernel's default, set before matplotlib reads it (as a kernel sets it before any import)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.kernelapp  # noqa: F401 - what ipykernel_launcher imports

    # and what its kernel imports as it starts: its debugger (debugpy, 40 ms), whose check
    # of frozen modules would print a warning here, once (a kernel's own went to its log)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    from cvlib.report.kernel import warm_up

    with _noting_environment():
        import ipykernel.debugger  # noqa: F401

        warm_up()
    gc.collect()
    gc.freeze()  # the imported objects are shared with the children, not copied by a gc pass


def _prepare_later() -> None:
    """Import :data:`cvlib.report.kernel.LATER_MODULES` as well."""
    import gc

    from cvlib.report.kernel import LATER_MODULES, warm_up

    with _noting_environment():
        warm_up(LATER_MODULES)
    gc.collect()
    gc.freeze()


def _watch(pid: int) -> None:
    """End this process as soon as ``pid`` has exited (a thread; pidfd where Linux has it)."""
    import select
    import threading
    import time

    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd: poll
        handle = None

    def wait() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while _runs(pid):
                time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=wait, name="cvlib-watch", daemon=True).start()


def _child(request: dict, stdio: list[int], parent: int) -> None:
    """Become ``python -m ipykernel_launcher *argv`` of ``request`` (never returns)."""
    code = 1
    try:
        os.setsid()
        os.chdir(request["cwd"])
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        out, err = stdio if stdio else (2, 2)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in stdio:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(parent))
        for name, value in _IMPORTS_ENV.items():
            os.environ.setdefault(name, value)
        if request.get("watch"):
            _watch(int(request["watch"]))
        if "numpy.random" in sys.modules:
            sys.modules["numpy.random"].seed()  # a fresh process would have drawn its own
        import gc

        gc.enable()
        # the default of parent_handle was read from JPY_PARENT_PID when the forker imported
        # ipykernel: given here, the kernel polls the forker and exits when it is gone
        sys.argv = ["ipykernel_launcher", *request["argv"], f"--IPKernelApp.parent_handle={parent}"]
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


class _Server:
    """The forker's loop: requests from its stdin and from the connected workers."""

    def __init__(self, answers, listen_fd: int | None) -> None:
        import selectors

        self.selector = selectors.DefaultSelector()
        self.later = True
        self.stdin = _Peer(None, answers)
        self.selector.register(0, selectors.EVENT_READ, self.stdin)
        self.listener = None
        if listen_fd is not None:
            self.listener = socket.socket(fileno=listen_fd)
            self.selector.register(self.listener, selectors.EVENT_READ, None)

    def serve(self) -> None:
        """Until the end of stdin."""
        import selectors

        while True:
            for key, _ in self.selector.select():
                if key.data is None:  # a worker connects
                    conn, _ = self.listener.accept()
                    self.selector.register(conn, selectors.EVENT_READ, _Peer(conn, None))
                    continue
                peer = key.data
                if not peer.receive():
                    if peer is self.stdin:
                        for other in self.selector.get_map().values():
                            if isinstance(other.data, _Peer):
                                _end_kernels(other.data.kernels)
                        return
                    self.selector.unregister(peer.sock)
                    _end_kernels(peer.kernels)  # its worker is gone
                    peer.close()
                    continue
                for request in peer.requests():
                    try:
                        self.handle(request, peer)
                    except Exception as exc:  # noqa: BLE001 - this request fails, not the forker
                        peer.answer({"error": f"{type(exc).__name__}: {exc}"})

    def handle(self, request: dict, peer: _Peer) -> None:
        import threading

        if request.get("later"):  # no answer, whatever happens
            if self.later:
                self.later = False
                with contextlib.suppress(Exception):  # a kernel then imports for itself
                    _prepare_later()
            return
        stdio = []
        if request.get("stdio"):
            if len(peer.fds) < 2:
                raise ValueError("a request for the sender's stdout and stderr came without them")
            stdio = [peer.fds.pop(0), peer.fds.pop(0)]
        try:
            if threading.active_count() > 1:
                raise RuntimeError("the forker started a thread")
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # never back in the forker's loop
                try:
                    self.close_in_child()
                    _child(request, stdio, os.getppid())
                finally:
                    os._exit(1)
            peer.kernels = [p for p in peer.kernels if _is_child(p)] + [pid]
            peer.answer({"pid": pid})
        finally:
            for fd in stdio:
                os.close(fd)

    def close_in_child(self) -> None:
        """Drop the forker's connections in a child (Python-level closes: no fd closed twice)."""
        for key in list(self.selector.get_map().values()):
            if isinstance(key.data, _Peer) and key.data is not self.stdin:
                key.data.close()
        self.stdin.writer.close()
        if self.listener is not None:
            self.listener.close()
        self.selector.close()


class _Peer:
    """One source of requests: stdin (answered on ``writer``) or a worker's connection."""

    def __init__(self, sock: socket.socket | None, writer) -> None:
        self.sock, self.writer = sock, writer
        self.buffer = b""
        self.fds: list[int] = []
        self.kernels: list[int] = []  # forked for this peer

    def receive(self) -> bool:
        """Read what has arrived (``False`` at its end)."""
        try:
            if self.sock is None:
                data = os.read(0, 1 << 16)
            else:
                data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 8)
                self.fds.extend(fds)
        except OSError:
            return False
        self.buffer += data
        return bool(data)

    def requests(self):
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)

    def answer(self, answer: dict) -> None:
        line = json.dumps(answer) + "\n"
        try:
            if self.sock is None:
                self.writer.write(line)
            else:
                self.sock.sendall(line.encode("utf-8"))
        except OSError:
            pass  # the worker is gone; its connection closes at the next read

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        if self.sock is not None:
            self.sock.close()


def _is_child(pid: int) -> bool:
    """Whether ``pid`` is a running child of this process (not a reused pid)."""
    try:
        fields = _stat(pid)
    except OSError:  # no /proc
        return _runs(pid)
    return fields is not None and fields[0] not in ("Z", "X") and int(fields[1]) == os.getpid()


def _end_kernels(pids: list[int]) -> None:
    """SIGKILL the kernels of ``pids`` that still run, each with its process group."""
    for pid in pids:
        if _is_child(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # a kernel leads a session of its own


def main(argv: list[str]) -> NoReturn:
    """Forker process entry point (``python -m cvlib.report.forker PARENT_PID [--listen FD]``)."""
    die_with_parent(int(argv[0]))
    listen_fd = int(argv[2]) if len(argv) == 3 and argv[1] == "--listen" else None
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts its own entry back
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
    _prepare()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they exit
    _Server(answers, listen_fd).serve()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to clean up: no interpreter teardown of the imported modules


if __name__ == "__main__":  # the kernel forker of a cvlib report run or worker
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: python -m cvlib.report.forker PARENT_PID [--listen FD] (cvlib report's)")
    main(sys.argv[1:])
