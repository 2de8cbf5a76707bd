"""The worker process of ``cvlib report``: one release per process.

Started by :func:`cvlib.report.runner.run_reports` as
``python -m cvlib.report.worker SPEC.json``; it dies with its parent, runs the
notebook into the temporary folder the spec names and renders its HTML. A
failure is written to the spec's error file as one line of reason, then the
details.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

from cvlib.report.html import export_html
from cvlib.report.kernel import check_parameters, execute

__all__ = ["build_release", "main"]


def _set_parent_death_signal(parent_pid: int | None = None) -> None:
    """Die with the parent (Linux): a killed run leaves no orphan worker writing a folder.

    A parent that died before the signal was armed is caught by comparing
    the parent pid with the one the parent wrote into the spec.
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


def _quiet_logging() -> None:
    """Keep the worker's stderr to real errors (no kernel or traitlets chatter)."""
    import logging
    import warnings

    logging.getLogger().setLevel(logging.ERROR)
    for name in ("papermill", "traitlets", "nbclient", "jupyter_client", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="jupyter_client")
    warnings.filterwarnings("ignore", module="zmq")


def build_release(spec: dict) -> None:
    """Run the release notebook into ``spec["tmp_dir"]`` and render its HTML (the worker's job).

    ``spec`` holds ``notebook``, ``notebooks_dir``, ``tmp_dir``, ``parameters``,
    ``key`` and ``title``. Raises on failure; the executed notebook (with the
    error in it) is kept in the temporary folder for the parent to discard.
    """
    tmp = Path(spec["tmp_dir"])
    notebook = Path(spec["notebook"])
    check_parameters(notebook, spec["parameters"])
    started = time.monotonic()
    executed = tmp / "report.ipynb"
    execute(notebook, executed, spec["parameters"], spec["notebooks_dir"])
    if not (tmp / "summary.json").is_file():
        raise RuntimeError(f"{notebook.name} ran but wrote no summary.json into out_dir")
    page = export_html(executed, title=spec["title"], back_link="../index.html")
    (tmp / "report.html").write_text(page, encoding="utf-8")
    run = dict(spec["key"], seconds=round(time.monotonic() - started, 3))
    (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


def main(spec_file: str) -> int:
    """Worker process entry point (``python -m cvlib.report.worker SPEC.json``); the exit status."""
    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    _set_parent_death_signal(spec.get("parent_pid"))
    _quiet_logging()
    try:
        build_release(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        Path(spec["error_file"]).write_text(describe_error(exc), encoding="utf-8")
        return 1
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


if __name__ == "__main__":  # the worker process of run_reports
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cvlib.report.worker SPEC.json (used by cvlib report)")
    sys.exit(main(sys.argv[1]))
