"""What a comparison design is: a :class:`DesignSpec`, registered once, that the verdict reads.

A design says how a hypothesis's change claim is estimated (treatment -
holdout, observed - forecast, after - before) and how strong that evidence is
(its grade). :func:`cvlib.verdicts.designs.choose` picks the strongest design
the data allow; :func:`cvlib.verdicts.evaluate_release` applies it before the
claims are tested, so the claims read the design's effect in place of
after - before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cvlib.verdicts.results import json_clean

__all__ = ["GRADES", "DesignSpec", "Effect", "Evidence", "register", "registered"]

#: Evidence grades, strongest first.
GRADES = ("randomized", "time_series", "controlled_study", "before_after", "target_only")


@dataclass(frozen=True, slots=True)
class Effect:
    """The design's estimate of the change, in the units of ``change``."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    method: str

    def to_dict(self) -> dict:
        """``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``method``."""
        return json_clean(
            {
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
                "method": self.method,
            }
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """How a verdict's comparison was made and how much it can be trusted.

    Attributes
    ----------
    design : {"holdout", "interrupted_time_series", "before_after", "controlled_study", "none"}
    grade : str
        One of :data:`GRADES`.
    effect : Effect or None
        ``None`` where the design has none (``target_only``).
    diagnostics : mapping
        The design's checks (placebo change, pre-periods, overlapping releases...).
    flags : tuple of str
        The design's flags (``placebo_change``, ``overlapping_release``...).
    caveat : str or None
        What the design cannot tell, in one sentence.
    overrule : str or None
        Why the design's own checks make the comparison untrustworthy (a
        holdout's sample-ratio mismatch): a verdict of validated or not
        validated becomes inconclusive, with this reason.
    """

    design: str
    grade: str
    effect: Effect | None = None
    diagnostics: Mapping = field(default_factory=dict)
    flags: tuple = ()
    caveat: str | None = None
    overrule: str | None = None

    def to_dict(self) -> dict:
        """The ``evidence`` entry of ``summary.json``."""
        return json_clean(
            {
                "design": self.design,
                "grade": self.grade,
                "effect": None if self.effect is None else self.effect.to_dict(),
                "diagnostics": dict(self.diagnostics),
                "caveat": self.caveat,
            }
        )


@dataclass(frozen=True, slots=True)
class DesignSpec:
    """Everything the verdict needs to know of a comparison design.

    Attributes
    ----------
    name : str
        As written in ``comparison:`` (``before_after``) or as reported
        (``controlled_study``, ``none``).
    grade : str
    periods : callable
        ``periods(hypothesis, context) -> tuple of Period``: the further
        aggregates the design needs from the engine.
    apply : callable
        ``apply(context, hypothesis, measurement) -> (measurement, evidence)``
        (or ``(measurement, evidence, segments)``, with the design's own
        ``(segment, measurement)`` pairs) or ``None`` when the data do not
        allow the design; the measurement returned carries the design's
        effect as its ``comparison`` and ``change_test``.
    """

    name: str
    grade: str
    periods: Callable
    apply: Callable


_REGISTRY: dict[str, DesignSpec] = {}


def register(spec: DesignSpec) -> DesignSpec:
    """Add ``spec`` to the registry (once per name) and return it."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"a design named {spec.name!r} is registered already")
    _REGISTRY[spec.name] = spec
    return spec


def registered() -> dict[str, DesignSpec]:
    """Registered designs by name (a copy)."""
    return dict(_REGISTRY)
