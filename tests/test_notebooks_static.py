"""Static checks of notebooks/: thin (no def/class), a tagged parameters cell, kernel python3.

The checks are functions of a notebook node, so they are tested on bad notebooks
built here as well as run on every notebook of the project.
"""

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
PARAMETERISED = {"release_report.ipynb", "portfolio.ipynb", "explore.ipynb"}


def problems(nb, name: str) -> list[str]:
    """Every house-style problem of a notebook, one line each."""
    found = []
    spec = nb.metadata.get("kernelspec", {})
    if spec.get("name") != "python3":
        found.append(f"{name}: kernelspec is {spec.get('name')!r}, expected 'python3'")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if name in PARAMETERISED and len(tagged) != 1:
        found.append(f"{name}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    for cell in tagged:
        tree = ast.parse(cell.source)
        for node in tree.body:
            literal = isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant)
            if not literal:
                found.append(
                    f"{name}: parameters cell must hold annotated literals only: "
                    f"{ast.unparse(node)}"
                )
        for line in cell.source.splitlines():
            if line.strip() and "#" not in line:
                found.append(f"{name}: parameter without a comment: {line.strip()}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.source.rstrip().endswith(";"):
            found.append(f"{name}: cell {index} ends with ';' (nbval miscounts it)")
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                kind = (
                    "lambda"
                    if isinstance(node, ast.Lambda)
                    else f"{type(node).__name__} {node.name}"
                )
                found.append(f"{name}: cell {index} defines {kind}: move it into cvlib")
    return found


def _nb(cells, kernel="python3"):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    return nb


def _params(source='release_id: str = "1"  # release'):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def test_the_project_has_the_three_notebooks():
    assert {p.name for p in NOTEBOOKS} >= PARAMETERISED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_project_notebook_follows_the_house_style(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert problems(nb, path.name) == []


def test_a_function_definition_is_caught():
    nb = _nb([_params(), nbformat.v4.new_code_cell("def f(x):\n    return x")])
    assert problems(nb, "release_report.ipynb") == [
        "release_report.ipynb: cell 1 defines FunctionDef f: move it into cvlib"
    ]


def test_a_class_definition_is_caught():
    nb = _nb([_params(), nbformat.v4.new_code_cell("class A:\n    pass")])
    assert problems(nb, "portfolio.ipynb") == [
        "portfolio.ipynb: cell 1 defines ClassDef A: move it into cvlib"
    ]


def test_a_missing_parameters_tag_is_caught():
    nb = _nb([nbformat.v4.new_code_cell('release_id: str = "1"  # release')])
    assert problems(nb, "release_report.ipynb") == [
        "release_report.ipynb: expected exactly one cell tagged 'parameters', found 0"
    ]


def test_another_kernel_is_caught():
    nb = _nb([_params()], kernel="conda-env-x")
    assert problems(nb, "explore.ipynb") == [
        "explore.ipynb: kernelspec is 'conda-env-x', expected 'python3'"
    ]


def test_parameters_must_be_commented_annotated_literals():
    nb = _nb([_params('release_id = "1"\nout_dir: str = "x"')])
    assert problems(nb, "explore.ipynb") == [
        "explore.ipynb: parameters cell must hold annotated literals only: release_id = '1'",
        'explore.ipynb: parameter without a comment: release_id = "1"',
        'explore.ipynb: parameter without a comment: out_dir: str = "x"',
    ]
