"""Per-release reports: papermill runs ``notebooks/release_report.ipynb``, nbconvert renders HTML.

Imported lazily (by ``cvlib report``), never by ``import cvlib``.

Layout of a report folder ``DIR``::

    DIR/index.html              every release, its verdict counts, links; the rendered portfolio
    DIR/index.json              [{release_id, name, released_on, status, report, summary, scorecard, generated_at}]
    DIR/portfolio.ipynb         the executed portfolio notebook
    DIR/<release_id>/report.ipynb   executed notebook: the audit record with its parameters
    DIR/<release_id>/report.html    self-contained HTML (no code, images embedded, nothing from a network)
    DIR/<release_id>/summary.json   written by the notebook (``ReleaseEvaluation.to_dict()``)
    DIR/<release_id>/run.json       what the report was built from (the key for skipping)
    DIR/<release_id>.error.txt      why the last run of the release failed (removed at its next success)
    DIR/.lock                       held (``fcntl.flock``) while a run writes DIR

Scheduled-run behaviour
-----------------------
- Each release is built by its own worker process in ``DIR/.tmp-<release_id>-*``
  and swapped into place only when complete (an atomic exchange of the two
  folders where the kernel offers it), so a reader never sees a half-written
  folder and a failed run keeps the previous good report. Temporary folders
  left by a killed run are removed by the next run (which holds the lock, so
  they cannot belong to a live run).
- A release whose inputs (``inputs_sha256``), cvlib version, notebook and
  parameters are unchanged since its last success is skipped unless ``force``.
- ``timeout`` bounds a release as a whole: its worker and the worker's kernel
  are killed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "NOTEBOOKS_DIR",
    "LockedError",
    "ReleaseOutcome",
    "RunSummary",
    "UnknownParameterError",
    "check_parameters",
    "export_html",
    "run_reports",
    "write_summary",
]

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
RELEASE_NOTEBOOK = "release_report.ipynb"
PORTFOLIO_NOTEBOOK = "portfolio.ipynb"
KERNEL_NAME = "python3"
TMP_PREFIX = ".tmp-"
LOCK_NAME = ".lock"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# a script, link or module import that would fetch something from a network address
_NETWORK_REF = re.compile(
    r"""<(?:script|link|iframe|img)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|\bimport\s*\(\s*["'](?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


class LockedError(RuntimeError):
    """Another run holds the lock of the report folder."""


class UnknownParameterError(ValueError):
    """Parameters that the notebook's ``parameters`` cell does not declare."""


@dataclass(frozen=True, slots=True)
class ReleaseOutcome:
    """What happened to one release in a run.

    Attributes
    ----------
    release_id : str
    status : str
        ``ok``, ``failed`` or ``skipped``.
    seconds : float
        Wall time of the build (0 when skipped).
    reason : str or None
        Why it failed, in one line.
    """

    release_id: str
    status: str
    seconds: float = 0.0
    reason: str | None = None


@dataclass
class RunSummary:
    """The outcome of :func:`run_reports`."""

    out_dir: Path
    releases: list = field(default_factory=list)
    index_error: str | None = None

    @property
    def failed(self) -> bool:
        """True when any release (or the index) failed."""
        return self.index_error is not None or any(r.status == "failed" for r in self.releases)


# ------------------------------------------------------------------ notebook side
def write_summary(evaluation, out_dir) -> Path:
    """Write ``evaluation.to_dict()`` as ``out_dir/summary.json`` (strict JSON); return the path.

    The release notebook calls this once, so the command line never evaluates
    a release a second time.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.json"
    text = json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ parameters and hashing
def check_parameters(notebook: Path, parameters: dict) -> None:
    """Raise :class:`UnknownParameterError` for parameters the notebook does not declare.

    papermill only warns about them (and injects them anyway); a scheduled run
    must not silently ignore a misspelt parameter.

    Examples
    --------
    >>> check_parameters(NOTEBOOKS_DIR / RELEASE_NOTEBOOK, {"release_id": "x"})
    >>> check_parameters(NOTEBOOKS_DIR / RELEASE_NOTEBOOK, {"relase_id": "x"})
    Traceback (most recent call last):
    ...
    cvlib.report.UnknownParameterError: release_report.ipynb has no parameter relase_id (it has: data_dir, release_id, out_dir)
    """
    from papermill import inspect_notebook

    declared = list(inspect_notebook(str(notebook)))
    unknown = [name for name in parameters if name not in declared]
    if not declared:
        raise UnknownParameterError(f"{Path(notebook).name} has no cell tagged 'parameters'")
    if unknown:
        raise UnknownParameterError(
            f"{Path(notebook).name} has no parameter {', '.join(unknown)} (it has: {', '.join(declared)})"
        )


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def release_inputs_sha256(workspace, release_id: str) -> str:
    """SHA-256 of the workspace files the release reads, without evaluating it."""
    from cvlib.evaluate import release_inputs_sha256 as inputs_of

    return inputs_of(workspace, workspace.hypotheses_for(release_id))


def _release_key(workspace, release_id, notebook, parameters) -> dict:
    from cvlib import __version__

    return {
        "inputs_sha256": release_inputs_sha256(workspace, release_id),
        "cvlib_version": __version__,
        "notebook_sha256": _sha256_file(notebook),
        "parameters": parameters,
    }


# ------------------------------------------------------------------ HTML
def export_html(notebook, *, title: str, back_link: str | None = None) -> str:
    """Render an executed notebook as self-contained HTML.

    No code cells or prompts, images embedded, ``title`` as the page title,
    an optional link back (``back_link``) at the top, and nothing loaded
    from a network address: the template drops require.js, MathJax, mermaid
    and widget scripts, and the result is checked for any remaining
    ``http(s)://`` script, link or ``import()``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or path
    title : str
        Plain text (escaped here).
    back_link : str, optional
        Relative URL of the index.

    Returns
    -------
    str
    """
    import nbformat
    from nbconvert import HTMLExporter

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))  # a copy
    notebook.metadata["title"] = title
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name="cvlib",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook, resources={"cvlib_back_link": back_link})
    found = network_references(body)
    if found:
        raise RuntimeError(f"the HTML would load from a network address: {found[0]!r}")
    return body


def network_references(page: str) -> list[str]:
    """Scripts, links, images or imports in ``page`` that point at a network address.

    Examples
    --------
    >>> network_references('<script src="https://cdn.example/x.js"></script><a href="https://example.org">ok</a>')
    ['<script src="https://']
    >>> network_references('<script type="module">import("https://cdn/m.mjs")</script>')
    ['import("https://']
    >>> network_references('<img src="data:image/png;base64,AAAA" alt="chart">')
    []
    """
    return [m.group(0) for m in _NETWORK_REF.finditer(page)]


# ------------------------------------------------------------------ the worker (one release, one process)
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


def _execute(notebook: Path, output: Path, parameters: dict, cwd) -> None:
    """papermill with the ``python3`` kernel in ``cwd``, talking to it over local IPC sockets.

    IPC (Unix sockets in a private temporary folder) instead of TCP: nothing
    listens on the network, and the kernel has no reason to print its
    unencrypted-TCP warning. The kernel starts with :data:`_KERNEL_START` and
    gets :data:`KERNEL_SHUTDOWN_WAIT` seconds to exit when the notebook is done.
    """
    import papermill
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="cvlib-kernel-") as sockets:
        config = Config({
            "KernelManager": {
                "transport": "ipc",
                "ip": os.path.join(sockets, "kernel"),
                "shutdown_wait_time": KERNEL_SHUTDOWN_WAIT,
            },
            "NotebookClient": {"extra_arguments": [f"--IPKernelApp.exec_lines={_KERNEL_START}"]},
        })
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
        )


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
    _execute(notebook, executed, spec["parameters"], spec["notebooks_dir"])
    if not (tmp / "summary.json").is_file():
        raise RuntimeError(f"{notebook.name} ran but wrote no summary.json into out_dir")
    page = export_html(executed, title=spec["title"], back_link="../index.html")
    (tmp / "report.html").write_text(page, encoding="utf-8")
    run = dict(spec["key"], seconds=round(time.monotonic() - started, 3))
    (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


def _worker_main(argv: list[str]) -> int:
    """Entry point of a worker process: ``python -m cvlib.report --worker SPEC.json``."""
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    _set_parent_death_signal(spec.get("parent_pid"))
    _quiet_logging()
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")  # the venv's python3 kernel first
    try:
        build_release(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        Path(spec["error_file"]).write_text(_describe_error(exc), encoding="utf-8")
        return 1
    return 0


def _describe_error(exc: BaseException) -> str:
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


# ------------------------------------------------------------------ processes
def _descendants(pid: int) -> list[int]:
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


def _kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started (its kernel runs in a session of its own)."""
    for pid in [process.pid, *_descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def _run_worker(spec: dict, timeout: float | None) -> tuple[bool, str | None]:
    spec = dict(spec, parent_pid=os.getpid())
    spec_file = Path(spec["tmp_dir"]) / ".spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    env = dict(os.environ, PYTHONWARNINGS="ignore", JUPYTER_PREFER_ENV_PATH="1")
    env.pop("PYTEST_CURRENT_TEST", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cvlib.report", "--worker", str(spec_file)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        return False, f"timed out after {timeout:g} s (its kernel was stopped)"
    error_file = Path(spec["error_file"])
    if process.returncode == 0:
        return True, None
    if error_file.is_file():
        return False, error_file.read_text(encoding="utf-8")
    detail = (output or "").strip()
    return False, f"worker exited with status {process.returncode}" + (f"\n\n{detail}" if detail else "")


# ------------------------------------------------------------------ folders
@contextlib.contextmanager
def _lock(out_dir: Path):
    path = out_dir / LOCK_NAME
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"another cvlib report run ({holder}) is writing {out_dir}; "
                f"nothing was changed: try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {_now()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def _clean_stale(out_dir: Path, log) -> None:
    for entry in sorted(out_dir.glob(TMP_PREFIX + "*")):
        shutil.rmtree(entry, ignore_errors=True)
        log(f"removed {entry.name}: a temporary folder left by an interrupted run")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Put the completed ``tmp`` folder at ``final``; the old one is removed afterwards."""
    if not final.exists():
        os.rename(tmp, final)
        return
    if _exchange(tmp, final):  # tmp now holds the old report
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = final.with_name(f"{TMP_PREFIX}old-{final.name}-{os.getpid()}")
    os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ the run
def run_reports(
    data_dir,
    out_dir,
    *,
    releases: list[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    timeout: float | None = None,
    notebooks_dir=None,
    log=None,
    progress: bool | None = None,
) -> RunSummary:
    """Write the report of every release (or of ``releases``) of a workspace into ``out_dir``.

    Parameters
    ----------
    data_dir : path
        Workspace folder.
    out_dir : path
        Report folder (created when missing).
    releases : list of str, optional
        Release ids (default: all, in ``releases.csv`` order). Unknown ids
        raise ``KeyError`` naming them, before anything is written.
    jobs : int
        Releases built at once, each in its own process.
    force : bool
        Rebuild releases whose inputs did not change.
    timeout : float, optional
        Seconds allowed per release (notebook run and HTML export); its worker
        and kernel are killed when it is exceeded.
    notebooks_dir : path, optional
        Folder of ``release_report.ipynb`` and ``portfolio.ipynb`` (default:
        the environment variable ``CVLIB_NOTEBOOKS``, else the project's
        ``notebooks/``); the notebooks run with it as the working directory.
    log : callable, optional
        Receives the plain log lines (default: print to stdout).
    progress : bool, optional
        Show a progress line on stderr (default: when stderr is a terminal).

    Returns
    -------
    RunSummary

    Raises
    ------
    cvlib.DataError
        The workspace is invalid (nothing is written).
    KeyError
        An unknown release id.
    LockedError
        Another run is writing ``out_dir``.
    """
    from cvlib.workspace import load_workspace

    log = log or (lambda line: print(line, flush=True))
    if progress is None:
        progress = sys.stderr.isatty()
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be > 0, got {timeout}")
    notebooks_dir = Path(notebooks_dir or os.environ.get("CVLIB_NOTEBOOKS") or NOTEBOOKS_DIR).resolve()
    notebook = notebooks_dir / RELEASE_NOTEBOOK
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir).resolve()

    workspace = load_workspace(data_dir)
    known = list(workspace.releases["release_id"])
    if releases:
        unknown = [r for r in releases if r not in known]
        if unknown:
            raise KeyError(
                f"unknown release {', '.join(unknown)} (releases.csv has: {', '.join(known)})"
            )
        selected = [r for r in known if r in set(releases)]
    else:
        selected = known
    product = workspace.settings.product or data_dir.name

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(out_dir=out_dir)
    with _lock(out_dir):
        _clean_stale(out_dir, log)
        todo = []
        for release_id in selected:
            final = out_dir / release_id
            parameters = {"data_dir": str(data_dir), "release_id": release_id, "out_dir": str(final)}
            key = _release_key(workspace, release_id, notebook, parameters)
            previous = _read_json(final / "run.json") or {}
            complete = all((final / name).is_file() for name in ("report.html", "summary.json", "report.ipynb"))
            if not force and complete and {k: previous.get(k) for k in key} == key:
                summary.releases.append(ReleaseOutcome(release_id, "skipped"))
                log(f"{release_id}: skipped (inputs, notebook, parameters and cvlib version unchanged)")
                continue
            name = workspace.release(release_id)["name"]
            todo.append((release_id, key, f"{product} {release_id} {name}: value validation"))

        results = _build_all(todo, out_dir, notebook, notebooks_dir, jobs, timeout, log, progress)
        summary.releases.extend(results)
        order = {r: i for i, r in enumerate(known)}
        summary.releases.sort(key=lambda r: order[r.release_id])

        # releases not asked for this time keep their place in the index, with their last known state
        others = [_previous_outcome(out_dir, r) for r in known if r not in set(selected)]
        listed = sorted(summary.releases + others, key=lambda r: order[r.release_id])
        entries = _index_entries(workspace, out_dir, listed)
        try:
            _write_index(workspace, data_dir, out_dir, notebooks_dir, entries, product, timeout, log)
        except Exception as exc:  # noqa: BLE001 - reported, and index.json is still written
            summary.index_error = _describe_error(exc).splitlines()[0]
            log(f"index: failed: {summary.index_error}")
            print(f"cvlib report: index: {_describe_error(exc)}", file=sys.stderr)
            _write_atomic(out_dir / "index.html", _fallback_index(entries, product, summary.index_error))
        _write_atomic(out_dir / "index.json", json.dumps(entries, indent=2) + "\n")
    return summary


def _build_all(todo, out_dir, notebook, notebooks_dir, jobs, timeout, log, progress):
    outcomes = []
    done = 0
    lock = threading.Lock()

    def one(item):
        release_id, key, title = item
        final = out_dir / release_id
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{release_id}-", dir=out_dir))
        parameters = dict(key["parameters"], out_dir=str(tmp))
        spec = {
            "notebook": str(notebook),
            "notebooks_dir": str(notebooks_dir),
            "tmp_dir": str(tmp),
            "error_file": str(out_dir / f"{TMP_PREFIX}{release_id}.error"),
            "parameters": parameters,
            "key": key,
            "title": title,
        }
        started = time.monotonic()
        try:
            ok, error = _run_worker(spec, timeout)
        finally:
            Path(spec["error_file"]).unlink(missing_ok=True)
            (tmp / ".spec.json").unlink(missing_ok=True)
        seconds = time.monotonic() - started
        if ok:
            os.chmod(tmp, 0o755)
            _swap_into_place(tmp, final)
            (out_dir / f"{release_id}.error.txt").unlink(missing_ok=True)
            return ReleaseOutcome(release_id, "ok", seconds)
        shutil.rmtree(tmp, ignore_errors=True)
        reason = error.splitlines()[0] if error else "unknown error"
        kept = " (the previous report is kept)" if (final / "report.html").is_file() else ""
        _write_atomic(
            out_dir / f"{release_id}.error.txt",
            f"cvlib report: release {release_id} failed at {_now()}{kept}\n{error}\n",
        )
        return ReleaseOutcome(release_id, "failed", seconds, reason + kept)

    def report(outcome):
        nonlocal done
        with lock:
            done += 1
            if progress:
                sys.stderr.write("\r\x1b[K")
            if outcome.status == "ok":
                log(f"{outcome.release_id}: ok in {outcome.seconds:.1f} s")
            else:
                log(f"{outcome.release_id}: failed after {outcome.seconds:.1f} s: {outcome.reason}")
                print(
                    f"cvlib report: release {outcome.release_id} failed: {outcome.reason} "
                    f"(details in {out_dir / (outcome.release_id + '.error.txt')})",
                    file=sys.stderr,
                )
            if progress and done < len(todo):
                sys.stderr.write(f"[{done}/{len(todo)} releases built]")
                sys.stderr.flush()

    if not todo:
        return outcomes
    if progress:
        sys.stderr.write(f"[0/{len(todo)} releases built]")
        sys.stderr.flush()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, item) for item in todo]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            report(outcome)
    return outcomes


# ------------------------------------------------------------------ the index
def _previous_outcome(out_dir: Path, release_id: str) -> ReleaseOutcome:
    error = out_dir / f"{release_id}.error.txt"
    if error.is_file():
        lines = error.read_text(encoding="utf-8").splitlines()
        return ReleaseOutcome(release_id, "failed", reason=lines[1] if len(lines) > 1 else None)
    return ReleaseOutcome(release_id, "skipped")


def _index_entries(workspace, out_dir: Path, outcomes) -> list[dict]:
    entries = []
    for outcome in outcomes:
        release = workspace.release(outcome.release_id)
        folder = out_dir / outcome.release_id
        summary = _read_json(folder / "summary.json") if (folder / "report.html").is_file() else None
        entries.append(
            {
                "release_id": outcome.release_id,
                "name": release["name"],
                "released_on": release["released_on"].isoformat(),
                "status": outcome.status,
                "report": f"{outcome.release_id}/report.html" if summary else None,
                "summary": f"{outcome.release_id}/summary.json" if summary else None,
                "scorecard": None if summary is None else summary.get("scorecard"),
                "generated_at": None if summary is None else summary.get("generated_at"),
                **({"error": f"{outcome.release_id}.error.txt", "reason": outcome.reason}
                   if outcome.status == "failed" else {}),
            }
        )
    return entries


def _write_index(workspace, data_dir, out_dir, notebooks_dir, entries, product, timeout, log):
    """Run the portfolio notebook over the summaries and render it, with the release table, as index.html."""
    import nbformat

    from cvlib import __version__
    from cvlib.present import release_index_html

    notebook = notebooks_dir / PORTFOLIO_NOTEBOOK
    parameters = {"data_dir": str(data_dir), "summaries_dir": str(out_dir)}
    summaries = sorted(
        [e["release_id"], _sha256_file(out_dir / e["summary"])] for e in entries if e["summary"]
    )
    key = {
        "summaries": summaries,
        "cvlib_version": __version__,
        "notebook_sha256": _sha256_file(notebook),
        "parameters": parameters,
    }
    executed = out_dir / "portfolio.ipynb"
    state = out_dir / "portfolio.run.json"
    previous = _read_json(state) or {}
    table_html = release_index_html(entries, product)
    page_key = hashlib.sha256(table_html.encode("utf-8")).hexdigest()
    if {k: previous.get(k) for k in key} == key and executed.is_file():
        if previous.get("index_sha256") == page_key and (out_dir / "index.html").is_file():
            return  # nothing changed: index.html is already this page
    else:
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}portfolio-", dir=out_dir))
        try:
            spec = {
                "notebook": str(notebook),
                "notebooks_dir": str(notebooks_dir),
                "tmp_dir": str(tmp),
                "error_file": str(tmp / "error.txt"),
                "parameters": parameters,
            }
            ok, error = _run_worker(dict(spec, portfolio=True), timeout)
            if not ok:
                raise RuntimeError((error or "unknown error").splitlines()[0])
            os.replace(tmp / "portfolio.ipynb", executed)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log(f"index: portfolio ok in {time.monotonic() - started:.1f} s")
    nb = nbformat.read(str(executed), as_version=4)
    table = nbformat.v4.new_code_cell(source="")
    table.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table_html})]
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, table)
    page = export_html(nb, title=f"{product}: value validation by release")
    _write_atomic(out_dir / "index.html", page)
    _write_atomic(state, json.dumps(dict(key, index_sha256=page_key), indent=2) + "\n")


def _fallback_index(entries, product, error) -> str:
    from cvlib.present import release_index_html

    title = html.escape(f"{product}: value validation by release")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{release_index_html(entries, product)}"
        f"<p>The portfolio could not be rendered: {html.escape(error)}</p></body></html>\n"
    )


def _portfolio_worker(spec: dict) -> None:
    notebook = Path(spec["notebook"])
    check_parameters(notebook, spec["parameters"])
    _execute(notebook, Path(spec["tmp_dir"]) / "portfolio.ipynb", spec["parameters"], spec["notebooks_dir"])


if __name__ == "__main__":  # the worker process of run_reports
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _spec = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        if _spec.get("portfolio"):
            _set_parent_death_signal(_spec.get("parent_pid"))
            _quiet_logging()
            try:
                _portfolio_worker(_spec)
            except Exception as _exc:  # noqa: BLE001
                Path(_spec["error_file"]).write_text(_describe_error(_exc), encoding="utf-8")
                sys.exit(1)
            sys.exit(0)
        sys.exit(_worker_main(sys.argv[1:]))
    sys.exit("usage: python -m cvlib.report --worker SPEC.json (used by cvlib report)")
