"""Per-release reports: papermill runs ``notebooks/release_report.ipynb``, nbconvert renders HTML.

Imported lazily (by ``cvlib report``), never by ``import cvlib``.

Layout of a report folder ``DIR``::

    DIR/index.html              every release, its verdict counts, links; the rendered portfolio
    DIR/index.json              [{release_id, name, released_on, status, report, summary,
                                  scorecard, generated_at}]
    DIR/portfolio.ipynb         the index's portfolio page as a notebook (built in the
                                runner's process from the summaries, without a kernel)
    DIR/<release_id>/report.ipynb   executed notebook: the audit record with its parameters
    DIR/<release_id>/report.html    self-contained HTML (no code, images embedded,
                                    nothing from a network)
    DIR/<release_id>/summary.json   written by the notebook (``ReleaseEvaluation.to_dict()``)
    DIR/<release_id>/run.json       what the report was built from (the key for skipping)
    DIR/<release_id>.error.txt      why the last run of the release failed (removed at its
                                    next success)
    DIR/.lock                       held (``fcntl.flock``) while a run writes DIR

Scheduled-run behaviour
-----------------------
- Each release is built in ``DIR/.tmp-<release_id>-*``, by one of ``jobs``
  worker processes (each builds releases in turn, every release in a kernel
  of its own, started warm: :mod:`cvlib.report.worker`; its HTML is rendered
  here, in the command's process, by the run's one exporter), and swapped into
  place only when complete (an atomic exchange of the two folders where the
  kernel offers it), so a reader never sees a half-written folder and a
  failed run keeps the previous good report. Temporary folders left by a
  killed run are removed by the next run (which holds the lock, so they
  cannot belong to a live run).
- A release whose inputs (``inputs_sha256``), cvlib version, notebook and
  parameters are unchanged since its last success is skipped unless ``force``.
- ``timeout`` bounds a release as a whole: its worker and the worker's kernels
  are killed, and a new worker builds the next release.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cvlib.report.folders import (
    TMP_PREFIX,
    clean_stale,
    lock,
    now,
    read_json,
    sha256_file,
    swap_into_place,
    write_atomic,
)
from cvlib.report.html import export_html
from cvlib.report.kernel import NOTEBOOKS_DIR, RELEASE_NOTEBOOK
from cvlib.report.pool import WorkerPool
from cvlib.report.worker import describe_error

__all__ = ["ReleaseOutcome", "RunSummary", "run_reports"]


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


def release_inputs_sha256(workspace, release_id: str) -> str:
    """SHA-256 of the workspace files the release reads, without evaluating it."""
    from cvlib.verdicts.inputs import release_inputs_sha256 as inputs_of

    return inputs_of(workspace, workspace.hypotheses_for(release_id))


def _release_key(workspace, release_id, notebook, parameters) -> dict:
    from cvlib import __version__

    return {
        "inputs_sha256": release_inputs_sha256(workspace, release_id),
        "cvlib_version": __version__,
        "notebook_sha256": sha256_file(notebook),
        "parameters": parameters,
    }


#: What rendering the index imports (the page's table and chart, nbconvert's export).
_INDEX_MODULES = (
    "pandas",
    "nbformat",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.font_manager",
    "matplotlib.ticker",
    "cvlib.report.plots",
    "cvlib.report.portfolio",
)


def _prepare_index() -> None:
    """Import what rendering the index needs, while the workers build the releases.

    Run in a thread of the command's process, which only waits for its
    workers meanwhile; a module that fails to import fails later, where the
    index is rendered, with its message.
    """
    import importlib

    from cvlib.report.html import prepare_export

    with contextlib.suppress(Exception):
        for name in _INDEX_MODULES:
            importlib.import_module(name)
        prepare_export()


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
    previous=None,
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
        Folder of ``release_report.ipynb`` (default:
        the environment variable ``CVLIB_NOTEBOOKS``, else the notebooks
        shipped with cvlib, :data:`cvlib.report.kernel.NOTEBOOKS_DIR`); the
        notebooks run with it as the working directory.
    log : callable, optional
        Receives the plain log lines (default: print to stdout).
    progress : bool, optional
        Show a progress line on stderr (default: when stderr is a terminal).
    previous : path, optional
        Folder of an earlier report (``<release_id>/summary.json``) whose
        definitions count as registered for a release that has no report in
        ``out_dir`` yet (:mod:`cvlib.verdicts.definitions`); a release's own
        previous ``summary.json`` in ``out_dir`` comes first, since it carries
        the registered definitions forward.

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
    log = log or (lambda line: print(line, flush=True))
    if progress is None:
        progress = sys.stderr.isatty()
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be > 0, got {timeout}")
    notebooks_dir = Path(
        notebooks_dir or os.environ.get("CVLIB_NOTEBOOKS") or NOTEBOOKS_DIR
    ).resolve()
    notebook = notebooks_dir / RELEASE_NOTEBOOK
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir).resolve()
    earlier = None if previous is None else Path(previous).resolve()

    # workers that start now are warm by the time the workspace is checked; started when
    # releases will surely be built (forced, or a folder without an index yet), so that a
    # run with nothing to do starts none
    early = 0
    if force or not (out_dir / "index.json").is_file():
        early = min(jobs, len(releases)) if releases else jobs
    workers = WorkerPool(notebooks_dir, early)
    try:
        return _run(
            data_dir,
            out_dir,
            releases,
            workers,
            dict(jobs=jobs, force=force, timeout=timeout, notebook=notebook, earlier=earlier),
            log,
            progress,
        )
    finally:
        workers.close()


def _run(data_dir, out_dir, releases, workers, options, log, progress) -> RunSummary:
    """:func:`run_reports` once its workers are started (they are closed by the caller)."""
    from cvlib.contract.workspace import load_workspace

    jobs, force, timeout = options["jobs"], options["force"], options["timeout"]
    notebook, earlier = options["notebook"], options["earlier"]
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
    with lock(out_dir):
        clean_stale(out_dir, log)
        todo = []
        for release_id in selected:
            final = out_dir / release_id
            parameters = {
                "data_dir": str(data_dir),
                "release_id": release_id,
                "out_dir": str(final),
            }
            key = _release_key(workspace, release_id, notebook, parameters)
            last_run = read_json(final / "run.json") or {}
            complete = all(
                (final / name).is_file() for name in ("report.html", "summary.json", "report.ipynb")
            )
            if not force and complete and {k: last_run.get(k) for k in key} == key:
                summary.releases.append(ReleaseOutcome(release_id, "skipped"))
                log(
                    f"{release_id}: skipped "
                    "(inputs, notebook, parameters and cvlib version unchanged)"
                )
                continue
            name = workspace.release(release_id)["name"]
            todo.append((release_id, key, f"{product} {release_id} {name}: value validation"))

        index = None
        if todo:  # the index will be rendered again: its imports happen meanwhile
            index = threading.Thread(target=_prepare_index, daemon=True)
            index.start()
        results = _build_all(
            todo, out_dir, notebook, workers, jobs, timeout, log, progress, earlier
        )
        if index is not None:
            index.join()
        summary.releases.extend(results)
        order = {r: i for i, r in enumerate(known)}
        summary.releases.sort(key=lambda r: order[r.release_id])

        # releases not asked for this time keep their place in the index, with their last
        # known state
        others = [_previous_outcome(out_dir, r) for r in known if r not in set(selected)]
        listed = sorted(summary.releases + others, key=lambda r: order[r.release_id])
        entries = _index_entries(workspace, out_dir, listed)
        try:
            _write_index(workspace, out_dir, entries, product, log)
        except Exception as exc:  # noqa: BLE001 - reported, and index.json is still written
            summary.index_error = describe_error(exc).splitlines()[0]
            log(f"index: failed: {summary.index_error}")
            print(f"cvlib report: index: {describe_error(exc)}", file=sys.stderr)
            # the next run renders the index again, even if its inputs are then those of the
            # last good index (the page written here is not that index)
            with contextlib.suppress(FileNotFoundError):
                (out_dir / "portfolio.run.json").unlink()
            write_atomic(
                out_dir / "index.html", _fallback_index(entries, product, summary.index_error)
            )
        write_atomic(out_dir / "index.json", json.dumps(entries, indent=2) + "\n")
    return summary


#: The release notebook's parameter naming the release's previous summary.json.
PREVIOUS_PARAMETER = "previous_summary"


def _declares(notebook: Path, name: str) -> bool:
    """Whether ``notebook``'s parameters cell assigns ``name`` (read without papermill)."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return False
    for cell in cells:
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            source = cell.get("source", "")
            lines = source.splitlines() if isinstance(source, str) else source
            return any(line.lstrip().startswith((f"{name}:", f"{name} ")) for line in lines)
    return False


