"""Reproducibility: one SHA-256 over everything a release reads.

A report whose inputs hash, notebook, parameters and cvlib version are
unchanged since its last build is skipped by ``cvlib report``; the hash is
also written into ``summary.json`` and the report's methods section.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cvlib.contract.hypotheses import HYPOTHESES_FILE
from cvlib.contract.settings import WORKSPACE_FILE
from cvlib.contract.tables import STREAMED, TABLES

__all__ = ["CONTENT_HASH_LIMIT", "inputs_sha256", "release_inputs_sha256"]

# Parquet sources up to this total size are hashed by content, larger ones by path, size and mtime.
CONTENT_HASH_LIMIT = 64 * 1024**2

#: The tables whose feedback about features (survey comments, support tickets) a report
#: shows: read for every release.
FEEDBACK_TABLES = ("surveys", "tickets")


def _used_sources(workspace, hypotheses) -> list[str]:
    """Names of the event-scale tables the release reads."""
    names = {h.spec.table for h in hypotheses if h.spec.table in STREAMED}
    if any(h.spec.split is not None and h.comparison in ("auto", "holdout") for h in hypotheses):
        names.add("exposures")  # read by a holdout comparison
    names.update(t for t in FEEDBACK_TABLES if t in STREAMED)  # shown in the report
    if workspace.settings.data_through_source != WORKSPACE_FILE:
        # data_through (window completeness) is then the latest date of every event-scale table
        names.update(STREAMED)
    return sorted(n for n in names if n in workspace.sources)


def _used_files(workspace, hypotheses) -> list[str]:
    """The workspace files (relative paths) the release reads, CSV sources included."""
    root = workspace.root
    names = [WORKSPACE_FILE, HYPOTHESES_FILE]
    small = [spec for spec in TABLES.values() if not spec.streamed]
    read = {h.spec.table for h in hypotheses} | set(FEEDBACK_TABLES)
    names += [spec.file for spec in small if spec.required or spec.name in read]
    resolved_root = Path(root).resolve()
    for name in _used_sources(workspace, hypotheses):
        source = workspace.sources[name]
        if source.kind == "csv":
            names.append(_relative(source.path, resolved_root))
    return sorted({n for n in names if (root / n).is_file()})


def release_inputs_sha256(workspace, hypotheses) -> str:
    """SHA-256 identifying everything a release reads (see :func:`inputs_sha256`)."""
    from cvlib.engine.queries import fingerprint, profile

    used = [workspace.sources[n] for n in _used_sources(workspace, hypotheses)]
    fingerprints = {}
    for source in used:
        if source.kind == "connection":
            prof = workspace.profiles.get(source.name) or profile(
                source, workspace.settings.timezone
            )
            fingerprints[source.name] = fingerprint(prof)
    files = _used_files(workspace, hypotheses)
    sources = [s for s in used if s.kind != "csv"]
    return inputs_sha256(workspace.root, files, sources=sources, fingerprints=fingerprints)


def _relative(path, resolved_root: Path) -> str:
    """``path`` resolved, relative to ``resolved_root`` (itself resolved) when below it."""
    path = Path(os.path.realpath(path))
    try:
        return str(path.relative_to(resolved_root)).replace("\\", "/")
    except ValueError:
        return str(path)


def inputs_sha256(root: Path, relative_paths, *, sources=(), fingerprints=None) -> str:
    """SHA-256 over the inputs of a release.

    Files (sorted by relative path) contribute each path's UTF-8 bytes, a NUL,
    its size, a NUL and its bytes. Each Parquet source (by name) then adds its
    files the same way while their total size is at most
    ``CONTENT_HASH_LIMIT`` (64 MiB), and above it each file's path, size and
    modification time (nanoseconds) instead of its bytes. A connection table
    adds its fingerprint (row count and latest instants, from
    ``fingerprints``), so new rows in a live warehouse change the hash.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = pathlib.Path(tmp)
    ...     _ = (root / "a.csv").write_text("x\\n1\\n")
    ...     inputs_sha256(root, ["a.csv"]) == inputs_sha256(root, ["a.csv"])
    True
    """
    digest = hashlib.sha256()

    def add_file(rel, path, *, content=True, stat=None):
        stat = stat or os.stat(path)
        digest.update(rel.replace("\\", "/").encode("utf-8") + b"\0")
        digest.update(str(stat.st_size).encode() + b"\0")
        if not content:
            digest.update(str(stat.st_mtime_ns).encode() + b"\0")
            return
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)

    for rel in sorted(relative_paths):
        add_file(rel, Path(root) / rel)
    resolved_root = Path(root).resolve()
    for source in sorted(sources, key=lambda s: s.name):
        digest.update(f"source {source.name} {source.kind} {source.display}".encode() + b"\0")
        if source.kind == "parquet":
            files = [(name, os.stat(name)) for name in source.file_names()]
            content = sum(stat.st_size for _, stat in files) <= CONTENT_HASH_LIMIT
            for name, stat in files:
                add_file(_relative(name, resolved_root), name, content=content, stat=stat)
        else:
            digest.update(str((fingerprints or {}).get(source.name, "")).encode("utf-8") + b"\0")
    return digest.hexdigest()
