"""One-cell notebooks for the tests that run real kernels (test_workers, test_forker)."""

from __future__ import annotations

from pathlib import Path

import nbformat


def one_cell(folder: Path, code: str) -> Path:
    """``folder/probe.ipynb``: one code cell, for the python3 kernel."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def printed(path: Path) -> str:
    """What the first cell of the executed notebook at ``path`` printed."""
    cell = nbformat.read(path, as_version=4).cells[0]
    return "".join(o.get("text", "") for o in cell.outputs).strip()
