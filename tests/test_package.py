"""The package as users install it: its data, its dependencies, and a report from a built wheel.

- The notebooks shipped in the package are the same bytes as ``notebooks/``
  (the folder analysts open; ``make notebooks`` copies it into the package).
- Every runtime dependency declared in ``pyproject.toml`` is imported by
  ``cvlib/`` and every third-party module ``cvlib/`` imports is declared
  (at runtime or in an extra).
- The wheel, installed into a virtual environment that reuses this
  environment's site-packages for the dependencies (not the checkout),
  writes the sample and a complete report from a folder outside the
  repository, with ``python -I`` (no current directory or PYTHONPATH on the path).
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cvlib"


def test_the_packaged_notebooks_are_the_project_notebooks():
    shipped = sorted(p.name for p in (PACKAGE / "report" / "notebooks").glob("*.ipynb"))
    assert shipped == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert "release_report.ipynb" in shipped
    for name in shipped:
        assert (PACKAGE / "report" / "notebooks" / name).read_bytes() == (
            ROOT / "notebooks" / name
        ).read_bytes(), (
            f"{name}: run make notebooks (it copies notebooks/ into cvlib/report/notebooks/)"
        )


def test_the_report_finds_its_notebooks_in_the_package():
    from cvlib.report.kernel import NOTEBOOKS_DIR, RELEASE_NOTEBOOK

    assert NOTEBOOKS_DIR == PACKAGE / "report" / "notebooks"
    assert (NOTEBOOKS_DIR / RELEASE_NOTEBOOK).is_file()


def _requirement_name(text: str) -> str:
    return re.split(r"[\s\[<>=!~;]", text, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_levels() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    from cvlib.report.kernel import KERNEL_MODULE

    names.add(KERNEL_MODULE)  # the kernels run `python -m ipykernel_launcher`
    return names - set(sys.stdlib_module_names) - {"cvlib", "__future__"}


def test_import_cvlib_imports_its_names_on_first_use():
    code = (
        "import sys, cvlib\n"
        "light = not any(m.startswith(('cvlib.', 'pandas', 'duckdb')) for m in sys.modules)\n"
        "print(light, cvlib.errors.DataError.__name__, cvlib.load_workspace.__module__,\n"
        "      cvlib.__version__ == __import__('importlib.metadata').metadata.version('cvlib'),\n"
        "      'evaluate_release' in dir(cvlib))\n"
        "try:\n    cvlib.nothing\nexcept AttributeError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "True DataError cvlib.contract.workspace True True",
        "module 'cvlib' has no attribute 'nothing'",
    ]


def test_runtime_dependencies_are_the_ones_the_code_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    extras = {
        _requirement_name(r) for reqs in project["optional-dependencies"].values() for r in reqs
    }
    distributions = importlib.metadata.packages_distributions()
    imported = {}
    for module in _imported_top_levels():
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        assert dists, f"cvlib imports {module}, which no installed distribution provides"
        imported[module] = dists
    undeclared = {m: d for m, d in imported.items() if not d & (runtime | extras)}
    assert undeclared == {}
    used = set().union(*imported.values())
    assert sorted(runtime - used) == []  # declared, but no code of cvlib imports it
    # seaborn serves the exploration notebook only (extras), never the report's runtime
    assert "seaborn" not in runtime and "statsmodels" not in runtime


@pytest.mark.slow
def test_the_installed_wheel_writes_a_sample_and_its_report(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "reports", "build", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("cvlib-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the dependencies come from this environment's site-packages, added as a plain path: its
    # .pth files (the checkout's editable install among them) are not run
    (Path(site) / "project-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    installed = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CVLIB_", "JUPYTER"))}
    # the data files of the dependencies (nbconvert's HTML templates) are in this
    # environment's share/
    env["JUPYTER_PATH"] = str(Path(sysconfig.get_paths()["data"]) / "share" / "jupyter")

    def run(*args):
        return subprocess.run(
            [python, "-I", *args],
            cwd=outside,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    where = run(
        "-c",
        "import cvlib, cvlib.report.kernel as k; print(cvlib.__file__); print(k.NOTEBOOKS_DIR)",
    )
    assert where.returncode == 0, where.stderr
    module, notebooks = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(notebooks).is_relative_to(venv), where.stdout
    sample = run("-m", "cvlib", "sample", "ws")
    assert sample.returncode == 0, sample.stderr
    report = run("-m", "cvlib", "report", "ws", "--out", "reports", "--release", "2026.02")
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Traceback" not in report.stderr
    page = (outside / "reports" / "2026.02" / "report.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    assert "Did this release deliver the value it promised?" in page
    assert page.count("data:image/png;base64,") >= 4  # the forest plot and each hypothesis's chart
    assert (outside / "reports" / "index.html").is_file()
