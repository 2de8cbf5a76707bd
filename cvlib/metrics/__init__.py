"""The metrics: one module per metric, each declaring and registering its :class:`MetricSpec`.

Every module of this package other than :mod:`~cvlib.metrics.base` and
:mod:`~cvlib.metrics.units` is a metric, named after it, and is imported
here, so that importing the package registers every metric. The other
layers read the registry through :func:`get` and :func:`all_metrics`.

Examples
--------
>>> from cvlib import metrics
>>> metrics.get("adoption").counts
'users'
>>> "task_time" in metrics.names()
True
"""

from __future__ import annotations

import importlib
import pkgutil

from cvlib.metrics.base import MetricSpec, registered

__all__ = ["MetricSpec", "all_metrics", "get", "names"]

_NOT_METRICS = {"base", "units"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _NOT_METRICS and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
del _module


def all_metrics() -> tuple[MetricSpec, ...]:
    """Every registered metric, by name."""
    return tuple(spec for _, spec in sorted(registered().items()))


def names() -> tuple[str, ...]:
    """The names of the registered metrics, sorted."""
    return tuple(sorted(registered()))


def get(name: str) -> MetricSpec:
    """The spec of the metric ``name`` (``KeyError`` naming the known ones)."""
    found = registered().get(name)
    if found is None:
        raise KeyError(f"unknown metric {name!r} (known: {', '.join(names())})")
    return found