def _previous_summary(out_dir: Path, earlier: Path | None, release_id: str) -> Path:
    """The summary.json holding a release's registered definitions: its own in ``out_dir``,
    else the one in ``earlier`` (a missing file means none)."""
    own = out_dir / release_id / "summary.json"
    if own.is_file() or earlier is None:
        return own
    return earlier / release_id / "summary.json"


def _render_release(tmp: Path, spec: dict, started: float) -> tuple[bool, str | None]:
    """Write the HTML page and ``run.json`` of a release whose notebook ran into ``tmp``.

    In the command's process, whose exporter is prepared while the workers
    build (:func:`_prepare_index`): a worker then needs no nbconvert at all.
    ``(True, None)``, or ``(False, reason and details)``.
    """
    try:
        page = export_html(tmp / "report.ipynb", title=spec["title"], back_link="../index.html")
        (tmp / "report.html").write_text(page, encoding="utf-8")
        run = dict(spec["key"], seconds=round(time.monotonic() - started, 3))
        (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - this release fails, with its reason
        return False, f"HTML: {describe_error(exc)}"
    return True, None


def _build_all(todo, out_dir, notebook, workers, jobs, timeout, log, progress, earlier):
    outcomes = []
    done = 0
    lock = threading.Lock()
    compares = _declares(notebook, PREVIOUS_PARAMETER)
    waiting = list(reversed(todo))

    def one(release_id, key, title, worker, more):
        final = out_dir / release_id
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{release_id}-", dir=out_dir))
        parameters = dict(key["parameters"], out_dir=str(tmp))
        if compares:  # the definitions registered in the report this run replaces
            parameters[PREVIOUS_PARAMETER] = str(_previous_summary(out_dir, earlier, release_id))
        spec = {
            "notebook": str(notebook),
            "tmp_dir": str(tmp),
            "parameters": parameters,
            "key": key,
            "title": title,
            "next": more,
        }
        started = time.monotonic()
        ok, error = worker.build(spec, timeout)
        if ok:
            ok, error = _render_release(tmp, spec, started)
        seconds = time.monotonic() - started
        if ok:
            os.chmod(tmp, 0o755)
            swap_into_place(tmp, final)
            (out_dir / f"{release_id}.error.txt").unlink(missing_ok=True)
            return ReleaseOutcome(release_id, "ok", seconds)
        shutil.rmtree(tmp, ignore_errors=True)
        reason = error.splitlines()[0] if error else "unknown error"
        kept = " (the previous report is kept)" if (final / "report.html").is_file() else ""
        write_atomic(
            out_dir / f"{release_id}.error.txt",
            f"cvlib report: release {release_id} failed at {now()}{kept}\n{error}\n",
        )
        return ReleaseOutcome(release_id, "failed", seconds, reason + kept)

    def serve():
        """One worker's turn: releases from the queue until it is empty."""
        worker, last = None, False
        try:
            while True:
                with lock:
                    if not waiting:
                        last = True
                        return
                    item = waiting.pop()
                    more = bool(waiting)
                if worker is None or not worker.alive:
                    if worker is not None:
                        workers.give_back(worker)
                    worker = workers.take()
                report(one(*item, worker, more))
        finally:
            if worker is not None:
                workers.give_back(worker, last=last)

    def report(outcome):
        nonlocal done
        with lock:
            done += 1
            outcomes.append(outcome)
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
        for future in [pool.submit(serve) for _ in range(min(jobs, len(todo)))]:
            future.result()
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
        summary = read_json(folder / "summary.json") if (folder / "report.html").is_file() else None
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
                **(
                    {"error": f"{outcome.release_id}.error.txt", "reason": outcome.reason}
                    if outcome.status == "failed"
                    else {}
                ),
            }
        )
    return entries


