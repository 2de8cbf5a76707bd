"""Running a notebook with papermill in a kernel of this interpreter.

The packaged notebooks (``cvlib/report/notebooks``, the same files as the
project's ``notebooks/``) are found with :mod:`importlib.resources`, and
every kernel is started with the interpreter ``cvlib`` runs in
(:class:`ThisInterpreter`), so a plain ``pip install cvlib`` needs no kernel
registration and a kernel registered elsewhere under the same name is never
used by mistake.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

__all__ = [
    "ENGINE",
    "KERNEL_SHUTDOWN_WAIT",
    "LATER_MODULES",
    "NOTEBOOKS_DIR",
    "PORTFOLIO_NOTEBOOK",
    "RELEASE_NOTEBOOK",
    "WARM_MODULES",
    "Kernel",
    "UnknownParameterError",
    "batch_process",
    "check_parameters",
    "execute",
    "warm_up",
]

#: The notebooks shipped with the package (the report, the portfolio, the exploration notebook).
NOTEBOOKS_DIR = Path(str(resources.files("cvlib.report") / "notebooks"))
RELEASE_NOTEBOOK = "release_report.ipynb"
PORTFOLIO_NOTEBOOK = "portfolio.ipynb"
KERNEL_NAME = "python3"
#: The module a kernel runs (``python -m ipykernel_launcher``, from ipykernel).
KERNEL_MODULE = "ipykernel_launcher"


class UnknownParameterError(ValueError):
    """Parameters that the notebook's ``parameters`` cell does not declare."""


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Raise :class:`UnknownParameterError` for parameters the notebook does not declare.

    papermill only warns about them (and injects them anyway); a scheduled run
    must not silently ignore a misspelt parameter.

    Examples
    --------
    >>> notebook = NOTEBOOKS_DIR / RELEASE_NOTEBOOK
    >>> check_parameters(notebook, {"release_id": "x"})
    >>> check_parameters(notebook, {"relase_id": "x"})  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    cvlib.report.kernel.UnknownParameterError: release_report.ipynb has no parameter relase_id
    (it has: data_dir, release_id, out_dir, previous_summary)
    """
    from papermill import inspect_notebook

    declared = list(inspect_notebook(str(notebook)))
    unknown = [name for name in parameters if name not in declared]
    if not declared:
        raise UnknownParameterError(f"{Path(notebook).name} has no cell tagged 'parameters'")
    if unknown:
        raise UnknownParameterError(
            f"{Path(notebook).name} has no parameter {', '.join(unknown)} "
            f"(it has: {', '.join(declared)})"
        )


#: Run in a report kernel at start-up (no name left behind). A report kernel is a short
#: batch run that imports pandas and matplotlib, then exits: the cyclic garbage
#: collector runs rarely (a gen-0 threshold of 50,000 allocations instead of 700: its full
#: passes over the growing heap cost about 0.25 s of a report), and at exit it skips its
#: final pass over everything imported (about 0.4 s of the kernel's shutdown). Objects are
#: still released by reference counting as modules are torn down; cvlib closes its DuckDB
#: databases in its own exit handler, which runs before this one.
_KERNEL_START = (
    "import atexit as _cvlib_atexit, gc as _cvlib_gc; "
    "_cvlib_gc.set_threshold(50_000, 50, 100); "
    "_cvlib_atexit.register(_cvlib_gc.freeze); del _cvlib_atexit, _cvlib_gc"
)


def batch_process() -> None:
    """Tune this process for a short batch run, as :data:`_KERNEL_START` tunes a kernel.

    At exit, the cyclic garbage collector's final pass over everything
    imported is skipped (a report worker's; the ``cvlib`` command ends
    without the interpreter's teardown, :func:`cvlib.cli.console`). Objects
    are still released by reference counting, and exit handlers registered
    after this one (cvlib's DuckDB databases, the temporary folders) run
    before it. Once per process.
    """
    import atexit
    import gc

    if not getattr(batch_process, "done", False):
        atexit.register(gc.freeze)
        batch_process.done = True


#: Seconds a report kernel gets to exit after its shutdown request: SIGTERM at half of
#: it, SIGKILL at the end (jupyter_client's ``shutdown_wait_time``, 5 s by default). A
#: kernel exits in about 0.1 s, but ipykernel (7.4) sometimes hangs in its exit: its control
#: thread, after sending the shutdown reply, flushes stdout through the IOPub thread that the
#: main thread is already closing, and waits for it (10 s), while the main thread waits for
#: the control thread. That happened to about one kernel in five, each time 2.5 s lost before
#: the SIGTERM. Every output is in the notebook by then, and the kernel only read files.
KERNEL_SHUTDOWN_WAIT = 1.0


#: Milliseconds before a report kernel's client first tries again to connect to a socket
#: the kernel has not bound yet (ZeroMQ's ``RECONNECT_IVL``, doubling up to 0.1 s).
_RECONNECT_FIRST_MS = 5


#: Seconds between two looks at whether a report kernel has exited after its shutdown
#: request (reading ``/proc`` or ``waitpid``: microseconds each).
_EXIT_POLL = 0.005


#: Seconds a client waits for the kernel's first IOPub message after its kernel_info reply
#: (jupyter_client's own figure), before it asks again.
_IOPUB_WAIT = 0.2


def _kernel_client():
    """The client class of report kernels (made on first use: it imports jupyter_client).

    jupyter_client's ``wait_for_ready``, without its last step: after the
    kernel has answered kernel_info and IOPub has delivered a message, it
    waits until IOPub has been silent for 0.2 s, discarding what arrives.
    That step is 0.2 s of every report (and of every kernel papermill starts,
    idle or not). nbclient reads IOPub messages by the request they answer
    (``parent_header.msg_id``), so the kernel_info's own status messages left
    there are ignored by the notebook's cells.
    """
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReportClient(AsyncKernelClient):
        """A kernel client that is ready once the kernel answers on shell and IOPub."""

        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            # a kernel forked a moment ago binds its sockets some 50 ms later, and a socket
            # that connected first tries again after ZeroMQ's reconnect interval (0.1 s by
            # default): every 5 ms instead, backing off to 0.1 s if the kernel is gone
            import zmq

            self.context.setsockopt(zmq.RECONNECT_IVL, _RECONNECT_FIRST_MS)
            self.context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=_IOPUB_WAIT)
                        except Empty:
                            pass  # IOPub not connected yet: ask again
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    return ReportClient


def _kernel_manager():
    """A kernel manager class that starts kernels of ``sys.executable`` (ipykernel), whatever
    kernel specs are registered (made on first use: it imports jupyter_client)."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    client = _kernel_client()

    class ThisInterpreter(AsyncKernelManager):
        """Starts a kernel of the interpreter cvlib runs in; its clients are ``ReportClient``."""

        def __init__(self, *, forker=None, **kwargs) -> None:
            super().__init__(**kwargs)
            self.client_factory = client
            self.forker = forker

        async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
            """Fork the kernel from ``self.forker`` if there is one (else start it anew)."""
            if self.forker is None:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            env = dict(kw.get("env") or os.environ)
            cwd = str(kw.get("cwd") or os.getcwd())
            process = self.forker.fork(kernel_cmd[3:], env, cwd)
            provisioner = self.provisioner
            provisioner.process = process
            provisioner.pid = provisioner.pgid = process.pid  # its own session, as a launched one
            provisioner.cwd = cwd
            self._reconcile_connection_info(provisioner.connection_info)

        async def _async_wait(self, pollinterval=0.1):
            """Wait for the kernel to exit (after its shutdown request, or a kill), looking
            every :data:`_EXIT_POLL` seconds instead of jupyter_client's 0.1 s: a report
            kernel exits about 20 ms after its request, and every release waited for the
            next look."""
            await super()._async_wait(pollinterval=min(pollinterval, _EXIT_POLL))

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", KERNEL_MODULE, "-f", "{connection_file}"],
                    display_name=(
                        f"Python {sys.version_info.major}.{sys.version_info.minor} (cvlib)"
                    ),
                    language="python",
                )
            return self._kernel_spec

    return ThisInterpreter


#: What every release report imports (its first cells, loading, evaluating, the charts),
#: imported by a warm report kernel as it starts (:func:`warm_up`), before its notebook
#: is known. ``scipy.stats`` is not among them (:data:`LATER_MODULES`): only a release with
#: a task-time study needs it (the bootstrap), and it is a third of the list's time.
WARM_MODULES = (
    "pandas",
    "pyarrow",
    "duckdb",
    "yaml",
    "scipy.special",
    "scipy.optimize",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.font_manager",
    "matplotlib.ticker",
    "IPython.display",
    "cvlib.contract.workspace",
    "cvlib.engine.database",
    "cvlib.engine.scan",
    "cvlib.verdicts.evaluate",
    "cvlib.report.plots",
    "cvlib.report.present",
)


#: What a release with a task-time study imports besides (scipy.stats, for the bootstrap of
#: its economic value) and the sections' templates: a worker's kernel forker imports them
#: when more releases follow, while the current kernel runs its notebook, so that every
#: later kernel starts with them (:mod:`cvlib.report.forker`).
LATER_MODULES = ("scipy.stats", "jinja2")


def warm_up(modules=WARM_MODULES) -> None:
    """Import ``modules`` (by default :data:`WARM_MODULES`, what a warm kernel imports first).

    A module that cannot be imported is skipped: the notebook's own import
    then reports it where it belongs, in the cell that needs it.
    """
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


#: The start-up line of a warm kernel after :data:`_KERNEL_START` (no name left behind).
_WARM_START = '__import__("cvlib.report.kernel", fromlist=["warm_up"]).warm_up()'

#: The papermill engine that runs a notebook in a kernel started before it (:class:`Kernel`).
ENGINE = "cvlib-started-kernel"


def _register_engine() -> None:
    """Register :data:`ENGINE` with papermill (idempotent; it imports papermill).

    papermill's nbclient engine, except that the kernel comes from the
    caller (``km=``) and is shut down, with its client's channels closed,
    when the notebook is done (nbclient leaves both to a caller who owns
    the kernel manager).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class StartedKernelEngine(NBClientEngine):
        """papermill's nbclient engine for a kernel that was started before the notebook."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            return PapermillNotebookClient(nb_man, **final_kwargs).execute(cleanup_kc=True)

    papermill_engines.register(ENGINE, StartedKernelEngine)


def _kernel_config(sockets: str):
    from traitlets.config import Config

    return Config(
        {
            "KernelManager": {
                "transport": "ipc",
                "ip": os.path.join(sockets, "kernel"),
                "shutdown_wait_time": KERNEL_SHUTDOWN_WAIT,
            }
        }
    )


class Kernel:
    """A report kernel of this interpreter, started now, for a notebook given later.

    The kernel process starts at once and, when ``warm``, imports
    :data:`WARM_MODULES` while the caller does other work; forked from
    ``forker`` it has them already. :func:`execute` runs one notebook in it
    and shuts it down; :meth:`close` stops a kernel that ran nothing. It
    talks over local IPC sockets in a private temporary folder.

    Parameters
    ----------
    cwd : path
        The kernel's working directory (the notebook's folder).
    warm : bool
        Import what a release report imports as it starts (a forked kernel
        has them from its forker).
    forker : cvlib.report.forker.Forker or ForkerClient, optional
        Fork the kernel from this forker instead of starting an interpreter;
        raises ``RuntimeError`` if the forker is gone or cannot fork.
    """

    def __init__(self, cwd, *, warm: bool = True, forker=None) -> None:
        from jupyter_core.utils import run_sync

        self._sockets = tempfile.TemporaryDirectory(prefix="cvlib-kernel-")
        config = _kernel_config(self._sockets.name)
        self.manager = _kernel_manager()(config=config, forker=forker)
        # a forked kernel has the warm imports already: the forker made them
        lines = f"{_KERNEL_START}; {_WARM_START}" if warm and forker is None else _KERNEL_START
        try:
            run_sync(self.manager.start_kernel)(
                extra_arguments=[f"--IPKernelApp.exec_lines={lines}"], cwd=str(cwd)
            )
        except BaseException:
            self._sockets.cleanup()  # no kernel: nothing else to stop
            raise

    @property
    def alive(self) -> bool:
        """Whether the kernel process still runs (one whose forker was killed does not)."""
        provisioner = self.manager.provisioner
        process = None if provisioner is None else provisioner.process
        return process is not None and process.poll() is None

    def close(self) -> None:
        """Stop the kernel if it still runs (at once: it ran no notebook) and remove its sockets."""
        from jupyter_core.utils import run_sync

        try:
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            self._sockets.cleanup()


def execute(notebook: Path, output: Path, parameters: dict, cwd, *, kernel=None) -> None:
    """papermill with a kernel of this interpreter in ``cwd``, talking to it over local IPC sockets.

    IPC (Unix sockets in a private temporary folder) instead of TCP: nothing
    listens on the network, and the kernel has no reason to print its
    unencrypted-TCP warning. The kernel is ``sys.executable -m ipykernel_launcher``
    (no kernel registration needed), starts with :data:`_KERNEL_START` and gets
    :data:`KERNEL_SHUTDOWN_WAIT` seconds to exit when the notebook is done.

    ``kernel`` is a :class:`Kernel` started earlier (a worker's warm kernel);
    without one, a kernel that imports nothing ahead is started here. Either
    way the kernel is shut down when the notebook is done, or has failed.
    """
    import papermill

    _register_engine()
    own = kernel is None
    if own:
        kernel = Kernel(cwd, warm=False)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            engine_name=ENGINE,
            km=kernel.manager,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    finally:
        kernel.close()
