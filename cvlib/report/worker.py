"""The worker processes of ``cvlib report``: each builds releases one after another.

Started by :func:`cvlib.report.runner.run_reports` as
``python -m cvlib.report.worker NOTEBOOKS_DIR PARENT_PID [FORKER]``; it dies with its
parent. It reads one JSON spec per line on stdin, runs that release's
notebook into the temporary folder the spec names and answers with one JSON
line on stdout: ``{"ok": true}``, or ``{"ok": false, "error": ...}`` with one
line of reason, then the details. It exits at the end of its input. The
command renders the release's HTML from the executed notebook: a worker
imports no nbconvert.

A worker starts warm: the run's kernel forker (:mod:`cvlib.report.forker`,
started by the command, or the worker's own) imports ipykernel and what a
report imports while the worker imports papermill, before any spec has
arrived; every kernel is then forked from it, already warm. When the spec
says another release follows (``next``), the forker also imports what a
report imports later (:data:`cvlib.report.kernel.LATER_MODULES`) while this
notebook runs, and the next kernel is forked as soon as this notebook has
run. Every release still runs in a kernel of its own, a process of its own,
which exits if its worker is killed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from cvlib.report.forker import Forker, ForkerClient, die_with_parent
from cvlib.report.kernel import Kernel, batch_process, check_parameters, execute

__all__ = ["Worker", "main"]


def _quiet_logging() -> None:
    """Keep the worker's stderr to real errors (no kernel or traitlets chatter)."""
    import logging
    import warnings

    logging.getLogger().setLevel(logging.ERROR)
    for name in ("papermill", "traitlets", "nbclient", "jupyter_client", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="jupyter_client")
    warnings.filterwarnings("ignore", module="zmq")


def _local_files_only() -> None:
    """Keep papermill from importing pyarrow, and numpy with it, for its HDFS handler.

    papermill's I/O module tries ``pyarrow.fs`` as it is imported, for
    ``hdfs://`` paths. A worker reads and writes local files only (the
    notebook, the release's temporary folder), so in a worker that import is
    made to fail the way Python documents (``None`` in ``sys.modules``,
    "The import system", section 5.3.1), and papermill goes on without that
    handler: about 0.2 s of CPU less per worker, before its first release.
    The kernels are processes of their own and import pyarrow as usual.
    """
    sys.modules.setdefault("pyarrow", None)


class Worker:
    """Builds releases one after another, each in a kernel of its own that started warm.

    Parameters
    ----------
    notebooks_dir : path
        The notebooks' folder: every kernel's working directory.
    forker : str, optional
        The address of the run's kernel forker (:class:`cvlib.report.forker.Forker`
        with ``shared=True``); without one, or if it is gone, the worker
        starts a forker of its own.
    """

    def __init__(self, notebooks_dir, forker: str | None = None) -> None:
        self.notebooks_dir = Path(notebooks_dir)
        self.forker = self._forker(forker)  # a forker of its own imports while this one does
        import papermill  # noqa: F401

        self.kernel: Kernel | None = self._kernel()

    def _forker(self, address: str | None = None) -> Forker | ForkerClient:
        """The run's shared forker at ``address``, else (or if it is gone) one of its own."""
        if address:
            try:
                return ForkerClient(address)
            except OSError:
                pass
        return Forker(self.notebooks_dir)

    def _kernel(self) -> Kernel:
        """A kernel forked from this worker's forker (a forker of its own if that one died)."""
        if self.forker.alive:
            try:
                return Kernel(self.notebooks_dir, forker=self.forker)
            except RuntimeError:
                if self.forker.alive:  # it answered with an error
                    raise
        self.forker.close()  # gone: found now, or at the fork just asked of it
        self.forker = self._forker()
        return Kernel(self.notebooks_dir, forker=self.forker)

    def build(self, spec: dict) -> None:
        """Run the release notebook into ``spec["tmp_dir"]`` (the command renders its HTML).

        ``spec`` holds ``notebook``, ``tmp_dir``, ``parameters`` and ``next``
        (whether another release is expected), besides what only the command
        reads (``key``, ``title``). Raises on
        failure; the executed notebook (with the error in it) is kept in the
        temporary folder for the parent to discard.
        """
        tmp = Path(spec["tmp_dir"])
        notebook = Path(spec["notebook"])
        kernel, self.kernel = self.kernel, None
        if kernel is not None and not kernel.alive:  # it died while it waited
            kernel.close()
            kernel = None
        kernel = kernel or self._kernel()
        executed = tmp / "report.ipynb"
        if spec.get("next"):  # later kernels start with what this one imports as it goes
            self.forker.prepare_later()
        try:
            check_parameters(notebook, spec["parameters"])
            execute(notebook, executed, spec["parameters"], self.notebooks_dir, kernel=kernel)
        finally:
            kernel.close()  # already shut down once the notebook ran
            if spec.get("next"):  # forked while the command renders this release's HTML
                try:
                    self.kernel = self._kernel()
                except Exception:  # noqa: BLE001 - the next release starts its own, or says why
                    self.kernel = None
        if not (tmp / "summary.json").is_file():
            raise RuntimeError(f"{notebook.name} ran but wrote no summary.json into out_dir")

    def close(self) -> None:
        """Stop a kernel that was started for a release that did not come."""
        try:
            if self.kernel is not None:
                self.kernel.close()
                self.kernel = None
        finally:
            self.forker.close()


def main(notebooks_dir: str, parent_pid: str, forker: str | None = None) -> int:
    """Worker process entry point (``python -m cvlib.report.worker DIR PARENT_PID [FORKER]``).

    Answers go to the stdout it was started with; anything else written to
    stdout (by this process or its kernels) goes to stderr instead, so that
    it cannot be taken for an answer.
    """
    die_with_parent(int(parent_pid))
    _quiet_logging()
    _local_files_only()
    batch_process()
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    worker = Worker(notebooks_dir, forker)
    try:
        for line in sys.stdin:
            try:
                worker.build(json.loads(line))
                answer = {"ok": True}
            except Exception as exc:  # noqa: BLE001 - reported to the parent as text
                answer = {"ok": False, "error": describe_error(exc)}
            answers.write(json.dumps(answer) + "\n")
    finally:
        worker.close()
    return 0


def describe_error(exc: BaseException) -> str:
    """One line of reason, then the details (papermill's cell traceback, without ANSI colours)."""
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        first = f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        details = "\n".join(exc.traceback)
    else:
        import traceback

        first = f"{name}: {exc}"
        details = "".join(traceback.format_exception(exc))
    details = re.sub(r"\x1b\[[0-9;]*m", "", details)
    return first.splitlines()[0] + "\n\n" + details


if __name__ == "__main__":  # a worker process of run_reports
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python -m cvlib.report.worker DIR PARENT_PID [FORKER] (cvlib report's)")
    sys.exit(main(*sys.argv[1:]))
