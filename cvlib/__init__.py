"""Customer Value Workbench: did the features we shipped deliver the value we promised?

The pipeline, one subpackage a step: workspace files -> :mod:`cvlib.contract`
(validated tables) -> :mod:`cvlib.engine` (aggregates, computed where the data
lives) -> :mod:`cvlib.stats` (tests) -> :mod:`cvlib.metrics` (what each metric
measures) -> :mod:`cvlib.verdicts` -> :mod:`cvlib.report` (notebooks, HTML).

``import cvlib`` stays light: the statistics (scipy), the query engine
(DuckDB) and the report machinery are imported where they are used.
"""

from importlib.metadata import PackageNotFoundError, version

from cvlib.contract.hypotheses import Hypothesis
from cvlib.contract.settings import Settings
from cvlib.contract.workspace import Workspace, load_workspace
from cvlib.errors import CvlibWarning, DataError, Problem
from cvlib.stats.results import Comparison, Estimate, NPSEstimate
from cvlib.verdicts import HypothesisResult, ReleaseEvaluation, evaluate_release

try:
    __version__ = version("cvlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

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
