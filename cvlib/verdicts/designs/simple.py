"""The designs that need nothing beyond the metric's own measurement.

- ``controlled_study`` (grade ``controlled_study``): a task study compares the
  old and the new version with participants of the same study, so the change
  is the measured after - before (or ratio) of the study itself.
- ``none`` (grade ``target_only``): the hypothesis claims its target alone
  (kind ``level``, or a metric without a before such as ``adoption``): no
  comparison is needed.
"""

from __future__ import annotations

from cvlib.verdicts.designs.base import DesignSpec, Effect, Evidence, register

__all__ = ["CONTROLLED_STUDY", "TARGET_ONLY", "measured_effect"]


def measured_effect(measured) -> Effect | None:
    """The measurement's own comparison as an :class:`Effect` (``None`` without one)."""
    c = measured.comparison
    if c is None:
        return None
    return Effect(c.estimate, c.ci_low, c.ci_high, c.p_value, c.method)


def _none(h, ctx) -> tuple:
    return ()


def _controlled(ctx, h, measured):
    return measured, Evidence("controlled_study", "controlled_study", measured_effect(measured))


def _target_only(ctx, h, measured):
    return measured, Evidence("none", "target_only")


CONTROLLED_STUDY = register(DesignSpec("controlled_study", "controlled_study", _none, _controlled))
TARGET_ONLY = register(DesignSpec("none", "target_only", _none, _target_only))