def _write_index(workspace, out_dir, entries, product, log):
    """Render index.html in this process, without a kernel: the release table and the
    portfolio page (:func:`cvlib.report.portfolio.page_notebook`) from the releases'
    ``summary.json`` files, which are read, never evaluated again.

    Nothing is rendered (or imported for it) when the summaries, the cvlib version,
    the code and templates of the page and what the release table shows are those of
    the last index.
    """
    from cvlib import __version__
    from cvlib.report.present import TEMPLATES, release_index_html, release_index_rows

    summaries = sorted(
        [e["release_id"], sha256_file(out_dir / e["summary"])] for e in entries if e["summary"]
    )
    page = hashlib.sha256()
    for path in (*_PAGE_CODE, *(TEMPLATES / "fragments" / t for t in _PAGE_TEMPLATES)):
        page.update(Path(path).read_bytes())
    key = {
        "summaries": summaries,
        "cvlib_version": __version__,
        "page_sha256": page.hexdigest(),
        "table_sha256": hashlib.sha256(
            json.dumps([release_index_rows(entries), product], sort_keys=True).encode("utf-8")
        ).hexdigest(),
    }
    state = out_dir / "portfolio.run.json"
    if read_json(state) == key and (out_dir / "index.html").is_file():
        return  # nothing changed: index.html is already this page
    import nbformat

    from cvlib.report import portfolio

    started = time.monotonic()
    read = [read_json(out_dir / e["summary"]) for e in entries if e["summary"]]
    nb = portfolio.page_notebook(workspace, read, table_html=release_index_html(entries, product))
    html_page = export_html(nb, title=f"{product}: value validation by release")
    write_atomic(out_dir / "portfolio.ipynb", nbformat.writes(nb) + "\n")
    write_atomic(out_dir / "index.html", html_page)
    write_atomic(state, json.dumps(key, indent=2) + "\n")
    log(f"index: portfolio ok in {time.monotonic() - started:.1f} s")


#: The code and templates the index page is rendered with (its key).
_PAGE_CODE = tuple(
    Path(__file__).with_name(name) for name in ("portfolio.py", "plots.py", "present.py", "html.py")
)
_PAGE_TEMPLATES = ("release_index.html.j2", "portfolio_table.html.j2", "features_ranked.html.j2")


def _fallback_index(entries, product, error) -> str:
    from cvlib.report.present import release_index_html, render

    page = render(
        "fallback_index.html.j2",
        title=f"{product}: value validation by release",
        table=release_index_html(entries, product),
        error=error,
    )
    return str(page) + "\n"
