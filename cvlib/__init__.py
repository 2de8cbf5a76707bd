"""Customer Value Workbench: did the features we shipped deliver the value we promised?

``import cvlib`` stays light: the statistics modules (scipy, statsmodels) and
the query engine (DuckDB) are imported where they are used.
"""

from importlib.metadata import PackageNotFoundError, version

from cvlib.stats.results import Comparison, Estimate, NPSEstimate
from cvlib.errors import CvlibWarning, DataError, Problem
from cvlib.evaluate import HypothesisResult, ReleaseEvaluation, evaluate_release
from cvlib.workspace import Hypothesis, Settings, Workspace, load_workspace

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
