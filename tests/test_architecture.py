"""The package keeps its shape: no import cycle, small modules, metrics named only where they live.

- The import graph of every module of ``cvlib`` has no cycle. Every ``import``
  statement counts, at module level or inside a function (imports under ``if
  TYPE_CHECKING:`` aside: they never run). Importing ``a.b.c`` also runs the
  ``__init__`` of ``a.b``, so that is an edge too, unless ``a.b`` is a package
  above the importing module (initialized before the importer runs).
- No module is over 700 lines.
- No code outside ``cvlib/metrics/``, ``cvlib/stats/`` and ``cvlib/sample/``
  names a metric: a string literal (docstrings aside) holding a registered
  metric's name as a word is a branch on a metric that belongs in its module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cvlib import metrics

PACKAGE = Path(__file__).resolve().parents[1] / "cvlib"
MAX_LINES = 700
METRIC_PLACES = ("metrics", "stats", "sample")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_blocks(tree) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:``."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    skipped.add(id(inner))
    return skipped


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The cvlib modules that running ``name`` may import (see the module docstring)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_blocks(tree)
    targets = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets.add(node.module)
            targets.update(f"{node.module}.{alias.name}" for alias in node.names)
    edges = set()
    own = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            if candidate not in known or candidate == name:
                continue
            if own == candidate or own.startswith(candidate + "."):
                continue  # a package above the importer: initialized before the importer runs
            edges.add(candidate)
    return edges


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as a list of modules (first == last), or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 40 and sum(map(len, graph.values())) > 100  # the walk found the package
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_a_function_level_import_and_a_package_init_make_edges(tmp_path):
    pkg = tmp_path / "cvlib" / "sub"
    pkg.mkdir(parents=True)
    (pkg / "mod.py").write_text("def f():\n    from cvlib.other import g\n", encoding="utf-8")
    known = {"cvlib", "cvlib.sub", "cvlib.sub.mod", "cvlib.other", "cvlib.deep", "cvlib.deep.x"}
    assert imports("cvlib.sub.mod", pkg / "mod.py", known) == {"cvlib.other"}
    (pkg / "mod.py").write_text(
        "import cvlib.deep.x\nif TYPE_CHECKING:\n    import cvlib.other\n", encoding="utf-8"
    )
    assert imports("cvlib.sub.mod", pkg / "mod.py", known) == {"cvlib.deep", "cvlib.deep.x"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_700_lines(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def _docstrings(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def metric_names_in(path: Path, names: set[str]) -> list[str]:
    """``line: literal`` for every string literal (docstrings aside) naming one of ``names``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            words = set(re.findall(r"[A-Za-z0-9_]+", node.value))
            if words & names:
                found.append(f"{node.lineno}: {node.value[:60]!r}")
    return found


def test_no_code_outside_the_metrics_names_a_metric():
    names = set(metrics.names())
    assert {"task_time", "adoption", "nps"} <= names
    found = []
    for name, path in modules().items():
        if name.split(".")[1:2] and name.split(".")[1] in METRIC_PLACES:
            continue
        found += [f"{name}:{hit}" for hit in metric_names_in(path, names)]
    assert found == []


def test_the_metric_name_scan_sees_literals_and_skips_docstrings(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        '"""About adoption."""\n'
        "def f(h):\n"
        '    """Also nps."""\n'
        '    return h.metric == "adoption" or f"x {h} nps"\n',
        encoding="utf-8",
    )
    assert [hit.split(":")[0] for hit in metric_names_in(path, {"adoption", "nps"})] == ["4", "4"]


def test_the_contract_doc_describes_every_table_as_its_spec():
    from cvlib.contract import doc
    from cvlib.contract.tables import TABLES

    page = (PACKAGE.parent / "docs" / "data-contract.md").read_text(encoding="utf-8")
    found = doc.blocks(page)
    assert set(found) == set(TABLES), "every table has a column block in docs/data-contract.md"
    stale = [name for name, spec in TABLES.items() if found[name] != doc.column_table(spec)]
    assert stale == [], (
        f"run: python -m cvlib.contract.doc docs/data-contract.md ({', '.join(stale)})"
    )


def test_a_changed_spec_makes_the_doc_stale():
    import dataclasses

    from cvlib.contract import doc
    from cvlib.contract.tables import TABLES

    spec = TABLES["releases"]
    changed = dataclasses.replace(spec, key=None)
    assert doc.column_table(changed) != doc.column_table(spec)
