"""Argument checks shared by every public function (private)."""

from __future__ import annotations

import math
import numbers

import numpy as np

ALTERNATIVES = ("two-sided", "less", "greater")


def check_confidence_level(confidence_level) -> float:
    """Return ``confidence_level`` as a float, or raise naming it and its value."""
    if isinstance(confidence_level, bool) or not isinstance(confidence_level, numbers.Real):
        raise TypeError(f"confidence_level must be a number, got {type(confidence_level).__name__}")
    value = float(confidence_level)
    if not (0.0 < value < 1.0):
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level!r}")
    return value


def check_alternative(alternative) -> str:
    """Return ``alternative`` if it is one of two-sided, less, greater."""
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}"
        )
    return alternative


def check_count(value, name: str, *, minimum: int = 0) -> int:
    """Return an integer count >= ``minimum``; ``TypeError`` for non-integers."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_probability(value, name: str, *, open_interval: bool = False) -> float:
    """Return a probability in [0, 1] (or (0, 1) when ``open_interval``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    ok = (0.0 < value < 1.0) if open_interval else (0.0 <= value <= 1.0)
    if not ok or math.isnan(value):
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must be in {bounds}, got {value!r}")
    return value


def as_float_array(values, name: str) -> np.ndarray:
    """Return a 1-d float array of ``values`` or raise naming the argument."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers: {exc}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def check_positive_times(values, name: str) -> np.ndarray:
    """Return task times as a float array; raise if any is non-positive or non-finite."""
    array = as_float_array(values, name)
    bad = ~np.isfinite(array) | (array <= 0)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be positive and finite (times in seconds), "
            f"got {float(array[index])!r} at position {index}"
        )
    return array


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else ``ValueError`` naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def check_positive_finite(value, name: str) -> float:
    """Return a finite float > 0; ``TypeError`` for a non-number, ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return value


def method_label(method: str, alternative: str) -> str:
    """Name a method, marking a one-sided interval: ``wilson (one-sided: greater)``."""
    return method if alternative == "two-sided" else f"{method} (one-sided: {alternative})"
