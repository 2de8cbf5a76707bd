"""Output against outcome: the scorecard of a release."""

from __future__ import annotations

from cvlib.contract.tables import VALUE_TYPES
from cvlib.verdicts.results import VERDICTS, Scorecard, ValueTypeScore

__all__ = ["scorecard"]


def _effort(features) -> float | None:
    if "effort_points" not in features or features["effort_points"].isna().all():
        return None
    return float(features["effort_points"].sum())


def scorecard(features, results) -> Scorecard:
    """The scorecard of a release's ``features`` (a frame) and the ``results`` of its hypotheses.

    ``features_validated`` counts the features with at least one hypothesis,
    all of them validated; ``value_delivery_rate`` = features_validated /
    features_shipped (``None`` when nothing shipped).
    """
    by_feature: dict[str, list[str]] = {}
    for r in results:
        by_feature.setdefault(r.hypothesis.feature_id, []).append(r.verdict)
    validated = {
        f
        for f, verdicts in by_feature.items()
        if verdicts and all(v == "validated" for v in verdicts)
    }
    shipped = int(len(features))
    ids = list(features["feature_id"])
    by_type = {}
    for value_type in VALUE_TYPES:
        part = features[features["value_type"] == value_type]
        if part.empty:
            continue
        by_type[value_type] = ValueTypeScore(
            features_shipped=int(len(part)),
            features_validated=int(sum(f in validated for f in part["feature_id"])),
            effort_points=_effort(part),
        )
    counted = int(sum(f in validated for f in ids))
    return Scorecard(
        features_shipped=shipped,
        effort_points=_effort(features),
        features_with_hypothesis=int(sum(f in by_feature for f in ids)),
        features_validated=counted,
        hypotheses=len(results),
        **{v: sum(r.verdict == v for r in results) for v in VERDICTS},
        value_delivery_rate=None if shipped == 0 else counted / shipped,
        by_value_type=by_type,
    )
