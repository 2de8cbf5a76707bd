"""Verdicts: each hypothesis of a release measured by its metric and judged by the verdict rules.

- :mod:`cvlib.verdicts.results`: the typed results and the ``summary.json`` structure;
- :mod:`cvlib.verdicts.rules`: the verdict rules;
- :mod:`cvlib.verdicts.plan`: the release's engine queries, from the metric registry;
- :mod:`cvlib.verdicts.economic`: customer time saved and its money value;
- :mod:`cvlib.verdicts.scorecard`: output against outcome;
- :mod:`cvlib.verdicts.inputs`: the SHA-256 of a release's inputs;
- :mod:`cvlib.verdicts.evaluate`: :func:`evaluate_release`.
"""

from cvlib.verdicts.evaluate import evaluate_release
from cvlib.verdicts.results import (
    SCHEMA_VERSION,
    VERDICTS,
    Change,
    EconomicValue,
    HypothesisResult,
    ReleaseEvaluation,
    Scorecard,
    SegmentResult,
)

__all__ = [
    "SCHEMA_VERSION",
    "VERDICTS",
    "Change",
    "EconomicValue",
    "HypothesisResult",
    "ReleaseEvaluation",
    "Scorecard",
    "SegmentResult",
    "evaluate_release",
]
