"""The typed results of an evaluation, and the ``summary.json`` structure they write (``to_dict``).

Results are frozen dataclasses; a change to one (the multiplicity
adjustment) is made with :func:`dataclasses.replace`. ``to_dict`` gives plain,
strict-JSON structures (``None`` instead of nan); the JSON Schema of
``summary.json`` is ``docs/schema/summary.schema.json``, and every change of
the format is recorded in ``CHANGELOG.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from cvlib.contract.hypotheses import Hypothesis
    from cvlib.metrics.base import Before
    from cvlib.stats.results import Estimate

__all__ = [
    "SCHEMA_VERSION",
    "VERDICTS",
    "Change",
    "EconomicValue",
    "FeatureRef",
    "HypothesisResult",
    "Multiplicity",
    "Planning",
    "ReleaseEvaluation",
    "Scorecard",
    "SegmentResult",
    "ValueTypeScore",
]

#: Version of the ``summary.json`` format (major.minor: a new major breaks readers).
SCHEMA_VERSION = "2.0"

VERDICTS = ("validated", "not_validated", "inconclusive", "insufficient_data")


def json_clean(value):
    """Replace nan/inf by None and numpy scalars by Python ones, recursively.

    Examples
    --------
    >>> json_clean({"a": float("nan"), "b": [1.5, float("inf")]})
    {'a': None, 'b': [1.5, None]}
    """
    if isinstance(value, dict):
        return {k: json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, int | float):  # a numpy scalar
        value = value.item()
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    return value


@dataclass(frozen=True, slots=True)
class Change:
    """The change against before the release.

    Attributes
    ----------
    estimate, ci_low, ci_high : float or None
        Ratio after / before (times) or difference after - before, and its
        interval; ``None`` when it cannot be computed.
    p_value : float or None
    direction : str
        ``improved``, ``worsened`` or ``unclear`` (the interval includes no change).
    method : str
    pairs_dropped : int or None
        Paired designs: participants without a pair.
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    direction: str
    method: str
    pairs_dropped: int | None = None

    def to_dict(self) -> dict:
        """``estimate``, ``ci_low``, ``ci_high``, ``p_value`` (two-sided, of no change),
        ``direction``, ``method``, and ``pairs_dropped`` for paired designs."""
        data = {
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "direction": self.direction,
            "method": self.method,
        }
        if self.pairs_dropped is not None:
            data["pairs_dropped"] = self.pairs_dropped
        return json_clean(data)


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """The verdict in one customer segment.

    Attributes
    ----------
    segment : str
    estimate, ci_low, ci_high : float or None
    n : int
    verdict : str
        By the hypothesis's rules, unadjusted: segment verdicts are exploratory.
    reason : str or None
    change : Change or None
    p_value : float or None
        The intersection-union p-value of the segment's claims (unadjusted).
    """

    segment: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    verdict: str
    reason: str | None = None
    change: Change | None = None
    p_value: float | None = None

    def to_dict(self) -> dict:
        """The segment entry of ``summary.json``: segment, estimate, ci_low, ci_high, n,
        verdict, p_value, and ``exploratory`` (always true: no adjustment for the segments)."""
        return json_clean(
            {
                "segment": self.segment,
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "n": self.n,
                "verdict": self.verdict,
                "p_value": self.p_value,
                "exploratory": True,
            }
        )


@dataclass(frozen=True, slots=True)
class Multiplicity:
    """How a release's hypothesis p-values were adjusted.

    Attributes
    ----------
    method : {"holm", "bh", "none"}
    family_size : int
        Every hypothesis declared for the release (those not testable yet count as p = 1).
    """

    method: str
    family_size: int

    @property
    def label(self) -> str:
        """The method's name in words ("Holm")."""
        return {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "un"}[self.method]

    def to_dict(self) -> dict:
        """``method``, ``family_size``."""
        return {"method": self.method, "family_size": self.family_size}


@dataclass(frozen=True, slots=True)
class Planning:
    """How many more observations would likely settle a hypothesis.

    Attributes
    ----------
    needed_n : int or None
        Further after-release observations for 80% power at the hypothesis's
        ``expected`` value, with the before sample fixed at its size; ``None``
        where the sample cannot grow or no plan is possible (see ``reason``).
    reason : str or None
        Why there is no number, or what it assumes.
    max_power : float or None
        The highest power any after-release sample can reach (below 0.8:
        not settleable).
    """

    needed_n: int | None
    reason: str | None
    max_power: float | None = None

    @property
    def settleable(self) -> bool:
        """Whether some after-release sample reaches 80% power."""
        return self.max_power is None or self.max_power >= 0.8


