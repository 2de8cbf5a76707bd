"""Customer Value Workbench: did the features we shipped deliver the value we promised?

The pipeline, one subpackage a step: workspace files -> :mod:`cvlib.contract`
(validated tables) -> :mod:`cvlib.engine` (aggregates, computed where the data
lives) -> :mod:`cvlib.stats` (tests) -> :mod:`cvlib.metrics` (what each metric
measures) -> :mod:`cvlib.verdicts` -> :mod:`cvlib.report` (notebooks, HTML).

``import cvlib`` stays light: the statistics (scipy), the query engine
(DuckDB) and the report machinery are imported where they are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Where each public name lives; imported on first use (PEP 562), so that ``import cvlib``
#: and ``python -m cvlib.…`` cost no more than the module asked for.
_PUBLIC = {
    "Hypothesis": "cvlib.contract.hypotheses",
    "Settings": "cvlib.contract.settings",
    "Workspace": "cvlib.contract.workspace",
    "load_workspace": "cvlib.contract.workspace",
    "CvlibWarning": "cvlib.errors",
    "DataError": "cvlib.errors",
    "Problem": "cvlib.errors",
    "Comparison": "cvlib.stats.results",
    "Estimate": "cvlib.stats.results",
    "NPSEstimate": "cvlib.stats.results",
    "HypothesisResult": "cvlib.verdicts",
    "ReleaseEvaluation": "cvlib.verdicts",
    "evaluate_release": "cvlib.verdicts",
}

_SUBPACKAGES = frozenset(
    {"cli", "contract", "engine", "errors", "metrics", "report", "sample", "stats", "verdicts"}
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from cvlib.contract.hypotheses import Hypothesis
    from cvlib.contract.settings import Settings
    from cvlib.contract.workspace import Workspace, load_workspace
    from cvlib.errors import CvlibWarning, DataError, Problem
    from cvlib.stats.results import Comparison, Estimate, NPSEstimate
    from cvlib.verdicts import HypothesisResult, ReleaseEvaluation, evaluate_release


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("cvlib")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0+unknown"
    elif name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _SUBPACKAGES:  # cvlib.errors, cvlib.verdicts, ... after a bare import cvlib
        value = importlib.import_module(f"cvlib.{name}")
    else:
        raise AttributeError(f"module 'cvlib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Comparison",
    "CvlibWarning",
    "DataError",
    "Estimate",
    "Hypothesis",
    "HypothesisResult",
    "NPSEstimate",
    "Problem",
    "ReleaseEvaluation",
    "Settings",
    "Workspace",
    "__version__",
    "evaluate_release",
    "load_workspace",
]
