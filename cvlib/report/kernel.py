"""Running a notebook with papermill in a kernel of this interpreter.

The packaged notebooks (``cvlib/report/notebooks``, the same files as the
project's ``notebooks/``) are found with :mod:`importlib.resources`, and
every kernel is started with the interpreter ``cvlib`` runs in
(:class:`ThisInterpreter`), so a plain ``pip install cvlib`` needs no kernel
registration and a kernel registered elsewhere under the same name is never
used by mistake.
"""

from __future__ import annotations

import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

__all__ = [
    "KERNEL_SHUTDOWN_WAIT",
    "NOTEBOOKS_DIR",
    "PORTFOLIO_NOTEBOOK",
    "RELEASE_NOTEBOOK",
    "UnknownParameterError",
    "check_parameters",
    "execute",
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


#: Seconds a report kernel gets to exit after its shutdown request: SIGTERM at half of
#: it, SIGKILL at the end (jupyter_client's ``shutdown_wait_time``, 5 s by default). A
#: kernel exits in about 0.1 s, but ipykernel (7.4) sometimes hangs in its exit: its control
#: thread, after sending the shutdown reply, flushes stdout through the IOPub thread that the
#: main thread is already closing, and waits for it (10 s), while the main thread waits for
#: the control thread. That happened to about one kernel in five, each time 2.5 s lost before
#: the SIGTERM. Every output is in the notebook by then, and the kernel only read files.
KERNEL_SHUTDOWN_WAIT = 1.0


def _kernel_manager():
    """A kernel manager class that starts kernels of ``sys.executable`` (ipykernel), whatever
    kernel specs are registered (made on first use: it imports jupyter_client)."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    class ThisInterpreter(AsyncKernelManager):
        """Starts a kernel of the interpreter cvlib runs in."""

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


def execute(notebook: Path, output: Path, parameters: dict, cwd) -> None:
    """papermill with a kernel of this interpreter in ``cwd``, talking to it over local IPC sockets.

    IPC (Unix sockets in a private temporary folder) instead of TCP: nothing
    listens on the network, and the kernel has no reason to print its
    unencrypted-TCP warning. The kernel is ``sys.executable -m ipykernel_launcher``
    (no kernel registration needed), starts with :data:`_KERNEL_START` and gets
    :data:`KERNEL_SHUTDOWN_WAIT` seconds to exit when the notebook is done.
    """
    import papermill
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="cvlib-kernel-") as sockets:
        config = Config(
            {
                "KernelManager": {
                    "transport": "ipc",
                    "ip": os.path.join(sockets, "kernel"),
                    "shutdown_wait_time": KERNEL_SHUTDOWN_WAIT,
                },
                "NotebookClient": {
                    "extra_arguments": [f"--IPKernelApp.exec_lines={_KERNEL_START}"]
                },
            }
        )
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            config=config,
            kernel_manager_class=_kernel_manager(),
        )