@dataclass(frozen=True, slots=True)
class EconomicValue:
    """Customer hours saved a year, their interval, and their money value.

    Attributes
    ----------
    hours_saved_per_year, ci_low, ci_high : float
    value_per_year : float or None
        Hours times the workspace's ``hourly_cost`` (``None`` without one).
    df : float
        Degrees of freedom of the interval (not written to ``summary.json``).
    method : str or None
        How the interval was computed.
    note : str or None
        A caution in words (the arithmetic saving and the geometric-mean change
        disagree in direction; a task valued by several hypotheses).
    draws : object
        The interval's pivotal draws, for the release total (not written).
    """

    hours_saved_per_year: float
    ci_low: float
    ci_high: float
    value_per_year: float | None
    df: float = math.nan
    method: str | None = None
    note: str | None = None
    draws: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        """``hours_saved_per_year``, ``ci_low``, ``ci_high``, ``value_per_year``."""
        return json_clean(
            {
                "hours_saved_per_year": self.hours_saved_per_year,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "value_per_year": self.value_per_year,
                "method": self.method,
                "note": self.note,
            }
        )


@dataclass(frozen=True)
class HypothesisResult:
    """The verdict on one hypothesis and the numbers behind it.

    Attributes
    ----------
    hypothesis : cvlib.Hypothesis
    release_id : str
    verdict : str
        One of :data:`VERDICTS`.
    reason : str or None
        Why, in words a stakeholder understands (``None`` when validated).
    flags : tuple of str
        ``written_after_release`` and the metric's own (``low_adoption``).
    after : cvlib.Estimate or None
        After-release estimate and interval (the metric's unit).
    before : Before or None
        The before sample's estimate and size.
    change : Change or None
    needed_n : int or None
        Further after-release observations for 80% power at ``expected``
        (``planning`` says why when there is no number).
    economic_value : EconomicValue or None
    segments : tuple of SegmentResult
    n : int
        Size of the after-release population (the metric's unit).
    tests : Tests or None
        The one-sided tests of the claims (``None`` when nothing could be tested).
    p_value : float or None
        The intersection-union p-value: the largest p of the claims.
    p_value_adjusted : float or None
        ``p_value`` adjusted across the release's hypotheses.
    multiplicity : Multiplicity or None
    planning : Planning or None
    dropped : int or None
        Observations left out by the metric's unit of analysis, ``dropped_what`` in words.
    dropped_what : str or None
    sensitivity : object or None
        A second analysis beside the main one (task time with failed attempts:
        the worst-rank comparison).
    definition_changes : tuple of (str, object, object)
        Keys whose value differs from the registered definition: (key, registered, now).
    registered_definition : dict or None
        The definition the hypothesis was first reported under
        (:mod:`cvlib.verdicts.definitions`).
    evidence : Evidence or None
        The comparison design and its grade (:mod:`cvlib.verdicts.designs`).
    """

    hypothesis: Hypothesis
    release_id: str
    verdict: str
    reason: str | None
    flags: tuple = ()
    after: Estimate | None = None
    before: Before | None = None
    change: Change | None = None
    needed_n: int | None = None
    economic_value: EconomicValue | None = None
    segments: tuple = ()
    n: int = 0
    tests: Any = None
    p_value: float | None = None
    p_value_adjusted: float | None = None
    multiplicity: Multiplicity | None = None
    planning: Planning | None = None
    dropped: int | None = None
    dropped_what: str | None = None
    sensitivity: Any = None
    definition_changes: tuple = ()
    registered_definition: dict | None = None
    evidence: Any = None

    @property
    def adjusted_away(self) -> bool:
        """Whether every claim is shown at α but the multiplicity adjustment made the
        hypothesis inconclusive."""
        t = self.tests
        return (
            self.verdict == "inconclusive"
            and t is not None
            and t.shown(t.target)
            and (t.change is None or t.shown(t.change))
        )

    def to_dict(self) -> dict:
        """The hypothesis entry of ``summary.json`` (strict JSON: ``None`` for nan)."""
        h, after = self.hypothesis, self.after
        return json_clean(
            {
                "id": h.id,
                "feature_id": h.feature_id,
                "metric": h.metric,
                "statement": h.statement,
                "target": h.target,
                "kind": h.kind,
                "margin": h.margin,
                "expected": h.expected,
                "planned_n": h.planned_n,
                "design": h.design,
                "definition": h.definition(),
                "registered_definition": self.registered_definition or h.definition(),
                "verdict": self.verdict,
                "reason": self.reason,
                "flags": list(self.flags),
                "estimate": None if after is None else after.estimate,
                "ci_low": None if after is None else after.ci_low,
                "ci_high": None if after is None else after.ci_high,
                "n": self.n,
                "method": None if after is None else after.method,
                "before": None
                if self.before is None
                else {"estimate": self.before.estimate, "n": self.before.n},
                "change": None if self.change is None else self.change.to_dict(),
                "tests": None if self.tests is None else self.tests.to_dict(),
                "p_value": self.p_value,
                "p_value_adjusted": self.p_value_adjusted,
                "multiplicity": None if self.multiplicity is None else self.multiplicity.to_dict(),
                "needed_n": self.needed_n,
                "planning_reason": None if self.planning is None else self.planning.reason,
                "dropped": self.dropped,
                "dropped_what": self.dropped_what,
                "sensitivity": None if self.sensitivity is None else self.sensitivity.to_dict(),
                "definition_changes": [
                    {"key": k, "registered": old, "now": new}
                    for k, old, new in self.definition_changes
                ],
                "evidence": None if self.evidence is None else self.evidence.to_dict(),
                "economic_value": None
                if self.economic_value is None
                else self.economic_value.to_dict(),
                "segments": [s.to_dict() for s in self.segments],
            }
        )


