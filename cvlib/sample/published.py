"""The reports published when a release's definitions were first registered.

A hypothesis of the design with ``registered`` had other values when its
release's report was first published (the sample shows a target moved after
the data came in). :func:`write_published` evaluates those releases with the
definitions as first published and writes their ``summary.json`` under
``published/<release_id>/``: ``cvlib report --previous published`` compares
the current definitions with them and flags the change
(:mod:`cvlib.verdicts.definitions`).
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil
import tempfile

from cvlib.sample.plan import HYPOTHESES, feature_by_id, release_by_id

__all__ = ["PUBLISHED", "write_published"]

#: The folder of the published reports, inside the workspace.
PUBLISHED = "published"


def write_published(folder: pathlib.Path, hypotheses_text: str) -> None:
    """Write ``published/<release_id>/summary.json`` of every release with a registered change,
    evaluating a copy of the workspace in ``folder`` whose ``hypotheses.yaml`` is
    ``hypotheses_text`` (the definitions as first published)."""
    from cvlib.contract.workspace import load_workspace
    from cvlib.verdicts import evaluate_release

    releases = sorted({feature_by_id(h.feature_id).release_id for h in HYPOTHESES if h.registered})
    if not releases:
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "workspace"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("README.md", PUBLISHED))
        (copy / "hypotheses.yaml").write_text(hypotheses_text, encoding="utf-8")
        workspace = load_workspace(copy)
        for release_id in releases:
            evaluation = evaluate_release(workspace, release_id)
            # published the morning after the release: fixed, so the sample is reproducible
            day = release_by_id(release_id).released_on.isoformat()
            evaluation = dataclasses.replace(evaluation, generated_at=f"{day}T08:00:00Z")
            out = folder / PUBLISHED / release_id
            out.mkdir(parents=True)
            text = json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n"
            with open(out / "summary.json", "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