@dataclass(frozen=True, slots=True)
class ValueTypeScore:
    """Output and outcome of the features of one value type."""

    features_shipped: int
    features_validated: int
    effort_points: float | None


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Output (features shipped, effort) against outcome (features validated) of a release.

    Attributes
    ----------
    features_shipped : int
    effort_points : float or None
    features_with_hypothesis : int
    features_validated : int
        Features with at least one hypothesis, all of them validated.
    hypotheses : int
    validated, not_validated, inconclusive, insufficient_data : int
        Hypotheses per verdict.
    value_delivery_rate : float or None
        features_validated / features_shipped.
    by_value_type : dict of str to ValueTypeScore
    """

    features_shipped: int
    effort_points: float | None
    features_with_hypothesis: int
    features_validated: int
    hypotheses: int
    validated: int
    not_validated: int
    inconclusive: int
    insufficient_data: int
    value_delivery_rate: float | None
    by_value_type: dict = field(default_factory=dict)

    def count(self, verdict: str) -> int:
        """Hypotheses with ``verdict``."""
        return getattr(self, verdict)

    def to_dict(self) -> dict:
        """The ``scorecard`` of ``summary.json`` and ``index.json``."""
        data = {
            "features_shipped": self.features_shipped,
            "effort_points": self.effort_points,
            "features_with_hypothesis": self.features_with_hypothesis,
            "features_validated": self.features_validated,
            "hypotheses": self.hypotheses,
            **{v: self.count(v) for v in VERDICTS},
            "value_delivery_rate": self.value_delivery_rate,
            "by_value_type": {
                name: {
                    "features_shipped": s.features_shipped,
                    "features_validated": s.features_validated,
                    "effort_points": s.effort_points,
                }
                for name, s in self.by_value_type.items()
            },
        }
        return json_clean(data)


@dataclass(frozen=True, slots=True)
class FeatureRef:
    """A feature named in a report: id, name and value type."""

    feature_id: str
    name: str
    value_type: str


@dataclass(frozen=True)
class ReleaseEvaluation:
    """Verdicts for every hypothesis of one release, the scorecard and economic value.

    Attributes
    ----------
    release_id, release_name : str
    released_on, data_through : datetime.date
    confidence_level : float
    hypotheses : tuple of HypothesisResult
    scorecard : Scorecard
    economic_value : EconomicValue or None
        The release total (validated hypotheses only).
    currency : str
    features_without_hypothesis : tuple of FeatureRef
        Features whose value is not defined.
    sources : dict
        Table -> how the report names its source.
    inputs_sha256, cvlib_version, generated_at : str
    """

    release_id: str
    release_name: str
    released_on: dt.date
    data_through: dt.date | None
    confidence_level: float
    hypotheses: tuple
    scorecard: Scorecard
    economic_value: EconomicValue | None
    currency: str
    features_without_hypothesis: tuple
    sources: dict
    inputs_sha256: str
    cvlib_version: str
    generated_at: str = field(compare=False)

    def to_dict(self) -> dict:
        """Exactly the ``summary.json`` structure (strict JSON: no NaN, ``None`` instead)."""
        economic = None
        if self.economic_value is not None:
            economic = dict(self.economic_value.to_dict(), currency=self.currency)
        return json_clean(
            {
                "schema_version": SCHEMA_VERSION,
                "release_id": self.release_id,
                "release_name": self.release_name,
                "released_on": self.released_on.isoformat(),
                "data_through": None
                if self.data_through is None
                else self.data_through.isoformat(),
                "confidence_level": self.confidence_level,
                "hypotheses": [h.to_dict() for h in self.hypotheses],
                "scorecard": self.scorecard.to_dict(),
                "economic_value": economic,
                "sources": self.sources,
                "inputs_sha256": self.inputs_sha256,
                "cvlib_version": self.cvlib_version,
                "generated_at": self.generated_at,
            }
        )

    def hypotheses_frame(self):
        """One row per hypothesis: id, feature, metric, verdict, estimate, CI, n, change."""
        import pandas as pd

        rows = []
        for r in self.hypotheses:
            d = r.to_dict()
            change = d["change"] or {}
            rows.append(
                {
                    "id": d["id"],
                    "feature_id": d["feature_id"],
                    "metric": d["metric"],
                    "target": d["target"],
                    "verdict": d["verdict"],
                    "estimate": d["estimate"],
                    "ci_low": d["ci_low"],
                    "ci_high": d["ci_high"],
                    "n": d["n"],
                    "change": change.get("estimate"),
                    "change_ci_low": change.get("ci_low"),
                    "change_ci_high": change.get("ci_high"),
                    "direction": change.get("direction"),
                    "p_value": d["p_value"],
                    "p_value_adjusted": d["p_value_adjusted"],
                    "needed_n": d["needed_n"],
                    "flags": ", ".join(d["flags"]),
                    "reason": d["reason"],
                }
            )
        return pd.DataFrame(rows)
